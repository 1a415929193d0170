// SPDX-License-Identifier: GPL-2.0
/* controller_apply.c: the policy's actions onto cgroup v1 and v2 (controller.h's table). */
#include "controller_int.h"

#include <errno.h>

/* a clamp sits this far above usage so the write never needs reclaim to succeed */
#define SLACK (UINT64_C(2) << 20)
/* and this far for a session held at its start: its process is still starting (exec, fork,
 * page tables), and on v1 such kernel allocations fail with ENOMEM at the limit instead of
 * waiting: with 2 MiB a LOW `agentcg stress` held at its start could not fork its worker
 * (CI, SAN build, under load). The policy's view stays at its usage */
#define START_SLACK (UINT64_C(16) << 20)

/*
 * OOM kill disabled where the kernel would otherwise choose the victim (v1). Every cgroup
 * is tried; the first real error is returned (a vanished session is not one).
 */
int ctl_set_oom_pause(struct acg_controller *c, uint64_t on)
{
	int first = 0, r;

	if (c->version != 1)
		return 0;
	for (size_t i = 0; i < c->n; i++) {
		if (acg_prio_is_high(c->s[i].prio))
			continue;
		r = acg_cg_set(c->cg[i], ACG_CTL_OOM_PAUSE, on);
		if (r < 0 && r != -ENOENT && !first)
			first = r;
	}
	r = acg_cg_set(c->parent, ACG_CTL_OOM_PAUSE, on);
	if (r < 0 && r != -ENOENT && !first)
		first = r;
	return first;
}

int ctl_set_clamp(struct acg_controller *c, size_t i, uint64_t value)
{
	return acg_cg_set(c->cg[i], c->version == 2 ? ACG_CTL_HIGH : ACG_CTL_MAX, value);
}

int ctl_apply(struct acg_controller *c, const struct acg_action *a)
{
	struct acg_pol_session *s = &c->s[a->session];
	uint64_t v = a->value;
	int r = 0;

	switch (a->kind) {
	case ACG_ACT_HOLD:
	case ACG_ACT_RAISE: {
		uint64_t slack = a->kind == ACG_ACT_HOLD && s->done_s <= 0 && !s->adopted
					 ? START_SLACK
					 : SLACK;

		if (acg_cg_usage(c->cg[a->session], &v) == 0 && v + slack > a->value)
			v = v + slack;
		else
			v = a->value;
		r = ctl_set_clamp(c, a->session, v);
		if (r == 0) {
			/* the policy's view: the clamp it asked for (the slack is ours) */
			s->held = true;
			s->clamp = a->value;
			/* given room: what it pushed out faults back in as it runs */
			s->swapped = s->swapped && a->kind == ACG_ACT_HOLD;
		}
		c->stats.holds += a->kind == ACG_ACT_HOLD;
		c->stats.raises += a->kind == ACG_ACT_RAISE;
		break;
	}
	case ACG_ACT_RELEASE:
		r = ctl_set_clamp(c, a->session, ACG_UNLIMITED);
		if (r == 0)
			s->held = s->swapped = false;
		c->stats.releases++;
		break;
	case ACG_ACT_FREEZE:
	case ACG_ACT_THAW:
		r = acg_cg_set(c->cg[a->session], ACG_CTL_FREEZE, a->kind == ACG_ACT_FREEZE);
		if (r == 0)
			s->frozen = a->kind == ACG_ACT_FREEZE;
		if (r == 0 && a->kind == ACG_ACT_THAW)
			s->swapped = false;
		c->stats.freezes += a->kind == ACG_ACT_FREEZE;
		c->stats.thaws += a->kind == ACG_ACT_THAW;
		break;
	case ACG_ACT_SWAP_OUT:
		/* frozen first (it must not fault its pages straight back), then its memory
		 * reclaimed to swap in the background (the loop must not wait for zram) */
		r = acg_cg_set(c->cg[a->session], ACG_CTL_FREEZE, 1);
		if (r == 0) {
			s->frozen = true;
			r = acg_cg_reclaim_async(c->cg[a->session], a->value);
		}
		if (r == 0) {
			s->held = s->swapped = true;
			s->clamp = 0;
			s->swapped_bytes = a->value;
			c->st.swap_free =
				c->st.swap_free > a->value ? c->st.swap_free - a->value : 0;
			c->st.last_swap = c->st.now;
			c->stats.swapouts++;
		} else if (s->frozen && acg_cg_set(c->cg[a->session], ACG_CTL_FREEZE, 0) == 0) {
			/* nothing pushed out: not left frozen for it */
			s->frozen = false;
		}
		c->st.last_kill = c->st.now;
		break;
	case ACG_ACT_KILL:
		r = acg_cg_kill(c->cg[a->session]);
		c->st.last_kill = c->st.now;
		c->stats.kills++;
		/* it holds nothing the policy can give back: no longer a candidate */
		if (r == 0)
			s->gone = true;
		break;
	}
	if (r == -ENOENT) {
		/* the session ended under us: nothing left to control */
		s->gone = true;
		r = 0;
	}
	return r;
}
