// SPDX-License-Identifier: GPL-2.0
/*
 * sim.c: the scenario in simulated time (model in sim.h), driving lib/policy.c exactly as
 * the live controller does: the model's readings go through the same estimator into the
 * same state, and the same actions are applied to the model instead of cgroups.
 */
#include "sim.h"

#include "parse.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct simses {
	const struct acg_trace *t;
	uint64_t base;
	double pos; /* position in the timeline, trace seconds */
	size_t k;   /* current sample */
	uint64_t usage;
	uint64_t limit; /* hard limit (static) or ACG_UNLIMITED */
	bool done;
	bool waiting; /* its clamp stopped it on the last step */
};

/* Size at timeline position pos (the step function of the trace), from sample k on. */
static uint64_t demand_at(const struct simses *x, double pos, size_t *k)
{
	size_t i = *k;

	while (i + 1 < x->t->n && x->t->samples[i + 1].t <= pos)
		i++;
	*k = i;
	return x->base + x->t->samples[i].bytes;
}

static uint64_t total_usage(const struct simses *x, size_t n)
{
	uint64_t u = 0;

	for (size_t i = 0; i < n; i++)
		u += x[i].done ? 0 : x[i].usage;
	return u;
}

/* The kernel's OOM choice within the budget: the largest live session. */
static size_t largest(const struct simses *x, size_t n)
{
	size_t v = 0;

	for (size_t i = 1; i < n; i++)
		if (!x[i].done && (x[v].done || x[i].usage > x[v].usage))
			v = i;
	return v;
}

static void finish(struct acg_sim_result *r, struct simses *x, size_t i, double now, bool killed)
{
	x[i].done = true;
	r->s[i].killed = killed;
	r->s[i].completed = !killed;
	if (killed)
		r->s[i].killed_at_s = now;
	else
		r->s[i].completion_s = now;
	r->s[i].progress = x[i].t->n ? x[i].pos / fmax(x[i].t->samples[x[i].t->n - 1].t, 1e-9) : 1;
	if (r->s[i].progress > 1)
		r->s[i].progress = 1;
	if (killed) {
		/* what it loses: the solo time it had done, its position at the speed */
		r->s[i].work_lost_s = x[i].pos / r->speed;
		r->killed++;
		r->work_lost_s += r->s[i].work_lost_s;
	}
}

static void apply(struct acg_pol_session *ps, struct acg_sim_result *r, struct simses *x,
		  const struct acg_action *a, double now, double *last_kill)
{
	struct acg_pol_session *s = &ps[a->session];

	r->decisions++;
	switch (a->kind) {
	case ACG_ACT_HOLD:
	case ACG_ACT_RAISE:
		s->held = true;
		s->clamp = a->value;
		break;
	case ACG_ACT_RELEASE:
		s->held = false;
		break;
	case ACG_ACT_FREEZE:
	case ACG_ACT_THAW:
		/* the model's hold is already a full stop */
		break;
	case ACG_ACT_KILL:
		finish(r, x, a->session, now, true);
		s->gone = true;
		*last_kill = now;
		break;
	}
}

/*
 * One step for session i: grow toward its next size as far as its limits and the
 * allocation speed let it (the timeline advances once the size is reached), else wait or
 * be killed. Returns whether the budget, not its own clamp, stopped it (the parent at its
 * limit).
 */
static bool step(struct acg_sim_result *r, struct simses *x, size_t n, size_t i,
		 struct acg_pol_session *ps, const struct acg_scenario *sc, bool dynamic,
		 bool limited, double now)
{
	struct simses *s = &x[i];
	double end = s->t->samples[s->t->n - 1].t, pos = s->pos + ACG_SIM_STEP_S * sc->speed;
	size_t k = s->k;
	uint64_t want = demand_at(s, fmin(pos, end), &k);
	uint64_t others = total_usage(x, n) - s->usage, to = want;
	uint64_t fast = s->usage + (uint64_t)(ACG_SIM_GROW_BPS * ACG_SIM_STEP_S);
	bool by_clamp = false, by_budget = false;

	s->waiting = false;
	if (to > fast)
		to = fast;
	if (to > s->usage) {
		if (to > s->limit) {
			/* over its own hard limit: the kernel kills it */
			r->s[i].waited_s += ACG_SIM_STEP_S;
			finish(r, x, i, now, true);
			return false;
		}
		if (ps && ps[i].held && to > ps[i].clamp) {
			to = ps[i].clamp > s->usage ? ps[i].clamp : s->usage;
			by_clamp = true;
		}
		if (limited && others + to > sc->budget_bytes) {
			if (!dynamic) {
				/* over the budget: the kernel kills the largest */
				s->usage = to;
				finish(r, x, largest(x, n), now, true);
				if (!s->done)
					s->usage = demand_at(s, s->pos, &s->k);
				r->s[i].waited_s += ACG_SIM_STEP_S;
				return false;
			}
			/* the parent's OOM killer is off: it waits at the parent's limit */
			to = sc->budget_bytes > others ? sc->budget_bytes - others : 0;
			if (to < s->usage)
				to = s->usage;
			by_budget = true;
		}
	}
	s->usage = to;
	if (s->usage > r->s[i].peak)
		r->s[i].peak = s->usage;
	if (to != want) {
		/* not there yet: the timeline waits for the memory */
		r->s[i].waited_s += by_clamp || by_budget ? ACG_SIM_STEP_S : 0;
		s->waiting = by_clamp;
		return by_budget && !by_clamp;
	}
	s->pos = pos;
	s->k = k;
	if (pos >= end)
		finish(r, x, i, now, false);
	return false;
}

