// SPDX-License-Identifier: GPL-2.0
/*
 * bench_summary.c: from run documents to the bench summary, and the summary to Markdown.
 *
 * Its size (about 690 lines): the summary and its Markdown are one schema
 * (docs/bench.md), kept side by side so a key added to one is seen in the other.
 * Only the data files are read, so a summary can be recomputed from a results directory.
 *
 * Per strategy and priority class, each (run, session) of that class gives one completion
 * time (if it completed) and one slowdown: its completion over the median completion of
 * the same session alone (the solo runs). Medians come with an order-statistic 95%
 * confidence interval (lib/support/stats.c); with fewer than 6 values that interval is [min, max]
 * and its real coverage is reported, so small samples are flagged, not hidden.
 */
#include "bench.h"

#include "stats.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct vec {
	double *v;
	size_t n, cap;
};

static void push(struct vec *x, double d)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		double *nv = realloc(x->v, cap * sizeof(*nv));

		if (!nv)
			return;
		x->v = nv;
		x->cap = cap;
	}
	x->v[x->n++] = d;
}

static json_t *dist_json(struct vec *x)
{
	struct acg_ci ci;

	if (x->n == 0)
		return json_null();
	acg_median_ci(x->v, x->n, 0.95, &ci);
	return json_pack("{s:f, s:f, s:f, s:f, s:I}", "median", acg_median(x->v, x->n), "ci_lo",
			 ci.lo, "ci_hi", ci.hi, "ci_coverage", ci.coverage, "n", (json_int_t)x->n);
}

static json_t *real_or_null(double d)
{
	return isfinite(d) ? json_real(d) : json_null();
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Median solo completion of session name, over the solo runs. */
static double solo_median(json_t *runs, const char *name)
{
	struct vec x = {0};
	json_t *run, *s;
	size_t i, j;
	double m;

	json_array_foreach(runs, i, run) {
		if (strcmp(json_string_value(json_object_get(run, "strategy")), "solo") != 0)
			continue;
		json_array_foreach(json_object_get(run, "sessions"), j, s)
			if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0 &&
			    json_is_number(json_object_get(s, "completion_s")))
				push(&x, num(s, "completion_s"));
	}
	m = x.n ? acg_median(x.v, x.n) : NAN;
	free(x.v);
	return m;
}

struct class_acc {
	struct vec completion, slowdown, grow_p50_ms, grow_p95_ms, grow_p99_ms, high_events;
};

static void class_free(struct class_acc *c)
{
	free(c->completion.v);
	free(c->slowdown.v);
	free(c->grow_p50_ms.v);
	free(c->grow_p95_ms.v);
	free(c->grow_p99_ms.v);
	free(c->high_events.v);
}

static json_t *class_json(struct class_acc *c)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "completion_s",
			 dist_json(&c->completion), "slowdown", dist_json(&c->slowdown),
			 "growth_p50_ms", dist_json(&c->grow_p50_ms), "growth_p95_ms",
			 dist_json(&c->grow_p95_ms), "growth_p99_ms", dist_json(&c->grow_p99_ms),
			 "memory_high_events", dist_json(&c->high_events));
}

