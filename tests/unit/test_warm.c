// SPDX-License-Identifier: GPL-2.0
/*
 * test_warm.c: the bench's warm-up (lib/workload/warm.c): it touches what it is asked to in a child,
 * reports a rate, and says when it could not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "warm.h"

#include <errno.h>

static void test_touch(void **state)
{
	double r = 0;

	(void)state;
	assert_int_equal(acg_warm_touch(8u << 20, &r), 0);
	assert_true(r > 0);
	assert_int_equal(acg_warm_touch(8u << 20, NULL), 0);
}

static void test_refusals(void **state)
{
	(void)state;
	assert_int_equal(acg_warm_touch(0, NULL), -EINVAL);
	assert_int_equal(acg_warm_touch(UINT64_MAX, NULL), -EINVAL);
	/* 64 TiB: the child cannot map it (no host has that much to overcommit) */
	assert_int_equal(acg_warm_touch(UINT64_C(1) << 46, NULL), -ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_touch),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
