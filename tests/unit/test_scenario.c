// SPDX-License-Identifier: GPL-2.0
/*
 * test_scenario.c: unit tier. Scenario files: a good one (trace relative to the file,
 * stress, params, defaults), command sessions (one argv or a sequence, cwd relative to the
 * file, environment, timeout) and every kind of bad one, each a single line naming the
 * file, where and what.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helpers.h"
#include "parse.h"
#include "scenario.h"
#include "strategy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/agentcg-test-scn-XXXXXX";
static char path[300];

static void write_scn(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char trace[300];
	FILE *f;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(trace, sizeof(trace), "%s/t.csv", dir);
	f = fopen(trace, "w");
	if (!f)
		return -1;
	fputs("0,10MB\n1,30MB\n2,20MB\n", f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	char p[300];

	(void)state;
	unlink(path);
	snprintf(p, sizeof(p), "%s/t.csv", dir);
	unlink(p);
	return rmdir(dir);
}

static void test_good(void **state)
{
	struct acg_scenario *sc;
	struct acg_diag d = {""};

	(void)state;
	write_scn(
		"{\"budget_mb\": 512, \"speed\": 10, \"runs\": 3, \"sessions\": ["
		"{\"name\": \"h\", \"priority\": \"high\", \"trace\": \"t.csv\", \"base_mb\": 50,"
		" \"peak_mb\": 300},"
		"{\"name\": \"l\", \"priority\": \"low\", \"stress\": {\"mb\": 64, \"hold_s\": 2}}],"
		"\"strategies\": [\"none\", \"static\"], \"params\": {\"high\": {\"low_mb\": 100}}}");
	if (acg_scenario_load(path, 0, &sc, &d) < 0)
		fail_msg("%s", d.msg);
	assert_string_equal(sc->name, "s");
	assert_true(sc->budget_bytes == 512 * MiB);
	assert_true(sc->speed == 10);
	assert_int_equal(sc->runs, 3);
	assert_int_equal(sc->n_sessions, 2);
	assert_int_equal(sc->sessions[0].prio, ACG_PRIO_HIGH);
	assert_true(sc->sessions[0].base_bytes == 50 * MiB);
	assert_true(sc->sessions[0].peak_bytes == 300 * MiB); /* declared */
	assert_true(sc->sessions[1].peak_bytes == 0);	      /* not declared */
	assert_int_equal(sc->sessions[0].trace->n, 3);
	assert_non_null(strstr(sc->sessions[0].trace_path, "/t.csv"));
	assert_null(sc->sessions[1].trace_path);
	assert_true(sc->sessions[1].stress.bytes == 64 * MiB);
	assert_int_equal(sc->n_strategies, 2);
	assert_true(sc->high.high_class == ACG_UNLIMITED);
	assert_true(sc->high.low_class == 100 * MiB);
	acg_scenario_free(sc);

	/* defaults: 5 runs, speed 1, every strategy, LOW memory.high = budget / N */
	write_scn("{\"budget_mb\": 300, \"sessions\": [{\"name\": \"a\", \"priority\": \"low\","
		  " \"stress\": {\"mb\": 1}}]}");
	assert_int_equal(acg_scenario_load(path, 0, &sc, &d), 0);
	assert_int_equal(sc->runs, 5);
	assert_true(sc->speed == 1);
	assert_int_equal(sc->n_strategies, 6);
	assert_true(sc->high.low_class == 300 * MiB);
	/* the simulator's growth rates: unset (0), its defaults */
	assert_true(sc->grow_bps == 0 && sc->host_grow_bps == 0);
	acg_scenario_free(sc);

	write_scn("{\"budget_mb\": 300, \"grow_mib_s\": 1500, \"host_grow_mib_s\": 2000,"
		  " \"sessions\": ["
		  "{\"name\": \"a\", \"priority\": \"low\", \"stress\": {\"mb\": 1}}"
		  "]}");
	assert_int_equal(acg_scenario_load(path, 0, &sc, &d), 0);
	assert_true(sc->grow_bps == 1500.0 * MiB && sc->host_grow_bps == 2000.0 * MiB);
	acg_scenario_free(sc);
}

