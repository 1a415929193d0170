// SPDX-License-Identifier: GPL-2.0
/*
 * test_daemon.c: live tier (root). `agentcg daemon` as a process: a LOW session is held
 * while a HIGH one needs the memory (the kernel shows its clamp); the daemon is SIGKILLed
 * and the clamp stays (that is the crash); a new daemon releases it at start; SIGTERM
 * ends it with every control undone and exit code 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgroup.h"
#include "fsutil.h"
#include "helpers.h"
#include "mounts.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AGENTCG_BIN
#define AGENTCG_BIN "build/agentcg"
#endif

extern char **environ;

static struct acg_mounts mounts;
static struct acg_cg *root;
static char root_name[64], log_path[128];
static pid_t daemons[2];

static pid_t start_daemon(void)
{
	const char *bin = getenv("AGENTCG_BIN") ? getenv("AGENTCG_BIN") : AGENTCG_BIN;
	char *argv[] = {(char *)bin, "daemon", "--root", root_name, "--budget-mb",
			"300",	     "--log",  log_path, NULL};
	pid_t pid;

	if (posix_spawn(&pid, bin, NULL, NULL, argv, environ) != 0)
		return -1;
	return pid;
}

static enum acg_ctl clamp_ctl(void)
{
	return mounts.mem_version == 2 ? ACG_CTL_HIGH : ACG_CTL_MAX;
}

static bool clamped(void *arg)
{
	uint64_t v = ACG_UNLIMITED;

	return acg_cg_get(arg, clamp_ctl(), &v) == 0 && v != ACG_UNLIMITED;
}

static bool released(void *arg)
{
	uint64_t v = 0;

	return acg_cg_get(arg, clamp_ctl(), &v) == 0 && v == ACG_UNLIMITED;
}

/* The test's root, and its names; skips the test where it cannot run. */
static void open_root(void)
{
	if (geteuid() != 0 || acg_mounts_detect(&mounts) < 0 || !mounts.mem_version) {
		fprintf(stderr, "skip: needs root and a memory controller\n");
		skip();
	}
	snprintf(root_name, sizeof(root_name), "agentcg-test-%d", (int)getpid());
	snprintf(log_path, sizeof(log_path), "/tmp/agentcg-test-%d-daemon.log", (int)getpid());
	unlink(log_path);
	assert_int_equal(acg_root_open(&mounts, root_name, true, &root), 0);
}

/*
 * A daemon over a LOW session holding 100 MiB and a HIGH one taking 170 MiB of the 300:
 * returns once the daemon has clamped LOW. The daemon is daemons[0].
 */
static void held_pair(struct acg_cg **lo, struct acg_cg **hi, struct th_child *a,
		      struct th_child *b)
{
	open_root();
	assert_int_equal(acg_cg_child(root, "low-a", true, lo), 0);
	assert_int_equal(acg_cg_child(root, "high-b", true, hi), 0);
	if (acg_ctl_file(mounts.mem_version, ACG_CTL_SWAP_MAX, NULL)) {
		acg_cg_set(*lo, ACG_CTL_SWAP_MAX, 0);
		acg_cg_set(*hi, ACG_CTL_SWAP_MAX, 0);
	}
	daemons[0] = start_daemon();
	assert_true(daemons[0] > 0);
	assert_int_equal(th_child_start(*lo, 100 * MiB, a), 0);
	assert_true(th_child_allocated(a, 30000));
	assert_int_equal(th_child_start(*hi, 170 * MiB, b), 0);
	assert_true(th_child_allocated(b, 30000));
	assert_true(th_wait_for(clamped, *lo, 30000));
}

static void test_crash_and_restart(void **state)
{
	struct acg_cg *lo = NULL, *hi = NULL;
	struct th_child a = {0}, b = {0};
	pid_t d1, d2;
	int status;
	uint64_t v;

	(void)state;
	/* LOW holds 100 MiB; HIGH takes 170 MiB of the 300: LOW must be held */
	held_pair(&lo, &hi, &a, &b);
	d1 = daemons[0];
	assert_false(clamped(hi));

	/* the crash: the clamp outlives the daemon */
	kill(d1, SIGKILL);
	waitpid(d1, &status, 0);
	daemons[0] = 0;
	assert_true(clamped(lo));

	/* HIGH is done; a new daemon releases what the old one left */
	th_child_reap(&b);
	d2 = daemons[1] = start_daemon();
	assert_true(d2 > 0);
	assert_true(th_wait_for(released, lo, 30000));

	/* SIGTERM: exit 0, nothing held, the OOM killer back on (v1) */
	kill(d2, SIGTERM);
	waitpid(d2, &status, 0);
	daemons[1] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(released(lo));
	if (mounts.mem_version == 1) {
		assert_int_equal(acg_cg_get(lo, ACG_CTL_OOM_PAUSE, &v), 0);
		assert_int_equal(v, 0);
	}
	th_child_reap(&a);
	acg_cg_free(lo);
	acg_cg_free(hi);
}

