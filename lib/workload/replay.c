// SPDX-License-Identifier: GPL-2.0
/*
 * replay.c: the replay worker and the parent's record keeping (see replay.h).
 *
 * The model. The worker reserves one anonymous region of base + peak bytes (no memory is
 * used until touched) and keeps a watermark w: bytes [0, w) are resident, the rest are
 * not. The first base bytes are populated before the clock starts. Sample i is due at
 * t0 + t_i / speed + shift; the worker sleeps until then on an absolute CLOCK_MONOTONIC
 * deadline (so it burns no CPU while waiting and timer lateness does not accumulate), then
 * moves the watermark to base + bytes_i, page-rounded:
 *   - growing populates [w, w') in chunks (MADV_POPULATE_WRITE, or touching one byte per
 *     page on kernels without it), timing every chunk: that is the growth latency, and
 *     it is where a throttled or paused session waits;
 *   - shrinking drops [w', w) with MADV_DONTNEED, so resident memory really falls.
 * Worked example, speed 100, base 100 MiB, samples (0 s, 10 MiB), (1 s, 50 MiB),
 * (2 s, 20 MiB): at t0 the region holds 110 MiB; at t0 + 10 ms it grows by 40 MiB (ten
 * 4 MiB chunks, each timed); at t0 + 20 ms it drops 30 MiB; completion is t0 + 20 ms plus
 * whatever the kernel made it wait.
 * The shift: when a sample's growth runs past the next sample's due time (the kernel made
 * it wait, or the memory could not be had faster), the rest of the timeline moves by the
 * overrun. A session paused for a second resumes where it was, as an agent would, instead
 * of racing through the samples it missed: its completion carries every wait.
 * Two delays are reported per sample: lateness, how long after it could have started the
 * worker actually did (timer precision, scheduling), and behind-schedule, how long after
 * its unshifted due time t0 + t_i / speed it started (the shift so far plus lateness).
 */
#include "replay.h"

