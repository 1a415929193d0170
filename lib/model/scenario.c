// SPDX-License-Identifier: GPL-2.0
/*
 * scenario.c: parse and check bench scenario files (grammar: docs/scenario.md). Every
 * key is checked (a misspelt one is an error, not a silent default), every trace is
 * loaded, and the first problem is reported as "FILE: WHERE: PROBLEM".
 *
 * Its size (about 600 lines): three session kinds (trace, stress, command) and the
 * scenario's own keys, every one checked, in one grammar.
 */
#include "scenario.h"

#include "jsonfile.h"
#include "parse.h"

#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MB (1024.0 * 1024.0)

struct ctx {
	const char *file;
	struct acg_diag *diag;
};

static int bad(struct ctx *c, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct ctx *c, const char *where, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (c->diag) {
		snprintf(c->diag->msg, sizeof(c->diag->msg), "%s: %s: %s", c->file, where, what);
		acg_diag_clean(c->diag);
	}
	return -EINVAL;
}

/* Every key of obj must be in allowed (NULL-terminated). */
static int only_keys(struct ctx *c, const char *where, json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		bool ok = false;

		for (const char *const *a = allowed; *a; a++)
			ok = ok || strcmp(*a, key) == 0;
		if (!ok)
			return bad(c, where, "unknown key \"%s\"", key);
	}
	return 0;
}

/* An optional number in [min, max]; absent keeps *ret. */
static int get_num(struct ctx *c, const char *where, json_t *obj, const char *key, double min,
		   double max, double *ret)
{
	json_t *v = json_object_get(obj, key);
	double d;

	if (!v)
		return 0;
	if (!json_is_number(v))
		return bad(c, where, "\"%s\" must be a number", key);
	d = json_number_value(v);
	if (!isfinite(d) || d < min || d > max)
		return bad(c, where, "\"%s\" is %.15g, must be from %.15g to %.15g", key, d, min,
			   max);
	*ret = d;
	return 0;
}

static int parse_stress(struct ctx *c, const char *where, json_t *js, struct acg_stress_spec *s)
{
	static const struct acg_stress_names keys_named = {
		"\"mb\"",	"\"hold_s\"",	     "\"ramp_s\"",
		"\"burst_mb\"", "\"burst_every_s\"", "\"burst_for_s\"",
	};
	static const char *const keys[] = {
		"mb", "hold_s", "ramp_s", "burst_mb", "burst_every_s", "burst_for_s", NULL};
	double mb = 0, burst = 0;
	struct acg_diag d = {""};
	int r;

	if (!json_is_object(js))
		return bad(c, where, "\"stress\" must be an object");
	if ((r = only_keys(c, where, js, keys)) < 0)
		return r;
	s->hold_s = 1;
	if (!json_object_get(js, "mb"))
		return bad(c, where, "stress needs \"mb\"");
	if ((r = get_num(c, where, js, "mb", 0, 1 << 24, &mb)) < 0 ||
	    (r = get_num(c, where, js, "hold_s", 0, 1e7, &s->hold_s)) < 0 ||
	    (r = get_num(c, where, js, "ramp_s", 0, 1e7, &s->ramp_s)) < 0 ||
	    (r = get_num(c, where, js, "burst_mb", 0, 1 << 24, &burst)) < 0 ||
	    (r = get_num(c, where, js, "burst_every_s", 0, 1e7, &s->burst_every_s)) < 0 ||
	    (r = get_num(c, where, js, "burst_for_s", 0, 1e7, &s->burst_for_s)) < 0)
		return r;
	s->bytes = (uint64_t)(mb * MB);
	s->burst_bytes = (uint64_t)(burst * MB);
	if (acg_stress_check(s, &keys_named, &d) < 0)
		return bad(c, where, "%s", d.msg);
	return 0;
}

