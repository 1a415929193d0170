// SPDX-License-Identifier: GPL-2.0
/*
 * memcg_ops_smoke.bpf.c: the smallest memcg_bpf_ops (RFC v7) that shows each hook runs on
 * the lab kernel: every callback counts its calls (and pages) in .bss, memcg_charged
 * returns the delay user space put in delay_ms. Built against the lab kernel's own BTF
 * (its vmlinux.h has struct memcg_bpf_ops), so the callbacks' signatures are the kernel's.
 */
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

__u32 delay_ms;	       /* memcg_charged's answer, set by user space */
__u64 charged_calls;   /* memcg_charged */
__u64 charged_pages;   /* the nr_pages it was given, summed */
__u64 uncharged_calls; /* memcg_uncharged */
__u64 uncharged_pages;
__u64 below_low_calls;
__u64 below_min_calls;
__u64 online_calls;
__u64 offline_calls;
__u64 charged2_calls; /* memcg_charged of smoke_ops2 */

SEC("struct_ops/memcg_charged")
unsigned int BPF_PROG(smoke_charged, struct mem_cgroup *memcg, unsigned int nr_pages)
{
	__sync_fetch_and_add(&charged_calls, 1);
	__sync_fetch_and_add(&charged_pages, nr_pages);
	return delay_ms;
}

SEC("struct_ops/memcg_uncharged")
void BPF_PROG(smoke_uncharged, struct mem_cgroup *memcg, unsigned int nr_pages)
{
	__sync_fetch_and_add(&uncharged_calls, 1);
	__sync_fetch_and_add(&uncharged_pages, nr_pages);
}

SEC("struct_ops/below_low")
bool BPF_PROG(smoke_below_low, struct mem_cgroup *memcg, unsigned long elow, unsigned long usage)
{
	__sync_fetch_and_add(&below_low_calls, 1);
	return false; /* the kernel's own check decides */
}

SEC("struct_ops/below_min")
bool BPF_PROG(smoke_below_min, struct mem_cgroup *memcg, unsigned long emin, unsigned long usage)
{
	__sync_fetch_and_add(&below_min_calls, 1);
	return false;
}

SEC("struct_ops/handle_cgroup_online")
void BPF_PROG(smoke_online, struct mem_cgroup *memcg)
{
	__sync_fetch_and_add(&online_calls, 1);
}

SEC("struct_ops/handle_cgroup_offline")
void BPF_PROG(smoke_offline, struct mem_cgroup *memcg)
{
	__sync_fetch_and_add(&offline_calls, 1);
}

SEC(".struct_ops")
struct memcg_bpf_ops smoke_ops = {
	.handle_cgroup_online = (void *)smoke_online,
	.handle_cgroup_offline = (void *)smoke_offline,
	.below_low = (void *)smoke_below_low,
	.below_min = (void *)smoke_below_min,
	.memcg_charged = (void *)smoke_charged,
	.memcg_uncharged = (void *)smoke_uncharged,
};

SEC("struct_ops/memcg_charged")
unsigned int BPF_PROG(smoke_charged2, struct mem_cgroup *memcg, unsigned int nr_pages)
{
	__sync_fetch_and_add(&charged2_calls, 1);
	return 0;
}

/* a second table, for the attach-conflict and BPF_F_ALLOW_OVERRIDE checks */
SEC(".struct_ops")
struct memcg_bpf_ops smoke_ops2 = {
	.memcg_charged = (void *)smoke_charged2,
};
