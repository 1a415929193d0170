// SPDX-License-Identifier: GPL-2.0
/*
 * test_cli.c: the agentcg binary as a user meets it: exit codes, one-line errors for bad
 * usage and bad input, results written, and (as root) a recording that replays: record a
 * stress run, load the recording as a trace, find the stress size in it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgroup.h"
#include "clock.h"
#include "fsutil.h"
#include "helpers.h"
#include "host.h"
#include "mounts.h"
#include "schema.h"
#include "strategy.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AGENTCG_BIN
#define AGENTCG_BIN "build/agentcg"
#endif

#ifndef TRACE_DIR
#define TRACE_DIR "traces"
#endif

extern char **environ;

static char tmpdir[] = "/tmp/agentcg-test-cli-XXXXXX";
static char out_path[256], err_path[256];

static const char *bin(void)
{
	return getenv("AGENTCG_BIN") ? getenv("AGENTCG_BIN") : AGENTCG_BIN;
}

static char *path_in_tmp(const char *name)
{
	static char buf[4][256];
	static int k;
	char *p = buf[k++ % 4];

	snprintf(p, 256, "%s/%s", tmpdir, name);
	return p;
}

struct res {
	int code;
	char *out, *err;
};

static void res_free(struct res *r)
{
	free(r->out);
	free(r->err);
}

/* When set, run() runs agentcg as user nobody (setpriv), killed should it run 10 s. */
static bool as_nobody;

/* Run agentcg with args (NULL-terminated); exit status, stdout and stderr. */
static struct res run(const char *arg0, ...)
{
	static const char *const nobody[] = {
		"timeout",	  "-s", "KILL", "10", "setpriv", "--reuid=65534", "--regid=65534",
		"--clear-groups", NULL};
	struct res r;
	const char *argv[48];
	posix_spawn_file_actions_t fa;
	va_list ap;
	int n = 0, status = -1;
	pid_t pid;

	for (const char *const *p = nobody; as_nobody && *p; p++)
		argv[n++] = *p;
	argv[n++] = bin();
	argv[n++] = arg0;
	va_start(ap, arg0);
	while (arg0 && n < 47 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, (char **)argv, environ) == 0)
		waitpid(pid, &status, 0);
	posix_spawn_file_actions_destroy(&fa);
	if (acg_read_text(out_path, &r.out) < 0)
		r.out = strdup("");
	if (acg_read_text(err_path, &r.err) < 0)
		r.err = strdup("");
	r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return r;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* run() with the terminating NULL typed, as variadic functions need. */
#define RUN(...) run(__VA_ARGS__, (const char *)NULL)

/* Expect exit code 2 and exactly one stderr line containing want. */
static void expect_usage_error(const char *want, struct res r)
{
	if (r.code != 2 || lines(r.err) != 1 || !strstr(r.err, want))
		fail_msg("exit %d, stderr \"%s\" (wanted exit 2 and one line with \"%s\")", r.code,
			 r.err, want);
	res_free(&r);
}

/* Expect exit code code and exactly one stderr line containing every want (NULL-ended). */
static void expect_error(int code, struct res r, const char *want, ...)
{
	const char *missing = NULL;
	va_list ap;

	va_start(ap, want);
	for (const char *w = want; w && !missing; w = va_arg(ap, const char *))
		if (!strstr(r.err, w))
			missing = w;
	va_end(ap);
	if (r.code != code || lines(r.err) != 1 || missing)
		fail_msg("exit %d, stderr \"%s\" (wanted exit %d and one line%s%s)", r.code, r.err,
			 code, missing ? " with " : "", missing ? missing : "");
	res_free(&r);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_usage_errors(void **state)
{
	struct res r;

	(void)state;
	expect_usage_error("not a command", RUN("bogus"));
	expect_usage_error("unknown option", RUN("check", "--bogus"));
	expect_usage_error("which trace", RUN("replay"));
	expect_usage_error("--speed '0': expected a number from 0.001 to 1000000",
			   RUN("replay", "--speed", "0", "x.json"));
	expect_usage_error("--mb '1e9': expected a number from 0 to 16777216",
			   RUN("stress", "--mb", "1e9"));
	expect_usage_error("--mb N is required", RUN("stress", "--hold", "1"));
	expect_usage_error("stress: --burst-mb must be larger than --mb",
			   RUN("stress", "--mb", "10", "--burst-mb", "5", "--burst-every", "1",
			       "--burst-for", "0.1"));
	expect_usage_error("stress: bursts need --burst-every > --burst-for > 0 (here 1 and 1)",
			   RUN("stress", "--mb", "10", "--burst-mb", "20", "--burst-every", "1",
			       "--burst-for", "1"));
	expect_usage_error("which command", RUN("record"));
	/* a daemon budget is bounded as the bench's is (checked before the root is opened) */
	expect_usage_error("daemon: --budget-mb 16777216: 16777216 MiB is more than this host's "
			   "memory",
			   RUN("daemon", "--budget-mb", "16777216", "--root", "/etc"));
	{
		const char *cfg = path_in_tmp("daemon.json");
		char want[400];

		write_file(cfg, "{\"budget_mb\": 16777216}");
		snprintf(want, sizeof(want), "%s: \"budget_mb\" 16777216: 16777216 MiB is more",
			 cfg);
		expect_usage_error(want, RUN("daemon", "--config", cfg, "--root", "/etc"));
		write_file(cfg, "{\"quiet_s\": 1e9}");
		expect_usage_error("\"quiet_s\" must be a number from 0.01 to 3600",
				   RUN("daemon", "--config", cfg, "--root", "/etc"));
		write_file(cfg, "{\"wait_freeze_s\": 0}");
		expect_usage_error("\"wait_freeze_s\" must be a number from 0.1 to 3600",
				   RUN("daemon", "--config", cfg, "--root", "/etc"));
		/* a key given twice is a mistake, not "the last one wins" */
		write_file(cfg, "{\"quiet_s\": 1, \"quiet_s\": 2}");
		expect_usage_error("duplicate object key",
				   RUN("daemon", "--config", cfg, "--root", "/etc"));
		/* a FIFO (or a device) is refused at once: the daemon never waits on it */
		assert_int_equal(unlink(cfg), 0);
		assert_int_equal(mkfifo(cfg, 0600), 0);
		expect_usage_error("daemon.json: not a regular file (a FIFO)",
				   RUN("daemon", "--config", cfg, "--root", "/etc"));
		assert_int_equal(unlink(cfg), 0);
		snprintf(want, sizeof(want), "%s: not a regular file (a character device)",
			 "/dev/zero");
		expect_usage_error(want, RUN("daemon", "--config", "/dev/zero", "--root", "/etc"));
	}
	{
		char name[301], root[64];

		/* a long --name was cut to the cgroup name's 64 characters: names collided
		 * (a root of the test's own, which does not exist: nothing is made) */
		snprintf(root, sizeof(root), "agentcg-test-none-%d", (int)getpid());
		memset(name, 'a', 300);
		name[300] = '\0';
		expect_usage_error("run: --name is 300 characters; at most 59 with --priority high",
				   RUN("run", "--root", root, "--priority", "high", "--name", name,
				       "--", "true"));
		name[61] = '\0';
		expect_usage_error("at most 60 with --priority low",
				   RUN("run", "--root", root, "--priority", "low", "--name", name,
				       "--", "true"));
		/* at the limit the name is fine: it gets past the name, to the missing root */
		name[59] = '\0';
		r = RUN("run", "--root", root, "--user", "nobody", "--priority", "high", "--name",
			name, "--", "true");
		if (r.code == 0 || strstr(r.err, "--name is") || strstr(r.err, "session name"))
			fail_msg("59 characters: exit %d, stderr \"%s\"", r.code, r.err);
		res_free(&r);
	}
	r = RUN("--help");
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "replay"));
	res_free(&r);
}

static void test_bad_traces(void **state)
{
	char want[300];
	const char *p = path_in_tmp("bad.json");

	(void)state;
	write_file(p, "{\"samples\": [{\"epoch\": 5, \"mem_usage\": \"1MB / 1GB\"},"
		      "{\"epoch\": 4, \"mem_usage\": \"1MB / 1GB\"}]}");
	snprintf(want, sizeof(want), "%s: sample 2: time -1.000 goes back", p);
	expect_usage_error(want, RUN("replay", p));
	write_file(p, "{\"samples\": [{\"epoch\": 5, \"mem_usage\": \"1ZB / 1GB\"}]}");
	expect_usage_error("sample 1: cannot read mem_usage \"1ZB / 1GB\"", RUN("replay", p));
	write_file(p, "{\"samples\": [{\"epoch\": 5, \"mem_usage\": \"900GB / 1TB\"}]}");
	expect_usage_error("more than this host's memory", RUN("replay", p));
	write_file(p, "not json, not csv");
	expect_usage_error("no samples (expected a resources.json", RUN("replay", p));
	expect_usage_error("/nonexistent.json: No such file", RUN("replay", "/nonexistent.json"));
	write_file(p, "0,1MB\n1,2MB\n");
	expect_usage_error("not a cgroup path", RUN("replay", "--cgroup", "/etc", p));
}