/* A path from the scenario, relative to the scenario file's directory. */
static char *resolve(const char *scenario_path, const char *p)
{
	char *copy, *dir, *out;

	if (p[0] == '/')
		return strdup(p);
	copy = strdup(scenario_path);
	if (!copy)
		return NULL;
	dir = dirname(copy);
	if (asprintf(&out, "%s/%s", dir, p) < 0)
		out = NULL;
	free(copy);
	return out;
}

/* One argv: a non-empty list of strings, the first a program that can be run. */
static int parse_argv(struct ctx *c, const char *where, json_t *ja, const char *cwd, char ***ret)
{
	size_t n = json_array_size(ja);
	struct acg_diag why;
	char **argv;

	if (!json_is_array(ja) || n == 0)
		return bad(c, where, "must be a non-empty list of strings (program, arguments)");
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	*ret = argv;
	for (size_t k = 0; k < n; k++) {
		json_t *v = json_array_get(ja, k);

		if (!json_is_string(v))
			return bad(c, where, "argument %zu is not a string", k);
		if (strlen(json_string_value(v)) != json_string_length(v))
			return bad(c, where, "argument %zu contains a NUL byte", k);
		argv[k] = strdup(json_string_value(v));
		if (!argv[k])
			return -ENOMEM;
	}
	if (acg_command_find(argv[0], cwd, &why) < 0)
		return bad(c, where, "%s", why.msg);
	return 0;
}

static int parse_env(struct ctx *c, const char *where, json_t *je, struct acg_command_spec *cs)
{
	const char *key;
	json_t *v;
	size_t k = 0;

	if (!json_is_object(je))
		return bad(c, where, "\"env\" must be an object of strings (NAME: value)");
	cs->env = calloc(json_object_size(je) + 1, sizeof(*cs->env));
	if (!cs->env)
		return -ENOMEM;
	json_object_foreach(je, key, v) {
		size_t len = strlen(key);

		if (len == 0 ||
		    strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"0123456789_") != len ||
		    (key[0] >= '0' && key[0] <= '9'))
			return bad(c, where,
				   "env: \"%s\" is not a variable name ([A-Za-z_][A-Za-z0-9_]*)",
				   key);
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
			return bad(c, where, "env: \"%s\" must be a string without NUL bytes", key);
		if (asprintf(&cs->env[k], "%s=%s", key, json_string_value(v)) < 0) {
			cs->env[k] = NULL;
			return -ENOMEM;
		}
		k++;
	}
	return 0;
}

/*
 * A command session: "command" is one argv (a list of strings) or a sequence of them (a
 * list of lists), with "cwd", "env" and "timeout_s".
 */
