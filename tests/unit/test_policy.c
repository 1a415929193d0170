// SPDX-License-Identifier: GPL-2.0
/*
 * test_policy.c: unit tier. The priority policy on constructed states: nothing to do
 * with room to spare; LOW held when headroom runs short, HIGH never; no oscillation
 * around the threshold; room handed back, then full release when HIGH is quiet; the kill
 * only when every LOW is held and HIGH is stuck, and then of the right session; vanished
 * sessions ignored; a creeping v2 session frozen. Priority classes by name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helpers.h"
#include "policy.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define B (1000 * MiB)

static struct acg_pol_cfg cfg;
static struct acg_pol_session ses[4];
static struct acg_pol_state st;
static struct acg_action act[16];

/* HIGH (0) and two LOW (1, 2), usage in MiB; the parent's usage is their sum. */
static void setup_state(uint64_t high, uint64_t low1, uint64_t low2)
{
	memset(ses, 0, sizeof(ses));
	ses[0] = (struct acg_pol_session){
		.prio = ACG_PRIO_HIGH, .usage = high * MiB, .started_at = 0};
	ses[1] = (struct acg_pol_session){
		.prio = ACG_PRIO_LOW, .usage = low1 * MiB, .started_at = 1, .done_s = 1};
	ses[2] = (struct acg_pol_session){
		.prio = ACG_PRIO_LOW, .usage = low2 * MiB, .started_at = 2, .done_s = 1};
	st = (struct acg_pol_state){.now = 10,
				    .budget = B,
				    .usage = (high + low1 + low2) * MiB,
				    .high_last_growth = 9.9,
				    .last_kill = -INFINITY,
				    .s = ses,
				    .n = 3};
	acg_pol_cfg_default(&cfg, B);
}

static size_t decide(void)
{
	return acg_policy_decide(&cfg, &st, act, 16);
}

/* Apply actions to the state as the actuators would. */
static void apply(size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct acg_pol_session *s = &ses[act[i].session];

		switch (act[i].kind) {
		case ACG_ACT_HOLD:
		case ACG_ACT_RAISE:
			s->held = true;
			s->clamp = act[i].value;
			break;
		case ACG_ACT_RELEASE:
			s->held = false;
			break;
		case ACG_ACT_FREEZE:
			s->frozen = true;
			break;
		case ACG_ACT_THAW:
			s->frozen = false;
			break;
		case ACG_ACT_KILL:
			s->gone = true;
			break;
		case ACG_ACT_SWAP_OUT:
			s->held = s->frozen = s->swapped = true;
			s->clamp = 0;
			s->swapped_bytes = act[i].value;
			break;
		}
	}
}

static void test_room_to_spare(void **state)
{
	(void)state;
	setup_state(300, 200, 200);
	assert_int_equal(decide(), 0);
}

static void test_hold_low_not_high(void **state)
{
	size_t n;

	(void)state;
	/* reserve is 50 MiB; HIGH growing at 1 GiB/s adds 100 MiB over 0.1 s */
	setup_state(600, 200, 120);
	ses[0].rate = 1000 * MiB;
	n = decide();
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(act[i].kind, ACG_ACT_HOLD);
		assert_true(act[i].session != 0);
		assert_true(act[i].value == ses[act[i].session].usage);
		assert_non_null(strstr(act[i].reason, "headroom 80 MiB < 150 MiB"));
	}
	apply(n);
	/* held already: nothing more to do */
	assert_int_equal(decide(), 0);
}

static void test_high_stalled(void **state)
{
	size_t n;

	(void)state;
	/* room to spare by the numbers, but the BPF signals saw HIGH in memcg reclaim: it is
	 * at a limit, so every LOW is held at once */
	setup_state(300, 200, 200);
	ses[0].stalled = true;
	n = decide();
	assert_int_equal(n, 2);
	assert_int_equal(act[0].kind, ACG_ACT_HOLD);
	assert_non_null(strstr(act[0].reason, "HIGH stalled in memcg reclaim"));
	/* a stalled LOW session does not count: it only waits at its own clamp */
	setup_state(300, 200, 200);
	ses[1].stalled = true;
	assert_int_equal(decide(), 0);
}

static void test_no_oscillation(void **state)
{
	size_t changes = 0;

	(void)state;
	setup_state(700, 130, 130);
	apply(decide());
	assert_true(ses[1].held && ses[2].held);
	/* usage wobbles around the threshold (headroom 40..70 MiB, need 50, release at 75) */
	for (int k = 0; k < 100; k++) {
		uint64_t wobble = (uint64_t)(k % 4) * 10;

		ses[0].usage = (700 + wobble - 20) * MiB;
		st.usage = ses[0].usage + ses[1].usage + ses[2].usage;
		st.now += 0.01;
		st.high_last_growth = st.now;
		changes += decide();
	}
	assert_int_equal(changes, 0);
}

/*
 * HIGH quiet, every LOW held, headroom between the reserve kept while all are held and
 * the full reserve: releasing would take the headroom below what is kept once they are
 * free, and hold them again on the next tick, every tick (seen live: hold and release
 * alternating every 10 ms). They stay held; with room past the full reserve plus the
 * hysteresis they are released.
 */
static void test_no_release_into_a_hold(void **state)
{
	size_t changes = 0, n;

	(void)state;
	setup_state(700, 130, 130);
	apply(decide());
	assert_true(ses[1].held && ses[2].held);
	/* reserve 50 MiB, 12.5 while all held, hysteresis 25: headroom 40 */
	ses[0].usage = 700 * MiB;
	st.usage = (700 + 130 + 130) * MiB;
	st.high_last_growth = 0;
	for (int k = 0; k < 50; k++) {
		st.now += 0.01;
		memset(act, 0, sizeof(act));
		n = decide();
		apply(n);
		changes += n;
	}
	assert_int_equal(changes, 0);
	assert_true(ses[1].held && ses[2].held);
	/* HIGH shrinks: headroom 100 > 50 + 25: both released */
	ses[0].usage = 640 * MiB;
	st.usage = (640 + 130 + 130) * MiB;
	st.now += 0.01;
	n = decide();
	assert_int_equal(n, 2);
	assert_int_equal(act[0].kind, ACG_ACT_RELEASE);
	assert_int_equal(act[1].kind, ACG_ACT_RELEASE);
}

