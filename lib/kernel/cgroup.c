// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup.c: managed cgroups over v1 and v2 (see cgroup.h for the model): handles, identity,
 * controls and readings. The other parts of the layer are listed in cgroup_int.h. Its size
 * (about 700 lines) is opening (root, child, both hierarchies' twins, confined) and every
 * control and reading in its v1 and v2 forms: one concern, each piece short.
 *
 * Every cgroup is held as directory fds: mem_fd (the memory controller's directory),
 * freezer_fd (v1 freezer twin, or -1) and psi_fd (the directory whose memory.pressure
 * describes these tasks: the cgroup itself on v2, the cgroup2 twin on a hybrid host, -1 on
 * a legacy host). Children are made with mkdirat() on those fds, so a path is never
 * re-resolved and nothing outside the root can be reached.
 */
#include "cgroup_int.h"

#include "fsutil.h"
#include "parse.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <mntent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

struct ctl_desc {
	const char *name;
	const char *v2_file, *v1_file;
	const char *v2_why, *v1_why;
};

static const struct ctl_desc ctls[ACG_CTL__COUNT] = {
	[ACG_CTL_MAX] = {"max", "memory.max", "memory.limit_in_bytes", NULL, NULL},
	[ACG_CTL_HIGH] = {"high", "memory.high", NULL, NULL,
			  "cgroup v1 has no throttle threshold (memory.high is v2 only)"},
	[ACG_CTL_LOW] = {"low", "memory.low", NULL, NULL,
			 "cgroup v1 has no memory.low (soft_limit_in_bytes is not a protection)"},
	[ACG_CTL_MIN] = {"min", "memory.min", NULL, NULL, "cgroup v1 has no memory.min"},
	[ACG_CTL_OOM_PAUSE] =
		{"oom-pause", NULL, "memory.oom_control",
		 "cgroup v2 cannot disable the OOM killer (use memory.high or freeze)", NULL},
	[ACG_CTL_OOM_GROUP] = {"oom-group", "memory.oom.group", NULL, NULL,
			       "cgroup v1 has no memory.oom.group"},
	[ACG_CTL_FREEZE] = {"freeze", "cgroup.freeze", "freezer.state", NULL, NULL},
	[ACG_CTL_SWAP_MAX] = {"swap-max", "memory.swap.max", NULL, NULL,
			      "cgroup v1 limits memory+swap together (memory.memsw.*), not swap"},
};

const char *acg_ctl_name(enum acg_ctl c)
{
	return c < ACG_CTL__COUNT ? ctls[c].name : "?";
}

const char *acg_ctl_file(int version, enum acg_ctl c, const char **why)
{
	const char *file, *reason;

	if (c >= ACG_CTL__COUNT)
		return NULL;
	file = version == 2 ? ctls[c].v2_file : ctls[c].v1_file;
	reason = version == 2 ? ctls[c].v2_why : ctls[c].v1_why;
	if (!file && why)
		*why = reason;
	return file;
}

static struct acg_cg *cg_alloc(int version)
{
	struct acg_cg *cg = calloc(1, sizeof(*cg));

	if (!cg)
		return NULL;
	cg->version = version;
	cg->mem_fd = cg->freezer_fd = cg->psi_fd = cg->usage_fd = -1;
	for (int i = 0; i < TW__COUNT; i++)
		cg->parent_fd[i] = -1;
	return cg;
}

void acg_cg_free(struct acg_cg *cg)
{
	if (!cg)
		return;
	if (cg->mem_fd >= 0)
		close(cg->mem_fd);
	if (cg->freezer_fd >= 0)
		close(cg->freezer_fd);
	if (cg->usage_fd >= 0)
		close(cg->usage_fd);
	if (cg->psi_fd >= 0 && cg->psi_fd != cg->mem_fd)
		close(cg->psi_fd);
	for (int i = 0; i < TW__COUNT; i++)
		if (cg->parent_fd[i] >= 0)
			close(cg->parent_fd[i]);
	free(cg);
}

/*
 * mkdirat + open below dirfd; EEXIST is fine (we adopt what is ours by name).
 * *ret_created (may be NULL) says whether this call made it.
 */
static int make_dir(int dirfd, const char *name, bool create, int *ret_fd, bool *ret_created)
{
	bool made = false;
	int fd;

	if (create) {
		if (mkdirat(dirfd, name, 0755) == 0)
			made = true;
		else if (errno != EEXIST)
			return -errno;
	}
	fd = acg_openat(dirfd, name, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fd;
	*ret_fd = fd;
	if (ret_created)
		*ret_created = made;
	return 0;
}

/*
 * Open the parent of relpath below a mount, then make/open its last component. The parent
 * fd is kept (for removal) in *ret_pfd.
 */
static int open_under_mount(const char *mount, const char *relpath, bool create, int *ret_fd,
			    int *ret_pfd, bool *ret_created)
{
	char parent[ACG_PATH_MAX];
	const char *last = strrchr(relpath, '/');
	int mfd, pfd, r;

	mfd = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return -errno;
	if (last) {
		snprintf(parent, sizeof(parent), "%.*s", (int)(last - relpath), relpath);
		last++;
	} else {
		parent[0] = '\0';
		last = relpath;
	}
	r = acg_open_dir_beneath(mfd, parent, &pfd);
	close(mfd);
	if (r < 0)
		return r;
	if (!acg_name_valid(last))
		r = -EINVAL;
	else
		r = make_dir(pfd, last, create, ret_fd, ret_created);
	if (r < 0) {
		close(pfd);
		return r;
	}
	*ret_pfd = pfd;
	return 0;
}

/* The root's path relative to the memory mount, checked to stay inside it. */
static int root_relpath(const struct acg_mounts *m, const char *root, char *rel, size_t size)
{
	size_t mlen = strlen(m->mem_path);

	if (!root)
		root = ACG_DEFAULT_ROOT;
	if (root[0] == '/') {
		if (strncmp(root, m->mem_path, mlen) != 0 || root[mlen] != '/')
			return -EINVAL;
		root += mlen + 1;
	}
	while (*root == '/')
		root++;
	if (!*root || strlen(root) >= size)
		return -EINVAL;
	snprintf(rel, size, "%s", root);
	/* a trailing slash is harmless; any empty, "." or ".." component is not */
	while (strlen(rel) > 0 && rel[strlen(rel) - 1] == '/')
		rel[strlen(rel) - 1] = '\0';
	for (const char *p = rel; *p;) {
		size_t n = strcspn(p, "/");
		char comp[ACG_NAME_MAX + 1];

		if (n == 0 || n > ACG_NAME_MAX)
			return -EINVAL;
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (!acg_name_valid(comp))
			return -EINVAL;
		p += n + (p[n] == '/');
	}
	return 0;
}

int acg_root_open(const struct acg_mounts *m, const char *root, bool create, struct acg_cg **ret)
{
	char rel[ACG_PATH_MAX];
	struct acg_cg *cg;
	int r;

	if (!m->mem_version)
		return -ENOTSUP;
	r = root_relpath(m, root, rel, sizeof(rel));
	if (r < 0)
		return r;
	cg = cg_alloc(m->mem_version);
	if (!cg)
		return -ENOMEM;
	if (snprintf(cg->path, sizeof(cg->path), "%s/%s", m->mem_path, rel) >=
	    (int)sizeof(cg->path)) {
		r = -ENAMETOOLONG;
		goto fail;
	}
	snprintf(cg->name, sizeof(cg->name), "%s", strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel);
	cg->level = 1;
	for (const char *q = rel; *q; q++)
		cg->level += *q == '/';
	r = open_under_mount(m->mem_path, rel, create, &cg->mem_fd, &cg->parent_fd[TW_MEM],
			     &cg->created);
	if (r < 0)
		goto fail;
	if (m->mem_version == 2) {
		char ctl[256];

		/* the parent must have delegated memory to us: else there is no memory.max */
		if (acg_read_buf_at(cg->mem_fd, "cgroup.controllers", ctl, sizeof(ctl)) < 0 ||
		    !acg_word_in_list(ctl, "memory")) {
			r = -ENOTSUP;
			/* do not leave behind a root we made for nothing */
			if (cg->created)
				unlinkat(cg->parent_fd[TW_MEM], cg->name, AT_REMOVEDIR);
			goto fail;
		}
		cg->psi_fd = cg->mem_fd;
	} else {
		/* twins are best effort: without them freeze or PSI is reported unavailable */
		if (m->freezer_path[0])
			open_under_mount(m->freezer_path, rel, create, &cg->freezer_fd,
					 &cg->parent_fd[TW_FREEZER], NULL);
		if (m->v2_path[0])
			open_under_mount(m->v2_path, rel, create, &cg->psi_fd,
					 &cg->parent_fd[TW_PSI], NULL);
	}
	*ret = cg;
	return 0;
fail:
	acg_cg_free(cg);
	return r;
}

/* Keep a handle on each twin's parent directory, for acg_cg_remove(). */
static int dup_parents(const struct acg_cg *parent, struct acg_cg *cg)
{
	const int have[TW__COUNT] = {cg->mem_fd, cg->freezer_fd,
				     cg->psi_fd != cg->mem_fd ? cg->psi_fd : -1};
	const int pfd[TW__COUNT] = {parent->mem_fd, parent->freezer_fd, parent->psi_fd};

	for (int i = 0; i < TW__COUNT; i++) {
		if (have[i] < 0)
			continue;
		cg->parent_fd[i] = fcntl(pfd[i], F_DUPFD_CLOEXEC, 0);
		if (cg->parent_fd[i] < 0)
			return -errno;
	}
	return 0;
}

static int child(struct acg_cg *parent, const char *name, bool create, bool excl,
		 struct acg_cg **ret)
{
	struct acg_cg *cg;
	int r;

	if (!acg_name_valid(name))
		return -EINVAL;
	cg = cg_alloc(parent->version);
	if (!cg)
		return -ENOMEM;
	if (snprintf(cg->path, sizeof(cg->path), "%s/%s", parent->path, name) >=
	    (int)sizeof(cg->path)) {
		r = -ENAMETOOLONG;
		goto fail;
	}
	snprintf(cg->name, sizeof(cg->name), "%s", name);
	cg->level = parent->level + 1;
	if (parent->version == 2 && create) {
		/* children only get memory files when the parent delegates the controller */
		r = acg_write_at(parent->mem_fd, "cgroup.subtree_control", "+memory");
		if (r < 0)
			goto fail;
	}
	r = make_dir(parent->mem_fd, name, create, &cg->mem_fd, &cg->created);
	if (r < 0)
		goto fail;
	if (excl && !cg->created) {
		/* someone else's session of that name: not ours to share or remove */
		r = -EEXIST;
		goto fail;
	}
	if (parent->version == 2) {
		cg->psi_fd = cg->mem_fd;
	} else {
		if (parent->freezer_fd >= 0)
			make_dir(parent->freezer_fd, name, create, &cg->freezer_fd, NULL);
		if (parent->psi_fd >= 0)
			make_dir(parent->psi_fd, name, create, &cg->psi_fd, NULL);
	}
	r = dup_parents(parent, cg);
	if (r < 0) {
		if (cg->created)
			unlinkat(parent->mem_fd, name, AT_REMOVEDIR);
		goto fail;
	}
	*ret = cg;
	return 0;
fail:
	acg_cg_free(cg);
	return r;
}

int acg_cg_child(struct acg_cg *parent, const char *name, bool create, struct acg_cg **ret)
{
	return child(parent, name, create, false, ret);
}

int acg_cg_child_new(struct acg_cg *parent, const char *name, struct acg_cg **ret)
{
	return child(parent, name, true, true, ret);
}

unsigned int acg_cg_level(const struct acg_cg *cg)
{
	return cg->level;
}

int acg_cg_dir_fd(const struct acg_cg *cg)
{
	return cg->mem_fd;
}

int acg_cg_peak_set(struct acg_cg *cg, double mb)
{
	char v[32];
	int n = snprintf(v, sizeof(v), "%.6g", mb);

	if (fsetxattr(cg->mem_fd, ACG_XATTR_PEAK, v, (size_t)n, 0) < 0)
		return -errno;
	return 0;
}

int acg_cg_peak_get(const struct acg_cg *cg, uint64_t *ret)
{
	char v[32], *end;
	ssize_t n = fgetxattr(cg->mem_fd, ACG_XATTR_PEAK, v, sizeof(v) - 1);
	double mb;

	*ret = 0;
	if (n < 0)
		return errno == ENODATA || errno == EOPNOTSUPP ? 0 : -errno;
	v[n] = '\0';
	errno = 0;
	mb = strtod(v, &end);
	if (errno || end == v || *end || !(mb >= 0 && mb <= (double)(1 << 24)))
		return -EINVAL;
	*ret = (uint64_t)(mb * 1024 * 1024);
	return 0;
}

int acg_cg_v2_id(struct acg_cg *cg, uint64_t *ret)
{
	struct stat st;

	if (cg->psi_fd < 0)
		return -EOPNOTSUPP;
	/* a cgroup2 directory's inode number is its kernfs node id: the cgroup id */
	if (fstat(cg->psi_fd, &st) < 0)
		return -errno;
	*ret = (uint64_t)st.st_ino;
	return 0;
}

int acg_cg_ident(const struct acg_cg *cg, struct acg_cg_ident *ret)
{
	struct stat st;

	if (fstat(cg->mem_fd, &st) < 0)
		return -errno;
	ret->dev = (uint64_t)st.st_dev;
	ret->ino = (uint64_t)st.st_ino;
	return 0;
}

int acg_cg_child_ident(const struct acg_cg *parent, const char *name, struct acg_cg_ident *ret)
{
	struct stat st;

	if (!acg_name_valid(name))
		return -EINVAL;
	if (fstatat(parent->mem_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	ret->dev = (uint64_t)st.st_dev;
	ret->ino = (uint64_t)st.st_ino;
	return 0;
}

bool acg_cg_ident_eq(const struct acg_cg_ident *a, const struct acg_cg_ident *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

int acg_cg_version(const struct acg_cg *cg)
{
	return cg->version;
}

int acg_cg_can_create(const struct acg_cg *cg)
{
	return faccessat(cg->mem_fd, ".", W_OK, AT_EACCESS) == 0 ? 0 : -errno;
}

bool acg_cg_created(const struct acg_cg *cg)
{
	return cg->created;
}

const char *acg_cg_path(const struct acg_cg *cg)
{
	return cg->path;
}

bool acg_cg_has_freezer(const struct acg_cg *cg)
{
	return cg->version == 2 || cg->freezer_fd >= 0;
}

bool acg_cg_has_psi(const struct acg_cg *cg)
{
	return cg->psi_fd >= 0 && faccessat(cg->psi_fd, "memory.pressure", F_OK, 0) == 0;
}

int acg_cg_attach(struct acg_cg *cg, pid_t pid)
{
	char buf[32];
	int r;

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	r = acg_write_at(cg->mem_fd, "cgroup.procs", buf);
	if (r < 0)
		return r;
	if (cg->freezer_fd >= 0) {
		r = acg_write_at(cg->freezer_fd, "cgroup.procs", buf);
		if (r < 0)
			return r;
	}
	if (cg->psi_fd >= 0 && cg->psi_fd != cg->mem_fd)
		r = acg_write_at(cg->psi_fd, "cgroup.procs", buf);
	return r;
}

static void format_value(int version, enum acg_ctl c, uint64_t v, char *buf, size_t size)
{
	if (c == ACG_CTL_FREEZE && version == 1)
		snprintf(buf, size, "%s", v ? "FROZEN" : "THAWED");
	else if (v == ACG_UNLIMITED)
		snprintf(buf, size, "%s", version == 2 ? "max" : "-1");
	else
		snprintf(buf, size, "%" PRIu64, v);
}

int acg_cg_set(struct acg_cg *cg, enum acg_ctl c, uint64_t value)
{
	const char *file = acg_ctl_file(cg->version, c, NULL);
	char buf[32];
	int dirfd = cg->mem_fd;

	if (!file)
		return -EOPNOTSUPP;
	if (c == ACG_CTL_FREEZE && cg->version == 1) {
		if (cg->freezer_fd < 0)
			return -EOPNOTSUPP;
		dirfd = cg->freezer_fd;
	}
	format_value(cg->version, c, value, buf, sizeof(buf));
	return acg_write_at(dirfd, file, buf);
}

int acg_cg_get(struct acg_cg *cg, enum acg_ctl c, uint64_t *ret)
{
	const char *file = acg_ctl_file(cg->version, c, NULL);
	bool frozen;
	char *text;
	int r;

	if (!file)
		return -EOPNOTSUPP;
	switch (c) {
	case ACG_CTL_FREEZE:
		if (cg->version == 2)
			return acg_read_u64_at(cg->mem_fd, file, ret);
		r = acg_cg_frozen(cg, &frozen);
		if (r == 0)
			*ret = frozen;
		return r;
	case ACG_CTL_OOM_PAUSE:
		r = acg_read_text_at(cg->mem_fd, file, &text);
		if (r < 0)
			return r;
		r = acg_kv_get(text, "oom_kill_disable", ret);
		free(text);
		return r;
	default:
		return acg_read_u64_at(cg->mem_fd, file, ret);
	}
}

int acg_cg_frozen(struct acg_cg *cg, bool *ret)
{
	char buf[64];
	uint64_t v;
	char *text;
	int r;

	if (cg->version == 2) {
		r = acg_read_text_at(cg->mem_fd, "cgroup.events", &text);
		if (r < 0)
			return r;
		r = acg_kv_get(text, "frozen", &v);
		free(text);
		if (r == 0)
			*ret = v != 0;
		return r;
	}
	if (cg->freezer_fd < 0)
		return -EOPNOTSUPP;
	r = acg_read_buf_at(cg->freezer_fd, "freezer.state", buf, sizeof(buf));
	if (r < 0)
		return r;
	*ret = strncmp(buf, "FROZEN", 6) == 0;
	return 0;
}

/*
 * The usage is read every tick of every session: its file is opened once and kept, and
 * read again from its start (one pread, where opening it each time took three calls and
 * a path walk). A cgroup removed meanwhile fails the read (ENODEV from the kernel; said as
 * -ENOENT, as a read by name would): the caller's "gone".
 */
int acg_cg_usage(struct acg_cg *cg, uint64_t *ret)
{
	char buf[32];
	ssize_t n;

	if (cg->usage_fd < 0) {
		cg->usage_fd = acg_openat(
			cg->mem_fd, cg->version == 2 ? "memory.current" : "memory.usage_in_bytes",
			O_RDONLY);
		if (cg->usage_fd < 0) {
			int e = cg->usage_fd;

			cg->usage_fd = -1;
			return e;
		}
	}
	n = pread(cg->usage_fd, buf, sizeof(buf) - 1, 0);
	if (n < 0) /* removed: ENOENT, as a read by name says */
		return errno == ENODEV ? -ENOENT : -errno;
	buf[n] = '\0';
	return acg_parse_u64(buf, ret);
}

int acg_cg_peak(struct acg_cg *cg, uint64_t *ret)
{
	return acg_read_u64_at(cg->mem_fd,
			       cg->version == 2 ? "memory.peak" : "memory.max_usage_in_bytes", ret);
}

int acg_cg_swap_room(struct acg_cg *cg, uint64_t *ret)
{
	uint64_t max = 0, cur = 0;
	char buf[32];
	int r;

	if (cg->version != 2)
		return -EOPNOTSUPP;
	/* nothing can be pushed out without memory.reclaim (Linux 5.19) */
	if (faccessat(cg->mem_fd, "memory.reclaim", W_OK, 0) < 0)
		return -EOPNOTSUPP;
	r = acg_read_buf_at(cg->mem_fd, "memory.swap.max", buf, sizeof(buf));
	if (r < 0)
		return r;
	if (strncmp(buf, "max", 3) == 0)
		max = ACG_UNLIMITED;
	else
		max = strtoull(buf, NULL, 10);
	r = acg_read_u64_at(cg->mem_fd, "memory.swap.current", &cur);
	if (r < 0)
		return r;
	*ret = max > cur ? max - cur : 0;
	return 0;
}

int acg_cg_reclaim_async(struct acg_cg *cg, uint64_t bytes)
{
	char buf[32];
	pid_t pid, w;
	int status, fd;

	if (cg->version != 2)
		return -EOPNOTSUPP;
	/* opened here, so a kernel without it (before 5.19) is told, not hidden in a child */
	fd = openat(cg->mem_fd, "memory.reclaim", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(buf, sizeof(buf), "%" PRIu64, bytes);
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	if (pid == 0) {
		/* the grandchild writes (and may take seconds) holding nothing else of ours (no
		 * lock on the root, no session handle); the child is reaped at once */
		if (fork() == 0) {
			if (fd > 3)
				close_range(3, (unsigned int)fd - 1, 0);
			close_range((unsigned int)fd + 1, ~0U, 0);
			/* EAGAIN: less than asked could be reclaimed; nothing to report */
			_exit(write(fd, buf, strlen(buf)) < 0);
		}
		_exit(0);
	}
	close(fd);
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	return 0;
}

int acg_cg_peak_reset(struct acg_cg *cg)
{
	if (cg->version == 2)
		return -EOPNOTSUPP;
	return acg_write_at(cg->mem_fd, "memory.max_usage_in_bytes", "0");
}

static int events_v2(struct acg_cg *cg, struct acg_mem_events *ev)
{
	static const struct {
		const char *key;
		unsigned int bit;
		size_t off;
	} keys[] = {
		{"low", ACG_EV_LOW, offsetof(struct acg_mem_events, low)},
		{"high", ACG_EV_HIGH, offsetof(struct acg_mem_events, high)},
		{"max", ACG_EV_MAX, offsetof(struct acg_mem_events, max)},
		{"oom", ACG_EV_OOM, offsetof(struct acg_mem_events, oom)},
		{"oom_kill", ACG_EV_OOM_KILL, offsetof(struct acg_mem_events, oom_kill)},
		{"oom_group_kill", ACG_EV_OOM_GROUP_KILL,
		 offsetof(struct acg_mem_events, oom_group_kill)},
	};
	char *text;
	int r;

	r = acg_read_text_at(cg->mem_fd, "memory.events", &text);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		uint64_t *field = (uint64_t *)((char *)ev + keys[i].off);

		if (acg_kv_get(text, keys[i].key, field) == 0)
			ev->has |= keys[i].bit;
	}
	free(text);
	return 0;
}

static int events_v1(struct acg_cg *cg, struct acg_mem_events *ev)
{
	uint64_t under = 0;
	char *text;
	int r;

	r = acg_read_u64_at(cg->mem_fd, "memory.failcnt", &ev->max);
	if (r < 0)
		return r;
	ev->has |= ACG_EV_MAX;
	r = acg_read_text_at(cg->mem_fd, "memory.oom_control", &text);
	if (r < 0)
		return r;
	if (acg_kv_get(text, "oom_kill", &ev->oom_kill) == 0)
		ev->has |= ACG_EV_OOM_KILL;
	if (acg_kv_get(text, "under_oom", &under) == 0) {
		ev->has |= ACG_EV_UNDER_OOM;
		ev->under_oom = under != 0;
	}
	free(text);
	return 0;
}

int acg_cg_events(struct acg_cg *cg, struct acg_mem_events *ret)
{
	struct acg_mem_events ev = {0};
	int r = cg->version == 2 ? events_v2(cg, &ev) : events_v1(cg, &ev);

	if (r == 0)
		*ret = ev;
	return r;
}

int acg_cg_stat(struct acg_cg *cg, const char *key, uint64_t *ret)
{
	char *text;
	int r;

	r = acg_read_text_at(cg->mem_fd, "memory.stat", &text);
	if (r < 0)
		return r;
	r = acg_kv_get(text, key, ret);
	free(text);
	return r;
}

int acg_cg_psi(struct acg_cg *cg, struct acg_psi *ret)
{
	char *text;
	int r;

	if (cg->psi_fd < 0)
		return -EOPNOTSUPP;
	r = acg_read_text_at(cg->psi_fd, "memory.pressure", &text);
	if (r < 0)
		return r == -ENOENT ? -EOPNOTSUPP : r;
	r = acg_psi_parse(text, ret);
	free(text);
	return r;
}

/*
 * Call fn on every child cgroup directory of dirfd (non-recursive). With all, whatever its
 * name (for the kill and the removal of a subtree: a container runtime names its cgroups
 * below a session as it likes, podman's libpod-<64 hex digits> is longer than a session's
 * name may be; acg_openat() still refuses '/' and ".."); else valid names only.
 */
int cgi_each_subdir(int dirfd, bool all, int (*fn)(int dirfd, const char *name, void *arg),
		    void *arg)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 || (!all && !acg_name_valid(de->d_name)))
			continue;
		r = fn(dirfd, de->d_name, arg);
		if (r < 0 && r != -ENOENT)
			break;
		r = 0;
	}
	closedir(d);
	return r;
}

int cgi_in_subdir(int dirfd, const char *name, int (*fn)(int fd, void *arg), void *arg)
{
	int fd = acg_openat(dirfd, name, O_RDONLY | O_DIRECTORY);
	int r;

	if (fd < 0)
		return fd;
	r = fn(fd, arg);
	close(fd);
	return r;
}
