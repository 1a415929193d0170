// SPDX-License-Identifier: GPL-2.0
/*
 * test_command.c: live tier (root). Command sessions (real software) in the bench: a
 * sequence completes, its output is in its log, its helper held base_mb (the cgroup's
 * peak says so) and its wall time is recorded; a command past its timeout is killed with
 * its process group and recorded as such, with how far the sequence got; under `static`
 * the kernel OOM-kills a command and the session is recorded as killed by OOM with how
 * far it got; and through the CLI, --check-config's errors, `simulate` saying it cannot
 * model command sessions, and the keys docs/bench.md lists for a command session.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bench.h"
#include "cgroup.h"
#include "helpers.h"
#include "scenario.h"
#include "schema.h"
#include "strategy.h"

#include <errno.h>
#include <glob.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AGENTCG_BIN
#define AGENTCG_BIN "build/agentcg"
#endif

static struct acg_mounts mounts;
static struct acg_cg *root;
static const char *skip_all;
static char dir[] = "/tmp/agentcg-test-cmd-XXXXXX";

/*
 * "seq" holds 16 MiB (its helper) and runs three commands: output on both streams, a
 * short sleep, and a check of its environment (cwd is the scratch directory, FOO is set).
 */
static const char seq_scenario[] =
	"{\"name\": \"seq\", \"budget_mb\": 256, \"runs\": 1, \"sessions\": ["
	"{\"name\": \"seq\", \"priority\": \"high\", \"base_mb\": 16, \"env\": {\"FOO\": \"bar\"},"
	" \"command\": [[\"sh\", \"-c\", \"echo to-stdout; echo to-stderr >&2\"],"
	" [\"sleep\", \"0.2\"],"
	" [\"sh\", \"-c\", \"test \\\"$PWD\\\" = \\\"$AGENTCG_SCRATCH\\\" && echo foo=$FOO\"]]}]}";

/* the second command sleeps far past its 0.5 s timeout (it and its child are killed) */
static const char timeout_scenario[] =
	"{\"name\": \"to\", \"budget_mb\": 256, \"runs\": 1, \"sessions\": ["
	"{\"name\": \"slow\", \"priority\": \"low\", \"timeout_s\": 0.5,"
	" \"command\": [[\"true\"], [\"sh\", \"-c\", \"sleep 300 & sleep 300\"], [\"true\"]]}]}";

/*
 * a (HIGH, a stress timeline) holds 20 MiB; lo (LOW) runs true, then a shell that reads
 * 200 MiB into a variable (sh, head and tr: in the v2 VM's busybox too), then true: with
 * 96 MiB / 2 = 48 MiB each under static the kernel OOM-kills the shell, the session's
 * second command.
 */
static const char oom_scenario[] =
	"{\"name\": \"oom\", \"budget_mb\": 96, \"runs\": 1, \"strategies\": [\"static\"],"
	" \"sessions\": ["
	"{\"name\": \"a\", \"priority\": \"high\", \"stress\": {\"mb\": 20, \"hold_s\": 0.5}},"
	"{\"name\": \"lo\", \"priority\": \"low\", \"command\": [[\"true\"],"
	" [\"sh\", \"-c\", \"x=$(head -c 209715200 /dev/zero | tr '\\\\0' a); echo ${#x}\"],"
	" [\"true\"]]}]}";

static int write_file(const char *name, const char *text)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static struct acg_scenario *load(const char *file)
{
	struct acg_scenario *sc = NULL;
	struct acg_diag d = {""};
	char path[300];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (acg_scenario_load(path, 0, &sc, &d) < 0)
		fail_msg("%s", d.msg);
	return sc;
}

static int group_setup(void **state)
{
	char name[64];

	(void)state;
	if (geteuid() != 0) {
		skip_all = "live tests need root (they create cgroups)";
		return 0;
	}
	if (acg_mounts_detect(&mounts) < 0 || !mounts.mem_version) {
		skip_all = "no memory controller on this host";
		return 0;
	}
	if (!mkdtemp(dir) || write_file("seq.json", seq_scenario) < 0 ||
	    write_file("to.json", timeout_scenario) < 0 || write_file("oom.json", oom_scenario) < 0)
		return -1;
	snprintf(name, sizeof(name), "agentcg-test-%d-cmd", (int)getpid());
	return acg_root_open(&mounts, name, true, &root) < 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (root)
		acg_cg_remove(root);
	acg_cg_free(root);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return skip_all ? 0 : system(cmd);
}

