// SPDX-License-Identifier: GPL-2.0
/*
 * test_containers.c: live tier (root). A podman container as a session
 * (`agentcg run --podman`): its cgroup is beneath the session's, the session itself holds
 * no process, and under the daemon a LOW container is held while a HIGH session bursts
 * (the kernel shows the session's clamp, the container waiting at it, its usage not past
 * it) and completes after. What the runtime charges outside the session (podman and its
 * conmon, where `agentcg run` is) is measured and printed (docs/containers.md quotes it).
 * A container session killed as the daemon kills ends its container, and podman reports
 * it killed.
 *
 * Podman's state lives in a directory of the test's own (tests/containers/podman-env.sh
 * makes it, with a busybox image built on the spot: images cannot be pulled here) and is
 * removed after. Skips, saying why, where podman or the image cannot run (the VM tier).
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

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AGENTCG_BIN
#define AGENTCG_BIN "build/agentcg"
#endif

#ifndef CONTAINERS_DIR
#define CONTAINERS_DIR "tests/containers"
#endif
#ifndef CTR_ALLOC
#define CTR_ALLOC "build/tests/ctr_alloc"
#endif

#define IMAGE "localhost/agentcg-busybox:latest"

extern char **environ;

static struct acg_mounts mounts;
static struct acg_cg *root, *rt, *hi;
static struct th_child high_child;
static char root_name[64], rt_name[64], log_path[128], env_dir[128], x_dir[128];
static pid_t daemon_pid, run_pid;
static struct acg_cg *kcg; /* the killed test's session, freed in teardown if it fails */

static const char *bin(void)
{
	return getenv("AGENTCG_BIN") ? getenv("AGENTCG_BIN") : AGENTCG_BIN;
}

static char *x_path(const char *name)
{
	static char buf[4][192];
	static int k;
	char *p = buf[k++ % 4];

	snprintf(p, 192, "%s/%s", x_dir, name);
	return p;
}

static bool exists(void *arg)
{
	return access(arg, F_OK) == 0;
}

/*
 * The test's podman: its own storage and a busybox image, made by
 * tests/containers/podman-env.sh; skips (with the script's reason) where it cannot be had.
 */
static void podman_env(void)
{
	char cmd[400], line[512];
	FILE *p;
	int status;

	if (system("command -v podman >/dev/null 2>&1") != 0) {
		fprintf(stderr, "skip: podman is not installed (scripts/setup.sh installs it)\n");
		skip();
	}
	snprintf(env_dir, sizeof(env_dir), "/tmp/agentcg-test-%d-podman", (int)getpid());
	if (access(CTR_ALLOC, X_OK) != 0)
		fail_msg("%s missing: make builds it", CTR_ALLOC);
	/* the allocator goes into the image, as /bin/ctr_alloc */
	setenv("AGENTCG_IMAGE_BINS", CTR_ALLOC, 1);
	snprintf(cmd, sizeof(cmd), CONTAINERS_DIR "/podman-env.sh %s 2>&1", env_dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *eq = strchr(line, '=');

		line[strcspn(line, "\n")] = '\0';
		if (eq && strncmp(line, "CONTAINERS_", 11) == 0) {
			*eq = '\0';
			setenv(line, eq + 1, 1);
		} else {
			fprintf(stderr, "podman-env.sh: %s\n", line);
		}
	}
	status = pclose(p);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
		fprintf(stderr, "skip: podman or busybox-static cannot run here\n");
		skip();
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_non_null(getenv("CONTAINERS_STORAGE_CONF"));
}

static void setup_roots(void)
{
	if (geteuid() != 0 || acg_mounts_detect(&mounts) < 0 || !mounts.mem_version) {
		fprintf(stderr, "skip: needs root and a memory controller\n");
		skip();
	}
	snprintf(root_name, sizeof(root_name), "agentcg-test-%d", (int)getpid());
	snprintf(rt_name, sizeof(rt_name), "agentcg-test-%d-rt", (int)getpid());
	snprintf(log_path, sizeof(log_path), "/tmp/agentcg-test-%d-daemon.log", (int)getpid());
	snprintf(x_dir, sizeof(x_dir), "/tmp/agentcg-test-%d-x", (int)getpid());
	podman_env();
	assert_int_equal(mkdir(x_dir, 0755), 0);
	assert_int_equal(acg_root_open(&mounts, root_name, true, &root), 0);
	/* where `agentcg run` and podman run: what the runtime charges outside the session */
	assert_int_equal(acg_root_open(&mounts, rt_name, true, &rt), 0);
}

