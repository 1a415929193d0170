// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_replay.c: `agentcg replay TRACE`: follow a real trace's memory timeline in real
 * memory, inside a cgroup if asked, and report how faithfully and how fast it went.
 */
#include "cmd.h"

#include "host.h"
#include "replay.h"
#include "trace.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void replay_usage(FILE *f)
{
	fprintf(f,
		"Usage: agentcg replay TRACE [--speed X] [--base-mb N] [--cgroup PATH] [--output FILE]\n"
		"\n"
		"Replay the memory timeline of TRACE (a resources.json of the AgentCgroup traces, or\n"
		"a CSV of \"seconds,bytes\") in real memory. A worker process joins the cgroup first,\n"
		"holds a baseline (the agent itself), then grows (populating pages) and shrinks\n"
		"(releasing them) to each sample's size at the sample's time divided by the speed.\n"
		"The result (JSON, schema in docs/replay.md) has completion time, kernel peak,\n"
		"growth latency percentiles, tracking error, lateness per sample and the cgroup's\n"
		"memory.events delta. If the worker is killed, what it reported is still written.\n"
		"\n"
		"Options:\n"
		"  --speed X        timeline divided by X (default 1)\n"
		"  --base-mb N      baseline held throughout, MiB (default 0)\n"
		"  --cgroup PATH    existing cgroup to run in (absolute, or relative to the memory\n"
		"                   controller's mount)\n"
		"  --output FILE    result JSON (default: stdout)\n"
		"  --binary-units   read kB/MB/GB as KiB/MiB/GiB, as the original Python tool did\n"
		"  --chunk-mb N     growth step that is timed, MiB (default 4)\n"
		"  --touch          populate by touching pages, not MADV_POPULATE_WRITE\n"
		"  -h, --help       this text\n"
		"\n"
		"Examples:\n"
		"  agentcg replay traces/dask__dask-11628.json --speed 50 --base-mb 100\n"
		"  agentcg replay my-agent.csv --cgroup agentcg/s1 --output s1.json\n"
		"\n"
		"Exit status: 0 replay completed, 1 it was killed or failed (result still written),\n"
		"2 bad usage, a bad trace, or an --output that cannot be written (checked first).\n");
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{"speed", required_argument, NULL, 's'},
		{"base-mb", required_argument, NULL, 'b'},
		{"cgroup", required_argument, NULL, 'c'},
		{"output", required_argument, NULL, 'o'},
		{"binary-units", no_argument, NULL, 'B'},
		{"chunk-mb", required_argument, NULL, 'k'},
		{"touch", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct acg_replay_cfg cfg = {.speed = 1};
	struct acg_trace_opts topts = {0};
	const char *cgroup = NULL, *output = NULL;
	double base_mb = 0, chunk_mb = 4;
	struct acg_trace *trace;
	struct acg_diag diag = {""};
	int c, code;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!acg_opt_double("replay", "--speed", optarg, 1e-3, 1e6, &cfg.speed))
				return ACG_EXIT_USAGE;
			break;
		case 'b':
			if (!acg_opt_double("replay", "--base-mb", optarg, 0, 1 << 24, &base_mb))
				return ACG_EXIT_USAGE;
			break;
		case 'k':
			if (!acg_opt_double("replay", "--chunk-mb", optarg, 0.004, 1024, &chunk_mb))
				return ACG_EXIT_USAGE;
			break;
		case 'c':
			cgroup = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'B':
			topts.binary_units = true;
			break;
		case 't':
			cfg.touch_pages = true;
			break;
		case 'h':
			replay_usage(stdout);
			return ACG_EXIT_OK;
		default:
			acg_bad_option("replay", argv[optind - 1]);
			return ACG_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		acg_err("replay: which trace? (see 'agentcg replay --help')");
		return ACG_EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		acg_err("replay: unexpected argument '%s' (one trace at a time)", argv[optind + 1]);
		return ACG_EXIT_USAGE;
	}
	topts.max_bytes = acg_host_mem_total();
	if (acg_trace_load(argv[optind], &topts, &trace, &diag) < 0) {
		acg_err("replay: %s", diag.msg);
		return ACG_EXIT_USAGE;
	}
	cfg.trace = trace;
	cfg.base_bytes = (uint64_t)(base_mb * 1048576.0);
	cfg.chunk_bytes = (uint64_t)(chunk_mb * 1048576.0);
	code = acg_run_replay_cmd("replay", &cfg, cgroup, output);
	acg_trace_free(trace);
	return code;
}