static void test_hand_back_then_release(void **state)
{
	size_t n;

	(void)state;
	setup_state(700, 130, 130);
	apply(decide());
	/* HIGH shrank to 400 but grew 0.1 s ago: the room goes to the first waiting session
	 * in the queue, whole (both wait; LOW 1 started first) */
	ses[0].usage = 400 * MiB;
	st.usage = 660 * MiB;
	ses[1].waiting = ses[2].waiting = true;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_RAISE);
	assert_int_equal(act[0].session, 1);
	/* headroom 340, every LOW held so 12.5 MiB kept, 4 MiB grant margin: 323.5 more */
	assert_true(fabs((double)(act[0].value - 130 * MiB) / MiB - 323.5) < 0.01);
	apply(n);
	/* LOW 1 grows into its room: LOW 2 waits its turn, nothing changes */
	ses[1].waiting = false;
	ses[1].rate = 500 * MiB;
	ses[1].active_at = st.now;
	ses[1].usage = 300 * MiB;
	st.usage = 830 * MiB;
	assert_int_equal(decide(), 0);
	/* its burst is over (it shrank 100 MiB from its peak): its room goes to LOW 2 */
	ses[1].recent_peak = 300 * MiB;
	ses[1].usage = 200 * MiB;
	ses[1].rate = -1000.0 * MiB;
	st.usage = 730 * MiB;
	st.now += 0.05;
	n = decide();
	assert_int_equal(n, 2);
	assert_int_equal(act[0].kind, ACG_ACT_HOLD);
	assert_int_equal(act[0].session, 1);
	assert_true(act[0].value == 200 * MiB);
	assert_non_null(strstr(act[0].reason, "shrinking"));
	assert_int_equal(act[1].kind, ACG_ACT_RAISE);
	assert_int_equal(act[1].session, 2);
	/* 270 MiB headroom - 12.5 - 4 */
	assert_true(fabs((double)(act[1].value - 130 * MiB) / MiB - 253.5) < 0.01);
	apply(n);
	/* HIGH quiet for 0.5 s: full release */
	st.now = 10.6;
	n = decide();
	assert_int_equal(n, 2);
	assert_int_equal(act[0].kind, ACG_ACT_RELEASE);
	assert_int_equal(act[1].kind, ACG_ACT_RELEASE);
	apply(n);
	assert_false(ses[1].held || ses[2].held);
}

static void test_one_burst_at_a_time(void **state)
{
	size_t n;

	(void)state;
	/* both LOW free and growing at 2 GiB/s: 200 MiB each over the horizon, 250 MiB of
	 * headroom: the later one is held so the first can finish its burst */
	setup_state(450, 150, 150);
	ses[1].rate = ses[2].rate = 2048 * MiB;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_HOLD);
	assert_int_equal(act[0].session, 2);
	assert_non_null(strstr(act[0].reason, "ahead of it in the queue"));
	/* growth 410 MiB, headroom 250, need 50: it says by how much, never "-210 MiB left" */
	if (!strstr(act[0].reason, "growing at 2048 MiB/s, 210 MiB over what HIGH needs"))
		fail_msg("reason: %s", act[0].reason);
	apply(n);
	assert_int_equal(decide(), 0);
	/* a higher class is ahead in the queue, whatever the start times */
	setup_state(450, 150, 150);
	ses[1].rate = ses[2].rate = 2048 * MiB;
	ses[1].prio = ACG_PRIO_LOW + 10;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].session, 1);
	/* no HIGH session left: every held session is released, each with the reason */
	setup_state(0, 150, 150);
	ses[0].gone = true;
	ses[1].held = ses[2].held = true;
	ses[1].clamp = ses[1].usage;
	ses[2].clamp = ses[2].usage;
	n = decide();
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(act[i].kind, ACG_ACT_RELEASE);
		assert_int_equal(act[i].session, i + 1);
		assert_non_null(strstr(act[i].reason, "no HIGH session left"));
	}
	apply(n);
	assert_false(ses[1].held || ses[2].held);
	assert_int_equal(decide(), 0);
}

static void test_room_for_a_returning_burst(void **state)
{
	size_t n;

	(void)state;
	/* HIGH was at 500 MiB a moment ago and is at 100 now: LOW must not take that room */
	setup_state(100, 300, 300);
	ses[0].recent_peak = 500 * MiB;
	ses[0].peak_t = 10;
	n = decide();
	assert_int_equal(n, 2);
	assert_int_equal(act[0].kind, ACG_ACT_HOLD);
	assert_non_null(strstr(act[0].reason, "< 450 MiB kept for HIGH"));
	/* the window passes: the peak is forgotten */
	ses[0].peak_t = 0;
	acg_pol_track_peak(&ses[0], 100 * MiB, 3.0, 2.0);
	assert_true(ses[0].recent_peak == 100 * MiB && ses[0].peak_t == 3.0);
	apply(n);
	/* the claim decays linearly over 0.5 s: a quarter of the way, 300 MiB of it is left
	 * (every LOW is held now, so the reserve kept is 12.5 MiB) */
	ses[0].recent_peak = 500 * MiB;
	ses[0].peak_t = 10;
	st.now = 10.125;
	st.high_last_growth = 10.1;
	ses[1].waiting = true;
	ses[0].usage = 100 * MiB;
	st.usage = 700 * MiB;
	assert_int_equal(decide(), 0);
	/* headroom 300 < 312.5: held. Later, 100 MiB of claim left: room goes to LOW 1 */
	st.now = 10.375;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_RAISE);
	assert_int_equal(act[0].session, 1);
	/* 300 MiB headroom - 100 claim - 12.5 reserve - 4 grant margin */
	assert_true(fabs((double)(act[0].value - 300 * MiB) / MiB - 183.5) < 0.01);
	/* the window over and HIGH quiet: released */
	st.now = 11;
	n = decide();
	assert_true(n >= 1);
	assert_int_equal(act[0].kind, ACG_ACT_RELEASE);
}

