// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c: loading and validating memory traces (see trace.h).
 *
 * Its size (about 510 lines): two formats (resources.json, CSV) and every check of bad
 * input the fuzzer found, in one parser.
 *
 * resources.json: {"samples": [{"epoch": 1770178388.57, "mem_usage": "9.331MB / 16.19GB",
 * ...}, ...], "summary": {...}}. A sample's time is its epoch minus the first epoch; its
 * size is the integer "bytes" when present (exact: agentcg record writes it, and units do
 * not apply), else the part of mem_usage before the slash. Trailing "0B / 0B" samples (podman
 * printing a container that is gone) are dropped, as the traces' own summaries drop them.
 *
 * CSV: "seconds,bytes" per line; blank lines and '#' comments are skipped, a first line
 * that starts with a letter is a header; bytes may carry a unit ("512MB").
 */
#include "trace.h"

#include "fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int diag_set(struct acg_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int diag_set(struct acg_diag *d, const char *fmt, ...)
{
	va_list ap;

	if (d) {
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		va_end(ap);
		acg_diag_clean(d);
	}
	return -EINVAL;
}

struct unit {
	const char *name;
	double dec, bin; /* multiplier as written, and with binary_units */
};

static const struct unit units[] = {
	{"B", 1, 1},
	{"kB", 1e3, 1024.0},
	{"KB", 1e3, 1024.0},
	{"MB", 1e6, 1048576.0},
	{"GB", 1e9, 1073741824.0},
	{"TB", 1e12, 1099511627776.0},
	{"KiB", 1024.0, 1024.0},
	{"MiB", 1048576.0, 1048576.0},
	{"GiB", 1073741824.0, 1073741824.0},
	{"TiB", 1099511627776.0, 1099511627776.0},
};

int acg_parse_size(const char *text, bool binary_units, uint64_t *ret)
{
	char unit[8];
	const char *p = text;
	char *end;
	double v;
	size_t n;

	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	v = strtod(p, &end);
	if (errno || !isfinite(v) || v < 0)
		return -EINVAL;
	n = strspn(end, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
	if (n == 0 || n >= sizeof(unit))
		return -EINVAL;
	memcpy(unit, end, n);
	unit[n] = '\0';
	for (p = end + n; isspace((unsigned char)*p); p++)
		;
	if (*p)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(unit, units[i].name) == 0) {
			double b = v * (binary_units ? units[i].bin : units[i].dec);

			/* no memory is 2^63 bytes, and llround() could not even hold it */
			if (b >= 9223372036854775808.0)
				return -ERANGE;
			*ret = (uint64_t)llround(b);
			return 0;
		}
	}
	return -EINVAL;
}

void acg_trace_free(struct acg_trace *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->samples);
	free(t);
}

static struct acg_trace *trace_new(const char *name, size_t cap)
{
	struct acg_trace *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->name = strdup(name);
	t->samples = calloc(cap ? cap : 1, sizeof(*t->samples));
	if (!t->name || !t->samples) {
		acg_trace_free(t);
		return NULL;
	}
	return t;
}

int acg_trace_from_samples(const char *name, const struct acg_sample *s, size_t n,
			   struct acg_trace **ret)
{
	struct acg_trace *t = trace_new(name, n);

	if (!t)
		return -ENOMEM;
	memcpy(t->samples, s, n * sizeof(*s));
	t->n = n;
	*ret = t;
	return 0;
}

static const char too_big[] = "no memory is that large";

/*
 * Checks shared by both formats: time, order and size of a sample, named in messages as
 * "<what> <i>" (JSON samples and CSV lines both count from 1). The first sample's time is 0
 * and prev 0, so it never goes back.
 */
static int check_sample(const char *file, const char *what, size_t i, double t, double prev,
			uint64_t bytes, const struct acg_trace_opts *o, struct acg_diag *d)
{
	if (isfinite(t) && t < prev)
		return diag_set(d, "%s: %s %zu: time %.3f goes back (previous %.3f): not monotonic",
				file, what, i, t, prev);
	if (!isfinite(t) || t < 0)
		return diag_set(d, "%s: %s %zu: negative or invalid time %g", file, what, i, t);
	if (t > ACG_TRACE_MAX_S)
		return diag_set(d,
				"%s: %s %zu: time %g s is past 10^7 s (about 4 months), the "
				"longest a trace may run",
				file, what, i, t);
	if (o && o->max_bytes && bytes > o->max_bytes)
		return diag_set(
			d, "%s: %s %zu: %.1f MiB is more than this host's memory (%.1f MiB)", file,
			what, i, (double)bytes / 1048576.0, (double)o->max_bytes / 1048576.0);
	return 0;
}

/* "185.3MB / 134.5GB" -> used bytes; *gone when the limit part is zero (container gone). */
static int parse_mem_usage(const char *text, bool binary, uint64_t *ret, bool *gone)
{
	char used[64];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	uint64_t limit = 1;
	int r;

	if (n >= sizeof(used))
		return -EINVAL;
	memcpy(used, text, n);
	used[n] = '\0';
	r = acg_parse_size(used, binary, ret);
	if (r < 0)
		return r;
	/* the limit only tells a container that is gone: any size will do */
	r = acg_parse_size(slash ? slash + 1 : "1B", binary, &limit);
	if (r < 0 && r != -ERANGE)
		return -EINVAL;
	*gone = limit == 0;
	return 0;
}

