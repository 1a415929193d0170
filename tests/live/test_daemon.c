// SPDX-License-Identifier: GPL-2.0
/*
 * test_daemon.c: live tier (root). `agentcg daemon` as a process: a LOW session is held
 * while a HIGH one needs the memory (the kernel shows its clamp); whatever ends the
 * controller or its guard, the tree goes back to the kernel's defaults; only both killed
 * at once leave the clamp, which a new daemon releases at start; SIGTERM ends it with
 * every control undone and exit code 0; HIGH alone past the budget is not a hang. Every
 * log line has its wall-clock time, and the start line the budget.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgroup.h"
#include "clock.h"
#include "fsutil.h"
#include "helpers.h"
#include "host.h"
#include "mounts.h"
#include "schema.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AGENTCG_BIN
#define AGENTCG_BIN "build/agentcg"
#endif

extern char **environ;

static struct acg_mounts mounts;
static struct acg_cg *root;
static char root_name[64], log_path[128];
static pid_t daemons[2];

/* A daemon on the test's root with a 300 MiB budget, and extra's options (NULL-ended). */
static pid_t start_daemon_with(const char *const *extra)
{
	const char *bin = getenv("AGENTCG_BIN") ? getenv("AGENTCG_BIN") : AGENTCG_BIN;
	char *argv[16] = {(char *)bin,	 "daemon", "--root", root_name,
			  "--budget-mb", "300",	   "--log",  log_path};
	size_t n = 8;
	pid_t pid;

	for (; extra && *extra && n < 15; extra++)
		argv[n++] = (char *)*extra;
	argv[n] = NULL;
	if (posix_spawn(&pid, bin, NULL, NULL, argv, environ) != 0)
		return -1;
	return pid;
}

static pid_t start_daemon(void)
{
	return start_daemon_with(NULL);
}

/* The same daemon with --config path. */
static pid_t start_daemon_config(const char *path)
{
	const char *extra[] = {"--config", path, NULL};

	return start_daemon_with(extra);
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

/* Released: no clamp, and not frozen (v2 freezes a LOW session that creeps). */
static bool released(void *arg)
{
	uint64_t v = 0;
	bool frozen = false;

	if (acg_cg_frozen(arg, &frozen) == 0 && frozen)
		return false;
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
static void held_pair_with(struct acg_cg **lo, struct acg_cg **hi, struct th_child *a,
			   struct th_child *b, const char *const *extra)
{
	open_root();
	assert_int_equal(acg_cg_child(root, "low-a", true, lo), 0);
	assert_int_equal(acg_cg_child(root, "high-b", true, hi), 0);
	if (acg_ctl_file(mounts.mem_version, ACG_CTL_SWAP_MAX, NULL)) {
		acg_cg_set(*lo, ACG_CTL_SWAP_MAX, 0);
		acg_cg_set(*hi, ACG_CTL_SWAP_MAX, 0);
	}
	daemons[0] = start_daemon_with(extra);
	assert_true(daemons[0] > 0);
	assert_int_equal(th_child_start(*lo, 100 * MiB, a), 0);
	assert_true(th_child_allocated(a, 30000));
	assert_int_equal(th_child_start(*hi, 170 * MiB, b), 0);
	assert_true(th_child_allocated(b, 30000));
	assert_true(th_wait_for(clamped, *lo, 30000));
}

static void held_pair(struct acg_cg **lo, struct acg_cg **hi, struct th_child *a,
		      struct th_child *b)
{
	held_pair_with(lo, hi, a, b, NULL);
}

/*
 * Every line of the daemon's log, lifecycle event or decision, has "time": its "t" on the
 * wall clock, ISO 8601 in UTC with milliseconds ("2026-11-29T01:12:14.123Z"), within ten
 * minutes before now, and one offset from "t" for all lines; every start line carries the
 * budget (with want_start, a start line must be there). With want_decision a decision (an "action") must be among them.
 */
static void check_log(uint64_t budget, bool want_start, bool want_decision)
{
	char *text = NULL, *line, *save = NULL;
	size_t starts = 0, decisions = 0;
	double offset = NAN;
	time_t now = time(NULL);

	assert_int_equal(acg_read_text(log_path, &text), 0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(line, 0, NULL);
		const char *iso = json_string_value(json_object_get(j, "time")), *ev;
		struct tm tm = {0};
		char *rest = NULL;
		double wall;
		time_t t;

		if (!j || !json_is_number(json_object_get(j, "t")))
			fail_msg("not a log line with \"t\": %s", line);
		if (iso)
			rest = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);
		if (!rest || rest[0] != '.' || !isdigit((unsigned char)rest[1]) ||
		    !isdigit((unsigned char)rest[2]) || !isdigit((unsigned char)rest[3]) ||
		    strcmp(rest + 4, "Z") != 0)
			fail_msg("\"time\" is not ISO 8601 UTC with milliseconds: %s", line);
		t = timegm(&tm);
		if (t < now - 600 || t > now + 5)
			fail_msg("\"time\" is not now: %s", line);
		wall = (double)t + atoi(rest + 1) / 1000.0;
		if (isnan(offset))
			offset = wall - json_number_value(json_object_get(j, "t"));
		if (fabs(wall - json_number_value(json_object_get(j, "t")) - offset) > 0.05)
			fail_msg("\"time\" is not \"t\" on the wall clock: %s", line);
		ev = json_string_value(json_object_get(j, "event"));
		if (ev && strcmp(ev, "start") == 0) {
			starts++;
			if (json_integer_value(json_object_get(j, "budget_bytes")) !=
			    (json_int_t)budget)
				fail_msg("the start line lacks the budget: %s", line);
		}
		decisions += json_object_get(j, "action") != NULL;
		json_decref(j);
	}
	free(text);
	if (want_start)
		assert_true(starts >= 1);
	if (want_decision)
		assert_true(decisions >= 1);
}

/* LOW's threads yield the CPU to HIGH: nice 19 and the idle scheduling policy */
static bool niced(void *arg)
{
	pid_t pid = *(pid_t *)arg;

	errno = 0;
	return getpriority(PRIO_PROCESS, (id_t)pid) == 19 && !errno &&
	       sched_getscheduler(pid) == SCHED_IDLE;
}

/* given its own nice and scheduling policy back */
static void assert_unniced(pid_t pid)
{
	assert_int_equal(getpriority(PRIO_PROCESS, (id_t)pid), 0);
	assert_int_equal(sched_getscheduler(pid), SCHED_OTHER);
}

static bool log_has(const char *what)
{
	char *text = NULL;
	bool yes = acg_read_text(log_path, &text) == 0 && strstr(text, what);

	free(text);
	return yes;
}

static bool log_has_cond(void *arg)
{
	return log_has(arg);
}

/* The daemon's controller: the child of its guard (the pid the daemon was started as). */
static pid_t controller_of(pid_t guard)
{
	char path[64], *text = NULL;
	pid_t pid = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)guard, (int)guard);
	if (acg_read_text(path, &text) == 0)
		pid = (pid_t)atoi(text);
	free(text);
	return pid;
}

/*
 * The controller the daemon's log names (its "controller" line, the last one: a restarted
 * daemon logs anew), 0 before it is logged. The children file above can come back empty
 * while the controller runs (seen once in the VM tier under TCG and ASan, the controller
 * alive and acting); the log is the daemon's own word.
 */
static pid_t controller_in_log(void)
{
	char *text = NULL, *line, *save = NULL;
	pid_t pid = 0;

	if (acg_read_text(log_path, &text) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(line, 0, NULL);
		const char *ev = json_string_value(json_object_get(j, "event"));

		if (ev && strcmp(ev, "controller") == 0 &&
		    json_is_integer(json_object_get(j, "pid")))
			pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
		json_decref(j);
	}
	free(text);
	return pid;
}

static bool has_controller(void *arg)
{
	return controller_of(*(pid_t *)arg) > 0;
}

/* gone, or a zombie waiting for init: it acts no more */
static bool process_gone(void *arg)
{
	char path[64], *text = NULL, *p;
	bool gone;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)*(pid_t *)arg);
	if (acg_read_text(path, &text) < 0)
		return true;
	p = strrchr(text, ')');
	gone = p && p[1] == ' ' && p[2] == 'Z';
	free(text);
	return gone;
}

static bool oom_adjusted(void *arg);

