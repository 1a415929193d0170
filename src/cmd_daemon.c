// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_daemon.c: `agentcg daemon`: the priority controller on a real host. It manages
 * every session cgroup under its root ("high-<name>", "low-<name>", made by `agentcg
 * run`), continuously: the policy of lib/model/policy.c, applied by lib/control/controller.c, every
 * interval. At start it releases whatever a previous instance left held (after a crash
 * nothing stays paused); on SIGTERM or SIGINT it releases everything and exits. Every
 * decision is one JSON line in the log.
 */
#include "cmd.h"
#include "clock.h"

#include "cgroup.h"
#include "bpf_signals.h"
#include "controller.h"
#include "fsutil.h"
#include "jsonfile.h"
#include "host.h"
#include "loop.h"
#include "mounts.h"
#include "notify.h"
#include "policy.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void daemon_usage(FILE *f)
{
	fprintf(f,
		"Usage: agentcg daemon [--root PATH] [--budget-mb N] [--config FILE]\n"
		"                      [--interval-ms N] [--log FILE] [--state FILE | --no-state]\n"
		"                      [--metrics FILE] [--profile FILE] [--release]\n"
		"\n"
		"Manage every session under the root: HIGH sessions keep allocating, LOW ones are\n"
		"held (v1: limit clamped with the OOM killer off; v2: memory.high clamped, frozen\n"
		"if they creep or wait there for wait_freeze_s) when the budget runs short, given\n"
		"room back and released when HIGH shrinks; a LOW session is killed only when\n"
		"holding all of them cannot make room, or held LOW sessions alone fill the budget\n"
		"and nothing can move. Sessions are the root's children named high-<name> or\n"
		"low-<name> (see 'agentcg run'). At start, anything a previous daemon left held is\n"
		"released; on SIGTERM/SIGINT everything is released before exit.\n"
		"\n"
		"Options:\n"
		"  --root PATH       managed root (default agentcg under the memory controller)\n"
		"  --budget-mb N     the budget, MiB (at most this host's memory): set as the\n"
		"                    root's hard limit (default: keep the root's limit, or the\n"
		"                    host's memory)\n"
		"  --config FILE     JSON: budget_mb, interval_ms, reserve_mb, quiet_s, low_nice,\n"
		"                    wait_freeze_s\n"
		"                    (units, defaults, bounds: docs/controller.md); its keys\n"
		"                    replace the options given with them\n"
		"  --interval-ms N   control period, 1 to 10000 (default 10)\n"
		"  --log FILE        lifecycle events and decisions as JSON lines, each with \"t\"\n"
		"                    (monotonic seconds) and \"time\" (UTC) (default: stderr)\n"
		"  --state FILE      the state 'agentcg status' reads, rewritten every second\n"
		"                    (default /run/agentcg/<root's name>.json); --no-state: none\n"
		"  --metrics FILE    the same figures in Prometheus' text format, every second\n"
		"                    (for node_exporter's textfile collector: a .prom file)\n"
		"  --profile FILE    what a session that declares no peak (run --peak-mb) is\n"
		"                    expected to grow by from its start: a LOW session starts\n"
		"                    only while every session's expected peak fits the budget\n"
		"                    (an agentcg profile output, e.g. of your own recordings;\n"
		"                    none: nothing expected; default: built in, the shipped\n"
		"                    traces' tune split: LOW %.0f MiB, HIGH %.0f MiB)\n"
		"  --release         release every session under the root (clamps, freezes, the\n"
		"                    v1 OOM killer, LOW tasks' nice, policy, oom_score_adj) and exit:\n"
		"                    after a daemon that was killed with its guard (e.g. from a\n"
		"                    service's ExecStopPost); refused while a daemon runs there\n"
		"  -h, --help        this text\n"
		"\n"
		"A daemon is two processes: its own pid is a small guard that releases every\n"
		"session if the controller (its child) dies; the controller stops cleanly if the\n"
		"guard dies. SIGHUP opens the log anew (for logrotate). One daemon per root.\n"
		"Under systemd (dist/agentcg.service, installed by make install) it reports\n"
		"readiness and pings the watchdog ($NOTIFY_SOCKET, $WATCHDOG_USEC).\n"
		"\n"
		"Examples:\n"
		"  sudo agentcg daemon --budget-mb 16384 --log /var/log/agentcg.jsonl &\n"
		"  sudo agentcg daemon --release\n"
		"  sudo agentcg run --priority low -- ./my-agent --task t1\n",
		ACG_POL_LOW_GROWTH / 1048576.0, ACG_POL_HIGH_GROWTH / 1048576.0);
}

static volatile sig_atomic_t stop, reopen;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen = 1;
	else
		stop = 1;
}

/*
 * A set of sessions: each one's cgroup name, open handle, priority and identity (the
 * cgroup directory's inode: a cgroup made anew under an old name is another session).
 */
struct sset {
	char **names;
	struct acg_cg **cg;
	enum acg_prio *prio;
	struct acg_cg_ident *id;
	size_t n;
};

static int sset_alloc(struct sset *s, size_t cap)
{
	cap = cap ? cap : 1;
	s->names = calloc(cap, sizeof(*s->names));
	s->cg = calloc(cap, sizeof(*s->cg));
	s->prio = calloc(cap, sizeof(*s->prio));
	s->id = calloc(cap, sizeof(*s->id));
	s->n = 0;
	return s->names && s->cg && s->prio && s->id ? 0 : -ENOMEM;
}

