// SPDX-License-Identifier: GPL-2.0
/*
 * bench.c: carrying out one bench run (see bench.h).
 *
 * Steps: make the run cgroup and one cgroup per session; let the strategy set its
 * controls; spawn every session's replay worker (each joins its cgroup and holds its
 * baseline, then waits on a shared "go" pipe); once all hold their baseline, close the
 * pipe so the timelines start at the same instant; then, every 50 ms until every worker has
 * exited: drain records, sample each session's usage, let the strategy tick, reap exits,
 * and stop everything at the timeout. Finally read the kernel's counters and peaks and
 * remove the cgroups, whatever happened before.
 */
#include "bench.h"
#include "clock.h"
#include "loop.h"
#include "host.h"
#include "warm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *acg_bench_session_status(const struct acg_bench_session *s)
{
	int st = s->out.wait_status;

	if (s->rep.ended && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return "completed";
	if (WIFSIGNALED(st))
		return "killed";
	if (s->spec->command && acg_bench_session_oom_kills(s) > 0)
		return "killed";
	return "failed";
}

uint64_t acg_bench_session_oom_kills(const struct acg_bench_session *s)
{
	const struct acg_mem_events *a = &s->out.ev_before, *b = &s->out.ev_after;

	if (!s->out.have_events || !(b->has & ACG_EV_OOM_KILL) || b->oom_kill < a->oom_kill)
		return 0;
	return b->oom_kill - a->oom_kill;
}

void acg_bench_run_free(struct acg_bench_run *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		acg_replay_result_free(&r->s[i].rep);
		if (r->s[i].fd >= 0)
			close(r->s[i].fd);
		if (r->s[i].log_fd >= 0)
			close(r->s[i].log_fd);
		acg_command_scratch_remove(r->s[i].scratch);
		free(r->s[i].scratch);
	}
	free(r->s);
	free(r->names);
	free(r->decisions);
	free(r->ts_t);
	free(r->ts_usage);
	free(r->ts_tree);
	free(r);
}

static int sample(struct acg_bench_run *r, struct acg_cg *tree, struct acg_cg **cgs, double t)
{
	if (r->ts_n == r->ts_cap) {
		size_t cap = r->ts_cap ? r->ts_cap * 2 : 1024;
		double *nt = realloc(r->ts_t, cap * sizeof(*nt));
		uint64_t *nu, *ntree;

		if (!nt)
			return -ENOMEM;
		r->ts_t = nt;
		nu = realloc(r->ts_usage, cap * r->n * sizeof(*nu));
		if (!nu)
			return -ENOMEM;
		r->ts_usage = nu;
		ntree = realloc(r->ts_tree, cap * sizeof(*ntree));
		if (!ntree)
			return -ENOMEM;
		r->ts_tree = ntree;
		r->ts_cap = cap;
	}
	r->ts_t[r->ts_n] = t;
	for (size_t i = 0; i < r->n; i++) {
		uint64_t u = 0;

		/* a session whose cgroup went away reads as 0 */
		acg_cg_usage(cgs[i], &u);
		r->ts_usage[r->ts_n * r->n + i] = u;
	}
	r->ts_tree[r->ts_n] = 0;
	acg_cg_usage(tree, &r->ts_tree[r->ts_n]);
	r->ts_n++;
	return 0;
}

/* Keep one decision of the strategy (a JSON line). */
static void log_decision(void *arg, const char *line)
{
	struct acg_bench_run *r = arg;
	size_t len = strlen(line);

	if (r->decisions_len + len + 2 > r->decisions_cap) {
		size_t cap = (r->decisions_cap + len + 2) * 2;
		char *d = realloc(r->decisions, cap);

		if (!d)
			return;
		r->decisions = d;
		r->decisions_cap = cap;
	}
	memcpy(r->decisions + r->decisions_len, line, len);
	r->decisions_len += len;
	r->decisions[r->decisions_len++] = '\n';
	r->decisions[r->decisions_len] = '\0';
	r->n_decisions++;
}

/* Make the run's cgroups and let the strategy set them up. */
static int prepare(struct acg_bench_run *r, struct acg_cg *parent, struct acg_cg **ret_tree,
		   struct acg_cg **cgs, enum acg_prio *prio)
{
	struct acg_diag d;
	int rc;

