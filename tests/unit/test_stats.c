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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_ci),
	};

	th_init();
	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