static void sset_free(struct sset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		acg_cg_free(s->cg[i]);
		free(s->names[i]);
	}
	free(s->names);
	free(s->cg);
	free(s->prio);
	free(s->id);
	*s = (struct sset){0};
}

#define NOT_FOUND SIZE_MAX

/* Index in s of the session that is name with identity id, or NOT_FOUND. */
static size_t sset_find(const struct sset *s, const char *name, const struct acg_cg_ident *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0 && acg_cg_ident_eq(&s->id[i], id))
			return i;
	return NOT_FOUND;
}

/* Append a session to s (its name and cgroup become s's). 0 or -ENOMEM. */
static int sset_append(struct sset *s, size_t *cap, char *name, struct acg_cg *cg,
		       enum acg_prio prio, const struct acg_cg_ident *id)
{
	if (s->n == *cap || !s->names) {
		size_t c = *cap ? 2 * *cap : 16;
		char **names = realloc(s->names, c * sizeof(*names));
		struct acg_cg **cgs = names ? realloc(s->cg, c * sizeof(*cgs)) : NULL;
		enum acg_prio *prios = cgs ? realloc(s->prio, c * sizeof(*prios)) : NULL;
		struct acg_cg_ident *ids = prios ? realloc(s->id, c * sizeof(*ids)) : NULL;

		if (names)
			s->names = names;
		if (cgs)
			s->cg = cgs;
		if (prios)
			s->prio = prios;
		if (!ids)
			return -ENOMEM;
		s->id = ids;
		*cap = c;
	}
	s->names[s->n] = name;
	s->cg[s->n] = cg;
	s->prio[s->n] = prio;
	s->id[s->n] = *id;
	s->n++;
	return 0;
}

/* Remove session i from s (its name and cgroup freed); the ones after move down. */
static void sset_remove(struct sset *s, size_t i)
{
	size_t tail = s->n - i - 1;

	acg_cg_free(s->cg[i]);
	free(s->names[i]);
	memmove(&s->names[i], &s->names[i + 1], tail * sizeof(*s->names));
	memmove(&s->cg[i], &s->cg[i + 1], tail * sizeof(*s->cg));
	memmove(&s->prio[i], &s->prio[i + 1], tail * sizeof(*s->prio));
	memmove(&s->id[i], &s->id[i + 1], tail * sizeof(*s->id));
	s->n--;
}

/* Whether s has a session called name (of any identity). */
static bool sset_has_name(const struct sset *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return true;
	return false;
}

struct dstate {
	struct acg_cg *root;
	FILE *log;
	uint64_t budget;
	struct acg_pol_cfg cfg;
	struct sset cur; /* the managed sessions, as many as the root has, in the controller's
			  * order (cur.cg[i] is the controller's session i) */
	size_t cur_cap;
	struct acg_controller *ctl;
	struct acg_signals *sig; /* BPF signals for every controller, or NULL */
	const char *log_path;	 /* NULL: stderr */
	uint64_t root_limit;	 /* what the root's limit is to be (a kick shrinks it briefly) */
	unsigned long lost;	 /* log lines that could not be written */
	size_t unmanaged;	 /* sessions whose cgroup could not be opened, at the last look */
	/* what `agentcg status` and Prometheus read (status.h) */
	const char *state_path;	  /* NULL: none */
	const char *metrics_path; /* NULL: none */
	json_t *last;		  /* each session's last decision, by name */
	json_t *recent;		  /* the last RECENT decisions */
	double next_publish;
	bool publish_failed; /* said once, not every second */
	double period_s;     /* the control period now */
};

#define RECENT 10
#define PUBLISH_PERIOD_S 1.0
/* the session set is read at least this often, whatever inotify says: a watch's queue
 * that overflows says so (an event, so a read at once), so this is a last safety only
 * (with 1000 sessions a read of the set each second was a tenth of the daemon's system
 * calls). Without inotify it is read every period */
#define LIST_PERIOD_S 10.0
/* a tick reads every session (a few microseconds each): with many sessions the period
 * stretches to this much per session, so the reads stay within a share of one core
 * (1000 sessions: 50 ms); below 200 sessions the period given is kept */
#define PERIOD_PER_SESSION_S 50e-6

/* The log: appended, never through a symlink, readable by root and the admin group only. */
static FILE *open_log(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;

	if (fd >= 0 && !f)
		close(fd);
	return f;
}

/*
 * One line to the log. A line that cannot be written (a full disk, a closed pipe) is
 * counted, and said on stderr the first time and every 1000th, so decisions are never
 * lost silently; the stop line carries the count.
 */
static void put_line(struct dstate *d, const char *line)
{
	int r = fprintf(d->log, "%s\n", line);

	if (fflush(d->log) == 0 && r >= 0)
		return;
	clearerr(d->log);
	if (d->lost++ % 1000 == 0 && d->log != stderr)
		acg_err("daemon: cannot write the log %s: %s (%lu line(s) lost so far)",
			d->log_path ? d->log_path : "(stderr)", strerror(errno ? errno : EIO),
			d->lost);
}

/* Write j as one log line, with "time" (its "t" on the wall clock, UTC) right after "t". */
static void write_line(struct dstate *d, json_t *j)
{
	json_t *o = json_object(), *v;
	const char *key;
	char iso[40], *line;

	acg_mono_to_iso(json_number_value(json_object_get(j, "t")), iso, sizeof(iso));
	json_object_foreach(j, key, v) {
		json_object_set(o, key, v);
		if (strcmp(key, "t") == 0)
			json_object_set_new(o, "time", json_string(iso));
	}
	line = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (line)
		put_line(d, line);
	free(line);
	json_decref(o);
}

