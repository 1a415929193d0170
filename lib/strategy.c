// SPDX-License-Identifier: GPL-2.0
/*
 * strategy.c: the strategy table (see strategy.h). Support checks read only the probed
 * host facts, so `check` and the bench agree on what can run.
 */
#include "strategy.h"

#include <string.h>

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
	if (!needs_memcg(h, why))
		return false;
	*why = "not built yet: the priority controller is a later issue";
	return false;
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
	*why = "not built yet: the struct_ops loader is a later issue";
	return false;
}

static const struct acg_strategy table[] = {
	{"none", "the budget on the parent cgroup only; sessions compete freely", needs_memcg},
	{"static", "each session gets a hard limit of budget/N", needs_memcg},
	{"high", "a fixed memory.high per priority class (control arm for dynamic)",
	 high_supported},
	{"dynamic", "the priority controller: HIGH keeps allocating, LOW is throttled or paused",
	 dynamic_supported},
	{"bpf", "memcg_bpf_ops struct_ops policy in the kernel", bpf_supported},
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
