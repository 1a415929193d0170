// SPDX-License-Identifier: GPL-2.0
/*
 * scale_bench.c: one daemon over many small sessions (issue #18's "scale of a real host").
 * It measures, in one run:
 *
 *   the kernel side  making a session's cgroup (mkdir under the daemon's root) and reading
 *                    its memory.stat, per session, at this count;
 *   the daemon       `agentcg daemon` over N sessions (10% HIGH), each a process of this
 *                    bench holding MIB MiB and churning (every CHURN seconds it gives
 *                    back half and touches it again), for SECONDS: the controller's CPU time as a
 *                    share of one core, its RSS at the start and end of the window, and
 *                    its tick durations (p50, p99, max over the last 1024 ticks, from the
 *                    state file the daemon publishes every second).
 *
 * Usage: scale_bench [--sessions N] [--seconds S] [--mib M] [--churn-s C] [--agentcg BIN]
 * [OUT.json] (defaults 1000, 30, 4, 2, build/agentcg: 1000 sessions churn 1 GB/s
 * together, what two CPUs can fault in beside the daemon; a tick's time is wall time, so
 * it includes the time the controller waited for a CPU). The budget is generous (N x (MIB + 4) MiB x 1.25)
 * and the daemon expects no growth of a session (--profile none): this measures what the
 * daemon costs, not the policy under pressure. Needs root and a
 * memory controller; its cgroups and processes are its own and always removed. A
 * benchmark: it reports, it never passes or fails.
 */
#include "cgroup.h"
#include "clock.h"
#include "fsutil.h"
#include "mounts.h"
#include "stats.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MiB (UINT64_C(1) << 20)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A session's process: join cg, hold mib MiB, every churn_s give half back and touch it. */
static void churn(struct acg_cg *cg, size_t mib, double churn_s)
{
	size_t size = mib * MiB, page = (size_t)sysconf(_SC_PAGESIZE);
	struct timespec half = {(time_t)churn_s, (long)((churn_s - (double)(time_t)churn_s) * 1e9)};
	char *p;

	if (acg_cg_attach(cg, getpid()) < 0)
		_exit(2);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(3);
	for (;;) {
		for (size_t off = 0; off < size; off += page)
			p[off] = 1;
		nanosleep(&half, NULL);
		madvise(p, size / 2, MADV_DONTNEED);
	}
}

/* utime + stime of pid, seconds; NAN if gone */
static double cpu_s(pid_t pid)
{
	char path[64], *text = NULL, *p;
	unsigned long long ut, st;
	double r = NAN;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (acg_read_text(path, &text) < 0)
		return NAN;
	p = strrchr(text, ')');
	if (p &&
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2)
		r = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	free(text);
	return r;
}

/* VmRSS of pid, kB; 0 if gone */
static long rss_kb(pid_t pid)
{
	char path[64], *text = NULL, *p;
	long kb = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (acg_read_text(path, &text) < 0)
		return 0;
	p = strstr(text, "VmRSS:");
	if (p)
		kb = strtol(p + 6, NULL, 10);
	free(text);
	return kb;
}

/* The daemon's controller: its guard's only child (the daemon's pid is the guard). */
static pid_t controller_of(pid_t daemon)
{
	char path[96], *text = NULL;
	pid_t c = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)daemon, (int)daemon);
	if (acg_read_text(path, &text) == 0)
		c = (pid_t)strtol(text, NULL, 10);
	free(text);
	return c;
}

