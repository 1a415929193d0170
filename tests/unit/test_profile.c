// SPDX-License-Identifier: GPL-2.0
/*
 * test_profile.c: unit tier. The burst profile (lib/model/profile.h) on timelines worked by
 * hand: the baseline, the peak and their ratio, bursts (duration, growth rate, one still
 * running at the end, one at the first sample), the quantiles across a set, and the
 * splits of a directory as evaluate reads them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helpers.h"
#include "profile.h"
#include "record.h"
#include "stats.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct acg_trace *make(const struct acg_sample *s, size_t n)
{
	struct acg_trace *t = NULL;

	assert_int_equal(acg_trace_from_samples("t", s, n, &t), 0);
	return t;
}

/* profile.h's worked example */
static void test_worked_example(void **state)
{
	static const struct acg_sample s[] = {
		{0, 100 * MiB}, {1, 100 * MiB}, {2, 100 * MiB}, {3, 100 * MiB}, {4, 100 * MiB},
		{5, 400 * MiB}, {6, 500 * MiB}, {7, 100 * MiB}, {8, 100 * MiB}, {9, 100 * MiB}};
	struct acg_trace *t = make(s, 10);
	struct acg_profile_trace p;

	(void)state;
	assert_int_equal(acg_profile_trace(t, "here", 64 * MiB, &p), 0);
	assert_string_equal(p.source, "here");
	assert_int_equal(p.samples, 10);
	assert_true(p.duration_s == 9);
	assert_true(p.baseline_bytes == 100 * MiB);
	assert_true(p.peak_bytes == 500 * MiB);
	assert_true(p.growth_bytes == 400 * MiB);
	assert_true(fabs(p.peak_to_baseline - 5) < 1e-12);
	assert_int_equal(p.n_bursts, 1);
	assert_true(p.bursts[0].start_s == 5 && p.bursts[0].duration_s == 2);
	assert_true(p.bursts[0].peak_bytes == 500 * MiB);
	assert_true(fabs(p.bursts[0].rate_bps - 200.0 * MiB) < 1e-6);
	assert_true(p.bursts[0].ended);
	free(p.name);
	free(p.bursts);
	/* a line above the peak: no burst */
	assert_int_equal(acg_profile_trace(t, "here", 400 * MiB, &p), 0);
	assert_int_equal(p.n_bursts, 0);
	free(p.name);
	free(p.bursts);
	acg_trace_free(t);
}

/*
 * The baseline is what the first 20% holds, not the whole run's: a session that idles at
 * 10 MiB for 8 s then holds 300 MiB has a baseline of 10 MiB though most samples are
 * larger. A burst at the first sample has no rate; one still above the line at the end
 * has not ended and lasts to the last sample. A baseline of 0 has no ratio.
 */
static void test_edges(void **state)
{
	static const struct acg_sample a[] = {{0, 10 * MiB},  {1, 10 * MiB},  {2, 10 * MiB},
					      {8, 300 * MiB}, {9, 300 * MiB}, {10, 300 * MiB}};
	static const struct acg_sample b[] = {{0, 200 * MiB}, {1, 0}, {2, 0}, {3, 0}, {4, 0}};
	struct acg_trace *ta = make(a, 6), *tb = make(b, 5);
	struct acg_profile_trace p;

	(void)state;
	assert_int_equal(acg_profile_trace(ta, "a", 64 * MiB, &p), 0);
	assert_true(p.baseline_bytes == 10 * MiB);
	assert_true(fabs(p.peak_to_baseline - 30) < 1e-12);
	assert_int_equal(p.n_bursts, 1);
	assert_false(p.bursts[0].ended);
	assert_true(p.bursts[0].start_s == 8 && p.bursts[0].duration_s == 2);
	/* 290 MiB from 2 s to 8 s */
	assert_true(fabs(p.bursts[0].rate_bps - 290.0 * MiB / 6) < 1e-6);
	free(p.name);
	free(p.bursts);
	/* the first 20% of 4 s is the first sample alone: a baseline of 200 MiB */
	assert_int_equal(acg_profile_trace(tb, "b", 0, &p), 0);
	assert_true(p.baseline_bytes == 200 * MiB);
	assert_int_equal(p.n_bursts, 0);
	free(p.name);
	free(p.bursts);
	acg_trace_free(tb);
	tb = make(b + 1, 4);
	assert_int_equal(acg_profile_trace(tb, "b", 0, &p), 0);
	assert_true(p.baseline_bytes == 0 && isnan(p.peak_to_baseline));
	free(p.name);
	free(p.bursts);
	acg_trace_free(tb);
	/* a burst from the first sample: no sample before it, no rate (the first 20% of 10 s
	 * holds 500, 0, 0 MiB: a baseline of 0) */
	{
		static const struct acg_sample c[] = {{0, 500 * MiB}, {1, 0}, {2, 0}, {10, 0}};

		tb = make(c, 4);
		assert_int_equal(acg_profile_trace(tb, "c", 64 * MiB, &p), 0);
		assert_true(p.baseline_bytes == 0);
		assert_int_equal(p.n_bursts, 1);
		assert_true(p.bursts[0].start_s == 0 && p.bursts[0].duration_s == 1);
		assert_true(p.bursts[0].ended && isnan(p.bursts[0].rate_bps));
		free(p.name);
		free(p.bursts);
		acg_trace_free(tb);
	}
	acg_trace_free(ta);
}

