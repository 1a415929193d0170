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
#include "clock.h"
#include "controller.h"
#include "policy.h"
#include "helpers.h"
#include "host.h"
#include "mounts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void test_signals_count_session_events(void **state)
{
	struct acg_signals *sig = NULL;
	struct acg_cg *root = NULL, *cg = NULL;
	struct acg_sig_stats st = {0};
	struct acg_mounts m;
	struct th_child c;
	struct acg_diag err = {""};
	char name[64];
	uint64_t id;
	int status;

	(void)state;
	if (geteuid() != 0 || acg_mounts_detect(&m) < 0 || !m.mem_version) {
		fprintf(stderr, "skip: needs root and a memory controller\n");
		skip();
	}
	if (acg_signals_open(&sig, &err) < 0)
		fail_msg("BPF signal programs did not load: %s", err.msg);
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

struct log {
	char text[16384];
	size_t len;
};

static void keep_line(void *arg, const char *line)
{
	struct log *l = arg;
	int n = snprintf(l->text + l->len, sizeof(l->text) - l->len, "%s\n", line);

	if (n > 0 && (size_t)n < sizeof(l->text) - l->len)
		l->len += (size_t)n;
}

/* What test_controller_reads_signals made, for its teardown to undo even after a failure. */
struct ctl_fixture {
	struct acg_signals *sig;
	struct acg_cg *root, *cg[2];
	struct acg_controller *ctl;
	struct th_child hi, lo;
	struct log log;
};

static int ctl_teardown(void **state)
{
	struct ctl_fixture *f = *state;

	if (!f)
		return 0;
	if (f->hi.pid > 0)
		th_child_reap(&f->hi);
	if (f->lo.pid > 0)
		th_child_reap(&f->lo);
	if (f->ctl)
		acg_controller_restore(f->ctl);
	acg_controller_free(f->ctl);
	acg_cg_free(f->cg[0]);
	acg_cg_free(f->cg[1]);
	if (f->root)
		acg_cg_remove(f->root);
	acg_cg_free(f->root);
	acg_signals_free(f->sig);
	free(f);
	return 0;
}

/*
 * The controller reading the signals: HIGH pushing the parent to its budget is seen in
 * memcg reclaim (on v1 the policy then kills the idle LOW to let HIGH finish; on v2 the
 * kernel's OOM killer may act first), and a task the kernel's OOM killer takes is logged
 * with its session.
 */
static void test_controller_reads_signals(void **state)
{
	static const enum acg_prio prio[2] = {ACG_PRIO_HIGH, ACG_PRIO_LOW};
	static const char *const names[2] = {"high-a", "low-b"};
	struct ctl_fixture *f = calloc(1, sizeof(*f));
	struct acg_controller_stats cs;
	struct acg_pol_cfg cfg;
	struct acg_mounts m;
	struct acg_diag err = {""};
	char name[64];
	struct acg_diag what;
	uint64_t id;
	bool allocated = false, ended = false;
	int v;

	assert_non_null(f);
	*state = f;
	if (geteuid() != 0 || acg_mounts_detect(&m) < 0 || !m.mem_version) {
		fprintf(stderr, "skip: needs root and a memory controller\n");
		skip();
	}
	if (acg_signals_open(&f->sig, &err) < 0)
		fail_msg("BPF signal programs did not load: %s", err.msg);
	snprintf(name, sizeof(name), "agentcg-test-%d-ctl", (int)getpid());
	assert_int_equal(acg_root_open(&m, name, true, &f->root), 0);
	v = acg_cg_version(f->root);
	assert_int_equal(acg_cg_child(f->root, names[0], true, &f->cg[0]), 0);
	assert_int_equal(acg_cg_child(f->root, names[1], true, &f->cg[1]), 0);
	if (acg_cg_v2_id(f->cg[0], &id) < 0) {
		fprintf(stderr, "skip: no cgroup2 mount: tasks have no cgroup2 id to count by\n");
		skip();
	}
	assert_int_equal(acg_cg_set(f->root, ACG_CTL_MAX, 64 * MiB), 0);
	if (acg_ctl_file(v, ACG_CTL_SWAP_MAX, NULL))
		assert_int_equal(acg_cg_set(f->root, ACG_CTL_SWAP_MAX, 0), 0);
	acg_pol_cfg_default(&cfg, 64 * MiB);
	assert_int_equal(acg_controller_new(f->root, f->cg, prio, names, 2, 64 * MiB, &cfg,
					    keep_line, &f->log, &f->ctl),
			 0);
	acg_controller_use_signals(f->ctl, f->sig);
	assert_int_equal(acg_controller_setup(f->ctl, &what), 0);
	assert_int_equal(th_child_start(f->cg[1], 24 * MiB, &f->lo), 0);
	assert_true(th_child_allocated(&f->lo, 30000));
	/* HIGH wants 56 MiB: with LOW's 24 the parent's 64 MiB run out */
	assert_int_equal(th_child_start(f->cg[0], 56 * MiB, &f->hi), 0);
	for (int k = 0; k < 3000 && !allocated && !ended; k++) {
		struct timespec ts = {0, 10000000};

		acg_controller_tick(f->ctl, acg_mono_s());
		allocated = th_child_allocated(&f->hi, 0);
		ended = !allocated && waitpid(f->hi.pid, NULL, WNOHANG) == f->hi.pid;
		nanosleep(&ts, NULL);
	}
	if (ended)
		f->hi.pid = 0;
	acg_controller_stats(f->ctl, &cs);
	fprintf(stderr, "stalls %lu, kills %lu, victims %lu\n", cs.stalls, cs.kills, cs.victims);
	assert_true(allocated || ended);
	assert_true(cs.stalls > 0);
	if (v == 1) {
		/* the kernel never picks on v1 here: the policy did, and HIGH finished */
		assert_int_equal(cs.kills, 1);
		assert_non_null(strstr(f->log.text, "\"session\":\"low-b\",\"action\":\"kill\""));
		assert_true(allocated);
	}
	th_child_reap(&f->hi);
	th_child_reap(&f->lo);
	f->hi.pid = f->lo.pid = 0;
	acg_controller_restore(f->ctl);

	/* HIGH under a limit of its own, which the kernel enforces: its victim is logged */
	assert_int_equal(acg_cg_set(f->cg[0], ACG_CTL_MAX, 16 * MiB), 0);
	assert_int_equal(th_child_start(f->cg[0], 32 * MiB, &f->hi), 0);
	assert_true(WIFSIGNALED(th_child_reap(&f->hi)));
	f->hi.pid = 0;
	acg_controller_tick(f->ctl, acg_mono_s());
	acg_controller_stats(f->ctl, &cs);
	assert_true(cs.victims >= 1);
	assert_non_null(strstr(f->log.text, "\"session\":\"high-a\",\"action\":\"oom-victim\""));
}

/* The struct_ops path up to the BTF probe: stock kernels are told apart, and refused. */
static void test_memcg_ops_probe(void **state)
{
	struct acg_memcg_ops_cfg cfg = {0};
	struct acg_memcg_ops *ops = NULL;
	struct acg_host h;
	struct acg_diag why = {""};
	int r;

	(void)state;
	acg_host_probe(&h);
	if (!h.btf_vmlinux) {
		fprintf(stderr, "skip: no kernel BTF\n");
		skip();
	}
	r = acg_memcg_ops_probe(NULL, &why);
	if (h.memcg_bpf_ops) {
		assert_int_equal(r, 0);
		return;
	}
	assert_int_equal(r, -EOPNOTSUPP);
	assert_string_equal(why.msg, "kernel lacks struct memcg_bpf_ops");
	/* attaching stops at the probe, before touching anything */
	why.msg[0] = '\0';
	assert_int_equal(acg_memcg_ops_attach(&cfg, &ops, &why), -EOPNOTSUPP);
	assert_null(ops);
	assert_string_equal(why.msg, "kernel lacks struct memcg_bpf_ops");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signals_count_session_events),
		cmocka_unit_test_teardown(test_controller_reads_signals, ctl_teardown),
		cmocka_unit_test(test_memcg_ops_probe),
	};

	th_init();
	return cmocka_run_group_tests_name("bpf", tests, NULL, NULL);
}