static void test_bench_config(void **state)
{
	const char *p = path_in_tmp("scn.json");
	struct res r;

	(void)state;
	write_file(p, "{\"budget_mb\": 64, \"sessions\": [{\"name\": \"a\", \"priority\": "
		      "\"high\", \"stress\": {\"mb\": 8}}]}");
	r = RUN("bench", p, "--check-config");
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "budget 64 MiB"));
	assert_non_null(strstr(r.out, "trace sizes: no traces here; budget_mb, base_mb and stress "
				      "mb are MiB (2^20 bytes)\n"));
	res_free(&r);
	/* a trace's MB: 10^6 bytes as written, 2^20 with binary_units; the line says which */
	write_file(path_in_tmp("t.csv"), "0,10MB\n1,30MB\n");
	write_file(p, "{\"budget_mb\": 64, \"sessions\": [{\"name\": \"a\", \"priority\": "
		      "\"high\", \"trace\": \"t.csv\", \"base_mb\": 4}]}");
	r = RUN("bench", p, "--check-config", "--strategies", "none");
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "trace sizes: as written (MB = 10^6 bytes, MiB = 2^20)"));
	assert_non_null(strstr(r.out, "peak     29 MiB + base    4 MiB"));
	res_free(&r);
	write_file(p, "{\"budget_mb\": 64, \"binary_units\": true, \"sessions\": [{\"name\": "
		      "\"a\", \"priority\": \"high\", \"trace\": \"t.csv\", \"base_mb\": 4}]}");
	r = RUN("bench", p, "--check-config", "--strategies", "none");
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "trace sizes: kB/MB/GB read as KiB/MiB/GiB (binary_units)"));
	assert_non_null(strstr(r.out, "peak     30 MiB + base    4 MiB"));
	res_free(&r);
	write_file(p, "{\"budget_mb\": 64, \"sessions\": [{\"name\": \"a\", \"priority\": "
		      "\"high\", \"stress\": {\"mb\": 8}}]}");
	write_file(p, "{\"budget_mb\": 64, \"sessions\": [{\"name\": \"a\", \"priority\": "
		      "\"medium\", \"stress\": {\"mb\": 8}}]}");
	expect_usage_error("sessions[0]: \"priority\" must be", RUN("bench", p, "--check-config"));
	expect_usage_error("which scenario", RUN("bench"));
	write_file(p, "{\"budget_mb\": 64, \"sessions\": [{\"name\": \"a\", \"priority\": "
		      "\"high\", \"stress\": {\"mb\": 8}}]}");
	expect_usage_error("'fast' is not a strategy",
			   RUN("bench", p, "--strategies", "none,fast"));
	/* a HIGH session larger than the budget, a name that would be a path: bad scenarios */
	write_file(p, "{\"budget_mb\": 64, \"sessions\": [{\"name\": \"a\", \"priority\": "
		      "\"high\", \"base_mb\": 8, \"stress\": {\"mb\": 60}}]}");
	expect_usage_error("sessions[0]: HIGH session \"a\" needs 68.0 MiB (peak 60.0 MiB + base "
			   "8.0 MiB), more than the whole budget (64.0 MiB)",
			   RUN("bench", p, "--check-config"));
	write_file(p, "{\"name\": \"../up\", \"budget_mb\": 64, \"sessions\": [{\"name\": "
		      "\"a\", \"priority\": \"high\", \"stress\": {\"mb\": 8}}]}");
	expect_usage_error("name: \"../up\" must be", RUN("bench", p, "--check-config"));
}

/*
 * --check-config with only strategies this host cannot run: the configuration is printed,
 * then one line saying none can run and why, exit 1 (as the bench itself would).
 */
static void test_bench_config_unrunnable(void **state)
{
	const char *p = path_in_tmp("scn-unrunnable.json"), *name = NULL, *why = NULL;
	char text[400];
	struct acg_host h;
	struct res r;

	(void)state;
	acg_host_probe(&h);
	for (const char *c = "high\0bpf\0"; *c && !name; c += strlen(c) + 1)
		if (!acg_strategy_find(c)->supported(&h, &why))
			name = c;
	if (!name) {
		fprintf(stderr, "skip: this host runs both high and bpf\n");
		skip();
	}
	snprintf(text, sizeof(text),
		 "{\"budget_mb\": 64, \"strategies\": [\"%s\"], \"sessions\": [{\"name\": "
		 "\"a\", \"priority\": \"high\", \"stress\": {\"mb\": 8}}]}",
		 name);
	write_file(p, text);
	r = RUN("bench", p, "--check-config");
	assert_non_null(strstr(r.out, "strategies: (none of them can run here)"));
	expect_error(1, r, "bench: none of the scenario's strategies can run on this host: ", name,
		     why, (const char *)NULL);
	expect_error(1, RUN("bench", p, "--check-config", "--strategies", name),
		     "none of the strategies named by --strategies can run", (const char *)NULL);
	/* with one that can run, it is fine */
	r = RUN("bench", p, "--check-config", "--strategies", "none");
	assert_int_equal(r.code, 0);
	res_free(&r);
}

/*
 * An --output that cannot take the result is refused before any work, in one line: a
 * directory that does not exist, /dev/full, a directory. A 5 s replay or a recorded
 * command never starts. A disk that fills only at the end is still reported, with the path.
 */
static void test_output_checked_first(void **state)
{
	const char *trace = path_in_tmp("long.csv"), *marker = path_in_tmp("ran"),
		   *bad = "/nonexistent/dir/x.json";
	char want[500], mnt[300], res[400], cmd[700];
	double t0 = acg_mono_s();
	struct res r;

	(void)state;
	write_file(trace, "0,1048576\n5,1048576\n");
	snprintf(want, sizeof(want), "replay: --output %s: cannot write a result there: No such",
		 bad);
	expect_usage_error(want, RUN("replay", "--output", bad, trace));
	expect_usage_error("replay: --output /dev/full: cannot write a result there: No space",
			   RUN("replay", "--output", "/dev/full", trace));
	expect_usage_error("Is a directory", RUN("replay", "--output", tmpdir, trace));
	snprintf(want, sizeof(want), "stress: --output %s: cannot write", bad);
	expect_usage_error(want, RUN("stress", "--mb", "1", "--hold", "5", "--output", bad));
	/* checked before the root is opened: the same line as root or not */
	snprintf(want, sizeof(want), "record: --output %s: cannot write", bad);
	expect_usage_error(want, RUN("record", "--output", bad, "--", "touch", marker));
	assert_int_equal(access(marker, F_OK), -1);
	/* nothing ran: each replay would have taken 5 s */
	assert_true(acg_mono_s() - t0 < 4);

	/* room for the probe, not for the result: the end still says which file failed */
	if (geteuid() != 0) {
		fprintf(stderr, "skip: the full-disk part needs root (a tmpfs mount)\n");
		return;
	}
	snprintf(mnt, sizeof(mnt), "%s/small", tmpdir);
	assert_int_equal(mkdir(mnt, 0755), 0);
	snprintf(cmd, sizeof(cmd), "mount -t tmpfs -o size=8k agentcg-test-small %s", mnt);
	if (system(cmd) != 0) {
		fprintf(stderr, "skip: cannot mount a tmpfs here\n");
		return;
	}
	snprintf(res, sizeof(res), "%s/r.json", mnt);
	r = RUN("stress", "--mb", "1", "--ramp", "20", "--hold", "0", "--output", res);
	snprintf(cmd, sizeof(cmd), "umount %s", mnt);
	{
		int code = r.code;
		bool said;

		snprintf(want, sizeof(want), "cannot write %s: No space left on device", res);
		said = strstr(r.err, want) != NULL;
		fprintf(stderr, "stress onto a small tmpfs: exit %d: %s", code, r.err);
		res_free(&r);
		assert_int_equal(system(cmd), 0);
		assert_int_equal(code, 1);
		assert_true(said);
	}
}

/*
 * Fault: the results directory fills up. The bench says it cannot write, exits 1, and
 * still removes its cgroups; what it wrote before the disk filled is there.
 */
