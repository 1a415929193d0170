// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_bench.c: the cost per allocation of the BPF signal programs (bpf/signals.bpf.c),
 * measured side by side in one run: first-touch page faults over 256 MiB (one fault per
 * 4 KiB page, each one running the page_fault_user program when attached), in rounds that
 * alternate detached and attached. Reports the median ns per fault both ways and their
 * ratio (a benchmark: it reports, never passes or fails). Needs root.
 */
#include "bpf_signals.h"
#include "stats.h"
#include "clock.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SIZE (256UL << 20)
#define ROUNDS 9

/* ns per first-touch fault over SIZE fresh bytes */
static double fault_ns(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t;

	if (p == MAP_FAILED)
		return 0;
	madvise(p, SIZE, MADV_NOHUGEPAGE);
	t = acg_mono_s();
	for (size_t off = 0; off < SIZE; off += page)
		((volatile char *)p)[off] = 1;
	t = acg_mono_s() - t;
	munmap(p, SIZE);
	return t * 1e9 / (double)(SIZE / page);
}

int main(int argc, char **argv)
{
	const char *out = argc > 1 ? argv[1] : BENCH_DIR "/results/bpf.json";
	double off[ROUNDS], on[ROUNDS], m_off, m_on;
	struct acg_signals *sig;
	char err[256];
	json_t *doc;

	/* warm-up: back the memory once */
	for (int i = 0; i < 3; i++)
		fault_ns();
	for (int i = 0; i < ROUNDS; i++) {
		off[i] = fault_ns();
		if (acg_signals_open(&sig, err, sizeof(err)) < 0) {
			fprintf(stderr, "bpf_bench: the signal programs did not load: %s\n", err);
			return 1;
		}
		on[i] = fault_ns();
		acg_signals_free(sig);
	}
	m_off = acg_median(off, ROUNDS);
	m_on = acg_median(on, ROUNDS);
	printf("| first-touch fault, 256 MiB, median of %d | ns per fault |\n|---|---|\n", ROUNDS);
	printf("| signal programs detached | %.0f |\n| attached | %.0f |\n", m_off, m_on);
	printf("| ratio attached / detached | %.3f |\n", m_on / m_off);
	doc = json_pack("{s:i, s:f, s:f, s:f}", "rounds", ROUNDS, "detached_ns_per_fault", m_off,
			"attached_ns_per_fault", m_on, "ratio", m_on / m_off);
	if (doc && json_dump_file(doc, out, JSON_INDENT(2)) == 0)
		printf("\nwritten to %s\n", out);
	json_decref(doc);
	return 0;
}
