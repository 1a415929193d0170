// SPDX-License-Identifier: GPL-2.0
/*
 * replay_bench.c: how fast and faithful the replayer is, measured side by side in one
 * run on this machine (a benchmark: it reports, it never passes or fails).
 *
 *  1. growth throughput of the replayer against this machine's first-touch page-fault
 *     bandwidth (one write per fresh 4 KiB page) and MADV_POPULATE_WRITE's, in
 *     interleaved rounds. First a warm-up holds 70% of available memory once: in a VM
 *     whose host backs guest memory lazily, the guest's first use of a page costs ~8x
 *     more (seen here: ~500 MiB/s against ~4000), and the guest allocator keeps handing
 *     out never-used pages until most of its memory has been used once;
 *     Then how fast 1 GiB freed a moment ago comes back, against 1 GiB left free for 3 s;
 *  2. tracking error and lateness replaying a real trace at 100x, ROUNDS times, each after
 *     touching and freeing what the replay will need (lib/workload/warm.h: this VM's hypervisor
 *     takes back memory left free for ~2 s, and memory it took back is slow to touch);
 *  3. CPU used by the worker while it waits between samples;
 *  4. the same trace through bench/python_replay.py, a re-creation of the original
 *     prototype's method, for comparison.
 * Every figure is a median over rounds with its [min, max]. Prints a Markdown table and
 * writes the numbers as JSON (to the path given, default build/bench-results/replay.json).
 */
#include "replay.h"
#include "stats.h"
#include "clock.h"
#include "stress.h"
#include "trace.h"
#include "warm.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define MiB (UINT64_C(1) << 20)
#define ROUNDS 5
#define SIZE (512 * MiB)

/* MiB/s making SIZE fresh anonymous bytes resident, by touching pages or populating. */
static double fault_bandwidth(bool populate)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t;

	if (p == MAP_FAILED)
		return 0;
	madvise(p, SIZE, MADV_NOHUGEPAGE);
	t = acg_mono_s();
	if (populate)
		madvise(p, SIZE, MADV_POPULATE_WRITE);
	else
		for (size_t off = 0; off < SIZE; off += page)
			((volatile char *)p)[off] = 1;
	t = acg_mono_s() - t;
	munmap(p, SIZE);
	return (double)SIZE / (double)MiB / t;
}

/* Hold 70% of MemAvailable once and release it; returns the MiB/s of that first use. */
static double warm_up(void)
{
	long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	size_t size = (size_t)((double)pages * (double)page * 0.7);
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t;

	if (p == MAP_FAILED)
		return 0;
	madvise(p, size, MADV_NOHUGEPAGE);
	t = acg_mono_s();
	madvise(p, size, MADV_POPULATE_WRITE);
	t = acg_mono_s() - t;
	munmap(p, size);
	return (double)size / (double)MiB / t;
}

/*
 * MiB/s touching 1 GiB freed a moment ago, and 1 GiB left free for 3 s (where a hypervisor
 * takes back free memory, as this VM's does, the second is slower: lib/workload/warm.h).
 */
static void idle_return(double *fresh, double *idle)
{
	struct timespec ts = {3, 0};

	*fresh = *idle = 0;
	acg_warm_touch(1024 * MiB, NULL);
	acg_warm_touch(1024 * MiB, fresh);
	nanosleep(&ts, NULL);
	acg_warm_touch(1024 * MiB, idle);
}

