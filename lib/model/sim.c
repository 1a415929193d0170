// SPDX-License-Identifier: GPL-2.0
/*
 * sim.c: the scenario in simulated time (model in sim.h), driving lib/model/policy.c exactly as
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
	double pos;	 /* position in the timeline, trace seconds (progress, work lost) */
	size_t next;	 /* the next sample to apply */
	uint64_t target; /* the size the last applied sample asks for */
	double shift;	 /* how late its timeline runs, seconds (the replay's shift) */
	uint64_t usage;
	uint64_t peak;	/* the most it held, within steps too */
	uint64_t limit; /* hard limit (static) or ACG_UNLIMITED */
	bool done;
	bool waiting; /* its clamp stopped it on the last step */
	bool grew;    /* it was growing on the last step (shares the host's rate) */
	bool high;    /* a HIGH session (first on the CPU under dynamic) */
};

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
	/* killed: no further than its clock had run (its step may have run past the kill) */
	if (killed)
		x[i].pos = fmin(x[i].pos, fmax(0, (now - x[i].shift) * r->speed));
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

/* A session pushed out to swap comes back: its pages fault in as it grows again. */
static void swap_in(struct acg_pol_session *s, struct acg_pol_state *st)
{
	if (!s->swapped)
		return;
	st->swap_free += s->swapped_bytes;
	s->swapped = false;
	s->swapped_bytes = 0;
}

static void apply(struct acg_pol_state *st, struct acg_sim_result *r, struct simses *x,
		  const struct acg_action *a, double now)
{
	struct acg_pol_session *s = &st->s[a->session];
	struct simses *m = &x[a->session];

	r->decisions++;
	switch (a->kind) {
	case ACG_ACT_HOLD:
	case ACG_ACT_RAISE:
		s->held = true;
		s->clamp = a->value;
		if (a->kind == ACG_ACT_RAISE)
			swap_in(s, st);
		break;
	case ACG_ACT_RELEASE:
		s->held = false;
		swap_in(s, st);
		break;
	case ACG_ACT_FREEZE:
		/* the model's hold is already a full stop */
		s->frozen = true;
		break;
	case ACG_ACT_THAW:
		s->frozen = false;
		swap_in(s, st);
		break;
	case ACG_ACT_KILL:
		finish(r, x, a->session, now, true);
		swap_in(s, st); /* what it had pushed out leaves swap with it */
		s->gone = true;
		st->last_kill = now;
		break;
	case ACG_ACT_SWAP_OUT:
		/* frozen, its memory out to swap: it holds nothing in the budget, and must grow
		 * back to its size (its pages faulted in) before its timeline goes on */
		s->held = s->frozen = s->swapped = true;
		s->clamp = 0;
		s->swapped_bytes = m->usage;
		st->swap_free = st->swap_free > m->usage ? st->swap_free - m->usage : 0;
		m->usage = 0;
		r->swapped_out++;
		st->last_kill = st->last_swap = now;
		break;
	}
}

enum grow { GROW_RAN, GROW_BLOCKED, GROW_DONE };

/*
 * How session s's memory moves in [now, now + dt), as the replay moves it (lib/workload/replay.c):
 * sample j is due at t_j / speed + shift; at its due time the session grows toward
 * base + bytes_j at most rate bytes/s, or shrinks to it at once; a sample is applied only
 * once the previous one's growth is done, and the rest of the timeline moves by the
 * overrun (the shift). Growth stops at cap (its limit: clamp, room in the budget, hard
 * limit): GROW_BLOCKED, *at the time it stopped. GROW_DONE: the last sample is applied,
 * *at when. Only this function moves a session's memory and timeline.
 */