static void test_bench_full_disk(void **state)
{
	char benchroot[64];
	char mnt[300], scn[300], cmd[ACG_PATH_MAX + 512], out[400], left[ACG_PATH_MAX + 64];
	struct acg_mounts m;
	struct stat st;
	struct res r;

	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "skip: needs root (cgroups, a tmpfs mount)\n");
		skip();
	}
	snprintf(mnt, sizeof(mnt), "%s/full", tmpdir);
	snprintf(scn, sizeof(scn), "%s/full.json", tmpdir);
	write_file(scn,
		   "{\"budget_mb\": 64, \"runs\": 1, \"strategies\": [\"none\"], \"sessions\": ["
		   "{\"name\": \"a\", \"priority\": \"high\", \"stress\": {\"mb\": 8, "
		   "\"hold_s\": 0.3}}]}");
	assert_int_equal(mkdir(mnt, 0755), 0);
	snprintf(cmd, sizeof(cmd), "mount -t tmpfs -o size=12k agentcg-test-full %s", mnt);
	if (system(cmd) != 0) {
		fprintf(stderr, "skip: cannot mount a tmpfs here\n");
		skip();
	}
	snprintf(out, sizeof(out), "%s/results", mnt);
	/* a root of the test's own: the default one may be a running daemon's */
	snprintf(benchroot, sizeof(benchroot), "agentcg-test-%d-full", (int)getpid());
	r = RUN("bench", scn, "--root", benchroot, "--out", out);
	snprintf(cmd, sizeof(cmd), "umount %s", mnt);
	/* unmount before any assertion can leave it behind */
	{
		int code = r.code;
		bool said = strstr(r.err, "cannot write") || strstr(r.err, "No space left");

		fprintf(stderr, "bench on a full disk: exit %d: %s", code, r.err);
		res_free(&r);
		/* the bench made its results directory, and failed writing into it */
		int made = stat(out, &st) == 0 && S_ISDIR(st.st_mode);

		assert_int_equal(system(cmd), 0);
		assert_int_equal(code, 1);
		assert_true(said);
		assert_true(made);
	}
	/* and its cgroups are gone */
	assert_int_equal(acg_mounts_detect(&m), 0);
	snprintf(left, sizeof(left), "%s/%s", m.mem_path, benchroot);
	snprintf(cmd, sizeof(cmd), "ls -d %s >/dev/null 2>&1", left);
	assert_int_not_equal(system(cmd), 0);
}

/*
 * The bench runs as root and writes into a results directory someone else may have
 * prepared: files planted there as symlinks (summary.json, host.json) are replaced by new
 * files, their targets untouched; a subdirectory planted as a symlink (runs/) is refused
 * with one line, exit 1, nothing written where it points. Before, every file was
 * fopen()ed or json_dump_file()d through whatever the directory held.
 */
static void test_bench_symlinks(void **state)
{
	const char *scn = path_in_tmp("planted.json"), *precious = path_in_tmp("precious");
	const char *out = path_in_tmp("bench-planted"), *elsewhere = path_in_tmp("bench-elsewhere");
	char path[600], root[64], *text = NULL;
	struct stat st;
	struct res r;

	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "skip: needs root (cgroups)\n");
		skip();
	}
	write_file(scn, "{\"budget_mb\": 64, \"runs\": 1, \"strategies\": [\"none\"], "
			"\"sessions\": [{\"name\": \"a\", \"priority\": \"high\", \"stress\": "
			"{\"mb\": 8, \"hold_s\": 0.2}}]}");
	write_file(precious, "precious\n");
	snprintf(root, sizeof(root), "agentcg-test-%d", (int)getpid());
	assert_int_equal(mkdir(out, 0755), 0);
	snprintf(path, sizeof(path), "%s/summary.json", out);
	assert_int_equal(symlink(precious, path), 0);
	snprintf(path, sizeof(path), "%s/host.json", out);
	assert_int_equal(symlink(precious, path), 0);
	r = RUN("bench", scn, "--no-warm", "--root", root, "--out", out);
	if (r.code != 0)
		fail_msg("bench into planted symlinks: exit %d: %s", r.code, r.err);
	res_free(&r);
	assert_int_equal(acg_read_text(precious, &text), 0);
	if (strcmp(text, "precious\n") != 0)
		fail_msg("bench wrote through a planted symlink: it now holds \"%.60s\"", text);
	free(text);
	snprintf(path, sizeof(path), "%s/summary.json", out);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));

	/* runs/ planted as a symlink to another directory: refused, nothing written there */
	snprintf(path, sizeof(path), "rm -rf '%s' && mkdir '%s' '%s' && ln -s '%s' '%s/runs'", out,
		 out, elsewhere, elsewhere, out);
	assert_int_equal(system(path), 0);
	expect_error(1, RUN("bench", scn, "--no-warm", "--root", root, "--out", out),
		     "cannot write results", "runs", "Too many levels of symbolic links",
		     (const char *)NULL);
	snprintf(path, sizeof(path), "test -z \"$(ls -A '%s')\"", elsewhere);
	if (system(path) != 0)
		fail_msg("bench wrote into %s through the planted runs/ symlink", elsewhere);
}

static void test_stress_writes_result(void **state)
{
	const char *res = path_in_tmp("stress.json");
	json_t *doc;
	struct res r;

	(void)state;
	r = RUN("stress", "--mb", "16", "--hold", "0.2", "--output", res);
	assert_int_equal(r.code, 0);
	res_free(&r);
	doc = json_load_file(res, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "completed");
	assert_int_equal(json_integer_value(json_object_get(doc, "samples_replayed")), 2);
	json_decref(doc);
}

/*
 * replay --cgroup in a cgroup that held more before: the result's cgroup peak is this
 * replay's (v1 resets memory.max_usage_in_bytes first), not the earlier 64 MiB.
 */
static struct acg_cg *test_root; /* a test's own cgroup root, removed by its teardown */

static int remove_test_root(void **state)
{
	(void)state;
	as_nobody = false;
	if (test_root) {
		acg_cg_remove(test_root);
		acg_cg_free(test_root);
		test_root = NULL;
	}
	return 0;
}

static void test_replay_cgroup_peak(void **state)
{
	const char *trace = path_in_tmp("peak.csv"), *res = path_in_tmp("peak.json");
	char rootname[64];
	struct acg_cg *cg = NULL;
	struct acg_mounts m;
	struct th_child ch;
	json_t *doc, *peak;
	struct res r;

	(void)state;
	TH_SKIP_UNDER_VALGRIND();
	if (geteuid() != 0 || acg_mounts_detect(&m) < 0 || !m.mem_version) {
		fprintf(stderr, "skip: needs root and a memory controller\n");
		skip();
	}
	snprintf(rootname, sizeof(rootname), "agentcg-test-%d", (int)getpid());
	assert_int_equal(acg_root_open(&m, rootname, true, &test_root), 0);
	assert_int_equal(acg_cg_child(test_root, "peak", true, &cg), 0);
	/* an earlier run: 64 MiB, gone again */
	assert_int_equal(th_child_start(cg, 64 * MiB, &ch), 0);
	assert_true(th_child_allocated(&ch, 30000));
	th_child_reap(&ch);
	write_file(trace, "0,4194304\n0.1,8388608\n0.2,8388608\n");
	r = RUN("replay", "--cgroup", acg_cg_path(cg), "--output", res, trace);
	assert_int_equal(r.code, 0);
	res_free(&r);
	doc = json_load_file(res, 0, NULL);
	assert_non_null(doc);
	peak = json_object_get(doc, "peak");
	if (m.mem_version == 1) {
		json_int_t p = json_integer_value(json_object_get(peak, "cgroup_peak_bytes"));

		fprintf(stderr, "cgroup peak after the replay: %.1f MiB\n",
			(double)p / (double)MiB);
		/* 8 MiB and the worker's own few, far from the earlier 64 */
		assert_true(p > 0 && p < 32 * (json_int_t)MiB);
		assert_string_equal(json_string_value(json_object_get(peak, "cgroup_peak_since")),
				    "replay start");
	} else {
		/* v2's memory.peak counts from the cgroup's creation: the result says so */
		assert_string_equal(json_string_value(json_object_get(peak, "cgroup_peak_since")),
				    "cgroup creation");
	}
	json_decref(doc);
	acg_cg_free(cg);
}

