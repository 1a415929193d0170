// SPDX-License-Identifier: GPL-2.0
/* controller_wakeup.c: the kernel's wake-ups that bring a tick forward (controller_int.h). */
#include "controller_int.h"

#include <sys/epoll.h>
#include <unistd.h>

/* the usage wake-up is moved only when where it should be moved this much */
#define ARM_STEP (UINT64_C(4) << 20)

/* Put fd in slot k of wfd and in the epoll set; a wake-up that cannot be watched is none. */
static void watch_fd(struct acg_controller *c, size_t k, int fd, short events)
{
	struct epoll_event ev = {.events = (uint32_t)events, .data.fd = fd};

	if (c->epfd < 0 || epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		return;
	}
	/* closing the slot's fd takes it out of the set */
	if (c->wfd[k] >= 0)
		close(c->wfd[k]);
	c->wfd[k] = fd;
}

/* Ask the kernel to wake us when cg hits its limit (slot k of wfd). */
void ctl_watch(struct acg_controller *c, size_t k, struct acg_cg *cg)
{
	int fd;

	if (acg_cg_notify(cg, ACG_NOTIFY_WAIT, 0, &fd) < 0)
		return;
	watch_fd(c, k, fd, acg_notify_events(cg));
}

/*
 * Take the wake-ups that fired (they only bring the tick forward: what happened is read
 * from the files), and close those of sessions that are gone.
 */
void ctl_consume_wakeups(struct acg_controller *c)
{
	struct epoll_event ev[64];
	int n;

	while (c->epfd >= 0 && (n = epoll_wait(c->epfd, ev, 64, 0)) > 0) {
		for (int k = 0; k < n; k++)
			acg_notify_consume(ev[k].data.fd);
		c->stats.wakeups += (unsigned long)n;
		if (n < 64)
			break;
	}
	for (size_t k = 2; k < c->n + 2; k++)
		if (c->wfd[k] >= 0 && c->s[k - 2].gone) {
			close(c->wfd[k]);
			c->wfd[k] = -1;
		}
}

/* Re-arm the usage wake-up (v1) where the policy would next hold: budget - need. */
void ctl_arm_usage(struct acg_controller *c)
{
	double need = acg_policy_need(&c->cfg, &c->st);
	uint64_t at = (double)c->st.budget > need ? c->st.budget - (uint64_t)need : 0;
	int fd;

	if (c->version != 1 ||
	    (c->wfd[0] >= 0 && at + ARM_STEP > c->armed && c->armed + ARM_STEP > at))
		return;
	if (acg_cg_notify(c->parent, ACG_NOTIFY_USAGE, at, &fd) < 0)
		return;
	watch_fd(c, 0, fd, POLLIN);
	c->armed = at;
}

size_t acg_controller_pollfds(struct acg_controller *c, struct pollfd **ret)
{
	c->wake = (struct pollfd){c->epfd, POLLIN, 0};
	*ret = &c->wake;
	return c->epfd >= 0 ? 1 : 0;
}