static void test_kill_only_as_last_resort(void **state)
{
	size_t n;

	(void)state;
	setup_state(700, 150, 146);
	ses[2].started_at = 5;
	/* first the hold, no kill, even though headroom (4 MiB) is below critical */
	n = decide();
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(act[i].kind, ACG_ACT_KILL);
	apply(n);
	/* every LOW held, little room, but the parent not at its limit: no kill */
	ses[0].rate = 10 * MiB;
	assert_int_equal(decide(), 0);
	/* the parent at its limit: one kill, of the largest LOW */
	st.parent_waiting = true;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_KILL);
	assert_int_equal(act[0].session, 1);
	assert_non_null(strstr(act[0].reason, "free it (150 MiB)"));
	assert_non_null(strstr(act[0].reason, "parent at its limit"));
	/* equal sizes: the most recently started goes (act cleared: nothing left over) */
	ses[1].usage = 146 * MiB;
	ses[1].clamp = 146 * MiB;
	memset(act, 0, sizeof(act));
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_KILL);
	assert_int_equal(act[0].session, 2);
	/* and never twice within the cooldown: at the parent's limit, where HIGH may wait,
	 * 0.25 s (time for the victim's memory to come back), not the stuck LOW's 1 s */
	st.last_kill = st.now - 0.2;
	assert_int_equal(decide(), 0);
	st.last_kill = st.now - 0.3;
	memset(act, 0, sizeof(act));
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_KILL);
	/* a lower class goes before a larger session of a higher one */
	st.last_kill = -INFINITY;
	ses[2].prio = ACG_PRIO_LOW + 10;
	ses[2].usage = 10 * MiB;
	ses[2].clamp = 10 * MiB;
	memset(act, 0, sizeof(act));
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_KILL);
	assert_int_equal(act[0].session, 2);
	assert_non_null(strstr(act[0].reason, "free it (10 MiB)"));
	/* a parent at its limit while not every LOW is held yet: hold first, no kill */
	setup_state(680, 150, 150);
	st.parent_waiting = true;
	n = decide();
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(act[i].kind, ACG_ACT_KILL);
}

/*
 * Held LOW sessions alone fill the budget: every one waits at its clamp, and even HIGH's
 * memory back would not make room for a grant. Nothing can move, and the parent is not at
 * its limit (each session waits at its own clamp first): the policy kills one rather than
 * sit there for good. Room HIGH holds is waited for, not killed for.
 */
static void test_stuck_low_alone(void **state)
{
	size_t n;

	(void)state;
	/* HIGH holds 100 MiB of the budget: LOW waits for it to shrink or end */
	setup_state(100, 450, 450);
	apply(decide());
	assert_true(ses[1].held && ses[2].held);
	ses[1].waiting = ses[2].waiting = true;
	st.now = 100;
	assert_int_equal(decide(), 0);
	/* HIGH just dropped from 390 MiB to nothing: the room kept for its return (the claim)
	 * is HIGH's too, LOW waits for it to decay, no kill */
	setup_state(0, 300, 300);
	ses[0].recent_peak = 390 * MiB;
	ses[0].peak_t = st.now;
	apply(decide());
	assert_true(ses[1].held && ses[2].held);
	ses[1].waiting = ses[2].waiting = true;
	assert_int_equal(decide(), 0);
	/* LOW alone fills it (HIGH has 10 MiB): stuck, one kill (equal sizes: the newest) */
	setup_state(10, 495, 495);
	apply(decide());
	ses[1].waiting = ses[2].waiting = true;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_KILL);
	assert_int_equal(act[0].session, 2);
	if (!strstr(act[0].reason, "held LOW alone fill the budget"))
		fail_msg("reason: %s", act[0].reason);
	/* never twice within the cooldown */
	st.last_kill = st.now - 0.5;
	assert_int_equal(decide(), 0);
	st.last_kill = -INFINITY;
	/* one of them still runs within its clamp (not waiting): it may yet finish, no kill */
	ses[2].waiting = false;
	assert_int_equal(decide(), 0);
	/* a frozen session counts as one that waits */
	ses[2].frozen = true;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_KILL);
	/* HIGH at 0 MiB, 20.5 MiB beyond the 12.5 kept: room for a grant, which goes to the
	 * first in the queue instead of a kill */
	setup_state(0, 480, 487);
	apply(decide());
	ses[1].waiting = ses[2].waiting = true;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_RAISE);
	assert_int_equal(act[0].session, 1);
	/* 6.5 MiB beyond need: less than a grant needs, stuck; the larger one goes */
	setup_state(0, 480, 501);
	apply(decide());
	ses[1].waiting = ses[2].waiting = true;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_KILL);
	assert_int_equal(act[0].session, 2);
	/* no HIGH session left and the LOW ones fill the budget: a kill, not a wait */
	setup_state(0, 500, 500);
	ses[0].gone = true;
	apply(decide());
	assert_true(ses[1].held && ses[2].held);
	ses[1].waiting = ses[2].waiting = true;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_KILL);
	apply(n);
	/* the victim's memory is back: the one left is released */
	st.usage = 500 * MiB;
	st.last_kill = st.now;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_RELEASE);
	assert_int_equal(act[0].session, 1);
}

/*
 * Look-ahead: HIGH declares (or a profile gives) the peak it will reach. Room up to it is
 * kept before the burst comes: LOW is held while that room is short, with the headroom
 * that, without the declaration, would have let it grow.
 */
