// SPDX-License-Identifier: GPL-2.0
/*
 * strategy.c: the strategy table (see strategy.h). Support checks read only the probed
 * host facts, so `check` and the bench agree on what can run.
 */
#include "strategy.h"

#include "bpf_memcg_ops.h"
#include "bpf_signals.h"
#include "controller.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int budget_setup(struct acg_strategy_ctx *c, struct acg_diag *d);

/* A setup step that failed with -errno r: said in d, r returned. */
static int set_failed(struct acg_diag *d, const char *what, int r)
{
	return acg_diag_fail(d, r, "cannot set %s: %s", what, strerror(-r));
}

static bool needs_memcg(const struct acg_host *h, const char **why)
{
	if (h->mounts.mem_version == 0) {
		*why = "no memory controller mounted or enabled";
		return false;
	}
	return true;
}

static bool high_supported(const struct acg_host *h, const char **why)
{
	if (!needs_memcg(h, why))
		return false;
	if (h->mounts.mem_version != 2) {
		*why = "needs memory.high, which only cgroup v2 has (memory controller is on v1)";
		return false;
	}
	return true;
}

static bool dynamic_supported(const struct acg_host *h, const char **why)
{
	return needs_memcg(h, why);
}

static bool bpf_supported(const struct acg_host *h, const char **why)
{
	if (!needs_memcg(h, why))
		return false;
	if (!h->btf_vmlinux) {
		*why = "unsupported: no kernel BTF to find struct memcg_bpf_ops in";
		return false;
	}
	if (!h->memcg_bpf_ops) {
		*why = "unsupported: kernel lacks struct memcg_bpf_ops";
		return false;
	}
	if (h->memcg_bpf_ops_rev < 0) {
		*why = "unsupported: the kernel's struct memcg_bpf_ops is neither the RFC's v6 nor "
		       "its v7";
		return false;
	}
	if (h->mounts.mem_version != 2) {
		*why = "unsupported: the memcg struct_ops attach to cgroup v2 cgroups";
		return false;
	}
	return true;
}

/* The struct_ops policy: high_ops on the (first) HIGH session, low_ops on the LOW ones. */
static int bpf_setup(struct acg_strategy_ctx *c, struct acg_diag *d)
{
	struct acg_memcg_ops_cfg cfg = {.budget = c->tree, .budget_bytes = c->budget};
	struct acg_cg **low = calloc(c->n ? c->n : 1, sizeof(*low));
	struct acg_memcg_ops *ops;
	int r;

	if (!low)
		return acg_diag_fail(d, -ENOMEM, "no memory for the LOW sessions' list");
	for (size_t i = 0; i < c->n; i++) {
		if (acg_prio_is_high(c->prio[i]) && !cfg.high)
			cfg.high = c->sessions[i];
		else if (!acg_prio_is_high(c->prio[i]))
			low[cfg.n_low++] = c->sessions[i];
	}
	cfg.low = low;
	r = budget_setup(c, d);
	if (r == 0 && !cfg.high) {
		acg_diag_set(d,
			     "the struct_ops policy needs a HIGH session; the scenario has none");
		r = -EINVAL;
	}
	if (r == 0)
		r = acg_memcg_ops_attach(&cfg, &ops, d);
	free(low);
	if (r == 0)
		c->priv = ops;
	return r;
}

static int bpf_tick(struct acg_strategy_ctx *c, double now)
{
	uint64_t usage;

	(void)now;
	if (acg_cg_usage(c->tree, &usage) < 0)
		return 0;
	return acg_memcg_ops_update(c->priv, usage);
}

static void bpf_teardown(struct acg_strategy_ctx *c)
{
	acg_memcg_ops_detach(c->priv);
	c->priv = NULL;
}

/* The budget on the run's parent; swap for the sessions only as much as the scenario says
 * (swap_mb; none by default, where swap can be limited). */
static int budget_setup(struct acg_strategy_ctx *c, struct acg_diag *d)
{
	int r = acg_cg_set(c->tree, ACG_CTL_MAX, c->budget);

	if (r < 0)
		return set_failed(d, "the budget (parent's hard limit)", r);
	if (acg_ctl_file(acg_cg_version(c->tree), ACG_CTL_SWAP_MAX, NULL) &&
	    (r = acg_cg_set(c->tree, ACG_CTL_SWAP_MAX, c->swap)) < 0)
		return set_failed(d, "the parent's swap limit", r);
	return 0;
}

static int static_setup(struct acg_strategy_ctx *c, struct acg_diag *d)
{
	int r = budget_setup(c, d);

	for (size_t i = 0; i < c->n && r == 0; i++)
		if ((r = acg_cg_set(c->sessions[i], ACG_CTL_MAX, c->budget / c->n)) < 0)
			return set_failed(d, "a session's hard limit (budget/N)", r);
	return r;
}

static int high_setup(struct acg_strategy_ctx *c, struct acg_diag *d)
{
	int r = budget_setup(c, d);

	for (size_t i = 0; i < c->n && r == 0; i++)
		if ((r = acg_cg_set(c->sessions[i], ACG_CTL_HIGH,
				    acg_prio_is_high(c->prio[i]) ? c->high.high_class
								 : c->high.low_class)) < 0)
			return set_failed(d, "a session's memory.high", r);
	return r;
}

/* The dynamic strategy's state: the controller, and the BPF signals it reads if they load. */
struct dynamic {
	struct acg_controller *ctl;
	struct acg_signals *sig;
};