static json_t *session(json_t *run, const char *name)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(run, "sessions"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0)
			return s;
	fail_msg("no session %s", name);
	return NULL;
}

static const char *str(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "(none)";
}

static json_t *step(json_t *s, size_t k)
{
	return json_array_get(json_object_get(json_object_get(s, "command"), "steps"), k);
}

static json_int_t cmd_int(json_t *s, const char *k)
{
	json_t *v = json_object_get(json_object_get(s, "command"), k);

	if (!json_is_integer(v))
		fail_msg("command.%s is not an integer", k);
	return json_integer_value(v);
}

/* The whole of a file (malloc'd, NUL-terminated), or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = calloc(1, 1 << 20);
	n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

#define SKIP_UNLESS_LIVE()                                       \
	do {                                                     \
		if (skip_all) {                                  \
			fprintf(stderr, "skip: %s\n", skip_all); \
			skip();                                  \
		}                                                \
	} while (0)

/* A sequence completes: real wall time, every command, its output in its log. */
static void test_sequence_completes(void **state)
{
	struct acg_scenario *sc;
	struct acg_bench_run *r = NULL;
	const size_t idx[] = {0};
	char out[400], path[500], *log;
	json_t *doc, *s;
	double prev_end = 0;

	(void)state;
	SKIP_UNLESS_LIVE();
	sc = load("seq.json");
	assert_int_equal(acg_bench_run(sc, idx, 1, NULL, 1, root, "seq", 0, NULL, NULL, &r), 0);
	doc = acg_bench_run_json(r);
	s = session(doc, "seq");
	assert_string_equal(str(s, "status"), "completed");
	assert_true(json_is_null(json_object_get(s, "killed_by")));
	assert_true(json_is_null(json_object_get(s, "error")));
	assert_int_equal(cmd_int(s, "commands"), 3);
	assert_int_equal(cmd_int(s, "done"), 3);
	assert_true(json_is_null(json_object_get(json_object_get(s, "command"), "stopped_at")));
	/* the commands ran one after the other, and completion covers them all */
	for (size_t k = 0; k < 3; k++) {
		double st = json_number_value(json_object_get(step(s, k), "started_s"));
		double du = json_number_value(json_object_get(step(s, k), "duration_s"));

		assert_string_equal(str(step(s, k), "status"), "completed");
		assert_true(st >= prev_end);
		prev_end = st + du;
	}
	assert_true(json_number_value(json_object_get(s, "completion_s")) >= prev_end);
	/* `sleep 0.2` took at least that long: the wall time is real */
	assert_true(json_number_value(json_object_get(step(s, 1), "duration_s")) >= 0.2);
	/* the helper held base_mb in the session's cgroup, as the kernel counted it */
	assert_true(json_integer_value(json_object_get(json_object_get(s, "peak"),
						       "cgroup_peak_bytes")) >= 16 << 20);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(s, "command"), "base_bytes")),
		16 << 20);
	json_decref(doc);

	snprintf(out, sizeof(out), "%s/seq-run", dir);
	assert_int_equal(acg_bench_run_write(r, out), 0);
	snprintf(path, sizeof(path), "%s/sessions/seq.log", out);
	log = slurp(path);
	assert_non_null(log);
	assert_non_null(strstr(log, "to-stdout\n"));
	assert_non_null(strstr(log, "to-stderr\n"));
	/* cwd was the scratch directory, and env reached the command */
	assert_non_null(strstr(log, "foo=bar\n"));
	assert_non_null(strstr(log, "[agentcg] command 2: sleep 0.2\n"));
	assert_non_null(strstr(log, "[agentcg] exit 0 after"));
	free(log);
	/* the scratch directory went with the run */
	{
		struct stat st;
		char *scratch = strdup(r->s[0].scratch);

		acg_bench_run_free(r);
		assert_int_equal(stat(scratch, &st), -1);
		free(scratch);
	}
	acg_scenario_free(sc);
}