#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until(int64_t deadline)
{
	struct timespec ts = {deadline / 1000000000, deadline % 1000000000};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

void acg_rec_emit(int fd, const struct acg_rec *rec)
{
	ssize_t n;

	if (fd < 0)
		return;
	do
		n = write(fd, rec, sizeof(*rec));
	while (n < 0 && errno == EINTR);
}

/* Resident bytes of this process (/proc/self/statm, second field). */
static uint64_t resident_bytes(void)
{
	char buf[128];
	unsigned long size, res = 0;

	if (acg_read_buf_at(AT_FDCWD, "/proc/self/statm", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%lu %lu", &size, &res) != 2)
		return 0;
	return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* VmHWM from /proc/self/status, in bytes. */
static uint64_t vm_hwm(void)
{
	char buf[4096], *p;
	unsigned long kb = 0;

	if (acg_read_buf_at(AT_FDCWD, "/proc/self/status", buf, sizeof(buf)) <= 0)
		return 0;
	p = strstr(buf, "VmHWM:");
	if (p)
		sscanf(p + 6, "%lu", &kb);
	return (uint64_t)kb * 1024;
}

struct region {
	char *base;
	size_t size, w, page;
	bool populate_write;
};

static void touch(char *p, size_t len, size_t page)
{
	for (size_t off = 0; off < len; off += page)
		((volatile char *)p)[off] = 1;
}

/* Make [w, w + len) resident. */
static void populate(struct region *r, size_t len)
{
	char *p = r->base + r->w;

	if (r->populate_write && madvise(p, len, MADV_POPULATE_WRITE) == 0) {
		r->w += len;
		return;
	}
	/* EINVAL: kernel without it. Other errors (ENOMEM at a limit): let the fault decide. */
	if (errno == EINVAL)
		r->populate_write = false;
	touch(p, len, r->page);
	r->w += len;
}

static void grow_to(struct region *r, size_t target, size_t chunk, uint32_t index, int fd)
{
	while (r->w < target) {
		size_t len = target - r->w < chunk ? target - r->w : chunk;
		int64_t t = now_ns();
		struct acg_rec rec = {.type = ACG_REC_GROW, .index = index};

		populate(r, len);
		rec.a = now_ns() - t;
		rec.b = (int64_t)len;
		acg_rec_emit(fd, &rec);
	}
}

static void shrink_to(struct region *r, size_t target)
{
	if (target >= r->w)
		return;
	madvise(r->base + target, r->w - target, MADV_DONTNEED);
	r->w = target;
}

static size_t page_round(uint64_t v, size_t page)
{
	return (size_t)((v + page - 1) / page * page);
}

/*
 * When sample time t is due, in ns from the start at speed. Loading bounds t
 * (ACG_TRACE_MAX_S) but speed divides it: past 10^18 ns (~31 years) it is held there,
 * never converted out of int64_t's range.
 */
static int64_t due_ns(double t, double speed)
{
	double ns = t / speed * 1e9;

	return ns < 1e18 ? (int64_t)ns : INT64_C(1000000000000000000);
}

int acg_replay_run(const struct acg_replay_cfg *cfg, int out_fd)
{
	const struct acg_trace *t = cfg->trace;
	struct region r = {0};
	size_t chunk, base;
	uint64_t peak = 0, rss0;
	struct acg_rec rec = {0};
	int64_t t0, prev_done = 0, shift = 0;

	if (!t || t->n == 0 || !(cfg->speed > 0))
		return -EINVAL;
	r.page = (size_t)sysconf(_SC_PAGESIZE);
	chunk = page_round(cfg->chunk_bytes ? cfg->chunk_bytes : ACG_REPLAY_DEFAULT_CHUNK, r.page);
	for (size_t i = 0; i < t->n; i++)
		if (t->samples[i].bytes > peak)
			peak = t->samples[i].bytes;
	base = page_round(cfg->base_bytes, r.page);
	r.size = base + page_round(peak, r.page);
	if (r.size == 0)
		r.size = r.page;
	r.base = mmap(NULL, r.size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r.base == MAP_FAILED)
		return -ENOMEM;
	/* 4 KiB pages: growth and release happen at the sizes the trace asks for */
	madvise(r.base, r.size, MADV_NOHUGEPAGE);
	r.populate_write = !cfg->touch_pages;

	/* wake at the due time, not up to 50 us after it (the default timer slack) */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	rss0 = resident_bytes();
	grow_to(&r, base, chunk, 0, -1);
	rec.type = ACG_REC_START;
	rec.a = (int64_t)base;
	rec.b = r.populate_write;
	acg_rec_emit(out_fd, &rec);

	if (cfg->go_fd > 0) {
		char c;

		/* everyone holds its baseline: the parent's close starts the clock */
		while (read(cfg->go_fd, &c, 1) < 0 && errno == EINTR)
			;
	}
	t0 = now_ns();
	for (size_t i = 0; i < t->n; i++) {
		int64_t sched = t0 + due_ns(t->samples[i].t, cfg->speed);
		int64_t due = sched + shift;
		size_t target = base + page_round(t->samples[i].bytes, r.page);
		int64_t woke, free_at;

		sleep_until(due);
		woke = now_ns();
		if (target > r.w)
			grow_to(&r, target, chunk, (uint32_t)i, out_fd);
		else
			shrink_to(&r, target);
		rec = (struct acg_rec){.type = ACG_REC_SAMPLE, .index = (uint32_t)i};
		/* pacing: late against when the worker could have started, i.e. the due
		 * time (the shift keeps it after the previous sample was done) */
		free_at = due > prev_done ? due : prev_done;
		rec.a = woke - free_at;
		rec.e = woke - sched;
		rec.b = (int64_t)(target);
		rec.c = (int64_t)(resident_bytes() - rss0);
		prev_done = now_ns();
		rec.d = prev_done - t0;
		acg_rec_emit(out_fd, &rec);
		if (i + 1 < t->n) {
			int64_t next = t0 + due_ns(t->samples[i + 1].t, cfg->speed);

			if (prev_done > next + shift)
				shift = prev_done - next;
		}
	}
	rec = (struct acg_rec){.type = ACG_REC_END};
	rec.a = now_ns() - t0;
	rec.b = (int64_t)vm_hwm();
	acg_rec_emit(out_fd, &rec);
	munmap(r.base, r.size);
	return 0;
}

pid_t acg_worker_fork(struct acg_cg *cg, int close_fd, int pipe_size,
		      void (*run)(const void *arg, int fd), const void *arg, int *ret_fd)
{
	int fds[2], r;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	if (pipe_size > 0)
		fcntl(fds[0], F_SETPIPE_SZ, pipe_size);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		close(fds[0]);
		if (close_fd > 0)
			close(close_fd);
		/* join the session before anything runs or any memory is touched */
		if (cg && (r = acg_cg_attach(cg, getpid())) < 0) {
			struct acg_rec rec = {.type = ACG_REC_ERROR, .a = -r, .b = 1};

			acg_rec_emit(fds[1], &rec);
			_exit(3);
		}
		run(arg, fds[1]);
		_exit(5); /* run() does not return */
	}
	close(fds[1]);
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	*ret_fd = fds[0];
	return pid;
}

/* The replay worker's body, in the child. */
static void replay_child(const void *arg, int fd)
{
	int r = acg_replay_run(arg, fd);

	_exit(r == 0 ? 0 : r == -ENOMEM ? 4 : 5);
}

int acg_replay_spawn(const struct acg_replay_cfg *cfg, struct acg_cg *cg, pid_t *ret_pid,
		     int *ret_fd)
{
	int fd;
	/* room for bursts of records, so the worker never waits on a slow reader */
	pid_t pid = acg_worker_fork(cg, cfg->go_fd > 0 ? cfg->go_wfd : -1, 1 << 20, replay_child,
				    cfg, &fd);

	if (pid < 0)
		return pid;
	*ret_pid = pid;
	*ret_fd = fd;
	return 0;
}
