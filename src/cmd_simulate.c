// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_simulate.c: `agentcg simulate SCENARIO`: the scenario in simulated time under the
 * same policy code as the live controller (model in lib/model/sim.h): who completes, who waits
 * and how long, who would be killed. --sweep-low answers capacity questions: how many LOW
 * sessions fit beside the HIGH ones with no kill.
 */
#include "cmd.h"

#include "host.h"
#include "oracle.h"
#include "policy.h"
#include "scenario.h"
#include "sim.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SWEEP 256

static void simulate_usage(FILE *f)
{
	fprintf(f,
		"Usage: agentcg simulate SCENARIO [--strategies LIST] [--budget-mb N]\n"
		"                        [--grow-mib-s N] [--host-grow-mib-s N]\n"
		"                        [--sweep-low N] [--profile FILE] [--decisions] [--json]\n"
		"\n"
		"Run the scenario in simulated time (nothing is allocated; hours of traces take\n"
		"seconds) under none, static and dynamic, the last with the live controller's own\n"
		"policy code. Sessions advance along their timelines when their next size fits;\n"
		"they wait when held, and the modelled kernel kills where a hard limit is hit.\n"
		"Growing takes time: at most --grow-mib-s per session (default: the replay's rate\n"
		"measured on the bench host), as the bench's replays are paced by page faults.\n"
		"It answers capacity questions, not latency ones (no reclaim, no page cache).\n"
		"\n"
		"Options:\n"
		"  --strategies LIST  any of solo,none,static,dynamic (default: none,static,\n"
		"                     dynamic; solo: each session alone, unlimited)\n"
		"  --budget-mb N      override the scenario's budget\n"
		"  --grow-mib-s N     how fast one session can grow, MiB/s (override the\n"
		"                     scenario's grow_mib_s; default %.0f)\n"
		"  --host-grow-mib-s N  how fast all sessions growing at once can grow together,\n"
		"                     MiB/s (override the scenario's host_grow_mib_s; default\n"
		"                     %.0f, 2 CPUs; not for solo, where each runs alone)\n"
		"  --sweep-low N      for k = 1..N LOW sessions (the scenario's LOW sessions\n"
		"                     repeated) beside all its HIGH ones: kills and slowdowns, and\n"
		"                     the largest k with no kill\n"
		"  --profile FILE     what dynamic expects a session to grow by from its start\n"
		"                     (an agentcg profile output; none: nothing; default: built\n"
		"                     in, the shipped traces' tune split: LOW %.0f, HIGH %.0f MiB)\n"
		"  --decisions        print each of the policy's actions under dynamic as it is\n"
		"                     taken: time, session, action, headroom, reason\n"
		"  --json             print the results as one JSON object (docs/simulate.md)\n"
		"  -h, --help         this text\n"
		"\n"
		"Examples:\n"
		"  agentcg simulate bench/scenarios/pressure.json\n"
		"  agentcg simulate my-host.json --budget-mb 16384 --sweep-low 40\n"
		"  agentcg simulate bench/scenarios/burst.json --strategies solo --grow-mib-s 1500\n",
		ACG_SIM_GROW_BPS / 1048576.0, ACG_SIM_HOST_GROW_BPS / 1048576.0,
		ACG_POL_LOW_GROWTH / 1048576.0, ACG_POL_HIGH_GROWTH / 1048576.0);
}

/* Slowdown of a completed session: its completion over its timeline at the speed. */
static double slowdown(const struct acg_sim_session *s, double speed)
{
	const struct acg_trace *t = s->spec->trace;
	double solo = t->samples[t->n - 1].t / speed;

	return solo > 0 ? s->completion_s / solo : 1;
}

static void print_result(const struct acg_sim_result *r, double speed)
{
	printf("%s: peak %.0f MiB together, %lu policy decisions, %zu killed, %.2f s of work "
	       "lost",
	       r->strategy, (double)r->peak_total / 1048576.0, r->decisions, r->killed,
	       r->work_lost_s);
	if (r->swapped_out)
		printf(", %zu pushed out to swap instead", r->swapped_out);
	printf("\n");
	for (size_t i = 0; i < r->n; i++) {
		const struct acg_sim_session *s = &r->s[i];

		if (s->completed)
			printf("  %-12s %-4s completed %8.2f s  slowdown %.2fx  waited %.2f s\n",
			       s->spec->name, acg_prio_name(s->spec->prio), s->completion_s,
			       slowdown(s, speed), s->waited_s);
		else if (s->timed_out)
			printf("  %-12s %-4s still waiting at the timeout (%.0f%% done)\n",
			       s->spec->name, acg_prio_name(s->spec->prio), 100 * s->progress);
		else
			printf("  %-12s %-4s KILLED at %.2f s (%.0f%% done, %.2f s of work lost)\n",
			       s->spec->name, acg_prio_name(s->spec->prio), s->killed_at_s,
			       100 * s->progress, s->work_lost_s);
	}
}

