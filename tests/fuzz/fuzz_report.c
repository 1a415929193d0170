// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_report.c: libFuzzer target for what `agentcg report` reads from a results
 * directory. The input is one JSON document, taken both as a run.json and as the bench's
 * summary.json: a run document is checked (acg_bench_run_check) and, when it passes,
 * summed up as three runs (its own strategy, none and solo) and rendered as Markdown; a
 * document that does not pass must say why in one line. As a summary.json its carried-over
 * keys (simulation_vs_real, oracle, unavailable, ...) are rendered whatever their shape.
 * Never a crash, a leak or undefined behaviour.
 */
#include "bench.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Sum runs up as report does, carrying over old's keys, and render the Markdown. */
static void summarize(json_t *runs, json_t *old)
{
	json_t *summary = acg_bench_summarize(
		runs, json_is_object(old) ? json_object_get(old, "unavailable") : NULL);
	char *md = NULL;
	size_t len = 0;
	FILE *f;

	if (!summary)
		return;
	acg_bench_add_significance(summary, runs);
	if (json_is_object(old))
		acg_bench_carry_over(summary, old);
	f = open_memstream(&md, &len);
	if (f) {
		acg_bench_summary_md(summary, f);
		fclose(f);
	}
	free(md);
	json_decref(summary);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = json_loadb((const char *)data, size, 0, NULL), *runs = json_array();
	struct acg_diag why = {.msg = ""};

	if (doc && acg_bench_run_check(doc, &why) == 0) {
		static const char *const others[] = {"none", "solo"};

		json_array_append(runs, doc);
		for (size_t i = 0; i < 2; i++) {
			json_t *c = json_deep_copy(doc);

			json_object_set_new(c, "strategy", json_string(others[i]));
			json_array_append_new(runs, c);
		}
		summarize(runs, NULL);
	} else if (doc && (!why.msg[0] || strchr(why.msg, '\n'))) {
		__builtin_trap(); /* a refused document is said why, in one line */
	}
	json_decref(runs);
	runs = json_array();
	summarize(runs, doc);
	json_decref(runs);
	json_decref(doc);
	return 0;
}