static void expect_bad(const char *text, uint64_t mem_total, const char *want)
{
	struct acg_scenario *sc = NULL;
	struct acg_diag d = {""};

	write_scn(text);
	if (acg_scenario_load(path, mem_total, &sc, &d) != -EINVAL)
		fail_msg("accepted: %s", text);
	assert_null(sc);
	if (strncmp(d.msg, path, strlen(path)) != 0 || !strstr(d.msg, want))
		fail_msg("diagnostic \"%s\" lacks \"%s\"", d.msg, want);
	assert_null(strchr(d.msg, '\n'));
}

#define S1 "{\"name\": \"a\", \"priority\": \"low\", \"stress\": {\"mb\": 1}}"

static void test_bad(void **state)
{
	(void)state;
	expect_bad("{\"budget_mb\": 1,", 0, "not JSON: line 1");
	expect_bad("[]", 0, "top level: must be a JSON object");
	expect_bad("{\"sessions\": [" S1 "]}", 0, "budget_mb: is required");
	/* ranges are whole numbers where they are whole (not 1.67772e+07) */
	expect_bad("{\"budget_mb\": -5, \"sessions\": [" S1 "]}", 0,
		   "\"budget_mb\" is -5, must be from 1 to 16777216");
	expect_bad("{\"budget_mb\": 5000, \"sessions\": [" S1 "]}", 1000 * MiB,
		   "more than this host's memory");
	expect_bad("{\"budget_mb\": 5, \"bugdet\": 1, \"sessions\": [" S1 "]}", 0,
		   "unknown key \"bugdet\"");
	/* regression (fuzzing): a key with a newline still gives one line */
	expect_bad("{\"budget_mb\": 5, \"desc\\nx\": 1, \"sessions\": [" S1 "]}", 0,
		   "unknown key \"desc?x\"");
	expect_bad("{\"budget_mb\": 5, \"runs\": 2.5, \"sessions\": [" S1 "]}", 0,
		   "runs: must be a whole number");
	expect_bad("{\"budget_mb\": 5, \"sessions\": []}", 0, "sessions: must be a non-empty");
	expect_bad("{\"budget_mb\": 5, \"grow_mib_s\": 0, \"sessions\": [" S1 "]}", 0,
		   "\"grow_mib_s\" is 0, must be from 1 to 16777216");
	expect_bad("{\"budget_mb\": 5, \"host_grow_mib_s\": \"fast\", \"sessions\": [" S1 "]}", 0,
		   "\"host_grow_mib_s\" must be a number");
	expect_bad("{\"budget_mb\": 5, \"sessions\": [{\"name\": \"../x\", \"priority\": \"low\","
		   " \"stress\": {\"mb\": 1}}]}",
		   0, "sessions[0]: \"name\" must be");
	expect_bad("{\"budget_mb\": 5, \"sessions\": [" S1 ", " S1 "]}", 0,
		   "sessions[1]: name \"a\" is used twice");
	expect_bad("{\"budget_mb\": 5, \"sessions\": [{\"name\": \"a\", \"priority\": \"urgent\","
		   " \"stress\": {\"mb\": 1}}]}",
		   0, "sessions[0]: \"priority\" must be \"high\" or \"low\"");
	expect_bad("{\"budget_mb\": 5, \"sessions\": [{\"name\": \"a\", \"priority\": \"low\"}]}",
		   0, "needs exactly one of \"trace\", \"stress\" and \"command\"");
	expect_bad("{\"budget_mb\": 5, \"sessions\": [{\"name\": \"a\", \"priority\": \"low\","
		   " \"trace\": \"missing.json\"}]}",
		   0, "sessions[0]: trace: ");
	expect_bad("{\"budget_mb\": 5, \"sessions\": [{\"name\": \"a\", \"priority\": \"low\","
		   " \"stress\": {\"mb\": 1, \"burst_mb\": 0.5, \"burst_every_s\": 1,"
		   " \"burst_for_s\": 0.1}}]}",
		   0, "stress: \"burst_mb\" must be larger than \"mb\"");
	expect_bad("{\"budget_mb\": 5, \"sessions\": [{\"name\": \"a\", \"priority\": \"low\","
		   " \"stress\": {\"mb\": 1, \"burst_mb\": 2, \"burst_every_s\": 0.5,"
		   " \"burst_for_s\": 1}}]}",
		   0, "bursts need \"burst_every_s\" > \"burst_for_s\" > 0 (here 0.5 and 1)");
	expect_bad("{\"budget_mb\": 5, \"sessions\": [{\"name\": \"a\", \"priority\": \"low\","
		   " \"stress\": {\"mb\": 1, \"ramp_s\": 1000000}}]}",
		   0, "a ramp of more than 1e6 steps");
	expect_bad("{\"budget_mb\": 5, \"strategies\": [\"none\", \"fast\"], \"sessions\": [" S1
		   "]}",
		   0, "strategies: \"fast\" is not a strategy");
	expect_bad("{\"budget_mb\": 5, \"params\": {\"high\": {\"low\": 3}}, \"sessions\": [" S1
		   "]}",
		   0, "params.high: unknown key \"low\"");
}

