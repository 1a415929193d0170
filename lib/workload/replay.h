/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replay.h: replay a trace's memory timeline in real memory, and collect what happened.
 *
 * The work is split in two processes so that nothing is lost when the kernel kills the
 * one holding the memory: the worker (acg_replay_run) joins the session's cgroup, holds
 * the memory and streams fixed-size records (struct acg_rec) down a pipe; its parent stays
 * outside the cgroup, feeds the records to an acg_replay_result and, whatever becomes of
 * the worker, ends up with everything the worker got to report.
 */
#ifndef AGENTCG_REPLAY_H
#define AGENTCG_REPLAY_H

#include "cgroup.h"
#include "trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct acg_replay_cfg {
	const struct acg_trace *trace;
	double speed;	      /* timeline divided by this (> 0) */
	uint64_t base_bytes;  /* held from before the first sample to the end (the agent) */
	uint64_t chunk_bytes; /* growth happens, and is timed, in chunks of this size */
	bool touch_pages;     /* populate by touching each page even where the kernel has
				* MADV_POPULATE_WRITE (for comparison in bench/) */
	int go_fd;	      /* > 0: after holding the baseline, wait for EOF on this fd
			       * (the parent closes the other end), so sessions start
			       * together; 0: start at once */
	int go_wfd;	      /* the other end, which the worker closes */
};

#define ACG_REPLAY_DEFAULT_CHUNK (UINT64_C(4) << 20)

enum acg_rec_type {
	ACG_REC_START = 1, /* a: base bytes, b: 1 if MADV_POPULATE_WRITE is used */
	ACG_REC_GROW,	   /* index: sample; a: latency ns; b: bytes grown */
	ACG_REC_SAMPLE,	   /* index; a: lateness ns (wake-up after the due time, or after
			    * the previous sample finished if that was later); b: target
			    * bytes; c: resident bytes; d: ns since start when applied;
			    * e: behind schedule ns (wake-up minus due time) */
	ACG_REC_END,	   /* a: ns since start; b: VmHWM bytes */
	ACG_REC_ERROR,	   /* a: errno of the step that failed; b: 1 joining the cgroup */
	ACG_REC_STEP,	   /* a command session's command ended (lib/workload/command.h): index:
			    * which; a: started, ns since start; b: ended, ns since start;
			    * c: its wait status; d: 1 if killed at its timeout; e: errno
			    * if it could not be started (0: it ran) */
};

struct acg_rec {
	uint32_t type;
	uint32_t index;
	int64_t a, b, c, d, e;
};

/*
 * The worker: reserve, hold base_bytes, then follow the timeline, writing records to
 * out_fd (-1: none). Returns 0, or -errno (-ENOMEM when the memory cannot be had).
 * Prints nothing.
 */
int acg_replay_run(const struct acg_replay_cfg *cfg, int out_fd);

/* Write one record to fd (-1: nowhere), retried on EINTR; a worker's only output. */
void acg_rec_emit(int fd, const struct acg_rec *rec);

/*
 * Fork a session's worker, the start that the replay and a command session share: a pipe
 * for its records (pipe_size > 0: the pipe's capacity asked for), then in the child the
 * read end and close_fd (> 0: the other end of the go pipe) closed and cg joined (NULL:
 * stays where it is) before anything else, then run(arg, its record fd), which must not
 * return (it is called from inside this function, so the caller's frames stay what they
 * were in the child); a child that cannot join says so in an ACG_REC_ERROR record (b = 1)
 * and exits 3. Returns the child's pid, *ret_fd the records' end (non-blocking,
 * close-on-exec), or -errno.
 */
pid_t acg_worker_fork(struct acg_cg *cg, int close_fd, int pipe_size,
		      void (*run)(const void *arg, int fd), const void *arg, int *ret_fd);

/*
 * Fork a worker that first joins cg (NULL: stays where it is), then runs cfg. Its
 * records arrive on *ret_fd (non-blocking, close-on-exec).
 */
int acg_replay_spawn(const struct acg_replay_cfg *cfg, struct acg_cg *cg, pid_t *ret_pid,
		     int *ret_fd);

/* What the parent knows about one replay; see acg_replay_result_json() for the schema. */
struct acg_replay_result {
	size_t n_samples; /* in the trace */
	size_t replayed;  /* SAMPLE records received */
	bool started, ended;
	uint64_t base_bytes;
	bool populate_write;
	int64_t end_ns;	 /* from START to the last sample applied */
	uint64_t vm_hwm; /* the worker's peak RSS, from END */
	int join_errno;	 /* the worker could not join its cgroup: why (0: it did) */
	/* per sample, indexed by sample */
	int64_t *late_ns;
	int64_t *behind_ns;
	uint64_t *target, *resident;
	int64_t *applied_ns;
	/* growth chunks */
	int64_t *grow_ns;
	size_t n_grow, cap_grow;
	uint64_t grown_bytes;
	int64_t grow_total_ns;
	/* a command session's commands (n_samples of them), as STEP records report them */
	struct acg_step {
		bool ended;
		bool timed_out;
		int wait_status;
		int exec_errno;
		int64_t start_ns, end_ns;
	} * steps;
	size_t steps_done; /* STEP records received */
};

int acg_replay_result_init(struct acg_replay_result *r, size_t n_samples);
void acg_replay_result_free(struct acg_replay_result *r);
/* Take one record. -EINVAL for a record that makes no sense (ignored otherwise). */
int acg_replay_result_feed(struct acg_replay_result *r, const struct acg_rec *rec);
/* Read whatever records are in fd now (non-blocking); returns 0 at EOF, 1 if open. */
int acg_replay_result_drain(struct acg_replay_result *r, int fd);

/* What the parent saw of the worker, beyond its records. */
struct acg_replay_outcome {
	int wait_status;  /* from waitpid() */
	double wall_s;	  /* from spawn to reaping */
	bool have_events; /* the session's memory events around the replay */
	struct acg_mem_events ev_before, ev_after;
	bool have_cg_peak;
	uint64_t cg_peak; /* the session cgroup's peak usage */
	/* since when cg_peak counts: "replay start" (reset just before the worker started)
	 * or "cgroup creation" (v2's memory.peak, or a reset the kernel refused) */
	const char *cg_peak_since;
};

struct json_t;

/* The cgroup's memory events after minus before (memory_events_delta), or null. */
struct json_t *acg_replay_events_delta_json(const struct acg_replay_outcome *o);

/* The result as JSON (schema: docs/replay.md). NULL on allocation failure. */
struct json_t *acg_replay_to_json(const struct acg_replay_cfg *cfg,
				  const struct acg_replay_result *r,
				  const struct acg_replay_outcome *o);

/*
 * Collect a spawned worker's records until it exits, then reap it. progress (may be NULL)
 * is called about every 100 ms. Returns 0 and the wait status, or -errno.
 */
int acg_replay_wait(pid_t pid, int fd, struct acg_replay_result *r,
		    void (*progress)(const struct acg_replay_result *r, void *arg), void *arg,
		    int *ret_status);

/* Percentile (0..100, nearest rank) of v (not modified); 0 for n == 0. */
int64_t acg_percentile_i64(const int64_t *v, size_t n, double pct);

#endif
