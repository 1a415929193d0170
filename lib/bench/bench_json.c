// SPDX-License-Identifier: GPL-2.0
/*
 * bench_json.c: a bench run's files (schema: docs/bench.md): run.json (config, host
 * cgroup version, each session's outcome and kernel counters), sessions/<name>.json (the
 * full replay result with per-sample arrays) and timeseries.csv (every session's usage
 * every 50 ms).
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The command a command session was at when it ended: the last one reported, or -1. */
static long last_step(const struct acg_bench_session *s)
{
	return s->rep.steps_done ? (long)s->rep.steps_done - 1 : -1;
}

static const char *killed_by(const struct acg_bench_run *r, const struct acg_bench_session *s)
{
	long k = last_step(s);

	if (strcmp(acg_bench_session_status(s), "killed") != 0)
		return NULL;
	if (s->out.have_events && s->out.ev_after.oom_kill > s->out.ev_before.oom_kill)
		return "oom";
	if (s->spec->command && k >= 0 && s->rep.steps[k].timed_out)
		return "timeout";
	return r->timed_out ? "timeout" : "signal";
}

static json_t *exit_json(int status)
{
	if (WIFSIGNALED(status))
		return json_pack("{s:i, s:s}", "signal", WTERMSIG(status), "name",
				 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status))
								: "?");
	return json_pack("{s:i}", "code", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static const char *step_status(const struct acg_step *st)
{
	if (!st->ended)
		return "not run";
	if (st->exec_errno)
		return "not started";
	if (st->timed_out)
		return "timeout";
	if (WIFSIGNALED(st->wait_status))
		return "killed";
	return WIFEXITED(st->wait_status) && WEXITSTATUS(st->wait_status) == 0 ? "completed"
									       : "failed";
}

/* Why a command session did not complete, in a phrase, or NULL. */
static json_t *command_error(const struct acg_bench_session *s)
{
	const struct acg_command_spec *c = s->spec->command;
	long k = last_step(s);
	int ws = s->out.wait_status;

	if (s->rep.join_errno)
		return json_sprintf("cannot join the cgroup: %s", strerror(s->rep.join_errno));
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == ACG_CMD_EXIT_BASE)
		return json_sprintf("could not hold base %.0f MiB",
				    (double)s->spec->base_bytes / 1048576.0);
	if (k < 0 && s->rep.started && WIFSIGNALED(ws))
		return json_sprintf("killed by SIG%s while command 1 (%s) ran",
				    sigabbrev_np(WTERMSIG(ws)) ?: "?", c->argv[0][0]);
	if (k < 0 || (s->rep.ended && WIFEXITED(ws) && WEXITSTATUS(ws) == 0))
		return k < 0 && !s->rep.ended && s->exited ? json_string("ended before any command")
							   : json_null();
	{
		const struct acg_step *st = &s->rep.steps[k];
		const char *what = step_status(st);

		/* killed between STEP records: the whole session went (a controller's kill, the
		 * run's timeout) while the next command ran */
		if (strcmp(what, "completed") == 0 && WIFSIGNALED(ws) && k + 1 < (long)c->n)
			return json_sprintf("killed by SIG%s while command %ld (%s) ran",
					    sigabbrev_np(WTERMSIG(ws)) ?: "?", k + 2,
					    c->argv[k + 1][0]);
		if (strcmp(what, "completed") == 0)
			return json_sprintf("ended after command %ld of %zu", k + 1, c->n);
		if (st->exec_errno)
			return json_sprintf("command %ld (%s) could not start: %s", k + 1,
					    c->argv[k][0], strerror(st->exec_errno));
		if (st->timed_out)
			return json_sprintf("command %ld (%s) killed at its timeout (%g s)", k + 1,
					    c->argv[k][0], c->timeout_s);
		if (WIFSIGNALED(st->wait_status))
			return json_sprintf("command %ld (%s) killed by SIG%s", k + 1,
					    c->argv[k][0],
					    sigabbrev_np(WTERMSIG(st->wait_status)) ?: "?");
		return json_sprintf("command %ld (%s) exited %d", k + 1, c->argv[k][0],
				    WEXITSTATUS(st->wait_status));
	}
}

/*
 * A command session's result (docs/bench.md, "A command session"): how the sequence went,
 * command by command, with the keys the summary reads from any session.
 */
