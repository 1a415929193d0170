// SPDX-License-Identifier: GPL-2.0
/*
 * test_estimate.c: unit tier. The one estimator, acg_pol_observe(): the first reading
 * (start, no rate, no growth), started_at set once, growth under the 1 MiB noise threshold
 * not counted (as HIGH activity or as any session's), growth measured from the rate's
 * base reading, HIGH's page faults and reclaim, waiting only while held, work done only
 * while free. Then the same
 * readings through the live controller's path (acg_controller_tick on a stand-in cgroup v1
 * tree of plain files, no root needed) and the simulator's (acg_sim_observe) give the same
 * state, tick after tick.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helpers.h"
#include "cgroup.h"
#include "controller.h"
#include "mounts.h"
#include "policy.h"
#include "sim.h"

#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct acg_pol_cfg cfg;
static struct acg_pol_session ses[2];
static struct acg_pol_reading base[2];
static struct acg_pol_state st;

/* HIGH (0) and LOW (1), no reading yet. */
static int setup(void **state)
{
	(void)state;
	acg_pol_cfg_default(&cfg, 1000 * MiB);
	memset(ses, 0, sizeof(ses));
	ses[0].prio = ACG_PRIO_HIGH;
	ses[1].prio = ACG_PRIO_LOW;
	base[0].t = base[1].t = NAN;
	st = (struct acg_pol_state){.budget = 1000 * MiB,
				    .high_last_growth = -INFINITY,
				    .last_kill = -INFINITY,
				    .s = ses,
				    .n = 2};
	return 0;
}

static void look(size_t i, double now, uint64_t usage)
{
	struct acg_pol_obs o = {.usage = usage};

	st.now = now;
	acg_pol_observe(&cfg, &st, i, &base[i], &o);
}

static void test_first_reading(void **state)
{
	(void)state;
	look(0, 5.0, 300 * MiB);
	assert_true(ses[0].started_at == 5.0);
	assert_true(ses[0].rate == 0);
	assert_int_equal(ses[0].usage, 300 * MiB);
	assert_int_equal(ses[0].recent_peak, 300 * MiB);
	/* the first reading is no growth, however large */
	assert_true(isinf(st.high_last_growth));
	assert_true(ses[0].active_at == 0);
	/* started once: later readings keep it */
	look(0, 5.01, 400 * MiB);
	look(0, 6.0, 400 * MiB);
	assert_true(ses[0].started_at == 5.0);
	look(1, 7.0, 10 * MiB);
	assert_true(ses[1].started_at == 7.0);
	look(1, 7.5, 20 * MiB);
	assert_true(ses[1].started_at == 7.0);
}

static void test_noise_threshold(void **state)
{
	(void)state;
	look(0, 1.0, 100 * MiB);
	look(1, 1.0, 100 * MiB);
	/* exactly 1 MiB more: noise, for HIGH and LOW alike; the rate still sees it */
	look(0, 1.01, 101 * MiB);
	look(1, 1.01, 101 * MiB);
	assert_true(isinf(st.high_last_growth));
	assert_true(ses[0].active_at == 0 && ses[1].active_at == 0);
	assert_true(ses[0].rate > 0);
	/* a page more than that is growth: HIGH's marks HIGH active, LOW's only itself */
	look(1, 1.02, 102 * MiB + 4096);
	assert_true(isinf(st.high_last_growth));
	assert_true(ses[1].active_at == 1.02);
	look(0, 1.02, 102 * MiB + 4096);
	assert_true(st.high_last_growth == 1.02);
	assert_true(ses[0].active_at == 1.02);
	/* a slow creep, 0.5 MiB a reading, is never growth */
	for (int k = 1; k <= 10; k++)
		look(0, 1.02 + 0.01 * k, 102 * MiB + 4096 + (uint64_t)k * MiB / 2);
	assert_true(st.high_last_growth == 1.02);
	/* shrinking is no growth either */
	look(0, 1.2, 50 * MiB);
	assert_true(st.high_last_growth == 1.02);
	assert_true(ses[0].rate < 0);
}

