// SPDX-License-Identifier: GPL-2.0
/*
 * oracle.c: the lower bound of oracle.h.
 *
 * Grid: time steps of dt; session j's timeline cut into units of dt x speed trace
 * seconds, each unit carrying the size of the trace where it starts (the step function).
 * A state is "done u units" (0..U); reachable[u] says whether some schedule has done u
 * units by now with every instant fitting. One step: from u, stay (if unit u's size fits
 * the next instant's capacity) or advance to u + 1 (if unit u + 1's size fits). The
 * answer is the first step at which U is reachable.
 * Worked example: capacity 100 MiB until t = 1 s, 150 MiB after; j needs 120 MiB for its
 * first second, then 50: it cannot even start (120 > 100), so it is infeasible; with
 * the sizes the other way round (50 then 120) it runs its first second, waits at the
 * boundary for nothing (the capacity rises at 1 s) and finishes at 2 s.
 */
#include "oracle.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Size of session s at trace time tau (the step function), with its baseline. */
static double size_at(const struct acg_scn_session *s, double tau)
{
	const struct acg_trace *t = s->trace;
	size_t lo = 0, hi = t->n - 1;

	if (tau <= t->samples[0].t)
		return (double)(s->base_bytes + t->samples[0].bytes);
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;

		if (t->samples[mid].t <= tau)
			lo = mid;
		else
			hi = mid - 1;
	}
	return (double)(s->base_bytes + t->samples[lo].bytes);
}

static double duration(const struct acg_scn_session *s)
{
	return s->trace->samples[s->trace->n - 1].t;
}

/*
 * The least a LOW session holds while it could still be running: its baseline, as a session
 * may wait at its start holding that alone (the simulator and the bench start every
 * session at its baseline and grow it to its first sample from there). Counting its
 * smallest sample too, as the bound did until 2026-12-06, ruled out schedules the
 * simulator's own dynamic then carried out: LOW sessions run one at a time while the
 * others wait at their base.
 */
static double least_held(const struct acg_scn_session *s)
{
	return (double)s->base_bytes;
}

/* Capacity left for LOW sessions a and b at time t: the budget minus HIGH and the others. */
static double pair_capacity(const struct acg_scenario *sc, size_t a, size_t b, double t)
{
	double c = (double)sc->budget_bytes;

	for (size_t k = 0; k < sc->n_sessions; k++) {
		const struct acg_scn_session *s = &sc->sessions[k];
		double end = duration(s) / sc->speed;

		if (k == a || k == b)
			continue;
		if (acg_prio_is_high(s->prio))
			c -= t <= end ? size_at(s, t * sc->speed) : 0;
		else
			c -= t < end ? least_held(s) : 0;
	}
	return c;
}

/* C_j(t): what j may hold at time t (seconds from the start). */
static double capacity(const struct acg_scenario *sc, size_t j, double t)
{
	return pair_capacity(sc, j, j, t);
}

int acg_oracle_low_completion(const struct acg_scenario *sc, size_t j, double *ret_s)
{
	const struct acg_scn_session *s = &sc->sessions[j];
	double dur, dt, *unit_size;
	size_t units, max_steps;
	bool *reach, *next;
	int rc = -ERANGE;

	if (acg_scenario_unmodelled(sc))
		return -EOPNOTSUPP;
	if (j >= sc->n_sessions || acg_prio_is_high(s->prio))
		return -EINVAL;
	dur = duration(s) / sc->speed;
	/* 10 ms, or coarser so the grid stays below 200k units */
	dt = fmax(0.01, dur / 200000);
	units = (size_t)ceil(dur / dt);
	if (units == 0) {
		*ret_s = 0;
		return 0;
	}
	/* no schedule needs longer than: the latest HIGH end, then its own timeline */
	max_steps = units;
	for (size_t k = 0; k < sc->n_sessions; k++)
		max_steps += (size_t)ceil(duration(&sc->sessions[k]) / sc->speed / dt);
	/* the sweep costs units x steps: refuse what would take minutes */
	if ((double)units * (double)max_steps > 5e8)
		return -E2BIG;
	/* state 0: not started yet, holding its baseline only; state u + 1: at unit u of its
	 * timeline; the last: done */
	unit_size = malloc((units + 2) * sizeof(*unit_size));
	reach = calloc(units + 2, sizeof(*reach));
	next = calloc(units + 2, sizeof(*next));
	if (!unit_size || !reach || !next) {
		rc = -ENOMEM;
		goto out;
	}
	unit_size[0] = (double)s->base_bytes;
	for (size_t u = 0; u <= units; u++)
		unit_size[u + 1] = size_at(s, (double)u * dt * sc->speed);
	if (unit_size[0] > capacity(sc, j, 0))
		goto out;
	reach[0] = true;
	reach[1] = unit_size[1] <= capacity(sc, j, 0); /* it may start at once */
	for (size_t n = 1; n <= max_steps; n++) {
		double cap = capacity(sc, j, (double)n * dt);
		bool any = false;

		memset(next, 0, (units + 2) * sizeof(*next));
		for (size_t u = 0; u <= units + 1; u++) {
			if (!reach[u])
				continue;
			if (unit_size[u] <= cap)
				next[u] = any = true;
			if (u <= units && unit_size[u + 1] <= cap)
				next[u + 1] = any = true;
		}
		if (!any)
			goto out; /* every schedule breaks the budget here */
		if (next[units + 1]) {
			*ret_s = (double)n * dt;
			rc = 0;
			goto out;
		}
		memcpy(reach, next, (units + 2) * sizeof(*reach));
	}
out:
	free(unit_size);
	free(reach);
	free(next);
	return rc;
}