/* v1: the OOM killer is on again in both the root and the session (kernel defaults) */
static void assert_oom_killer_on(struct acg_cg *lo)
{
	uint64_t v = 1;

	if (mounts.mem_version != 1)
		return;
	assert_int_equal(acg_cg_get(lo, ACG_CTL_OOM_PAUSE, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(acg_cg_get(root, ACG_CTL_OOM_PAUSE, &v), 0);
	assert_int_equal(v, 0);
}

/*
 * A daemon over the held pair, killed with its controller at once (the guard stopped
 * first, so it cannot act): the clamp stays.
 */
static void kill_both_when_clamped(struct acg_cg *lo)
{
	pid_t d, ctl;
	int status;

	d = daemons[0] = start_daemon();
	assert_true(d > 0);
	assert_true(th_wait_for(clamped, lo, 30000));
	assert_true(th_wait_for(has_controller, &d, 30000));
	ctl = controller_of(d);
	assert_true(ctl > 0);
	kill(d, SIGSTOP);
	kill(ctl, SIGKILL);
	kill(d, SIGKILL);
	waitpid(d, &status, 0);
	daemons[0] = 0;
	assert_true(th_wait_for(process_gone, &ctl, 30000));
	assert_true(clamped(lo));
}

/*
 * Fail safe. The controller SIGKILLed: its guard puts the tree back to the kernel's
 * defaults (clamp, OOM killer, nice, oom_score_adj) and exits 1. The guard SIGKILLed: the
 * controller stops cleanly. Both killed at once (the guard stopped first, so it cannot
 * act): the clamp stays, and `daemon --release` or a new daemon at its start releases it.
 * SIGHUP opens the log anew. SIGTERM: exit 0, nothing
 * held. A second daemon on the same root is refused while one runs.
 */
static void test_crash_and_restart(void **state)
{
	struct acg_cg *lo = NULL, *hi = NULL;
	struct th_child a = {0}, b = {0};
	pid_t d, ctl, other;
	int status;

	(void)state;
	/* LOW holds 100 MiB; HIGH takes 170 MiB of the 300: LOW must be held */
	held_pair(&lo, &hi, &a, &b);
	d = daemons[0];
	assert_false(clamped(hi));
	/* HIGH first on the CPU too: LOW's threads are reniced, HIGH's are not */
	assert_true(th_wait_for(niced, &a.pid, 30000));
	assert_true(th_wait_for(oom_adjusted, &a.pid, 30000));
	assert_unniced(b.pid);
	/* v2: HIGH protected, and a kernel OOM kill takes a whole session */
	if (mounts.mem_version == 2) {
		uint64_t v = 0;

		assert_int_equal(acg_cg_get(hi, ACG_CTL_LOW, &v), 0);
		assert_true(v == 300 * MiB);
		assert_int_equal(acg_cg_get(lo, ACG_CTL_OOM_GROUP, &v), 0);
		assert_int_equal(v, 1);
	}

	/* one daemon per root */
	other = daemons[1] = start_daemon();
	assert_true(other > 0);
	waitpid(other, &status, 0);
	daemons[1] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);

	/* the controller dies: its guard releases everything and exits 1 */
	assert_true(th_wait_for(has_controller, &d, 30000));
	ctl = controller_of(d);
	assert_true(ctl > 0);
	kill(ctl, SIGKILL);
	waitpid(d, &status, 0);
	daemons[0] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	assert_true(released(lo));
	assert_oom_killer_on(lo);
	assert_unniced(a.pid);
	assert_false(oom_adjusted(&a.pid));

	/* the guard dies: the controller stops cleanly, releasing everything */
	d = daemons[0] = start_daemon();
	assert_true(d > 0);
	assert_true(th_wait_for(clamped, lo, 30000));
	assert_true(th_wait_for(has_controller, &d, 30000));
	ctl = controller_of(d);
	kill(d, SIGKILL);
	waitpid(d, &status, 0);
	daemons[0] = 0;
	assert_true(th_wait_for(process_gone, &ctl, 30000));
	assert_true(released(lo));
	assert_oom_killer_on(lo);

	/* both at once: nothing is left to act, so the clamp stays ... */
	kill_both_when_clamped(lo);
	/* ... until `daemon --release` releases it ... */
	{
		const char *bin = getenv("AGENTCG_BIN") ? getenv("AGENTCG_BIN") : AGENTCG_BIN;
		char *argv[] = {(char *)bin, "daemon", "--root",    root_name,
				"--log",     log_path, "--release", NULL};
		pid_t p;

		assert_int_equal(posix_spawn(&p, bin, NULL, NULL, argv, environ), 0);
		waitpid(p, &status, 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		assert_true(released(lo));
		assert_oom_killer_on(lo);
	}
	/* ... or a new daemon at its start */
	kill_both_when_clamped(lo);
	/* ... until a new daemon releases what the old one left (HIGH is done) */
	th_child_reap(&b);
	d = daemons[1] = start_daemon();
	assert_true(d > 0);
	assert_true(th_wait_for(released, lo, 30000));

	/* SIGHUP (logrotate): the log is opened anew, the daemon goes on */
	{
		char old[160];

		snprintf(old, sizeof(old), "%s.old", log_path);
		/* every daemon's lines so far (the hold among them) have their wall-clock time */
		check_log(300 * MiB, true, true);
		assert_int_equal(rename(log_path, old), 0);
		kill(d, SIGHUP);
		assert_true(th_wait_for(log_has_cond, "\"log-reopened\"", 30000));
		assert_true(waitpid(d, &status, WNOHANG) == 0);
		unlink(old);
	}

	/* SIGTERM: exit 0, nothing held, the OOM killer back on (v1) */
	kill(d, SIGTERM);
	waitpid(d, &status, 0);
	daemons[1] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(released(lo));
	assert_oom_killer_on(lo);
	/* v2: nothing of the daemon's is left (HIGH's protection, the OOM grouping) */
	if (mounts.mem_version == 2) {
		uint64_t v = 1;

		assert_int_equal(acg_cg_get(hi, ACG_CTL_LOW, &v), 0);
		assert_int_equal(v, 0);
		assert_int_equal(acg_cg_get(lo, ACG_CTL_OOM_GROUP, &v), 0);
		assert_int_equal(v, 0);
	}
	th_child_reap(&a);
	acg_cg_free(lo);
	acg_cg_free(hi);
	/* and the new log's lines too */
	check_log(300 * MiB, false, false);
}

struct dead {
	pid_t pid;
	int status;
};

static bool dead(void *arg)
{
	struct dead *x = arg;

	return waitpid(x->pid, &x->status, WNOHANG) == x->pid;
}

static bool under_oom(void *arg)
{
	struct acg_mem_events ev;

	return acg_cg_events(arg, &ev) == 0 && ev.under_oom;
}

/*
 * HIGH alone past the budget, with no LOW session to hold or kill, is not a hang: on v1
 * (where the daemon turns the root's OOM killer off) the controller turns it back on after
 * a second and the kernel kills HIGH's task; and when the controller is SIGKILLed while
 * HIGH waits, its guard turns it on. v2 never pauses the OOM killer.
 */
static void test_high_alone_over_budget(void **state)
{
	struct acg_cg *hi = NULL;
	struct th_child b = {0};
	struct acg_mem_events ev;
	struct dead x;
	pid_t d;
	int status;

	(void)state;
	open_root();
	assert_int_equal(acg_cg_child(root, "high-big", true, &hi), 0);
	if (acg_ctl_file(mounts.mem_version, ACG_CTL_SWAP_MAX, NULL))
		acg_cg_set(hi, ACG_CTL_SWAP_MAX, 0);
	for (int round = 0; round < 2; round++) {
		d = daemons[0] = start_daemon();
		assert_true(d > 0);
		assert_true(th_wait_for(has_controller, &d, 30000));
		/* the controller has set the tree up once it logged its start */
		assert_true(th_wait_for(log_has_cond, "\"controller\"", 30000));
		assert_int_equal(th_child_start(hi, 400 * MiB, &b), 0);
		if (round == 0) {
			pid_t ctl = controller_of(d);

			/* round 0: the controller dies while HIGH waits at the root's limit */
			assert_true(ctl > 0);
			if (mounts.mem_version == 1)
				assert_true(th_wait_for(under_oom, root, 30000));
			kill(ctl, SIGKILL);
			waitpid(d, &status, 0);
			daemons[0] = 0;
			assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
		}
		/* HIGH's task is killed by the kernel, not left waiting */
		x.pid = b.pid;
		assert_true(th_wait_for(dead, &x, 30000));
		assert_true(WIFSIGNALED(x.status) && WTERMSIG(x.status) == SIGKILL);
		b.pid = 0;
		close(b.go_fd);
		close(b.done_fd);
		assert_int_equal(acg_cg_events(hi, &ev), 0);
		assert_true(ev.oom_kill >= (uint64_t)round + 1);
		if (round == 1) {
			if (mounts.mem_version == 1)
				assert_true(log_has("\"oom-killer-on\""));
			kill(d, SIGTERM);
			waitpid(d, &status, 0);
			daemons[0] = 0;
			assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		}
	}
	acg_cg_free(hi);
}

static bool oom_adjusted(void *arg)
{
	char path[64], *text = NULL;
	bool yes;

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)*(pid_t *)arg);
	if (acg_read_text(path, &text) < 0)
		return false;
	yes = atoi(text) == 500;
	free(text);
	return yes;
}

/*
 * A LOW session's threads are reniced and its processes' oom_score_adj raised while
 * managed, and given their own values back when the daemon stops.
 */
