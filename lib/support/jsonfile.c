// SPDX-License-Identifier: GPL-2.0
/* jsonfile.c: a user's JSON document, read with bounds (jsonfile.h). */
#include "jsonfile.h"

#include "fsutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int acg_json_read_user(const char *path, size_t max, size_t flags, json_t **ret, struct acg_diag *d)
{
	json_error_t e;
	mode_t type = 0;
	size_t len = 0;
	char *text;
	int r = acg_read_user_file(path, max, &text, &len, &type);

	if (r == -EINVAL)
		return acg_diag_fail(d, r, "%s: not a regular file (%s)", path,
				     acg_file_type_name(type));
	if (r == -EFBIG)
		return acg_diag_fail(d, r, "%s: larger than %zu MiB, the most it may be", path,
				     max >> 20);
	if (r < 0)
		return acg_diag_fail(d, r, "%s: %s", path, strerror(-r));
	*ret = json_loadb(text, len, flags, &e);
	free(text);
	if (!*ret)
		return acg_diag_fail(d, -EINVAL, "%s: not JSON: line %d column %d: %s", path,
				     e.line, e.column, e.text);
	return 0;
}
