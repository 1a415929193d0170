// SPDX-License-Identifier: GPL-2.0
/* diag.c: the one-line diagnostic (diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>

void acg_diag_set(struct acg_diag *d, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	acg_diag_clean(d);
}

void acg_diag_clean(struct acg_diag *d)
{
	for (char *p = d->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}