static void test_record_replays(void **state)
{
	const char *rec = path_in_tmp("rec.json");
	struct acg_trace_summary sum;
	struct acg_trace *t;
	struct acg_diag d = {""};
	struct acg_mounts m;
	char left[ACG_PATH_MAX + 64];
	struct res r;

	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "skip: record needs root (it creates a cgroup)\n");
		skip();
	}
	char recroot[64];

	/* a root of the test's own: the default one may be a running daemon's */
	snprintf(recroot, sizeof(recroot), "agentcg-test-%d-rec", (int)getpid());
	r = RUN("record", "--root", recroot, "--interval", "50", "--output", rec, "--", bin(),
		"stress", "--mb", "48", "--hold", "0.6", "--output", "/dev/null");
	assert_int_equal(r.code, 0);
	res_free(&r);
	assert_int_equal(acg_trace_load(rec, NULL, &t, &d), 0);
	acg_trace_summarize(t, &sum);
	assert_true(t->n >= 5);
	/* 48 MiB plus agentcg's own few MiB, as the cgroup counted them */
	assert_true(th_within("recorded peak", sum.peak_bytes, 52 * MiB, 10));
	acg_trace_free(t);
	/* the recording's cgroup is gone, and the root it made for it */
	assert_int_equal(acg_mounts_detect(&m), 0);
	snprintf(left, sizeof(left), "%s/%s", m.mem_path, recroot);
	assert_int_equal(access(left, F_OK), -1);

	/* a second `run` of a session name in use is refused, and the first is untouched */
	{
		char rootname[64], path2[ACG_PATH_MAX + 128];
		struct acg_cg *root = NULL, *held = NULL;

		snprintf(rootname, sizeof(rootname), "agentcg-test-%d", (int)getpid());
		assert_int_equal(acg_root_open(&m, rootname, true, &root), 0);
		assert_int_equal(acg_cg_child(root, "low-busy", true, &held), 0);
		r = RUN("run", "--root", rootname, "--priority", "low", "--name", "busy", "--user",
			"nobody", "--", "true");
		assert_int_equal(r.code, 1);
		assert_non_null(strstr(r.err, "a session of that name is running"));
		res_free(&r);
		snprintf(path2, sizeof(path2), "%s/low-busy", acg_cg_path(root));
		assert_int_equal(access(path2, F_OK), 0);
		/* a fresh name runs, and its cgroup is gone afterwards */
		r = RUN("run", "--root", rootname, "--priority", "high", "--name", "ok", "--user",
			"nobody", "--", "true");
		assert_int_equal(r.code, 0);
		res_free(&r);
		snprintf(path2, sizeof(path2), "%s/high-ok", acg_cg_path(root));
		assert_int_equal(access(path2, F_OK), -1);
		acg_cg_free(held);
		acg_cg_remove(root);
		acg_cg_free(root);
	}

	r = RUN("record", "--root", recroot, "--output", rec, "--", "/nonexistent-cmd");
	assert_int_equal(r.code, 127);
	assert_non_null(strstr(r.err, "cannot run '/nonexistent-cmd'"));
	res_free(&r);
}

/*
 * A recording ends when its command does: `sleep 1.3` sampled every second lasts 1.3 s
 * (samples at 0, 1 and the exit), not 2 s (the next interval after the exit).
 */
static void test_record_ends_at_exit(void **state)
{
	const char *rec = path_in_tmp("sleep.json");
	char recroot[64];
	json_t *doc;
	double d;
	struct res r;

	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "skip: record needs root (it creates a cgroup)\n");
		skip();
	}
	/* a root of the test's own: the default one may be a running daemon's */
	snprintf(recroot, sizeof(recroot), "agentcg-test-%d-rec", (int)getpid());
	r = RUN("record", "--root", recroot, "--output", rec, "--", "sleep", "1.3");
	assert_int_equal(r.code, 0);
	res_free(&r);
	doc = json_load_file(rec, 0, NULL);
	assert_non_null(doc);
	d = json_real_value(json_object_get(json_object_get(doc, "summary"), "duration_seconds"));
	fprintf(stderr, "recording of sleep 1.3: %.4f s, %zu samples\n", d,
		json_array_size(json_object_get(doc, "samples")));
	json_decref(doc);
	/* it lasts at least as long as the command, and ends with it, not at the next 1 s
	 * sample (2.0 s before the fix); a bound, not a timing: a slow VM adds start-up time */
	assert_true(d >= 1.29 && d < 1.95);
}

/* Expect exit 1 and one stderr line with want, saying root is needed. */
static void expect_root_error(const char *want, struct res r)
{
	if (r.code != 1 || lines(r.err) != 1 || !strstr(r.err, want) ||
	    !strstr(r.err, "needs root: run as root"))
		fail_msg("exit %d, stderr \"%s\" (wanted exit 1 and one line with \"%s\" and "
			 "\"needs root: run as root\")",
			 r.code, r.err, want);
	res_free(&r);
}

/*
 * As a user who is not root (nobody): check says each strategy needs root; daemon and
 * record say that creating sessions under the managed root needs root, whether that root
 * exists or not, and exit 1; the daemon does not run on, unable to manage anything.
 */
static void test_not_root(void **state)
{
	char rootname[64];
	struct acg_mounts m;
	json_t *doc, *s0;
	struct res r;

	(void)state;
	if (geteuid() != 0 ||
	    system("setpriv --reuid=65534 --regid=65534 --clear-groups true >/dev/null 2>&1") !=
		    0 ||
	    acg_mounts_detect(&m) < 0 || !m.mem_version) {
		fprintf(stderr,
			"skip: needs root (to become nobody), a setpriv with --clear-groups "
			"(busybox's has none), a memory controller\n");
		skip();
	}
	snprintf(rootname, sizeof(rootname), "agentcg-test-%d-nr", (int)getpid());
	as_nobody = true;
	r = RUN("check");
	assert_int_equal(r.code, 0);
	if (!strstr(r.out, "  none     yes (as root) ") || !strstr(r.out, "needs root"))
		fail_msg("check as nobody: %s", r.out);
	res_free(&r);
	r = RUN("check", "--json");
	assert_int_equal(r.code, 0);
	doc = json_loads(r.out, 0, NULL);
	res_free(&r);
	assert_non_null(doc);
	assert_true(json_is_false(json_object_get(doc, "root")));
	s0 = json_array_get(json_object_get(doc, "strategies"), 0);
	assert_true(json_is_true(json_object_get(s0, "supported")));
	assert_true(json_is_true(json_object_get(s0, "needs_root")));
	json_decref(doc);
	/* no managed root yet: making it needs root */
	expect_root_error("daemon: cannot open the managed root",
			  RUN("daemon", "--root", rootname, "--log", "/dev/null"));
	expect_root_error("record: cannot open the managed root",
			  RUN("record", "--root", rootname, "--output", "/dev/null", "--", "true"));
	/* root made it: sessions in it still need root, and the daemon says so at once */
	assert_int_equal(acg_root_open(&m, rootname, true, &test_root), 0);
	expect_root_error("daemon: cannot manage sessions under",
			  RUN("daemon", "--root", rootname, "--log", "/dev/null"));
	expect_root_error("record: cannot create",
			  RUN("record", "--root", rootname, "--output", "/dev/null", "--", "true"));
	as_nobody = false;
}

/*
 * report: rendered from a small checked-in results directory (tests/fixtures/results-small,
 * made by `agentcg bench` on a stress scenario), then the HTML page opened in headless
 * Chromium and a screenshot taken.
 */
static void test_report(void **state)
{
	const char *out = path_in_tmp("report");
	char fixture[512], *md = NULL, *html = NULL, path[600], cmd[2048];
	struct stat st;
	struct res r;

	(void)state;
	snprintf(fixture, sizeof(fixture), "%s/results-small", FIXTURE_DIR);
	if (access(fixture, R_OK) != 0 || system("command -v gnuplot >/dev/null 2>&1") != 0) {
		/* the cgroup v2 VM carries neither the fixtures nor gnuplot: report is not
		 * about cgroups, it is tested on the host */
		fprintf(stderr, "skip: no %s or no gnuplot here\n", fixture);
		skip();
	}
	r = RUN("report", fixture, "--out", out);
	assert_int_equal(r.code, 0);
	res_free(&r);
	snprintf(path, sizeof(path), "%s/report.md", out);
	assert_int_equal(acg_read_text(path, &md), 0);
	/* the bench's facts, recomputed from its data files */
	assert_non_null(strstr(md, "| dynamic | 2 | 4 | 0 (0) |"));
	assert_non_null(strstr(md, "| static | 2 | 2 | 2 (2) |"));
	assert_non_null(strstr(md, "Mann-Whitney"));
	assert_non_null(strstr(md, "Oracle: every LOW session can be done by 1.40 s"));
	snprintf(path, sizeof(path), "%s/report.html", out);
	assert_int_equal(acg_read_text(path, &html), 0);
	/* one page: tables and the plots inside it */
	assert_non_null(strstr(html, "<table>"));
	assert_non_null(strstr(html, "<svg"));
	assert_null(strstr(html, "<img"));
	for (const char *p = "none\0static\0dynamic\0"; *p; p += strlen(p) + 1) {
		snprintf(path, sizeof(path), "%s/mem-%s.png", out, p);
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size > 1000);
	}
	free(md);
	free(html);

	if (access("/usr/bin/chromium", X_OK) != 0) {
		fprintf(stderr, "skip: no /usr/bin/chromium (scripts/setup.sh installs it)\n");
		skip();
	}
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic "
		 "--no-first-run --disable-background-networking --disable-component-update "
		 "--disable-sync --user-data-dir=%s/chromium --window-size=1200,2000 "
		 "--screenshot=%s/screenshot.png file://%s/report.html >/dev/null 2>&1",
		 tmpdir, tmpdir, out);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/screenshot.png", tmpdir);
	assert_int_equal(stat(path, &st), 0);
	/* a rendered page with tables and plots, not a blank one */
	assert_true(st.st_size > 50000);
}

