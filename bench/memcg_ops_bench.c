// SPDX-License-Identifier: GPL-2.0
/*
 * memcg_ops_bench.c [OUT.json]: the cost per allocation of the struct_ops policy
 * (bpf/memcg_ops.bpf.c) on a kernel with the memcg_bpf_ops RFC: the lab kernel, in the VM,
 * where it runs as a test binary does (`AGENTCG_VM_KERNEL=$(scripts/kernel-lab.sh --cached)
 * tests/vm/run.sh build build/bench/memcg_ops_bench`; the JSON is printed too, so the
 * console log has it). Measured side by side in one run: first-touch page faults over 128 MiB by
 * a process in a LOW session's cgroup (low_ops: memcg_charged on every charge, which
 * computes LOW's delay) and in the HIGH session's (high_ops: its charges counted as its
 * activity), in pairs of rounds that alternate detached and attached. No memory pressure
 * (a 2 GiB budget), so the policy asks for no delay: what is measured is the hook's own
 * cost. Reports the median ns per fault both ways and the median of the per-pair ratios
 * with its 95% order-statistic interval, and how often the hooks ran. A benchmark: it
 * reports, never passes or fails. Needs root and cgroup v2; where the kernel lacks the
 * hooks it says so in one line and exits 2.
 */
#include "bpf_memcg_ops.h"
#include "cgroup.h"
#include "clock.h"
#include "fault.h"
#include "mounts.h"
#include "stats.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE (128UL << 20)
#define ROUNDS 11
#define BUDGET (2048ULL << 20)

static double fault_ns(void)
{
	return bench_fault_ns(SIZE);
}

