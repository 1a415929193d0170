/* SPDX-License-Identifier: GPL-2.0 */
/*
 * controller_int.h: the live controller's insides, shared by its files and no one else.
 * The controller is read -> observe -> decide -> apply, split by concern:
 *   controller.c          life cycle (new, setup, add, remove, restore) and the tick
 *   controller_observe.c  cgroup files and BPF signals -> the estimator (acg_pol_observe)
 *   controller_apply.c    the policy's actions onto cgroup v1 and v2 (controller.h's table)
 *   controller_wakeup.c   the kernel's wake-ups: usage threshold, a cgroup at its limit
 *   controller_tasks.c    LOW tasks' nice, scheduling policy and oom_score_adj, and back
 *   controller_rescue.c   v1 only: lost OOM wake-ups, and the OOM killer back when stuck
 *   controller_log.c      the decision log, one JSON line per action
 */
#ifndef AGENTCG_CONTROLLER_INT_H
#define AGENTCG_CONTROLLER_INT_H

#include "bpf_signals.h"
#include "controller.h"

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* what the controller changed in a LOW task, to give it back */
enum niced_kind { NICED_NICE, NICED_OOM, NICED_SCHED };
struct niced {
	size_t session;
	pid_t tid;
	int nice; /* its own value (nice, oom_score_adj or policy), restored at the end */
	enum niced_kind kind;
};

struct acg_controller {
	struct acg_cg *parent;
	struct acg_cg **cg; /* each session's cgroup (borrowed; the array is ours) */
	const char **names; /* each session's name (borrowed; the array is ours) */
	size_t n, cap;	    /* sessions, and room for them in every per-session array */
	bool set_up;	    /* setup() done: a session added is set up as it comes */
	int version;
	struct acg_pol_cfg cfg;
	struct acg_pol_state st;
	struct acg_pol_session *s;
	struct acg_pol_reading *base; /* each session's reading its rate is measured from */
	uint64_t *last_high;	      /* each session's memory.events high at the last look (v2) */
	/* kernel wake-ups' fds: [0] the parent's usage crossing budget - need (v1), [1] the
	 * parent at its limit, [2 + i] session i at its clamp; -1 when the host has none */
	int *wfd;
	/* every fd of wfd is in this epoll set (-1: none, the period alone drives the ticks):
	 * a caller polls one fd whatever the number of sessions (with 1000 sessions a poll of
	 * 900 fds every tick was a sixth of the controller's time) */
	int epfd;
	struct pollfd wake;		/* what acg_controller_pollfds hands out: epfd */
	uint64_t armed;			/* the threshold wfd[0] is armed at */
	struct acg_signals *sig;	/* BPF signals (borrowed), or NULL */
	uint64_t *cgid;			/* each session's cgroup2 id, 0 when unknown */
	struct acg_sig_stats *last_sig; /* each session's counters at the last look */
	double next_rescue;		/* v1: when to look for tasks asleep with no OOM */
	double next_swap;		/* v2: when to read the swap the sessions may use again */
	double next_renice;		/* when to look for new LOW threads */
	size_t renice_next;		/* the session the next look starts at (round robin) */
	size_t rescue_next;		/* the same, for the v1 OOM-wait rescue */
	struct niced *niced;
	size_t n_niced, cap_niced;
	acg_decision_log_fn log;
	void *log_arg;
	uint64_t last_oom; /* the parent's memory.events oom at the last look (v2) */
	bool have_oom;
	double stuck_since; /* v1: when the parent was first seen under OOM, 0 if it is not */
	bool oom_open;	    /* v1: the parent's OOM killer is on because it was stuck */
	struct acg_controller_stats stats;
	double tick_s[ACG_TICK_WINDOW]; /* the last ticks' durations, a ring (stats.ticks) */
};

/* controller_observe.c: read the parent's and every session's files (and the BPF signals)
 * at now and take them through the estimator into c->st */
void ctl_observe(struct acg_controller *c, double now);

/* controller_wakeup.c: wake-ups (wfd slots: 0 usage threshold, 1 the parent at its limit,
 * 2 + i session i at its clamp) */
void ctl_watch(struct acg_controller *c, size_t k, struct acg_cg *cg);
void ctl_consume_wakeups(struct acg_controller *c);
void ctl_arm_usage(struct acg_controller *c);

/* controller_apply.c: actuation */
int ctl_set_oom_pause(struct acg_controller *c, uint64_t on);
int ctl_set_clamp(struct acg_controller *c, size_t i, uint64_t value);
int ctl_apply(struct acg_controller *c, const struct acg_action *a);

/* controller_tasks.c: LOW tasks' CPU and OOM-killer treatment */
int ctl_add_niced(struct acg_controller *c, size_t session, pid_t tid, int nice,
		  enum niced_kind kind);
void ctl_renice_low(struct acg_controller *c, double now);
void ctl_unrenice(struct acg_controller *c);

/* controller_rescue.c: v1's safety nets */
void ctl_rescue(struct acg_controller *c, double now);
void ctl_fail_open(struct acg_controller *c, double now);

/* controller_log.c: the decision log */
void ctl_log_action(struct acg_controller *c, const struct acg_action *a, int r, double apply_s);
void ctl_log_tree(struct acg_controller *c, const char *action, const char *reason);
void ctl_log_victim(struct acg_controller *c, size_t i, unsigned long long n);

#endif