/* Growth is measured from the reading the rate is measured from, which a close one keeps. */
static void test_growth_from_base(void **state)
{
	(void)state;
	look(0, 1.0, 100 * MiB);
	look(0, 1.01, 100 * MiB + 800 * 1024);
	assert_true(isinf(st.high_last_growth));
	/* 3 ms later: too close for a rate, the base stays at 1.01; 800 KiB over it: noise */
	look(0, 1.013, 101 * MiB + 576 * 1024);
	assert_true(base[0].t == 1.01);
	assert_true(isinf(st.high_last_growth));
	/* 6 ms after the base, 1.2 MiB over it: growth (over the reading before, 0.4 MiB) */
	look(0, 1.016, 102 * MiB);
	assert_true(base[0].t == 1.016);
	assert_true(st.high_last_growth == 1.016);
}

static void test_signals_and_waiting(void **state)
{
	struct acg_pol_obs o = {.usage = 100 * MiB};

	(void)state;
	look(0, 1.0, 100 * MiB);
	look(1, 1.0, 100 * MiB);
	/* HIGH faulting in new pages its usage does not show yet: HIGH is growing */
	st.now = 1.01;
	o.faults = true;
	acg_pol_observe(&cfg, &st, 0, &base[0], &o);
	assert_true(st.high_last_growth == 1.01);
	assert_false(ses[0].stalled);
	/* HIGH in reclaim: stalled, and no longer once the reclaim is over */
	o = (struct acg_pol_obs){.usage = 100 * MiB, .reclaim = true};
	st.now = 1.02;
	acg_pol_observe(&cfg, &st, 0, &base[0], &o);
	assert_true(ses[0].stalled);
	assert_false(ses[0].waiting);
	o.reclaim = false;
	st.now = 1.03;
	acg_pol_observe(&cfg, &st, 0, &base[0], &o);
	assert_false(ses[0].stalled);
	/* a free LOW session cannot wait at a clamp it does not have */
	o = (struct acg_pol_obs){.usage = 100 * MiB, .waiting = true, .reclaim = true};
	acg_pol_observe(&cfg, &st, 1, &base[1], &o);
	assert_false(ses[1].waiting);
	assert_false(ses[1].stalled);
	assert_true(ses[1].active_at == 0);
	/* held: it waits (at its limit, or in reclaim), and waiting is activity */
	ses[1].held = true;
	o.reclaim = false;
	st.now = 1.04;
	acg_pol_observe(&cfg, &st, 1, &base[1], &o);
	assert_true(ses[1].waiting);
	assert_true(ses[1].active_at == 1.04);
	o = (struct acg_pol_obs){.usage = 100 * MiB, .reclaim = true};
	st.now = 1.05;
	acg_pol_observe(&cfg, &st, 1, &base[1], &o);
	assert_true(ses[1].waiting);
	assert_true(ses[1].active_at == 1.05);
	o.reclaim = false;
	st.now = 1.06;
	acg_pol_observe(&cfg, &st, 1, &base[1], &o);
	assert_false(ses[1].waiting);
	assert_true(ses[1].active_at == 1.05);
	assert_true(isinf(st.high_last_growth) == false && st.high_last_growth == 1.01);
}

static void test_peak(void **state)
{
	(void)state;
	cfg.peak_window_s = 2.0;
	look(0, 1.0, 500 * MiB);
	look(0, 1.5, 200 * MiB);
	assert_int_equal(ses[0].recent_peak, 500 * MiB);
	assert_true(ses[0].peak_t == 1.0);
	/* forgotten once older than the window */
	look(0, 3.1, 200 * MiB);
	assert_int_equal(ses[0].recent_peak, 200 * MiB);
	assert_true(ses[0].peak_t == 3.1);
}

/*
 * The controller's path and the simulator's, fed the same readings. The controller reads a
 * stand-in v1 tree: a directory of plain files where the kernel's would be (usage,
 * memory.oom_control's under_oom for "waits at its limit"); its holds are written to
 * memory.limit_in_bytes like any other file. The simulator's side is told the same held
 * state (what its model's actuators would report) and whether the clamp stopped it.
 */
#define N 3
#define BUDGET (600 * MiB)

