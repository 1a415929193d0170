/* SPDX-License-Identifier: GPL-2.0 */
/*
 * helpers.h: shared test helpers: fixtures, unique cgroup names, and child processes
 * that join a cgroup and allocate memory on command (after the style of the kernel's
 * tools/testing/selftests/cgroup/cgroup_util.c).
 */
#ifndef AGENTCG_TEST_HELPERS_H
#define AGENTCG_TEST_HELPERS_H

#include "cgroup.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MiB (UINT64_C(1) << 20)

/*
 * Under `make valgrind` (AGENTCG_VALGRIND set) a forked replay worker runs instrumented:
 * valgrind's own memory is charged to its cgroup and counted in its peak. Tests that check
 * a worker's memory against the kernel's numbers skip there, saying so.
 */
#define TH_SKIP_UNDER_VALGRIND()                                                                 \
	do {                                                                                     \
		if (getenv("AGENTCG_VALGRIND")) {                                                \
			fprintf(stderr, "skip: under valgrind the forked worker's memory is "    \
					"partly valgrind's own, which this test would count\n"); \
			skip();                                                                  \
		}                                                                                \
	} while (0)

/*
 * Call first in main: unbuffered stdout, so cmocka's stdout and stderr lines never mix;
 * AGENTCG_TEST_FILTER (a cmocka pattern, * and ? as wildcards) selects tests by name,
 * AGENTCG_TEST_SKIP leaves out those matching.
 */
void th_init(void);

/* Read tests/fixtures/<name> (malloc'd, NUL-terminated); aborts the test if missing. */
char *th_fixture(const char *name);

/*
 * A child that waits until it is in its cgroup, then touches `bytes` of anonymous memory,
 * reports "allocated" and holds the memory until th_child_reap() (then exits 0).
 */
struct th_child {
	pid_t pid;
	int go_fd;   /* parent -> child: 'G' to start; closed to let it exit */
	int done_fd; /* child -> parent: 'D' once all memory is touched */
};

/* Fork the child, move it into cg, let it start. 0 or -errno. */
int th_child_start(struct acg_cg *cg, uint64_t bytes, struct th_child *ret);

/*
 * A child that churns the page cache instead: it writes `bytes` to the file at path and
 * reads it back, again and again (at most 100 rounds), reporting "done" after the first
 * round and stopping when released. Under a small limit that means steady reclaim.
 */
int th_child_start_file(struct acg_cg *cg, const char *path, uint64_t bytes, struct th_child *ret);

/* Wait up to timeout_ms for the child to report its allocation done. */
bool th_child_allocated(struct th_child *c, int timeout_ms);

/* Let the child exit (or find it killed) and reap it; returns its wait status. */
int th_child_reap(struct th_child *c);

/* Poll cond(arg) every 10 ms for up to timeout_ms (a liveness bound, not a timing). */
bool th_wait_for(bool (*cond)(void *arg), void *arg, int timeout_ms);

/* |actual - expected| <= tolerance percent of expected. Prints both when it is not. */
bool th_within(const char *what, uint64_t actual, uint64_t expected, unsigned int pct);

/* Up to max JSON files matching pattern, loaded (the test fails on one that is not JSON);
 * how many. */
struct json_t;
struct th_schema;
size_t th_json_load_all(const char *pattern, struct json_t **docs, size_t max);

/* Add the key rows of docs/<doc>'s section heading to s (th_schema_add's only, prefix and
 * skip); the test fails if the section cannot be read. */
void th_schema_add_doc(struct th_schema *s, const char *doc, const char *heading, const char *only,
		       const char *prefix, const char *skip);

/* Fail unless docs[0..n) have exactly the keys s lists (what names them); frees them. */
void th_schema_expect(const struct th_schema *s, struct json_t **docs, size_t n, const char *what);

/* Write text to dir/name (the test fails if it cannot), and remove dir/name. */
void th_put(const char *dir, const char *name, const char *text);
void th_drop(const char *dir, const char *name);

#endif
