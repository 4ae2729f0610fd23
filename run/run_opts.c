/* SPDX-License-Identifier: MIT */
/*
 * The options of `exitlab run`, one group of related options per function:
 * each returns 0 (taken), -1 (bad, reported) or 1 (not one of its options).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/platform/bench.h"
#include "run/run_opts.h"
#include "run/vmm_peers.h"
#include "vmm/host_mem.h"
#include "vmm/vm.h"

enum { O_ITER = 256, O_TEST, O_RING, O_JSON, O_TIMEOUT, O_MEM, O_HUGE, O_BACKING, O_RAW, O_NOBASE,
       O_SERIAL, O_INSTR, O_PMU_EVENT, O_PARAM, O_DEVICE, O_NETDEV, O_EXIT_TIMING, O_CPU, O_ORDER,
       O_REPEAT, O_VMM, O_PROGRESS, O_VCPUS, O_PIN, O_KERNEL, O_INITRD, O_APPEND, O_DEADLINE };

static const struct option longopts[] = {
	{ "quick", no_argument, NULL, 'q' },
	{ "iterations", required_argument, NULL, O_ITER },
	{ "test", required_argument, NULL, O_TEST },
	{ "ring", required_argument, NULL, O_RING },
	{ "json", required_argument, NULL, O_JSON },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "deadline", required_argument, NULL, O_DEADLINE },
	{ "mem", required_argument, NULL, O_MEM },
	{ "hugepages", no_argument, NULL, O_HUGE },
	{ "backing", required_argument, NULL, O_BACKING },
	{ "raw", no_argument, NULL, O_RAW },
	{ "no-baseline", no_argument, NULL, O_NOBASE },
	{ "exit-timing", no_argument, NULL, O_EXIT_TIMING },
	{ "serial", required_argument, NULL, O_SERIAL },
	{ "progress", required_argument, NULL, O_PROGRESS },
	{ "instruments", required_argument, NULL, O_INSTR },
	{ "pmu-event", required_argument, NULL, O_PMU_EVENT },
	{ "param", required_argument, NULL, O_PARAM },
	{ "device", required_argument, NULL, O_DEVICE },
	{ "netdev", required_argument, NULL, O_NETDEV },
	{ "cpu", required_argument, NULL, O_CPU },
	{ "vcpus", required_argument, NULL, O_VCPUS },
	{ "pin", required_argument, NULL, O_PIN },
	{ "order", required_argument, NULL, O_ORDER },
	{ "repeat", required_argument, NULL, O_REPEAT },
	{ "vmm", required_argument, NULL, O_VMM },
	{ "kernel", required_argument, NULL, O_KERNEL },
	{ "initrd", required_argument, NULL, O_INITRD },
	{ "append", required_argument, NULL, O_APPEND },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

static int bad(const char *msg)
{
	fprintf(stderr, "exitlab run: %s\n", msg);
	return -1;
}

/* What is measured: --quick, --iterations, --test, --ring, --timeout. */
static int opt_measure(struct run_opts *o, int c, const char *arg)
{
	char *end;

	switch (c) {
	case 'q':
		o->quick = true;
		return 0;
	case O_ITER:
		if (parse_u64(arg, &o->iterations) || o->iterations == 0 || o->iterations > BENCH_MAX_SAMPLES) {
			fprintf(stderr, "exitlab run: --iterations must be 1..%llu\n",
				(unsigned long long)BENCH_MAX_SAMPLES);
			return -1;
		}
		return 0;
	case O_TEST: {
		char **t = realloc(o->tests, (o->ntests + 1) * sizeof(*t));

		if (!t)
			return -1;
		o->tests = t;
		o->tests[o->ntests++] = (char *)arg;
		return 0;
	}
	case O_RING:
		if (strcmp(arg, "0") && strcmp(arg, "3"))
			return bad("--ring must be 0 or 3");
		o->ring = atoi(arg);
		return 0;
	case O_TIMEOUT:
		errno = 0;
		o->timeout_s = strtod(arg, &end);
		if (errno || end == arg || *end || !(o->timeout_s > 0) || o->timeout_s > 86400)
			return bad("--timeout must be a number of seconds in (0, 86400]");
		return 0;
	}
	return 1;
}