static char dir[] = "/tmp/agentcg-test-estimate-XXXXXX";
static const char *const names[N] = {"high-a", "low-b", "low-c"};
static const enum acg_prio prios[N] = {ACG_PRIO_HIGH, ACG_PRIO_LOW, ACG_PRIO_LOW};

static void put(const char *cg, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void put(const char *cg, const char *file, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/root%s%s/%s", dir, *cg ? "/" : "", cg, file);
	f = fopen(path, "w");
	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
}

/* One cgroup's files: usage, and whether its tasks wait at its limit. */
static void put_cg(const char *cg, uint64_t usage, bool under_oom)
{
	put(cg, "memory.usage_in_bytes", "%llu\n", (unsigned long long)usage);
	put(cg, "memory.failcnt", "0\n");
	put(cg, "memory.oom_control", "oom_kill_disable 1\nunder_oom %d\noom_kill 0\n", under_oom);
}

/* A small deterministic generator: the sequence is the same on every run. */
static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t rnd(uint64_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state % n;
}

static void same_session(const struct acg_pol_session *a, const struct acg_pol_session *b, size_t i,
			 int tick)
{
	if (a->gone != b->gone || a->usage != b->usage || a->rate != b->rate ||
	    a->recent_peak != b->recent_peak || a->peak_t != b->peak_t ||
	    a->started_at != b->started_at || a->active_at != b->active_at ||
	    a->waiting != b->waiting || a->stalled != b->stalled)
		fail_msg("tick %d, session %zu: controller gone %d usage %llu rate %.1f peak %llu "
			 "at %.3f started %.3f active %.3f waiting %d; simulator gone %d usage "
			 "%llu rate %.1f peak %llu at %.3f started %.3f active %.3f waiting %d",
			 tick, i, a->gone, (unsigned long long)a->usage, a->rate,
			 (unsigned long long)a->recent_peak, a->peak_t, a->started_at, a->active_at,
			 a->waiting, b->gone, (unsigned long long)b->usage, b->rate,
			 (unsigned long long)b->recent_peak, b->peak_t, b->started_at, b->active_at,
			 b->waiting);
}

static void test_controller_and_simulator_agree(void **state)
{
	struct acg_mounts m = {.mode = ACG_CGMODE_LEGACY, .mem_version = 1};
	struct acg_cg *root = NULL, *cg[N] = {NULL};
	struct acg_controller *ctl = NULL;
	struct acg_pol_session sim_s[N] = {{0}};
	struct acg_pol_reading sim_base[N];
	struct acg_pol_state sim = {.budget = BUDGET,
				    .high_last_growth = -INFINITY,
				    .last_kill = -INFINITY,
				    .s = sim_s,
				    .n = N};
	uint64_t usage[N] = {100 * MiB, 50 * MiB, 50 * MiB};
	unsigned long held_ticks = 0, waiting_ticks = 0, close_ticks = 0, high_growth = 0;
	double now = 10.0, last_growth = -INFINITY;
	char path[512];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(m.mem_path, sizeof(m.mem_path), "%s", dir);
	assert_int_equal(acg_root_open(&m, "root", true, &root), 0);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(acg_cg_child(root, names[i], true, &cg[i]), 0);
		put(names[i], "memory.limit_in_bytes", "9223372036854771712\n");
		sim_s[i].prio = prios[i];
		sim_base[i].t = NAN;
	}
	acg_pol_cfg_default(&cfg, BUDGET);
	cfg.low_nice = 0; /* no tasks to renice in a tree of plain files */
	assert_int_equal(
		acg_controller_new(root, cg, prios, names, N, BUDGET, &cfg, NULL, NULL, &ctl), 0);

	for (int tick = 0; tick < 400; tick++) {
		const struct acg_pol_state *c;
		bool wait[N] = {false}, done[N];
		uint64_t total = 0;

		/* 10 ms apart mostly; now and then a tick a wake-up brought forward (1-4 ms) */
		if (tick) {
			bool close = rnd(6) == 0;

			now += close ? 0.001 * (double)(1 + rnd(4)) : 0.010;
			close_ticks += close;
		}
		for (size_t i = 0; i < N; i++) {
			/* steps under and over the noise threshold, bursts, shrinks */
			uint64_t r = rnd(10), step = r < 4 ? rnd(MiB + 1) : rnd(40 * MiB);

			if (r == 9 && usage[i] > step + 10 * MiB)
				usage[i] -= step;
			else if (r != 8)
				usage[i] += step;
			if (usage[i] > 400 * MiB)
				usage[i] = 200 * MiB;
			done[i] = i == 2 && tick >= 300; /* low-c ends at tick 300 */
			/* its tasks at its limit: told to both, the policy counts it only if held;
			 * never both LOW sessions at once, which the policy would end with a kill
			 * (held LOW alone filling the budget) */
			wait[i] = rnd(3) == 0 && !(i == 2 && wait[1]);
			if (!done[i])
				total += usage[i];
		}
		if (tick == 300) {
			/* removed: the kernel fails a read of a removed cgroup's file through an
			 * fd kept open (ENODEV); a plain file emptied, then unlinked, fails the
			 * controller's read the same way */
			snprintf(path, sizeof(path), "%s/root/%s/memory.usage_in_bytes", dir,
				 names[2]);
			assert_int_equal(truncate(path, 0), 0);
			assert_int_equal(unlink(path), 0);
		}
		for (size_t i = 0; i < N; i++)
			if (!done[i])
				put_cg(names[i], usage[i], wait[i]);
		put_cg("", total, false);

		/* the simulator's side: held as the actuators left it at the last tick */
		c = acg_controller_state(ctl);
		for (size_t i = 0; i < N; i++) {
			sim_s[i].held = c->s[i].held;
			sim_s[i].clamp = c->s[i].clamp;
			sim_s[i].frozen = c->s[i].frozen;
		}
		sim.now = now;
		sim.usage = total;
		for (size_t i = 0; i < N; i++)
			acg_sim_observe(&cfg, &sim, i, &sim_base[i], usage[i], wait[i], done[i]);

		acg_controller_tick(ctl, now);
		c = acg_controller_state(ctl);
		assert_int_equal(c->usage, total);
		if (c->high_last_growth != sim.high_last_growth)
			fail_msg("tick %d: HIGH last grew at %.3f (controller), %.3f (simulator)",
				 tick, c->high_last_growth, sim.high_last_growth);
		for (size_t i = 0; i < N; i++) {
			/* the policy kills none here: gone is the removal at tick 300 */
			assert_true(c->s[i].gone == done[i]);
			same_session(&c->s[i], &sim_s[i], i, tick);
			held_ticks += c->s[i].held;
			waiting_ticks += c->s[i].waiting;
		}
		high_growth += c->high_last_growth != last_growth;
		last_growth = c->high_last_growth;
	}
	/* the sequence reached what it was meant to: holds, waits, close ticks, a gone session,
	 * HIGH growth seen and not seen */
	assert_true(held_ticks > 20 && waiting_ticks > 10 && close_ticks > 20);
	assert_true(high_growth > 20 && high_growth < 350);
	assert_true(acg_controller_state(ctl)->s[2].gone);

	acg_controller_free(ctl);
	for (size_t i = 0; i < N; i++)
		acg_cg_free(cg[i]);
	acg_cg_free(root);
	snprintf(path, sizeof(path), "rm -rf -- '%s'", dir);
	assert_int_equal(system(path), 0);
}