void acg_sim_observe(const struct acg_pol_cfg *cfg, struct acg_pol_state *st, size_t i,
		     struct acg_pol_reading *base, uint64_t usage, bool waiting, bool done)
{
	struct acg_pol_obs o = {.usage = usage, .waiting = waiting};

	/* a finished session is gone, as a vanished cgroup is to the controller */
	if (done)
		st->s[i].gone = true;
	if (!st->s[i].gone)
		acg_pol_observe(cfg, st, i, base, &o);
}

int acg_sim_run(const struct acg_scenario *sc, const size_t *idx, size_t n, const char *strategy,
		const struct acg_pol_cfg *cfg, struct acg_sim_result *ret)
{
	bool dynamic = strategy && strcmp(strategy, "dynamic") == 0;
	bool stat = strategy && strcmp(strategy, "static") == 0;
	bool limited = strategy != NULL;
	struct acg_pol_session *ps = NULL;
	struct acg_pol_reading *base = NULL;
	struct acg_pol_state st = {.budget = sc->budget_bytes,
				   .high_last_growth = -INFINITY,
				   .last_kill = -INFINITY,
				   .n = n};
	struct acg_action act[64];
	struct simses *x;
	double now = 0;
	bool at_limit = false;
	double limit = 0;
	int rc = 0;

	if (strategy && !dynamic && !stat && strcmp(strategy, "none") != 0)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->strategy = strategy ? strategy : "solo";
	ret->speed = sc->speed;
	x = calloc(n, sizeof(*x));
	ret->s = calloc(n, sizeof(*ret->s));
	ps = calloc(n, sizeof(*ps));
	base = calloc(n, sizeof(*base));
	if (!x || !ret->s || !ps || !base) {
		rc = -ENOMEM;
		goto out;
	}
	ret->n = n;
	for (size_t i = 0; i < n; i++) {
		const struct acg_trace *t = sc->sessions[idx[i]].trace;

		limit = fmax(limit, t->samples[t->n - 1].t / sc->speed * sc->timeout_factor + 30);
	}
	for (size_t i = 0; i < n; i++) {
		const struct acg_scn_session *sp = &sc->sessions[idx[i]];

		ret->s[i].spec = sp;
		x[i] = (struct simses){.t = sp->trace,
				       .base = sp->base_bytes,
				       .limit = stat ? sc->budget_bytes / n : ACG_UNLIMITED};
		x[i].usage = demand_at(&x[i], 0, &x[i].k);
		ps[i].prio = sp->prio;
		/* the session's declaration, as the daemon reads run --peak-mb's */
		ps[i].expected_peak = sp->peak_bytes;
		base[i].t = NAN;
	}
	st.s = ps;
	for (bool live = true; live && now < limit; now += ACG_SIM_STEP_S) {
		live = false;
		if (dynamic) {
			size_t na;

			st.now = now;
			st.usage = total_usage(x, n);
			st.parent_waiting = at_limit;
			for (size_t i = 0; i < n; i++)
				acg_sim_observe(cfg, &st, i, &base[i], x[i].usage, x[i].waiting,
						x[i].done);
			na = acg_policy_decide(cfg, &st, act, 64);
			for (size_t a = 0; a < na; a++)
				apply(ps, ret, x, &act[a], now, &st.last_kill);
		}
		at_limit = false;
		for (size_t i = 0; i < n; i++) {
			if (x[i].done)
				continue;
			at_limit |=
				step(ret, x, n, i, dynamic ? ps : NULL, sc, dynamic, limited, now);
			live = live || !x[i].done;
		}
		if (total_usage(x, n) > ret->peak_total)
			ret->peak_total = total_usage(x, n);
	}
	ret->end_s = now;
	/* what the bench would have stopped at its timeout */
	for (size_t i = 0; i < n; i++)
		if (!x[i].done)
			ret->s[i].timed_out = true;
out:
	free(x);
	free(ps);
	free(base);
	if (rc < 0)
		acg_sim_result_free(ret);
	return rc;
}

void acg_sim_result_free(struct acg_sim_result *r)
{
	free(r->s);
	r->s = NULL;
	r->n = 0;
}

json_t *acg_sim_result_json(const struct acg_sim_result *r)
{
	json_t *sessions = json_array();

	for (size_t i = 0; i < r->n; i++) {
		const struct acg_sim_session *s = &r->s[i];

		json_array_append_new(
			sessions,
			json_pack("{s:s, s:s, s:s, s:o, s:o, s:f, s:f, s:I, s:f}", "name",
				  s->spec->name, "priority", acg_prio_name(s->spec->prio), "status",
				  s->completed	 ? "completed"
				  : s->timed_out ? "timeout"
						 : "killed",
				  "completion_s",
				  s->completed ? json_real(s->completion_s) : json_null(),
				  "killed_at_s",
				  s->killed ? json_real(s->killed_at_s) : json_null(), "waited_s",
				  s->waited_s, "progress", s->progress, "peak_bytes",
				  (json_int_t)s->peak, "work_lost_s", s->work_lost_s));
	}
	return json_pack("{s:s, s:f, s:I, s:I, s:I, s:f, s:o}", "strategy", r->strategy, "end_s",
			 r->end_s, "peak_total_bytes", (json_int_t)r->peak_total, "decisions",
			 (json_int_t)r->decisions, "killed", (json_int_t)r->killed, "work_lost_s",
			 r->work_lost_s, "sessions", sessions);
}
