// SPDX-License-Identifier: MIT
/*
 * Statistics for `exitlab compare`, written here because Debian has no small C
 * library that fits: GSL has no Mann-Whitney test nor bootstrap (and is a large
 * GPL dependency), and the rest are R/Python. Everything is deterministic for a
 * seed, so that a CI job gets the same verdict from the same files.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare_stats.h"

void cmp_rng_seed(struct cmp_rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t cmp_rng_next(struct cmp_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t cmp_rng_below(struct cmp_rng *r, uint64_t n)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % n, x;

	do
		x = cmp_rng_next(r);
	while (x >= lim);
	return x % n;
}

double cmp_rng_normal(struct cmp_rng *r)
{
	/* 53-bit uniforms in (0, 1]. */
	double u1 = ((cmp_rng_next(r) >> 11) + 1) * 0x1.0p-53;
	double u2 = ((cmp_rng_next(r) >> 11) + 1) * 0x1.0p-53;

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* k-th smallest of v[0..n) by quickselect; reorders v. */
static double select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;

		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double t = v[i];

				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/* Median of v[0..n), n > 0; reorders v. */
static double median_inplace(double *v, size_t n)
{
	double a = select_kth(v, n, n / 2), b;

	if (n & 1)
		return a;
	/* The lower middle is the largest of v[0..n/2) after the select. */
	b = v[0];
	for (size_t i = 1; i < n / 2; i++)
		if (v[i] > b)
			b = v[i];
	return (a + b) / 2;
}

double cmp_median(const double *v, size_t n)
{
	double *c, m;

	if (!n || !(c = malloc(n * sizeof(*c))))
		return NAN;
	memcpy(c, v, n * sizeof(*c));
	m = median_inplace(c, n);
	free(c);
	return m;
}

static int all_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

