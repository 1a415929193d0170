// SPDX-License-Identifier: GPL-2.0
/*
 * reaction_bench.c: the controller's reaction time, from the moment the headroom crosses
 * what the policy keeps for HIGH to the moment the LOW session is held, measured side by
 * side in one run for three ways of running the control loop:
 *
 *   period-10ms   a tick every 10 ms, nothing else (the bench's and daemon's period);
 *   wakeups-10ms  the same period, plus the kernel's wake-ups (v1: a usage threshold
 *                 eventfd armed where the policy would hold, and OOM notifications; v2:
 *                 memory.events) bringing the tick forward;
 *   period-1ms    a tick every millisecond.
 *
 * Each trial: a budget of 512 MiB on a fresh parent cgroup, an idle HIGH session, and a LOW
 * process growing 1 MiB every 2 ms (500 MiB/s), writing after each MiB the time and the
 * parent's usage. The crossing is the first MiB that took the usage past budget - reserve;
 * the hold is when the controller's clamp write returned. Reports the median, p90 and max
 * reaction and how far LOW got past the crossing (a benchmark: it never passes or fails).
 * Needs root and a memory controller; its cgroups are its own and always removed.
 */
#include "cgroup.h"
#include "clock.h"
#include "controller.h"
#include "loop.h"
#include "mounts.h"
#include "policy.h"
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MiB (UINT64_C(1) << 20)
#define BUDGET (512 * MiB)
#define STEP_NS 2000000L
#define TRIALS 15

enum mode { PERIOD_10, WAKEUPS_10, PERIOD_1, N_MODES };
static const char *const mode_names[N_MODES] = {"period-10ms", "wakeups-10ms", "period-1ms"};
static const double mode_period[N_MODES] = {0.010, 0.010, 0.001};

struct rec {
	double t;
	uint64_t usage;
};

/* The LOW process: grow 1 MiB every STEP_NS, report (time, parent usage) after each. */
static void grow(struct acg_cg *parent, int wfd)
{
	size_t size = BUDGET, page = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct timespec next;

	if (p == MAP_FAILED)
		_exit(1);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (size_t off = 0; off < size; off += MiB) {
		struct rec r;

		for (size_t q = 0; q < MiB; q += page)
			((volatile char *)p)[off + q] = 1;
		r.t = acg_mono_s();
		if (acg_cg_usage(parent, &r.usage) < 0 || write(wfd, &r, sizeof(r)) != sizeof(r))
			_exit(1);
		next.tv_nsec += STEP_NS;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	_exit(0);
}

struct trial {
	double hold_t; /* when the hold's write returned, or 0 */
	uint64_t hold_usage;
};

static void on_decision(void *arg, const char *line)
{
	struct trial *t = arg;

	if (!t->hold_t && strstr(line, "\"hold\""))
		t->hold_t = acg_mono_s();
}

/* One trial: 0 with *reaction_s and *overshoot set, or -errno. */
static int trial(struct acg_cg *parent, struct acg_cg **cg, enum mode mode, double *reaction_s,
		 double *overshoot_mib, unsigned long *wakeups)
{
	static const enum acg_prio prio[2] = {ACG_PRIO_HIGH, ACG_PRIO_LOW};
	static const char *const names[2] = {"high-idle", "low-grow"};
	struct acg_controller *ctl = NULL;
	struct acg_controller_stats cs;
	struct acg_pol_cfg cfg;
	struct trial tr = {0};
	struct rec r, cross = {0};
	struct acg_diag what;
	int fds[2], status, rc = 0;
	double deadline, threshold;
	struct acg_loop loop = {.period_s = mode_period[mode]};
	pid_t pid;

	acg_pol_cfg_default(&cfg, BUDGET);
	threshold = (double)(BUDGET - cfg.reserve);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	rc = acg_controller_new(parent, cg, prio, names, 2, BUDGET, &cfg, on_decision, &tr, &ctl);
	if (rc == 0)
		rc = acg_controller_setup(ctl, &what);
	if (rc < 0)
		goto out;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (acg_cg_attach(cg[1], getpid()) < 0)
			_exit(1);
		grow(parent, fds[1]);
	}
	close(fds[1]);
	fds[1] = -1;
	if (pid < 0) {
		rc = -errno;
		goto out;
	}
	deadline = acg_mono_s() + 10;
	while (acg_mono_s() < deadline && (!tr.hold_t || !cross.t)) {
		struct pollfd own = {fds[0], POLLIN, 0}, *kfd;
		size_t nk = acg_controller_pollfds(ctl, &kfd);
		/* the same wait as the bench's and the daemon's; the wake-ups only in their mode */
		bool tick =
			acg_loop_wait(&loop, kfd, mode == WAKEUPS_10 ? nk : 0, &own, 1, deadline);
		double now;

		while (own.revents & POLLIN && read(fds[0], &r, sizeof(r)) == sizeof(r)) {
			if (!cross.t && (double)r.usage >= threshold)
				cross = r;
			own.revents = 0;
			poll(&own, 1, 0);
		}
		now = acg_mono_s();
		if (!tr.hold_t && tick) {
			acg_controller_tick(ctl, now);
			acg_loop_ticked(&loop, now);
			if (tr.hold_t)
				acg_cg_usage(parent, &tr.hold_usage);
		}
	}
	acg_controller_stats(ctl, &cs);
	*wakeups = cs.wakeups;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (!tr.hold_t || !cross.t) {
		rc = -ETIMEDOUT;
		goto out;
	}
	*reaction_s = tr.hold_t - cross.t;
	/* how far LOW had grown past the crossing when it was held */
	*overshoot_mib = ((double)tr.hold_usage - (double)cross.usage) / (double)MiB;
out:
	acg_loop_free(&loop);
	if (ctl) {
		acg_controller_restore(ctl);
		acg_controller_free(ctl);
	}
	close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return rc;
}

