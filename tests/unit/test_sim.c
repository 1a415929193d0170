// SPDX-License-Identifier: GPL-2.0
/*
 * test_sim.c: unit tier. The simulator on a constructed scenario whose outcome is known by
 * hand: HIGH bursts to 150 MiB for 0.5 s while LOW grows to 120 MiB, in 256 MiB.
 * Together they need 270 MiB: with no control the largest (HIGH, at that moment) is
 * killed; with a budget/2 limit each, HIGH's burst is killed; the policy holds LOW during
 * the burst, nobody dies, HIGH is not slowed and LOW waits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helpers.h"
#include "policy.h"
#include "scenario.h"
#include "oracle.h"
#include "sim.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char path[] = "/tmp/agentcg-test-sim-XXXXXX";
static struct acg_scenario *sc;
static const size_t idx[] = {0, 1};

static int setup(void **state)
{
	struct acg_diag d = {""};
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	(void)state;
	if (!f)
		return -1;
	fputs("{\"budget_mb\": 256, \"sessions\": ["
	      "{\"name\": \"hi\", \"priority\": \"high\", \"stress\": {\"mb\": 10, \"hold_s\": 2,"
	      " \"burst_mb\": 150, \"burst_every_s\": 1, \"burst_for_s\": 0.5}},"
	      "{\"name\": \"lo\", \"priority\": \"low\", \"stress\": {\"mb\": 120, \"ramp_s\": 1.2,"
	      " \"hold_s\": 0.5}}]}",
	      f);
	fclose(f);
	if (acg_scenario_load(path, 0, &sc, &d) < 0) {
		fprintf(stderr, "%s\n", d.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	acg_scenario_free(sc);
	return unlink(path);
}

static struct acg_sim_result run(const char *strategy)
{
	struct acg_pol_cfg cfg;
	struct acg_sim_result r;

	acg_pol_cfg_default(&cfg, sc->budget_bytes);
	assert_int_equal(acg_sim_run(sc, idx, 2, strategy, &cfg, &r), 0);
	return r;
}

static void test_solo(void **state)
{
	struct acg_sim_result r = run(NULL);

	(void)state;
	assert_true(r.s[0].completed && r.s[1].completed);
	/* alone, unlimited: each takes its own timeline (2 s and 1.7 s); HIGH's 140 MiB burst
	 * populates in 48 ms at ACG_SIM_GROW_BPS, inside the 0.5 s before its next sample:
	 * as in the replay, a growth done before the next sample is due delays nothing */
	assert_true(r.s[0].completion_s >= 2.0 - 1e-9 && r.s[0].completion_s <= 2.01);
	assert_true(r.s[0].peak == 150 * MiB);
	assert_true(r.s[1].completion_s >= 1.69 && r.s[1].completion_s <= 1.72);
	assert_true(r.s[1].waited_s == 0);
	acg_sim_result_free(&r);
}

static void test_none_kills(void **state)
{
	struct acg_sim_result r = run("none");
	size_t v;
	double dur;

	(void)state;
	/* HIGH's burst (150 MiB) meets LOW's ramp past 96 MiB: over the budget, the kernel
	 * kills the largest, HIGH at that moment, and LOW runs on to completion */
	assert_true(r.s[0].killed);
	assert_true(r.s[0].killed_at_s >= 1.0 && r.s[0].killed_at_s < 1.5);
	assert_true(r.s[1].completed);
	assert_true(r.peak_total <= 256 * MiB);
	/* the work lost: the killed one's timeline done, at speed 1, and nothing for the other */
	v = r.s[0].killed ? 0 : 1;
	dur = r.s[v].spec->trace->samples[r.s[v].spec->trace->n - 1].t;
	assert_int_equal(r.killed, 1);
	assert_true(fabs(r.s[v].work_lost_s - r.s[v].progress * dur) < 1e-9);
	/* the burst that kills comes at 1 s: at least 0.9 s of either timeline was done */
	assert_true(r.s[v].work_lost_s > 0.9 && r.s[v].work_lost_s <= r.s[v].killed_at_s + 1e-9);
	assert_true(r.s[1 - v].work_lost_s == 0);
	assert_true(r.work_lost_s == r.s[v].work_lost_s);
	acg_sim_result_free(&r);
}

