// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_signals.c: open, load and attach the signals skeleton; read its per-cgroup map. The
 * steps are libbpf-bootstrap's: open, load, attach, (read), destroy. libbpf's own messages
 * are kept, not printed: the last warning becomes the reason a load failed.
 */
#include "bpf_signals.h"

#include "signals.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct acg_signals {
	struct signals_bpf *skel;
	struct bpf_link *link[ACG_SIG__COUNT];
	unsigned int attached;
	char why[ACG_SIG__COUNT][96];
};

static const char *const tracepoints[ACG_SIG__COUNT] = {
	"page_fault_user", "mm_vmscan_memcg_reclaim_begin", "mm_vmscan_memcg_reclaim_end",
	"mark_victim"};

const char *acg_signals_tracepoint(enum acg_sig_prog p)
{
	return p < ACG_SIG__COUNT ? tracepoints[p] : "?";
}

unsigned int acg_signals_attached(const struct acg_signals *s, const char **why)
{
	for (size_t p = 0; why && p < ACG_SIG__COUNT; p++)
		why[p] = s->why[p];
	return s->attached;
}

/* libbpf's print hook takes no argument of ours: its last warning is kept per thread */
static _Thread_local char last_msg[256];

static int keep_last(enum libbpf_print_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static int keep_last(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level <= LIBBPF_WARN) {
		vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
		last_msg[strcspn(last_msg, "\n")] = '\0';
	}
	return 0;
}

int acg_signals_open(struct acg_signals **ret, struct acg_diag *err)
{
	libbpf_print_fn_t old = libbpf_set_print(keep_last);
	struct acg_signals *s = calloc(1, sizeof(*s));
	const char *step = "open";
	int r;

	last_msg[0] = '\0';
	if (!s) {
		r = -ENOMEM;
		goto fail;
	}
	/* 1. open */
	s->skel = signals_bpf__open();
	if (!s->skel) {
		r = -errno;
		goto fail;
	}
	/* 2. load (verify) */
	step = "load";
	r = signals_bpf__load(s->skel);
	if (r < 0)
		goto fail;
	/* 3. attach each raw tracepoint on its own: one the kernel refuses leaves the others */
	step = "attach";
	{
		struct bpf_program *prog[ACG_SIG__COUNT] = {
			s->skel->progs.on_fault, s->skel->progs.on_reclaim_begin,
			s->skel->progs.on_reclaim_end, s->skel->progs.on_mark_victim};

		for (size_t p = 0; p < ACG_SIG__COUNT; p++) {
			s->link[p] = bpf_program__attach(prog[p]);
			if (s->link[p]) {
				s->attached |= 1u << p;
				continue;
			}
			r = -errno;
			s->link[p] = NULL;
			snprintf(s->why[p], sizeof(s->why[p]), "%s%s%s", strerror(-r),
				 last_msg[0] ? ": " : "", last_msg);
		}
	}
	if (!s->attached)
		goto fail;
	libbpf_set_print(old);
	*ret = s;
	return 0;
fail:
	acg_diag_set(err, "%s failed: %s%s%s", step, strerror(r < 0 ? -r : ENOMEM),
		     last_msg[0] ? ": " : "", last_msg);
	acg_signals_free(s);
	libbpf_set_print(old);
	return r < 0 ? r : -ENOMEM;
}

int acg_signals_read(struct acg_signals *s, uint64_t cgid, struct acg_sig_stats *ret)
{
	int fd = bpf_map__fd(s->skel->maps.stats);

	if (bpf_map_lookup_elem(fd, &cgid, ret) < 0)
		return -errno;
	return 0;
}

void acg_signals_free(struct acg_signals *s)
{
	if (!s)
		return;
	for (size_t p = 0; p < ACG_SIG__COUNT; p++)
		bpf_link__destroy(s->link[p]);
	signals_bpf__destroy(s->skel);
	free(s);
}
