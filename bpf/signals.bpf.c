// SPDX-License-Identifier: GPL-2.0
/*
 * signals.bpf.c: tracepoint programs that tell the userspace controller, per cgroup, how
 * fast sessions fault in memory (HIGH's activity), how long they stall in memcg reclaim,
 * and which were chosen as OOM victims, sooner and cheaper than polling files. Raw
 * tracepoints: they attach by name, with no tracefs and no BTF-typed attach (which this
 * project's reference host refuses for fentry/fexit).
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "signals.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ACG_SIG_MAX_CGROUPS);
	__type(key, u64);
	__type(value, struct acg_sig_stats);
} stats SEC(".maps");

/* reclaim start time per task */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, u32);
	__type(value, u64);
} reclaim_start SEC(".maps");

static struct acg_sig_stats *stats_of(u64 cgid)
{
	struct acg_sig_stats zero = {}, *s;

	s = bpf_map_lookup_elem(&stats, &cgid);
	if (s)
		return s;
	bpf_map_update_elem(&stats, &cgid, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&stats, &cgid);
}

SEC("raw_tp/page_fault_user")
int on_fault(void *ctx)
{
	struct acg_sig_stats *s = stats_of(bpf_get_current_cgroup_id());

	if (s)
		__sync_fetch_and_add(&s->faults, 1);
	return 0;
}

SEC("raw_tp/mm_vmscan_memcg_reclaim_begin")
int on_reclaim_begin(void *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(&reclaim_start, &tid, &now, BPF_ANY);
	return 0;
}

SEC("raw_tp/mm_vmscan_memcg_reclaim_end")
int on_reclaim_end(void *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	u64 *start = bpf_map_lookup_elem(&reclaim_start, &tid);
	struct acg_sig_stats *s;

	if (!start)
		return 0;
	s = stats_of(bpf_get_current_cgroup_id());
	if (s) {
		__sync_fetch_and_add(&s->reclaims, 1);
		__sync_fetch_and_add(&s->reclaim_ns, bpf_ktime_get_ns() - *start);
	}
	bpf_map_delete_elem(&reclaim_start, &tid);
	return 0;
}

/* TP_PROTO(struct task_struct *task, ...): the victim, not the current task */
SEC("raw_tp/mark_victim")
int BPF_PROG(on_mark_victim, struct task_struct *task)
{
	u64 cgid = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	struct acg_sig_stats *s = stats_of(cgid);

	if (s)
		__sync_fetch_and_add(&s->oom_victims, 1);
	return 0;
}