static void test_expected_peak(void **state)
{
	size_t n;

	(void)state;
	/* HIGH at 100 of an expected 600 MiB, LOW 200 + 200: headroom 500 */
	setup_state(100, 200, 200);
	assert_int_equal(decide(), 0); /* nothing expected: 500 MiB is plenty */
	ses[0].expected_peak = 600 * MiB;
	/* 50 reserve + 500 ahead = 550 > 500: both LOW held now, before the burst */
	assert_true(fabs(acg_policy_need(&cfg, &st) / MiB - 550) < 0.01);
	n = decide();
	assert_int_equal(n, 2);
	assert_int_equal(act[0].kind, ACG_ACT_HOLD);
	assert_int_equal(act[1].kind, ACG_ACT_HOLD);
	if (!strstr(act[0].reason, "< 550 MiB kept for HIGH"))
		fail_msg("reason: %s", act[0].reason);
	/* not its run's peak: held for as long as HIGH runs, that room cost LOW more than it
	 * saved (policy.c, ahead()); only the recent peak's decaying claim counts */
	ses[0].expected_peak = 0;
	ses[0].run_peak = 600 * MiB;
	assert_true(fabs(acg_policy_need(&cfg, &st) / MiB - 50) < 0.01);
	/* past its expected peak nothing more is kept for it than the reserve */
	setup_state(700, 100, 100);
	ses[0].expected_peak = 600 * MiB;
	assert_true(fabs(acg_policy_need(&cfg, &st) / MiB - 50) < 0.01);
	/* a recent peak above the expected one still claims its own room */
	ses[0].recent_peak = 790 * MiB;
	ses[0].peak_t = st.now;
	assert_true(fabs(acg_policy_need(&cfg, &st) / MiB - 140) < 0.01);
}

/*
 * Admission: LOW sessions seen for the first time start one at a time, in queue order,
 * while the room beyond HIGH's need lasts; the others wait at their start (held at their
 * baseline) and get room in their queue turn, also when everything else is released.
 */
static void test_admission(void **state)
{
	size_t n;

	(void)state;
	/* both arrive now (first reading: done_s 0), room for both to reach what they are
	 * expected to (50 reserve + 100 HIGH + 2 x 400 = 950 of 1000 MiB): both start */
	setup_state(100, 10, 10);
	ses[1].started_at = ses[2].started_at = st.now;
	ses[1].done_s = ses[2].done_s = 0;
	ses[1].prior_peak = ses[2].prior_peak = 400 * MiB;
	n = decide();
	assert_int_equal(n, 0);
	/* not for both at 500 (50 + 100 + 500 + 500 = 1150): the first starts, the second
	 * waits at its start */
	ses[1].prior_peak = ses[2].prior_peak = 500 * MiB;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_HOLD);
	assert_int_equal(act[0].session, 2);
	assert_true(act[0].value == 10 * MiB);
	if (!strstr(act[0].reason, "waits at its start: the sessions' expected peaks with it, "
				   "1150 MiB, over the 1000 MiB budget"))
		fail_msg("reason: %s", act[0].reason);
	/* and behind one held at its start that waits for room, a newcomer waits too, however
	 * small: the queue's order */
	ses[1].prior_peak = ses[2].prior_peak = 0;
	ses[1].held = true;
	ses[1].clamp = ses[1].usage;
	ses[1].waiting = true;
	ses[1].started_at = 5;
	n = decide();
	assert_int_equal(n, 2);
	/* session 1 gets room in its turn (hand_back), session 2 waits behind it */
	assert_int_equal(act[0].kind, ACG_ACT_HOLD);
	assert_int_equal(act[0].session, 2);
	if (!strstr(act[0].reason, "waits at its start: a session ahead of it in the queue waits"))
		fail_msg("reason: %s", act[0].reason);
	assert_int_equal(act[1].kind, ACG_ACT_RAISE);
	assert_int_equal(act[1].session, 1);
	/* memory outside the sessions makes the room now the limit, not the expected peaks:
	 * 400 MiB of it, HIGH 100, both arriving at 10 and declaring 300 (50 + 100 + 300 +
	 * 300 = 750 fits the budget); 480 MiB left: the first takes 290 of it, the 190 left
	 * does not hold the second's 290 beside the 50 kept for HIGH */
	setup_state(100, 10, 10);
	ses[1].started_at = ses[2].started_at = st.now;
	ses[1].done_s = ses[2].done_s = 0;
	ses[1].expected_peak = ses[2].expected_peak = 300 * MiB;
	st.usage += 400 * MiB;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_HOLD);
	assert_int_equal(act[0].session, 2);
	if (!strstr(act[0].reason, "waits at its start: 190 MiB left beside the 50 MiB kept"))
		fail_msg("reason: %s", act[0].reason);
	/* HIGH declares 900 MiB: 50 + 800 kept, 880 left; LOW 1 declares 100 MiB: it waits */
	setup_state(100, 10, 10);
	ses[1].started_at = ses[2].started_at = st.now;
	ses[1].done_s = ses[2].done_s = 0;
	ses[0].expected_peak = 900 * MiB;
	ses[1].expected_peak = 100 * MiB;
	n = decide();
	assert_int_equal(n, 2);
	assert_int_equal(act[0].session, 1);
	if (!strstr(act[0].reason, "waits at its start: 880 MiB left beside the 850 MiB"))
		fail_msg("reason: %s", act[0].reason);
	apply(n);
	/* HIGH quiet, no more expected: the held ones that never ran are not released all at
	 * once; the first in the queue that waits gets the room */
	ses[0].expected_peak = 0;
	ses[1].waiting = ses[2].waiting = true;
	st.high_last_growth = 0;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_RAISE);
	assert_int_equal(act[0].session, 1);
	/* not while another LOW session is still growing: its burst goes first */
	ses[2].held = false;
	ses[2].rate = 100 * MiB;
	ses[2].active_at = st.now;
	n = decide();
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(act[i].kind, ACG_ACT_RAISE);
	ses[2].held = true;
	ses[2].rate = 0;
	/* one that has run (done_s > 0) is released as before */
	ses[2].done_s = 0.5;
	n = decide();
	assert_int_equal(n, 2);
	assert_int_equal(act[0].kind, ACG_ACT_RELEASE);
	assert_int_equal(act[0].session, 2);
	assert_int_equal(act[1].kind, ACG_ACT_RAISE);
	assert_int_equal(act[1].session, 1);
}

/*
 * A LOW session waiting at its start gets its first room only while every session's
 * expected peak fits the budget together: HIGH's, those under way, its own (the profile's
 * growth from their first readings, prior_peak). With no HIGH and nothing under way it
 * always may.
 */
