// SPDX-License-Identifier: GPL-2.0
/*
 * output.c: writing results. A JSON document goes to a temporary file beside the target
 * and is renamed into place, so a reader never sees half a result; "-" is stdout.
 */
#include "cmd.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int acg_write_json(json_t *doc, const char *path)
{
	char tmp[4096];
	FILE *f;
	int r = 0;

	if (!path || strcmp(path, "-") == 0) {
		if (json_dumpf(doc, stdout, JSON_INDENT(2)) < 0 || fputc('\n', stdout) == EOF ||
		    fflush(stdout) != 0)
			return -EIO;
		return 0;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	if (json_dumpf(doc, f, JSON_INDENT(2)) < 0 || fputc('\n', f) == EOF)
		r = -EIO;
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		r = r ? r : -errno;
	if (fclose(f) != 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}