/* Where the output goes: --json, --serial, --progress, --raw, --no-baseline. */
static int opt_output(struct run_opts *o, int c, const char *arg)
{
	switch (c) {
	case O_JSON:
		o->json_path = arg;
		return 0;
	case O_SERIAL:
		o->serial_path = arg;
		return 0;
	case O_PROGRESS:
		o->progress_path = arg;
		return 0;
	case O_RAW:
		o->raw = true;
		return 0;
	case O_NOBASE:
		o->no_baseline = true;
		return 0;
	}
	return 1;
}

/* The VM: --mem, --hugepages, --backing, --exit-timing. */
static int opt_vm(struct run_opts *o, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case O_MEM:
		if (parse_u64(arg, &v) || v < 4 || v > (GUEST_MEM_MAX >> 20)) {
			fprintf(stderr, "exitlab run: --mem must be 4..%llu (MiB)\n",
				(unsigned long long)(GUEST_MEM_MAX >> 20));
			return -1;
		}
		o->mem_mib = v;
		o->mem_set = true;
		return 0;
	case O_HUGE:
		o->exitlab_only = true;
		o->backing = GUEST_BACKING_HUGETLB_2M;
		return 0;
	case O_BACKING:
		o->exitlab_only = true;
		if (guest_backing_parse(arg, &o->backing))
			return bad("--backing takes 4k, thp, hugetlb-2m or hugetlb-1g");
		return 0;
	case O_EXIT_TIMING:
		o->exit_timing = true;
		o->exitlab_only = true;
		return 0;
	}
	return 1;
}

/* Instruments and devices: --instruments, --pmu-event, --device, --netdev. */
static int opt_attach(struct run_opts *o, int c, const char *arg)
{
	char derr[256];

	switch (c) {
	case O_INSTR:
		o->exitlab_only = true;
		if (run_instr_parse(&o->instr, arg))
			return bad("--instruments takes tracepoints, trace, pmu, all or none");
		return 0;
	case O_PMU_EVENT:
		o->exitlab_only = true;
		if (o->instr.npmu_events >= RUN_INSTR_MAX_PMU) {
			fprintf(stderr, "exitlab run: at most %d --pmu-event\n", RUN_INSTR_MAX_PMU);
			return -1;
		}
		o->instr.pmu_events[o->instr.npmu_events++] = arg;
		return 0;
	case O_DEVICE:
		/* exitlab's own VMM, or a peer booting Linux (check_linux) */
		if (o->ndevice_args < RUN_DEV_MAX)
			o->device_args[o->ndevice_args++] = arg;
		if (run_dev_parse(&o->devices, arg, derr, sizeof(derr))) {
			fprintf(stderr, "exitlab run: --device %s: %s\n", arg, derr);
			return -1;
		}
		return 0;
	case O_NETDEV:
		o->devices.netdev = arg;
		return 0;
	}
	return 1;
}

/* --vcpus, --cpu, --pin, --order, --repeat (run/run_sched.c). */
static int opt_sched(struct run_opts *o, int c, const char *arg)
{
	char serr[320];
	uint64_t v;
	int r;

	if (c == O_VCPUS) {
		o->exitlab_only = true;
		if (parse_u64(arg, &v) || v < 1 || v > VM_MAX_VCPUS) {
			fprintf(stderr, "exitlab run: --vcpus must be 1..%d\n", VM_MAX_VCPUS);
			return -1;
		}
		o->nvcpus = (unsigned)v;
		return 0;
	}
	if (c != O_CPU && c != O_PIN && c != O_ORDER && c != O_REPEAT)
		return 1;
	r = c == O_CPU ? run_sched_parse_cpu(&o->sched, arg, serr, sizeof(serr)) :
	    c == O_PIN ? run_sched_parse_pin(&o->sched, arg, serr, sizeof(serr)) :
	    c == O_ORDER ? run_sched_parse_order(&o->sched, arg, serr, sizeof(serr)) :
	    run_sched_parse_repeat(&o->sched, arg, serr, sizeof(serr));
	o->exitlab_only = true;
	return r ? bad(serr) : 0;
}

