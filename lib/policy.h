/* SPDX-License-Identifier: GPL-2.0 */
/*
 * policy.h: the priority policy, a pure function from an observed state to actions. The
 * same code drives the live controller (bench `dynamic`, the daemon) and the simulator.
 *
 * The model. Sessions share a budget B; the host reports total usage U, so the headroom
 * is h = B - U. HIGH sessions are never slowed. The policy keeps a reserve for them: R =
 * reserve + what HIGH's recent growth rate would add over the horizon + what HIGH gave
 * back within the peak window (it may burst again). When h < R, every
 * LOW session is held at its current size (it can free memory, it cannot grow): on v1
 * its limit is clamped with the OOM killer disabled, so its allocating task waits; on v2
 * its memory.high is clamped, and a session that still creeps past its clamp is frozen.
 * When h > R + hysteresis, the room above R is handed back to the held sessions, split
 * evenly, and once HIGH has been quiet for `quiet_s` they are released entirely. A kill
 * happens only when every LOW session is held and the parent is still at its limit (its
 * tasks wait there on v1; on v2 its memory.events max grows): then the lowest-priority, largest,
 * most recently started session goes, one at a time, `kill_cooldown_s` apart.
 *
 * Worked example: B = 1000 MiB, reserve 100 MiB, HIGH grows at 500 MiB/s, horizon 0.1 s:
 * R = 150 MiB. U = 900 MiB gives h = 100 < 150: both LOW sessions are held at their usage.
 * HIGH then shrinks to U = 600: h = 400 > R + hysteresis (150 + 50), so each LOW gets
 * (400 - 150 - 25) / 2 = 112 MiB more room; after 0.5 s without HIGH growth they are
 * released.
 */
#ifndef AGENTCG_POLICY_H
#define AGENTCG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct acg_pol_cfg {
	uint64_t reserve;      /* headroom always kept for HIGH, bytes */
	uint64_t hysteresis;   /* extra headroom needed before handing room back */
	double horizon_s;      /* HIGH's growth rate times this is added to the reserve */
	double quiet_s;	       /* HIGH not growing this long: release held sessions fully */
	double peak_window_s;  /* HIGH may return to its peak of this long ago: room for it */
	uint64_t freeze_slack; /* v2: a held session this far above its clamp is frozen */
	double kill_cooldown_s;
	bool can_freeze; /* the host has a freezer for sessions */
};

/* Defaults for a budget: reserve 5% (at least 32 MiB), hysteresis half of it, ... */
void acg_pol_cfg_default(struct acg_pol_cfg *c, uint64_t budget);

struct acg_pol_session {
	int prio;  /* 0 = HIGH, larger = less important */
	bool gone; /* its cgroup vanished: ignored */
	uint64_t usage;
	double rate;	      /* bytes per second, recent (negative when shrinking) */
	uint64_t recent_peak; /* HIGH: its largest usage within the peak window */
	double started_at;
	/* what is applied now (the actuators report it back) */
	bool held;
	uint64_t clamp; /* when held */
	bool frozen;
};

struct acg_pol_state {
	double now;
	uint64_t budget;
	uint64_t usage;		 /* the parent's */
	bool parent_waiting;	 /* the parent is at its limit: v1 under_oom (its tasks wait),
				  * v2 memory.events max grew since the last look */
	double high_last_growth; /* when a HIGH session last grew */
	double last_kill;	 /* when the policy last killed (or -inf) */
	struct acg_pol_session *s;
	size_t n;
};

enum acg_act_kind {
	ACG_ACT_HOLD,	 /* clamp at value (its usage) */
	ACG_ACT_RAISE,	 /* raise the clamp to value */
	ACG_ACT_RELEASE, /* remove the clamp */
	ACG_ACT_FREEZE,
	ACG_ACT_THAW,
	ACG_ACT_KILL,
};

const char *acg_act_name(enum acg_act_kind k);

struct acg_action {
	size_t session;
	enum acg_act_kind kind;
	uint64_t value;
	char reason[128];
};

/*
 * Keep s->recent_peak: the largest usage seen within window seconds (roughly: a peak is
 * forgotten window seconds after it was seen). *peak_t is the caller's memory of when.
 */
void acg_pol_track_peak(struct acg_pol_session *s, uint64_t usage, double now, double window,
			double *peak_t);

/*
 * Decide. Writes at most max actions to out and returns how many (0: nothing to change).
 * Pure: reads only its arguments.
 */
size_t acg_policy_decide(const struct acg_pol_cfg *cfg, const struct acg_pol_state *st,
			 struct acg_action *out, size_t max);

#endif
