// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_bench.c: `agentcg bench SCENARIO`: run isolation strategies side by side on a
 * scenario's sessions, repeatedly, each session also alone as its baseline; write every
 * run as it finishes and a summary at the end. A session the kernel kills is a result, not
 * an error: the bench goes on.
 */
#include "cmd.h"
#include "jsonfile.h"
#include "clock.h"
#include "fsutil.h"

#include "bench.h"
#include "cgroup.h"
#include "host.h"
#include "mounts.h"
#include "replay.h"
#include "scenario.h"
#include "oracle.h"
#include "sim.h"
#include "stress.h"
#include "strategy.h"
#include "trace.h"
#include "warm.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void bench_usage(FILE *f)
{
	fprintf(f,
		"Usage: agentcg bench SCENARIO [--strategies a,b] [--runs N] [--out DIR]\n"
		"                     [--root PATH] [--warm-mb N | --no-warm] [--profile FILE]\n"
		"                     [--check-config]\n"
		"\n"
		"Run the scenario's sessions (traces, stress timelines or real commands, each in\n"
		"its own cgroup, all starting at the same instant under one memory budget) once\n"
		"per strategy per run, and each session alone as its baseline. A session the\n"
		"kernel kills is recorded as killed and the others go on; cgroups are always\n"
		"removed. Every run is written as it ends (DIR/runs/<k>/<strategy>/; a command\n"
		"session's output in sessions/<name>.log), then DIR/summary.json and\n"
		"DIR/summary.md, which is also printed. Schemas: docs/scenario.md, docs/bench.md.\n"
		"\n"
		"Options:\n"
		"  --strategies LIST  comma-separated (none,static,high,dynamic,bpf,\n"
		"                     bpf+dynamic); default: the scenario's list, else all.\n"
		"                     Unavailable ones are listed with the reason, never run.\n"
		"  --runs N           repetitions (default: the scenario's, else 5)\n"
		"  --out DIR          results directory, made with any missing parent\n"
		"                     (default bench-results/<name>-<time>)\n"
		"  --root PATH        managed cgroup root (default agentcg)\n"
		"  --warm-mb N        touch and free N MiB before every run (default: what the\n"
		"                     run's sessions need, plus a quarter, at most 3/4 of\n"
		"                     available memory; in a VM whose hypervisor takes free\n"
		"                     memory back, such memory is slow to touch again, and the\n"
		"                     bench would time the hypervisor)\n"
		"  --no-warm          never warm up\n"
		"  --profile FILE     what `dynamic` expects a session to grow by from its start\n"
		"                     (an agentcg profile output; none: nothing; default: built\n"
		"                     in, the shipped traces' tune split: LOW %.0f, HIGH %.0f MiB)\n"
		"  --check-config     check the scenario and its traces, print it, run nothing\n"
		"  -h, --help         this text\n"
		"\n"
		"Examples:\n"
		"  sudo agentcg bench bench/scenarios/pressure.json --runs 5\n"
		"  sudo agentcg bench bench/scenarios/burst.json --strategies none,static --out /tmp/b\n"
		"  agentcg bench my.json --check-config\n"
		"\n"
		"Exit status: 0 all runs done (killed sessions are results), 1 a run could not be\n"
		"carried out, none of the strategies can run on this host (with --check-config\n"
		"too), or the bench was interrupted (what ran is written), 2 bad usage or bad\n"
		"scenario.\n",
		ACG_POL_LOW_GROWTH / 1048576.0, ACG_POL_HIGH_GROWTH / 1048576.0);
}

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct bench {
	struct acg_scenario *sc;
	const struct acg_strategy **st;
	size_t n_st;
	json_t *unavailable;
	unsigned int runs;
	const char *out;
	bool tty;
	double t_start;
	unsigned int done, total;
	uint64_t warm_bytes; /* touched and freed before every run; 0: none */
	json_t *warm;	     /* what was decided about warming, and why (summary.json) */
};

