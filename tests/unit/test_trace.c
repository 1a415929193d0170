// SPDX-License-Identifier: GPL-2.0
/*
 * test_trace.c: unit tier. Trace loading: every unit spelling, both formats, every kind
 * of bad input (one diagnostic line naming file, sample and problem), and all the shared
 * real traces against their own summaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helpers.h"
#include "trace.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TRACE_DIR
#define TRACE_DIR "traces"
#endif

static void test_units(void **state)
{
	static const struct {
		const char *text;
		uint64_t dec, bin;
	} cases[] = {
		{"0B", 0, 0},
		{"512B", 512, 512},
		{"9.04kB", 9040, 9257},
		{"2KB", 2000, 2048},
		{"185.3MB", 185300000, 194301133},
		{"1.862GB", 1862000000, 1999307276},
		{"1TB", 1000000000000, 1099511627776},
		{"1KiB", 1024, 1024},
		{"1.5MiB", 1572864, 1572864},
		{"2GiB", 2147483648, 2147483648},
		{"1TiB", 1099511627776, 1099511627776},
		{" 7MB ", 7000000, 7340032},
	};
	static const char *const bad[] = {"",	  "MB",	     "12",    "12XB", "12 MB x",
					  "-1MB", "1.2.3MB", "nanMB", "12mb", "1e400GB"};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(acg_parse_size(cases[i].text, false, &v), 0);
		assert_true(v == cases[i].dec);
		assert_int_equal(acg_parse_size(cases[i].text, true, &v), 0);
		assert_true(v == cases[i].bin);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (acg_parse_size(bad[i], false, &v) == 0)
			fail_msg("\"%s\" parsed as %llu", bad[i], (unsigned long long)v);
	/* 2^63 bytes and more: no memory is that large (1.8e19 went through llround()) */
	for (const char *p = "1.8e19B\0"
			     "8388608TiB\0"
			     "9223372036854775808B\0";
	     *p; p += strlen(p) + 1) {
		int r = acg_parse_size(p, false, &v);

		if (r != -ERANGE)
			fail_msg("\"%s\": %d, %llu (wanted -ERANGE)", p, r, (unsigned long long)v);
	}
	assert_int_equal(acg_parse_size("8388607TiB", false, &v), 0);
	assert_true(v == UINT64_C(8388607) << 40);
}

#define JSON_HEAD "{\"samples\": ["

static void test_json_good(void **state)
{
	const char *text = JSON_HEAD "{\"epoch\": 100.5, \"mem_usage\": \"10MB / 1GB\"},"
				     "{\"epoch\": 101.5, \"mem_usage\": \"1.5GB / 2GB\"},"
				     "{\"epoch\": 103, \"mem_usage\": \"500kB / 2GB\"},"
				     "{\"epoch\": 104, \"mem_usage\": \"0B / 0B\"},"
				     "{\"epoch\": 105, \"mem_usage\": \"0B / 0B\"}]}";
	struct acg_trace_summary sum;
	struct acg_trace *t;
	struct acg_diag d = {""};

	(void)state;
	assert_int_equal(acg_trace_parse("x/run-1.json", text, strlen(text), NULL, &t, &d), 0);
	assert_string_equal(t->name, "run-1");
	assert_int_equal(t->n, 3);
	assert_int_equal(t->tail_dropped, 2);
	assert_true(t->samples[0].t == 0.0);
	assert_true(t->samples[2].t == 2.5);
	assert_true(t->samples[1].bytes == 1500000000);
	acg_trace_summarize(t, &sum);
	assert_true(sum.peak_bytes == 1500000000);
	assert_true(sum.min_bytes == 500000);
	assert_true(sum.avg_bytes == 503500000);
	assert_true(fabs(sum.duration_s - 2.5) < 1e-9);
	assert_true(fabs(sum.peak_to_avg - 1500000000.0 / 503500000.0) < 1e-9);
	acg_trace_free(t);
}

/* A recording's exact "bytes" wins over its rounded text, and binary units never apply to it. */
static void test_json_exact_bytes(void **state)
{
	const char *text = JSON_HEAD "{\"epoch\": 1, \"mem_usage\": \"147MB / 1GB\", "
				     "\"bytes\": 147000123},"
				     "{\"epoch\": 2, \"mem_usage\": \"1MB / 1GB\"}]}";
	const char *bad = JSON_HEAD "{\"epoch\": 1, \"mem_usage\": \"1MB / 1GB\", \"bytes\": -4}]}";
	const struct acg_trace_opts bin = {true, 0};
	struct acg_trace *t;
	struct acg_diag d = {""};

	(void)state;
	assert_int_equal(acg_trace_parse("rec.json", text, strlen(text), &bin, &t, &d), 0);
	assert_int_equal(t->n, 2);
	assert_true(t->samples[0].bytes == 147000123);
	assert_true(t->samples[1].bytes == 1048576); /* text without bytes: binary units */
	acg_trace_free(t);
	assert_true(acg_trace_parse("rec.json", bad, strlen(bad), NULL, &t, &d) < 0);
	assert_non_null(strstr(d.msg, "rec.json: sample 1: bytes"));
}

