/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fault.h: the micro-benchmarks' unit of work, a first-touch page fault (bpf_bench.c,
 * memcg_ops_bench.c).
 */
#ifndef AGENTCG_BENCH_FAULT_H
#define AGENTCG_BENCH_FAULT_H

#include "clock.h"

#include <stddef.h>
#include <sys/mman.h>
#include <unistd.h>

/* ns per first-touch fault over size fresh bytes (one fault per page); -1 if no memory */
static inline double bench_fault_ns(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t;

	if (p == MAP_FAILED)
		return -1;
	madvise(p, size, MADV_NOHUGEPAGE);
	t = acg_mono_s();
	for (size_t off = 0; off < size; off += page)
		((volatile char *)p)[off] = 1;
	t = acg_mono_s() - t;
	munmap(p, size);
	return t * 1e9 / (double)(size / page);
}

#endif