/* A decision of the controller (one JSON object): logged with its wall-clock time. */
static void log_line(void *arg, const char *line)
{
	struct dstate *d = arg;
	json_t *j = json_loads(line, 0, NULL);
	const char *session = json_string_value(json_object_get(j, "session"));

	if (j && json_object_get(j, "t"))
		write_line(d, j);
	else
		put_line(d, line);
	/* for the status: each session's last decision, and the last few of all */
	if (j && session && json_object_get(j, "action") && d->last && d->recent) {
		json_object_set(d->last, session, j);
		json_array_append(d->recent, j);
		while (json_array_size(d->recent) > RECENT)
			json_array_remove(d->recent, 0);
	}
	json_decref(j);
}

/* A lifecycle line: t, time, event, session, detail, and extra's fields (may be NULL). */
static void log_event_with(struct dstate *d, const char *event, const char *session,
			   const char *detail, json_t *extra)
{
	json_t *j = json_pack("{s:f, s:s, s:o, s:o}", "t", acg_mono_s(), "event", event, "session",
			      session ? json_string(session) : json_null(), "detail",
			      detail ? json_string(detail) : json_null());

	if (j && extra)
		json_object_update(j, extra);
	if (j)
		write_line(d, j);
	json_decref(j);
	json_decref(extra);
}

static void log_event(struct dstate *d, const char *event, const char *session, const char *detail)
{
	log_event_with(d, event, session, detail, NULL);
}

/* SIGHUP (logrotate): the log is opened anew; the old one stays if that fails. */
static void reopen_log(struct dstate *d)
{
	FILE *f;

	reopen = 0;
	if (!d->log_path || !(f = open_log(d->log_path)))
		return;
	fclose(d->log);
	d->log = f;
	log_event(d, "log-reopened", NULL, "SIGHUP: the log was opened anew");
}

static void drop_sessions(struct dstate *d)
{
	acg_controller_free(d->ctl);
	d->ctl = NULL;
	sset_free(&d->cur);
	d->cur_cap = 0;
}

static int by_name(const void *a, const void *b, void *arg)
{
	const struct sset *s = arg;

	return strcmp(s->names[*(const size_t *)a], s->names[*(const size_t *)b]);
}

/* Whether a and b are the same sessions (same names, same cgroups), in any order. */
static bool same_set(const struct sset *a, const struct sset *b)
{
	size_t *ia, *ib;
	bool same = a->n == b->n;

	if (!same || !a->n)
		return same;
	ia = calloc(a->n, sizeof(*ia));
	ib = calloc(b->n, sizeof(*ib));
	if (!ia || !ib) {
		free(ia);
		free(ib);
		return false;
	}
	for (size_t i = 0; i < a->n; i++)
		ia[i] = ib[i] = i;
	qsort_r(ia, a->n, sizeof(*ia), by_name, (void *)a);
	qsort_r(ib, b->n, sizeof(*ib), by_name, (void *)b);
	for (size_t i = 0; i < a->n && same; i++)
		same = strcmp(a->names[ia[i]], b->names[ib[i]]) == 0 &&
		       acg_cg_ident_eq(&a->id[ia[i]], &b->id[ib[i]]);
	free(ia);
	free(ib);
	return same;
}

/*
 * What each session declares (run --peak-mb: an xattr on its cgroup), to the policy as its
 * expected peak; read after every change of the set (all), and every second (all, or with
 * all false only the sessions the policy first saw less than DECLARE_YOUNG_S ago: run
 * writes it just after making the cgroup, which the daemon may see first). A declaration
 * that is not a number is said when the set changes (say), not every second.
 */
#define DECLARE_YOUNG_S 10.0
static void declare_all(struct dstate *d, bool say, bool all, double now)
{
	const struct acg_pol_state *st = d->ctl ? acg_controller_state(d->ctl) : NULL;

	for (size_t k = 0; d->ctl && k < d->cur.n; k++) {
		uint64_t peak = 0;

		/* not read yet by the policy (started_at 0), or young */
		if (!all && st->s[k].started_at > 0 && now - st->s[k].started_at >= DECLARE_YOUNG_S)
			continue;
		if (acg_cg_peak_get(d->cur.cg[k], &peak) < 0 && say)
			log_event(d, "error", d->cur.names[k],
				  "its " ACG_XATTR_PEAK " is not a number of MiB: ignored");
		acg_controller_declare(d->ctl, k, peak);
	}
}

/*
 * Follow the sessions under the root: a session gone is removed from the controller, a new
 * one added to it; everything the controller knows of the others stays. A session's cgroup
 * replaced by a new one of the same name (removed and made again within one period) is a
 * session gone and a new one, with nothing carried over, managed from this period on.
 * Every session under the root is managed, however many; one whose cgroup cannot be opened
 * (out of file descriptors) is said, in the log and on stderr, not hidden.
 */
