/* SPDX-License-Identifier: GPL-2.0 */
/*
 * profile.h: the burst profile of a set of traces (and `record` outputs): per trace its
 * baseline, its peak, their ratio and its bursts; across the set the quantiles of the
 * peak-to-baseline ratio, of burst durations and of burst growth rates. It is what a
 * look-ahead for HIGH can expect of a session it has only seen idle (docs/profile.md).
 *
 * Per trace, in trace time (seconds of the agent's own run; at a replay speed s durations
 * divide by s and rates multiply by s), sizes as read (no base added):
 *   - baseline: the median of the samples in the first ACG_PROFILE_BASELINE_FRAC of its
 *     duration (the first sample at least): where it idles, as seen early;
 *   - peak: its largest sample; peak_to_baseline their ratio (NAN for a baseline of 0);
 *   - a burst: a maximal run of samples above baseline + burst_bytes. Its duration runs
 *     from its first sample to the first one back at or below that line (or to the last
 *     sample: not ended); its rate is its growth from the last sample before it to its
 *     peak, over the time between them (NAN for a burst at the first sample).
 * Worked example, burst_bytes 64 MiB, samples (0 s, 100 MiB), (1, 100), (2, 100),
 * (3, 100), (4, 100), (5, 400), (6, 500), (7, 100), (8, 100), (9, 100): the first 20%
 * (t <= 1.8 s) has 100, 100: baseline 100 MiB, peak 500, ratio 5; one burst above 164 MiB,
 * from 5 s to 7 s (2 s), rising 400 MiB from 4 s to its peak at 6 s: 200 MiB/s.
 */
#ifndef AGENTCG_PROFILE_H
#define AGENTCG_PROFILE_H

#include "evaluate.h"
#include "trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACG_PROFILE_BASELINE_FRAC 0.2
#define ACG_PROFILE_BURST_BYTES (64ull << 20) /* default: 64 MiB above the baseline */

struct acg_profile_burst {
	double start_s, duration_s;
	uint64_t peak_bytes;
	double rate_bps; /* bytes per trace second; NAN when it starts at the first sample */
	bool ended;	 /* back at or below the line before the trace's end */
};

struct acg_profile_trace {
	char *name;	    /* the trace's name */
	const char *source; /* the argument it came from (a directory or a file) */
	size_t samples;
	double duration_s;
	uint64_t baseline_bytes, peak_bytes;
	uint64_t growth_bytes;	 /* peak less the first sample: how far it grew from its start */
	double peak_to_baseline; /* NAN when the baseline is 0 */
	struct acg_profile_burst *bursts;
	size_t n_bursts;
};

/* quantiles (nearest rank) over n values; NAN when n == 0 */
struct acg_profile_q {
	size_t n;
	double p50, p75, p90, p99;
};

struct acg_profile {
	enum acg_eval_split split;
	uint64_t burst_bytes;
	struct acg_profile_trace *traces;
	size_t n;
	size_t n_bursts;
	struct acg_profile_q ratio, duration, rate;
	struct acg_profile_q growth; /* of growth_bytes: what the policy's admission expects */
};

/*
 * What a session that declares nothing is expected to grow by from its start, per class,
 * as the policy reads it (acg_pol_cfg low_growth and high_growth): LOW at the growth's
 * p75, HIGH at its p90 (HIGH's room is the one a wrong guess costs a kill for). Chosen on
 * the tune split (agentcg evaluate, docs/profile.md).
 */
void acg_profile_growth(const struct acg_profile *p, uint64_t *low, uint64_t *high);

/*
 * Read the expected growths from a profile JSON (`agentcg profile` output: its
 * growth_bytes p75 and p90). Returns 0, or -errno with diag saying what is wrong where.
 */
int acg_profile_load_growth(const char *path, uint64_t *low, uint64_t *high, struct acg_diag *diag);

/*
 * Profile one trace (t->n >= 1) into ret (its name copied, source kept as given).
 * Returns 0 or -ENOMEM.
 */
int acg_profile_trace(const struct acg_trace *t, const char *source, uint64_t burst_bytes,
		      struct acg_profile_trace *ret);

/*
 * Profile paths[0..n): a directory gives its traces of the split (the evaluate's split:
 * DIR/heldout.txt names the test ones, lib/model/evaluate.h), a file is taken as it is (a trace
 * or a `record` output; the split is for directories). Returns 0, or -errno with diag
 * saying what and where (a path that is neither, a bad trace, an empty split, no
 * heldout.txt for a split).
 */
int acg_profile_run(char *const *paths, size_t n, enum acg_eval_split split, uint64_t burst_bytes,
		    struct acg_profile *ret, struct acg_diag *diag);

void acg_profile_free(struct acg_profile *p);

struct json_t;

/* The profile as docs/profile.md describes it. */
struct json_t *acg_profile_json(const struct acg_profile *p);

#endif
