/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench.h: one bench run: some of a scenario's sessions, started together, each in its
 * own cgroup below a fresh run cgroup, under one strategy (or none at all: a solo
 * baseline). The run survives anything a session suffers: a session the kernel kills is
 * recorded as killed (when, how far it got, the kernel's counters) and the others go on.
 * The run's cgroups are always removed.
 */
#ifndef AGENTCG_BENCH_H
#define AGENTCG_BENCH_H

#include "cgroup.h"
#include "command.h"
#include "replay.h"
#include "scenario.h"
#include "strategy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ACG_BENCH_SAMPLE_MS 50
#define ACG_BENCH_CONTROL_MS 10
#define ACG_BENCH_WARM_AUTO UINT64_MAX

struct acg_bench_session {
	const struct acg_scn_session *spec;
	struct acg_replay_cfg cfg;
	struct acg_command_cfg ccfg; /* a command session's (spec->command) */
	char *scratch;		     /* its scratch directory, removed after the run */
	int log_fd;		     /* its commands' output (an unlinked file), or -1 */
	struct acg_replay_result rep;
	struct acg_replay_outcome out;
	pid_t pid;
	int fd;
	bool exited;
	double exit_at_s; /* when the parent saw it end, from the common start */
	uint64_t peak;	  /* the session cgroup's peak usage */
};

struct acg_bench_run {
	const struct acg_scenario *sc;
	const struct acg_strategy *st; /* NULL: solo, no limits */
	unsigned int run;	       /* 1-based */
	char name[ACG_NAME_MAX + 1];   /* the run cgroup's name */
	int cgroup_version;
	struct acg_bench_session *s;
	size_t n;
	/* every session's usage every ACG_BENCH_SAMPLE_MS: ts_t[k], ts_usage[k * n + i] */
	double *ts_t;
	uint64_t *ts_usage, *ts_tree;
	size_t ts_n, ts_cap;
	double wall_s;
	bool timed_out;
	struct acg_mem_events tree_before, tree_after;
	struct acg_strategy_ctx ctx; /* what the strategy acts on, setup to teardown */
	const char **names;
	char *decisions; /* the strategy's decisions, JSON lines */
	size_t decisions_len, decisions_cap, n_decisions;
	uint64_t warm_bytes;	/* touched and freed just before the start (0: none) */
	double warm_mib_s;	/* the rate that warm-up ran at */
	int warm_error;		/* -errno if the warm-up failed (the run goes on, unwarmed) */
	long long reported_kib; /* memory reported free to the hypervisor during the run, or -1 */
	struct acg_diag error;	/* set when the run could not be carried out */
};

/*
 * Carry out one run of sessions idx[0..n) of sc under st (NULL: solo) in a cgroup called
 * name below parent. With warm_bytes, that much memory is touched and freed once every
 * worker holds its baseline, just before the start (warm.h says why); ACG_BENCH_WARM_AUTO
 * sizes it to what the run's sessions need, a quarter more. Either way it is cut to
 * three quarters of MemAvailable at that moment. progress (may be
 * NULL) is called each sampling period. Returns 0 (the
 * run happened, whatever became of its sessions) or -errno with run->error set; the run's
 * cgroups are removed either way. Free with acg_bench_run_free().
 */
int acg_bench_run(const struct acg_scenario *sc, const size_t *idx, size_t n,
		  const struct acg_strategy *st, unsigned int run, struct acg_cg *parent,
		  const char *name, uint64_t warm_bytes,
		  void (*progress)(const struct acg_bench_run *r, double t, void *arg), void *arg,
		  struct acg_bench_run **ret);

void acg_bench_run_free(struct acg_bench_run *r);

/*
 * A session's status: "completed", "killed" (by a signal: oom or timeout; for a command
 * session also a command that failed after the kernel OOM-killed one of its processes, as
 * `make` does when its compiler is killed), "failed".
 */
const char *acg_bench_session_status(const struct acg_bench_session *s);

/* OOM kills the session's cgroup counted during the run (0 where unknown). */
uint64_t acg_bench_session_oom_kills(const struct acg_bench_session *s);

struct json_t;

/* The run as data (schema: docs/bench.md), without the per-sample arrays. */
struct json_t *acg_bench_run_json(const struct acg_bench_run *r);

/*
 * Write the run's files into dir: run.json, sessions/<name>.json (and .log), timeseries.csv,
 * decisions.jsonl. Each is a new file renamed into place, and dir and dir/sessions must be
 * real directories (acg_mkdir_here): nothing is written through a symlink the results
 * directory holds. 0 or -errno.
 */
int acg_bench_run_write(const struct acg_bench_run *r, const char *dir);

/* doc (indented) to a new file renamed into place at path (acg_newfile_open). 0 or -errno. */
int acg_bench_write_json(struct json_t *doc, const char *path);

/*
 * The summary of a bench (schema: docs/bench.md), computed only from the run documents
 * (acg_bench_run_json() output, as read back from run.json files): per strategy, sessions
 * completed and killed; per priority class, completion time and slowdown against the solo
 * runs (median and 95% CI over runs); HIGH growth latency; kernel events; ratios to
 * `none`. unavailable maps strategy names to the reason they could not run (may be NULL).
 */
struct json_t *acg_bench_summarize(struct json_t *runs, struct json_t *unavailable);

/*
 * Add to summary the simulation of the same scenario (sims: strategy name -> the
 * acg_sim_result_json() of its simulation) and, per strategy and session, the
 * simulation's error against the median of the real runs.
 */
void acg_bench_compare_sim(struct json_t *summary, struct json_t *runs, struct json_t *sims);

/*
 * Add the oracle (lib/model/oracle.h: the earliest all LOW sessions can be done with HIGH
 * unslowed and no kill; oracle_s -1: no such schedule, other values <= 0 or NAN: not
 * computed) and, per strategy, the median over
 * runs of when its LOW sessions were all done, and its ratio to the oracle.
 */
void acg_bench_add_oracle(struct json_t *summary, struct json_t *runs, double oracle_s, bool exact);

/*
 * The scenario cannot be simulated nor its oracle computed (acg_scenario_unmodelled()):
 * say why, as "simulation_unavailable" and the oracle's "status": "unavailable" and
 * "reason" (call after acg_bench_add_oracle()).
 */
void acg_bench_mark_unmodelled(struct json_t *summary, const char *why);

/*
 * Add, per strategy other than none and solo, a Mann-Whitney U test of its HIGH and LOW
 * completion times (per run and session) against none's: "vs_none_p": {high, low}.
 */
void acg_bench_add_significance(struct json_t *summary, struct json_t *runs);

/* The summary as a Markdown document. */
int acg_bench_summary_md(struct json_t *summary, FILE *f);

/*
 * Is doc a run document the summary can be computed from (acg_bench_run_json()'s shape,
 * as read back from a run.json nobody vouches for)? An object with strategy (1..64 of
 * [A-Za-z0-9_.-], not starting with '.': it names files), run (an integer >= 1),
 * budget_bytes (an integer >= 0) and sessions: objects, each with name (a string),
 * priority ("high" or "low"), status ("completed", "killed" or "failed"), and, when
 * present, killed_by (a string or null), completion_s and ended_at_s (a number or null).
 * Returns 0, or -EINVAL with d (may be NULL) naming the key and the problem
 * ("sessions[1].status: missing (completed, killed or failed)").
 */
int acg_bench_run_check(const struct json_t *doc, struct acg_diag *d);

/*
 * Copy into summary what only the bench could compute and a report carries over from the
 * bench's own summary.json (old, may be NULL): simulation, simulation_vs_real, oracle and
 * warm, as data (the Markdown tolerates any shape of them).
 */
void acg_bench_carry_over(struct json_t *summary, struct json_t *old);

#endif
