/* SPDX-License-Identifier: MIT */
/*
 * exitlab observe: `perf kvm stat live` for any KVM process (QEMU,
 * Firecracker, cloud-hypervisor, exitlab itself): its options, then one
 * observation (instruments/observe.h) printed and written as JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "instruments/observe.h"
#include "instruments/tracepoints.h"
#include "util/atomic_file.h"
#include "util/json_out.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab observe --pid PID [--duration S] [--json FILE] [--ring-pages N] [--no-pmu]\n"
		"\n"
		"Attach to a running KVM process (any VMM) and report, over the interval, its exits\n"
		"per reason (where kvm:kvm_exit fires), per I/O port and per MMIO address, its\n"
		"userspace exits and MSR accesses (kvm tracepoints through perf_event), the KVM\n"
		"binary stats of its VMs and vCPUs, and hardware counters of its threads.\n"
		"Rows count and time as `perf kvm stat report` does (a port from kvm_pio, an MMIO\n"
		"write from kvm_mmio, to kvm_entry; an MMIO read from kvm_exit to its completion),\n"
		"with kvm_exit -> kvm_entry beside; an exit the capture cut is 'unpaired'\n"
		"(docs/instruments.md).\n"
		"\n"
		"options:\n"
		"  --pid PID          the process to observe (needs root, CAP_PERFMON or ptrace rights)\n"
		"  --duration S       stop after S seconds (default: when PID exits, or on Ctrl-C)\n"
		"  --json FILE        also write the report as JSON (atomically)\n"
		"  --ring-pages N     tracepoint ring per thread, pages, a power of 2 (default %d)\n"
		"  --no-pmu           do not open hardware counters\n"
		"  -h, --help         this text\n"
		"\n"
		"Once attached it prints 'observing ...' on stderr. Exit codes: 0 ok, 2 bad usage or\n"
		"no such KVM process, 3 the host cannot trace it (tracefs, permissions).\n",
		TP_RING_PAGES_DEFAULT);
}

static int parse_opts(int argc, char **argv, struct observe_opts *o, const char **json_path)
{
	enum { O_PID = 256, O_DUR, O_JSON, O_RING, O_NOPMU };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, O_PID },
		{ "duration", required_argument, NULL, O_DUR },
		{ "json", required_argument, NULL, O_JSON },
		{ "ring-pages", required_argument, NULL, O_RING },
		{ "no-pmu", no_argument, NULL, O_NOPMU },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;
	char *end;

	memset(o, 0, sizeof(*o));
	*json_path = NULL;
	o->ring_pages = TP_RING_PAGES_DEFAULT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_PID: {
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v <= 0 || v > 0x3fffffff) {
				fprintf(stderr, "exitlab observe: --pid needs a process id\n");
				return -1;
			}
			o->pid = (pid_t)v;
			break;
		}
		case O_DUR:
			errno = 0;
			o->duration_s = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o->duration_s > 0)) {
				fprintf(stderr, "exitlab observe: --duration needs seconds > 0\n");
				return -1;
			}
			break;
		case O_JSON:
			*json_path = optarg;
			break;
		case O_RING: {
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v == 0 || (v & (v - 1)) || v > 65536) {
				fprintf(stderr, "exitlab observe: --ring-pages must be a power of 2 up to 65536\n");
				return -1;
			}
			o->ring_pages = v;
			break;
		}
		case O_NOPMU:
			o->no_pmu = true;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || !o->pid) {
		fprintf(stderr, "exitlab observe: --pid PID is required (and nothing else)\n");
		usage(stderr);
		return -1;
	}
	return 0;
}

int cmd_observe(int argc, char **argv)
{
	struct observe_opts o;
	struct observe *ob;
	const char *json_path;
	struct sigaction sa;
	enum outcome code;
	char err[512];

	if (parse_opts(argc, argv, &o, &json_path))
		return EXIT_USAGE;
	code = observe_attach(&ob, &o, err, sizeof(err));
	if (code != OUTCOME_OK) {
		fprintf(stderr, "exitlab observe: %s\n", err);
		return code;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	observe_run(ob, &interrupted, stderr);
	observe_print(ob, stdout);
	if (json_path) {
		json_t *root = observe_json(ob);
		char *text = root ? json_dumps(root, JSON_INDENT(2) | EXITLAB_JSON_REALS) : NULL;

		if (!text || atomic_write_text(json_path, text, err, sizeof(err))) {
			fprintf(stderr, "exitlab observe: writing %s: %s\n", json_path, text ? err : "out of memory");
			code = OUTCOME_FAILED;
		}
		free(text);
		json_decref(root);
	}
	observe_free(ob);
	return code;
}