static void test_quantile(void **state)
{
	double v[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};

	(void)state;
	assert_true(acg_quantile(v, 10, 0.5) == 5);
	assert_true(acg_quantile(v, 10, 0.9) == 9);
	assert_true(acg_quantile(v, 10, 0.99) == 10);
	assert_true(acg_quantile(v, 10, 0) == 1);
	assert_true(isnan(acg_quantile(v, 0, 0.5)));
}

static char dir[] = "/tmp/agentcg-test-profile-XXXXXX";

/*
 * A directory of three CSV traces, ratios 2, 3 and 5 (baselines 100 MB, peaks 200, 300,
 * 500; the CSV's bytes are exact), one of them held out: tune profiles the other two,
 * test the held-out one, all three; a file is taken whatever the split. Quantiles over
 * the set: of 2, 3, 5 the p50 is 3 and the p90 5.
 */
static void test_run_splits(void **state)
{
	char file[300], *one[] = {dir}, *two[] = {dir, file};
	struct acg_diag d = {""};
	struct acg_profile p;

	(void)state;
	assert_non_null(mkdtemp(dir));
	th_put(dir, "two.csv",
	       "0,100000000\n1,100000000\n2,100000000\n3,100000000\n4,100000000\n"
	       "5,200000000\n6,100000000\n");
	th_put(dir, "three.csv",
	       "0,100000000\n1,100000000\n2,100000000\n3,100000000\n4,100000000\n"
	       "5,300000000\n6,100000000\n");
	th_put(dir, "five.csv",
	       "0,100000000\n1,100000000\n2,100000000\n3,100000000\n4,100000000\n"
	       "5,500000000\n6,100000000\n");
	th_put(dir, "notes.txt", "not a trace: not read\n");

	/* no heldout.txt: tune and test need one, all does not */
	assert_true(acg_profile_run(one, 1, ACG_EVAL_TUNE, 64 * MiB, &p, &d) < 0);
	assert_non_null(strstr(d.msg, "heldout.txt"));
	assert_int_equal(acg_profile_run(one, 1, ACG_EVAL_ALL, 64 * MiB, &p, &d), 0);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.ratio.n, 3);
	assert_true(fabs(p.ratio.p50 - 3) < 1e-9 && fabs(p.ratio.p90 - 5) < 1e-9);
	assert_int_equal(p.n_bursts, 3);
	assert_int_equal(p.duration.n, 3);
	assert_true(p.duration.p50 == 1);
	/* the bursts rose 100, 200 and 400 MB in 1 s */
	assert_true(fabs(p.rate.p90 - 400e6) < 1e-3);
	acg_profile_free(&p);

	th_put(dir, "heldout.txt", "# the test split\nfive\n");
	assert_int_equal(acg_profile_run(one, 1, ACG_EVAL_TUNE, 64 * MiB, &p, &d), 0);
	assert_int_equal(p.n, 2);
	for (size_t i = 0; i < p.n; i++)
		assert_true(strcmp(p.traces[i].name, "five") != 0);
	assert_true(fabs(p.ratio.p90 - 3) < 1e-9);
	acg_profile_free(&p);
	assert_int_equal(acg_profile_run(one, 1, ACG_EVAL_TEST, 64 * MiB, &p, &d), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.traces[0].name, "five");
	acg_profile_free(&p);

	/* a held-out file named on its own is taken: the split is a directory's */
	snprintf(file, sizeof(file), "%s/five.csv", dir);
	assert_int_equal(acg_profile_run(two, 2, ACG_EVAL_TUNE, 64 * MiB, &p, &d), 0);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.traces[2].name, "five");
	assert_string_equal(p.traces[2].source, file);
	acg_profile_free(&p);

	/* bad input: what and where */
	snprintf(file, sizeof(file), "%s/nowhere", dir);
	assert_int_equal(acg_profile_run(two + 1, 1, ACG_EVAL_TUNE, 64 * MiB, &p, &d), -ENOENT);
	assert_non_null(strstr(d.msg, "nowhere"));
	snprintf(file, sizeof(file), "%s/notes.txt", dir);
	assert_true(acg_profile_run(two + 1, 1, ACG_EVAL_TUNE, 64 * MiB, &p, &d) < 0);
	assert_non_null(strstr(d.msg, "notes.txt"));

	th_drop(dir, "two.csv");
	th_drop(dir, "three.csv");
	th_drop(dir, "five.csv");
	th_drop(dir, "notes.txt");
	th_drop(dir, "heldout.txt");
	rmdir(dir);
}

