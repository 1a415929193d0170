/* SPDX-License-Identifier: GPL-2.0 */
/*
 * strategy.h: the registered table of isolation strategies. Every strategy lists itself,
 * and says whether it can run on a given host and, if not, why. Strategies that are not
 * built yet are listed as unavailable with that reason: never faked.
 *
 * The bench and the controller will extend an entry with setup/tick/teardown operations;
 * for now an entry is its name, a one-line summary and its support check.
 */
#ifndef AGENTCG_STRATEGY_H
#define AGENTCG_STRATEGY_H

#include "host.h"

#include <stdbool.h>
#include <stddef.h>

struct acg_strategy {
	const char *name;
	const char *summary;
	/* true when it can run on h; else *why says why in one phrase */
	bool (*supported)(const struct acg_host *h, const char **why);
};

/* The table, in presentation order, and its length. */
const struct acg_strategy *acg_strategies(size_t *ret_n);

/* The entry called name, or NULL. */
const struct acg_strategy *acg_strategy_find(const char *name);

#endif