static json_t *strategy_summary(json_t *runs, const char *strategy)
{
	struct class_acc cls[2] = {0};
	json_int_t n_runs = 0, completed = 0, killed = 0, oom = 0, failed = 0, timeouts = 0;
	json_int_t last_run = -1;
	json_t *run, *s;
	size_t i, j;
	json_t *doc;

	json_array_foreach(runs, i, run) {
		if (strcmp(json_string_value(json_object_get(run, "strategy")), strategy) != 0)
			continue;
		/* solo has one run document per session: count run indices, not documents */
		if (json_integer_value(json_object_get(run, "run")) != last_run)
			n_runs++;
		last_run = json_integer_value(json_object_get(run, "run"));
		json_array_foreach(json_object_get(run, "sessions"), j, s) {
			const char *st = json_string_value(json_object_get(s, "status"));
			const char *by = json_string_value(json_object_get(s, "killed_by"));
			const char *pr = json_string_value(json_object_get(s, "priority"));
			struct class_acc *c = &cls[strcmp(pr, "high") == 0 ? 0 : 1];
			json_t *ev = json_object_get(s, "memory_events_delta"), *lat;
			double solo;

			completed += strcmp(st, "completed") == 0;
			killed += strcmp(st, "killed") == 0;
			failed += strcmp(st, "failed") == 0;
			oom += by && strcmp(by, "oom") == 0;
			timeouts += by && strcmp(by, "timeout") == 0;
			if (json_is_number(json_object_get(ev, "high")))
				push(&c->high_events, num(ev, "high"));
			lat = json_object_get(json_object_get(s, "growth"), "latency_us");
			/* a session that never grew has no latency to speak of (not zero) */
			if (num(lat, "count") > 0) {
				push(&c->grow_p50_ms, num(lat, "p50") / 1e3);
				push(&c->grow_p95_ms, num(lat, "p95") / 1e3);
				push(&c->grow_p99_ms, num(lat, "p99") / 1e3);
			}
			if (strcmp(st, "completed") != 0)
				continue;
			push(&c->completion, num(s, "completion_s"));
			solo = solo_median(runs, json_string_value(json_object_get(s, "name")));
			if (solo > 0)
				push(&c->slowdown, num(s, "completion_s") / solo);
		}
	}
	doc = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "strategy", strategy,
			"runs", n_runs, "completed", completed, "killed", killed, "killed_oom", oom,
			"killed_timeout", timeouts, "failed", failed, "high", class_json(&cls[0]),
			"low", class_json(&cls[1]));
	class_free(&cls[0]);
	class_free(&cls[1]);
	return doc;
}

static double median_of(json_t *strategy, const char *cls, const char *metric)
{
	return num(json_object_get(json_object_get(strategy, cls), metric), "median");
}

json_t *acg_bench_summarize(json_t *runs, json_t *unavailable)
{
	json_t *strategies = json_array(), *run, *none = NULL, *doc;
	size_t i;

	/* every strategy that ran, in the order of first appearance */
	json_array_foreach(runs, i, run) {
		const char *name = json_string_value(json_object_get(run, "strategy"));
		bool seen = false;
		json_t *st;
		size_t k;

		json_array_foreach(strategies, k, st)
			seen = seen || strcmp(json_string_value(json_object_get(st, "strategy")),
					      name) == 0;
		if (!seen)
			json_array_append_new(strategies, strategy_summary(runs, name));
	}
	json_array_foreach(strategies, i, run)
		if (strcmp(json_string_value(json_object_get(run, "strategy")), "none") == 0)
			none = run;
	/* against none: ratios of median completion per class */
	json_array_foreach(strategies, i, run) {
		double hn = none ? median_of(none, "high", "completion_s") : NAN;
		double ln = none ? median_of(none, "low", "completion_s") : NAN;

		json_object_set_new(
			run, "vs_none",
			none ? json_pack(
				       "{s:o, s:o, s:I}", "high_completion_ratio",
				       real_or_null(median_of(run, "high", "completion_s") / hn),
				       "low_completion_ratio",
				       real_or_null(median_of(run, "low", "completion_s") / ln),
				       "killed_diff",
				       json_integer_value(json_object_get(run, "killed")) -
					       json_integer_value(json_object_get(none, "killed")))
			     : json_null());
	}
	doc = json_pack("{s:o, s:o}", "strategies", strategies, "unavailable",
			unavailable ? json_incref(unavailable) : json_object());
	return doc;
}

/* Median real completion of session name under strategy, and how often it was killed. */
static double real_median(json_t *runs, const char *strategy, const char *name,
			  json_int_t *ret_killed, json_int_t *ret_runs)
{
	struct vec x = {0};
	json_t *run, *s;
	size_t i, j;
	double m;

	*ret_killed = *ret_runs = 0;
	json_array_foreach(runs, i, run) {
		if (strcmp(json_string_value(json_object_get(run, "strategy")), strategy) != 0)
			continue;
		json_array_foreach(json_object_get(run, "sessions"), j, s) {
			if (strcmp(json_string_value(json_object_get(s, "name")), name) != 0)
				continue;
			(*ret_runs)++;
			if (json_is_number(json_object_get(s, "completion_s")))
				push(&x, num(s, "completion_s"));
			else
				(*ret_killed)++;
		}
	}
	m = x.n ? acg_median(x.v, x.n) : NAN;
	free(x.v);
	return m;
}

