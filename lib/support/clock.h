/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clock.h: the one monotonic clock every timer in agentcg reads (seconds as a double;
 * CLOCK_MONOTONIC, so wall-clock jumps never show up in a measurement).
 */
#ifndef AGENTCG_CLOCK_H
#define AGENTCG_CLOCK_H

#include <stddef.h>

/* Seconds on CLOCK_MONOTONIC. */
double acg_mono_s(void);

/*
 * The wall-clock time of mono (seconds on CLOCK_MONOTONIC, e.g. a log line's "t") as ISO
 * 8601 in UTC with milliseconds, "2026-11-29T01:12:14.123Z", into buf (25 bytes suffice).
 * Mapped through the clocks' offset now, so a wall-clock step moves earlier moments too.
 */
void acg_mono_to_iso(double mono, char *buf, size_t size);

#endif