/* The daemon on the test's root: 300 MiB, no state file. */
static pid_t start_daemon(void)
{
	char *argv[] = {(char *)bin(), "daemon", "--root", root_name,	 "--budget-mb",
			"300",	       "--log",	 log_path, "--no-state", NULL};
	pid_t pid = fork();

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* `agentcg run ARGS` started inside rt (so its memory and podman's is counted there). */
static pid_t start_run_in_rt(char **args)
{
	int go[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		/* conmon writes a file "oom" where run started when the container waits at its
		 * limit (docs/containers.md): in the test's directory, not the checkout */
		if (args[0][0] != '/' || chdir(x_dir) < 0)
			_exit(125);
		execv(args[0], args);
		_exit(127);
	}
	close(go[0]);
	assert_true(pid > 0);
	assert_int_equal(acg_cg_attach(rt, pid), 0);
	assert_int_equal(write(go[1], "G", 1), 1);
	close(go[1]);
	return pid;
}

/* /proc/PID/oom_score_adj of the task whose pid arg points to is 500 (what LOW gets). */
static bool low_oom_adj(void *arg)
{
	char path[64], buf[32];

	snprintf(path, sizeof(path), "/proc/%ld/oom_score_adj", *(long *)arg);
	return acg_read_buf_at(AT_FDCWD, path, buf, sizeof(buf)) > 0 && atoi(buf) == 500;
}

static bool clamped(void *arg)
{
	uint64_t v = ACG_UNLIMITED;
	enum acg_ctl ctl = mounts.mem_version == 2 ? ACG_CTL_HIGH : ACG_CTL_MAX;

	return acg_cg_get(arg, ctl, &v) == 0 && v != ACG_UNLIMITED;
}

/* The session's tasks wait at its limit: v1 under_oom; v2 memory.events high counted. */
static bool waiting_at_limit(void *arg)
{
	struct acg_mem_events ev = {0};

	if (acg_cg_events(arg, &ev) < 0)
		return false;
	return mounts.mem_version == 1 ? ev.under_oom : ev.high > 0;
}

struct run_wait {
	pid_t pid;
	int status;
};

static bool run_done(void *arg)
{
	struct run_wait *w = arg;

	return waitpid(w->pid, &w->status, WNOHANG) == w->pid;
}

static uint64_t mib(uint64_t b)
{
	return b >> 20;
}

/*
 * A LOW container (tests/containers/alloc.c in the busybox image) touches 100 MiB, says
 * so, and when told touches 60 MiB more. HIGH takes 170 MiB of the
 * 300: the daemon clamps the session at its usage, which holds the container's 100 MiB (it
 * sums the session's tree); the container's next 60 MiB wait at the clamp; HIGH leaves,
 * and the container completes, `agentcg run` passing on its exit code 0.
 */
static void test_low_container_held_and_resumed(void **state)
{
	char vol[300];
	char *args[24];
	struct acg_cg *lo = NULL;
	char ctr_name[256] = "";
	size_t n = 0;
	pid_t *pids = NULL;
	uint64_t limit = 0, u1 = 0, u2 = 0, ctr_use = 0, rt_peak = 0;
	unsigned int n_sub = 0;
	struct run_wait w = {0};
	int k = 0;

	(void)state;
	setup_roots();
	daemon_pid = start_daemon();
	assert_true(daemon_pid > 0);

	snprintf(vol, sizeof(vol), "--volume=%s:/x", x_dir);
	args[k++] = (char *)bin();
	args[k++] = "run";
	args[k++] = "--root";
	args[k++] = root_name;
	args[k++] = "--priority";
	args[k++] = "low";
	args[k++] = "--name";
	args[k++] = "c";
	args[k++] = "--podman";
	args[k++] = "--";
	args[k++] = "--pull=never";
	args[k++] = "--network=none";
	args[k++] = vol;
	args[k++] = IMAGE;
	args[k++] = "/bin/ctr_alloc";
	args[k++] = "100";
	args[k++] = "/x/phase1";
	args[k++] = "/x/go";
	args[k++] = "60";
	args[k++] = "/x/done";
	args[k] = NULL;
	run_pid = start_run_in_rt(args);
	assert_true(th_wait_for(exists, x_path("phase1"), 120000));

	/* the container's cgroup is beneath the session's; the session holds no process */
	assert_int_equal(acg_cg_child(root, "low-c", false, &lo), 0);
	{
		DIR *d = opendir(acg_cg_path(lo));
		struct dirent *de;

		assert_non_null(d);
		while ((de = readdir(d)))
			if (de->d_type == DT_DIR && de->d_name[0] != '.') {
				n_sub++;
				fprintf(stderr, "session low-c: child cgroup %s\n", de->d_name);
				if (strncmp(de->d_name, "libpod-", 7) == 0)
					snprintf(ctr_name, sizeof(ctr_name), "%s", de->d_name);
			}
		closedir(d);
	}
	/* the container's alone: conmon stays with podman (--cgroups=no-conmon) */
	assert_true(ctr_name[0]);
	assert_int_equal(n_sub, 1);
	assert_int_equal(acg_cg_pids(lo, &pids, &n), 0);
	free(pids);
	assert_int_equal(n, 0);
	{
		char path[ACG_PATH_MAX + 300], *text = NULL, want[300];
		long pid;

		snprintf(path, sizeof(path), "%s/%s/cgroup.procs", acg_cg_path(lo), ctr_name);
		assert_int_equal(acg_read_text(path, &text), 0);
		pid = strtol(text, NULL, 10);
		free(text);
		assert_true(pid > 0);
		snprintf(path, sizeof(path), "/proc/%ld/cgroup", pid);
		snprintf(want, sizeof(want), "/%s/low-c/%s\n", root_name, ctr_name);
		assert_int_equal(acg_read_text(path, &text), 0);
		fprintf(stderr, "container task %ld: %s", pid, text);
		assert_non_null(strstr(text, want));
		free(text);
		/* managed as a LOW agent is: the OOM killer's first choice (oom_score_adj 500) */
		assert_true(th_wait_for(low_oom_adj, &pid, 30000));
		/* its 100 MiB are the session's */
		snprintf(path, sizeof(path), "%s/%s/%s", acg_cg_path(lo), ctr_name,
			 mounts.mem_version == 2 ? "memory.current" : "memory.usage_in_bytes");
		assert_int_equal(acg_read_text(path, &text), 0);
		ctr_use = strtoull(text, NULL, 10);
		free(text);
	}
	assert_int_equal(acg_cg_usage(lo, &u1), 0);
	assert_true(ctr_use >= 100 * MiB);
	assert_true(u1 >= ctr_use);

	/* HIGH bursts: the daemon holds the container's session at what it has */
	assert_int_equal(acg_cg_child(root, "high-b", true, &hi), 0);
	assert_int_equal(th_child_start(hi, 170 * MiB, &high_child), 0);
	assert_true(th_child_allocated(&high_child, 30000));
	assert_true(th_wait_for(clamped, lo, 30000));
	assert_int_equal(
		acg_cg_get(lo, mounts.mem_version == 2 ? ACG_CTL_HIGH : ACG_CTL_MAX, &limit), 0);
	/* clamped at the session's usage, the container's included: the tree is summed */
	assert_true(limit >= 100 * MiB);

	/* the container grows: it waits at the clamp, its usage not past it, not done */
	{
		int fd = creat(x_path("go"), 0644);

		assert_true(fd >= 0);
		close(fd);
	}
	assert_true(th_wait_for(waiting_at_limit, lo, 60000));
	/* usage first, then the clamp: a hold is never below the usage it holds */
	assert_int_equal(acg_cg_usage(lo, &u1), 0);
	assert_int_equal(acg_cg_get(lo, ACG_CTL_MAX, &limit), 0);
	if (mounts.mem_version == 1)
		assert_true(u1 <= limit);
	usleep(500 * 1000);
	assert_int_equal(acg_cg_usage(lo, &u2), 0);
	assert_int_equal(acg_cg_get(lo, ACG_CTL_MAX, &limit), 0);
	fprintf(stderr, "held: clamp %" PRIu64 " MiB, usage %" PRIu64 " then %" PRIu64 " MiB\n",
		mib(limit), mib(u1), mib(u2));
	if (mounts.mem_version == 1)
		assert_true(u2 <= limit);
	/* short of the 160 MiB it wants, and still waiting */
	assert_true(u2 < 160 * MiB);
	assert_true(waiting_at_limit(lo));
	assert_int_equal(access(x_path("done"), F_OK), -1);
	w.pid = run_pid;
	assert_false(run_done(&w));

	/* HIGH leaves: the container gets its room and completes */
	th_child_reap(&high_child);
	high_child.pid = 0;
	assert_true(th_wait_for(run_done, &w, 120000));
	run_pid = 0;
	assert_true(WIFEXITED(w.status));
	assert_int_equal(WEXITSTATUS(w.status), 0);
	assert_int_equal(access(x_path("done"), F_OK), 0);

	/* what the runtime charged outside the session: run, podman, conmon */
	assert_int_equal(acg_cg_peak(rt, &rt_peak), 0);
	fprintf(stderr,
		"runtime memory: outside the session (agentcg run, podman, conmon) peak %" PRIu64
		" KiB; the container %" PRIu64 " KiB\n",
		rt_peak >> 10, ctr_use >> 10);
	/* the container's memory was not charged to podman's side */
	assert_true(rt_peak < 100 * MiB);

	/* run removed the session, in every hierarchy podman made it in */
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd),
			 "ls -d /sys/fs/cgroup/*/%s/low-c 2>/dev/null | grep -q .", root_name);
		assert_int_not_equal(system(cmd), 0);
	}
	acg_cg_free(lo);
}

