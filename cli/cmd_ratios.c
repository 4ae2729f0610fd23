// SPDX-License-Identifier: MIT
/*
 * `exitlab ratios`: medians measured in interleaved rounds by several VMMs
 * (lines "ROUND VMM TEST MEDIAN_CYCLES" on stdin, as
 * microbench/vmm-vs-minimal.sh writes them) to, per test: each VMM's median
 * of its per-round medians, and each VMM's ratio to the reference VMM as
 * the median of the per-round ratios with an order-statistic interval
 * (analysis/ratio_stats.h) and the number of rounds it rests on.
 */
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "analysis/ratio_stats.h"

#define NAME_MAX_ 48

struct obs {
	char round[NAME_MAX_], vmm[NAME_MAX_], test[NAME_MAX_];
	double median;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: exitlab ratios [--reference VMM] [--confidence C] < ROUNDS\n"
		   "  ROUNDS: lines \"ROUND VMM TEST MEDIAN_CYCLES\" ('#' starts a comment), one per\n"
		   "          VMM, test and round, e.g. from microbench/vmm-vs-minimal.sh\n"
		   "  --reference VMM   the VMM the others are divided by (default: minimal)\n"
		   "  --confidence C    of the order-statistic interval, 0.5..0.999 (default 0.95)\n"
		   "Per test and VMM: rounds, the median of its per-round medians, and VMM / reference:\n"
		   "the median over rounds of the ratio in the same round, with its interval.\n"
		   "exit codes: 0 ok, 2 bad usage or input\n");
}

/* One input line: 1 parsed, 0 blank or comment, -1 malformed. */
static int parse_line(const char *line, struct obs *o)
{
	char extra[2], num[64], *end;

	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '\n' || *line == '#')
		return 0;
	if (sscanf(line, "%47s %47s %47s %63s %1s", o->round, o->vmm, o->test, num, extra) != 4)
		return -1;
	o->median = strtod(num, &end);
	return *end || !isfinite(o->median) ? -1 : 1;
}

static bool seen(char (*names)[NAME_MAX_], size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return true;
	return false;
}

static const struct obs *find(const struct obs *v, size_t n, const char *round, const char *vmm,
			      const char *test)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].round, round) && !strcmp(v[i].vmm, vmm) && !strcmp(v[i].test, test))
			return &v[i];
	return NULL;
}

int cmd_ratios(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reference", required_argument, NULL, 'r' },
		{ "confidence", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *ref = "minimal";
	double conf = 0.95;
	struct obs *v = NULL;
	size_t n = 0, lineno = 0, nt = 0, nv = 0;
	char line[512], (*tests)[NAME_MAX_] = NULL, (*vmms)[NAME_MAX_] = NULL;
	int c, code = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'r':
			ref = optarg;
			break;
		case 'c':
			conf = strtod(optarg, &end);
			if (*end || !(conf >= 0.5 && conf <= 0.999)) {
				fprintf(stderr, "exitlab ratios: --confidence must be in 0.5..0.999\n");
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	while (fgets(line, sizeof(line), stdin)) {
		struct obs o;
		int r = parse_line(line, &o);

		lineno++;
		if (r < 0) {
			fprintf(stderr, "exitlab ratios: line %zu: expected \"ROUND VMM TEST MEDIAN\" "
				"(names up to %d characters, a finite number): %s", lineno, NAME_MAX_ - 1, line);
			code = EXIT_USAGE;
			goto out;
		}
		if (!r)
			continue;
		if (find(v, n, o.round, o.vmm, o.test)) {
			fprintf(stderr, "exitlab ratios: line %zu: round %s has %s %s twice\n", lineno, o.round,
				o.vmm, o.test);
			code = EXIT_USAGE;
			goto out;
		}
		v = realloc(v, (n + 1) * sizeof(*v));
		tests = realloc(tests, (nt + 1) * sizeof(*tests));
		vmms = realloc(vmms, (nv + 1) * sizeof(*vmms));
		if (!v || !tests || !vmms) {
			code = EXIT_FAILED;
			goto out;
		}
		v[n++] = o;
		if (!seen(tests, nt, o.test))
			snprintf(tests[nt++], NAME_MAX_, "%s", o.test);
		if (!seen(vmms, nv, o.vmm))
			snprintf(vmms[nv++], NAME_MAX_, "%s", o.vmm);
	}
	if (!n || !seen(vmms, nv, ref)) {
		fprintf(stderr, "exitlab ratios: no rounds of the reference VMM '%s' in the input\n", ref);
		code = EXIT_USAGE;
		goto out;
	}
	printf("ratio = median over rounds of (VMM's median / %s's median in the same round); interval\n"
	       "distribution-free from order statistics, its coverage in parentheses (asked: %.3g)\n\n",
	       ref, conf);
	printf("%-20s %-10s %6s %14s %9s  %-28s\n", "test", "vmm", "rounds", "median cycles", "ratio",
	       "interval");
	for (size_t t = 0; t < nt; t++) {
		for (size_t m = 0; m < nv; m++) {
			double *meds = calloc(n, sizeof(double)), *rat = calloc(n, sizeof(double));
			size_t k = 0, kr = 0;
			double med = NAN, lo, hi, ach, rmed = NAN, rlo = NAN, rhi = NAN, rach = 0;
			char ratio[32] = "", ci[64] = "";

			if (!meds || !rat) {
				free(meds);
				free(rat);
				code = EXIT_FAILED;
				goto out;
			}
			for (size_t i = 0; i < n; i++) {
				const struct obs *r;

				if (strcmp(v[i].vmm, vmms[m]) || strcmp(v[i].test, tests[t]))
					continue;
				meds[k++] = v[i].median;
				r = find(v, n, v[i].round, ref, tests[t]);
				if (strcmp(vmms[m], ref) && r && r->median > 0)
					rat[kr++] = v[i].median / r->median;
			}
			if (k)
				ratio_median_ci(meds, k, conf, &med, &lo, &hi, &ach);
			if (kr) {
				ratio_median_ci(rat, kr, conf, &rmed, &rlo, &rhi, &rach);
				snprintf(ratio, sizeof(ratio), "%.3f", rmed);
				if (isfinite(rlo))
					snprintf(ci, sizeof(ci), "[%.3f, %.3f] (%.1f %%)", rlo, rhi, rach * 100);
				else
					snprintf(ci, sizeof(ci), "- (%zu rounds: too few)", kr);
			}
			if (k)
				printf("%-20s %-10s %6zu %14.1f %9s  %-28s\n", tests[t], vmms[m],
				       kr ? kr : k, med, ratio, ci);
			free(meds);
			free(rat);
		}
	}
out:
	free(v);
	free(tests);
	free(vmms);
	return code;
}
