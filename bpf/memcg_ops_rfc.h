/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memcg_ops_rfc.h: the memcg struct_ops interface of the RFC "mm: memcontrol: Add BPF
 * hooks for memory controller" (bpf-next, 2026), in the revision the object is built for:
 * v6 (Feb 2026, the seeds' target) by default, v7 (May 2026: memcg_charged/uncharged, the
 * protection hooks given elow/emin and usage) with -DACG_MEMCG_OPS_V7. Include in place of
 * vmlinux.h: a vmlinux.h of a kernel that has the struct (the lab kernel's) names its own
 * under another name here, so the object always carries the layout of its revision, and
 * libbpf matches it to the kernel's by member name at load.
 */
#ifndef AGENTCG_BPF_MEMCG_OPS_RFC_H
#define AGENTCG_BPF_MEMCG_OPS_RFC_H

#define memcg_bpf_ops memcg_bpf_ops___vmlinux
#include "vmlinux.h"
#undef memcg_bpf_ops

#ifdef ACG_MEMCG_OPS_V7
struct memcg_bpf_ops {
	void (*handle_cgroup_online)(struct mem_cgroup *memcg);
	void (*handle_cgroup_offline)(struct mem_cgroup *memcg);
	/* true: protected whatever elow/emin and usage say (false: the kernel's check) */
	bool (*below_low)(struct mem_cgroup *memcg, unsigned long elow, unsigned long usage);
	bool (*below_min)(struct mem_cgroup *memcg, unsigned long emin, unsigned long usage);
	/* after every charge on the blocking path: a delay in ms the kernel sleeps (as a
	 * floor of its memory.high penalty, below memory.high too; 10 ms or less: none) */
	unsigned int (*memcg_charged)(struct mem_cgroup *memcg, unsigned int nr_pages);
	void (*memcg_uncharged)(struct mem_cgroup *memcg, unsigned int nr_pages);
};
#else
struct memcg_bpf_ops {
	void (*handle_cgroup_online)(struct mem_cgroup *memcg);
	void (*handle_cgroup_offline)(struct mem_cgroup *memcg);
	/* override reclaim protection checks (never for the reclaim target or root) */
	bool (*below_low)(struct mem_cgroup *memcg);
	bool (*below_min)(struct mem_cgroup *memcg);
	/* called after a charge; the kernel sleeps max(its penalty, this), at most 2 s,
	 * and not at all for 10 ms or less */
	unsigned int (*get_high_delay_ms)(struct mem_cgroup *memcg);
};
#endif

#endif
