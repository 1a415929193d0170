/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clock.h: the one monotonic clock every timer in agentcg reads (seconds as a double;
 * CLOCK_MONOTONIC, so wall-clock jumps never show up in a measurement).
 */
#ifndef AGENTCG_CLOCK_H
#define AGENTCG_CLOCK_H

/* Seconds on CLOCK_MONOTONIC. */
double acg_mono_s(void);

#endif
