// SPDX-License-Identifier: GPL-2.0
/*
 * controller.c: the live priority controller's life cycle and its tick: read, observe,
 * decide, apply (controller.h; the parts, by concern: controller_int.h).
 */
#include "controller_int.h"
#include "clock.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MAX_ACTIONS 64

/*
 * Room for n sessions in every per-session array (the wake-up slots are n + 2). The new
 * room is zeroed; 0 or -ENOMEM (what was there is kept either way).
 */
static int reserve(struct acg_controller *c, size_t n)
{
	size_t cap = c->cap ? c->cap : 4;

	if (n <= c->cap && c->wfd)
		return 0;
	while (cap < n)
		cap *= 2;
#define GROW(field, count)                                                \
	do {                                                              \
		void *v = realloc(c->field, (count) * sizeof(*c->field)); \
		if (!v)                                                   \
			return -ENOMEM;                                   \
		c->field = v;                                             \
	} while (0)
	GROW(s, cap);
	GROW(base, cap);
	GROW(last_high, cap);
	GROW(cg, cap);
	GROW(names, cap);
	GROW(wfd, cap + 2);
	if (c->sig) {
		GROW(cgid, cap);
		GROW(last_sig, cap);
	}
#undef GROW
	for (size_t i = c->cap ? c->cap + 2 : 0; i < cap + 2; i++)
		c->wfd[i] = -1;
	c->cap = cap;
	c->st.s = c->s;
	return 0;
}

/* Session i's slot, empty: its priority, no reading yet, no wake-up. */
static void init_slot(struct acg_controller *c, size_t i, struct acg_cg *cg, enum acg_prio prio,
		      const char *name)
{
	c->s[i] = (struct acg_pol_session){.prio = prio};
	c->base[i] = (struct acg_pol_reading){.t = NAN};
	c->last_high[i] = 0;
	c->cg[i] = cg;
	c->names[i] = name;
	c->wfd[2 + i] = -1;
	if (c->sig) {
		c->cgid[i] = 0;
		memset(&c->last_sig[i], 0, sizeof(c->last_sig[i]));
		if (acg_cg_v2_id(cg, &c->cgid[i]) == 0)
			acg_signals_read(c->sig, c->cgid[i], &c->last_sig[i]);
	}
}

int acg_controller_new(struct acg_cg *parent, struct acg_cg **sessions, const enum acg_prio *prio,
		       const char *const *names, size_t n, uint64_t budget,
		       const struct acg_pol_cfg *cfg, acg_decision_log_fn log, void *log_arg,
		       struct acg_controller **ret)
{
	struct acg_controller *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->epfd = -1;
	c->st = (struct acg_pol_state){.budget = budget,
				       .high_last_growth = -INFINITY,
				       .last_kill = -INFINITY,
				       .last_swap = -INFINITY};
	if (reserve(c, n) < 0) {
		acg_controller_free(c);
		return -ENOMEM;
	}
	c->parent = parent;
	/* wake-ups are an optimisation: without an epoll set the period alone drives ticks */
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
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
	for (size_t i = 0; i < n; i++)
		init_slot(c, i, sessions[i], prio[i], names[i]);
	c->n = c->st.n = n;
	*ret = c;
	return 0;
}

void acg_controller_declare(struct acg_controller *c, size_t i, uint64_t peak)
{
	if (i < c->n)
		c->s[i].expected_peak = peak;
}

void acg_controller_adopt(struct acg_controller *c, size_t i)
{
	if (i < c->n)
		c->s[i].adopted = true;
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
	free(c->cg);
	free(c->names);
	for (size_t i = 0; c->wfd && i < c->n + 2; i++)
		if (c->wfd[i] >= 0)
			close(c->wfd[i]);
	free(c->wfd);
	if (c->epfd >= 0)
		close(c->epfd);
	free(c);
}

