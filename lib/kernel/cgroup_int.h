/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup_int.h: what the parts of the cgroup layer share and nobody else sees (cgroup.h is
 * the interface). The layer is split by concern:
 *   cgroup.c         handles: opening the root and children, identity, the controls
 *                    (set/get by name per version), readings (usage, events, stat, PSI),
 *                    the walk over child directories
 *   cgroup_notify.c  wake-ups: PSI triggers, v1 eventfds, v2 memory.events polling
 *   cgroup_tasks.c   tasks: ids of a cgroup and its subtree, pinning by pidfd, the kill,
 *                    the v1 OOM-wait rescue
 *   cgroup_tree.c    the tree: listing children, removal (killing what is left first)
 * Every access goes through the same confinement: directory fds, names checked,
 * O_NOFOLLOW (fsutil.h), so a path is never re-resolved and nothing outside the root is
 * reached.
 */
#ifndef AGENTCG_CGROUP_INT_H
#define AGENTCG_CGROUP_INT_H

#include "cgroup.h"
#include "fsutil.h"

#include <stdbool.h>

/* The twins of a cgroup: memory, v1 freezer, PSI (cgroup2). */
enum { TW_MEM, TW_FREEZER, TW_PSI, TW__COUNT };

struct acg_cg {
	int version;
	int mem_fd;
	int freezer_fd;
	int psi_fd;		  /* == mem_fd on v2 */
	int parent_fd[TW__COUNT]; /* each twin's parent directory, for removal */
	int usage_fd;		  /* its usage file, opened at the first read and kept, or -1 */
	bool created;
	unsigned int level; /* depth below the hierarchy\'s root */
	char name[ACG_NAME_MAX + 1];
	char path[ACG_PATH_MAX];
};

/*
 * Call fn(dirfd, name, arg) on every child cgroup directory of dirfd (non-recursive); with
 * all, whatever its name, else valid session names only. Stops at the first error other
 * than -ENOENT (a child gone meanwhile) and returns it. (cgroup.c)
 */
/* fn(fd, arg) on the child directory name of dirfd, opened for it and closed after; its
 * result, or -errno when it cannot be opened. (cgroup.c) */
int cgi_in_subdir(int dirfd, const char *name, int (*fn)(int fd, void *arg), void *arg);

int cgi_each_subdir(int dirfd, bool all, int (*fn)(int dirfd, const char *name, void *arg),
		    void *arg);

#endif
