// SPDX-License-Identifier: MIT
/*
 * net-limits: the host's own limits for a frame data path (net_limits.h),
 * the figures a device model's packet rate is read against: moving a frame
 * between cores, the sink's pattern check, and virtio-net's TX worker alone
 * on a prefilled ring. Rounds interleave the cases; each row gives the
 * median and range of ns per frame and of frames/s over the rounds.
 * docs/devices.md "Limits of this host" says how to read them;
 * microbench/net-limits.sh runs it with its defaults.
 */
#include <getopt.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "microbench/net_limits.h"
#include "util/revision.h"
#include "util/statistics.h"

static const char *const what[NET_LIMITS_NCASES] = {
	[NET_LIMITS_COPY] = "a 256-slot ring, producer on --cpu, consumer copying out on --peer-cpu (wall time)",
	[NET_LIMITS_MEMCMP] = "the sink's pattern check of one frame, on --cpu (wall time)",
	[NET_LIMITS_DEVICE] = "virtio-net's TX worker on --cpu into the sink, check=1 (its CPU time)",
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: net-limits [--rounds R] [--frames N] [--size B] [--cpu C] [--peer-cpu P] [--case NAME]...\n"
		"The host's limits for a frame data path: ns per frame and frames/s, the median and\n"
		"range over R rounds, the cases interleaved within each round.\n"
		"  --rounds R    rounds, 1..1000 (default 11)\n"
		"  --frames N    frames per case and round, 1..1000000000 (default 262144)\n"
		"  --size B      frame bytes, %u..%u (default %u)\n"
		"  --cpu C       CPU of the producer, the check and the device thread (default 0; -1 unpinned)\n"
		"  --peer-cpu P  CPU of the consumer and of the fake driver (default 1; -1 unpinned)\n"
		"  --case NAME   only this case (repeatable)\n"
		"cases:\n",
		NET_LIMITS_SIZE_MIN, NET_LIMITS_SIZE_MAX, NET_LIMITS_SIZE_MAX);
	for (int c = 0; c < NET_LIMITS_NCASES; c++)
		fprintf(f, "  %-7s %s\n", net_limits_case_names[c], what[c]);
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!*s)
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "frames", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "peer-cpu", required_argument, NULL, 'p' },
		{ "case", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct net_limits_opts o = { .size = NET_LIMITS_SIZE_MAX, .frames = 262144, .cpu = 0, .peer_cpu = 1 };
	bool on[NET_LIMITS_NCASES] = { false }, any = false;
	double *ns[NET_LIMITS_NCASES] = { 0 }, *fps;
	long rounds = 11, v;
	char err[256];
	int c, li = 0;

	while ((c = getopt_long(argc, argv, "", lopts, &li)) != -1) {
		switch (c) {
		case 'r':
			if (parse_long(optarg, 1, 1000, &rounds))
				goto bad_value;
			break;
		case 'n':
			if (parse_long(optarg, 1, 1000000000, &v))
				goto bad_value;
			o.frames = (uint64_t)v;
			break;
		case 's':
			if (parse_long(optarg, NET_LIMITS_SIZE_MIN, NET_LIMITS_SIZE_MAX, &v))
				goto bad_value;
			o.size = (unsigned)v;
			break;
		case 'c':
		case 'p':
			if (parse_long(optarg, -1, 1023, &v))
				goto bad_value;
			*(c == 'c' ? &o.cpu : &o.peer_cpu) = (int)v;
			break;
		case 'k': {
			int k;

			for (k = 0; k < NET_LIMITS_NCASES && strcmp(net_limits_case_names[k], optarg); k++)
				;
			if (k == NET_LIMITS_NCASES) {
				fprintf(stderr, "net-limits: unknown case '%s'\n", optarg);
				usage(stderr);
				return 2;
			}
			on[k] = any = true;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "net-limits: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	for (int i = 0; i < 2; i++) {
		int cpu = i ? o.peer_cpu : o.cpu;
		cpu_set_t allowed;

		if (cpu >= 0 && (sched_getaffinity(0, sizeof(allowed), &allowed) || !CPU_ISSET(cpu, &allowed))) {
			fprintf(stderr, "net-limits: CPU %d (--%s) is not one this process may run on (%d allowed)\n",
				cpu, i ? "peer-cpu" : "cpu", CPU_COUNT(&allowed));
			return 2;
		}
	}
	for (int k = 0; k < NET_LIMITS_NCASES; k++) {
		on[k] = !any || on[k];
		if (on[k] && !(ns[k] = malloc((size_t)rounds * sizeof(double)))) {
			fprintf(stderr, "net-limits: out of memory\n");
			return 1;
		}
	}
	fps = malloc((size_t)rounds * sizeof(double));
	if (!fps) {
		fprintf(stderr, "net-limits: out of memory\n");
		return 1;
	}

	for (long r = 0; r < rounds; r++)
		for (int k = 0; k < NET_LIMITS_NCASES; k++)
			if (on[k] && net_limits_round(k, &o, &ns[k][r], err, sizeof(err))) {
				fprintf(stderr, "net-limits: %s: %s\n", net_limits_case_names[k], err);
				return 1;
			}

	printf("# net-limits: %u-byte frames, %ld round%s of %llu frames per case, cpu %d, peer cpu %d, exitlab %s\n"
	       "# %-7s %10s %10s %10s %12s %12s %12s\n",
	       o.size, rounds, rounds == 1 ? "" : "s", (unsigned long long)o.frames, o.cpu, o.peer_cpu, exitlab_revision, "case",
	       "ns/frame", "ns_min", "ns_max", "frames/s", "fps_min", "fps_max");
	for (int k = 0; k < NET_LIMITS_NCASES; k++) {
		struct sample_stats a, b;

		if (!on[k])
			continue;
		for (long r = 0; r < rounds; r++)
			fps[r] = 1e9 / ns[k][r];
		if (stats_compute(ns[k], (size_t)rounds, &a) || stats_compute(fps, (size_t)rounds, &b)) {
			fprintf(stderr, "net-limits: out of memory\n");
			return 1;
		}
		printf("%-9s %10.1f %10.1f %10.1f %12.0f %12.0f %12.0f\n", net_limits_case_names[k], a.median,
		       a.min, a.max, b.median, b.min, b.max);
		free(ns[k]);
	}
	free(fps);
	return 0;
bad_value:
	fprintf(stderr, "net-limits: bad value '%s' for --%s\n", optarg, lopts[li].name);
	usage(stderr);
	return 2;
}