static void test_csv_good(void **state)
{
	const char *text = "# recorded by hand\nseconds,bytes\n5,1048576\n6.5,2MiB\n\n8,300MB\r\n";
	struct acg_trace *t;
	struct acg_diag d = {""};

	(void)state;
	assert_int_equal(acg_trace_parse("my.csv", text, strlen(text), NULL, &t, &d), 0);
	assert_int_equal(t->n, 3);
	assert_true(t->samples[0].t == 0.0);
	assert_true(t->samples[1].t == 1.5);
	assert_true(t->samples[1].bytes == 2097152);
	assert_true(t->samples[2].bytes == 300000000);
	acg_trace_free(t);
	/* the longest a trace may run, 10^7 s, is still a trace */
	text = "0,1\n10000000,1\n";
	assert_int_equal(acg_trace_parse("long.csv", text, strlen(text), NULL, &t, &d), 0);
	acg_trace_free(t);
}

/* Each bad input: the diagnostic names the file and contains the expected words. */
static void expect_bad(const char *text, const struct acg_trace_opts *o, const char *want)
{
	struct acg_trace *t = NULL;
	struct acg_diag d = {""};
	int r = acg_trace_parse("bad.json", text, strlen(text), o, &t, &d);

	if (r != -EINVAL)
		fail_msg("accepted (%d): %s", r, text);
	assert_null(t);
	if (strncmp(d.msg, "bad.json: ", 10) != 0 || !strstr(d.msg, want))
		fail_msg("diagnostic \"%s\" lacks \"%s\"", d.msg, want);
	assert_null(strchr(d.msg, '\n'));
}

