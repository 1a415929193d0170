// SPDX-License-Identifier: GPL-2.0
/*
 * controller.c: the live priority controller (see controller.h for the mapping of
 * actions onto cgroup v1 and v2).
 */
#include "controller.h"
#include "bpf_signals.h"
#include "clock.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* a clamp sits this far above usage so the write never needs reclaim to succeed */
#define SLACK (UINT64_C(2) << 20)
#define MAX_ACTIONS 64
/* the usage wake-up is moved only when where it should be moved this much */
#define ARM_STEP (UINT64_C(4) << 20)
/* how often to look for tasks that missed their wake-up in the v1 OOM wait */
#define RESCUE_PERIOD_S 1.0
/* how often to look for new threads in LOW sessions */
#define RENICE_PERIOD_S 0.1
/* LOW processes' oom_score_adj: the kernel's OOM killer, where it acts, takes them first */
#define LOW_OOM_SCORE_ADJ 500
/* v1: the parent waiting at its limit this long, with the policy unable to make room, gets
 * the kernel's OOM killer back (HIGH alone over the budget must not wait for good) */
#define STUCK_S 1.0

struct acg_controller {
	struct acg_cg *parent;
	struct acg_cg **cg;
	const char *const *names;
	size_t n;
	int version;
	struct acg_pol_cfg cfg;
	struct acg_pol_state st;
	struct acg_pol_session *s;
	struct acg_pol_reading *base; /* each session's reading its rate is measured from */
	uint64_t *last_high;	      /* each session's memory.events high at the last look (v2) */
	/* kernel wake-ups: [0] the parent's usage crossing budget - need (v1), [1] the parent
	 * at its limit, [2 + i] session i at its clamp; fd -1 when the host has none */
	struct pollfd *pfd;
	uint64_t armed;			/* the threshold pfd[0] is armed at */
	struct acg_signals *sig;	/* BPF signals (borrowed), or NULL */
	uint64_t *cgid;			/* each session's cgroup2 id, 0 when unknown */
	struct acg_sig_stats *last_sig; /* each session's counters at the last look */
	double next_rescue;		/* v1: when to look for tasks asleep with no OOM */
	double next_renice;		/* when to look for new LOW threads */
	struct niced {
		size_t session;
		pid_t tid;
		int nice; /* its own value (nice, oom_score_adj or policy), restored at the end */
		enum niced_kind { NICED_NICE, NICED_OOM, NICED_SCHED } kind;
	} * niced;
	size_t n_niced, cap_niced;
	acg_decision_log_fn log;
	void *log_arg;
	uint64_t last_oom; /* the parent's memory.events oom at the last look (v2) */
	bool have_oom;
	double stuck_since; /* v1: when the parent was first seen under OOM, 0 if it is not */
	bool oom_open;	    /* v1: the parent's OOM killer is on because it was stuck */
	struct acg_controller_stats stats;
};

int acg_controller_new(struct acg_cg *parent, struct acg_cg **sessions, const enum acg_prio *prio,
		       const char *const *names, size_t n, uint64_t budget,
		       const struct acg_pol_cfg *cfg, acg_decision_log_fn log, void *log_arg,
		       struct acg_controller **ret)
{
	struct acg_controller *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->s = calloc(n ? n : 1, sizeof(*c->s));
	c->base = calloc(n ? n : 1, sizeof(*c->base));
	c->last_high = calloc(n ? n : 1, sizeof(*c->last_high));
	c->pfd = calloc(n + 2, sizeof(*c->pfd));
	if (!c->s || !c->base || !c->last_high || !c->pfd) {
		acg_controller_free(c);
		return -ENOMEM;
	}
	c->parent = parent;
	c->cg = sessions;
	c->names = names;
	c->n = n;
	c->version = acg_cg_version(parent);
	c->cfg = *cfg;
	c->cfg.can_freeze = c->cfg.can_freeze && c->version == 2;
	/* v2: a LOW session can overrun its clamp and the kernel's OOM killer cannot be
	 * paused: no room is handed out while HIGH is in a burst, and HIGH's room for a
	 * return to its peak fades over 2 s, not 0.5 (policy.h) */
	if (c->version == 2 && isinf(c->cfg.grant_high_rate))
		c->cfg.grant_high_rate = 256.0 * 1024 * 1024;
	if (c->version == 2 && c->cfg.claim_decay_s < 2.0)
		c->cfg.claim_decay_s = 2.0;
	/* v2: a held session's tasks loop in reclaim at memory.high; after this long waiting
	 * there it is frozen instead (policy.h). v1's hold is a sleep: never */
	if (c->version == 2 && isinf(c->cfg.wait_freeze_s))
		c->cfg.wait_freeze_s = ACG_POL_WAIT_FREEZE_S;
	c->log = log;
	c->log_arg = log_arg;
	for (size_t i = 0; i < n; i++) {
		c->s[i].prio = prio[i];
		c->base[i].t = NAN;
	}
	for (size_t i = 0; i < n + 2; i++)
		c->pfd[i].fd = -1;
	c->st = (struct acg_pol_state){.budget = budget,
				       .high_last_growth = -INFINITY,
				       .last_kill = -INFINITY,
				       .s = c->s,
				       .n = n};
	*ret = c;
	return 0;
}