static int refresh(struct dstate *d)
{
	struct sset next = {0};
	size_t n_all, failed = 0;
	char **all, first[ACG_NAME_MAX + 80] = "";
	struct acg_diag diag;
	bool *renamed, adopting;
	int r;

	r = acg_cg_children(d->root, &all, &n_all);
	if (r < 0)
		return r;
	r = sset_alloc(&next, n_all);
	/* HIGH sessions first, so they are the ones managed should handles run short */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n_all; i++) {
			enum acg_prio p;

			if (!all[i] || acg_prio_from_cgroup(all[i], &p) < 0) {
				free(all[i]);
				all[i] = NULL;
				continue;
			}
			if (acg_prio_is_high(p) != (pass == 0))
				continue;
			if (r == 0 && acg_cg_child_ident(d->root, all[i], &next.id[next.n]) == 0) {
				next.prio[next.n] = p;
				next.names[next.n++] = all[i];
			} else {
				free(all[i]);
			}
			all[i] = NULL;
		}
	free(all);
	if (r < 0 || (d->ctl && same_set(&d->cur, &next))) {
		sset_free(&next);
		return r;
	}
	adopting = !d->ctl;
	if (!d->ctl) {
		r = acg_controller_new(d->root, NULL, NULL, NULL, 0, d->budget, &d->cfg, log_line,
				       d, &d->ctl);
		if (r < 0) {
			sset_free(&next);
			return r;
		}
		if (d->sig)
			acg_controller_use_signals(d->ctl, d->sig);
		if (acg_controller_setup(d->ctl, &diag) < 0)
			log_event(d, "error", NULL, diag.msg);
	}
	/* a new session under the name of one managed now: the old one was replaced */
	renamed = calloc(next.n ? next.n : 1, sizeof(*renamed));
	for (size_t k = 0; renamed && k < next.n; k++)
		renamed[k] = sset_has_name(&d->cur, next.names[k]);
	/* gone (or replaced): out of the controller, from the last so indices stay valid */
	for (size_t i = d->cur.n; i-- > 0;) {
		if (sset_find(&next, d->cur.names[i], &d->cur.id[i]) != NOT_FOUND)
			continue;
		log_event(d, "session-gone", d->cur.names[i],
			  sset_has_name(&next, d->cur.names[i])
				  ? "replaced by a new cgroup of the same name"
				  : NULL);
		acg_controller_remove(d->ctl, i);
		sset_remove(&d->cur, i);
	}
	/* new: opened and added; its identity is the cgroup the handle opened (one replaced
	 * meanwhile is seen as replaced next period) */
	for (size_t k = 0; k < next.n; k++) {
		struct acg_cg *cg = NULL;
		struct acg_cg_ident id;
		int e;

		if (sset_find(&d->cur, next.names[k], &next.id[k]) != NOT_FOUND)
			continue;
		e = acg_cg_child(d->root, next.names[k], false, &cg);
		if (e == 0)
			e = acg_cg_ident(cg, &id);
		if (e < 0) {
			/* gone meanwhile is no news; anything else (out of file descriptors)
			 * leaves a session unmanaged: said, not hidden */
			if (e != -ENOENT && !failed++)
				snprintf(first, sizeof(first), "%s: %s", next.names[k],
					 strerror(-e));
			acg_cg_free(cg);
			continue;
		}
		if (sset_append(&d->cur, &d->cur_cap, next.names[k], cg, next.prio[k], &id) < 0) {
			acg_cg_free(cg);
			failed++;
			continue;
		}
		next.names[k] = NULL; /* now cur's */
		log_event(d, "session-new", d->cur.names[d->cur.n - 1],
			  renamed && renamed[k]
				  ? "a new cgroup under an old session's name: managed as new"
				  : NULL);
		r = acg_controller_add(d->ctl, cg, next.prio[k], d->cur.names[d->cur.n - 1], &diag);
		/* there when the daemon started: it has run, it does not wait at its start */
		if (r != -ENOMEM && adopting)
			acg_controller_adopt(d->ctl, d->cur.n - 1);
		if (r == -ENOMEM) {
			/* not in the controller: not managed either */
			sset_remove(&d->cur, d->cur.n - 1);
			failed++;
		} else if (r < 0) {
			log_event(d, "error", d->cur.names[d->cur.n - 1], diag.msg);
		}
	}
	if (failed != d->unmanaged) {
		char detail[sizeof(first) + 120];

		if (failed)
			snprintf(detail, sizeof(detail),
				 "%zu session(s) NOT managed, cannot open them (HIGH sessions are "
				 "opened first); the first: %s",
				 failed, first);
		else
			snprintf(detail, sizeof(detail), "every session is managed again");
		log_event(d, failed ? "unmanaged" : "managed", NULL, detail);
		if (failed)
			acg_err("daemon: %s", detail);
	}
	d->unmanaged = failed;
	free(renamed);
	for (size_t k = 0; k < next.n; k++)
		free(next.names[k]);
	next.n = 0;
	sset_free(&next);
	declare_all(d, true, true, 0);
	return 0;
}

/*
 * Publish the state file and the metrics (status.h), every PUBLISH_PERIOD_S and as the
 * daemon stops (running false). A failure is logged once, not every second.
 */