/*
 * --out DIR whose parents do not exist: report and bench make them (mkdir -p); where one
 * cannot be made (a file is in the way), one line names it and says why, exit 1.
 */
static void test_out_parents(void **state)
{
	char fixture[512], out[600], path[700], file[300], root[64];
	const char *scn = path_in_tmp("parents.json");
	struct res r;

	(void)state;
	snprintf(fixture, sizeof(fixture), "%s/results-small", FIXTURE_DIR);
	snprintf(file, sizeof(file), "%s", path_in_tmp("a-file"));
	write_file(file, "in the way\n");
	write_file(scn, "{\"budget_mb\": 64, \"runs\": 1, \"strategies\": [\"none\"], "
			"\"sessions\": [{\"name\": \"a\", \"priority\": \"high\", \"stress\": "
			"{\"mb\": 8, \"hold_s\": 0.2}}]}");

	/* under the tests' own root, never the shared default one */
	snprintf(root, sizeof(root), "agentcg-test-%d", (int)getpid());
	snprintf(out, sizeof(out), "%s/x/y", file);
	expect_error(1, RUN("bench", scn, "--no-warm", "--root", root, "--out", out),
		     "cannot write results", file, "Not a directory", (const char *)NULL);
	if (access(fixture, R_OK) == 0) {
		expect_error(1, RUN("report", fixture, "--format", "md", "--out", out),
			     "cannot create", file, "Not a directory", (const char *)NULL);
		snprintf(out, sizeof(out), "%s", path_in_tmp("report-parents/a/b"));
		r = RUN("report", fixture, "--format", "md", "--out", out);
		assert_int_equal(r.code, 0);
		res_free(&r);
		snprintf(path, sizeof(path), "%s/report.md", out);
		assert_int_equal(access(path, R_OK), 0);
	} else {
		fprintf(stderr, "skip (report part): no %s here\n", fixture);
	}

	if (geteuid() != 0) {
		fprintf(stderr, "skip (bench part): needs root (cgroups)\n");
		skip();
	}
	/* under the tests' own root, never the shared default one */
	snprintf(root, sizeof(root), "agentcg-test-%d", (int)getpid());
	snprintf(out, sizeof(out), "%s", path_in_tmp("bench-parents/a/b"));
	r = RUN("bench", scn, "--no-warm", "--root", root, "--out", out);
	if (r.code != 0)
		fail_msg("bench exit %d: %s", r.code, r.err);
	res_free(&r);
	snprintf(path, sizeof(path), "%s/summary.json", out);
	assert_int_equal(access(path, R_OK), 0);
}

/* Fail unless the keys of doc are those section heading of docs/name lists. */
static void expect_schema(json_t *doc, const char *name, const char *heading)
{
	struct th_schema schema = {0};
	char path[600], err[600], *diff;

	snprintf(path, sizeof(path), "%s/%s", th_doc_dir(), name);
	if (th_schema_add(&schema, path, heading, NULL, NULL, NULL, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	diff = th_schema_diff(&schema, &doc, 1);
	th_schema_free(&schema);
	if (diff)
		fail_msg("%s \"%s\" against the output: %s", name, heading, diff);
}

/*
 * simulate --json: one object of the shape docs/simulate.md lists (scenario, budget,
 * strategies, oracle), and the sweep's; the page's key lists checked against both.
 */
static void test_simulate_json(void **state)
{
	const char *p = path_in_tmp("sim.json");
	json_t *doc, *st;
	struct res r;

	(void)state;
	if (!th_doc_dir()) {
		fprintf(stderr, "skip: no docs/ here\n");
		skip();
	}
	/* HIGH bursts to 160 MiB while LOW grows to 120 MiB in 256: none kills, dynamic holds */
	write_file(p, "{\"name\": \"sim\", \"budget_mb\": 256, \"sessions\": ["
		      "{\"name\": \"hi\", \"priority\": \"high\", \"stress\": {\"mb\": 10, "
		      "\"hold_s\": 1.3, \"burst_mb\": 150, \"burst_every_s\": 0.6, "
		      "\"burst_for_s\": 0.5}},"
		      "{\"name\": \"lo\", \"priority\": \"low\", \"stress\": {\"mb\": 120, "
		      "\"ramp_s\": 1.2, \"hold_s\": 0.2}}]}");
	r = RUN("simulate", p, "--json");
	assert_int_equal(r.code, 0);
	doc = json_loads(r.out, 0, NULL);
	res_free(&r);
	assert_true(json_is_object(doc));
	assert_string_equal(json_string_value(json_object_get(doc, "scenario")), "sim");
	assert_true(json_integer_value(json_object_get(doc, "budget_bytes")) == 256 * MiB);
	st = json_object_get(doc, "strategies");
	assert_int_equal(json_array_size(st), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(st, 2), "strategy")),
			    "dynamic");
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_object_get(doc, "oracle"), "all_low"), "status")),
		"feasible");
	expect_schema(doc, "simulate.md", "## Result");
	json_decref(doc);

	r = RUN("simulate", p, "--json", "--sweep-low", "2");
	assert_int_equal(r.code, 0);
	doc = json_loads(r.out, 0, NULL);
	res_free(&r);
	assert_true(json_is_object(doc));
	assert_string_equal(json_string_value(json_object_get(doc, "scenario")), "sim");
	assert_int_equal(json_array_size(json_object_get(doc, "sweep")), 2);
	expect_schema(doc, "simulate.md", "## Sweep result (`--sweep-low N`)");
	json_decref(doc);

	/* a LOW session larger than the budget never completes: its row's slowdown is null
	 * (n/a in the table), not 0, and HIGH's is a number */
	write_file(p, "{\"name\": \"big\", \"budget_mb\": 256, \"sessions\": ["
		      "{\"name\": \"hi\", \"priority\": \"high\", \"stress\": {\"mb\": 10, "
		      "\"hold_s\": 1}},"
		      "{\"name\": \"lo\", \"priority\": \"low\", \"stress\": {\"mb\": 300, "
		      "\"ramp_s\": 0.5, \"hold_s\": 0.2}}]}");
	r = RUN("simulate", p, "--json", "--sweep-low", "1");
	assert_int_equal(r.code, 0);
	doc = json_loads(r.out, 0, NULL);
	res_free(&r);
	st = json_array_get(json_object_get(doc, "sweep"), 0);
	assert_int_equal(json_integer_value(json_object_get(st, "killed")), 1);
	assert_true(json_is_null(json_object_get(st, "low_max_slowdown")));
	assert_true(json_is_real(json_object_get(st, "high_max_slowdown")));
	expect_schema(doc, "simulate.md", "## Sweep result (`--sweep-low N`)");
	json_decref(doc);
	r = RUN("simulate", p, "--sweep-low", "1");
	assert_int_equal(r.code, 0);
	if (!strstr(r.out, "\n1      1       n/a "))
		fail_msg("no n/a row in:\n%s", r.out);
	res_free(&r);
}

/* The corpus: $AGENTCG_TRACES (the VM tier carries it at /traces), else the source tree's. */
static const char *traces(void)
{
	return getenv("AGENTCG_TRACES") ? getenv("AGENTCG_TRACES") : TRACE_DIR;
}

/* Whether name is a line of the corpus's heldout.txt. */
static bool held_out(const char *name)
{
	char line[256], path[600];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/heldout.txt", traces());
	f = fopen(path, "r");

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		found = line[0] != '#' && strcmp(line, name) == 0;
	}
	fclose(f);
	return found;
}

/* evaluate --json --split S: the document, after checking every trace's side of the split */
static json_t *evaluate_split(const char *split, bool test)
{
	struct res r = RUN("evaluate", traces(), "--split", split, "--mixes", "12", "--json");
	json_t *doc, *m;
	size_t i, seen = 0;

	assert_int_equal(r.code, 0);
	doc = json_loads(r.out, 0, NULL);
	res_free(&r);
	assert_true(json_is_object(doc));
	assert_int_equal(json_array_size(json_object_get(doc, "mixes")), 12);
	json_array_foreach(json_object_get(doc, "mixes"), i, m) {
		json_t *s;
		size_t k;

		json_array_foreach(json_object_get(m, "sessions"), k, s) {
			assert_true(held_out(json_string_value(json_object_get(s, "trace"))) ==
				    test);
			seen++;
		}
	}
	assert_true(seen >= 12 * 3);
	return doc;
}

/*
 * evaluate: the same seed prints the same tables; --split test draws only held-out traces
 * and tune none; --json has the keys docs/evaluate.md lists; bad input is one line and
 * exit 2 (no such directory, no heldout.txt, an empty split, bad ratios, mixes, split).
 */
