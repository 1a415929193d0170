// SPDX-License-Identifier: GPL-2.0
/*
 * evaluate.c: the policy on random mixes of the corpus (model and terms in evaluate.h).
 *
 * Its size (about 700 lines): drawing mixes, the no-kill witness, the strategies run on
 * each mix and the tallies are one procedure; the witness could stand alone if it grows.
 *
 * Worked example of the witness: budget 1000 MiB, HIGH holds 200 MiB and will burst to 700
 * later; LOW a wants 250 MiB, b 250 MiB. From the start the witness keeps 700 free for
 * HIGH: a and b may hold 300 together, so a grows to 250 while b waits at its first size
 * (50); b moves once a is done, or once HIGH's burst is over and 700 is no longer ahead.
 */
#include "evaluate.h"

#include "oracle.h"
#include "policy.h"
#include "sim.h"
#include "stats.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* declared: dynamic with every HIGH session declaring its peak (a scenario's peak_mb, run
 * --peak-mb), as a user who knows it would; dynamic: nothing declared */
static const char *const strategies[ACG_EVAL_N_STRATEGIES] = {"none", "static", "dynamic",
							      "declared"};

const char *acg_eval_split_name(enum acg_eval_split s)
{
	return s == ACG_EVAL_TUNE ? "tune" : s == ACG_EVAL_TEST ? "test" : "all";
}

void acg_eval_cfg_default(struct acg_eval_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->dir = "traces";
	c->split = ACG_EVAL_TUNE;
	c->mixes = 200;
	c->seed = 1;
	c->ratios[0] = 1.2;
	c->ratios[1] = 1.5;
	c->ratios[2] = 2.0;
	c->n_ratios = 3;
	c->low_growth = ACG_POL_LOW_GROWTH;
	c->high_growth = ACG_POL_HIGH_GROWTH;
}

/* splitmix64: small, fast, the same sequence everywhere for a seed */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t rnd_below(uint64_t *s, size_t n)
{
	return (size_t)(rnd(s) % n);
}

/* The names heldout.txt lists (one a line, '#' comments), NULL-terminated. */
static int read_heldout(const char *dir, char ***ret, struct acg_diag *d)
{
	char path[4096], line[512];
	char **v = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, ACG_EVAL_HELDOUT);
	f = acg_fopen_user(path);
	if (!f)
		return acg_diag_fail(
			d, -errno,
			"%s: cannot read it (%s): it names the test split; --split all takes "
			"every trace",
			path, errno == EINVAL ? "not a regular file" : strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\r\n");
		char **nv;

		while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		line[len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		nv = realloc(v, (n + 2) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[n] = strdup(line);
		v[++n] = NULL;
		if (!v[n - 1])
			break;
	}
	fclose(f);
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return -ENOMEM;
	}
	*ret = v;
	return 0;
}

