// SPDX-License-Identifier: GPL-2.0
/* cgroup_tasks.c: tasks: ids of a cgroup and its subtree, pinning by pidfd, the kill, the v1 OOM-wait rescue (the cgroup layer's parts: cgroup_int.h). */
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static int read_ids_at(int dirfd, const char *file, pid_t **ret, size_t *ret_n)
{
	size_t n = 0, cap = 0;
	pid_t *pids = NULL;
	char *text, *p;
	int r;

	r = acg_read_text_at(dirfd, file, &text);
	if (r < 0)
		return r;
	for (p = text; *p;) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (n == cap) {
			pid_t *np = realloc(pids, (cap ? cap * 2 : 16) * sizeof(*pids));

			if (!np) {
				free(pids);
				free(text);
				return -ENOMEM;
			}
			pids = np;
			cap = cap ? cap * 2 : 16;
		}
		pids[n++] = (pid_t)v;
		p = end;
		while (*p == '\n')
			p++;
	}
	free(text);
	*ret = pids;
	*ret_n = n;
	return 0;
}

int acg_cg_pids(struct acg_cg *cg, pid_t **ret, size_t *ret_n)
{
	return read_ids_at(cg->mem_fd, "cgroup.procs", ret, ret_n);
}

int acg_cg_tids(struct acg_cg *cg, pid_t **ret, size_t *ret_n)
{
	return read_ids_at(cg->mem_fd, cg->version == 2 ? "cgroup.threads" : "tasks", ret, ret_n);
}

/* Ids gathered from one file of a cgroup and of every cgroup below it. */
struct id_acc {
	const char *file;
	pid_t *v;
	size_t n;
};

static int acc_ids_at(int dirfd, const char *name, void *arg);

static int acc_dir(int fd, void *arg)
{
	struct id_acc *a = arg;
	pid_t *ids = NULL;
	size_t n = 0;
	int r = read_ids_at(fd, a->file, &ids, &n);

	if (r < 0)
		return r;
	if (n) {
		pid_t *nv = realloc(a->v, (a->n + n) * sizeof(*nv));

		if (!nv) {
			free(ids);
			return -ENOMEM;
		}
		a->v = nv;
		memcpy(a->v + a->n, ids, n * sizeof(*ids));
		a->n += n;
	}
	free(ids);
	return cgi_each_subdir(fd, true, acc_ids_at, a);
}

static int acc_ids_at(int dirfd, const char *name, void *arg)
{
	return cgi_in_subdir(dirfd, name, acc_dir, arg);
}

static int read_tree_ids_at(int dirfd, const char *file, pid_t **ret, size_t *ret_n)
{
	struct id_acc a = {file, NULL, 0};
	int r = acc_dir(dirfd, &a);

	if (r < 0) {
		free(a.v);
		return r;
	}
	*ret = a.v;
	*ret_n = a.n;
	return 0;
}

int acg_cg_tree_pids(struct acg_cg *cg, pid_t **ret, size_t *ret_n)
{
	return read_tree_ids_at(cg->mem_fd, "cgroup.procs", ret, ret_n);
}

int acg_cg_tree_tids(struct acg_cg *cg, pid_t **ret, size_t *ret_n)
{
	return read_tree_ids_at(cg->mem_fd, cg->version == 2 ? "cgroup.threads" : "tasks", ret,
				ret_n);
}

int acg_cg_oom_waiters(struct acg_cg *cg, unsigned int *ret_n)
{
	pid_t *tids = NULL;
	size_t n = 0;
	int r;

	*ret_n = 0;
	if (cg->version != 1)
		return -EOPNOTSUPP;
	/* a container's tasks wait in its cgroup below the session's, on the session's limit */
	r = read_tree_ids_at(cg->mem_fd, "tasks", &tids, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		char path[64], buf[64];
		int fd, len;

		snprintf(path, sizeof(path), "/proc/%d/wchan", (int)tids[i]);
		fd = acg_read_buf_at(AT_FDCWD, path, buf, sizeof(buf));
		len = fd;
		if (len > 0 && strcmp(buf, "mem_cgroup_oom_synchronize") == 0)
			(*ret_n)++;
	}
	free(tids);
	return 0;
}

