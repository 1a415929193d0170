// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_profile.c: `agentcg profile DIR... [--out FILE]`: the burst profile of traces and
 * recordings (lib/model/profile.h); this file parses and prints.
 */
#include "cmd.h"

#include "profile.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void profile_usage(FILE *f)
{
	fprintf(f,
		"Usage: agentcg profile DIR|FILE... [--split tune|test|all] [--burst-mib N]\n"
		"                       [--out FILE]\n"
		"\n"
		"The burst profile of traces and `agentcg record` outputs: per trace its baseline\n"
		"(the median of its first 20%%), its peak, their ratio and its bursts (samples\n"
		"above the baseline plus --burst-mib: how long, how fast they grew); across all of\n"
		"them the p50/p90/p99 of the peak-to-baseline ratio, of burst durations and of\n"
		"burst growth rates, in trace time; and of how far each grew from its first\n"
		"sample (growth_bytes). What the policy expects a session to grow by from its\n"
		"start is read from that: LOW its p75, HIGH its p90 (daemon, bench, simulate and\n"
		"evaluate take such a file as --profile; docs/profile.md). The traces' MB are\n"
		"read as MiB, as the\n"
		"shipped scenarios read them; a recording's exact bytes are taken as they are.\n"
		"\n"
		"A directory gives its *.json and *.csv traces of the split; a file is taken as it\n"
		"is. Without --out the JSON goes to stdout; with it, to FILE, and a summary to\n"
		"stdout.\n"
		"\n"
		"Options:\n"
		"  --split S      tune (default): the traces DIR/heldout.txt does not name; test:\n"
		"                 only the held-out ones (final evaluation only, never tune on\n"
		"                 it); all: every trace (a directory without heldout.txt needs it)\n"
		"  --burst-mib N  a burst is above the baseline plus N MiB (default %llu)\n"
		"  --out FILE     write the JSON to FILE\n"
		"  -h, --help     this text\n"
		"\n"
		"Examples:\n"
		"  agentcg profile traces --out profile.json\n"
		"  agentcg profile traces --split all --burst-mib 128\n"
		"  agentcg profile my-recordings --split all pytest.json\n",
		(unsigned long long)(ACG_PROFILE_BURST_BYTES >> 20));
}

static void print_q(const char *what, const struct acg_profile_q *q, double scale, const char *unit)
{
	if (q->n == 0) {
		printf("%-26s none\n", what);
		return;
	}
	printf("%-26s p50 %8.2f  p90 %8.2f  p99 %8.2f %s (%zu)\n", what, q->p50 / scale,
	       q->p90 / scale, q->p99 / scale, unit, q->n);
}

static void print_summary(const struct acg_profile *p, const char *out)
{
	printf("%zu traces (split %s), %zu bursts above baseline + %.0f MiB; written to %s\n", p->n,
	       acg_eval_split_name(p->split), p->n_bursts, (double)p->burst_bytes / 1048576.0, out);
	print_q("growth from the start", &p->growth, 1048576.0, "MiB");
	printf("%-26s LOW %.0f MiB (p75), HIGH %.0f MiB (p90)\n", "the policy expects",
	       p->growth.n ? p->growth.p75 / 1048576.0 : 0,
	       p->growth.n ? p->growth.p90 / 1048576.0 : 0);
	print_q("peak / baseline", &p->ratio, 1, "x");
	print_q("burst duration", &p->duration, 1, "s");
	print_q("burst growth rate", &p->rate, 1048576.0, "MiB/s");
}

int cmd_profile(int argc, char **argv)
{
	static const struct option opts[] = {
		{"split", required_argument, NULL, 's'},
		{"burst-mib", required_argument, NULL, 'b'},
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	enum acg_eval_split split = ACG_EVAL_TUNE;
	double burst_mib = (double)(ACG_PROFILE_BURST_BYTES >> 20);
	struct acg_profile p;
	struct acg_diag diag = {""};
	const char *out = NULL;
	json_t *doc;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (strcmp(optarg, "tune") == 0) {
				split = ACG_EVAL_TUNE;
			} else if (strcmp(optarg, "test") == 0) {
				split = ACG_EVAL_TEST;
			} else if (strcmp(optarg, "all") == 0) {
				split = ACG_EVAL_ALL;
			} else {
				acg_err("profile: --split '%s': expected tune, test or all",
					optarg);
				return ACG_EXIT_USAGE;
			}
			break;
		case 'b':
			if (!acg_opt_double("profile", "--burst-mib", optarg, 0, 1 << 24,
					    &burst_mib))
				return ACG_EXIT_USAGE;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			profile_usage(stdout);
			return ACG_EXIT_OK;
		default:
			acg_bad_option("profile", argv[optind - 1]);
			return ACG_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		acg_err("profile: which traces? (a directory or a file; see 'agentcg profile "
			"--help')");
		return ACG_EXIT_USAGE;
	}
	if (out && (r = acg_output_check(out)) < 0) {
		acg_err("profile: --out %s: cannot write the profile there: %s", out, strerror(-r));
		return ACG_EXIT_USAGE;
	}
	r = acg_profile_run(argv + optind, (size_t)(argc - optind), split,
			    (uint64_t)(burst_mib * 1048576.0), &p, &diag);
	if (r == -ENOMEM) {
		acg_err("profile: out of memory");
		return ACG_EXIT_FAIL;
	}
	if (r < 0) {
		acg_err("profile: %s", diag.msg);
		return ACG_EXIT_USAGE;
	}
	doc = acg_profile_json(&p);
	r = doc ? acg_write_json(doc, out) : -ENOMEM;
	json_decref(doc);
	if (r < 0)
		acg_err("profile: cannot write %s: %s", out ? out : "stdout", strerror(-r));
	else if (out)
		print_summary(&p, out);
	acg_profile_free(&p);
	return r < 0 ? ACG_EXIT_FAIL : ACG_EXIT_OK;
}