/* The payload's --param and the --vmm that boots it. */
static int opt_payload(struct run_opts *o, int c, const char *arg)
{
	size_t used = strlen(o->params);
	char perr[160];

	if (c == O_VMM) {
		if (strcmp(arg, "exitlab") && !vmm_peer_find(arg)) {
			fprintf(stderr, "exitlab run: --vmm %s: not a VMM exitlab knows (exitlab, %s)\n", arg,
				vmm_peer_names());
			return -1;
		}
		o->vmm = strcmp(arg, "exitlab") ? arg : NULL;
		return 0;
	}
	if (c != O_PARAM)
		return 1;
	if (bench_kv_check(arg, BENCH_KV_MAX, "--param", perr, sizeof(perr)) || strchr(arg, ' ')) {
		fprintf(stderr, "exitlab run: --param %s: one KEY=VALUE, keys [a-z0-9_], "
			"values [A-Za-z0-9_.:+,-] (%s)\n", arg, perr);
		return -1;
	}
	if (used + strlen(arg) + 2 > sizeof(o->params))
		return bad("too many --param");
	snprintf(o->params + used, sizeof(o->params) - used, "%s%s", used ? " " : "", arg);
	return 0;
}

/* A Linux guest's --kernel, --initrd, --append. */
static int opt_linux(struct run_opts *o, int c, const char *arg)
{
	switch (c) {
	case O_KERNEL:
		o->kernel = arg;
		return 0;
	case O_INITRD:
		o->initrd = arg;
		return 0;
	case O_APPEND:
		o->append = arg;
		return 0;
	case O_DEADLINE: {
		char *end;

		errno = 0;
		o->deadline_s = strtod(arg, &end);
		if (errno || end == arg || *end || !(o->deadline_s > 0) || o->deadline_s > 604800)
			return bad("--deadline must be a number of seconds in (0, 604800]");
		o->deadline_set = true;
		return 0;
	}
	}
	return 1;
}

static int (*const groups[])(struct run_opts *, int, const char *) = {
	opt_measure, opt_output, opt_vm, opt_attach, opt_sched, opt_payload, opt_linux,
};

bool run_opts_is_linux(const struct run_opts *o)
{
	return o->payload && !strcmp(o->payload, RUN_LINUX_PAYLOAD);
}

/*
 * The models Linux's own drivers have been run against (docs/linux.md): virtio_blk, virtio_net,
 * e1000, and a passed-through function (vfio: e1000e on the testbed's 82574). -1 (reported) for
 * any other model.
 */
static int check_linux_models(const struct run_dev_opts *d)
{
	static const char *const ok[] = { "e1000", "virtio-net", "virtio-blk", "vfio" };

	for (unsigned i = 0; i < d->ndev; i++) {
		size_t k = 0;

		while (k < sizeof(ok) / sizeof(ok[0]) && strcmp(ok[k], d->dev[i].type->name))
			k++;
		if (k == sizeof(ok) / sizeof(ok[0])) {
			fprintf(stderr, "exitlab run linux: --device %s is not offered to a Linux guest "
				"(e1000, virtio-net, virtio-blk and vfio are)\n", d->dev[i].type->name);
			return -1;
		}
	}
	return 0;
}

/*
 * Under exitlab's VMM: a NIC without --netdev gets a plain sink (the payloads' default checks
 * exitlab's frame pattern, which no Linux frame has).
 */
static int check_linux_devices(struct run_dev_opts *d)
{
	bool nic = false;

	if (check_linux_models(d))
		return -1;
	for (unsigned i = 0; i < d->ndev; i++)
		nic |= d->dev[i].type->kind == DEVICE_NIC;
	if (d->netdev && !nic) {
		fprintf(stderr, "exitlab run linux: --netdev without a NIC (--device e1000 or virtio-net)\n");
		return -1;
	}
	if (nic && !d->netdev)
		d->netdev = RUN_LINUX_NETDEV;
	return 0;
}