static void test_bad_inputs(void **state)
{
	const struct acg_trace_opts small = {false, 100000000};

	(void)state;
	expect_bad("{\"samples\": [", NULL, "not JSON: line 1");
	expect_bad("{\"summary\": {}}", NULL, "no \"samples\" array");
	expect_bad("{\"samples\": []}", NULL, "empty");
	/* JSON samples are counted from 1 in messages, as CSV lines are */
	expect_bad(JSON_HEAD "{\"mem_usage\": \"1MB / 1GB\"}]}", NULL, "sample 1: missing epoch");
	expect_bad(JSON_HEAD "{\"epoch\": \"x\", \"mem_usage\": \"1MB / 1GB\"}]}", NULL,
		   "sample 1: epoch is not a number");
	expect_bad(JSON_HEAD "{\"epoch\": -5, \"mem_usage\": \"1MB / 1GB\"}]}", NULL,
		   "sample 1: negative epoch");
	expect_bad(JSON_HEAD "{\"epoch\": 10, \"mem_usage\": \"1MB / 1GB\"},"
			     "{\"epoch\": 9, \"mem_usage\": \"1MB / 1GB\"}]}",
		   NULL, "sample 2: time -1.000 goes back");
	expect_bad(JSON_HEAD "{\"epoch\": 1, \"mem_usage\": \"1MB / 1GB\"},"
			     "{\"epoch\": 2, \"mem_usage\": \"12XB / 1GB\"}]}",
		   NULL, "sample 2: cannot read mem_usage \"12XB / 1GB\"");
	expect_bad(JSON_HEAD "{\"epoch\": 1}]}", NULL, "sample 1: missing mem_usage");
	expect_bad(JSON_HEAD "3]}", NULL, "sample 1: not a JSON object");
	expect_bad(JSON_HEAD "{\"epoch\": 1, \"mem_usage\": \"1MB / 1GB\"},"
			     "{\"epoch\": 2, \"mem_usage\": \"200MB / 1GB\"}]}",
		   &small, "sample 2: 190.7 MiB is more than this host's memory");
	expect_bad(JSON_HEAD "{\"epoch\": 1, \"mem_usage\": \"0B / 0B\"},"
			     "{\"epoch\": 2, \"mem_usage\": \"2MB / 1GB\"}]}",
		   NULL, "sample 2: data after a \"0B / 0B\" sample");
	expect_bad(JSON_HEAD "{\"epoch\": 1, \"mem_usage\": \"0B / 0B\"}]}", NULL, "every sample");
	/* CSV */
	expect_bad("seconds,bytes\n", NULL, "no samples");
	expect_bad("1,100\n0.5,100\n", NULL, "line 2: time -0.500 goes back");
	expect_bad("1 100\n", NULL, "line 1: expected \"seconds,bytes\"");
	expect_bad("1,100\nabc,5\n", NULL, "line 2: seconds \"abc\" is not a number");
	expect_bad("1,-100\n", NULL, "line 1: bytes \"-100\" is not a size");
	expect_bad("1,12XB\n", NULL, "line 1: bytes \"12XB\" is not a size");
	expect_bad("-1,100\n", NULL, "line 1: negative time");
	/* 1e300 s was cast to int64_t ns by the replay: it "completed" at once */
	expect_bad("0,1MB\n1e300,2MB\n", NULL,
		   "line 2: time 1e+300 s is past 10^7 s (about 4 months)");
	expect_bad("0,1MB\n10000000.5,2MB\n", NULL, "line 2: time 1e+07 s is past 10^7 s");
	expect_bad(JSON_HEAD "{\"epoch\": 1, \"mem_usage\": \"1MB / 1GB\"},"
			     "{\"epoch\": 1e300, \"mem_usage\": \"2MB / 1GB\"}]}",
		   NULL, "sample 2: time 1e+300 s is past 10^7 s");
	expect_bad("0,1\nnan,1\n", NULL, "line 2: negative or invalid time nan");
	expect_bad("0,1\ninf,1\n", NULL, "line 2: negative or invalid time inf");
	/* sizes of 2^63 bytes and more, with a unit or without */
	expect_bad(JSON_HEAD "{\"epoch\": 1, \"mem_usage\": \"1.8e19B / 1GB\"}]}", NULL,
		   "sample 1: mem_usage \"1.8e19B / 1GB\": 2^63 bytes or more (no memory is that "
		   "large)");
	expect_bad("0,1.8e19B\n", NULL, "line 1: bytes \"1.8e19B\": 2^63 bytes or more");
	expect_bad("0,18000000000000000000\n", NULL,
		   "line 1: bytes \"18000000000000000000\": 2^63 bytes or more");
	expect_bad("0,99999999999999999999999\n", NULL, "2^63 bytes or more");
	expect_bad("1,200MB\n", &small, "line 1: 190.7 MiB is more than");
}

static void test_load_missing_file(void **state)
{
	struct acg_trace *t = NULL;
	struct acg_diag d = {""};

	(void)state;
	assert_int_equal(acg_trace_load("/nonexistent/x.json", NULL, &t, &d), -ENOENT);
	assert_string_equal(d.msg, "/nonexistent/x.json: No such file or directory");
}

/*
 * A trace is the user's file: a symlink to one is followed (the cgroup layer's O_NOFOLLOW
 * made it "Too many levels of symbolic links"); what is not a regular file is refused at
 * once, never read (/dev/zero read until the host ran out of memory, a FIFO blocked
 * forever); a file above ACG_TRACE_MAX_FILE is refused with the limit named.
 */
static void test_load_file_kinds(void **state)
{
	static const struct {
		const char *name, *want;
	} bad[] = {
		{"/dev/zero", "/dev/zero: not a regular file (a character device)"},
		{"fifo", "fifo: not a regular file (a FIFO)"},
		{"dir", "dir: not a regular file (a directory)"},
		{"big.csv", "big.csv: larger than 256 MiB, the most a trace file may be"},
	};
	char dir[] = "/tmp/agentcg-test-trace-XXXXXX", path[300], target[300];
	struct acg_trace *t = NULL;
	struct acg_diag d = {""};
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(target, sizeof(target), "%s/good.csv", dir);
	f = fopen(target, "w");
	assert_non_null(f);
	fputs("0,1MB\n1,2MB\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/link.csv", dir);
	assert_int_equal(symlink(target, path), 0);
	if (acg_trace_load(path, NULL, &t, &d) != 0)
		fail_msg("a symlink to a trace: %s", d.msg);
	assert_int_equal(t->n, 2);
	acg_trace_free(t);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/dir", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/big.csv", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, ACG_TRACE_MAX_FILE + 1), 0);
	close(fd);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bad[i].name[0] == '/')
			snprintf(path, sizeof(path), "%s", bad[i].name);
		else
			snprintf(path, sizeof(path), "%s/%s", dir, bad[i].name);
		d.msg[0] = '\0';
		if (acg_trace_load(path, NULL, &t, &d) != -EINVAL || !strstr(d.msg, bad[i].want))
			fail_msg("%s: \"%s\" (wanted -EINVAL and \"%s\")", path, d.msg,
				 bad[i].want);
	}
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

