// SPDX-License-Identifier: GPL-2.0
/*
 * helpers.c: see helpers.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helpers.h"
#include "schema.h"

#include "fsutil.h"

#include <errno.h>
#include <jansson.h>
#include <glob.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/fixtures"
#endif

void th_init(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	/* AGENTCG_TEST_FILTER=test_x runs only the tests matching that pattern,
	 * AGENTCG_TEST_SKIP=test_y all but those */
	if (getenv("AGENTCG_TEST_FILTER"))
		cmocka_set_test_filter(getenv("AGENTCG_TEST_FILTER"));
	if (getenv("AGENTCG_TEST_SKIP"))
		cmocka_set_skip_filter(getenv("AGENTCG_TEST_SKIP"));
}

char *th_fixture(const char *name)
{
	char path[512];
	char *text;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	if (acg_read_text(path, &text) < 0) {
		fprintf(stderr, "fixture %s: %s\n", path, strerror(errno));
		abort();
	}
	return text;
}

struct child_job {
	uint64_t bytes;
	const char *path; /* NULL: anonymous memory; else the file to churn */
};

/* not instrumented: under ASan each touch would fault in shadow pages too */
__attribute__((no_sanitize_address)) static void touch_anon(uint64_t bytes)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(4);
	/* 4 KiB pages whatever the host's THP setting: one fault per page, exact sizes */
	madvise(p, bytes, MADV_NOHUGEPAGE);
	for (uint64_t off = 0; off < bytes; off += (uint64_t)page)
		p[off] = 1;
}

static void churn_file(const char *path, uint64_t bytes)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		_exit(6);
	memset(buf, 'x', sizeof(buf));
	for (uint64_t off = 0; off < bytes; off += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			_exit(7);
	if (lseek(fd, 0, SEEK_SET) < 0)
		_exit(8);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

/* Has the parent closed go_fd (time to stop)? */
static bool released(int go_fd)
{
	struct pollfd pfd = {go_fd, POLLIN, 0};
	char c;

	return poll(&pfd, 1, 0) == 1 && read(go_fd, &c, 1) <= 0;
}

static void child_main(int go_fd, int done_fd, const struct child_job *job)
{
	char c;

	if (read(go_fd, &c, 1) != 1)
		_exit(3);
	if (job->path)
		churn_file(job->path, job->bytes);
	else
		touch_anon(job->bytes);
	c = 'D';
	if (write(done_fd, &c, 1) != 1)
		_exit(5);
	/* hold the memory (or keep churning) until the parent closes go_fd */
	for (int round = 1; job->path && round < 100 && !released(go_fd); round++)
		churn_file(job->path, job->bytes);
	while (read(go_fd, &c, 1) > 0)
		;
	_exit(0);
}

/* Close every fd from 3 up except a and b. */
static void keep_only(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo > 3)
		close_range(3, (unsigned int)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned int)lo + 1, (unsigned int)hi - 1, 0);
	close_range((unsigned int)hi + 1, ~0U, 0);
}

static int child_start(struct acg_cg *cg, const struct child_job *job, struct th_child *ret)
{
	int go[2], done[2];
	pid_t pid;
	int r;

	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(done, O_CLOEXEC) < 0) {
		r = -errno;
		close(go[0]);
		close(go[1]);
		return r;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(go[0]);
		close(go[1]);
		close(done[0]);
		close(done[1]);
		return r;
	}
	if (pid == 0) {
		close(go[1]);
		close(done[0]);
		/* drop every other inherited fd, the pipes of earlier children among them:
		 * else an earlier child never sees EOF on its go pipe while this one lives */
		keep_only(go[0], done[1]);
		child_main(go[0], done[1], job);
	}
	close(go[0]);
	close(done[1]);
	ret->pid = pid;
	ret->go_fd = go[1];
	ret->done_fd = done[0];
	r = acg_cg_attach(cg, pid);
	if (r < 0 || write(ret->go_fd, "G", 1) != 1) {
		kill(pid, SIGKILL);
		th_child_reap(ret);
		return r < 0 ? r : -EIO;
	}
	return 0;
}

int th_child_start(struct acg_cg *cg, uint64_t bytes, struct th_child *ret)
{
	struct child_job job = {bytes, NULL};

	return child_start(cg, &job, ret);
}

int th_child_start_file(struct acg_cg *cg, const char *path, uint64_t bytes, struct th_child *ret)
{
	struct child_job job = {bytes, path};

	return child_start(cg, &job, ret);
}

bool th_child_allocated(struct th_child *c, int timeout_ms)
{
	struct pollfd pfd = {c->done_fd, POLLIN, 0};
	char ch;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return false;
	return read(c->done_fd, &ch, 1) == 1 && ch == 'D';
}

int th_child_reap(struct th_child *c)
{
	int status = -1;

	if (c->go_fd >= 0)
		close(c->go_fd);
	if (c->done_fd >= 0)
		close(c->done_fd);
	c->go_fd = c->done_fd = -1;
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

bool th_wait_for(bool (*cond)(void *arg), void *arg, int timeout_ms)
{
	struct timespec ts = {0, 10 * 1000 * 1000};

	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		if (cond(arg))
			return true;
		nanosleep(&ts, NULL);
	}
	return cond(arg);
}

bool th_within(const char *what, uint64_t actual, uint64_t expected, unsigned int pct)
{
	uint64_t diff = actual > expected ? actual - expected : expected - actual;

	if (diff * 100 <= expected * pct)
		return true;
	fprintf(stderr, "%s: actual %llu, expected %llu +- %u%%\n", what,
		(unsigned long long)actual, (unsigned long long)expected, pct);
	return false;
}

void th_put(const char *dir, const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

void th_drop(const char *dir, const char *name)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
}

size_t th_json_load_all(const char *pattern, json_t **docs, size_t max)
{
	glob_t g;
	size_t n = 0;

	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc && n < max; i++) {
		docs[n] = json_load_file(g.gl_pathv[i], 0, NULL);
		if (!docs[n])
			fail_msg("%s: not JSON", g.gl_pathv[i]);
		n++;
	}
	globfree(&g);
	return n;
}

void th_schema_add_doc(struct th_schema *s, const char *doc, const char *heading, const char *only,
		       const char *prefix, const char *skip)
{
	char path[600], err[700];

	snprintf(path, sizeof(path), "%s/%s", th_doc_dir(), doc);
	if (th_schema_add(s, path, heading, only, prefix, skip, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

void th_schema_expect(const struct th_schema *s, json_t **docs, size_t n, const char *what)
{
	char *diff = th_schema_diff(s, docs, n);

	if (diff)
		fail_msg("%s against docs/: %s", what, diff);
	for (size_t i = 0; i < n; i++)
		json_decref(docs[i]);
}
