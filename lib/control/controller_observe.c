// SPDX-License-Identifier: GPL-2.0
/* controller_observe.c: the files and BPF signals read, taken through the estimator (controller_int.h). */
#include "controller_int.h"

#include "host.h"

#include <stdbool.h>

/* What the BPF signals saw of session i since the last look, into o. */
static void observe_signals(struct acg_controller *c, size_t i, struct acg_pol_obs *o)
{
	struct acg_sig_stats now_sig, *was = &c->last_sig[i];

	if (!c->sig || !c->cgid[i] || acg_signals_read(c->sig, c->cgid[i], &now_sig) < 0)
		return;
	o->reclaim = now_sig.reclaims > was->reclaims || now_sig.reclaim_ns > was->reclaim_ns;
	/* a MiB of first touches: it is allocating */
	o->faults = now_sig.faults >= was->faults + 256;
	c->stats.stalls += acg_prio_is_high(c->s[i].prio) && o->reclaim;
	if (now_sig.oom_victims > was->oom_victims)
		ctl_log_victim(c, i, now_sig.oom_victims - was->oom_victims);
	*was = now_sig;
}

/* Whether held session i's tasks wait at its clamp: v1 under_oom, v2 memory.high hit again. */
static bool waiting(struct acg_controller *c, size_t i)
{
	struct acg_mem_events ev;
	bool w;

	if (acg_cg_events(c->cg[i], &ev) < 0)
		return false;
	w = c->version == 1 ? ev.under_oom : ev.high > c->last_high[i];
	c->last_high[i] = ev.high;
	return w;
}

/* A look at session i (acg_pol_look's callback): its usage, its wait, its BPF signals. */
static void look(void *arg, size_t i)
{
	struct acg_controller *c = arg;
	struct acg_pol_session *s = &c->s[i];
	struct acg_pol_obs o = {0};

	if (acg_cg_usage(c->cg[i], &o.usage) < 0) {
		/* a session whose cgroup vanished is simply gone */
		s->gone = true;
		return;
	}
	o.waiting = s->held && waiting(c, i);
	observe_signals(c, i, &o);
	acg_pol_observe(&c->cfg, &c->st, i, &c->base[i], &o);
}

void ctl_observe(struct acg_controller *c, double now)
{
	struct acg_mem_events ev;

	c->st.now = now;
	if (acg_cg_usage(c->parent, &c->st.usage) < 0)
		c->st.usage = 0;
	c->st.parent_waiting = false;
	if (acg_cg_events(c->parent, &ev) == 0) {
		/* stuck at the limit: v1 tasks wait there (OOM killer off); v2 reclaim at max
		 * failed (memory.events oom; max alone may be reclaim that worked, e.g. to swap) */
		c->st.parent_waiting =
			c->version == 1 ? ev.under_oom : c->have_oom && ev.oom > c->last_oom;
		c->last_oom = ev.oom;
		c->have_oom = true;
	}
	/* v2: the swap the sessions may still use (the parent's swap.max, the host's free
	 * swap), once a second: where it holds a held LOW session, that one is pushed out
	 * instead of killed. v1 has no memory.reclaim: none */
	if (c->version == 2 && now >= c->next_swap) {
		uint64_t room = 0, host = acg_host_swap_free();

		if (acg_cg_swap_room(c->parent, &room) < 0)
			room = 0;
		c->st.swap_free = room < host ? room : host;
		c->next_swap = now + 1.0;
	}
	acg_pol_look(&c->cfg, &c->st, look, c);
}
