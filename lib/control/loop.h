/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loop.h: the control loop's wait, the one the bench, the daemon and the reaction bench
 * share. A controller ticks every period, and sooner when the kernel wakes it (its
 * pollfds: a usage threshold crossed, a session at its limit); the caller may wait on fds
 * of its own (a worker's records) and on a deadline of its own (a sampling period, a
 * watchdog ping) at the same time.
 */
#ifndef AGENTCG_LOOP_H
#define AGENTCG_LOOP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

struct acg_loop {
	double period_s;  /* a tick at least this often; 0: no ticks (only fds and until) */
	double next_tick; /* when the next tick is due, monotonic seconds (0: at once) */
	/* the merge buffer past 64 fds, kept from wait to wait (acg_loop_free) */
	struct pollfd *buf;
	size_t cap;
};

/*
 * Wait until a tick is due, one of the controller's wake-up fds kfd[0..nk) or the caller's
 * own[0..n_own) is ready, or the monotonic time until (INFINITY: none) has come. Sets the
 * revents of both sets (the controller reads kfd's on its tick). Returns whether the
 * controller is to tick now: its period is over, or the kernel woke it. A signal ends the
 * wait early (false, unless a tick is due).
 */
bool acg_loop_wait(struct acg_loop *l, struct pollfd *kfd, size_t nk, struct pollfd *own,
		   size_t n_own, double until);

/* The controller ticked at now (monotonic seconds): the next tick is due a period later. */
void acg_loop_ticked(struct acg_loop *l, double now);

/* Free the merge buffer (the loop can wait again after). */
void acg_loop_free(struct acg_loop *l);

#endif
