// SPDX-License-Identifier: GPL-2.0
/*
 * memcg_ops_smoke.c: the lab kernel's memcg_bpf_ops (RFC v7, ported to 6.12) exercised
 * on its own, before agentcg's loader speaks v7: load a struct_ops table, attach it per
 * cgroup with BPF_LINK_CREATE {flags = BPF_F_CGROUP_FD, target_fd = the cgroup}, and
 * check what the kernel then does: each hook is called (counted by the program), the
 * delay memcg_charged returns is a memory stall the kernel accounts (memory.pressure),
 * the attach rules (-EBUSY, BPF_F_ALLOW_OVERRIDE, bad flags, bad target) and detach,
 * by hand or by removing the cgroup.
 * Runs inside the lab VM only (tests/vm/run.sh with AGENTCG_VM_KERNEL; root, cgroup2).
 *
 * Debian 12's libbpf (1.1) and uapi headers (6.1) predate struct_ops links: the map gets
 * BPF_F_LINK by hand, libbpf's bpf_map__attach_struct_ops() only writes the table into
 * the map (1.1 creates no link), and the link is made with the raw bpf(2) command.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/magic.h>

#include "memcg_ops_smoke.skel.h"

#ifndef BPF_F_LINK
#define BPF_F_LINK (1U << 13)
#endif
#define SMOKE_BPF_STRUCT_OPS 44		/* enum bpf_attach_type, since 6.4 */
#define SMOKE_BPF_F_CGROUP_FD (1U << 7) /* RFC v7 */
#define SMOKE_BPF_F_ALLOW_OVERRIDE (1U << 0)

#define MiB (1UL << 20)
#define PAGE 4096UL

static char parent[200], child[256];

/* BPF_LINK_CREATE laid out by hand: { map_fd, target_fd, attach_type, flags } */
static int link_create(int map_fd, int target_fd, unsigned int flags)
{
	union bpf_attr attr;
	uint32_t words[4] = {(uint32_t)map_fd, (uint32_t)target_fd, SMOKE_BPF_STRUCT_OPS, flags};

	memset(&attr, 0, sizeof(attr));
	memcpy(&attr, words, sizeof(words));
	return (int)syscall(SYS_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
}

/* detach now (BPF_LINK_DETACH unregisters synchronously), then drop the link */
static void unlink_ops(int link)
{
	assert_int_equal(bpf_link_detach(link), 0);
	close(link);
}

static void write_file(const char *dir, const char *name, const char *val)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, val, strlen(val)), (ssize_t)strlen(val));
	close(fd);
}

/* "some ... total=N" of dir/memory.pressure, in microseconds */
static uint64_t stall_us(const char *dir)
{
	char path[512], buf[256];
	unsigned long long total = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.pressure", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "some avg10=%*f avg60=%*f avg300=%*f total=%llu", &total) == 1)
			break;
	fclose(f);
	return total;
}

/* a child that joins dir, touches `bytes` of anonymous memory, and exits 0 */
static void touch_in(const char *dir, size_t bytes)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		char path[512], self[32];
		int fd, n;
		char *p;

		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		n = snprintf(self, sizeof(self), "%d", getpid());
		fd = open(path, O_WRONLY);
		if (fd < 0 || write(fd, self, (size_t)n) != n)
			_exit(2);
		close(fd);
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(3);
		for (size_t i = 0; i < bytes; i += PAGE)
			p[i] = 1;
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* offlining a memcg after rmdir is asynchronous: wait for the kernel's callback */
static void wait_for(volatile __u64 *counter, __u64 want)
{
	for (int i = 0; i < 500 && *counter < want; i++)
		usleep(10000);
}

/* only as root on cgroup2 (the lab VM mounts it at /sys/fs/cgroup) */
static bool lab(void)
{
	struct statfs fs;

	return geteuid() == 0 && statfs("/sys/fs/cgroup", &fs) == 0 &&
	       fs.f_type == CGROUP2_SUPER_MAGIC;
}

static struct memcg_ops_smoke_bpf *load(void)
{
	struct memcg_ops_smoke_bpf *skel;

	if (!lab()) {
		fprintf(stderr, "skip: needs root and cgroup2 at /sys/fs/cgroup (the lab VM)\n");
		skip();
	}
	skel = memcg_ops_smoke_bpf__open();

	assert_non_null(skel);
	bpf_map__set_map_flags(skel->maps.smoke_ops, BPF_F_LINK);
	bpf_map__set_map_flags(skel->maps.smoke_ops2, BPF_F_LINK);
	assert_int_equal(memcg_ops_smoke_bpf__load(skel), 0);
	/* libbpf 1.1: writes the table (program fds) into the map; with BPF_F_LINK the kernel
	 * only stores it, and registers it per link */
	assert_non_null(bpf_map__attach_struct_ops(skel->maps.smoke_ops));
	assert_non_null(bpf_map__attach_struct_ops(skel->maps.smoke_ops2));
	return skel;
}