	rc = acg_cg_child(parent, r->name, true, ret_tree);
	if (rc < 0) {
		acg_diag_set(&r->error, "cannot create %s/%s: %s", acg_cg_path(parent), r->name,
			     strerror(-rc));
		return rc;
	}
	r->cgroup_version = acg_cg_version(*ret_tree);
	for (size_t i = 0; i < r->n; i++) {
		rc = acg_cg_child(*ret_tree, r->s[i].spec->name, true, &cgs[i]);
		if (rc < 0) {
			acg_diag_set(&r->error, "cannot create %s/%s: %s", acg_cg_path(*ret_tree),
				     r->s[i].spec->name, strerror(-rc));
			return rc;
		}
		prio[i] = r->s[i].spec->prio;
	}
	if (!r->st)
		return 0;
	r->ctx = (struct acg_strategy_ctx){.tree = *ret_tree,
					   .sessions = cgs,
					   .prio = prio,
					   .names = r->names,
					   .n = r->n,
					   .budget = r->sc->budget_bytes,
					   .high = r->sc->high,
					   .low_growth = r->sc->low_growth,
					   .high_growth = r->sc->high_growth,
					   .swap = r->sc->swap_bytes,
					   .log = log_decision,
					   .log_arg = r};
	snprintf(d.msg, sizeof(d.msg), "%s", r->st->setup ? "" : "it has no setup");
	rc = r->st->setup ? r->st->setup(&r->ctx, &d) : -EOPNOTSUPP;
	if (rc < 0)
		acg_diag_set(&r->error, "strategy %s: %s", r->st->name,
			     d.msg[0] ? d.msg : strerror(-rc));
	return rc;
}

/* The warm-up's size: as asked, or what the sessions need; never past 3/4 of MemAvailable. */
static uint64_t warm_size(struct acg_bench_run *r)
{
	uint64_t avail = acg_host_mem_available() / 4 * 3, need = 0;

	if (r->warm_bytes == ACG_BENCH_WARM_AUTO) {
		for (size_t i = 0; i < r->n; i++) {
			struct acg_trace_summary ts;

			/* a command's peak is unknown before it runs: count a share of the budget */
			if (r->s[i].spec->command) {
				need += r->sc->budget_bytes / r->sc->n_sessions +
					r->s[i].spec->base_bytes;
				continue;
			}
			acg_trace_summarize(r->s[i].spec->trace, &ts);
			need += ts.peak_bytes + r->s[i].spec->base_bytes;
		}
		r->warm_bytes = need + need / 4;
	}
	if (avail && r->warm_bytes > avail)
		r->warm_bytes = avail;
	return r->warm_bytes;
}

/* An unlinked file for a command session's output (copied into the results at the end). */
static int open_log(const char *near)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s", near);
	*strrchr(path, '/') = '\0';
	fd = open(path, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd >= 0 ? fd : -errno;
	snprintf(path, sizeof(path), "%s.log", near);
	fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	unlink(path);
	return fd;
}

/* Start session s: a replay worker, or a command session's driver. */
static int spawn_one(struct acg_bench_session *s, struct acg_cg *cg)
{
	int rc;

	if (!s->spec->command)
		return acg_replay_spawn(&s->cfg, cg, &s->pid, &s->fd);
	rc = acg_command_scratch_make(s->spec->name, &s->scratch);
	if (rc < 0)
		return rc;
	rc = open_log(s->scratch);
	if (rc < 0)
		return rc;
	s->log_fd = rc;
	s->ccfg = (struct acg_command_cfg){.spec = s->spec->command,
					   .base_bytes = s->spec->base_bytes,
					   .scratch = s->scratch,
					   .log_fd = s->log_fd,
					   .go_fd = s->cfg.go_fd,
					   .go_wfd = s->cfg.go_wfd};
	return acg_command_spawn(&s->ccfg, cg, &s->pid, &s->fd);
}