static void test_static_kills_the_burst(void **state)
{
	struct acg_sim_result r = run("static");

	(void)state;
	assert_true(r.s[0].killed);
	assert_false(r.s[1].killed);
	acg_sim_result_free(&r);
}

static void test_dynamic_holds(void **state)
{
	struct acg_sim_result r = run("dynamic"), solo = run(NULL);

	(void)state;
	assert_true(r.s[0].completed && r.s[1].completed);
	/* HIGH is not slowed, LOW waits out the burst */
	assert_true(r.s[0].completion_s <= solo.s[0].completion_s + 1e-9);
	acg_sim_result_free(&solo);
	assert_true(r.s[0].waited_s == 0);
	assert_true(r.s[1].waited_s > 0.1);
	assert_true(r.s[1].completion_s > 1.8);
	assert_true(r.decisions > 0);
	assert_true(r.peak_total <= 256 * MiB);
	assert_true(r.killed == 0 && r.work_lost_s == 0);
	acg_sim_result_free(&r);
}

/*
 * Four LOW sessions of 80 MiB beside a steady 10 MiB HIGH in 256 MiB: together they need
 * 330. Held LOW sessions alone fill the budget and each waits at its own clamp, so the
 * parent is never at its limit; the policy must still make progress. Every session
 * completes or is killed, none is still waiting at the timeout, and HIGH is never the one
 * killed nor slowed.
 */
static void test_dynamic_never_stuck(void **state)
{
	static const size_t all[] = {0, 1, 2, 3, 4};
	char p[] = "/tmp/agentcg-test-sim-stuck-XXXXXX";
	struct acg_diag d = {""};
	struct acg_scenario *s4 = NULL;
	struct acg_pol_cfg cfg;
	struct acg_sim_result r;
	int fd = mkstemp(p);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	size_t killed = 0;

	(void)state;
	assert_non_null(f);
	fputs("{\"budget_mb\": 256, \"sessions\": ["
	      "{\"name\": \"hi\", \"priority\": \"high\", \"stress\": {\"mb\": 10, \"hold_s\": 1}}",
	      f);
	for (int i = 1; i <= 4; i++)
		fprintf(f,
			",{\"name\": \"lo%d\", \"priority\": \"low\", \"stress\": {\"mb\": 80,"
			" \"ramp_s\": 0.5, \"hold_s\": 0.5}}",
			i);
	fputs("]}", f);
	fclose(f);
	if (acg_scenario_load(p, 0, &s4, &d) < 0)
		fail_msg("%s", d.msg);
	unlink(p);
	acg_pol_cfg_default(&cfg, s4->budget_bytes);
	assert_int_equal(acg_sim_run(s4, all, 5, "dynamic", &cfg, &r), 0);
	for (size_t i = 0; i < r.n; i++) {
		if (r.s[i].timed_out)
			fail_msg("%s still waiting at the timeout (%.0f%% done)", r.s[i].spec->name,
				 100 * r.s[i].progress);
		assert_true(r.s[i].completed != r.s[i].killed);
		killed += r.s[i].killed;
	}
	/* 330 MiB of LOW do not fit at once: admitted one at a time (each waits at its start
	 * for the one ahead of it), every one completes, none killed (before admission: one
	 * was killed) */
	assert_int_equal(killed, 0);
	assert_true(r.s[0].completed && r.s[0].waited_s == 0);
	assert_true(r.peak_total <= 256 * MiB);
	acg_sim_result_free(&r);
	acg_scenario_free(s4);
}

/*
 * Two LOW sessions at 100 MiB bursting to 200 MiB at the same moment in 256 MiB (nothing
 * expected of their growth, so both start): held, they fill the budget together and one is
 * killed. With swap the
 * sessions may use (the scenario's swap_mb), one is pushed out instead, the other finishes,
 * and the one pushed out grows back and finishes too: no kill.
 */
