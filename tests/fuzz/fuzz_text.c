// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_text.c: libFuzzer target for the kernel-text parsers: mountinfo with /proc/cgroups
 * and cgroup.controllers (the input split at NUL bytes), PSI files, flat keyed files,
 * numbers and sizes.
 */
#include "mounts.h"
#include "parse.h"
#include "trace.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *part[3] = {NULL, NULL, NULL};
	struct acg_mounts m;
	struct acg_psi psi;
	uint64_t v;
	size_t k = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	acg_psi_parse(text, &psi);
	acg_kv_get(text, "oom_kill", &v);
	acg_kv_get(text, "max", &v);
	acg_parse_u64(text, &v);
	acg_parse_size(text, false, &v);
	acg_parse_size(text, true, &v);
	acg_word_in_list(text, "memory");
	/* three NUL-separated parts: mountinfo, /proc/cgroups, cgroup.controllers */
	part[0] = text;
	for (size_t i = 0; i < size && k < 2; i++)
		if (text[i] == '\0')
			part[++k] = text + i + 1;
	acg_mounts_parse(part[0], part[1], part[2], &m);
	free(text);
	return 0;
}