static int parse_command(struct ctx *c, const char *where, json_t *js, struct acg_scn_session *s)
{
	json_t *jc = json_object_get(js, "command"), *jw = json_object_get(js, "cwd");
	json_t *je = json_object_get(js, "env");
	struct acg_command_spec *cs = calloc(1, sizeof(*cs));
	bool seq;
	char at[96];
	struct stat st;
	int r;

	if (!cs)
		return -ENOMEM;
	s->command = cs;
	cs->timeout_s = ACG_CMD_TIMEOUT_DEFAULT_S;
	if ((r = get_num(c, where, js, "timeout_s", ACG_CMD_TIMEOUT_MIN_S, ACG_CMD_TIMEOUT_MAX_S,
			 &cs->timeout_s)) < 0)
		return r;
	if (jw) {
		if (!json_is_string(jw) || !json_string_value(jw)[0])
			return bad(c, where, "\"cwd\" must be a directory's path");
		cs->cwd = resolve(c->file, json_string_value(jw));
		if (!cs->cwd)
			return -ENOMEM;
		if (stat(cs->cwd, &st) < 0)
			return bad(c, where, "cwd \"%s\": %s", cs->cwd, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return bad(c, where, "cwd \"%s\": not a directory", cs->cwd);
		{
			/* absolute, so the commands find it whatever directory the bench runs in */
			char *real = realpath(cs->cwd, NULL);

			if (real) {
				free(cs->cwd);
				cs->cwd = real;
			}
		}
	}
	if (je && (r = parse_env(c, where, je, cs)) < 0)
		return r;
	if (!json_is_array(jc) || json_array_size(jc) == 0)
		return bad(c, where,
			   "\"command\" must be a non-empty list: one argv ([\"make\", \"-j2\"]) "
			   "or a sequence of them ([[\"make\"], [\"make\", \"check\"]])");
	seq = json_is_array(json_array_get(jc, 0));
	cs->n = seq ? json_array_size(jc) : 1;
	cs->argv = calloc(cs->n, sizeof(*cs->argv));
	if (!cs->argv)
		return -ENOMEM;
	for (size_t k = 0; k < cs->n; k++) {
		if (seq)
			snprintf(at, sizeof(at), "%s.command[%zu]", where, k);
		else
			snprintf(at, sizeof(at), "%s.command", where);
		if ((r = parse_argv(c, at, seq ? json_array_get(jc, k) : jc, cs->cwd,
				    &cs->argv[k])) < 0)
			return r;
	}
	return 0;
}

static int parse_session(struct ctx *c, struct acg_scenario *sc, size_t i, json_t *js)
{
	static const char *const keys[] = {"name",	"priority", "trace",   "stress",
					   "base_mb",	"peak_mb",  "command", "cwd",
					   "timeout_s", "env",	    NULL};
	struct acg_scn_session *s = &sc->sessions[i];
	const struct acg_trace_opts topts = {sc->binary_units, 0};
	json_t *jn = json_object_get(js, "name"), *jp = json_object_get(js, "priority");
	static const char *const only_cmd[] = {"cwd", "env", "timeout_s", NULL};
	json_t *jt = json_object_get(js, "trace"), *jst = json_object_get(js, "stress");
	json_t *jc = json_object_get(js, "command");
	char where[64];
	double base_mb = 0, peak_mb = 0;
	struct acg_diag d = {""};
	int r;

	snprintf(where, sizeof(where), "sessions[%zu]", i);
	if (!json_is_object(js))
		return bad(c, where, "must be an object");
	if ((r = only_keys(c, where, js, keys)) < 0)
		return r;
	if (!json_is_string(jn) || !acg_name_valid(json_string_value(jn)))
		return bad(c, where,
			   "\"name\" must be 1-64 characters of [A-Za-z0-9_.-], not starting "
			   "with '.'");
	snprintf(s->name, sizeof(s->name), "%s", json_string_value(jn));
	for (size_t k = 0; k < i; k++)
		if (strcmp(sc->sessions[k].name, s->name) == 0)
			return bad(c, where, "name \"%s\" is used twice", s->name);
	if (!json_is_string(jp) || acg_prio_parse(json_string_value(jp), &s->prio) < 0)
		return bad(c, where, "\"priority\" must be \"high\" or \"low\"");
	if ((r = get_num(c, where, js, "base_mb", 0, 1 << 24, &base_mb)) < 0)
		return r;
	s->base_bytes = (uint64_t)(base_mb * MB);
	if ((r = get_num(c, where, js, "peak_mb", 0, 1 << 24, &peak_mb)) < 0)
		return r;
	s->peak_bytes = (uint64_t)(peak_mb * MB);
	if (!!jt + !!jst + !!jc != 1)
		return bad(c, where, "needs exactly one of \"trace\", \"stress\" and \"command\"");
	for (const char *const *k = only_cmd; !jc && *k; k++)
		if (json_object_get(js, *k))
			return bad(c, where, "\"%s\" is only for a \"command\" session", *k);
	if (jc)
		return parse_command(c, where, js, s);
	if (jst) {
		if ((r = parse_stress(c, where, jst, &s->stress)) < 0)
			return r;
		return acg_stress_trace(&s->stress, &s->trace);
	}
	if (!json_is_string(jt))
		return bad(c, where, "\"trace\" must be a path");
	s->trace_path = resolve(c->file, json_string_value(jt));
	if (!s->trace_path)
		return -ENOMEM;
	if (acg_trace_load(s->trace_path, &topts, &s->trace, &d) < 0)
		return bad(c, where, "trace: %s", d.msg);
	return 0;
}

/*
 * A HIGH session must fit the budget on its own: no strategy could run it without a kill,
 * and the bench would measure the OOM killer instead of a policy.
 */
static int check_high_fits(struct ctx *c, const struct acg_scenario *sc, size_t i)
{
	const struct acg_scn_session *s = &sc->sessions[i];
	struct acg_trace_summary sum;
	char where[64];

	/* a command session's peak is not known before it runs: its base (and what it
	 * declares) must fit */
	if (!acg_prio_is_high(s->prio) ||
	    (s->command && s->base_bytes <= sc->budget_bytes && s->peak_bytes <= sc->budget_bytes))
		return 0;
	if (s->peak_bytes > sc->budget_bytes) {
		snprintf(where, sizeof(where), "sessions[%zu]", i);
		return bad(c, where,
			   "HIGH session \"%s\" declares \"peak_mb\" %.1f MiB, more than the "
			   "whole budget (%.1f MiB)",
			   s->name, (double)s->peak_bytes / MB, (double)sc->budget_bytes / MB);
	}
	if (s->command) {
		snprintf(where, sizeof(where), "sessions[%zu]", i);
		return bad(c, where,
			   "HIGH session \"%s\" holds base %.1f MiB, more than the whole budget "
			   "(%.1f MiB)",
			   s->name, (double)s->base_bytes / MB, (double)sc->budget_bytes / MB);
	}
	acg_trace_summarize(s->trace, &sum);
	if (sum.peak_bytes + s->base_bytes <= sc->budget_bytes)
		return 0;
	snprintf(where, sizeof(where), "sessions[%zu]", i);
	return bad(c, where,
		   "HIGH session \"%s\" needs %.1f MiB (peak %.1f MiB + base %.1f MiB), more than "
		   "the whole budget (%.1f MiB)",
		   s->name, (double)(sum.peak_bytes + s->base_bytes) / MB,
		   (double)sum.peak_bytes / MB, (double)s->base_bytes / MB,
		   (double)sc->budget_bytes / MB);
}

/* A scenario's name names its results directory: one harmless path component. */
static bool scn_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > ACG_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			    name[i]))
			return false;
	return true;
}

