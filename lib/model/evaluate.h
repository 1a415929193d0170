/* SPDX-License-Identifier: GPL-2.0 */
/*
 * evaluate.h: the policy judged on the trace corpus instead of three scenarios. Random
 * mixes (1-2 HIGH and 2-8 LOW sessions, each a trace of the directory) are drawn from a
 * seed, given a budget at an overcommit ratio (the sum of the sessions' peaks over the
 * budget), and simulated (lib/model/sim.h) under none, static and dynamic, under declared
 * (dynamic with every HIGH session declaring its trace's peak, base included, as a
 * scenario's peak_mb would), and solo; the oracle (lib/model/oracle.h) bounds each LOW session, and a constructed schedule shows where a no-kill
 * schedule certainly exists.
 *
 * Conventions of the shipped scenarios (the JSON files of bench/scenarios/): speed 50, 100 MiB of base
 * per session, the traces' MB read as MiB (binary_units), timeout factor 20.
 *
 * Does a no-kill schedule exist (HIGH never slowed, nobody killed)? The oracle's
 * per-session bound is a relaxation: when it finds no schedule for some LOW session, none
 * exists (ruled out). A schedule is certain when a witness is built: HIGH follows its
 * timeline; LOW sessions wait at their start holding their base alone and move (in
 * order, all at once, or else one at a time) only while their holdings plus the most HIGH
 * will ever hold from then on fit the budget; they may pause anywhere and never shrink
 * below where they are. It is conservative (it keeps HIGH's
 * future peak free all along), so between the two some mixes stay unknown. Robust: the
 * witness exists with 5% less budget.
 *
 * Work lost against the least: where a no-kill schedule certainly exists the least is 0;
 * elsewhere the least any simulated strategy lost in that mix stands in (an upper bound of
 * the true least). Where no no-kill schedule is known, a schedule that loses no work at all
 * may still exist: refuse some LOW sessions at their start (they never run, so none of
 * their work is lost) and run the others with no kill. The fewest such sessions for which
 * the witness finds a schedule (every subset tried, smallest first) is each mix's
 * `refused`: the least loss counted in sessions, with no work lost; it is an upper bound of
 * the true fewest, as the witness is conservative.
 *
 * Splits: traces/heldout.txt names the traces kept for the final evaluation (test); the
 * others are for tuning (tune); all takes every trace.
 */
#ifndef AGENTCG_EVALUATE_H
#define AGENTCG_EVALUATE_H

#include "scenario.h"
#include "trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACG_EVAL_MAX_RATIOS 8
#define ACG_EVAL_MAX_SESSIONS 10 /* 2 HIGH + 8 LOW */
#define ACG_EVAL_N_STRATEGIES 4	 /* none, static, dynamic, declared */
#define ACG_EVAL_SPEED 50.0
#define ACG_EVAL_BASE_BYTES (100ull << 20)
#define ACG_EVAL_ROBUST 0.95 /* the budget a robust schedule still fits */
#define ACG_EVAL_HELDOUT "heldout.txt"

enum acg_eval_split { ACG_EVAL_TUNE, ACG_EVAL_TEST, ACG_EVAL_ALL };

const char *acg_eval_split_name(enum acg_eval_split s);

/*
 * The split's trace files of dir (*.json, *.csv), loaded as the shipped scenarios read
 * them (binary_units), sorted by name: *ret (n of them, the caller frees each and the
 * array). Returns 0, or -errno with diag saying what and where (no such directory, no
 * heldout.txt for a split, an empty split, a bad trace); nothing is left loaded then.
 */
int acg_eval_load_split(const char *dir, enum acg_eval_split split, struct acg_trace ***ret,
			size_t *n, struct acg_diag *diag);

struct acg_eval_cfg {
	const char *dir;
	enum acg_eval_split split;
	size_t mixes;
	uint64_t seed;
	double ratios[ACG_EVAL_MAX_RATIOS];
	size_t n_ratios;
	uint64_t low_growth, high_growth; /* the policy's expected growths (policy.h) */
	uint64_t swap_bytes;		  /* swap the sessions may use (0: none) */
};

/* traces/, tune, 200 mixes, seed 1, ratios 1.2, 1.5, 2.0, the policy's default growths */
void acg_eval_cfg_default(struct acg_eval_cfg *c);

