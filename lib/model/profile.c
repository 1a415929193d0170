// SPDX-License-Identifier: GPL-2.0
/*
 * profile.c: the burst profile of a set of traces (definitions in profile.h). Loads
 * through the evaluate's split (acg_eval_load_split) so both see the same traces.
 */
#include "profile.h"

#include "jsonfile.h"
#include "stats.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t baseline_of(const struct acg_trace *t)
{
	double end = t->samples[t->n - 1].t * ACG_PROFILE_BASELINE_FRAC;
	double *v = malloc(t->n * sizeof(*v));
	size_t k = 0;
	uint64_t b;

	if (!v)
		return t->samples[0].bytes;
	for (size_t i = 0; i < t->n && (i == 0 || t->samples[i].t <= end); i++)
		v[k++] = (double)t->samples[i].bytes;
	b = (uint64_t)acg_median(v, k);
	free(v);
	return b;
}

int acg_profile_trace(const struct acg_trace *t, const char *source, uint64_t burst_bytes,
		      struct acg_profile_trace *ret)
{
	uint64_t line;

	memset(ret, 0, sizeof(*ret));
	ret->name = strdup(t->name ? t->name : "");
	if (!ret->name)
		return -ENOMEM;
	ret->source = source;
	ret->samples = t->n;
	ret->duration_s = t->samples[t->n - 1].t;
	ret->baseline_bytes = baseline_of(t);
	for (size_t i = 0; i < t->n; i++)
		if (t->samples[i].bytes > ret->peak_bytes)
			ret->peak_bytes = t->samples[i].bytes;
	ret->growth_bytes = ret->peak_bytes - t->samples[0].bytes;
	ret->peak_to_baseline =
		ret->baseline_bytes ? (double)ret->peak_bytes / (double)ret->baseline_bytes : NAN;
	line = ret->baseline_bytes + burst_bytes;
	for (size_t i = 0; i < t->n;) {
		struct acg_profile_burst *b, *nb;
		size_t j, top;

		if (t->samples[i].bytes <= line) {
			i++;
			continue;
		}
		/* a burst: samples i..j-1 above the line */
		for (j = i, top = i; j < t->n && t->samples[j].bytes > line; j++)
			if (t->samples[j].bytes > t->samples[top].bytes)
				top = j;
		nb = realloc(ret->bursts, (ret->n_bursts + 1) * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		ret->bursts = nb;
		b = &nb[ret->n_bursts++];
		b->start_s = t->samples[i].t;
		b->ended = j < t->n;
		b->duration_s = t->samples[b->ended ? j : t->n - 1].t - b->start_s;
		b->peak_bytes = t->samples[top].bytes;
		b->rate_bps = i > 0 ? (double)(b->peak_bytes - t->samples[i - 1].bytes) /
					      (t->samples[top].t - t->samples[i - 1].t)
				    : NAN;
		i = j;
	}
	return 0;
}

static void quantiles(double *v, size_t n, struct acg_profile_q *q)
{
	q->n = n;
	q->p50 = acg_quantile(v, n, 0.5);
	q->p75 = acg_quantile(v, n, 0.75);
	q->p90 = acg_quantile(v, n, 0.9);
	q->p99 = acg_quantile(v, n, 0.99);
}

static int fail(struct acg_diag *d, int err, const char *what, const char *why)
{
	snprintf(d->msg, sizeof(d->msg), "%s: %s", what, why);
	acg_diag_clean(d);
	return err;
}

/* Add the traces of one path (a directory's split, or one file) to p. */
static int add_path(const char *path, enum acg_eval_split split, struct acg_profile *p,
		    struct acg_diag *d)
{
	const struct acg_trace_opts opts = {true, 0};
	struct acg_trace **ts = NULL, *one = NULL;
	struct acg_profile_trace *nt;
	size_t n = 0;
	struct stat st;
	int rc = 0;

	if (stat(path, &st) < 0)
		return fail(d, -errno, path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		if ((rc = acg_eval_load_split(path, split, &ts, &n, d)) < 0)
			return rc;
	} else {
		struct acg_diag td = {""};

		if ((rc = acg_trace_load(path, &opts, &one, &td)) < 0) {
			if (!td.msg[0])
				return fail(d, rc, path, strerror(-rc));
			*d = td;
			return rc;
		}
		if (one->n == 0) {
			acg_trace_free(one);
			return fail(d, -EINVAL, path, "no samples");
		}
		ts = &one;
		n = 1;
	}
	nt = realloc(p->traces, (p->n + n) * sizeof(*nt));
	if (!nt)
		rc = -ENOMEM;
	else
		p->traces = nt;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 &&
		    (rc = acg_profile_trace(ts[i], path, p->burst_bytes, &p->traces[p->n])) == 0)
			p->n++;
		acg_trace_free(ts[i]);
	}
	if (ts != &one)
		free(ts);
	return rc;
}

int acg_profile_run(char *const *paths, size_t n, enum acg_eval_split split, uint64_t burst_bytes,
		    struct acg_profile *ret, struct acg_diag *diag)
{
	double *ratio = NULL, *dur = NULL, *rate = NULL, *growth = NULL;
	size_t nr = 0, nd = 0, nq = 0;
	int rc = 0;

