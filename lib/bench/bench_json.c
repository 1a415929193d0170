// SPDX-License-Identifier: GPL-2.0
/*
 * bench_json.c: a bench run's files (schema: docs/bench.md): run.json (config, host
 * cgroup version, each session's outcome and kernel counters), sessions/<name>.json (the
 * full replay result with per-sample arrays) and timeseries.csv (every session's usage
 * every 50 ms).
 */
#include "bench.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

static const char *killed_by(const struct acg_bench_run *r, const struct acg_bench_session *s)
{
	if (!WIFSIGNALED(s->out.wait_status))
		return NULL;
	if (s->out.have_events && s->out.ev_after.oom_kill > s->out.ev_before.oom_kill)
		return "oom";
	return r->timed_out ? "timeout" : "signal";
}

static json_t *session_json(const struct acg_bench_run *r, const struct acg_bench_session *s)
{
	json_t *doc = acg_replay_to_json(&s->cfg, &s->rep, &s->out);
	const char *by = killed_by(r, s);

	if (!doc)
		return NULL;
	json_object_del(doc, "per_sample");
	json_object_set_new(doc, "name", json_string(s->spec->name));
	json_object_set_new(doc, "priority", json_string(acg_prio_name(s->spec->prio)));
	json_object_set_new(doc, "status", json_string(acg_bench_session_status(s)));
	json_object_set_new(doc, "killed_by", by ? json_string(by) : json_null());
	json_object_set_new(doc, "ended_at_s", json_real(s->exit_at_s));
	json_object_set_new(doc, "trace_path",
			    s->spec->trace_path ? json_string(s->spec->trace_path) : json_null());
	return doc;
}

json_t *acg_bench_run_json(const struct acg_bench_run *r)
{
	json_t *sessions = json_array(), *doc;

	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(sessions, session_json(r, &r->s[i]));
	doc = json_pack("{s:s, s:s, s:I, s:s, s:i, s:I, s:f, s:f, s:b, s:o, s:o}", "scenario",
			r->sc->name, "strategy", r->st ? r->st->name : "solo", "run",
			(json_int_t)r->run, "cgroup", r->name, "cgroup_version", r->cgroup_version,
			"budget_bytes", (json_int_t)(r->st ? r->sc->budget_bytes : 0), "speed",
			r->sc->speed, "wall_s", r->wall_s, "timed_out", r->timed_out, "error",
			r->error[0] ? json_string(r->error) : json_null(), "sessions", sessions);
	if (doc)
		json_object_set_new(doc, "decisions", json_integer((json_int_t)r->n_decisions));
	if (doc)
		json_object_set_new(
			doc, "warm",
			!r->warm_bytes ? json_null()
			: r->warm_error
				? json_pack("{s:I, s:s}", "bytes", (json_int_t)r->warm_bytes,
					    "error", strerror(-r->warm_error))
				: json_pack("{s:I, s:f}", "bytes", (json_int_t)r->warm_bytes,
					    "mib_s", r->warm_mib_s));
	if (doc)
		json_object_set_new(doc, "reported_free_kib",
				    r->reported_kib >= 0 ? json_integer(r->reported_kib)
							 : json_null());
	if (doc && (r->tree_after.has & ACG_EV_OOM_KILL))
		json_object_set_new(doc, "parent_oom_kill_delta",
				    json_integer((json_int_t)(r->tree_after.oom_kill -
							      r->tree_before.oom_kill)));
	return doc;
}

static int write_doc(json_t *doc, const char *path)
{
	int r = doc && json_dump_file(doc, path, JSON_INDENT(2)) == 0 ? 0 : -EIO;

	json_decref(doc);
	return r;
}

static int write_timeseries(const struct acg_bench_run *r, const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fprintf(f, "t_s,session,usage_bytes\n");
	for (size_t k = 0; k < r->ts_n; k++) {
		for (size_t i = 0; i < r->n; i++)
			fprintf(f, "%.3f,%s,%llu\n", r->ts_t[k], r->s[i].spec->name,
				(unsigned long long)r->ts_usage[k * r->n + i]);
		fprintf(f, "%.3f,_parent,%llu\n", r->ts_t[k], (unsigned long long)r->ts_tree[k]);
	}
	return fclose(f) == 0 ? 0 : -errno;
}

int acg_bench_run_write(const struct acg_bench_run *r, const char *dir)
{
	char path[4096];
	int rc;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/sessions", dir);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	for (size_t i = 0; i < r->n; i++) {
		const struct acg_bench_session *s = &r->s[i];
		json_t *doc = acg_replay_to_json(&s->cfg, &s->rep, &s->out);

		snprintf(path, sizeof(path), "%s/sessions/%s.json", dir, s->spec->name);
		rc = write_doc(doc, path);
		if (rc < 0)
			return rc;
	}
	snprintf(path, sizeof(path), "%s/timeseries.csv", dir);
	rc = write_timeseries(r, path);
	if (rc < 0)
		return rc;
	if (r->decisions_len) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/decisions.jsonl", dir);
		f = fopen(path, "we");
		if (!f)
			return -errno;
		fwrite(r->decisions, 1, r->decisions_len, f);
		if (fclose(f) != 0)
			return -errno;
	}
	snprintf(path, sizeof(path), "%s/run.json", dir);
	return write_doc(acg_bench_run_json(r), path);
}