/* A command past its timeout is killed with its process group and recorded as such. */
static void test_timeout(void **state)
{
	struct acg_scenario *sc;
	struct acg_bench_run *r = NULL;
	const size_t idx[] = {0};
	json_t *doc, *s;
	char cgpath[ACG_PATH_MAX + 64];
	struct stat st;

	(void)state;
	SKIP_UNLESS_LIVE();
	sc = load("to.json");
	assert_int_equal(acg_bench_run(sc, idx, 1, NULL, 1, root, "to", 0, NULL, NULL, &r), 0);
	doc = acg_bench_run_json(r);
	s = session(doc, "slow");
	assert_string_equal(str(s, "status"), "killed");
	assert_string_equal(str(s, "killed_by"), "timeout");
	assert_true(json_is_null(json_object_get(s, "completion_s")));
	assert_int_equal(cmd_int(s, "done"), 1);
	assert_int_equal(cmd_int(s, "stopped_at"), 2);
	assert_string_equal(str(step(s, 0), "status"), "completed");
	assert_string_equal(str(step(s, 1), "status"), "timeout");
	assert_string_equal(str(step(s, 2), "status"), "not run");
	assert_non_null(strstr(str(s, "error"), "command 2 (sh) killed at its timeout (0.5 s)"));
	/* the run did not wait for the backgrounded sleep: its run timeout never came */
	assert_false(r->timed_out);
	json_decref(doc);
	snprintf(cgpath, sizeof(cgpath), "%s/to", acg_cg_path(root));
	assert_int_equal(stat(cgpath, &st), -1);
	acg_bench_run_free(r);
	acg_scenario_free(sc);
}

/* Under static the kernel OOM-kills a command: killed by oom, with how far it got. */
static void test_oom_under_static(void **state)
{
	struct acg_scenario *sc;
	struct acg_bench_run *r = NULL;
	const size_t idx[] = {0, 1};
	json_t *doc, *s, *ex;

	(void)state;
	/* valgrind's own memory is charged to the session's driver, which the OOM killer
	 * then picks instead of the command */
	TH_SKIP_UNDER_VALGRIND();
	SKIP_UNLESS_LIVE();
	sc = load("oom.json");
	assert_int_equal(acg_bench_run(sc, idx, 2, acg_strategy_find("static"), 1, root, "static",
				       0, NULL, NULL, &r),
			 0);
	doc = acg_bench_run_json(r);
	s = session(doc, "lo");
	assert_string_equal(str(s, "status"), "killed");
	assert_string_equal(str(s, "killed_by"), "oom");
	assert_true(json_integer_value(json_object_get(json_object_get(s, "memory_events_delta"),
						       "oom_kill")) >= 1);
	assert_int_equal(cmd_int(s, "done"), 1);
	assert_int_equal(cmd_int(s, "stopped_at"), 2);
	assert_string_equal(str(step(s, 1), "status"), "killed");
	ex = json_object_get(step(s, 1), "exit");
	assert_int_equal(json_integer_value(json_object_get(ex, "signal")), 9);
	assert_string_equal(str(step(s, 2), "status"), "not run");
	assert_true(json_is_null(json_object_get(s, "completion_s")));
	/* the HIGH stress session beside it completed */
	assert_string_equal(str(session(doc, "a"), "status"), "completed");
	json_decref(doc);
	acg_bench_run_free(r);
	acg_scenario_free(sc);
}

static int run_cli(const char *args, const char *log)
{
	const char *bin = getenv("AGENTCG_BIN") ? getenv("AGENTCG_BIN") : AGENTCG_BIN;
	char cmd[2048];
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s >%s/%s 2>&1", bin, args, dir, log);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *cli_log(const char *log)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s", dir, log);
	return slurp(path);
}

