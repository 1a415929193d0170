/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd.h: the subcommands of the agentcg binary, one file each (as git and bpftool do),
 * and the few helpers they share for talking to the user.
 */
#ifndef AGENTCG_CMD_H
#define AGENTCG_CMD_H

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

/* "agentcg: <what>: <why>" on stderr, one line. */
void acg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line for an option getopt refused, pointing at the command's --help. */
void acg_bad_option(const char *cmd, const char *arg);

#endif
