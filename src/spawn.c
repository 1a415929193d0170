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
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static bool parse_id(const char *s, unsigned long *ret)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*ret = strtoul(s, &end, 10);
	return !errno && !*end && *ret < 0xffffffffUL;
}

int acg_ident_resolve(const char *user, struct acg_ident *ret, struct acg_diag *d)
{
	const char *sudo_uid = getenv("SUDO_UID"), *sudo_gid = getenv("SUDO_GID");
	struct passwd *pw = NULL;
	unsigned long v, g;

	*ret = (struct acg_ident){0};
	if (user) {
		pw = getpwnam(user);
		if (!pw && parse_id(user, &v))
			pw = getpwuid((uid_t)v);
		if (!pw)
			return acg_diag_fail(d, -ENOENT, "--user %s: no such user", user);
		ret->uid = pw->pw_uid;
		ret->gid = pw->pw_gid;
	} else if (geteuid() == 0 && sudo_uid) {
		if (!parse_id(sudo_uid, &v) || !parse_id(sudo_gid, &g))
			return acg_diag_fail(d, -EINVAL,
					     "SUDO_UID/SUDO_GID are not numbers (%s/%s)", sudo_uid,
					     sudo_gid ? sudo_gid : "unset");
		ret->uid = (uid_t)v;
		ret->gid = (gid_t)g;
		pw = getpwuid(ret->uid);
	} else {
		ret->uid = geteuid();
		ret->gid = getegid();
		pw = getpwuid(ret->uid);
		return 0; /* the caller's own identity: nothing to change */
	}
	ret->drop = ret->uid != geteuid() || ret->gid != getegid() || ret->uid != 0;
	if (pw) {
		snprintf(ret->name, sizeof(ret->name), "%s", pw->pw_name);
		snprintf(ret->home, sizeof(ret->home), "%s", pw->pw_dir);
		snprintf(ret->shell, sizeof(ret->shell), "%s", pw->pw_shell);
	}
	return 0;
}

/* In the child: become id (groups, gid, uid, in that order), and check it cannot go back. */
static int become(const struct acg_ident *id)
{
	if (id->name[0] ? initgroups(id->name, id->gid) < 0 : setgroups(1, &id->gid) < 0)
		return errno;
	if (setgid(id->gid) < 0 || setuid(id->uid) < 0)
		return errno;
	if (id->uid != 0 && (setuid(0) == 0 || geteuid() == 0))
		return EPERM;
	if (id->name[0]) {
		setenv("USER", id->name, 1);
		setenv("LOGNAME", id->name, 1);
	}
	if (id->home[0])
		setenv("HOME", id->home, 1);
	if (id->shell[0])
		setenv("SHELL", id->shell, 1);
	return 0;
}

/* where SIGINT, SIGTERM and SIGHUP go: a pid; 0 nowhere (ignored); -1 kept in pending
 * until the child is released (acg_spawn_in_cgroup) */
static volatile sig_atomic_t forward_to, pending;

static void forward(int sig)
{
	if (forward_to > 0)
		kill((pid_t)forward_to, sig);
	else if (forward_to < 0)
		pending = sig;
}

/* SIGINT, SIGTERM and SIGHUP to handler, going to pid (forward_to). */
static void forward_install(void (*handler)(int), pid_t pid)
{
	struct sigaction sa = {.sa_handler = handler};

	forward_to = pid;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void acg_forward_signals(pid_t pid)
{
	forward_install(forward, pid);
}

int acg_spawn_in_cgroup(struct acg_cg *cg, char **argv, const struct acg_ident *id,
			int *ret_exec_err)
{
	int go[2], err[2], e = 0;
	ssize_t r;
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
		if (id && id->drop && (e = become(id)) != 0) {
			if (write(err[1], &e, sizeof(e)) < 0)
				_exit(127);
			_exit(127);
		}
		execvp(argv[0], argv);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(err[1]);
	/* from here the signals are kept, and go to the child once it is released: a SIGTERM
	 * as soon as the agent showed life (the live tests' 'ready' file) reached run before
	 * it forwarded, and ended it there; one sent to the child before its release would
	 * end it before exec */
	if (pid > 0) {
		pending = 0;
		acg_forward_signals(-1);
	}
	if (pid < 0 || (cg && (e = acg_cg_attach(cg, pid)) < 0) || write(go[1], "G", 1) != 1) {
		if (pid < 0)
			e = -errno;
		else if (e == 0)
			e = -EIO;
		if (pid > 0) {
			/* the default actions back: the child was never released */
			forward_install(SIG_DFL, 0);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		close(go[1]);
		close(err[0]);
		return e;
	}
	close(go[1]);
	forward_to = pid;
	if (pending)
		kill(pid, pending);
	/* EOF: exec succeeded (the pipe closed on exec); else the child's errno. A signal
	 * forwarded meanwhile interrupts the read: it is read again */
	do
		r = read(err[0], &e, sizeof(e));
	while (r < 0 && errno == EINTR);
	*ret_exec_err = r == (ssize_t)sizeof(e) ? e : 0;
	close(err[0]);
	return pid;
}