/* what a strategy did in one mix */
struct acg_eval_outcome {
	size_t killed, high_killed, timeouts;
	size_t swapped_out; /* pushed out to swap instead of killed */
	double lost_s;
	/* the slowest LOW session that completed against its oracle bound (0: none) */
	double low_vs_oracle_max;
};

enum acg_eval_nokill { ACG_EVAL_RULED_OUT = -1, ACG_EVAL_UNKNOWN = 0, ACG_EVAL_EXISTS = 1 };

struct acg_eval_mix {
	double ratio;
	uint64_t budget_bytes;
	size_t n;
	size_t trace[ACG_EVAL_MAX_SESSIONS]; /* index in the result's traces */
	enum acg_prio prio[ACG_EVAL_MAX_SESSIONS];
	enum acg_eval_nokill no_kill;
	bool robust;	     /* a no-kill schedule with ACG_EVAL_ROBUST x the budget */
	double least_lost_s; /* 0 where no_kill is EXISTS, else the least a strategy lost */
	/* where no_kill is not EXISTS: the fewest LOW sessions that, refused at their start
	 * (never run, so no work lost), leave the others a witnessed no-kill schedule (exact
	 * over the witness: every subset, smallest first); 0 where no_kill is EXISTS; SIZE_MAX
	 * when even refusing every LOW session leaves none (HIGH alone does not fit) */
	size_t refused;
	struct acg_eval_outcome st[ACG_EVAL_N_STRATEGIES];
};

struct acg_eval_strategy {
	const char *name;
	size_t kills, high_kills, timeouts;
	size_t swapped_out;	  /* held LOW sessions pushed out to swap instead of killed */
	size_t mixes_lost_robust; /* mixes with a kill or timeout where a robust schedule exists */
	double lost_s;		  /* work the killed sessions lost, all mixes */
	double excess_lost_s;	  /* lost beyond each mix's least_lost_s */
	size_t n_high;		  /* HIGH sessions that completed */
	double high_median, high_p90, high_max; /* their completion over solo */
	size_t n_low;		    /* LOW sessions that completed, with an oracle bound */
	double low_median, low_p90; /* their completion over the oracle's bound */
	/* in the mixes with no known no-kill schedule (no_kill not EXISTS): the sessions it
	 * lost there (killed or still held at the timeout) and the work they lost */
	size_t lossy_lost;
	double lossy_lost_s;
};

/* the mixes at one ratio */
struct acg_eval_ratio {
	double ratio;
	size_t mixes, no_kill, robust, ruled_out, unknown;
	size_t kills[ACG_EVAL_N_STRATEGIES], timeouts[ACG_EVAL_N_STRATEGIES];
	size_t mixes_lost_robust[ACG_EVAL_N_STRATEGIES];
	double lost_s[ACG_EVAL_N_STRATEGIES];
};

struct acg_eval_result {
	enum acg_eval_split split;
	uint64_t seed;
	double ratios[ACG_EVAL_MAX_RATIOS];
	size_t n_ratios;
	uint64_t low_growth, high_growth; /* the policy's expected growths, as given */
	uint64_t swap_bytes;		  /* swap the sessions may use, as given */
	struct acg_trace **traces;	  /* the split's, sorted by name */
	size_t n_traces;
	struct acg_eval_mix *mixes;
	size_t n_mixes;
	struct acg_eval_strategy st[ACG_EVAL_N_STRATEGIES];
	size_t no_kill, robust, ruled_out, unknown; /* mixes */
	/* the mixes with no known no-kill schedule: how many, and the LOW sessions the oracle
	 * refuses at their start there (the sum and the most in one mix of their refused,
	 * over those where refusing suffices: lossy_refusable of them) */
	size_t lossy, lossy_refusable, refused_total, refused_max;
	struct acg_eval_ratio by_ratio[ACG_EVAL_MAX_RATIOS]; /* in the order of ratios */
};

/*
 * Draw and simulate cfg->mixes mixes from cfg->dir. Deterministic given the seed and the
 * directory. Returns 0, or -errno with diag saying what and where (no such directory, no
 * heldout.txt for a split, an empty split, a bad trace, a ratio below 1).
 */
int acg_eval_run(const struct acg_eval_cfg *cfg, struct acg_eval_result *ret,
		 struct acg_diag *diag);

void acg_eval_result_free(struct acg_eval_result *r);

struct json_t;

/* The result as docs/evaluate.md describes it. */
struct json_t *acg_eval_result_json(const struct acg_eval_result *r);

#endif
