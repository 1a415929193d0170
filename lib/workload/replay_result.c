// SPDX-License-Identifier: GPL-2.0
/*
 * replay_result.c: the parent's side of a replay: it takes the worker's records as they
 * come, so that when the worker is killed everything it reported so far is kept.
 */
#include "replay.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int acg_replay_result_init(struct acg_replay_result *r, size_t n_samples)
{
	memset(r, 0, sizeof(*r));
	r->n_samples = n_samples;
	r->late_ns = calloc(n_samples ? n_samples : 1, sizeof(*r->late_ns));
	r->applied_ns = calloc(n_samples ? n_samples : 1, sizeof(*r->applied_ns));
	r->behind_ns = calloc(n_samples ? n_samples : 1, sizeof(*r->behind_ns));
	r->target = calloc(n_samples ? n_samples : 1, sizeof(*r->target));
	r->resident = calloc(n_samples ? n_samples : 1, sizeof(*r->resident));
	r->steps = calloc(n_samples ? n_samples : 1, sizeof(*r->steps));
	if (!r->late_ns || !r->applied_ns || !r->behind_ns || !r->target || !r->resident ||
	    !r->steps) {
		acg_replay_result_free(r);
		return -ENOMEM;
	}
	return 0;
}

void acg_replay_result_free(struct acg_replay_result *r)
{
	free(r->late_ns);
	free(r->applied_ns);
	free(r->behind_ns);
	free(r->target);
	free(r->resident);
	free(r->grow_ns);
	free(r->steps);
	memset(r, 0, sizeof(*r));
}

static int add_grow(struct acg_replay_result *r, int64_t ns, int64_t bytes)
{
	if (r->n_grow == r->cap_grow) {
		size_t cap = r->cap_grow ? r->cap_grow * 2 : 1024;
		int64_t *g = realloc(r->grow_ns, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		r->grow_ns = g;
		r->cap_grow = cap;
	}
	r->grow_ns[r->n_grow++] = ns;
	r->grown_bytes += (uint64_t)bytes;
	r->grow_total_ns += ns;
	return 0;
}

int acg_replay_result_feed(struct acg_replay_result *r, const struct acg_rec *rec)
{
	switch (rec->type) {
	case ACG_REC_START:
		r->started = true;
		r->base_bytes = (uint64_t)rec->a;
		r->populate_write = rec->b != 0;
		return 0;
	case ACG_REC_GROW:
		return add_grow(r, rec->a, rec->b);
	case ACG_REC_SAMPLE:
		if (rec->index >= r->n_samples)
			return -EINVAL;
		r->late_ns[rec->index] = rec->a;
		r->behind_ns[rec->index] = rec->e;
		r->target[rec->index] = (uint64_t)rec->b;
		r->resident[rec->index] = (uint64_t)rec->c;
		r->applied_ns[rec->index] = rec->d;
		r->replayed = rec->index + 1;
		r->end_ns = rec->d;
		return 0;
	case ACG_REC_ERROR:
		if (rec->b == 1)
			r->join_errno = (int)rec->a;
		return 0;
	case ACG_REC_STEP:
		if (rec->index >= r->n_samples)
			return -EINVAL;
		r->steps[rec->index] = (struct acg_step){.ended = true,
							 .timed_out = rec->d != 0,
							 .wait_status = (int)rec->c,
							 .exec_errno = (int)rec->e,
							 .start_ns = rec->a,
							 .end_ns = rec->b};
		r->steps_done = rec->index + 1;
		return 0;
	case ACG_REC_END:
		r->ended = true;
		r->end_ns = rec->a;
		r->vm_hwm = (uint64_t)rec->b;
		return 0;
	default:
		return -EINVAL;
	}
}

int acg_replay_result_drain(struct acg_replay_result *r, int fd)
{
	struct acg_rec recs[64];

	for (;;) {
		ssize_t n = read(fd, recs, sizeof(recs));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 1;
		if (n <= 0)
			return 0;
		/* records are written whole (smaller than PIPE_BUF), so reads see whole ones */
		for (size_t i = 0; i < (size_t)n / sizeof(recs[0]); i++)
			acg_replay_result_feed(r, &recs[i]);
	}
}

int acg_replay_wait(pid_t pid, int fd, struct acg_replay_result *r,
		    void (*progress)(const struct acg_replay_result *r, void *arg), void *arg,
		    int *ret_status)
{
	int status;

	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int n = poll(&pfd, 1, 100);

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0 && acg_replay_result_drain(r, fd) == 0)
			break;
		if (progress)
			progress(r, arg);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*ret_status = status;
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t acg_percentile_i64(const int64_t *v, size_t n, double pct)
{
	int64_t *s, res;
	size_t idx;

	if (n == 0)
		return 0;
	s = malloc(n * sizeof(*s));
	if (!s)
		return 0;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_i64);
	/* nearest rank */
	idx = (size_t)(pct / 100.0 * (double)n + 0.999999);
	idx = idx == 0 ? 0 : idx - 1;
	if (idx >= n)
		idx = n - 1;
	res = s[idx];
	free(s);
	return res;
}