static void progress(const struct acg_bench_run *r, double t, void *arg)
{
	struct bench *b = arg;
	double elapsed = acg_mono_s() - b->t_start;

	if (stop_requested) {
		for (size_t i = 0; i < r->n; i++)
			if (!r->s[i].exited && r->s[i].pid > 0)
				kill(r->s[i].pid, SIGKILL);
	}
	if (!b->tty)
		return;
	fprintf(stderr, "\r\033[Krun %u/%u  %-8s %5.1f s   elapsed %.0f s", r->run, b->runs,
		r->st ? r->st->name : "solo", t, elapsed);
	if (b->done)
		fprintf(stderr, ", about %.0f s left",
			elapsed / b->done * (double)(b->total - b->done));
}

static bool add_strategy(struct bench *b, const char *name)
{
	const struct acg_strategy *s = acg_strategy_find(name);

	if (!s) {
		acg_err("bench: --strategies: '%s' is not a strategy (none, static, high, dynamic, "
			"bpf)",
			name);
		return false;
	}
	for (size_t k = 0; k < b->n_st; k++)
		if (b->st[k] == s)
			return true;
	b->st[b->n_st++] = s;
	return true;
}

/* The strategies to compare: list (comma-separated), else the scenario's own. */
static bool select_strategies(struct bench *b, const char *list)
{
	size_t n_all;
	char *copy, *save = NULL;
	bool ok = true;

	acg_strategies(&n_all);
	b->st = calloc(n_all, sizeof(*b->st));
	if (!b->st)
		return false;
	if (!list) {
		for (size_t i = 0; i < b->sc->n_strategies; i++)
			add_strategy(b, b->sc->strategies[i]);
		return true;
	}
	copy = strdup(list);
	if (!copy)
		return false;
	for (char *t = strtok_r(copy, ",", &save); t && ok; t = strtok_r(NULL, ",", &save))
		ok = add_strategy(b, t);
	free(copy);
	if (ok && b->n_st == 0) {
		acg_err("bench: --strategies: no strategy named");
		ok = false;
	}
	return ok;
}

/* Keep the strategies this host can run; list the others with the reason. */
static void filter_supported(struct bench *b, const struct acg_host *h)
{
	size_t k = 0;

	b->unavailable = json_object();
	for (size_t i = 0; i < b->n_st; i++) {
		const char *why = NULL;

		if (b->st[i]->supported(h, &why) && b->st[i]->setup)
			b->st[k++] = b->st[i];
		else
			json_object_set_new(b->unavailable, b->st[i]->name,
					    json_string(why ? why : "not available"));
	}
	b->n_st = k;
}

/* A command session: its base, timeout and every command, one line each. */
static void print_command(const struct acg_scn_session *s)
{
	const struct acg_command_spec *c = s->command;

	printf("  %-12s %-4s %zu command%s, base %.0f MiB, timeout %g s each, in %s\n", s->name,
	       acg_prio_name(s->prio), c->n, c->n == 1 ? "" : "s",
	       (double)s->base_bytes / 1048576.0, c->timeout_s,
	       c->cwd ? c->cwd : "a fresh scratch directory");
	for (size_t k = 0; k < c->n; k++) {
		printf("      %zu:", k + 1);
		for (char **a = c->argv[k]; *a; a++)
			printf(" %s", *a);
		printf("\n");
	}
}

