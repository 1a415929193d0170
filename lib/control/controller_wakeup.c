// SPDX-License-Identifier: GPL-2.0
/* controller_wakeup.c: the kernel's wake-ups that bring a tick forward (controller_int.h). */
#include "controller_int.h"

#include <unistd.h>

/* the usage wake-up is moved only when where it should be moved this much */
#define ARM_STEP (UINT64_C(4) << 20)

/* Ask the kernel to wake us when cg hits its limit (slot k of pfd). */
void ctl_watch(struct acg_controller *c, size_t k, struct acg_cg *cg)
{
	int fd;

	if (acg_cg_notify(cg, ACG_NOTIFY_WAIT, 0, &fd) < 0)
		return;
	c->pfd[k] = (struct pollfd){fd, acg_notify_events(cg), 0};
}

/*
 * Take the wake-ups that fired (they only bring the tick forward: what happened is read
 * from the files), and close those of sessions that are gone.
 */
void ctl_consume_wakeups(struct acg_controller *c)
{
	for (size_t k = 0; k < c->n + 2; k++) {
		struct pollfd *p = &c->pfd[k];

		if (p->fd < 0)
			continue;
		if (p->revents) {
			c->stats.wakeups++;
			acg_notify_consume(p->fd);
		}
		p->revents = 0;
		if (k >= 2 && c->s[k - 2].gone) {
			close(p->fd);
			p->fd = -1;
		}
	}
}

/* Re-arm the usage wake-up (v1) where the policy would next hold: budget - need. */
void ctl_arm_usage(struct acg_controller *c)
{
	double need = acg_policy_need(&c->cfg, &c->st);
	uint64_t at = (double)c->st.budget > need ? c->st.budget - (uint64_t)need : 0;
	int fd;

	if (c->version != 1 ||
	    (c->pfd[0].fd >= 0 && at + ARM_STEP > c->armed && c->armed + ARM_STEP > at))
		return;
	if (acg_cg_notify(c->parent, ACG_NOTIFY_USAGE, at, &fd) < 0)
		return;
	if (c->pfd[0].fd >= 0)
		close(c->pfd[0].fd);
	c->pfd[0] = (struct pollfd){fd, POLLIN, 0};
	c->armed = at;
}

size_t acg_controller_pollfds(struct acg_controller *c, struct pollfd **ret)
{
	*ret = c->pfd;
	return c->n + 2;
}
