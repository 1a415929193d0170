// SPDX-License-Identifier: GPL-2.0
/*
 * replay_json.c: a replay's result as data (schema: docs/replay.md). Built from the
 * records the parent collected, so a killed replay still reports everything it got to.
 */
#include "replay.h"

#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

static json_t *trace_json(const struct acg_trace *t)
{
	struct acg_trace_summary s;

	acg_trace_summarize(t, &s);
	return json_pack("{s:s, s:I, s:f, s:I, s:I, s:f, s:I}", "name", t->name, "samples",
			 (json_int_t)t->n, "duration_s", s.duration_s, "avg_bytes",
			 (json_int_t)s.avg_bytes, "peak_bytes", (json_int_t)s.peak_bytes,
			 "peak_to_avg", s.peak_to_avg, "tail_samples_dropped",
			 (json_int_t)t->tail_dropped);
}

static json_t *pct_json(const int64_t *ns, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += (double)ns[i];
	return json_pack(
		"{s:I, s:f, s:f, s:f, s:f, s:f}", "count", (json_int_t)n, "p50",
		acg_percentile_i64(ns, n, 50) / 1e3, "p95", acg_percentile_i64(ns, n, 95) / 1e3,
		"p99", acg_percentile_i64(ns, n, 99) / 1e3, "max",
		acg_percentile_i64(ns, n, 100) / 1e3, "mean", n ? sum / (double)n / 1e3 : 0.0);
}

static json_t *exit_json(int status)
{
	if (WIFSIGNALED(status))
		return json_pack("{s:i, s:s}", "signal", WTERMSIG(status), "name",
				 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status))
								: "?");
	return json_pack("{s:i}", "code", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static const char *status_name(const struct acg_replay_result *r, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && r->ended)
		return "completed";
	if (WIFSIGNALED(status))
		return "killed";
	return "failed";
}

static json_t *tracking_json(const struct acg_replay_result *r)
{
	uint64_t max_err = 0, peak = 0;
	double sum = 0;

	for (size_t i = 0; i < r->replayed; i++) {
		uint64_t t = r->target[i], res = r->resident[i];
		uint64_t e = t > res ? t - res : res - t;

		sum += (double)e;
		if (e > max_err)
			max_err = e;
		if (t > peak)
			peak = t;
	}
	return json_pack("{s:I, s:f, s:f}", "max_abs_error_bytes", (json_int_t)max_err,
			 "mean_abs_error_bytes", r->replayed ? sum / (double)r->replayed : 0.0,
			 "max_error_pct_of_peak",
			 peak ? 100.0 * (double)max_err / (double)peak : 0.0);
}

static json_t *per_sample_json(const struct acg_replay_result *r)
{
	json_t *late = json_array(), *behind = json_array(), *target = json_array(),
	       *res = json_array(), *at = json_array(), *chunks = json_array();

	for (size_t i = 0; i < r->replayed; i++) {
		json_array_append_new(late, json_real(r->late_ns[i] / 1e3));
		json_array_append_new(behind, json_real(r->behind_ns[i] / 1e3));
		json_array_append_new(target, json_integer((json_int_t)r->target[i]));
		json_array_append_new(res, json_integer((json_int_t)r->resident[i]));
		json_array_append_new(at, json_real(r->applied_ns[i] / 1e9));
	}
	for (size_t i = 0; i < r->n_grow; i++)
		json_array_append_new(chunks, json_real(r->grow_ns[i] / 1e3));
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "late_us", late, "behind_us", behind,
			 "target_bytes", target, "resident_bytes", res, "applied_s", at,
			 "growth_chunk_us", chunks);
}

