/* SPDX-License-Identifier: GPL-2.0 */
/*
 * strategy.h: the registered table of isolation strategies. Every strategy lists itself,
 * and says whether it can run on a given host and, if not, why. Strategies that are not
 * built yet are listed as unavailable with that reason: never faked.
 *
 * An entry's operations act on one bench run's cgroups: setup() before the sessions
 * start; tick() (may be NULL) every control period while they run, or sooner when one of
 * its pollfds() is ready. Static strategies only set limits in setup(); the dynamic
 * controller uses tick() and the kernel's wake-ups.
 */
#ifndef AGENTCG_STRATEGY_H
#define AGENTCG_STRATEGY_H

#include "cgroup.h"
#include "diag.h"
#include "host.h"
#include "scenario.h"

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

/* Called with each controller decision, one JSON object per line. */
typedef void (*acg_strategy_log_fn)(void *arg, const char *line);

/* What a strategy acts on in one run. */
struct acg_strategy_ctx {
	struct acg_cg *tree;	   /* the run's parent cgroup: it holds the budget */
	struct acg_cg **sessions;  /* one per session, below tree */
	const enum acg_prio *prio; /* each session's class */
	const char *const *names;  /* each session's name */
	size_t n;
	uint64_t budget;
	struct acg_scn_high high;	  /* parameters of the `high` strategy */
	uint64_t low_growth, high_growth; /* the policy's expected growths (`dynamic`) */
	uint64_t swap;			  /* swap the sessions may use (the parent's swap.max) */
	acg_strategy_log_fn log;	  /* decisions (may be NULL) */
	void *log_arg;
	void *priv; /* the strategy's own state, from setup to teardown */
};

struct acg_strategy {
	const char *name;
	const char *summary;
	/* true when it can run on h; else *why says why in one phrase */
	bool (*supported)(const struct acg_host *h, const char **why);
	/* set the run's controls; 0 or -errno with d saying which control failed and why */
	int (*setup)(struct acg_strategy_ctx *c, struct acg_diag *d);
	/* called every control period while sessions run, now in seconds (NULL: none) */
	int (*tick)(struct acg_strategy_ctx *c, double now);
	/* fds whose readiness should bring the next tick forward (NULL: none) */
	size_t (*pollfds)(struct acg_strategy_ctx *c, struct pollfd **ret);
	/* undo what setup and tick did, free priv (NULL: nothing to undo) */
	void (*teardown)(struct acg_strategy_ctx *c);
	/* session i's work ended (its worker exited; its cgroup stays until the run's end)
	 * (NULL: nothing to do) */
	void (*ended)(struct acg_strategy_ctx *c, size_t i);
};

/* The table, in presentation order, and its length. */
const struct acg_strategy *acg_strategies(size_t *ret_n);

/* The entry called name, or NULL. */
const struct acg_strategy *acg_strategy_find(const char *name);

#endif