static bool listed(char *const *names, const char *name, size_t len)
{
	for (; names && *names; names++)
		if (strlen(*names) == len && strncmp(*names, name, len) == 0)
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int acg_eval_load_split(const char *dirpath, enum acg_eval_split split, struct acg_trace ***ret,
			size_t *ret_n, struct acg_diag *d)
{
	const struct acg_trace_opts opts = {true, 0};
	char **held = NULL, **files = NULL, path[4096];
	size_t n_files = 0;
	struct dirent *e;
	DIR *dir;
	int rc = 0;

	dir = opendir(dirpath);
	*ret = NULL;
	*ret_n = 0;
	if (!dir)
		return acg_diag_fail(d, -errno, "%s: cannot open the trace directory (%s)", dirpath,
				     strerror(errno));
	if (split != ACG_EVAL_ALL && (rc = read_heldout(dirpath, &held, d)) < 0) {
		closedir(dir);
		return rc;
	}
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		const char *dot = strrchr(e->d_name, '.');
		char **nf;

		if (e->d_name[0] == '.' || !dot || (strcmp(dot, ".json") && strcmp(dot, ".csv")))
			continue;
		len = (size_t)(dot - e->d_name);
		if (split != ACG_EVAL_ALL &&
		    listed(held, e->d_name, len) != (split == ACG_EVAL_TEST))
			continue;
		nf = realloc(files, (n_files + 1) * sizeof(*files));
		if (!nf || !(nf[n_files] = strdup(e->d_name))) {
			files = nf ? nf : files;
			rc = -ENOMEM;
			break;
		}
		files = nf;
		n_files++;
	}
	closedir(dir);
	for (size_t i = 0; held && held[i]; i++)
		free(held[i]);
	free(held);
	if (rc == 0 && n_files == 0)
		rc = acg_diag_fail(d, -ENOENT, "%s: no trace (*.json, *.csv) in the %s split%s",
				   dirpath, acg_eval_split_name(split),
				   split == ACG_EVAL_TEST ? " (the names in heldout.txt)"
				   : split == ACG_EVAL_TUNE
					   ? " (the traces heldout.txt does not name)"
					   : "");
	if (rc == 0) {
		qsort(files, n_files, sizeof(*files), cmp_str);
		(*ret) = calloc(n_files, sizeof(*(*ret)));
		if (!(*ret))
			rc = -ENOMEM;
	}
	for (size_t i = 0; rc == 0 && i < n_files; i++) {
		struct acg_diag td = {""};

		snprintf(path, sizeof(path), "%s/%s", dirpath, files[i]);
		rc = acg_trace_load(path, &opts, &(*ret)[i], &td);
		if (rc < 0)
			rc = acg_diag_fail(d, rc, "%s", td.msg[0] ? td.msg : strerror(-rc));
		else if ((*ret)[i]->n == 0)
			rc = acg_diag_fail(d, -EINVAL, "%s: no samples", path);
		else
			(*ret_n)++;
	}
	for (size_t i = 0; i < n_files; i++)
		free(files[i]);
	free(files);
	if (rc < 0) {
		for (size_t i = 0; *ret && i < *ret_n; i++)
			acg_trace_free((*ret)[i]);
		free(*ret);
		*ret = NULL;
		*ret_n = 0;
	}
	return rc;
}

/* The split's trace files of cfg->dir, loaded, sorted by name. */
static int load_traces(const struct acg_eval_cfg *cfg, struct acg_eval_result *r,
		       struct acg_diag *d)
{
	return acg_eval_load_split(cfg->dir, cfg->split, &r->traces, &r->n_traces, d);
}

static uint64_t peak_of(const struct acg_trace *t)
{
	struct acg_trace_summary s;

	acg_trace_summarize(t, &s);
	return s.peak_bytes + ACG_EVAL_BASE_BYTES;
}

/*
 * Draw mix i: 1-2 HIGH, 2-8 LOW, distinct traces while the split has enough; the budget is
 * the sum of peaks over the ratio. A draw whose HIGH sessions' peaks together exceed the
 * budget is drawn again (no strategy could keep HIGH whole).
 */
static int draw(const struct acg_eval_result *r, const double *peaks, double ratio, uint64_t *seed,
		struct acg_eval_mix *m, struct acg_diag *d)
{
	size_t pool[4096];

