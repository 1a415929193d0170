// SPDX-License-Identifier: GPL-2.0
/*
 * main.c: the agentcg multi-command binary. Finds the subcommand in the table below and
 * hands it the rest of the command line; everything else lives in the subcommand's file.
 */
#include "cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef AGENTCG_VERSION
#define AGENTCG_VERSION "0.0.0-dev"
#endif

static const struct acg_cmd commands[] = {
	{"check", "what this host supports for memory isolation (cgroups, PSI, BPF)", cmd_check},
	{"replay", "replay a real agent trace's memory timeline in real memory", cmd_replay},
	{"stress", "allocate, hold and burst synthetic memory (same result as replay)", cmd_stress},
	{"record", "run a command in its own cgroup and record its memory timeline", cmd_record},
	{"bench", "run isolation strategies side by side on a scenario, repeatedly", cmd_bench},
	{"simulate", "the same policy over the traces in simulated time (capacity planning)",
	 cmd_simulate},
	{"evaluate", "the policy judged on random mixes of the trace corpus (simulated)",
	 cmd_evaluate},
	{"profile", "the burst profile of traces and recordings (peak/baseline, bursts)",
	 cmd_profile},
	{"daemon", "the priority controller for every session under a root", cmd_daemon},
	{"run", "start a command as a HIGH or LOW session under the daemon", cmd_run},
	{"status", "what the daemon is doing: sessions, holds, the last decisions", cmd_status},
	{"report", "tables and plots (Markdown, one HTML page) from bench results", cmd_report},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

void acg_err(const char *fmt, ...)
{
	va_list ap;

	fputs("agentcg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void acg_bad_option(const char *cmd, const char *arg)
{
	acg_err("%s: unknown option or missing value in '%s' (see 'agentcg %s --help')", cmd, arg,
		cmd);
}

const char *acg_root_hint(int err)
{
	if ((err == -EACCES || err == -EPERM) && geteuid() != 0)
		return "; creating sessions under the managed root needs root: run as root";
	return "";
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: agentcg COMMAND [OPTIONS]\n"
		"\n"
		"Keep concurrent AI-agent sessions on one host from hurting each other's memory:\n"
		"HIGH-priority sessions keep allocating, LOW ones are slowed or paused, not killed.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n"
		   "Options:\n"
		   "  -h, --help     this text; 'agentcg COMMAND --help' for a command's own\n"
		   "  -V, --version  print the version\n"
		   "\n"
		   "Examples:\n"
		   "  agentcg check           # what isolation this host can do, and why not\n"
		   "  agentcg check --json    # the same as data\n"
		   "  agentcg replay traces/dask__dask-11628.json --speed 50\n"
		   "  agentcg bench bench/scenarios/pressure.json\n"
		   "  agentcg daemon --budget-mb 16384 & agentcg run --priority low -- make test\n"
		   "\n"
		   "Exit status: 0 ok, 1 operation failed, 2 bad usage or bad input.\n");
}

int main(int argc, char **argv)
{
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return ACG_EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
		usage(stdout);
		return ACG_EXIT_OK;
	}
	if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
		printf("agentcg %s\n", AGENTCG_VERSION);
		return ACG_EXIT_OK;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	acg_err("'%s' is not a command (see 'agentcg --help')", name);
	return ACG_EXIT_USAGE;
}