static void test_renice_restored(void **state)
{
	struct acg_cg *lo = NULL;
	struct th_child a = {0};
	int status;

	(void)state;
	open_root();
	assert_int_equal(acg_cg_child(root, "low-n", true, &lo), 0);
	daemons[0] = start_daemon();
	assert_true(daemons[0] > 0);
	assert_int_equal(th_child_start(lo, 8 * MiB, &a), 0);
	assert_true(th_child_allocated(&a, 30000));
	assert_true(th_wait_for(niced, &a.pid, 30000));
	/* and first to go if the kernel's OOM killer must act */
	assert_true(th_wait_for(oom_adjusted, &a.pid, 30000));
	kill(daemons[0], SIGTERM);
	waitpid(daemons[0], &status, 0);
	daemons[0] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_unniced(a.pid);
	assert_false(oom_adjusted(&a.pid));
	th_child_reap(&a);
	acg_cg_free(lo);
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

/*
 * A LOW session replaced under the same name within one period (its process killed, its
 * cgroup removed and made again, as `while :; do agentcg run --priority low --name w --
 * job; done` does): the new cgroup is a new session, managed (its process reniced, its
 * limit clamped while HIGH needs the room), not mistaken for the old one. The period is
 * 3 s so the replacement surely falls within one: the daemon knew sessions by name, and
 * saw the same set, and the new cgroup stayed unclamped for good.
 */
static void test_session_replaced_same_name(void **state)
{
	static const char *const slow[] = {"--interval-ms", "3000", NULL};
	struct acg_cg *lo = NULL, *hi = NULL;
	struct th_child a = {0}, b = {0}, c = {0};
	int status;
	pid_t d;

	(void)state;
	open_root();
	assert_int_equal(acg_cg_child(root, "low-a", true, &lo), 0);
	assert_int_equal(acg_cg_child(root, "high-b", true, &hi), 0);
	if (acg_ctl_file(mounts.mem_version, ACG_CTL_SWAP_MAX, NULL)) {
		acg_cg_set(lo, ACG_CTL_SWAP_MAX, 0);
		acg_cg_set(hi, ACG_CTL_SWAP_MAX, 0);
	}
	d = daemons[0] = start_daemon_with(slow);
	assert_true(d > 0);
	assert_int_equal(th_child_start(lo, 100 * MiB, &a), 0);
	assert_true(th_child_allocated(&a, 30000));
	assert_int_equal(th_child_start(hi, 170 * MiB, &b), 0);
	assert_true(th_child_allocated(&b, 30000));
	assert_true(th_wait_for(clamped, lo, 30000));
	assert_true(th_wait_for(niced, &a.pid, 30000));

	/* replaced at once: killed, removed, made again under the same name */
	kill(a.pid, SIGKILL);
	th_child_reap(&a);
	assert_int_equal(acg_cg_remove(lo), 0);
	acg_cg_free(lo);
	lo = NULL;
	assert_int_equal(acg_cg_child(root, "low-a", true, &lo), 0);
	assert_false(clamped(lo));
	if (acg_ctl_file(mounts.mem_version, ACG_CTL_SWAP_MAX, NULL))
		acg_cg_set(lo, ACG_CTL_SWAP_MAX, 0);
	assert_int_equal(th_child_start(lo, 100 * MiB, &c), 0);

	/* the new cgroup is managed: its task reniced, its limit clamped (the daemon sees it
	 * as it is made, before the period is over: beside HIGH it is held at its start, and
	 * its allocation completes once the daemon is gone) */
	assert_true(th_wait_for(niced, &c.pid, 30000));
	assert_true(th_wait_for(clamped, lo, 30000));
	/* and the log says it is a new session: either both changes were seen in one look
	 * ("a new cgroup under an old session's name"), or the removal first (session-gone)
	 * and then the new cgroup (a second session-new for low-a) */
	{
		char *text = NULL, *p;
		int news = 0;

		assert_int_equal(acg_read_text(log_path, &text), 0);
		for (p = text; (p = strstr(p, "\"event\":\"session-new\",\"session\":\"low-a\""));
		     p++)
			news++;
		if (!strstr(text, "a new cgroup under an old session's name") &&
		    !(news >= 2 &&
		      strstr(text, "\"event\":\"session-gone\",\"session\":\"low-a\"")))
			fail_msg("the log does not say low-a was made again as a new session");
		free(text);
	}
	assert_int_equal(waitpid(d, &status, WNOHANG), 0);
	kill(d, SIGTERM);
	waitpid(d, &status, 0);
	daemons[0] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(released(lo));
	th_child_reap(&c);
	th_child_reap(&b);
	acg_cg_free(lo);
	acg_cg_free(hi);
}

/*
 * A session is seen as its cgroup is made, not at the next period: with a period of 10 s,
 * a LOW session made after the daemon's first look is logged as new (and set up) well
 * within 5 s (inotify on the root; before, the set was read once a period, so it took up
 * to 10 s), and one removed is logged as gone as soon.
 */
static void test_session_seen_at_once(void **state)
{
	static const char *const slow[] = {"--interval-ms", "10000", NULL};
	struct acg_cg *lo = NULL;
	int status, fd;
	pid_t d;

	(void)state;
	/* a kernel without inotify (CONFIG_INOTIFY_USER) cannot: the daemon reads the set
	 * every period there (any other failure of its watch is a failure here) */
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0 && errno == ENOSYS) {
		fprintf(stderr, "skip: this kernel has no inotify: the daemon reads the session "
				"set every period\n");
		skip();
	}
	if (fd >= 0)
		close(fd);
	open_root();
	d = daemons[0] = start_daemon_with(slow);
	assert_true(d > 0);
	/* its first look is over once it has released what was there (nothing) */
	assert_true(th_wait_for(log_has_cond, "\"event\":\"controller\"", 30000));
	sleep(1);
	assert_int_equal(acg_cg_child(root, "low-z", true, &lo), 0);
	if (!th_wait_for(log_has_cond, "\"event\":\"session-new\",\"session\":\"low-z\"", 5000))
		fail_msg("a session made under the root was not seen within 5 s (period 10 s)");
	assert_int_equal(acg_cg_remove(lo), 0);
	if (!th_wait_for(log_has_cond, "\"event\":\"session-gone\",\"session\":\"low-z\"", 5000))
		fail_msg("a session removed was not seen gone within 5 s (period 10 s)");
	kill(d, SIGTERM);
	waitpid(d, &status, 0);
	daemons[0] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	acg_cg_free(lo);
}

/* `agentcg ARGS...` (NULL-ended), its stdout to out (may be NULL); started, not waited for. */
static pid_t spawn_agentcg(const char *out, const char *const *args)
{
	const char *bin = getenv("AGENTCG_BIN") ? getenv("AGENTCG_BIN") : AGENTCG_BIN;
	char *argv[32] = {(char *)bin};
	posix_spawn_file_actions_t fa;
	size_t n = 1;
	pid_t pid;
	int r;

	for (; *args && n < 31; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	if (out)
		posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	r = posix_spawn(&pid, bin, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return r == 0 ? pid : -1;
}

static int wait_status(pid_t pid)
{
	int status = -1;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/*
 * End to end, as a user meets it. A daemon started with --config: the file's budget
 * replaces --budget-mb (the root's hard limit is the config's 200 MiB, the start line says
 * "config"), and its low_nice is what LOW tasks get. `agentcg run` under that daemon: the
 * agent of a LOW session sees its own nice become the config's 7 (the daemon found and
 * managed the session), and run exits with the agent's code (3), 128+N when the agent died
 * of signal N, and forwards SIGTERM to the agent (which exits 42 from its trap).
 */
static void test_config_and_run(void **state)
{
	static const char nice_script[] =
		"for i in $(seq 300); do n=$(cut -d' ' -f19 /proc/$$/stat); "
		"[ \"$n\" = 7 ] && break; sleep 0.1; done; echo \"nice=$n\"; exit 3";
	char cfg[128], out[128], ready[128], trap_script[400], *text = NULL;
	const char *cfg_args[] = {"--config", cfg, "--interval-ms", "50", NULL};
	uint64_t limit = 0;
	int status;
	pid_t d, r;

	(void)state;
	open_root();
	snprintf(cfg, sizeof(cfg), "/tmp/%s-daemon.json", root_name);
	snprintf(out, sizeof(out), "/tmp/%s-run.out", root_name);
	snprintf(ready, sizeof(ready), "/tmp/%s-ready", root_name);
	unlink(ready);
	{
		FILE *f = fopen(cfg, "w");

		assert_non_null(f);
		fputs("{\"budget_mb\": 200, \"low_nice\": 7, \"interval_ms\": 20}\n", f);
		assert_int_equal(fclose(f), 0);
	}
	d = daemons[0] = start_daemon_with(cfg_args);
	assert_true(d > 0);
	assert_true(th_wait_for(log_has_cond, "\"event\":\"controller\"", 30000));
	/* the config's keys replace the options given with them */
	assert_true(log_has("\"budget_bytes\":209715200,\"budget_from\":\"config\","
			    "\"interval_ms\":20"));
	assert_true(log_has("\"low_nice\":7"));
	assert_int_equal(acg_cg_get(root, ACG_CTL_MAX, &limit), 0);
	assert_int_equal(limit, 200 * MiB);

	/* a LOW agent under the daemon: managed (the config's nice), its exit code passed on */
	{
		const char *args[] = {"run",	"--root", root_name,   "--priority", "low",
				      "--name", "w",	  "--user",    "nobody",     "--",
				      "sh",	"-c",	  nice_script, NULL};

		r = spawn_agentcg(out, args);
		assert_true(r > 0);
		status = wait_status(r);
		assert_int_equal(acg_read_text(out, &text), 0);
		fprintf(stderr, "run under the daemon: %s", text);
		assert_non_null(strstr(text, "nice=7\n"));
		free(text);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 3);
	}
	/* an agent killed by a signal: 128 + N */
	{
		const char *args[] = {"run",	"--root", root_name,	"--priority", "high",
				      "--name", "k",	  "--user",	"nobody",     "--",
				      "sh",	"-c",	  "kill -9 $$", NULL};

		status = wait_status(spawn_agentcg(NULL, args));
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 128 + SIGKILL);
	}
	/* SIGTERM to run reaches the agent, whose trap decides the exit code */
	snprintf(trap_script, sizeof(trap_script),
		 "trap 'exit 42' TERM; touch %s; while :; do sleep 0.05; done", ready);
	{
		const char *args[] = {"run",	"--root", root_name,   "--priority", "high",
				      "--name", "t",	  "--user",    "nobody",     "--",
				      "sh",	"-c",	  trap_script, NULL};

		r = spawn_agentcg(NULL, args);
		assert_true(r > 0);
		for (int i = 0; i < 3000 && access(ready, F_OK) != 0; i++)
			usleep(10 * 1000);
		assert_int_equal(access(ready, F_OK), 0);
		kill(r, SIGTERM);
		status = wait_status(r);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 42);
	}
	assert_true(log_has("\"event\":\"session-new\",\"session\":\"low-w\""));
	kill(d, SIGTERM);
	waitpid(d, &status, 0);
	daemons[0] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	unlink(cfg);
	unlink(out);
	unlink(ready);
}

