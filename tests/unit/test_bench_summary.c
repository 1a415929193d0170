// SPDX-License-Identifier: GPL-2.0
/*
 * test_bench_summary.c: unit tier. What `agentcg report` reads from a results directory
 * nobody vouches for: every malformed run document is refused with one line naming the key
 * and the problem (before, the summary dereferenced the missing strings: SIGSEGV), a
 * well-formed one with odd but legal values passes and sums up, and the bench summary's
 * carried-over keys render as Markdown whatever their shape. And bench/real_vs_replay.py, which
 * reads results directories too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bench.h"
#include "helpers.h"
#include "scenario.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* A run document as acg_bench_run_json() writes it, cut to what the summary reads. */
static const char base_doc[] =
	"{\"scenario\": \"s\", \"strategy\": \"dynamic\", \"run\": 1, \"budget_bytes\": 1024,"
	" \"sessions\": ["
	"{\"name\": \"hi\", \"priority\": \"high\", \"status\": \"completed\","
	" \"killed_by\": null, \"completion_s\": 1.5, \"ended_at_s\": 1.5},"
	"{\"name\": \"lo\", \"priority\": \"low\", \"status\": \"killed\","
	" \"killed_by\": \"oom\", \"completion_s\": null, \"ended_at_s\": 0.7}]}";

static json_t *base(void)
{
	json_t *doc = json_loads(base_doc, 0, NULL);

	assert_non_null(doc);
	return doc;
}

static void test_good(void **state)
{
	struct acg_diag why = {.msg = ""};
	json_t *doc = base(), *runs, *summary,
	       *s1 = json_array_get(json_object_get(doc, "sessions"), 1);

	(void)state;
	assert_int_equal(acg_bench_run_check(doc, &why), 0);
	/* a name is data: any string, even one that would be code elsewhere */
	json_object_set_new(s1, "name", json_string("x'\n\"\\ system(\"id\")"));
	json_object_del(s1, "ended_at_s");
	json_object_del(s1, "killed_by");
	json_object_set_new(doc, "strategy", json_string("no-ne_2.x"));
	assert_int_equal(acg_bench_run_check(doc, &why), 0);
	runs = json_array();
	json_array_append_new(runs, doc);
	summary = acg_bench_summarize(runs, NULL);
	assert_non_null(summary);
	json_decref(summary);
	json_decref(runs);
}

static void test_malformed(void **state)
{
	/* where: -1 the document, 0 or 1 that session; value NULL: the key is removed */
	static const struct {
		int where;
		const char *key, *value, *want;
	} cases[] = {
		{-1, "strategy", NULL, "strategy: missing"},
		{-1, "strategy", "7", "strategy: not a string"},
		{-1, "strategy", "\"../../etc\"", "strategy: not a name"},
		{-1, "strategy", "\"\"", "strategy: not a name"},
		{-1, "strategy", "\"a\\nb\"", "strategy: not a name"},
		{-1, "strategy", "\".hidden\"", "strategy: not a name"},
		{-1, "run", NULL, "run: missing"},
		{-1, "run", "\"1\"", "run: not an integer >= 1"},
		{-1, "run", "0", "run: not an integer >= 1"},
		{-1, "run", "1.5", "run: not an integer >= 1"},
		{-1, "budget_bytes", NULL, "budget_bytes: missing"},
		{-1, "budget_bytes", "-1", "budget_bytes: not an integer >= 0"},
		{-1, "sessions", NULL, "sessions: missing"},
		{-1, "sessions", "{}", "sessions: not an array"},
		{-1, "sessions", "[1]", "sessions[0]: not an object"},
		{0, "name", NULL, "sessions[0].name: missing"},
		{1, "name", "3", "sessions[1].name: not a string"},
		{0, "priority", NULL, "sessions[0].priority: missing"},
		{1, "priority", "\"urgent\"", "sessions[1].priority: not one of them"},
		{1, "priority", "[]", "sessions[1].priority: not one of them"},
		{0, "status", NULL, "sessions[0].status: missing"},
		{1, "status", "null", "sessions[1].status: not one of them"},
		{1, "status", "\"done\"", "sessions[1].status: not one of them"},
		{1, "killed_by", "9", "sessions[1].killed_by: not a string or null"},
		{0, "completion_s", "\"1.5\"", "sessions[0].completion_s: not a number or null"},
		{1, "ended_at_s", "{}", "sessions[1].ended_at_s: not a number or null"},
	};
	struct acg_diag why;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc = base(), *o = doc;

		if (cases[i].where >= 0)
			o = json_array_get(json_object_get(doc, "sessions"),
					   (size_t)cases[i].where);
		if (cases[i].value)
			json_object_set_new(o, cases[i].key,
					    json_loads(cases[i].value, JSON_DECODE_ANY, NULL));
		else
			json_object_del(o, cases[i].key);
		why.msg[0] = '\0';
		if (acg_bench_run_check(doc, &why) != -EINVAL || !strstr(why.msg, cases[i].want) ||
		    strchr(why.msg, '\n'))
			fail_msg("case %zu (%s = %s): \"%s\" (wanted -EINVAL and \"%s\")", i,
				 cases[i].key, cases[i].value ? cases[i].value : "(removed)",
				 why.msg, cases[i].want);
		json_decref(doc);
	}
	for (const char *p = "[]\0\"x\"\0null\0"; *p; p += strlen(p) + 1) {
		json_t *doc = json_loads(p, JSON_DECODE_ANY, NULL);

		assert_int_equal(acg_bench_run_check(doc, &why), -EINVAL);
		assert_string_equal(why.msg, "not a JSON object");
		json_decref(doc);
	}
}