static json_t *command_json(const struct acg_bench_session *s)
{
	const struct acg_command_spec *c = s->spec->command;
	json_t *steps = json_array(), *doc;
	size_t done = 0;
	long k = last_step(s);
	char log[ACG_NAME_MAX + 32];

	for (size_t i = 0; i < c->n; i++) {
		const struct acg_step *st = &s->rep.steps[i];
		json_t *argv = json_array(), *o;

		for (char **a = c->argv[i]; *a; a++)
			json_array_append_new(argv, json_string(*a));
		done += st->ended && strcmp(step_status(st), "completed") == 0;
		o = json_pack("{s:o, s:s, s:o, s:o, s:o}", "argv", argv, "status", step_status(st),
			      "exit",
			      st->ended && !st->exec_errno ? exit_json(st->wait_status)
							   : json_null(),
			      "started_s",
			      st->ended ? json_real((double)st->start_ns / 1e9) : json_null(),
			      "duration_s",
			      st->ended ? json_real((double)(st->end_ns - st->start_ns) / 1e9)
					: json_null());
		json_array_append_new(steps, o);
	}
	/* a command the driver had started when it was killed has no STEP record */
	if (!s->rep.ended && s->rep.started && k + 1 < (long)c->n &&
	    (k < 0 || strcmp(step_status(&s->rep.steps[k]), "completed") == 0) &&
	    WIFSIGNALED(s->out.wait_status))
		json_object_set_new(json_array_get(steps, (size_t)(k + 1)), "status",
				    json_string("killed"));
	snprintf(log, sizeof(log), "sessions/%s.log", s->spec->name);
	doc = json_pack(
		"{s:s, s:o, s:o, s:o, s:f, s:o, s:{s:o, s:o}, s:{s:I, s:I, s:o, s:I, "
		"s:f, s:s, s:o}}",
		"status", acg_bench_session_status(s), "exit", exit_json(s->out.wait_status),
		"error", command_error(s), "completion_s",
		s->rep.ended ? json_real((double)s->rep.end_ns / 1e9) : json_null(), "wall_s",
		s->out.wall_s, "memory_events_delta", acg_replay_events_delta_json(&s->out), "peak",
		"cgroup_peak_bytes",
		s->out.have_cg_peak ? json_integer((json_int_t)s->out.cg_peak) : json_null(),
		"cgroup_peak_since",
		s->out.have_cg_peak && s->out.cg_peak_since ? json_string(s->out.cg_peak_since)
							    : json_null(),
		"command", "commands", (json_int_t)c->n, "done", (json_int_t)done, "stopped_at",
		done < c->n && s->rep.started ? json_integer((json_int_t)done + 1) : json_null(),
		"base_bytes", (json_int_t)s->spec->base_bytes, "timeout_s", c->timeout_s, "log",
		log, "steps", steps);
	return doc;
}

/* A session's result: a replay's (docs/replay.md), or a command session's. */
static json_t *result_json(const struct acg_bench_session *s)
{
	return s->spec->command ? command_json(s) : acg_replay_to_json(&s->cfg, &s->rep, &s->out);
}

static json_t *session_json(const struct acg_bench_run *r, const struct acg_bench_session *s)
{
	json_t *doc = result_json(s);
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
			r->error.msg[0] ? json_string(r->error.msg) : json_null(), "sessions",
			sessions);
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

int acg_bench_write_json(json_t *doc, const char *path)
{
	struct acg_newfile nf;
	int r = doc ? acg_newfile_open(&nf, path, 0644) : -ENOMEM;

	if (r == 0) {
		bool ok = json_dumpf(doc, nf.f, JSON_INDENT(2)) == 0 && fputc('\n', nf.f) != EOF;

		r = acg_newfile_close(&nf, ok);
		if (r == 0 && !ok)
			r = -EIO;
	}
	return r;
}

static int write_doc(json_t *doc, const char *path)
{
	int r = acg_bench_write_json(doc, path);

	json_decref(doc);
	return r;
}

static int write_timeseries(const struct acg_bench_run *r, const char *path)
{
	struct acg_newfile nf;
	int rc = acg_newfile_open(&nf, path, 0644);

	if (rc < 0)
		return rc;
	fprintf(nf.f, "t_s,session,usage_bytes\n");
	for (size_t k = 0; k < r->ts_n; k++) {
		for (size_t i = 0; i < r->n; i++)
			fprintf(nf.f, "%.3f,%s,%llu\n", r->ts_t[k], r->s[i].spec->name,
				(unsigned long long)r->ts_usage[k * r->n + i]);
		fprintf(nf.f, "%.3f,_parent,%llu\n", r->ts_t[k], (unsigned long long)r->ts_tree[k]);
	}
	return acg_newfile_close(&nf, true);
}

/* A command session's output, from its unlinked file (-1: it never started) to path. */
static int copy_log(int fd, const char *path)
{
	char buf[65536];
	struct acg_newfile nf;
	off_t off = 0;
	ssize_t n;
	int rc = acg_newfile_open(&nf, path, 0644);

	if (rc < 0)
		return rc;
	while (fd >= 0 && (n = pread(fd, buf, sizeof(buf), off)) > 0) {
		if (fwrite(buf, 1, (size_t)n, nf.f) != (size_t)n)
			break;
		off += n;
	}
	return acg_newfile_close(&nf, true);
}

int acg_bench_run_write(const struct acg_bench_run *r, const char *dir)
{
	char path[4096];
	int rc;

	if ((rc = acg_mkdir_here(dir, 0755)) < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/sessions", dir);
	if ((rc = acg_mkdir_here(path, 0755)) < 0)
		return rc;
	for (size_t i = 0; i < r->n; i++) {
		const struct acg_bench_session *s = &r->s[i];
		json_t *doc = result_json(s);

		snprintf(path, sizeof(path), "%s/sessions/%s.json", dir, s->spec->name);
		rc = write_doc(doc, path);
		if (rc < 0)
			return rc;
		if (s->spec->command) {
			snprintf(path, sizeof(path), "%s/sessions/%s.log", dir, s->spec->name);
			rc = copy_log(s->log_fd, path);
			if (rc < 0)
				return rc;
		}
	}
	snprintf(path, sizeof(path), "%s/timeseries.csv", dir);
	rc = write_timeseries(r, path);
	if (rc < 0)
		return rc;
	if (r->decisions_len) {
		struct acg_newfile nf;

		snprintf(path, sizeof(path), "%s/decisions.jsonl", dir);
		if ((rc = acg_newfile_open(&nf, path, 0644)) < 0)
			return rc;
		fwrite(r->decisions, 1, r->decisions_len, nf.f);
		if ((rc = acg_newfile_close(&nf, true)) < 0)
			return rc;
	}
	snprintf(path, sizeof(path), "%s/run.json", dir);
	return write_doc(acg_bench_run_json(r), path);
}