static int dynamic_setup(struct acg_strategy_ctx *c, struct acg_diag *d)
{
	struct dynamic *dy = calloc(1, sizeof(*dy));
	struct acg_pol_cfg cfg;
	int r;

	if (!dy) {
		acg_diag_set(d, "no memory for the controller");
		return -ENOMEM;
	}
	r = budget_setup(c, d);
	acg_pol_cfg_default(&cfg, c->budget);
	cfg.low_growth = c->low_growth;
	cfg.high_growth = c->high_growth;
	if (r == 0 && (r = acg_controller_new(c->tree, c->sessions, c->prio, c->names, c->n,
					      c->budget, &cfg, c->log, c->log_arg, &dy->ctl)) < 0)
		set_failed(d, "up the controller", r);
	if (r < 0) {
		free(dy);
		return r;
	}
	c->priv = dy;
	/* the signals are a help, not a need: without them the files alone are read */
	if (acg_signals_open(&dy->sig, NULL) == 0)
		acg_controller_use_signals(dy->ctl, dy->sig);
	return acg_controller_setup(dy->ctl, d);
}

/* A session whose worker ended is over for the policy, as in the simulator (its cgroup,
 * kept until the run's end, would otherwise count as an idle session: a HIGH one holds the
 * LOW ones until it has been quiet for quiet_s) */
static void dynamic_ended(struct acg_strategy_ctx *c, size_t i)
{
	acg_controller_ended(((struct dynamic *)c->priv)->ctl, i);
}

static int dynamic_tick(struct acg_strategy_ctx *c, double now)
{
	return acg_controller_tick(((struct dynamic *)c->priv)->ctl, now);
}

static size_t dynamic_pollfds(struct acg_strategy_ctx *c, struct pollfd **ret)
{
	return acg_controller_pollfds(((struct dynamic *)c->priv)->ctl, ret);
}

static void dynamic_teardown(struct acg_strategy_ctx *c)
{
	struct dynamic *d = c->priv;

	if (!d)
		return;
	acg_controller_restore(d->ctl);
	acg_controller_free(d->ctl);
	acg_signals_free(d->sig);
	free(d);
	c->priv = NULL;
}

/*
 * Both at once: the struct_ops policy in the kernel for the per-charge work (HIGH's memory
 * protected from reclaim, LOW's charges delayed while the budget is nearly full), the
 * controller in user space for what the kernel policy cannot do (holds, admission, kills
 * of last resort).
 */
struct both {
	void *dynamic, *bpf; /* each strategy's own priv */
};

static void both_teardown(struct acg_strategy_ctx *c)
{
	struct both *b = c->priv;

	if (!b)
		return;
	c->priv = b->bpf;
	if (b->bpf)
		bpf_teardown(c);
	c->priv = b->dynamic;
	dynamic_teardown(c);
	free(b);
	c->priv = NULL;
}

static int both_setup(struct acg_strategy_ctx *c, struct acg_diag *d)
{
	struct both *b = calloc(1, sizeof(*b));
	int r;

	if (!b)
		return acg_diag_fail(d, -ENOMEM, "no memory for the strategy's state");
	c->priv = NULL;
	r = dynamic_setup(c, d);
	b->dynamic = c->priv;
	c->priv = NULL;
	if (r == 0) {
		r = bpf_setup(c, d);
		b->bpf = c->priv;
	}
	c->priv = b;
	if (r < 0)
		both_teardown(c);
	return r;
}

static int both_tick(struct acg_strategy_ctx *c, double now)
{
	struct both *b = c->priv;
	int r;

	c->priv = b->bpf;
	bpf_tick(c, now);
	c->priv = b->dynamic;
	r = dynamic_tick(c, now);
	c->priv = b;
	return r;
}

static size_t both_pollfds(struct acg_strategy_ctx *c, struct pollfd **ret)
{
	struct both *b = c->priv;
	size_t n;

	c->priv = b->dynamic;
	n = dynamic_pollfds(c, ret);
	c->priv = b;
	return n;
}

static void both_ended(struct acg_strategy_ctx *c, size_t i)
{
	struct both *b = c->priv;

	c->priv = b->dynamic;
	dynamic_ended(c, i);
	c->priv = b;
}

static const struct acg_strategy table[] = {
	{"none", "the budget on the parent cgroup only; sessions compete freely", needs_memcg,
	 budget_setup, NULL, NULL, NULL, NULL},
	{"static", "each session gets a hard limit of budget/N", needs_memcg, static_setup, NULL,
	 NULL, NULL, NULL},
	{"high", "a fixed memory.high per priority class (control arm for dynamic)", high_supported,
	 high_setup, NULL, NULL, NULL, NULL},
	{"dynamic", "the priority controller: HIGH keeps allocating, LOW is throttled or paused",
	 dynamic_supported, dynamic_setup, dynamic_tick, dynamic_pollfds, dynamic_teardown,
	 dynamic_ended},
	{"bpf", "memcg_bpf_ops struct_ops policy in the kernel", bpf_supported, bpf_setup, bpf_tick,
	 NULL, bpf_teardown, NULL},
	{"bpf+dynamic",
	 "the struct_ops policy in the kernel and the priority controller beside it (holds, "
	 "admission, kills)",
	 bpf_supported, both_setup, both_tick, both_pollfds, both_teardown, both_ended},
};

const struct acg_strategy *acg_strategies(size_t *ret_n)
{
	*ret_n = sizeof(table) / sizeof(table[0]);
	return table;
}

const struct acg_strategy *acg_strategy_find(const char *name)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}
