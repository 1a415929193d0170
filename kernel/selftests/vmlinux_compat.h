/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlinux_compat.h: appended by build.sh to the lab kernel's vmlinux.h when that kernel's
 * BTF lacks the type (it does on 6.12), so that the RFC's progs/memcg_ops.c compiles
 * unchanged. It is the tracepoint context of memcg:count_memcg_events, as
 * include/trace/events/memcg.h defines it in the RFC's base (the memcg tracepoints were
 * added upstream after 6.12; the class is memcg_rstat_events:
 * TP_STRUCT__entry(__field(u64, id) __field(int, item) __field(unsigned long, val))).
 *
 * Supplying the type only lets the object compile and load (a tracepoint program is
 * checked against its context size, not against an existing tracepoint); attaching
 * "tp/memcg/count_memcg_events" still fails on a kernel without that tracepoint, and the
 * tests report it.
 */
#ifndef __VMLINUX_COMPAT_MEMCG_RSTAT_EVENTS
#define __VMLINUX_COMPAT_MEMCG_RSTAT_EVENTS
struct trace_event_raw_memcg_rstat_events {
	struct trace_entry ent;
	u64 id;
	int item;
	unsigned long val;
	char __data[0];
};
#endif
