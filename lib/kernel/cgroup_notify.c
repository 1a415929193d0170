// SPDX-License-Identifier: GPL-2.0
/* cgroup_notify.c: wake-ups: PSI triggers, v1 eventfds, v2 memory.events polling (the cgroup layer's parts: cgroup_int.h). */
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

int acg_cg_psi_trigger(struct acg_cg *cg, bool full, uint64_t stall_us, uint64_t window_us,
		       int *ret_fd)
{
	char buf[64];
	int fd, len;

	if (cg->psi_fd < 0)
		return -EOPNOTSUPP;
	fd = acg_openat(cg->psi_fd, "memory.pressure", O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return fd;
	len = snprintf(buf, sizeof(buf), "%s %" PRIu64 " %" PRIu64, full ? "full" : "some",
		       stall_us, window_us);
	/* the kernel wants the terminating NUL included */
	if (write(fd, buf, (size_t)len + 1) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	*ret_fd = fd;
	return 0;
}

/* v1: register an eventfd for file (with an optional threshold) in cgroup.event_control. */
static int event_control(int dirfd, const char *file, const char *arg, int *ret_fd)
{
	char buf[96];
	int efd, ffd, cfd, len, r = 0;

	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return -errno;
	ffd = acg_openat(dirfd, file, O_RDONLY);
	cfd = acg_openat(dirfd, "cgroup.event_control", O_WRONLY);
	if (ffd < 0 || cfd < 0) {
		r = ffd < 0 ? ffd : cfd;
	} else {
		len = snprintf(buf, sizeof(buf), "%d %d%s%s", efd, ffd, *arg ? " " : "", arg);
		if (write(cfd, buf, (size_t)len) < 0)
			r = -errno;
	}
	/* the kernel keeps what it needs: only the eventfd stays open */
	if (ffd >= 0)
		close(ffd);
	if (cfd >= 0)
		close(cfd);
	if (r < 0) {
		close(efd);
		return r;
	}
	*ret_fd = efd;
	return 0;
}

int acg_cg_notify(struct acg_cg *cg, enum acg_notify what, uint64_t threshold, int *ret_fd)
{
	char arg[32] = "";
	int fd;

	if (cg->version == 2) {
		char buf[512];

		if (what != ACG_NOTIFY_WAIT)
			return -EOPNOTSUPP;
		fd = acg_openat(cg->mem_fd, "memory.events", O_RDONLY);
		if (fd < 0)
			return fd;
		/* a read arms it: poll reports a change made after it */
		if (pread(fd, buf, sizeof(buf), 0) < 0) {
			int e = -errno;

			close(fd);
			return e;
		}
		*ret_fd = fd;
		return 0;
	}
	if (what == ACG_NOTIFY_USAGE) {
		snprintf(arg, sizeof(arg), "%" PRIu64, threshold);
		return event_control(cg->mem_fd, "memory.usage_in_bytes", arg, ret_fd);
	}
	return event_control(cg->mem_fd, "memory.oom_control", "", ret_fd);
}

short acg_notify_events(const struct acg_cg *cg)
{
	return cg->version == 2 ? POLLPRI : POLLIN;
}

void acg_notify_consume(int fd)
{
	char buf[512];

	/* an eventfd cannot seek: read its counter; a kernfs file is re-read from the start */
	if (pread(fd, buf, sizeof(buf), 0) < 0 && errno == ESPIPE) {
		ssize_t r = read(fd, buf, sizeof(uint64_t));

		(void)r;
	}
}
