/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memcg_ops_rfc.h: the memcg struct_ops interface of the RFC "mm: memcontrol: Add BPF
 * hooks for memory controller" (bpf-next, 2026), defined here so the program compiles
 * against a stock kernel's vmlinux.h, which does not have it. Include after vmlinux.h.
 * The Makefile defines ACG_VMLINUX_HAS_MEMCG_BPF_OPS when the kernel's own BTF has it,
 * and then the kernel's definition is used instead.
 */
#ifndef AGENTCG_BPF_MEMCG_OPS_RFC_H
#define AGENTCG_BPF_MEMCG_OPS_RFC_H

#ifndef ACG_VMLINUX_HAS_MEMCG_BPF_OPS
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