static void print_config(const struct acg_scenario *sc, const struct bench *b)
{
	const char *mib = "budget_mb, base_mb and stress mb are MiB (2^20 bytes)";
	bool traces = false;

	for (size_t i = 0; i < sc->n_sessions; i++)
		traces = traces || sc->sessions[i].trace_path;
	printf("scenario %s: budget %.0f MiB, speed %gx, %u runs\n", sc->name,
	       (double)sc->budget_bytes / 1048576.0, sc->speed, b->runs);
	/* how the sizes below were arrived at */
	if (!traces)
		printf("trace sizes: no traces here; %s\n", mib);
	else
		printf("trace sizes: %s, a sample's exact \"bytes\" as is; %s\n",
		       sc->binary_units ? "kB/MB/GB read as KiB/MiB/GiB (binary_units)"
					: "as written (MB = 10^6 bytes, MiB = 2^20)",
		       mib);
	for (size_t i = 0; i < sc->n_sessions; i++) {
		const struct acg_scn_session *s = &sc->sessions[i];
		struct acg_trace_summary sum;

		if (s->command) {
			print_command(s);
			continue;
		}
		acg_trace_summarize(s->trace, &sum);
		printf("  %-12s %-4s %-40s peak %6.0f MiB + base %4.0f MiB, %.2f s at %gx\n",
		       s->name, acg_prio_name(s->prio), s->trace->name,
		       (double)sum.peak_bytes / 1048576.0, (double)s->base_bytes / 1048576.0,
		       sum.duration_s / sc->speed, sc->speed);
	}
	printf("strategies:");
	for (size_t i = 0; i < b->n_st; i++)
		printf(" %s", b->st[i]->name);
	printf("%s\n", b->n_st ? "" : " (none of them can run here)");
	if (acg_scenario_unmodelled(sc))
		printf("simulation and oracle: unavailable: %s\n", acg_scenario_unmodelled(sc));
	if (b->unavailable) {
		const char *name;
		json_t *why;

		json_object_foreach(b->unavailable, name, why) {
			printf("  %s unavailable here: %s\n", name, json_string_value(why));
		}
	}
}

/* One line: none of the strategies asked for can run here, and why not, for each. */
static void err_no_strategy(const struct bench *b, bool from_option)
{
	char why_all[1024] = "";
	size_t len = 0;
	const char *name;
	json_t *why;

	json_object_foreach(b->unavailable, name, why) {
		int n = snprintf(why_all + len, sizeof(why_all) - len, "%s%s: %s", len ? "; " : "",
				 name, json_string_value(why));

		if (n < 0 || (size_t)n >= sizeof(why_all) - len)
			break;
		len += (size_t)n;
	}
	acg_err("bench: none of the %s can run on this host: %s (see 'agentcg check')",
		from_option ? "strategies named by --strategies" : "scenario's strategies",
		why_all);
}

static int make_dir(const char *path)
{
	return acg_mkdir_here(path, 0755);
}

/* The results directory, its parents and runs/, host.json, scenario.json; failed: where. */
static int prepare_out(struct bench *b, const struct acg_host *h, char *buf, size_t size,
		       char *failed, size_t failed_size)
{
	char path[4096];
	json_t *host;
	int r;

	if (!b->out) {
		time_t t = time(NULL);
		struct tm tm;

		localtime_r(&t, &tm);
		snprintf(buf, size, "bench-results/%s-%04d%02d%02d-%02d%02d%02d", b->sc->name,
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec);
		b->out = buf;
	}
	if ((r = acg_mkdir_p(b->out, 0755, failed, failed_size)) < 0)
		return r;
	snprintf(path, sizeof(path), "%s/runs", b->out);
	snprintf(failed, failed_size, "%s", path);
	if ((r = make_dir(path)) < 0)
		return r;
	snprintf(path, sizeof(path), "%s/host.json", b->out);
	snprintf(failed, failed_size, "%s", path);
	host = acg_host_to_json(h);
	r = acg_bench_write_json(host, path);
	json_decref(host);
	if (r == 0) {
		json_t *sc = NULL;

		/* a copy of the scenario as it was read (changed or gone since: said so) */
		snprintf(failed, failed_size, "%s (read again for its copy)", b->sc->path);
		r = acg_json_read_user(b->sc->path, ACG_JSON_MAX_INPUT, 0, &sc, NULL);
		snprintf(path, sizeof(path), "%s/scenario.json", b->out);
		if (r == 0) {
			snprintf(failed, failed_size, "%s", path);
			r = acg_bench_write_json(sc, path);
		}
		json_decref(sc);
	}
	return r;
}

