// SPDX-License-Identifier: GPL-2.0
/*
 * schema.c: see schema.h.
 */
#include "schema.h"

#include "fsutil.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef DOC_DIR
#define DOC_DIR "docs"
#endif

const char *th_doc_dir(void)
{
	const char *d = getenv("AGENTCG_DOCS") ? getenv("AGENTCG_DOCS") : DOC_DIR;

	return access(d, R_OK) == 0 ? d : NULL;
}

static int push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -1;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -1;
	(*n)++;
	return 0;
}

/* Add pat with its first {x,y} expanded to each alternative, and so on to the last. */
static int expand(struct th_schema *s, const char *pat)
{
	const char *open = strchr(pat, '{'), *close;
	char buf[512];

	if (!open)
		return push(&s->paths, &s->n, pat);
	close = strchr(open, '}');
	if (!close)
		return -1;
	for (const char *alt = open + 1; alt < close;) {
		size_t len = strcspn(alt, ",}");

		if (snprintf(buf, sizeof(buf), "%.*s%.*s%s", (int)(open - pat), pat, (int)len, alt,
			     close + 1) >= (int)sizeof(buf) ||
		    expand(s, buf) < 0)
			return -1;
		alt += len + 1;
	}
	return 0;
}

/* The path in a row "| `path` | ...", or NULL when the first cell is not one `path`. */
static const char *row_path(const char *line, char *buf, size_t size)
{
	const char *cell = line + 2, *end = strstr(cell, " |");
	size_t len = end ? (size_t)(end - cell) : 0;

	if (len < 3 || cell[0] != '`' || cell[len - 1] != '`' || memchr(cell + 1, '`', len - 2) ||
	    len - 2 >= size)
		return NULL;
	memcpy(buf, cell + 1, len - 2);
	buf[len - 2] = '\0';
	return buf;
}

static bool starts(const char *s, const char *prefix)
{
	return prefix && *prefix && strncmp(s, prefix, strlen(prefix)) == 0;
}

int th_schema_add(struct th_schema *s, const char *doc_file, const char *heading, const char *only,
		  const char *prefix, const char *skip, char *err, size_t err_size)
{
	char *text = NULL, *line, path[400], full[512];
	bool in = false, fence = false;
	size_t before = s->n;
	int lineno = 0, r = 0;

	if (acg_read_text(doc_file, &text) < 0) {
		snprintf(err, err_size, "%s: cannot read it", doc_file);
		return -1;
	}
	for (line = text; *line && r == 0;) {
		char *eol = strchr(line, '\n'), *next = eol ? eol + 1 : line + strlen(line);
		size_t len;

		if (eol)
			*eol = '\0';
		lineno++;
		len = strlen(line);
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!in) {
			in = strcmp(line, heading) == 0;
		} else if (strncmp(line, "```", 3) == 0) {
			fence = !fence;
		} else if (!fence && line[0] == '#') {
			break;
		} else if (!fence && strncmp(line, "| `", 3) == 0) {
			if (!row_path(line, path, sizeof(path))) {
				snprintf(err, err_size,
					 "%s:%d: a key row's first cell must be one `path`: %.60s",
					 doc_file, lineno, line);
				r = -1;
			} else if (!starts(path, skip) && (!only || !*only || starts(path, only))) {
				snprintf(full, sizeof(full), "%s%s", prefix ? prefix : "",
					 path + (only ? strlen(only) : 0));
				if (expand(s, full) < 0) {
					snprintf(err, err_size, "%s:%d: cannot expand `%s`",
						 doc_file, lineno, path);
					r = -1;
				}
			}
		}
		line = next;
	}
	free(text);
	if (r == 0 && !in)
		snprintf(err, err_size, "%s: no line \"%s\"", doc_file, heading);
	else if (r == 0 && s->n == before)
		snprintf(err, err_size, "%s: no \"| `path` |\" rows under \"%s\"", doc_file,
			 heading);
	return r < 0 || !in || s->n == before ? -1 : 0;
}

enum { NO_MATCH, NAMES, BELOW, BELOW_ANY };

