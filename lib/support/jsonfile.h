/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jsonfile.h: a JSON document from a file a user named (a scenario, a config, a profile, a
 * results directory's documents), read the way traces are: symlinks followed, a regular
 * file only (a FIFO or a device is refused at once, never waited on), of a bounded size.
 */
#ifndef AGENTCG_JSONFILE_H
#define AGENTCG_JSONFILE_H

#include "diag.h"

#include <jansson.h>
#include <stddef.h>

/* The largest results document read (a run, a session's samples): as large as a trace. */
#define ACG_JSON_MAX_FILE (256u << 20)
/* The largest input a person writes or a command makes small: a scenario, a config, a
 * profile. */
#define ACG_JSON_MAX_INPUT (16u << 20)

/*
 * Parse the file at path (at most max bytes) with jansson's flags. 0 with *ret, or -errno
 * with d (may be NULL) one line: "<path>: not a regular file (a FIFO)", "<path>: larger
 * than 16 MiB, the most it may be", "<path>: not JSON: line 3 column 7: <why>",
 * "<path>: <errno text>".
 */
int acg_json_read_user(const char *path, size_t max, size_t flags, json_t **ret,
		       struct acg_diag *d);

#endif