/* The first libpod-* cgroup below the session cg whose cgroup.procs lists a process. */
static long container_task(struct acg_cg *cg, char *name, size_t size)
{
	DIR *d = opendir(acg_cg_path(cg));
	struct dirent *de;
	long pid = 0;

	if (!d)
		return 0;
	while (!pid && (de = readdir(d))) {
		char path[ACG_PATH_MAX + 300], *text = NULL;

		if (de->d_type != DT_DIR || strncmp(de->d_name, "libpod-", 7) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/cgroup.procs", acg_cg_path(cg), de->d_name);
		if (acg_read_text(path, &text) == 0) {
			pid = strtol(text, NULL, 10);
			snprintf(name, size, "%s", de->d_name);
		}
		free(text);
	}
	closedir(d);
	return pid;
}

struct session_ref {
	struct acg_cg *cg;
	char name[256];
	long pid;
};

/* No process left in the container's cgroup (or the cgroup gone). */
static bool container_gone(void *arg)
{
	struct session_ref *s = arg;
	char path[ACG_PATH_MAX + 300], *text = NULL;
	bool empty;

	snprintf(path, sizeof(path), "%s/%s/cgroup.procs", acg_cg_path(s->cg), s->name);
	if (acg_read_text(path, &text) < 0)
		return true;
	empty = text[0] == '\0';
	free(text);
	return empty;
}

static bool container_started(void *arg)
{
	struct session_ref *s = arg;

	if (!s->cg && acg_cg_child(root, "low-k", false, &s->cg) < 0)
		return false;
	kcg = s->cg;
	s->pid = container_task(s->cg, s->name, sizeof(s->name));
	return s->pid > 0;
}

/*
 * Root in a container cannot lift its session's limit or thaw it: podman mounts the cgroup
 * filesystems read-only in a container that is not --privileged.
 * A container session killed as the daemon kills a LOW session (acg_cg_kill, its last
 * resort): the container's processes end (its cgroup empties), though its cgroup's name (libpod-<64 hex>) is
 * longer than a session's may be (the kill skipped it once); podman reports the container
 * killed (137) and `agentcg run` passes that on, then removes the session everywhere.
 */
static void test_container_session_killed(void **state)
{
	/* root in the container tries to lift its limit and to thaw itself: read-only */
	static char escape_then_sleep[] =
		"f=/sys/fs/cgroup/memory/memory.limit_in_bytes; "
		"[ -f $f ] && echo 999999999999 > $f && touch /x/esc; "
		"f=/sys/fs/cgroup/memory.max; [ -f $f ] && echo max > $f && touch /x/esc; "
		"f=/sys/fs/cgroup/freezer/freezer.state; "
		"[ -f $f ] && echo THAWED > $f && touch /x/esc; "
		"touch /x/up && exec sleep 600";
	char vol[300];
	char *args[] = {
		(char *)bin(), "run", "--root",	  root_name, "--priority",	"low",
		"--name",      "k",   "--podman", "--",	     "--pull=never",	"--network=none",
		vol,	       IMAGE, "sh",	  "-c",	     escape_then_sleep, NULL};
	struct session_ref s = {0};
	struct run_wait w = {0};
	(void)state;
	setup_roots();
	snprintf(vol, sizeof(vol), "--volume=%s:/x", x_dir);
	run_pid = start_run_in_rt(args);
	/* up: podman has started it (a kill while conmon starts is podman's own failure) */
	assert_true(th_wait_for(exists, x_path("up"), 120000));
	assert_true(th_wait_for(container_started, &s, 30000));
	assert_int_equal(access(x_path("esc"), F_OK), -1);
	fprintf(stderr, "container task %ld in %s/%s\n", s.pid, acg_cg_path(s.cg), s.name);
	assert_int_equal(acg_cg_kill(s.cg), 0);
	/* the container's cgroup empties (or goes): its processes ended */
	assert_true(th_wait_for(container_gone, &s, 60000));
	w.pid = run_pid;
	assert_true(th_wait_for(run_done, &w, 60000));
	run_pid = 0;
	fprintf(stderr, "run exited %d\n", WIFEXITED(w.status) ? WEXITSTATUS(w.status) : -1);
	assert_true(WIFEXITED(w.status));
	assert_int_equal(WEXITSTATUS(w.status), 128 + SIGKILL);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd),
			 "ls -d /sys/fs/cgroup/*/%s/low-k 2>/dev/null | grep -q .", root_name);
		assert_int_not_equal(system(cmd), 0);
	}
	kcg = NULL;
	acg_cg_free(s.cg);
}

