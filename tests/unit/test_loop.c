// SPDX-License-Identifier: GPL-2.0
/*
 * test_loop.c: unit tier. The control loop's wait (lib/control/loop.c), shared by the bench, the
 * daemon and the reaction bench: a tick is due when its period is over or a wake-up fd is
 * ready, never because the caller's own fd or deadline ended the wait; both sets' revents
 * are handed back, also past the small merge buffer. No assertion depends on how long
 * anything took: deadlines are either past already or an hour away.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"
#include "loop.h"

#include <math.h>
#include <unistd.h>

#define NFD 70 /* more than the wait's merge buffer holds */

static int p[NFD][2];

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < NFD; i++)
		assert_int_equal(pipe(p[i]), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NFD; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	return 0;
}

static void test_due(void **state)
{
	struct acg_loop l = {.period_s = 0.01, .next_tick = 0};
	struct pollfd k = {p[0][0], POLLIN, 0};

	(void)state;
	/* the first tick is due at once */
	assert_true(acg_loop_wait(&l, &k, 1, NULL, 0, INFINITY));
	assert_int_equal(k.revents, 0);
	acg_loop_ticked(&l, 100.0);
	assert_true(l.next_tick == 100.01);
	/* not due, nothing ready, the caller's deadline past: no tick */
	l.next_tick = acg_mono_s() + 3600;
	assert_false(acg_loop_wait(&l, &k, 1, NULL, 0, 0));
	/* no ticks at all (period 0), however long ago next_tick was */
	l.period_s = 0;
	l.next_tick = 0;
	assert_false(acg_loop_wait(&l, &k, 1, NULL, 0, 0));
}

static void test_woken(void **state)
{
	struct acg_loop l = {.period_s = 0.01, .next_tick = acg_mono_s() + 3600};
	struct pollfd k[2] = {{p[0][0], POLLIN, 0}, {p[1][0], POLLIN, 0}};
	struct pollfd own = {p[2][0], POLLIN, 0};

	(void)state;
	/* the caller's own fd ends the wait, but is no reason to tick */
	assert_int_equal(write(p[2][1], "x", 1), 1);
	assert_false(acg_loop_wait(&l, k, 2, &own, 1, INFINITY));
	assert_true(own.revents & POLLIN);
	assert_int_equal(k[0].revents | k[1].revents, 0);
	/* a wake-up is: its revents are set for the controller to read */
	assert_int_equal(write(p[1][1], "x", 1), 1);
	assert_true(acg_loop_wait(&l, k, 2, &own, 1, INFINITY));
	assert_int_equal(k[0].revents, 0);
	assert_true(k[1].revents & POLLIN);
	assert_true(own.revents & POLLIN);
}

/* More fds than the merge buffer: still merged, revents still handed back */
static void test_many(void **state)
{
	struct acg_loop l = {.period_s = 0.01, .next_tick = acg_mono_s() + 3600};
	struct pollfd k[NFD - 1], own = {p[NFD - 1][0], POLLIN, 0};

	(void)state;
	for (int i = 0; i < NFD - 1; i++)
		k[i] = (struct pollfd){p[i][0], POLLIN, 0};
	assert_int_equal(write(p[NFD - 2][1], "x", 1), 1);
	assert_true(acg_loop_wait(&l, k, NFD - 1, &own, 1, INFINITY));
	assert_true(k[NFD - 2].revents & POLLIN);
	assert_int_equal(k[0].revents, 0);
	assert_int_equal(own.revents, 0);
	/* the buffer is kept for the next wait, not made again */
	assert_non_null(l.buf);
	assert_true(l.cap >= NFD);
	acg_loop_free(&l);
	assert_null(l.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_due, setup, teardown),
		cmocka_unit_test_setup_teardown(test_woken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