/* One run of sessions idx under st; writes it and appends its document to runs. */
static int one_run(struct bench *b, struct acg_cg *parent, const size_t *idx, size_t n,
		   const struct acg_strategy *st, unsigned int k, const char *label, json_t *runs)
{
	struct acg_bench_run *r = NULL;
	char name[ACG_NAME_MAX + 1], dir[4096];
	int rc, wr;

	snprintf(name, sizeof(name), "r%u-%s", k, label);
	/* a cgroup's name: bpf+dynamic's run is r1-bpf_dynamic */
	for (char *p = name; *p; p++)
		if (*p == '+')
			*p = '_';
	rc = acg_bench_run(b->sc, idx, n, st, k, parent, name, b->warm_bytes, progress, b, &r);
	if (b->tty)
		fputs("\r\033[K", stderr);
	if (rc < 0)
		acg_err("bench: run %u %s: %s", k, label, r ? r->error.msg : strerror(-rc));
	if (!r)
		return rc;
	if (r->warm_error)
		acg_err("bench: run %u %s: warm-up of %.0f MiB failed (%s); the run went on unwarmed",
			k, label, (double)r->warm_bytes / 1048576.0, strerror(-r->warm_error));
	snprintf(dir, sizeof(dir), "%s/runs/%u", b->out, k);
	wr = make_dir(dir);
	if (wr == 0) {
		snprintf(dir, sizeof(dir), "%s/runs/%u/%s", b->out, k, label);
		wr = acg_bench_run_write(r, dir);
	}
	if (wr < 0)
		acg_err("bench: cannot write %s: %s", dir, strerror(-wr));
	json_array_append_new(runs, acg_bench_run_json(r));
	acg_bench_run_free(r);
	b->done++;
	return rc < 0 ? rc : wr;
}

static int run_all(struct bench *b, struct acg_cg *parent, json_t *runs)
{
	size_t n = b->sc->n_sessions, *all = calloc(n, sizeof(*all));
	int failures = 0;

	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		all[i] = i;
	b->total = b->runs * (unsigned int)(b->n_st + n);
	for (unsigned int k = 1; k <= b->runs && !stop_requested; k++) {
		/* each session alone: the no-contention baseline */
		for (size_t i = 0; i < n && !stop_requested; i++) {
			char label[ACG_NAME_MAX + 8];

			snprintf(label, sizeof(label), "solo-%s", b->sc->sessions[i].name);
			failures += one_run(b, parent, &all[i], 1, NULL, k, label, runs) < 0;
		}
		/* the strategies, in an order rotated per run so none always goes first */
		for (size_t j = 0; j < b->n_st && !stop_requested; j++) {
			const struct acg_strategy *st = b->st[(j + k - 1) % b->n_st];

			failures += one_run(b, parent, all, n, st, k, st->name, runs) < 0;
		}
	}
	free(all);
	return failures;
}

/* The same scenario simulated under each strategy that ran (and solo). */
static json_t *simulate_all(struct bench *b)
{
	static const char *const simulated[] = {"solo", "none", "static", "dynamic"};
	size_t idx[256], n = b->sc->n_sessions < 256 ? b->sc->n_sessions : 256;
	struct acg_pol_cfg cfg;
	json_t *sims = json_object();

	/* a command session has no memory curve to simulate (write_summary says so) */
	if (acg_scenario_unmodelled(b->sc))
		return sims;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	acg_pol_cfg_default(&cfg, b->sc->budget_bytes);
	cfg.low_growth = b->sc->low_growth;
	cfg.high_growth = b->sc->high_growth;
	for (size_t k = 0; k < sizeof(simulated) / sizeof(simulated[0]); k++) {
		struct acg_sim_result r;
		/* the solo baselines always run: each session alone, unlimited */
		bool solo = strcmp(simulated[k], "solo") == 0, ran = solo;

		for (size_t i = 0; i < b->n_st; i++)
			ran = ran || strcmp(b->st[i]->name, simulated[k]) == 0;
		if (!ran || acg_sim_run(b->sc, idx, n, solo ? NULL : simulated[k], &cfg, &r) < 0)
			continue;
		json_object_set_new(sims, simulated[k], acg_sim_result_json(&r));
		acg_sim_result_free(&r);
	}
	return sims;
}