void acg_bench_compare_sim(json_t *summary, json_t *runs, json_t *sims)
{
	json_t *cmp = json_array(), *sim, *s;
	const char *strategy;
	size_t j;

	json_object_foreach(sims, strategy, sim) {
		json_array_foreach(json_object_get(sim, "sessions"), j, s) {
			const char *name = json_string_value(json_object_get(s, "name"));
			json_int_t killed, n;
			double real = real_median(runs, strategy, name, &killed, &n);
			double simc = num(s, "completion_s");

			if (n == 0)
				continue;
			json_array_append_new(
				cmp,
				json_pack("{s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:b}", "strategy",
					  strategy, "session", name, "real_median_s",
					  real_or_null(real), "simulated_s", real_or_null(simc),
					  "error_pct", real_or_null(100 * (simc - real) / real),
					  "real_killed", killed, "real_runs", n, "simulated_killed",
					  json_is_null(json_object_get(s, "completion_s"))));
		}
	}
	json_object_set_new(summary, "simulation", json_incref(sims));
	json_object_set_new(summary, "simulation_vs_real", cmp);
}

/* When run's LOW sessions were all done (the latest completion), or NAN if one was not. */
static double low_makespan(json_t *run)
{
	double m = 0;
	json_t *s;
	size_t j;

	json_array_foreach(json_object_get(run, "sessions"), j, s) {
		if (strcmp(json_string_value(json_object_get(s, "priority")), "high") == 0)
			continue;
		if (!json_is_number(json_object_get(s, "completion_s")))
			return NAN;
		m = fmax(m, num(s, "completion_s"));
	}
	return m;
}

void acg_bench_add_oracle(json_t *summary, json_t *runs, double oracle_s, bool exact)
{
	json_t *per = json_object(), *st;
	size_t i;

	json_array_foreach(json_object_get(summary, "strategies"), i, st) {
		const char *name = json_string_value(json_object_get(st, "strategy"));
		struct vec x = {0};
		json_t *run;
		size_t k;
		double m;

		if (strcmp(name, "solo") == 0)
			continue;
		json_array_foreach(runs, k, run) {
			double v;

			if (strcmp(json_string_value(json_object_get(run, "strategy")), name) != 0)
				continue;
			v = low_makespan(run);
			if (isfinite(v))
				push(&x, v);
		}
		m = x.n ? acg_median(x.v, x.n) : NAN;
		json_object_set_new(per, name,
				    json_pack("{s:o, s:I, s:o}", "low_done_median_s",
					      real_or_null(m), "runs_all_low_done", (json_int_t)x.n,
					      "ratio_to_oracle",
					      real_or_null(oracle_s > 0 ? m / oracle_s : NAN)));
		free(x.v);
	}
	json_object_set_new(summary, "oracle",
			    json_pack("{s:o, s:s, s:b, s:o}", "low_done_s",
				      real_or_null(oracle_s > 0 ? oracle_s : NAN), "status",
				      oracle_s > 0     ? "ok"
				      : oracle_s == -1 ? "infeasible"
						       : "not computed",
				      "exact", exact, "strategies", per));
}

void acg_bench_mark_unmodelled(json_t *summary, const char *why)
{
	json_t *o = json_object_get(summary, "oracle");

	json_object_set_new(summary, "simulation_unavailable", json_string(why));
	if (json_is_object(o)) {
		json_object_set_new(o, "status", json_string("unavailable"));
		json_object_set_new(o, "reason", json_string(why));
	}
}

/* Completion times of class cls ("high"/"low") under strategy, every run and session. */
static void completions(json_t *runs, const char *strategy, const char *cls, struct vec *x)
{
	json_t *run, *s;
	size_t i, j;

	json_array_foreach(runs, i, run) {
		if (strcmp(json_string_value(json_object_get(run, "strategy")), strategy) != 0)
			continue;
		json_array_foreach(json_object_get(run, "sessions"), j, s)
			if (strcmp(json_string_value(json_object_get(s, "priority")), cls) == 0 &&
			    json_is_number(json_object_get(s, "completion_s")))
				push(x, num(s, "completion_s"));
	}
}