static void look_waiting(size_t i, double now, uint64_t usage, bool waiting)
{
	struct acg_pol_obs o = {.usage = usage, .waiting = waiting};

	st.now = now;
	acg_pol_observe(&cfg, &st, i, &base[i], &o);
}

/*
 * waited_s: how long a held session has waited at its clamp without a break. A stretch
 * goes on through gaps shorter than ACG_POL_WAIT_GAP_S (the kernel's throttle sleeps), and
 * ends when the session is released, given room (its clamp raised), or has neither waited
 * nor grown for the gap.
 */
/*
 * Work done (done_s, what a kill loses): the time since the first reading that the session
 * was free, or held with room to grow; time held at its size, waiting or frozen is not. And
 * the run's peak (run_peak), which no window forgets.
 */
static void test_done(void **state)
{
	(void)state;
	look(1, 5, 100 * MiB);
	assert_true(ses[1].done_s == 0);
	assert_true(ses[1].run_peak == 100 * MiB);
	look(1, 6, 100 * MiB);
	assert_true(fabs(ses[1].done_s - 1) < 1e-9);
	ses[1].held = true; /* held from 6 to 8: no work */
	look(1, 8, 100 * MiB);
	assert_true(fabs(ses[1].done_s - 1) < 1e-9);
	ses[1].held = false;
	ses[1].frozen = true; /* frozen from 8 to 9: none either */
	look(1, 9, 100 * MiB);
	assert_true(fabs(ses[1].done_s - 1) < 1e-9);
	ses[1].frozen = false;
	look(1, 9.5, 100 * MiB);
	assert_true(fabs(ses[1].done_s - 1.5) < 1e-9);
	/* held with room to grow (its clamp 100 MiB above its usage): it works */
	ses[1].held = true;
	ses[1].clamp = 200 * MiB;
	look(1, 10, 100 * MiB);
	assert_true(fabs(ses[1].done_s - 2) < 1e-9);
	/* but not while its tasks wait (the clamp may sit a little above what is charged) */
	ses[1].waiting = true;
	look(1, 11, 100 * MiB);
	assert_true(fabs(ses[1].done_s - 2) < 1e-9);
	/* the run's peak stays, whatever the peak window */
	look(1, 12, 300 * MiB);
	look(1, 22, 100 * MiB);
	assert_true(ses[1].run_peak == 300 * MiB);
	assert_true(ses[1].recent_peak == 100 * MiB);
}

