// SPDX-License-Identifier: GPL-2.0
/*
 * clock.c: see clock.h.
 */
#include "clock.h"

#include <time.h>

double acg_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