static json_t *quantiles(double *v, size_t n, double scale)
{
	if (!n)
		return json_null();
	return json_pack("{s:f, s:f, s:f}", "p50", acg_quantile(v, n, 0.5) * scale, "p99",
			 acg_quantile(v, n, 0.99) * scale, "max", acg_quantile(v, n, 1.0) * scale);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"sessions", required_argument, NULL, 'n'},
					     {"seconds", required_argument, NULL, 's'},
					     {"mib", required_argument, NULL, 'm'},
					     {"agentcg", required_argument, NULL, 'a'},
					     {"churn-s", required_argument, NULL, 'c'},
					     {0}};
	size_t n = 1000, mib = 4;
	double seconds = 30, churn_s = 2;
	const char *bin = "build/agentcg", *out = NULL;
	char rootname[64], state[128], logf[128], budget[32], *text = NULL;
	struct acg_mounts m;
	struct acg_cg *root = NULL, **cg = NULL;
	pid_t *pid = NULL, daemon = 0, ctl = 0;
	double *mk = NULL, *rd = NULL, cpu0, cpu1, t0, t1;
	long rss0, rss1;
	json_t *doc, *st = NULL;
	int opt, rc = 1;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 10);
		else if (opt == 's')
			seconds = atof(optarg);
		else if (opt == 'm')
			mib = strtoul(optarg, NULL, 10);
		else if (opt == 'a')
			bin = optarg;
		else if (opt == 'c')
			churn_s = atof(optarg);
		else
			return 2;
	}
	if (optind < argc)
		out = argv[optind];
	if (n < 1 || n > 100000 || mib < 1 || !(seconds > 0) || !(churn_s >= 0.01)) {
		fprintf(stderr, "scale_bench: --sessions 1..100000, --mib >= 1, --seconds > 0, "
				"--churn-s >= 0.01\n");
		return 2;
	}
	if (geteuid() != 0 || acg_mounts_detect(&m) < 0 || !m.mem_version) {
		fprintf(stderr, "scale_bench: needs root and a memory controller\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	snprintf(rootname, sizeof(rootname), "agentcg-scale-%d", (int)getpid());
	snprintf(state, sizeof(state), "/tmp/%s.state.json", rootname);
	snprintf(logf, sizeof(logf), "/tmp/%s.log", rootname);
	cg = calloc(n, sizeof(*cg));
	pid = calloc(n, sizeof(*pid));
	mk = calloc(n, sizeof(*mk));
	rd = calloc(n, sizeof(*rd));
	if (!cg || !pid || !mk || !rd || acg_root_open(&m, rootname, true, &root) < 0) {
		fprintf(stderr, "scale_bench: cannot set up %s\n", rootname);
		goto out;
	}
	{
		struct rlimit rl;

		/* a directory fd per cgroup here, and the daemon's own per session */
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	/* the kernel side: make every session's cgroup, then read each one's memory.stat */
	for (size_t i = 0; i < n && !stop; i++) {
		char name[32];
		double t = acg_mono_s();

		snprintf(name, sizeof(name), "%s-%zu", i % 10 == 0 ? "high" : "low", i);
		if (acg_cg_child(root, name, true, &cg[i]) < 0) {
			fprintf(stderr, "scale_bench: cannot make session %zu\n", i);
			goto out;
		}
		mk[i] = acg_mono_s() - t;
	}
	for (size_t i = 0; i < n && !stop; i++) {
		uint64_t v;
		double t = acg_mono_s();

		if (acg_cg_stat(cg[i], m.mem_version == 1 ? "rss" : "anon", &v) < 0)
			v = 0;
		rd[i] = acg_mono_s() - t;
	}
	/* the sessions' processes */
	for (size_t i = 0; i < n && !stop; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			churn(cg[i], mib, churn_s);
		if (pid[i] < 0) {
			pid[i] = 0;
			fprintf(stderr, "scale_bench: fork: %s\n", strerror(errno));
			goto out;
		}
	}
	/* the daemon over them */
	snprintf(budget, sizeof(budget), "%.0f", (double)n * (double)(mib + 4) * 1.25);
	daemon = fork();
	if (daemon == 0) {
		execl(bin, bin, "daemon", "--root", rootname, "--budget-mb", budget, "--state",
		      state, "--log", logf, "--profile", "none", (char *)NULL);
		_exit(127);
	}
	/* the controller is up, and has seen every session (a state with all of them) */
	for (int k = 0; k < 600 && !stop; k++) {
		json_t *s;

		usleep(100000);
		if (!ctl)
			ctl = controller_of(daemon);
		s = json_load_file(state, 0, NULL);
		if (s && json_array_size(json_object_get(s, "sessions")) == n) {
			json_decref(s);
			break;
		}
		json_decref(s);
	}
	if (!ctl) {
		fprintf(stderr, "scale_bench: the daemon's controller did not come up\n");
		goto out;
	}
	t0 = acg_mono_s();
	cpu0 = cpu_s(ctl);
	rss0 = rss_kb(ctl);
	while (!stop && acg_mono_s() - t0 < seconds)
		usleep(100000);
	t1 = acg_mono_s();
	cpu1 = cpu_s(ctl);
	rss1 = rss_kb(ctl);
	/* the ticks of the last second or so of the window, from its state */
	usleep(1200000);
	st = json_load_file(state, 0, NULL);

	doc = json_pack("{s:I, s:I, s:f, s:f, s:i, s:o, s:o, s:f, s:I, s:I, s:O?, s:O?, s:O?}",
			"sessions", (json_int_t)n, "mib", (json_int_t)mib, "churn_s", churn_s,
			"seconds", t1 - t0, "cgroup_version", m.mem_version, "mkdir_ms",
			quantiles(mk, n, 1e3), "memory_stat_read_ms", quantiles(rd, n, 1e3),
			"controller_cpu_pct_of_one_core", 100.0 * (cpu1 - cpu0) / (t1 - t0),
			"controller_rss_kb_start", (json_int_t)rss0, "controller_rss_kb_end",
			(json_int_t)rss1, "tick_ms", json_object_get(st, "tick_ms"), "period_ms",
			json_object_get(st, "period_ms"), "totals", json_object_get(st, "totals"));
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (text) {
		printf("%s\n", text);
		if (out) {
			FILE *f = fopen(out, "w");

			if (f) {
				fprintf(f, "%s\n", text);
				fclose(f);
			}
		}
	}
	rc = 0;
out:
	if (daemon > 0) {
		int status;

		kill(daemon, SIGTERM);
		waitpid(daemon, &status, 0);
	}
	for (size_t i = 0; pid && i < n; i++)
		if (pid[i] > 0) {
			kill(pid[i], SIGKILL);
			waitpid(pid[i], NULL, 0);
		}
	for (size_t i = 0; cg && i < n; i++)
		acg_cg_free(cg[i]);
	if (root)
		acg_cg_remove(root);
	acg_cg_free(root);
	unlink(state);
	unlink(logf);
	json_decref(st);
	free(text);
	free(cg);
	free(pid);
	free(mk);
	free(rd);
	return rc;
}
