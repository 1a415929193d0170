// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_stress.c: `agentcg stress`: the seeds' synthetic workload (allocate a target, hold
 * it; optional ramp and bursts), run by the replay engine, so the result is the same JSON.
 */
#include "cmd.h"

#include "replay.h"
#include "stress.h"

#include <getopt.h>
#include <stdio.h>

static void stress_usage(FILE *f)
{
	fprintf(f,
		"Usage: agentcg stress --mb N [--hold S] [--ramp S] [--burst-mb B --burst-every P\n"
		"                      --burst-for D] [--base-mb N] [--cgroup PATH] [--output FILE]\n"
		"\n"
		"Allocate N MiB (at once, or growing linearly over --ramp seconds), hold it for\n"
		"--hold seconds, optionally bursting to B MiB for D seconds every P seconds, then\n"
		"exit. Runs on the replay engine: the result JSON is replay's (docs/replay.md).\n"
		"\n"
		"Options:\n"
		"  --mb N           target size, MiB (required)\n"
		"  --hold S         seconds to hold it (default 1)\n"
		"  --ramp S         seconds to grow to it (default 0: at once)\n"
		"  --burst-mb B     size during a burst, MiB (> N)\n"
		"  --burst-every P  a burst starts every P seconds during the hold\n"
		"  --burst-for D    and lasts D seconds (D < P)\n"
		"  --base-mb N      baseline held throughout, MiB (default 0)\n"
		"  --cgroup PATH    existing cgroup to run in\n"
		"  --output FILE    result JSON (default: stdout)\n"
		"  -h, --help       this text\n"
		"\n"
		"Examples:\n"
		"  agentcg stress --mb 500 --hold 10\n"
		"  agentcg stress --mb 200 --ramp 2 --hold 8 --burst-mb 800 --burst-every 3 "
		"--burst-for 1\n"
		"\n"
		"Exit status: 0 completed, 1 killed or failed (result still written), 2 bad usage\n"
		"(an --output that cannot be written is found before anything runs).\n");
}

int cmd_stress(int argc, char **argv)
{
	static const struct option opts[] = {
		{"mb", required_argument, NULL, 'm'},
		{"hold", required_argument, NULL, 'H'},
		{"ramp", required_argument, NULL, 'r'},
		{"burst-mb", required_argument, NULL, 'B'},
		{"burst-every", required_argument, NULL, 'e'},
		{"burst-for", required_argument, NULL, 'f'},
		{"base-mb", required_argument, NULL, 'b'},
		{"cgroup", required_argument, NULL, 'c'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct acg_stress_spec spec = {.hold_s = 1};
	struct acg_replay_cfg cfg = {.speed = 1};
	const char *cgroup = NULL, *output = NULL;
	double mb = 0, burst_mb = 0, base_mb = 0;
	struct acg_trace *trace;
	struct acg_diag diag = {""};
	int c, code;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		bool ok = true;

		switch (c) {
		case 'm':
			ok = acg_opt_double("stress", "--mb", optarg, 0, 1 << 24, &mb);
			break;
		case 'H':
			ok = acg_opt_double("stress", "--hold", optarg, 0, 1e7, &spec.hold_s);
			break;
		case 'r':
			ok = acg_opt_double("stress", "--ramp", optarg, 0, 1e7, &spec.ramp_s);
			break;
		case 'B':
			ok = acg_opt_double("stress", "--burst-mb", optarg, 0, 1 << 24, &burst_mb);
			break;
		case 'e':
			ok = acg_opt_double("stress", "--burst-every", optarg, 0, 1e7,
					    &spec.burst_every_s);
			break;
		case 'f':
			ok = acg_opt_double("stress", "--burst-for", optarg, 0, 1e7,
					    &spec.burst_for_s);
			break;
		case 'b':
			ok = acg_opt_double("stress", "--base-mb", optarg, 0, 1 << 24, &base_mb);
			break;
		case 'c':
			cgroup = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			stress_usage(stdout);
			return ACG_EXIT_OK;
		default:
			acg_bad_option("stress", argv[optind - 1]);
			return ACG_EXIT_USAGE;
		}
		if (!ok)
			return ACG_EXIT_USAGE;
	}
	if (optind < argc) {
		acg_err("stress: unexpected argument '%s'", argv[optind]);
		return ACG_EXIT_USAGE;
	}
	if (mb <= 0) {
		acg_err("stress: --mb N is required (see 'agentcg stress --help')");
		return ACG_EXIT_USAGE;
	}
	spec.bytes = (uint64_t)(mb * 1048576.0);
	spec.burst_bytes = (uint64_t)(burst_mb * 1048576.0);
	if (acg_stress_check(&spec, &acg_stress_options, &diag) < 0) {
		acg_err("%s", diag.msg);
		return ACG_EXIT_USAGE;
	}
	if (acg_stress_trace(&spec, &trace) < 0) {
		acg_err("stress: out of memory building the timeline");
		return ACG_EXIT_FAIL;
	}
	cfg.trace = trace;
	cfg.base_bytes = (uint64_t)(base_mb * 1048576.0);
	code = acg_run_replay_cmd("stress", &cfg, cgroup, output);
	acg_trace_free(trace);
	return code;
}