/*
 * Match path against pattern, one '.'-separated key at a time ("*" matches any key).
 * NAMES: the pattern names the path; BELOW: it names a key below it; BELOW_ANY: the same,
 * but through a "*" where the path's last key is, so it does not name the path itself
 * ("oracle.strategies.*.x" is below "oracle.strategies.none", which only a row
 * "oracle.strategies.*" documents).
 */
static int match(const char *pat, const char *path)
{
	for (;;) {
		size_t pl = strcspn(pat, ".?"), ql = strcspn(path, ".");
		bool wild = pl == 1 && pat[0] == '*';

		if (!wild && !(pl == ql && memcmp(pat, path, pl) == 0))
			return NO_MATCH;
		pat += pl;
		path += ql;
		if (*pat == '?') /* the optional mark ends a pattern */
			pat++;
		if (!*path)
			return !*pat ? NAMES : wild ? BELOW_ANY : BELOW;
		if (!*pat)
			return NO_MATCH;
		pat++;
		path++;
	}
}

/* Does some documented path name path, or a key below it (below_any: also through "*")? */
static bool any(const struct th_schema *s, const char *path, int want, bool below_any)
{
	for (size_t i = 0; i < s->n; i++) {
		int m = match(s->paths[i], path);

		if (m == want || (below_any && want == BELOW && m == BELOW_ANY))
			return true;
	}
	return false;
}

/* Named by a row, or a row names a key below it (an array's: below "path[]"). */
static bool documented(const struct th_schema *s, const char *path)
{
	char arr[520];

	snprintf(arr, sizeof(arr), "%s[]", path);
	return any(s, path, NAMES, false) || any(s, path, BELOW, false) ||
	       any(s, arr, BELOW, false);
}

struct seen {
	char **v;
	size_t n;
};

static void see(struct seen *seen, const char *path)
{
	for (size_t i = 0; i < seen->n; i++)
		if (strcmp(seen->v[i], path) == 0)
			return;
	push(&seen->v, &seen->n, path);
}

/* Every key of obj (below base), and below it where the schema names deeper keys. */
static void walk(const struct th_schema *s, json_t *obj, const char *base, struct seen *seen)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		char p[512], arr[520];

		snprintf(p, sizeof(p), "%s%s%s", base, *base ? "." : "", key);
		snprintf(arr, sizeof(arr), "%s[]", p);
		see(seen, p);
		if (json_is_object(v) && any(s, p, BELOW, true))
			walk(s, v, p, seen);
		if (json_is_array(v) && any(s, arr, BELOW, true)) {
			size_t i;
			json_t *e;

			json_array_foreach(v, i, e)
				if (json_is_object(e))
					walk(s, e, arr, seen);
		}
	}
}

char *th_schema_diff(const struct th_schema *s, json_t *const *docs, size_t n)
{
	struct seen seen = {NULL, 0};
	char *msg = NULL;
	size_t len = 0, bad = 0;
	FILE *f = open_memstream(&msg, &len);

	if (!f)
		return strdup("out of memory");
	for (size_t i = 0; i < n; i++)
		if (json_is_object(docs[i]))
			walk(s, docs[i], "", &seen);
	fputs("undocumented keys:", f);
	for (size_t i = 0; i < seen.n; i++)
		if (!documented(s, seen.v[i])) {
			fprintf(f, " %s", seen.v[i]);
			bad++;
		}
	fputs("; documented keys not in the output:", f);
	for (size_t i = 0; i < s->n; i++) {
		bool found = s->paths[i][strlen(s->paths[i]) - 1] == '?';

		for (size_t k = 0; k < seen.n && !found; k++)
			found = match(s->paths[i], seen.v[k]) == NAMES;
		if (!found) {
			fprintf(f, " %s", s->paths[i]);
			bad++;
		}
	}
	fclose(f);
	for (size_t i = 0; i < seen.n; i++)
		free(seen.v[i]);
	free(seen.v);
	if (!bad) {
		free(msg);
		return NULL;
	}
	return msg;
}

void th_schema_free(struct th_schema *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->paths[i]);
	free(s->paths);
	s->paths = NULL;
	s->n = 0;
}