static void publish(struct dstate *d, bool running, long pid)
{
	struct acg_status s = {.root = acg_cg_path(d->root),
			       .pid = pid,
			       .t = acg_mono_s(),
			       .budget = d->budget,
			       .running = running,
			       .period_s = d->period_s,
			       .last = d->last,
			       .recent = d->recent};
	json_t *doc;
	char *text = NULL, detail[PATH_MAX + 80];
	int r = 0;

	/* the next one is due a period on even when there is nothing to write: the loop waits
	 * until then (with --no-state and no --metrics a due time left at 0 spun it) */
	d->next_publish = s.t + PUBLISH_PERIOD_S;
	if (!d->state_path && !d->metrics_path)
		return;
	if (d->ctl) {
		s.st = acg_controller_state(d->ctl);
		s.names = (const char *const *)d->cur.names;
		s.need = acg_controller_need(d->ctl);
		acg_controller_stats(d->ctl, &s.stats);
	}
	/* names no longer under the root are forgotten */
	if (d->last) {
		const char *key;
		json_t *v;
		void *tmp;

		json_object_foreach_safe(d->last, tmp, key, v)
		{
			bool known = false;

			for (size_t i = 0; i < d->cur.n && !known; i++)
				known = strcmp(d->cur.names[i], key) == 0;
			if (!known)
				json_object_del(d->last, key);
		}
	}
	if (d->state_path && (doc = acg_status_json(&s))) {
		text = json_dumps(doc, JSON_INDENT(2));
		json_decref(doc);
		r = text ? acg_status_write(d->state_path, text, 0644) : -ENOMEM;
		free(text);
		text = NULL;
		if (r < 0)
			snprintf(detail, sizeof(detail), "cannot write the state file %s: %s",
				 d->state_path, strerror(-r));
	}
	if (r == 0 && d->metrics_path) {
		r = acg_status_metrics(&s, &text);
		if (r == 0)
			r = acg_status_write(d->metrics_path, text, 0644);
		free(text);
		if (r < 0)
			snprintf(detail, sizeof(detail), "cannot write the metrics %s: %s",
				 d->metrics_path, strerror(-r));
	}
	if (r < 0 && !d->publish_failed)
		log_event(d, "error", NULL, detail);
	d->publish_failed = r < 0;
}

/* Release whatever a previous instance left held: clamps, freezes, OOM settings. */
static void release_all(struct dstate *d)
{
	if (refresh(d) < 0 || !d->ctl)
		return;
	acg_controller_restore(d->ctl);
	/* rebuilt on the next refresh, which sets the OOM handling up again */
	drop_sessions(d);
}

/*
 * After the controller died: the tree back to the kernel's defaults, without anything the
 * controller knew. Every session released (clamps, freezes, v1 OOM killer on), LOW tasks'
 * nice and oom_score_adj back to the defaults, the root's limit as it is to be and its
 * OOM killer on.
 */
static void release_after_death(struct dstate *d)
{
	if (refresh(d) == 0 && d->ctl) {
		acg_controller_restore(d->ctl);
		acg_controller_reset_tasks(d->ctl);
		drop_sessions(d);
	}
	acg_cg_set(d->root, ACG_CTL_MAX, d->root_limit);
	if (acg_cg_version(d->root) == 1)
		acg_cg_set(d->root, ACG_CTL_OOM_PAUSE, 0);
}

/*
 * The daemon's first process stays a small guard of the controller, its child: it forwards
 * SIGTERM, SIGINT and SIGHUP, and when the controller ends by any other means than a clean
 * stop (SIGKILL, the OOM killer, a crash) it puts the tree back to the kernel's defaults,
 * so nothing waits for good in a v1 OOM wait the policy would have ended. The controller
 * gets SIGTERM if the guard dies (PR_SET_PDEATHSIG), and stops cleanly. Only both killed at
 * once leave the tree as it was; the next daemon releases it at start (docs/reliability.md).
 * Returns the daemon's exit code.
 */
static int guard(struct dstate *d, pid_t child, const sigset_t *sigs)
{
	int sfd = signalfd(-1, sigs, SFD_CLOEXEC), status = 0;
	char detail[160];
	int adj = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	/* the guard is small and the last thing that should die when memory runs out */
	if (adj >= 0) {
		if (write(adj, "-1000", 5) < 0) {
			/* not fatal: only the order of an OOM kill changes */
		}
		close(adj);
	}
	for (;;) {
		struct signalfd_siginfo si;
		pid_t w = waitpid(child, &status, WNOHANG);

		if (w == child || (w < 0 && errno == ECHILD))
			break;
		if (sfd < 0) {
			/* no signalfd: wait for the controller alone, forwarding nothing */
			if (waitpid(child, &status, 0) == child)
				break;
			continue;
		}
		if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		if (si.ssi_signo == SIGHUP)
			reopen_log(d);
		if (si.ssi_signo != SIGCHLD)
			kill(child, (int)si.ssi_signo);
	}
	if (sfd >= 0)
		close(sfd);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return ACG_EXIT_OK;
	if (WIFSIGNALED(status))
		snprintf(detail, sizeof(detail),
			 "the controller (pid %d) died of signal %d: releasing every session",
			 (int)child, WTERMSIG(status));
	else
		snprintf(detail, sizeof(detail),
			 "the controller (pid %d) ended with status %d: releasing every session",
			 (int)child, WEXITSTATUS(status));
	log_event(d, "controller-died", NULL, detail);
	acg_notify("STOPPING=1\nSTATUS=the controller died: releasing every session");
	release_after_death(d);
	log_event(d, "stop", NULL, "released every session after the controller died");
	publish(d, false, (long)getpid());
	if (d->lost)
		acg_err("daemon: %lu log line(s) could not be written to %s", d->lost,
			d->log_path ? d->log_path : "stderr");
	return ACG_EXIT_FAIL;
}

/* One daemon per root: an exclusive lock on the root's directory, held while it lives. */
static int lock_root(struct acg_cg *root)
{
	int fd = open(acg_cg_path(root), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int r = errno == EWOULDBLOCK ? -EBUSY : -errno;

		close(fd);
		return r;
	}
	return fd; /* kept open (and locked) for the daemon's life, by guard and controller */
}

/*
 * The config file's keys, their bounds and their units (docs/controller.md). The budget
 * is bounded as the bench's is, and by this host's memory (checked with the option's).
 */