/* The helper of acg_cg_oom_kick(): join cg, say so, and on 'G' fault in a MiB. */
static void kick_helper(struct acg_cg *cg, int ready_fd, int go_fd)
{
	size_t len = 1 << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	char c = 'R', *p;

	if (acg_cg_attach(cg, getpid()) < 0 || write(ready_fd, &c, 1) != 1)
		_exit(1);
	if (read(go_fd, &c, 1) != 1)
		_exit(0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	for (size_t off = 0; off < len; off += page)
		((volatile char *)p)[off] = 1;
	_exit(0);
}

int acg_cg_oom_kick(struct acg_cg *cg)
{
	uint64_t limit, usage, pause;
	struct acg_mem_events ev = {0};
	int ready[2], go[2], r, status;
	bool marked = false;
	char c;
	pid_t pid;

	if (cg->version != 1)
		return -EOPNOTSUPP;
	r = acg_cg_get(cg, ACG_CTL_MAX, &limit);
	if (r == 0)
		r = acg_cg_get(cg, ACG_CTL_OOM_PAUSE, &pause);
	if (r < 0)
		return r;
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(go, O_CLOEXEC) < 0) {
		r = -errno;
		close(ready[0]);
		close(ready[1]);
		return r;
	}
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		kick_helper(cg, ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	if (pid < 0 || read(ready[0], &c, 1) != 1) {
		r = pid < 0 ? -errno : -EIO;
		goto out;
	}
	/* the helper waits at the limit (never killed), marking the tree under OOM ... */
	if (!pause)
		acg_cg_set(cg, ACG_CTL_OOM_PAUSE, 1);
	if (acg_cg_usage(cg, &usage) == 0)
		acg_cg_set(cg, ACG_CTL_MAX, usage);
	r = write(go[1], "G", 1) == 1 ? 0 : -EIO;
	for (int k = 0; r == 0 && k < 200 && !marked; k++) {
		struct timespec ts = {0, 1000000};

		nanosleep(&ts, NULL);
		marked = acg_cg_events(cg, &ev) == 0 && ev.under_oom;
	}
	/* ... and raising the limit back wakes every waiter of the tree, the helper too */
	acg_cg_set(cg, ACG_CTL_MAX, limit);
	if (!pause)
		acg_cg_set(cg, ACG_CTL_OOM_PAUSE, 0);
	if (r == 0 && !marked)
		r = -EAGAIN;
out:
	close(ready[0]);
	close(go[1]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return r;
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* A pidfd on the task called id now; -1 where the kernel has none (errno says why). */
static int task_pidfd(pid_t id)
{
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, id, 0);

	/* a thread that does not lead its process: PIDFD_THREAD (Linux 6.9) */
	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_pidfd_open, id, PIDFD_THREAD);
	return fd;
#else
	(void)id;
	errno = ENOSYS;
	return -1;
#endif
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

void acg_tasks_free(struct acg_task *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		if (v[i].pidfd >= 0)
			close(v[i].pidfd);
		if (v[i].procfd >= 0)
			close(v[i].procfd);
	}
	free(v);
}

bool acg_task_alive(const struct acg_task *t)
{
	struct pollfd p = {.fd = t->pidfd, .events = POLLIN};

	/* a pidfd is readable once its task has ended */
	if (t->pidfd >= 0 && poll(&p, 1, 0) != 0)
		return false;
	/* a dead task's /proc directory has no files left */
	return faccessat(t->procfd, "stat", F_OK, 0) == 0;
}

/* acg_cg_pin() over the ids file of dirfd (with tree, of dirfd and every cgroup below). */
static int pin_at(int dirfd, const char *file, bool tree, const pid_t *ids, size_t n,
		  struct acg_task **ret, size_t *ret_n)
{
	struct acg_task *v = calloc(n ? n : 1, sizeof(*v));
	size_t k = 0, w = 0, m = 0;
	pid_t *now = NULL;
	int r;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/proc/%d", (int)ids[i]);
		v[k].id = ids[i];
		v[k].procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (v[k].procfd < 0)
			continue; /* gone (or out of descriptors: tried again next time) */
		v[k].pidfd = task_pidfd(ids[i]);
		if (v[k].pidfd < 0 && errno != ENOSYS && errno != EINVAL) {
			close(v[k].procfd);
			continue; /* gone already */
		}
		k++;
	}
	/* still in the cgroup after being pinned */
	r = tree ? read_tree_ids_at(dirfd, file, &now, &m) : read_ids_at(dirfd, file, &now, &m);
	if (r < 0) {
		acg_tasks_free(v, k);
		return r;
	}
	if (m)
		qsort(now, m, sizeof(*now), cmp_pid);
	for (size_t i = 0; i < k; i++) {
		if (m && bsearch(&v[i].id, now, m, sizeof(*now), cmp_pid)) {
			v[w++] = v[i];
			continue;
		}
		if (v[i].pidfd >= 0)
			close(v[i].pidfd);
		close(v[i].procfd);
	}
	free(now);
	*ret = v;
	*ret_n = w;
	return 0;
}