/* Sample number num (from 1) of a resources.json. */
static int json_sample(const char *file, json_t *js, size_t num, const struct acg_trace_opts *o,
		       double *ret_epoch, uint64_t *ret_bytes, bool *gone, struct acg_diag *d)
{
	json_t *je = json_object_get(js, "epoch"), *jm = json_object_get(js, "mem_usage");
	json_t *jb = json_object_get(js, "bytes");
	const char *mem;
	int r;

	if (!json_is_object(js))
		return diag_set(d, "%s: sample %zu: not a JSON object", file, num);
	if (!je)
		return diag_set(d, "%s: sample %zu: missing epoch", file, num);
	if (!json_is_number(je))
		return diag_set(d, "%s: sample %zu: epoch is not a number", file, num);
	*ret_epoch = json_number_value(je);
	if (jb) {
		/* exact bytes (agentcg record writes them): units, binary or not, do not apply */
		if (!json_is_integer(jb) || json_integer_value(jb) < 0)
			return diag_set(d, "%s: sample %zu: bytes is not a non-negative integer",
					file, num);
		*ret_bytes = (uint64_t)json_integer_value(jb);
		*gone = false;
		return 0;
	}
	if (!jm || !json_is_string(jm))
		return diag_set(d, "%s: sample %zu: missing mem_usage text", file, num);
	mem = json_string_value(jm);
	r = parse_mem_usage(mem, o && o->binary_units, ret_bytes, gone);
	if (r == -ERANGE)
		return diag_set(d, "%s: sample %zu: mem_usage \"%s\": 2^63 bytes or more (%s)",
				file, num, mem, too_big);
	if (r < 0)
		return diag_set(d,
				"%s: sample %zu: cannot read mem_usage \"%s\" (a number and a "
				"unit: B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)",
				file, num, mem);
	return 0;
}

static int parse_json(const char *file, const char *text, size_t len,
		      const struct acg_trace_opts *o, struct acg_trace *t, struct acg_diag *d)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr);
	json_t *arr;
	double epoch0 = 0, prev = 0;
	size_t n, kept = 0;
	int r = 0;

	if (!root)
		return diag_set(d, "%s: not JSON: line %d column %d: %s", file, jerr.line,
				jerr.column, jerr.text);
	arr = json_object_get(root, "samples");
	if (!json_is_array(arr)) {
		r = diag_set(d, "%s: no \"samples\" array", file);
		goto out;
	}
	n = json_array_size(arr);
	if (n == 0) {
		r = diag_set(d, "%s: \"samples\" is empty", file);
		goto out;
	}
	{
		struct acg_sample *ns = realloc(t->samples, n * sizeof(*ns));

		if (!ns) {
			r = -ENOMEM;
			goto out;
		}
		t->samples = ns;
	}
	for (size_t i = 0; i < n; i++) {
		double epoch = 0;
		uint64_t bytes = 0;
		bool gone = false;

		/* messages count samples from 1, as CSV lines are counted */
		r = json_sample(file, json_array_get(arr, i), i + 1, o, &epoch, &bytes, &gone, d);
		if (r < 0)
			goto out;
		if (i == 0)
			epoch0 = epoch;
		if (epoch < 0)
			r = diag_set(d, "%s: sample %zu: negative epoch %g", file, i + 1, epoch);
		else
			r = check_sample(file, "sample", i + 1, epoch - epoch0, prev, bytes, o, d);
		if (r < 0)
			goto out;
		prev = epoch - epoch0;
		if (gone) {
			t->tail_dropped++;
			continue;
		}
		if (t->tail_dropped) {
			r = diag_set(d, "%s: sample %zu: data after a \"0B / 0B\" sample", file,
				     i + 1);
			goto out;
		}
		t->samples[kept].t = epoch - epoch0;
		t->samples[kept].bytes = bytes;
		kept++;
	}
	if (kept == 0)
		r = diag_set(d, "%s: every sample is \"0B / 0B\"", file);
	t->n = kept;
out:
	json_decref(root);
	return r;
}

