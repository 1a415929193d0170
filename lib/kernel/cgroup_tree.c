// SPDX-License-Identifier: GPL-2.0
/* cgroup_tree.c: the tree: walking child directories, listing children, removal (the cgroup layer's parts: cgroup_int.h). */
#include "cgroup_int.h"

#include "fsutil.h"

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
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static int for_each_child(int dirfd, int (*fn)(int dirfd, const char *name, void *arg), void *arg)
{
	return cgi_each_subdir(dirfd, false, fn, arg);
}

struct name_list {
	char **v;
	size_t n, cap;
};

static int collect_name(int dirfd, const char *name, void *arg)
{
	struct name_list *l = arg;

	(void)dirfd;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n] = strdup(name);
	if (!l->v[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

int acg_cg_children(struct acg_cg *cg, char ***ret, size_t *ret_n)
{
	struct name_list l = {0};
	int r = for_each_child(cg->mem_fd, collect_name, &l);

	if (r < 0) {
		for (size_t i = 0; i < l.n; i++)
			free(l.v[i]);
		free(l.v);
		return r;
	}
	*ret = l.v;
	*ret_n = l.n;
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int remove_tree_at(int dirfd, const char *name, void *arg);

/* Remove the children of dirfd, depth first. */
static int remove_children(int dirfd)
{
	return cgi_each_subdir(dirfd, true, remove_tree_at, NULL);
}

static int remove_tree_at(int dirfd, const char *name, void *arg)
{
	int fd = acg_openat(dirfd, name, O_RDONLY | O_DIRECTORY);
	int r;

	(void)arg;
	if (fd < 0)
		return fd;
	r = remove_children(fd);
	close(fd);
	if (r < 0)
		return r;
	/* tasks killed a moment ago may still be leaving: give them a bounded while */
	for (int i = 0; i < 200; i++) {
		if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		sleep_ms(10);
	}
	return -EBUSY;
}

int acg_cg_remove(struct acg_cg *cg)
{
	int r, first = 0;

	r = acg_cg_kill(cg);
	if (r < 0 && r != -ENOENT)
		first = r;
	/* the memory directory first: a removed v1 cgroup hands its charges to the parent */
	for (int i = 0; i < TW__COUNT; i++) {
		if (cg->parent_fd[i] < 0)
			continue;
		r = remove_tree_at(cg->parent_fd[i], cg->name, NULL);
		if (r < 0 && r != -ENOENT && !first)
			first = r;
	}
	return first;
}

int acg_cg_remove_elsewhere(const struct acg_mounts *m, const struct acg_cg *cg)
{
	size_t ml = strlen(m->mem_path);
	char parent[ACG_PATH_MAX];
	struct mntent me, *e;
	char buf[4 * ACG_PATH_MAX];
	const char *rel;
	char *slash;
	FILE *f;
	int first = 0;

	/* cg's path below the memory mount, as a runtime's --cgroup-parent names it */
	if (m->mem_version != 1 || strncmp(cg->path, m->mem_path, ml) != 0 || cg->path[ml] != '/')
		return 0;
	rel = cg->path + ml + 1;
	snprintf(parent, sizeof(parent), "%s", rel);
	slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	else
		parent[0] = '\0';
	f = setmntent("/proc/self/mounts", "re");
	if (!f)
		return -errno;
	while ((e = getmntent_r(f, &me, buf, sizeof(buf)))) {
		int mfd, pfd = -1, r;

		/* every other hierarchy; the twins acg_cg_remove() took are gone already (a
		 * twin the handle lacked, its root having none, may have been made there) */
		if ((strcmp(e->mnt_type, "cgroup") != 0 && strcmp(e->mnt_type, "cgroup2") != 0) ||
		    strcmp(e->mnt_dir, m->mem_path) == 0)
			continue;
		mfd = open(e->mnt_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (mfd < 0)
			continue;
		r = acg_open_dir_beneath(mfd, parent, &pfd);
		close(mfd);
		if (r < 0)
			continue; /* the runtime made nothing in this hierarchy */
		r = remove_tree_at(pfd, cg->name, NULL);
		close(pfd);
		if (r < 0 && r != -ENOENT && !first)
			first = r;
	}
	endmntent(f);
	return first;
}

int acg_cg_remove_if_empty(struct acg_cg *cg)
{
	int first = 0;

	for (int i = 0; i < TW__COUNT; i++) {
		if (cg->parent_fd[i] < 0)
			continue;
		if (unlinkat(cg->parent_fd[i], cg->name, AT_REMOVEDIR) < 0 && errno != ENOENT &&
		    !first)
			first = errno == ENOTEMPTY ? -EBUSY : -errno;
	}
	return first;
}

int acg_cg_watch_children(struct acg_cg *cg)
{
	char self[64];
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return -errno;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", cg->mem_fd);
	if (inotify_add_watch(fd, self,
			      IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF |
				      IN_ONLYDIR) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

bool acg_cg_watch_drain(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;

	while (read(fd, buf, sizeof(buf)) > 0)
		any = true;
	return any;
}