int acg_cg_pin(struct acg_cg *cg, const pid_t *ids, size_t n, struct acg_task **ret, size_t *ret_n)
{
	return pin_at(cg->mem_fd, cg->version == 2 ? "cgroup.threads" : "tasks", false, ids, n, ret,
		      ret_n);
}

int acg_cg_tree_pin(struct acg_cg *cg, const pid_t *ids, size_t n, struct acg_task **ret,
		    size_t *ret_n)
{
	return pin_at(cg->mem_fd, cg->version == 2 ? "cgroup.threads" : "tasks", true, ids, n, ret,
		      ret_n);
}

static int signal_tree_at(int dirfd, const char *name, void *arg);

/*
 * SIGKILL every process listed in dirfd and in its child cgroups; arg counts them. Each
 * through its pidfd, opened before the list is read again: a process that left, and an id
 * that went to a process outside, is not signalled (kill(2) by id without pidfds).
 */
static int signal_dir(int dirfd, void *arg)
{
	int *count = arg;
	struct acg_task *t = NULL;
	pid_t *pids;
	size_t n, k = 0;
	int r;

	r = read_ids_at(dirfd, "cgroup.procs", &pids, &n);
	if (r < 0)
		return r;
	r = pin_at(dirfd, "cgroup.procs", false, pids, n, &t, &k);
	free(pids);
	if (r < 0)
		return r;
	for (size_t i = 0; i < k; i++) {
#ifdef SYS_pidfd_send_signal
		if (t[i].pidfd >= 0) {
			if (syscall(SYS_pidfd_send_signal, t[i].pidfd, SIGKILL, NULL, 0) == 0)
				(*count)++;
			continue;
		}
#endif
		if (acg_task_alive(&t[i]) && kill(t[i].id, SIGKILL) == 0)
			(*count)++;
	}
	acg_tasks_free(t, k);
	return cgi_each_subdir(dirfd, true, signal_tree_at, count);
}

static int signal_tree_at(int dirfd, const char *name, void *arg)
{
	return cgi_in_subdir(dirfd, name, signal_dir, arg);
}

int acg_cg_kill(struct acg_cg *cg)
{
	int count = 0, r;
	bool froze = false;

	if (cg->version == 2) {
		r = acg_write_at(cg->mem_fd, "cgroup.kill", "1");
		if (r != -ENOENT)
			return r;
		/* pre-5.14 kernel without cgroup.kill: fall through to signals */
	}
	/* freeze first so nothing forks between reading the list and signalling it */
	if (acg_cg_has_freezer(cg) && acg_cg_set(cg, ACG_CTL_FREEZE, 1) == 0)
		froze = true;
	r = signal_dir(cg->mem_fd, &count);
	if (froze)
		acg_cg_set(cg, ACG_CTL_FREEZE, 0);
	return r;
}
