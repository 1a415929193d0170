/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mounts.h: where the cgroup hierarchies are. Parses /proc/self/mountinfo and /proc/cgroups
 * into one answer: the cgroup mode of the host (legacy v1, hybrid v1+v2, unified v2) and
 * the mount point of the hierarchy that holds the memory controller, plus the v1 freezer
 * and the cgroup2 mount that hybrid hosts use for freezing and for PSI.
 */
#ifndef AGENTCG_MOUNTS_H
#define AGENTCG_MOUNTS_H

#include <stdbool.h>

#define ACG_PATH_MAX 4096

enum acg_cgmode {
	ACG_CGMODE_NONE = 0, /* no cgroup filesystem mounted */
	ACG_CGMODE_LEGACY,   /* v1 hierarchies only */
	ACG_CGMODE_HYBRID,   /* v1 hierarchies and a cgroup2 mount */
	ACG_CGMODE_UNIFIED,  /* cgroup2 only */
};

struct acg_mounts {
	enum acg_cgmode mode;
	int mem_version;		 /* 1 or 2; 0: memory controller unavailable */
	bool mem_enabled;		 /* /proc/cgroups "enabled" column for memory */
	char mem_path[ACG_PATH_MAX];	 /* mount point of the memory controller's hierarchy */
	char v2_path[ACG_PATH_MAX];	 /* cgroup2 mount point, "" when none */
	char freezer_path[ACG_PATH_MAX]; /* v1 freezer mount point, "" when none or on v2 */
};

const char *acg_cgmode_name(enum acg_cgmode mode);

/*
 * Pure parser. mountinfo and proc_cgroups are the texts of those files; v2_controllers is
 * the text of <cgroup2 mount>/cgroup.controllers, or NULL when unknown (then a v2 memory
 * controller is assumed present only if /proc/cgroups puts memory on hierarchy 0).
 * Returns 0 or -EINVAL on text it cannot read.
 */
int acg_mounts_parse(const char *mountinfo, const char *proc_cgroups, const char *v2_controllers,
		     struct acg_mounts *ret);

/* Read this process's /proc/self/mountinfo, /proc/cgroups and cgroup.controllers. */
int acg_mounts_detect(struct acg_mounts *ret);

#endif