static bool gone_logged(void *arg)
{
	char *text = NULL;
	bool found;

	(void)arg;
	if (acg_read_text(log_path, &text) < 0)
		return false;
	found = strstr(text, "\"event\":\"session-gone\",\"session\":\"low-a\"") != NULL;
	free(text);
	return found;
}

/*
 * Faults behind the daemon's back: a held session's process is SIGKILLed, and its cgroup
 * is removed by someone else. The daemon notices, keeps running, and still ends cleanly.
 */
static void test_session_killed_and_removed(void **state)
{
	struct acg_cg *lo = NULL, *hi = NULL;
	struct th_child a = {0}, b = {0};
	int status;
	pid_t d;

	(void)state;
	held_pair(&lo, &hi, &a, &b);
	d = daemons[0];

	/* the held session's process dies; then its cgroup goes, not by the daemon */
	kill(a.pid, SIGKILL);
	th_child_reap(&a);
	assert_int_equal(acg_cg_remove(lo), 0);
	assert_true(th_wait_for(gone_logged, NULL, 30000));
	/* the daemon is still there, and ends cleanly */
	assert_int_equal(waitpid(d, &status, WNOHANG), 0);
	th_child_reap(&b);
	kill(d, SIGTERM);
	waitpid(d, &status, 0);
	daemons[0] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	acg_cg_free(lo);
	acg_cg_free(hi);
}

static uint64_t rss_kb(pid_t pid)
{
	char path[64], *text = NULL, *p;
	unsigned long long kb = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (acg_read_text(path, &text) < 0)
		return 0;
	p = strstr(text, "VmRSS:");
	if (p)
		sscanf(p + 6, "%llu", &kb);
	free(text);
	return kb;
}

/*
 * Load, bounded: waves of 64 sessions (16 HIGH, 48 LOW, 4 MiB each) come and go under a
 * running daemon. Every session of every wave allocates and ends (none is stuck held),
 * the daemon's memory stays flat across the waves (no leak per session), and it ends
 * cleanly.
 */
static void test_64_sessions_churn(void **state)
{
	enum { N = 64, WAVES = 8 };
	struct acg_cg *cg[N];
	struct th_child kid[N];
	uint64_t rss_early = 0, rss_late = 0;
	int status;
	pid_t d;

	(void)state;
	open_root();
	d = daemons[0] = start_daemon();
	assert_true(d > 0);
	for (int w = 0; w < WAVES; w++) {
		for (int i = 0; i < N; i++) {
			char name[32];

			snprintf(name, sizeof(name), "%s-w%d-%d", i < 16 ? "high" : "low", w, i);
			assert_int_equal(acg_cg_child(root, name, true, &cg[i]), 0);
			assert_int_equal(th_child_start(cg[i], 4 * MiB, &kid[i]), 0);
		}
		for (int i = 0; i < N; i++)
			assert_true(th_child_allocated(&kid[i], 30000));
		usleep(300 * 1000);
		if (w == 1)
			rss_early = rss_kb(d);
		if (w == WAVES - 1)
			rss_late = rss_kb(d);
		for (int i = 0; i < N; i++) {
			th_child_reap(&kid[i]);
			assert_int_equal(acg_cg_remove(cg[i]), 0);
			acg_cg_free(cg[i]);
		}
	}
	fprintf(stderr, "daemon RSS: %llu kB after wave 2, %llu kB after wave %d\n",
		(unsigned long long)rss_early, (unsigned long long)rss_late, WAVES);
	assert_true(rss_early > 0 && rss_late > 0);
#if defined(__SANITIZE_ADDRESS__)
	/* ASan's allocator caches make RSS wander by MiBs: there LeakSanitizer decides, at
	 * the daemon's exit (a leak makes its exit status non-zero, asserted below) */
	fprintf(stderr, "ASan build: leaks are LeakSanitizer's to find at exit\n");
#else
	assert_true(rss_late <= rss_early + 1024);
#endif
	assert_int_equal(waitpid(d, &status, WNOHANG), 0);
	kill(d, SIGTERM);
	waitpid(d, &status, 0);
	daemons[0] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int teardown(void **state)
{
	(void)state;
	/* a daemon left by a failed assertion is ours: end it by pid */
	for (int i = 0; i < 2; i++)
		if (daemons[i] > 0) {
			kill(daemons[i], SIGKILL);
			waitpid(daemons[i], NULL, 0);
		}
	if (root) {
		acg_cg_remove(root);
		acg_cg_free(root);
		root = NULL;
	}
	unlink(log_path);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_crash_and_restart, teardown),
		cmocka_unit_test_teardown(test_session_killed_and_removed, teardown),
		cmocka_unit_test_teardown(test_64_sessions_churn, teardown),
	};

	th_init();
	return cmocka_run_group_tests_name("daemon", tests, NULL, NULL);
}
