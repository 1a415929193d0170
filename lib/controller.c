// SPDX-License-Identifier: GPL-2.0
/*
 * controller.c: the live priority controller's life cycle and its tick: read, observe,
 * decide, apply (controller.h; the parts, by concern: controller_int.h).
 */
#include "controller_int.h"
#include "clock.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ACTIONS 64

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

double acg_controller_need(const struct acg_controller *c)
{
	return acg_policy_need(&c->cfg, &c->st);
}

void acg_controller_stats(const struct acg_controller *c, struct acg_controller_stats *ret)
{
	*ret = c->stats;
}

int acg_controller_setup(struct acg_controller *c, const char **what)
{
	int r;

	*what = "oom_kill_disable on the parent and LOW sessions";
	r = ctl_set_oom_pause(c, 1);
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
	ctl_watch(c, 1, c->parent);
	for (size_t i = 0; i < c->n; i++)
		if (!acg_prio_is_high(c->s[i].prio))
			ctl_watch(c, 2 + i, c->cg[i]);
	return 0;
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
			    ctl_add_niced(to, i, from->niced[k].tid, from->niced[k].nice,
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

int acg_controller_tick(struct acg_controller *c, double now)
{
	struct acg_action act[MAX_ACTIONS];
	size_t n;
	double t0;

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