void acg_controller_declare(struct acg_controller *c, size_t i, uint64_t peak)
{
	if (i < c->n)
		c->s[i].expected_peak = peak;
}

void acg_controller_free(struct acg_controller *c)
{
	if (!c)
		return;
	free(c->s);
	free(c->base);
	free(c->last_high);
	free(c->cgid);
	free(c->last_sig);
	free(c->niced);
	for (size_t i = 0; c->pfd && i < c->n + 2; i++)
		if (c->pfd[i].fd >= 0)
			close(c->pfd[i].fd);
	free(c->pfd);
	free(c);
}

const struct acg_pol_state *acg_controller_state(const struct acg_controller *c)
{
	return &c->st;
}

void acg_controller_stats(const struct acg_controller *c, struct acg_controller_stats *ret)
{
	*ret = c->stats;
}

static void watch(struct acg_controller *c, size_t k, struct acg_cg *cg);

static int add_niced(struct acg_controller *c, size_t session, pid_t tid, int nice,
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
 * OOM kill disabled where the kernel would otherwise choose the victim (v1). Every cgroup
 * is tried; the first real error is returned (a vanished session is not one).
 */
static int set_oom_pause(struct acg_controller *c, uint64_t on)
{
	int first = 0, r;

	if (c->version != 1)
		return 0;
	for (size_t i = 0; i < c->n; i++) {
		if (acg_prio_is_high(c->s[i].prio))
			continue;
		r = acg_cg_set(c->cg[i], ACG_CTL_OOM_PAUSE, on);
		if (r < 0 && r != -ENOENT && !first)
			first = r;
	}
	r = acg_cg_set(c->parent, ACG_CTL_OOM_PAUSE, on);
	if (r < 0 && r != -ENOENT && !first)
		first = r;
	return first;
}

int acg_controller_setup(struct acg_controller *c, const char **what)
{
	int r;

	*what = "oom_kill_disable on the parent and LOW sessions";
	r = set_oom_pause(c, 1);
	if (r < 0)
		return r;
	*what = "memory.low of HIGH sessions";
	for (size_t i = 0; i < c->n && c->version == 2; i++)
		if (acg_prio_is_high(c->s[i].prio) &&
		    (r = acg_cg_set(c->cg[i], ACG_CTL_LOW, c->st.budget)) < 0 && r != -ENOENT)
			return r;
	/* v2: where the kernel's OOM killer acts, it takes a whole session, as the policy
	 * would, not one process out of it (a vanished session is no error) */
	*what = "memory.oom.group of the sessions";
	for (size_t i = 0; i < c->n && c->version == 2; i++)
		if ((r = acg_cg_set(c->cg[i], ACG_CTL_OOM_GROUP, 1)) < 0 && r != -ENOENT)
			return r;
	/* wake-ups are an optimisation: without them the period alone drives the ticks */
	watch(c, 1, c->parent);
	for (size_t i = 0; i < c->n; i++)
		if (!acg_prio_is_high(c->s[i].prio))
			watch(c, 2 + i, c->cg[i]);
	return 0;
}

size_t acg_controller_pollfds(struct acg_controller *c, struct pollfd **ret)
{
	*ret = c->pfd;
	return c->n + 2;
}

void acg_controller_carry(struct acg_controller *to, const struct acg_controller *from,
			  const size_t *from_index)
{
	to->st.high_last_growth = from->st.high_last_growth;
	to->st.last_kill = from->st.last_kill;
	to->last_oom = from->last_oom;
	to->have_oom = from->have_oom;
	to->stuck_since = from->stuck_since;
	to->next_rescue = from->next_rescue;
	/* the threads reniced in sessions that are still there stay on record */
	for (size_t k = 0; k < from->n_niced; k++)
		for (size_t i = 0; i < to->n; i++)
			if (from_index[i] == from->niced[k].session &&
			    add_niced(to, i, from->niced[k].tid, from->niced[k].nice,
				      from->niced[k].kind) < 0)
				break;
	for (size_t i = 0; i < to->n; i++) {
		for (size_t j = 0; j < from->n; j++) {
			if (from_index[i] != j)
				continue;
			to->s[i].rate = from->s[j].rate;
			to->s[i].recent_peak = from->s[j].recent_peak;
			to->s[i].peak_t = from->s[j].peak_t;
			to->s[i].started_at = from->s[j].started_at;
			to->last_high[i] = from->last_high[j];
			to->s[i].in_wait = from->s[j].in_wait;
			to->s[i].wait_since = from->s[j].wait_since;
			to->s[i].wait_clamp = from->s[j].wait_clamp;
			to->base[i] = from->base[j];
			break;
		}
	}
}

void acg_controller_adopt(struct acg_controller *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct acg_pol_session *s = &c->s[i];
		uint64_t clamp;
		bool frozen = false;

		if (acg_prio_is_high(c->s[i].prio))
			continue;
		if (acg_cg_get(c->cg[i], c->version == 2 ? ACG_CTL_HIGH : ACG_CTL_MAX, &clamp) <
		    0) {
			s->gone = true;
			continue;
		}
		s->held = clamp != ACG_UNLIMITED;
		s->clamp = s->held ? clamp : 0;
		if (acg_cg_has_freezer(c->cg[i]) && acg_cg_frozen(c->cg[i], &frozen) == 0)
			s->frozen = frozen;
	}
}

