// SPDX-License-Identifier: GPL-2.0
/*
 * test_stats.c: unit tier. Medians and order-statistic confidence intervals, checked
 * against values worked out by hand from the binomial distribution.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helpers.h"
#include "stats.h"

#include <math.h>

static void test_median(void **state)
{
	const double odd[] = {5, 1, 3}, even[] = {4, 1, 3, 2};

	(void)state;
	assert_true(acg_median(odd, 3) == 3);
	assert_true(acg_median(even, 4) == 2.5);
	assert_true(isnan(acg_median(odd, 0)));
	/* the input is not reordered */
	assert_true(odd[0] == 5);
}

static void test_ci(void **state)
{
	const double v[] = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
	struct acg_ci ci;

	(void)state;
	/* n = 10: [x(2), x(9)] covers 1 - 2 * 11/1024 */
	acg_median_ci(v, 10, 0.95, &ci);
	assert_true(ci.lo == 2 && ci.hi == 9);
	assert_true(fabs(ci.coverage - (1 - 22.0 / 1024)) < 1e-12);
	/* n = 5: even [min, max] only reaches 1 - 2/32 */
	acg_median_ci(v, 5, 0.95, &ci);
	assert_true(ci.lo == 1 && ci.hi == 10);
	assert_true(fabs(ci.coverage - 0.9375) < 1e-12);
	/* n = 6: [min, max] covers 1 - 2/64 = 0.96875 */
	acg_median_ci(v, 6, 0.95, &ci);
	assert_true(fabs(ci.coverage - 0.96875) < 1e-12);
	assert_true(ci.lo == 1 && ci.hi == 10);
	/* n = 1: no interval to speak of */
	acg_median_ci(v, 1, 0.95, &ci);
	assert_true(ci.lo == 10 && ci.hi == 10 && ci.coverage == 0);
}

static void test_mann_whitney(void **state)
{
	const double a[] = {1, 2, 3, 4, 5}, b[] = {6, 7, 8, 9, 10}, c[] = {1.5, 2.5, 6.5};
	const double t1[] = {1, 1, 2, 2}, t2[] = {1, 2, 2, 2};
	double p;

	(void)state;
	/* complete separation of 5 and 5: 2 arrangements of 252 are as extreme */
	p = acg_mann_whitney_p(a, 5, b, 5);
	assert_true(fabs(p - 2.0 / 252) < 1e-12);
	/* symmetric */
	assert_true(fabs(acg_mann_whitney_p(b, 5, a, 5) - p) < 1e-12);
	/* identical samples (all ties): no evidence of a difference */
	assert_true(acg_mann_whitney_p(a, 5, a, 5) > 0.9);
	/* 3 against 5, exact: U = 1 + 2 + 5 = 8 of 15 -> not significant */
	assert_true(acg_mann_whitney_p(c, 3, a, 5) > 0.5);
	/* ties: the normal approximation, still in [0, 1] */
	p = acg_mann_whitney_p(t1, 4, t2, 4);
	assert_true(p > 0.3 && p <= 1);
	assert_true(isnan(acg_mann_whitney_p(a, 0, b, 5)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_ci),
		cmocka_unit_test(test_mann_whitney),
	};

	th_init();
	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