json_t *acg_replay_events_delta_json(const struct acg_replay_outcome *o)
{
	const struct acg_mem_events *a = &o->ev_before, *b = &o->ev_after;
	json_t *d;

	if (!o->have_events)
		return json_null();
	d = json_object();
#define DELTA(bit, field)   \
	if (b->has & (bit)) \
		json_object_set_new(d, #field, json_integer((json_int_t)(b->field - a->field)));
	DELTA(ACG_EV_LOW, low)
	DELTA(ACG_EV_HIGH, high)
	DELTA(ACG_EV_MAX, max)
	DELTA(ACG_EV_OOM, oom)
	DELTA(ACG_EV_OOM_KILL, oom_kill)
	DELTA(ACG_EV_OOM_GROUP_KILL, oom_group_kill)
#undef DELTA
	return d;
}

json_t *acg_replay_to_json(const struct acg_replay_cfg *cfg, const struct acg_replay_result *r,
			   const struct acg_replay_outcome *o)
{
	struct acg_trace_summary s;
	double grow_s = (double)r->grow_total_ns / 1e9;
	uint64_t chunk = cfg->chunk_bytes ? cfg->chunk_bytes : ACG_REPLAY_DEFAULT_CHUNK;
	json_t *doc = json_object();

	if (!doc)
		return NULL;
	acg_trace_summarize(cfg->trace, &s);
	json_object_set_new(doc, "trace", trace_json(cfg->trace));
	json_object_set_new(doc, "config",
			    json_pack("{s:f, s:I, s:I, s:s}", "speed", cfg->speed, "base_bytes",
				      (json_int_t)cfg->base_bytes, "chunk_bytes", (json_int_t)chunk,
				      "populate",
				      r->populate_write ? "madv_populate_write" : "touch"));
	json_object_set_new(doc, "status", json_string(status_name(r, o->wait_status)));
	json_object_set_new(doc, "exit", exit_json(o->wait_status));
	json_object_set_new(
		doc, "error",
		r->join_errno ? json_sprintf("cannot join the cgroup: %s", strerror(r->join_errno))
			      : json_null());
	json_object_set_new(doc, "samples_replayed", json_integer((json_int_t)r->replayed));
	json_object_set_new(
		doc, "progress",
		json_real(cfg->trace->n ? (double)r->replayed / (double)cfg->trace->n : 0.0));
	json_object_set_new(doc, "completion_s",
			    r->ended ? json_real((double)r->end_ns / 1e9) : json_null());
	json_object_set_new(doc, "last_applied_s", json_real((double)r->end_ns / 1e9));
	json_object_set_new(doc, "expected_s", json_real(s.duration_s / cfg->speed));
	json_object_set_new(doc, "wall_s", json_real(o->wall_s));
	json_object_set_new(
		doc, "peak",
		json_pack("{s:o, s:o, s:o, s:I}", "vm_hwm_bytes",
			  r->ended ? json_integer((json_int_t)r->vm_hwm) : json_null(),
			  "cgroup_peak_bytes",
			  o->have_cg_peak ? json_integer((json_int_t)o->cg_peak) : json_null(),
			  "cgroup_peak_since",
			  o->have_cg_peak && o->cg_peak_since ? json_string(o->cg_peak_since)
							      : json_null(),
			  "target_peak_bytes", (json_int_t)(r->base_bytes + s.peak_bytes)));
	json_object_set_new(
		doc, "growth",
		json_pack("{s:I, s:I, s:f, s:o}", "chunks", (json_int_t)r->n_grow, "bytes",
			  (json_int_t)r->grown_bytes, "throughput_mib_s",
			  grow_s > 0 ? (double)r->grown_bytes / 1048576.0 / grow_s : 0.0,
			  "latency_us", pct_json(r->grow_ns, r->n_grow)));
	json_object_set_new(doc, "lateness_us", pct_json(r->late_ns, r->replayed));
	json_object_set_new(doc, "behind_schedule_us", pct_json(r->behind_ns, r->replayed));
	json_object_set_new(doc, "tracking", tracking_json(r));
	json_object_set_new(doc, "memory_events_delta", acg_replay_events_delta_json(o));
	json_object_set_new(doc, "per_sample", per_sample_json(r));
	return doc;
}
