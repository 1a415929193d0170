// SPDX-License-Identifier: GPL-2.0
/*
 * test_evaluate.c: unit tier. `agentcg evaluate`'s library: the same seed draws the same
 * mixes and results; the test split uses only the names traces/heldout.txt lists and the
 * tune split none of them; bad input gets one line naming what and where; and on a corpus
 * of one flat trace the oracle's verdicts are known by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "evaluate.h"
#include "helpers.h"

#include <errno.h>
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

static char tmpdir[] = "/tmp/agentcg-test-eval-XXXXXX";

static char *run_json(const struct acg_eval_cfg *cfg)
{
	struct acg_eval_result r;
	struct acg_diag d = {""};
	json_t *doc;
	char *s;

	if (acg_eval_run(cfg, &r, &d) < 0)
		fail_msg("%s", d.msg);
	doc = acg_eval_result_json(&r);
	s = json_dumps(doc, JSON_SORT_KEYS);
	json_decref(doc);
	acg_eval_result_free(&r);
	assert_non_null(s);
	return s;
}

/* Same seed, same output, byte for byte; another seed draws other mixes. */
static void test_deterministic(void **state)
{
	struct acg_eval_cfg cfg;
	char *a, *b, *c;

	(void)state;
	acg_eval_cfg_default(&cfg);
	cfg.dir = TRACE_DIR;
	cfg.mixes = 12;
	cfg.seed = 5;
	a = run_json(&cfg);
	b = run_json(&cfg);
	cfg.seed = 6;
	c = run_json(&cfg);
	assert_string_equal(a, b);
	assert_true(strcmp(a, c) != 0);
	free(a);
	free(b);
	free(c);
}

/* heldout.txt's names, as the test reads them itself */
static size_t heldout(char names[][128], size_t max)
{
	char line[256];
	size_t n = 0;
	FILE *f = fopen(TRACE_DIR "/heldout.txt", "r");

	assert_non_null(f);
	while (n < max && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] && line[0] != '#')
			snprintf(names[n++], 128, "%.120s", line);
	}
	fclose(f);
	return n;
}

static bool in(char names[][128], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* Every trace a test-split mix uses is held out; no tune-split mix uses one. */
static void test_splits(void **state)
{
	static char names[64][128];
	size_t n = heldout(names, 64), used = 0;
	struct acg_eval_cfg cfg;
	struct acg_eval_result r;
	struct acg_diag d = {""};

	(void)state;
	assert_true(n >= 10);
	acg_eval_cfg_default(&cfg);
	cfg.dir = TRACE_DIR;
	cfg.mixes = 30;
	for (int split = ACG_EVAL_TUNE; split <= ACG_EVAL_TEST; split++) {
		bool test = split == ACG_EVAL_TEST;

		cfg.split = (enum acg_eval_split)split;
		if (acg_eval_run(&cfg, &r, &d) < 0)
			fail_msg("%s", d.msg);
		assert_int_equal(r.n_mixes, 30);
		/* the split is all of its side: every held-out name (test), or 73 - 22 (tune) */
		assert_int_equal(r.n_traces, test ? n : 73 - n);
		for (size_t i = 0; i < r.n_traces; i++)
			assert_true(in(names, n, r.traces[i]->name) == test);
		for (size_t i = 0; i < r.n_mixes; i++)
			for (size_t k = 0; k < r.mixes[i].n; k++, used++)
				assert_true(in(names, n, r.traces[r.mixes[i].trace[k]]->name) ==
					    test);
		/* the ratios in turn: 10 mixes each, and their kills add up to the totals */
		for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++) {
			size_t kills = 0;

			for (size_t i = 0; i < r.n_ratios; i++)
				kills += r.by_ratio[i].kills[s];
			assert_int_equal(kills, r.st[s].kills);
		}
		for (size_t i = 0; i < r.n_ratios; i++) {
			assert_int_equal(r.by_ratio[i].mixes, 10);
			assert_true(r.by_ratio[i].ratio == cfg.ratios[i]);
			for (size_t k = i; k < r.n_mixes; k += r.n_ratios)
				assert_true(r.mixes[k].ratio == cfg.ratios[i]);
		}
		acg_eval_result_free(&r);
	}
	assert_true(used >= 60 * 3);
}

static void expect_error(const struct acg_eval_cfg *cfg, const char *part)
{
	struct acg_eval_result r;
	struct acg_diag d = {""};

	assert_true(acg_eval_run(cfg, &r, &d) < 0);
	if (!strstr(d.msg, part))
		fail_msg("expected \"%s\" in: %s", part, d.msg);
	assert_null(strchr(d.msg, '\n'));
}