void acg_bench_add_significance(json_t *summary, json_t *runs)
{
	json_t *st;
	size_t i;

	json_array_foreach(json_object_get(summary, "strategies"), i, st) {
		const char *name = json_string_value(json_object_get(st, "strategy"));
		double p[2];
		const char *cls[2] = {"high", "low"};

		if (strcmp(name, "none") == 0 || strcmp(name, "solo") == 0)
			continue;
		for (int c = 0; c < 2; c++) {
			struct vec a = {0}, b = {0};

			completions(runs, name, cls[c], &a);
			completions(runs, "none", cls[c], &b);
			p[c] = acg_mann_whitney_p(a.v, a.n, b.v, b.n);
			free(a.v);
			free(b.v);
		}
		json_object_set_new(st, "vs_none_p",
				    json_pack("{s:o, s:o}", "high", real_or_null(p[0]), "low",
					      real_or_null(p[1])));
	}
}

/* " median [lo, hi] |" with `decimals` digits and a unit suffix ("x" or ""). */
static void md_dist(FILE *f, json_t *d, int decimals, const char *suffix, bool *small)
{
	if (!json_is_object(d)) {
		fputs(" - |", f);
		return;
	}
	fprintf(f, " %.*f%s", decimals, num(d, "median"), suffix);
	if (num(d, "n") > 1) {
		fprintf(f, " [%.*f, %.*f]", decimals, num(d, "ci_lo"), decimals, num(d, "ci_hi"));
		if (num(d, "ci_coverage") < 0.95) {
			fputs("*", f);
			*small = true;
		}
	}
	fputs(" |", f);
}

/* " p50 / p95 / p99 |": medians over session-runs, without intervals (they are in JSON) */
static void md_growth(FILE *f, json_t *cls)
{
	json_t *p50 = json_object_get(cls, "growth_p50_ms"),
	       *p95 = json_object_get(cls, "growth_p95_ms"),
	       *p99 = json_object_get(cls, "growth_p99_ms");

	if (!json_is_object(p99)) {
		fputs(" - |", f);
		return;
	}
	fprintf(f, " %.1f / %.1f / %.1f |", num(p50, "median"), num(p95, "median"),
		num(p99, "median"));
}

/* Mann-Whitney p-values against none, when they were computed. */
static void md_significance(FILE *f, json_t *strategies)
{
	bool header = false;
	json_t *st;
	size_t i;

	json_array_foreach(strategies, i, st) {
		json_t *p = json_object_get(st, "vs_none_p");

		if (!json_is_object(p))
			continue;
		if (!header) {
			fprintf(f,
				"\n| completion against none (Mann-Whitney U, two-sided) | HIGH p | "
				"LOW p |\n|---|---|---|\n");
			header = true;
		}
		fprintf(f, "| %s |", json_string_value(json_object_get(st, "strategy")));
		for (int c = 0; c < 2; c++) {
			json_t *v = json_object_get(p, c ? "low" : "high");

			if (json_is_number(v))
				fprintf(f, " %.3f%s |", json_number_value(v),
					json_number_value(v) < 0.05 ? " (differs)" : "");
			else
				fputs(" - |", f);
		}
		fputc('\n', f);
	}
}

/* The simulation against the real runs, one row per strategy and session. */
static void md_sim(FILE *f, json_t *cmp)
{
	json_t *c;
	size_t i;

	if (!json_is_array(cmp) || json_array_size(cmp) == 0)
		return;
	fprintf(f, "\n| simulated (agentcg simulate) | session | real median s | simulated s | "
		   "error | killed real / simulated |\n|---|---|---|---|---|---|\n");
	json_array_foreach(cmp, i, c) {
		fprintf(f, "| %s | %s |", json_string_value(json_object_get(c, "strategy")) ?: "?",
			json_string_value(json_object_get(c, "session")) ?: "?");
		if (json_is_number(json_object_get(c, "real_median_s")))
			fprintf(f, " %.2f |", num(c, "real_median_s"));
		else
			fputs(" - |", f);
		if (json_is_number(json_object_get(c, "simulated_s")))
			fprintf(f, " %.2f |", num(c, "simulated_s"));
		else
			fputs(" killed |", f);
		if (json_is_number(json_object_get(c, "error_pct")))
			fprintf(f, " %+.0f%% |", num(c, "error_pct"));
		else
			fputs(" - |", f);
		fprintf(f, " %lld/%lld / %s |\n",
			(long long)json_integer_value(json_object_get(c, "real_killed")),
			(long long)json_integer_value(json_object_get(c, "real_runs")),
			json_is_true(json_object_get(c, "simulated_killed")) ? "killed" : "no");
	}
}

