// SPDX-License-Identifier: GPL-2.0
/*
 * test_jsonfile.c: the documents a user names (scenario, config, profile, a results
 * directory's run.json) are read as traces are: a symlink followed, a regular file only
 * (a FIFO refused at once, never waited on; /dev/zero never read), a size bound, and one
 * line for what is wrong. Before, json_load_file() blocked on a FIFO for good and read
 * /dev/zero until memory ran out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fsutil.h"
#include "jsonfile.h"
#include "scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct dir {
	char path[64];
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A directory with good.json, link.json (to it), bad.json, fifo, dir. */
static int setup(void **state)
{
	static struct dir d;
	char p[128];

	snprintf(d.path, sizeof(d.path), "/tmp/agentcg-test-json-XXXXXX");
	if (!mkdtemp(d.path))
		return -1;
	snprintf(p, sizeof(p), "%s/good.json", d.path);
	write_file(p, "{\"a\": 1}\n");
	snprintf(p, sizeof(p), "%s/bad.json", d.path);
	write_file(p, "{\"a\": 1,\n \"b\" 2}\n");
	snprintf(p, sizeof(p), "%s/link.json", d.path);
	if (symlink("good.json", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/fifo", d.path);
	if (mkfifo(p, 0600) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/dir", d.path);
	if (mkdir(p, 0700) < 0)
		return -1;
	*state = &d;
	return 0;
}

static int teardown(void **state)
{
	struct dir *d = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_read_user(void **state)
{
	static const struct {
		const char *name, *want;
		int err;
	} bad[] = {
		{"fifo", "fifo: not a regular file (a FIFO)", -EINVAL},
		{"/dev/zero", "/dev/zero: not a regular file (a character device)", -EINVAL},
		{"dir", "dir: not a regular file (a directory)", -EINVAL},
		{"bad.json", "bad.json: not JSON: line 2 column 6: ", -EINVAL},
		{"none.json", "none.json: No such file or directory", -ENOENT},
	};
	struct dir *d = *state;
	struct acg_diag diag;
	char p[128];
	json_t *j = NULL;

	snprintf(p, sizeof(p), "%s/link.json", d->path);
	assert_int_equal(acg_json_read_user(p, ACG_JSON_MAX_INPUT, 0, &j, &diag), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
	json_decref(j);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bad[i].name[0] == '/')
			snprintf(p, sizeof(p), "%s", bad[i].name);
		else
			snprintf(p, sizeof(p), "%s/%s", d->path, bad[i].name);
		diag.msg[0] = '\0';
		if (acg_json_read_user(p, ACG_JSON_MAX_INPUT, 0, &j, &diag) != bad[i].err ||
		    !strstr(diag.msg, bad[i].want) || strchr(diag.msg, '\n'))
			fail_msg("%s: \"%s\" (wanted %d and \"%s\")", p, diag.msg, bad[i].err,
				 bad[i].want);
	}
	/* the bound: a file over max bytes is refused before it is read */
	snprintf(p, sizeof(p), "%s/good.json", d->path);
	assert_int_equal(acg_json_read_user(p, 4, 0, &j, &diag), -EFBIG);
	assert_non_null(strstr(diag.msg, "good.json: larger than 0 MiB"));
}

/* The stream reader refuses what is not a regular file the same way, and reads one. */
static void test_fopen_user(void **state)
{
	struct dir *d = *state;
	char p[128], line[64];
	FILE *f;

	snprintf(p, sizeof(p), "%s/fifo", d->path);
	errno = 0;
	assert_null(acg_fopen_user(p));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(acg_fopen_user("/dev/zero"));
	assert_int_equal(errno, EINVAL);
	snprintf(p, sizeof(p), "%s/none", d->path);
	assert_null(acg_fopen_user(p));
	assert_int_equal(errno, ENOENT);
	snprintf(p, sizeof(p), "%s/link.json", d->path);
	f = acg_fopen_user(p);
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "{\"a\": 1}\n");
	fclose(f);
}

/* A scenario named as a FIFO is one line at once, not a wait. */
static void test_scenario_fifo(void **state)
{
	struct dir *d = *state;
	struct acg_scenario *sc = NULL;
	struct acg_diag diag = {""};
	char p[128];

	snprintf(p, sizeof(p), "%s/fifo", d->path);
	assert_int_equal(acg_scenario_load(p, 1ull << 34, &sc, &diag), -EINVAL);
	assert_non_null(strstr(diag.msg, "fifo: not a regular file (a FIFO)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_user),
		cmocka_unit_test(test_fopen_user),
		cmocka_unit_test(test_scenario_fifo),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