/* --decisions: one line per action of the policy, with the state it decided on. */
static void print_action(void *arg, double now, const struct acg_pol_state *st,
			 const struct acg_action *a)
{
	const struct acg_scenario *sc = arg;
	const struct acg_pol_session *s = &st->s[a->session];
	double h = st->budget > st->usage ? (double)(st->budget - st->usage) : 0;

	printf("  %8.2f s  %-12s %-7s", now, sc->sessions[a->session].name, acg_act_name(a->kind));
	if (a->kind == ACG_ACT_HOLD || a->kind == ACG_ACT_RAISE)
		printf(" at %6.0f MiB", (double)a->value / 1048576.0);
	printf("  (it holds %.0f MiB, headroom %.0f MiB)%s%s\n", (double)s->usage / 1048576.0,
	       h / 1048576.0, a->reason[0] ? ": " : "", a->reason);
}

/* What every --json document starts with: the scenario as simulated (docs/simulate.md). */
static json_t *json_head(const struct acg_scenario *sc)
{
	return json_pack("{s:s, s:I, s:f}", "scenario", sc->name, "budget_bytes",
			 (json_int_t)sc->budget_bytes, "speed", sc->speed);
}

static const char *oracle_status(int r)
{
	return r == 0 ? "feasible" : r == -ERANGE ? "infeasible" : "not_computed";
}

struct sweep_row {
	size_t k;
	size_t killed;
	double low_max_slowdown, high_max_slowdown;
};

/* A sweep row's largest slowdown: NaN (no session of the class completed) is n/a, null. */
static const char *slowdown_text(char *buf, size_t size, double sd)
{
	if (isnan(sd))
		return "n/a";
	snprintf(buf, size, "%.2f", sd);
	return buf;
}

static json_t *slowdown_json(double sd)
{
	return isnan(sd) ? json_null() : json_real(sd);
}

static int sweep(const struct acg_scenario *sc, const struct acg_pol_cfg *cfg, size_t max_low,
		 bool json)
{
	struct acg_scn_session *copies = calloc(MAX_SWEEP, sizeof(*copies));
	size_t idx[MAX_SWEEP], n_high = 0, n_low = 0, best = 0;
	struct acg_scenario tmp = *sc;
	json_t *rows = json_array();

	if (!copies)
		return -ENOMEM;
	for (size_t i = 0; i < sc->n_sessions; i++)
		n_low += !acg_prio_is_high(sc->sessions[i].prio);
	if (n_low == 0) {
		acg_err("simulate: --sweep-low: the scenario has no LOW session to repeat");
		free(copies);
		json_decref(rows);
		return -EINVAL;
	}
	for (size_t i = 0; i < sc->n_sessions; i++)
		if (acg_prio_is_high(sc->sessions[i].prio) && n_high < MAX_SWEEP)
			copies[n_high++] = sc->sessions[i];
	if (!json)
		printf("%-6s %-7s %-18s %-18s\n", "LOW", "killed", "LOW max slowdown",
		       "HIGH max slowdown");
	for (size_t k = 1; k <= max_low && n_high + k <= MAX_SWEEP; k++) {
		struct acg_sim_result r;
		/* NaN: no session of the class completed (n/a, null), never a slowdown of 0 */
		struct sweep_row row = {k, 0, NAN, NAN};
		char low_sd[32], high_sd[32];
		size_t m = n_high, seen = 0;

		/* the k-th LOW session is the scenario's LOW sessions in turn */
		for (size_t i = 0; m < n_high + k; i = (i + 1) % sc->n_sessions) {
			if (acg_prio_is_high(sc->sessions[i].prio))
				continue;
			copies[m] = sc->sessions[i];
			snprintf(copies[m].name, sizeof(copies[m].name), "%.50s-%zu",
				 sc->sessions[i].name, ++seen);
			m++;
		}
		for (size_t i = 0; i < m; i++)
			idx[i] = i;
		tmp.sessions = copies;
		tmp.n_sessions = m;
		if (acg_sim_run(&tmp, idx, m, "dynamic", cfg, &r) < 0)
			break;
		for (size_t i = 0; i < r.n; i++) {
			double sd;

			row.killed += r.s[i].killed || r.s[i].timed_out;
			if (!r.s[i].completed)
				continue;
			sd = slowdown(&r.s[i], sc->speed);
			if (acg_prio_is_high(r.s[i].spec->prio))
				row.high_max_slowdown = fmax(row.high_max_slowdown, sd);
			else
				row.low_max_slowdown = fmax(row.low_max_slowdown, sd);
		}
		acg_sim_result_free(&r);
		if (row.killed == 0 && best == k - 1)
			best = k;
		if (json)
			json_array_append_new(
				rows,
				json_pack("{s:I, s:I, s:o, s:o}", "low", (json_int_t)k, "killed",
					  (json_int_t)row.killed, "low_max_slowdown",
					  slowdown_json(row.low_max_slowdown), "high_max_slowdown",
					  slowdown_json(row.high_max_slowdown)));
		else
			printf("%-6zu %-7zu %-18s %-18s\n", k, row.killed,
			       slowdown_text(low_sd, sizeof(low_sd), row.low_max_slowdown),
			       slowdown_text(high_sd, sizeof(high_sd), row.high_max_slowdown));
	}
	if (json) {
		json_t *doc = json_head(sc);

		json_object_set_new(doc, "strategy", json_string("dynamic"));
		json_object_set_new(doc, "high_sessions", json_integer((json_int_t)n_high));
		json_object_set_new(doc, "sweep", rows);
		json_object_set_new(doc, "max_low_without_kill", json_integer((json_int_t)best));
		acg_write_json(doc, NULL);
		json_decref(doc);
	} else {
		json_decref(rows);
		printf("\n%zu LOW session(s) fit beside %zu HIGH in %.0f MiB with no kill (dynamic, "
		       "simulated)\n",
		       best, n_high, (double)sc->budget_bytes / 1048576.0);
	}
	free(copies);
	return 0;
}