static int write_summary(struct bench *b, json_t *runs)
{
	json_t *sum = acg_bench_summarize(runs, b->unavailable), *sims;
	struct acg_newfile md;
	char path[4096];
	int r = 0, wr;

	if (!sum)
		return -ENOMEM;
	sims = simulate_all(b);
	acg_bench_compare_sim(sum, runs, sims);
	json_decref(sims);
	{
		double oracle_s = NAN;
		bool exact = false;
		int o = acg_oracle_low_makespan(b->sc, &oracle_s, &exact);

		if (o == -ERANGE)
			oracle_s = -1;
		else if (o < 0)
			oracle_s = NAN;
		acg_bench_add_oracle(sum, runs, oracle_s, exact);
		if (acg_scenario_unmodelled(b->sc))
			acg_bench_mark_unmodelled(sum, acg_scenario_unmodelled(b->sc));
	}
	if (b->warm)
		json_object_set(sum, "warm", b->warm);
	snprintf(path, sizeof(path), "%s/summary.json", b->out);
	r = acg_bench_write_json(sum, path);
	snprintf(path, sizeof(path), "%s/summary.md", b->out);
	if ((wr = acg_newfile_open(&md, path, 0644)) == 0) {
		fprintf(md.f, "# %s: %u runs\n\n", b->sc->name, b->runs);
		acg_bench_summary_md(sum, md.f);
		wr = acg_newfile_close(&md, true);
	}
	if (wr < 0 && r == 0)
		r = wr;
	printf("\n%s: %u runs, results in %s\n\n", b->sc->name, b->runs, b->out);
	acg_bench_summary_md(sum, stdout);
	json_decref(sum);
	return r;
}

/*
 * Whether to touch and free memory before every run (warm.h says why): mode_mb < 0 is
 * --no-warm, > 0 a size the user gave, 0 the default: per run, what its sessions need, a
 * quarter more (lib/bench/bench.c cuts either to 3/4 of MemAvailable). Warming where memory is
 * never taken back costs a fraction of a second per run and changes nothing, so the
 * default warms everywhere; whether this host takes free memory back is recorded.
 */
static void decide_warm(struct bench *b, double mode_mb)
{
	bool reports = acg_warm_host_reports_free();

	b->warm_bytes = mode_mb < 0   ? 0
			: mode_mb > 0 ? (uint64_t)(mode_mb * 1048576.0)
				      : ACG_BENCH_WARM_AUTO;
	b->warm = json_pack("{s:s, s:o, s:b}", "mode",
			    mode_mb < 0	  ? "off"
			    : mode_mb > 0 ? "given"
					  : "default",
			    "bytes",
			    mode_mb > 0 ? json_integer((json_int_t)b->warm_bytes) : json_null(),
			    "host_reports_free_pages", reports);
	if (b->warm_bytes)
		fprintf(stderr,
			"bench: touching and freeing %s before every run%s (--no-warm to skip)\n",
			mode_mb > 0 ? "the given size" : "what its sessions need",
			reports ? ": this host's hypervisor takes back memory left free (virtio "
				  "free page reporting), and memory it took back is slow to touch"
				: "");
}