/* The bench's summary.json is carried over as data: any shape renders, nothing crashes. */
static void test_carried_over(void **state)
{
	static const char *const olds[] = {
		"{\"oracle\": {\"status\": 5}}",
		"{\"oracle\": {}}",
		"{\"oracle\": []}",
		"{\"simulation_vs_real\": [{}, 1, {\"strategy\": 2, \"session\": null}]}",
		"{\"unavailable\": {\"high\": 1}}",
		"{\"unavailable\": [1]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(olds) / sizeof(olds[0]); i++) {
		json_t *old = json_loads(olds[i], 0, NULL), *runs = json_array(), *summary;
		char *md = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&md, &len);

		assert_non_null(old);
		json_array_append_new(runs, base());
		summary = acg_bench_summarize(runs, json_object_get(old, "unavailable"));
		acg_bench_carry_over(summary, old);
		assert_int_equal(acg_bench_summary_md(summary, f), 0);
		fclose(f);
		assert_non_null(strstr(md, "| dynamic |"));
		free(md);
		json_decref(summary);
		json_decref(runs);
		json_decref(old);
	}
}

/* Run cmd through sh, its output (stdout and stderr) into out; its exit status. */
static int run_cmd(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int st;

	assert_non_null(p);
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * bench/real_vs_replay.py on the checked-in small results: its scenario of the solo runs'
 * curves loads as a scenario (same budget and sessions, traces that parse), the results
 * compared with themselves show no error and the same kills, and a directory with no runs
 * is one line, exit 2.
 */
static void test_real_vs_replay(void **state)
{
	char tmp[] = "/tmp/agentcg-test-rvr-XXXXXX", cmd[1024], out[8192], path[300];
	struct acg_scenario *sc = NULL;
	struct acg_diag d = {""};

	(void)state;
	assert_non_null(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd),
		 "cd '%s/..' && python3 bench/real_vs_replay.py scenario '%s/results-small' "
		 "'%s/out' 2>&1",
		 TRACE_DIR, FIXTURE_DIR, tmp);
	assert_int_equal(run_cmd(cmd, out, sizeof(out)), 0);
	snprintf(path, sizeof(path), "%s/out/replay.json", tmp);
	if (acg_scenario_load(path, 0, &sc, &d) < 0)
		fail_msg("%s", d.msg);
	assert_int_equal(sc->n_sessions, 2);
	assert_string_equal(sc->sessions[0].name, "hi");
	acg_scenario_free(sc);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s/..' && python3 bench/real_vs_replay.py compare '%s/results-small' "
		 "'%s/results-small' 2>&1",
		 TRACE_DIR, FIXTURE_DIR, FIXTURE_DIR);
	assert_int_equal(run_cmd(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "median |completion error| 0.0%"));
	assert_non_null(strstr(out, "under none and static: the same sessions"));
	snprintf(cmd, sizeof(cmd),
		 "cd '%s/..' && python3 bench/real_vs_replay.py compare '%s' '%s' 2>&1", TRACE_DIR,
		 tmp, tmp);
	assert_int_equal(run_cmd(cmd, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "no runs/ here"));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_carried_over),
		cmocka_unit_test(test_real_vs_replay),
	};

	th_init();
	return cmocka_run_group_tests_name("bench_summary", tests, NULL, NULL);
}
