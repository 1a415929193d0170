// SPDX-License-Identifier: GPL-2.0
/*
 * test_memcg_ops_rev.c: the loader tells the RFC's revisions apart by the members of the
 * kernel's struct memcg_bpf_ops (acg_memcg_ops_revision), on BTF built here: v7 has
 * memcg_charged, v6 get_high_delay_ms; a struct that is neither, and a BTF without one,
 * are told apart from both.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bpf_memcg_ops.h"

#include <bpf/btf.h>

/* A BTF with struct name { void (*m[0])(void); ... } (no struct when name is NULL). */
static struct btf *btf_with(const char *name, const char *const *members, int n)
{
	struct btf *btf = btf__new_empty();
	int fn, ptr, st;

	assert_non_null(btf);
	/* a pointer to a function returning void, taking nothing: every member's type */
	fn = btf__add_func_proto(btf, 0);
	assert_true(fn > 0);
	ptr = btf__add_ptr(btf, fn);
	assert_true(ptr > 0);
	if (!name)
		return btf;
	st = btf__add_struct(btf, name, (unsigned int)(8 * n));
	assert_true(st > 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(btf__add_field(btf, members[i], ptr, 64 * i, 0), 0);
	return btf;
}

static void test_revisions(void **state)
{
	static const char *const v7[] = {
		"handle_cgroup_online", "handle_cgroup_offline", "below_low", "below_min",
		"memcg_charged",	"memcg_uncharged"};
	static const char *const v6[] = {"handle_cgroup_online", "handle_cgroup_offline",
					 "below_low", "below_min", "get_high_delay_ms"};
	static const char *const other[] = {"handle_cgroup_online", "something_else"};
	struct btf *btf;

	(void)state;
	btf = btf_with("memcg_bpf_ops", v7, 6);
	assert_int_equal(acg_memcg_ops_revision(btf), 7);
	btf__free(btf);
	btf = btf_with("memcg_bpf_ops", v6, 5);
	assert_int_equal(acg_memcg_ops_revision(btf), 6);
	btf__free(btf);
	btf = btf_with("memcg_bpf_ops", other, 2);
	assert_int_equal(acg_memcg_ops_revision(btf), -1);
	btf__free(btf);
	/* another struct of the v7 shape under another name is not it */
	btf = btf_with("memcg_bpf_ops_other", v7, 6);
	assert_int_equal(acg_memcg_ops_revision(btf), 0);
	btf__free(btf);
	btf = btf_with(NULL, NULL, 0);
	assert_int_equal(acg_memcg_ops_revision(btf), 0);
	btf__free(btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revisions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