void acg_controller_use_signals(struct acg_controller *c, struct acg_signals *sig)
{
	c->cgid = calloc(c->n ? c->n : 1, sizeof(*c->cgid));
	c->last_sig = calloc(c->n ? c->n : 1, sizeof(*c->last_sig));
	if (!c->cgid || !c->last_sig || !sig) {
		free(c->cgid);
		free(c->last_sig);
		c->cgid = NULL;
		c->last_sig = NULL;
		return;
	}
	c->sig = sig;
	for (size_t i = 0; i < c->n; i++)
		if (acg_cg_v2_id(c->cg[i], &c->cgid[i]) == 0)
			acg_signals_read(sig, c->cgid[i], &c->last_sig[i]);
}

static void log_victim(struct acg_controller *c, size_t i, unsigned long long n);

/* What the BPF signals saw of session i since the last look, into o. */
static void observe_signals(struct acg_controller *c, size_t i, struct acg_pol_obs *o)
{
	struct acg_sig_stats now_sig, *was = &c->last_sig[i];

	if (!c->sig || !c->cgid[i] || acg_signals_read(c->sig, c->cgid[i], &now_sig) < 0)
		return;
	o->reclaim = now_sig.reclaims > was->reclaims || now_sig.reclaim_ns > was->reclaim_ns;
	/* a MiB of first touches: it is allocating */
	o->faults = now_sig.faults >= was->faults + 256;
	c->stats.stalls += acg_prio_is_high(c->s[i].prio) && o->reclaim;
	if (now_sig.oom_victims > was->oom_victims)
		log_victim(c, i, now_sig.oom_victims - was->oom_victims);
	*was = now_sig;
}

