// SPDX-License-Identifier: GPL-2.0
/*
 * test_cgroup.c: live tier (root). Runs against whatever memory controller the host has:
 * cgroup v1 here (hybrid host), cgroup v2 inside the qemu VM (tests/vm/run.sh). Every
 * test makes its own session under a unique root "agentcg-test-<pid>", asserts what the
 * kernel reports (oom_kill counts, memory.events, usage, frozen state, PSI) with
 * tolerances, and removes what it made even when an assertion fails. Tests that a cgroup
 * version cannot support skip with the reason.
 *
 * The few waits are liveness bounds (give up after N seconds), never timing assertions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgroup.h"
#include "fsutil.h"
#include "helpers.h"
#include "host.h"
#include "mounts.h"
#include "strategy.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIVENESS_MS 30000

static struct acg_mounts mounts;
static struct acg_cg *root;
static char root_name[64];
static const char *skip_all;

static int group_setup(void **state)
{
	int r;

	(void)state;
	if (geteuid() != 0) {
		skip_all = "live tests need root (they create cgroups)";
		return 0;
	}
	r = acg_mounts_detect(&mounts);
	if (r < 0 || !mounts.mem_version) {
		skip_all = "no memory controller on this host";
		return 0;
	}
	snprintf(root_name, sizeof(root_name), "agentcg-test-%d", (int)getpid());
	r = acg_root_open(&mounts, root_name, true, &root);
	if (r < 0) {
		fprintf(stderr, "cannot create test root %s/%s: %s\n", mounts.mem_path, root_name,
			strerror(-r));
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (root) {
		int r = acg_cg_remove(root);

		if (r < 0)
			fprintf(stderr, "cannot remove test root: %s\n", strerror(-r));
		acg_cg_free(root);
		root = NULL;
	}
	return 0;
}

/* Per-test fixture: a fresh session cgroup, removed afterwards whatever happened. */
struct session {
	struct acg_cg *cg;
	struct th_child kids[4];
	int nkids;
};

