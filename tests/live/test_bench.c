// SPDX-License-Identifier: GPL-2.0
/*
 * test_bench.c: live tier (root). A small scenario of stress sessions (tens of MiB,
 * about a second) run under `none` and `static`: the session the kernel kills is recorded
 * as killed by OOM with how far it got, the others complete, the run's files are written,
 * and its cgroups are gone. And under `dynamic`, a HIGH burst holds a growing LOW session
 * (the kernel counts it at its clamp), which resumes when the burst passes and completes.
 * And the keys docs/ lists are those a real bench and its report write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bench.h"
#include "cgroup.h"
#include "helpers.h"
#include "host.h"
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
#include <unistd.h>

static struct acg_mounts mounts;
static struct acg_cg *root;
static struct acg_scenario *sc;
static const char *skip_all;
static char dir[] = "/tmp/agentcg-test-bench-XXXXXX";

/*
 * a (high) and b (low) hold 20 MiB, c (low) grows to 80 MiB: with a 96 MiB budget c is
 * the one over (and the largest when the OOM killer chooses); with budget/3 = 32 MiB each,
 * only c is over its limit.
 */
static const char scenario[] =
	"{\"name\": \"small\", \"budget_mb\": 96, \"runs\": 1, \"sessions\": ["
	"{\"name\": \"a\", \"priority\": \"high\", \"stress\": {\"mb\": 20, \"hold_s\": 1}},"
	"{\"name\": \"b\", \"priority\": \"low\", \"stress\": {\"mb\": 20, \"hold_s\": 1}},"
	"{\"name\": \"c\", \"priority\": \"low\", \"stress\": {\"mb\": 80, \"ramp_s\": 0.3,"
	" \"hold_s\": 0.7}}]}";

/*
 * LOW grows steadily to 120 MiB and stays there 0.8 s; HIGH bursts from 10 to 150 MiB
 * (plus what its process holds) for 0.8 s every second, so its burst from 1.0 to 1.8 s
 * falls while LOW is at its top. Together they peak just under the 288 MiB budget, so LOW
 * must be held to keep HIGH's reserve (32 MiB) free, and resumes when the burst passes
 * (on v1; in the v2 VM see test_dynamic_holds_then_resumes). The
 * margin lets a late tick cost nothing: in the v2 VM with 256 MiB a tick late by a few
 * tens of ms under ASan once let the kernel's OOM killer take LOW (1 run in 5).
 */
static const char burst_scenario[] =
	"{\"name\": \"burst\", \"budget_mb\": 288, \"runs\": 1, \"sessions\": ["
	"{\"name\": \"hi\", \"priority\": \"high\", \"stress\": {\"mb\": 10, \"hold_s\": 2.4,"
	" \"burst_mb\": 150, \"burst_every_s\": 1.0, \"burst_for_s\": 0.8}},"
	"{\"name\": \"lo\", \"priority\": \"low\", \"stress\": {\"mb\": 120, \"ramp_s\": 1.2,"
	" \"hold_s\": 0.8}}]}";
static struct acg_scenario *burst_sc;

/*
 * HIGH ramps to 140 MiB and ends at 0.8 s while LOW, at 120 MiB since 0.3 s, holds on to
 * 2.3 s: LOW is held for HIGH's ramp (260 MiB leave less than the 32 MiB reserve of 288
 * free), and HIGH's end, not a quiet spell of its idle cgroup (kept until the run's end),
 * is what releases it.
 */
static const char ends_scenario[] =
	"{\"name\": \"ends\", \"budget_mb\": 288, \"runs\": 1, \"sessions\": ["
	"{\"name\": \"hi\", \"priority\": \"high\", \"stress\": {\"mb\": 140, \"ramp_s\": 0.5,"
	" \"hold_s\": 0.3}},"
	"{\"name\": \"lo\", \"priority\": \"low\", \"stress\": {\"mb\": 120, \"ramp_s\": 0.3,"
	" \"hold_s\": 2.0}}]}";