/* `agentcg ARGS` (with SUDO_UID set if sudo); its exit status, its stderr in err. */
static int run_capture(char **args, bool sudo, char *err, size_t size)
{
	char path[128];
	int status = -1, fd;
	pid_t pid;

	snprintf(path, sizeof(path), "/tmp/agentcg-test-%d-err", (int)getpid());
	pid = fork();
	if (pid == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(126);
		if (sudo) {
			setenv("SUDO_UID", "65534", 1);
			setenv("SUDO_GID", "65534", 1);
		} else {
			unsetenv("SUDO_UID");
			unsetenv("SUDO_GID");
		}
		execv(args[0], args);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	err[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, err, size - 1);

		err[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	unlink(path);
	return status;
}

/*
 * Through sudo, --podman is refused with one line and exit 2: podman run's options come
 * from the caller, and --privileged or --volume /:/host would make a user root. Needs no
 * podman.
 */
static void test_podman_refused_through_sudo(void **state)
{
	char none[64];
	/* a root that does not exist: without the refusal, run stops there (exit 1) */
	char *args[] = {(char *)bin(), "run", "--root",	      none,  "--priority", "low",
			"--podman",    "--",  "--privileged", IMAGE, "sh",	   NULL};
	char err[512];
	int status;

	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "skip: needs root\n");
		skip();
	}
	snprintf(none, sizeof(none), "agentcg-test-%d-none", (int)getpid());
	status = run_capture(args, true, err, sizeof(err));
	fprintf(stderr, "%s", err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 2);
	assert_non_null(strstr(err, "refused through sudo"));
	assert_non_null(strchr(err, '\n'));
	assert_null(strchr(strchr(err, '\n') + 1, '\n'));
}

