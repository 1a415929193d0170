// SPDX-License-Identifier: GPL-2.0
/* jsonfile.c: a user's JSON document, read with bounds (jsonfile.h). */
#include "jsonfile.h"

#include "fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The path as a diagnostic shows it: whole up to 200 characters, else "..." and its last
 * 197, so the reason after it always fits the line. */
static const char *shown(const char *path, char *buf, size_t size)
{
	size_t n = strlen(path);

	if (n <= 200)
		return path;
	snprintf(buf, size, "...%s", path + n - 197);
	return buf;
}

int acg_json_read_user(const char *path, size_t max, size_t flags, json_t **ret, struct acg_diag *d)
{
	char buf[208];
	json_error_t e;
	mode_t type = 0;
	size_t len = 0;
	char *text;
	int r = acg_read_user_file(path, max, &text, &len, &type);
	const char *p = shown(path, buf, sizeof(buf));

	if (r == -EINVAL)
		return acg_diag_fail(d, r, "%s: not a regular file (%s)", p,
				     acg_file_type_name(type));
	if (r == -EFBIG)
		return acg_diag_fail(d, r, "%s: larger than %zu MiB, the most it may be", p,
				     max >> 20);
	if (r < 0)
		return acg_diag_fail(d, r, "%s: %s", p, strerror(-r));
	*ret = json_loadb(text, len, flags, &e);
	free(text);
	if (!*ret)
		return acg_diag_fail(d, -EINVAL, "%s: not JSON: line %d column %d: %s", p, e.line,
				     e.column, e.text);
	return 0;
}
