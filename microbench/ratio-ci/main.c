// SPDX-License-Identifier: MIT
/*
 * ratio-ci: the ratio of two medians with its bootstrap interval (the one
 * `exitlab compare` uses), for scripts that set two VMMs side by side.
 *
 *   build/microbench/ratio-ci [--conf C] [--max-width W] [--min-n N] A_VALUES B_VALUES
 *
 * A_VALUES, B_VALUES: comma-separated samples (e.g. frames/s per round).
 * Prints one line: ratio= lo= hi= width= conf= n_a= n_b= median_a= median_b=
 * and `stated` or `not_stated: reason`. Exit 0 stated, 1 not stated (too
 * few samples, or an interval wider than W), 2 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "microbench/ratio_ci.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: ratio-ci [--conf C] [--max-width W] [--min-n N] A_VALUES B_VALUES\n"
		   "  median(A) / median(B) with a bootstrap interval at confidence C (default 0.95);\n"
		   "  stated only with N samples a side (default 10) and (hi - lo) / ratio <= W (default 0.2)\n");
}

static int number(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return errno || end == s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "max-width", required_argument, NULL, 'w' },
		{ "min-n", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct ratio_ci_opts o = RATIO_CI_DEFAULTS;
	struct ratio_ci r;
	double *a = NULL, *b = NULL, v;
	long na, nb;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (number(optarg, &o.conf))
				goto bad;
			break;
		case 'w':
			if (number(optarg, &o.max_width))
				goto bad;
			break;
		case 'n':
			if (number(optarg, &v) || v < 2 || v > 1e6)
				goto bad;
			o.min_n = (size_t)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc - 2)
		goto bad;
	na = ratio_ci_parse_list(argv[optind], &a);
	nb = ratio_ci_parse_list(argv[optind + 1], &b);
	if (na < 0 || nb < 0 || ratio_ci_compute(a, (size_t)na, b, (size_t)nb, &o, &r)) {
		fprintf(stderr, "ratio-ci: %s\n", strerror(errno ? errno : EINVAL));
		free(a);
		free(b);
		return 2;
	}
	printf("ratio=%.4f lo=%.4f hi=%.4f width=%.4f conf=%.2f n_a=%zu n_b=%zu median_a=%.6g median_b=%.6g %s%s\n",
	       r.ratio, r.lo, r.hi, r.width, o.conf, r.na, r.nb, r.median_a, r.median_b,
	       r.stated ? "stated" : "not_stated: ", r.why ? r.why : "");
	free(a);
	free(b);
	return r.stated ? 0 : 1;
bad:
	usage(stderr);
	return 2;
}
