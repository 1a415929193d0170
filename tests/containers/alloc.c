// SPDX-License-Identifier: GPL-2.0
/*
 * alloc.c: a small allocator for the container tests, linked statically and copied into
 * the busybox image (busybox has none). `alloc MIB READY GO MORE DONE`: touch MIB MiB of
 * anonymous memory, create the file READY, wait until the file GO exists, touch MORE MiB
 * more, create DONE, exit 0. Memory is taken through page faults, as an agent's is: at a
 * cgroup v1 limit with the OOM killer disabled the task waits in its fault (held) instead
 * of getting an error, as a write(2) into a tmpfs would.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void touch(unsigned long mib)
{
	size_t len = (size_t)mib << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("alloc: mmap");
		exit(2);
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
}

static void create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		perror(path);
		exit(3);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	struct timespec ts = {0, 50 * 1000 * 1000};

	if (argc != 6) {
		fprintf(stderr, "usage: alloc MIB READY GO MORE DONE\n");
		return 2;
	}
	touch(strtoul(argv[1], NULL, 10));
	create(argv[2]);
	while (access(argv[3], F_OK) != 0)
		nanosleep(&ts, NULL);
	touch(strtoul(argv[4], NULL, 10));
	create(argv[5]);
	return 0;
}
