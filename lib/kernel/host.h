/* SPDX-License-Identifier: GPL-2.0 */
/*
 * host.h: what this host supports, probed at run time (never guessed from the kernel
 * version): cgroup layout, swap, PSI and its trigger window, BPF program types, tracefs,
 * the kernel's BTF and whether it has struct memcg_bpf_ops. Used by `agentcg check`,
 * recorded with every bench run, and consulted by strategies.
 */
#ifndef AGENTCG_HOST_H
#define AGENTCG_HOST_H

#include "mounts.h"

#include <stdbool.h>
#include <stdint.h>

struct acg_host {
	char kernel[128]; /* uname -r */
	struct acg_mounts mounts;
	int mounts_err; /* 0, or -errno from acg_mounts_detect() */
	/* this process runs as root (euid 0): every strategy creates and limits cgroups under
	 * the memory controller's mount, which only root may do (short of a delegated root) */
	bool root;

	uint64_t mem_total;  /* bytes, /proc/meminfo MemTotal */
	uint64_t swap_total; /* bytes, /proc/meminfo SwapTotal */

	bool psi;			/* /proc/pressure/memory readable */
	bool psi_cgroup;		/* per-cgroup memory.pressure reachable for sessions */
	bool cap_sys_resource;		/* effective capability of this process */
	unsigned int psi_min_window_ms; /* smallest trigger window accepted (0: no triggers) */

	bool bpf_syscall;    /* bpf(2) usable by this process */
	bool bpf_tracepoint; /* BPF_PROG_TYPE_TRACEPOINT loads */
	bool bpf_struct_ops; /* BPF_PROG_TYPE_STRUCT_OPS known to the kernel */
	char tracefs[64];    /* tracefs mount, "" when not mounted */
	/* tracepoints the kernel has (its BTF holds btf_trace_<name>) */
	bool tp_memcg;		       /* memcg/count_memcg_events */
	bool tp_vmscan;		       /* vmscan/mm_vmscan_memcg_reclaim_begin */
	bool tp_oom;		       /* oom/mark_victim */
	bool tp_page_fault;	       /* exceptions/page_fault_user */
	bool btf_vmlinux;	       /* /sys/kernel/btf/vmlinux loads */
	bool memcg_bpf_ops;	       /* BTF has struct memcg_bpf_ops (the RFC) */
	int memcg_bpf_ops_rev;	       /* its revision: 6 or 7 (-1 neither, 0 none) */
	char bpf_note[160];	       /* why a BPF probe failed, "" when all fine */
	bool bpf_signals;	       /* bpf/signals.bpf.c loaded, some program attached */
	char bpf_signals_note[512];    /* why not */
	unsigned int bpf_signal_progs; /* bit p: program p (enum acg_sig_prog) attached */
	char bpf_signal_why[4][96];    /* why program p did not attach */
};

/* Probe everything. Never fails as a whole: each field says what it found. */
void acg_host_probe(struct acg_host *ret);

/* MemTotal in bytes (0 if unreadable), without the other probes. */
uint64_t acg_host_mem_total(void);

/* MemAvailable in bytes (0 if unreadable). */
uint64_t acg_host_mem_available(void);

/* SwapTotal in bytes (0 if none or unreadable), without the other probes. */
uint64_t acg_host_swap_total(void);

/* SwapFree in bytes (0 if none or unreadable). */
uint64_t acg_host_swap_free(void);

struct json_t;

/*
 * The host facts as a JSON object (schema in docs/check.md), including the controls map
 * and the strategy table's verdicts. NULL on allocation failure; the caller owns it.
 */
struct json_t *acg_host_to_json(const struct acg_host *h);

#endif