static void test_admission_fits(void **state)
{
	size_t n;
	bool raised;

	(void)state;
	/* HIGH 200 MiB expected to reach 600; LOW 1 under way at 300 (expected 400); LOW 2 held
	 * at its start at 50 (expected 350), waiting: 50 + 600 + 400 + 350 = 1400 > 1000 */
	setup_state(200, 300, 50);
	st.high_last_growth = 0;
	ses[0].prior_peak = 600 * MiB;
	ses[1].prior_peak = 400 * MiB;
	ses[1].run_peak = 300 * MiB;
	ses[2].prior_peak = 350 * MiB;
	ses[2].held = ses[2].waiting = true;
	ses[2].clamp = 50 * MiB;
	ses[2].done_s = 0;
	n = decide();
	for (size_t i = 0; i < n; i++)
		if (act[i].session == 2)
			fail_msg("LOW 2 was given room (%s): %s", acg_act_name(act[i].kind),
				 act[i].reason);
	/* HIGH expected no higher than it is: 50 + 200 + 400 + 350 = 1000: it starts */
	ses[0].prior_peak = 200 * MiB;
	n = decide();
	raised = false;
	for (size_t i = 0; i < n; i++)
		raised = raised || (act[i].session == 2 && act[i].kind == ACG_ACT_RAISE);
	assert_true(raised);
	/* what a session declares is what counts, not the profile's guess */
	ses[0].expected_peak = 700 * MiB;
	n = decide();
	for (size_t i = 0; i < n; i++)
		assert_false(act[i].session == 2 && act[i].kind == ACG_ACT_RAISE);
	/* no HIGH session and no LOW one under way: the first starts, whatever it expects */
	ses[0].gone = ses[1].gone = true;
	ses[2].prior_peak = 5000 * MiB;
	st.usage = 50 * MiB;
	n = decide();
	raised = false;
	for (size_t i = 0; i < n; i++)
		raised = raised || (act[i].session == 2 && act[i].kind == ACG_ACT_RAISE);
	assert_true(raised);
}

/*
 * With no HIGH session left, held LOW sessions are released only when the headroom holds
 * what they need free: released into a full budget they would race each other into it
 * (held, released, held, every tick) until one is killed.
 */
static void test_no_high_release_needs_room(void **state)
{
	size_t n;

	(void)state;
	setup_state(0, 480, 480);
	ses[0].gone = true;
	ses[1].held = ses[2].held = true;
	ses[1].clamp = ses[2].clamp = 480 * MiB;
	ses[1].waiting = ses[2].waiting = true;
	st.usage = 960 * MiB;
	n = decide();
	for (size_t i = 0; i < n; i++)
		if (act[i].kind == ACG_ACT_RELEASE)
			fail_msg("released with 40 MiB of headroom: %s", act[i].reason);
	/* LOW 2 ends: 520 MiB of headroom, more than the need with hysteresis: released */
	ses[2].gone = true;
	st.usage = 480 * MiB;
	n = decide();
	assert_true(n >= 1);
	assert_int_equal(act[0].kind, ACG_ACT_RELEASE);
	assert_int_equal(act[0].session, 1);
}

/*
 * Where swap holds it, a held LOW session that would be killed is pushed out to swap
 * instead (frozen, its memory reclaimed): no work lost. The one pushed out is the last in
 * the queue of those whose memory makes the room; it comes back only once the room beyond
 * the need holds what it pushed out, not at once (it would be pushed out again). With too
 * little swap, the kill as before.
 */
static void test_swap_out(void **state)
{
	size_t n;

	(void)state;
	setup_state(10, 495, 495);
	apply(decide());
	ses[1].waiting = ses[2].waiting = true;
	st.swap_free = 1000 * MiB;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_SWAP_OUT);
	assert_int_equal(act[0].session, 2);
	assert_true(act[0].value == 495 * MiB);
	if (!strstr(act[0].reason, "pushed out to swap"))
		fail_msg("reason: %s", act[0].reason);
	apply(n);
	assert_true(ses[2].swapped && ses[2].frozen);
	/* its pages go out; LOW 1 gets the room, LOW 2 does not come back meanwhile */
	ses[2].usage = 5 * MiB;
	st.usage = (10 + 495 + 5) * MiB;
	st.last_kill = st.now;
	n = decide();
	for (size_t i = 0; i < n; i++)
		if (act[i].session == 2)
			fail_msg("the one pushed out came back at once: %s",
				 acg_act_name(act[i].kind));
	/* LOW 1 ends and HIGH is quiet: the room holds the 495 MiB, it is thawed and released */
	ses[1].gone = true;
	st.usage = 15 * MiB;
	st.high_last_growth = 0;
	n = decide();
	assert_int_equal(n, 2);
	assert_int_equal(act[0].kind, ACG_ACT_RELEASE);
	assert_int_equal(act[0].session, 2);
	assert_int_equal(act[1].kind, ACG_ACT_THAW);
	/* too little swap for either: the kill */
	setup_state(10, 495, 495);
	apply(decide());
	ses[1].waiting = ses[2].waiting = true;
	st.swap_free = 100 * MiB;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_KILL);
}

/*
 * Edges of the admission and the swap-out a review found: HIGH's peak of long ago does not
 * hold new LOW sessions back (its recent peak and its guess do); a session pushed out is
 * never killed for room it no longer holds; a session given room this tick is not also
 * killed or pushed out in it; one too large to come back alone is not pushed out.
 */