const struct acg_pol_state *acg_controller_state(const struct acg_controller *c)
{
	return &c->st;
}

double acg_controller_need(const struct acg_controller *c)
{
	return acg_policy_need(&c->cfg, &c->st);
}

void acg_controller_stats(const struct acg_controller *c, struct acg_controller_stats *ret)
{
	size_t n = c->stats.ticks < ACG_TICK_WINDOW ? c->stats.ticks : ACG_TICK_WINDOW;
	double v[ACG_TICK_WINDOW];

	*ret = c->stats;
	if (!n)
		return;
	memcpy(v, c->tick_s, n * sizeof(*v));
	ret->tick_p50_s = acg_quantile(v, n, 0.5);
	ret->tick_p99_s = acg_quantile(v, n, 0.99);
	ret->tick_max_s = acg_quantile(v, n, 1.0);
}

/*
 * What setup() does for one session: v1 LOW, the OOM killer paused (the policy picks a
 * victim); v2 HIGH, memory.low = budget; v2, memory.oom.group (a kernel OOM kill takes
 * the whole session, as the policy would); LOW, its wake-up at its limit. A vanished
 * session is no error. 0 or -errno, d says which step failed.
 */
static int setup_session(struct acg_controller *c, size_t i, struct acg_diag *d)
{
	const char *what = NULL;
	int r = 0;

	if (c->version == 1 && !acg_prio_is_high(c->s[i].prio)) {
		what = "oom_kill_disable on a LOW session";
		r = acg_cg_set(c->cg[i], ACG_CTL_OOM_PAUSE, 1);
	}
	if (r == 0 && c->version == 2 && acg_prio_is_high(c->s[i].prio)) {
		what = "memory.low of a HIGH session";
		r = acg_cg_set(c->cg[i], ACG_CTL_LOW, c->st.budget);
	}
	if (r == 0 && c->version == 2) {
		what = "memory.oom.group of a session";
		r = acg_cg_set(c->cg[i], ACG_CTL_OOM_GROUP, 1);
	}
	/* wake-ups are an optimisation: without them the period alone drives the ticks */
	if (!acg_prio_is_high(c->s[i].prio))
		ctl_watch(c, 2 + i, c->cg[i]);
	if (r < 0 && r != -ENOENT) {
		acg_diag_set(d, "cannot set %s (%s): %s", what,
			     c->names[i] ? c->names[i] : "unnamed", strerror(-r));
		return r;
	}
	return 0;
}

int acg_controller_setup(struct acg_controller *c, struct acg_diag *d)
{
	int r;

	if (c->version == 1 && (r = acg_cg_set(c->parent, ACG_CTL_OOM_PAUSE, 1)) < 0 &&
	    r != -ENOENT) {
		acg_diag_set(d, "cannot set oom_kill_disable on the parent: %s", strerror(-r));
		return r;
	}
	ctl_watch(c, 1, c->parent);
	c->set_up = true;
	for (size_t i = 0; i < c->n; i++)
		if ((r = setup_session(c, i, d)) < 0)
			return r;
	return 0;
}

/* Take the kernel's word for what is applied to LOW session i now (clamp, frozen): a
 * session a daemon before this one left held is held. Vanished: gone. */
static void adopt(struct acg_controller *c, size_t i)
{
	struct acg_pol_session *s = &c->s[i];
	uint64_t clamp;
	bool frozen = false;

	if (acg_prio_is_high(s->prio))
		return;
	if (acg_cg_get(c->cg[i], c->version == 2 ? ACG_CTL_HIGH : ACG_CTL_MAX, &clamp) < 0) {
		s->gone = true;
		return;
	}
	s->held = clamp != ACG_UNLIMITED;
	s->clamp = s->held ? clamp : 0;
	if (acg_cg_has_freezer(c->cg[i]) && acg_cg_frozen(c->cg[i], &frozen) == 0)
		s->frozen = frozen;
}

