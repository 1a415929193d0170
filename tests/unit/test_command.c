// SPDX-License-Identifier: GPL-2.0
/*
 * test_command.c: unit tier. A command session's result as the bench writes it, from the
 * records its driver sent and how it ended, without running anything: killed between two
 * commands (a controller's kill takes the whole cgroup, the driver too, so the command
 * that was running never reports), a command killed at its timeout, a command that
 * exited non-zero after the kernel OOM-killed a process of the session (make when its
 * compiler is killed) counts as killed by oom; and finding programs on PATH.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bench.h"
#include "command.h"
#include "helpers.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static char *argv_a[] = {"true", NULL}, *argv_b[] = {"xz", "-9", "corpus", NULL},
	    *argv_c[] = {"xz", "-t", "corpus.xz", NULL};
static char **argvs[] = {argv_a, argv_b, argv_c};
static struct acg_command_spec spec = {.argv = argvs, .n = 3, .timeout_s = 5};
static struct acg_scn_session scn = {.name = "lo", .prio = ACG_PRIO_LOW, .command = &spec};
static struct acg_scenario sc = {.name = "u", .budget_bytes = 1 << 30, .speed = 1};

/* A run of one command session whose driver reported steps[0..done) and ended with ws. */
static json_t *run_doc(size_t done, const struct acg_step *steps, int ws, bool oom)
{
	struct acg_bench_session s = {.spec = &scn, .fd = -1, .log_fd = -1, .exited = true};
	struct acg_bench_run r = {.sc = &sc, .run = 1, .s = &s, .n = 1};
	json_t *doc;

	assert_int_equal(acg_replay_result_init(&s.rep, spec.n), 0);
	s.rep.started = true;
	for (size_t i = 0; i < done; i++)
		s.rep.steps[i] = steps[i];
	s.rep.steps_done = done;
	s.out.wait_status = ws;
	s.out.have_events = true;
	s.out.ev_after.has = ACG_EV_OOM_KILL;
	s.out.ev_after.oom_kill = oom;
	doc = acg_bench_run_json(&r);
	acg_replay_result_free(&s.rep);
	assert_non_null(doc);
	return doc;
}

static json_t *sess(json_t *doc)
{
	return json_array_get(json_object_get(doc, "sessions"), 0);
}

static const char *step_status(json_t *doc, size_t k)
{
	return json_string_value(json_object_get(
		json_array_get(json_object_get(json_object_get(sess(doc), "command"), "steps"), k),
		"status"));
}

static json_int_t cmd_int(json_t *doc, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(sess(doc), "command"), key));
}

#define KILLED(sig) (sig)	   /* a wait status: died of sig */
#define EXITED(code) ((code) << 8) /* a wait status: exited with code */

static void test_killed_between_records(void **state)
{
	const struct acg_step ok = {.ended = true, .wait_status = EXITED(0), .end_ns = 1000};
	json_t *doc;

	(void)state;
	doc = run_doc(1, &ok, KILLED(SIGKILL), false);
	assert_string_equal(json_string_value(json_object_get(sess(doc), "status")), "killed");
	assert_string_equal(json_string_value(json_object_get(sess(doc), "killed_by")), "signal");
	assert_string_equal(json_string_value(json_object_get(sess(doc), "error")),
			    "killed by SIGKILL while command 2 (xz) ran");
	assert_string_equal(step_status(doc, 0), "completed");
	assert_string_equal(step_status(doc, 1), "killed");
	assert_string_equal(step_status(doc, 2), "not run");
	assert_int_equal(cmd_int(doc, "done"), 1);
	assert_int_equal(cmd_int(doc, "stopped_at"), 2);
	assert_true(json_is_null(json_object_get(sess(doc), "completion_s")));
	json_decref(doc);
}

static void test_timeout_and_oom(void **state)
{
	struct acg_step st[2] = {
		{.ended = true, .wait_status = EXITED(0)},
		{.ended = true, .timed_out = true, .wait_status = KILLED(SIGKILL)}};
	json_t *doc;

	(void)state;
	doc = run_doc(2, st, KILLED(SIGKILL), false);
	assert_string_equal(json_string_value(json_object_get(sess(doc), "killed_by")), "timeout");
	assert_string_equal(step_status(doc, 1), "timeout");
	assert_string_equal(json_string_value(json_object_get(sess(doc), "error")),
			    "command 2 (xz) killed at its timeout (5 s)");
	json_decref(doc);
	/* exited 2 after the kernel OOM-killed one of its processes: killed by oom */
	st[1] = (struct acg_step){.ended = true, .wait_status = EXITED(2)};
	doc = run_doc(2, st, EXITED(ACG_CMD_EXIT_FAILED), true);
	assert_string_equal(json_string_value(json_object_get(sess(doc), "status")), "killed");
	assert_string_equal(json_string_value(json_object_get(sess(doc), "killed_by")), "oom");
	assert_string_equal(step_status(doc, 1), "failed");
	json_decref(doc);
	/* the same without an OOM kill: it failed */
	doc = run_doc(2, st, EXITED(ACG_CMD_EXIT_FAILED), false);
	assert_string_equal(json_string_value(json_object_get(sess(doc), "status")), "failed");
	assert_true(json_is_null(json_object_get(sess(doc), "killed_by")));
	assert_string_equal(json_string_value(json_object_get(sess(doc), "error")),
			    "command 2 (xz) exited 2");
	json_decref(doc);
}

static void test_find(void **state)
{
	struct acg_diag why;

	(void)state;
	assert_int_equal(acg_command_find("sh", NULL, &why), 0);
	assert_int_equal(acg_command_find("/bin/sh", NULL, &why), 0);
	assert_int_equal(acg_command_find("agentcg-none-such", NULL, &why), -ENOENT);
	assert_non_null(strstr(why.msg, "\"agentcg-none-such\" not found on PATH"));
	/* a directory is not a program */
	assert_int_equal(acg_command_find("/tmp", NULL, &why), -ENOENT);
	assert_int_equal(acg_command_find("", NULL, &why), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_killed_between_records),
		cmocka_unit_test(test_timeout_and_oom),
		cmocka_unit_test(test_find),
	};

	th_init();
	return cmocka_run_group_tests_name("command", tests, NULL, NULL);
}
