/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_signals.h: the loader of bpf/signals.bpf.c (raw tracepoints: user page faults,
 * memcg reclaim begin/end, OOM victims), counting per cgroup2 id what the kernel saw. It
 * lets the controller see HIGH's activity, reclaim stalls and OOM victims without
 * polling files. Nothing here prints; a failure to load says why in err.
 */
#ifndef AGENTCG_BPF_SIGNALS_H_LIB
#define AGENTCG_BPF_SIGNALS_H_LIB

#include "diag.h"
#include "cgroup.h"
#include "signals.h"

#include <stddef.h>
#include <stdint.h>

struct acg_signals;

/* The programs, each attached on its own: what it counts and its raw tracepoint. */
enum acg_sig_prog {
	ACG_SIG_FAULTS,	       /* page_fault_user: HIGH's activity */
	ACG_SIG_RECLAIM_BEGIN, /* mm_vmscan_memcg_reclaim_begin: */
	ACG_SIG_RECLAIM_END,   /* mm_vmscan_memcg_reclaim_end: reclaim stalls */
	ACG_SIG_OOM_VICTIM,    /* mark_victim: OOM victims */
	ACG_SIG__COUNT,
};

/* The tracepoint program p attaches to. */
const char *acg_signals_tracepoint(enum acg_sig_prog p);

/*
 * Load every program and attach each one it can. 0 when at least one is attached (see
 * acg_signals_attached()); -errno with a one-phrase reason in err when the object does not
 * load or nothing attaches.
 */
int acg_signals_open(struct acg_signals **ret, struct acg_diag *err);

/* Which programs are attached: bit p for each acg_sig_prog; why[p] says why not. */
unsigned int acg_signals_attached(const struct acg_signals *s, const char **why);

/* The counters of the cgroup with this cgroup2 id; -ENOENT when it has none yet. */
int acg_signals_read(struct acg_signals *s, uint64_t cgid, struct acg_sig_stats *ret);

/* Detach and free. NULL is fine. */
void acg_signals_free(struct acg_signals *s);

#endif
