// SPDX-License-Identifier: GPL-2.0
/* diag.c: the one-line diagnostic (diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>

__attribute__((format(printf, 2, 0))) static void vset(struct acg_diag *d, const char *fmt,
						       va_list ap)
{
	if (!d)
		return;
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	acg_diag_clean(d);
}

void acg_diag_set(struct acg_diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(d, fmt, ap);
	va_end(ap);
}

int acg_diag_fail(struct acg_diag *d, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(d, fmt, ap);
	va_end(ap);
	return err;
}

void acg_diag_clean(struct acg_diag *d)
{
	for (char *p = d->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}
