// SPDX-License-Identifier: GPL-2.0
/*
 * test_replay.c: live tier (root). A shared real trace replayed fast inside a limited
 * session: the kernel's peak for the session matches the trace's peak plus the baseline;
 * under a limit too small for it, the worker is OOM-killed, its parent sees the kill, and
 * what the worker reported before dying is kept and written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgroup.h"
#include "helpers.h"
#include "replay.h"
#include "stress.h"
#include "trace.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef TRACE_DIR
#define TRACE_DIR "traces"
#endif

static struct acg_mounts mounts;
static struct acg_cg *root;
static const char *skip_all;

static int group_setup(void **state)
{
	char name[64];
	int r;

	(void)state;
	if (geteuid() != 0) {
		skip_all = "live tests need root (they create cgroups)";
		return 0;
	}
	if (acg_mounts_detect(&mounts) < 0 || !mounts.mem_version) {
		skip_all = "no memory controller on this host";
		return 0;
	}
	snprintf(name, sizeof(name), "agentcg-test-%d", (int)getpid());
	r = acg_root_open(&mounts, name, true, &root);
	if (r < 0) {
		fprintf(stderr, "cannot create %s: %s\n", name, strerror(-r));
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (root)
		acg_cg_remove(root);
	acg_cg_free(root);
	root = NULL;
	return 0;
}

static struct acg_trace *load_shared(const char *name)
{
	const char *dir = getenv("AGENTCG_TRACES") ? getenv("AGENTCG_TRACES") : TRACE_DIR;
	char path[1024];
	struct acg_trace *t = NULL;
	struct acg_diag d = {""};

	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	if (acg_trace_load(path, NULL, &t, &d) < 0) /* traces/ ships with the repository */
		fail_msg("%s", d.msg);
	return t;
}

/* Run cfg in a fresh session limited to limit bytes; returns the session (caller removes). */
static struct acg_cg *run_in_session(const char *name, const struct acg_replay_cfg *cfg,
				     uint64_t limit, struct acg_replay_result *res,
				     struct acg_replay_outcome *out)
{
	struct acg_cg *cg;
	pid_t pid;
	int fd;

	assert_int_equal(acg_cg_child(root, name, true, &cg), 0);
	assert_int_equal(acg_cg_set(cg, ACG_CTL_MAX, limit), 0);
	if (acg_ctl_file(acg_cg_version(cg), ACG_CTL_SWAP_MAX, NULL))
		assert_int_equal(acg_cg_set(cg, ACG_CTL_SWAP_MAX, 0), 0);
	assert_int_equal(acg_replay_result_init(res, cfg->trace->n), 0);
	out->have_events = acg_cg_events(cg, &out->ev_before) == 0;
	assert_int_equal(acg_replay_spawn(cfg, cg, &pid, &fd), 0);
	assert_int_equal(acg_replay_wait(pid, fd, res, NULL, NULL, &out->wait_status), 0);
	close(fd);
	out->have_events = out->have_events && acg_cg_events(cg, &out->ev_after) == 0;
	out->have_cg_peak = acg_cg_peak(cg, &out->cg_peak) == 0;
	return cg;
}

/* The session goes, and with it what the test held. */
static void finish(struct acg_cg *cg, struct acg_replay_result *res, struct acg_trace *t)
{
	acg_cg_remove(cg);
	acg_cg_free(cg);
	acg_replay_result_free(res);
	acg_trace_free(t);
}

