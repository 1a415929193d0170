// SPDX-License-Identifier: GPL-2.0
/*
 * test_schema.c: unit tier. The checker that holds docs/ to real output (tests/schema.h):
 * on a small doc, a document that agrees, and each way they can drift apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helpers.h"
#include "schema.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char doc[] = "/tmp/agentcg-test-schema-XXXXXX";

static const char doc_text[] = "# A result\n\n"
			       "## Run\n\n"
			       "```\n# not a heading\n```\n"
			       "| key | meaning |\n|---|---|\n"
			       "| `name` | its name |\n"
			       "| `stats.{high,low}.{median,n}` | per class |\n"
			       "| `sessions[].status` | each session's |\n"
			       "| `events` | opaque: its keys vary |\n"
			       "| `per_sample` | skipped below |\n"
			       "| `sims.*` | per strategy |\n"
			       "| `sims.*.end_s` | its end |\n"
			       "| `sims.*.error?` | only when it failed |\n"
			       "\n## Other\n\n| `other` | not this section |\n"
			       "\n## Wild\n\n| `stats.{high,low}` | per class |\n"
			       "| `stats.*.median` | each one's |\n";

static json_t *good(void)
{
	return json_pack("{s:s, s:{s:{s:f, s:i}, s:{s:f, s:i}}, s:[{s:s}, {s:s}], s:{s:i},"
			 " s:{s:{s:f}}}",
			 "name", "x", "stats", "high", "median", 1.0, "n", 3, "low", "median", 2.0,
			 "n", 3, "sessions", "status", "completed", "status", "killed", "events",
			 "oom", 1, "sims", "none", "end_s", 1.0);
}

static void load(struct th_schema *s, const char *skip)
{
	char err[300];

	if (th_schema_add(s, doc, "## Run", NULL, "", skip, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

static void expect_diff(json_t *j, const char *want)
{
	struct th_schema s = {0};
	char *d;

	load(&s, "per_sample");
	d = th_schema_diff(&s, &j, 1);
	if (want && (!d || !strstr(d, want)))
		fail_msg("diff \"%s\" lacks \"%s\"", d ? d : "(none)", want);
	if (!want && d)
		fail_msg("unexpected diff: %s", d);
	free(d);
	json_decref(j);
	th_schema_free(&s);
}

static void test_schema(void **state)
{
	struct th_schema s = {0};
	char err[300], *d;
	json_t *j;

	(void)state;
	load(&s, "per_sample");
	/* braces expanded, the skipped row and the next section left out */
	assert_int_equal(s.n, 10);
	th_schema_free(&s);
	expect_diff(good(), NULL);
	/* a key the doc lacks, at any depth */
	j = good();
	json_object_set_new(j, "warm", json_null());
	expect_diff(j, "undocumented keys: warm;");
	j = good();
	json_object_set_new(json_array_get(json_object_get(j, "sessions"), 1), "error",
			    json_null());
	expect_diff(j, "undocumented keys: sessions[].error;");
	j = good();
	json_object_set_new(json_object_get(j, "stats"), "mid", json_null());
	expect_diff(j, "undocumented keys: stats.mid;");
	/* a key in the place of a "*" needs its own row: sims.* documents sims.none, and
	 * sims.*.end_s does not document sims.none.extra */
	j = good();
	json_object_set_new(json_object_get(json_object_get(j, "sims"), "none"), "extra",
			    json_null());
	expect_diff(j, "undocumented keys: sims.none.extra;");
	/* and a row through "*" does not document the key in its place: stats.mid is new */
	assert_int_equal(th_schema_add(&s, doc, "## Wild", NULL, NULL, NULL, err, sizeof(err)), 0);
	j = json_pack("{s:{s:{s:i}, s:{s:i}, s:{s:i}}}", "stats", "high", "median", 1, "low",
		      "median", 2, "mid", "median", 3);
	d = th_schema_diff(&s, &j, 1);
	if (!d || !strstr(d, "undocumented keys: stats.mid;"))
		fail_msg("diff \"%s\"", d ? d : "(none)");
	free(d);
	json_decref(j);
	th_schema_free(&s);
	/* an optional key ("?") may be there or not */
	j = good();
	json_object_set_new(json_object_get(json_object_get(j, "sims"), "none"), "error",
			    json_string("it failed"));
	expect_diff(j, NULL);
	/* an opaque key's contents are not looked into */
	j = good();
	json_object_set_new(json_object_get(j, "events"), "anything", json_true());
	expect_diff(j, NULL);
	/* a documented key missing from the output */
	j = good();
	json_object_del(json_object_get(json_object_get(j, "stats"), "low"), "n");
	expect_diff(j, "documented keys not in the output: stats.low.n");
	/* the skipped row's key is undocumented */
	j = good();
	json_object_set_new(j, "per_sample", json_object());
	expect_diff(j, "undocumented keys: per_sample;");
	/* a doc that cannot be read as one */
	/* a part of a section, moved under another key */
	assert_int_equal(
		th_schema_add(&s, doc, "## Run", "stats.", "sims.*.", NULL, err, sizeof(err)), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.paths[0], "sims.*.high.median");
	th_schema_free(&s);
	assert_int_equal(th_schema_add(&s, doc, "## Nowhere", NULL, "", NULL, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no line \"## Nowhere\""));
	{
		FILE *f = fopen(doc, "w");

		assert_non_null(f);
		fputs("## Run\n\n| `a` and `b` | two in one |\n", f);
		fclose(f);
	}
	assert_int_equal(th_schema_add(&s, doc, "## Run", NULL, "", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":3: a key row's first cell must be one `path`"));
	th_schema_free(&s);
}

static int setup(void **state)
{
	int fd = mkstemp(doc);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	(void)state;
	if (!f)
		return -1;
	fputs(doc_text, f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return unlink(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema),
	};

	th_init();
	return cmocka_run_group_tests_name("schema", tests, setup, teardown);
}