static const struct cfg_key {
	const char *key;
	double min, max;
	bool integer;
} cfg_keys[] = {
	{"budget_mb", 1, 1 << 24, false},  {"interval_ms", 1, 10000, false},
	{"reserve_mb", 1, 1 << 24, false}, {"quiet_s", 0.01, 3600, false},
	{"low_nice", 0, 19, true},	   {"wait_freeze_s", 0.1, 3600, false},
};

static int read_config(const char *path, double *budget_mb, bool *have_budget, double *interval_ms,
		       struct acg_pol_cfg *cfg, bool *have_reserve, double *reserve_mb)
{
	struct acg_diag diag;
	json_t *j, *v;
	const char *key;

	if (acg_json_read_user(path, ACG_JSON_MAX_INPUT, JSON_REJECT_DUPLICATES, &j, &diag) < 0) {
		acg_err("daemon: %s", diag.msg);
		return -EINVAL;
	}
	if (!json_is_object(j)) {
		acg_err("daemon: %s: must be a JSON object", path);
		json_decref(j);
		return -EINVAL;
	}
	json_object_foreach(j, key, v) {
		const struct cfg_key *k = NULL;
		double x;

		for (size_t i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++)
			if (strcmp(cfg_keys[i].key, key) == 0)
				k = &cfg_keys[i];
		if (!k) {
			acg_err("daemon: %s: unknown key \"%s\" (budget_mb, interval_ms, reserve_mb, "
				"quiet_s, low_nice, wait_freeze_s)",
				path, key);
			json_decref(j);
			return -EINVAL;
		}
		x = json_is_number(v) ? json_number_value(v) : NAN;
		if (!(x >= k->min && x <= k->max) || (k->integer && !json_is_integer(v))) {
			acg_err("daemon: %s: \"%s\" must be %s from %.15g to %.15g", path, key,
				k->integer ? "a whole number" : "a number", k->min, k->max);
			json_decref(j);
			return -EINVAL;
		}
	}
	if ((v = json_object_get(j, "budget_mb"))) {
		*have_budget = true;
		*budget_mb = json_number_value(v);
	}
	if ((v = json_object_get(j, "interval_ms")))
		*interval_ms = json_number_value(v);
	if ((v = json_object_get(j, "reserve_mb"))) {
		*have_reserve = true;
		*reserve_mb = json_number_value(v);
	}
	if ((v = json_object_get(j, "quiet_s")))
		cfg->quiet_s = json_number_value(v);
	if ((v = json_object_get(j, "low_nice")))
		cfg->low_nice = (int)json_integer_value(v);
	if ((v = json_object_get(j, "wait_freeze_s")))
		cfg->wait_freeze_s = json_number_value(v);
	json_decref(j);
	return 0;
}

/* Let go of the root after a refusal at start: gone again if this start made it. */
static void drop_root(struct acg_cg *root)
{
	if (acg_cg_created(root))
		acg_cg_remove_if_empty(root);
	acg_cg_free(root);
}

