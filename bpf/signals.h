/* SPDX-License-Identifier: GPL-2.0 */
/*
 * signals.h: types shared by bpf/signals.bpf.c and its loader (lib/kernel/bpf_signals.c). No libc
 * or vmlinux.h includes: both sides include this.
 *
 * Per cgroup (keyed by the cgroup2 id of the task: on a hybrid host, the session's PSI
 * twin under the cgroup2 mount), what the kernel's tracepoints saw.
 */
#ifndef AGENTCG_BPF_SIGNALS_H
#define AGENTCG_BPF_SIGNALS_H

struct acg_sig_stats {
	unsigned long long faults;	/* exceptions/page_fault_user */
	unsigned long long reclaims;	/* vmscan/mm_vmscan_memcg_reclaim_begin..end pairs */
	unsigned long long reclaim_ns;	/* time spent in them */
	unsigned long long oom_victims; /* oom/mark_victim of a task of this cgroup */
};

#define ACG_SIG_MAX_CGROUPS 4096

#endif
