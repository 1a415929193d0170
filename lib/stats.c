// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c: medians and their order-statistic confidence intervals (see stats.h).
 *
 * Worked example: n = 10 runs. P(Bin(10, 1/2) <= 1) = 11/1024, so [x_(2), x_(9)] covers
 * the median with probability 1 - 2 * 11/1024 = 0.979; [x_(3), x_(8)] only 0.891. At 95%
 * the interval is [x_(2), x_(9)].
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *sorted_copy(const double *v, size_t n)
{
	double *s = malloc(n * sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_d);
	return s;
}

double acg_median(const double *v, size_t n)
{
	double *s, m;

	if (n == 0)
		return NAN;
	s = sorted_copy(v, n);
	if (!s)
		return NAN;
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

/* P(Bin(n, 1/2) <= k) */
static double binom_cdf_half(size_t n, size_t k)
{
	double p = 0, term = pow(0.5, (double)n);

	for (size_t i = 0; i <= k && i <= n; i++) {
		p += term;
		term = term * (double)(n - i) / (double)(i + 1);
	}
	return p;
}

void acg_median_ci(const double *v, size_t n, double level, struct acg_ci *ret)
{
	struct acg_ci ci = {NAN, NAN, 0, n};
	double *s;
	size_t j = 1;

	if (n == 0 || !(s = sorted_copy(v, n))) {
		*ret = ci;
		return;
	}
	/* the widest interval [x_(1), x_(n)] first; narrow while coverage stays >= level */
	ci.coverage = n > 1 ? 1 - 2 * binom_cdf_half(n, 0) : 0;
	while (j + 1 <= n / 2) {
		double cov = 1 - 2 * binom_cdf_half(n, j);

		if (cov < level)
			break;
		j++;
		ci.coverage = cov;
	}
	ci.lo = s[j - 1];
	ci.hi = s[n - j];
	free(s);
	*ret = ci;
}