int cmd_daemon(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},
		{"budget-mb", required_argument, NULL, 'b'},
		{"config", required_argument, NULL, 'c'},
		{"interval-ms", required_argument, NULL, 'i'},
		{"log", required_argument, NULL, 'l'},
		{"state", required_argument, NULL, 's'},
		{"no-state", no_argument, NULL, 'S'},
		{"metrics", required_argument, NULL, 'm'},
		{"release", no_argument, NULL, 'R'},
		{"profile", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *root_path = NULL, *config = NULL, *log_path = NULL;
	double budget_mb = 0, interval_ms = 10, reserve_mb = 0;
	double watchdog_s = 0, next_ping = 0, next_list = 0, next_declare = 0;
	struct acg_loop loop = {0};
	struct pollfd watch = {.fd = -1, .events = POLLIN};
	bool tick = true;
	bool have_reserve = false, budget_in_config = false;
	const char *budget_from;
	uint64_t mem = acg_host_mem_total();
	struct dstate d = {0};
	struct sigaction sa = {0};
	struct acg_mounts m;
	int c, r, lock_fd, code;
	sigset_t sigs, old_mask;
	bool release_only = false, no_state = false;
	uint64_t low_growth = ACG_POL_LOW_GROWTH, high_growth = ACG_POL_HIGH_GROWTH;
	char state_default[PATH_MAX];
	pid_t child, guard_pid;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		bool ok = true;

		switch (c) {
		case 'r':
			root_path = optarg;
			break;
		case 'b':
			ok = acg_opt_double("daemon", "--budget-mb", optarg, 1, 1 << 24,
					    &budget_mb);
			break;
		case 'c':
			config = optarg;
			break;
		case 'i':
			ok = acg_opt_double("daemon", "--interval-ms", optarg, 1, 10000,
					    &interval_ms);
			break;
		case 'l':
			log_path = optarg;
			break;
		case 'p':
			ok = acg_opt_profile("daemon", optarg, &low_growth, &high_growth);
			break;
		case 'R':
			release_only = true;
			break;
		case 's':
			d.state_path = optarg;
			no_state = false;
			break;
		case 'S':
			no_state = true;
			break;
		case 'm':
			d.metrics_path = optarg;
			break;
		case 'h':
			daemon_usage(stdout);
			return ACG_EXIT_OK;
		default:
			acg_bad_option("daemon", argv[optind - 1]);
			return ACG_EXIT_USAGE;
		}
		if (!ok)
			return ACG_EXIT_USAGE;
	}
	if (optind < argc) {
		acg_err("daemon: unexpected argument '%s'", argv[optind]);
		return ACG_EXIT_USAGE;
	}
	acg_pol_cfg_default(&d.cfg, UINT64_C(1) << 30);
	if (config && read_config(config, &budget_mb, &budget_in_config, &interval_ms, &d.cfg,
				  &have_reserve, &reserve_mb) < 0)
		return ACG_EXIT_USAGE;
	/* as the bench bounds a scenario's budget: no more than this host has */
	if (budget_mb > 0 && mem && budget_mb * 1048576.0 > (double)mem) {
		acg_err("daemon: %s%s %.15g: %.0f MiB is more than this host's memory (%.0f MiB)",
			budget_in_config ? config : "--budget-mb",
			budget_in_config ? ": \"budget_mb\"" : "", budget_mb, budget_mb,
			(double)mem / 1048576.0);
		return ACG_EXIT_USAGE;
	}
	d.log_path = log_path;
	d.log = log_path ? open_log(log_path) : stderr;
	if (!d.log) {
		acg_err("daemon: cannot open %s: %s", log_path, strerror(errno));
		return ACG_EXIT_USAGE;
	}
	r = acg_mounts_detect(&m);
	if (r == 0)
		r = acg_root_open(&m, root_path, true, &d.root);
	if (r < 0) {
		acg_err("daemon: cannot open the managed root %s: %s%s",
			root_path ? root_path : ACG_DEFAULT_ROOT,
			r == -ENOTSUP ? "no memory controller there" : strerror(-r),
			acg_root_hint(r));
		return r == -EINVAL ? ACG_EXIT_USAGE : ACG_EXIT_FAIL;
	}
	/* a root that exists but is not ours to write: say so now, not run on, unable */
	r = acg_cg_can_create(d.root);
	if (r < 0) {
		acg_err("daemon: cannot manage sessions under %s: %s%s", acg_cg_path(d.root),
			strerror(-r), acg_root_hint(r));
		drop_root(d.root);
		return ACG_EXIT_FAIL;
	}
	/* one daemon per root, before anything is changed */
	lock_fd = lock_root(d.root);
	if (lock_fd < 0) {
		acg_err("daemon: %s: %s", acg_cg_path(d.root),
			lock_fd == -EBUSY ? "another agentcg daemon manages this root"
					  : strerror(-lock_fd));
		drop_root(d.root);
		return ACG_EXIT_FAIL;
	}
	/* the state `agentcg status` reads: /run/agentcg/<root's name>.json by default */
	if (no_state) {
		d.state_path = NULL;
	} else if (!d.state_path) {
		const char *rp = acg_cg_path(d.root), *base = strrchr(rp, '/');

		snprintf(state_default, sizeof(state_default), "%s/%s.json", ACG_STATE_DIR,
			 base ? base + 1 : rp);
		d.state_path = state_default;
		if (acg_mkdir_p(ACG_STATE_DIR, 0755, NULL, 0) < 0)
			acg_err("daemon: cannot make %s: %s (no state for agentcg status)",
				ACG_STATE_DIR, strerror(errno));
	}
	if (budget_mb > 0) {
		d.budget = (uint64_t)(budget_mb * 1048576.0);
		budget_from = budget_in_config ? "config" : "--budget-mb";
	} else if (acg_cg_get(d.root, ACG_CTL_MAX, &d.budget) < 0 || d.budget == ACG_UNLIMITED) {
		d.budget = mem;
		budget_from = "host memory";
		d.root_limit = ACG_UNLIMITED;
	} else {
		budget_from = "root's limit";
	}
	if (have_reserve && reserve_mb * 1048576.0 >= (double)d.budget) {
		acg_err("daemon: %s: \"reserve_mb\" %.15g must be below the budget (%.0f MiB)",
			config, reserve_mb, (double)d.budget / 1048576.0);
		drop_root(d.root);
		return ACG_EXIT_USAGE;
	}
	if (budget_mb > 0) {
		r = acg_cg_set(d.root, ACG_CTL_MAX, d.budget);
		if (r < 0) {
			acg_err("daemon: cannot set the budget on %s: %s%s", acg_cg_path(d.root),
				strerror(-r), acg_root_hint(r));
			drop_root(d.root);
			return ACG_EXIT_FAIL;
		}
	}
	{
		double q = d.cfg.quiet_s, wf = d.cfg.wait_freeze_s;
		int nice = d.cfg.low_nice;

		acg_pol_cfg_default(&d.cfg, d.budget);
		d.cfg.quiet_s = q;
		d.cfg.low_nice = nice;
		d.cfg.wait_freeze_s = wf;
		d.cfg.low_growth = low_growth;
		d.cfg.high_growth = high_growth;
		if (have_reserve) {
			d.cfg.reserve = (uint64_t)(reserve_mb * 1048576.0);
			d.cfg.held_reserve = d.cfg.reserve / 4;
			d.cfg.hysteresis = d.cfg.reserve / 2;
		}
	}
	if (!d.root_limit)
		d.root_limit = d.budget;
	if (release_only) {
		log_event(&d, "release", NULL, "--release: releasing every session");
		release_after_death(&d);
		log_event(&d, "stop", NULL, "released every session");
		printf("released every session under %s\n", acg_cg_path(d.root));
		close(lock_fd);
		drop_root(d.root);
		if (d.log != stderr)
			fclose(d.log);
		return ACG_EXIT_OK;
	}
	/* every session's cgroup is a few open directories (and a wake-up on v1): a root of
	 * hundreds of sessions needs more than the usual soft limit of 1024 descriptors */
	{
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	/* a log on a closed pipe must not end the daemon */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGCHLD);
	sigprocmask(SIG_BLOCK, &sigs, &old_mask);

	/* the start line carries what the daemon runs with */
	log_event_with(&d, "start", NULL, acg_cg_path(d.root),
		       json_pack("{s:I, s:s, s:f, s:I, s:f, s:i, s:i, s:I, s:I}", "budget_bytes",
				 (json_int_t)d.budget, "budget_from", budget_from, "interval_ms",
				 interval_ms, "reserve_bytes", (json_int_t)d.cfg.reserve, "quiet_s",
				 d.cfg.quiet_s, "low_nice", d.cfg.low_nice, "pid", (int)getpid(),
				 "low_growth_bytes", (json_int_t)d.cfg.low_growth,
				 "high_growth_bytes", (json_int_t)d.cfg.high_growth));
	guard_pid = getpid();
	child = fork();
	if (child < 0) {
		acg_err("daemon: cannot start the controller: %s", strerror(errno));
		close(lock_fd);
		drop_root(d.root);
		return ACG_EXIT_FAIL;
	}
	if (child > 0) {
		code = guard(&d, child, &sigs);
		close(lock_fd);
		drop_root(d.root);
		if (d.log != stderr)
			fclose(d.log);
		return code;
	}
	/* the controller: stops cleanly if the guard goes */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* what the status shows of the decisions (the controller's alone) */
	d.last = json_object();
	d.recent = json_array();
	if (getppid() != guard_pid)
		stop = 1;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	log_event_with(&d, "controller", NULL,
		       "the controller runs; its guard releases every "
		       "session if it dies",
		       json_pack("{s:i, s:i}", "pid", (int)getpid(), "guard_pid", (int)guard_pid));
	{
		struct acg_diag err;
		char detail[sizeof(err.msg) + 60];

		if (acg_signals_open(&d.sig, &err) == 0) {
			log_event(&d, "signals", NULL,
				  "BPF signals attached: HIGH reclaim stalls, page faults, OOM "
				  "victims");
		} else {
			snprintf(detail, sizeof(detail), "BPF signals unavailable (%s): files only",
				 err.msg);
			log_event(&d, "signals", NULL, detail);
		}
	}
	release_all(&d);
	/* under a service manager: ready once the sessions are known and released; a watchdog
	 * is pinged from this loop, so a controller that hangs is seen and stopped, and the
	 * unit's ExecStopPost (daemon --release) puts the tree back */
	watchdog_s = acg_watchdog_s((long)guard_pid);
	loop.period_s = d.period_s = interval_ms / 1000.0;
	/* the session set is re-read when the kernel says a session came or went (inotify on
	 * the root), and once a second whatever it says; without inotify, every period */
	watch.fd = acg_cg_watch_children(d.root);
	if (watch.fd < 0)
		log_event(&d, "watch", NULL,
			  "no inotify on the root: the session set is read every period");
	acg_notify("READY=1\nSTATUS=managing the sessions under the root");
	while (!stop) {
		double now = acg_mono_s();
		struct pollfd *kfd = NULL;
		size_t nk = 0;
		bool changed = false;

		if (reopen)
			reopen_log(&d);
		if (watchdog_s > 0 && now >= next_ping) {
			acg_notify("WATCHDOG=1");
			next_ping = now + watchdog_s / 3;
		}
		/* a session came or went: read the set now, and tick (its admission) */
		if (watch.fd >= 0 && (watch.revents & POLLIN))
			changed = acg_cg_watch_drain(watch.fd);
		watch.revents = 0;
		/* a tick every period; the kernel's wake-ups (a crossing of the headroom, a
		 * session at its limit, a session made or removed) bring it forward */
		if (now >= loop.next_tick || changed) {
			acg_loop_ticked(&loop, now);
			tick = true;
			if (watch.fd < 0 || changed || now >= next_list || !d.ctl) {
				tick = refresh(&d) == 0;
				next_list = now + LIST_PERIOD_S;
				loop.period_s = fmax(interval_ms / 1000.0,
						     (double)d.cur.n * PERIOD_PER_SESSION_S);
				d.period_s = loop.period_s;
			}
		}
		if (tick && d.ctl)
			acg_controller_tick(d.ctl, now);
		if (now >= d.next_publish) {
			/* every session's declaration every DECLARE_YOUNG_S (one changed by hand),
			 * the young ones' every second (with 1000 sessions, 1000 reads a second) */
			declare_all(&d, false, now >= next_declare, now);
			if (now >= next_declare)
				next_declare = now + DECLARE_YOUNG_S;
			publish(&d, true, (long)guard_pid);
		}
		if (d.ctl)
			nk = acg_controller_pollfds(d.ctl, &kfd);
		tick = acg_loop_wait(&loop, kfd, nk, &watch, watch.fd >= 0 ? 1 : 0,
				     fmin(watchdog_s > 0 ? next_ping : INFINITY, d.next_publish));
	}
	acg_notify("STOPPING=1\nSTATUS=releasing every session");
	acg_loop_free(&loop);
	if (d.ctl)
		acg_controller_restore(d.ctl);
	log_event(&d, "stop", NULL, "released every session");
	publish(&d, false, (long)guard_pid);
	json_decref(d.last);
	json_decref(d.recent);
	if (d.lost)
		acg_err("daemon: %lu log line(s) could not be written to %s", d.lost,
			d.log_path ? d.log_path : "stderr");
	drop_sessions(&d);
	acg_signals_free(d.sig);
	drop_root(d.root);
	if (d.log != stderr)
		fclose(d.log);
	return ACG_EXIT_OK;
}