static struct acg_scenario *ends_sc;

static int load_scenario(const char *text, const char *file, struct acg_scenario **ret)
{
	char path[300];
	struct acg_diag d = {""};
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	if (acg_scenario_load(path, 0, ret, &d) < 0) {
		fprintf(stderr, "%s\n", d.msg);
		return -1;
	}
	return 0;
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
	if (!mkdtemp(dir) || load_scenario(scenario, "small.json", &sc) < 0 ||
	    load_scenario(burst_scenario, "burst.json", &burst_sc) < 0 ||
	    load_scenario(ends_scenario, "ends.json", &ends_sc) < 0)
		return -1;
	snprintf(name, sizeof(name), "agentcg-test-%d", (int)getpid());
	return acg_root_open(&mounts, name, true, &root) < 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (root)
		acg_cg_remove(root);
	acg_cg_free(root);
	acg_scenario_free(sc);
	acg_scenario_free(burst_sc);
	acg_scenario_free(ends_sc);
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
	return NULL;
}

static void run_strategy(const char *strategy)
{
	const size_t idx[] = {0, 1, 2};
	struct acg_bench_run *r = NULL;
	char out[400], path[500], cgpath[ACG_PATH_MAX + 64];
	/* one strategy's run warms 32 MiB first (warm.h), the other none */
	uint64_t warm = strcmp(strategy, "static") == 0 ? 32u << 20 : 0;
	json_t *doc, *c, *w;
	struct stat st;

	if (skip_all) {
		fprintf(stderr, "skip: %s\n", skip_all);
		skip();
	}
	assert_int_equal(acg_bench_run(sc, idx, 3, acg_strategy_find(strategy), 1, root, strategy,
				       warm, NULL, NULL, &r),
			 0);
	doc = acg_bench_run_json(r);
	assert_non_null(doc);
	/* what the hypervisor took back, where the kernel says */
	if (access("/sys/module/page_reporting/parameters/reported_kib", R_OK) == 0)
		assert_true(json_is_integer(json_object_get(doc, "reported_free_kib")));
	else
		assert_true(json_is_null(json_object_get(doc, "reported_free_kib")));
	w = json_object_get(doc, "warm");
	if (warm) {
		assert_true(json_integer_value(json_object_get(w, "bytes")) == (json_int_t)warm);
		assert_true(json_number_value(json_object_get(w, "mib_s")) > 0);
	} else {
		assert_true(json_is_null(w));
	}
	c = session(doc, "c");
	assert_string_equal(json_string_value(json_object_get(c, "status")), "killed");
	assert_string_equal(json_string_value(json_object_get(c, "killed_by")), "oom");
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(c, "memory_events_delta"), "oom_kill")),
			 1);
	/* how far it got is kept */
	assert_true(json_integer_value(json_object_get(c, "samples_replayed")) >= 1);
	assert_true(json_number_value(json_object_get(c, "progress")) < 1.0);
	assert_string_equal(json_string_value(json_object_get(session(doc, "a"), "status")),
			    "completed");
	assert_string_equal(json_string_value(json_object_get(session(doc, "b"), "status")),
			    "completed");
	/* usage was sampled all along */
	assert_true(r->ts_n >= 10);
	json_decref(doc);

	/* the files are written */
	snprintf(out, sizeof(out), "%s/%s", dir, strategy);
	assert_int_equal(acg_bench_run_write(r, out), 0);
	snprintf(path, sizeof(path), "%s/run.json", out);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/sessions/c.json", out);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/timeseries.csv", out);
	assert_int_equal(stat(path, &st), 0);
	/* and the run's cgroups are gone */
	snprintf(cgpath, sizeof(cgpath), "%s/%s", acg_cg_path(root), strategy);
	assert_int_equal(stat(cgpath, &st), -1);
	acg_bench_run_free(r);
}

static void test_none(void **state)
{
	(void)state;
	run_strategy("none");
}

static void test_static(void **state)
{
	(void)state;
	run_strategy("static");
}

