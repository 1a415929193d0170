// SPDX-License-Identifier: GPL-2.0
/*
 * clock.c: see clock.h.
 */
#include "clock.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

double acg_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void acg_mono_to_iso(double mono, char *buf, size_t size)
{
	struct timespec rt;
	double wall;
	long long ms;
	time_t sec;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &rt);
	wall = (double)rt.tv_sec + (double)rt.tv_nsec / 1e9 - (acg_mono_s() - mono);
	ms = (long long)floor(wall * 1000.0);
	sec = (time_t)(ms / 1000);
	if (!gmtime_r(&sec, &tm) || !(n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm))) {
		if (size)
			buf[0] = '\0';
		return;
	}
	snprintf(buf + n, size - n, ".%03dZ", (int)(ms % 1000));
}