static void test_waited(void **state)
{
	(void)state;
	look_waiting(1, 0.0, 100 * MiB, false);
	/* waiting without a hold is not waiting at a clamp */
	look_waiting(1, 1.0, 100 * MiB, true);
	assert_true(ses[1].waited_s == 0);
	ses[1].held = true;
	ses[1].clamp = 100 * MiB;
	look_waiting(1, 2.0, 100 * MiB, true);
	assert_true(ses[1].waited_s == 0);
	look_waiting(1, 3.0, 100 * MiB, true);
	assert_true(fabs(ses[1].waited_s - 1.0) < 1e-9);
	/* a throttle sleep with no event: the stretch goes on */
	look_waiting(1, 5.0, 100 * MiB, false);
	assert_true(fabs(ses[1].waited_s - 3.0) < 1e-9);
	look_waiting(1, 6.0, 100 * MiB, true);
	assert_true(fabs(ses[1].waited_s - 4.0) < 1e-9);
	/* room given: a new stretch, from when it waits again */
	ses[1].clamp = 200 * MiB;
	look_waiting(1, 7.0, 150 * MiB, false);
	assert_true(ses[1].waited_s == 0);
	look_waiting(1, 8.0, 200 * MiB, true);
	look_waiting(1, 9.0, 200 * MiB, true);
	assert_true(fabs(ses[1].waited_s - 1.0) < 1e-9);
	/* neither waiting nor growing for the gap: over */
	look_waiting(1, 9.0 + ACG_POL_WAIT_GAP_S + 0.1, 200 * MiB, false);
	assert_true(ses[1].waited_s == 0);
	/* released: over */
	look_waiting(1, 20.0, 200 * MiB, true);
	look_waiting(1, 21.0, 200 * MiB, true);
	assert_true(ses[1].waited_s > 0);
	ses[1].held = false;
	look_waiting(1, 22.0, 200 * MiB, true);
	assert_true(ses[1].waited_s == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_first_reading, setup),
		cmocka_unit_test_setup(test_noise_threshold, setup),
		cmocka_unit_test_setup(test_growth_from_base, setup),
		cmocka_unit_test_setup(test_signals_and_waiting, setup),
		cmocka_unit_test_setup(test_peak, setup),
		cmocka_unit_test_setup(test_waited, setup),
		cmocka_unit_test_setup(test_done, setup),
		cmocka_unit_test(test_controller_and_simulator_agree),
	};

	th_init();
	return cmocka_run_group_tests_name("estimate", tests, NULL, NULL);
}
