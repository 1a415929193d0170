// SPDX-License-Identifier: GPL-2.0
/*
 * shim_env.c: two stand-ins for what the lab kernel lacks, linked with --wrap so the
 * RFC's test files stay unchanged. Neither changes what a test checks.
 *
 * 1. get_cgroup_id() (always on). cgroup_helpers.c reads a cgroup's id with
 *    name_to_handle_at(), which fails with ENOSYS without CONFIG_FHANDLE (the lab kernel's
 *    tinyconfig-based config has none). On ENOSYS this falls back to stat(): on cgroup2
 *    (kernfs) a directory's inode number is the kernfs node id, which is the cgroup id on
 *    64-bit (cgroup_id() returns cgrp->kn->id; kernfs_id_ino() is the id when ino_t is
 *    64 bits): the value name_to_handle_at() would have returned. Says so on stdout.
 *
 * 2. memcg:count_memcg_events (opt-in: SHIM_EMULATE_MEMCG_TP=1). The RFC's three timing
 *    tests (08) learn that the high-priority cgroup is faulting from a BPF program on that
 *    tracepoint, which 6.12 does not have (the memcg tracepoints came later upstream), so
 *    bpf_program__attach() fails with ENOENT. With the variable set, when that attach
 *    fails, a thread of this process does what the BPF program would have done, from the
 *    high cgroup's memory.stat "pgfault" polled every SHIM_EMULATE_POLL_MS (default 10)
 *    ms: the same one-second window, the same threshold (read from the program's .bss),
 *    and it writes the same trigger time (CLOCK_MONOTONIC ns, bpf_ktime_get_ns()'s clock)
 *    into the program's trigger_ts_map; the struct_ops callbacks (below_low, below_min,
 *    memcg_charged) are the RFC's, unchanged, and read that map as they would. The test
 *    gets a placeholder link that bpf_link__destroy() (wrapped) recognises and stops the
 *    thread for (and prints the low and high cgroups' memory.pressure and memory.events,
 *    and the parent's memory.events, before the test removes them). The control,
 *    SHIM_EMULATE_CONTROL=1 as well: the same thread, but it never writes the trigger, so
 *    the callbacks never delay or protect (the test should then fail). Results with it are NOT the RFC test's results: they only show what the
 *    struct_ops half of the test does on this kernel when given the trigger.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define CGROUP_MOUNT_PATH "/mnt"		/* as cgroup_helpers.c */
#define CGROUP_WORK_DIR "/cgroup-test-work-dir" /* as cgroup_helpers.c */
#define EMU_HIGH_DIR "/memcg_ops_test/high"	/* CG_HIGH_DIR of prog_tests/memcg_ops.c */
#define EMU_SECTION "tp/memcg/count_memcg_events"
#define ONE_SECOND_NS 1000000000ULL

/* 1. get_cgroup_id() */
unsigned long long __real_get_cgroup_id(const char *relative_path);

unsigned long long __wrap_get_cgroup_id(const char *relative_path)
{
	static bool said;
	unsigned long long id;
	char path[4096];
	struct stat st;

	errno = 0;
	id = __real_get_cgroup_id(relative_path);
	if (id || errno != ENOSYS)
		return id;
	snprintf(path, sizeof(path), "%s%s%d%s", CGROUP_MOUNT_PATH, CGROUP_WORK_DIR, getpid(),
		 relative_path);
	if (stat(path, &st))
		return 0;
	if (!said) {
		printf("shim: name_to_handle_at() is ENOSYS (no CONFIG_FHANDLE): cgroup ids from "
		       "stat() st_ino instead\n");
		said = true;
	}
	printf("shim: get_cgroup_id(%s) = %llu (st_ino)\n", relative_path,
	       (unsigned long long)st.st_ino);
	return st.st_ino;
}

/* 2. memcg:count_memcg_events emulation */
static struct bpf_object *last_obj;
static struct {
	pthread_t thread;
	bool running;
	volatile bool stop;
	int trigger_fd, bss_fd;
	pid_t pid;
	bool control;
	unsigned long triggers, polls;
} emu;
static char emu_link_placeholder;

struct bpf_program *__real_bpf_object__find_program_by_name(const struct bpf_object *obj,
							    const char *name);

struct bpf_program *__wrap_bpf_object__find_program_by_name(const struct bpf_object *obj,
							    const char *name)
{
	last_obj = (struct bpf_object *)obj;
	return __real_bpf_object__find_program_by_name(obj, name);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * ONE_SECOND_NS + ts.tv_nsec;
}