static int session_setup(void **state)
{
	static int seq;
	struct session *s;
	char name[32];
	int r;

	if (skip_all) {
		*state = NULL;
		return 0;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	snprintf(name, sizeof(name), "s%d", ++seq);
	r = acg_cg_child(root, name, true, &s->cg);
	if (r < 0) {
		fprintf(stderr, "cannot create session %s: %s\n", name, strerror(-r));
		free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static int session_teardown(void **state)
{
	struct session *s = *state;

	if (!s)
		return 0;
	acg_cg_kill(s->cg);
	for (int i = 0; i < s->nkids; i++)
		if (s->kids[i].pid > 0)
			th_child_reap(&s->kids[i]);
	acg_cg_remove(s->cg);
	acg_cg_free(s->cg);
	free(s);
	return 0;
}

#define SESSION(state)                                           \
	({                                                       \
		if (skip_all) {                                  \
			fprintf(stderr, "skip: %s\n", skip_all); \
			skip();                                  \
		}                                                \
		(struct session *)*(state);                      \
	})

/* Start an allocating child in cg (the session, or a cgroup below it). */
static struct th_child *start_child_in(struct session *s, struct acg_cg *cg, uint64_t bytes)
{
	struct th_child *c = &s->kids[s->nkids];
	int r = th_child_start(cg, bytes, c);

	if (r < 0)
		fail_msg("cannot start child in %s: %s", acg_cg_path(cg), strerror(-r));
	s->nkids++;
	return c;
}

static struct th_child *start_child(struct session *s, uint64_t bytes)
{
	return start_child_in(s, s->cg, bytes);
}

/* Skip the test when the session's cgroup version has no such control. */
static void need_ctl(struct session *s, enum acg_ctl c)
{
	const char *why = NULL;

	if (!acg_ctl_file(acg_cg_version(s->cg), c, &why)) {
		fprintf(stderr, "skip: %s\n", why);
		skip();
	}
}

/* Reap a child the test is done with, so teardown does not wait on it again. */
static int reap(struct th_child *c)
{
	int status = th_child_reap(c);

	c->pid = 0;
	return status;
}

static bool dir_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_tree_lifecycle(void **state)
{
	struct session *s = SESSION(state);
	struct acg_cg *extra;
	struct th_child *c;
	char path[ACG_PATH_MAX], twin[2 * ACG_PATH_MAX];
	uint64_t usage;
	pid_t *pids;
	size_t n;

	assert_int_equal(acg_cg_child(root, "lifecycle", true, &extra), 0);
	snprintf(path, sizeof(path), "%s", acg_cg_path(extra));
	assert_true(dir_exists(path));
	snprintf(twin, sizeof(twin), "%s/%s/lifecycle", mounts.freezer_path, root_name);
	if (mounts.mem_version == 1 && mounts.freezer_path[0])
		assert_true(dir_exists(twin));

	/* a process moved in is listed, and its memory is charged there */
	{
		struct session tmp = {.cg = extra};

		c = start_child(&tmp, 16 * MiB);
		assert_true(th_child_allocated(c, LIVENESS_MS));
		assert_int_equal(acg_cg_pids(extra, &pids, &n), 0);
		assert_int_equal(n, 1);
		assert_int_equal(pids[0], c->pid);
		free(pids);
		assert_int_equal(acg_cg_usage(extra, &usage), 0);
		assert_true(usage >= 15 * MiB);
		/* removing a populated cgroup kills its tasks first */
		assert_int_equal(acg_cg_remove(extra), 0);
		assert_true(WIFSIGNALED(reap(c)));
	}
	assert_false(dir_exists(path));
	assert_false(dir_exists(twin));
	/* the handle still answers, with "gone" */
	assert_int_equal(acg_cg_usage(extra, &usage), -ENOENT);
	assert_int_equal(acg_cg_remove(extra), 0);
	acg_cg_free(extra);
	(void)s;
}

static void test_oom_kill_counted(void **state)
{
	struct session *s = SESSION(state);
	struct acg_mem_events ev;
	struct th_child *c;
	int status;

	assert_int_equal(acg_cg_set(s->cg, ACG_CTL_MAX, 32 * MiB), 0);
	/* with swap (the VM has zram) the excess would be swapped out instead */
	if (acg_ctl_file(acg_cg_version(s->cg), ACG_CTL_SWAP_MAX, NULL))
		assert_int_equal(acg_cg_set(s->cg, ACG_CTL_SWAP_MAX, 0), 0);
	c = start_child(s, 64 * MiB);
	status = reap(c);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_int_equal(acg_cg_events(s->cg, &ev), 0);
	assert_true(ev.has & ACG_EV_OOM_KILL);
	assert_int_equal(ev.oom_kill, 1);
	assert_true(ev.max > 0);
}

static bool under_oom(void *arg)
{
	struct acg_mem_events ev;

	return acg_cg_events(arg, &ev) == 0 && ev.under_oom;
}

static void test_oom_pause_resume(void **state)
{
	struct session *s = SESSION(state);
	struct acg_mem_events ev;
	struct th_child *c;
	uint64_t v, usage;

	need_ctl(s, ACG_CTL_OOM_PAUSE);
	assert_int_equal(acg_cg_set(s->cg, ACG_CTL_MAX, 32 * MiB), 0);
	assert_int_equal(acg_cg_set(s->cg, ACG_CTL_OOM_PAUSE, 1), 0);
	assert_int_equal(acg_cg_get(s->cg, ACG_CTL_OOM_PAUSE, &v), 0);
	assert_int_equal(v, 1);
	c = start_child(s, 64 * MiB);

	/* at the limit the task waits instead of being killed */
	assert_true(th_wait_for(under_oom, s->cg, LIVENESS_MS));
	assert_false(th_child_allocated(c, 0));
	assert_int_equal(acg_cg_events(s->cg, &ev), 0);
	assert_int_equal(ev.oom_kill, 0);
	assert_int_equal(acg_cg_usage(s->cg, &usage), 0);
	assert_true(th_within("usage while paused", usage, 32 * MiB, 5));

	/* raising the limit resumes it, and it completes */
	assert_int_equal(acg_cg_set(s->cg, ACG_CTL_MAX, 128 * MiB), 0);
	assert_true(th_child_allocated(c, LIVENESS_MS));
	assert_int_equal(acg_cg_usage(s->cg, &usage), 0);
	assert_true(th_within("usage after resume", usage, 64 * MiB, 15));
	assert_int_equal(acg_cg_events(s->cg, &ev), 0);
	assert_int_equal(ev.oom_kill, 0);
	assert_false(ev.under_oom);
	v = (uint64_t)reap(c);
	assert_true(WIFEXITED((int)v) && WEXITSTATUS((int)v) == 0);
}

static bool readable(int fd, short events, int timeout_ms)
{
	struct pollfd p = {fd, events, 0};

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & events);
}

/*
 * The kernel's wake-ups: v1's usage threshold fires when usage crosses it (v2 has none),
 * and the limit notification fires when the session's task hits its limit (v1: it waits,
 * the OOM killer being off; v2: memory.events changes).
 */
static void test_notify(void **state)
{
	struct session *s = SESSION(state);
	int v = acg_cg_version(s->cg), ufd = -1, wfd = -1;
	short ev = acg_notify_events(s->cg);
	struct th_child *c;

	if (v == 2) {
		assert_int_equal(acg_cg_notify(s->cg, ACG_NOTIFY_USAGE, 16 * MiB, &ufd),
				 -EOPNOTSUPP);
	} else {
		assert_int_equal(acg_cg_notify(s->cg, ACG_NOTIFY_USAGE, 16 * MiB, &ufd), 0);
		assert_false(readable(ufd, ev, 0));
	}
	assert_int_equal(acg_cg_set(s->cg, ACG_CTL_MAX, 32 * MiB), 0);
	if (v == 1)
		assert_int_equal(acg_cg_set(s->cg, ACG_CTL_OOM_PAUSE, 1), 0);
	assert_int_equal(acg_cg_notify(s->cg, ACG_NOTIFY_WAIT, 0, &wfd), 0);
	assert_false(readable(wfd, ev, 0));
	c = start_child(s, 24 * MiB);
	assert_true(th_child_allocated(c, LIVENESS_MS));
	if (v == 1) {
		/* 24 MiB crossed the 16 MiB threshold once: one event, taken, none left */
		assert_true(readable(ufd, ev, LIVENESS_MS));
		acg_notify_consume(ufd);
		assert_false(readable(ufd, ev, 0));
	}
	assert_int_equal(reap(c), 0);
	/* a task that hits the 32 MiB limit: the limit notification fires */
	c = start_child(s, 64 * MiB);
	assert_true(readable(wfd, ev, LIVENESS_MS));
	acg_notify_consume(wfd);
	if (v == 1) {
		assert_true(th_wait_for(under_oom, s->cg, LIVENESS_MS));
		assert_int_equal(acg_cg_set(s->cg, ACG_CTL_MAX, 128 * MiB), 0);
		assert_true(th_child_allocated(c, LIVENESS_MS));
	}
	reap(c);
	if (ufd >= 0)
		close(ufd);
	close(wfd);
}

/*
 * v1's OOM wait, seen and kicked: a task waiting at the limit is counted by its wchan; with
 * room back, the kick marks the tree under OOM with a helper, restores the limit and the
 * OOM setting, and leaves no helper behind. (A lost wake-up itself is a kernel race: the
 * soak in test_daemon.c is where kicks happen for real.)
 */
static void test_oom_kick(void **state)
{
	struct session *s = SESSION(state);
	struct th_child *c;
	unsigned int n = 0;
	uint64_t v;
	pid_t *pids;
	size_t np;

	if (acg_cg_version(s->cg) != 1) {
		assert_int_equal(acg_cg_oom_kick(s->cg), -EOPNOTSUPP);
		fprintf(stderr, "skip: the OOM wait and its kick are cgroup v1's\n");
		skip();
	}
	assert_int_equal(acg_cg_oom_waiters(s->cg, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(acg_cg_set(s->cg, ACG_CTL_MAX, 32 * MiB), 0);
	assert_int_equal(acg_cg_set(s->cg, ACG_CTL_OOM_PAUSE, 1), 0);
	c = start_child(s, 64 * MiB);
	assert_true(th_wait_for(under_oom, s->cg, LIVENESS_MS));
	assert_int_equal(acg_cg_oom_waiters(s->cg, &n), 0);
	assert_int_equal(n, 1);
	/* room back: it completes, and waits no more */
	assert_int_equal(acg_cg_set(s->cg, ACG_CTL_MAX, 128 * MiB), 0);
	assert_true(th_child_allocated(c, LIVENESS_MS));
	assert_int_equal(acg_cg_oom_waiters(s->cg, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(acg_cg_oom_kick(s->cg), 0);
	assert_int_equal(acg_cg_get(s->cg, ACG_CTL_MAX, &v), 0);
	assert_int_equal(v, 128 * MiB);
	assert_int_equal(acg_cg_get(s->cg, ACG_CTL_OOM_PAUSE, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(acg_cg_pids(s->cg, &pids, &np), 0);
	assert_int_equal(np, 1);
	assert_int_equal(pids[0], c->pid);
	free(pids);
	reap(c);
}

static bool frozen(void *arg)
{
	bool f = false;

	return acg_cg_frozen(arg, &f) == 0 && f;
}

static bool thawed(void *arg)
{
	bool f = true;

	return acg_cg_frozen(arg, &f) == 0 && !f;
}

static bool exited(void *arg)
{
	struct th_child *c = arg;
	int status;

	return waitpid(c->pid, &status, WNOHANG) == c->pid && (c->pid = 0, true);
}

static void test_freeze_thaw(void **state)
{
	struct session *s = SESSION(state);
	struct th_child *c;
	int status;

	if (!acg_cg_has_freezer(s->cg)) {
		fprintf(stderr, "skip: no freezer hierarchy mounted\n");
		skip();
	}
	c = start_child(s, 8 * MiB);
	assert_true(th_child_allocated(c, LIVENESS_MS));
	assert_int_equal(acg_cg_set(s->cg, ACG_CTL_FREEZE, 1), 0);
	assert_true(th_wait_for(frozen, s->cg, LIVENESS_MS));

	/* a frozen task does not run: telling it to exit does nothing until the thaw */
	close(c->go_fd);
	c->go_fd = -1;
	assert_false(th_wait_for(exited, c, 300));

	assert_int_equal(acg_cg_set(s->cg, ACG_CTL_FREEZE, 0), 0);
	assert_true(th_wait_for(thawed, s->cg, LIVENESS_MS));
	status = reap(c);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_kill_all(void **state)
{
	struct session *s = SESSION(state);
	struct th_child *a, *b;
	int sa, sb;

	a = start_child(s, 4 * MiB);
	b = start_child(s, 4 * MiB);
	assert_true(th_child_allocated(a, LIVENESS_MS));
	assert_true(th_child_allocated(b, LIVENESS_MS));
	assert_int_equal(acg_cg_kill(s->cg), 0);
	sa = reap(a);
	sb = reap(b);
	assert_true(WIFSIGNALED(sa) && WTERMSIG(sa) == SIGKILL);
	assert_true(WIFSIGNALED(sb) && WTERMSIG(sb) == SIGKILL);
}

/*
 * Ids pinned against reuse (acg_cg_pin): of a process in the session, one moved out of it
 * and one that ended, only the first is kept; it is alive while it runs and not once it
 * has ended, so an act by its id is known to have reached it or not.
 */
static void test_pin(void **state)
{
	struct session *s = SESSION(state);
	struct th_child *a, *b;
	struct acg_task *t = NULL;
	struct acg_cg *away = NULL;
	pid_t ids[3], dead;
	size_t n = 99;
	int status;

	a = start_child(s, 1 * MiB);
	b = start_child(s, 1 * MiB);
	assert_true(th_child_allocated(a, LIVENESS_MS));
	assert_true(th_child_allocated(b, LIVENESS_MS));
	dead = fork();
	if (dead == 0)
		_exit(0);
	assert_true(dead > 0);
	waitpid(dead, &status, 0);
	ids[0] = a->pid;
	ids[1] = b->pid;
	ids[2] = dead;
	/* b leaves the session for a sibling (v2 keeps processes out of inner cgroups): its
	 * id is no longer the session's to act on */
	assert_int_equal(acg_cg_child(root, "pin-away", true, &away), 0);
	assert_int_equal(acg_cg_attach(away, b->pid), 0);
	assert_int_equal(acg_cg_pin(s->cg, ids, 3, &t, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(t[0].id, a->pid);
	assert_true(t[0].procfd >= 0);
	assert_true(acg_task_alive(&t[0]));
	/* ended (and reaped, so its id is free for reuse): no longer alive */
	kill(a->pid, SIGKILL);
	reap(a);
	assert_false(acg_task_alive(&t[0]));
	acg_tasks_free(t, n);
	/* back, so the session's teardown finds it */
	assert_int_equal(acg_cg_attach(s->cg, b->pid), 0);
	assert_int_equal(acg_cg_remove(away), 0);
	acg_cg_free(away);
}

/* memory.high: the allocator is throttled and reclaimed, its usage held near high. */
static void test_high_throttle(void **state)
{
	struct session *s = SESSION(state);
	struct acg_mem_events ev;
	struct acg_psi psi;
	struct th_child *c;
	uint64_t usage;
	int status;

	need_ctl(s, ACG_CTL_HIGH);
	if (acg_host_swap_total() == 0) {
		fprintf(stderr, "skip: no swap: anonymous memory above memory.high cannot be "
				"reclaimed, only delayed\n");
		skip();
	}
	assert_int_equal(acg_cg_set(s->cg, ACG_CTL_HIGH, 32 * MiB), 0);
	c = start_child(s, 96 * MiB);
	assert_true(th_child_allocated(c, LIVENESS_MS * 4));
	assert_int_equal(acg_cg_events(s->cg, &ev), 0);
	assert_true(ev.has & ACG_EV_HIGH);
	assert_true(ev.high > 0);
	assert_int_equal(ev.oom_kill, 0);
	assert_int_equal(acg_cg_usage(s->cg, &usage), 0);
	assert_true(th_within("usage under memory.high", usage, 32 * MiB, 25));
	/* the throttling is visible as memory pressure on the session */
	assert_int_equal(acg_cg_psi(s->cg, &psi), 0);
	assert_true(psi.some.total_us > 0);
	status = reap(c);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * memory.low: under its parent's limit, a protected session keeps its memory while an
 * unprotected one of the same size, allocated at the same time, gives it up.
 */
static void test_low_protection(void **state)
{
	struct session *s = SESSION(state);
	struct acg_cg *prot = NULL, *unprot = NULL, *hog = NULL;
	struct th_child *a, *b, *c;
	uint64_t ua = 0, ub = 0, low_events = 1;
	struct acg_mem_events ev;

	need_ctl(s, ACG_CTL_LOW);
	if (acg_host_swap_total() == 0) {
		fprintf(stderr, "skip: no swap: unprotected anonymous memory cannot be reclaimed "
				"either\n");
		skip();
	}
	assert_int_equal(acg_cg_set(s->cg, ACG_CTL_MAX, 160 * MiB), 0);
	assert_int_equal(acg_cg_child(s->cg, "protected", true, &prot), 0);
	assert_int_equal(acg_cg_child(s->cg, "unprotected", true, &unprot), 0);
	assert_int_equal(acg_cg_child(s->cg, "hog", true, &hog), 0);
	assert_int_equal(acg_cg_set(prot, ACG_CTL_LOW, 64 * MiB), 0);

	a = start_child_in(s, prot, 64 * MiB);
	b = start_child_in(s, unprot, 64 * MiB);
	if (th_child_allocated(a, LIVENESS_MS) && th_child_allocated(b, LIVENESS_MS)) {
		c = start_child_in(s, hog, 128 * MiB);
		if (th_child_allocated(c, LIVENESS_MS * 4)) {
			acg_cg_usage(prot, &ua);
			acg_cg_usage(unprot, &ub);
			if (acg_cg_events(prot, &ev) == 0)
				low_events = ev.low;
		}
	}
	acg_cg_free(prot);
	acg_cg_free(unprot);
	acg_cg_free(hog);
	fprintf(stderr, "protected %llu MiB, unprotected %llu MiB\n",
		(unsigned long long)(ua / MiB), (unsigned long long)(ub / MiB));
	assert_true(th_within("protected usage", ua, 64 * MiB, 10));
	assert_true(ub + 16 * MiB < ua);
	/* memory.events low counts reclaim of protected memory: there was none */
	assert_int_equal(low_events, 0);
}

static bool psi_fired(int fd)
{
	struct pollfd pfd = {fd, POLLPRI, 0};

	return poll(&pfd, 1, LIVENESS_MS) == 1 && (pfd.revents & POLLPRI);
}

/*
 * PSI of a session: a trigger on its memory.pressure fires when its tasks stall on
 * memory. v2: the session's own file, stalls made by memory.high. Hybrid: the cgroup2
 * twin's file, stalls made by page-cache reclaim under the v1 limit.
 */
static void test_psi_trigger(void **state)
{
	struct session *s = SESSION(state);
	struct acg_psi psi;
	struct th_child *c;
	char path[256];
	int fd, r;
	bool fired;

	if (!acg_cg_has_psi(s->cg)) {
		fprintf(stderr, "skip: no memory.pressure for sessions (no PSI, or no cgroup2 "
				"mount on a v1 host)\n");
		skip();
	}
	/* a 2 s window is accepted with or without CAP_SYS_RESOURCE */
	r = acg_cg_psi_trigger(s->cg, false, 10000, 2000000, &fd);
	assert_int_equal(r, 0);
	if (acg_cg_version(s->cg) == 2) {
		if (acg_host_swap_total() == 0) {
			close(fd);
			fprintf(stderr, "skip: no swap to make memory.high reclaim stall\n");
			skip();
		}
		assert_int_equal(acg_cg_set(s->cg, ACG_CTL_HIGH, 16 * MiB), 0);
		c = start_child(s, 64 * MiB);
	} else {
		const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";

		snprintf(path, sizeof(path), "%s/agentcg-test-%d.churn", dir, (int)getpid());
		assert_int_equal(acg_cg_set(s->cg, ACG_CTL_MAX, 16 * MiB), 0);
		r = th_child_start_file(s->cg, path, 64 * MiB, &s->kids[s->nkids]);
		assert_int_equal(r, 0);
		c = &s->kids[s->nkids++];
	}
	fired = psi_fired(fd);
	close(fd);
	reap(c);
	if (acg_cg_version(s->cg) == 1)
		unlink(path);
	assert_true(fired);
	assert_int_equal(acg_cg_psi(s->cg, &psi), 0);
	assert_true(psi.some.total_us > 0);
}

/* `agentcg check`'s facts agree with the tree we could build (and with the VM's setup). */
static void test_host_probe(void **state)
{
	const char *expect_v = getenv("AGENTCG_EXPECT_MEMCG");
	const char *expect_mode = getenv("AGENTCG_EXPECT_MODE");
	const struct acg_strategy *high;
	struct acg_host h;
	const char *why = NULL;

	(void)state;
	if (skip_all) {
		fprintf(stderr, "skip: %s\n", skip_all);
		skip();
	}
	acg_host_probe(&h);
	assert_int_equal(h.mounts_err, 0);
	assert_int_equal(h.mounts.mem_version, acg_cg_version(root));
	if (expect_v)
		assert_int_equal(h.mounts.mem_version, atoi(expect_v));
	if (expect_mode)
		assert_string_equal(acg_cgmode_name(h.mounts.mode), expect_mode);
	/* the kernel takes 500 ms windows only with CAP_SYS_RESOURCE, else multiples of 2 s */
	if (h.psi)
		assert_int_equal(h.psi_min_window_ms, h.cap_sys_resource ? 500 : 2000);
	/* sessions get PSI on v2, and on hybrid hosts through the cgroup2 twin */
	assert_int_equal(h.psi_cgroup, h.psi && h.mounts.v2_path[0]);
	assert_int_equal(h.psi_cgroup, acg_cg_has_psi(root));
	high = acg_strategy_find("high");
	assert_non_null(high);
	assert_int_equal(high->supported(&h, &why), h.mounts.mem_version == 2);
	assert_int_equal(acg_strategy_find("dynamic")->supported(&h, &why),
			 h.mounts.mem_version != 0);
	/* bpf runs where the kernel's BTF has the memcg struct_ops: no stock kernel, but the
	 * lab kernel (make kernel-lab) in the VM tier */
	assert_int_equal(acg_strategy_find("bpf")->supported(&h, &why),
			 h.memcg_bpf_ops && h.mounts.mem_version == 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tree_lifecycle, session_setup,
						session_teardown),
		cmocka_unit_test_setup_teardown(test_oom_kill_counted, session_setup,
						session_teardown),
		cmocka_unit_test_setup_teardown(test_oom_pause_resume, session_setup,
						session_teardown),
		cmocka_unit_test_setup_teardown(test_notify, session_setup, session_teardown),
		cmocka_unit_test_setup_teardown(test_oom_kick, session_setup, session_teardown),
		cmocka_unit_test_setup_teardown(test_freeze_thaw, session_setup, session_teardown),
		cmocka_unit_test_setup_teardown(test_kill_all, session_setup, session_teardown),
		cmocka_unit_test_setup_teardown(test_pin, session_setup, session_teardown),
		cmocka_unit_test_setup_teardown(test_high_throttle, session_setup,
						session_teardown),
		cmocka_unit_test_setup_teardown(test_low_protection, session_setup,
						session_teardown),
		cmocka_unit_test_setup_teardown(test_psi_trigger, session_setup, session_teardown),
		cmocka_unit_test(test_host_probe),
	};

	th_init();
	return cmocka_run_group_tests_name("live", tests, group_setup, group_teardown);
}