int acg_controller_add(struct acg_controller *c, struct acg_cg *cg, enum acg_prio prio,
		       const char *name, struct acg_diag *d)
{
	size_t i = c->n;

	if (reserve(c, c->n + 1) < 0) {
		acg_diag_set(d, "no memory for one more session");
		return -ENOMEM;
	}
	init_slot(c, i, cg, prio, name);
	c->n = c->st.n = i + 1;
	adopt(c, i);
	return c->set_up ? setup_session(c, i, d) : 0;
}

void acg_controller_remove(struct acg_controller *c, size_t i)
{
	size_t w = 0, tail = c->n - i - 1;

	if (i >= c->n)
		return;
	if (c->wfd[2 + i] >= 0)
		close(c->wfd[2 + i]);
	/* its tasks' records go with it; the others' indices move down with their sessions */
	for (size_t k = 0; k < c->n_niced; k++) {
		if (c->niced[k].session == i)
			continue;
		c->niced[w] = c->niced[k];
		c->niced[w].session -= c->niced[k].session > i;
		w++;
	}
	c->n_niced = w;
#define SHIFT(field, at) memmove(&c->field[at], &c->field[(at) + 1], tail * sizeof(*c->field))
	SHIFT(s, i);
	SHIFT(base, i);
	SHIFT(last_high, i);
	SHIFT(cg, i);
	SHIFT(names, i);
	SHIFT(wfd, 2 + i);
	if (c->sig) {
		SHIFT(cgid, i);
		SHIFT(last_sig, i);
	}
#undef SHIFT
	c->n = c->st.n = c->n - 1;
	c->wfd[2 + c->n] = -1;
}

void acg_controller_ended(struct acg_controller *c, size_t i)
{
	if (i < c->n)
		c->s[i].gone = true;
}

void acg_controller_use_signals(struct acg_controller *c, struct acg_signals *sig)
{
	size_t cap = c->cap ? c->cap : 1;

	c->cgid = calloc(cap, sizeof(*c->cgid));
	c->last_sig = calloc(cap, sizeof(*c->last_sig));
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

int acg_controller_tick(struct acg_controller *c, double now)
{
	struct acg_action act[MAX_ACTIONS];
	double t0, start = acg_mono_s();
	size_t n;

	ctl_consume_wakeups(c);
	ctl_observe(c, now);
	c->stats.ticks++;
	n = acg_policy_decide(&c->cfg, &c->st, act, MAX_ACTIONS);
	t0 = acg_mono_s();
	for (size_t i = 0; i < n; i++) {
		double t = acg_mono_s();
		int r = ctl_apply(c, &act[i]);

		if (r < 0)
			c->stats.errors++;
		ctl_log_action(c, &act[i], r, acg_mono_s() - t);
	}
	if (n && acg_mono_s() - t0 > c->stats.max_apply_s)
		c->stats.max_apply_s = acg_mono_s() - t0;
	ctl_arm_usage(c);
	ctl_rescue(c, now);
	ctl_fail_open(c, now);
	ctl_renice_low(c, now);
	c->tick_s[(c->stats.ticks - 1) % ACG_TICK_WINDOW] = acg_mono_s() - start;
	c->stats.tick_sum_s += c->tick_s[(c->stats.ticks - 1) % ACG_TICK_WINDOW];
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
		r = ctl_set_clamp(c, i, ACG_UNLIMITED);
		if (r < 0 && r != -ENOENT && !first)
			first = r;
		if (acg_cg_has_freezer(c->cg[i])) {
			r = acg_cg_set(c->cg[i], ACG_CTL_FREEZE, 0);
			if (r < 0 && r != -ENOENT && !first)
				first = r;
		}
		c->s[i].held = c->s[i].frozen = false;
	}
	r = ctl_set_oom_pause(c, 0);
	if (r < 0 && !first)
		first = r;
	ctl_unrenice(c);
	return first;
}
