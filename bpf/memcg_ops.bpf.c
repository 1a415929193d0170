// SPDX-License-Identifier: GPL-2.0
/*
 * memcg_ops.bpf.c: the priority policy in the kernel, for kernels with the memcg struct_ops
 * (memcg_ops_rfc.h). Built twice, once per revision of the RFC (the Makefile's
 * memcg_ops.bpf.o for v6, memcg_ops_v7.bpf.o with -DACG_MEMCG_OPS_V7); the policy is one,
 * only the hooks' signatures differ. Two ops tables, attached per cgroup by the loader:
 *
 *   high_ops (HIGH sessions): below_low/below_min say "protected" while HIGH is active,
 *     so reclaim started by others leaves HIGH's memory alone;
 *   low_ops (LOW sessions): get_high_delay_ms (v6) or memcg_charged (v7) returns a delay that grows with how far the
 *     shared budget is exceeded and with HIGH's recent activity, per cgroup, instead of
 *     one global constant (the prototype's): delay = max_delay x shortfall x activity,
 *     where shortfall = (usage of the budget's cgroup - 90% of budget) / (10% of budget),
 *     clamped to [0, 1], and activity = HIGH events in the last 100 ms / 1000, clamped
 *     to [0, 1]. Worked example: budget 1000 MiB, usage 950 MiB (shortfall 0.5), HIGH
 *     faulted 600 times in the last 100 ms (activity 0.6), max 200 ms: 60 ms.
 *
 * HIGH's activity: on v7, the pages HIGH charges (its own memcg_charged hook, which asks
 * for no delay), counted over its subtree (the table is inherited); on v6, which has no
 * charge hook, the memcg/count_memcg_events tracepoint for the event the loader looked
 * up by name in the kernel's BTF (event_idx, PGFAULT), counted when HIGH's cgroup is an
 * ancestor of the event's (kernels before 6.13 have no such tracepoint: the lab kernel,
 * 6.12, has none, which is why v7 counts charges).
 */
#include "memcg_ops_rfc.h" /* vmlinux.h, and struct memcg_bpf_ops of this revision */

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "memcg_ops.h"

char LICENSE[] SEC("license") = "GPL";

/* set by the loader before load */
const volatile __u64 high_cgid;	     /* HIGH's cgroup id */
const volatile __u32 high_level;     /* its depth in the hierarchy */
const volatile __s32 event_idx = -1; /* enum vm_event_item value of the activity event */
const volatile __u64 budget_bytes;
const volatile __u32 max_delay_ms = 200;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ACG_OPS__NR);
	__type(key, u32);
	__type(value, u64);
} stats SEC(".maps");

/* HIGH's activity: events in the current 100 ms window, and the window's start */
struct activity {
	u64 window_start;
	u64 events;
	u64 last_window_events;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct activity);
} act SEC(".maps");

/* the budget cgroup's usage, kept by the loader (bytes) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} budget_usage SEC(".maps");

#define WINDOW_NS (100ULL * 1000 * 1000)

static void stat_add(u32 idx, u64 v)
{
	u64 *p = bpf_map_lookup_elem(&stats, &idx);

	if (p)
		*p += v;
}

/* Is HIGH's cgroup an ancestor of (or equal to) memcg's cgroup? */
static bool in_high_subtree(struct mem_cgroup *memcg)
{
	struct cgroup *cgrp = BPF_CORE_READ(memcg, css.cgroup), *anc = NULL;
	int level = BPF_CORE_READ(cgrp, level);

	if (level < (int)high_level || high_level > 64)
		return false;
	bpf_core_read(&anc, sizeof(anc), &cgrp->ancestors[high_level]);
	return anc && BPF_CORE_READ(anc, kn, id) == high_cgid;
}

static u64 recent_activity(void)
{
	u32 zero = 0;
	struct activity *a = bpf_map_lookup_elem(&act, &zero);
	u64 now = bpf_ktime_get_ns();

	if (!a)
		return 0;
	if (now - a->window_start > 2 * WINDOW_NS)
		return 0;
	return a->last_window_events > a->events ? a->last_window_events : a->events;
}

/* nr events of HIGH's now: into the current window */
static void note_activity(u64 nr)
{
	u32 zero = 0;
	struct activity *a = bpf_map_lookup_elem(&act, &zero);
	u64 now;

	if (!a)
		return;
	now = bpf_ktime_get_ns();
	if (now - a->window_start > WINDOW_NS) {
		a->last_window_events = a->events;
		a->events = 0;
		a->window_start = now;
	}
	a->events += nr;
	stat_add(ACG_OPS_HIGH_EVENTS, nr);
}

