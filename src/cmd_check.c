// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_check.c: `agentcg check`, the truth about this host: where the memory controller
 * is, what PSI and BPF offer, and which isolation strategies can run here and why not.
 * All facts come from the library's probes (lib/kernel/host.c); this file only renders them.
 */
#include "cmd.h"

#include "bpf_signals.h"
#include "cgroup.h"
#include "host.h"
#include "strategy.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void check_usage(FILE *f)
{
	fprintf(f,
		"Usage: agentcg check [--json]\n"
		"\n"
		"Report what this host supports for memory isolation of agent sessions: cgroup\n"
		"version and mounts, where the memory controller is, swap, PSI and its smallest\n"
		"trigger window, BPF program types, tracefs, whether the kernel's BTF has\n"
		"struct memcg_bpf_ops, and which strategies can run here (and why not).\n"
		"Every fact is probed at run time. Run as root for the BPF and PSI-trigger probes.\n"
		"\n"
		"Options:\n"
		"  --json      print one JSON object (schema: docs/check.md)\n"
		"  -h, --help  this text\n"
		"\n"
		"Examples:\n"
		"  sudo agentcg check\n"
		"  sudo agentcg check --json | jq .strategies\n");
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static void print_size(const char *label, uint64_t bytes)
{
	if (bytes == 0)
		printf("%-18s none\n", label);
	else
		printf("%-18s %.1f GiB\n", label, (double)bytes / (1024.0 * 1024 * 1024));
}

static void print_cgroups(const struct acg_host *h)
{
	const struct acg_mounts *m = &h->mounts;

	printf("%-18s %s", "cgroup mode", acg_cgmode_name(m->mode));
	if (m->v2_path[0])
		printf(" (cgroup2 at %s)", m->v2_path);
	printf("\n");
	if (m->mem_version)
		printf("%-18s cgroup v%d at %s\n", "memory controller", m->mem_version,
		       m->mem_path);
	else
		printf("%-18s unavailable%s\n", "memory controller",
		       m->mem_enabled ? "" : " (not enabled in /proc/cgroups)");
	if (m->mem_version == 1)
		printf("%-18s %s\n", "v1 freezer", m->freezer_path[0] ? m->freezer_path : "none");
}

static void print_psi(const struct acg_host *h)
{
	printf("%-18s system %s, per session %s", "PSI", yes(h->psi), yes(h->psi_cgroup));
	if (h->psi_cgroup && h->mounts.mem_version == 1)
		printf(" (twin cgroup under %s)", h->mounts.v2_path);
	printf("\n");
	if (h->psi_min_window_ms)
		printf("%-18s window >= %u ms (%s CAP_SYS_RESOURCE)\n", "PSI triggers",
		       h->psi_min_window_ms, h->cap_sys_resource ? "with" : "without");
	else
		printf("%-18s unavailable\n", "PSI triggers");
}

static void print_bpf(const struct acg_host *h)
{
	printf("%-18s syscall %s, tracepoint programs %s, struct_ops programs %s\n", "BPF",
	       yes(h->bpf_syscall), yes(h->bpf_tracepoint), yes(h->bpf_struct_ops));
	printf("%-18s memcg %s, vmscan memcg reclaim %s, oom mark_victim %s, page_fault_user %s\n",
	       "tracepoints", yes(h->tp_memcg), yes(h->tp_vmscan), yes(h->tp_oom),
	       yes(h->tp_page_fault));
	printf("%-18s %s\n", "tracefs",
	       h->tracefs[0] ? h->tracefs
			     : "not mounted (only classic tracepoint attach needs it; the signal "
			       "programs use raw tracepoints)");
	printf("%-18s %s; struct memcg_bpf_ops %s\n", "kernel BTF", yes(h->btf_vmlinux),
	       h->memcg_bpf_ops_rev == 7   ? "present (the RFC's v7)"
	       : h->memcg_bpf_ops_rev == 6 ? "present (the RFC's v6)"
	       : h->memcg_bpf_ops	   ? "present, but neither the RFC's v6 nor its v7"
					   : "absent (stock kernel)");
	if (!h->bpf_signals)
		printf("%-18s %s\n", "BPF signals", h->bpf_signals_note);
	for (size_t p = 0; h->bpf_signals && p < ACG_SIG__COUNT; p++)
		printf("%-18s %-30s %s\n", p ? "" : "BPF signals",
		       acg_signals_tracepoint((enum acg_sig_prog)p),
		       h->bpf_signal_progs & (1u << p) ? "attached" : h->bpf_signal_why[p]);
	if (h->bpf_note[0])
		printf("%-18s %s\n", "", h->bpf_note);
}

static void print_controls(int version)
{
	if (!version)
		return;
	printf("\nper-session controls (cgroup v%d):\n", version);
	for (int c = 0; c < ACG_CTL__COUNT; c++) {
		const char *why = NULL;
		const char *file = acg_ctl_file(version, c, &why);

		printf("  %-10s %s\n", acg_ctl_name(c), file ? file : why);
	}
}

static void print_strategies(const struct acg_host *h)
{
	size_t n;
	const struct acg_strategy *s = acg_strategies(&n);

	/* every strategy creates and limits cgroups under the managed root: root only */
	if (h->root)
		printf("\nstrategies:\n");
	else
		printf("\nstrategies (not root here: each needs root to create and limit its "
		       "cgroups):\n");
	for (size_t i = 0; i < n; i++) {
		const char *why = NULL;
		bool ok = s[i].supported(h, &why);

		printf("  %-8s %-*s %s\n", s[i].name, h->root ? 4 : 13,
		       !ok	 ? "no"
		       : h->root ? "yes"
				 : "yes (as root)",
		       ok ? s[i].summary : why);
	}
}

static void print_text(const struct acg_host *h)
{
	printf("%-18s %s\n", "kernel", h->kernel);
	print_cgroups(h);
	print_size("memory", h->mem_total);
	print_size("swap", h->swap_total);
	print_psi(h);
	print_bpf(h);
	print_controls(h->mounts.mem_version);
	print_strategies(h);
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct acg_host host;
	bool json = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			check_usage(stdout);
			return ACG_EXIT_OK;
		default:
			acg_bad_option("check", argv[optind - 1]);
			return ACG_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		acg_err("check: unexpected argument '%s'", argv[optind]);
		return ACG_EXIT_USAGE;
	}

	acg_host_probe(&host);
	if (host.mounts_err < 0)
		acg_err("check: cannot read /proc/self/mountinfo: %s", strerror(-host.mounts_err));
	if (json) {
		json_t *o = acg_host_to_json(&host);

		if (!o || json_dumpf(o, stdout, JSON_INDENT(2)) < 0) {
			acg_err("check: cannot build the JSON report");
			json_decref(o);
			return ACG_EXIT_FAIL;
		}
		printf("\n");
		json_decref(o);
	} else {
		print_text(&host);
	}
	return host.mounts_err < 0 ? ACG_EXIT_FAIL : ACG_EXIT_OK;
}