static int csv_line(const char *file, char *line, size_t lineno, const struct acg_trace_opts *o,
		    double *ret_t, uint64_t *ret_bytes, struct acg_diag *d)
{
	char *comma = strchr(line, ','), *end;
	double t;
	int r;

	if (!comma)
		return diag_set(d, "%s: line %zu: expected \"seconds,bytes\"", file, lineno);
	*comma = '\0';
	errno = 0;
	t = strtod(line, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || end == line || *end)
		return diag_set(d, "%s: line %zu: seconds \"%s\" is not a number", file, lineno,
				line);
	r = acg_parse_size(comma + 1, o && o->binary_units, ret_bytes);
	if (r == -EINVAL) {
		char *p = comma + 1;
		unsigned long long v;

		/* plain bytes, without a unit */
		errno = 0;
		v = strtoull(p, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if ((errno && errno != ERANGE) || end == p || *end || strchr(p, '-'))
			return diag_set(d, "%s: line %zu: bytes \"%s\" is not a size", file, lineno,
					p);
		r = errno == ERANGE || v >= UINT64_C(1) << 63 ? -ERANGE : 0;
		*ret_bytes = v;
	}
	if (r == -ERANGE)
		return diag_set(d, "%s: line %zu: bytes \"%s\": 2^63 bytes or more (%s)", file,
				lineno, comma + 1, too_big);
	*ret_t = t;
	return 0;
}

static int parse_csv(const char *file, const char *text, size_t len, const struct acg_trace_opts *o,
		     struct acg_trace *t, struct acg_diag *d)
{
	char *copy = strndup(text, len), *line, *save = NULL;
	size_t cap = 0, lineno = 0;
	double t0 = 0, prev = 0;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		double secs = 0;
		uint64_t bytes = 0;

		lineno++;
		line[strcspn(line, "\r")] = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (!*line || *line == '#')
			continue;
		if (t->n == 0 && isalpha((unsigned char)*line))
			continue; /* header */
		r = csv_line(file, line, lineno, o, &secs, &bytes, d);
		if (r < 0)
			break;
		if (t->n == 0)
			t0 = secs;
		if (secs < 0) {
			r = diag_set(d, "%s: line %zu: negative time %g", file, lineno, secs);
			break;
		}
		r = check_sample(file, "line", lineno, secs - t0, prev, bytes, o, d);
		if (r < 0)
			break;
		if (t->n == cap) {
			struct acg_sample *ns;

			cap = cap ? cap * 2 : 1024;
			ns = realloc(t->samples, cap * sizeof(*ns));
			if (!ns) {
				r = -ENOMEM;
				break;
			}
			t->samples = ns;
		}
		prev = secs - t0;
		t->samples[t->n].t = secs - t0;
		t->samples[t->n].bytes = bytes;
		t->n++;
	}
	if (r == 0 && t->n == 0)
		r = diag_set(
			d,
			"%s: no samples (expected a resources.json object or \"seconds,bytes\" "
			"CSV lines)",
			file);
	free(copy);
	return r;
}

/* "dir/name.json" -> "name" */
static void base_name(const char *path, char *buf, size_t size)
{
	const char *b = strrchr(path, '/');
	char *dot;

	snprintf(buf, size, "%s", b ? b + 1 : path);
	dot = strrchr(buf, '.');
	if (dot && dot != buf)
		*dot = '\0';
}

int acg_trace_parse(const char *name, const char *text, size_t len,
		    const struct acg_trace_opts *opts, struct acg_trace **ret,
		    struct acg_diag *diag)
{
	char base[256];
	struct acg_trace *t;
	const char *p = text;
	int r;

	base_name(name, base, sizeof(base));
	t = trace_new(base, 1);
	if (!t)
		return -ENOMEM;
	while (p < text + len && isspace((unsigned char)*p))
		p++;
	if (p < text + len && *p == '{')
		r = parse_json(name, text, len, opts, t, diag);
	else
		r = parse_csv(name, text, len, opts, t, diag);
	if (r < 0) {
		if (r == -ENOMEM)
			diag_set(diag, "%s: out of memory", name);
		acg_trace_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

int acg_trace_load(const char *path, const struct acg_trace_opts *opts, struct acg_trace **ret,
		   struct acg_diag *diag)
{
	mode_t type = 0;
	size_t len = 0;
	char *text;
	int r;

	/* the user's file: symlinks followed, a regular file only, of a sane size */
	r = acg_read_user_file(path, ACG_TRACE_MAX_FILE, &text, &len, &type);
	if (r == -EINVAL)
		return diag_set(diag, "%s: not a regular file (%s): a trace is read whole", path,
				acg_file_type_name(type));
	if (r == -EFBIG)
		return diag_set(diag, "%s: larger than %d MiB, the most a trace file may be", path,
				ACG_TRACE_MAX_FILE >> 20);
	if (r < 0) {
		if (diag)
			snprintf(diag->msg, sizeof(diag->msg), "%s: %s", path, strerror(-r));
		return r;
	}
	r = acg_trace_parse(path, text, len, opts, ret, diag);
	free(text);
	return r;
}

void acg_trace_summarize(const struct acg_trace *t, struct acg_trace_summary *ret)
{
	struct acg_trace_summary s = {0};
	double sum = 0;

	if (t->n == 0) {
		*ret = s;
		return;
	}
	s.min_bytes = UINT64_MAX;
	for (size_t i = 0; i < t->n; i++) {
		uint64_t b = t->samples[i].bytes;

		sum += (double)b;
		if (b > s.peak_bytes)
			s.peak_bytes = b;
		if (b < s.min_bytes)
			s.min_bytes = b;
	}
	s.duration_s = t->samples[t->n - 1].t;
	s.avg_bytes = (uint64_t)llround(sum / (double)t->n);
	s.peak_to_avg = s.avg_bytes ? (double)s.peak_bytes / (double)s.avg_bytes : 0;
	*ret = s;
}