/*
 * A `record` output is profiled as it is, its exact bytes taken whatever the units: idle
 * at 50 MB for 4 s, 450 MB at 5 s, back at 6 s, to 10 s: baseline 50 MB (the first 20%:
 * 0 to 2 s), ratio 9, one burst of 1 s rising 400 MB in 1 s.
 */
static void test_record_output(void **state)
{
	char p[] = "/tmp/agentcg-test-profile-rec-XXXXXX", *paths[] = {p};
	char *const cmd[] = {"sleep", "10", NULL};
	struct acg_recording rec = {0};
	struct acg_diag d = {""};
	struct acg_profile pr;
	json_t *doc;
	int fd = mkstemp(p);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (int i = 0; i <= 10; i++)
		assert_int_equal(acg_recording_add(&rec, 1000.0 + i, i == 5 ? 450000000 : 50000000),
				 0);
	doc = acg_recording_json(&rec, 8ull << 30, cmd, 1000, 0);
	assert_non_null(doc);
	assert_int_equal(json_dump_file(doc, p, 0), 0);
	json_decref(doc);
	acg_recording_free(&rec);
	assert_int_equal(acg_profile_run(paths, 1, ACG_EVAL_TUNE, 64 * MiB, &pr, &d), 0);
	assert_int_equal(pr.n, 1);
	assert_true(pr.traces[0].baseline_bytes == 50000000);
	assert_true(pr.traces[0].peak_bytes == 450000000);
	assert_true(fabs(pr.traces[0].peak_to_baseline - 9) < 1e-9);
	assert_int_equal(pr.traces[0].n_bursts, 1);
	assert_true(fabs(pr.traces[0].bursts[0].duration_s - 1) < 1e-9);
	assert_true(fabs(pr.traces[0].bursts[0].rate_bps - 400e6) < 1e-3);
	acg_profile_free(&pr);
	unlink(p);
}

/*
 * The policy's default expected growths are the tune split's profile (policy.h): a change
 * of the traces, of the split or of the profile's growth shows here. The profile written
 * and read back gives the same; a file that is not a profile is refused in one line.
 */
static void test_default_growth(void **state)
{
	char tdir[] = "traces", *paths[] = {tdir};
	char f[] = "/tmp/agentcg-test-profile-XXXXXX";
	struct acg_diag d = {""};
	struct acg_profile pr;
	uint64_t low = 0, high = 0, l2 = 0, h2 = 0;
	json_t *doc;
	FILE *out;
	int fd;

	(void)state;
	assert_int_equal(acg_profile_run(paths, 1, ACG_EVAL_TUNE, ACG_PROFILE_BURST_BYTES, &pr, &d),
			 0);
	acg_profile_growth(&pr, &low, &high);
	if (low != ACG_POL_LOW_GROWTH || high != ACG_POL_HIGH_GROWTH)
		fail_msg("the tune split's growth is p75 %llu, p90 %llu: policy.h says %llu, %llu",
			 (unsigned long long)low, (unsigned long long)high,
			 (unsigned long long)ACG_POL_LOW_GROWTH,
			 (unsigned long long)ACG_POL_HIGH_GROWTH);
	fd = mkstemp(f);
	assert_true(fd >= 0);
	out = fdopen(fd, "w");
	doc = acg_profile_json(&pr);
	assert_int_equal(json_dumpf(doc, out, 0), 0);
	json_decref(doc);
	fclose(out);
	assert_int_equal(acg_profile_load_growth(f, &l2, &h2, &d), 0);
	assert_true(l2 == low && h2 == high);
	acg_profile_free(&pr);
	/* a scenario, say, is no profile */
	out = fopen(f, "w");
	assert_non_null(out);
	fputs("{\"budget_mb\": 100}", out);
	fclose(out);
	assert_int_equal(acg_profile_load_growth(f, &l2, &h2, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "growth_bytes"));
	assert_null(strchr(d.msg, '\n'));
	unlink(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_example), cmocka_unit_test(test_edges),
		cmocka_unit_test(test_quantile),       cmocka_unit_test(test_run_splits),
		cmocka_unit_test(test_record_output),  cmocka_unit_test(test_default_growth),
	};

	th_init();
	return cmocka_run_group_tests_name("profile", tests, NULL, NULL);
}
