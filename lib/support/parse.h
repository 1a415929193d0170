/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse.h: pure parsers for the text the kernel hands us (cgroup files, PSI lines,
 * /proc/self/mountinfo, /proc/cgroups). No I/O and no printing: every function takes the
 * text as a string, so unit tests feed them fixtures.
 */
#ifndef AGENTCG_PARSE_H
#define AGENTCG_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "max" in cgroup v2 files, and what we write for "no limit". */
#define ACG_UNLIMITED UINT64_MAX

/*
 * Parse an unsigned decimal, optionally surrounded by white space; "max" gives
 * ACG_UNLIMITED. v1 reports "no limit" as a huge page-rounded number
 * (PAGE_COUNTER_MAX * PAGE_SIZE); values at or above 2^62 are also read as ACG_UNLIMITED.
 * Returns 0 or -EINVAL / -ERANGE.
 */
int acg_parse_u64(const char *s, uint64_t *ret);

/*
 * Find "key value" on its own line in a flat keyed file (memory.events, memory.stat,
 * memory.oom_control, cgroup.events). Returns 0, -ENOENT when the key is absent, or
 * -EINVAL when its value is not a number.
 */
int acg_kv_get(const char *text, const char *key, uint64_t *ret);

/* Whether a space-separated list ("cpu io memory") holds word. */
bool acg_word_in_list(const char *list, const char *word);

/* One line of a PSI file: "some avg10=0.00 avg60=0.00 avg300=0.00 total=0". */
struct acg_psi_line {
	double avg10, avg60, avg300;
	uint64_t total_us;
};

struct acg_psi {
	struct acg_psi_line some;
	struct acg_psi_line full;
	bool has_full;
};

/* Parse a whole PSI file (some line required, full line optional). 0 or -EINVAL. */
int acg_psi_parse(const char *text, struct acg_psi *ret);

#endif
