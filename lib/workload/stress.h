/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stress.h: synthetic memory timelines, the workload of the seeds' memory_stress.py:
 * allocate a target, hold it for a while; optionally ramp up to it and burst above it.
 * The result is an ordinary trace, replayed by the same engine as real ones.
 */
#ifndef AGENTCG_STRESS_H
#define AGENTCG_STRESS_H

#include "trace.h"

#include <stdint.h>

struct acg_stress_spec {
	uint64_t bytes;	      /* the target held */
	double hold_s;	      /* how long it is held (after the ramp) */
	double ramp_s;	      /* 0: allocate at once; else grow linearly over this long */
	uint64_t burst_bytes; /* 0: no bursts; else the size during a burst (> bytes) */
	double burst_every_s; /* a burst starts every this long during the hold */
	double burst_for_s;   /* and lasts this long */
};

/* What the caller calls the spec's fields in messages: its options, or scenario keys. */
struct acg_stress_names {
	const char *mb, *hold, *ramp, *burst_mb, *burst_every, *burst_for;
};

/* The command line's: --mb, --hold, --ramp, --burst-mb, --burst-every, --burst-for. */
extern const struct acg_stress_names acg_stress_options;

/*
 * Check a spec; on error fill diag ("stress: <problem>", naming the fields involved as
 * names has them; NULL: the options') and return -EINVAL.
 */
int acg_stress_check(const struct acg_stress_spec *s, const struct acg_stress_names *names,
		     struct acg_diag *diag);

/*
 * The timeline: a sample every 100 ms during the ramp, one at each burst edge, one at the
 * end of the hold. Worked example: 100 MiB, ramp 0.2 s, hold 1 s, bursts of 150 MiB every
 * 0.5 s for 0.1 s: (0, 0) (0.1, 50M) (0.2, 100M) (0.7, 150M) (0.8, 100M) (1.2, 100M).
 */
int acg_stress_trace(const struct acg_stress_spec *s, struct acg_trace **ret);

#endif