/* The oracle: the least time all LOW sessions need, and each strategy against it. */
static void md_oracle(FILE *f, json_t *o)
{
	const char *name;
	json_t *st;

	if (!json_is_object(o))
		return;
	if (!json_is_number(json_object_get(o, "low_done_s"))) {
		if (json_is_string(json_object_get(o, "reason")))
			fprintf(f, "\nOracle: unavailable: %s.\n",
				json_string_value(json_object_get(o, "reason")));
		else if (strcmp(json_string_value(json_object_get(o, "status")) ?: "",
				"infeasible") == 0)
			fprintf(f, "\nOracle: no schedule completes every LOW session without "
				   "slowing HIGH or a kill.\n");
		else
			fprintf(f, "\nOracle: not computed (the timelines are too long for its "
				   "grid).\n");
		return;
	}
	fprintf(f,
		"\nOracle: every LOW session can be done by %.2f s at the earliest with HIGH "
		"unslowed and no kill (%s).\n\n| strategy | LOW all done, median s | runs with "
		"no LOW lost | ratio to oracle |\n|---|---|---|---|\n",
		num(o, "low_done_s"),
		json_is_true(json_object_get(o, "exact")) ? "exact under the simulator's model"
							  : "a lower bound");
	json_object_foreach(json_object_get(o, "strategies"), name, st) {
		fprintf(f, "| %s |", name);
		if (json_is_number(json_object_get(st, "low_done_median_s")))
			fprintf(f, " %.2f | %lld | %.2fx |\n", num(st, "low_done_median_s"),
				(long long)json_integer_value(
					json_object_get(st, "runs_all_low_done")),
				num(st, "ratio_to_oracle"));
		else
			fprintf(f, " - | 0 | - |\n");
	}
}

int acg_bench_summary_md(json_t *summary, FILE *f)
{
	json_t *st, *why;
	const char *name;
	bool small = false;
	size_t i;

	fprintf(f, "| strategy | runs | completed | killed (OOM) | HIGH completion s | HIGH "
		   "slowdown | LOW completion s | LOW slowdown | HIGH growth p50 / p95 / p99 ms | "
		   "LOW memory.high events | HIGH vs none | LOW vs none |\n");
	fprintf(f, "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
	json_array_foreach(json_object_get(summary, "strategies"), i, st) {
		json_t *vs = json_object_get(st, "vs_none");

		fprintf(f, "| %s | %lld | %lld | %lld (%lld) |",
			json_string_value(json_object_get(st, "strategy")),
			(long long)json_integer_value(json_object_get(st, "runs")),
			(long long)json_integer_value(json_object_get(st, "completed")),
			(long long)json_integer_value(json_object_get(st, "killed")),
			(long long)json_integer_value(json_object_get(st, "killed_oom")));
		md_dist(f, json_object_get(json_object_get(st, "high"), "completion_s"), 2, "",
			&small);
		md_dist(f, json_object_get(json_object_get(st, "high"), "slowdown"), 2, "x",
			&small);
		md_dist(f, json_object_get(json_object_get(st, "low"), "completion_s"), 2, "",
			&small);
		md_dist(f, json_object_get(json_object_get(st, "low"), "slowdown"), 2, "x", &small);
		md_growth(f, json_object_get(st, "high"));
		md_dist(f, json_object_get(json_object_get(st, "low"), "memory_high_events"), 0, "",
			&small);
		if (json_is_object(vs) &&
		    json_is_number(json_object_get(vs, "high_completion_ratio")))
			fprintf(f, " %.2fx |", num(vs, "high_completion_ratio"));
		else
			fputs(" - |", f);
		if (json_is_object(vs) &&
		    json_is_number(json_object_get(vs, "low_completion_ratio")))
			fprintf(f, " %.2fx |\n", num(vs, "low_completion_ratio"));
		else
			fputs(" - |\n", f);
	}
	json_object_foreach(json_object_get(summary, "unavailable"), name, why) {
		fprintf(f, "| %s | unavailable: %s | | | | | | | | | | |\n", name,
			json_string_value(why) ?: "?");
	}
	md_significance(f, json_object_get(summary, "strategies"));
	md_sim(f, json_object_get(summary, "simulation_vs_real"));
	if (json_is_string(json_object_get(summary, "simulation_unavailable")))
		fprintf(f, "\nSimulation: unavailable: %s.\n",
			json_string_value(json_object_get(summary, "simulation_unavailable")));
	md_oracle(f, json_object_get(summary, "oracle"));
	fprintf(f, "\nMedians over runs with 95%% confidence intervals [lo, hi] (order statistics)."
		   " Slowdown: completion over the same session's median solo completion.\n");
	if (small)
		fprintf(f, "\n\\* fewer values than a 95%% interval needs (6): the interval is "
			   "[min, max] and covers less (5 values: 93.8%%).\n");
	return ferror(f) ? -1 : 0;
}

/* One path component that names a strategy: 1..64 of [A-Za-z0-9_.-], no leading '.'. */
static bool plain_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 && s[0] != '.' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* s is one of the NULL-terminated words. */
static bool one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

/* Session j of a run document: its keys and their types. */
static int check_session(const json_t *s, size_t j, struct acg_diag *d)
{
	static const char *const prios[] = {"high", "low", NULL};
	static const char *const statuses[] = {"completed", "killed", "failed", NULL};
	static const char *const nums[] = {"completion_s", "ended_at_s"};
	const json_t *v;

	if (!json_is_object(s))
		return acg_diag_fail(d, -EINVAL, "sessions[%zu]: not an object", j);
	v = json_object_get(s, "name");
	if (!json_is_string(v))
		return acg_diag_fail(d, -EINVAL, "sessions[%zu].name: %s (a string)", j,
				     v ? "not a string" : "missing");
	v = json_object_get(s, "priority");
	if (!json_is_string(v) || !one_of(json_string_value(v), prios))
		return acg_diag_fail(d, -EINVAL, "sessions[%zu].priority: %s (high or low)", j,
				     v ? "not one of them" : "missing");
	v = json_object_get(s, "status");
	if (!json_is_string(v) || !one_of(json_string_value(v), statuses))
		return acg_diag_fail(d, -EINVAL,
				     "sessions[%zu].status: %s (completed, killed or failed)", j,
				     v ? "not one of them" : "missing");
	v = json_object_get(s, "killed_by");
	if (v && !json_is_string(v) && !json_is_null(v))
		return acg_diag_fail(d, -EINVAL, "sessions[%zu].killed_by: not a string or null",
				     j);
	for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
		v = json_object_get(s, nums[k]);
		if (v && !json_is_number(v) && !json_is_null(v))
			return acg_diag_fail(d, -EINVAL, "sessions[%zu].%s: not a number or null",
					     j, nums[k]);
	}
	return 0;
}