/* Every shipped trace loads, and its summary matches the one the trace carries (MB). */
static void test_shared_traces(void **state)
{
	const char *dir = getenv("AGENTCG_TRACES") ? getenv("AGENTCG_TRACES") : TRACE_DIR;
	DIR *dh = opendir(dir);
	struct dirent *de;
	size_t checked = 0;

	(void)state;
	if (!dh) /* they ship in the repository's traces/: missing is a broken checkout */
		fail_msg("no traces at %s: %s", dir, strerror(errno));
	while ((de = readdir(dh))) {
		char path[1024];
		struct acg_trace_summary sum;
		struct acg_trace *t;
		struct acg_diag d = {""};
		json_t *root, *mem;
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (acg_trace_load(path, NULL, &t, &d) < 0)
			fail_msg("%s", d.msg);
		acg_trace_summarize(t, &sum);
		root = json_load_file(path, 0, NULL);
		assert_non_null(root);
		mem = json_object_get(json_object_get(root, "summary"), "memory_mb");
		if (fabs((double)sum.peak_bytes / 1e6 -
			 json_number_value(json_object_get(mem, "max"))) > 0.01 ||
		    fabs((double)sum.avg_bytes / 1e6 -
			 json_number_value(json_object_get(mem, "avg"))) > 0.01)
			fail_msg("%s: peak %.3f avg %.3f MB, its summary says %.3f %.3f", path,
				 (double)sum.peak_bytes / 1e6, (double)sum.avg_bytes / 1e6,
				 json_number_value(json_object_get(mem, "max")),
				 json_number_value(json_object_get(mem, "avg")));
		json_decref(root);
		acg_trace_free(t);
		checked++;
	}
	closedir(dh);
	fprintf(stderr, "%zu shipped traces match their summaries\n", checked);
	assert_true(checked >= 70);
}

/* The seeds' numbers: the original tool read decimal units as binary. */
static void test_binary_units_reproduce_seeds(void **state)
{
	const char *dir = getenv("AGENTCG_TRACES") ? getenv("AGENTCG_TRACES") : TRACE_DIR;
	const struct acg_trace_opts bin = {true, 0};
	struct acg_trace_summary sum;
	struct acg_trace *t;
	struct acg_diag d = {""};
	char path[1024];

	(void)state;
	snprintf(path, sizeof(path), "%s/pre-commit__pre-commit-2524.json", dir);
	if (acg_trace_load(path, &bin, &t, &d) == -ENOENT) {
		fprintf(stderr, "skip: %s\n", d.msg);
		skip();
	}
	acg_trace_summarize(t, &sum);
	/* experiment log: "327s, avg=306MB, max=1907MB" */
	assert_true(fabs((double)sum.peak_bytes / 1048576.0 - 1906.7) < 0.5);
	assert_true(fabs((double)sum.avg_bytes / 1048576.0 - 306.0) < 8.0);
	assert_true(fabs(sum.duration_s - 327.0) < 1.0);
	acg_trace_free(t);
}

/* Load: a CSV trace of a million samples parses whole (nothing truncated or quadratic). */
static void test_million_samples(void **state)
{
	const size_t n = 1000000;
	char *text = malloc(n * 24), *p;
	struct acg_trace_summary sum;
	struct acg_trace *t = NULL;
	struct acg_diag d = {""};

	(void)state;
	assert_non_null(text);
	p = text;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%zu.%03zu,%zu\n", i / 1000, i % 1000, (i % 1000) * 4096);
	assert_int_equal(acg_trace_parse("big.csv", text, (size_t)(p - text), NULL, &t, &d), 0);
	assert_int_equal(t->n, n);
	acg_trace_summarize(t, &sum);
	assert_true(sum.peak_bytes == 999 * 4096);
	assert_true(fabs(sum.duration_s - 999.999) < 1e-6);
	acg_trace_free(t);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_json_good),
		cmocka_unit_test(test_json_exact_bytes),
		cmocka_unit_test(test_csv_good),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_load_file_kinds),
		cmocka_unit_test(test_shared_traces),
		cmocka_unit_test(test_binary_units_reproduce_seeds),
		cmocka_unit_test(test_million_samples),
	};

	th_init();
	return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
