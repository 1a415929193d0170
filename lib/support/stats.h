/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stats.h: the statistics the bench and reports use, as pure functions: medians, a
 * distribution-free confidence interval for the median, and their coverage.
 */
#ifndef AGENTCG_STATS_H
#define AGENTCG_STATS_H

#include <stddef.h>

/* Sort v ascending in place. */
void acg_sort_d(double *v, size_t n);

/* Median of v (v is not modified); NAN for n == 0. */
double acg_median(const double *v, size_t n);

/*
 * The value at fraction q (0..1) of v (sorted in place): nearest rank, the smallest value
 * with at least q of them at or below it, as evaluate's quantiles; NAN for n == 0.
 */
double acg_quantile(double *v, size_t n, double q);

struct acg_ci {
	double lo, hi;
	double coverage; /* the interval's actual confidence, e.g. 0.96 */
	size_t n;
};

/*
 * Confidence interval for the median from order statistics (no assumption about the
 * distribution): the narrowest [x_(j), x_(n+1-j)] whose coverage, 1 - 2 P(Bin(n, 1/2) < j),
 * is at least level. With too few values for that (n < 6 at 95%), the interval is
 * [min, max] and coverage says what it really is (n = 5: 0.9375), so a report can flag it.
 */
void acg_median_ci(const double *v, size_t n, double level, struct acg_ci *ret);

/*
 * Mann-Whitney U test of x against y (two-sided): the probability, if both came from the
 * same distribution, of a U at least this far from its mean. Exact (by counting rank
 * arrangements) when n_x + n_y <= 20 and there are no ties, else the normal approximation
 * with tie correction. NAN when either side is empty.
 */
double acg_mann_whitney_p(const double *x, size_t nx, const double *y, size_t ny);

#endif