	for (int attempt = 0; attempt < 1000; attempt++) {
		size_t n_high = 1 + rnd_below(seed, 2), n_low = 2 + rnd_below(seed, 7);
		size_t np = r->n_traces < 4096 ? r->n_traces : 4096;
		double sum = 0, high = 0;

		for (size_t k = 0; k < np; k++)
			pool[k] = k;
		memset(m, 0, sizeof(*m));
		m->ratio = ratio;
		m->n = n_high + n_low;
		for (size_t k = 0; k < m->n; k++) {
			/* a partial shuffle: distinct while the pool lasts, then repeats */
			size_t left = np > k ? np - k : 0, pick;

			if (left) {
				size_t j = k + rnd_below(seed, left), tmp = pool[k];

				pool[k] = pool[j];
				pool[j] = tmp;
				pick = pool[k];
			} else {
				pick = rnd_below(seed, np);
			}
			m->trace[k] = pick;
			m->prio[k] = k < n_high ? ACG_PRIO_HIGH : ACG_PRIO_LOW;
			sum += peaks[pick];
			high += k < n_high ? peaks[pick] : 0;
		}
		m->budget_bytes = (uint64_t)(sum / ratio);
		if (high <= (double)m->budget_bytes)
			return 0;
	}
	return acg_diag_fail(
		d, -ERANGE,
		"ratio %g: 1000 draws in a row had HIGH sessions larger than the budget (the "
		"split's traces are too unequal for it)",
		ratio);
}

static double size_at(const struct acg_trace *t, double tau, size_t *k)
{
	while (*k + 1 < t->n && t->samples[*k + 1].t <= tau)
		(*k)++;
	return (double)(ACG_EVAL_BASE_BYTES + t->samples[*k].bytes);
}

/* The most t holds on (from, to]: every sample passed on the way, and where it ends. */
static double max_on(const struct acg_trace *t, double from, double to, size_t k)
{
	double m = 0;

	while (k + 1 < t->n && t->samples[k + 1].t <= to) {
		k++;
		if (t->samples[k].t > from)
			m = fmax(m, (double)(ACG_EVAL_BASE_BYTES + t->samples[k].bytes));
	}
	return fmax(m, (double)(ACG_EVAL_BASE_BYTES + t->samples[k].bytes));
}

struct wlow {
	const struct acg_trace *t;
	double pos, end, hold, peak;
	size_t k;
	bool started, done; /* not started: it waits at its start, holding its base only */
};

static int cmp_peak(const void *a, const void *b)
{
	const struct wlow *x = a, *y = b;

	return (x->peak > y->peak) - (x->peak < y->peak);
}

/*
 * The witness (evaluate.h): true when LOW sessions can all complete with HIGH unslowed
 * and nobody killed in budget, moving while what they hold plus HIGH's future peak fits;
 * each waits at its start holding its base only until it fits (as in the simulator).
 * serial: one LOW session at a time, the smallest peak first (a finished one frees its
 * memory for the larger ones); else every one that fits, in the mix's order.
 */
static bool witness(const struct acg_scenario *sc, double budget, bool serial)
{
	const double dt = ACG_SIM_STEP_S, step = dt * sc->speed;
	struct wlow low[ACG_EVAL_MAX_SESSIONS];
	size_t nl = 0, steps, left, hk[ACG_EVAL_MAX_SESSIONS];
	double high_end = 0, sum_low = 0, held = 0, *fut;
	bool ok = false;

	for (size_t i = 0; i < sc->n_sessions; i++) {
		const struct acg_trace *t = sc->sessions[i].trace;
		double end = t->samples[t->n - 1].t;

		if (sc->sessions[i].prio == ACG_PRIO_HIGH) {
			high_end = fmax(high_end, end / sc->speed);
			continue;
		}
		low[nl] = (struct wlow){
			t, 0,	  end,	(double)ACG_EVAL_BASE_BYTES, (double)peak_of(t),
			0, false, false};
		held += low[nl].hold;
		sum_low += end / sc->speed;
		nl++;
	}
	if (serial)
		qsort(low, nl, sizeof(*low), cmp_peak);
	steps = (size_t)ceil((high_end + sum_low) / dt) + 2 * nl + 2;
	fut = malloc((steps + 1) * sizeof(*fut));
	if (!fut)
		return false;
	/* fut[n]: the most the HIGH sessions hold together at any step from n on */
	memset(hk, 0, sizeof(hk));
	for (size_t n = 0; n <= steps; n++) {
		double h = 0;

		for (size_t i = 0; i < sc->n_sessions; i++) {
			const struct acg_trace *t = sc->sessions[i].trace;

			if (sc->sessions[i].prio == ACG_PRIO_HIGH &&
			    (double)n * dt <= t->samples[t->n - 1].t / sc->speed)
				h += size_at(t, (double)n * dt * sc->speed, &hk[i]);
		}
		fut[n] = h;
	}
	for (size_t n = steps; n-- > 0;)
		fut[n] = fmax(fut[n], fut[n + 1]);
	left = nl;
	if (fut[0] + held > budget)
		goto out;
	for (size_t n = 0; n < steps && left; n++) {
		for (size_t j = 0; j < nl; j++) {
			struct wlow *w = &low[j];
			double to, need;

			if (w->done)
				continue;
			if (!w->started) {
				/* it starts (grows from its base to its first sample) where that fits */
				need = size_at(w->t, 0, &w->k);
				if (fut[n + 1] + held - w->hold + need <= budget) {
					held += need - w->hold;
					w->hold = need;
					w->started = true;
				}
				if (serial)
					break;
				continue;
			}
			to = fmin(w->pos + step, w->end);
			need = max_on(w->t, w->pos, to, w->k);
			if (fut[n + 1] + held - w->hold + need <= budget) {
				held -= w->hold;
				w->pos = to;
				w->hold = size_at(w->t, to, &w->k);
				if (to >= w->end) {
					w->done = true;
					w->hold = 0;
					left--;
				}
				held += w->hold;
			}
			if (serial)
				break;
		}
	}
	ok = left == 0;
out:
	free(fut);
	return ok;
}

