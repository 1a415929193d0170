/* SPDX-License-Identifier: GPL-2.0 */
/*
 * command.h: a bench session that runs real software (the seeds' path C): a sequence of
 * commands (an agent's tool calls) run one after the other inside the session's cgroup,
 * beside a small helper process holding base_bytes for the whole session (the agent
 * process itself). Completion is the real wall time of the sequence.
 *
 * Like the replay worker (replay.h), the session's driver runs in the cgroup and streams
 * fixed-size records to its parent outside: START once the helper holds its baseline,
 * STEP as each command ends (when it started and ended, its wait status, whether it was
 * killed at its timeout), END when every command exited 0. A driver whose command died of
 * a signal (the OOM killer, or the driver's own SIGKILL at the command's timeout) dies of
 * the same signal, so the bench sees the session killed; one whose command exited non-zero
 * exits ACG_CMD_EXIT_FAILED.
 */
#ifndef AGENTCG_COMMAND_H
#define AGENTCG_COMMAND_H

#include "cgroup.h"
#include "diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ACG_CMD_TIMEOUT_DEFAULT_S 600.0
#define ACG_CMD_TIMEOUT_MIN_S 0.1
#define ACG_CMD_TIMEOUT_MAX_S 86400.0

/* The driver's exit codes (besides 0, and 3 could not join the cgroup, as replay's). */
enum {
	ACG_CMD_EXIT_BASE = 4,	 /* the helper could not hold base_bytes */
	ACG_CMD_EXIT_SETUP = 5,	 /* anything else before the first command */
	ACG_CMD_EXIT_FAILED = 6, /* a command exited non-zero */
	ACG_CMD_EXIT_NOEXEC = 7, /* a command could not be started */
};

struct acg_command_spec {
	char ***argv; /* n argvs, each NULL-terminated */
	size_t n;
	char *cwd;	  /* NULL: the session's scratch directory */
	char **env;	  /* "NAME=value" additions, NULL-terminated; NULL: none */
	double timeout_s; /* per command */
};

struct acg_command_cfg {
	const struct acg_command_spec *spec;
	uint64_t base_bytes; /* held by the helper from before the start to the end */
	const char *scratch; /* a fresh directory for the session: $AGENTCG_SCRATCH */
	int log_fd;	     /* every command's stdout and stderr, and a line per command */
	int go_fd, go_wfd;   /* as struct acg_replay_cfg's */
};

/*
 * Fork the session's driver: it joins cg, starts the helper, then (after go_fd) runs the
 * commands. Records arrive on *ret_fd (non-blocking, close-on-exec).
 */
int acg_command_spawn(const struct acg_command_cfg *cfg, struct acg_cg *cg, pid_t *ret_pid,
		      int *ret_fd);

/*
 * Whether argv0 can be executed: with a '/', relative to cwd (NULL: here) and executable;
 * else an executable file in a directory of $PATH. 0, or -errno with why set to a phrase
 * ("not found on PATH (/usr/bin:/bin)").
 */
int acg_command_find(const char *argv0, const char *cwd, struct acg_diag *d);

/* A fresh scratch directory for session name, under $TMPDIR or /var/tmp; malloc'd path. */
int acg_command_scratch_make(const char *name, char **ret);

/* Remove a scratch directory and everything in it (never following symlinks). */
void acg_command_scratch_remove(const char *path);

void acg_command_spec_free(struct acg_command_spec *s);

#endif