int cmd_simulate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"strategies", required_argument, NULL, 's'},
		{"budget-mb", required_argument, NULL, 'b'},
		{"sweep-low", required_argument, NULL, 'w'},
		{"grow-mib-s", required_argument, NULL, 'g'},
		{"host-grow-mib-s", required_argument, NULL, 'G'},
		{"json", no_argument, NULL, 'j'},
		{"decisions", no_argument, NULL, 'd'},
		{"profile", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *list = "none,static,dynamic";
	double budget_mb = 0, sweep_n = 0, grow = 0, host_grow = 0;
	struct acg_scenario *sc;
	struct acg_pol_cfg cfg;
	struct acg_diag diag = {""};
	bool json = false, decisions = false;
	uint64_t low_growth = ACG_POL_LOW_GROWTH, high_growth = ACG_POL_HIGH_GROWTH;
	json_t *all = NULL, *oracle = NULL, *lows = NULL;
	char *copy, *save = NULL;
	size_t idx[MAX_SWEEP];
	int c, code = ACG_EXIT_OK;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			list = optarg;
			break;
		case 'b':
			if (!acg_opt_double("simulate", "--budget-mb", optarg, 1, 1 << 30,
					    &budget_mb))
				return ACG_EXIT_USAGE;
			break;
		case 'w':
			if (!acg_opt_double("simulate", "--sweep-low", optarg, 1, MAX_SWEEP - 1,
					    &sweep_n))
				return ACG_EXIT_USAGE;
			break;
		case 'g':
			if (!acg_opt_double("simulate", "--grow-mib-s", optarg, 1, 1 << 24, &grow))
				return ACG_EXIT_USAGE;
			break;
		case 'G':
			if (!acg_opt_double("simulate", "--host-grow-mib-s", optarg, 1, 1 << 24,
					    &host_grow))
				return ACG_EXIT_USAGE;
			break;
		case 'j':
			json = true;
			break;
		case 'd':
			decisions = true;
			break;
		case 'p':
			if (!acg_opt_profile("simulate", optarg, &low_growth, &high_growth))
				return ACG_EXIT_USAGE;
			break;
		case 'h':
			simulate_usage(stdout);
			return ACG_EXIT_OK;
		default:
			acg_bad_option("simulate", argv[optind - 1]);
			return ACG_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		acg_err(optind >= argc ? "simulate: which scenario? (see 'agentcg simulate --help')"
				       : "simulate: one scenario at a time");
		return ACG_EXIT_USAGE;
	}
	if (decisions && (json || sweep_n > 0)) {
		acg_err("simulate: --decisions prints the policy's actions as text: not with %s",
			json ? "--json" : "--sweep-low");
		return ACG_EXIT_USAGE;
	}
	if (acg_scenario_load(argv[optind], 0, &sc, &diag) < 0) {
		acg_err("simulate: %s", diag.msg);
		return ACG_EXIT_USAGE;
	}
	if (acg_scenario_unmodelled(sc)) {
		acg_err("simulate: %s: unavailable: %s", argv[optind], acg_scenario_unmodelled(sc));
		acg_scenario_free(sc);
		return ACG_EXIT_FAIL;
	}
	if (sc->n_sessions > MAX_SWEEP) {
		acg_err("simulate: %s: at most %d sessions", argv[optind], MAX_SWEEP);
		acg_scenario_free(sc);
		return ACG_EXIT_USAGE;
	}
	sc->low_growth = low_growth;
	sc->high_growth = high_growth;
	if (budget_mb > 0)
		sc->budget_bytes = (uint64_t)(budget_mb * 1048576.0);
	if (grow > 0)
		sc->grow_bps = grow * 1048576.0;
	if (host_grow > 0)
		sc->host_grow_bps = host_grow * 1048576.0;
	acg_pol_cfg_default(&cfg, sc->budget_bytes);
	cfg.low_growth = sc->low_growth;
	cfg.high_growth = sc->high_growth;
	if (sweep_n > 0) {
		code = sweep(sc, &cfg, (size_t)sweep_n, json) < 0 ? ACG_EXIT_USAGE : ACG_EXIT_OK;
		acg_scenario_free(sc);
		return code;
	}
	for (size_t i = 0; i < sc->n_sessions; i++)
		idx[i] = i;
	copy = strdup(list);
	all = json_array();
	lows = json_array();
	for (char *t = strtok_r(copy, ",", &save); t && code == ACG_EXIT_OK;
	     t = strtok_r(NULL, ",", &save)) {
		struct acg_sim_result r;

		bool watch = decisions && !json && strcmp(t, "dynamic") == 0;

		if (watch)
			printf("dynamic: the policy's actions\n");
		if (acg_sim_run_watched(sc, idx, sc->n_sessions, strcmp(t, "solo") == 0 ? NULL : t,
					&cfg, &r, watch ? print_action : NULL, sc) < 0) {
			acg_err("simulate: --strategies: '%s' cannot be simulated (solo, none, "
				"static, dynamic)",
				t);
			code = ACG_EXIT_USAGE;
			break;
		}
		if (json)
			json_array_append_new(all, acg_sim_result_json(&r));
		else
			print_result(&r, sc->speed);
		acg_sim_result_free(&r);
	}
	for (size_t i = 0; i < sc->n_sessions && code == ACG_EXIT_OK; i++) {
		double s;
		int r;

		if (acg_prio_is_high(sc->sessions[i].prio))
			continue;
		r = acg_oracle_low_completion(sc, i, &s);
		if (json)
			json_array_append_new(lows, json_pack("{s:s, s:s, s:o}", "session",
							      sc->sessions[i].name, "status",
							      oracle_status(r), "completion_s",
							      r == 0 ? json_real(s) : json_null()));
		else if (r == 0)
			printf("oracle: %s cannot complete before %.2f s (HIGH unslowed, no kill)\n",
			       sc->sessions[i].name, s);
		else if (r == -ERANGE)
			printf("oracle: no schedule completes %s without slowing HIGH or a kill\n",
			       sc->sessions[i].name);
		else
			printf("oracle: %s: not computed (%s)\n", sc->sessions[i].name,
			       r == -E2BIG ? "timelines too long for its grid" : strerror(-r));
	}
	if (code == ACG_EXIT_OK) {
		double s;
		bool exact;
		int r = acg_oracle_low_makespan(sc, &s, &exact);

		if (json)
			oracle = json_pack("{s:o, s:{s:s, s:o, s:b}}", "low_sessions",
					   json_incref(lows), "all_low", "status", oracle_status(r),
					   "completion_s", r == 0 ? json_real(s) : json_null(),
					   "exact", r == 0 && exact);
		else if (r == 0)
			printf("oracle: all LOW sessions cannot be done before %.2f s (%s)\n", s,
			       exact ? "exact under the model" : "a looser bound");
		else if (r == -ERANGE)
			printf("oracle: no schedule completes every LOW session without slowing HIGH "
			       "or a kill\n");
	}
	if (json && code == ACG_EXIT_OK) {
		json_t *doc = json_head(sc);

		json_object_set(doc, "strategies", all);
		json_object_set(doc, "oracle", oracle);
		acg_write_json(doc, NULL);
		json_decref(doc);
	}
	json_decref(all);
	json_decref(lows);
	json_decref(oracle);
	free(copy);
	acg_scenario_free(sc);
	return code;
}