static bool witness_any(const struct acg_scenario *sc, double budget)
{
	return witness(sc, budget, false) || witness(sc, budget, true);
}

/*
 * The fewest LOW sessions of sc that, refused at their start, leave the rest a witnessed
 * no-kill schedule in budget: every subset of the LOW sessions, by size (at most 2^8);
 * SIZE_MAX when even refusing them all does not (HIGH alone does not fit).
 */
static size_t fewest_refused(const struct acg_scenario *sc, double budget)
{
	struct acg_scn_session keep[ACG_EVAL_MAX_SESSIONS];
	struct acg_scenario sub = *sc;
	size_t low[ACG_EVAL_MAX_SESSIONS], nl = 0;

	for (size_t i = 0; i < sc->n_sessions && i < ACG_EVAL_MAX_SESSIONS; i++)
		if (sc->sessions[i].prio != ACG_PRIO_HIGH)
			low[nl++] = i;
	for (size_t k = 1; k <= nl; k++)
		for (unsigned int mask = 1; mask < 1u << nl; mask++) {
			size_t n = 0, j = 0;

			if ((size_t)__builtin_popcount(mask) != k)
				continue;
			for (size_t i = 0; i < sc->n_sessions; i++) {
				bool refused = j < nl && low[j] == i && (mask >> j & 1);

				j += j < nl && low[j] == i;
				if (!refused)
					keep[n++] = sc->sessions[i];
			}
			sub.sessions = keep;
			sub.n_sessions = n;
			if (witness_any(&sub, budget))
				return k;
		}
	return SIZE_MAX;
}

/* the value at fraction q of v[0..n) sorted (nearest rank); NAN when empty */
static double quantile(double *v, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return NAN;
	acg_sort_d(v, n);
	i = (size_t)ceil(q * (double)n);
	return v[i ? i - 1 : 0];
}

struct acc {
	double *high, *low;
	size_t n_high, n_low;
};

