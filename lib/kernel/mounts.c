// SPDX-License-Identifier: GPL-2.0
/*
 * mounts.c: find the memory controller. A mountinfo line reads
 *
 *   35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
 *   id parent dev root mountpoint opts [optional...] - fstype source superopts
 *
 * A v1 hierarchy is fstype "cgroup" with the controller named in its super options; the
 * unified hierarchy is fstype "cgroup2". /proc/cgroups says, per controller, which
 * hierarchy holds it (0 = the unified one) and whether it is enabled. So on this
 * project's reference host (memory on v1, an empty cgroup2 at /sys/fs/cgroup/unified) the
 * answer is: mode hybrid, memory v1 at /sys/fs/cgroup/memory, freezer v1, cgroup2 for PSI.
 */
#include "mounts.h"

#include "fsutil.h"
#include "parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *acg_cgmode_name(enum acg_cgmode mode)
{
	switch (mode) {
	case ACG_CGMODE_LEGACY:
		return "legacy";
	case ACG_CGMODE_HYBRID:
		return "hybrid";
	case ACG_CGMODE_UNIFIED:
		return "unified";
	default:
		return "none";
	}
}

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* Copy a mountinfo path field, decoding the kernel's octal escapes (\040 for space). */
static int unescape_path(const char *src, size_t n, char *dst, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = src[i];

		/* only a full \ooo escape (found by fuzzing: "\\0#" shifted a negative) */
		if (c == '\\' && i + 3 < n && src[i + 1] >= '0' && src[i + 1] <= '3' &&
		    is_octal(src[i + 2]) && is_octal(src[i + 3])) {
			c = (char)(((src[i + 1] - '0') << 6) | ((src[i + 2] - '0') << 3) |
				   (src[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= size)
			return -ENAMETOOLONG;
		dst[o++] = c;
	}
	dst[o] = '\0';
	return 0;
}

/* The n-th space-separated field of line (0-based), as pointer and length. */
static const char *field(const char *line, const char *eol, int n, size_t *len)
{
	const char *p = line;

	for (int i = 0; p < eol; i++) {
		const char *e = p;

		while (e < eol && *e != ' ')
			e++;
		if (i == n) {
			*len = (size_t)(e - p);
			return p;
		}
		p = e + 1;
	}
	return NULL;
}

/* Does a comma-separated option list hold opt? */
static bool opt_in_list(const char *opts, size_t n, const char *opt)
{
	size_t olen = strlen(opt);
	const char *p = opts, *end = opts + n;

	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		size_t len = c ? (size_t)(c - p) : (size_t)(end - p);

		if (len == olen && strncmp(p, opt, olen) == 0)
			return true;
		p += len + 1;
	}
	return false;
}

struct mi_line {
	const char *mnt, *fstype, *super;
	size_t mnt_len, fstype_len, super_len;
};

static int mi_split(const char *line, const char *eol, struct mi_line *ret)
{
	const char *sep;

	ret->mnt = field(line, eol, 4, &ret->mnt_len);
	if (!ret->mnt)
		return -EINVAL;
	/* the optional fields end at a lone "-"; paths escape spaces, so it is unambiguous */
	sep = strstr(line, " - ");
	if (!sep || sep >= eol)
		return -EINVAL;
	ret->fstype = field(sep + 3, eol, 0, &ret->fstype_len);
	ret->super = field(sep + 3, eol, 2, &ret->super_len);
	if (!ret->fstype || !ret->super)
		return -EINVAL;
	return 0;
}

static int scan_mountinfo(const char *mountinfo, struct acg_mounts *m, bool *has_v1)
{
	const char *line = mountinfo;
	int r;

	while (line && *line) {
		const char *eol = line + strcspn(line, "\n");
		struct mi_line mi;
		char *dst = NULL;

		if (eol == line)
			goto next;
		r = mi_split(line, eol, &mi);
		if (r < 0)
			return r;
		if (mi.fstype_len == 7 && strncmp(mi.fstype, "cgroup2", 7) == 0) {
			if (!m->v2_path[0])
				dst = m->v2_path;
		} else if (mi.fstype_len == 6 && strncmp(mi.fstype, "cgroup", 6) == 0) {
			*has_v1 = true;
			if (opt_in_list(mi.super, mi.super_len, "memory") && !m->mem_path[0])
				dst = m->mem_path;
			else if (opt_in_list(mi.super, mi.super_len, "freezer") &&
				 !m->freezer_path[0])
				dst = m->freezer_path;
		}
		if (dst) {
			r = unescape_path(mi.mnt, mi.mnt_len, dst, ACG_PATH_MAX);
			if (r < 0)
				return r;
		}
	next:
		line = *eol ? eol + 1 : NULL;
	}
	return 0;
}

/* /proc/cgroups: "#subsys_name hierarchy num_cgroups enabled". */
static int scan_proc_cgroups(const char *text, int *ret_hierarchy, bool *ret_enabled)
{
	const char *line = text;

	while (line && *line) {
		char name[64];
		int hier, num, enabled;

		if (*line != '#' &&
		    sscanf(line, "%63s %d %d %d", name, &hier, &num, &enabled) == 4 &&
		    strcmp(name, "memory") == 0) {
			*ret_hierarchy = hier;
			*ret_enabled = enabled != 0;
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENOENT;
}

int acg_mounts_parse(const char *mountinfo, const char *proc_cgroups, const char *v2_controllers,
		     struct acg_mounts *ret)
{
	struct acg_mounts m = {0};
	bool has_v1 = false;
	int hier;
	int r;

	r = scan_mountinfo(mountinfo, &m, &has_v1);
	if (r < 0)
		return r;
	if (has_v1)
		m.mode = m.v2_path[0] ? ACG_CGMODE_HYBRID : ACG_CGMODE_LEGACY;
	else if (m.v2_path[0])
		m.mode = ACG_CGMODE_UNIFIED;

	/* without /proc/cgroups (kernel without v1 support) only cgroup.controllers can tell */
	if (scan_proc_cgroups(proc_cgroups ? proc_cgroups : "", &hier, &m.mem_enabled) < 0) {
		hier = 0;
		m.mem_enabled = v2_controllers && acg_word_in_list(v2_controllers, "memory");
	}

	if (m.mem_path[0] && m.mem_enabled) {
		m.mem_version = 1;
	} else if (m.v2_path[0] && m.mem_enabled && hier == 0 &&
		   (!v2_controllers || acg_word_in_list(v2_controllers, "memory"))) {
		m.mem_version = 2;
		snprintf(m.mem_path, sizeof(m.mem_path), "%s", m.v2_path);
	} else {
		m.mem_path[0] = '\0';
	}
	if (m.mem_version == 2)
		m.freezer_path[0] = '\0';
	*ret = m;
	return 0;
}

int acg_mounts_detect(struct acg_mounts *ret)
{
	char *mountinfo = NULL, *cgroups = NULL, *ctl = NULL;
	struct acg_mounts first;
	int r;

	r = acg_read_text("/proc/self/mountinfo", &mountinfo);
	if (r < 0)
		goto out;
	/* /proc/cgroups is absent when the kernel has no v1 support at all */
	if (acg_read_text("/proc/cgroups", &cgroups) < 0)
		cgroups = NULL;
	r = acg_mounts_parse(mountinfo, cgroups, NULL, &first);
	if (r < 0 || !first.v2_path[0])
		goto done;
	{
		char path[ACG_PATH_MAX + 32];

		snprintf(path, sizeof(path), "%s/cgroup.controllers", first.v2_path);
		if (acg_read_text(path, &ctl) < 0)
			ctl = NULL;
	}
	r = acg_mounts_parse(mountinfo, cgroups, ctl ? ctl : "", &first);
done:
	if (r == 0)
		*ret = first;
out:
	free(mountinfo);
	free(cgroups);
	free(ctl);
	return r;
}
