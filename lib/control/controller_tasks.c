// SPDX-License-Identifier: GPL-2.0
/* controller_tasks.c: LOW tasks' nice, scheduling policy and oom_score_adj, given and given back (controller_int.h). */
#include "controller_int.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

/* how often to look for new threads in LOW sessions */
#define RENICE_PERIOD_S 0.1
/* sessions looked at per look, beside the young ones: with more, each is looked at every
 * n / this periods (1000 sessions: every 6.25 s), so the looks cost no more however many
 * there are (at 64 a look they were, with 1000 sessions, half the controller's system
 * calls). A thread started in a session inherits its parent's nice and policy: the round
 * is for processes moved in from outside */
#define RENICE_BATCH 16
/* a session this young (since its first reading) is looked at in every look: its agent
 * arrives just after its cgroup is made */
#define RENICE_YOUNG_S 2.0
/* LOW processes' oom_score_adj: the kernel's OOM killer, where it acts, takes them first */
#define LOW_OOM_SCORE_ADJ 500

int ctl_add_niced(struct acg_controller *c, size_t session, pid_t tid, int nice,
		  enum niced_kind kind)
{
	if (c->n_niced == c->cap_niced) {
		size_t cap = c->cap_niced ? 2 * c->cap_niced : 64;
		struct niced *v = realloc(c->niced, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->niced = v;
		c->cap_niced = cap;
	}
	c->niced[c->n_niced++] = (struct niced){session, tid, nice, kind};
	return 0;
}

/*
 * The oom_score_adj of the task of procfd (its /proc directory), after setting it to *set
 * when given; INT_MIN on failure. Through the directory, never by id: it is that task's.
 */
static int oom_adj_at(int procfd, const int *set)
{
	char buf[16];

	if (set) {
		snprintf(buf, sizeof(buf), "%d", *set);
		return acg_write_at(procfd, "oom_score_adj", buf) == 0 ? *set : INT_MIN;
	}
	if (acg_read_buf_at(procfd, "oom_score_adj", buf, sizeof(buf)) <= 0)
		return INT_MIN;
	return (int)strtol(buf, NULL, 10);
}

/* The same by id: only to choose which tasks to pin (and act on through oom_adj_at()). */
static int oom_adj(pid_t pid)
{
	char path[64], buf[16];

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	if (acg_read_buf_at(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return INT_MIN;
	return (int)strtol(buf, NULL, 10);
}

/* The nice of thread id; INT_MIN when it cannot be read. */
static int nice_of(pid_t id)
{
	int v;

	errno = 0;
	v = getpriority(PRIO_PROCESS, (id_t)id);
	return v == -1 && errno ? INT_MIN : v;
}

static int cmp_tid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/*
 * Keep the ids of v[0..n) that pass keep(id, arg), in place; returns how many. The ids to
 * act on are chosen by id, then pinned (acg_cg_pin()) before anything is done to them.
 */
static size_t filter_ids(pid_t *v, size_t n, bool (*keep)(pid_t id, int arg), int arg)
{
	size_t w = 0;

	for (size_t k = 0; k < n; k++)
		if (keep(v[k], arg))
			v[w++] = v[k];
	return w;
}

static bool nicer_than(pid_t id, int nice)
{
	int v = nice_of(id);

	return v != INT_MIN && v < nice;
}

static bool nice_is(pid_t id, int nice)
{
	return nice_of(id) == nice;
}

static bool adj_below(pid_t id, int adj)
{
	int v = oom_adj(id);

	return v != INT_MIN && v < adj;
}

static bool adj_is(pid_t id, int adj)
{
	return oom_adj(id) == adj;
}

static bool on_normal_policy(int policy)
{
	return policy == SCHED_OTHER || policy == SCHED_BATCH;
}

/* a thread still to be given the LOW treatment: less nice than nice, or not idle yet */
static bool not_low_yet(pid_t id, int nice)
{
	return nicer_than(id, nice) || on_normal_policy(sched_getscheduler(id));
}

/* a thread that looks as a controller left it: at nice, or on the idle policy */
static bool looks_low(pid_t id, int nice)
{
	return nice_is(id, nice) || sched_getscheduler(id) == SCHED_IDLE;
}

/*
 * LOW sessions' threads, new since the last look, are reniced to cfg.low_nice (never
 * made nicer than they are) and moved to SCHED_IDLE, ten times a second (young sessions
 * at every look, the others RENICE_BATCH a look in turn); their threads' children
 * inherit both. Nice alone is not enough: with three sessions faulting memory on
 * two CPUs, a nice-19 thread that shares HIGH's CPU still gets picked now and then and
 * keeps it until the next tick (4 ms at HZ=250), so HIGH's 4 MiB steps took 5.4 ms
 * instead of 1.5; an idle-policy thread is preempted as soon as HIGH wants the CPU, and a
 * CPU running only such threads counts as idle when the kernel places HIGH.
 * Each thread is pinned first (acg_cg_pin(): still this session's task after its handles
 * were opened), and recorded only if still alive after the change, so the id was its own:
 * a recycled id outside the session is never reniced or left at 19 for good.
 */
/* One look at LOW session i's tasks: the new threads reniced and idled, the processes'
 * oom_score_adj raised. */
static void renice_session(struct acg_controller *c, size_t i)
{
	struct acg_task *t = NULL;
	pid_t *tids = NULL;
	size_t n = 0, w = 0, m = 0;

	if (acg_cg_tree_tids(c->cg[i], &tids, &n) < 0)
		return;
	if (n)
		qsort(tids, n, sizeof(*tids), cmp_tid);
	/* forget the threads that left: the record stays as small as the session */
	for (size_t k = 0; k < c->n_niced; k++)
		if (c->niced[k].session != i ||
		    (n && bsearch(&c->niced[k].tid, tids, n, sizeof(*tids), cmp_tid)))
			c->niced[w++] = c->niced[k];
	c->n_niced = w;
	/* already at it (ours, or its own): nothing to do, nothing to record */
	n = filter_ids(tids, n, not_low_yet, c->cfg.low_nice);
	if (n && acg_cg_tree_pin(c->cg[i], tids, n, &t, &m) == 0) {
		for (size_t k = 0; k < m; k++) {
			struct sched_param sp = {0};
			int was = nice_of(t[k].id), policy = sched_getscheduler(t[k].id);
			bool niced = was != INT_MIN && was < c->cfg.low_nice &&
				     setpriority(PRIO_PROCESS, (id_t)t[k].id, c->cfg.low_nice) == 0;
			bool idled = on_normal_policy(policy) &&
				     sched_setscheduler(t[k].id, SCHED_IDLE, &sp) == 0;

			if (!acg_task_alive(&t[k]))
				continue;
			if (niced && ctl_add_niced(c, i, t[k].id, was, NICED_NICE) == 0)
				c->stats.reniced++;
			if (idled)
				ctl_add_niced(c, i, t[k].id, policy, NICED_SCHED);
		}
		acg_tasks_free(t, m);
	}
	free(tids);
	/* its processes: the first to go if the kernel's OOM killer must act */
	if (acg_cg_tree_pids(c->cg[i], &tids, &n) < 0)
		return;
	n = filter_ids(tids, n, adj_below, LOW_OOM_SCORE_ADJ);
	if (n && acg_cg_tree_pin(c->cg[i], tids, n, &t, &m) == 0) {
		for (size_t k = 0; k < m; k++) {
			int was = oom_adj_at(t[k].procfd, NULL), adj = LOW_OOM_SCORE_ADJ;

			if (was != INT_MIN && was < adj && oom_adj_at(t[k].procfd, &adj) != INT_MIN)
				ctl_add_niced(c, i, t[k].id, was, NICED_OOM);
		}
		acg_tasks_free(t, m);
	}
	free(tids);
}

/* a session new since the controller started (not one it found there) and still young */
static bool young(const struct acg_controller *c, size_t i, double now)
{
	return !c->s[i].adopted && now - c->s[i].started_at < RENICE_YOUNG_S;
}

void ctl_renice_low(struct acg_controller *c, double now)
{
	if (!c->cfg.low_nice || now < c->next_renice)
		return;
	c->next_renice = now + RENICE_PERIOD_S;
	for (size_t i = 0; i < c->n; i++)
		if (!acg_prio_is_high(c->s[i].prio) && !c->s[i].gone && young(c, i, now))
			renice_session(c, i);
	for (size_t v = 0; v < c->n && v < RENICE_BATCH; v++) {
		size_t i = (c->renice_next + v) % c->n;

		if (!acg_prio_is_high(c->s[i].prio) && !c->s[i].gone && !young(c, i, now))
			renice_session(c, i);
	}
	if (c->n)
		c->renice_next = (c->renice_next + RENICE_BATCH) % c->n;
}

/* Give the threads still in their session their own nice, policy and oom_score_adj back. */
void ctl_unrenice(struct acg_controller *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct acg_task *t = NULL;
		pid_t *ids = NULL;
		size_t n = 0, m = 0;

		for (size_t k = 0; k < c->n_niced; k++) {
			pid_t *v;

			if (c->niced[k].session != i)
				continue;
			v = realloc(ids, (n + 1) * sizeof(*ids));
			if (!v)
				break;
			ids = v;
			ids[n++] = c->niced[k].tid;
		}
		/* only a task that is still there: its id may have been reused */
		if (n && acg_cg_tree_pin(c->cg[i], ids, n, &t, &m) == 0) {
			for (size_t k = 0; k < c->n_niced; k++) {
				if (c->niced[k].session != i)
					continue;
				for (size_t j = 0; j < m; j++) {
					struct sched_param sp = {0};

					if (t[j].id != c->niced[k].tid)
						continue;
					if (c->niced[k].kind == NICED_OOM)
						oom_adj_at(t[j].procfd, &c->niced[k].nice);
					else if (c->niced[k].kind == NICED_NICE)
						setpriority(PRIO_PROCESS, (id_t)t[j].id,
							    c->niced[k].nice);
					else if (sched_getscheduler(t[j].id) == SCHED_IDLE)
						sched_setscheduler(t[j].id, c->niced[k].nice, &sp);
				}
			}
			acg_tasks_free(t, m);
		}
		free(ids);
	}
	c->n_niced = 0;
}

void acg_controller_reset_tasks(struct acg_controller *c)
{
	int zero = 0;

	for (size_t i = 0; i < c->n; i++) {
		struct acg_task *t = NULL;
		pid_t *ids = NULL;
		size_t n = 0, m = 0;

		if (acg_prio_is_high(c->s[i].prio))
			continue;
		if (c->cfg.low_nice && acg_cg_tree_tids(c->cg[i], &ids, &n) == 0) {
			n = filter_ids(ids, n, looks_low, c->cfg.low_nice);
			if (n && acg_cg_tree_pin(c->cg[i], ids, n, &t, &m) == 0) {
				for (size_t k = 0; k < m; k++) {
					struct sched_param sp = {0};

					if (!acg_task_alive(&t[k]))
						continue;
					if (nice_of(t[k].id) == c->cfg.low_nice)
						setpriority(PRIO_PROCESS, (id_t)t[k].id, 0);
					if (sched_getscheduler(t[k].id) == SCHED_IDLE)
						sched_setscheduler(t[k].id, SCHED_OTHER, &sp);
				}
				acg_tasks_free(t, m);
			}
			free(ids);
		}
		if (acg_cg_tree_pids(c->cg[i], &ids, &n) == 0) {
			n = filter_ids(ids, n, adj_is, LOW_OOM_SCORE_ADJ);
			if (n && acg_cg_tree_pin(c->cg[i], ids, n, &t, &m) == 0) {
				for (size_t k = 0; k < m; k++)
					if (oom_adj_at(t[k].procfd, NULL) == LOW_OOM_SCORE_ADJ)
						oom_adj_at(t[k].procfd, &zero);
				acg_tasks_free(t, m);
			}
			free(ids);
		}
	}
}