const char *const acg_strategy_names[] = {"none", "static",	 "high", "dynamic",
					  "bpf",  "bpf+dynamic", NULL};

static bool strategy_known(const char *name)
{
	for (size_t i = 0; acg_strategy_names[i]; i++)
		if (strcmp(acg_strategy_names[i], name) == 0)
			return true;
	return false;
}

static int parse_strategies(struct ctx *c, struct acg_scenario *sc, json_t *ja)
{
	size_t n = 0;

	while (acg_strategy_names[n])
		n++;
	if (ja && !json_is_array(ja))
		return bad(c, "strategies", "must be a list of names");
	if (ja)
		n = json_array_size(ja);
	if (n == 0)
		return bad(c, "strategies", "is empty");
	sc->strategies = calloc(n, sizeof(char *));
	if (!sc->strategies)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *v = ja ? json_array_get(ja, i) : NULL;
		const char *name = ja ? json_string_value(v) : acg_strategy_names[i];

		if (!name || !strategy_known(name))
			return bad(c, "strategies",
				   "\"%s\" is not a strategy (none, static, high, "
				   "dynamic, bpf)",
				   name ? name : "?");
		for (size_t k = 0; k < sc->n_strategies; k++)
			if (strcmp(sc->strategies[k], name) == 0)
				return bad(c, "strategies", "\"%s\" is listed twice", name);
		sc->strategies[sc->n_strategies] = strdup(name);
		if (!sc->strategies[sc->n_strategies])
			return -ENOMEM;
		sc->n_strategies++;
	}
	return 0;
}