/* --check-config: one clear line per error, exit 2; a good one lists the commands. */
static void test_check_config(void **state)
{
	static const struct {
		const char *session, *want;
	} bad[] = {
		{"\"command\": [\"agentcg-no-such-tool\", \"-x\"]",
		 "sessions[0].command: \"agentcg-no-such-tool\" not found on PATH ("},
		{"\"command\": [[\"true\"], []]",
		 "sessions[0].command[1]: must be a non-empty list of strings"},
		{"\"cwd\": \"/nonexistent-agentcg\", \"command\": [\"true\"]",
		 "sessions[0]: cwd \"/nonexistent-agentcg\": No such file or directory"},
		{"\"timeout_s\": 0.01, \"command\": [\"true\"]",
		 "sessions[0]: \"timeout_s\" is 0.01, must be from 0.1 to 86400"},
	};
	char text[600], args[600], *log;

	(void)state;
	SKIP_UNLESS_LIVE();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
			 "{\"budget_mb\": 64, \"sessions\": [{\"name\": \"c\", \"priority\": "
			 "\"low\", %s}]}",
			 bad[i].session);
		assert_int_equal(write_file("bad.json", text), 0);
		snprintf(args, sizeof(args), "bench %s/bad.json --check-config", dir);
		assert_int_equal(run_cli(args, "cc.log"), 2);
		log = cli_log("cc.log");
		assert_non_null(log);
		if (!strstr(log, bad[i].want) || strchr(log, '\n') != log + strlen(log) - 1)
			fail_msg("wanted one line with \"%s\", got: %s", bad[i].want, log);
		free(log);
	}
	snprintf(args, sizeof(args), "bench %s/seq.json --check-config", dir);
	assert_int_equal(run_cli(args, "cc.log"), 0);
	log = cli_log("cc.log");
	assert_non_null(
		strstr(log, "seq          high 3 commands, base 16 MiB, timeout 600 s each"));
	assert_non_null(strstr(log, "      2: sleep 0.2\n"));
	assert_non_null(strstr(log, "simulation and oracle: unavailable: command sessions have "
				    "no memory curve"));
	free(log);
	/* the simulator says it cannot, rather than guess */
	snprintf(args, sizeof(args), "simulate %s/seq.json", dir);
	assert_int_equal(run_cli(args, "sim.log"), 1);
	log = cli_log("sim.log");
	assert_non_null(strstr(log, "unavailable: command sessions have no memory curve; record "
				    "them first with agentcg record"));
	free(log);
}

/*
 * A real bench through the CLI (the oom scenario: solo baselines, then static): the log
 * files are written, the summary says the simulation and the oracle are unavailable, and
 * the keys docs/bench.md lists for a command session and run.json are those written.
 */
static void test_bench_cli_docs(void **state)
{
	struct th_schema cmd = {0}, run = {0};
	char args[800], path[600], *md;
	json_t *docs[16], *sum;
	struct stat st;
	size_t n;

	(void)state;
	SKIP_UNLESS_LIVE();
	if (!th_doc_dir()) {
		fprintf(stderr, "skip: no docs/ here\n");
		skip();
	}
	snprintf(
		args, sizeof(args),
		"bench %s/oom.json --runs 1 --warm-mb 8 --root agentcg-test-%d-cmdcli --out %s/cli",
		dir, (int)getpid(), dir);
	if (run_cli(args, "cli.log") != 0) {
		char *log = cli_log("cli.log");

		fail_msg("the bench failed: %s", log ? log : "(no log)");
	}
	snprintf(path, sizeof(path), "%s/cli/runs/1/static/sessions/lo.log", dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/cli/runs/1/solo-lo/sessions/lo.log", dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/cli/summary.json", dir);
	sum = json_load_file(path, 0, NULL);
	assert_non_null(sum);
	assert_non_null(strstr(str(sum, "simulation_unavailable"), "no memory curve"));
	assert_string_equal(str(json_object_get(sum, "oracle"), "status"), "unavailable");
	json_decref(sum);
	snprintf(path, sizeof(path), "%s/cli/summary.md", dir);
	md = slurp(path);
	assert_non_null(md);
	assert_non_null(strstr(md, "Simulation: unavailable: command sessions have no memory"));
	assert_non_null(strstr(md, "Oracle: unavailable: command sessions have no memory"));
	free(md);

	th_schema_add_doc(&cmd, "bench.md", "## A command session's result", NULL, NULL, NULL);
	snprintf(path, sizeof(path), "%s/cli/runs/*/*/sessions/lo.json", dir);
	n = th_json_load_all(path, docs, 16);
	assert_int_equal(n, 2);
	th_schema_expect(&cmd, docs, n, "a command session's sessions/<name>.json");

	th_schema_add_doc(&run, "bench.md", "## run.json", NULL, NULL, NULL);
	th_schema_add_doc(&run, "replay.md", "## Result", NULL, "sessions[].", "per_sample");
	snprintf(path, sizeof(path), "%s/cli/runs/*/*/run.json", dir);
	n = th_json_load_all(path, docs, 16);
	assert_int_equal(n, 3);
	th_schema_expect(&run, docs, n, "run.json");
	th_schema_free(&cmd);
	th_schema_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequence_completes), cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_oom_under_static),   cmocka_unit_test(test_check_config),
		cmocka_unit_test(test_bench_cli_docs),
	};

	th_init();
	return cmocka_run_group_tests_name("command", tests, group_setup, group_teardown);
}