static int simulate_mix(struct acg_eval_result *r, struct acg_eval_mix *m, struct acc *acc)
{
	struct acg_scn_session ses[ACG_EVAL_MAX_SESSIONS];
	struct acg_scenario sc = {0};
	struct acg_sim_result solo, res;
	struct acg_pol_cfg pcfg;
	size_t idx[ACG_EVAL_MAX_SESSIONS], nh = 0, nlow = 0;
	double bound[ACG_EVAL_MAX_SESSIONS];
	bool ruled_out = false;
	int rc;

	memset(ses, 0, sizeof(ses));
	for (size_t i = 0; i < m->n; i++) {
		bool high = m->prio[i] == ACG_PRIO_HIGH;

		snprintf(ses[i].name, sizeof(ses[i].name), "%s%zu", high ? "high" : "low",
			 high ? ++nh : ++nlow);
		ses[i].prio = m->prio[i];
		ses[i].base_bytes = ACG_EVAL_BASE_BYTES;
		ses[i].trace = r->traces[m->trace[i]];
		idx[i] = i;
	}
	sc.name = (char *)"evaluate";
	sc.budget_bytes = m->budget_bytes;
	sc.speed = ACG_EVAL_SPEED;
	sc.runs = 1;
	sc.binary_units = true;
	sc.sessions = ses;
	sc.n_sessions = m->n;
	sc.timeout_factor = 20;
	sc.swap_bytes = r->swap_bytes;
	acg_pol_cfg_default(&pcfg, sc.budget_bytes);
	pcfg.low_growth = r->low_growth;
	pcfg.high_growth = r->high_growth;

	/* the oracle: each LOW session's bound; one without a schedule rules out no-kill */
	for (size_t i = 0; i < m->n; i++) {
		bound[i] = NAN;
		if (m->prio[i] == ACG_PRIO_HIGH)
			continue;
		rc = acg_oracle_low_completion(&sc, i, &bound[i]);
		if (rc == -ERANGE)
			ruled_out = true;
		else if (rc == -ENOMEM)
			return rc;
		if (rc < 0)
			bound[i] = NAN;
	}
	if (witness_any(&sc, (double)sc.budget_bytes))
		m->no_kill = ACG_EVAL_EXISTS;
	else
		m->no_kill = ruled_out ? ACG_EVAL_RULED_OUT : ACG_EVAL_UNKNOWN;
	m->robust = m->no_kill == ACG_EVAL_EXISTS &&
		    witness_any(&sc, ACG_EVAL_ROBUST * (double)sc.budget_bytes);
	m->refused =
		m->no_kill == ACG_EVAL_EXISTS ? 0 : fewest_refused(&sc, (double)sc.budget_bytes);

	if ((rc = acg_sim_run(&sc, idx, m->n, NULL, &pcfg, &solo)) < 0)
		return rc;
	for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++) {
		struct acg_eval_outcome *o = &m->st[s];
		struct acc *a = &acc[s];
		bool declared = strcmp(strategies[s], "declared") == 0;

		for (size_t i = 0; i < m->n; i++)
			ses[i].peak_bytes =
				declared && m->prio[i] == ACG_PRIO_HIGH ? peak_of(ses[i].trace) : 0;
		rc = acg_sim_run(&sc, idx, m->n, declared ? "dynamic" : strategies[s], &pcfg, &res);
		if (rc < 0) {
			acg_sim_result_free(&solo);
			return rc;
		}
		for (size_t i = 0; i < m->n; i++) {
			const struct acg_sim_session *x = &res.s[i];
			bool high = m->prio[i] == ACG_PRIO_HIGH;

			o->killed += x->killed;
			o->high_killed += x->killed && high;
			o->timeouts += x->timed_out;
			if (!x->completed)
				continue;
			if (high && solo.s[i].completed && solo.s[i].completion_s > 0)
				a->high[a->n_high++] = x->completion_s / solo.s[i].completion_s;
			else if (!high && isfinite(bound[i]) && bound[i] > 0) {
				a->low[a->n_low++] = x->completion_s / bound[i];
				o->low_vs_oracle_max =
					fmax(o->low_vs_oracle_max, x->completion_s / bound[i]);
			}
		}
		o->lost_s = res.work_lost_s;
		o->swapped_out = res.swapped_out;
		acg_sim_result_free(&res);
	}
	acg_sim_result_free(&solo);
	m->least_lost_s = 0;
	if (m->no_kill != ACG_EVAL_EXISTS) {
		m->least_lost_s = INFINITY;
		for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++)
			m->least_lost_s = fmin(m->least_lost_s, m->st[s].lost_s);
	}
	return 0;
}

