// SPDX-License-Identifier: GPL-2.0
/*
 * command.c: a command session's driver (see command.h).
 *
 * The driver, in the session's cgroup: forks the helper (it populates base_bytes, says so
 * on a pipe, then sleeps until the driver kills it or dies), reports START, waits for the
 * common start, then runs each command in its own process group with the log as stdout
 * and stderr, stdin from /dev/null, the scenario's cwd and environment. It waits on the
 * command's and the helper's pidfds with the command's timeout: at the timeout, or when
 * the helper dies (the OOM killer took the agent itself), the command's whole process
 * group is killed. After each command whatever it left in its group is killed too, so the
 * next command starts alone.
 */
#include "command.h"

#include "replay.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void logf_(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logf_(int fd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	if (fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	if (n > 0 && write(fd, buf, (size_t)n) < 0)
		return;
}

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* The helper: hold base bytes, say so, then sleep until killed or orphaned. */
static void helper(uint64_t base, int ready_fd, pid_t driver)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size = (size_t)(base + page - 1) / page * page;
	char *p;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != driver)
		_exit(0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED)
		_exit(ACG_CMD_EXIT_BASE);
	madvise(p, size, MADV_NOHUGEPAGE);
	if (madvise(p, size, MADV_POPULATE_WRITE) < 0)
		for (size_t off = 0; off < size; off += page)
			((volatile char *)p)[off] = 1;
	if (write(ready_fd, "R", 1) != 1)
		_exit(ACG_CMD_EXIT_BASE);
	for (;;)
		pause();
}