/* fault_ns() in a child placed in cg (its charges go there); -1 on failure */
static double in_cgroup(struct acg_cg *cg)
{
	double ns = -1;
	int p[2];
	pid_t c;

	if (pipe(p) < 0)
		return -1;
	c = fork();
	if (c == 0) {
		close(p[0]);
		if (acg_cg_attach(cg, getpid()) == 0)
			ns = fault_ns();
		if (write(p[1], &ns, sizeof(ns)) != sizeof(ns))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (c < 0 || read(p[0], &ns, sizeof(ns)) != sizeof(ns))
		ns = -1;
	close(p[0]);
	if (c > 0)
		waitpid(c, NULL, 0);
	return ns;
}

struct side {
	const char *name;
	struct acg_cg *cg;
	double off[ROUNDS], on[ROUNDS], ratio[ROUNDS];
	double m_off, m_on, m_ratio;
	struct acg_ci ci;
};

int main(int argc, char **argv)
{
	const char *out = argc > 1 ? argv[1] : "/tmp/memcg_ops.json";
	struct acg_cg *root = NULL, *high = NULL, *low = NULL;
	struct side sides[2] = {{.name = "low"}, {.name = "high"}};
	uint64_t stats[ACG_OPS__NR] = {0}, total[ACG_OPS__NR] = {0};
	struct acg_diag why = {""};
	struct acg_memcg_ops *ops = NULL;
	struct acg_mounts m;
	char name[64];
	int rev = 0, rc = 1;
	json_t *doc, *js;

	if (geteuid() != 0 || acg_mounts_detect(&m) < 0 || m.mem_version != 2) {
		fprintf(stderr, "memcg_ops_bench: unavailable: needs root and the cgroup v2 "
				"memory controller\n");
		return 2;
	}
	if (acg_memcg_ops_probe(&rev, &why) < 0) {
		fprintf(stderr,
			"memcg_ops_bench: unavailable: %s (the lab kernel of make "
			"kernel-lab has the hooks)\n",
			why.msg);
		return 2;
	}
	snprintf(name, sizeof(name), "agentcg-bench-%d-ops", (int)getpid());
	if (acg_root_open(&m, name, true, &root) < 0 ||
	    acg_cg_child(root, "high", true, &high) < 0 ||
	    acg_cg_child(root, "low", true, &low) < 0 ||
	    acg_cg_set(root, ACG_CTL_MAX, BUDGET) < 0) {
		fprintf(stderr, "memcg_ops_bench: cannot make its cgroups under the v2 root\n");
		goto out;
	}
	sides[0].cg = low;
	sides[1].cg = high;
	/* warm-up: back the memory once, in each cgroup */
	for (int i = 0; i < 2; i++) {
		in_cgroup(low);
		in_cgroup(high);
	}
	for (int i = 0; i < ROUNDS; i++) {
		bool attached_first = i % 2;
		struct acg_memcg_ops_cfg cfg = {.budget = root,
						.budget_bytes = BUDGET,
						.high = high,
						.low = &low,
						.n_low = 1};

		for (int s = 0; s < 2 && !attached_first; s++)
			sides[s].off[i] = in_cgroup(sides[s].cg);
		if (acg_memcg_ops_attach(&cfg, &ops, &why) < 0) {
			fprintf(stderr, "memcg_ops_bench: the policy did not attach: %s\n",
				why.msg);
			goto out;
		}
		acg_memcg_ops_update(ops, 0);
		for (int s = 0; s < 2; s++)
			sides[s].on[i] = in_cgroup(sides[s].cg);
		if (acg_memcg_ops_stats(ops, stats) == 0)
			for (int k = 0; k < ACG_OPS__NR; k++)
				total[k] += stats[k];
		acg_memcg_ops_detach(ops);
		ops = NULL;
		for (int s = 0; s < 2 && attached_first; s++)
			sides[s].off[i] = in_cgroup(sides[s].cg);
		for (int s = 0; s < 2; s++) {
			if (sides[s].off[i] <= 0 || sides[s].on[i] <= 0) {
				fprintf(stderr, "memcg_ops_bench: a measuring child failed\n");
				goto out;
			}
			sides[s].ratio[i] = sides[s].on[i] / sides[s].off[i];
		}
	}
	printf("| first-touch fault, %lu MiB, median of %d pairs (RFC v%d) | detached ns | "
	       "attached ns | ratio attached / detached, per pair |\n|---|---|---|---|\n",
	       SIZE >> 20, ROUNDS, rev);
	js = json_object();
	for (int s = 0; s < 2; s++) {
		struct side *x = &sides[s];

		x->m_off = acg_median(x->off, ROUNDS);
		x->m_on = acg_median(x->on, ROUNDS);
		x->m_ratio = acg_median(x->ratio, ROUNDS);
		acg_median_ci(x->ratio, ROUNDS, 0.95, &x->ci);
		printf("| in the %s session | %.0f | %.0f | %.3f [%.3f, %.3f] (%.0f%% interval) |\n",
		       x->name, x->m_off, x->m_on, x->m_ratio, x->ci.lo, x->ci.hi,
		       x->ci.coverage * 100);
		json_object_set_new(js, x->name,
				    json_pack("{s:f, s:f, s:f, s:{s:f, s:f, s:f}}",
					      "detached_ns_per_fault", x->m_off,
					      "attached_ns_per_fault", x->m_on, "ratio", x->m_ratio,
					      "ratio_ci", "lo", x->ci.lo, "hi", x->ci.hi,
					      "coverage", x->ci.coverage));
	}
	printf("\nhooks over the attached rounds: charge hook %llu calls (%llu asked a delay), "
	       "below_low %llu, below_min %llu\n",
	       (unsigned long long)total[ACG_OPS_DELAY_CALLS],
	       (unsigned long long)total[ACG_OPS_DELAYED],
	       (unsigned long long)total[ACG_OPS_BELOW_LOW],
	       (unsigned long long)total[ACG_OPS_BELOW_MIN]);
	doc = json_pack("{s:i, s:i, s:i, s:o, s:{s:I, s:I, s:I, s:I}}", "rounds", ROUNDS, "mib",
			(int)(SIZE >> 20), "rfc_revision", rev, "sessions", js, "hook_calls",
			"charge", (json_int_t)total[ACG_OPS_DELAY_CALLS], "delayed",
			(json_int_t)total[ACG_OPS_DELAYED], "below_low",
			(json_int_t)total[ACG_OPS_BELOW_LOW], "below_min",
			(json_int_t)total[ACG_OPS_BELOW_MIN]);
	if (doc)
		json_dumpf(doc, stdout, JSON_INDENT(2));
	if (doc && json_dump_file(doc, out, JSON_INDENT(2)) == 0)
		printf("\nwritten to %s\n", out);
	else
		fprintf(stderr, "\nmemcg_ops_bench: cannot write %s\n", out);
	json_decref(doc);
	rc = 0;
out:
	acg_memcg_ops_detach(ops);
	if (root)
		acg_cg_remove(root);
	acg_cg_free(low);
	acg_cg_free(high);
	acg_cg_free(root);
	return rc;
}
