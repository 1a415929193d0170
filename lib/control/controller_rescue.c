// SPDX-License-Identifier: GPL-2.0
/* controller_rescue.c: v1's safety nets: lost OOM wake-ups woken, and the OOM killer back on when the parent is stuck (controller_int.h). */
#include "controller_int.h"

#include <stdio.h>

/* how often to look for tasks that missed their wake-up in the v1 OOM wait, and at how many
 * sessions a look (in turn: with 1000 sessions each is looked at every 16 s), so a look
 * stays short however many there are */
#define RESCUE_PERIOD_S 1.0
#define RESCUE_BATCH 64
/* v1: the parent waiting at its limit this long, with the policy unable to make room, gets
 * the kernel's OOM killer back (HIGH alone over the budget must not wait for good) */
#define STUCK_S 1.0

/*
 * v1: tasks asleep in the kernel's OOM wait while no cgroup of theirs is under OOM missed
 * their wake-up (acg_cg_oom_waiters() in cgroup.h); left alone they could sleep for good.
 * Looked for once a second, and woken with acg_cg_oom_kick().
 */
void ctl_rescue(struct acg_controller *c, double now)
{
	struct acg_mem_events ev;
	unsigned int asleep = 0, w;
	char reason[128];
	int r;

	if (c->version != 1 || now < c->next_rescue)
		return;
	c->next_rescue = now + RESCUE_PERIOD_S;
	if (acg_cg_events(c->parent, &ev) < 0 || ev.under_oom)
		return;
	for (size_t v = 0; v < c->n && v < RESCUE_BATCH; v++) {
		size_t i = (c->rescue_next + v) % c->n;

		if (c->s[i].gone || acg_cg_oom_waiters(c->cg[i], &w) < 0 || !w)
			continue;
		/* a held session waiting at its own clamp is under OOM: that wait is meant */
		if (acg_cg_events(c->cg[i], &ev) == 0 && ev.under_oom)
			continue;
		asleep += w;
	}
	if (c->n)
		c->rescue_next = (c->rescue_next + RESCUE_BATCH) % c->n;
	if (!asleep)
		return;
	r = acg_cg_oom_kick(c->parent);
	c->stats.rescues++;
	snprintf(reason, sizeof(reason),
		 "%u task(s) asleep in the kernel's v1 OOM wait with no OOM to wait for (a lost "
		 "wake-up): woken%s",
		 asleep, r < 0 ? " (the kick failed)" : "");
	ctl_log_tree(c, "wake", reason);
}

/*
 * v1 fails open: the parent under OOM for STUCK_S, though the policy had every tick to
 * hold or kill (HIGH alone past the budget, or nothing left to kill), has its OOM killer
 * turned back on, which also wakes its waiters: the kernel chooses a victim (LOW processes
 * first, by their oom_score_adj). Off again once the parent is out of OOM.
 */
void ctl_fail_open(struct acg_controller *c, double now)
{
	struct acg_mem_events ev;

	if (c->version != 1 || acg_cg_events(c->parent, &ev) < 0)
		return;
	if (!ev.under_oom) {
		c->stuck_since = 0;
		if (c->oom_open && acg_cg_set(c->parent, ACG_CTL_OOM_PAUSE, 1) == 0) {
			c->oom_open = false;
			ctl_log_tree(c, "oom-killer-off",
				     "the parent is out of OOM: the policy decides again");
		}
		return;
	}
	if (!c->stuck_since)
		c->stuck_since = now;
	if (c->oom_open || now - c->stuck_since < STUCK_S)
		return;
	if (acg_cg_set(c->parent, ACG_CTL_OOM_PAUSE, 0) == 0) {
		c->oom_open = true;
		c->stats.fail_open++;
		ctl_log_tree(
			c, "oom-killer-on",
			"the parent waited at its limit for 1 s and the policy could not make room "
			"(HIGH alone past the budget, or nothing left to hold or kill): the "
			"kernel's OOM killer chooses");
	}
}
