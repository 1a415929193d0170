// SPDX-License-Identifier: GPL-2.0
/*
 * test_controller.c: live tier (root). The controller's kernel wake-ups: whatever the
 * number of sessions, a caller polls one fd (the controller's epoll set of every wake-up),
 * and it fires when the kernel says a held LOW session waits at its clamp (or, on v1, the
 * parent's usage crosses where the policy holds); the tick takes the wake-up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgroup.h"
#include "clock.h"
#include "controller.h"
#include "helpers.h"
#include "mounts.h"
#include "policy.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_LOW 8

/* What the test made, for its teardown to undo even after a failure. */
struct fixture {
	struct acg_cg *root, *cg[1 + N_LOW];
	struct acg_controller *ctl;
	struct th_child lo;
};

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (!f)
		return 0;
	/* released first: a v1 task held at its clamp waits there (the OOM killer paused) */
	if (f->ctl)
		acg_controller_restore(f->ctl);
	if (f->lo.pid > 0)
		th_child_reap(&f->lo);
	acg_controller_free(f->ctl);
	for (size_t i = 0; i < 1 + N_LOW; i++)
		acg_cg_free(f->cg[i]);
	if (f->root)
		acg_cg_remove(f->root);
	acg_cg_free(f->root);
	free(f);
	return 0;
}

/*
 * One HIGH and eight LOW sessions under a 64 MiB budget: the controller hands out one fd
 * to poll. A LOW session grows to 56 MiB, past the headroom kept for HIGH: the policy holds
 * it and it waits at its clamp; the one fd becomes readable (the kernel's wake-up through
 * the epoll set) and the next tick counts the wake-up and takes it.
 */
static void test_one_fd_wakes(void **state)
{
	enum acg_prio prio[1 + N_LOW];
	const char *names[1 + N_LOW];
	char name[64], cgname[1 + N_LOW][16];
	struct fixture *f = calloc(1, sizeof(*f));
	struct acg_controller_stats cs;
	struct acg_pol_cfg cfg;
	struct acg_mounts m;
	struct acg_diag what = {""};
	struct pollfd *kfd;
	bool woken = false;
	size_t nk;

	assert_non_null(f);
	*state = f;
	if (geteuid() != 0 || acg_mounts_detect(&m) < 0 || !m.mem_version) {
		fprintf(stderr, "skip: needs root and a memory controller\n");
		skip();
	}
	snprintf(name, sizeof(name), "agentcg-test-%d-wake", (int)getpid());
	assert_int_equal(acg_root_open(&m, name, true, &f->root), 0);
	for (size_t i = 0; i < 1 + N_LOW; i++) {
		prio[i] = i ? ACG_PRIO_LOW : ACG_PRIO_HIGH;
		snprintf(cgname[i], sizeof(cgname[i]), i ? "low-%zu" : "high-a", i);
		names[i] = cgname[i];
		assert_int_equal(acg_cg_child(f->root, names[i], true, &f->cg[i]), 0);
	}
	assert_int_equal(acg_cg_set(f->root, ACG_CTL_MAX, 64 * MiB), 0);
	if (acg_ctl_file(acg_cg_version(f->root), ACG_CTL_SWAP_MAX, NULL))
		assert_int_equal(acg_cg_set(f->root, ACG_CTL_SWAP_MAX, 0), 0);
	acg_pol_cfg_default(&cfg, 64 * MiB);
	assert_int_equal(acg_controller_new(f->root, f->cg, prio, names, 1 + N_LOW, 64 * MiB, &cfg,
					    NULL, NULL, &f->ctl),
			 0);
	assert_int_equal(acg_controller_setup(f->ctl, &what), 0);
	acg_controller_tick(f->ctl, acg_mono_s());
	nk = acg_controller_pollfds(f->ctl, &kfd);
	assert_int_equal(nk, 1);
	assert_true(kfd[0].fd >= 0);
	assert_int_equal(th_child_start(f->cg[1], 56 * MiB, &f->lo), 0);
	/* ticks on the period (100 ms), as a daemon's, until the one fd fires */
	for (int k = 0; k < 300 && !woken; k++) {
		nk = acg_controller_pollfds(f->ctl, &kfd);
		assert_int_equal(nk, 1);
		woken = poll(kfd, nk, 100) > 0 && kfd[0].revents;
		acg_controller_tick(f->ctl, acg_mono_s());
	}
	acg_controller_stats(f->ctl, &cs);
	fprintf(stderr, "woken %d, holds %lu, wake-ups %lu\n", woken, cs.holds, cs.wakeups);
	assert_true(woken);
	assert_true(cs.holds >= 1);
	assert_true(cs.wakeups >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_one_fd_wakes, teardown),
	};

	th_init();
	return cmocka_run_group_tests_name("controller", tests, NULL, NULL);
}