int acg_bench_run_check(const json_t *doc, struct acg_diag *d)
{
	const json_t *v;
	size_t j;
	int r;

	if (!json_is_object(doc))
		return acg_diag_fail(d, -EINVAL, "not a JSON object");
	v = json_object_get(doc, "strategy");
	if (!json_is_string(v))
		return acg_diag_fail(d, -EINVAL, "strategy: %s (a string)",
				     v ? "not a string" : "missing");
	if (!plain_name(json_string_value(v)))
		return acg_diag_fail(
			d, -EINVAL,
			"strategy: not a name (1-64 of A-Z a-z 0-9 _ . -, not starting "
			"with '.')");
	v = json_object_get(doc, "run");
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return acg_diag_fail(d, -EINVAL, "run: %s (an integer >= 1)",
				     v ? "not an integer >= 1" : "missing");
	v = json_object_get(doc, "budget_bytes");
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return acg_diag_fail(d, -EINVAL, "budget_bytes: %s (an integer >= 0)",
				     v ? "not an integer >= 0" : "missing");
	v = json_object_get(doc, "sessions");
	if (!json_is_array(v))
		return acg_diag_fail(d, -EINVAL, "sessions: %s (an array)",
				     v ? "not an array" : "missing");
	for (j = 0; j < json_array_size(v); j++)
		if ((r = check_session(json_array_get(v, j), j, d)) < 0)
			return r;
	return 0;
}

void acg_bench_carry_over(json_t *summary, json_t *old)
{
	static const char *const keys[] = {"simulation", "simulation_vs_real", "oracle", "warm",
					   "simulation_unavailable"};

	for (size_t k = 0; old && k < sizeof(keys) / sizeof(keys[0]); k++)
		if (json_object_get(old, keys[k]))
			json_object_set(summary, keys[k], json_object_get(old, keys[k]));
}