/* Whether held session i's tasks wait at its clamp: v1 under_oom, v2 memory.high hit again. */
static bool waiting(struct acg_controller *c, size_t i)
{
	struct acg_mem_events ev;
	bool w;

	if (acg_cg_events(c->cg[i], &ev) < 0)
		return false;
	w = c->version == 1 ? ev.under_oom : ev.high > c->last_high[i];
	c->last_high[i] = ev.high;
	return w;
}

static void observe(struct acg_controller *c, double now)
{
	struct acg_mem_events ev;

	c->st.now = now;
	if (acg_cg_usage(c->parent, &c->st.usage) < 0)
		c->st.usage = 0;
	c->st.parent_waiting = false;
	if (acg_cg_events(c->parent, &ev) == 0) {
		/* stuck at the limit: v1 tasks wait there (OOM killer off); v2 reclaim at max
		 * failed (memory.events oom; max alone may be reclaim that worked, e.g. to swap) */
		c->st.parent_waiting =
			c->version == 1 ? ev.under_oom : c->have_oom && ev.oom > c->last_oom;
		c->last_oom = ev.oom;
		c->have_oom = true;
	}
	for (size_t i = 0; i < c->n; i++) {
		struct acg_pol_session *s = &c->s[i];
		struct acg_pol_obs o = {0};

		if (s->gone)
			continue;
		if (acg_cg_usage(c->cg[i], &o.usage) < 0) {
			/* a session whose cgroup vanished is simply gone */
			s->gone = true;
			continue;
		}
		o.waiting = s->held && waiting(c, i);
		observe_signals(c, i, &o);
		acg_pol_observe(&c->cfg, &c->st, i, &c->base[i], &o);
	}
}

/* Ask the kernel to wake us when cg hits its limit (slot k of pfd). */
static void watch(struct acg_controller *c, size_t k, struct acg_cg *cg)
{
	int fd;

	if (acg_cg_notify(cg, ACG_NOTIFY_WAIT, 0, &fd) < 0)
		return;
	c->pfd[k] = (struct pollfd){fd, acg_notify_events(cg), 0};
}

/*
 * Take the wake-ups that fired (they only bring the tick forward: what happened is read
 * from the files), and close those of sessions that are gone.
 */
static void consume_wakeups(struct acg_controller *c)
{
	for (size_t k = 0; k < c->n + 2; k++) {
		struct pollfd *p = &c->pfd[k];

		if (p->fd < 0)
			continue;
		if (p->revents) {
			c->stats.wakeups++;
			acg_notify_consume(p->fd);
		}
		p->revents = 0;
		if (k >= 2 && c->s[k - 2].gone) {
			close(p->fd);
			p->fd = -1;
		}
	}
}

/* Re-arm the usage wake-up (v1) where the policy would next hold: budget - need. */
static void arm_usage(struct acg_controller *c)
{
	double need = acg_policy_need(&c->cfg, &c->st);
	uint64_t at = (double)c->st.budget > need ? c->st.budget - (uint64_t)need : 0;
	int fd;

	if (c->version != 1 ||
	    (c->pfd[0].fd >= 0 && at + ARM_STEP > c->armed && c->armed + ARM_STEP > at))
		return;
	if (acg_cg_notify(c->parent, ACG_NOTIFY_USAGE, at, &fd) < 0)
		return;
	if (c->pfd[0].fd >= 0)
		close(c->pfd[0].fd);
	c->pfd[0] = (struct pollfd){fd, POLLIN, 0};
	c->armed = at;
}

static int set_clamp(struct acg_controller *c, size_t i, uint64_t value)
{
	return acg_cg_set(c->cg[i], c->version == 2 ? ACG_CTL_HIGH : ACG_CTL_MAX, value);
}