static enum grow grow_step(struct simses *s, double now, double dt, double speed, double rate,
			   uint64_t cap, double *at)
{
	const struct acg_trace *t = s->t;
	double c = now, end = now + dt, due, last;
	enum grow g = GROW_RAN;

	while (c < end) {
		if (s->usage < s->target) {
			uint64_t to = s->target < cap ? s->target : cap;
			double need;

			if (s->usage >= to) {
				g = GROW_BLOCKED;
				*at = c;
				break;
			}
			need = (double)(to - s->usage) / rate;
			if (c + need > end) {
				s->usage += (uint64_t)(rate * (end - c));
				if (s->usage > s->peak)
					s->peak = s->usage;
				break;
			}
			s->usage = to;
			if (to > s->peak)
				s->peak = to;
			c += need;
			continue;
		}
		if (s->next == t->n) {
			g = GROW_DONE;
			*at = c;
			break;
		}
		/* the next sample: due at its time plus the shift, or once this one is done */
		due = t->samples[s->next].t / speed + s->shift;
		if (due >= end)
			break;
		if (c > due)
			s->shift += c - due;
		else
			c = due;
		s->target = s->base + t->samples[s->next].bytes;
		if (s->target < s->usage)
			s->usage = s->target;
		s->next++;
	}
	/* its position: the clock less the shift, not past a sample it has not applied */
	last = s->next < t->n ? t->samples[s->next].t : t->samples[t->n - 1].t;
	s->pos = fmin(last, fmax(s->pos, ((g == GROW_RAN ? end : *at) - s->shift) * speed));
	return g;
}

/*
 * One step for session i: its memory moves as grow_step says, under the least of its
 * limits; stopped by one of them, it waits (its clamp; the budget under dynamic) or is
 * killed (its own hard limit; the budget otherwise). Returns whether the budget, not its
 * own clamp, stopped it (the parent at its limit).
 */
static bool step(struct acg_sim_result *r, struct simses *x, size_t n, size_t i,
		 struct acg_pol_session *ps, const struct acg_scenario *sc, bool dynamic,
		 bool limited, double now, double rate)
{
	struct simses *s = &x[i];
	uint64_t others = total_usage(x, n) - s->usage;
	uint64_t room = !limited		    ? ACG_UNLIMITED
			: sc->budget_bytes > others ? sc->budget_bytes - others
						    : 0;
	uint64_t clamp = ps && ps[i].held ? ps[i].clamp : ACG_UNLIMITED;
	uint64_t cap = s->limit, before = s->usage;
	double at = now, rest;
	enum grow g;

	if (clamp < cap)
		cap = clamp;
	if (room < cap)
		cap = room;
	s->waiting = false;
	g = grow_step(s, now, ACG_SIM_STEP_S, sc->speed, rate, cap, &at);
	s->grew = s->usage > before; /* one waiting at a limit sleeps: no page faults */
	r->s[i].peak = s->peak > s->usage ? s->peak : s->usage;
	if (g == GROW_DONE) {
		finish(r, x, i, at, false);
		return false;
	}
	if (g != GROW_BLOCKED)
		return false;
	rest = now + ACG_SIM_STEP_S - at;
	if (s->usage >= s->limit) {
		/* at its own hard limit: the kernel kills it */
		r->s[i].waited_s += rest;
		finish(r, x, i, at, true);
		return false;
	}
	if (s->usage >= clamp) {
		/* held: it waits at its clamp */
		r->s[i].waited_s += rest;
		s->waiting = true;
		return false;
	}
	if (!dynamic) {
		/* over the budget: the kernel kills the largest, this one charged a page more */
		s->usage += 4096;
		finish(r, x, largest(x, n), at, true);
		s->usage -= 4096;
		r->s[i].waited_s += s->done ? 0 : rest;
		return false;
	}
	/* the parent's OOM killer is off: it waits at the parent's limit */
	r->s[i].waited_s += rest;
	return true;
}

double acg_sim_grow_bps(const struct acg_scenario *sc)
{
	return sc->grow_bps > 0 ? sc->grow_bps : ACG_SIM_GROW_BPS;
}

double acg_sim_host_grow_bps(const struct acg_scenario *sc)
{
	return sc->host_grow_bps > 0 ? sc->host_grow_bps : ACG_SIM_HOST_GROW_BPS;
}