static void test_dynamic_holds_then_resumes(void **state)
{
	const size_t idx[] = {0, 1};
	struct acg_bench_run *r = NULL;
	json_t *doc, *lo, *ev;

	(void)state;
	TH_SKIP_UNDER_VALGRIND();
	if (skip_all) {
		fprintf(stderr, "skip: %s\n", skip_all);
		skip();
	}
	assert_int_equal(acg_bench_run(burst_sc, idx, 2, acg_strategy_find("dynamic"), 1, root,
				       "dynamic", 0, NULL, NULL, &r),
			 0);
	doc = acg_bench_run_json(r);
	assert_non_null(doc);
	fprintf(stderr, "decisions:\n%s", r->decisions ? r->decisions : "(none)\n");
	/* nobody killed, both complete */
	assert_string_equal(json_string_value(json_object_get(session(doc, "hi"), "status")),
			    "completed");
	lo = session(doc, "lo");
	assert_string_equal(json_string_value(json_object_get(lo, "status")), "completed");
	/*
	 * LOW was held: the controller said so, and the kernel counted it at its clamp. On v1
	 * HIGH's burst grows fast enough that the headroom always falls short of what HIGH
	 * needs; in the v2 VM (TCG) growth is slow, the parent peaked 33 to 40 MiB under the
	 * budget in five runs, and the hold came by 1 to 4 MiB of margin or, once, not at
	 * all: there a hold is reported, not asked (v2 throttling has its own test).
	 */
	if (r->cgroup_version == 1) {
		assert_non_null(r->decisions);
		assert_non_null(strstr(r->decisions, "\"session\":\"lo\",\"action\":\"hold\""));
	} else {
		fprintf(stderr, "v2: LOW %s\n",
			r->decisions && strstr(r->decisions, "\"action\":\"hold\"")
				? "was held"
				: "was not held (the headroom stayed above HIGH's need)");
	}
	/*
	 * and given room back (raised, or released) when the burst passed. On v1 a hold is
	 * a full stop, so LOW completing says it got room back. On v2 memory.high throttles
	 * rather than stops: with the VM's zram swap LOW can reclaim its way to the end at
	 * its clamp (seen once in CI: one hold, no raise, LOW completed), so it is not asked.
	 */
	if (r->cgroup_version == 1)
		assert_true(strstr(r->decisions, "\"action\":\"release\"") ||
			    strstr(r->decisions, "\"action\":\"raise\""));
	assert_true(!r->decisions || !strstr(r->decisions, "\"action\":\"kill\""));
	ev = json_object_get(lo, "memory_events_delta");
	/* the kernel counted LOW at its clamp: on v1 here, where ticks come on time. In the
	 * v2 VM (TCG, ASan) a tick can come so late that LOW has finished its ramp before it
	 * is held, and then it never meets the clamp; v2's throttling at memory.high is
	 * asserted by test_cgroup's test_high_throttle instead */
	if (r->cgroup_version == 1)
		assert_true(json_integer_value(json_object_get(ev, "max")) > 0);
	assert_int_equal(json_integer_value(json_object_get(ev, "oom_kill")), 0);
	json_decref(doc);
	acg_bench_run_free(r);
}

/*
 * The bpf strategy, where the kernel has the memcg struct_ops (the lab kernel of make
 * kernel-lab; everywhere else it skips with check's reason): the burst scenario runs under
 * the policy in the kernel alone, which attaches, and neither session is OOM-killed: both
 * complete (HIGH's burst is protected, LOW is delayed, with the VM's zram to reclaim into).
 * Then the same under bpf+dynamic, the policy in the kernel with the controller beside it:
 * both attach on the same cgroups, the controller decides (holds LOW for HIGH's burst),
 * and neither session is killed.
 */