static void test_swap_and_admission_edges(void **state)
{
	size_t n;

	(void)state;
	/* HIGH once held 950 MiB, holds 100 now, its recent peak long gone: LOW 2 waits at its
	 * start with 880 MiB free, and gets its room */
	setup_state(100, 0, 20);
	ses[1].gone = true;
	ses[0].run_peak = 950 * MiB;
	ses[0].recent_peak = 100 * MiB;
	ses[2].held = ses[2].waiting = true;
	ses[2].clamp = 20 * MiB;
	ses[2].done_s = 0;
	st.usage = 120 * MiB;
	n = decide();
	assert_true(n >= 1);
	assert_int_equal(act[0].kind, ACG_ACT_RAISE);
	assert_int_equal(act[0].session, 2);
	/* the only LOW session, just given its first room (clamp far above its usage), still
	 * reads as waiting from before the raise: it can grow, it is not stuck, no kill */
	setup_state(0, 20, 0);
	ses[0].gone = ses[2].gone = true;
	ses[1].held = ses[1].waiting = true;
	ses[1].done_s = 0;
	ses[1].clamp = 288 * MiB;
	st.budget = 300 * MiB;
	st.usage = 20 * MiB;
	acg_pol_cfg_default(&cfg, st.budget);
	n = decide();
	for (size_t i = 0; i < n; i++)
		assert_true(act[i].kind != ACG_ACT_KILL && act[i].kind != ACG_ACT_SWAP_OUT);
	/* the only LOW session is pushed out (1 MiB left) and the parent waits: no kill */
	setup_state(900, 1, 0);
	ses[2].gone = true;
	ses[1].held = ses[1].frozen = ses[1].swapped = true;
	ses[1].swapped_bytes = 300 * MiB;
	st.parent_waiting = true;
	st.swap_free = 1000 * MiB;
	n = decide();
	for (size_t i = 0; i < n; i++)
		assert_true(act[i].kind != ACG_ACT_KILL && act[i].kind != ACG_ACT_SWAP_OUT);
	/* one held LOW session waiting, the parent at its limit, yet room beyond the need: it
	 * is given room, and not pushed out in the same tick */
	setup_state(100, 300, 0);
	ses[2].gone = true;
	ses[1].held = ses[1].waiting = true;
	ses[1].clamp = 300 * MiB;
	st.usage = 400 * MiB;
	st.high_last_growth = 0;
	st.now = 1;
	st.parent_waiting = true;
	st.swap_free = 1000 * MiB;
	n = decide();
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			if (act[i].session == act[k].session &&
			    (act[k].kind == ACG_ACT_SWAP_OUT || act[k].kind == ACG_ACT_KILL))
				fail_msg("%s and %s of one session in one tick",
					 acg_act_name(act[i].kind), acg_act_name(act[k].kind));
	/* held LOW alone fill the budget, but the larger could not come back alone once pushed
	 * out (960 MiB and the reserve twice over 1000): not it */
	setup_state(10, 20, 960);
	apply(decide());
	ses[1].waiting = ses[2].waiting = true;
	st.swap_free = 2000 * MiB;
	n = decide();
	for (size_t i = 0; i < n; i++)
		assert_false(act[i].kind == ACG_ACT_SWAP_OUT && act[i].session == 2);
}

/*
 * The kill loses least: of the sessions whose memory makes the room, the one with the
 * least work done (done_s); a session too small to make the room is not killed for it.
 */
static void test_kill_least_loss(void **state)
{
	size_t n;

	(void)state;
	setup_state(600, 200, 150);
	ses[3] = (struct acg_pol_session){
		.prio = ACG_PRIO_LOW, .usage = 5 * MiB, .started_at = 3, .done_s = 0};
	st.n = 4;
	st.usage = 955 * MiB;
	ses[1].done_s = 5;
	ses[2].done_s = 1;
	apply(decide());
	assert_true(ses[1].held && ses[2].held && ses[3].held);
	/* the parent at its limit, HIGH short of 22.5 MiB (need 12.5 held reserve + 55 of
	 * growth, 45 left): LOW 3 (5 MiB) cannot make it; LOW 2 (150 MiB, 1 s done) loses
	 * least */
	ses[0].rate = 550 * MiB;
	st.parent_waiting = true;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_KILL);
	assert_int_equal(act[0].session, 2);
	if (!strstr(act[0].reason, "least work lost (1.0 s)"))
		fail_msg("reason: %s", act[0].reason);
	/* with more work done by LOW 2 than LOW 1, LOW 1 goes */
	ses[2].done_s = 9;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].session, 1);
}

static void test_vanished_and_frozen(void **state)
{
	size_t n;

	(void)state;
	setup_state(690, 150, 146);
	ses[1].gone = true;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].session, 2);
	apply(n);
	/* held on v2 but creeping 20 MiB past its clamp (while HIGH gave back as much, and
	 * grows again at 100 MiB/s): frozen, and thawed when room comes back */
	ses[2].usage += 20 * MiB;
	ses[0].rate = 100 * MiB;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_FREEZE);
	apply(n);
	ses[0].usage = 100 * MiB;
	st.usage = ses[0].usage + ses[2].usage;
	st.now = 11;
	n = decide();
	assert_int_equal(n, 2);
	assert_int_equal(act[0].kind, ACG_ACT_RELEASE);
	assert_int_equal(act[1].kind, ACG_ACT_THAW);
	/* a creeping session given room back is not frozen in the same tick */
	setup_state(690, 150, 146);
	apply(decide());
	ses[2].usage += 20 * MiB;
	ses[2].waiting = true; /* v2: its memory.events high grows */
	ses[0].usage = 300 * MiB;
	st.usage = ses[0].usage + ses[1].usage + ses[2].usage;
	n = decide();
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(act[i].kind, ACG_ACT_FREEZE);
	/* without a freezer, nothing is frozen */
	setup_state(690, 150, 146);
	cfg.can_freeze = false;
	apply(decide());
	ses[2].usage += 20 * MiB;
	n = decide();
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(act[i].kind, ACG_ACT_FREEZE);
}

/*
 * v2 holds are bounded: a held session whose tasks have waited at its clamp longer than
 * wait_freeze_s is frozen (its tasks would loop in reclaim at memory.high), not when the
 * bound is unset (v1, the default), nor without a freezer, nor when this tick gives it
 * room; frozen, it still gets room in its turn, and is thawed with it.
 */
