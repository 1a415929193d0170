/* SPDX-License-Identifier: GPL-2.0 */
/*
 * schema.h: the JSON keys a document in docs/ lists, checked against real output so the
 * two cannot drift apart.
 *
 * A schema section of a doc starts at a heading line given by the test and ends at the
 * next heading. Its tables' rows each begin with one key path in backquotes:
 * "| `sessions[].status` | ... |". "a.b" is key b of object a, "a[].b" key b of the objects
 * in array a, "*" any one key, and "{x,y}" expands to either ("{high,low}.median"). A key
 * whose children the section lists is looked into; any other key's value is opaque (a
 * number, a string, or an object whose keys the text describes, e.g. per kernel version).
 * A key is documented by a row naming it or a key below it, but not through a "*" in its
 * own place: an object keyed by name needs its row "a.*" besides "a.*.b". A path ending
 * in "?" is a key only some outputs have (an error's): documented, but not required.
 */
#ifndef AGENTCG_TEST_SCHEMA_H
#define AGENTCG_TEST_SCHEMA_H

#include <stddef.h>

struct json_t;

struct th_schema {
	char **paths; /* expanded, without braces; "?" at the end: need not appear */
	size_t n;
};

/* Where the docs are: $AGENTCG_DOCS, else the source tree's docs/; NULL if unreadable. */
const char *th_doc_dir(void);

/*
 * Add the key paths of the section under the line heading in doc_file. Paths that start
 * with skip are left out, and so are those that do not start with only; only is taken off
 * the others and prefix put before them (NULL or "": none of that). So the objects of
 * docs/simulate.md's `strategies[]` become the values of the bench summary's `simulation`
 * with only "strategies[]." and prefix "simulation.*.". Returns 0, or -1 with err set (no
 * such file or heading, a row that is not one `path`, no rows kept).
 */
int th_schema_add(struct th_schema *s, const char *doc_file, const char *heading, const char *only,
		  const char *prefix, const char *skip, char *err, size_t err_size);

/*
 * Compare the keys of docs[0..n) with s: every key that appears must be documented, and
 * every documented path must appear in at least one of them. NULL when they agree, else a
 * malloc'd message listing the undocumented keys and the documented ones not seen.
 */
char *th_schema_diff(const struct th_schema *s, struct json_t *const *docs, size_t n);

void th_schema_free(struct th_schema *s);

#endif