/* Spawn every worker; they hold their baselines and wait for the go pipe to close. */
static int spawn_all(struct acg_bench_run *r, struct acg_cg **cgs)
{
	int go[2], rc = 0;
	double deadline;
	bool all = false;

	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	for (size_t i = 0; i < r->n && rc == 0; i++) {
		struct acg_bench_session *s = &r->s[i];

		s->cfg.go_fd = go[0];
		s->cfg.go_wfd = go[1];
		acg_cg_events(cgs[i], &s->out.ev_before);
		s->out.have_events = true;
		rc = spawn_one(s, cgs[i]);
		if (rc < 0)
			acg_diag_set(&r->error, "cannot start session %s: %s", s->spec->name,
				     strerror(-rc));
	}
	close(go[0]);
	/* wait (bounded) until every live worker holds its baseline */
	deadline = acg_mono_s() + 120;
	for (all = false; rc == 0 && !all && acg_mono_s() < deadline;) {
		all = true;
		for (size_t i = 0; i < r->n; i++) {
			struct acg_bench_session *s = &r->s[i];

			if (s->pid > 0 && !s->rep.started &&
			    acg_replay_result_drain(&s->rep, s->fd) != 0)
				all = false;
		}
		if (!all)
			poll(NULL, 0, 5);
	}
	/* warm pages at the head of the free lists, so the run times the kernel and the
	 * policy rather than a hypervisor backing memory (a failed warm-up is only slower) */
	if (rc == 0 && all && r->warm_bytes)
		r->warm_error = acg_warm_touch(warm_size(r), &r->warm_mib_s);
	else
		r->warm_bytes = 0; /* not attempted */
	/* a controller sees the sessions as they start, as a daemon would (it renices LOW,
	 * arms its wake-ups) before the clock starts */
	if (rc == 0 && r->st && r->st->tick && r->ctx.priv)
		r->st->tick(&r->ctx, 0);
	close(go[1]);
	return rc;
}

static void reap(struct acg_bench_run *r, size_t i, double t, bool block)
{
	struct acg_bench_session *s = &r->s[i];
	int status;
	pid_t w;

	if (s->exited || s->pid <= 0)
		return;
	w = waitpid(s->pid, &status, block ? 0 : WNOHANG);
	if (w != s->pid)
		return;
	acg_replay_result_drain(&s->rep, s->fd);
	s->out.wait_status = status;
	s->exited = true;
	s->exit_at_s = t;
	if (r->st && r->st->ended && r->ctx.priv)
		r->st->ended(&r->ctx, i);
}

static bool all_exited(const struct acg_bench_run *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->s[i].pid > 0 && !r->s[i].exited)
			return false;
	return true;
}

static void watch(struct acg_bench_run *r, struct acg_cg *tree, struct acg_cg **cgs,
		  double timeout_s, void (*progress)(const struct acg_bench_run *, double, void *),
		  void *arg)
{
	bool control = r->st && r->st->tick && r->ctx.priv;
	double t0 = acg_mono_s(), t, next_sample = 0;
	int nice_before = getpriority(PRIO_PROCESS, 0);
	/* a controller acts every 10 ms, or as soon as the kernel wakes it (a worker's records
	 * do not: the daemon has none); usage is recorded every 50 ms */
	struct acg_loop loop = {.period_s = control ? ACG_BENCH_CONTROL_MS / 1000.0 : 0};

	/* the controller must not starve behind the sessions it controls (the workers are
	 * already forked: they keep their own priority) */
	if (control)
		setpriority(PRIO_PROCESS, 0, -10);

	while (!all_exited(r)) {
		struct pollfd own[64], *kfd = NULL;
		size_t n_own = 0, nk = 0;
		bool tick;

		for (size_t i = 0; i < r->n && n_own < 64; i++)
			if (!r->s[i].exited && r->s[i].fd >= 0)
				own[n_own++] = (struct pollfd){r->s[i].fd, POLLIN, 0};
		if (control && r->st->pollfds)
			nk = r->st->pollfds(&r->ctx, &kfd);
		tick = acg_loop_wait(&loop, kfd, nk, own, n_own, t0 + next_sample) && control;
		t = acg_mono_s() - t0;
		for (size_t i = 0; i < r->n; i++) {
			if (!r->s[i].exited)
				acg_replay_result_drain(&r->s[i].rep, r->s[i].fd);
			reap(r, i, t, false);
		}
		if (tick) {
			r->st->tick(&r->ctx, t);
			acg_loop_ticked(&loop, t0 + t);
		}
		if (t < next_sample)
			continue;
		next_sample = t + ACG_BENCH_SAMPLE_MS / 1000.0;
		sample(r, tree, cgs, t);
		if (progress)
			progress(r, t, arg);
		if (t > timeout_s && !r->timed_out) {
			r->timed_out = true;
			for (size_t i = 0; i < r->n; i++)
				if (!r->s[i].exited && r->s[i].pid > 0)
					kill(r->s[i].pid, SIGKILL);
		}
	}
	r->wall_s = acg_mono_s() - t0;
	acg_loop_free(&loop);
	if (control)
		setpriority(PRIO_PROCESS, 0, nice_before);
}