static void test_swap_instead_of_kill(void **state)
{
	static const size_t both[] = {0, 1};
	char p[] = "/tmp/agentcg-test-sim-swap-XXXXXX";
	struct acg_diag d = {""};
	struct acg_scenario *s2 = NULL;
	struct acg_pol_cfg cfg;
	struct acg_sim_result r;
	int fd = mkstemp(p);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	(void)state;
	assert_non_null(f);
	fputs("{\"budget_mb\": 256, \"sessions\": ["
	      "{\"name\": \"lo1\", \"priority\": \"low\", \"stress\": {\"mb\": 100,"
	      " \"hold_s\": 2, \"burst_mb\": 200, \"burst_every_s\": 1, \"burst_for_s\": 0.5}},"
	      "{\"name\": \"lo2\", \"priority\": \"low\", \"stress\": {\"mb\": 100,"
	      " \"hold_s\": 2, \"burst_mb\": 200, \"burst_every_s\": 1, \"burst_for_s\": 0.5}}]}",
	      f);
	fclose(f);
	if (acg_scenario_load(p, 0, &s2, &d) < 0)
		fail_msg("%s", d.msg);
	unlink(p);
	acg_pol_cfg_default(&cfg, s2->budget_bytes);
	cfg.low_growth = cfg.high_growth = 0;
	assert_int_equal(acg_sim_run(s2, both, 2, "dynamic", &cfg, &r), 0);
	assert_int_equal(r.killed, 1);
	assert_int_equal(r.swapped_out, 0);
	acg_sim_result_free(&r);
	s2->swap_bytes = 512 * MiB;
	assert_int_equal(acg_sim_run(s2, both, 2, "dynamic", &cfg, &r), 0);
	assert_int_equal(r.killed, 0);
	assert_true(r.swapped_out >= 1);
	assert_true(r.s[0].completed && r.s[1].completed);
	assert_true(r.peak_total <= 256 * MiB);
	acg_sim_result_free(&r);
	acg_scenario_free(s2);
}

/*
 * The oracle, worked by hand: LOW may hold 246 MiB, but only 106 MiB while HIGH bursts
 * in [1.0, 1.5). Its size is 10 MiB per 0.1 s of ramp, so it can reach 100 MiB by t = 1.0,
 * must stop before 110 MiB until 1.5, and needs 0.6 s more: done at 2.1 s at the earliest.
 */
static void test_oracle(void **state)
{
	double s = 0;
	bool exact = false;

	(void)state;
	assert_int_equal(acg_oracle_low_completion(sc, 1, &s), 0);
	assert_true(fabs(s - 2.1) < 0.03);
	assert_int_equal(acg_oracle_low_makespan(sc, &s, &exact), 0);
	assert_true(fabs(s - 2.1) < 0.03);
	assert_true(exact);
	/* HIGH is not a LOW session */
	assert_int_equal(acg_oracle_low_completion(sc, 0, &s), -EINVAL);
	/* with a budget HIGH alone does not fit in, no schedule exists */
	sc->budget_bytes = 140 * MiB;
	assert_int_equal(acg_oracle_low_makespan(sc, &s, &exact), -ERANGE);
	sc->budget_bytes = 256 * MiB;
}

/* A scenario from JSON text, for the growth-rate tests. */
static struct acg_scenario *scenario(const char *json)
{
	char p[] = "/tmp/agentcg-test-sim-grow-XXXXXX";
	struct acg_diag d = {""};
	struct acg_scenario *s = NULL;
	int fd = mkstemp(p);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	assert_non_null(f);
	fputs(json, f);
	fclose(f);
	if (acg_scenario_load(p, 0, &s, &d) < 0)
		fail_msg("%s", d.msg);
	unlink(p);
	return s;
}

/*
 * A session may wait at its start holding its base alone (the simulator and the bench start
 * every session there): HIGH and two LOW sessions of 200 MiB each (100 of base, 100 held
 * for 2 s) in 500 MiB. One LOW session runs beside HIGH while the other waits at its base
 * (200 + 200 + 100), the other once HIGH is done: each alone can be done by about 2 s,
 * both by about 4 s. While the bound counted a waiting session at its base and its
 * smallest sample (200 MiB), it said no schedule existed, and dynamic then ran both with
 * no kill.
 */