#define CMD_SCN(session) "{\"budget_mb\": 64, \"sessions\": [{\"name\": \"c\", " session "}]}"

/*
 * Command sessions: one argv, or a sequence; cwd relative to the scenario's directory;
 * env as NAME=value; timeout_s; no memory curve, so the simulator and the oracle say they
 * cannot model the scenario.
 */
static void test_command(void **state)
{
	struct acg_scenario *sc;
	struct acg_diag d = {""};
	const struct acg_command_spec *c;

	(void)state;
	write_scn("{\"budget_mb\": 64, \"sessions\": [{\"name\": \"h\", \"priority\": \"high\","
		  " \"base_mb\": 8, \"command\": [[\"sh\", \"-c\", \"true\"], [\"true\"]],"
		  " \"cwd\": \".\", \"env\": {\"A_1\": \"x y\"}, \"timeout_s\": 5},"
		  " {\"name\": \"l\", \"priority\": \"low\", \"command\": [\"env\"]}]}");
	if (acg_scenario_load(path, 0, &sc, &d) < 0)
		fail_msg("%s", d.msg);
	c = sc->sessions[0].command;
	assert_non_null(c);
	assert_null(sc->sessions[0].trace);
	assert_int_equal(c->n, 2);
	assert_string_equal(c->argv[0][0], "sh");
	assert_string_equal(c->argv[0][2], "true");
	assert_null(c->argv[0][3]);
	assert_string_equal(c->argv[1][0], "true");
	assert_non_null(c->cwd);
	assert_int_equal(strncmp(c->cwd, dir, strlen(dir)), 0);
	assert_string_equal(c->env[0], "A_1=x y");
	assert_null(c->env[1]);
	assert_true(c->timeout_s == 5);
	assert_true(sc->sessions[0].base_bytes == 8 * MiB);
	/* one argv; defaults: the scratch directory, no additions, 600 s */
	c = sc->sessions[1].command;
	assert_int_equal(c->n, 1);
	assert_string_equal(c->argv[0][0], "env");
	assert_null(c->cwd);
	assert_null(c->env);
	assert_true(c->timeout_s == ACG_CMD_TIMEOUT_DEFAULT_S);
	assert_int_equal(acg_scenario_n_commands(sc), 2);
	assert_non_null(strstr(acg_scenario_unmodelled(sc), "command sessions have no memory"));
	acg_scenario_free(sc);
	/* a scenario without command sessions can be modelled */
	write_scn("{\"budget_mb\": 5, \"sessions\": [" S1 "]}");
	assert_int_equal(acg_scenario_load(path, 0, &sc, &d), 0);
	assert_null(acg_scenario_unmodelled(sc));
	acg_scenario_free(sc);
}