/* Bad input: one line naming what and where. */
static void test_bad_input(void **state)
{
	struct acg_eval_cfg cfg;
	char missing[300];

	(void)state;
	acg_eval_cfg_default(&cfg);
	snprintf(missing, sizeof(missing), "%s/nope", tmpdir);
	cfg.dir = missing;
	expect_error(&cfg, "nope: cannot open the trace directory");
	/* a directory without heldout.txt cannot be split */
	cfg.dir = tmpdir;
	th_put(tmpdir, "only.csv", "0,1000000\n1,2000000\n");
	expect_error(&cfg, "heldout.txt: cannot read it");
	/* the one trace is held out: the tune split is empty */
	th_put(tmpdir, "heldout.txt", "# held out\nonly\n");
	expect_error(&cfg, "no trace (*.json, *.csv) in the tune split");
	/* nothing held out: the test split is empty */
	th_put(tmpdir, "heldout.txt", "# none\n");
	cfg.split = ACG_EVAL_TEST;
	expect_error(&cfg, "no trace (*.json, *.csv) in the test split");
	/* a ratio below 1 is not an overcommit */
	cfg.split = ACG_EVAL_ALL;
	cfg.ratios[1] = 0.5;
	expect_error(&cfg, "ratio 0.5: an overcommit ratio");
	cfg.ratios[1] = 1.5;
	/* a bad trace: its own diagnostic, naming the file and the line */
	th_put(tmpdir, "bad.csv", "0,1000000\nx,y\n");
	expect_error(&cfg, "bad.csv: line 2");
	th_drop(tmpdir, "bad.csv");
	th_drop(tmpdir, "only.csv");
	th_drop(tmpdir, "heldout.txt");
}

/*
 * One flat trace (100 MiB, plus 100 MiB of base: 200 MiB a session), every session a copy.
 * At ratio 1 the budget is exactly everyone's 200 MiB: the witness holds everyone where
 * they are and no strategy kills; with 5% less the LOW sessions wait at their base while
 * HIGH runs, then go (robust). Higher ratios below.
 */
static void test_flat_corpus(void **state)
{
	struct acg_eval_cfg cfg;
	struct acg_eval_result r;
	struct acg_diag d = {""};

	(void)state;
	th_put(tmpdir, "flat.csv", "0,104857600\n10,104857600\n20,104857600\n");
	acg_eval_cfg_default(&cfg);
	cfg.dir = tmpdir;
	cfg.split = ACG_EVAL_ALL;
	cfg.mixes = 8;
	cfg.ratios[0] = 1;
	cfg.n_ratios = 1;
	if (acg_eval_run(&cfg, &r, &d) < 0)
		fail_msg("%s", d.msg);
	assert_int_equal(r.no_kill, 8);
	assert_int_equal(r.robust, 8);
	for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++)
		assert_int_equal(r.st[s].kills + r.st[s].timeouts, 0);
	for (size_t i = 0; i < r.n_mixes; i++)
		assert_true(r.mixes[i].budget_bytes == r.mixes[i].n * 200 * MiB);
	acg_eval_result_free(&r);

	/* a session may wait at its start holding its 100 MiB base alone: at 1.25 (160 MiB a
	 * session) the LOW ones wait while HIGH runs and then go, so a no-kill schedule
	 * exists in every mix (the oracle ruled all 8 out while it counted a waiting session
	 * at its base and its first sample, and dynamic then killed nobody) */
	cfg.ratios[0] = 1.25;
	if (acg_eval_run(&cfg, &r, &d) < 0)
		fail_msg("%s", d.msg);
	assert_int_equal(r.no_kill, 8);
	for (size_t s = 0; s < ACG_EVAL_N_STRATEGIES; s++)
		if (strcmp(r.st[s].name, "dynamic") == 0)
			assert_int_equal(r.st[s].kills + r.st[s].timeouts, 0);
	acg_eval_result_free(&r);

	/* at 1.9 (105 MiB a session) HIGH (200 each) beside every LOW session's base (100
	 * each) is over the budget: ruled out everywhere; refusing LOW sessions at their start
	 * leaves a schedule once the rest's bases fit beside HIGH: the fewest refused is
	 * ceil((200 nh + 100 nl - budget) / 100 MiB) */
	cfg.ratios[0] = 1.9;
	if (acg_eval_run(&cfg, &r, &d) < 0)
		fail_msg("%s", d.msg);
	assert_int_equal(r.ruled_out, 8);
	assert_int_equal(r.no_kill + r.robust + r.unknown, 0);
	assert_int_equal(r.lossy, 8);
	assert_int_equal(r.lossy_refusable, 8);
	for (size_t i = 0; i < r.n_mixes; i++) {
		const struct acg_eval_mix *m = &r.mixes[i];
		double least = m->st[0].lost_s, over = -(double)m->budget_bytes;

		for (size_t s = 1; s < ACG_EVAL_N_STRATEGIES; s++)
			least = least < m->st[s].lost_s ? least : m->st[s].lost_s;
		assert_true(m->least_lost_s == least);
		for (size_t k = 0; k < m->n; k++)
			over += (m->prio[k] == ACG_PRIO_HIGH ? 200.0 : 100.0) * (double)MiB;
		assert_int_equal(m->refused, (size_t)ceil(over / (100.0 * (double)MiB)));
	}
	acg_eval_result_free(&r);
	th_drop(tmpdir, "flat.csv");
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_splits),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_flat_corpus),
	};

	th_init();
	return cmocka_run_group_tests_name("evaluate", tests, setup, teardown);
}
