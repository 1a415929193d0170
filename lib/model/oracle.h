/* SPDX-License-Identifier: GPL-2.0 */
/*
 * oracle.h: a lower bound on how soon a LOW session can complete when HIGH sessions are
 * never slowed and nobody is killed, whatever the policy. Against it the bench measures how
 * much delay the real controller adds beyond what the budget forces.
 *
 * The bound. HIGH follows its timeline exactly, so at time t it holds H(t). With no swap
 * and no kill, the LOW sessions together hold at most B - H(t); each other LOW session k
 * holds at least m_k(t) (its baseline, as it may wait at its start holding that alone, the
 * way the simulator and the bench start every session; or nothing once it could have
 * finished). So LOW session j can hold at most C_j(t) = B - H(t) - sum m_k(t). It may wait
 * at its start (its baseline), then moves along its own timeline at most at the scenario's
 * speed, may pause anywhere, and must fit C_j at every instant. The earliest arrival at the end of its timeline under that constraint is
 * found exactly on a time grid (dt) by a breadth-first sweep over (segment, progress)
 * states. Any real schedule satisfies a tighter constraint, so its completion is at least
 * this; the bound ignores the other LOW sessions' actual paths, so it can be loose.
 */
#ifndef AGENTCG_ORACLE_H
#define AGENTCG_ORACLE_H

#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Earliest completion (seconds from the common start) of LOW session j of sc. Returns 0,
 * -ERANGE when no schedule fits (some session must be killed or HIGH slowed), -EINVAL
 * when j is not a LOW session, -E2BIG when the timelines are too long for the grid (the
 * sweep would take minutes), -EOPNOTSUPP when a session of sc runs commands (no memory
 * curve: acg_scenario_unmodelled()), or -ENOMEM.
 */
int acg_oracle_low_completion(const struct acg_scenario *sc, size_t j, double *ret_s);

/*
 * Earliest time by which every LOW session can have completed (HIGH unslowed, no kill).
 * With one or two LOW sessions the sweep runs over their joint states and the answer is
 * exact under the model; with more it is the latest of the single-session bounds, a
 * looser bound (*ret_exact says which). Returns 0, -ERANGE (no schedule), -EOPNOTSUPP (a
 * command session: no memory curve) or -ENOMEM.
 */
int acg_oracle_low_makespan(const struct acg_scenario *sc, double *ret_s, bool *ret_exact);

#endif