static void test_oracle_wait_at_base(void **state)
{
	struct acg_scenario *w =
		scenario("{\"budget_mb\": 500, \"runs\": 1, \"sessions\": ["
			 "{\"name\": \"hi\", \"priority\": \"high\", \"base_mb\": 100,"
			 " \"stress\": {\"mb\": 100, \"hold_s\": 2}},"
			 "{\"name\": \"lo1\", \"priority\": \"low\", \"base_mb\": 100,"
			 " \"stress\": {\"mb\": 100, \"hold_s\": 2}},"
			 "{\"name\": \"lo2\", \"priority\": \"low\", \"base_mb\": 100,"
			 " \"stress\": {\"mb\": 100, \"hold_s\": 2}}]}");
	const size_t all[] = {0, 1, 2};
	struct acg_pol_cfg cfg;
	struct acg_sim_result r;
	double one = 0, both = 0;
	bool exact = false;

	(void)state;
	assert_int_equal(acg_oracle_low_completion(w, 1, &one), 0);
	assert_int_equal(acg_oracle_low_makespan(w, &both, &exact), 0);
	fprintf(stderr, "oracle: one LOW by %.2f s, both by %.2f s\n", one, both);
	assert_true(exact);
	assert_true(one > 1.9 && one < 2.5);
	assert_true(both > 2 * one - 0.1 && both < 2 * one + 0.5);
	acg_pol_cfg_default(&cfg, w->budget_bytes);
	assert_int_equal(acg_sim_run(w, all, 3, "dynamic", &cfg, &r), 0);
	assert_int_equal(r.killed, 0);
	assert_true(r.s[1].completed && r.s[2].completed);
	acg_sim_result_free(&r);
	acg_scenario_free(w);
}

static struct acg_sim_result run_on(struct acg_scenario *s, const char *strategy)
{
	static const size_t all[] = {0, 1, 2};
	struct acg_pol_cfg cfg;
	struct acg_sim_result r;

	acg_pol_cfg_default(&cfg, s->budget_bytes);
	assert_int_equal(acg_sim_run(s, all, s->n_sessions, strategy, &cfg, &r), 0);
	return r;
}

/*
 * The growth rate: 500 MiB at once, the next sample 0.1 s later, at 1000 MiB/s. The growth
 * takes 0.5 s and runs past the next sample: the rest of the timeline waits for it (the
 * replay's shift), so it completes at 0.5 s, not 0.1 s; at 250 MiB/s at 2 s. With 2 s
 * before the next sample, the same growth delays nothing.
 */
static void test_grow_rate(void **state)
{
	struct acg_scenario *s = scenario(
		"{\"budget_mb\": 4096, \"grow_mib_s\": 1000, \"sessions\": ["
		"{\"name\": \"a\", \"priority\": \"low\", \"stress\": {\"mb\": 500, \"hold_s\": 0.1}},"
		"{\"name\": \"b\", \"priority\": \"low\", \"stress\": {\"mb\": 500, \"hold_s\": 2}}]}");
	struct acg_sim_result r;

	(void)state;
	assert_true(acg_sim_grow_bps(s) == 1000 * MiB);
	r = run_on(s, NULL);
	assert_true(r.s[0].completed && r.s[1].completed);
	assert_true(fabs(r.s[0].completion_s - 0.5) < 1e-6);
	assert_true(fabs(r.s[1].completion_s - 2.0) < 1e-6);
	assert_true(r.s[0].peak == 500 * MiB && r.s[1].peak == 500 * MiB);
	/* growing is not waiting: nothing held it */
	assert_true(r.s[0].waited_s == 0);
	acg_sim_result_free(&r);
	s->grow_bps = 250 * MiB;
	r = run_on(s, NULL);
	assert_true(fabs(r.s[0].completion_s - 2.0) < 1e-6);
	assert_true(fabs(r.s[1].completion_s - 2.0) < 1e-6);
	acg_sim_result_free(&r);
	/* unset: the measured default */
	s->grow_bps = 0;
	assert_true(acg_sim_grow_bps(s) == ACG_SIM_GROW_BPS);
	r = run_on(s, NULL);
	assert_true(fabs(r.s[0].completion_s - 500 * MiB / ACG_SIM_GROW_BPS) < 1e-6);
	acg_sim_result_free(&r);
	acg_scenario_free(s);
}

