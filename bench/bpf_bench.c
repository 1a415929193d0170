// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_bench.c: the cost per allocation of the BPF signal programs (bpf/signals.bpf.c),
 * measured side by side in one run: first-touch page faults over 256 MiB (one fault per
 * 4 KiB page, each one running the page_fault_user program when attached), in rounds that
 * alternate detached and attached. Reports the median ns per fault both ways and the
 * median of the per-pair ratios with its 95% order-statistic interval (a benchmark: it reports, never passes or fails). Needs root.
 */
#include "bpf_signals.h"
#include "stats.h"
#include "clock.h"
#include "fault.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SIZE (256UL << 20)
#define ROUNDS 11

static double fault_ns(void)
{
	return bench_fault_ns(SIZE);
}

int main(int argc, char **argv)
{
	const char *out = argc > 1 ? argv[1] : "build/bench-results/bpf.json";
	double off[ROUNDS], on[ROUNDS], ratio[ROUNDS], m_off, m_on, m_ratio;
	struct acg_signals *sig;
	struct acg_ci ci;
	struct acg_diag err;
	json_t *doc;

	/* warm-up: back the memory once */
	for (int i = 0; i < 3; i++)
		fault_ns();
	/* pairs of rounds, detached and attached, in an order that alternates, so neither
	 * side always runs on the memory the other just freed; the ratio is per pair */
	for (int i = 0; i < ROUNDS; i++) {
		bool attached_first = i % 2;

		if (!attached_first)
			off[i] = fault_ns();
		if (acg_signals_open(&sig, &err) < 0) {
			fprintf(stderr, "bpf_bench: the signal programs did not load: %s\n",
				err.msg);
			return 1;
		}
		on[i] = fault_ns();
		acg_signals_free(sig);
		if (attached_first)
			off[i] = fault_ns();
		ratio[i] = on[i] / off[i];
	}
	m_off = acg_median(off, ROUNDS);
	m_on = acg_median(on, ROUNDS);
	m_ratio = acg_median(ratio, ROUNDS);
	acg_median_ci(ratio, ROUNDS, 0.95, &ci);
	printf("| first-touch fault, 256 MiB, median of %d pairs | ns per fault |\n|---|---|\n",
	       ROUNDS);
	printf("| signal programs detached | %.0f |\n| attached | %.0f |\n", m_off, m_on);
	printf("| ratio attached / detached, per pair | %.3f [%.3f, %.3f] (%.0f%% interval) |\n",
	       m_ratio, ci.lo, ci.hi, ci.coverage * 100);
	doc = json_pack("{s:i, s:f, s:f, s:f, s:{s:f, s:f, s:f}}", "rounds", ROUNDS,
			"detached_ns_per_fault", m_off, "attached_ns_per_fault", m_on, "ratio",
			m_ratio, "ratio_ci", "lo", ci.lo, "hi", ci.hi, "coverage", ci.coverage);
	if (doc && json_dump_file(doc, out, JSON_INDENT(2)) == 0)
		printf("\nwritten to %s\n", out);
	else
		fprintf(stderr, "bpf_bench: cannot write %s\n", out);
	json_decref(doc);
	return 0;
}
