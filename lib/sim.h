/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim.h: the scenario in simulated time: no memory is touched, hours of traces take
 * seconds. The live controller's own code observes (acg_pol_observe) and decides
 * (acg_policy_decide); the kernel's part is modelled as follows, at a fixed step (10 ms of
 * simulated time):
 *
 *   - a session advances along its timeline (speed x step) when its next size fits both
 *     its own limit (static: budget/N; dynamic: its clamp while held) and the budget
 *     left by the others; shrinking always fits; growing takes time (ACG_SIM_GROW_BPS):
 *     a large step is reached over several steps, the timeline waiting for it;
 *   - when it does not fit its clamp, it waits (the v1 hold with oom_kill_disable, or
 *     v2 memory.high throttling, idealised as a full stop): its timeline is delayed;
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
/* how fast a session can grow: the replay's measured growth (bench/results/replay.json) */
#define ACG_SIM_GROW_BPS (4096.0 * 1024 * 1024)

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
	double work_lost_s; /* the work the killed sessions lost, seconds (sum) */
};

/*
 * Simulate sessions idx[0..n) of sc (n <= 256) under strategy ("none", "static" or
 * "dynamic"; NULL: each session alone, unlimited). Returns 0, -EINVAL for another
 * strategy, or -ENOMEM.
 */
int acg_sim_run(const struct acg_scenario *sc, const size_t *idx, size_t n, const char *strategy,
		const struct acg_pol_cfg *cfg, struct acg_sim_result *ret);

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
