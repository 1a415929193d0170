// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_memcg_ops.c: probe, configure, load and attach the memcg struct_ops policy (see
 * bpf_memcg_ops.h). The steps follow libbpf-bootstrap and sched_ext's loaders: probe BTF
 * for the struct and the event enum, open, set rodata, load, attach, read stats, detach.
 *
 * The per-cgroup attach is the RFC's: BPF_LINK_CREATE with the struct_ops map, attach type
 * BPF_STRUCT_OPS and link_create.cgroup.relative_fd = the cgroup directory's fd. Stock
 * libbpf (Debian's 1.1) has no option for that, so the attribute is built by hand. No
 * kernel here has the struct: past the probe this path has never run, and says so.
 */
#include "bpf_memcg_ops.h"

#include "memcg_ops.skel.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef BPF_F_LINK
#define BPF_F_LINK (1U << 13)
#endif

#define MAX_LINKS 64

struct acg_memcg_ops {
	struct memcg_ops_bpf *skel;
	int links[MAX_LINKS];
	size_t n_links;
};

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* One phrase of why, returned with err. */
static int why_set(struct acg_diag *why, int err, const char *phrase)
{
	acg_diag_set(why, "%s", phrase);
	return err;
}

int acg_memcg_ops_probe(struct acg_diag *why)
{
	libbpf_print_fn_t old = libbpf_set_print(silent);
	struct btf *btf = btf__load_vmlinux_btf();
	int r = 0;

	libbpf_set_print(old);
	if (!btf)
		return why_set(why, -EOPNOTSUPP, "no kernel BTF to look for it in");
	if (btf__find_by_name_kind(btf, "memcg_bpf_ops", BTF_KIND_STRUCT) < 0)
		r = why_set(why, -EOPNOTSUPP, "kernel lacks struct memcg_bpf_ops");
	btf__free(btf);
	return r;
}

/* The value of enumerator name in enum enum_name, from the kernel's BTF. */
static int btf_enum_value(const char *enum_name, const char *name, int *ret)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	int id, r = -ENOENT;

	if (!btf)
		return -EOPNOTSUPP;
	id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM);
	t = id < 0 ? NULL : btf__type_by_id(btf, id);
	for (int i = 0; t && i < btf_vlen(t); i++) {
		const struct btf_enum *e = btf_enum(t) + i;

		if (strcmp(btf__name_by_offset(btf, e->name_off), name) == 0) {
			*ret = e->val;
			r = 0;
			break;
		}
	}
	btf__free(btf);
	return r;
}

/*
 * BPF_LINK_CREATE(map, BPF_STRUCT_OPS) relative to a cgroup directory, per the RFC. The
 * uapi headers Debian 12 ships (6.1) predate struct_ops links, so the attribute is laid
 * out by hand: link_create = { u32 prog_fd or map_fd; u32 target_fd; u32 attach_type;
 * u32 flags; union { ... cgroup { u32 relative_fd; ... } } } at the start of bpf_attr.
 */
#define ACG_BPF_STRUCT_OPS 44 /* enum bpf_attach_type, since 6.4 */

static int link_to_cgroup(int map_fd, int cgroup_fd)
{
	union bpf_attr attr;
	uint32_t words[5] = {(uint32_t)map_fd, 0, ACG_BPF_STRUCT_OPS, 0, (uint32_t)cgroup_fd};

	memset(&attr, 0, sizeof(attr));
	memcpy(&attr, words, sizeof(words));
	return (int)syscall(SYS_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
}

int acg_memcg_ops_attach(const struct acg_memcg_ops_cfg *cfg, struct acg_memcg_ops **ret,
			 struct acg_diag *why)
{
	struct acg_memcg_ops *o;
	uint64_t id;
	int r, ev = -1;

	r = acg_memcg_ops_probe(why);
	if (r < 0)
		return r;
	if (acg_cg_version(cfg->high) != 2 || acg_cg_v2_id(cfg->high, &id) < 0)
		return why_set(why, -EOPNOTSUPP, "memcg struct_ops needs cgroup v2");
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->skel = memcg_ops_bpf__open();
	if (!o->skel) {
		r = -errno;
		why_set(why, r, "cannot open the struct_ops object");
		goto fail;
	}
	/* the activity event, by name: never a hard-coded enum number */
	if (btf_enum_value("vm_event_item", "PGFAULT", &ev) < 0)
		bpf_program__set_autoload(o->skel->progs.on_memcg_event, false);
	o->skel->rodata->event_idx = ev;
	o->skel->rodata->high_cgid = id;
	o->skel->rodata->high_level = acg_cg_level(cfg->high);
	o->skel->rodata->budget_bytes = cfg->budget_bytes;
	if (cfg->max_delay_ms)
		o->skel->rodata->max_delay_ms = cfg->max_delay_ms;
	bpf_map__set_map_flags(o->skel->maps.high_ops, BPF_F_LINK);
	bpf_map__set_map_flags(o->skel->maps.low_ops, BPF_F_LINK);
	r = memcg_ops_bpf__load(o->skel);
	if (r < 0) {
		why_set(why, r, "the kernel refused the struct_ops programs");
		goto fail;
	}
	if (ev >= 0) {
		/* HIGH's activity; the skeleton detaches it on destroy */
		o->skel->links.on_memcg_event = bpf_program__attach(o->skel->progs.on_memcg_event);
		if (!o->skel->links.on_memcg_event) {
			r = -errno;
			why_set(why, r, "cannot attach count_memcg_events");
			goto fail;
		}
	}
	{
		int fd = link_to_cgroup(bpf_map__fd(o->skel->maps.high_ops),
					acg_cg_dir_fd(cfg->high));

		if (fd < 0) {
			r = -errno;
			why_set(why, r, "the kernel ejected high_ops at attach");
			goto fail;
		}
		o->links[o->n_links++] = fd;
	}
	for (size_t i = 0; i < cfg->n_low && o->n_links < MAX_LINKS; i++) {
		int fd = link_to_cgroup(bpf_map__fd(o->skel->maps.low_ops),
					acg_cg_dir_fd(cfg->low[i]));

		if (fd < 0) {
			r = -errno;
			why_set(why, r, "the kernel ejected low_ops at attach");
			goto fail;
		}
		o->links[o->n_links++] = fd;
	}
	*ret = o;
	return 0;
fail:
	acg_memcg_ops_detach(o);
	return r < 0 ? r : -EIO;
}

int acg_memcg_ops_update(struct acg_memcg_ops *o, uint64_t budget_usage)
{
	unsigned int zero = 0;

	return bpf_map_update_elem(bpf_map__fd(o->skel->maps.budget_usage), &zero, &budget_usage,
				   BPF_ANY) < 0
		       ? -errno
		       : 0;
}

int acg_memcg_ops_stats(struct acg_memcg_ops *o, uint64_t ret[ACG_OPS__NR])
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(o->skel->maps.stats);
	uint64_t *v;

	if (ncpu <= 0)
		return -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (unsigned int k = 0; k < ACG_OPS__NR; k++) {
		ret[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, v) < 0)
			continue;
		for (int c = 0; c < ncpu; c++)
			ret[k] += v[c];
	}
	free(v);
	return 0;
}

void acg_memcg_ops_detach(struct acg_memcg_ops *o)
{
	if (!o)
		return;
	/* closing a link detaches it: the kernel restores the parent's ops */
	for (size_t i = 0; i < o->n_links; i++)
		close(o->links[i]);
	memcg_ops_bpf__destroy(o->skel);
	free(o);
}