/*
 * The host's rate is shared by the sessions growing at once: three sessions of 500 MiB at
 * 1000 MiB/s each but 1500 MiB/s for the host grow at 500 MiB/s each: 1 s. Solo, each runs
 * alone at its own rate: 0.5 s. Under dynamic HIGH is served first.
 */
static void test_grow_host_shared(void **state)
{
	struct acg_scenario *s = scenario(
		"{\"budget_mb\": 4096, \"grow_mib_s\": 1000, \"host_grow_mib_s\": 1500,"
		" \"sessions\": ["
		"{\"name\": \"a\", \"priority\": \"high\", \"stress\": {\"mb\": 500, \"hold_s\": 0.1}},"
		"{\"name\": \"b\", \"priority\": \"low\", \"stress\": {\"mb\": 500, \"hold_s\": 0.1}},"
		"{\"name\": \"c\", \"priority\": \"low\", \"stress\": {\"mb\": 500, \"hold_s\": 0.1}}]}");
	struct acg_sim_result r;

	(void)state;
	assert_true(acg_sim_host_grow_bps(s) == 1500 * MiB);
	r = run_on(s, "none");
	for (size_t i = 0; i < 3; i++) {
		assert_true(r.s[i].completed);
		/* the first step, before they are seen growing together, is theirs alone */
		assert_true(r.s[i].completion_s > 0.98 && r.s[i].completion_s < 1.01);
	}
	acg_sim_result_free(&r);
	r = run_on(s, NULL);
	for (size_t i = 0; i < 3; i++)
		assert_true(fabs(r.s[i].completion_s - 0.5) < 1e-6);
	acg_sim_result_free(&r);
	/* under dynamic LOW runs SCHED_IDLE: HIGH grows at its full rate (0.5 s), the two LOW
	 * sessions share the 500 MiB/s left until it is done, then 750 MiB/s each */
	r = run_on(s, "dynamic");
	assert_true(r.s[0].completed && r.s[1].completed && r.s[2].completed);
	assert_true(r.s[0].completion_s > 0.49 && r.s[0].completion_s < 0.51);
	for (size_t i = 1; i < 3; i++)
		assert_true(r.s[i].completion_s > 0.8 && r.s[i].completion_s < 1.01);
	acg_sim_result_free(&r);
	acg_scenario_free(s);
}

/*
 * Every sample is applied, within a step too: a 400 MiB spike lasting 2 ms (a fifth of a
 * step) is populated in full (the session's peak) and, at 1000 MiB/s, costs its 0.4 s.
 */
static void test_grow_spike_within_step(void **state)
{
	static const struct acg_sample smp[] = {{0, 0}, {0.001, 400 * MiB}, {0.003, 0}, {1.0, 0}};
	struct acg_scn_session ses = {.name = "spike", .prio = ACG_PRIO_LOW};
	struct acg_scenario s = {.name = (char *)"spike",
				 .budget_bytes = 4096 * MiB,
				 .speed = 1,
				 .sessions = &ses,
				 .n_sessions = 1,
				 .timeout_factor = 20,
				 .grow_bps = 1000 * MiB};
	struct acg_sim_result r;

	(void)state;
	assert_int_equal(acg_trace_from_samples("spike", smp, 4, &ses.trace), 0);
	r = run_on(&s, NULL);
	assert_true(r.s[0].peak == 400 * MiB);
	assert_true(r.s[0].completed);
	/* 0.001 s, then 0.4 s of growth past the samples at 0.003 s and 1 s: 1.398 s */
	assert_true(fabs(r.s[0].completion_s - 1.398) < 1e-6);
	acg_sim_result_free(&r);
	acg_trace_free(ses.trace);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_solo),
		cmocka_unit_test(test_none_kills),
		cmocka_unit_test(test_static_kills_the_burst),
		cmocka_unit_test(test_dynamic_holds),
		cmocka_unit_test(test_dynamic_never_stuck),
		cmocka_unit_test(test_swap_instead_of_kill),
		cmocka_unit_test(test_oracle),
		cmocka_unit_test(test_oracle_wait_at_base),
		cmocka_unit_test(test_grow_rate),
		cmocka_unit_test(test_grow_host_shared),
		cmocka_unit_test(test_grow_spike_within_step),
	};

	th_init();
	return cmocka_run_group_tests_name("sim", tests, setup, teardown);
}