/* v6: HIGH's page faults, from the tracepoint (the loader leaves it out for v7) */
SEC("raw_tp/count_memcg_events")
int BPF_PROG(on_memcg_event, struct mem_cgroup *memcg, int idx, unsigned long nr)
{
	if (idx == event_idx && in_high_subtree(memcg))
		note_activity(nr);
	return 0;
}

static bool high_active(void)
{
	return recent_activity() > 0;
}

/* HIGH's answer to the protection checks: protected while it is active */
static bool high_protected(u32 which)
{
	bool p = high_active();

	stat_add(which, 1);
	stat_add(ACG_OPS_PROTECTED, p);
	return p;
}

/* LOW's delay after a charge (ms): the policy of the header comment */
static unsigned int low_delay(void)
{
	u32 zero = 0;
	u64 *usage = bpf_map_lookup_elem(&budget_usage, &zero), used, floor, span, ms;
	u64 activity = recent_activity();

	stat_add(ACG_OPS_DELAY_CALLS, 1);
	if (!usage || !budget_bytes || !activity)
		return 0;
	used = *usage;
	floor = budget_bytes / 10 * 9;
	span = budget_bytes / 10;
	if (used <= floor || !span)
		return 0;
	if (activity > 1000)
		activity = 1000;
	/* max x min(1, (used - floor) / span) x activity / 1000 */
	ms = (used - floor) >= span ? max_delay_ms : max_delay_ms * (used - floor) / span;
	ms = ms * activity / 1000;
	if (ms <= 10)
		return 0; /* the kernel ignores 10 ms or less anyway */
	stat_add(ACG_OPS_DELAYED, 1);
	stat_add(ACG_OPS_DELAY_MS, ms);
	return (unsigned int)ms;
}

#ifdef ACG_MEMCG_OPS_V7
SEC("struct_ops/below_low")
bool BPF_PROG(high_below_low, struct mem_cgroup *memcg, unsigned long elow, unsigned long usage)
{
	return high_protected(ACG_OPS_BELOW_LOW);
}

SEC("struct_ops/below_min")
bool BPF_PROG(high_below_min, struct mem_cgroup *memcg, unsigned long emin, unsigned long usage)
{
	return high_protected(ACG_OPS_BELOW_MIN);
}

SEC("struct_ops/memcg_charged")
unsigned int BPF_PROG(low_charged, struct mem_cgroup *memcg, unsigned int nr_pages)
{
	return low_delay();
}

SEC("struct_ops/memcg_charged")
unsigned int BPF_PROG(high_charged, struct mem_cgroup *memcg, unsigned int nr_pages)
{
	note_activity(nr_pages);
	return 0;
}
#else
SEC("struct_ops/below_low")
bool BPF_PROG(high_below_low, struct mem_cgroup *memcg)
{
	return high_protected(ACG_OPS_BELOW_LOW);
}

SEC("struct_ops/below_min")
bool BPF_PROG(high_below_min, struct mem_cgroup *memcg)
{
	return high_protected(ACG_OPS_BELOW_MIN);
}

SEC("struct_ops/get_high_delay_ms")
unsigned int BPF_PROG(low_charged, struct mem_cgroup *memcg)
{
	return low_delay();
}
#endif

SEC("struct_ops/handle_cgroup_online")
void BPF_PROG(on_online, struct mem_cgroup *memcg)
{
	stat_add(ACG_OPS_ONLINE, 1);
}

SEC("struct_ops/handle_cgroup_offline")
void BPF_PROG(on_offline, struct mem_cgroup *memcg)
{
	stat_add(ACG_OPS_OFFLINE, 1);
}

SEC(".struct_ops")
struct memcg_bpf_ops high_ops = {
	.handle_cgroup_online = (void *)on_online,
	.handle_cgroup_offline = (void *)on_offline,
	.below_low = (void *)high_below_low,
	.below_min = (void *)high_below_min,
#ifdef ACG_MEMCG_OPS_V7
	.memcg_charged = (void *)high_charged,
#endif
};

SEC(".struct_ops")
struct memcg_bpf_ops low_ops = {
	.handle_cgroup_online = (void *)on_online,
	.handle_cgroup_offline = (void *)on_offline,
#ifdef ACG_MEMCG_OPS_V7
	.memcg_charged = (void *)low_charged,
#else
	.get_high_delay_ms = (void *)low_charged,
#endif
};
