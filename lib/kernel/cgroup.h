/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup.h: the managed cgroup tree and one vocabulary of per-session memory controls
 * over cgroup v1 and v2.
 *
 * A managed tree has a root the user names (default "agentcg" under the memory
 * controller's mount) and sessions below it. On a hybrid host a cgroup is really up to
 * three directories with the same relative path: the memory one (v1), a freezer twin
 * (v1 freezer hierarchy) and a PSI twin (under the cgroup2 mount, which reports pressure
 * stalls of its tasks even without controllers). struct acg_cg hides that.
 *
 * Rules: nothing is ever written outside the managed root (every access goes through
 * directory fds and validated single names, symlinks never followed); only the last
 * component of the root is ever created; a cgroup that vanished returns -ENOENT, which
 * callers treat as "session gone", not as a failure. Nothing here prints.
 */
#ifndef AGENTCG_CGROUP_H
#define AGENTCG_CGROUP_H

#include "mounts.h"
#include "parse.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define ACG_DEFAULT_ROOT "agentcg"

struct acg_cg;

/* Per-session controls, one name for both cgroup versions. */
enum acg_ctl {
	ACG_CTL_MAX,	   /* hard limit: v2 memory.max, v1 memory.limit_in_bytes */
	ACG_CTL_HIGH,	   /* throttle threshold: v2 memory.high; v1 has none */
	ACG_CTL_LOW,	   /* best-effort protection: v2 memory.low */
	ACG_CTL_MIN,	   /* hard protection: v2 memory.min */
	ACG_CTL_OOM_PAUSE, /* wait instead of OOM kill at the limit: v1 oom_kill_disable */
	ACG_CTL_OOM_GROUP, /* kill the whole cgroup on OOM: v2 memory.oom.group */
	ACG_CTL_FREEZE,	   /* freeze all tasks: v2 cgroup.freeze, v1 freezer.state */
	ACG_CTL_SWAP_MAX,  /* swap limit: v2 memory.swap.max */
	ACG_CTL__COUNT,
};

const char *acg_ctl_name(enum acg_ctl c);

/*
 * The kernel file implementing c on cgroup version (1 or 2), or NULL when that version
 * has no such control; then *why (if given) says so in a phrase.
 */
const char *acg_ctl_file(int version, enum acg_ctl c, const char **why);

/*
 * Open the managed root. root is NULL (ACG_DEFAULT_ROOT), a path relative to the memory
 * controller's mount, or an absolute path inside that mount. With create, the last
 * component (and its freezer and PSI twins) is created when missing; its parent must
 * exist. Errors: -EINVAL (bad name or outside the mount), -ENOENT, -ENOTSUP (no memory
 * controller there), or the errno of the failed mkdir/open.
 */
int acg_root_open(const struct acg_mounts *m, const char *root, bool create, struct acg_cg **ret);

/* Open (and with create, make) the child called name; name must pass acg_name_valid(). */
int acg_cg_child(struct acg_cg *parent, const char *name, bool create, struct acg_cg **ret);

/*
 * The cgroup2 id of cg's tasks (what bpf_get_current_cgroup_id() returns for them): its
 * own on v2, its PSI twin's on a hybrid host. -EOPNOTSUPP on a host with no cgroup2 mount.
 */
int acg_cg_v2_id(struct acg_cg *cg, uint64_t *ret);

/*
 * A cgroup's identity: its memory directory's device and inode number. The inode number is
 * the kernfs node id (the cgroup id on v2), never reused for another cgroup while the
 * kernel runs (64-bit kernfs ids since Linux 5.5), so a cgroup removed and made again
 * under the same name has a new identity. acg_cg_ident() is the open handle's;
 * acg_cg_child_ident() is what name under parent is now (-ENOENT if nothing).
 */
struct acg_cg_ident {
	uint64_t dev, ino;
};
int acg_cg_ident(const struct acg_cg *cg, struct acg_cg_ident *ret);
int acg_cg_child_ident(const struct acg_cg *parent, const char *name, struct acg_cg_ident *ret);
bool acg_cg_ident_eq(const struct acg_cg_ident *a, const struct acg_cg_ident *b);

/* Depth below the hierarchy's root (a cgroup's "level" as the kernel counts it). */
unsigned int acg_cg_level(const struct acg_cg *cg);

/* The memory-controller directory's fd (for BPF attach by cgroup fd); owned by cg. */
int acg_cg_dir_fd(const struct acg_cg *cg);

/*
 * A session's declared peak (run --peak-mb), kept as the extended attribute
 * ACG_XATTR_PEAK (MiB, decimal text) on its memory-controller directory, where the daemon
 * reads it (the kernel keeps user xattrs on cgroupfs: v2 since 5.7; v1 here too). set:
 * 0 or -errno (-EOPNOTSUPP: the kernel keeps none). get: 0 with *ret the bytes (0 when none
 * is declared), or -errno; a value that is not a number of MiB from 0 to 2^24 is -EINVAL.
 */
#define ACG_XATTR_PEAK "user.agentcg.peak_mb"
int acg_cg_peak_set(struct acg_cg *cg, double mb);
int acg_cg_peak_get(const struct acg_cg *cg, uint64_t *ret);

/* Make the child called name, which must not exist yet: -EEXIST if it does. */
int acg_cg_child_new(struct acg_cg *parent, const char *name, struct acg_cg **ret);

/* Close the handle; the cgroup stays. NULL is fine. */
void acg_cg_free(struct acg_cg *cg);

/*
 * Kill every task in cg and below, then remove cg's subtree and cg itself (all twins).
 * A cgroup already gone counts as removed. The handle must still be freed.
 */
int acg_cg_remove(struct acg_cg *cg);

/* Remove cg (all twins) only if it has no tasks and no children: -EBUSY otherwise. */
int acg_cg_remove_if_empty(struct acg_cg *cg);

/*
 * Memory on cgroup v1 only (0 elsewhere): remove cg's path (its subtree, then itself) from
 * every other hierarchy mounted here (cpu, pids, devices, the named systemd one, cgroup2),
 * where a
 * container runtime given cg as its cgroup parent made it (podman with the cgroupfs
 * manager makes the parent, its conmon cgroup and the container's in each hierarchy it
 * knows). Call after acg_cg_remove(): only empty cgroups can go. The path is opened one
 * checked component at a time below each mount, never following a symlink; a hierarchy
 * without it is skipped. Returns 0 or the first -errno.
 */
int acg_cg_remove_elsewhere(const struct acg_mounts *m, const struct acg_cg *cg);

int acg_cg_version(const struct acg_cg *cg);
/*
 * Whether this process may make cgroups in cg (its memory directory is writable to it):
 * root, or the owner of a delegated cgroup. 0, or -errno (-EACCES) saying why not.
 */
int acg_cg_can_create(const struct acg_cg *cg);
/* Whether this handle's open created the memory directory (else it already existed). */
bool acg_cg_created(const struct acg_cg *cg);
/* Absolute path of the memory-controller directory, for messages. */
const char *acg_cg_path(const struct acg_cg *cg);
/* Whether this host offers the feature for cg (freezer twin, PSI, cgroup.kill). */
bool acg_cg_has_freezer(const struct acg_cg *cg);
bool acg_cg_has_psi(const struct acg_cg *cg);

/* Move pid (a whole process) into cg and its twins. */
int acg_cg_attach(struct acg_cg *cg, pid_t pid);

/*
 * Set or read a control. Byte values; ACG_UNLIMITED means no limit. Boolean controls
 * (OOM_PAUSE, OOM_GROUP, FREEZE) take 0 or 1. -EOPNOTSUPP when the version has no such
 * control (see acg_ctl_file()).
 */
int acg_cg_set(struct acg_cg *cg, enum acg_ctl c, uint64_t value);
int acg_cg_get(struct acg_cg *cg, enum acg_ctl c, uint64_t *ret);

/* Whether every task is frozen (v2 cgroup.events "frozen", v1 freezer.state FROZEN). */
int acg_cg_frozen(struct acg_cg *cg, bool *ret);

/* Current usage and peak usage in bytes (v2 memory.peak, v1 max_usage_in_bytes). */
int acg_cg_usage(struct acg_cg *cg, uint64_t *ret);
int acg_cg_peak(struct acg_cg *cg, uint64_t *ret);

/*
 * Start the peak afresh (v1: write 0 to memory.max_usage_in_bytes, which the kernel then
 * sets to the current usage). -EOPNOTSUPP on v2: memory.peak is the highest usage since the
 * cgroup was created (kernels from 6.12 reset it only for the open file that wrote it,
 * which acg_cg_peak() does not keep).
 */
int acg_cg_peak_reset(struct acg_cg *cg);

/*
 * The swap cg's sessions may still use (v2): its memory.swap.max less memory.swap.current
 * (0 where swap.max is 0), bytes. -EOPNOTSUPP on v1 (no per-cgroup swap limit here) or
 * without memory.reclaim (before Linux 5.19: nothing could be pushed out); -ENOENT without
 * swap accounting.
 */
int acg_cg_swap_room(struct acg_cg *cg, uint64_t *ret);

/*
 * Ask the kernel to reclaim bytes of cg's memory (v2 memory.reclaim: its anonymous pages
 * go to swap), in a short-lived child, so the caller never blocks on the reclaim (it takes
 * as long as compressing or writing the pages out). The child is a grandchild reparented
 * at once (nothing to reap), holding no other descriptor of the caller's. Returns 0 once
 * it is started, -EOPNOTSUPP on v1, or -errno (no memory.reclaim: -ENOENT).
 */
int acg_cg_reclaim_async(struct acg_cg *cg, uint64_t bytes);

/* Kernel memory events, as far as the version reports them (see has). */
enum {
	ACG_EV_LOW = 1 << 0,
	ACG_EV_HIGH = 1 << 1,
	ACG_EV_MAX = 1 << 2,
	ACG_EV_OOM = 1 << 3,
	ACG_EV_OOM_KILL = 1 << 4,
	ACG_EV_OOM_GROUP_KILL = 1 << 5,
	ACG_EV_UNDER_OOM = 1 << 6,
};

struct acg_mem_events {
	unsigned int has;	 /* ACG_EV_* bits for the fields this version fills */
	uint64_t low;		 /* v2 */
	uint64_t high;		 /* v2 */
	uint64_t max;		 /* v2 memory.events max; v1 memory.failcnt */
	uint64_t oom;		 /* v2 */
	uint64_t oom_kill;	 /* v2 memory.events oom_kill; v1 oom_control oom_kill */
	uint64_t oom_group_kill; /* v2 */
	bool under_oom;		 /* v1: tasks are waiting at the limit (OOM killer disabled) */
};

int acg_cg_events(struct acg_cg *cg, struct acg_mem_events *ret);

/* One memory.stat field ("anon", "file", ... on v2; "rss", "cache", ... on v1). */
int acg_cg_stat(struct acg_cg *cg, const char *key, uint64_t *ret);

/* Memory pressure of cg's tasks (v2: its memory.pressure; hybrid: the PSI twin's). */
int acg_cg_psi(struct acg_cg *cg, struct acg_psi *ret);

/*
 * Open a PSI trigger on cg: poll the returned fd for POLLPRI. full selects the "full"
 * line. The kernel wants window_us a multiple of 2 s without CAP_SYS_RESOURCE.
 */
int acg_cg_psi_trigger(struct acg_cg *cg, bool full, uint64_t stall_us, uint64_t window_us,
		       int *ret_fd);

/*
 * Kernel wake-ups, so a controller need not poll faster than its period to react:
 *   ACG_NOTIFY_USAGE  usage crosses threshold, either way (v1 memory.usage_in_bytes via
 *                     cgroup.event_control); v2 has none: -EOPNOTSUPP;
 *   ACG_NOTIFY_WAIT   the cgroup's tasks hit its limit: v1 memory.oom_control (they start
 *                     waiting, the OOM killer being disabled); v2 any change of
 *                     memory.events (high, max, oom).
 * *ret_fd is readable (poll POLLIN on v1's eventfd, POLLPRI on v2's file) when the event
 * happened; acg_notify_consume() then re-arms it. Close it to unregister.
 */
enum acg_notify {
	ACG_NOTIFY_USAGE,
	ACG_NOTIFY_WAIT,
};

int acg_cg_notify(struct acg_cg *cg, enum acg_notify what, uint64_t threshold, int *ret_fd);

/* The poll() events to wait for on a fd from acg_cg_notify() on cg's version. */
short acg_notify_events(const struct acg_cg *cg);

/* Take the pending event off fd (from acg_cg_notify) so the next one wakes poll again. */
void acg_notify_consume(int fd);

/* The names of cg's child cgroups (valid names only), malloc'd; free each and the array. */
int acg_cg_children(struct acg_cg *cg, char ***ret, size_t *ret_n);

/*
 * An fd (non-blocking, close-on-exec) that polls readable when a child cgroup of cg is
 * made, removed or renamed (inotify on cg's memory directory, through its fd: no path is
 * resolved again), or when the kernel's event queue overflowed; -errno where the host has
 * no inotify. acg_cg_watch_drain() takes every pending event off it and says whether
 * there was one.
 */
int acg_cg_watch_children(struct acg_cg *cg);
bool acg_cg_watch_drain(int fd);

/* The pids of cg's processes (not of its children), malloc'd. */
int acg_cg_pids(struct acg_cg *cg, pid_t **ret, size_t *ret_n);

/*
 * The pids (acg_cg_tree_pids) or thread ids (acg_cg_tree_tids) of cg's tasks and of every
 * cgroup below it, whatever their names (a container's libpod-<id> below a session), and
 * acg_cg_pin() checking membership of that whole subtree: what the controller acts on, so
 * a LOW container's tasks are reniced and made the OOM killer's first choice as a LOW
 * agent's are. malloc'd.
 */
int acg_cg_tree_pids(struct acg_cg *cg, pid_t **ret, size_t *ret_n);
int acg_cg_tree_tids(struct acg_cg *cg, pid_t **ret, size_t *ret_n);

/*
 * cgroup v1 only (-EOPNOTSUPP on v2). A task that waits in the kernel's v1 OOM path (its
 * cgroup or an ancestor at its limit with the OOM killer disabled) is woken only by a limit
 * raise or an uncharge while a cgroup of its line is marked under OOM; one that went to
 * sleep just after the last such event sleeps on, even with room back (seen here in a soak
 * of 64 churning sessions: a session asleep after its parent's OOM had ended).
 * acg_cg_oom_waiters() counts the tasks of cg and of the cgroups below it asleep there (by
 * /proc/TID/wchan).
 * acg_cg_oom_kick() wakes every such task in cg's subtree: a helper process of ours joins
 * cg, cg's limit is set to its usage so the helper's fault marks the tree under OOM, and
 * restoring the limit wakes the whole line. For a few milliseconds every allocation in the
 * subtree waits. Returns 0, -EAGAIN if the tree was never marked, or -errno.
 */
int acg_cg_oom_waiters(struct acg_cg *cg, unsigned int *ret_n);
int acg_cg_oom_kick(struct acg_cg *cg);

/* The thread ids of cg's tasks (not its children's): v1 tasks, v2 cgroup.threads. */
int acg_cg_tids(struct acg_cg *cg, pid_t **ret, size_t *ret_n);

/*
 * Tasks pinned against the reuse of their ids. An id read from a cgroup file names
 * whatever task has it when it is used: the task may have ended and the id gone to a task
 * outside the tree. acg_cg_pin() takes ids[0..n) (thread or process ids read a moment ago
 * from cg) and holds each task called so now by handles (its pidfd, pidfd_open(2) with
 * PIDFD_THREAD for a thread that does not lead its process, and its /proc/<id> directory:
 * each refers to that task, never to a later one with its id), then reads cg's thread
 * list again and keeps only the tasks still in it: so each kept task was in cg after it
 * was pinned. An act by id (setpriority) is then safe if acg_task_alive() is still true
 * after it: the task was alive throughout, so the id was its own; an act through procfd
 * (oom_score_adj) reaches that task alone. Where the kernel lacks pidfd_open (before
 * 5.3), pidfd is -1 and /proc/<id> alone pins the task. Ids that are gone are left out.
 */
struct acg_task {
	pid_t id;
	int pidfd;  /* -1 where the kernel has none */
	int procfd; /* /proc/<id>, a directory of that task's files */
};
int acg_cg_pin(struct acg_cg *cg, const pid_t *ids, size_t n, struct acg_task **ret, size_t *ret_n);
int acg_cg_tree_pin(struct acg_cg *cg, const pid_t *ids, size_t n, struct acg_task **ret,
		    size_t *ret_n);
bool acg_task_alive(const struct acg_task *t);
void acg_tasks_free(struct acg_task *v, size_t n);

/* SIGKILL every task in cg and below (v2 cgroup.kill where present; else each process
 * through its pidfd, checked to be in the cgroup after it was opened). */
int acg_cg_kill(struct acg_cg *cg);

#endif
