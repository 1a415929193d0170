/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_memcg_ops.h: the loader of bpf/memcg_ops.bpf.c, the struct_ops policy for kernels
 * with the memcg BPF hooks (the RFC of memcg_ops_rfc.h). It probes the kernel's BTF
 * first: on a stock kernel it says "kernel lacks struct memcg_bpf_ops" and does nothing.
 * Nothing here prints.
 */
#ifndef AGENTCG_BPF_MEMCG_OPS_H_LIB
#define AGENTCG_BPF_MEMCG_OPS_H_LIB

#include "cgroup.h"
#include "diag.h"
#include "memcg_ops.h"

#include <stddef.h>
#include <stdint.h>

struct acg_memcg_ops;

struct btf;

/*
 * Which revision of the RFC a BTF's struct memcg_bpf_ops is, by its members: 7
 * (memcg_charged), 6 (get_high_delay_ms), 0 when there is no such struct, -1 when it is
 * neither. Pure.
 */
int acg_memcg_ops_revision(const struct btf *btf);

/*
 * 0 when the kernel can take the policy, with the RFC's revision in *ret_rev (may be
 * NULL); else -EOPNOTSUPP and why, in one phrase.
 */
int acg_memcg_ops_probe(int *ret_rev, struct acg_diag *why);

struct acg_memcg_ops_cfg {
	struct acg_cg *budget; /* the cgroup holding the budget (v2) */
	uint64_t budget_bytes;
	struct acg_cg *high; /* the HIGH session: high_ops, its subtree's activity */
	struct acg_cg **low; /* the LOW sessions: low_ops */
	size_t n_low;
	unsigned int max_delay_ms;
};

/*
 * Probe, set the program's constants (HIGH's cgroup, the activity event looked up by name
 * in BTF), load, and attach high_ops and low_ops to their cgroups. 0, or -errno and why.
 */
int acg_memcg_ops_attach(const struct acg_memcg_ops_cfg *cfg, struct acg_memcg_ops **ret,
			 struct acg_diag *why);

/* The RFC revision the attached policy speaks (6 or 7). */
int acg_memcg_ops_rev(const struct acg_memcg_ops *o);

/* Tell the programs the budget cgroup's usage now (they read it for the LOW delay). */
int acg_memcg_ops_update(struct acg_memcg_ops *o, uint64_t budget_usage);

/* The per-CPU counters summed, indexed by enum acg_ops_stat. */
int acg_memcg_ops_stats(struct acg_memcg_ops *o, uint64_t ret[ACG_OPS__NR]);

/* Detach every link (the kernel restores the parent's ops) and free. NULL is fine. */
void acg_memcg_ops_detach(struct acg_memcg_ops *o);

#endif