static int setup(void **state)
{
	(void)state;
	if (!lab())
		return 0; /* the test skips */
	snprintf(parent, sizeof(parent), "/sys/fs/cgroup/agentcg-test-%d-memcgops", getpid());
	snprintf(child, sizeof(child), "%s/c", parent);
	if (mkdir(parent, 0755) < 0)
		return -1;
	write_file(parent, "cgroup.subtree_control", "+memory");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (!lab())
		return 0;
	rmdir(child);
	rmdir(parent);
	return 0;
}

/* attach, every hook runs, detach stops them */
static void test_hooks_run_then_detach(void **state)
{
	struct memcg_ops_smoke_bpf *skel = load();
	int pfd = open(parent, O_RDONLY | O_DIRECTORY), link;
	__u64 before;

	(void)state;
	assert_true(pfd >= 0);
	link = link_create(bpf_map__fd(skel->maps.smoke_ops), pfd, SMOKE_BPF_F_CGROUP_FD);
	if (link < 0)
		fail_msg("BPF_LINK_CREATE(smoke_ops, BPF_F_CGROUP_FD): %s", strerror(errno));

	/* a cgroup born under the attached one inherits the table and is announced */
	assert_int_equal(mkdir(child, 0755), 0);
	assert_int_equal(skel->bss->online_calls, 1);

	touch_in(child, 16 * MiB);
	printf("charged %llu calls %llu pages, uncharged %llu calls %llu pages\n",
	       (unsigned long long)skel->bss->charged_calls,
	       (unsigned long long)skel->bss->charged_pages,
	       (unsigned long long)skel->bss->uncharged_calls,
	       (unsigned long long)skel->bss->uncharged_pages);
	/* 4096 pages touched, charged in batches: the batches cover at least those */
	assert_true(skel->bss->charged_calls > 0);
	assert_true(skel->bss->charged_pages >= 16 * MiB / PAGE);
	/* the child exited: its pages went back */
	assert_true(skel->bss->uncharged_calls > 0);

	/* reclaim from the parent walks the child, asking the protection hooks */
	write_file(parent, "memory.max", "8M");
	touch_in(child, 24 * MiB);
	printf("below_low %llu, below_min %llu\n", (unsigned long long)skel->bss->below_low_calls,
	       (unsigned long long)skel->bss->below_min_calls);
	assert_true(skel->bss->below_min_calls > 0);
	assert_true(skel->bss->below_low_calls > 0);
	write_file(parent, "memory.max", "max");

	assert_int_equal(rmdir(child), 0);
	wait_for(&skel->bss->offline_calls, 1);
	assert_int_equal(skel->bss->offline_calls, 1);

	/* detach: charges are no longer seen */
	unlink_ops(link);
	assert_int_equal(mkdir(child, 0755), 0);
	assert_int_equal(skel->bss->online_calls, 1);
	before = skel->bss->charged_calls;
	touch_in(child, 16 * MiB);
	assert_int_equal(skel->bss->charged_calls, before);

	close(pfd);
	memcg_ops_smoke_bpf__destroy(skel);
}

/* memcg_charged's delay is a memory stall the kernel accounts to the cgroup */
static void test_delay_is_a_stall(void **state)
{
	struct memcg_ops_smoke_bpf *skel = load();
	int pfd = open(parent, O_RDONLY | O_DIRECTORY), link;
	uint64_t s0, s1, s2, calls0, calls1;

	(void)state;
	assert_true(pfd >= 0);
	assert_int_equal(mkdir(child, 0755), 0);
	link = link_create(bpf_map__fd(skel->maps.smoke_ops), pfd, SMOKE_BPF_F_CGROUP_FD);
	assert_true(link >= 0);

	/* no delay: next to no stall */
	skel->bss->delay_ms = 0;
	calls0 = skel->bss->charged_calls;
	s0 = stall_us(child);
	touch_in(child, 2 * MiB);
	s1 = stall_us(child);
	calls1 = skel->bss->charged_calls - calls0;

	/* 50 ms per charge: the kernel sleeps it, as a memory stall (psi_memstall) */
	skel->bss->delay_ms = 50;
	calls0 = skel->bss->charged_calls;
	touch_in(child, 2 * MiB);
	s2 = stall_us(child);
	calls0 = skel->bss->charged_calls - calls0;
	printf("delay 0: %llu charges, stall %llu us; delay 50 ms: %llu charges, stall %llu us\n",
	       (unsigned long long)calls1, (unsigned long long)(s1 - s0),
	       (unsigned long long)calls0, (unsigned long long)(s2 - s1));
	assert_true(calls0 > 0 && calls1 > 0);
	/* at least half the charges slept their 50 ms; without the delay, not so */
	assert_true(s2 - s1 >= calls0 * 50000 / 2);
	assert_true(s1 - s0 < calls1 * 50000 / 2);

	unlink_ops(link);
	close(pfd);
	memcg_ops_smoke_bpf__destroy(skel);
}