/* HIGH's cgroup carries the declared peak (run --peak-mb) as its xattr. */
static bool high_declares(void *arg)
{
	struct acg_cg *cg = NULL;
	uint64_t peak = 0;

	if (acg_cg_child(root, "high-h", false, &cg) < 0)
		return false;
	acg_cg_peak_get(cg, &peak);
	acg_cg_free(cg);
	return peak == *(uint64_t *)arg;
}

/*
 * run --peak-mb reaches the daemon. A HIGH session that idles (sleep) but declares 250 MiB
 * of the 300 MiB budget: a LOW session growing to 100 MiB beside it is held before HIGH has
 * grown at all, for the room kept for HIGH; without the declaration (HIGH holds about 1
 * MiB, 32 MiB kept) it would never be. A declaration that is not a number is refused.
 */
static void test_declared_peak(void **state)
{
	const char *bin = getenv("AGENTCG_BIN") ? getenv("AGENTCG_BIN") : AGENTCG_BIN;
	const char *d_args[] = {"--interval-ms", "20", NULL};
	const char *h_args[] = {"run",	  "--root", root_name, "--priority", "high",
				"--name", "h",	    "--user",  "root",	     "--peak-mb",
				"250",	  "--",	    "sleep",   "4",	     NULL};
	const char *l_args[] = {"run",	"--root", root_name, "--priority", "low", "--name",
				"l",	"--user", "root",    "--",	   bin,	  "stress",
				"--mb", "100",	  "--hold",  "1",	   NULL};
	uint64_t want = 250 * MiB;
	int status;
	pid_t d, h, l;

	(void)state;
	open_root();
	d = daemons[0] = start_daemon_with(d_args);
	assert_true(d > 0);
	assert_true(th_wait_for(log_has_cond, "\"event\":\"controller\"", 30000));
	h = spawn_agentcg(NULL, h_args);
	assert_true(h > 0);
	assert_true(th_wait_for(high_declares, &want, 10000));
	assert_true(th_wait_for(log_has_cond, "\"event\":\"session-new\",\"session\":\"high-h\"",
				10000));
	l = spawn_agentcg(NULL, l_args);
	assert_true(l > 0);
	assert_true(th_wait_for(log_has_cond, "\"session\":\"low-l\",\"action\":\"hold\"", 10000));
	/* held for HIGH's declaration: at its start, its expected peak beside HIGH's 250 MiB
	 * over the budget; or, once under way, the headroom short of what is kept for HIGH */
	if (!log_has("expected peaks with it") && !log_has("MiB kept for HIGH"))
		fail_msg("the LOW session's hold does not give HIGH's declared peak as its reason");
	status = wait_status(h);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	status = wait_status(l);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("the LOW session's run: wait status 0x%x", (unsigned)status);
	kill(d, SIGTERM);
	waitpid(d, &status, 0);
	daemons[0] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	{
		const char *bad[] = {"run",  "--root",	  root_name, "--priority", "high", "--user",
				     "root", "--peak-mb", "lots",    "--",	   "true", NULL};

		status = wait_status(spawn_agentcg(NULL, bad));
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 2);
	}
}

enum { MANY = 300 };

/* Every one of the MANY LOW sessions has the OOM setting the daemon gives it (arg: 1 or 0). */
static bool all_many_set(void *arg)
{
	uint64_t want = *(uint64_t *)arg;
	enum acg_ctl ctl = mounts.mem_version == 2 ? ACG_CTL_OOM_GROUP : ACG_CTL_OOM_PAUSE;

	for (int i = 0; i < MANY; i++) {
		struct acg_cg *cg = NULL;
		char name[32];
		uint64_t v = 2;

		snprintf(name, sizeof(name), "low-m%03d", i);
		if (acg_cg_child(root, name, false, &cg) < 0)
			return false;
		acg_cg_get(cg, ctl, &v);
		acg_cg_free(cg);
		if (v != want)
			return false;
	}
	return true;
}

