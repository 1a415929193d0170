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
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void acg_sort_d(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_d);
}

double acg_quantile(double *v, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return NAN;
	acg_sort_d(v, n);
	i = (size_t)ceil(q * (double)n);
	if (i > n)
		i = n;
	return v[i ? i - 1 : 0];
}

static double *sorted_copy(const double *v, size_t n)
{
	double *s = malloc(n * sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, v, n * sizeof(*s));
	acg_sort_d(s, n);
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

/* Number of ways to pick k of n ranks with rank sum... counted by U: f(n1, n2, u). */
static double exact_p(size_t n1, size_t n2, double u)
{
	/* cnt[i][j][u]: arrangements of i x's and j y's with statistic u; rolled on i */
	size_t umax = n1 * n2;
	double *prev = calloc((n2 + 1) * (umax + 1), sizeof(double));
	double *cur = calloc((n2 + 1) * (umax + 1), sizeof(double));
	double total = 0, tail = 0, mean = (double)umax / 2, dist = fabs(u - mean);

	if (!prev || !cur) {
		free(prev);
		free(cur);
		return NAN;
	}
	/* i = 0: one arrangement, U = 0 */
	for (size_t j = 0; j <= n2; j++)
		prev[j * (umax + 1)] = 1;
	for (size_t i = 1; i <= n1; i++) {
		memset(cur, 0, (n2 + 1) * (umax + 1) * sizeof(double));
		for (size_t j = 0; j <= n2; j++) {
			for (size_t v = 0; v <= umax; v++) {
				/* the largest is an x (it beats all j y's) or a y */
				double c = v >= j ? prev[j * (umax + 1) + v - j] : 0;

				if (j > 0)
					c += cur[(j - 1) * (umax + 1) + v];
				cur[j * (umax + 1) + v] = c;
			}
		}
		memcpy(prev, cur, (n2 + 1) * (umax + 1) * sizeof(double));
	}
	for (size_t v = 0; v <= umax; v++) {
		double c = prev[n2 * (umax + 1) + v];

		total += c;
		if (fabs((double)v - mean) >= dist - 1e-9)
			tail += c;
	}
	free(prev);
	free(cur);
	return total > 0 ? tail / total : NAN;
}

double acg_mann_whitney_p(const double *x, size_t nx, const double *y, size_t ny)
{
	double u = 0, ties = 0, n = (double)(nx + ny), mean, var;
	bool tied = false;

	if (nx == 0 || ny == 0)
		return NAN;
	for (size_t i = 0; i < nx; i++)
		for (size_t j = 0; j < ny; j++)
			u += x[i] > y[j] ? 1 : x[i] == y[j] ? 0.5 : 0;
	/* ties: sum over tied groups of t^3 - t */
	for (size_t a = 0; a < nx + ny; a++) {
		double va = a < nx ? x[a] : y[a - nx], t = 0;
		bool first = true;

		for (size_t b = 0; b < nx + ny; b++) {
			double vb = b < nx ? x[b] : y[b - nx];

			if (vb == va) {
				t++;
				if (b < a)
					first = false;
			}
		}
		if (first && t > 1) {
			ties += t * t * t - t;
			tied = true;
		}
	}
	if (!tied && nx + ny <= 20)
		return exact_p(nx, ny, u);
	mean = (double)nx * (double)ny / 2;
	var = (double)nx * (double)ny / 12 * ((n + 1) - ties / (n * (n - 1)));
	if (var <= 0)
		return 1;
	/* two-sided, with continuity correction */
	return erfc(fmax(fabs(u - mean) - 0.5, 0) / sqrt(var) / sqrt(2));
}