static void test_wait_freeze(void **state)
{
	size_t n;

	(void)state;
	setup_state(690, 150, 146);
	apply(decide());
	assert_true(ses[1].held && ses[2].held);
	ses[2].waiting = true;
	ses[2].waited_s = 6;
	/* the default (v1, the simulator): a hold is never bounded */
	assert_true(isinf(cfg.wait_freeze_s));
	assert_int_equal(decide(), 0);
	/* v2's bound: frozen, and the decision says why */
	cfg.wait_freeze_s = ACG_POL_WAIT_FREEZE_S;
	n = decide();
	assert_int_equal(n, 1);
	assert_int_equal(act[0].kind, ACG_ACT_FREEZE);
	assert_int_equal(act[0].session, 2);
	if (!strstr(act[0].reason, "waited at its clamp for 6.0 s (more than 5.0 s)"))
		fail_msg("reason: %s", act[0].reason);
	/* within the bound, or without a freezer: left clamped */
	ses[2].waited_s = 4;
	assert_int_equal(decide(), 0);
	ses[2].waited_s = 6;
	cfg.can_freeze = false;
	assert_int_equal(decide(), 0);
	cfg.can_freeze = true;
	/* HIGH shrinks: the first in the queue is given room, not frozen; the other is */
	ses[1].waiting = true;
	ses[1].waited_s = 6;
	ses[0].usage = 300 * MiB;
	st.usage = (300 + 150 + 146) * MiB;
	n = decide();
	assert_int_equal(n, 2);
	assert_int_equal(act[0].kind, ACG_ACT_RAISE);
	assert_int_equal(act[0].session, 1);
	assert_int_equal(act[1].kind, ACG_ACT_FREEZE);
	assert_int_equal(act[1].session, 2);
	apply(n);
	assert_true(ses[2].frozen);
	/* LOW 1 is done with its room (idle); LOW 2, frozen, no longer waits by the files but
	 * is next: its room comes with a thaw */
	ses[1].waiting = false;
	ses[1].waited_s = 0;
	ses[1].active_at = 0;
	ses[2].waiting = false;
	ses[2].waited_s = 0;
	n = decide();
	assert_int_equal(n, 3);
	assert_int_equal(act[0].kind, ACG_ACT_HOLD);
	assert_int_equal(act[0].session, 1);
	assert_int_equal(act[1].kind, ACG_ACT_RAISE);
	assert_int_equal(act[1].session, 2);
	assert_int_equal(act[2].kind, ACG_ACT_THAW);
	assert_int_equal(act[2].session, 2);
}

/*
 * A session's growth rate from its usage readings. The kernel charges memory in per-CPU
 * batches (and huge pages): two readings microseconds apart, a tick brought forward by a
 * wake-up, can differ by a whole batch, which over that gap reads as tens of GiB/s (a LOW
 * session "growing at 84911 MiB/s"). Such a reading is not rated: the rate is measured
 * from the last reading at least ACG_POL_RATE_MIN_DT_S before.
 */
static void test_rate_from_close_readings(void **state)
{
	struct acg_pol_session s = {0};
	struct acg_pol_reading base = {NAN, 0};

	(void)state;
	assert_true(acg_pol_rate_update(&s, &base, 100 * MiB, 10.0));
	assert_true(s.rate == 0);
	/* 20 MiB in 10 ms: 2000 MiB/s, averaged with the 0 before */
	assert_true(acg_pol_rate_update(&s, &base, 120 * MiB, 10.010));
	assert_true(fabs(s.rate - 1000.0 * MiB) < 1.0 * MiB);
	/* 5 us later, one 256 KiB charge batch: 51200 MiB/s if taken as a rate */
	acg_pol_rate_update(&s, &base, 120 * MiB + 256 * 1024, 10.010005);
	if (!(s.rate < 4096.0 * MiB))
		fail_msg("a 256 KiB batch 5 us apart read as %.0f MiB/s", s.rate / MiB);
	assert_true(fabs(s.rate - 1000.0 * MiB) < 1.0 * MiB);
	/* the next tick is measured from the reading 10 ms before it: 20 MiB, 2000 MiB/s */
	assert_true(acg_pol_rate_update(&s, &base, 140 * MiB, 10.020));
	assert_true(fabs(s.rate - 1500.0 * MiB) < 1.0 * MiB);
	/* shrinking is measured the same way */
	assert_true(acg_pol_rate_update(&s, &base, 100 * MiB, 10.030));
	assert_true(s.rate < 0);
}

/* Sparse readings: the sessions' states and a count of looks at each. */
static struct acg_pol_session many[300];
static struct acg_pol_reading many_base[300];
static size_t many_reads[300];
static struct acg_pol_state many_st;
static size_t many_stalled = SIZE_MAX; /* a HIGH session in reclaim (BPF) at every look */

static void count_look(void *arg, size_t i)
{
	struct acg_pol_obs o = {.usage = many[i].usage, .reclaim = i == many_stalled};

	(void)arg;
	many_reads[i]++;
	acg_pol_observe(&cfg, &many_st, i, &many_base[i], &o);
}

/* n looks, one a second on from now; the looks at each session counted from zero. */
static void looks(int n)
{
	memset(many_reads, 0, sizeof(many_reads));
	for (int k = 0; k < n; k++) {
		many_st.now += 1;
		acg_pol_look(&cfg, &many_st, count_look, NULL);
	}
}

/*
 * Sparse readings with many sessions (acg_pol_look): 300 sessions (30 HIGH) of 2 MiB, budget
 * 1000 MiB. New ones are read at every look until they are under way; then, with room to
 * spare, a free LOW session once in ACG_POL_SPARSE_EVERY looks, staggered (no look reads
 * them all), and still so after sessions before it are removed; HIGH and held ones at every
 * look, and one released at the next. With the headroom short, a HIGH session stalled, or
 * fewer than ACG_POL_SPARSE_FROM sessions, every one at every look.
 */