int acg_eval_run(const struct acg_eval_cfg *cfg, struct acg_eval_result *ret, struct acg_diag *d)
{
	struct acc acc[ACG_EVAL_N_STRATEGIES] = {0};
	uint64_t seed = cfg->seed;
	double *peaks = NULL;
	int rc;

	memset(ret, 0, sizeof(*ret));
	ret->split = cfg->split;
	ret->seed = cfg->seed;
	ret->low_growth = cfg->low_growth;
	ret->high_growth = cfg->high_growth;
	ret->swap_bytes = cfg->swap_bytes;
	if (cfg->n_ratios == 0 || cfg->n_ratios > ACG_EVAL_MAX_RATIOS)
		return acg_diag_fail(d, -EINVAL, "ratios: give 1 to %d", ACG_EVAL_MAX_RATIOS);
	for (size_t i = 0; i < cfg->n_ratios; i++) {
		if (!isfinite(cfg->ratios[i]) || cfg->ratios[i] < 1 || cfg->ratios[i] > 100)
			return acg_diag_fail(
				d, -EINVAL,
				"ratio %g: an overcommit ratio (the sessions' peaks over the "
				"budget) must be from 1 to 100",
				cfg->ratios[i]);
		ret->ratios[i] = cfg->ratios[i];
		ret->by_ratio[i].ratio = cfg->ratios[i];
	}
	ret->n_ratios = cfg->n_ratios;
	if (cfg->mixes == 0)
		return acg_diag_fail(d, -EINVAL, "mixes: at least 1");
	if ((rc = load_traces(cfg, ret, d)) < 0)
		goto out;
	rc = -ENOMEM;
	peaks = calloc(ret->n_traces, sizeof(*peaks));
	ret->mixes = calloc(cfg->mixes, sizeof(*ret->mixes));
	if (!peaks || !ret->mixes)
		goto out;
	for (size_t i = 0; i < ret->n_traces; i++)
		peaks[i] = (double)peak_of(ret->traces[i]);
	for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++) {
		acc[s].high = calloc(cfg->mixes * ACG_EVAL_MAX_SESSIONS, sizeof(double));
		acc[s].low = calloc(cfg->mixes * ACG_EVAL_MAX_SESSIONS, sizeof(double));
		if (!acc[s].high || !acc[s].low)
			goto out;
	}
	for (size_t i = 0; i < cfg->mixes; i++) {
		struct acg_eval_mix *m = &ret->mixes[i];
		struct acg_eval_ratio *br = &ret->by_ratio[i % cfg->n_ratios];

		if ((rc = draw(ret, peaks, cfg->ratios[i % cfg->n_ratios], &seed, m, d)) < 0 ||
		    (rc = simulate_mix(ret, m, acc)) < 0)
			goto out;
		ret->n_mixes++;
		ret->no_kill += m->no_kill == ACG_EVAL_EXISTS;
		ret->robust += m->robust;
		ret->ruled_out += m->no_kill == ACG_EVAL_RULED_OUT;
		ret->unknown += m->no_kill == ACG_EVAL_UNKNOWN;
		br->mixes++;
		br->no_kill += m->no_kill == ACG_EVAL_EXISTS;
		br->robust += m->robust;
		br->ruled_out += m->no_kill == ACG_EVAL_RULED_OUT;
		br->unknown += m->no_kill == ACG_EVAL_UNKNOWN;
		if (m->no_kill != ACG_EVAL_EXISTS) {
			ret->lossy++;
			if (m->refused != SIZE_MAX) {
				ret->lossy_refusable++;
				ret->refused_total += m->refused;
				ret->refused_max = ret->refused_max > m->refused ? ret->refused_max
										 : m->refused;
			}
		}
		for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++) {
			struct acg_eval_strategy *st = &ret->st[s];
			const struct acg_eval_outcome *o = &m->st[s];

			st->kills += o->killed;
			st->swapped_out += o->swapped_out;
			st->high_kills += o->high_killed;
			st->timeouts += o->timeouts;
			st->mixes_lost_robust += m->robust && o->killed + o->timeouts > 0;
			st->lost_s += o->lost_s;
			st->excess_lost_s += o->lost_s - m->least_lost_s;
			if (m->no_kill != ACG_EVAL_EXISTS) {
				st->lossy_lost += o->killed + o->timeouts;
				st->lossy_lost_s += o->lost_s;
			}
			br->kills[s] += o->killed;
			br->timeouts[s] += o->timeouts;
			br->mixes_lost_robust[s] += m->robust && o->killed + o->timeouts > 0;
			br->lost_s[s] += o->lost_s;
		}
	}
	for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++) {
		struct acg_eval_strategy *st = &ret->st[s];

		st->name = strategies[s];
		st->n_high = acc[s].n_high;
		st->high_median = quantile(acc[s].high, acc[s].n_high, 0.5);
		st->high_p90 = quantile(acc[s].high, acc[s].n_high, 0.9);
		st->high_max = quantile(acc[s].high, acc[s].n_high, 1);
		st->n_low = acc[s].n_low;
		st->low_median = quantile(acc[s].low, acc[s].n_low, 0.5);
		st->low_p90 = quantile(acc[s].low, acc[s].n_low, 0.9);
	}
	rc = 0;