static void test_evaluate(void **state)
{
	const char *dir = path_in_tmp("corpus");
	char p[300];
	struct res a, b, c;
	json_t *doc;

	(void)state;
	a = RUN("evaluate", traces(), "--mixes", "10", "--seed", "4");
	b = RUN("evaluate", traces(), "--mixes", "10", "--seed", "4");
	c = RUN("evaluate", traces(), "--mixes", "10", "--seed", "5");
	assert_int_equal(a.code, 0);
	assert_non_null(strstr(a.out, "dynamic"));
	assert_string_equal(a.out, b.out);
	assert_true(strcmp(a.out, c.out) != 0);
	res_free(&a);
	res_free(&b);
	res_free(&c);

	json_decref(evaluate_split("tune", false));
	doc = evaluate_split("test", true);
	if (th_doc_dir())
		expect_schema(doc, "evaluate.md", "## Result (`--json`)");
	json_decref(doc);

	/* --help says what the test split is for */
	a = RUN("evaluate", "--help");
	assert_int_equal(a.code, 0);
	assert_non_null(strstr(a.out, "final evaluation only"));
	res_free(&a);

	expect_usage_error("nowhere: cannot open the trace directory",
			   RUN("evaluate", "/nonexistent/nowhere"));
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(p, sizeof(p), "%s/one.csv", dir);
	write_file(p, "0,1000000\n1,2000000\n");
	expect_usage_error("heldout.txt: cannot read it", RUN("evaluate", dir));
	snprintf(p, sizeof(p), "%s/heldout.txt", dir);
	write_file(p, "one\n");
	expect_usage_error("no trace (*.json, *.csv) in the tune split", RUN("evaluate", dir));
	expect_usage_error("--ratios '1.2,0.5': '0.5' is not an overcommit ratio",
			   RUN("evaluate", dir, "--ratios", "1.2,0.5"));
	expect_usage_error("--ratios 'x'", RUN("evaluate", dir, "--ratios", "x"));
	expect_usage_error("--mixes '0'", RUN("evaluate", dir, "--mixes", "0"));
	expect_usage_error("--split 'half'", RUN("evaluate", dir, "--split", "half"));
	a = RUN("evaluate", dir, "--split", "test", "--mixes", "3");
	assert_int_equal(a.code, 0);
	assert_non_null(strstr(a.out, "3 mixes from 1 traces"));
	res_free(&a);
}

/*
 * profile: the JSON has the keys docs/profile.md lists (stdout, and --out with a summary
 * line); the tune split leaves out what heldout.txt names and test takes only that; a
 * file is profiled as it is; bad input is one line and exit 2.
 */
static void test_profile(void **state)
{
	const char *out = path_in_tmp("profile.json"), *dir = path_in_tmp("prof-corpus");
	char p[300], *text = NULL;
	json_t *doc, *t;
	struct res r;
	size_t i;

	(void)state;
	r = RUN("profile", traces(), "--split", "all");
	assert_int_equal(r.code, 0);
	doc = json_loads(r.out, 0, NULL);
	assert_non_null(doc);
	res_free(&r);
	if (th_doc_dir())
		expect_schema(doc, "profile.md", "## Result");
	assert_string_equal(json_string_value(json_object_get(doc, "split")), "all");
	assert_true(json_integer_value(json_object_get(doc, "traces_profiled")) >= 50);
	assert_true(json_integer_value(json_object_get(doc, "bursts_found")) > 0);
	json_decref(doc);

	r = RUN("profile", traces(), "--out", out);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "(split tune)"));
	assert_non_null(strstr(r.out, "peak / baseline"));
	res_free(&r);
	assert_int_equal(acg_read_text(out, &text), 0);
	doc = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(doc);
	/* tune: nothing heldout.txt names (pre-commit-2524 is in tune, CLI_Tools_Easy not) */
	json_array_foreach(json_object_get(doc, "traces"), i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));

		assert_true(strcmp(name, "CLI_Tools_Easy") != 0);
	}
	json_decref(doc);

	/* a directory of its own: test takes the held-out trace only; a file as it is */
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(p, sizeof(p), "%s/a.csv", dir);
	write_file(p, "0,100000000\n1,100000000\n2,100000000\n3,100000000\n4,100000000\n"
		      "5,400000000\n6,100000000\n");
	snprintf(p, sizeof(p), "%s/b.csv", dir);
	write_file(p, "0,1000000\n1,2000000\n");
	expect_usage_error("heldout.txt: cannot read it", RUN("profile", dir));
	snprintf(p, sizeof(p), "%s/heldout.txt", dir);
	write_file(p, "a\n");
	r = RUN("profile", dir, "--split", "test");
	assert_int_equal(r.code, 0);
	doc = json_loads(r.out, 0, NULL);
	res_free(&r);
	assert_int_equal(json_integer_value(json_object_get(doc, "traces_profiled")), 1);
	t = json_array_get(json_object_get(doc, "traces"), 0);
	assert_string_equal(json_string_value(json_object_get(t, "name")), "a");
	assert_true(json_real_value(json_object_get(t, "peak_to_baseline")) == 4);
	json_decref(doc);
	snprintf(p, sizeof(p), "%s/b.csv", dir);
	r = RUN("profile", p, "--split", "test");
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "\"name\": \"b\""));
	res_free(&r);

	/* --help has examples */
	r = RUN("profile", "--help");
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "agentcg profile traces --out profile.json"));
	res_free(&r);

	expect_usage_error("which traces?", RUN("profile"));
	expect_usage_error("--out /nonexistent/p.json: cannot write",
			   RUN("profile", dir, "--out", "/nonexistent/p.json"));
	expect_usage_error("/nonexistent/nowhere: No such file",
			   RUN("profile", "/nonexistent/nowhere"));
	expect_usage_error("--split 'half'", RUN("profile", dir, "--split", "half"));
	expect_usage_error("--burst-mib 'x'", RUN("profile", dir, "--burst-mib", "x"));
	snprintf(p, sizeof(p), "%s/heldout.txt", dir);
	expect_usage_error("heldout.txt", RUN("profile", p));
	snprintf(p, sizeof(p), "%s/b.csv", dir);
	unlink(p);
	expect_usage_error("no trace (*.json, *.csv) in the tune split",
			   RUN("profile", dir, "--burst-mib", "10"));
	snprintf(p, sizeof(p), "%s/a.csv", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/heldout.txt", dir);
	unlink(p);
	rmdir(dir);
	unlink(out);
}

/* Run report with PATH set to dir only; restores PATH. */
static struct res report_with_path(const char *dir, const char *fixture, const char *out)
{
	char *saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	struct res r;

	setenv("PATH", dir, 1);
	r = RUN("report", fixture, "--out", out);
	if (saved)
		setenv("PATH", saved, 1);
	else
		unsetenv("PATH");
	free(saved);
	return r;
}

/*
 * report without gnuplot on PATH: the tables, no plots, one line saying so, a note in
 * both documents, exit 0. A gnuplot that exits without reading its script (as one that
 * cannot start does) makes plots fail, never the report die of SIGPIPE.
 */
static void test_report_without_gnuplot(void **state)
{
	char fixture[512], bin_dir[300], fake[400], *md = NULL, *html = NULL, path[600];
	const char *out = path_in_tmp("report-nognuplot");
	struct res r;

	(void)state;
	snprintf(fixture, sizeof(fixture), "%s/results-small", FIXTURE_DIR);
	if (access(fixture, R_OK) != 0) {
		fprintf(stderr, "skip: no %s here\n", fixture);
		skip();
	}
	snprintf(bin_dir, sizeof(bin_dir), "%s", path_in_tmp("nognuplot-bin"));
	assert_int_equal(mkdir(bin_dir, 0755), 0);
	r = report_with_path(bin_dir, fixture, out);
	if (r.code != 0 || lines(r.err) != 2 ||
	    !strstr(r.err, "report: plots skipped: gnuplot not found on PATH"))
		fail_msg("exit %d, stderr \"%s\" (wanted 0, the skip line and the summary line)",
			 r.code, r.err);
	res_free(&r);
	snprintf(path, sizeof(path), "%s/report.md", out);
	assert_int_equal(acg_read_text(path, &md), 0);
	assert_non_null(strstr(md, "| dynamic | 2 | 4 | 0 (0) |"));
	assert_non_null(strstr(md, "No plots: gnuplot was not found on PATH"));
	assert_null(strstr(md, ".svg"));
	snprintf(path, sizeof(path), "%s/report.html", out);
	assert_int_equal(acg_read_text(path, &html), 0);
	assert_non_null(strstr(html, "<table>"));
	assert_non_null(strstr(html, "No plots: gnuplot was not found on PATH"));
	assert_null(strstr(html, "<svg"));
	free(md);
	free(html);

	/* a "gnuplot" that exits at once, unread: plots fail, the report is written */
	snprintf(fake, sizeof(fake), "%s/gnuplot", bin_dir);
	write_file(fake, "#!/bin/sh\nexit 1\n");
	assert_int_equal(chmod(fake, 0755), 0);
	for (int i = 0; i < 5; i++) {
		r = report_with_path(bin_dir, fixture, out);
		if (r.code != 0 || !strstr(r.err, "some plots could not be drawn"))
			fail_msg("fake gnuplot, try %d: exit %d, stderr \"%s\"", i, r.code, r.err);
		res_free(&r);
	}
}

