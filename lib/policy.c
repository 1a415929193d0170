// SPDX-License-Identifier: GPL-2.0
/*
 * policy.c: the priority policy (model and worked example in policy.h). No I/O, no
 * clock: everything comes in through acg_pol_state.
 */
#include "policy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MiB (1024.0 * 1024.0)
/* a clamp is only moved by at least this much: no flapping on noise */
#define MIN_STEP (UINT64_C(1) << 20)

void acg_pol_cfg_default(struct acg_pol_cfg *c, uint64_t budget)
{
	uint64_t reserve = budget / 20;

	if (reserve < (UINT64_C(32) << 20))
		reserve = UINT64_C(32) << 20;
	*c = (struct acg_pol_cfg){
		.reserve = reserve,
		.hysteresis = reserve / 2,
		.horizon_s = 0.1,
		.quiet_s = 0.5,
		.peak_window_s = 2.0,
		.freeze_slack = UINT64_C(16) << 20,
		.kill_cooldown_s = 1.0,
		.can_freeze = true,
	};
}

const char *acg_act_name(enum acg_act_kind k)
{
	static const char *const names[] = {"hold", "raise", "release", "freeze", "thaw", "kill"};

	return k <= ACG_ACT_KILL ? names[k] : "?";
}

struct out {
	struct acg_action *a;
	size_t n, max;
};

static struct acg_action *add(struct out *o, size_t session, enum acg_act_kind kind, uint64_t value)
{
	struct acg_action *a;

	if (o->n >= o->max)
		return NULL;
	a = &o->a[o->n++];
	a->session = session;
	a->kind = kind;
	a->value = value;
	a->reason[0] = '\0';
	return a;
}

static bool is_low(const struct acg_pol_session *s)
{
	return !s->gone && s->prio > 0;
}

/* The session a kill takes: lowest priority, then largest, then most recently started. */
static size_t victim(const struct acg_pol_state *st)
{
	size_t v = SIZE_MAX;

	for (size_t i = 0; i < st->n; i++) {
		const struct acg_pol_session *s = &st->s[i], *b;

		if (!is_low(s))
			continue;
		if (v == SIZE_MAX) {
			v = i;
			continue;
		}
		b = &st->s[v];
		if (s->prio > b->prio || (s->prio == b->prio && s->usage > b->usage) ||
		    (s->prio == b->prio && s->usage == b->usage && s->started_at > b->started_at))
			v = i;
	}
	return v;
}

static void hold_all(const struct acg_pol_state *st, double h, double need, struct out *o)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct acg_pol_session *s = &st->s[i];
		struct acg_action *a;

		/* hold the free ones; tighten a clamp that was raised above usage */
		if (!is_low(s) || (s->held && s->clamp <= s->usage + MIN_STEP))
			continue;
		a = add(o, i, ACG_ACT_HOLD, s->usage);
		if (a)
			snprintf(a->reason, sizeof(a->reason),
				 "headroom %.0f MiB < %.0f MiB kept for HIGH", h / MiB, need / MiB);
	}
}

static void hand_back(const struct acg_pol_cfg *c, const struct acg_pol_state *st, double h,
		      double need, size_t held, struct out *o)
{
	bool quiet = st->now - st->high_last_growth >= c->quiet_s;
	double share = (h - need - (double)c->hysteresis / 2) / (double)held;

	for (size_t i = 0; i < st->n; i++) {
		const struct acg_pol_session *s = &st->s[i];
		/* room is counted from what it uses now: the headroom already counts that */
		uint64_t to = s->usage + (uint64_t)share;
		struct acg_action *a = NULL;

		if (!is_low(s) || !s->held)
			continue;
		if (quiet) {
			a = add(o, i, ACG_ACT_RELEASE, 0);
			if (a)
				snprintf(a->reason, sizeof(a->reason),
					 "HIGH quiet for %.1f s, headroom %.0f MiB",
					 st->now - st->high_last_growth, h / MiB);
		} else if (to >= s->clamp + MIN_STEP) {
			a = add(o, i, ACG_ACT_RAISE, to);
			if (a)
				snprintf(a->reason, sizeof(a->reason),
					 "headroom %.0f MiB > %.0f MiB: %.0f MiB more room",
					 h / MiB, (need + (double)c->hysteresis) / MiB,
					 share / MiB);
		}
		if (a && s->frozen)
			add(o, i, ACG_ACT_THAW, 0);
	}
}

static void freeze_creepers(const struct acg_pol_cfg *c, const struct acg_pol_state *st,
			    struct out *o)
{
	for (size_t i = 0; i < st->n && c->can_freeze; i++) {
		const struct acg_pol_session *s = &st->s[i];
		struct acg_action *a;

		if (!is_low(s) || !s->held || s->frozen || s->usage <= s->clamp + c->freeze_slack)
			continue;
		a = add(o, i, ACG_ACT_FREEZE, 0);
		if (a)
			snprintf(a->reason, sizeof(a->reason), "%.0f MiB above its clamp",
				 (double)(s->usage - s->clamp) / MiB);
	}
}

void acg_pol_track_peak(struct acg_pol_session *s, uint64_t usage, double now, double window,
			double *peak_t)
{
	if (usage >= s->recent_peak || now - *peak_t > window) {
		s->recent_peak = usage;
		*peak_t = now;
	}
}

size_t acg_policy_decide(const struct acg_pol_cfg *c, const struct acg_pol_state *st,
			 struct acg_action *out, size_t max)
{
	struct out o = {out, 0, max};
	double h = st->budget > st->usage ? (double)(st->budget - st->usage) : 0;
	double high_rate = 0, claim = 0, need;
	size_t low = 0, held = 0;

	for (size_t i = 0; i < st->n; i++) {
		const struct acg_pol_session *s = &st->s[i];

		if (s->gone)
			continue;
		if (s->prio == 0 && s->rate > 0)
			high_rate += s->rate;
		if (s->prio == 0 && s->recent_peak > s->usage)
			claim += (double)(s->recent_peak - s->usage);
		if (s->prio > 0) {
			low++;
			held += s->held;
		}
	}
	need = (double)c->reserve + high_rate * c->horizon_s + claim;

	if (h < need) {
		hold_all(st, h, need, &o);
		/* only while holding: a session given room back this tick is not frozen */
		freeze_creepers(c, st, &o);
	} else if (held && h > need + (double)c->hysteresis) {
		hand_back(c, st, h, need, held, &o);
	}

	/* the last resort: every LOW held and the parent still at its limit */
	if (low && held == low && st->parent_waiting &&
	    st->now - st->last_kill >= c->kill_cooldown_s) {
		size_t v = victim(st);
		struct acg_action *a = v == SIZE_MAX ? NULL : add(&o, v, ACG_ACT_KILL, 0);

		if (a)
			snprintf(a->reason, sizeof(a->reason),
				 "every LOW held and the parent at its limit (headroom %.0f MiB): "
				 "lowest priority, largest (%.0f MiB), most recent goes",
				 h / MiB, (double)st->s[v].usage / MiB);
	}
	return o.n;
}
