// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_evaluate.c: `agentcg evaluate [DIR]`: the policy judged on many random mixes of a
 * trace directory, in simulated time (lib/model/evaluate.h); this file parses and prints.
 */
#include "cmd.h"

#include "evaluate.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void evaluate_usage(FILE *f)
{
	fprintf(f,
		"Usage: agentcg evaluate [DIR] [--split tune|test|all] [--mixes N] [--seed S]\n"
		"                        [--ratios LIST] [--profile FILE|none] [--swap-mb N]\n"
		"                        [--json]\n"
		"\n"
		"Judge the policy on the trace corpus in simulated time: draw N random mixes from\n"
		"the traces of DIR (default traces/): 1-2 HIGH and 2-8 LOW sessions, 100 MiB of\n"
		"base each, speed 50 (the shipped scenarios' conventions), a budget at each\n"
		"overcommit ratio in turn (the sessions' peaks together over the budget).\n"
		"Simulate each under none, static and dynamic, under declared (dynamic with every\n"
		"HIGH session declaring its peak), and solo, and bound it with the oracle; print\n"
		"per strategy the kills, the work they lost, HIGH's slowdown against solo and\n"
		"LOW's completion against the oracle. The same seed gives the same output.\n"
		"\n"
		"Options:\n"
		"  --split S      tune (default): the traces DIR/heldout.txt does not name, for\n"
		"                 developing and tuning; test: only the held-out ones, for the\n"
		"                 final evaluation only (never tune on it); all: every trace\n"
		"  --mixes N      how many mixes (default 200)\n"
		"  --seed S       the random draw's seed (default 1)\n"
		"  --ratios LIST  overcommit ratios, comma-separated, each 1 to 100 (default\n"
		"                 1.2,1.5,2.0)\n"
		"  --profile FILE what the policy expects a session to grow by from its start\n"
		"                 (its admission): the growth quantiles of an agentcg profile\n"
		"                 output; none: nothing expected (default: the tune split's\n"
		"                 profile of the shipped traces, built in: LOW %.0f MiB, HIGH\n"
		"                 %.0f MiB)\n"
		"  --swap-mb N    swap the sessions may use, MiB (default 0: none, as on this\n"
		"                 host): dynamic pushes a held LOW session out to it where it\n"
		"                 would kill\n"
		"  --json         print the result as one JSON object (docs/evaluate.md)\n"
		"  -h, --help     this text\n"
		"\n"
		"Examples:\n"
		"  agentcg evaluate\n"
		"  agentcg evaluate --split test --mixes 500 --seed 7\n"
		"  agentcg profile my-traces --split all > p.json && agentcg evaluate --profile p.json\n"
		"  agentcg evaluate my-traces --split all --ratios 1.1,1.3\n",
		ACG_POL_LOW_GROWTH / 1048576.0, ACG_POL_HIGH_GROWTH / 1048576.0);
}

static bool parse_ratios(const char *arg, struct acg_eval_cfg *cfg)
{
	char *copy = strdup(arg), *save = NULL;
	bool ok = copy != NULL;

	cfg->n_ratios = 0;
	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && ok;
	     t = strtok_r(NULL, ",", &save)) {
		char *end;
		double v;

		errno = 0;
		v = strtod(t, &end);
		if (errno || end == t || *end || !isfinite(v) || v < 1 || v > 100) {
			acg_err("evaluate: --ratios '%s': '%s' is not an overcommit ratio (a number "
				"from 1 to 100: the sessions' peaks over the budget)",
				arg, t);
			ok = false;
		} else if (cfg->n_ratios == ACG_EVAL_MAX_RATIOS) {
			acg_err("evaluate: --ratios '%s': at most %d ratios", arg,
				ACG_EVAL_MAX_RATIOS);
			ok = false;
		} else {
			cfg->ratios[cfg->n_ratios++] = v;
		}
	}
	if (ok && cfg->n_ratios == 0) {
		acg_err("evaluate: --ratios '%s': no ratio in it", arg);
		ok = false;
	}
	free(copy);
	return ok;
}

/* A whole number option from min to max; one line when it is not one. */
static bool whole(const char *opt, const char *arg, double min, double max, double *ret)
{
	if (!acg_opt_double("evaluate", opt, arg, min, max, ret))
		return false;
	if (*ret != floor(*ret)) {
		acg_err("evaluate: %s '%s': expected a whole number", opt, arg);
		return false;
	}
	return true;
}