/*
 * How fast session i can grow in this step: the per-session rate, or its share of the
 * host's when the sessions growing at once (on the last step, and itself) would take more.
 * Under dynamic LOW threads run SCHED_IDLE (docs/controller.md): HIGH sessions growing
 * share the host first and LOW ones what is left (at least 1% of it, as the idle class
 * is never quite starved). Solo (shared false): each session runs alone.
 */
static double grow_rate(const struct acg_scenario *sc, const struct simses *x, size_t n, size_t i,
			bool shared, bool high_first)
{
	double rate = acg_sim_grow_bps(sc), host = acg_sim_host_grow_bps(sc), left;
	size_t hi = 0, lo = 0;

	if (!shared)
		return rate;
	for (size_t j = 0; j < n; j++) {
		if (j != i && (x[j].done || !x[j].grew))
			continue;
		if (high_first && x[j].high)
			hi++;
		else
			lo++;
	}
	if (high_first && x[i].high)
		return fmin(rate, host / (double)hi);
	left = fmax(host - (double)hi * rate, 0.01 * host);
	return fmin(rate, left / (double)lo);
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

struct lookarg {
	const struct acg_pol_cfg *cfg;
	struct acg_pol_state *st;
	const struct simses *x;
	struct acg_pol_reading *base;
};

/* A look at session i (acg_pol_look's callback): the model's usage and wait. */
static void look(void *arg, size_t i)
{
	const struct lookarg *a = arg;

	acg_sim_observe(a->cfg, a->st, i, &a->base[i], a->x[i].usage, a->x[i].waiting,
			a->x[i].done);
}

int acg_sim_run(const struct acg_scenario *sc, const size_t *idx, size_t n, const char *strategy,
		const struct acg_pol_cfg *cfg, struct acg_sim_result *ret)
{
	return acg_sim_run_watched(sc, idx, n, strategy, cfg, ret, NULL, NULL);
}

int acg_sim_run_watched(const struct acg_scenario *sc, const size_t *idx, size_t n,
			const char *strategy, const struct acg_pol_cfg *cfg,
			struct acg_sim_result *ret, acg_sim_action_fn fn, void *arg)
{
	bool dynamic = strategy && strcmp(strategy, "dynamic") == 0;
	bool stat = strategy && strcmp(strategy, "static") == 0;
	bool limited = strategy != NULL;
	struct acg_pol_session *ps = NULL;
	struct acg_pol_reading *base = NULL;
	struct acg_pol_state st = {.budget = sc->budget_bytes,
				   .high_last_growth = -INFINITY,
				   .last_kill = -INFINITY,
				   .last_swap = -INFINITY,
				   .swap_free = sc->swap_bytes,
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
		x[i].high = acg_prio_is_high(sp->prio);
		/* its baseline is in before the clock starts, as the replay's is */
		x[i].usage = x[i].target = sp->base_bytes;
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
			/* a finished session is gone, as a vanished cgroup is to the controller */
			for (size_t i = 0; i < n; i++)
				ps[i].gone = ps[i].gone || x[i].done;
			acg_pol_look(cfg, &st, look, &(struct lookarg){cfg, &st, x, base});
			na = acg_policy_decide(cfg, &st, act, 64);
			for (size_t a = 0; a < na; a++) {
				if (fn)
					fn(arg, now, &st, &act[a]);
				apply(&st, ret, x, &act[a], now);
			}
		}
		at_limit = false;
		for (size_t i = 0; i < n; i++) {
			if (x[i].done)
				continue;
			at_limit |= step(ret, x, n, i, dynamic ? ps : NULL, sc, dynamic, limited,
					 now, grow_rate(sc, x, n, i, limited, dynamic));
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
	return json_pack("{s:s, s:f, s:I, s:I, s:I, s:I, s:f, s:o}", "strategy", r->strategy,
			 "end_s", r->end_s, "peak_total_bytes", (json_int_t)r->peak_total,
			 "decisions", (json_int_t)r->decisions, "killed", (json_int_t)r->killed,
			 "swapped_out", (json_int_t)r->swapped_out, "work_lost_s", r->work_lost_s,
			 "sessions", sessions);
}