/* A daemon as start_daemon() makes it, with at most nofile open files. */
static pid_t start_daemon_nofile(rlim_t nofile)
{
	const char *bin = getenv("AGENTCG_BIN") ? getenv("AGENTCG_BIN") : AGENTCG_BIN;
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit rl = {nofile, nofile};

		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			execl(bin, bin, "daemon", "--root", root_name, "--budget-mb", "300",
			      "--log", log_path, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/*
 * More sessions than the daemon once managed (256; the rest were dropped silently, in the
 * kernel's listing order, HIGH ones too): all 300 LOW sessions get their OOM setting (v1
 * oom_kill_disable, v2 memory.oom.group), and lose it again at SIGTERM. With too few file
 * descriptors to open them all, the daemon says in its log how many it cannot manage.
 */
static void test_many_sessions(void **state)
{
	uint64_t on = 1, off = 0;
	int status;
	pid_t d;

	(void)state;
	open_root();
	for (int i = 0; i < MANY; i++) {
		struct acg_cg *cg = NULL;
		char name[32];

		snprintf(name, sizeof(name), "low-m%03d", i);
		assert_int_equal(acg_cg_child(root, name, true, &cg), 0);
		acg_cg_free(cg);
	}
	assert_false(all_many_set(&on));
	d = daemons[0] = start_daemon();
	assert_true(d > 0);
	assert_true(th_wait_for(all_many_set, &on, 60000));
	assert_false(log_has("\"unmanaged\""));
	kill(d, SIGTERM);
	waitpid(d, &status, 0);
	daemons[0] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (mounts.mem_version == 1)
		assert_true(all_many_set(&off));

	/* 100 descriptors cannot hold 300 sessions' directories: said, not hidden. Not under
	 * valgrind: its setrlimit() in the forked child is valgrind's own, and the daemon it
	 * execs runs with the test's limit (seen in CI: every session managed) */
	if (getenv("AGENTCG_VALGRIND")) {
		fprintf(stderr, "valgrind: the file-descriptor half of this test is not run\n");
		return;
	}
	d = daemons[0] = start_daemon_nofile(100);
	assert_true(d > 0);
	assert_true(th_wait_for(log_has_cond, "\"event\":\"unmanaged\"", 30000));
	assert_true(log_has("session(s) NOT managed, cannot open them"));
	assert_int_equal(waitpid(d, &status, WNOHANG), 0);
	kill(d, SIGTERM);
	waitpid(d, &status, 0);
	daemons[0] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
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
/* One soak slot: a session's cgroup and its `agentcg stress` process. */
struct slot {
	struct acg_cg *cg;
	pid_t pid;
	char name[48], out[128];
};

static pid_t start_stress(struct slot *sl, int k, unsigned int *seed)
{
	const char *bin = getenv("AGENTCG_BIN") ? getenv("AGENTCG_BIN") : AGENTCG_BIN;
	char cgpath[128], hold[16];
	char *argv[] = {(char *)bin,  "stress", "--mb",		 "2",	  "--hold",	 hold,
			"--burst-mb", "5",	"--burst-every", "1",	  "--burst-for", "0.3",
			"--cgroup",   cgpath,	"--output",	 sl->out, NULL};
	pid_t pid;

	snprintf(hold, sizeof(hold), "%u", 2 + rand_r(seed) % 5);
	snprintf(cgpath, sizeof(cgpath), "%s/%s", root_name, sl->name);
	(void)k;
	if (posix_spawn(&pid, bin, NULL, NULL, argv, environ) != 0)
		return -1;
	return pid;
}

enum outcome { LOST, COMPLETED, KILLED, FAILED };

/*
 * A finished session's result: written, and completed, killed (by the policy) or failed
 * to start (on v1 a full budget refuses a new session's first kernel allocations).
 */
static enum outcome result_kept(const struct slot *sl)
{
	enum outcome o = LOST;
	char *text = NULL;

	if (acg_read_text(sl->out, &text) < 0)
		return LOST;
	if (strstr(text, "\"status\": \"completed\""))
		o = COMPLETED;
	else if (strstr(text, "\"status\": \"killed\""))
		o = KILLED;
	else if (strstr(text, "\"status\": \"failed\""))
		o = FAILED;
	free(text);
	unlink(sl->out);
	return o;
}

/* The soak's killed sessions, whose killer is looked up in the log once all have ended. */
struct kills {
	char (*names)[48];
	size_t n, cap;
	unsigned long by_policy; /* a LOW session killed with the policy's kill in the log */
	unsigned long other;	 /* killed with no such line: the kernel, or anyone else */
	unsigned long high;	 /* HIGH sessions killed, by anyone */
};

/* A finished session's outcome, counted; a killed one's name kept. */
static void account(const struct slot *sl, unsigned long *out, struct kills *k)
{
	enum outcome o = result_kept(sl);

	out[o]++;
	if (o != KILLED)
		return;
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 16;
		char(*v)[48] = realloc(k->names, cap * sizeof(*v));

		assert_non_null(v);
		k->names = v;
		k->cap = cap;
	}
	snprintf(k->names[k->n++], sizeof(k->names[0]), "%s", sl->name);
}

/* Whom the kills took, and by whose hand: the policy logs a kill before the session dies. */
static void who_killed(struct kills *k)
{
	for (size_t i = 0; i < k->n; i++) {
		char want[128];

		k->high += strncmp(k->names[i], "high-", 5) == 0;
		/* a decision line: "t", "time", then "session" and "action" */
		snprintf(want, sizeof(want), "\"session\":\"%s\",\"action\":\"kill\"", k->names[i]);
		if (log_has(want))
			k->by_policy++;
		else
			k->other++;
	}
	free(k->names);
	k->names = NULL;
}

/* From the daemon's log: its holds, kills and wake-ups, and any action on a HIGH session. */
struct soak_log {
	unsigned long holds, kills, wakes, on_high, oom_killer_on, died;
};

static void read_soak_log(struct soak_log *l)
{
	char *text = NULL, *line, *save = NULL;

	memset(l, 0, sizeof(*l));
	assert_int_equal(acg_read_text(log_path, &text), 0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(line, 0, NULL);
		const char *act = json_string_value(json_object_get(j, "action"));
		const char *ev = json_string_value(json_object_get(j, "event"));
		const char *who = json_string_value(json_object_get(j, "session"));

		/* the guard saw its controller die (a lifecycle event): say how */
		if (ev && strcmp(ev, "controller-died") == 0) {
			l->died++;
			fprintf(stderr, "daemon log: %s\n", line);
		}
		if (act) {
			l->holds += strcmp(act, "hold") == 0;
			l->kills += strcmp(act, "kill") == 0;
			l->wakes += strcmp(act, "wake") == 0;
			l->oom_killer_on += strcmp(act, "oom-killer-on") == 0;
			/* HIGH keeps allocating: never held, frozen, clamped or killed */
			if (who && strncmp(who, "high-", 5) == 0)
				l->on_high++;
		}
		json_decref(j);
	}
	free(text);
}

/*
 * The soak: 64 concurrent sessions (16 HIGH, 48 LOW), each an `agentcg stress` of 2 MiB
 * bursting to 5 MiB for 0.3 s every second for 2 to 6 s, replaced as it ends, for
 * AGENTCG_SOAK_SECONDS (default 10; `make soak` runs 600) under a daemon with a 300 MiB
 * budget that 64 bursting sessions (and their processes' own memory) overrun. Asserts:
 * every session's result is written (completed, killed by the policy, or refused at start
 * by a full budget), none is left stuck once the churn stops, the daemon stays up and its
 * RSS flat, SIGTERM leaves nothing clamped and exits 0, no session cgroup is left.
 */
static void test_64_sessions_churn(void **state)
{
	enum { N = 64 };
	struct slot sl[N];
	const char *soak = getenv("AGENTCG_SOAK_SECONDS");
	double secs = soak ? atof(soak) : 10, t0, t_early = 0;
	unsigned long started = 0, deferred = 0, stuck = 0, out[4] = {0};
	struct kills kills = {0};
	struct soak_log l;
	uint64_t rss_early = 0, rss_late = 0, usage = 0, peak = 0;
	pid_t ctl_early = 0, ctl_late = 0;
	char profile[PATH_MAX];
	unsigned int seed = 1;
	char **left = NULL;
	size_t n_left = 0;
	int status, r;
	pid_t d;

	(void)state;
	memset(sl, 0, sizeof(sl));
	open_root();
	/* the workload's own profile, as an operator gives it (daemon --profile): these
	 * sessions grow by 3 MiB, not by the agent sessions' hundreds the default expects,
	 * with which 16 HIGH sessions' expected growth would fill the 300 MiB budget and
	 * every LOW session would wait at its start for as long as HIGH ones come */
	snprintf(profile, sizeof(profile), "/tmp/%s-profile.json", root_name);
	{
		FILE *f = fopen(profile, "w");
		const char *extra[] = {"--profile", profile, NULL};

		assert_non_null(f);
		fprintf(f, "{\"growth_bytes\": {\"p75\": %llu, \"p90\": %llu}}\n",
			(unsigned long long)(3 * MiB), (unsigned long long)(3 * MiB));
		fclose(f);
		d = daemons[0] = start_daemon_with(extra);
	}
	assert_true(d > 0);
	/* the churn starts once the controller runs: in the VM tier (TCG, ASan, CI's load) it
	 * once took more than 10 s to appear, and the RSS sample found none */
	t0 = acg_mono_s();
	assert_true(th_wait_for(log_has_cond, "\"event\":\"controller\"", 120000));
	fprintf(stderr, "the controller was up %.1f s after the daemon started\n",
		acg_mono_s() - t0);
	t0 = acg_mono_s();
	while (acg_mono_s() - t0 < secs) {
		for (int i = 0; i < N; i++) {
			if (sl[i].pid > 0) {
				if (waitpid(sl[i].pid, &status, WNOHANG) != sl[i].pid)
					continue;
				sl[i].pid = 0;
				account(&sl[i], out, &kills);
				assert_int_equal(acg_cg_remove(sl[i].cg), 0);
				acg_cg_free(sl[i].cg);
				sl[i].cg = NULL;
			}
			snprintf(sl[i].name, sizeof(sl[i].name), "%s-%d-%lu",
				 i < 16 ? "high" : "low", i, started);
			snprintf(sl[i].out, sizeof(sl[i].out), "/tmp/%s-%s.json", root_name,
				 sl[i].name);
			/* v1 charges a new cgroup's own memory to its parent: with the budget
			 * full (and the OOM killer off there) mkdir fails, until room is back */
			r = acg_cg_child(root, sl[i].name, true, &sl[i].cg);
			if (r == -ENOMEM) {
				deferred++;
				continue;
			}
			assert_int_equal(r, 0);
			sl[i].pid = start_stress(&sl[i], i, &seed);
			assert_true(sl[i].pid > 0);
			started++;
		}
		/* the daemon's memory once the churn is under way, and at the end */
		if (!rss_early && acg_mono_s() - t0 > secs / 5) {
			ctl_early = controller_in_log();
			rss_early = rss_kb(ctl_early);
			t_early = acg_mono_s() - t0;
		}
		assert_int_equal(waitpid(d, &status, WNOHANG), 0);
		/* how near the churn came to the budget (sampled: a lower bound) */
		if (acg_cg_usage(root, &usage) == 0 && usage > peak)
			peak = usage;
		usleep(50 * 1000);
	}
	ctl_late = controller_in_log();
	rss_late = rss_kb(ctl_late);
	if (ctl_late != controller_of(d))
		fprintf(stderr, "the guard's children file says the controller is %d, its log %d\n",
			(int)controller_of(d), (int)ctl_late);
	/* the churn stops: every session must end on its own (bounded: 120 s at most); its
	 * cgroup goes when it ends, as `agentcg run`'s does (a session's cgroup left behind
	 * counts at the most it held: the policy cannot tell it will not grow again) */
	for (int k = 0, left_n = N; k < 1200 && left_n; k++) {
		left_n = 0;
		for (int i = 0; i < N; i++) {
			if (sl[i].pid > 0 && waitpid(sl[i].pid, &status, WNOHANG) == sl[i].pid) {
				sl[i].pid = 0;
				account(&sl[i], out, &kills);
				assert_int_equal(acg_cg_remove(sl[i].cg), 0);
				acg_cg_free(sl[i].cg);
				sl[i].cg = NULL;
			}
			left_n += sl[i].pid > 0;
		}
		usleep(100 * 1000);
	}
	for (int i = 0; i < N; i++) {
		if (sl[i].pid > 0) {
			/* still running two minutes after its timeline: stuck */
			stuck++;
			kill(sl[i].pid, SIGKILL);
			waitpid(sl[i].pid, &status, 0);
		}
		if (sl[i].cg)
			assert_int_equal(acg_cg_remove(sl[i].cg), 0);
		acg_cg_free(sl[i].cg);
	}
	fprintf(stderr,
		"soak %.0f s: %lu sessions: %lu completed, %lu killed by the policy, %lu could "
		"not start (budget full), %lu results lost, %lu stuck; %lu cgroup creations "
		"deferred (budget full); controller (pid %d) RSS %llu kB at %.0f s, (pid %d) %llu kB "
		"at the end\n",
		secs, started, out[COMPLETED], out[KILLED], out[FAILED], out[LOST], stuck, deferred,
		(int)ctl_early, (unsigned long long)rss_early, t_early, (int)ctl_late,
		(unsigned long long)rss_late);
	/* what the daemon did meanwhile, from its log */
	read_soak_log(&l);
	who_killed(&kills);
	fprintf(stderr,
		"daemon: %lu holds, %lu kills, %lu wake-ups of lost OOM waiters, %lu actions on "
		"HIGH, %lu times the OOM killer back on, %lu controller deaths; sessions killed: "
		"%lu by the policy, %lu otherwise, %lu HIGH\n",
		l.holds, l.kills, l.wakes, l.on_high, l.oom_killer_on, l.died, kills.by_policy,
		kills.other, kills.high);
	/* the controller lived through the churn (its guard logs a death; RSS is read below) */
	assert_int_equal(l.died, 0);
	assert_int_equal(stuck, 0);
	assert_int_equal(out[LOST], 0);
	assert_int_equal(out[COMPLETED] + out[KILLED] + out[FAILED], started);
	assert_true(out[COMPLETED] > started / 2);
	/* 64 bursting sessions overrun the budget: LOW ones were held, HIGH never touched. A
	 * slow host (the VM tier under TCG) may not start enough of them in 10 s to come near
	 * it: holds are asserted where the root's usage was seen within 10% of the budget */
	fprintf(stderr, "soak: the root's usage peaked at %llu MiB (seen) of the 300 MiB budget\n",
		(unsigned long long)(peak / MiB));
	if (peak >= 270 * MiB)
		assert_true(l.holds > 0);
	assert_int_equal(l.on_high, 0);
	assert_int_equal(kills.high, 0);
	/* v1: a session killed was killed by the policy (a LOW one, logged), not by the
	 * kernel's OOM killer, which the daemon keeps off in the tree (and 16 HIGH sessions
	 * of at most 5 MiB never fill the budget alone, so it never comes back on). On v2
	 * the kernel's OOM killer cannot be turned off and may take a LOW session (its
	 * oom_score_adj puts LOW first): that is by design, HIGH killed is not */
	assert_true(kills.by_policy <= l.kills);
	assert_int_equal(l.oom_killer_on, 0);
	if (mounts.mem_version == 1)
		assert_int_equal(kills.other, 0);
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
	/* every session ended and was removed: nothing is left under the root */
	assert_int_equal(acg_cg_children(root, &left, &n_left), 0);
	assert_int_equal(n_left, 0);
	free(left);
	unlink(profile);
}

/*
 * A log that cannot be written (a full disk) loses no decision silently: the daemon says
 * so on stderr, goes on managing, and stops cleanly.
 */
static void test_log_on_full_disk(void **state)
{
	const char *bin = getenv("AGENTCG_BIN") ? getenv("AGENTCG_BIN") : AGENTCG_BIN;
	char mnt[128], fill[200], logp[200], errp[160], cmd[1024];
	char *argv[] = {(char *)bin, "daemon", "--root", root_name, "--budget-mb",
			"300",	     "--log",  logp,	 NULL};
	posix_spawn_file_actions_t fa;
	struct dead x;
	pid_t d;

	(void)state;
	open_root();
	snprintf(mnt, sizeof(mnt), "/tmp/%s-full", root_name);
	snprintf(errp, sizeof(errp), "/tmp/%s-daemon.err", root_name);
	snprintf(logp, sizeof(logp), "%s/log", mnt);
	snprintf(fill, sizeof(fill), "%s/fill", mnt);
	assert_int_equal(mkdir(mnt, 0755), 0);
	snprintf(cmd, sizeof(cmd), "mount -t tmpfs -o size=8k agentcg-test-full %s", mnt);
	if (system(cmd) != 0) {
		rmdir(mnt);
		fprintf(stderr, "skip: cannot mount a tmpfs here\n");
		skip();
	}
	/* fill it: the log can be created, not written */
	snprintf(cmd, sizeof(cmd), "dd if=/dev/zero of=%s bs=1k count=64 2>/dev/null", fill);
	if (system(cmd) == 0) {
		/* dd should have failed on a full disk; it does not matter why it did not */
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(posix_spawn(&d, bin, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	daemons[0] = d;
	snprintf(cmd, sizeof(cmd), "grep -q 'cannot write the log' %s", errp);
	for (int k = 0; k < 3000 && system(cmd) != 0; k++)
		usleep(10 * 1000);
	x = (struct dead){d, 0};
	assert_false(dead(&x)); /* it goes on */
	kill(d, SIGTERM);
	waitpid(d, &x.status, 0);
	daemons[0] = 0;
	snprintf(cmd, sizeof(cmd), "umount %s", mnt);
	assert_int_equal(system(cmd), 0);
	rmdir(mnt);
	assert_true(WIFEXITED(x.status) && WEXITSTATUS(x.status) == 0);
	snprintf(cmd, sizeof(cmd),
		 "grep -q 'cannot write the log %s' %s && "
		 "grep -q 'log line(s) could not be written' %s",
		 logp, errp, errp);
	assert_int_equal(system(cmd), 0);
	unlink(errp);
}

static bool frozen(void *arg)
{
	bool f = false;

	return acg_cg_frozen(arg, &f) == 0 && f;
}

/*
 * v2 holds are bounded: a held LOW session whose task keeps pressing at its clamp
 * (memory.high, where it would loop in reclaim) is frozen once it has waited there longer
 * than wait_freeze_s (1 s here, from --config), and the decision log says why; it is not
 * killed, and when HIGH ends it is thawed and finishes its allocation. (v1 never freezes a
 * hold: its hold is a sleep in the OOM wait; the unit tier checks the policy's side.)
 */
/* Whether cg has pages in swap now (v2 memory.swap.current). */
static bool in_swap(void *arg)
{
	uint64_t room = 0, max = 0;

	/* swap room = swap.max - swap.current: less than the max means some is used */
	if (acg_cg_get(arg, ACG_CTL_SWAP_MAX, &max) < 0 || acg_cg_swap_room(arg, &room) < 0)
		return false;
	return room < max;
}

/*
 * Swap instead of a kill (v2 with swap: the VM tier's zram). Two LOW sessions each want
 * 200 MiB of the 300 MiB budget at once: held, both wait at their clamps, and together
 * they fill the budget, where the policy killed one. With swap the sessions may use, one
 * is pushed out instead (frozen, memory.reclaim), the other finishes, and once it is gone
 * the one pushed out comes back and finishes too. Asserted: no session killed (by the
 * policy or the kernel: memory.events oom_kill), both allocations done, swap used.
 */
static void test_swap_instead_of_kill(void **state)
{
	struct acg_cg *a_cg = NULL, *b_cg = NULL;
	struct th_child a = {0}, b = {0};
	struct acg_mem_events ev;
	bool a_done, b_done, swapped;
	int status;

	(void)state;
	open_root();
	if (mounts.mem_version != 2 || acg_host_swap_total() < 256 * MiB) {
		fprintf(stderr,
			"skip: needs cgroup v2 and 256 MiB of swap (the VM tier has zram)\n");
		skip();
	}
	assert_int_equal(acg_cg_child(root, "low-a", true, &a_cg), 0);
	assert_int_equal(acg_cg_child(root, "low-b", true, &b_cg), 0);
	daemons[0] = start_daemon();
	assert_true(daemons[0] > 0);
	assert_int_equal(th_child_start(a_cg, 200 * MiB, &a), 0);
	assert_int_equal(th_child_start(b_cg, 200 * MiB, &b), 0);
	/* one of them finishes (the other held, or pushed out) */
	for (int k = 0; k < 600; k++) {
		a_done = th_child_allocated(&a, 100);
		b_done = !a_done && th_child_allocated(&b, 100);
		if (a_done || b_done)
			break;
	}
	assert_true(a_done || b_done);
	swapped = in_swap(a_cg) || in_swap(b_cg);
	fprintf(stderr, "%s finished first; swap in use: %s; the policy pushed one out: %s\n",
		a_done ? "low-a" : "low-b", swapped ? "yes" : "no",
		log_has("\"swap-out\"") ? "yes" : "no");
	/* it ends: the other gets the room back and finishes */
	status = th_child_reap(a_done ? &a : &b);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(th_child_allocated(a_done ? &b : &a, 120000));
	status = th_child_reap(a_done ? &b : &a);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the policy pushed one out, and nobody was killed, by the policy or by the kernel */
	assert_true(log_has("\"action\":\"swap-out\""));
	assert_false(log_has("\"action\":\"kill\""));
	assert_int_equal(acg_cg_events(a_cg, &ev), 0);
	assert_int_equal(ev.oom_kill, 0);
	assert_int_equal(acg_cg_events(b_cg, &ev), 0);
	assert_int_equal(ev.oom_kill, 0);
	kill(daemons[0], SIGTERM);
	waitpid(daemons[0], &status, 0);
	daemons[0] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(acg_cg_remove(a_cg), 0);
	assert_int_equal(acg_cg_remove(b_cg), 0);
	acg_cg_free(a_cg);
	acg_cg_free(b_cg);
}

static void test_v2_hold_bounded(void **state)
{
	struct acg_cg *lo = NULL, *hi = NULL;
	struct th_child a = {0}, b = {0};
	char cfg[160];
	FILE *f;

	(void)state;
	open_root();
	if (mounts.mem_version != 2) {
		fprintf(stderr, "skip: the bound is for v2 holds (memory.high)\n");
		skip();
	}
	assert_int_equal(acg_cg_child(root, "low-a", true, &lo), 0);
	assert_int_equal(acg_cg_child(root, "high-b", true, &hi), 0);
	acg_cg_set(lo, ACG_CTL_SWAP_MAX, 0);
	acg_cg_set(hi, ACG_CTL_SWAP_MAX, 0);
	snprintf(cfg, sizeof(cfg), "/tmp/%s-freeze.json", root_name);
	f = fopen(cfg, "w");
	assert_non_null(f);
	fputs("{\"wait_freeze_s\": 1}", f);
	fclose(f);
	daemons[0] = start_daemon_config(cfg);
	assert_true(daemons[0] > 0);
	/* HIGH takes 250 MiB of the 300; LOW then wants 100 and is held short of it */
	assert_int_equal(th_child_start(hi, 250 * MiB, &b), 0);
	assert_true(th_child_allocated(&b, 30000));
	assert_int_equal(th_child_start(lo, 100 * MiB, &a), 0);
	assert_true(th_wait_for(frozen, lo, 30000));
	assert_true(log_has("\"action\":\"freeze\""));
	/* frozen for waiting at its clamp past the bound, or, when a slow VM (TCG under ASan)
	 * let it overrun memory.high by more than the slack before the bound came, for that:
	 * either way it stops reclaiming, and the log says why (the bound itself: test_policy's
	 * test_wait_freeze) */
	if (!log_has("waited at its clamp")) {
		assert_true(log_has("above its clamp"));
		fprintf(stderr, "v2: LOW frozen for overrunning its clamp before the wait bound\n");
	}
	assert_int_equal(kill(a.pid, 0), 0);
	/* HIGH ends: LOW is thawed and released, and gets its 100 MiB */
	th_child_reap(&b);
	if (!th_child_allocated(&a, 30000)) {
		char *text = NULL;

		acg_read_text(log_path, &text);
		fail_msg("LOW did not get its memory after HIGH ended; the log:\n%s",
			 text ? text : "(none)");
	}
	assert_false(frozen(lo));
	assert_int_equal(th_child_reap(&a), 0);
	acg_cg_free(lo);
	acg_cg_free(hi);
	unlink(cfg);
}

static int teardown(void **state)
{
	(void)state;
	/* a daemon left by a failed assertion is ours: end it by pid (SIGTERM to its guard
	 * lets the controller release first; SIGKILL after a bound) */
	for (int i = 0; i < 2; i++)
		if (daemons[i] > 0) {
			pid_t ctl = controller_of(daemons[i]);
			struct dead x = {daemons[i], 0};

			kill(daemons[i], SIGTERM);
			if (!th_wait_for(dead, &x, 10000)) {
				kill(daemons[i], SIGKILL);
				waitpid(daemons[i], NULL, 0);
			}
			if (ctl > 0)
				th_wait_for(process_gone, &ctl, 10000);
			daemons[i] = 0;
		}
	if (root) {
		acg_cg_remove(root);
		acg_cg_free(root);
		root = NULL;
	}
	/* AGENTCG_KEEP_LOG=1: the daemon's log is left for reading after a failure */
	if (!getenv("AGENTCG_KEEP_LOG"))
		unlink(log_path);
	/* the state every daemon publishes by default */
	if (root_name[0]) {
		char st[160];

		snprintf(st, sizeof(st), "/run/agentcg/%s.json", root_name);
		unlink(st);
	}
	/* the soak's results, when a failure left some */
	{
		char pat[160];
		glob_t g;

		snprintf(pat, sizeof(pat), "/tmp/%s-*.json", root_name);
		if (root_name[0] && glob(pat, 0, NULL, &g) == 0) {
			for (size_t i = 0; i < g.gl_pathc; i++)
				unlink(g.gl_pathv[i]);
			globfree(&g);
		}
	}
	return 0;
}

#ifndef DIST_DIR
#define DIST_DIR "dist"
#endif

static const char *dist_dir(void)
{
	return getenv("AGENTCG_DIST") ? getenv("AGENTCG_DIST") : DIST_DIR;
}

static const char *agentcg_bin(void)
{
	return getenv("AGENTCG_BIN") ? getenv("AGENTCG_BIN") : AGENTCG_BIN;
}

/*
 * The command line the service unit gives for key (ExecStart, ExecStopPost), word for word,
 * with @BINDIR@ the tested binary's folder, the shipped config for /etc/agentcg/daemon.json,
 * and --root the test's own root added (the unit manages the default root, which tests
 * never touch). Returns argc; argv's strings live in buf.
 */
static int unit_argv(const char *key, char *buf, size_t size, char **argv, int max)
{
	char path[PATH_MAX], line[1024], *save = NULL, *w;
	size_t klen = strlen(key), used = 0;
	FILE *f;
	int n = 0;
	bool found = false;

	snprintf(path, sizeof(path), "%s/agentcg.service.in", dist_dir());
	f = fopen(path, "r");
	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f))
		found = strncmp(line, key, klen) == 0 && line[klen] == '=';
	fclose(f);
	assert_true(found);
	line[strcspn(line, "\n")] = '\0';
	for (w = strtok_r(line + klen + 1, " ", &save); w && n < max - 3;
	     w = strtok_r(NULL, " ", &save)) {
		char word[PATH_MAX];

		if (strncmp(w, "@BINDIR@/", 9) == 0)
			snprintf(word, sizeof(word), "%s", agentcg_bin());
		else if (strcmp(w, "/etc/agentcg/daemon.json") == 0)
			snprintf(word, sizeof(word), "%s/daemon.json", dist_dir());
		else
			snprintf(word, sizeof(word), "%s", w);
		assert_true(used + strlen(word) + 1 <= size);
		argv[n++] = strcpy(buf + used, word);
		used += strlen(word) + 1;
	}
	argv[n++] = "--root";
	argv[n++] = root_name;
	argv[n] = NULL;
	return n;
}

/* Messages to a notify socket until one contains want (appended to got), or timeout_ms. */
static bool notified(int fd, const char *want, char *got, size_t size, int timeout_ms)
{
	double end = acg_mono_s() + timeout_ms / 1000.0;

	while (!strstr(got, want)) {
		struct pollfd p = {fd, POLLIN, 0};
		char msg[512];
		ssize_t r;
		double left = end - acg_mono_s();

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			return false;
		r = recv(fd, msg, sizeof(msg) - 1, 0);
		if (r <= 0)
			continue;
		msg[r] = '\0';
		if (strlen(got) + (size_t)r + 2 < size) {
			strcat(got, msg);
			strcat(got, "\n");
		}
	}
	return true;
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/*
 * The service unit's daemon, run as the unit runs it under systemd: it says READY=1 once
 * it manages the root, pings the watchdog ($WATCHDOG_USEC) while it runs, says STOPPING=1
 * on SIGTERM and exits 0; the unit's ExecStopPost (--release) then exits 0.
 */
static void test_service_notify(void **state)
{
	char buf[2048], sock_path[108], env_sock[160], got[8192] = "", *argv[24], **envp;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n_env = 0;
	int fd, status;
	pid_t p;

	(void)state;
	open_root();
	snprintf(sock_path, sizeof(sock_path), "/tmp/agentcg-test-%d.notify", (int)getpid());
	unlink(sock_path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	strcpy(sa.sun_path, sock_path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	while (environ[n_env])
		n_env++;
	envp = calloc(n_env + 3, sizeof(*envp));
	assert_non_null(envp);
	memcpy(envp, environ, n_env * sizeof(*envp));
	snprintf(env_sock, sizeof(env_sock), "NOTIFY_SOCKET=%s", sock_path);
	envp[n_env] = env_sock;
	envp[n_env + 1] = "WATCHDOG_USEC=300000";

	unit_argv("ExecStart", buf, sizeof(buf), argv, 24);
	assert_int_equal(posix_spawn(&p, argv[0], NULL, NULL, argv, envp), 0);
	daemons[0] = p;
	assert_true(notified(fd, "READY=1", got, sizeof(got), 30000));
	/* pinged every third of the interval: a few pings within a few intervals */
	assert_true(notified(fd, "WATCHDOG=1\nWATCHDOG=1\nWATCHDOG=1", got, sizeof(got), 30000));
	kill(p, SIGTERM);
	assert_true(notified(fd, "STOPPING=1", got, sizeof(got), 30000));
	waitpid(p, &status, 0);
	daemons[0] = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(count_of(got, "READY=1"), 1);

	/* what the unit runs after the service, whichever way it ended */
	unit_argv("ExecStopPost", buf, sizeof(buf), argv, 24);
	assert_int_equal(posix_spawn(&p, argv[0], NULL, NULL, argv, environ), 0);
	waitpid(p, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(envp);
	close(fd);
	unlink(sock_path);
}

/* The shipped unit, with the binary's path filled in as make install does, is one that
 * systemd accepts without a word: systemd-analyze verify prints nothing and exits 0. */
static void test_service_unit_verifies(void **state)
{
	char unit[64], out[64], cmd[3 * PATH_MAX], bindir[PATH_MAX], *slash;
	struct stat st;
	int rc;

	(void)state;
	if (system("command -v systemd-analyze >/dev/null 2>&1") != 0) {
		fprintf(stderr, "skip: no systemd-analyze here (the VM tier has no systemd)\n");
		skip();
	}
	snprintf(bindir, sizeof(bindir), "%s", agentcg_bin());
	slash = strrchr(bindir, '/');
	assert_non_null(slash);
	*slash = '\0';
	snprintf(unit, sizeof(unit), "/tmp/agentcg-test-%d.service", (int)getpid());
	snprintf(out, sizeof(out), "/tmp/agentcg-test-%d.verify", (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "sed 's|@BINDIR@|%s|g' %s/agentcg.service.in >%s && "
		 "systemd-analyze verify %s >%s 2>&1",
		 bindir, dist_dir(), unit, unit, out);
	rc = system(cmd);
	if (rc != 0 || (stat(out, &st) == 0 && st.st_size > 0)) {
		char show[96];

		snprintf(show, sizeof(show), "cat %s >&2", out);
		if (system(show) != 0) {
			/* the assertion below says it */
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_size, 0);
	unlink(unit);
	unlink(out);
}

static char state_path[80], metrics_path[80];

/* The published state says session name is in a state starting with state ("held" is also
 * "held-waiting"). */
struct want_state {
	const char *name, *state;
};

static bool state_says(void *arg)
{
	struct want_state *w = arg;
	json_t *doc = json_load_file(state_path, 0, NULL), *s;
	bool yes = false;
	size_t i;

	json_array_foreach(json_object_get(doc, "sessions"), i, s)
		yes = yes ||
		      (strcmp(json_string_value(json_object_get(s, "name")) ?: "", w->name) == 0 &&
		       strncmp(json_string_value(json_object_get(s, "state")) ?: "", w->state,
			       strlen(w->state)) == 0);
	json_decref(doc);
	return yes;
}

/* What a command printed, and its exit status. */
static int run_capture(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int status;

	assert_non_null(p);
	while (n + 1 < size && !feof(p)) {
		size_t k = fread(out + n, 1, size - 1 - n, p);

		if (!k)
			break;
		n += k;
	}
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * `agentcg status` shows what the daemon does: LOW held (its clamp), HIGH free, the last
 * decision's reason, exit 0; `--json` the same with alive true; the metrics file parses as
 * Prometheus' text format with a real parser and says LOW held, HIGH not; once the daemon
 * stopped, status says so and exits 1.
 */
static void test_status_and_metrics(void **state)
{
	const char *bin = getenv("AGENTCG_BIN") ? getenv("AGENTCG_BIN") : AGENTCG_BIN;
	struct acg_cg *lo = NULL, *hi = NULL, *late = NULL;
	struct th_child a = {0}, b = {0}, c = {0};
	struct want_state held = {"low-a", "held"}, at_start = {"low-c", "waiting-start"};
	char cmd[1024], out[8192];
	int status;

	(void)state;
	snprintf(state_path, sizeof(state_path), "/tmp/agentcg-test-%d.state.json", (int)getpid());
	snprintf(metrics_path, sizeof(metrics_path), "/tmp/agentcg-test-%d.prom", (int)getpid());
	{
		const char *extra[] = {"--state", state_path, "--metrics", metrics_path, NULL};

		held_pair_with(&lo, &hi, &a, &b, extra);
	}
	/* published within a second or two of the hold */
	assert_true(th_wait_for(state_says, &held, 30000));
	/* a LOW session that comes now is held at its start, before doing any work */
	assert_int_equal(acg_cg_child(root, "low-c", true, &late), 0);
	assert_int_equal(th_child_start(late, 8 * MiB, &c), 0);
	assert_true(th_wait_for(state_says, &at_start, 30000));

	snprintf(cmd, sizeof(cmd), "%s status --state %s", bin, state_path);
	assert_int_equal(run_capture(cmd, out, sizeof(out)), 0);
	fprintf(stderr, "%s", out);
	assert_non_null(strstr(out, ": running;"));
	assert_non_null(strstr(out, "budget 300 MiB"));
	{
		char *l = strstr(out, "\nlow-a "), *h = strstr(out, "\nhigh-b ");

		assert_non_null(l);
		assert_non_null(h);
		/* LOW: a clamp, held, and the reason of the hold */
		assert_non_null(strstr(l, " held"));
		assert_non_null(strstr(l, "hold "));
		assert_true(strstr(l, "kept for HIGH") || strstr(l, "room"));
		/* HIGH: no clamp, free */
		assert_non_null(strstr(h, " free"));
	}
	snprintf(cmd, sizeof(cmd), "%s status --json --state %s", bin, state_path);
	assert_int_equal(run_capture(cmd, out, sizeof(out)), 0);
	{
		json_t *doc = json_loads(out, 0, NULL);

		assert_non_null(doc);
		assert_true(json_is_true(json_object_get(doc, "alive")));
		assert_true(json_integer_value(json_object_get(doc, "budget_bytes")) == 300 * MiB);
		/* ticks were timed: a median above 0, at or under the p99, at or under the max */
		{
			json_t *t = json_object_get(doc, "tick_ms");
			double p50 = json_number_value(json_object_get(t, "p50"));
			double p99 = json_number_value(json_object_get(t, "p99"));
			double mx = json_number_value(json_object_get(t, "max"));

			fprintf(stderr, "ticks: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", p50, p99,
				mx);
			assert_true(p50 > 0 && p50 <= p99 && p99 <= mx);
		}
		json_decref(doc);
	}
	/* the state file has exactly the keys docs/status.md lists */
	if (th_doc_dir()) {
		struct th_schema schema = {0};
		char path[600], err[600], *diff;
		json_t *doc = json_load_file(state_path, 0, NULL);

		assert_non_null(doc);
		snprintf(path, sizeof(path), "%s/status.md", th_doc_dir());
		if (th_schema_add(&schema, path, "## The state file (`version` 1)", NULL, NULL,
				  NULL, err, sizeof(err)) < 0)
			fail_msg("%s", err);
		diff = th_schema_diff(&schema, &doc, 1);
		th_schema_free(&schema);
		json_decref(doc);
		if (diff)
			fail_msg("docs/status.md against the state file: %s", diff);
	} else {
		fprintf(stderr, "no docs here (the VM tier): the state's keys not checked\n");
	}

	/* the metrics, through Prometheus' own parser where the host has it */
	if (system("/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null") == 0) {
		snprintf(
			cmd, sizeof(cmd),
			"/usr/bin/python3 -c \"\nimport sys\n"
			"from prometheus_client.parser import text_string_to_metric_families as f\n"
			"v = {}\n"
			"for fam in f(open('%s').read()):\n"
			"    for s in fam.samples:\n"
			"        v[(s.name, s.labels.get('session'))] = s.value\n"
			"print(int(v[('agentcg_session_held', 'low-a')]), "
			"int(v[('agentcg_session_held', 'high-b')]), int(v[('agentcg_up', None)]), "
			"int(v[('agentcg_budget_bytes', None)]), "
			"int(v[('agentcg_tick_seconds_count', None)] > 0 and "
			"v[('agentcg_tick_seconds_sum', None)] > 0))\n\"",
			metrics_path);
		assert_int_equal(run_capture(cmd, out, sizeof(out)), 0);
		assert_string_equal(out, "1 0 1 314572800 1\n");
	} else {
		fprintf(stderr, "no prometheus_client here (the VM tier): metrics not parsed\n");
	}

	kill(daemons[0], SIGTERM);
	waitpid(daemons[0], &status, 0);
	daemons[0] = 0;
	snprintf(cmd, sizeof(cmd), "%s status --state %s", bin, state_path);
	assert_int_equal(run_capture(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "STOPPED"));
	/* no state at all: one line, exit 1 */
	snprintf(cmd, sizeof(cmd), "%s status --state %s.none 2>&1", bin, state_path);
	assert_int_equal(run_capture(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "No such file"));
	th_child_reap(&a);
	th_child_reap(&b);
	th_child_reap(&c);
	acg_cg_free(lo);
	acg_cg_free(hi);
	acg_cg_free(late);
	unlink(state_path);
	unlink(metrics_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_crash_and_restart, teardown),
		cmocka_unit_test_teardown(test_high_alone_over_budget, teardown),
		cmocka_unit_test_teardown(test_log_on_full_disk, teardown),
		cmocka_unit_test_teardown(test_session_killed_and_removed, teardown),
		cmocka_unit_test_teardown(test_session_replaced_same_name, teardown),
		cmocka_unit_test_teardown(test_session_seen_at_once, teardown),
		cmocka_unit_test_teardown(test_many_sessions, teardown),
		cmocka_unit_test_teardown(test_config_and_run, teardown),
		cmocka_unit_test_teardown(test_declared_peak, teardown),
		cmocka_unit_test_teardown(test_renice_restored, teardown),
		cmocka_unit_test_teardown(test_64_sessions_churn, teardown),
		cmocka_unit_test_teardown(test_service_notify, teardown),
		cmocka_unit_test_teardown(test_service_unit_verifies, teardown),
		cmocka_unit_test_teardown(test_status_and_metrics, teardown),
		cmocka_unit_test_teardown(test_v2_hold_bounded, teardown),
		cmocka_unit_test_teardown(test_swap_instead_of_kill, teardown),
	};

	th_init();
	return cmocka_run_group_tests_name("daemon", tests, NULL, NULL);
}
