// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_scenario.c: libFuzzer target for scenario files. The input is written to a memfd
 * and loaded by path (/proc/self/fd/N), as `agentcg bench` loads a file; trace paths in
 * it resolve against /proc/self/fd and fail cleanly.
 */
#include "scenario.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acg_scenario *sc;
	struct acg_diag d = {""};
	char path[64];
	int fd = memfd_create("scenario", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (acg_scenario_load(path, UINT64_C(1) << 36, &sc, &d) == 0)
			acg_scenario_free(sc);
		else if (memchr(d.msg, '\n', strlen(d.msg)))
			__builtin_trap();
	}
	close(fd);
	return 0;
}