static int check_inputs(const double *a, size_t na, const double *b, size_t nb)
{
	if (!a || !b || na < CMP_MIN_SAMPLES || nb < CMP_MIN_SAMPLES || !all_finite(a, na) ||
	    !all_finite(b, nb)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Uniform in (0, 1]. */
static double unif(struct cmp_rng *r)
{
	return ((cmp_rng_next(r) >> 11) + 1) * 0x1.0p-53;
}

/* Gamma(a, 1), a >= 1: Marsaglia and Tsang's squeeze method. */
static double gamma_draw(struct cmp_rng *r, double a)
{
	double d = a - 1.0 / 3, c = 1 / sqrt(9 * d), x, v, u;

	for (;;) {
		do {
			x = cmp_rng_normal(r);
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		u = unif(r);
		if (u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)))
			return d * v;
	}
}

static size_t index_of(double v, size_t n)
{
	size_t k = (size_t)(v * (double)n);

	return k < n ? k : n - 1;
}

/*
 * The median of a resample of sorted[0..n) with replacement, in O(1): drawing
 * index floor(n * U) for n uniforms U and sorting is monotone, so the k-th
 * smallest drawn value is sorted[floor(n * U_(k))], U_(k) the k-th order
 * statistic of n uniforms, which is Beta(k, n - k + 1); the next one up is
 * U_(k) + (1 - U_(k)) * (1 - W^(1/(n-k))) (the least of the n - k uniforms
 * above it). The same distribution as resampling element by element.
 */
static double resample_median(struct cmp_rng *r, const double *sorted, size_t n)
{
	size_t k = (n + 1) / 2;                      /* lower median, 1-based */
	double ga = gamma_draw(r, (double)k), gb = gamma_draw(r, (double)(n - k + 1));
	double v = ga / (ga + gb), w;

	if (n & 1)
		return sorted[index_of(v, n)];
	w = v + (1 - v) * (1 - pow(unif(r), 1.0 / (double)(n - k)));
	return (sorted[index_of(v, n)] + sorted[index_of(w, n)]) / 2;
}

int cmp_bootstrap_rel_ci(const double *base, size_t nb, const double *cur, size_t nc,
			 double conf, unsigned resamples, uint64_t seed, double *lo, double *hi)
{
	struct cmp_rng rng;
	double *tmp, *rel;
	int rc = 0;

	if (check_inputs(base, nb, cur, nc))
		return -1;
	if (!(conf > 0 && conf < 1) || resamples < 10) {
		errno = EINVAL;
		return -1;
	}
	tmp = malloc((nb + nc) * sizeof(*tmp));
	rel = malloc(resamples * sizeof(*rel));
	if (!tmp || !rel) {
		free(tmp);
		free(rel);
		errno = ENOMEM;
		return -1;
	}
	memcpy(tmp, base, nb * sizeof(*tmp));
	memcpy(tmp + nb, cur, nc * sizeof(*tmp));
	qsort(tmp, nb, sizeof(*tmp), cmp_double);
	qsort(tmp + nb, nc, sizeof(*tmp), cmp_double);
	cmp_rng_seed(&rng, seed);
	for (unsigned i = 0; i < resamples; i++) {
		double mb = resample_median(&rng, tmp, nb);
		double mc = resample_median(&rng, tmp + nb, nc);

		if (!(mb > 0)) {
			rc = -1;
			errno = EINVAL;
			break;
		}
		rel[i] = mc / mb - 1.0;
	}
	if (!rc) {
		qsort(rel, resamples, sizeof(*rel), cmp_double);
		/* Local copy of the R-7 percentile: no dependency on statistics.c's n > 0 contract. */
		for (int side = 0; side < 2; side++) {
			double p = side ? (1 + conf) / 2 : (1 - conf) / 2;
			double h = (resamples - 1) * p;
			size_t k = (size_t)h;
			double x = rel[k] + (k + 1 < resamples ? (h - k) * (rel[k + 1] - rel[k]) : 0);

			*(side ? hi : lo) = x;
		}
	}
	free(tmp);
	free(rel);
	return rc;
}

struct tagged {
	double v;
	int cur;
};

static int cmp_tagged(const void *a, const void *b)
{
	return cmp_double(&((const struct tagged *)a)->v, &((const struct tagged *)b)->v);
}

/*
 * The exact two-sided p of the rank sum of `k` of the n items whose doubled
 * midranks are r2[] (integers: ties share the mean of their ranks): the share
 * of all C(n, k) ways to pick k items whose rank sum lies at least as far
 * from its mean k(n+1)/2 as the observed one. The counts come from a table of
 * subsets by size and rank sum, filled item by item (no enumeration), and
 * are exact in doubles while C(n, k) < 2^53 (n <= CMP_MW_EXACT_MAX). -1 ENOMEM.
 */
static int mw_exact_p(const unsigned *r2, size_t n, size_t k, unsigned long s2_obs, double *p)
{
	unsigned long total = 0, mean2 = (unsigned long)k * (n + 1), d_obs, d;
	double *ways, hit = 0, all = 0;

	for (size_t i = 0; i < n; i++)
		total += r2[i];
	if (!(ways = calloc((k + 1) * (total + 1), sizeof(*ways)))) {
		errno = ENOMEM;
		return -1;
	}
#define W(j, s) ways[(j) * (total + 1) + (s)]
	W(0, 0) = 1;
	for (size_t i = 0; i < n; i++)
		for (size_t j = (i + 1 < k ? i + 1 : k); j >= 1; j--)
			for (unsigned long s = total; s >= r2[i]; s--) {
				W(j, s) += W(j - 1, s - r2[i]);
				if (s == r2[i])
					break;
			}
	d_obs = s2_obs > mean2 ? s2_obs - mean2 : mean2 - s2_obs;
	for (unsigned long s = 0; s <= total; s++) {
		d = s > mean2 ? s - mean2 : mean2 - s;
		all += W(k, s);
		if (d >= d_obs)
			hit += W(k, s);
	}
#undef W
	free(ways);
	*p = all > 0 ? hit / all : 1.0;
	return 0;
}

int cmp_mann_whitney(const double *base, size_t nb, const double *cur, size_t nc, double *u, double *p)
{
	size_t n = nb + nc;
	struct tagged *all;
	double rank_sum = 0, tie_term = 0, n1 = nc, n2 = nb, mean, var, z;
	unsigned *r2 = NULL;               /* doubled midranks in the sorted order, for the exact p */
	unsigned long s2 = 0;              /* current's doubled rank sum */
	bool exact = n <= CMP_MW_EXACT_MAX;

	if (check_inputs(base, nb, cur, nc))
		return -1;
	if (!(all = malloc(n * sizeof(*all))) || (exact && !(r2 = malloc(n * sizeof(*r2))))) {
		free(all);
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < nb; i++)
		all[i] = (struct tagged){ base[i], 0 };
	for (size_t i = 0; i < nc; i++)
		all[nb + i] = (struct tagged){ cur[i], 1 };
	qsort(all, n, sizeof(*all), cmp_tagged);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		double t, avg;
		size_t ncur = 0;

		while (j < n && all[j].v == all[i].v) {
			ncur += all[j].cur;
			j++;
		}
		t = (double)(j - i);
		avg = (double)(i + 1 + j) / 2.0;     /* mean of ranks i+1 .. j */
		rank_sum += avg * (double)ncur;
		tie_term += t * t * t - t;
		for (size_t k = i; r2 && k < j; k++)
			r2[k] = (unsigned)(i + 1 + j);
		s2 += (unsigned long)(i + 1 + j) * ncur;
		i = j;
	}
	free(all);
	*u = rank_sum - n1 * (n1 + 1) / 2;
	if (exact) {
		int rc = mw_exact_p(r2, n, nc, s2, p);

		free(r2);
		return rc;
	}
	mean = n1 * n2 / 2;
	var = n1 * n2 / 12.0 * (((double)n + 1) - tie_term / ((double)n * ((double)n - 1)));
	if (!(var > 0)) {
		*p = 1.0;
		return 0;
	}
	z = fabs(*u - mean) - 0.5;                   /* continuity correction */
	if (z < 0)
		z = 0;
	z /= sqrt(var);
	*p = erfc(z / M_SQRT2);
	if (*p > 1)
		*p = 1;
	return 0;
}