static int apply(struct acg_controller *c, const struct acg_action *a)
{
	struct acg_pol_session *s = &c->s[a->session];
	uint64_t v = a->value;
	int r = 0;

	switch (a->kind) {
	case ACG_ACT_HOLD:
	case ACG_ACT_RAISE:
		if (acg_cg_usage(c->cg[a->session], &v) == 0 && v + SLACK > a->value)
			v = v + SLACK;
		else
			v = a->value;
		r = set_clamp(c, a->session, v);
		if (r == 0) {
			/* the policy's view: the clamp it asked for (the slack is ours) */
			s->held = true;
			s->clamp = a->value;
		}
		c->stats.holds += a->kind == ACG_ACT_HOLD;
		c->stats.raises += a->kind == ACG_ACT_RAISE;
		break;
	case ACG_ACT_RELEASE:
		r = set_clamp(c, a->session, ACG_UNLIMITED);
		if (r == 0)
			s->held = false;
		c->stats.releases++;
		break;
	case ACG_ACT_FREEZE:
	case ACG_ACT_THAW:
		r = acg_cg_set(c->cg[a->session], ACG_CTL_FREEZE, a->kind == ACG_ACT_FREEZE);
		if (r == 0)
			s->frozen = a->kind == ACG_ACT_FREEZE;
		c->stats.freezes += a->kind == ACG_ACT_FREEZE;
		c->stats.thaws += a->kind == ACG_ACT_THAW;
		break;
	case ACG_ACT_KILL:
		r = acg_cg_kill(c->cg[a->session]);
		c->st.last_kill = c->st.now;
		c->stats.kills++;
		/* it holds nothing the policy can give back: no longer a candidate */
		if (r == 0)
			s->gone = true;
		break;
	}
	if (r == -ENOENT) {
		/* the session ended under us: nothing left to control */
		s->gone = true;
		r = 0;
	}
	return r;
}

static void log_action(struct acg_controller *c, const struct acg_action *a, int r, double apply_s)
{
	json_t *j;
	char *line;

	if (!c->log)
		return;
	j = json_pack("{s:f, s:s, s:s, s:I, s:I, s:I, s:f, s:s, s:o}", "t", c->st.now, "session",
		      c->names[a->session], "action", acg_act_name(a->kind), "value_bytes",
		      (json_int_t)a->value, "usage_bytes", (json_int_t)c->s[a->session].usage,
		      "parent_usage_bytes", (json_int_t)c->st.usage, "apply_us", apply_s * 1e6,
		      "reason", a->reason, "error",
		      r < 0 ? json_string(strerror(-r)) : json_null());
	line = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (line)
		c->log(c->log_arg, line);
	free(line);
	json_decref(j);
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
 * made nicer than they are) and moved to SCHED_IDLE, a few times a second; their threads'
 * children inherit both. Nice alone is not enough: with three sessions faulting memory on
 * two CPUs, a nice-19 thread that shares HIGH's CPU still gets picked now and then and
 * keeps it until the next tick (4 ms at HZ=250), so HIGH's 4 MiB steps took 5.4 ms
 * instead of 1.5; an idle-policy thread is preempted as soon as HIGH wants the CPU, and a
 * CPU running only such threads counts as idle when the kernel places HIGH.
 * Each thread is pinned first (acg_cg_pin(): still this session's task after its handles
 * were opened), and recorded only if still alive after the change, so the id was its own:
 * a recycled id outside the session is never reniced or left at 19 for good.
 */
static void renice_low(struct acg_controller *c, double now)
{
	if (!c->cfg.low_nice || now < c->next_renice)
		return;
	c->next_renice = now + RENICE_PERIOD_S;
	for (size_t i = 0; i < c->n; i++) {
		struct acg_task *t = NULL;
		pid_t *tids = NULL;
		size_t n = 0, w = 0, m = 0;

		if (acg_prio_is_high(c->s[i].prio) || c->s[i].gone ||
		    acg_cg_tids(c->cg[i], &tids, &n) < 0)
			continue;
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
		if (n && acg_cg_pin(c->cg[i], tids, n, &t, &m) == 0) {
			for (size_t k = 0; k < m; k++) {
				struct sched_param sp = {0};
				int was = nice_of(t[k].id), policy = sched_getscheduler(t[k].id);
				bool niced = was != INT_MIN && was < c->cfg.low_nice &&
					     setpriority(PRIO_PROCESS, (id_t)t[k].id,
							 c->cfg.low_nice) == 0;
				bool idled = on_normal_policy(policy) &&
					     sched_setscheduler(t[k].id, SCHED_IDLE, &sp) == 0;

				if (!acg_task_alive(&t[k]))
					continue;
				if (niced && add_niced(c, i, t[k].id, was, NICED_NICE) == 0)
					c->stats.reniced++;
				if (idled)
					add_niced(c, i, t[k].id, policy, NICED_SCHED);
			}
			acg_tasks_free(t, m);
		}
		free(tids);
		/* its processes: the first to go if the kernel's OOM killer must act */
		if (acg_cg_pids(c->cg[i], &tids, &n) < 0)
			continue;
		n = filter_ids(tids, n, adj_below, LOW_OOM_SCORE_ADJ);
		if (n && acg_cg_pin(c->cg[i], tids, n, &t, &m) == 0) {
			for (size_t k = 0; k < m; k++) {
				int was = oom_adj_at(t[k].procfd, NULL), adj = LOW_OOM_SCORE_ADJ;

				if (was != INT_MIN && was < adj &&
				    oom_adj_at(t[k].procfd, &adj) != INT_MIN)
					add_niced(c, i, t[k].id, was, NICED_OOM);
			}
			acg_tasks_free(t, m);
		}
		free(tids);
	}
}

