// SPDX-License-Identifier: GPL-2.0
/*
 * host.c: run-time probes of the host's memory-control features (see host.h). Each probe
 * tries the real thing (load a program, open a trigger) rather than reading version
 * numbers, and records a short reason where it fails.
 */
#include "host.h"

#include "bpf_memcg_ops.h"
#include "bpf_signals.h"
#include "fsutil.h"
#include "parse.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static uint64_t meminfo_kb(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	unsigned long long kb;

	if (!p || sscanf(p + strlen(key), " %llu", &kb) != 1)
		return 0;
	return (uint64_t)kb * 1024;
}

static bool has_cap_sys_resource(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {0};

	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[CAP_SYS_RESOURCE / 32].effective & (1u << (CAP_SYS_RESOURCE % 32));
}

/* Smallest window (ms) the kernel accepts for a trigger on /proc/pressure/memory. */
static unsigned int probe_psi_window(void)
{
	static const unsigned int windows_ms[] = {500, 2000};

	for (size_t i = 0; i < sizeof(windows_ms) / sizeof(windows_ms[0]); i++) {
		char buf[64];
		int fd = open("/proc/pressure/memory", O_RDWR | O_NONBLOCK | O_CLOEXEC);
		int len;
		bool ok;

		if (fd < 0)
			return 0;
		len = snprintf(buf, sizeof(buf), "some %u %u", windows_ms[i] * 100,
			       windows_ms[i] * 1000);
		ok = write(fd, buf, (size_t)len + 1) >= 0;
		close(fd);
		if (ok)
			return windows_ms[i];
	}
	return 0;
}

static void probe_psi(struct acg_host *h)
{
	char buf[256];
	const struct acg_mounts *m = &h->mounts;

	h->psi = acg_read_buf_at(AT_FDCWD, "/proc/pressure/memory", buf, sizeof(buf)) > 0;
	h->cap_sys_resource = has_cap_sys_resource();
	h->psi_min_window_ms = h->psi ? probe_psi_window() : 0;
	if (h->psi && m->v2_path[0]) {
		char path[ACG_PATH_MAX + 32];

		/* v2: the session itself; hybrid: its twin under the cgroup2 mount */
		snprintf(path, sizeof(path), "%s/memory.pressure", m->v2_path);
		h->psi_cgroup = access(path, R_OK) == 0;
	}
}

static void probe_tracefs(struct acg_host *h)
{
	static const char *const mounts[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	char path[128];

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events", mounts[i]);
		if (access(path, R_OK) == 0) {
			snprintf(h->tracefs, sizeof(h->tracefs), "%s", mounts[i]);
			break;
		}
	}
}

/* A tracepoint exists when the kernel's BTF has its btf_trace_<name> typedef. */
static bool btf_has_tracepoint(const struct btf *btf, const char *name)
{
	char tn[128];

	snprintf(tn, sizeof(tn), "btf_trace_%s", name);
	return btf__find_by_name_kind(btf, tn, BTF_KIND_TYPEDEF) >= 0;
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static void probe_bpf(struct acg_host *h)
{
	libbpf_print_fn_t old = libbpf_set_print(silent_print);
	struct btf *btf;
	int r;

	r = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACEPOINT, NULL);
	h->bpf_tracepoint = r == 1;
	h->bpf_syscall = r >= 0;
	if (r < 0)
		snprintf(h->bpf_note, sizeof(h->bpf_note), "bpf(2) refused: %s", strerror(-r));
	h->bpf_struct_ops = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_STRUCT_OPS, NULL) == 1;

	btf = btf__load_vmlinux_btf();
	if (!btf) {
		if (!h->bpf_note[0])
			snprintf(h->bpf_note, sizeof(h->bpf_note),
				 "no kernel BTF (/sys/kernel/btf/vmlinux): %s", strerror(errno));
	} else {
		h->btf_vmlinux = true;
		h->memcg_bpf_ops_rev = acg_memcg_ops_revision(btf);
		h->memcg_bpf_ops = h->memcg_bpf_ops_rev != 0;
		h->tp_memcg = btf_has_tracepoint(btf, "count_memcg_events");
		h->tp_vmscan = btf_has_tracepoint(btf, "mm_vmscan_memcg_reclaim_begin");
		h->tp_oom = btf_has_tracepoint(btf, "mark_victim");
		h->tp_page_fault = btf_has_tracepoint(btf, "page_fault_user");
		btf__free(btf);
	}
	libbpf_set_print(old);
	/* the signal programs themselves: load and attach them, then let them go */
	{
		struct acg_signals *sig;

		const char *why[ACG_SIG__COUNT];

		struct acg_diag note;

		h->bpf_signals = acg_signals_open(&sig, &note) == 0;
		if (!h->bpf_signals)
			snprintf(h->bpf_signals_note, sizeof(h->bpf_signals_note), "%s", note.msg);
		if (h->bpf_signals) {
			h->bpf_signal_progs = acg_signals_attached(sig, why);
			for (size_t p = 0; p < ACG_SIG__COUNT; p++)
				snprintf(h->bpf_signal_why[p], sizeof(h->bpf_signal_why[p]), "%s",
					 why[p]);
			acg_signals_free(sig);
		}
	}
}

/* One /proc/meminfo field, in bytes (0 if unreadable). */
static uint64_t meminfo_field(const char *key)
{
	char *meminfo;
	uint64_t v;

	if (acg_read_text("/proc/meminfo", &meminfo) < 0)
		return 0;
	v = meminfo_kb(meminfo, key);
	free(meminfo);
	return v;
}

uint64_t acg_host_mem_total(void)
{
	return meminfo_field("MemTotal:");
}

uint64_t acg_host_mem_available(void)
{
	return meminfo_field("MemAvailable:");
}

uint64_t acg_host_swap_total(void)
{
	return meminfo_field("SwapTotal:");
}

uint64_t acg_host_swap_free(void)
{
	return meminfo_field("SwapFree:");
}

void acg_host_probe(struct acg_host *ret)
{
	struct acg_host h = {0};
	struct utsname u;
	char *meminfo;

	if (uname(&u) == 0)
		snprintf(h.kernel, sizeof(h.kernel), "%s", u.release);
	h.mounts_err = acg_mounts_detect(&h.mounts);
	h.root = geteuid() == 0;
	if (acg_read_text("/proc/meminfo", &meminfo) == 0) {
		h.mem_total = meminfo_kb(meminfo, "MemTotal:");
		h.swap_total = meminfo_kb(meminfo, "SwapTotal:");
		free(meminfo);
	}
	probe_psi(&h);
	probe_tracefs(&h);
	probe_bpf(&h);
	*ret = h;
}