static void test_bpf_strategy(void **state)
{
	static const char *const names[] = {"bpf", "bpf+dynamic"};
	static const char *const cgnames[] = {"bpf", "bpf_dynamic"};
	const size_t idx[] = {0, 1};
	const char *why = NULL;
	struct acg_host h;

	(void)state;
	if (skip_all) {
		fprintf(stderr, "skip: %s\n", skip_all);
		skip();
	}
	acg_host_probe(&h);
	if (!acg_strategy_find("bpf")->supported(&h, &why)) {
		fprintf(stderr, "skip: bpf %s\n", why);
		skip();
	}
	for (size_t k = 0; k < 2; k++) {
		const struct acg_strategy *st = acg_strategy_find(names[k]);
		struct acg_bench_run *r = NULL;
		json_t *doc;
		int rc;

		assert_non_null(st);
		rc = acg_bench_run(burst_sc, idx, 2, st, 1, root, cgnames[k], 0, NULL, NULL, &r);
		if (rc < 0)
			fail_msg("bench under %s: %s", names[k], r ? r->error.msg : strerror(-rc));
		doc = acg_bench_run_json(r);
		assert_non_null(doc);
		for (size_t i = 0; i < 2; i++) {
			json_t *s = session(doc, i ? "lo" : "hi");
			json_t *ev = json_object_get(s, "memory_events_delta");

			fprintf(stderr, "%s: %s %s, completion %.2f s, oom_kill %lld\n", names[k],
				i ? "lo" : "hi", json_string_value(json_object_get(s, "status")),
				json_number_value(json_object_get(s, "completion_s")),
				json_integer_value(json_object_get(ev, "oom_kill")));
			assert_string_equal(json_string_value(json_object_get(s, "status")),
					    "completed");
			assert_int_equal(json_integer_value(json_object_get(ev, "oom_kill")), 0);
		}
		/* the controller beside the kernel policy decides (HIGH's burst leaves less
		 * than the reserve: LOW is held); the kernel policy alone has no decisions */
		fprintf(stderr, "%s: %zu decisions\n", names[k], r->n_decisions);
		if (k == 0)
			assert_int_equal(r->n_decisions, 0);
		else
			assert_true(r->n_decisions > 0);
		json_decref(doc);
		acg_bench_run_free(r);
	}
}

#ifndef AGENTCG_BIN
#define AGENTCG_BIN "build/agentcg"
#endif

/*
 * The docs list exactly the keys the bench and report write: a real bench of the small
 * scenario (one session OOM-killed, a warm-up) through the CLI, then its report; every
 * key of run.json, sessions/<name>.json (docs/replay.md), summary.json (docs/bench.md,
 * its `simulation` values from docs/simulate.md) and the report's summary.json must be
 * documented, and every documented key found.
 */
