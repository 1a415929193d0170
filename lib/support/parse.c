// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c: the small text parsers shared by the cgroup, PSI and host layers. The kernel's
 * formats are line-based and tiny, so each parser is a single pass over a string; none of
 * them allocates.
 */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* v1 "unlimited" is 0x7ffffffffffff000 (PAGE_COUNTER_MAX * PAGE_SIZE on 64-bit). */
#define V1_UNLIMITED_FLOOR (UINT64_C(1) << 62)

int acg_parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	while (isspace((unsigned char)*s))
		s++;
	if (strncmp(s, "max", 3) == 0) {
		s += 3;
		while (isspace((unsigned char)*s))
			s++;
		if (*s)
			return -EINVAL;
		*ret = ACG_UNLIMITED;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -EINVAL;
	*ret = v >= V1_UNLIMITED_FLOOR ? ACG_UNLIMITED : (uint64_t)v;
	return 0;
}

/* Parse the number that starts at p and ends at the end of line or string. */
static int parse_u64_field(const char *p, uint64_t *ret)
{
	char buf[32];
	size_t n = strcspn(p, "\n");

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return acg_parse_u64(buf, ret);
}

int acg_kv_get(const char *text, const char *key, uint64_t *ret)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line && *line) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
			return parse_u64_field(line + klen + 1, ret);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENOENT;
}

bool acg_word_in_list(const char *list, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = list;

	while (*p) {
		size_t n;

		while (isspace((unsigned char)*p))
			p++;
		n = strcspn(p, " \t\n");
		if (n == wlen && strncmp(p, word, n) == 0)
			return true;
		p += n;
	}
	return false;
}

static int psi_parse_line(const char *p, struct acg_psi_line *ret)
{
	struct acg_psi_line l;
	const char *eol = p + strcspn(p, "\n");
	char *end;

	if (sscanf(p, " avg10=%lf avg60=%lf avg300=%lf", &l.avg10, &l.avg60, &l.avg300) != 3)
		return -EINVAL;
	p = strstr(p, "total=");
	if (!p || p > eol)
		return -EINVAL;
	p += strlen("total=");
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	l.total_us = strtoull(p, &end, 10);
	if (errno || (*end && *end != '\n' && !isspace((unsigned char)*end)))
		return -EINVAL;
	*ret = l;
	return 0;
}

int acg_psi_parse(const char *text, struct acg_psi *ret)
{
	struct acg_psi psi = {0};
	bool has_some = false;
	const char *line = text;
	int r;

	while (line && *line) {
		if (strncmp(line, "some ", 5) == 0) {
			r = psi_parse_line(line + 4, &psi.some);
			if (r < 0)
				return r;
			has_some = true;
		} else if (strncmp(line, "full ", 5) == 0) {
			r = psi_parse_line(line + 4, &psi.full);
			if (r < 0)
				return r;
			psi.has_full = true;
		} else if (*line != '\n') {
			return -EINVAL;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (!has_some)
		return -EINVAL;
	*ret = psi;
	return 0;
}