static int open_parent(const char *root_path, struct acg_cg **ret_root, struct acg_cg **ret)
{
	struct acg_mounts m;
	char name[64];
	int r = acg_mounts_detect(&m);

	if (r == 0)
		r = acg_root_open(&m, root_path, true, ret_root);
	if (r < 0) {
		acg_err("bench: cannot open the managed root %s: %s%s",
			root_path ? root_path : ACG_DEFAULT_ROOT,
			r == -ENOTSUP ? "no memory controller there" : strerror(-r),
			acg_root_hint(r));
		return r;
	}
	snprintf(name, sizeof(name), "bench-%d", (int)getpid());
	r = acg_cg_child_new(*ret_root, name, ret);
	if (r < 0)
		acg_err("bench: cannot create %s/%s: %s%s", acg_cg_path(*ret_root), name,
			strerror(-r), acg_root_hint(r));
	return r;
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{"strategies", required_argument, NULL, 's'},
		{"runs", required_argument, NULL, 'n'},
		{"out", required_argument, NULL, 'o'},
		{"root", required_argument, NULL, 'r'},
		{"check-config", no_argument, NULL, 'C'},
		{"warm-mb", required_argument, NULL, 'w'},
		{"no-warm", no_argument, NULL, 'W'},
		{"profile", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct bench b = {0};
	const char *strategies = NULL, *root_path = NULL;
	struct acg_cg *root = NULL, *parent = NULL;
	struct sigaction sa = {0};
	struct acg_diag diag = {""};
	struct acg_host host;
	bool check_only = false;
	double runs = 0, warm_mb = 0;
	uint64_t low_growth = ACG_POL_LOW_GROWTH, high_growth = ACG_POL_HIGH_GROWTH;
	char outbuf[512], failed[4096] = "";
	json_t *docs = NULL;
	int c, r, code = ACG_EXIT_FAIL;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			strategies = optarg;
			break;
		case 'n':
			if (!acg_opt_double("bench", "--runs", optarg, 1, 1000, &runs))
				return ACG_EXIT_USAGE;
			break;
		case 'o':
			b.out = optarg;
			break;
		case 'r':
			root_path = optarg;
			break;
		case 'C':
			check_only = true;
			break;
		case 'w':
			if (!acg_opt_double("bench", "--warm-mb", optarg, 1, 1 << 24, &warm_mb))
				return ACG_EXIT_USAGE;
			break;
		case 'W':
			warm_mb = -1;
			break;
		case 'p':
			if (!acg_opt_profile("bench", optarg, &low_growth, &high_growth))
				return ACG_EXIT_USAGE;
			break;
		case 'h':
			bench_usage(stdout);
			return ACG_EXIT_OK;
		default:
			acg_bad_option("bench", argv[optind - 1]);
			return ACG_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		acg_err(optind >= argc ? "bench: which scenario? (see 'agentcg bench --help')"
				       : "bench: one scenario at a time");
		return ACG_EXIT_USAGE;
	}
	if (acg_scenario_load(argv[optind], acg_host_mem_total(), &b.sc, &diag) < 0) {
		acg_err("bench: %s", diag.msg);
		return ACG_EXIT_USAGE;
	}
	b.sc->low_growth = low_growth;
	b.sc->high_growth = high_growth;
	b.runs = runs > 0 ? (unsigned int)runs : b.sc->runs;
	if (!select_strategies(&b, strategies)) {
		code = ACG_EXIT_USAGE;
		goto out;
	}
	acg_host_probe(&host);
	filter_supported(&b, &host);
	if (check_only)
		print_config(b.sc, &b);
	/* a well-formed scenario this host cannot run: exit 1, as the run itself would */
	if (b.n_st == 0) {
		err_no_strategy(&b, strategies != NULL);
		goto out;
	}
	if (check_only) {
		code = ACG_EXIT_OK;
		goto out;
	}
	r = prepare_out(&b, &host, outbuf, sizeof(outbuf), failed, sizeof(failed));
	if (r < 0) {
		acg_err("bench: cannot write results in %s: %s: %s", b.out, failed, strerror(-r));
		goto out;
	}
	if (open_parent(root_path, &root, &parent) < 0)
		goto out;
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	b.tty = isatty(STDERR_FILENO);
	b.t_start = acg_mono_s();
	print_config(b.sc, &b);
	decide_warm(&b, warm_mb);
	docs = json_array();
	r = run_all(&b, parent, docs);
	if (write_summary(&b, docs) < 0)
		acg_err("bench: cannot write the summary in %s", b.out);
	else if (r == 0 && !stop_requested)
		code = ACG_EXIT_OK;
	if (stop_requested)
		acg_err("bench: interrupted after %u of %u runs; what ran is in %s", b.done,
			b.total, b.out);
out:
	json_decref(docs);
	if (parent) {
		acg_cg_remove(parent);
		acg_cg_free(parent);
	}
	if (root && acg_cg_created(root))
		acg_cg_remove_if_empty(root);
	acg_cg_free(root);
	json_decref(b.unavailable);
	json_decref(b.warm);
	free(b.st);
	acg_scenario_free(b.sc);
	return code;
}
