// SPDX-License-Identifier: GPL-2.0
/*
 * warm.c: warming the host's memory (see warm.h).
 */
#include "warm.h"
#include "clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define WARM_CHUNK (4u << 20)

static void child_touch(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long page = sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	/* if memory runs out meanwhile, the warm-up is the first thing the kernel should kill */
	if (fd >= 0) {
		if (write(fd, "1000", 4) < 0) {
			/* not fatal: only the order of an OOM kill changes */
		}
		close(fd);
	}
	if (p == MAP_FAILED)
		_exit(1);
	for (size_t off = 0; off < len; off += WARM_CHUNK) {
		size_t n = len - off < WARM_CHUNK ? len - off : WARM_CHUNK;

		if (madvise(p + off, n, MADV_POPULATE_WRITE) < 0)
			for (size_t o = 0; o < n; o += (size_t)page)
				((volatile char *)p)[off + o] = 1;
	}
	_exit(0);
}

int acg_warm_touch(uint64_t bytes, double *mib_s)
{
	double t0 = acg_mono_s();
	pid_t pid;
	int st;

	if (bytes == 0 || bytes > SIZE_MAX / 2)
		return -EINVAL;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		child_touch((size_t)bytes);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -ENOMEM;
	if (mib_s) {
		double dt = acg_mono_s() - t0;

		*mib_s = dt > 0 ? (double)bytes / 1048576.0 / dt : 0;
	}
	return 0;
}

/* VIRTIO_ID_BALLOON and VIRTIO_BALLOON_F_REPORTING, from the virtio specification */
#define VIRTIO_ID_BALLOON 5
#define BALLOON_F_REPORTING 5

static bool read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	bool ok = f && fgets(buf, (int)size, f);

	if (f)
		fclose(f);
	return ok;
}

bool acg_warm_host_reports_free(void)
{
	DIR *d = opendir("/sys/bus/virtio/devices");
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		char path[512], buf[256];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/device", de->d_name);
		if (!read_line(path, buf, sizeof(buf)) || strtol(buf, NULL, 0) != VIRTIO_ID_BALLOON)
			continue;
		/* features: one '0'/'1' character per bit, bit 0 first */
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/features", de->d_name);
		if (!read_line(path, buf, sizeof(buf)) || strlen(buf) <= BALLOON_F_REPORTING ||
		    buf[BALLOON_F_REPORTING] != '1')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/driver", de->d_name);
		found = access(path, F_OK) == 0;
	}
	closedir(d);
	return found;
}

long long acg_warm_reported_kib(void)
{
	char buf[64];

	if (!read_line("/sys/module/page_reporting/parameters/reported_kib", buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}
