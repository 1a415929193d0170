/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memcg_ops.h: types shared by bpf/memcg_ops.bpf.c and its loader (lib/kernel/bpf_memcg_ops.c).
 * No libc or vmlinux.h includes.
 */
#ifndef AGENTCG_BPF_MEMCG_OPS_H
#define AGENTCG_BPF_MEMCG_OPS_H

/* Per-CPU counters, indexed by this enum (as sched_ext's schedulers do). */
enum acg_ops_stat {
	ACG_OPS_BELOW_LOW,   /* below_low calls */
	ACG_OPS_BELOW_MIN,   /* below_min calls */
	ACG_OPS_PROTECTED,   /* ... that answered "protect" (HIGH active) */
	ACG_OPS_DELAY_CALLS, /* get_high_delay_ms calls */
	ACG_OPS_DELAYED,     /* ... that returned a delay */
	ACG_OPS_DELAY_MS,    /* total delay asked for */
	ACG_OPS_HIGH_EVENTS, /* HIGH's counted memcg events (count_memcg_events) */
	ACG_OPS_ONLINE,	     /* handle_cgroup_online */
	ACG_OPS_OFFLINE,     /* handle_cgroup_offline */
	ACG_OPS__NR,
};

#endif