/*
 * A copy of the checked-in results-small fixture at path_in_tmp(as), its path in dir;
 * skips the test, saying why, where the fixture (or, with gnuplot, gnuplot) is missing.
 */
static void copy_results_small(const char *as, bool gnuplot, char *dir, size_t size)
{
	char fixture[512], cmd[1200];

	snprintf(fixture, sizeof(fixture), "%s/results-small", FIXTURE_DIR);
	if (access(fixture, R_OK) != 0 ||
	    (gnuplot && system("command -v gnuplot >/dev/null 2>&1") != 0)) {
		fprintf(stderr, "skip: no %s%s here\n", fixture, gnuplot ? " or no gnuplot" : "");
		skip();
	}
	snprintf(dir, size, "%s", path_in_tmp(as));
	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s'", fixture, dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * report on a results directory whose run.json is malformed: one line naming the file and
 * the problem, exit 2, never a crash (a missing status, priority or strategy was SIGSEGV);
 * a run directory without run.json (a run the bench did not finish) is skipped.
 */
static void test_report_malformed(void **state)
{
	static const struct {
		const char *path, *key, *value, *want; /* path "": the document; value NULL: drop */
	} cases[] = {
		{"sessions/0", "status", NULL, "sessions[0].status: missing"},
		{"sessions/1", "priority", "5", "sessions[1].priority: not one of them"},
		{"sessions/0", "name", "null", "sessions[0].name: not a string"},
		{"", "strategy", NULL, "strategy: missing"},
		{"", "strategy", "\"../../x\"", "strategy: not a name"},
		{"", "run", "\"1\"", "run: not an integer"},
		{"", "sessions", "{}", "sessions: not an array"},
	};
	char dir[300], doc_path[400];
	const char *out = path_in_tmp("report-malformed-out");
	json_t *good;
	struct res r;

	(void)state;
	copy_results_small("malformed", false, dir, sizeof(dir));
	snprintf(doc_path, sizeof(doc_path), "%s/runs/1/dynamic/run.json", dir);
	good = json_load_file(doc_path, 0, NULL);
	assert_non_null(good);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc = json_deep_copy(good), *o = doc;

		if (cases[i].path[0])
			o = json_array_get(json_object_get(doc, "sessions"),
					   (size_t)atoi(strchr(cases[i].path, '/') + 1));
		if (cases[i].value)
			json_object_set_new(o, cases[i].key,
					    json_loads(cases[i].value, JSON_DECODE_ANY, NULL));
		else
			json_object_del(o, cases[i].key);
		assert_int_equal(json_dump_file(doc, doc_path, 0), 0);
		json_decref(doc);
		expect_error(2, RUN("report", dir, "--format", "md", "--out", out), doc_path,
			     cases[i].want, (const char *)NULL);
	}
	write_file(doc_path, "{\"strategy\": ");
	expect_error(2, RUN("report", dir, "--format", "md", "--out", out), doc_path, "not JSON",
		     (const char *)NULL);
	/* a FIFO in its place: refused at once, never waited on */
	assert_int_equal(unlink(doc_path), 0);
	assert_int_equal(mkfifo(doc_path, 0600), 0);
	expect_error(2, RUN("report", dir, "--format", "md", "--out", out), doc_path,
		     "not a regular file (a FIFO)", (const char *)NULL);
	/* no run.json at all: that run is left out, the rest is reported */
	assert_int_equal(unlink(doc_path), 0);
	r = RUN("report", dir, "--format", "md", "--out", out);
	if (r.code != 0)
		fail_msg("without one run.json: exit %d, stderr \"%s\"", r.code, r.err);
	res_free(&r);
	json_decref(good);
}

/* Replace every from in the file at path with to (the file is small). */
static void replace_in_file(const char *path, const char *from, const char *to)
{
	char *text = NULL, *p;
	FILE *f;

	assert_int_equal(acg_read_text(path, &text), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	for (p = text; *p;) {
		char *hit = strstr(p, from);

		if (!hit) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, (size_t)(hit - p), f);
		fputs(to, f);
		p = hit + strlen(from);
	}
	fclose(f);
	free(text);
}

/*
 * report never reads data as code: session names that would be gnuplot commands (a newline
 * then system(), a trailing backslash that continues the line, backquotes, quotes that end
 * a string) are passed as text. The commands must not run, and the report renders, the
 * names shown with the unsafe characters replaced.
 */
static void test_report_data_is_data(void **state)
{
	static const char *const strategies[] = {"none", "static", "dynamic"};
	char dir[300], path[600], cmd[1200], pwned[3][128], names[3][400];
	const char *out = path_in_tmp("report-data-out");
	char *svg = NULL;
	struct res r;

	(void)state;
	copy_results_small("data-is-data", true, dir, sizeof(dir));
	for (int i = 0; i < 3; i++) {
		snprintf(pwned[i], sizeof(pwned[i]), "/tmp/agentcg-pwned-%d-%d", (int)getpid(), i);
		unlink(pwned[i]);
	}
	snprintf(names[0], sizeof(names[0]), "lo'\nsystem(\"touch %s\")\n#", pwned[0]);
	snprintf(names[1], sizeof(names[1]), "lo\\\nset output 'x'\n`touch %s`\n\"\\", pwned[1]);
	snprintf(names[2], sizeof(names[2]), "lo' . system('touch %s') . '", pwned[2]);
	for (int k = 1; k <= 2; k++) {
		for (int i = 0; i < 3; i++) {
			json_t *doc, *s;
			size_t j;

			snprintf(path, sizeof(path), "%s/runs/%d/%s/run.json", dir, k,
				 strategies[i]);
			doc = json_load_file(path, 0, NULL);
			assert_non_null(doc);
			json_array_foreach(json_object_get(doc, "sessions"), j, s) {
				if (strcmp(json_string_value(json_object_get(s, "name")), "lo"))
					continue;
				json_object_set_new(s, "name", json_string(names[i]));
				/* a kill is labelled with the name too */
				json_object_set_new(s, "status", json_string("killed"));
			}
			assert_int_equal(json_dump_file(doc, path, 0), 0);
			json_decref(doc);
		}
		/* the one-line name has its memory series, so it is drawn in the key */
		snprintf(path, sizeof(path), "%s/runs/%d/dynamic/timeseries.csv", dir, k);
		snprintf(cmd, sizeof(cmd), ",%s,", names[2]);
		replace_in_file(path, ",lo,", cmd);
	}
	r = RUN("report", dir, "--out", out);
	for (int i = 0; i < 3; i++)
		if (unlink(pwned[i]) == 0)
			fail_msg("a session name ran as a gnuplot command: it made %s", pwned[i]);
	if (r.code != 0 || strstr(r.err, "could not be drawn"))
		fail_msg("exit %d, stderr \"%s\" (wanted 0 and every plot)", r.code, r.err);
	res_free(&r);
	for (int i = 0; i < 3; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/mem-%s.svg", out, strategies[i]);
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size > 1000);
	}
	snprintf(path, sizeof(path), "%s/mem-dynamic.svg", out);
	assert_int_equal(acg_read_text(path, &svg), 0);
	snprintf(cmd, sizeof(cmd), "lo? . system(?touch %s?) . ?", pwned[2]);
	if (!strstr(svg, cmd))
		fail_msg("mem-dynamic.svg does not show the name as text \"%s\"", cmd);
	free(svg);
}

/*
 * report.html shows names from the data as text, never as markup: a scenario named
 * <script>, a simulated session <img onerror=...>, an unavailable strategy's reason <b>.
 */
static void test_report_html_escapes(void **state)
{
	char dir[300], path[600], bin_dir[300], *html = NULL;
	const char *out = path_in_tmp("report-html-out");
	json_t *doc;
	struct res r;

	(void)state;
	copy_results_small("html-escapes", false, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/scenario.json", dir);
	write_file(path, "{\"name\": \"<script>alert(1)</script>\"}");
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	doc = json_load_file(path, 0, NULL);
	assert_non_null(doc);
	json_object_set_new(json_array_get(json_object_get(doc, "simulation_vs_real"), 0),
			    "session", json_string("<img src=x onerror=alert(1)>"));
	json_object_set_new(doc, "unavailable", json_pack("{s:s}", "high", "<b>bold</b> & co"));
	assert_int_equal(json_dump_file(doc, path, 0), 0);
	json_decref(doc);
	/* no gnuplot: the tables are what this is about */
	snprintf(bin_dir, sizeof(bin_dir), "%s", path_in_tmp("html-bin"));
	assert_int_equal(mkdir(bin_dir, 0755), 0);
	r = report_with_path(bin_dir, dir, out);
	assert_int_equal(r.code, 0);
	res_free(&r);
	snprintf(path, sizeof(path), "%s/report.html", out);
	assert_int_equal(acg_read_text(path, &html), 0);
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "<b>"));
	assert_non_null(
		strstr(html, "<title>agentcg: &lt;script&gt;alert(1)&lt;/script&gt;</title>"));
	assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"));
	assert_non_null(strstr(html, "unavailable: &lt;b&gt;bold&lt;/b&gt; &amp; co"));
	free(html);
}