static void test_sparse_readings(void **state)
{
	size_t most = 0, least = SIZE_MAX;

	(void)state;
	acg_pol_cfg_default(&cfg, B);
	for (size_t i = 0; i < 300; i++) {
		many[i] = (struct acg_pol_session){.prio = i % 10 ? ACG_PRIO_LOW : ACG_PRIO_HIGH,
						   .usage = 2 * MiB};
		many_base[i].t = NAN;
	}
	many[1].held = true;
	many[1].clamp = 64 * MiB; /* held with room: it works */
	many_st = (struct acg_pol_state){.now = 0,
					 .budget = B,
					 .usage = 600 * MiB,
					 .last_kill = -INFINITY,
					 .s = many,
					 .n = 300};
	looks(2); /* new: every one, twice */
	for (size_t i = 0; i < 300; i++)
		assert_int_equal(many_reads[i], 2);
	looks(4 * ACG_POL_SPARSE_EVERY);
	for (size_t i = 0; i < 300; i++) {
		bool every = i % 10 == 0 || i == 1;

		assert_int_equal(many_reads[i], every ? 4 * ACG_POL_SPARSE_EVERY : 4);
	}
	/* staggered: each look reads about a quarter of the free ones */
	for (int k = 0; k < ACG_POL_SPARSE_EVERY; k++) {
		size_t n = 0;

		looks(1);
		for (size_t i = 0; i < 300; i++)
			n += i % 10 && i != 1 && many_reads[i];
		most = n > most ? n : most;
		least = n < least ? n : least;
	}
	/* 269 free LOW sessions: about 269 / ACG_POL_SPARSE_EVERY a look */
	assert_true(least + 8 >= 269 / ACG_POL_SPARSE_EVERY &&
		    most <= 269 / ACG_POL_SPARSE_EVERY + 8);
	/* released: read at the next look */
	many[1].held = false;
	looks(1);
	assert_int_equal(many_reads[1], 1);
	/* sessions removed before the others (the controller moves them down): each one left
	 * is still read once in ACG_POL_SPARSE_EVERY looks */
	for (int k = 0; k < 3; k++) {
		memmove(&many[0], &many[1], (many_st.n - 1) * sizeof(many[0]));
		memmove(&many_base[0], &many_base[1], (many_st.n - 1) * sizeof(many_base[0]));
		many_st.n--;
		looks(1);
	}
	looks(4 * ACG_POL_SPARSE_EVERY);
	for (size_t i = 0; i < many_st.n; i++)
		assert_int_equal(many_reads[i],
				 acg_prio_is_high(many[i].prio) ? 4 * ACG_POL_SPARSE_EVERY : 4);
	/* a quarter of the budget beyond the need, no more: every one */
	many_st.usage = B - (uint64_t)acg_policy_need(&cfg, &many_st) - B / 4 + MiB;
	looks(2);
	for (size_t i = 0; i < many_st.n; i++)
		assert_int_equal(many_reads[i], 2);
	many_st.usage -= 2 * MiB;
	looks(ACG_POL_SPARSE_EVERY);
	assert_int_equal(many_reads[1], 1);
	/* a HIGH session stalled: every one */
	many_stalled = many_st.n - 10;
	assert_true(acg_prio_is_high(many[many_stalled].prio));
	looks(2);
	assert_int_equal(many_reads[1], 2);
	many_stalled = SIZE_MAX;
	/* fewer sessions: every one */
	many_st.n = ACG_POL_SPARSE_FROM - 1;
	looks(2);
	assert_int_equal(many_reads[1], 2);
}

/* Priority classes: names both ways, the session cgroup prefix, HIGH against every LOW. */
static void test_priority_names(void **state)
{
	enum acg_prio p = ACG_PRIO_LOW;

	(void)state;
	assert_int_equal(acg_prio_parse("high", &p), 0);
	assert_int_equal(p, ACG_PRIO_HIGH);
	assert_int_equal(acg_prio_parse("low", &p), 0);
	assert_int_equal(p, ACG_PRIO_LOW);
	assert_int_equal(acg_prio_parse("urgent", &p), -EINVAL);
	assert_int_equal(acg_prio_parse("", &p), -EINVAL);
	assert_string_equal(acg_prio_name(ACG_PRIO_HIGH), "high");
	assert_string_equal(acg_prio_name(ACG_PRIO_LOW), "low");
	assert_true(acg_prio_is_high(ACG_PRIO_HIGH));
	assert_false(acg_prio_is_high(ACG_PRIO_LOW));
	assert_false(acg_prio_is_high(ACG_PRIO_LOW + 10));
	assert_int_equal(acg_prio_from_cgroup("high-build", &p), 0);
	assert_int_equal(p, ACG_PRIO_HIGH);
	assert_int_equal(acg_prio_from_cgroup("low-agent7-12", &p), 0);
	assert_int_equal(p, ACG_PRIO_LOW);
	assert_int_equal(acg_prio_from_cgroup("high-", &p), -EINVAL);
	assert_int_equal(acg_prio_from_cgroup("highx-a", &p), -EINVAL);
	assert_int_equal(acg_prio_from_cgroup("medium-a", &p), -EINVAL);
	assert_int_equal(acg_prio_from_cgroup("low", &p), -EINVAL);
	assert_int_equal(acg_prio_from_cgroup("-a", &p), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_room_to_spare),
		cmocka_unit_test(test_sparse_readings),
		cmocka_unit_test(test_hold_low_not_high),
		cmocka_unit_test(test_high_stalled),
		cmocka_unit_test(test_no_oscillation),
		cmocka_unit_test(test_no_release_into_a_hold),
		cmocka_unit_test(test_hand_back_then_release),
		cmocka_unit_test(test_one_burst_at_a_time),
		cmocka_unit_test(test_room_for_a_returning_burst),
		cmocka_unit_test(test_kill_only_as_last_resort),
		cmocka_unit_test(test_stuck_low_alone),
		cmocka_unit_test(test_expected_peak),
		cmocka_unit_test(test_admission),
		cmocka_unit_test(test_admission_fits),
		cmocka_unit_test(test_no_high_release_needs_room),
		cmocka_unit_test(test_swap_out),
		cmocka_unit_test(test_swap_and_admission_edges),
		cmocka_unit_test(test_kill_least_loss),
		cmocka_unit_test(test_vanished_and_frozen),
		cmocka_unit_test(test_wait_freeze),
		cmocka_unit_test(test_rate_from_close_readings),
		cmocka_unit_test(test_priority_names),
	};

	th_init();
	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