static void test_command_bad(void **state)
{
	(void)state;
	expect_bad(CMD_SCN("\"priority\": \"low\", \"command\": []"), 0,
		   "sessions[0]: \"command\" must be a non-empty list");
	expect_bad(CMD_SCN("\"priority\": \"low\", \"command\": \"make\""), 0,
		   "sessions[0]: \"command\" must be a non-empty list");
	expect_bad(CMD_SCN("\"priority\": \"low\", \"command\": [[\"true\"], []]"), 0,
		   "sessions[0].command[1]: must be a non-empty list of strings");
	expect_bad(CMD_SCN("\"priority\": \"low\", \"command\": [\"true\", 3]"), 0,
		   "sessions[0].command: argument 1 is not a string");
	expect_bad(CMD_SCN("\"priority\": \"low\", \"command\": [[\"true\"], "
			   "[\"agentcg-no-such-program\"]]"),
		   0, "sessions[0].command[1]: \"agentcg-no-such-program\" not found on PATH (");
	/* a path is taken relative to cwd, and must be an executable file */
	expect_bad(CMD_SCN("\"priority\": \"low\", \"cwd\": \".\", \"command\": [\"./t.csv\"]"), 0,
		   "/t.csv\" is not an executable file");
	expect_bad(CMD_SCN("\"priority\": \"low\", \"cwd\": \"nowhere\", \"command\": [\"true\"]"),
		   0, "/nowhere\": No such file or directory");
	expect_bad(CMD_SCN("\"priority\": \"low\", \"cwd\": \"t.csv\", \"command\": [\"true\"]"), 0,
		   "/t.csv\": not a directory");
	expect_bad(CMD_SCN("\"priority\": \"low\", \"timeout_s\": 0, \"command\": [\"true\"]"), 0,
		   "sessions[0]: \"timeout_s\" is 0, must be from 0.1 to 86400");
	expect_bad(CMD_SCN("\"priority\": \"low\", \"timeout_s\": 1e6, \"command\": [\"true\"]"), 0,
		   "\"timeout_s\" is 1000000, must be from 0.1 to 86400");
	expect_bad(CMD_SCN("\"priority\": \"low\", \"env\": {\"1A\": \"x\"}, \"command\": "
			   "[\"true\"]"),
		   0, "env: \"1A\" is not a variable name");
	expect_bad(CMD_SCN("\"priority\": \"low\", \"env\": {\"A\": 1}, \"command\": [\"true\"]"),
		   0, "env: \"A\" must be a string");
	expect_bad(CMD_SCN("\"priority\": \"low\", \"stress\": {\"mb\": 1}, \"command\": "
			   "[\"true\"]"),
		   0, "needs exactly one of \"trace\", \"stress\" and \"command\"");
	expect_bad(CMD_SCN("\"priority\": \"low\", \"stress\": {\"mb\": 1}, \"timeout_s\": 3"), 0,
		   "sessions[0]: \"timeout_s\" is only for a \"command\" session");
	expect_bad(CMD_SCN("\"priority\": \"high\", \"base_mb\": 65, \"command\": [\"true\"]"), 0,
		   "HIGH session \"c\" holds base 65.0 MiB, more than the whole budget");
}

/* The scenario's name becomes a results path: one component of [A-Za-z0-9_.-]. */
static void test_bad_name(void **state)
{
	static const char *const names[] = {"", "a/b", "..", "../x", ".hidden", "a b"};
	char text[300], want[100];
	struct acg_scenario *sc;
	struct acg_diag d = {""};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(text, sizeof(text),
			 "{\"name\": \"%s\", \"budget_mb\": 5, \"sessions\": [" S1 "]}", names[i]);
		snprintf(want, sizeof(want),
			 "name: \"%s\" must be 1-64 characters of [A-Za-z0-9_.-]", names[i]);
		expect_bad(text, 0, want);
	}
	/* the same rule for a name taken from the file name */
	{
		char bad_path[300];
		FILE *f;

		snprintf(bad_path, sizeof(bad_path), "%s/my scenario.json", dir);
		f = fopen(bad_path, "w");
		assert_non_null(f);
		fputs("{\"budget_mb\": 5, \"sessions\": [" S1 "]}", f);
		fclose(f);
		assert_int_equal(acg_scenario_load(bad_path, 0, &sc, &d), -EINVAL);
		assert_non_null(strstr(d.msg, "name: \"my scenario\" (from the file name: give a"));
		unlink(bad_path);
	}
	/* and good ones pass */
	write_scn("{\"name\": \"v1.2_run-3\", \"budget_mb\": 5, \"sessions\": [" S1 "]}");
	if (acg_scenario_load(path, 0, &sc, &d) < 0)
		fail_msg("%s", d.msg);
	assert_string_equal(sc->name, "v1.2_run-3");
	acg_scenario_free(sc);
}

/*
 * A HIGH session whose peak plus base alone exceeds the budget cannot run under any
 * strategy without a kill: refused, naming it, its need and the budget. A LOW one that
 * large is a legitimate experiment (it is the one to hold or kill).
 */
