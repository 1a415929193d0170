// SPDX-License-Identifier: GPL-2.0
/*
 * host_json.c: host facts as data (see docs/check.md). `check --json` prints this object
 * and every bench run stores it, so results always say what the kernel offered.
 */
#include "host.h"

#include "bpf_signals.h"
#include "cgroup.h"
#include "strategy.h"

#include <jansson.h>

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static json_t *cgroup_json(const struct acg_host *h)
{
	const struct acg_mounts *m = &h->mounts;

	return json_pack("{s:s, s:i, s:o, s:o, s:o, s:b}", "mode", acg_cgmode_name(m->mode),
			 "memory_version", m->mem_version, "memory_mount", str_or_null(m->mem_path),
			 "cgroup2_mount", str_or_null(m->v2_path), "freezer_mount",
			 str_or_null(m->freezer_path), "memory_enabled", m->mem_enabled);
}

static json_t *controls_json(int version)
{
	json_t *o = json_object();

	/* without a memory controller there are no controls to map */
	for (int c = 0; version && c < ACG_CTL__COUNT && o; c++) {
		const char *why = NULL;
		const char *file = acg_ctl_file(version, c, &why);

		json_object_set_new(o, acg_ctl_name(c),
				    file ? json_pack("{s:s}", "file", file)
					 : json_pack("{s:n, s:s}", "file", "reason",
						     why ? why : "unavailable"));
	}
	return o;
}

static json_t *strategies_json(const struct acg_host *h)
{
	size_t n;
	const struct acg_strategy *s = acg_strategies(&n);
	json_t *a = json_array();

	for (size_t i = 0; i < n && a; i++) {
		const char *why = NULL;
		bool ok = s[i].supported(h, &why);

		/* every strategy creates and limits cgroups under the managed root */
		json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:o, s:b}", "name", s[i].name,
						   "summary", s[i].summary, "supported", ok,
						   "reason", ok ? json_null() : json_string(why),
						   "needs_root", 1));
	}
	return a;
}

json_t *acg_host_to_json(const struct acg_host *h)
{
	json_t *psi = json_pack("{s:b, s:b, s:b, s:i}", "system", h->psi, "per_cgroup",
				h->psi_cgroup, "cap_sys_resource", h->cap_sys_resource,
				"min_trigger_window_ms", (int)h->psi_min_window_ms);
	json_t *bpf = json_pack(
		"{s:b, s:b, s:b, s:o, s:{s:b, s:b, s:b, s:b}, s:b, s:b, s:o, s:o}", "syscall",
		h->bpf_syscall, "tracepoint_programs", h->bpf_tracepoint, "struct_ops_programs",
		h->bpf_struct_ops, "tracefs", str_or_null(h->tracefs), "tracepoints",
		"memcg_count_memcg_events", h->tp_memcg, "vmscan_memcg_reclaim_begin", h->tp_vmscan,
		"oom_mark_victim", h->tp_oom, "page_fault_user", h->tp_page_fault, "btf_vmlinux",
		h->btf_vmlinux, "memcg_bpf_ops", h->memcg_bpf_ops, "memcg_bpf_ops_revision",
		h->memcg_bpf_ops_rev > 0 ? json_integer(h->memcg_bpf_ops_rev) : json_null(), "note",
		str_or_null(h->bpf_note));

	if (bpf) {
		json_t *progs = json_object();

		json_object_set_new(bpf, "signals_attached", json_boolean(h->bpf_signals));
		for (size_t p = 0; h->bpf_signals && p < ACG_SIG__COUNT; p++)
			json_object_set_new(progs, acg_signals_tracepoint((enum acg_sig_prog)p),
					    h->bpf_signal_progs & (1u << p)
						    ? json_string("attached")
						    : json_string(h->bpf_signal_why[p]));
		json_object_set_new(bpf, "signal_programs", progs);
		json_object_set_new(bpf, "signals_note",
				    h->bpf_signals ? json_null()
						   : json_string(h->bpf_signals_note));
	}

	return json_pack("{s:s, s:b, s:o, s:I, s:I, s:o, s:o, s:o, s:o}", "kernel", h->kernel,
			 "root", h->root, "cgroup", cgroup_json(h), "mem_total_bytes",
			 (json_int_t)h->mem_total, "swap_total_bytes", (json_int_t)h->swap_total,
			 "psi", psi, "bpf", bpf, "controls", controls_json(h->mounts.mem_version),
			 "strategies", strategies_json(h));
}