int main(int argc, char **argv)
{
	const char *out = argc > 1 ? argv[1] : "build/bench-results/reaction.json";
	double react[N_MODES][TRIALS], over[N_MODES][TRIALS];
	unsigned long wake[N_MODES] = {0};
	struct acg_cg *root = NULL, *cg[2] = {NULL, NULL};
	struct acg_mounts m;
	char name[64];
	json_t *doc, *modes;
	int r, fail = 0;

	snprintf(name, sizeof(name), "agentcg-reaction-bench-%d", (int)getpid());
	r = acg_mounts_detect(&m);
	if (r == 0)
		r = acg_root_open(&m, name, true, &root);
	if (r < 0) {
		fprintf(stderr, "reaction_bench: cannot make the cgroup %s: %s\n", name,
			strerror(-r));
		return 1;
	}
	r = acg_cg_set(root, ACG_CTL_MAX, BUDGET);
	if (r == 0)
		r = acg_cg_child_new(root, "high-idle", &cg[0]);
	if (r == 0)
		r = acg_cg_child_new(root, "low-grow", &cg[1]);
	/* interleaved, so drift on a shared machine hits every mode alike */
	for (int k = 0; k < TRIALS && r == 0; k++) {
		for (int md = 0; md < N_MODES && r == 0; md++) {
			unsigned long w = 0;

			r = trial(root, cg, (enum mode)md, &react[md][k], &over[md][k], &w);
			wake[md] += w;
		}
	}
	if (r < 0) {
		fprintf(stderr, "reaction_bench: a trial failed: %s\n", strerror(-r));
		fail = 1;
	}
	modes = json_object();
	printf("reaction from the headroom crossing to LOW held (%d trials each, LOW growing at "
	       "500 MiB/s)\n%-14s %10s %10s %10s %16s %9s\n",
	       TRIALS, "mode", "median ms", "p90 ms", "max ms", "overshoot MiB", "wake-ups");
	for (int md = 0; md < N_MODES && !fail; md++) {
		double med = acg_median(react[md], TRIALS), p90, mx,
		       ov = acg_median(over[md], TRIALS);

		acg_sort_d(react[md], TRIALS);
		p90 = react[md][(TRIALS * 9) / 10];
		mx = react[md][TRIALS - 1];
		printf("%-14s %10.2f %10.2f %10.2f %16.1f %9lu\n", mode_names[md], med * 1e3,
		       p90 * 1e3, mx * 1e3, ov, wake[md]);
		json_object_set_new(modes, mode_names[md],
				    json_pack("{s:f, s:f, s:f, s:f, s:I}", "median_ms", med * 1e3,
					      "p90_ms", p90 * 1e3, "max_ms", mx * 1e3,
					      "overshoot_median_mib", ov, "wakeups",
					      (json_int_t)wake[md]));
	}
	if (!fail) {
		double base = acg_median(react[PERIOD_10], TRIALS);

		printf("wake-ups against the 10 ms period alone: %.2fx the median reaction\n",
		       acg_median(react[WAKEUPS_10], TRIALS) / base);
	}
	doc = json_pack("{s:s, s:i, s:i, s:f, s:o}", "cgroup",
			acg_cg_version(root) == 2 ? "v2" : "v1", "trials", TRIALS, "budget_mib",
			(int)(BUDGET / MiB), "low_growth_mib_s", 1e9 / STEP_NS, "modes", modes);
	if (!fail && doc && json_dump_file(doc, out, JSON_INDENT(2)) == 0)
		printf("written %s\n", out);
	json_decref(doc);
	acg_cg_free(cg[0]);
	acg_cg_free(cg[1]);
	acg_cg_remove(root);
	acg_cg_free(root);
	return fail;
}