static void test_docs_match_output(void **state)
{
	char cmd[2048], out[400], pattern[500];
	struct th_schema replay = {0}, run = {0}, summary = {0};
	const char *bin = getenv("AGENTCG_BIN") ? getenv("AGENTCG_BIN") : AGENTCG_BIN;
	json_t *docs[64];
	size_t n;

	(void)state;
	if (skip_all) {
		fprintf(stderr, "skip: %s\n", skip_all);
		skip();
	}
	if (!th_doc_dir()) {
		fprintf(stderr, "skip: no docs/ here\n");
		skip();
	}
	snprintf(out, sizeof(out), "%s/cli", dir);
	snprintf(cmd, sizeof(cmd),
		 "%s bench %s/small.json --strategies none,static --runs 1 --warm-mb 8 --root "
		 "agentcg-test-%d --out %s >%s/cli.log 2>&1 && PATH=/nonexistent %s report %s "
		 "--format md >>%s/cli.log 2>&1",
		 bin, dir, (int)getpid(), out, dir, bin, out, dir);
	if (system(cmd) != 0) {
		snprintf(cmd, sizeof(cmd), "cat %s/cli.log >&2", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "no log\n");
		fail_msg("the bench or its report failed");
	}

	th_schema_add_doc(&replay, "replay.md", "## Result", NULL, NULL, NULL);
	snprintf(pattern, sizeof(pattern), "%s/runs/*/*/sessions/*.json", out);
	n = th_json_load_all(pattern, docs, 64);
	assert_int_equal(n, 9);
	th_schema_expect(&replay, docs, n, "sessions/<name>.json");

	th_schema_add_doc(&run, "bench.md", "## run.json", NULL, NULL, NULL);
	th_schema_add_doc(&run, "replay.md", "## Result", NULL, "sessions[].", "per_sample");
	snprintf(pattern, sizeof(pattern), "%s/runs/*/*/run.json", out);
	n = th_json_load_all(pattern, docs, 64);
	assert_int_equal(n, 5);
	th_schema_expect(&run, docs, n, "run.json");

	th_schema_add_doc(&summary, "bench.md", "## summary.json", NULL, NULL, NULL);
	th_schema_add_doc(&summary, "bench.md", "## A statistic", NULL,
			  "strategies[].{high,low}.*.", NULL);
	th_schema_add_doc(&summary, "simulate.md", "## Result", "strategies[].", "simulation.*.",
			  NULL);
	snprintf(pattern, sizeof(pattern), "%s/summary.json", out);
	assert_int_equal(th_json_load_all(pattern, docs, 1), 1);
	th_schema_expect(&summary, docs, 1, "summary.json");

	th_schema_add_doc(&summary, "bench.md", "## summary.json of agentcg report", NULL, NULL,
			  NULL);
	snprintf(pattern, sizeof(pattern), "%s/report/summary.json", out);
	assert_int_equal(th_json_load_all(pattern, docs, 1), 1);
	th_schema_expect(&summary, docs, 1, "report/summary.json");
	th_schema_free(&replay);
	th_schema_free(&run);
	th_schema_free(&summary);
}

/*
 * A HIGH session whose work ended holds no LOW session back: the bench tells the
 * controller as its worker exits (the cgroup stays until the run's end), and LOW is
 * released because no HIGH is left, at once, not after HIGH's idle cgroup has been quiet
 * for quiet_s (seen failing without the bench's word: "HIGH quiet for 0.5 s").
 */
static void test_dynamic_high_ended(void **state)
{
	const size_t idx[] = {0, 1};
	struct acg_bench_run *r = NULL;
	json_t *doc;
	const char *rel;

	(void)state;
	TH_SKIP_UNDER_VALGRIND();
	if (skip_all) {
		fprintf(stderr, "skip: %s\n", skip_all);
		skip();
	}
	assert_int_equal(acg_bench_run(ends_sc, idx, 2, acg_strategy_find("dynamic"), 1, root,
				       "dynamic", 0, NULL, NULL, &r),
			 0);
	doc = acg_bench_run_json(r);
	assert_non_null(doc);
	fprintf(stderr, "decisions:\n%s", r->decisions ? r->decisions : "(none)\n");
	assert_string_equal(json_string_value(json_object_get(session(doc, "hi"), "status")),
			    "completed");
	assert_string_equal(json_string_value(json_object_get(session(doc, "lo"), "status")),
			    "completed");
	/* v1: the hold is certain (HIGH's ramp outruns the headroom); v2 (TCG) may not hold */
	if (r->cgroup_version == 1 || (r->decisions && strstr(r->decisions, "\"hold\""))) {
		assert_non_null(r->decisions);
		rel = strstr(r->decisions, "\"session\":\"lo\",\"action\":\"release\"");
		assert_non_null(rel);
		assert_non_null(strstr(rel, "no HIGH session left"));
		assert_null(strstr(r->decisions, "HIGH quiet for"));
	}
	json_decref(doc);
	acg_bench_run_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_dynamic_holds_then_resumes),
		cmocka_unit_test(test_dynamic_high_ended),
		cmocka_unit_test(test_bpf_strategy),
		cmocka_unit_test(test_docs_match_output),
	};

	th_init();
	return cmocka_run_group_tests_name("bench", tests, group_setup, group_teardown);
}
