/* SPDX-License-Identifier: GPL-2.0 */
/*
 * controller.h: the live priority controller. It observes a set of session cgroups
 * under one parent (the budget), runs the policy (policy.h) and applies its actions with
 * each cgroup version's own mechanisms:
 *
 *   action   cgroup v2                       cgroup v1
 *   hold     memory.high = usage + slack     memory.limit_in_bytes = usage + slack, with
 *                                            oom_kill_disable=1: the allocating task waits
 *   raise    memory.high = value             memory.limit_in_bytes = value
 *   release  memory.high = max               memory.limit_in_bytes = unlimited
 *   freeze   cgroup.freeze                   freezer.state (v1 holds are hard: not used)
 *   kill     cgroup.kill                     SIGKILL to every task
 *
 * At setup HIGH sessions get memory.low = budget (v2), and on v1 the parent and every LOW
 * session get oom_kill_disable=1, so the kernel never picks a victim: the policy does.
 * LOW sessions' threads are reniced to cfg.low_nice and put on SCHED_IDLE as they appear
 * (HIGH first on the CPU too: growing memory is page zeroing, CPU work), their own nice and
 * policy restored by restore().
 * restore() undoes every clamp, thaw and OOM setting, so nothing stays held after the
 * controller stops. Every decision is logged as one JSON line with its reason.
 */
#ifndef AGENTCG_CONTROLLER_H
#define AGENTCG_CONTROLLER_H

#include "cgroup.h"
#include "diag.h"
#include "policy.h"

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct acg_controller;

/* Called with each decision as a JSON object on one line (no newline). */
typedef void (*acg_decision_log_fn)(void *arg, const char *line);

/*
 * Take charge of sessions[0..n) (with priorities prio[] and names) under
 * parent, sharing budget. The cgroups stay owned by the caller and must outlive it.
 */
int acg_controller_new(struct acg_cg *parent, struct acg_cg **sessions, const enum acg_prio *prio,
		       const char *const *names, size_t n, uint64_t budget,
		       const struct acg_pol_cfg *cfg, acg_decision_log_fn log, void *log_arg,
		       struct acg_controller **ret);

/* Set the static part (OOM handling, HIGH protection). 0 or -errno; d (may be NULL) says
 * which control could not be set and why. */
int acg_controller_setup(struct acg_controller *c, struct acg_diag *d);

/*
 * Sessions come and go under a daemon. Add one (its cgroup and name borrowed: they must
 * outlive it in c): the kernel's word is taken for what is applied to it now (a clamp or
 * a freeze a daemon before this one left), and, once setup() was done, it is set up as
 * setup() sets every session. Remove session i (one that is gone, or released first:
 * nothing of it is undone): the sessions after it move down one index. Everything the
 * controller learnt of the others stays. 0 or -errno (d says which step failed).
 */
int acg_controller_add(struct acg_controller *c, struct acg_cg *cg, enum acg_prio prio,
		       const char *name, struct acg_diag *d);
void acg_controller_remove(struct acg_controller *c, size_t i);

/*
 * Session i's work is over (its cgroup may stay): the policy counts it no more, as if it
 * were gone (a HIGH session that ended holds no LOW one back).
 */
void acg_controller_ended(struct acg_controller *c, size_t i);

/*
 * The kernel's wake-ups to poll for between ticks: on v1 the parent's usage crossing where
 * the policy would hold next (re-armed every tick), and the parent or a LOW session
 * starting to wait at its limit; on v2 memory.events changes of those. A caller polls them
 * (with its own fds) for at most its period and ticks early when one fires; the tick takes
 * the events. Entries with fd -1 are unused. Valid until the next tick.
 */
size_t acg_controller_pollfds(struct acg_controller *c, struct pollfd **ret);

/*
 * Read the BPF signals (lib/kernel/bpf_signals.h; borrowed, must outlive c) each tick: a HIGH
 * session in memcg reclaim is at the budget (the policy holds every LOW at once), HIGH's
 * page faults count as activity, a held session in reclaim waits at its clamp, and an OOM
 * victim is logged with its session. Without them, files alone are read.
 */
struct acg_signals;
void acg_controller_use_signals(struct acg_controller *c, struct acg_signals *sig);

/* Observe, decide, act. now: seconds on any monotonic clock. Returns actions applied. */
int acg_controller_tick(struct acg_controller *c, double now);

/* Release every clamp and thaw; undo the OOM settings. Vanished cgroups are skipped. */
int acg_controller_restore(struct acg_controller *c);

/*
 * After a controller that died: its records of LOW tasks' own nice, policy and oom_score_adj
 * died with it, so LOW threads at exactly cfg.low_nice get nice 0, LOW threads on SCHED_IDLE
 * get SCHED_OTHER, and LOW processes at exactly the LOW oom_score_adj get 0 (the defaults; a task that had other values of its own
 * gets the defaults too).
 */
void acg_controller_reset_tasks(struct acg_controller *c);

/*
 * Session i's declared peak, bytes (run --peak-mb, read from its cgroup; 0: none): the
 * policy's expected_peak for it (policy.h), kept until declared again.
 */
void acg_controller_declare(struct acg_controller *c, size_t i, uint64_t peak);

/*
 * Session i ran before this controller saw it (it was there when the daemon started): the
 * policy takes it as under way, not as one arriving to wait at its start (policy.h adopted).
 */
void acg_controller_adopt(struct acg_controller *c, size_t i);

/* The state the policy read at the last tick (valid until the next tick or the free). */
const struct acg_pol_state *acg_controller_state(const struct acg_controller *c);

/* The headroom the policy keeps for HIGH in the controller's last observed state, bytes
 * (acg_policy_need with the controller's own configuration). */
double acg_controller_need(const struct acg_controller *c);

/* Counters for reports. */
struct acg_controller_stats {
	unsigned long ticks, holds, raises, releases, freezes, thaws, kills, errors;
	unsigned long swapouts;	 /* held LOW sessions pushed out to swap instead of killed */
	unsigned long wakeups;	 /* kernel wake-ups that brought a tick forward */
	unsigned long stalls;	 /* ticks on which the BPF signals saw HIGH in reclaim */
	unsigned long victims;	 /* OOM victims the BPF signals reported */
	unsigned long rescues;	 /* v1: kicks for tasks asleep with no OOM (lost wake-ups) */
	unsigned long reniced;	 /* LOW threads given cfg.low_nice */
	unsigned long fail_open; /* v1: the parent stuck at its limit got its OOM killer back */
	double max_apply_s;	 /* longest time spent applying one tick's actions */
	/* how long a whole tick took (read, observe, decide, apply, the periodic walks),
	 * over the last ACG_TICK_WINDOW ticks, in seconds: median, p99, largest (0: none) */
	double tick_p50_s, tick_p99_s, tick_max_s;
	double tick_sum_s; /* every tick's duration, summed */
};
#define ACG_TICK_WINDOW 1024
void acg_controller_stats(const struct acg_controller *c, struct acg_controller_stats *ret);

void acg_controller_free(struct acg_controller *c);

#endif