/* Run one replay in a child; fills res (caller frees). Returns the wait status. */
static int replay(const struct acg_replay_cfg *cfg, struct acg_replay_result *res,
		  double *ret_cpu_s)
{
	struct rusage before, after;
	pid_t pid;
	int fd, status = -1;

	acg_replay_result_init(res, cfg->trace->n);
	getrusage(RUSAGE_CHILDREN, &before);
	if (acg_replay_spawn(cfg, NULL, &pid, &fd) < 0)
		return -1;
	acg_replay_wait(pid, fd, res, NULL, NULL, &status);
	close(fd);
	getrusage(RUSAGE_CHILDREN, &after);
	if (ret_cpu_s)
		*ret_cpu_s = (double)(after.ru_utime.tv_sec - before.ru_utime.tv_sec) +
			     (double)(after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
			     (double)(after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e6 +
			     (double)(after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6;
	return status;
}

static double replay_growth(bool touch)
{
	struct acg_stress_spec spec = {.bytes = SIZE, .hold_s = 0};
	struct acg_replay_cfg cfg = {.speed = 1, .touch_pages = touch};
	struct acg_replay_result res;
	struct acg_trace *t;
	double mibs;

	if (acg_stress_trace(&spec, &t) < 0)
		return 0;
	cfg.trace = t;
	replay(&cfg, &res, NULL);
	mibs = res.grow_total_ns
		       ? (double)res.grown_bytes / (double)MiB / ((double)res.grow_total_ns / 1e9)
		       : 0;
	acg_replay_result_free(&res);
	acg_trace_free(t);
	return mibs;
}

struct fidelity {
	double max_err_mib, max_err_pct, late_p99_us, behind_p99_ms, completion_s, expected_s;
};

/* median and [min, max] of v[0..n) (v is sorted in place) */
static json_t *spread(double *v, size_t n, double *ret_med)
{
	double med = acg_median(v, n);

	acg_sort_d(v, n);
	if (ret_med)
		*ret_med = med;
	return json_pack("{s:f, s:f, s:f}", "median", med, "min", v[0], "max", v[n - 1]);
}

static void fidelity(const struct acg_trace *t, struct fidelity *f)
{
	struct acg_replay_cfg cfg = {.trace = t, .speed = 100, .base_bytes = 100 * MiB};
	struct acg_replay_result res;
	struct acg_trace_summary sum;
	uint64_t max_err = 0, peak = 0;

	acg_trace_summarize(t, &sum);
	acg_warm_touch(sum.peak_bytes + cfg.base_bytes + (sum.peak_bytes >> 2), NULL);
	replay(&cfg, &res, NULL);
	for (size_t i = 0; i < res.replayed; i++) {
		uint64_t e = res.target[i] > res.resident[i] ? res.target[i] - res.resident[i]
							     : res.resident[i] - res.target[i];

		max_err = e > max_err ? e : max_err;
		peak = res.target[i] > peak ? res.target[i] : peak;
	}
	f->max_err_mib = (double)max_err / (double)MiB;
	f->max_err_pct = peak ? 100.0 * (double)max_err / (double)peak : 0;
	f->late_p99_us = (double)acg_percentile_i64(res.late_ns, res.replayed, 99) / 1e3;
	f->behind_p99_ms = (double)acg_percentile_i64(res.behind_ns, res.replayed, 99) / 1e6;
	f->completion_s = (double)res.end_ns / 1e9;
	f->expected_s = sum.duration_s / cfg.speed;
	acg_replay_result_free(&res);
}

/* Worker CPU while it waits: 51 samples 100 ms apart at a constant 64 MiB. */
static double idle_cpu_pct(void)
{
	struct acg_sample s[51];
	struct acg_replay_cfg cfg = {.speed = 1};
	struct acg_replay_result res;
	struct acg_trace *t;
	double cpu = 0, t0, wall;

	for (int i = 0; i < 51; i++)
		s[i] = (struct acg_sample){i * 0.1, 64 * MiB};
	if (acg_trace_from_samples("idle", s, 51, &t) < 0)
		return -1;
	cfg.trace = t;
	t0 = acg_mono_s();
	replay(&cfg, &res, &cpu);
	wall = acg_mono_s() - t0;
	acg_replay_result_free(&res);
	acg_trace_free(t);
	return 100.0 * cpu / wall;
}

static json_t *python_baseline(const char *trace)
{
	char cmd[2048], line[4096];
	FILE *p;
	json_t *j = NULL;

	snprintf(cmd, sizeof(cmd), "python3 %s/python_replay.py '%s' 100 100 2>/dev/null",
		 BENCH_DIR, trace);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	if (fgets(line, sizeof(line), p))
		j = json_loads(line, 0, NULL);
	pclose(p);
	return j;
}

int main(int argc, char **argv)
{
	const char *trace_path = argc > 1 ? argv[1] : TRACE_DIR "/pre-commit__pre-commit-2524.json";
	const char *out = argc > 2 ? argv[2] : "build/bench-results/replay.json";
	double touch[ROUNDS], pop[ROUNDS], rep[ROUNDS], rep_touch[ROUNDS], ratio[ROUNDS];
	double err[ROUNDS], errp[ROUNDS], late[ROUNDS], behind[ROUNDS], done[ROUNDS];
	double fresh[3], idle[3], m_fresh, m_idle;
	double m_touch, m_pop, m_rep, m_rep_touch, m_ratio, m_err, m_errp, m_late, m_behind, m_done,
		cpu, warm;
	struct acg_trace *t;
	struct acg_diag d = {""};
	struct fidelity f = {0};
	json_t *py, *doc, *j_touch, *j_pop, *j_rep, *j_rep_touch, *j_ratio, *j_err, *j_errp,
		*j_late, *j_behind, *j_done, *j_fresh, *j_idle;

	if (acg_trace_load(trace_path, NULL, &t, &d) < 0) {
		fprintf(stderr, "replay_bench: %s\n", d.msg);
		return 2;
	}
	/* first, before the big warm-up leaves the hypervisor a backlog of freed memory to
	 * take back: how fast memory left free comes back, against memory just freed */
	for (int i = 0; i < 3; i++)
		idle_return(&fresh[i], &idle[i]);
	j_fresh = spread(fresh, 3, &m_fresh);
	j_idle = spread(idle, 3, &m_idle);
	/* warm-up: let the hypervisor back guest memory before anything is timed */
	warm = warm_up();
	/* interleaved rounds, so drift on a shared machine hits every measure alike */
	for (int i = 0; i < ROUNDS; i++) {
		touch[i] = fault_bandwidth(false);
		pop[i] = fault_bandwidth(true);
		rep[i] = replay_growth(false);
		rep_touch[i] = replay_growth(true);
		ratio[i] = touch[i] > 0 ? rep[i] / touch[i] : 0;
		fidelity(t, &f);
		err[i] = f.max_err_mib;
		errp[i] = f.max_err_pct;
		late[i] = f.late_p99_us;
		behind[i] = f.behind_p99_ms;
		done[i] = f.completion_s;
	}
	j_touch = spread(touch, ROUNDS, &m_touch);
	j_pop = spread(pop, ROUNDS, &m_pop);
	j_rep = spread(rep, ROUNDS, &m_rep);
	j_rep_touch = spread(rep_touch, ROUNDS, &m_rep_touch);
	j_ratio = spread(ratio, ROUNDS, &m_ratio);
	j_err = spread(err, ROUNDS, &m_err);
	j_errp = spread(errp, ROUNDS, &m_errp);
	j_late = spread(late, ROUNDS, &m_late);
	j_behind = spread(behind, ROUNDS, &m_behind);
	j_done = spread(done, ROUNDS, &m_done);
	cpu = idle_cpu_pct();
	py = python_baseline(trace_path);

	printf("| measure (%s, 100x, base 100 MiB; median [min, max] of %d rounds) | agentcg | "
	       "goal |\n|---|---|---|\n",
	       t->name, ROUNDS);
	printf("| warm-up: first use of 70%% of available memory, MiB/s | %.0f | |\n", warm);
	printf("| first-touch page faults, MiB/s | %.0f [%.0f, %.0f] | |\n", m_touch, touch[0],
	       touch[ROUNDS - 1]);
	printf("| MADV_POPULATE_WRITE, MiB/s | %.0f [%.0f, %.0f] | |\n", m_pop, pop[0],
	       pop[ROUNDS - 1]);
	printf("| 1 GiB freed a moment ago, then left free 3 s, MiB/s (3 rounds) | %.0f [%.0f, "
	       "%.0f], %.0f [%.0f, %.0f] | |\n",
	       m_fresh, fresh[0], fresh[2], m_idle, idle[0], idle[2]);
	printf("| replay growth, MiB/s | %.0f [%.0f, %.0f] | |\n", m_rep, rep[0], rep[ROUNDS - 1]);
	printf("| replay growth over first-touch, same round | %.2fx [%.2f, %.2f] | >= 0.8x |\n",
	       m_ratio, ratio[0], ratio[ROUNDS - 1]);
	printf("| replay growth with --touch, MiB/s | %.0f [%.0f, %.0f] | |\n", m_rep_touch,
	       rep_touch[0], rep_touch[ROUNDS - 1]);
	printf("| tracking error, max | %.2f MiB [%.2f, %.2f] (%.3f%% of peak) | <= 1%% or 4 MiB "
	       "|\n",
	       m_err, err[0], err[ROUNDS - 1], m_errp);
	printf("| lateness p99 | %.0f us [%.0f, %.0f] | <= 2000 us |\n", m_late, late[0],
	       late[ROUNDS - 1]);
	printf("| behind schedule p99 (growth backlog) | %.1f ms [%.1f, %.1f] | |\n", m_behind,
	       behind[0], behind[ROUNDS - 1]);
	printf("| completion vs timeline | %.2f s [%.2f, %.2f] vs %.2f s | |\n", m_done, done[0],
	       done[ROUNDS - 1], f.expected_s);
	printf("| worker CPU while waiting | %.2f%% | ~0 |\n", cpu);
	if (py)
		printf("| python re-creation of the prototype: growth %.0f MiB/s, tracking error "
		       "%.1f%% of peak, behind schedule p99 %.1f ms, completion %.3f s | | |\n",
		       json_number_value(json_object_get(py, "throughput_mib_s")),
		       json_number_value(json_object_get(py, "max_error_pct_of_peak")),
		       json_number_value(json_object_get(py, "behind_p99_us")) / 1e3,
		       json_number_value(json_object_get(py, "completion_s")));

	doc = json_pack("{s:s, s:i, s:s, s:{s:f, s:o, s:o, s:o, s:o, s:o, s:o, s:o},"
			" s:{s:o, s:o, s:o, s:o, s:o, s:f}, s:f, s:o}",
			"trace", t->name, "rounds", ROUNDS, "figures",
			"median, min, max over rounds", "growth_mib_s", "warm_up_first_use", warm,
			"first_touch", j_touch, "populate_write", j_pop, "just_freed_1g", j_fresh,
			"left_free_3s_1g", j_idle, "replay", j_rep, "replay_touch", j_rep_touch,
			"replay_over_first_touch", j_ratio, "fidelity_100x",
			"max_tracking_error_mib", j_err, "max_tracking_error_pct", j_errp,
			"lateness_p99_us", j_late, "behind_p99_ms", j_behind, "completion_s",
			j_done, "expected_s", f.expected_s, "idle_worker_cpu_pct", cpu,
			"python_recreation", py ? py : json_null());
	if (doc && json_dump_file(doc, out, JSON_INDENT(2)) == 0)
		printf("\nwritten to %s\n", out);
	else
		fprintf(stderr, "replay_bench: cannot write %s\n", out);
	json_decref(doc);
	acg_trace_free(t);
	return 0;
}