	memset(ret, 0, sizeof(*ret));
	ret->split = split;
	ret->burst_bytes = burst_bytes;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = add_path(paths[i], split, ret, diag);
	if (rc == 0 && ret->n == 0)
		rc = fail(diag, -EINVAL, "profile", "no trace to profile");
	for (size_t i = 0; rc == 0 && i < ret->n; i++)
		ret->n_bursts += ret->traces[i].n_bursts;
	if (rc == 0) {
		ratio = malloc(ret->n * sizeof(*ratio));
		dur = malloc((ret->n_bursts + 1) * sizeof(*dur));
		rate = malloc((ret->n_bursts + 1) * sizeof(*rate));
		growth = malloc(ret->n * sizeof(*growth));
		if (!ratio || !dur || !rate || !growth)
			rc = -ENOMEM;
	}
	for (size_t i = 0; rc == 0 && i < ret->n; i++) {
		const struct acg_profile_trace *t = &ret->traces[i];

		if (!isnan(t->peak_to_baseline))
			ratio[nr++] = t->peak_to_baseline;
		growth[i] = (double)t->growth_bytes;
		for (size_t b = 0; b < t->n_bursts; b++) {
			dur[nd++] = t->bursts[b].duration_s;
			if (!isnan(t->bursts[b].rate_bps))
				rate[nq++] = t->bursts[b].rate_bps;
		}
	}
	if (rc == 0) {
		quantiles(ratio, nr, &ret->ratio);
		quantiles(dur, nd, &ret->duration);
		quantiles(rate, nq, &ret->rate);
		quantiles(growth, ret->n, &ret->growth);
	}
	free(growth);
	free(ratio);
	free(dur);
	free(rate);
	if (rc < 0)
		acg_profile_free(ret);
	return rc;
}

void acg_profile_free(struct acg_profile *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->traces[i].name);
		free(p->traces[i].bursts);
	}
	free(p->traces);
	p->traces = NULL;
	p->n = 0;
}

static json_t *num_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *q_json(const struct acg_profile_q *q)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o}", "n", (json_int_t)q->n, "p50",
			 num_or_null(q->p50), "p75", num_or_null(q->p75), "p90",
			 num_or_null(q->p90), "p99", num_or_null(q->p99));
}

json_t *acg_profile_json(const struct acg_profile *p)
{
	json_t *traces = json_array();

	for (size_t i = 0; i < p->n; i++) {
		const struct acg_profile_trace *t = &p->traces[i];
		json_t *bursts = json_array();

		for (size_t b = 0; b < t->n_bursts; b++) {
			const struct acg_profile_burst *x = &t->bursts[b];

			json_array_append_new(
				bursts,
				json_pack("{s:f, s:f, s:I, s:o, s:b}", "start_s", x->start_s,
					  "duration_s", x->duration_s, "peak_bytes",
					  (json_int_t)x->peak_bytes, "rate_bytes_per_s",
					  num_or_null(x->rate_bps), "ended", x->ended));
		}
		json_array_append_new(
			traces, json_pack("{s:s, s:s, s:I, s:f, s:I, s:I, s:I, s:o, s:o}", "name",
					  t->name, "source", t->source, "samples",
					  (json_int_t)t->samples, "duration_s", t->duration_s,
					  "baseline_bytes", (json_int_t)t->baseline_bytes,
					  "peak_bytes", (json_int_t)t->peak_bytes, "growth_bytes",
					  (json_int_t)t->growth_bytes, "peak_to_baseline",
					  num_or_null(t->peak_to_baseline), "bursts", bursts));
	}
	return json_pack(
		"{s:s, s:f, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "split",
		acg_eval_split_name(p->split), "baseline_fraction", ACG_PROFILE_BASELINE_FRAC,
		"burst_above_bytes", (json_int_t)p->burst_bytes, "traces_profiled",
		(json_int_t)p->n, "bursts_found", (json_int_t)p->n_bursts, "growth_bytes",
		q_json(&p->growth), "peak_to_baseline", q_json(&p->ratio), "burst_duration_s",
		q_json(&p->duration), "burst_rate_bytes_per_s", q_json(&p->rate), "traces", traces);
}

void acg_profile_growth(const struct acg_profile *p, uint64_t *low, uint64_t *high)
{
	*low = isnan(p->growth.p75) ? 0 : (uint64_t)p->growth.p75;
	*high = isnan(p->growth.p90) ? 0 : (uint64_t)p->growth.p90;
}

int acg_profile_load_growth(const char *path, uint64_t *low, uint64_t *high, struct acg_diag *diag)
{
	json_t *j, *g, *p75, *p90;
	int rc = acg_json_read_user(path, ACG_JSON_MAX_INPUT, JSON_REJECT_DUPLICATES, &j, diag);

	if (rc < 0)
		return -EINVAL;
	g = json_object_get(j, "growth_bytes");
	p75 = json_object_get(g, "p75");
	p90 = json_object_get(g, "p90");
	if (!json_is_number(p75) || !json_is_number(p90) || json_number_value(p75) < 0 ||
	    json_number_value(p90) < 0 || json_number_value(p75) > 1e15 ||
	    json_number_value(p90) > 1e15) {
		acg_diag_set(diag,
			     "%s: growth_bytes.p75 and .p90 must be numbers of bytes (0 to 1e15): "
			     "is it the output of agentcg profile?",
			     path);
		rc = -EINVAL;
	} else {
		*low = (uint64_t)json_number_value(p75);
		*high = (uint64_t)json_number_value(p90);
	}
	json_decref(j);
	return rc;
}