/* who may attach where: the RFC's rules */
static void test_attach_rules(void **state)
{
	struct memcg_ops_smoke_bpf *skel = load();
	int ops = bpf_map__fd(skel->maps.smoke_ops), ops2 = bpf_map__fd(skel->maps.smoke_ops2);
	int pfd = open(parent, O_RDONLY | O_DIRECTORY), cfd, link, link2, file;

	(void)state;
	assert_true(pfd >= 0);
	assert_int_equal(mkdir(child, 0755), 0);
	cfd = open(child, O_RDONLY | O_DIRECTORY);
	assert_true(cfd >= 0);

	/* no cgroup: the memcg ops have nowhere to go */
	assert_true(link_create(ops, 0, 0) < 0);
	assert_int_equal(errno, EINVAL);
	/* a flag struct_ops links do not take */
	assert_true(link_create(ops, pfd, SMOKE_BPF_F_CGROUP_FD | (1U << 8)) < 0);
	assert_int_equal(errno, EINVAL);
	/* a target that is not a cgroup */
	file = open("/proc/self/stat", O_RDONLY);
	assert_true(link_create(ops, file, SMOKE_BPF_F_CGROUP_FD) < 0);
	close(file);

	/* attached without BPF_F_ALLOW_OVERRIDE: nothing else on it or below */
	link = link_create(ops, pfd, SMOKE_BPF_F_CGROUP_FD);
	assert_true(link >= 0);
	assert_true(link_create(ops2, pfd, SMOKE_BPF_F_CGROUP_FD) < 0);
	assert_int_equal(errno, EBUSY);
	assert_true(link_create(ops2, cfd, SMOKE_BPF_F_CGROUP_FD) < 0);
	assert_int_equal(errno, EBUSY);
	unlink_ops(link);

	/* with it, the child may take its own table, which then runs for the child */
	link = link_create(ops, pfd, SMOKE_BPF_F_CGROUP_FD | SMOKE_BPF_F_ALLOW_OVERRIDE);
	assert_true(link >= 0);
	link2 = link_create(ops2, cfd, SMOKE_BPF_F_CGROUP_FD);
	if (link2 < 0)
		fail_msg("override under BPF_F_ALLOW_OVERRIDE: %s", strerror(errno));
	touch_in(child, 4 * MiB);
	assert_true(skel->bss->charged2_calls > 0);

	unlink_ops(link2);
	unlink_ops(link);
	close(cfd);
	close(pfd);
	memcg_ops_smoke_bpf__destroy(skel);
}

/* the link's fdinfo names its cgroup (cgroup_id: on cgroup2, the directory's inode) */
static unsigned long long link_cgroup_id(int link)
{
	char path[64], line[128];
	unsigned long long id = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", link);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "cgroup_id: %llu", &id) == 1)
			break;
	fclose(f);
	return id;
}

/* a cgroup removed under its link: the kernel detaches it and tells the link's owner */
static void test_cgroup_removed_detaches(void **state)
{
	struct memcg_ops_smoke_bpf *skel = load();
	struct pollfd pfd = {.events = POLLHUP};
	struct stat st;
	int cfd, link;

	(void)state;
	assert_int_equal(mkdir(child, 0755), 0);
	cfd = open(child, O_RDONLY | O_DIRECTORY);
	assert_true(cfd >= 0);
	assert_int_equal(fstat(cfd, &st), 0);
	link = link_create(bpf_map__fd(skel->maps.smoke_ops), cfd, SMOKE_BPF_F_CGROUP_FD);
	assert_true(link >= 0);
	assert_int_equal(link_cgroup_id(link), (unsigned long long)st.st_ino);
	pfd.fd = link;
	assert_int_equal(poll(&pfd, 1, 0), 0); /* attached: nothing to report */

	close(cfd);
	assert_int_equal(rmdir(child), 0);
	/* the cgroup's release runs asynchronously: wait up to 10 s for the hang-up */
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	assert_true(pfd.revents & POLLHUP);
	assert_int_equal(link_cgroup_id(link), 0);

	close(link);
	memcg_ops_smoke_bpf__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hooks_run_then_detach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delay_is_a_stall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_removed_detaches, setup, teardown),
	};

	setvbuf(stdout, NULL, _IONBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