static void print_result(const struct acg_eval_result *r, const char *dir)
{
	printf("%zu mixes from %zu traces of %s (split %s, seed %llu), ratios", r->n_mixes,
	       r->n_traces, dir, acg_eval_split_name(r->split), (unsigned long long)r->seed);
	for (size_t i = 0; i < r->n_ratios; i++)
		printf("%s%g", i ? "," : " ", r->ratios[i]);
	printf("\nthe policy expects a session to grow from its start by: LOW %.0f MiB, HIGH %.0f "
	       "MiB (--profile)",
	       (double)r->low_growth / 1048576.0, (double)r->high_growth / 1048576.0);
	printf("\noracle: a no-kill schedule exists in %zu (robust, with 5%% less budget: %zu), "
	       "is ruled out in %zu, unknown in %zu\n",
	       r->no_kill, r->robust, r->ruled_out, r->unknown);
	if (r->lossy) {
		printf("where none is known (%zu): refusing LOW sessions at their start loses no "
		       "work and leaves a no-kill schedule in %zu, %zu refused in all (at most %zu "
		       "in a mix); the strategies lost there (sessions, work):",
		       r->lossy, r->lossy_refusable, r->refused_total, r->refused_max);
		for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++)
			printf("%s %s %zu, %.1f s", s ? ";" : "", r->st[s].name,
			       r->st[s].lossy_lost, r->st[s].lossy_lost_s);
		putchar('\n');
	}
	putchar('\n');
	printf("%-8s %5s %5s %5s %13s %8s %8s %-20s %-12s\n", "strategy", "kills", "HIGH", "tmout",
	       "lost|robust", "lost s", "excess s", "HIGH/solo med p90 max", "LOW/oracle med p90");
	for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++) {
		const struct acg_eval_strategy *x = &r->st[s];

		printf("%-8s %5zu %5zu %5zu %13zu %8.1f %8.1f %6.2f %6.2f %6.2f %6.2f %6.2f\n",
		       x->name, x->kills, x->high_kills, x->timeouts, x->mixes_lost_robust,
		       x->lost_s, x->excess_lost_s, x->high_median, x->high_p90, x->high_max,
		       x->low_median, x->low_p90);
	}
	printf("\nby ratio: whether a no-kill schedule exists; each strategy's kills (mixes "
	       "lost|robust)\n%-6s %5s %6s %6s %9s %7s",
	       "ratio", "mixes", "exists", "robust", "ruled out", "unknown");
	for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++)
		printf(" %12s", r->st[s].name);
	putchar('\n');
	for (size_t i = 0; i < r->n_ratios; i++) {
		const struct acg_eval_ratio *b = &r->by_ratio[i];

		printf("%-6g %5zu %6zu %6zu %9zu %7zu", b->ratio, b->mixes, b->no_kill, b->robust,
		       b->ruled_out, b->unknown);
		for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++) {
			char cell[40];

			snprintf(cell, sizeof(cell), "%zu (%zu)", b->kills[s],
				 b->mixes_lost_robust[s]);
			printf(" %12s", cell);
		}
		putchar('\n');
	}
	if (r->swap_bytes)
		printf("\nwith %.0f MiB of swap for the sessions, held LOW sessions pushed out to it "
		       "instead of killed: dynamic %zu, declared %zu\n",
		       (double)r->swap_bytes / 1048576.0, r->st[2].swapped_out,
		       r->st[3].swapped_out);
	printf("\nkills: sessions killed (HIGH: of them HIGH); tmout: still held at the timeout;\n"
	       "lost|robust: mixes with a kill or timeout where a robust no-kill schedule exists;\n"
	       "lost s: work the killed sessions lost (their solo time done); excess s: beyond\n"
	       "the least (0 where a no-kill schedule exists, else the least a strategy lost).\n");
}

int cmd_evaluate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"split", required_argument, NULL, 's'},
		{"mixes", required_argument, NULL, 'm'},
		{"seed", required_argument, NULL, 'r'},
		{"ratios", required_argument, NULL, 'R'},
		{"json", no_argument, NULL, 'j'},
		{"profile", required_argument, NULL, 'p'},
		{"swap-mb", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct acg_eval_cfg cfg;
	struct acg_eval_result res;
	struct acg_diag diag = {""};
	bool json = false;
	double v;
	int c;

	acg_eval_cfg_default(&cfg);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (strcmp(optarg, "tune") == 0) {
				cfg.split = ACG_EVAL_TUNE;
			} else if (strcmp(optarg, "test") == 0) {
				cfg.split = ACG_EVAL_TEST;
			} else if (strcmp(optarg, "all") == 0) {
				cfg.split = ACG_EVAL_ALL;
			} else {
				acg_err("evaluate: --split '%s': expected tune, test or all",
					optarg);
				return ACG_EXIT_USAGE;
			}
			break;
		case 'm':
			if (!whole("--mixes", optarg, 1, 1000000, &v))
				return ACG_EXIT_USAGE;
			cfg.mixes = (size_t)v;
			break;
		case 'r':
			if (!whole("--seed", optarg, 0, 9007199254740992.0, &v))
				return ACG_EXIT_USAGE;
			cfg.seed = (uint64_t)v;
			break;
		case 'R':
			if (!parse_ratios(optarg, &cfg))
				return ACG_EXIT_USAGE;
			break;
		case 'j':
			json = true;
			break;
		case 'p':
			if (!acg_opt_profile("evaluate", optarg, &cfg.low_growth, &cfg.high_growth))
				return ACG_EXIT_USAGE;
			break;
		case 'S':
			if (!whole("--swap-mb", optarg, 0, 1 << 24, &v))
				return ACG_EXIT_USAGE;
			cfg.swap_bytes = (uint64_t)v << 20;
			break;
		case 'h':
			evaluate_usage(stdout);
			return ACG_EXIT_OK;
		default:
			acg_bad_option("evaluate", argv[optind - 1]);
			return ACG_EXIT_USAGE;
		}
	}
	if (optind < argc - 1) {
		acg_err("evaluate: one trace directory at a time");
		return ACG_EXIT_USAGE;
	}
	if (optind == argc - 1)
		cfg.dir = argv[optind];
	c = acg_eval_run(&cfg, &res, &diag);
	if (c == -ENOMEM) {
		acg_err("evaluate: out of memory");
		return ACG_EXIT_FAIL;
	}
	if (c < 0) {
		acg_err("evaluate: %s", diag.msg);
		return ACG_EXIT_USAGE;
	}
	if (json) {
		json_t *doc = acg_eval_result_json(&res);

		json_object_set_new(doc, "trace_dir", json_string(cfg.dir));
		acg_write_json(doc, NULL);
		json_decref(doc);
	} else {
		print_result(&res, cfg.dir);
	}
	acg_eval_result_free(&res);
	return ACG_EXIT_OK;
}