out:
	if (rc == -ENOMEM && !d->msg[0])
		acg_diag_fail(d, rc, "out of memory");
	for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++) {
		free(acc[s].high);
		free(acc[s].low);
	}
	free(peaks);
	if (rc < 0)
		acg_eval_result_free(ret);
	return rc;
}

void acg_eval_result_free(struct acg_eval_result *r)
{
	for (size_t i = 0; i < r->n_traces; i++)
		acg_trace_free(r->traces[i]);
	free(r->traces);
	free(r->mixes);
	r->traces = NULL;
	r->mixes = NULL;
	r->n_traces = r->n_mixes = 0;
}

static json_t *real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static const char *nokill_name(enum acg_eval_nokill k)
{
	return k == ACG_EVAL_EXISTS ? "exists" : k == ACG_EVAL_RULED_OUT ? "ruled_out" : "unknown";
}

json_t *acg_eval_result_json(const struct acg_eval_result *r)
{
	json_t *ratios = json_array(), *traces = json_array(), *st = json_array();
	json_t *mixes = json_array(), *by = json_array();

	for (size_t i = 0; i < r->n_ratios; i++)
		json_array_append_new(ratios, json_real(r->ratios[i]));
	for (size_t i = 0; i < r->n_traces; i++)
		json_array_append_new(traces, json_string(r->traces[i]->name));
	for (size_t i = 0; i < r->n_ratios; i++) {
		const struct acg_eval_ratio *b = &r->by_ratio[i];
		json_t *out = json_object();

		for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++)
			json_object_set_new(
				out, strategies[s],
				json_pack("{s:I, s:I, s:I, s:f}", "kills", (json_int_t)b->kills[s],
					  "timeouts", (json_int_t)b->timeouts[s],
					  "mixes_lost_robust", (json_int_t)b->mixes_lost_robust[s],
					  "work_lost_s", b->lost_s[s]));
		json_array_append_new(by, json_pack("{s:f, s:I, s:I, s:I, s:I, s:I, s:o}", "ratio",
						    b->ratio, "mixes", (json_int_t)b->mixes,
						    "no_kill_exists", (json_int_t)b->no_kill,
						    "robust", (json_int_t)b->robust, "ruled_out",
						    (json_int_t)b->ruled_out, "unknown",
						    (json_int_t)b->unknown, "strategies", out));
	}
	for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++) {
		const struct acg_eval_strategy *x = &r->st[s];

		json_array_append_new(
			st,
			json_pack(
				"{s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:{s:I, s:o, s:o, s:o}, "
				"s:{s:I, s:o, s:o}, s:{s:I, s:f}}",
				"strategy", x->name, "kills", (json_int_t)x->kills, "high_kills",
				(json_int_t)x->high_kills, "timeouts", (json_int_t)x->timeouts,
				"swapped_out", (json_int_t)x->swapped_out, "mixes_lost_robust",
				(json_int_t)x->mixes_lost_robust, "work_lost_s", x->lost_s,
				"excess_lost_s", x->excess_lost_s, "high_slowdown", "n",
				(json_int_t)x->n_high, "median", real_or_null(x->high_median),
				"p90", real_or_null(x->high_p90), "max", real_or_null(x->high_max),
				"low_vs_oracle", "n", (json_int_t)x->n_low, "median",
				real_or_null(x->low_median), "p90", real_or_null(x->low_p90),
				"where_no_schedule", "sessions_lost", (json_int_t)x->lossy_lost,
				"work_lost_s", x->lossy_lost_s));
	}
	for (size_t i = 0; i < r->n_mixes; i++) {
		const struct acg_eval_mix *m = &r->mixes[i];
		json_t *ses = json_array(), *out = json_object();

		for (size_t k = 0; k < m->n; k++)
			json_array_append_new(
				ses, json_pack("{s:s, s:s}", "trace", r->traces[m->trace[k]]->name,
					       "priority", acg_prio_name(m->prio[k])));
		for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++)
			json_object_set_new(out, strategies[s],
					    json_pack("{s:I, s:I, s:I, s:f, s:f}", "killed",
						      (json_int_t)m->st[s].killed, "high_killed",
						      (json_int_t)m->st[s].high_killed, "timeouts",
						      (json_int_t)m->st[s].timeouts, "work_lost_s",
						      m->st[s].lost_s, "low_vs_oracle_max",
						      m->st[s].low_vs_oracle_max));
		json_array_append_new(
			mixes,
			json_pack("{s:f, s:I, s:o, s:s, s:b, s:f, s:o, s:o}", "ratio", m->ratio,
				  "budget_bytes", (json_int_t)m->budget_bytes, "sessions", ses,
				  "no_kill", nokill_name(m->no_kill), "robust", m->robust,
				  "least_lost_s", m->least_lost_s, "refused_at_start",
				  m->refused == SIZE_MAX ? json_null()
							 : json_integer((json_int_t)m->refused),
				  "strategies", out));
	}
	return json_pack(
		"{s:s, s:I, s:f, s:I, s:{s:I, s:I}, s:I, s:o, s:o, "
		"s:{s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}}, s:o, s:o, s:o}",
		"split", acg_eval_split_name(r->split), "seed", (json_int_t)r->seed, "speed",
		ACG_EVAL_SPEED, "base_bytes", (json_int_t)ACG_EVAL_BASE_BYTES,
		"expected_growth_bytes", "low", (json_int_t)r->low_growth, "high",
		(json_int_t)r->high_growth, "swap_bytes", (json_int_t)r->swap_bytes, "ratios",
		ratios, "traces", traces, "oracle", "no_kill_exists", (json_int_t)r->no_kill,
		"robust", (json_int_t)r->robust, "ruled_out", (json_int_t)r->ruled_out, "unknown",
		(json_int_t)r->unknown, "where_no_schedule", "mixes", (json_int_t)r->lossy,
		"refusing_suffices", (json_int_t)r->lossy_refusable, "refused_at_start",
		(json_int_t)r->refused_total, "most_refused_in_a_mix", (json_int_t)r->refused_max,
		"strategies", st, "by_ratio", by, "mixes", mixes);
}
