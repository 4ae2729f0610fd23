// SPDX-License-Identifier: MIT
/*
 * exitlab plot: the options, then analysis/charts.c draws.  A results file's
 * chart is its payload view's (analysis/payload_views.c), the exit-cost bars
 * when it has none; a campaign run directory gets every done entry's chart
 * plus the device payloads' combined charts; a directory of several runs, the
 * regression timeline.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "analysis/charts.h"
#include "analysis/payload_views.h"

static void plot_usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab plot RESULTS.json [MORE.json ...] [--format png|svg] [-o OUT.png]\n"
		"       exitlab plot RESULTS.json --cdf|--ccdf [--format png|svg] [-o OUT.png]\n"
		"       exitlab plot RUNDIR [--format png|svg] [-o OUTDIR]\n"
		"       exitlab plot DIR [--scale relative|absolute] [--format png|svg] [-o OUTDIR]\n"
		"                                                (several runs: the timeline)\n"
		"\n"
		"Draw the median cycles per operation of every timed test in RESULTS.json\n"
		"as a bar chart (log scale, whisker from p1 to p99).  Also writes the numbers\n"
		"to OUT.dat.  Needs gnuplot (Debian: gnuplot-nox).  Every chart's title names\n"
		"the host and its kernel; the note that guest CPL0 code is instruction-emulated\n"
		"(PVM) is on a chart only when it draws CPL0 bars.\n"
		"\n"
		"Some payloads get their own chart:\n");
	for (size_t i = 0; i < npayload_views; i++)
		if (payload_views[i].plot_help)
			fputs(payload_views[i].plot_help, f);
	fprintf(f, "\nSeveral files of one payload share a chart:\n");
	for (size_t i = 0; i < npayload_views; i++)
		if (payload_views[i].many_help)
			fputs(payload_views[i].many_help, f);
	fprintf(f,
		"\n"
		"Several files go into one chart when they are all net or all blk results\n"
		"(e.g. one run per NIC: exitlab plot e1000.json virtio.json -o net.png); the\n"
		"legend names each series by the device and notify mode its run used; or\n"
		"all exit-costs results at two vCPU counts or more (exitlab plot v2.json\n"
		"v3.json v4.json -o vcpus.png; config.vmm.vcpus gives N, 1 when absent); or\n"
		"Linux guest runs of any VMMs (exitlab plot cpu-exitlab.json cpu-qemu.json).\n"
		"Mixing payloads is refused.  OUT.png defaults to the first file's name.\n"
		"\n"
		"A campaign run directory (RUNDIR, with manifest.json): the chart of every done\n"
		"entry as OUTDIR/NNN-<slug>.png (and NNN-<slug>-cdf.png when it kept raw\n"
		"samples), plus net-all.png of all net entries and blk-all.png of all blk\n"
		"entries, and exit-costs-vcpus.png when the exit-costs entries ran at two\n"
		"--vcpus counts or more with an SMP test; OUTDIR defaults to RUNDIR/plots.\n"
		"A corrupt entry is named and skipped (exit code 1).\n"
		"\n"
		"A directory of several runs (DIR without manifest.json: a campaign directory\n"
		"results/<campaign>/ or a store root): the regression timeline, one chart per\n"
		"campaign and payload, OUTDIR/timeline-<campaign>-<payload>.png (-2, -3... past\n"
		"16 tests) with its numbers in .dat: a panel per test, entries of the same name\n"
		"but their /repN pooled; x the runs in time order, each labelled with its UTC\n"
		"start (and host when they come from several), kernel and exitlab revision;\n"
		"y the median over the run's repetitions of each repetition's median (cycles,\n"
		"else ns per operation), whiskers p25..p75 of those medians, by --scale:\n"
		"relative (default) as %% change from the panel's first run, on one y scale\n"
		"shared by every panel so equal steps look equal; absolute in the panel's unit\n"
		"on an axis from 0.  Failed or timed-out entries and unreadable manifests or\n"
		"results files are named on stderr and left out (exit code 1).  OUTDIR\n"
		"defaults to DIR/plots.\n"
		"\n"
		"  -o, --output OUT.png  chart file (default: RESULTS with .png for .json);\n"
		"                        for RUNDIR or DIR, the output directory\n"
		"  -f, --format FMT      png (default) or svg (gnuplot's svg terminal; .svg)\n"
		"      --cdf             instead: the CDF of the raw samples of every test\n"
		"                        (exitlab run --raw), one line per test, each with its\n"
		"                        own colour, dash and point symbol; OUT defaults to\n"
		"                        RESULTS-cdf.png.  exit-costs' irq_device tests are\n"
		"                        latencies (host eventfd write to the guest's handler):\n"
		"                        their lines say latency, the x axis says so, and the\n"
		"                        loop overhead subtracted from their samples is added back\n"
		"      --ccdf            the same as the complementary CDF (fraction of samples\n"
		"                        at or above x) on a log y axis: the tails spread out;\n"
		"                        OUT defaults to RESULTS-ccdf.png\n"
		"      --scale S         the timeline's y axis: relative (default) or absolute\n"
		"  -h, --help            this text\n"
		"\n"
		"The gnuplot script is looked up in $EXITLAB_SCRIPTS, then <exe dir>/../scripts,\n"
		"then ./scripts.\n");
}

int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "cdf", no_argument, NULL, 'c' },
		{ "ccdf", no_argument, NULL, 'C' },
		{ "scale", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct plot_opts o = { .term = "pngcairo", .ext = ".png", .scale = PLOT_SCALE_RELATIVE };
	struct chart_list wrote = { 0 };
	int c, rc;

	optind = 0; /* glibc: full re-initialisation, another command may have parsed */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:f:cCs:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.cdf = true;
			break;
		case 'C':
			o.cdf = o.ccdf = true;
			break;
		case 's':
			if (!strcmp(optarg, "relative")) {
				o.scale = PLOT_SCALE_RELATIVE;
			} else if (!strcmp(optarg, "absolute")) {
				o.scale = PLOT_SCALE_ABSOLUTE;
			} else {
				fprintf(stderr, "exitlab plot: --scale must be relative or absolute, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o.scale_given = true;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "svg")) {
				o.term = "svg";
				o.ext = ".svg";
			} else if (strcmp(optarg, "png")) {
				fprintf(stderr, "exitlab plot: --format must be png or svg, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			plot_usage(stdout);
			return EXIT_OK;
		case ':':
			fprintf(stderr, "exitlab plot: option '%s' needs an argument\n",
				argv[optind - 1]);
			plot_usage(stderr);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "exitlab plot: unknown option '%s'\n", argv[optind - 1]);
			plot_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc <= optind) {
		fprintf(stderr, "exitlab plot: no results file given\n");
		plot_usage(stderr);
		return EXIT_USAGE;
	}
	rc = plot_charts((const char *const *)&argv[optind], (size_t)(argc - optind), &o, &wrote);
	chart_list_free(&wrote);
	return rc;
}
