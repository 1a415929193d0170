// SPDX-License-Identifier: GPL-2.0
/*
 * record.c: recordings in the traces' own format (see record.h). The summary is computed
 * as the shared traces' summaries are: memory_mb in decimal MB, mean over samples.
 */
#include "record.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

int acg_recording_add(struct acg_recording *r, double epoch, uint64_t bytes)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		double *e = realloc(r->epoch, cap * sizeof(*e));
		uint64_t *b;

		if (!e)
			return -ENOMEM;
		r->epoch = e;
		b = realloc(r->bytes, cap * sizeof(*b));
		if (!b)
			return -ENOMEM;
		r->bytes = b;
		r->cap = cap;
	}
	r->epoch[r->n] = epoch;
	r->bytes[r->n] = bytes;
	r->n++;
	return 0;
}

void acg_recording_free(struct acg_recording *r)
{
	free(r->epoch);
	free(r->bytes);
	r->epoch = NULL;
	r->bytes = NULL;
	r->n = r->cap = 0;
}

void acg_human_size(uint64_t bytes, char *buf, size_t size)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB", "PB"};
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1000.0 && u < 5) {
		v /= 1000.0;
		u++;
	}
	snprintf(buf, size, "%.4g%s", v, unit[u]);
}

static void iso_time(double epoch, char *buf, size_t size)
{
	time_t s = (time_t)epoch;
	struct tm tm;
	size_t n;

	gmtime_r(&s, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%06ld", (long)((epoch - (double)s) * 1e6));
}

static json_t *sample_json(double epoch, uint64_t bytes, uint64_t mem_total)
{
	char used[32], limit[32], usage[80], pct[32], ts[64];

	acg_human_size(bytes, used, sizeof(used));
	acg_human_size(mem_total, limit, sizeof(limit));
	snprintf(usage, sizeof(usage), "%s / %s", used, limit);
	snprintf(pct, sizeof(pct), "%.2f%%",
		 mem_total ? 100.0 * (double)bytes / (double)mem_total : 0.0);
	iso_time(epoch, ts, sizeof(ts));
	return json_pack("{s:s, s:f, s:s, s:s, s:I}", "timestamp", ts, "epoch", epoch, "mem_usage",
			 usage, "mem_percent", pct, "bytes", (json_int_t)bytes);
}

static json_t *exit_json(int status)
{
	if (WIFSIGNALED(status))
		return json_pack("{s:i}", "signal", WTERMSIG(status));
	return json_pack("{s:i}", "code", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

json_t *acg_recording_json(const struct acg_recording *r, uint64_t mem_total, char *const *argv,
			   unsigned int interval_ms, int wait_status)
{
	json_t *samples = json_array(), *cmd = json_array();
	double min = INFINITY, max = 0, sum = 0;

	for (size_t i = 0; i < r->n; i++) {
		double mb = (double)r->bytes[i] / 1e6;

		json_array_append_new(samples, sample_json(r->epoch[i], r->bytes[i], mem_total));
		sum += mb;
		min = mb < min ? mb : min;
		max = mb > max ? mb : max;
	}
	for (char *const *a = argv; *a; a++)
		json_array_append_new(cmd, json_string(*a));
	return json_pack("{s:o, s:{s:I, s:f, s:{s:f, s:f, s:f}}, s:{s:s, s:o, s:i, s:o}}",
			 "samples", samples, "summary", "sample_count", (json_int_t)r->n,
			 "duration_seconds", r->n ? r->epoch[r->n - 1] - r->epoch[0] : 0.0,
			 "memory_mb", "min", r->n ? min : 0.0, "max", max, "avg",
			 r->n ? sum / (double)r->n : 0.0, "recorded_by", "tool", "agentcg record",
			 "command", cmd, "interval_ms", (int)interval_ms, "exit",
			 exit_json(wait_status));
}
