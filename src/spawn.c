// SPDX-License-Identifier: GPL-2.0
/*
 * spawn.c: start a command inside a cgroup, for `record` and `run`. The child waits on a
 * pipe until its parent has moved it into the cgroup, so not a byte of its memory is
 * charged elsewhere; an exec failure comes back through a close-on-exec pipe.
 */
#include "cmd.h"

#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t forward_to;

static void forward(int sig)
{
	if (forward_to > 0)
		kill((pid_t)forward_to, sig);
}

void acg_forward_signals(pid_t pid)
{
	struct sigaction sa = {0};

	forward_to = pid;
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int acg_spawn_in_cgroup(struct acg_cg *cg, char **argv, int *ret_exec_err)
{
	int go[2], err[2], e = 0;
	pid_t pid;
	char c;

	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(err, O_CLOEXEC) < 0) {
		close(go[0]);
		close(go[1]);
		return -errno;
	}
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		close(err[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		execvp(argv[0], argv);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(err[1]);
	if (pid < 0 || (e = acg_cg_attach(cg, pid)) < 0 || write(go[1], "G", 1) != 1) {
		if (pid < 0)
			e = -errno;
		else if (e == 0)
			e = -EIO;
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		close(go[1]);
		close(err[0]);
		return e;
	}
	close(go[1]);
	/* EOF: exec succeeded (the pipe closed on exec); else the child's errno */
	*ret_exec_err = read(err[0], ret_exec_err, sizeof(*ret_exec_err)) == sizeof(int)
				? *ret_exec_err
				: 0;
	close(err[0]);
	return pid;
}
