// SPDX-License-Identifier: GPL-2.0
/*
 * test_bpf.c: live tier (root). The BPF signal programs load and attach, and count, for
 * a session, what the kernel did to it: one user page fault per page its child touches,
 * memcg reclaim at its limit, and the OOM victim the kernel marked in it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bpf_memcg_ops.h"
#include "bpf_signals.h"
#include "cgroup.h"
#include "helpers.h"
#include "host.h"
#include "mounts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_signals_count_session_events(void **state)
{
	struct acg_signals *sig = NULL;
	struct acg_cg *root = NULL, *cg = NULL;
	struct acg_sig_stats st = {0};
	struct acg_mounts m;
	struct th_child c;
	char err[256] = "", name[64];
	uint64_t id;
	int status;

	(void)state;
	if (geteuid() != 0 || acg_mounts_detect(&m) < 0 || !m.mem_version) {
		fprintf(stderr, "skip: needs root and a memory controller\n");
		skip();
	}
	if (acg_signals_open(&sig, err, sizeof(err)) < 0)
		fail_msg("BPF signal programs did not load: %s", err);
	snprintf(name, sizeof(name), "agentcg-test-%d", (int)getpid());
	assert_int_equal(acg_root_open(&m, name, true, &root), 0);
	assert_int_equal(acg_cg_child(root, "bpf", true, &cg), 0);
	if (acg_cg_v2_id(cg, &id) < 0) {
		acg_cg_remove(root);
		acg_cg_free(cg);
		acg_cg_free(root);
		acg_signals_free(sig);
		fprintf(stderr, "skip: no cgroup2 mount: tasks have no cgroup2 id to count by\n");
		skip();
	}

	/* 32 MiB touched one page at a time: one user fault per page */
	assert_int_equal(th_child_start(cg, 32 * MiB, &c), 0);
	assert_true(th_child_allocated(&c, 30000));
	th_child_reap(&c);
	assert_int_equal(acg_signals_read(sig, id, &st), 0);
	fprintf(stderr, "faults %llu\n", st.faults);
	assert_true(th_within("user page faults", st.faults, 32 * MiB / 4096, 10));

	/* past a 16 MiB limit: reclaim first, then the OOM killer marks the child */
	assert_int_equal(acg_cg_set(cg, ACG_CTL_MAX, 16 * MiB), 0);
	if (acg_ctl_file(m.mem_version, ACG_CTL_SWAP_MAX, NULL))
		assert_int_equal(acg_cg_set(cg, ACG_CTL_SWAP_MAX, 0), 0);
	assert_int_equal(th_child_start(cg, 64 * MiB, &c), 0);
	status = th_child_reap(&c);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(acg_signals_read(sig, id, &st), 0);
	fprintf(stderr, "reclaims %llu (%llu us), oom victims %llu\n", st.reclaims,
		st.reclaim_ns / 1000, st.oom_victims);
	assert_true(st.reclaims > 0);
	assert_true(st.reclaim_ns > 0);
	assert_int_equal(st.oom_victims, 1);

	acg_cg_free(cg);
	acg_cg_remove(root);
	acg_cg_free(root);
	acg_signals_free(sig);
}

/* The struct_ops path up to the BTF probe: stock kernels are told apart, and refused. */
static void test_memcg_ops_probe(void **state)
{
	struct acg_memcg_ops_cfg cfg = {0};
	struct acg_memcg_ops *ops = NULL;
	struct acg_host h;
	char why[160] = "";
	int r;

	(void)state;
	acg_host_probe(&h);
	if (!h.btf_vmlinux) {
		fprintf(stderr, "skip: no kernel BTF\n");
		skip();
	}
	r = acg_memcg_ops_probe(why, sizeof(why));
	if (h.memcg_bpf_ops) {
		assert_int_equal(r, 0);
		return;
	}
	assert_int_equal(r, -EOPNOTSUPP);
	assert_string_equal(why, "kernel lacks struct memcg_bpf_ops");
	/* attaching stops at the probe, before touching anything */
	why[0] = '\0';
	assert_int_equal(acg_memcg_ops_attach(&cfg, &ops, why, sizeof(why)), -EOPNOTSUPP);
	assert_null(ops);
	assert_string_equal(why, "kernel lacks struct memcg_bpf_ops");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signals_count_session_events),
		cmocka_unit_test(test_memcg_ops_probe),
	};

	th_init();
	return cmocka_run_group_tests_name("bpf", tests, NULL, NULL);
}
