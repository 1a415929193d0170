// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_memcg_ops.c: probe, configure, load and attach the memcg struct_ops policy (see
 * bpf_memcg_ops.h). The steps follow libbpf-bootstrap and sched_ext's loaders: probe BTF
 * for the struct (and which revision of the RFC it is) and the event enum, open the
 * object built for that revision, set rodata, load, write the tables into their maps,
 * attach per cgroup, read stats, detach.
 *
 * The per-cgroup attach is the RFC's BPF_LINK_CREATE with the struct_ops map and attach
 * type BPF_STRUCT_OPS: v7 names the cgroup in target_fd with flags BPF_F_CGROUP_FD; v6 in
 * link_create.cgroup.relative_fd. Debian 12's libbpf (1.1) and uapi headers (6.1) predate
 * struct_ops links, so the attribute is built by hand, and the map gets BPF_F_LINK by
 * hand: libbpf 1.1's bpf_map__attach_struct_ops() only writes the table (program fds)
 * into the map, which the kernel then keeps until a link registers it. The v7 path runs
 * on the lab kernel (make kernel-lab, tests/live/test_memcg_ops.c); no kernel with v6 is
 * built here, so v6 past the probe has never run.
 */
#include "bpf_memcg_ops.h"

#include "memcg_ops.skel.h"
#include "memcg_ops_v7.skel.h"

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
#define ACG_BPF_STRUCT_OPS 44	      /* enum bpf_attach_type, since 6.4 */
#define ACG_BPF_F_CGROUP_FD (1U << 7) /* RFC v7: target_fd is a cgroup */

#define MAX_LINKS 64

/* What the loader needs of either revision's skeleton, by the same names. */
struct ops_obj {
	void *skel;
	void (*destroy)(void *skel);
	struct bpf_map *high_ops, *low_ops, *stats, *budget_usage;
	struct bpf_program *on_memcg_event;
	struct bpf_link **event_link;
};

struct acg_memcg_ops {
	int rev;
	struct ops_obj ob;
	struct bpf_link *tables[2]; /* the tables written into their maps (libbpf 1.1) */
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

/* One phrase of why, returned with err: a failure's errno text after it ("not supported"
 * is the phrase itself). */
static int why_set(struct acg_diag *why, int err, const char *phrase)
{
	if (err == -EOPNOTSUPP)
		acg_diag_set(why, "%s", phrase);
	else
		acg_diag_set(why, "%s: %s", phrase, strerror(-err));
	return err;
}

/* Does struct t (of btf) have a member called name? */
static bool has_member(const struct btf *btf, const struct btf_type *t, const char *name)
{
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++)
		if (strcmp(btf__name_by_offset(btf, m[i].name_off), name) == 0)
			return true;
	return false;
}

int acg_memcg_ops_revision(const struct btf *btf)
{
	int id = btf__find_by_name_kind(btf, "memcg_bpf_ops", BTF_KIND_STRUCT);
	const struct btf_type *t = id < 0 ? NULL : btf__type_by_id(btf, id);

	if (!t)
		return 0;
	if (has_member(btf, t, "memcg_charged") && has_member(btf, t, "below_low"))
		return 7;
	if (has_member(btf, t, "get_high_delay_ms") && has_member(btf, t, "below_low"))
		return 6;
	return -1;
}