/* In the command's child: its own process group, the log, cwd, environment; then exec. */
static void exec_command(const struct acg_command_cfg *cfg, char **argv, int err_fd)
{
	const struct acg_command_spec *sp = cfg->spec;
	sigset_t none;
	const char *dir;
	int e, devnull;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0 && devnull != STDIN_FILENO) {
		dup2(devnull, STDIN_FILENO);
		close(devnull);
	}
	if (cfg->log_fd >= 0) {
		dup2(cfg->log_fd, STDOUT_FILENO);
		dup2(cfg->log_fd, STDERR_FILENO);
	}
	setenv("AGENTCG_SCRATCH", cfg->scratch ? cfg->scratch : "/tmp", 1);
	for (char **v = sp->env; v && *v; v++)
		putenv(*v);
	dir = sp->cwd ? sp->cwd : cfg->scratch ? cfg->scratch : "/";
	if (chdir(dir) == 0) {
		setenv("PWD", dir, 1); /* the caller's PWD would name another directory */
	} else {
		e = errno;
		if (write(err_fd, &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	execvp(argv[0], argv);
	e = errno;
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

struct step {
	int status, exec_errno;
	bool timed_out, helper_died;
	int helper_status;
};

/* Run one command to its end, its timeout, or the helper's death. */
static void run_one(const struct acg_command_cfg *cfg, char **argv, pid_t helper_pid,
		    int helper_pidfd, struct step *st)
{
	int64_t deadline = now_ns() + (int64_t)(cfg->spec->timeout_s * 1e9);
	int err[2], pfd;
	pid_t pid;

	*st = (struct step){0};
	if (pipe2(err, O_CLOEXEC) < 0) {
		st->exec_errno = errno;
		return;
	}
	pid = fork();
	if (pid < 0) {
		st->exec_errno = errno;
		close(err[0]);
		close(err[1]);
		return;
	}
	if (pid == 0) {
		close(err[0]);
		exec_command(cfg, argv, err[1]);
	}
	setpgid(pid, pid);
	close(err[1]);
	if (read(err[0], &st->exec_errno, sizeof(st->exec_errno)) != sizeof(st->exec_errno))
		st->exec_errno = 0;
	close(err[0]);
	pfd = pidfd_open_(pid);
	for (;;) {
		struct pollfd p[2] = {{pfd, POLLIN, 0}, {helper_pidfd, POLLIN, 0}};
		int64_t left = deadline - now_ns();
		int n = 0;

		if (waitpid(pid, &st->status, WNOHANG) == pid)
			break;
		if (left <= 0) {
			st->timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st->status, 0);
			break;
		}
		if (helper_pid > 0 &&
		    waitpid(helper_pid, &st->helper_status, WNOHANG) == helper_pid) {
			st->helper_died = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st->status, 0);
			break;
		}
		/* without pidfds (old kernels) this wakes every 10 ms */
		if (pfd >= 0)
			n = poll(p, helper_pidfd >= 0 ? 2 : 1, left / 1000000 + 1);
		if (pfd < 0 || n < 0)
			poll(NULL, 0, 10);
	}
	/* whatever the command left behind in its group goes with it */
	kill(-pid, SIGKILL);
	if (pfd >= 0)
		close(pfd);
}

static void log_argv(int fd, unsigned int i, char **argv)
{
	logf_(fd, "[agentcg] command %u:", i + 1);
	for (char **a = argv; *a; a++)
		logf_(fd, " %s", *a);
	logf_(fd, "\n");
}

static void log_end(int fd, const struct step *st, double s)
{
	if (st->exec_errno)
		logf_(fd, "[agentcg] could not start: %s\n", strerror(st->exec_errno));
	else if (st->timed_out)
		logf_(fd, "[agentcg] killed at its timeout after %.2f s\n", s);
	else if (st->helper_died)
		logf_(fd, "[agentcg] killed after %.2f s: the session's base process died\n", s);
	else if (WIFSIGNALED(st->status))
		logf_(fd, "[agentcg] killed by signal %d (%s) after %.2f s\n", WTERMSIG(st->status),
		      sigabbrev_np(WTERMSIG(st->status)) ?: "?", s);
	else
		logf_(fd, "[agentcg] exit %d after %.2f s\n", WEXITSTATUS(st->status), s);
}

/* End the driver the way its session ended: a signal as itself, else an exit code. */
static __attribute__((noreturn)) void die_as(int sig)
{
	struct sigaction sa = {0};

	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
	kill(getpid(), sig);
	kill(getpid(), SIGKILL);
	_exit(ACG_CMD_EXIT_FAILED);
}

static __attribute__((noreturn)) void driver(const struct acg_command_cfg *cfg, int out_fd)
{
	const struct acg_command_spec *sp = cfg->spec;
	struct acg_rec rec = {.type = ACG_REC_START, .a = (int64_t)cfg->base_bytes, .b = 1};
	pid_t helper_pid = -1, self = getpid();
	int helper_pidfd = -1, ready[2];
	int64_t t0;
	char c;

	signal(SIGPIPE, SIG_IGN);
	if (cfg->base_bytes) {
		if (pipe2(ready, O_CLOEXEC) < 0)
			_exit(ACG_CMD_EXIT_SETUP);
		helper_pid = fork();
		if (helper_pid < 0)
			_exit(ACG_CMD_EXIT_SETUP);
		if (helper_pid == 0) {
			close(ready[0]);
			close(out_fd);
			if (cfg->log_fd >= 0)
				close(cfg->log_fd);
			helper(cfg->base_bytes, ready[1], self);
		}
		close(ready[1]);
		if (read(ready[0], &c, 1) != 1) {
			int st = 0;

			waitpid(helper_pid, &st, 0);
			if (WIFSIGNALED(st))
				die_as(WTERMSIG(st));
			_exit(ACG_CMD_EXIT_BASE);
		}
		close(ready[0]);
		helper_pidfd = pidfd_open_(helper_pid);
	}
	acg_rec_emit(out_fd, &rec);
	if (cfg->go_fd > 0)
		while (read(cfg->go_fd, &c, 1) < 0 && errno == EINTR)
			;
	t0 = now_ns();
	for (size_t i = 0; i < sp->n; i++) {
		struct step st;
		int64_t start = now_ns() - t0, end;

		log_argv(cfg->log_fd, (unsigned int)i, sp->argv[i]);
		run_one(cfg, sp->argv[i], helper_pid, helper_pidfd, &st);
		end = now_ns() - t0;
		log_end(cfg->log_fd, &st, (double)(end - start) / 1e9);
		rec = (struct acg_rec){.type = ACG_REC_STEP,
				       .index = (uint32_t)i,
				       .a = start,
				       .b = end,
				       .c = st.status,
				       .d = st.timed_out,
				       .e = st.exec_errno};
		acg_rec_emit(out_fd, &rec);
		if (st.helper_died) {
			/* the agent itself was killed: the session dies of the same cause */
			die_as(WIFSIGNALED(st.helper_status) ? WTERMSIG(st.helper_status)
							     : SIGKILL);
		}
		if (st.exec_errno)
			_exit(ACG_CMD_EXIT_NOEXEC);
		if (WIFSIGNALED(st.status))
			die_as(WTERMSIG(st.status));
		if (!WIFEXITED(st.status) || WEXITSTATUS(st.status) != 0)
			_exit(ACG_CMD_EXIT_FAILED);
	}
	rec = (struct acg_rec){.type = ACG_REC_END, .a = now_ns() - t0};
	acg_rec_emit(out_fd, &rec);
	_exit(0);
}

/* The command session's driver, in the child. */
static void command_child(const void *arg, int fd)
{
	driver(arg, fd);
}

int acg_command_spawn(const struct acg_command_cfg *cfg, struct acg_cg *cg, pid_t *ret_pid,
		      int *ret_fd)
{
	int fd;
	pid_t pid =
		acg_worker_fork(cg, cfg->go_fd > 0 ? cfg->go_wfd : -1, 0, command_child, cfg, &fd);

	if (pid < 0)
		return pid;
	*ret_pid = pid;
	*ret_fd = fd;
	return 0;
}

static bool executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int acg_command_find(const char *argv0, const char *cwd, struct acg_diag *d)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!argv0[0])
		return acg_diag_fail(d, -EINVAL, "the program name is empty");
	if (strchr(argv0, '/')) {
		if (argv0[0] == '/' || !cwd)
			snprintf(buf, sizeof(buf), "%s", argv0);
		else
			snprintf(buf, sizeof(buf), "%s/%s", cwd, argv0);
		if (executable_file(buf))
			return 0;
		return acg_diag_fail(d, -ENOENT, "\"%s\" is not an executable file", buf);
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, len ? p : ".", argv0);
		if (executable_file(buf))
			return 0;
		p += len;
		if (*p == ':')
			p++;
	}
	return acg_diag_fail(d, -ENOENT, "\"%s\" not found on PATH (%s)", argv0, path);
}

int acg_command_scratch_make(const char *name, char **ret)
{
	const char *tmp = getenv("TMPDIR");
	struct stat st;
	char *path;

	/* /var/tmp is on disk where /tmp may be memory (tmpfs pages would count as the
	 * session's memory); a minimal system (the test VM) may have only /tmp */
	if (!tmp || tmp[0] != '/')
		tmp = stat("/var/tmp", &st) == 0 && S_ISDIR(st.st_mode) ? "/var/tmp" : "/tmp";
	if (asprintf(&path, "%s/agentcg-%s-XXXXXX", tmp, name) < 0)
		return -ENOMEM;
	if (!mkdtemp(path)) {
		int e = -errno;

		free(path);
		return e;
	}
	*ret = path;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void acg_command_scratch_remove(const char *path)
{
	if (path && path[0] == '/')
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

void acg_command_spec_free(struct acg_command_spec *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->argv && i < s->n; i++) {
		for (char **a = s->argv[i]; a && *a; a++)
			free(*a);
		free(s->argv[i]);
	}
	free(s->argv);
	for (char **v = s->env; v && *v; v++)
		free(*v);
	free(s->env);
	free(s->cwd);
	memset(s, 0, sizeof(*s));
}
