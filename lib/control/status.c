// SPDX-License-Identifier: GPL-2.0
/* status.c: the daemon's published state and metrics (status.h). */
#include "status.h"
#include "clock.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *state_of(const struct acg_pol_session *s)
{
	if (s->gone)
		return "gone";
	if (s->swapped)
		return "swapped-out";
	if (s->frozen)
		return "frozen";
	if (acg_pol_unstarted(s))
		return "waiting-start";
	if (s->held)
		return s->waiting ? "held-waiting" : "held";
	return "free";
}

json_t *acg_status_json(const struct acg_status *s)
{
	json_t *doc, *sessions = json_array(), *stats;
	char iso[40];
	double usage = s->st ? (double)s->st->usage : 0;

	acg_mono_to_iso(s->t, iso, sizeof(iso));
	for (size_t i = 0; s->st && i < s->st->n; i++) {
		const struct acg_pol_session *p = &s->st->s[i];
		json_t *last = s->last ? json_object_get(s->last, s->names[i]) : NULL;

		json_array_append_new(
			sessions,
			json_pack("{s:s, s:s, s:I, s:o, s:s, s:b, s:f, s:O?}", "name", s->names[i],
				  "priority", acg_prio_name(p->prio), "usage_bytes",
				  (json_int_t)p->usage, "clamp_bytes",
				  p->held ? json_integer((json_int_t)p->clamp) : json_null(),
				  "state", state_of(p), "waiting", p->waiting, "waited_s",
				  p->waited_s, "last_decision", last));
	}
	stats = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "ticks",
			  (json_int_t)s->stats.ticks, "holds", (json_int_t)s->stats.holds, "raises",
			  (json_int_t)s->stats.raises, "releases", (json_int_t)s->stats.releases,
			  "freezes", (json_int_t)s->stats.freezes, "thaws",
			  (json_int_t)s->stats.thaws, "kills", (json_int_t)s->stats.kills, "errors",
			  (json_int_t)s->stats.errors, "wakeups", (json_int_t)s->stats.wakeups,
			  "fail_open", (json_int_t)s->stats.fail_open, "swapouts",
			  (json_int_t)s->stats.swapouts);
	doc = json_pack(
		"{s:i, s:b, s:s, s:f, s:I, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:O?, s:{s:f, "
		"s:f, s:f}, s:f}",
		"version", ACG_STATUS_VERSION, "running", s->running, "time", iso, "t", s->t, "pid",
		(json_int_t)s->pid, "root", s->root, "budget_bytes", (json_int_t)s->budget,
		"usage_bytes", (json_int_t)usage, "headroom_bytes",
		(json_int_t)((double)s->budget > usage ? (double)s->budget - usage : 0),
		"kept_for_high_bytes", (json_int_t)(s->need > 0 ? s->need : 0), "sessions",
		sessions, "totals", stats, "recent_decisions", s->recent, "tick_ms", "p50",
		s->stats.tick_p50_s * 1e3, "p99", s->stats.tick_p99_s * 1e3, "max",
		s->stats.tick_max_s * 1e3, "period_ms", s->period_s * 1e3);
	return doc;
}

/* A text that grows, for the metrics. */
struct buf {
	char *p;
	size_t n, cap;
	bool failed;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (int pass = 0; pass < 2 && !b->failed; pass++) {
		va_start(ap, fmt);
		k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
		va_end(ap);
		if (k < 0) {
			b->failed = true;
			return;
		}
		if (b->p && b->n + (size_t)k < b->cap) {
			b->n += (size_t)k;
			return;
		}
		{
			size_t cap = (b->cap ? b->cap : 4096) * 2 + (size_t)k;
			char *q = realloc(b->p, cap);

			if (!q) {
				b->failed = true;
				return;
			}
			b->p = q;
			b->cap = cap;
		}
	}
}

/* A label value as Prometheus' text format wants it: \, " and newline escaped. */
static void label(char *out, size_t size, const char *v)
{
	size_t w = 0;

	for (; *v && w + 3 < size; v++) {
		if (*v == '\\' || *v == '"') {
			out[w++] = '\\';
			out[w++] = *v;
		} else if (*v == '\n') {
			out[w++] = '\\';
			out[w++] = 'n';
		} else {
			out[w++] = *v;
		}
	}
	out[w] = '\0';
}