/*
 * When the run is stopped: timeout_factor times its longest timeline at the scenario's
 * speed, or a command session's commands' timeouts added up, whichever is later, plus 30 s.
 */
static double run_timeout(const struct acg_bench_run *r)
{
	double m = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct acg_command_spec *c = r->s[i].spec->command;
		const struct acg_trace *t = r->s[i].spec->trace;
		double d = 0;

		if (c)
			d = c->timeout_s * (double)c->n;
		else if (t->n)
			d = t->samples[t->n - 1].t / r->sc->speed * r->sc->timeout_factor;
		m = d > m ? d : m;
	}
	return m + 30;
}

int acg_bench_run(const struct acg_scenario *sc, const size_t *idx, size_t n,
		  const struct acg_strategy *st, unsigned int run, struct acg_cg *parent,
		  const char *name, uint64_t warm_bytes,
		  void (*progress)(const struct acg_bench_run *r, double t, void *arg), void *arg,
		  struct acg_bench_run **ret)
{
	struct acg_bench_run *r = calloc(1, sizeof(*r));
	struct acg_cg *tree = NULL, **cgs = NULL;
	enum acg_prio *prio = NULL;
	int rc;

	if (!r)
		return -ENOMEM;
	r->sc = sc;
	r->st = st;
	r->run = run;
	r->n = n;
	r->warm_bytes = warm_bytes;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->s = calloc(n, sizeof(*r->s));
	r->names = calloc(n, sizeof(*r->names));
	cgs = calloc(n, sizeof(*cgs));
	prio = calloc(n, sizeof(*prio));
	if (!r->s || !r->names || !cgs || !prio) {
		/* a run of no sessions: nothing to write or free beyond the run itself */
		r->n = 0;
		acg_diag_set(&r->error, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	/* every session fully described before anything can fail */
	for (size_t i = 0; i < n; i++) {
		struct acg_bench_session *s = &r->s[i];

		s->spec = &sc->sessions[idx[i]];
		r->names[i] = s->spec->name;
		s->fd = -1;
		s->log_fd = -1;
		s->cfg = (struct acg_replay_cfg){.trace = s->spec->trace,
						 .speed = sc->speed,
						 .base_bytes = s->spec->base_bytes};
	}
	for (size_t i = 0; i < n; i++) {
		const struct acg_scn_session *sp = r->s[i].spec;

		rc = acg_replay_result_init(&r->s[i].rep,
					    sp->command ? sp->command->n : sp->trace->n);
		if (rc < 0) {
			acg_diag_set(&r->error, "out of memory");
			goto out;
		}
	}
	{
		/* what the hypervisor took back while the run went on (warm.h), where known */
		long long before = acg_warm_reported_kib();

		rc = prepare(r, parent, &tree, cgs, prio);
		if (rc == 0)
			acg_cg_events(tree, &r->tree_before);
		if (rc == 0)
			rc = spawn_all(r, cgs);
		/* whatever was spawned is watched to its end, even after an error */
		watch(r, tree, cgs, run_timeout(r), progress, arg);
		long long after = before >= 0 ? acg_warm_reported_kib() : -1;

		r->reported_kib = before >= 0 && after >= before ? after - before : -1;
	}
	for (size_t i = 0; i < n && tree; i++) {
		struct acg_bench_session *s = &r->s[i];

		if (!cgs[i])
			continue;
		s->out.have_events = acg_cg_events(cgs[i], &s->out.ev_after) == 0;
		s->out.have_cg_peak = acg_cg_peak(cgs[i], &s->peak) == 0;
		s->out.cg_peak = s->peak;
		s->out.cg_peak_since = "cgroup creation"; /* made for this run */
		s->out.wall_s = s->exit_at_s;
	}
	if (tree)
		acg_cg_events(tree, &r->tree_after);
	/* undo the strategy's controls (nothing stays held), then everything goes */
	if (r->st && r->st->teardown)
		r->st->teardown(&r->ctx);
out:
	/* the run's cgroups go, whatever happened */
	for (size_t i = 0; i < n && cgs; i++)
		acg_cg_free(cgs[i]);
	if (tree) {
		int rr = acg_cg_remove(tree);

		if (rr < 0 && rc == 0) {
			acg_diag_set(&r->error, "cannot remove %s: %s", acg_cg_path(tree),
				     strerror(-rr));
			rc = rr;
		}
		acg_cg_free(tree);
	}
	free(cgs);
	free(prio);
	*ret = r;
	return rc;
}