/* Give the threads still in their session their own nice, policy and oom_score_adj back. */
static void unrenice(struct acg_controller *c)
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
		if (n && acg_cg_pin(c->cg[i], ids, n, &t, &m) == 0) {
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
		if (c->cfg.low_nice && acg_cg_tids(c->cg[i], &ids, &n) == 0) {
			n = filter_ids(ids, n, looks_low, c->cfg.low_nice);
			if (n && acg_cg_pin(c->cg[i], ids, n, &t, &m) == 0) {
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
		if (acg_cg_pids(c->cg[i], &ids, &n) == 0) {
			n = filter_ids(ids, n, adj_is, LOW_OOM_SCORE_ADJ);
			if (n && acg_cg_pin(c->cg[i], ids, n, &t, &m) == 0) {
				for (size_t k = 0; k < m; k++)
					if (oom_adj_at(t[k].procfd, NULL) == LOW_OOM_SCORE_ADJ)
						oom_adj_at(t[k].procfd, &zero);
				acg_tasks_free(t, m);
			}
			free(ids);
		}
	}
}

/* One JSON line for something the controller did to the whole tree. */
static void log_tree(struct acg_controller *c, const char *action, const char *reason)
{
	json_t *j;
	char *line;

	if (!c->log)
		return;
	j = json_pack("{s:f, s:n, s:s, s:I, s:s}", "t", c->st.now, "session", "action", action,
		      "parent_usage_bytes", (json_int_t)c->st.usage, "reason", reason);
	line = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (line)
		c->log(c->log_arg, line);
	free(line);
	json_decref(j);
}

/*
 * v1: tasks asleep in the kernel's OOM wait while no cgroup of theirs is under OOM missed
 * their wake-up (acg_cg_oom_waiters() in cgroup.h); left alone they could sleep for good.
 * Looked for once a second, and woken with acg_cg_oom_kick().
 */
static void rescue(struct acg_controller *c, double now)
{
	struct acg_mem_events ev;
	unsigned int asleep = 0, w;
	char reason[128];
	int r;

	if (c->version != 1 || now < c->next_rescue)
		return;
	c->next_rescue = now + RESCUE_PERIOD_S;
	if (acg_cg_events(c->parent, &ev) < 0 || ev.under_oom)
		return;
	for (size_t i = 0; i < c->n; i++) {
		if (c->s[i].gone || acg_cg_oom_waiters(c->cg[i], &w) < 0 || !w)
			continue;
		/* a held session waiting at its own clamp is under OOM: that wait is meant */
		if (acg_cg_events(c->cg[i], &ev) == 0 && ev.under_oom)
			continue;
		asleep += w;
	}
	if (!asleep)
		return;
	r = acg_cg_oom_kick(c->parent);
	c->stats.rescues++;
	snprintf(reason, sizeof(reason),
		 "%u task(s) asleep in the kernel's v1 OOM wait with no OOM to wait for (a lost "
		 "wake-up): woken%s",
		 asleep, r < 0 ? " (the kick failed)" : "");
	log_tree(c, "wake", reason);
}

static void log_victim(struct acg_controller *c, size_t i, unsigned long long n)
{
	json_t *j;
	char *line;

	c->stats.victims += n;
	if (!c->log)
		return;
	j = json_pack("{s:f, s:s, s:s, s:I, s:I, s:s}", "t", c->st.now, "session", c->names[i],
		      "action", "oom-victim", "count", (json_int_t)n, "usage_bytes",
		      (json_int_t)c->s[i].usage, "reason",
		      "the kernel's OOM killer chose a task of this session (BPF oom/mark_victim)");
	line = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (line)
		c->log(c->log_arg, line);
	free(line);
	json_decref(j);
}

/*
 * v1 fails open: the parent under OOM for STUCK_S, though the policy had every tick to
 * hold or kill (HIGH alone past the budget, or nothing left to kill), has its OOM killer
 * turned back on, which also wakes its waiters: the kernel chooses a victim (LOW processes
 * first, by their oom_score_adj). Off again once the parent is out of OOM.
 */
static void fail_open(struct acg_controller *c, double now)
{
	struct acg_mem_events ev;

	if (c->version != 1 || acg_cg_events(c->parent, &ev) < 0)
		return;
	if (!ev.under_oom) {
		c->stuck_since = 0;
		if (c->oom_open && acg_cg_set(c->parent, ACG_CTL_OOM_PAUSE, 1) == 0) {
			c->oom_open = false;
			log_tree(c, "oom-killer-off",
				 "the parent is out of OOM: the policy decides again");
		}
		return;
	}
	if (!c->stuck_since)
		c->stuck_since = now;
	if (c->oom_open || now - c->stuck_since < STUCK_S)
		return;
	if (acg_cg_set(c->parent, ACG_CTL_OOM_PAUSE, 0) == 0) {
		c->oom_open = true;
		c->stats.fail_open++;
		log_tree(
			c, "oom-killer-on",
			"the parent waited at its limit for 1 s and the policy could not make room "
			"(HIGH alone past the budget, or nothing left to hold or kill): the "
			"kernel's OOM killer chooses");
	}
}

int acg_controller_tick(struct acg_controller *c, double now)
{
	struct acg_action act[MAX_ACTIONS];
	size_t n;
	double t0;

	consume_wakeups(c);
	observe(c, now);
	c->stats.ticks++;
	n = acg_policy_decide(&c->cfg, &c->st, act, MAX_ACTIONS);
	t0 = acg_mono_s();
	for (size_t i = 0; i < n; i++) {
		double t = acg_mono_s();
		int r = apply(c, &act[i]);

		if (r < 0)
			c->stats.errors++;
		log_action(c, &act[i], r, acg_mono_s() - t);
	}
	if (n && acg_mono_s() - t0 > c->stats.max_apply_s)
		c->stats.max_apply_s = acg_mono_s() - t0;
	arm_usage(c);
	rescue(c, now);
	fail_open(c, now);
	renice_low(c, now);
	return (int)n;
}

int acg_controller_restore(struct acg_controller *c)
{
	int first = 0, r;

	for (size_t i = 0; i < c->n; i++) {
		/* v2: what setup set, undone: HIGH's protection, the sessions' OOM grouping */
		if (c->version == 2) {
			r = acg_prio_is_high(c->s[i].prio) ? acg_cg_set(c->cg[i], ACG_CTL_LOW, 0)
							   : 0;
			if (r < 0 && r != -ENOENT && !first)
				first = r;
			r = acg_cg_set(c->cg[i], ACG_CTL_OOM_GROUP, 0);
			if (r < 0 && r != -ENOENT && r != -EOPNOTSUPP && !first)
				first = r;
		}
		if (acg_prio_is_high(c->s[i].prio))
			continue;
		/* every control is tried, whatever happened to the one before */
		r = set_clamp(c, i, ACG_UNLIMITED);
		if (r < 0 && r != -ENOENT && !first)
			first = r;
		if (acg_cg_has_freezer(c->cg[i])) {
			r = acg_cg_set(c->cg[i], ACG_CTL_FREEZE, 0);
			if (r < 0 && r != -ENOENT && !first)
				first = r;
		}
		c->s[i].held = c->s[i].frozen = false;
	}
	r = set_oom_pause(c, 0);
	if (r < 0 && !first)
		first = r;
	unrenice(c);
	return first;
}