static void metric(struct buf *b, const char *name, const char *type, const char *help)
{
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int acg_status_metrics(const struct acg_status *s, char **ret)
{
	static const struct {
		const char *action;
		size_t off;
	} actions[] = {
		{"hold", offsetof(struct acg_controller_stats, holds)},
		{"raise", offsetof(struct acg_controller_stats, raises)},
		{"release", offsetof(struct acg_controller_stats, releases)},
		{"freeze", offsetof(struct acg_controller_stats, freezes)},
		{"thaw", offsetof(struct acg_controller_stats, thaws)},
		{"kill", offsetof(struct acg_controller_stats, kills)},
		{"swap-out", offsetof(struct acg_controller_stats, swapouts)},
	};
	struct buf b = {0};
	size_t n = s->st ? s->st->n : 0;
	char name[3 * ACG_NAME_MAX + 8];

	metric(&b, "agentcg_up", "gauge", "1 while the daemon runs, 0 in its last state");
	put(&b, "agentcg_up %d\n", s->running);
	metric(&b, "agentcg_budget_bytes", "gauge", "the memory budget of the managed root");
	put(&b, "agentcg_budget_bytes %llu\n", (unsigned long long)s->budget);
	metric(&b, "agentcg_usage_bytes", "gauge", "memory the sessions use together");
	put(&b, "agentcg_usage_bytes %llu\n", (unsigned long long)(s->st ? s->st->usage : 0));
	metric(&b, "agentcg_kept_for_high_bytes", "gauge",
	       "headroom the policy keeps for HIGH sessions now");
	put(&b, "agentcg_kept_for_high_bytes %.0f\n", s->need > 0 ? s->need : 0);
	metric(&b, "agentcg_session_usage_bytes", "gauge", "a session's memory usage");
	for (size_t i = 0; i < n; i++) {
		label(name, sizeof(name), s->names[i]);
		put(&b, "agentcg_session_usage_bytes{session=\"%s\",priority=\"%s\"} %llu\n", name,
		    acg_prio_name(s->st->s[i].prio), (unsigned long long)s->st->s[i].usage);
	}
	metric(&b, "agentcg_session_held", "gauge", "1 while a session is held at its clamp");
	for (size_t i = 0; i < n; i++) {
		label(name, sizeof(name), s->names[i]);
		put(&b, "agentcg_session_held{session=\"%s\",priority=\"%s\"} %d\n", name,
		    acg_prio_name(s->st->s[i].prio), s->st->s[i].held);
	}
	metric(&b, "agentcg_session_frozen", "gauge", "1 while a session is frozen");
	for (size_t i = 0; i < n; i++) {
		label(name, sizeof(name), s->names[i]);
		put(&b, "agentcg_session_frozen{session=\"%s\",priority=\"%s\"} %d\n", name,
		    acg_prio_name(s->st->s[i].prio), s->st->s[i].frozen);
	}
	metric(&b, "agentcg_actions_total", "counter", "the policy's actions applied, by kind");
	for (size_t k = 0; k < sizeof(actions) / sizeof(actions[0]); k++)
		put(&b, "agentcg_actions_total{action=\"%s\"} %lu\n", actions[k].action,
		    *(const unsigned long *)((const char *)&s->stats + actions[k].off));
	metric(&b, "agentcg_ticks_total", "counter", "control ticks");
	put(&b, "agentcg_ticks_total %lu\n", s->stats.ticks);
	metric(&b, "agentcg_tick_seconds", "summary",
	       "how long a control tick took (quantiles over the last 1024 ticks)");
	put(&b, "agentcg_tick_seconds{quantile=\"0.5\"} %.6f\n", s->stats.tick_p50_s);
	put(&b, "agentcg_tick_seconds{quantile=\"0.99\"} %.6f\n", s->stats.tick_p99_s);
	put(&b, "agentcg_tick_seconds{quantile=\"1\"} %.6f\n", s->stats.tick_max_s);
	put(&b, "agentcg_tick_seconds_sum %.6f\n", s->stats.tick_sum_s);
	put(&b, "agentcg_tick_seconds_count %lu\n", s->stats.ticks);
	metric(&b, "agentcg_wakeups_total", "counter",
	       "kernel wake-ups that brought a tick forward");
	put(&b, "agentcg_wakeups_total %lu\n", s->stats.wakeups);
	metric(&b, "agentcg_errors_total", "counter", "actions the kernel refused");
	put(&b, "agentcg_errors_total %lu\n", s->stats.errors);
	if (b.failed) {
		free(b.p);
		return -ENOMEM;
	}
	*ret = b.p ? b.p : strdup("");
	return *ret ? 0 : -ENOMEM;
}

int acg_status_write(const char *path, const char *text, mode_t mode)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	size_t len = strlen(text);
	int dfd, fd, r = 0;

	if (slash) {
		if ((size_t)(slash - path) >= sizeof(dir))
			return -ENAMETOOLONG;
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		if (!dir[0])
			strcpy(dir, "/");
	} else {
		strcpy(dir, ".");
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	fd = acg_create_tmp_at(dfd, base, mode, tmp, sizeof(tmp));
	if (fd < 0) {
		close(dfd);
		return fd;
	}
	for (size_t off = 0; off < len && r == 0;) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0)
			r = -errno;
		else
			off += (size_t)w;
	}
	/* the mode asked for, whatever the umask took away */
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0)
		r = acg_replace_at(dfd, tmp, base);
	else
		unlinkat(dfd, tmp, 0);
	close(dfd);
	return r;
}