/*
 * report's outputs go through nothing planted in the results directory (run as root, it
 * would write where a symlink points): report.md, report.html, summary.json, a plot and a
 * .dat file planted as symlinks to a file are replaced, the file untouched; a stale plot
 * that is a symlink to a secret is not embedded; DIR/report itself a symlink is refused
 * (one line, exit 1), while --out through a symlink is the user's choice.
 */
static void test_report_symlinks(void **state)
{
	static const char *const planted[] = {"report.html",  "report.md",	"summary.json",
					      "mem-none.svg", "mem-none-0.dat", "completion.png"};
	char dir[300], path[600], cmd[1200], precious[300], secret[300], elsewhere[300];
	char *text = NULL, word[64];
	struct stat st;
	struct res r;

	(void)state;
	copy_results_small("planted", true, dir, sizeof(dir));
	snprintf(precious, sizeof(precious), "%s", path_in_tmp("precious"));
	write_file(precious, "precious\n");
	snprintf(secret, sizeof(secret), "%s", path_in_tmp("secret"));
	snprintf(word, sizeof(word), "SECRET-%d", (int)getpid());
	write_file(secret, word);
	snprintf(path, sizeof(path), "%s/report", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	for (size_t i = 0; i < sizeof(planted) / sizeof(planted[0]); i++) {
		snprintf(path, sizeof(path), "%s/report/%s", dir, planted[i]);
		assert_int_equal(symlink(precious, path), 0);
	}
	/* static's plot cannot be drawn (no timeseries): a stale mem-static.svg stays */
	snprintf(path, sizeof(path), "%s/report/mem-static.svg", dir);
	assert_int_equal(symlink(secret, path), 0);
	snprintf(path, sizeof(path), "%s/runs/1/static/timeseries.csv", dir);
	assert_int_equal(unlink(path), 0);

	r = RUN("report", dir);
	assert_int_equal(acg_read_text(precious, &text), 0);
	if (strcmp(text, "precious\n") != 0)
		fail_msg("report wrote through a planted symlink: the target now holds \"%.60s\"",
			 text);
	free(text);
	assert_int_equal(r.code, 0);
	res_free(&r);
	for (size_t i = 0; i < sizeof(planted) / sizeof(planted[0]); i++) {
		snprintf(path, sizeof(path), "%s/report/%s", dir, planted[i]);
		assert_int_equal(lstat(path, &st), 0);
		assert_true(S_ISREG(st.st_mode));
	}
	snprintf(path, sizeof(path), "%s/report/report.html", dir);
	assert_int_equal(acg_read_text(path, &text), 0);
	assert_non_null(strstr(text, "<table>"));
	assert_null(strstr(text, word));
	free(text);

	/* DIR/report a symlink to a directory: refused; --out through one: written */
	snprintf(elsewhere, sizeof(elsewhere), "%s", path_in_tmp("elsewhere"));
	assert_int_equal(mkdir(elsewhere, 0755), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/report'", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/report", dir);
	assert_int_equal(symlink(elsewhere, path), 0);
	expect_error(1, RUN("report", dir, "--format", "md"), path, "is a symbolic link",
		     (const char *)NULL);
	snprintf(path, sizeof(path), "%s/report.md", elsewhere);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/report", dir);
	r = RUN("report", dir, "--format", "md", "--out", path);
	assert_int_equal(r.code, 0);
	res_free(&r);
	snprintf(path, sizeof(path), "%s/report.md", elsewhere);
	assert_int_equal(access(path, F_OK), 0);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(out_path, sizeof(out_path), "%s/stdout", tmpdir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * An agent runs as its user, never as root by accident: as root without --user or sudo,
 * run refuses; under sudo it is the user who ran sudo; as --user nobody, a LOW agent can
 * neither move itself into a HIGH session, nor lift its clamp, nor thaw itself, nor signal
 * a root process (the daemon's kind).
 */
static void test_run_as_user(void **state)
{
	char rootname[64], script[3 * ACG_PATH_MAX + 1024], base[ACG_PATH_MAX + 64];
	struct acg_cg *root = NULL, *hi = NULL;
	struct acg_mounts m;
	struct res r;
	int v;

	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "skip: run needs root (it creates a cgroup)\n");
		skip();
	}
	assert_int_equal(acg_mounts_detect(&m), 0);
	v = m.mem_version;
	snprintf(rootname, sizeof(rootname), "agentcg-test-%d-user", (int)getpid());
	assert_int_equal(acg_root_open(&m, rootname, true, &root), 0);
	assert_int_equal(acg_cg_child(root, "high-x", true, &hi), 0);

	/* root, no --user, no sudo: refused */
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
	r = RUN("run", "--root", rootname, "--priority", "low", "--", "true");
	assert_int_equal(r.code, 2);
	assert_non_null(strstr(r.err, "refusing to run 'true' as root"));
	res_free(&r);
	/* under sudo: the user who ran it */
	setenv("SUDO_UID", "65534", 1);
	setenv("SUDO_GID", "65534", 1);
	r = RUN("run", "--root", rootname, "--priority", "low", "--", "id", "-u");
	/* and through sudo, no one else: not root, not a second priority */
	{
		struct res r2 = RUN("run", "--root", rootname, "--priority", "low", "--user",
				    "root", "--", "true");

		assert_int_equal(r2.code, 2);
		assert_non_null(strstr(r2.err, "through sudo"));
		res_free(&r2);
		r2 = RUN("run", "--root", rootname, "--priority", "low", "--priority", "high", "--",
			 "true");
		assert_int_equal(r2.code, 2);
		assert_non_null(strstr(r2.err, "--priority given twice"));
		res_free(&r2);
	}
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
	assert_int_equal(r.code, 0);
	assert_string_equal(r.out, "65534\n");
	res_free(&r);
	r = RUN("run", "--root", rootname, "--priority", "low", "--user", "no-such-user-x", "--",
		"true");
	assert_int_equal(r.code, 2);
	res_free(&r);

	/* a LOW agent tries every way out of its controls */
	snprintf(base, sizeof(base), "%s", acg_cg_path(root));
	snprintf(script, sizeof(script),
		 "me=%s/low-esc; id -u; "
		 "echo $$ > %s/high-x/cgroup.procs 2>/dev/null && echo moved; "
		 "echo %s > $me/%s 2>/dev/null && echo lifted; "
		 "echo %s > $me/%s 2>/dev/null && echo thawed; "
		 "kill -0 %d 2>/dev/null && echo signalled; exit 0",
		 base, base, v == 1 ? "-1" : "max",
		 v == 1 ? "memory.limit_in_bytes" : "memory.high", v == 1 ? "THAWED" : "0",
		 v == 1 ? "freezer.state" : "cgroup.freeze", (int)getpid());
	r = RUN("run", "--root", rootname, "--priority", "low", "--name", "esc", "--user", "nobody",
		"--", "sh", "-c", script);
	fprintf(stderr, "LOW agent as nobody: %s", r.out);
	assert_int_equal(r.code, 0);
	assert_string_equal(r.out, "65534\n");
	res_free(&r);
	acg_cg_free(hi);
	acg_cg_remove(root);
	acg_cg_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_bad_traces),
		cmocka_unit_test(test_bench_config),
		cmocka_unit_test(test_bench_config_unrunnable),
		cmocka_unit_test(test_bench_symlinks),
		cmocka_unit_test(test_stress_writes_result),
		cmocka_unit_test(test_record_replays),
		cmocka_unit_test(test_record_ends_at_exit),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_bench_full_disk),
		cmocka_unit_test(test_out_parents),
		cmocka_unit_test(test_report_without_gnuplot),
		cmocka_unit_test(test_report_malformed),
		cmocka_unit_test(test_report_data_is_data),
		cmocka_unit_test(test_report_html_escapes),
		cmocka_unit_test(test_report_symlinks),
		cmocka_unit_test(test_simulate_json),
		cmocka_unit_test(test_evaluate),
		cmocka_unit_test(test_profile),
		cmocka_unit_test(test_output_checked_first),
		cmocka_unit_test(test_run_as_user),
		cmocka_unit_test_teardown(test_replay_cgroup_peak, remove_test_root),
		cmocka_unit_test_teardown(test_not_root, remove_test_root),
	};

	th_init();
	return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}
