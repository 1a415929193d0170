/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim.h: the scenario in simulated time: no memory is touched, hours of traces take
 * seconds. The live controller's own code observes (acg_pol_observe) and decides
 * (acg_policy_decide); the kernel's part is modelled as follows, at a fixed step (10 ms of
 * simulated time):
 *
 *   - a session's timeline runs as the replay's does (lib/workload/replay.c): sample j is due at
 *     t_j / speed plus the session's shift; at its due time the session shrinks at once
 *     or grows toward its size, at most at the growth rate (the scenario's grow_bps,
 *     default ACG_SIM_GROW_BPS, and its share of the host-wide host_grow_bps, default
 *     ACG_SIM_HOST_GROW_BPS, among the sessions growing at once: equal under none and
 *     static, HIGH first under dynamic (LOW runs SCHED_IDLE); solo runs each alone);
 *     a growth still running when the next sample is due moves the rest of the timeline
 *     by the overrun (the shift); every sample is applied, within a step too, so a short
 *     spike costs its page faults as it does for real (docs/simulate.md);
 *   - growth fits when it stays within its own limit (static: budget/N; dynamic: its
 *     clamp while held) and the budget left by the others;
 *   - when it does not fit its clamp, it waits (the v1 hold with oom_kill_disable, or
 *     v2 memory.high throttling, idealised as a full stop): its timeline moves by the
 *     wait, less what is left of the gap to its next sample (as the replay's does);
 *   - when it does not fit a hard limit (static's per-session limit, or the budget under
 *     none/static), the kernel's OOM killer kills: the session itself for its own limit,
 *     the largest session in the budget for the parent's;
 *   - under dynamic, a session that does not fit the budget waits (v1 semantics: the
 *     parent's OOM killer is disabled) and the policy kills if it must;
 *   - under dynamic, a session's declared peak (the scenario's peak_mb) is the policy's
 *     expected_peak for it, as run --peak-mb's would be the daemon's; a LOW session the
 *     policy holds at its start (admission) advances only while its timeline stays within
 *     its first size, so in effect its timeline starts when it is given room, as live,
 *     where its process runs but cannot grow past its baseline.
 * The model has no page cache and no reclaim cost: it answers
 * capacity questions (will it fit, who waits, for how long), not latency ones.
 */
#ifndef AGENTCG_SIM_H
#define AGENTCG_SIM_H

#include "policy.h"
#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACG_SIM_STEP_S 0.01
/*
 * How fast one session can grow by default: the replay's populate rate measured on the
 * bench host (bench/results/<scenario>/runs/<k>/solo-<name>: bytes grown over the summed
 * latency of their 4 MiB chunks, 21075 chunks: 2938 MiB/s; docs/simulate.md).
 */
#define ACG_SIM_GROW_BPS (2938.0 * 1024 * 1024)

/*
 * How fast all the sessions growing at once can grow together by default: the bench host's
 * 2 CPUs, each populating at ACG_SIM_GROW_BPS (a replay grows on one thread). Three
 * sessions growing at once on it get two thirds of the rate each.
 */
#define ACG_SIM_HOST_GROW_BPS (2 * ACG_SIM_GROW_BPS)

/* The growth rates simulated for sc: its grow_bps and host_grow_bps, or the defaults. */
double acg_sim_grow_bps(const struct acg_scenario *sc);
double acg_sim_host_grow_bps(const struct acg_scenario *sc);

struct acg_sim_session {
	const struct acg_scn_session *spec;
	bool killed;
	double killed_at_s;
	double completion_s; /* simulated; meaningful when completed */
	bool completed;
	bool timed_out;	 /* still running at the bench's timeout for the scenario */
	double waited_s; /* time spent waiting to grow */
	double progress; /* fraction of its timeline done */
	uint64_t peak;
	/* killed: the work it loses, the solo time it had done (its timeline position at the
	 * scenario's speed), seconds; 0 unless killed */
	double work_lost_s;
};

struct acg_sim_result {
	const char *strategy;
	struct acg_sim_session *s;
	size_t n;
	double end_s;
	uint64_t peak_total; /* the most all sessions held at once */
	unsigned long decisions;
	double speed;	    /* the scenario's */
	size_t killed;	    /* sessions killed */
	size_t swapped_out; /* swap-outs the policy made (instead of kills) */
	double work_lost_s; /* the work the killed sessions lost, seconds (sum) */
};

/*
 * Simulate sessions idx[0..n) of sc (n <= 256) under strategy ("none", "static" or
 * "dynamic"; NULL: each session alone, unlimited). Returns 0, -EINVAL for another
 * strategy, or -ENOMEM.
 */
int acg_sim_run(const struct acg_scenario *sc, const size_t *idx, size_t n, const char *strategy,
		const struct acg_pol_cfg *cfg, struct acg_sim_result *ret);

/*
 * Called for every action the policy takes under dynamic, at simulated time now, with the
 * state it decided on (the session is idx[a->session] of the scenario).
 */
typedef void (*acg_sim_action_fn)(void *arg, double now, const struct acg_pol_state *st,
				  const struct acg_action *a);

/* acg_sim_run, telling fn (unless NULL) of each action. */
int acg_sim_run_watched(const struct acg_scenario *sc, const size_t *idx, size_t n,
			const char *strategy, const struct acg_pol_cfg *cfg,
			struct acg_sim_result *ret, acg_sim_action_fn fn, void *arg);

void acg_sim_result_free(struct acg_sim_result *r);

/*
 * The model's look at session i at st->now under dynamic, each step before the policy
 * decides: a finished session is gone (as a vanished cgroup is to the controller); else its
 * usage, and waiting when its clamp stopped it on the last step, go through the estimator
 * the live controller uses (acg_pol_observe), into st.
 */
void acg_sim_observe(const struct acg_pol_cfg *cfg, struct acg_pol_state *st, size_t i,
		     struct acg_pol_reading *base, uint64_t usage, bool waiting, bool done);

struct json_t;

/* {strategy, end_s, peak_total_bytes, decisions, killed, work_lost_s, sessions: [{name,
 * priority, status, completion_s, killed_at_s, waited_s, progress, peak_bytes,
 * work_lost_s}]} */
struct json_t *acg_sim_result_json(const struct acg_sim_result *r);

#endif
