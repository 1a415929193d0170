// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_trace.c: libFuzzer target for the trace parser (resources.json and CSV). Any input
 * must give a trace or one diagnostic line, never a crash, a leak or undefined behaviour.
 */
#include "trace.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct acg_trace_opts opts[2] = {{false, UINT64_C(1) << 40}, {true, 0}};
	struct acg_trace *t;
	struct acg_diag d = {""};

	for (int i = 0; i < 2; i++) {
		if (acg_trace_parse("fuzz.json", (const char *)data, size, &opts[i], &t, &d) == 0) {
			struct acg_trace_summary s;

			acg_trace_summarize(t, &s);
			acg_trace_free(t);
		} else if (memchr(d.msg, '\n', strlen(d.msg))) {
			__builtin_trap(); /* a diagnostic is one line */
		}
	}
	return 0;
}