static long long read_pgfault(const char *stat_path)
{
	char line[256];
	long long v = -1;
	FILE *f = fopen(stat_path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "pgfault %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void *emu_thread(void *arg)
{
	unsigned long long window_start = 0, sum = 0, threshold = 0, now;
	long long last = -1, cur;
	unsigned int poll_ms = 10;
	const char *p = getenv("SHIM_EMULATE_POLL_MS");
	char stat_path[4096];
	__u32 key = 0;
	__u64 bss[8] = {0};

	(void)arg;
	if (p && atoi(p) > 0)
		poll_ms = atoi(p);
	snprintf(stat_path, sizeof(stat_path), "%s%s%d%s/memory.stat", CGROUP_MOUNT_PATH,
		 CGROUP_WORK_DIR, emu.pid, EMU_HIGH_DIR);
	while (!emu.stop) {
		/* local_config: u64 threshold first, as the program (re)reads it each event */
		if (bpf_map_lookup_elem(emu.bss_fd, &key, bss) == 0)
			threshold = bss[0];
		cur = read_pgfault(stat_path);
		emu.polls++;
		if (cur >= 0 && last >= 0 && cur > last) {
			now = now_ns();
			if (now - window_start < ONE_SECOND_NS) {
				sum += cur - last;
			} else {
				window_start = now;
				sum = cur - last;
			}
			if (sum > threshold) {
				if (!emu.control)
					bpf_map_update_elem(emu.trigger_fd, &key, &now, BPF_ANY);
				emu.triggers++;
				sum = 0;
				window_start = now;
			}
		}
		if (cur >= 0)
			last = cur;
		usleep(poll_ms * 1000);
	}
	return NULL;
}

struct bpf_link *__real_bpf_program__attach(const struct bpf_program *prog);

struct bpf_link *__wrap_bpf_program__attach(const struct bpf_program *prog)
{
	struct bpf_link *link = __real_bpf_program__attach(prog);
	const char *e = getenv("SHIM_EMULATE_MEMCG_TP");
	struct bpf_map *trigger, *bss;
	int err = errno;

	if (link || !e || strcmp(e, "1") || strcmp(bpf_program__section_name(prog), EMU_SECTION))
		return link;
	printf("shim: attaching %s failed (errno %d: %s); SHIM_EMULATE_MEMCG_TP=1: emulating "
	       "it from %s's memory.stat pgfault\n",
	       EMU_SECTION, err, strerror(err), EMU_HIGH_DIR);
	if (!last_obj || emu.running)
		return link;
	trigger = bpf_object__find_map_by_name(last_obj, "trigger_ts_map");
	bss = bpf_object__find_map_by_name(last_obj, ".bss");
	if (!trigger || !bss)
		return link;
	memset(&emu, 0, sizeof(emu));
	emu.trigger_fd = bpf_map__fd(trigger);
	emu.bss_fd = bpf_map__fd(bss);
	emu.pid = getpid();
	e = getenv("SHIM_EMULATE_CONTROL");
	emu.control = e && strcmp(e, "1") == 0;
	if (pthread_create(&emu.thread, NULL, emu_thread, NULL))
		return link;
	emu.running = true;
	return (struct bpf_link *)&emu_link_placeholder;
}

static void print_cgroup_file(const char *cg, const char *file)
{
	char path[4096], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s%d/memcg_ops_test%s/%s", CGROUP_MOUNT_PATH,
		 CGROUP_WORK_DIR, emu.pid, cg, file);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("shim: memcg_ops_test%s/%s: %s", cg, file, line);
	fclose(f);
}

int __real_bpf_link__destroy(struct bpf_link *link);

int __wrap_bpf_link__destroy(struct bpf_link *link)
{
	if (link != (struct bpf_link *)&emu_link_placeholder)
		return __real_bpf_link__destroy(link);
	emu.stop = true;
	pthread_join(emu.thread, NULL);
	emu.running = false;
	printf("shim: emulated tracepoint stopped: %lu polls, %lu triggers%s\n", emu.polls,
	       emu.triggers, emu.control ? " (SHIM_EMULATE_CONTROL=1: not written)" : "");
	/* what the delays and the limit did (memcg_charged's delay is a memory stall) */
	print_cgroup_file("/low", "memory.pressure");
	print_cgroup_file("/high", "memory.pressure");
	print_cgroup_file("/low", "memory.events");
	print_cgroup_file("/high", "memory.events");
	print_cgroup_file("", "memory.events");
	return 0;
}