static int parse_params(struct ctx *c, struct acg_scenario *sc, json_t *jp)
{
	static const char *const top[] = {"high", NULL}, *const high[] = {"high_mb", "low_mb",
									  NULL};
	double high_mb = -1, low_mb = -1;
	json_t *jh;
	int r;

	/* defaults: HIGH unthrottled, LOW at an equal share of the budget */
	sc->high.high_class = ACG_UNLIMITED;
	sc->high.low_class = sc->budget_bytes / (sc->n_sessions ? sc->n_sessions : 1);
	if (!jp)
		return 0;
	if (!json_is_object(jp))
		return bad(c, "params", "must be an object");
	if ((r = only_keys(c, "params", jp, top)) < 0)
		return r;
	jh = json_object_get(jp, "high");
	if (!jh)
		return 0;
	if (!json_is_object(jh))
		return bad(c, "params.high", "must be an object");
	if ((r = only_keys(c, "params.high", jh, high)) < 0 ||
	    (r = get_num(c, "params.high", jh, "high_mb", 1, 1 << 24, &high_mb)) < 0 ||
	    (r = get_num(c, "params.high", jh, "low_mb", 1, 1 << 24, &low_mb)) < 0)
		return r;
	if (high_mb > 0)
		sc->high.high_class = (uint64_t)(high_mb * MB);
	if (low_mb > 0)
		sc->high.low_class = (uint64_t)(low_mb * MB);
	return 0;
}

static int parse(struct ctx *c, json_t *root, uint64_t mem_total, struct acg_scenario *sc)
{
	static const char *const keys[] = {
		"name",		"description",	   "budget_mb",	 "speed",  "runs",
		"binary_units", "sessions",	   "strategies", "params", "timeout_factor",
		"grow_mib_s",	"host_grow_mib_s", "swap_mb",	 NULL};
	json_t *jn = json_object_get(root, "name"), *js = json_object_get(root, "sessions");
	json_t *jb = json_object_get(root, "binary_units");
	double budget_mb = 0, runs = 5, grow = 0, host_grow = 0, swap_mb = 0;
	int r;

	if (!json_is_object(root))
		return bad(c, "top level", "must be a JSON object");
	if ((r = only_keys(c, "top level", root, keys)) < 0)
		return r;
	if (jn && !json_is_string(jn))
		return bad(c, "name", "must be a string");
	if (jn)
		sc->name = strdup(json_string_value(jn));
	if (!json_object_get(root, "budget_mb"))
		return bad(c, "budget_mb", "is required (the memory all sessions share, MiB)");
	if ((r = get_num(c, "budget_mb", root, "budget_mb", 1, 1 << 24, &budget_mb)) < 0 ||
	    (r = get_num(c, "speed", root, "speed", 1e-3, 1e6, &sc->speed)) < 0 ||
	    (r = get_num(c, "runs", root, "runs", 1, 1000, &runs)) < 0 ||
	    (r = get_num(c, "timeout_factor", root, "timeout_factor", 1, 1e6,
			 &sc->timeout_factor)) < 0 ||
	    (r = get_num(c, "grow_mib_s", root, "grow_mib_s", 1, 1 << 24, &grow)) < 0 ||
	    (r = get_num(c, "host_grow_mib_s", root, "host_grow_mib_s", 1, 1 << 24, &host_grow)) <
		    0 ||
	    (r = get_num(c, "swap_mb", root, "swap_mb", 0, 1 << 24, &swap_mb)) < 0)
		return r;
	sc->swap_bytes = (uint64_t)(swap_mb * MB);
	sc->grow_bps = grow * MB;
	sc->host_grow_bps = host_grow * MB;
	if (runs != floor(runs))
		return bad(c, "runs", "must be a whole number");
	sc->runs = (unsigned int)runs;
	sc->budget_bytes = (uint64_t)(budget_mb * MB);
	if (mem_total && sc->budget_bytes > mem_total)
		return bad(c, "budget_mb", "%.0f MiB is more than this host's memory (%.0f MiB)",
			   budget_mb, (double)mem_total / MB);
	if (jb && !json_is_boolean(jb))
		return bad(c, "binary_units", "must be true or false");
	sc->binary_units = json_is_true(jb);
	if (!json_is_array(js) || json_array_size(js) == 0)
		return bad(c, "sessions", "must be a non-empty list");
	sc->sessions = calloc(json_array_size(js), sizeof(*sc->sessions));
	if (!sc->sessions)
		return -ENOMEM;
	for (size_t i = 0; i < json_array_size(js); i++) {
		sc->n_sessions = i + 1;
		if ((r = parse_session(c, sc, i, json_array_get(js, i))) < 0 ||
		    (r = check_high_fits(c, sc, i)) < 0)
			return r;
	}
	if ((r = parse_strategies(c, sc, json_object_get(root, "strategies"))) < 0)
		return r;
	return parse_params(c, sc, json_object_get(root, "params"));
}