/* What a Linux guest takes and what it does not: RUN_OPTS_OK or RUN_OPTS_BAD (reported). */
static enum run_opts_status check_linux(struct run_opts *o)
{
	if (!run_opts_is_linux(o)) {
		if (o->kernel || o->initrd || o->append || o->deadline_set) {
			fprintf(stderr, "exitlab run: --kernel, --initrd, --append and --deadline are for `exitlab run linux`\n");
			return RUN_OPTS_BAD;
		}
		return RUN_OPTS_OK;
	}
	if (!o->kernel) {
		fprintf(stderr, "exitlab run linux: --kernel BZIMAGE is required\n");
		return RUN_OPTS_BAD;
	}
	if (o->ntests || o->params[0] || o->iterations || o->sched.repeat > 1 || o->ring >= 0) {
		fprintf(stderr, "exitlab run linux: --test, --param, --iterations, --ring and --repeat "
			"are for payloads, not a Linux guest\n");
		return RUN_OPTS_BAD;
	}
	if (o->vmm && !vmm_peer_find(o->vmm)->linux_devices) {
		fprintf(stderr, "exitlab run linux: --vmm %s cannot boot a Linux guest\n", o->vmm);
		return RUN_OPTS_BAD;
	}
	/* A peer's own backends (tap) replace exitlab's default sink: its row checks --netdev. */
	if (o->vmm ? check_linux_models(&o->devices) : check_linux_devices(&o->devices))
		return RUN_OPTS_BAD;
	if (!o->mem_set)
		o->mem_mib = RUN_LINUX_MEM_MIB;
	return RUN_OPTS_OK;
}

static void defaults(struct run_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ring = -1;
	o->timeout_s = 120;
	o->deadline_s = RUN_LINUX_DEADLINE_S;
	o->mem_mib = 64;
	o->nvcpus = 1;
	o->backing = GUEST_BACKING_4K;
	run_sched_init(&o->sched);
	run_instr_parse(&o->instr, RUN_INSTR_DEFAULT);
}

enum run_opts_status run_opts_parse(struct run_opts *o, int argc, char **argv)
{
	int c;

	defaults(o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		int r = 1;

		if (c == 'h')
			return RUN_OPTS_HELP;
		for (size_t g = 0; r == 1 && g < sizeof(groups) / sizeof(groups[0]); g++)
			r = groups[g](o, c, optarg);
		if (r == 1)
			return RUN_OPTS_BAD_USAGE; /* getopt said what */
		if (r)
			return RUN_OPTS_BAD;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "exitlab run: expected exactly one PAYLOAD\n");
		return RUN_OPTS_BAD_USAGE;
	}
	o->payload = argv[optind];
	run_sched_finish(&o->sched);
	if (check_linux(o))
		return RUN_OPTS_BAD;
	if (o->vmm && (o->exitlab_only || (!run_opts_is_linux(o) && (o->devices.ndev || o->devices.netdev)))) {
		fprintf(stderr, "exitlab run: --device, --netdev, --backing, --hugepages, --instruments, "
			"--pmu-event, --vcpus, --cpu, --pin, --order, --repeat and --exit-timing need exitlab's own VMM, not --vmm %s\n",
			o->vmm);
		return RUN_OPTS_BAD;
	}
	return RUN_OPTS_OK;
}

void run_opts_free(struct run_opts *o)
{
	free(o->tests);
	o->tests = NULL;
	o->ntests = 0;
}

int run_opts_check_host_mem(uint64_t mem_mib)
{
	uint64_t total_kb, swap_kb = 0;

	if (host_mem_meminfo_kb("/proc/meminfo", "MemTotal", &total_kb))
		return 0; /* cannot tell: let the kernel decide */
	host_mem_meminfo_kb("/proc/meminfo", "SwapTotal", &swap_kb);
	if (mem_mib << 10 <= total_kb + swap_kb)
		return 0;
	fprintf(stderr, "exitlab run: --mem %llu MiB exceeds this host's RAM + swap "
		"(MemTotal %llu MiB + SwapTotal %llu MiB)\n", (unsigned long long)mem_mib,
		(unsigned long long)(total_kb >> 10), (unsigned long long)(swap_kb >> 10));
	return -1;
}

uint32_t run_opts_ring_mask(const struct run_opts *o)
{
	return o->ring < 0 ? (BOOT_RING0 | BOOT_RING3) : o->ring == 0 ? BOOT_RING0 : BOOT_RING3;
}
