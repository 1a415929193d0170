// SPDX-License-Identifier: GPL-2.0
/*
 * test_parse.c: unit tier (no root). The parsers of cgroup files, PSI lines,
 * /proc/self/mountinfo and /proc/cgroups, fed from tests/fixtures/, plus name validation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgroup.h"
#include "fsutil.h"
#include "helpers.h"
#include "mounts.h"
#include "parse.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_u64(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(acg_parse_u64("12345\n", &v), 0);
	assert_int_equal(v, 12345);
	assert_int_equal(acg_parse_u64("max\n", &v), 0);
	assert_true(v == ACG_UNLIMITED);
	/* v1's "no limit" is PAGE_COUNTER_MAX pages */
	assert_int_equal(acg_parse_u64("9223372036854771712\n", &v), 0);
	assert_true(v == ACG_UNLIMITED);
	assert_int_equal(acg_parse_u64("", &v), -EINVAL);
	assert_int_equal(acg_parse_u64("-1", &v), -EINVAL);
	assert_int_equal(acg_parse_u64("12abc", &v), -EINVAL);
	assert_int_equal(acg_parse_u64("maxi", &v), -EINVAL);
	assert_int_equal(acg_parse_u64("99999999999999999999999", &v), -ERANGE);
}

static void test_kv_events_v2(void **state)
{
	char *t = th_fixture("v2.memory.events");
	uint64_t v;

	(void)state;
	assert_int_equal(acg_kv_get(t, "high", &v), 0);
	assert_int_equal(v, 1234);
	/* "oom" must not match the "oom_kill" line, nor the reverse */
	assert_int_equal(acg_kv_get(t, "oom", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(acg_kv_get(t, "oom_kill", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(acg_kv_get(t, "oom_group_kill", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(acg_kv_get(t, "nonexistent", &v), -ENOENT);
	free(t);
}

static void test_kv_stat_and_oom_control(void **state)
{
	char *t = th_fixture("v2.memory.stat");
	uint64_t v;

	(void)state;
	assert_int_equal(acg_kv_get(t, "anon", &v), 0);
	assert_int_equal(v, 104857600);
	assert_int_equal(acg_kv_get(t, "file", &v), 0);
	assert_int_equal(v, 4096);
	free(t);

	t = th_fixture("v1.oom_control");
	assert_int_equal(acg_kv_get(t, "oom_kill_disable", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(acg_kv_get(t, "under_oom", &v), 0);
	assert_int_equal(acg_kv_get(t, "oom_kill", &v), 0);
	free(t);

	t = th_fixture("v1.memory.stat");
	assert_int_equal(acg_kv_get(t, "rss", &v), 0);
	assert_int_equal(acg_kv_get(t, "bogus", &v), -ENOENT);
	free(t);

	assert_int_equal(acg_kv_get("a notanumber\n", "a", &v), -EINVAL);
}

static void test_psi(void **state)
{
	struct acg_psi psi;
	char *t = th_fixture("psi.memory");

	(void)state;
	assert_int_equal(acg_psi_parse(t, &psi), 0);
	assert_true(psi.has_full);
	assert_true(psi.some.avg10 > 1.24 && psi.some.avg10 < 1.26);
	assert_int_equal(psi.some.total_us, 123456);
	assert_int_equal(psi.full.total_us, 65432);
	free(t);

	t = th_fixture("psi.some-only");
	assert_int_equal(acg_psi_parse(t, &psi), 0);
	assert_false(psi.has_full);
	assert_int_equal(psi.some.total_us, 42);
	free(t);

	t = th_fixture("psi.bad");
	assert_int_equal(acg_psi_parse(t, &psi), -EINVAL);
	free(t);
	assert_int_equal(acg_psi_parse("", &psi), -EINVAL);
	assert_int_equal(acg_psi_parse("full avg10=0 avg60=0 avg300=0 total=1\n", &psi), -EINVAL);
	assert_int_equal(acg_psi_parse("some avg10=0.00 avg60=0.00 avg300=0.00\n", &psi), -EINVAL);
}

static void test_mounts_hybrid(void **state)
{
	char *mi = th_fixture("mountinfo.hybrid"), *cg = th_fixture("cgroups.hybrid");
	struct acg_mounts m;

	(void)state;
	/* this project's reference host: memory on v1, cgroup2 without memory */
	assert_int_equal(acg_mounts_parse(mi, cg, "hugetlb\n", &m), 0);
	assert_int_equal(m.mode, ACG_CGMODE_HYBRID);
	assert_int_equal(m.mem_version, 1);
	assert_string_equal(m.mem_path, "/sys/fs/cgroup/memory");
	assert_string_equal(m.v2_path, "/sys/fs/cgroup/unified");
	assert_string_equal(m.freezer_path, "/sys/fs/cgroup/freezer");
	assert_string_equal(acg_cgmode_name(m.mode), "hybrid");
	free(mi);
	free(cg);
}

static void test_mounts_unified(void **state)
{
	char *mi = th_fixture("mountinfo.unified"), *cg = th_fixture("cgroups.unified");
	char *ctl = th_fixture("controllers.unified");
	struct acg_mounts m;

	(void)state;
	assert_int_equal(acg_mounts_parse(mi, cg, ctl, &m), 0);
	assert_int_equal(m.mode, ACG_CGMODE_UNIFIED);
	assert_int_equal(m.mem_version, 2);
	assert_string_equal(m.mem_path, "/sys/fs/cgroup");
	assert_string_equal(m.freezer_path, "");
	/* without /proc/cgroups only cgroup.controllers can tell */
	assert_int_equal(acg_mounts_parse(mi, NULL, ctl, &m), 0);
	assert_int_equal(m.mem_version, 2);
	/* cgroup2 mounted but memory not among its controllers */
	assert_int_equal(acg_mounts_parse(mi, cg, "cpu io\n", &m), 0);
	assert_int_equal(m.mem_version, 0);
	free(mi);
	free(cg);
	free(ctl);
}

static void test_mounts_legacy_and_disabled(void **state)
{
	char *mi = th_fixture("mountinfo.legacy"), *cg = th_fixture("cgroups.legacy");
	char *dis = th_fixture("cgroups.memdisabled"), *umi = th_fixture("mountinfo.unified");
	struct acg_mounts m;

	(void)state;
	assert_int_equal(acg_mounts_parse(mi, cg, NULL, &m), 0);
	assert_int_equal(m.mode, ACG_CGMODE_LEGACY);
	assert_int_equal(m.mem_version, 1);
	/* mountinfo escapes a space as \040 */
	assert_string_equal(m.mem_path, "/sys/fs/cgroup/my memory");
	assert_string_equal(m.v2_path, "");
	/* cgroup_disable=memory */
	assert_int_equal(acg_mounts_parse(umi, dis, "cpu\n", &m), 0);
	assert_int_equal(m.mem_version, 0);
	assert_false(m.mem_enabled);
	/* nothing mounted */
	assert_int_equal(acg_mounts_parse("", dis, NULL, &m), 0);
	assert_int_equal(m.mode, ACG_CGMODE_NONE);
	/* regression (fuzzing): a backslash not followed by three octal digits is literal */
	assert_int_equal(
		acg_mounts_parse("1 2 3:4 / /x\\0#y rw - cgroup2 cgroup2 rw\n", cg, NULL, &m), 0);
	assert_string_equal(m.v2_path, "/x\\0#y");
	/* a line without the " - " separator is not mountinfo */
	assert_int_equal(acg_mounts_parse("1 2 3:4 / /x rw\n", cg, NULL, &m), -EINVAL);
	free(mi);
	free(cg);
	free(dis);
	free(umi);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(acg_name_valid("agentcg"));
	assert_true(acg_name_valid("session-1_high.a"));
	assert_false(acg_name_valid(""));
	assert_false(acg_name_valid("."));
	assert_false(acg_name_valid(".."));
	assert_false(acg_name_valid(".hidden"));
	assert_false(acg_name_valid("a/b"));
	assert_false(acg_name_valid("a b"));
	assert_false(acg_name_valid("memory.max"));
	assert_false(acg_name_valid("cgroup.procs"));
	assert_false(acg_name_valid("tasks"));
	assert_false(acg_name_valid("x\n"));
	assert_false(acg_name_valid(
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void test_ctl_map(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_string_equal(acg_ctl_file(2, ACG_CTL_MAX, NULL), "memory.max");
	assert_string_equal(acg_ctl_file(1, ACG_CTL_MAX, NULL), "memory.limit_in_bytes");
	assert_null(acg_ctl_file(1, ACG_CTL_HIGH, &why));
	assert_non_null(why);
	assert_non_null(strstr(why, "v1"));
	why = NULL;
	assert_null(acg_ctl_file(2, ACG_CTL_OOM_PAUSE, &why));
	assert_non_null(why);
	assert_string_equal(acg_ctl_file(1, ACG_CTL_OOM_PAUSE, NULL), "memory.oom_control");
	assert_string_equal(acg_ctl_file(1, ACG_CTL_FREEZE, NULL), "freezer.state");
	assert_string_equal(acg_ctl_file(2, ACG_CTL_FREEZE, NULL), "cgroup.freeze");
	assert_string_equal(acg_ctl_file(2, ACG_CTL_OOM_GROUP, NULL), "memory.oom.group");
}

/* The names in dir, sorted and joined by spaces ("" when empty). */
static void dir_names(const char *dir, char *out, size_t size)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i]->d_name, ".") != 0 && strcmp(list[i]->d_name, "..") != 0)
			snprintf(out + strlen(out), size - strlen(out), "%s%s", out[0] ? " " : "",
				 list[i]->d_name);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

/*
 * A managed root is confined to the memory controller's mount: every escape is refused
 * with -EINVAL before anything is opened or created. Tried on a scratch directory standing
 * in for the mount, so a root that got through would show as a directory made there (or
 * beside it); a plain name is opened and made, so the same call does create when allowed.
 */
static void test_root_confinement(void **state)
{
	char dir[] = "/tmp/agentcg-test-confine-XXXXXX", outside[ACG_PATH_MAX + 16], names[256];
	struct acg_mounts m = {.mem_version = 1};
	struct acg_cg *const untouched = (struct acg_cg *)&m, *root;
	const char *bad[] = {"../escape", "a/../../b",	outside, "",
			     "a//b",	  "memory.max", "/etc",	 NULL};

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(m.mem_path, sizeof(m.mem_path), "%s/memory", dir);
	assert_int_equal(mkdir(m.mem_path, 0700), 0);
	for (int k = 0; k < 2; k++) {
		/* beside the mount: another controller's, and a name that only starts alike */
		snprintf(outside, sizeof(outside), "%s/%s", dir, k ? "memoryx/y" : "cpu/x");
		for (size_t i = 0; bad[i]; i++) {
			root = untouched;
			if (acg_root_open(&m, bad[i], true, &root) != -EINVAL)
				fail_msg("root \"%s\" not refused with -EINVAL", bad[i]);
			assert_ptr_equal(root, untouched);
		}
	}
	/* nothing was made, inside the mount or beside it */
	dir_names(dir, names, sizeof(names));
	assert_string_equal(names, "memory");
	dir_names(m.mem_path, names, sizeof(names));
	assert_string_equal(names, "");
	/* a plain name is opened, and made */
	root = NULL;
	assert_int_equal(acg_root_open(&m, "ok", true, &root), 0);
	assert_non_null(root);
	dir_names(m.mem_path, names, sizeof(names));
	assert_string_equal(names, "ok");
	acg_cg_free(root);
	snprintf(outside, sizeof(outside), "%s/ok", m.mem_path);
	assert_int_equal(rmdir(outside), 0);
	assert_int_equal(rmdir(m.mem_path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/*
 * Every escape from a directory the daemon was handed, tried on a scratch directory: a
 * symlink to a directory and to a file outside, "..", an absolute path, a name with a
 * slash. Each is refused and the file outside is untouched.
 */
static void test_escapes(void **state)
{
	char dir[] = "/tmp/agentcg-test-escape-XXXXXX", path[256], *text = NULL;
	int dfd, fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/outside", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/outside/target", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0 && write(fd, "safe", 4) == 4);
	close(fd);
	snprintf(path, sizeof(path), "%s/root", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(mkdir(strcat(path, "/sub"), 0700), 0);
	snprintf(path, sizeof(path), "%s/root/to-dir", dir);
	assert_int_equal(symlink("../outside", path), 0);
	snprintf(path, sizeof(path), "%s/root/to-file", dir);
	assert_int_equal(symlink("../outside/target", path), 0);
	snprintf(path, sizeof(path), "%s/root", dir);
	dfd = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);

	/* a symlink, to a directory or a file, is never followed */
	assert_true(acg_openat(dfd, "to-dir", O_RDONLY | O_DIRECTORY) < 0);
	assert_true(acg_open_dir_beneath(dfd, "to-dir", &fd) < 0);
	assert_true(acg_write_at(dfd, "to-file", "owned") < 0);
	assert_true(acg_read_text_at(dfd, "to-file", &text) < 0);
	/* "..", an absolute path and a path through a subdirectory stay refused */
	assert_true(acg_openat(dfd, "../outside/target", O_RDONLY) < 0);
	assert_true(acg_openat(dfd, "sub/../../outside/target", O_RDONLY) < 0);
	assert_true(acg_write_at(dfd, "../outside/target", "owned") < 0);
	assert_true(acg_openat(dfd, "/etc/passwd", O_RDONLY) < 0);
	assert_int_equal(acg_open_dir_beneath(dfd, "sub/..", &fd), -EINVAL);
	assert_int_equal(acg_open_dir_beneath(dfd, "../outside", &fd), -EINVAL);
	/* and a plain name inside works */
	fd = acg_openat(dfd, "sub", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	close(fd);
	close(dfd);

	snprintf(path, sizeof(path), "%s/outside/target", dir);
	assert_int_equal(acg_read_text(path, &text), 0);
	assert_string_equal(text, "safe");
	free(text);
	unlink(path);
	snprintf(path, sizeof(path), "%s/root/to-dir", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/root/to-file", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/root/sub", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/root", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/outside", dir);
	rmdir(path);
	rmdir(dir);
}

/*
 * mkdir -p for output paths: missing parents are made, an existing directory is fine, and
 * a component that is a file is named with ENOTDIR.
 */
static void test_mkdir_p(void **state)
{
	char dir[] = "/tmp/agentcg-test-mkdir-XXXXXX", path[256], failed[256], want[256];
	struct stat st;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a//b/c/", dir);
	assert_int_equal(acg_mkdir_p(path, 0755, failed, sizeof(failed)), 0);
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* again: all there already */
	assert_int_equal(acg_mkdir_p(path, 0755, failed, sizeof(failed)), 0);
	/* a file in the way */
	snprintf(want, sizeof(want), "%s/file", dir);
	fd = open(want, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/file/x/y", dir);
	assert_int_equal(acg_mkdir_p(path, 0755, failed, sizeof(failed)), -ENOTDIR);
	assert_string_equal(failed, want);
	assert_int_equal(acg_mkdir_p(want, 0755, failed, sizeof(failed)), -ENOTDIR);
	assert_int_equal(acg_mkdir_p("", 0755, NULL, 0), -ENOENT);
	unlink(want);
	for (const char *p = "a/b/c\0a/b\0a\0"; *p; p += strlen(p) + 1) {
		snprintf(path, sizeof(path), "%s/%s", dir, p);
		assert_int_equal(rmdir(path), 0);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_kv_events_v2),
		cmocka_unit_test(test_kv_stat_and_oom_control),
		cmocka_unit_test(test_psi),
		cmocka_unit_test(test_mounts_hybrid),
		cmocka_unit_test(test_mounts_unified),
		cmocka_unit_test(test_mounts_legacy_and_disabled),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_ctl_map),
		cmocka_unit_test(test_root_confinement),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_mkdir_p),
	};

	th_init();
	return cmocka_run_group_tests_name("unit", tests, NULL, NULL);
}
