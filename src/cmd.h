/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd.h: the subcommands of the agentcg binary, one file each (as git and bpftool do),
 * and the few helpers they share for talking to the user.
 */
#ifndef AGENTCG_CMD_H
#define AGENTCG_CMD_H

#include "diag.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit codes, documented in README.md. */
enum {
	ACG_EXIT_OK = 0,
	ACG_EXIT_FAIL = 1,  /* the operation failed (kernel refused, run failed) */
	ACG_EXIT_USAGE = 2, /* bad command line or bad input file */
};

struct acg_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

int cmd_check(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_stress(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_daemon(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_profile(int argc, char **argv);

struct json_t;

/* Write doc to path ("-" or NULL: stdout), atomically for files. 0 or -errno. */
int acg_write_json(struct json_t *doc, const char *path);

/*
 * Whether acg_write_json() can write path, checked before any work so a bad --output
 * costs nothing: a file is created beside it, given a byte and removed (the directory
 * exists and takes files, the filesystem has room for a first block); an existing device
 * is opened and given an empty write (/dev/full refuses even that); stdout and FIFOs
 * pass; a directory does not (-EISDIR). 0 or -errno. Room for the whole result is only
 * known when it is written.
 */
int acg_output_check(const char *path);

/* The same, with one line saying what went wrong where when it cannot. */
bool acg_output_ok(const char *cmd, const char *path);

struct acg_replay_cfg;

/*
 * Run one replay the way replay and stress do: open the cgroup at cgroup_path (NULL: stay
 * here), spawn the worker, show progress on a terminal, write the result to output.
 * Returns the command's exit code.
 */
int acg_run_replay_cmd(const char *cmd, const struct acg_replay_cfg *cfg, const char *cgroup_path,
		       const char *output);

struct acg_cg;

/* Who a command started in a session runs as. */
struct acg_ident {
	bool drop; /* become uid/gid before exec (else: stay who the caller is) */
	uid_t uid;
	gid_t gid;
	char name[64];	/* the user's name ("" when the uid has none) */
	char home[256]; /* and its passwd entry's home and shell, for HOME and SHELL */
	char shell[128];
};

/*
 * Who CMD is to run as: user (a name or a number) when given; else, when root runs this
 * through sudo, the invoking user (SUDO_UID, SUDO_GID); else the caller. One line in why
 * and -errno when user does not exist or sudo's variables are not numbers.
 */
int acg_ident_resolve(const char *user, struct acg_ident *ret, struct acg_diag *d);

/*
 * Fork argv[0] (searched in PATH) into cg (NULL: where the caller is), as id says (NULL: as
 * the caller): the child
 * takes the user's groups, gid and uid (and HOME, USER, LOGNAME, SHELL from its passwd
 * entry) after joining the cgroup and before exec. Returns its pid or -errno;
 * *ret_exec_err is the errno of a failed exec or identity change (the child then exits
 * 127), else 0. SIGINT, SIGTERM and SIGHUP go to the child from before it runs
 * (acg_forward_signals(pid)); the caller stops that with acg_forward_signals(0).
 */
int acg_spawn_in_cgroup(struct acg_cg *cg, char **argv, const struct acg_ident *id,
			int *ret_exec_err);

/*
 * From now on, SIGINT, SIGTERM and SIGHUP go to pid (the child doing the work) instead
 * of ending this process, which then collects and writes what the child left; 0 stops
 * forwarding (the signals are then ignored until the caller is done).
 */
void acg_forward_signals(pid_t pid);

/* Parse a non-negative number option; one clear line and false when it is not one. */
bool acg_opt_double(const char *cmd, const char *opt, const char *arg, double min, double max,
		    double *ret);

/*
 * --profile FILE: the expected growths (low, high) the policy's admission reads, from an
 * `agentcg profile` output; "none": no expectation (0, 0). One clear line and false when
 * the file is not one.
 */
bool acg_opt_profile(const char *cmd, const char *arg, uint64_t *low, uint64_t *high);

/* "agentcg: <what>: <why>" on stderr, one line. */
void acg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line for an option getopt refused, pointing at the command's --help. */
void acg_bad_option(const char *cmd, const char *arg);

/*
 * What to add to a message about err (-errno) from creating or writing cgroups under the
 * managed root: for a permission error of a process that is not root, "; creating sessions
 * under the managed root needs root: run as root", else "".
 */
const char *acg_root_hint(int err);

#endif
