// SPDX-License-Identifier: GPL-2.0
/*
 * test_memcg_ops.c: agentcg's struct_ops policy (bpf/memcg_ops.bpf.c through
 * lib/kernel/bpf_memcg_ops.c) on a kernel that has the memcg BPF hooks: the lab kernel of
 * `make kernel-lab` (RFC v7), booted by `make test-vm-lab`. Everywhere else (this host,
 * Debian's stock kernel in the VM) every test skips, saying the kernel lacks the struct.
 *
 *   test_attach_rules: the policy loads and attaches per cgroup in the revision the BTF
 *     names; a second policy on the same cgroups is refused by the kernel (-EBUSY: no
 *     BPF_F_ALLOW_OVERRIDE) in one line; after a detach the same attach succeeds, so the
 *     detach gave the cgroups back.
 *   test_high_protected_low_delayed: a budget of 96 MiB with zram swap; HIGH holds 40 MiB
 *     and keeps faulting (active), LOW then touches 80 MiB, so about 24 MiB must be
 *     reclaimed (swapped). With the policy the kernel takes it from LOW only: HIGH's
 *     memory.swap.current stays near 0 (the protection hooks answered "protected"), and
 *     LOW is delayed (memcg_charged returned delays, which the kernel accounts as LOW's
 *     memory stall in memory.pressure). The same run without the policy, first, shows
 *     what HIGH loses when nothing protects it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bpf_memcg_ops.h"
#include "cgroup.h"
#include "clock.h"
#include "fsutil.h"
#include "helpers.h"
#include "host.h"
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MiB (UINT64_C(1) << 20)

struct lab {
	struct acg_mounts m;
	struct acg_cg *root, *high, *low;
	pid_t hi, lo;
};

static struct lab L;

/* Skip (with the reason) unless the kernel has the hooks and cgroup v2 is here. */
static void need_hooks(void)
{
	struct acg_diag why = {""};

	if (geteuid() != 0 || acg_mounts_detect(&L.m) < 0 || L.m.mem_version != 2) {
		fprintf(stderr, "skip: needs root and the cgroup v2 memory controller\n");
		skip();
	}
	if (acg_memcg_ops_probe(NULL, &why) < 0) {
		fprintf(stderr, "skip: %s (the lab kernel of make kernel-lab has it)\n", why.msg);
		skip();
	}
}

static int setup(void **state)
{
	char name[64];

	(void)state;
	L = (struct lab){0};
	if (geteuid() != 0 || acg_mounts_detect(&L.m) < 0 || L.m.mem_version != 2)
		return 0;
	snprintf(name, sizeof(name), "agentcg-test-%d-ops", (int)getpid());
	if (acg_root_open(&L.m, name, true, &L.root) < 0 ||
	    acg_cg_child(L.root, "high", true, &L.high) < 0 ||
	    acg_cg_child(L.root, "low", true, &L.low) < 0)
		return -1;
	return 0;
}

static void end(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

static int teardown(void **state)
{
	(void)state;
	end(&L.hi);
	end(&L.lo);
	if (L.root)
		acg_cg_remove(L.root);
	acg_cg_free(L.low);
	acg_cg_free(L.high);
	acg_cg_free(L.root);
	L = (struct lab){0};
	return 0;
}

static void attach(struct acg_memcg_ops **ret, unsigned int max_delay_ms)
{
	struct acg_memcg_ops_cfg cfg = {.budget = L.root,
					.budget_bytes = 96 * MiB,
					.high = L.high,
					.low = &L.low,
					.n_low = 1,
					.max_delay_ms = max_delay_ms};
	struct acg_diag why = {""};
	int r = acg_memcg_ops_attach(&cfg, ret, &why);

	if (r < 0)
		fail_msg("attach: %s (%s)", why.msg, strerror(-r));
}

static void test_attach_rules(void **state)
{
	struct acg_memcg_ops_cfg cfg = {.budget = L.root,
					.budget_bytes = 96 * MiB,
					.high = L.high,
					.low = &L.low,
					.n_low = 1};
	struct acg_memcg_ops *a = NULL, *b = NULL;
	struct acg_diag why = {""};
	struct acg_host h;
	int rev = 0;

	(void)state;
	need_hooks();
	acg_host_probe(&h);
	assert_int_equal(acg_memcg_ops_probe(&rev, &why), 0);
	assert_int_equal(h.memcg_bpf_ops_rev, rev);
	attach(&a, 0);
	assert_int_equal(acg_memcg_ops_rev(a), rev);
	printf("attached the RFC v%d policy to high and low\n", rev);
	/* the cgroups have a policy: another one is refused, in one line */
	assert_int_equal(acg_memcg_ops_attach(&cfg, &b, &why), -EBUSY);
	assert_null(b);
	assert_string_equal(why.msg, "the kernel refused high_ops on the HIGH session's cgroup: "
				     "Device or resource busy");
	/* detached, they take one again */
	acg_memcg_ops_detach(a);
	attach(&b, 0);
	acg_memcg_ops_detach(b);
}

/* A task in cg: touch `bytes`, say so on fd, then (active) fault on 1 MiB for good. */
static pid_t toucher(struct acg_cg *cg, uint64_t bytes, bool active, int fd)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char *p, *scratch;

		if (acg_cg_attach(cg, getpid()) < 0)
			_exit(2);
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		scratch =
			mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || scratch == MAP_FAILED)
			_exit(3);
		for (uint64_t i = 0; i < bytes; i += 4096)
			p[i] = 1;
		if (write(fd, "D", 1) != 1)
			_exit(4);
		while (active) {
			for (uint64_t i = 0; i < MiB; i += 4096)
				scratch[i] = 1;
			madvise(scratch, MiB, MADV_DONTNEED);
		}
		pause();
		_exit(0);
	}
	return pid;
}

