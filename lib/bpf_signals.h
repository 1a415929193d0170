/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_signals.h: the loader of bpf/signals.bpf.c (raw tracepoints: user page faults,
 * memcg reclaim begin/end, OOM victims), counting per cgroup2 id what the kernel saw. It
 * lets the controller see HIGH's activity, reclaim stalls and OOM victims without
 * polling files. Nothing here prints; a failure to load says why in err.
 */
#ifndef AGENTCG_BPF_SIGNALS_H_LIB
#define AGENTCG_BPF_SIGNALS_H_LIB

#include "cgroup.h"
#include "signals.h"

#include <stddef.h>
#include <stdint.h>

struct acg_signals;

/* Load and attach every program. 0, or -errno with a one-phrase reason in err. */
int acg_signals_open(struct acg_signals **ret, char *err, size_t errlen);

/* The counters of the cgroup with this cgroup2 id; -ENOENT when it has none yet. */
int acg_signals_read(struct acg_signals *s, uint64_t cgid, struct acg_sig_stats *ret);

/* Detach and free. NULL is fine. */
void acg_signals_free(struct acg_signals *s);

#endif
