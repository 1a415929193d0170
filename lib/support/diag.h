/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diag.h: the library's one-line diagnostic, "<where>: <what>: <why>", filled by a call
 * that failed (a trace's "<file>: sample <i>: <problem>", a scenario's "<file>: <key>:
 * <problem>", ...) and said by the command that called it. The library never prints.
 */
#ifndef AGENTCG_DIAG_H
#define AGENTCG_DIAG_H

struct acg_diag {
	char msg[512];
};

/* Set d (may be NULL) to the formatted text, made one printable line. */
void acg_diag_set(struct acg_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same, returning err (a -errno): `return acg_diag_fail(d, -EINVAL, "...", ...);`. */
int acg_diag_fail(struct acg_diag *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Make the diagnostic one printable line: control characters that came from the input
 * (a key or a value echoed back) become '?'. (Found by fuzzing.)
 */
void acg_diag_clean(struct acg_diag *d);

#endif
