// SPDX-License-Identifier: GPL-2.0
/* loop.c: the control loop's wait (loop.h). */
#include "loop.h"
#include "clock.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool acg_loop_wait(struct acg_loop *l, struct pollfd *kfd, size_t nk, struct pollfd *own,
		   size_t n_own, double until)
{
	struct pollfd small[64], *pfd = small;
	size_t n = nk + n_own;
	double now = acg_mono_s(), end = until;
	bool woken = false;
	int ms;

	if (l->period_s > 0 && l->next_tick < end)
		end = l->next_tick;
	if (n > sizeof(small) / sizeof(small[0]) && n > l->cap) {
		struct pollfd *nb = realloc(l->buf, n * sizeof(*nb));

		if (nb) {
			l->buf = nb;
			l->cap = n;
		}
	}
	if (n > sizeof(small) / sizeof(small[0]))
		pfd = n <= l->cap ? l->buf : NULL;
	if (!pfd) {
		/* no room to merge: wait on the caller's fds alone, the tick stays on time */
		pfd = own;
		n = n_own;
		nk = 0;
	} else {
		if (n_own)
			memcpy(pfd, own, n_own * sizeof(*pfd));
		if (nk)
			memcpy(pfd + n_own, kfd, nk * sizeof(*pfd));
	}
	/* rounded up: a wake-up a little late rather than a busy spin just before the tick */
	ms = isinf(end) ? -1 : end > now ? (int)fmin((end - now) * 1000 + 1, 3600e3) : 0;
	if (poll(pfd, n, ms) < 0)
		for (size_t k = 0; k < n; k++)
			pfd[k].revents = 0;
	if (pfd != own) {
		for (size_t k = 0; k < n_own; k++)
			own[k].revents = pfd[k].revents;
		for (size_t k = 0; k < nk; k++) {
			kfd[k].revents = pfd[n_own + k].revents;
			woken = woken || kfd[k].revents;
		}
	}
	return woken || (l->period_s > 0 && acg_mono_s() >= l->next_tick);
}

void acg_loop_ticked(struct acg_loop *l, double now)
{
	l->next_tick = now + l->period_s;
}

void acg_loop_free(struct acg_loop *l)
{
	free(l->buf);
	l->buf = NULL;
	l->cap = 0;
}