int acg_memcg_ops_probe(int *ret_rev, struct acg_diag *why)
{
	libbpf_print_fn_t old = libbpf_set_print(silent);
	struct btf *btf = btf__load_vmlinux_btf();
	int rev;

	libbpf_set_print(old);
	if (!btf)
		return why_set(why, -EOPNOTSUPP, "no kernel BTF to look for it in");
	rev = acg_memcg_ops_revision(btf);
	btf__free(btf);
	if (rev == 0)
		return why_set(why, -EOPNOTSUPP, "kernel lacks struct memcg_bpf_ops");
	if (rev < 0)
		return why_set(why, -EOPNOTSUPP,
			       "kernel's struct memcg_bpf_ops is neither the RFC's v6 nor its v7");
	if (ret_rev)
		*ret_rev = rev;
	return 0;
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
 * BPF_LINK_CREATE(map, BPF_STRUCT_OPS) on a cgroup, laid out by hand: link_create = { u32
 * map_fd; u32 target_fd; u32 attach_type; u32 flags; union { ... cgroup { u32
 * relative_fd; ... } } } at the start of bpf_attr. v7: target_fd = the cgroup, flags
 * BPF_F_CGROUP_FD; v6: relative_fd = the cgroup.
 */
static int link_to_cgroup(int rev, int map_fd, int cgroup_fd)
{
	union bpf_attr attr;
	uint32_t words[5] = {(uint32_t)map_fd, 0, ACG_BPF_STRUCT_OPS, 0, 0};

	if (rev == 7) {
		words[1] = (uint32_t)cgroup_fd;
		words[3] = ACG_BPF_F_CGROUP_FD;
	} else {
		words[4] = (uint32_t)cgroup_fd;
	}
	memset(&attr, 0, sizeof(attr));
	memcpy(&attr, words, sizeof(words));
	return (int)syscall(SYS_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
}

/* Open revision rev's object and set its constants (the same names in both). */
#define OPEN_AS(prefix, o, cfg, id, ev)                                 \
	do {                                                            \
		struct prefix *s_ = prefix##__open();                   \
		if (!s_)                                                \
			break;                                          \
		s_->rodata->event_idx = (ev);                           \
		s_->rodata->high_cgid = (id);                           \
		s_->rodata->high_level = acg_cg_level((cfg)->high);     \
		s_->rodata->budget_bytes = (cfg)->budget_bytes;         \
		if ((cfg)->max_delay_ms)                                \
			s_->rodata->max_delay_ms = (cfg)->max_delay_ms; \
		(o)->skel = s_;                                         \
		(o)->destroy = destroy_##prefix;                        \
		(o)->high_ops = s_->maps.high_ops;                      \
		(o)->low_ops = s_->maps.low_ops;                        \
		(o)->stats = s_->maps.stats;                            \
		(o)->budget_usage = s_->maps.budget_usage;              \
		(o)->on_memcg_event = s_->progs.on_memcg_event;         \
		(o)->event_link = &s_->links.on_memcg_event;            \
	} while (0)

static void destroy_memcg_ops_bpf(void *s)
{
	memcg_ops_bpf__destroy(s);
}

static void destroy_memcg_ops_v7_bpf(void *s)
{
	memcg_ops_v7_bpf__destroy(s);
}

static int load_ops(struct ops_obj *o, int rev)
{
	return rev == 7 ? memcg_ops_v7_bpf__load(o->skel) : memcg_ops_bpf__load(o->skel);
}

int acg_memcg_ops_attach(const struct acg_memcg_ops_cfg *cfg, struct acg_memcg_ops **ret,
			 struct acg_diag *why)
{
	struct acg_memcg_ops *o;
	uint64_t id;
	int r, ev = -1, rev = 0;

	r = acg_memcg_ops_probe(&rev, why);
	if (r < 0)
		return r;
	if (!cfg->high || acg_cg_version(cfg->high) != 2 || acg_cg_v2_id(cfg->high, &id) < 0)
		return why_set(why, -EOPNOTSUPP, "memcg struct_ops needs cgroup v2");
	o = calloc(1, sizeof(*o));
	if (!o)
		return why_set(why, -ENOMEM, "the struct_ops loader's state");
	o->rev = rev;
	/* v6: HIGH's activity is its page faults, the event looked up by name (never a
	 * hard-coded enum number) and counted by a tracepoint; v7 counts HIGH's charges */
	if (rev == 7 || btf_enum_value("vm_event_item", "PGFAULT", &ev) < 0)
		ev = -1;
	if (rev == 7)
		OPEN_AS(memcg_ops_v7_bpf, &o->ob, cfg, id, ev);
	else
		OPEN_AS(memcg_ops_bpf, &o->ob, cfg, id, ev);
	if (!o->ob.skel) {
		r = -errno;
		why_set(why, r, "cannot open the struct_ops object");
		goto fail;
	}
	if (ev < 0)
		bpf_program__set_autoload(o->ob.on_memcg_event, false);
	bpf_map__set_map_flags(o->ob.high_ops, BPF_F_LINK);
	bpf_map__set_map_flags(o->ob.low_ops, BPF_F_LINK);
	r = load_ops(&o->ob, rev);
	if (r < 0) {
		why_set(why, r, "the kernel refused the struct_ops programs");
		goto fail;
	}
	if (ev >= 0) {
		/* HIGH's activity; the skeleton detaches it on destroy */
		*o->ob.event_link = bpf_program__attach(o->ob.on_memcg_event);
		if (!*o->ob.event_link) {
			r = -errno;
			why_set(why, r, "cannot attach count_memcg_events");
			goto fail;
		}
	}
	/* the tables into their maps (registered per cgroup by the links below) */
	o->tables[0] = bpf_map__attach_struct_ops(o->ob.high_ops);
	o->tables[1] = o->tables[0] ? bpf_map__attach_struct_ops(o->ob.low_ops) : NULL;
	if (!o->tables[1]) {
		r = -errno;
		why_set(why, r, "cannot write the struct_ops tables into their maps");
		goto fail;
	}
	{
		int fd = link_to_cgroup(rev, bpf_map__fd(o->ob.high_ops), acg_cg_dir_fd(cfg->high));

		if (fd < 0) {
			r = -errno;
			why_set(why, r, "the kernel refused high_ops on the HIGH session's cgroup");
			goto fail;
		}
		o->links[o->n_links++] = fd;
	}
	if (cfg->n_low + 1 > MAX_LINKS) {
		r = -E2BIG;
		why_set(why, r, "more LOW sessions than the struct_ops loader attaches (63)");
		goto fail;
	}
	for (size_t i = 0; i < cfg->n_low; i++) {
		int fd =
			link_to_cgroup(rev, bpf_map__fd(o->ob.low_ops), acg_cg_dir_fd(cfg->low[i]));

		if (fd < 0) {
			r = -errno;
			why_set(why, r, "the kernel refused low_ops on a LOW session's cgroup");
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

int acg_memcg_ops_rev(const struct acg_memcg_ops *o)
{
	return o->rev;
}

int acg_memcg_ops_update(struct acg_memcg_ops *o, uint64_t budget_usage)
{
	unsigned int zero = 0;

	return bpf_map_update_elem(bpf_map__fd(o->ob.budget_usage), &zero, &budget_usage, BPF_ANY) <
			       0
		       ? -errno
		       : 0;
}

int acg_memcg_ops_stats(struct acg_memcg_ops *o, uint64_t ret[ACG_OPS__NR])
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(o->ob.stats);
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
	/* detach each link now (BPF_LINK_DETACH unregisters synchronously; a close alone
	 * waits for the last reference), then drop it: the kernel restores the parent's ops */
	for (size_t i = 0; i < o->n_links; i++) {
		bpf_link_detach(o->links[i]);
		close(o->links[i]);
	}
	for (size_t i = 0; i < 2; i++)
		bpf_link__destroy(o->tables[i]);
	if (o->ob.skel)
		o->ob.destroy(o->ob.skel);
	free(o);
}