int acg_scenario_load(const char *path, uint64_t mem_total, struct acg_scenario **ret,
		      struct acg_diag *diag)
{
	struct ctx c = {path, diag};
	struct acg_scenario *sc;
	json_t *root;
	bool has_name;
	int r;

	r = acg_json_read_user(path, ACG_JSON_MAX_INPUT, JSON_REJECT_DUPLICATES, &root, diag);
	if (r < 0)
		return r == -ENOMEM ? r : -EINVAL;
	sc = calloc(1, sizeof(*sc));
	if (!sc) {
		json_decref(root);
		return -ENOMEM;
	}
	sc->speed = 1;
	sc->timeout_factor = 20;
	sc->low_growth = ACG_POL_LOW_GROWTH;
	sc->high_growth = ACG_POL_HIGH_GROWTH;
	sc->path = strdup(path);
	r = parse(&c, root, mem_total, sc);
	has_name = sc->name != NULL;
	json_decref(root);
	if (r == 0 && !sc->name) {
		char base[256];
		const char *b = strrchr(path, '/');
		char *dot;

		snprintf(base, sizeof(base), "%s", b ? b + 1 : path);
		dot = strrchr(base, '.');
		if (dot && dot != base)
			*dot = '\0';
		sc->name = strdup(base);
	}
	if (r == 0 && (!sc->name || !sc->path))
		r = -ENOMEM;
	if (r == 0 && !scn_name_valid(sc->name))
		r = bad(&c, "name",
			"\"%s\"%s must be 1-64 characters of [A-Za-z0-9_.-], not starting with '.' "
			"(it names the results directory)",
			sc->name, has_name ? "" : " (from the file name: give a \"name\")");
	if (r < 0) {
		if (r == -ENOMEM && diag)
			snprintf(diag->msg, sizeof(diag->msg), "%s: out of memory", path);
		acg_scenario_free(sc);
		return r;
	}
	*ret = sc;
	return 0;
}

void acg_scenario_free(struct acg_scenario *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_sessions; i++) {
		free(s->sessions[i].trace_path);
		acg_trace_free(s->sessions[i].trace);
		acg_command_spec_free(s->sessions[i].command);
		free(s->sessions[i].command);
	}
	free(s->sessions);
	for (size_t i = 0; i < s->n_strategies; i++)
		free(s->strategies[i]);
	free(s->strategies);
	free(s->name);
	free(s->path);
	free(s);
}

size_t acg_scenario_n_commands(const struct acg_scenario *sc)
{
	size_t n = 0;

	for (size_t i = 0; i < sc->n_sessions; i++)
		n += sc->sessions[i].command != NULL;
	return n;
}

const char *acg_scenario_unmodelled(const struct acg_scenario *sc)
{
	return acg_scenario_n_commands(sc)
		       ? "command sessions have no memory curve; record them first with agentcg "
			 "record"
		       : NULL;
}