static void test_high_over_budget(void **state)
{
	struct acg_scenario *sc;
	struct acg_diag d = {""};

	(void)state;
	expect_bad("{\"budget_mb\": 5, \"sessions\": [" S1 ", {\"name\": \"big\", \"priority\":"
		   " \"high\", \"base_mb\": 2, \"stress\": {\"mb\": 4}}]}",
		   0,
		   "sessions[1]: HIGH session \"big\" needs 6.0 MiB (peak 4.0 MiB + base 2.0 MiB), "
		   "more than the whole budget (5.0 MiB)");
	/* a declared peak over the budget: the same */
	expect_bad("{\"budget_mb\": 5, \"sessions\": [{\"name\": \"h\", \"priority\": \"high\","
		   " \"peak_mb\": 6, \"stress\": {\"mb\": 4}}]}",
		   0,
		   "sessions[0]: HIGH session \"h\" declares \"peak_mb\" 6.0 MiB, more than the "
		   "whole budget (5.0 MiB)");
	expect_bad("{\"budget_mb\": 5, \"sessions\": [{\"name\": \"h\", \"priority\": \"low\","
		   " \"peak_mb\": -1, \"stress\": {\"mb\": 4}}]}",
		   0, "sessions[0]: \"peak_mb\" is -1, must be from 0 to");
	/* a trace's peak counts as read (t.csv peaks at 30 MB = 28.6 MiB) */
	expect_bad("{\"budget_mb\": 28, \"sessions\": [{\"name\": \"h\", \"priority\": \"high\","
		   " \"trace\": \"t.csv\"}]}",
		   0, "HIGH session \"h\" needs 28.6 MiB (peak 28.6 MiB + base 0.0 MiB)");
	/* exactly the budget fits; LOW over it is allowed */
	write_scn("{\"budget_mb\": 6, \"sessions\": [{\"name\": \"h\", \"priority\": \"high\","
		  " \"base_mb\": 2, \"stress\": {\"mb\": 4}}, {\"name\": \"l\", \"priority\":"
		  " \"low\", \"stress\": {\"mb\": 64}}]}");
	if (acg_scenario_load(path, 0, &sc, &d) < 0)
		fail_msg("%s", d.msg);
	acg_scenario_free(sc);
}

/* The names a scenario may list are the bench's strategies, one for one, in its order. */
static void test_strategy_names(void **state)
{
	size_t n = 0, k = 0;
	const struct acg_strategy *all = acg_strategies(&n);

	(void)state;
	for (; acg_strategy_names[k]; k++) {
		assert_true(k < n);
		assert_string_equal(acg_strategy_names[k], all[k].name);
	}
	assert_int_equal(k, n);
}

/*
 * The shipped real-software scenario loads, and its makefile (bench/scenarios/real.mk, run
 * from the repository root as the scenario does) finds what it builds: every source of
 * lib/ but the BPF ones, and the three unit tests. When lib/ was laid out by layer the
 * makefile kept looking in lib/ itself, found nothing, and the scenario's HIGH "build" built an
 * empty library (its "test" then failed to link): this failed on that makefile.
 */
static void test_shipped_real(void **state)
{
	struct acg_scenario *sc = NULL;
	struct acg_diag d = {""};
	char cmd[600], line[1024];
	int compiles = 0, policy = 0, bpf = 0, tests = 0;
	FILE *p;

	(void)state;
	assert_int_equal(acg_scenario_load(TRACE_DIR "/../bench/scenarios/real.json", 0, &sc, &d),
			 0);
	assert_int_equal(sc->n_sessions, 3);
	acg_scenario_free(sc);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s/..' && make -n -f bench/scenarios/real.mk AGENTCG_SCRATCH=/nonexistent "
		 "build test build-asan 2>&1",
		 TRACE_DIR);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		compiles += strncmp(line, "gcc ", 4) == 0 && strstr(line, " -c ") != NULL;
		policy += strstr(line, "lib/model/policy.c") != NULL;
		bpf += strstr(line, "bpf_signals.c") != NULL;
		tests += strstr(line, "tests/unit/test_") != NULL;
	}
	assert_int_equal(pclose(p), 0);
	assert_true(compiles >= 80); /* lib/ twice: built, then with ASan */
	assert_int_equal(policy, 2);
	assert_int_equal(bpf, 0);
	assert_int_equal(tests, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_strategy_names),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_bad_name),
		cmocka_unit_test(test_high_over_budget),
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_command_bad),
		cmocka_unit_test(test_shipped_real),
	};

	th_init();
	return cmocka_run_group_tests_name("scenario", tests, setup, teardown);
}