static void test_replay_peak_matches_kernel(void **state)
{
	struct acg_replay_cfg cfg = {.speed = 100, .base_bytes = 100 * MiB};
	struct acg_replay_outcome out = {0};
	struct acg_replay_result res;
	struct acg_trace_summary sum;
	struct acg_trace *t;
	struct acg_cg *cg;

	(void)state;
	TH_SKIP_UNDER_VALGRIND();
	if (skip_all) {
		fprintf(stderr, "skip: %s\n", skip_all);
		skip();
	}
	t = load_shared("dask__dask-11628");
	cfg.trace = t;
	acg_trace_summarize(t, &sum);
	cg = run_in_session("peak", &cfg, 1024 * MiB, &res, &out);

	assert_true(WIFEXITED(out.wait_status) && WEXITSTATUS(out.wait_status) == 0);
	assert_true(res.ended);
	assert_int_equal(res.replayed, t->n);
	assert_true(out.have_cg_peak);
	/* the kernel's peak for the session: trace peak + baseline, give or take the
	 * worker's own few MiB of code, stack and page tables */
	assert_true(th_within("cgroup peak", out.cg_peak, sum.peak_bytes + cfg.base_bytes, 3));
	assert_true(th_within("VmHWM", res.vm_hwm, sum.peak_bytes + cfg.base_bytes, 3));
	assert_int_equal(out.ev_after.oom_kill - out.ev_before.oom_kill, 0);
	finish(cg, &res, t);
}

static void test_replay_killed_keeps_records(void **state)
{
	struct acg_replay_cfg cfg = {.speed = 100, .base_bytes = 100 * MiB};
	struct acg_replay_outcome out = {0};
	struct acg_replay_result res;
	struct acg_trace *t;
	struct acg_cg *cg;
	json_t *doc;

	(void)state;
	if (skip_all) {
		fprintf(stderr, "skip: %s\n", skip_all);
		skip();
	}
	t = load_shared("dask__dask-11628");
	cfg.trace = t;
	/* the trace needs 100 + 321 MB: 300 MiB is not enough */
	cg = run_in_session("killed", &cfg, 300 * MiB, &res, &out);

	assert_true(WIFSIGNALED(out.wait_status));
	assert_int_equal(WTERMSIG(out.wait_status), SIGKILL);
	assert_true(out.have_events);
	assert_int_equal(out.ev_after.oom_kill - out.ev_before.oom_kill, 1);
	/* what it had reported before dying is kept */
	assert_true(res.started);
	assert_false(res.ended);
	assert_true(res.replayed > 0);
	assert_true(res.replayed < t->n);
	assert_true(res.n_grow > 0);
	doc = acg_replay_to_json(&cfg, &res, &out);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "killed");
	assert_int_equal(json_integer_value(json_object_get(doc, "samples_replayed")),
			 (json_int_t)res.replayed);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(doc, "memory_events_delta"), "oom_kill")),
			 1);
	assert_int_equal(
		json_array_size(json_object_get(json_object_get(doc, "per_sample"), "late_us")),
		res.replayed);
	json_decref(doc);
	finish(cg, &res, t);
}

/* stress: the synthetic timeline reaches its burst size, as the kernel sees it. */
static void test_stress_burst_peak(void **state)
{
	struct acg_stress_spec spec = {.bytes = 32 * MiB,
				       .hold_s = 0.6,
				       .ramp_s = 0.2,
				       .burst_bytes = 64 * MiB,
				       .burst_every_s = 0.2,
				       .burst_for_s = 0.05};
	struct acg_replay_cfg cfg = {.speed = 1};
	struct acg_replay_outcome out = {0};
	struct acg_replay_result res;
	struct acg_trace *t;
	struct acg_cg *cg;

	(void)state;
	TH_SKIP_UNDER_VALGRIND();
	if (skip_all) {
		fprintf(stderr, "skip: %s\n", skip_all);
		skip();
	}
	assert_int_equal(acg_stress_trace(&spec, &t), 0);
	cfg.trace = t;
	cg = run_in_session("stress", &cfg, 256 * MiB, &res, &out);
	assert_true(WIFEXITED(out.wait_status) && WEXITSTATUS(out.wait_status) == 0);
	assert_int_equal(res.replayed, t->n);
	assert_true(th_within("stress peak", out.cg_peak, 64 * MiB, 10));
	/* it ends back at the target: released memory was really released */
	assert_true(th_within("final resident", res.resident[t->n - 1], 32 * MiB, 5));
	finish(cg, &res, t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_peak_matches_kernel),
		cmocka_unit_test(test_replay_killed_keeps_records),
		cmocka_unit_test(test_stress_burst_peak),
	};

	th_init();
	return cmocka_run_group_tests_name("replay", tests, group_setup, group_teardown);
}