static uint64_t file_u64(struct acg_cg *cg, const char *file)
{
	char path[ACG_PATH_MAX + 64], *text = NULL;
	uint64_t v = 0;

	snprintf(path, sizeof(path), "%s/%s", acg_cg_path(cg), file);
	if (acg_read_text(path, &text) == 0)
		v = strtoull(text, NULL, 10);
	free(text);
	return v;
}

/* memory.pressure "some ... total=" (us) */
static uint64_t stall_us(struct acg_cg *cg)
{
	struct acg_psi psi;

	return acg_cg_psi(cg, &psi) == 0 ? psi.some.total_us : 0;
}

/* Wait for the 'D' of a toucher, feeding the policy the budget's usage meanwhile. */
static bool wait_touched(int fd, struct acg_memcg_ops *o, int timeout_s)
{
	double end_at = acg_mono_s() + timeout_s;
	struct timespec tick = {0, 10 * 1000 * 1000};
	char c;

	while (acg_mono_s() < end_at) {
		uint64_t usage;

		if (o && acg_cg_usage(L.root, &usage) == 0)
			acg_memcg_ops_update(o, usage);
		if (read(fd, &c, 1) == 1)
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

struct outcome {
	uint64_t high_swap, low_swap, low_stall_us;
};

/* HIGH 40 MiB and active, then LOW 80 MiB, under 96 MiB; o: the policy, or NULL. */
static struct outcome squeeze(struct acg_memcg_ops *o)
{
	struct outcome out;
	uint64_t stall0;
	int fds[2];

	assert_int_equal(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
	assert_int_equal(acg_cg_set(L.root, ACG_CTL_MAX, 96 * MiB), 0);
	L.hi = toucher(L.high, 40 * MiB, true, fds[1]);
	if (!wait_touched(fds[0], o, 120))
		fail_msg("HIGH did not touch its 40 MiB in 120 s");
	stall0 = stall_us(L.low);
	L.lo = toucher(L.low, 80 * MiB, false, fds[1]);
	if (!wait_touched(fds[0], o, 300))
		fail_msg("LOW did not touch its 80 MiB in 300 s");
	out.high_swap = file_u64(L.high, "memory.swap.current");
	out.low_swap = file_u64(L.low, "memory.swap.current");
	out.low_stall_us = stall_us(L.low) - stall0;
	end(&L.hi);
	end(&L.lo);
	close(fds[0]);
	close(fds[1]);
	return out;
}

static void test_high_protected_low_delayed(void **state)
{
	uint64_t st[ACG_OPS__NR];
	struct acg_memcg_ops *o = NULL;
	struct outcome none, pol;

	(void)state;
	need_hooks();
	if (file_u64(L.root, "memory.swap.max") == 0 && access("/proc/swaps", R_OK) == 0) {
		char *text = NULL;
		bool swap = acg_read_text("/proc/swaps", &text) == 0 && strchr(text, '\n') &&
			    strchr(text, '\n')[1];

		free(text);
		if (!swap) {
			fprintf(stderr, "skip: no swap: anonymous memory cannot be reclaimed\n");
			skip();
		}
	}
	none = squeeze(NULL);
	printf("without the policy: HIGH swapped %" PRIu64 " KiB, LOW %" PRIu64
	       " KiB, LOW stalled %" PRIu64 " ms\n",
	       none.high_swap >> 10, none.low_swap >> 10, none.low_stall_us / 1000);
	attach(&o, 50);
	pol = squeeze(o);
	assert_int_equal(acg_memcg_ops_stats(o, st), 0);
	acg_memcg_ops_detach(o);
	printf("with the policy: HIGH swapped %" PRIu64 " KiB, LOW %" PRIu64
	       " KiB, LOW stalled %" PRIu64 " ms; below_low %" PRIu64 ", below_min %" PRIu64
	       ", protected %" PRIu64 ", HIGH events %" PRIu64 ", delay calls %" PRIu64
	       ", delayed %" PRIu64 " for %" PRIu64 " ms\n",
	       pol.high_swap >> 10, pol.low_swap >> 10, pol.low_stall_us / 1000,
	       st[ACG_OPS_BELOW_LOW], st[ACG_OPS_BELOW_MIN], st[ACG_OPS_PROTECTED],
	       st[ACG_OPS_HIGH_EVENTS], st[ACG_OPS_DELAY_CALLS], st[ACG_OPS_DELAYED],
	       st[ACG_OPS_DELAY_MS]);
	/* reclaim came (LOW swapped), asked HIGH's hooks, and they protected it */
	assert_true(pol.low_swap >= 8 * MiB);
	assert_true(st[ACG_OPS_HIGH_EVENTS] > 0);
	assert_true(st[ACG_OPS_PROTECTED] > 0);
	if (pol.high_swap > 4 * MiB)
		fail_msg("HIGH lost %" PRIu64 " KiB to swap with the policy attached",
			 pol.high_swap >> 10);
	/* LOW was delayed, and the kernel counts the delay as LOW's memory stall */
	assert_true(st[ACG_OPS_DELAYED] > 0);
	if (pol.low_stall_us < st[ACG_OPS_DELAY_MS] * 1000 / 4)
		fail_msg("LOW stalled %" PRIu64 " ms, under a quarter of the %" PRIu64
			 " ms of delay asked",
			 pol.low_stall_us / 1000, st[ACG_OPS_DELAY_MS]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_attach_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_high_protected_low_delayed, setup, teardown),
	};

	th_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