struct grid {
	/* per state: 0 not started (its baseline), u + 1 at unit u of its timeline; the last
	 * state's size is 0: a finished session holds nothing */
	double *size;
	size_t units; /* the last state's index */
};

static int make_grid(const struct acg_scenario *sc, size_t j, double dt, struct grid *g)
{
	const struct acg_scn_session *s = &sc->sessions[j];
	size_t timeline = (size_t)ceil(duration(s) / sc->speed / dt);

	g->units = timeline + 1;
	g->size = malloc((g->units + 1) * sizeof(*g->size));
	if (!g->size)
		return -ENOMEM;
	g->size[0] = (double)s->base_bytes;
	for (size_t u = 0; u < timeline; u++)
		g->size[u + 1] = size_at(s, (double)u * dt * sc->speed);
	g->size[g->units] = 0;
	return 0;
}

/* The joint sweep over (u_a, u_b) for two LOW sessions. */
static int pair_makespan(const struct acg_scenario *sc, size_t a, size_t b, double *ret_s)
{
	double dt = 0.01;
	struct grid ga = {0}, gb = {0};
	bool *reach = NULL, *next = NULL;
	size_t w, cells, max_steps = 0;
	double cap0;
	int rc = -ENOMEM;

	for (size_t k = 0; k < sc->n_sessions; k++)
		max_steps += (size_t)ceil(duration(&sc->sessions[k]) / sc->speed / dt) + 1;
	if (make_grid(sc, a, dt, &ga) < 0 || make_grid(sc, b, dt, &gb) < 0)
		goto out;
	w = gb.units + 1;
	cells = (ga.units + 1) * w;
	if (cells > (size_t)4 << 20 || (double)cells * (double)max_steps > 2e9) {
		rc = -E2BIG;
		goto out;
	}
	reach = calloc(cells, sizeof(*reach));
	next = calloc(cells, sizeof(*next));
	if (!reach || !next)
		goto out;
	rc = -ERANGE;
	cap0 = pair_capacity(sc, a, b, 0);
	if (ga.size[0] + gb.size[0] > cap0)
		goto out;
	/* either may start at once, or wait at its start */
	for (size_t i = 0; i <= 1 && i <= ga.units; i++)
		for (size_t k = 0; k <= 1 && k <= gb.units; k++)
			reach[i * w + k] = ga.size[i] + gb.size[k] <= cap0;
	for (size_t n = 1; n <= max_steps; n++) {
		double cap = pair_capacity(sc, a, b, (double)n * dt);
		bool any = false;

		memset(next, 0, cells * sizeof(*next));
		for (size_t i = 0; i <= ga.units; i++) {
			for (size_t k = 0; k <= gb.units; k++) {
				if (!reach[i * w + k])
					continue;
				/* each may stay or take one unit, if the pair still fits */
				for (size_t di = 0; di <= (i < ga.units ? 1u : 0u); di++) {
					for (size_t dk = 0; dk <= (k < gb.units ? 1u : 0u); dk++) {
						size_t ni = i + di, nk = k + dk;

						if (ga.size[ni] + gb.size[nk] <= cap) {
							next[ni * w + nk] = true;
							any = true;
						}
					}
				}
			}
		}
		if (!any)
			goto out;
		if (next[ga.units * w + gb.units]) {
			*ret_s = (double)n * dt;
			rc = 0;
			goto out;
		}
		memcpy(reach, next, cells * sizeof(*reach));
	}
out:
	free(ga.size);
	free(gb.size);
	free(reach);
	free(next);
	return rc;
}

int acg_oracle_low_makespan(const struct acg_scenario *sc, double *ret_s, bool *ret_exact)
{
	size_t low[2], n_low = 0;
	double worst = 0;
	int r;

	if (acg_scenario_unmodelled(sc))
		return -EOPNOTSUPP;
	for (size_t i = 0; i < sc->n_sessions; i++) {
		if (acg_prio_is_high(sc->sessions[i].prio))
			continue;
		if (n_low < 2)
			low[n_low] = i;
		n_low++;
	}
	if (n_low == 2) {
		r = pair_makespan(sc, low[0], low[1], ret_s);
		if (r != -E2BIG) {
			*ret_exact = true;
			return r;
		}
	}
	for (size_t i = 0; i < sc->n_sessions; i++) {
		double s;

		if (acg_prio_is_high(sc->sessions[i].prio))
			continue;
		r = acg_oracle_low_completion(sc, i, &s);
		if (r < 0)
			return r;
		worst = fmax(worst, s);
	}
	*ret_s = worst;
	*ret_exact = n_low <= 1;
	return 0;
}
