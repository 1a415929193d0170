/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.h: memory timelines of agent sessions. A trace is a list of samples (seconds
 * since its first sample, bytes of memory in use), loaded from the resources.json of the
 * AgentCgroup traces (podman's "185.3MB / 134.5GB" text) or from a plain CSV
 * ("seconds,bytes"), or made synthetically (stress). Loading validates everything and,
 * on bad input, fills a one-line diagnostic naming the file, the sample and the problem.
 */
#ifndef AGENTCG_TRACE_H
#define AGENTCG_TRACE_H

#include "diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct acg_sample {
	double t;	/* seconds since the first sample */
	uint64_t bytes; /* memory in use */
};

struct acg_trace {
	char *name; /* file name without directory and extension, or "stress" */
	struct acg_sample *samples;
	size_t n;
	size_t tail_dropped; /* trailing "0B / 0B" samples dropped (container gone) */
};

struct acg_trace_opts {
	bool binary_units;  /* read kB/MB/GB as KiB/MiB/GiB (the original Python tool did) */
	uint64_t max_bytes; /* reject samples above this (physical memory); 0: no check */
};

/*
 * A trace's diagnostic (diag.h): "<file>: sample <i>: <problem>" (resources.json, the first
 * sample is 1) or "<file>: line <n>: <problem>" (CSV, the first line is 1).
 */

/* The latest a sample may come, in seconds from the first: 10^7 s, about 4 months. */
#define ACG_TRACE_MAX_S 1e7

/* The largest trace file read: 256 MiB (the shipped ones are below 1 MiB). */
#define ACG_TRACE_MAX_FILE (256 << 20)

/*
 * Load a trace; the format is chosen by content (a JSON object, else CSV). path is the
 * user's: symlinks are followed, but it must be a regular file (a FIFO or /dev/zero is
 * refused, not read) of at most ACG_TRACE_MAX_FILE bytes. Returns 0, or -EINVAL (bad
 * content, or not such a file: diag says what and where), -ENOMEM, or -errno of the read.
 */
int acg_trace_load(const char *path, const struct acg_trace_opts *opts, struct acg_trace **ret,
		   struct acg_diag *diag);

/* Parse from memory; name is used for diagnostics and the trace's name. */
int acg_trace_parse(const char *name, const char *text, size_t len,
		    const struct acg_trace_opts *opts, struct acg_trace **ret,
		    struct acg_diag *diag);

/*
 * Parse podman/docker's size text ("185.3MB", "9.04kB", "1.2GiB", "0B") into bytes.
 * kB/MB/GB/TB are powers of 1000 (or 1024 with binary_units); KiB/MiB/GiB/TiB powers of
 * 1024. Returns 0, -EINVAL (bad number or unknown unit) or -ERANGE (2^63 bytes or more).
 */
int acg_parse_size(const char *text, bool binary_units, uint64_t *ret);

/* A trace from samples (copied). */
int acg_trace_from_samples(const char *name, const struct acg_sample *s, size_t n,
			   struct acg_trace **ret);

void acg_trace_free(struct acg_trace *t);

struct acg_trace_summary {
	double duration_s;
	uint64_t avg_bytes; /* mean over samples, as the traces' own summaries compute it */
	uint64_t peak_bytes;
	uint64_t min_bytes;
	double peak_to_avg;
};

void acg_trace_summarize(const struct acg_trace *t, struct acg_trace_summary *ret);

#endif