/* One line and exit 2: no image after --; --user with --podman. Needs no podman. */
static void test_podman_usage_errors(void **state)
{
	char none[64];
	char *no_image[] = {(char *)bin(), "run", "--root",   none,
			    "--priority",  "low", "--podman", NULL};
	char *user[] = {(char *)bin(), "run",	 "--root", none, "--priority", "low",
			"--podman",    "--user", "nobody", "--", IMAGE,	       NULL};
	char err[512];
	int status;

	(void)state;
	snprintf(none, sizeof(none), "agentcg-test-%d-none", (int)getpid());
	status = run_capture(no_image, false, err, sizeof(err));
	fprintf(stderr, "%s", err);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 2);
	assert_non_null(strstr(err, "which image?"));
	assert_null(strchr(strchr(err, '\n') + 1, '\n'));
	status = run_capture(user, false, err, sizeof(err));
	fprintf(stderr, "%s", err);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 2);
	assert_non_null(strstr(err, "--user does not apply with --podman"));
	assert_null(strchr(strchr(err, '\n') + 1, '\n'));
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	if (run_pid > 0) {
		/* run forwards SIGTERM to podman, which stops the container */
		struct run_wait w = {run_pid, 0};

		kill(run_pid, SIGTERM);
		if (!th_wait_for(run_done, &w, 20000)) {
			kill(run_pid, SIGKILL);
			waitpid(run_pid, NULL, 0);
		}
		run_pid = 0;
	}
	if (high_child.pid > 0) {
		th_child_reap(&high_child);
		high_child.pid = 0;
	}
	if (daemon_pid > 0) {
		struct run_wait w = {daemon_pid, 0};

		kill(daemon_pid, SIGTERM);
		if (!th_wait_for(run_done, &w, 10000)) {
			kill(daemon_pid, SIGKILL);
			waitpid(daemon_pid, NULL, 0);
		}
		daemon_pid = 0;
	}
	acg_cg_free(hi);
	hi = NULL;
	acg_cg_free(kcg);
	kcg = NULL;
	if (root) {
		acg_cg_remove(root);
		acg_cg_free(root);
		root = NULL;
	}
	if (rt) {
		acg_cg_remove(rt);
		acg_cg_free(rt);
		rt = NULL;
	}
	/* what podman made of the roots' paths in the other hierarchies (cpu, pids, ...) */
	if (root_name[0]) {
		snprintf(cmd, sizeof(cmd),
			 "for d in /sys/fs/cgroup/*/%s /sys/fs/cgroup/*/%s; do [ -d \"$d\" ] && "
			 "find \"$d\" -depth -type d -exec rmdir {} \\; ; done; true",
			 root_name, rt_name);
		if (system(cmd) != 0)
			fprintf(stderr, "teardown: cgroups of %s left\n", root_name);
	}
	if (env_dir[0] && access(env_dir, F_OK) == 0) {
		snprintf(cmd, sizeof(cmd), CONTAINERS_DIR "/podman-env.sh --remove %s", env_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "teardown: %s left\n", env_dir);
	}
	if (x_dir[0]) {
		unlink(x_path("phase1"));
		unlink(x_path("go"));
		unlink(x_path("done"));
		unlink(x_path("up"));
		unlink(x_path("esc"));
		unlink(x_path("oom"));
		rmdir(x_dir);
	}
	if (getenv("AGENTCG_TEST_KEEP"))
		fprintf(stderr, "teardown: daemon log kept: %s\n", log_path);
	else
		unlink(log_path);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_low_container_held_and_resumed, teardown),
		cmocka_unit_test_teardown(test_container_session_killed, teardown),
		cmocka_unit_test(test_podman_refused_through_sudo),
		cmocka_unit_test(test_podman_usage_errors),
	};

	th_init();
	return cmocka_run_group_tests_name("containers", tests, NULL, NULL);
}
