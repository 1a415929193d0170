/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scenario.h: bench scenarios: a memory budget shared by sessions of different priority,
 * each replaying a trace or a synthetic stress timeline, and which strategies to compare
 * over how many runs. Grammar and examples: docs/scenario.md.
 */
#ifndef AGENTCG_SCENARIO_H
#define AGENTCG_SCENARIO_H

#include "command.h"
#include "fsutil.h"
#include "policy.h"
#include "stress.h"
#include "trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct acg_scn_session {
	char name[ACG_NAME_MAX + 1];
	enum acg_prio prio;
	char *trace_path; /* resolved against the scenario's directory; NULL for stress */
	struct acg_stress_spec stress;
	uint64_t base_bytes;
	/* peak_mb: the most it is declared to hold, base included (0: not declared); the
	 * policy keeps room for a HIGH session's (policy.h, expected_peak) */
	uint64_t peak_bytes;
	struct acg_trace *trace;	  /* loaded (or generated) timeline; NULL for a command */
	struct acg_command_spec *command; /* real software (command.h); NULL otherwise */
};

/* Parameters of the `high` strategy: memory.high per class (ACG_UNLIMITED: none). */
struct acg_scn_high {
	uint64_t high_class;
	uint64_t low_class;
};

struct acg_scenario {
	char *name;
	char *path;
	uint64_t budget_bytes;
	double speed;
	unsigned int runs;
	bool binary_units;
	struct acg_scn_session *sessions;
	size_t n_sessions;
	char **strategies; /* as named in the file, or every registered one */
	size_t n_strategies;
	struct acg_scn_high high;
	/* the simulator's growth rates, bytes/s (lib/model/sim.h); 0: its defaults */
	double grow_bps;       /* per session */
	double host_grow_bps;  /* shared by the sessions growing at once (0: no such limit) */
	double timeout_factor; /* a run is stopped after this many times its longest solo
				* timeline (plus 30 s) */
	/* what the policy expects a session to grow by from its start, per class (policy.h
	 * low_growth, high_growth): its defaults, or a profile's (bench/simulate --profile) */
	uint64_t low_growth, high_growth;
	/* swap the sessions may use, bytes (the scenario's swap_mb; 0: none): the simulator
	 * pushes a held LOW session out to it where it would kill (lib/model/sim.h) */
	uint64_t swap_bytes;
};

/*
 * Load and check a scenario, loading every trace it names. mem_total (0: unchecked) bounds
 * the budget. Returns 0, or -EINVAL with diag "FILE: WHERE: PROBLEM", or -errno.
 */
int acg_scenario_load(const char *path, uint64_t mem_total, struct acg_scenario **ret,
		      struct acg_diag *diag);

void acg_scenario_free(struct acg_scenario *s);

/*
 * The strategies' names, in the order the bench runs them (NULL-ended): what a scenario's
 * "strategies" may list. The bench's table (lib/bench/strategy.c) implements each one, in
 * this order (tests/unit/test_scenario.c checks the two agree).
 */
extern const char *const acg_strategy_names[];

/*
 * Why the simulator and the oracle cannot model sc (a session runs commands: it has no
 * memory curve), or NULL when they can.
 */
const char *acg_scenario_unmodelled(const struct acg_scenario *sc);

/* How many of sc's sessions run commands. */
size_t acg_scenario_n_commands(const struct acg_scenario *sc);

#endif
