/* SPDX-License-Identifier: MIT */
/*
 * exitlab run: build a VM, load the payload, wire the devices every payload
 * may use (serial, bench device, test registers, ioeventfds, a coalesced
 * zone), run it to completion or timeout, then print and store the results.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exitlab/boot_abi.h"
#include "exitlab/bench_proto.h"
#include "devices/platform/bench.h"
#include "campaign/campaign_lock.h"
#include "vmm/boot_x86.h"
#include "vmm/catalogue.h"
#include "util/input_file.h"
#include "run/collect.h"
#include "cli/commands.h"
#include "vmm/elf.h"
#include "run/host_baseline.h"
#include "run/host_twins.h"
#include "vmm/host_mem.h"
#include "instruments/hostinfo.h"
#include "vmm/ioeventfd.h"
#include "vmm/payload_path.h"
#include "run/run_devices.h"
#include "run/run_instruments.h"
#include "run/run_sched.h"
#include "run/run_peer.h"
#include "run/run_result.h"
#include "analysis/results.h"
#include "devices/platform/test_regs.h"
#include "vmm/thread_cpu.h"
#include "devices/platform/uart16550.h"
#include "vmm/vm.h"

/* Fixed device addresses, handed to the payload in boot_info. */
#define TEST_PIO_PORT      0x0520
#define IOEVENT_PORT       0x0530
#define IOEVENT_DM_PORT    0x0534
#define UART_PORT          0x03f8
#define TEST_MMIO_GPA      (BOOT_MMIO_BASE + 0x1000)
#define IOEVENT_MMIO_GPA   (BOOT_MMIO_BASE + 0x2000)
#define COALESCED_MMIO_GPA (BOOT_MMIO_BASE + 0x3000)

#define QUICK_GOAL_MS 10.0
#define FULL_GOAL_MS  200.0

struct run_opts {
	const char *payload;
	bool quick;
	uint64_t iterations;
	char **tests;
	size_t ntests;
	int ring;               /* -1 both */
	const char *json_path;
	double timeout_s;
	uint64_t mem_mib;
	enum guest_backing backing;
	bool raw;
	bool no_baseline;
	bool exit_timing;       /* time every exit's handler (two rdtsc per exit) */
	const char *serial_path;
	const char *progress_path;
	struct run_instr_opts instr;
	struct run_dev_opts devices;
	char params[BOOT_PARAMS_MAX];   /* --param pairs, space-separated */
	struct run_sched sched;         /* --cpu, --order, --repeat */
	const char *vmm;                /* --vmm: NULL or "exitlab" ours, else a peer (vmm_peers.h) */
	bool exitlab_only;              /* an option only exitlab's own VMM has was given */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab run PAYLOAD [options]\n"
		"\n"
		"Boot PAYLOAD (a name such as exit-costs, or a path to an ELF64 image) in a VM of\n"
		"exitlab's own and run its tests; print a table, optionally write JSON results.\n"
		"A test whose exit counts contradict what it measures is marked INVALID (valid:\n"
		"false in the JSON) with the reason.\n"
		"\n"
		"options:\n"
		"  --quick            small time goal per test (%.0f ms instead of %.0f ms)\n"
		"  --iterations N     exactly N timed operations per test (no growth to a time goal)\n"
		"  --test NAME        run only NAME (or NAME/cpl0, NAME/cpl3); repeatable; a name\n"
		"                     the payload does not declare is bad usage (exitlab list PAYLOAD)\n"
		"  --ring 0|3         run tests only at this privilege level (default: both; with\n"
		"                     --device on a PVM host 3, since its CPL0 is instruction-emulated)\n"
		"  --cpu CPU          pin the vCPU thread to host CPU CPU (recorded in the results)\n"
		"  --order table|random[,seed=N]  test order within a ring (default table); a\n"
		"                     random order without a seed draws one; the seed is recorded\n"
		"  --repeat K         run the test list K times, interleaved, in one run (1..%d):\n"
		"                     one row per test, with the K medians' min..max and interval\n"
		"                     (--order and --repeat: payloads built on the measure table,\n"
		"                     e.g. exit-costs and bar-read; others run as they always do)\n"
		"  --json FILE        write results to FILE (atomically; parent directories created;\n"
		"                     this, --serial and --progress never over the payload: exit 2)\n"
		"  --timeout S        stop the guest after S seconds (default 120; exit code 1)\n"
		"  --mem MIB          guest RAM in MiB (default 64, at most %llu and the host's\n"
		"                     RAM + swap); beyond %llu MiB it continues at 4 GiB\n"
		"                     (boot_info.high_mem_start/size)\n"
		"  --backing KIND     host pages behind guest RAM: 4k (default), thp (transparent\n"
		"                     huge pages; needs shmem THP), hugetlb-2m, hugetlb-1g\n"
		"                     (reserved hugetlb pages, taken up front)\n"
		"  --hugepages        the same as --backing hugetlb-2m\n"
		"  --raw              keep every sample in the JSON results\n"
		"  --no-baseline      skip the host-native baselines (host syscall, host rdtsc)\n"
		"  --exit-timing      time each exit's handler in the VMM (vmm.exit_reasons:\n"
		"                     handler_cycles_total, handler_ns_mean; null without it);\n"
		"                     off by default: it adds two rdtsc to every userspace exit\n"
		"  --serial FILE      guest serial output to FILE (default: stderr, prefixed); at\n"
		"                     most 1 MiB a run, the rest dropped with a note\n"
		"  --progress FILE    one line per finished test, as it finishes: N NAME cplR STATUS\n"
		"                     [: reason] (to watch a long run)\n"
		"  --param KEY=VALUE  a parameter for the payload; repeatable; the keys it declares:\n"
		"                     exitlab list PAYLOAD (any other is bad usage)\n"
		"  --instruments LIST host-side instruments per test phase, comma-separated:\n"
		"                     tracepoints (kvm tracepoint counts), trace (sampled records:\n"
		"                     per port, MMIO address, exit reason), pmu (hardware counters),\n"
		"                     all, none (default: %s). KVM binary stats are always on.\n"
		"  --pmu-event NAME   a libpfm4 event name for the pmu instrument; repeatable\n"
		"                     (default: cycles, instructions and a dTLB-walk event)\n"
		"  --device MODEL[,OPT=V]...  a PCI device (docs/devices.md); repeatable, one NIC:\n"
		"                     e1000 | virtio-net[,notify=exit|ioeventfd][,vhost=net]\n"
		"                     | virtio-blk,file=IMG[,readonly=1][,notify=exit|ioeventfd]\n"
		"                     | virtio-net|virtio-blk,vhost-user=SOCK[,server=1]\n"
		"                       [,on-disconnect=reset|stop]  (a vhost-user back-end has the data path)\n"
		"                     vhost=net: the kernel's /dev/vhost-net has it (--netdev tap,...,vnet_hdr=1)\n"
		"                     | vfio,host=BDF  pass a host PCI function bound to vfio-pci through\n"
		"                     | virtio-rng[,notify=exit|ioeventfd]  random bytes (getrandom(2))\n"
		"  --netdev SPEC      the NIC's backend (default %s): sink[,check=1],\n"
		"                     gen[,size=N][,rate=PPS][,count=N], loop, tap,ifname=NAME[,vnet_hdr=1]\n"
		"  --vmm NAME         the VMM that boots the payload: exitlab (default) or a peer\n"
		"                     (%s) through the payload's PVH entry, its own devices as\n"
		"                     test targets, the same results with config.vmm naming it\n"
		"                     (docs/peer-vmm.md; not with --device, --backing, --instruments,\n"
		"                     --cpu, --order, --repeat, --exit-timing)\n"
		"  -h, --help         this text\n"
		"\n"
		"exit codes: 0 success, 1 a test failed or the guest faulted/timed out,\n"
		"            2 bad usage or input (e.g. a malformed ELF), 3 the host lacks something\n",
		QUICK_GOAL_MS, FULL_GOAL_MS, CALIB_REPEAT_MAX, (unsigned long long)(GUEST_MEM_MAX >> 20),
		(unsigned long long)(BOOT_RAM_MAX >> 20), RUN_INSTR_DEFAULT, RUN_DEV_DEFAULT_NETDEV,
		vmm_peer_names());
}

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

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	enum { O_ITER = 256, O_TEST, O_RING, O_JSON, O_TIMEOUT, O_MEM, O_HUGE, O_BACKING, O_RAW, O_NOBASE,
	       O_SERIAL, O_INSTR, O_PMU_EVENT, O_PARAM, O_DEVICE, O_NETDEV, O_EXIT_TIMING, O_CPU, O_ORDER,
	       O_REPEAT, O_VMM, O_PROGRESS };
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "iterations", required_argument, NULL, O_ITER },
		{ "test", required_argument, NULL, O_TEST },
		{ "ring", required_argument, NULL, O_RING },
		{ "json", required_argument, NULL, O_JSON },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
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
		{ "order", required_argument, NULL, O_ORDER },
		{ "repeat", required_argument, NULL, O_REPEAT },
		{ "vmm", required_argument, NULL, O_VMM },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->ring = -1;
	o->timeout_s = 120;
	o->mem_mib = 64;
	o->backing = GUEST_BACKING_4K;
	run_sched_init(&o->sched);
	run_instr_parse(&o->instr, RUN_INSTR_DEFAULT);
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		uint64_t v;
		char *end;

		switch (c) {
		case 'q':
			o->quick = true;
			break;
		case O_ITER:
			if (parse_u64(optarg, &o->iterations) || o->iterations == 0 ||
			    o->iterations > BENCH_MAX_SAMPLES) {
				fprintf(stderr, "exitlab run: --iterations must be 1..%llu\n",
					(unsigned long long)BENCH_MAX_SAMPLES);
				return -1;
			}
			break;
		case O_TEST: {
			char **t = realloc(o->tests, (o->ntests + 1) * sizeof(*t));

			if (!t)
				return -1;
			o->tests = t;
			o->tests[o->ntests++] = optarg;
			break;
		}
		case O_RING:
			if (strcmp(optarg, "0") && strcmp(optarg, "3")) {
				fprintf(stderr, "exitlab run: --ring must be 0 or 3\n");
				return -1;
			}
			o->ring = atoi(optarg);
			break;
		case O_JSON:
			o->json_path = optarg;
			break;
		case O_TIMEOUT:
			errno = 0;
			o->timeout_s = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->timeout_s > 0) || o->timeout_s > 86400) {
				fprintf(stderr, "exitlab run: --timeout must be a number of seconds in (0, 86400]\n");
				return -1;
			}
			break;
		case O_MEM:
			if (parse_u64(optarg, &v) || v < 4 || v > (GUEST_MEM_MAX >> 20)) {
				fprintf(stderr, "exitlab run: --mem must be 4..%llu (MiB)\n",
					(unsigned long long)(GUEST_MEM_MAX >> 20));
				return -1;
			}
			o->mem_mib = v;
			break;
		case O_HUGE:
			o->exitlab_only = true;
			o->backing = GUEST_BACKING_HUGETLB_2M;
			break;
		case O_BACKING:
			o->exitlab_only = true;
			if (guest_backing_parse(optarg, &o->backing)) {
				fprintf(stderr, "exitlab run: --backing takes 4k, thp, hugetlb-2m or hugetlb-1g\n");
				return -1;
			}
			break;
		case O_RAW:
			o->raw = true;
			break;
		case O_NOBASE:
			o->no_baseline = true;
			break;
		case O_EXIT_TIMING:
			o->exit_timing = true;
			o->exitlab_only = true;
			break;
		case O_SERIAL:
			o->serial_path = optarg;
			break;
		case O_PROGRESS:
			o->progress_path = optarg;
			break;
		case O_INSTR:
			o->exitlab_only = true;
			if (run_instr_parse(&o->instr, optarg)) {
				fprintf(stderr, "exitlab run: --instruments takes tracepoints, trace, pmu, all or none\n");
				return -1;
			}
			break;
		case O_PARAM: {
			size_t used = strlen(o->params);
			char perr[160];

			if (bench_kv_check(optarg, BENCH_KV_MAX, "--param", perr, sizeof(perr)) ||
			    strchr(optarg, ' ')) {
				fprintf(stderr, "exitlab run: --param %s: one KEY=VALUE, keys [a-z0-9_], "
					"values [A-Za-z0-9_.:+,-] (%s)\n", optarg, perr);
				return -1;
			}
			if (used + strlen(optarg) + 2 > sizeof(o->params)) {
				fprintf(stderr, "exitlab run: too many --param\n");
				return -1;
			}
			snprintf(o->params + used, sizeof(o->params) - used, "%s%s", used ? " " : "", optarg);
			break;
		}
		case O_DEVICE: {
			o->exitlab_only = true;
			char derr[256];

			if (run_dev_parse(&o->devices, optarg, derr, sizeof(derr))) {
				fprintf(stderr, "exitlab run: --device %s: %s\n", optarg, derr);
				return -1;
			}
			break;
		}
		case O_NETDEV:
			o->exitlab_only = true;
			o->devices.netdev = optarg;
			break;
		case O_CPU:
		case O_ORDER:
		case O_REPEAT: {
			char serr[160];
			int bad = c == O_CPU ? run_sched_parse_cpu(&o->sched, optarg, serr, sizeof(serr)) :
				  c == O_ORDER ? run_sched_parse_order(&o->sched, optarg, serr, sizeof(serr)) :
				  run_sched_parse_repeat(&o->sched, optarg, serr, sizeof(serr));

			o->exitlab_only = true;
			if (bad) {
				fprintf(stderr, "exitlab run: %s\n", serr);
				return -1;
			}
			break;
		}
		case O_PMU_EVENT:
			o->exitlab_only = true;
			if (o->instr.npmu_events >= RUN_INSTR_MAX_PMU) {
				fprintf(stderr, "exitlab run: at most %d --pmu-event\n", RUN_INSTR_MAX_PMU);
				return -1;
			}
			o->instr.pmu_events[o->instr.npmu_events++] = optarg;
			break;
		case O_VMM:
			if (strcmp(optarg, "exitlab") && !vmm_peer_find(optarg)) {
				fprintf(stderr, "exitlab run: --vmm %s: not a VMM exitlab knows (exitlab, %s)\n",
					optarg, vmm_peer_names());
				return -1;
			}
			o->vmm = strcmp(optarg, "exitlab") ? optarg : NULL;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "exitlab run: expected exactly one PAYLOAD\n");
		usage(stderr);
		return -1;
	}
	o->payload = argv[optind];
	run_sched_finish(&o->sched);
	if (o->vmm && o->exitlab_only) {
		fprintf(stderr, "exitlab run: --device, --netdev, --backing, --hugepages, --instruments, "
			"--pmu-event, --cpu, --order, --repeat and --exit-timing need exitlab's own VMM, not --vmm %s\n", o->vmm);
		return -1;
	}
	return 0;
}

/* --vmm NAME: the same payload under a peer VMM (run/run_peer.c). */
static int run_under_peer(const struct run_opts *o, const char *path, const struct catalogue *cat)
{
	struct peer_run_opts p = {
		.payload_arg = o->payload, .payload_path = path, .tests = o->tests, .ntests = o->ntests,
		.ring = o->ring, .json_path = o->json_path, .timeout_s = o->timeout_s,
		.mem_mib = o->mem_mib, .quick = o->quick, .raw = o->raw, .no_baseline = o->no_baseline,
		.iterations = o->iterations, .serial_path = o->serial_path, .params = o->params,
		.quick_goal_ms = QUICK_GOAL_MS, .full_goal_ms = FULL_GOAL_MS,
		.binary = getenv("EXITLAB_PEER_BINARY"),
		.catalogue = cat,
	};
	int code;

	if (o->progress_path && !(p.progress = fopen(o->progress_path, "w"))) {
		fprintf(stderr, "exitlab run: --progress %s: %s\n", o->progress_path, strerror(errno));
		return EXIT_USAGE;
	}
	code = run_peer(vmm_peer_find(o->vmm), &p);
	if (p.progress)
		fclose(p.progress);
	return code;
}

/*
 * Guest RAM is lazily allocated, so a size the host cannot hold would only
 * fail when the guest touches it (an OOM kill mid-run): refuse it up front.
 */
static int check_host_mem(uint64_t mem_mib)
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

/* --- glue between the bench device and the VM ------------------------------ */

struct run_ctx {
	struct vm vm;
	struct run_instruments instr;
	struct run_devices devs;
	struct uart16550 uart;
	struct bench_dev bench;
	struct test_regs pio_regs, mmio_regs, coalesced_sink;
	struct ioeventfd ev_pio, ev_pio_dm, ev_mmio;
	FILE *serial;
	bool serial_bol;
	struct guest_text serial_text; /* what of the serial output passed, what was dropped */
	FILE *progress;               /* --progress */
};

/* Slots as in collect.h: userspace exits, every vCPU stat value, every VM stat value. */
static void hook_snapshot(void *opaque, struct bench_snapshot *s)
{
	struct run_ctx *rc = opaque;
	struct vcpu *v = &rc->vm.vcpus[0];
	struct snap_layout l;

	snap_layout_init(&l, &v->stats, &rc->vm.stats);
	if (s->n != l.nvalues)
		return; /* clamped by the device: leave it zero, collect will see the shape */
	s->v[SNAP_USER_EXITS] = v->user_exits;
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		s->v[SNAP_HOST_NS] = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	}
	/* Where the time goes: the device side's threads, and this thread (the doorbell's exit runs on the vCPU's). */
	if (thread_cpu_device_ns(&s->v[SNAP_DEVICE_CPU_NS]))
		s->v[SNAP_DEVICE_CPU_NS] = SNAP_CPU_UNKNOWN;
	if (thread_cpu_self_ns(&s->v[SNAP_VCPU_CPU_NS]))
		s->v[SNAP_VCPU_CPU_NS] = SNAP_CPU_UNKNOWN;
	/* The only vCPU is stopped in this exit: neither set moves while we read. */
	if (v->stats.nvalues)
		kvm_stats_read(&v->stats, &s->v[l.vcpu_base]);
	if (rc->vm.stats.nvalues)
		kvm_stats_read(&rc->vm.stats, &s->v[l.vm_base]);
}

static void hook_phase_begin(void *opaque)
{
	struct run_ctx *rc = opaque;

	run_devices_phase_begin(&rc->devs);
	run_instr_phase_begin(&rc->instr);
}

/* The instruments' object, with the devices' counter deltas added as "devices". */
static char *hook_phase_end(void *opaque)
{
	struct run_ctx *rc = opaque;
	char *s = run_instr_phase_end(&rc->instr);
	json_t *o;

	if (!rc->devs.on)
		return s;
	o = s ? json_loads(s, 0, NULL) : json_object();
	free(s);
	if (!o)
		return NULL;
	json_object_set_new(o, "devices", run_devices_phase_end(&rc->devs));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* BENCH_REQUEST from the guest, between phases. */
static int hook_request(void *opaque, const struct bench_request *r)
{
	struct run_ctx *rc = opaque;

	return vm_request(&rc->vm, r->op, r->arg[0], r->arg[1]);
}

static void hook_stop(void *opaque, int code, const char *why)
{
	struct run_ctx *rc = opaque;

	vm_stop(&rc->vm, code, why);
}

static void serial_tx(void *opaque, uint8_t c)
{
	struct run_ctx *rc = opaque;

	if (!guest_text_admit(&rc->serial_text, 1)) {
		if (rc->serial_text.dropped == 1)
			fprintf(stderr, "%sexitlab run: the guest's serial output passed %u bytes: the rest "
				"of it is dropped\n", rc->serial == stderr && !rc->serial_bol ? "\n" : "",
				GUEST_TEXT_MAX);
		return;
	}
	if (rc->serial == stderr && rc->serial_bol)
		fputs("serial: ", rc->serial);
	fputc(c, rc->serial);
	rc->serial_bol = (c == '\n');
	if (c == '\n')
		fflush(rc->serial);
}

static int wire_devices(struct run_ctx *rc, struct boot_info *bi, char *err, size_t errlen)
{
	struct vm *vm = &rc->vm;

	if (bus_register(&vm->pio, "uart16550", UART_PORT, 8, &uart16550_bus_ops, &rc->uart, err, errlen) ||
	    bus_register(&vm->pio, "bench", BENCH_DEFAULT_PORT, 4, &bench_bus_ops, &rc->bench, err, errlen) ||
	    bus_register(&vm->pio, "test-regs", TEST_PIO_PORT, 4, &test_regs_bus_ops, &rc->pio_regs, err, errlen) ||
	    bus_register(&vm->mmio, "test-regs", TEST_MMIO_GPA, 0x1000, &test_regs_bus_ops, &rc->mmio_regs, err, errlen) ||
	    bus_register(&vm->mmio, "coalesced-sink", COALESCED_MMIO_GPA, 0x1000, &test_regs_bus_ops, &rc->coalesced_sink, err, errlen))
		return -1;
	/* ioeventfds and the coalesced zone are optional: a payload test skips without them. */
	if (ioeventfd_add(vm, &rc->ev_pio, IOEVENT_PORT, 4, true, false, 0, err, errlen) == 0)
		bi->ioevent_port = IOEVENT_PORT;
	if (ioeventfd_add(vm, &rc->ev_pio_dm, IOEVENT_DM_PORT, 4, true, true, BOOT_IOEVENT_DATAMATCH, err, errlen) == 0)
		bi->ioevent_dm_port = IOEVENT_DM_PORT;
	if (ioeventfd_add(vm, &rc->ev_mmio, IOEVENT_MMIO_GPA, 4, false, false, 0, err, errlen) == 0)
		bi->ioevent_mmio_gpa = IOEVENT_MMIO_GPA;
	if (coalesced_zone_add(vm, COALESCED_MMIO_GPA, 0x1000, false, err, errlen) == 0)
		bi->coalesced_mmio_gpa = COALESCED_MMIO_GPA;
	bi->bench_port = BENCH_DEFAULT_PORT;
	bi->test_pio_port = TEST_PIO_PORT;
	bi->test_mmio_gpa = TEST_MMIO_GPA;
	err[0] = 0;
	return 0;
}

static char *config_json(const struct run_opts *o, const char *path, const struct vm *vm,
			 const struct boot_info *bi, json_t *instruments)
{
	json_t *c = json_object(), *tests = json_array();
	char *s;

	for (size_t i = 0; i < o->ntests; i++)
		json_array_append_new(tests, json_string(o->tests[i]));
	json_object_set_new(c, "payload_path", json_string(path));
	json_object_set_new(c, "quick", json_boolean(o->quick));
	json_object_set_new(c, "iterations", o->iterations ? json_integer((json_int_t)o->iterations) : json_null());
	json_object_set_new(c, "time_goal_cycles", json_integer((json_int_t)bi->time_goal_cycles));
	json_object_set_new(c, "tests_selected", tests);
	json_object_set_new(c, "rings", o->ring < 0 ? json_pack("[ii]", 0, 3) : json_pack("[i]", o->ring));
	json_object_set_new(c, "timeout_s", json_real(o->timeout_s));
	json_object_set_new(c, "vmm", json_pack("{s:s, s:I, s:I, s:I, s:I, s:s, s:I, s:b, s:b, s:i, s:b, s:b}",
		"name", "exitlab", "mem_bytes", (json_int_t)guest_mem_total(&vm->mem),
		"mem_low_bytes", (json_int_t)vm->mem.size,
		"mem_high_bytes", (json_int_t)vm->mem.high_size,
		"high_mem_gpa", (json_int_t)(vm->mem.high_size ? BOOT_HIGH_MEM_GPA : 0),
		"backing", guest_backing_name(vm->mem.backing),
		"host_page_size", (json_int_t)vm->mem.page_size,
		"hugepages", vm->mem.backing == GUEST_BACKING_HUGETLB_2M ||
			     vm->mem.backing == GUEST_BACKING_HUGETLB_1G,
		"irqchip", vm->has_irqchip, "vcpus", vm->nvcpus,
		"coalesced_mmio", vm->coalesced_mmio_page != 0,
		"ioeventfd", bi->ioevent_port != 0));
	json_object_set_new(json_object_get(c, "vmm"), "vcpu_cpu", run_sched_vcpu_json(&o->sched));
	json_object_set_new(c, "schedule", run_sched_describe(&o->sched));
	json_object_set_new(c, "guest_tsc_khz", json_integer((json_int_t)bi->tsc_khz));
	json_object_set_new(c, "instruments", instruments);
	json_object_set_new(c, "devices", run_dev_describe(&o->devices));
	json_object_set_new(c, "params", json_string(o->params));
	s = json_dumps(c, JSON_COMPACT);
	json_decref(c);
	return s;
}

/* The exit loop's own accounting over the whole run: counts (and, with --exit-timing, handler time) per reason. */
static char *vmm_json(struct run_ctx *rc, double tsc_khz)
{
	struct vcpu *v = &rc->vm.vcpus[0];
	json_t *o = json_object(), *reasons = json_object(), *ev = json_object();
	char *s;

	for (unsigned i = 0; i < KVM_EXIT_REASON_SLOTS; i++) {
		const char *n = kvm_exit_reason_name(i);
		char num[24];

		if (!v->exits[i])
			continue;
		if (!n) {
			snprintf(num, sizeof(num), "%u", i);
			n = num;
		}
		json_object_set_new(reasons, n, json_pack("{s:I, s:o, s:o}",
			"count", (json_int_t)v->exits[i],
			"handler_cycles_total", v->exit_timing ? json_integer((json_int_t)v->handler_cycles[i]) : json_null(),
			"handler_ns_mean", v->exit_timing && tsc_khz > 0 ?
				json_real((double)v->handler_cycles[i] / v->exits[i] * 1e6 / tsc_khz) : json_null()));
	}
	json_object_set_new(ev, "pio_wildcard", json_integer((json_int_t)ioeventfd_drain(&rc->ev_pio)));
	json_object_set_new(ev, "pio_datamatch", json_integer((json_int_t)ioeventfd_drain(&rc->ev_pio_dm)));
	json_object_set_new(ev, "mmio", json_integer((json_int_t)ioeventfd_drain(&rc->ev_mmio)));
	json_object_set_new(o, "exit_timing", json_boolean(v->exit_timing));
	json_object_set_new(o, "exit_reasons", reasons);
	json_object_set_new(o, "userspace_exits", json_integer((json_int_t)v->user_exits));
	json_object_set_new(o, "kvm_run_eintr", json_integer((json_int_t)v->eintr));
	json_object_set_new(o, "pio_unhandled", json_integer((json_int_t)v->pio_unhandled));
	json_object_set_new(o, "mmio_unhandled", json_integer((json_int_t)v->mmio_unhandled));
	json_object_set_new(o, "ioeventfd_signals", ev);
	if (rc->devs.on)
		json_object_set_new(o, "devices", run_devices_totals(&rc->devs));
	json_object_set_new(o, "test_regs", json_pack("{s:I, s:I, s:I, s:I, s:I}",
		"pio_reads", (json_int_t)rc->pio_regs.reads, "pio_writes", (json_int_t)rc->pio_regs.writes,
		"mmio_reads", (json_int_t)rc->mmio_regs.reads, "mmio_writes", (json_int_t)rc->mmio_regs.writes,
		"coalesced_writes", (json_int_t)rc->coalesced_sink.writes));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct run_ctx *rc;
	struct run_result res;
	struct boot_info *bi;
	struct elf_image img;
	struct catalogue cat;
	char path[PATH_MAX], err[PATH_MAX + 512];
	void *image = NULL;
	size_t image_len = 0;
	int code = EXIT_OK;
	double t0 = run_clock_s();
	const char *backend = hostinfo_backend();
	bool pvm = !strcmp(backend, "kvm_pvm");

	campaign_lock_keep_private(); /* a campaign's lock: ours to hold, not our children's */
	if (parse_opts(argc, argv, &o) || check_host_mem(o.mem_mib)) {
		free(o.tests);
		return EXIT_USAGE;
	}
	if (o.ring < 0 && pvm && o.devices.ndev) {
		/* A driver at CPL0 runs under PVM's emulator (~100 frames/s): nothing a device run is for. */
		o.ring = 3;
		fprintf(stderr, "exitlab run: PVM host: guest CPL0 is instruction-emulated, so a device run "
			"defaults to --ring 3 (--ring 0 runs CPL0)\n");
	}
	if (payload_resolve(o.payload, path, sizeof(path))) {
		fprintf(stderr, "exitlab run: payload '%s' not found (tried %s)\n", o.payload, path);
		free(o.tests);
		return EXIT_USAGE;
	}
	image = payload_read(path, 1024, &image_len, err, sizeof(err));
	if (!image) {
		fprintf(stderr, "exitlab run: %s\n", err);
		free(o.tests);
		return EXIT_USAGE;
	}
	/* an output over the payload would destroy it (by device and inode: any name for it) */
	for (int k = 0; k < 3; k++) {
		const char *out = k == 0 ? o.json_path : k == 1 ? o.serial_path : o.progress_path;

		if (out && input_file_same(out, path)) {
			fprintf(stderr, "exitlab run: %s is the payload %s: refusing to overwrite it\n", out, path);
			free(image);
			free(o.tests);
			return EXIT_USAGE;
		}
	}
	/* The image goes into low RAM, which the page tables identity-map (a peer loads it itself). */
	if (!o.vmm && elf_parse(image, image_len, BOOT_PAYLOAD_MIN,
				o.mem_mib << 20 < BOOT_RAM_MAX ? o.mem_mib << 20 : BOOT_RAM_MAX, &img, err,
				sizeof(err))) {
		fprintf(stderr, "exitlab run: %s: %s\n", path, err);
		free(image);
		free(o.tests);
		return EXIT_USAGE;
	}
	/* What the payload declares: --test and --param are checked before anything runs. */
	if (catalogue_check_run(&cat, image, image_len, o.payload, o.tests, o.ntests,
				o.ring < 0 ? 0 : o.ring == 0 ? BOOT_RING0 : BOOT_RING3, o.params, err,
				sizeof(err))) {
		fprintf(stderr, "exitlab run: %s\n", err);
		catalogue_free(&cat);
		free(image);
		free(o.tests);
		return EXIT_USAGE;
	}
	if (o.vmm) {
		code = run_under_peer(&o, path, &cat);
		catalogue_free(&cat);
		free(image);
		free(o.tests);
		return code;
	}

	rc = calloc(1, sizeof(*rc));
	if (!rc) {
		free(image);
		free(o.tests);
		catalogue_free(&cat);
		return EXIT_FAILED;
	}
	rc->ev_pio.fd = rc->ev_pio_dm.fd = rc->ev_mmio.fd = -1;
	memset(&res, 0, sizeof(res));
	run_now_iso(res.started_at, sizeof(res.started_at));
	{
		struct vm_config cfg = { .mem_size = o.mem_mib << 20, .backing = o.backing, .irqchip = true };
		enum vm_err e = vm_create(&rc->vm, &cfg, err, sizeof(err));

		if (e) {
			fprintf(stderr, "exitlab run: %s\n", err);
			code = e == VM_ERR_HOST ? EXIT_NOHOST : EXIT_FAILED;
			goto out_vm;
		}
	}
	rc->serial = stderr;
	rc->serial_bol = true;
	if (o.serial_path && !(rc->serial = fopen(o.serial_path, "w"))) {
		fprintf(stderr, "exitlab run: --serial %s: %s\n", o.serial_path, strerror(errno));
		code = EXIT_USAGE;
		goto out_vm;
	}
	if (boot_build_page_tables(&rc->vm.mem, err, sizeof(err)) ||
	    elf_load(image, image_len, &img, rc->vm.mem.host, rc->vm.mem.size, err, sizeof(err))) {
		fprintf(stderr, "exitlab run: %s\n", err);
		code = EXIT_USAGE;
		goto out_vm;
	}

	/* boot_info: everything the payload may not guess. */
	bi = guest_mem_ptr(&rc->vm.mem, BOOT_INFO_GPA, sizeof(*bi));
	if (!bi) {
		fprintf(stderr, "exitlab run: guest RAM too small for boot_info\n");
		code = EXIT_USAGE;
		goto out_vm;
	}
	memset(bi, 0, sizeof(*bi));
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->mem_size = rc->vm.mem.size;
	bi->free_start = (img.highest + 0xfff) & ~0xfffULL;
	bi->free_end = rc->vm.mem.size;
	bi->host_page_size = (uint32_t)rc->vm.mem.page_size;
	if (rc->vm.mem.high_size) {
		bi->high_mem_start = BOOT_HIGH_MEM_GPA;
		bi->high_mem_size = rc->vm.mem.high_size;
	}
	bi->mailbox_gpa = BOOT_MAILBOX_GPA;
	bi->iterations = o.iterations;
	if (o.params[0]) {
		char *text = guest_mem_ptr(&rc->vm.mem, BOOT_PARAMS_GPA, BOOT_PARAMS_MAX);

		memcpy(text, o.params, strlen(o.params) + 1);
		bi->params_gpa = BOOT_PARAMS_GPA;
		bi->params_len = (uint32_t)strlen(o.params);
	}
	bi->repeat = o.sched.repeat;
	bi->order = o.sched.random ? BOOT_ORDER_RANDOM : BOOT_ORDER_TABLE;
	bi->order_seed = o.sched.seed;
	bi->ring_mask = o.ring < 0 ? (BOOT_RING0 | BOOT_RING3) : o.ring == 0 ? BOOT_RING0 : BOOT_RING3;
	bi->flags = (o.quick ? BOOT_F_QUICK : 0) | (vm_host_is_amd() ? BOOT_F_VENDOR_AMD : 0) |
		    (pvm ? BOOT_F_PVM : 0) | (rc->vm.has_irqchip ? BOOT_F_X2APIC : 0);

	if (wire_devices(rc, bi, err, sizeof(err))) {
		fprintf(stderr, "exitlab run: %s\n", err);
		code = EXIT_FAILED;
		goto out_vm;
	}
	{
		int drc = run_devices_create(&rc->devs, &rc->vm, &o.devices, bi, err, sizeof(err));

		if (drc) {
			fprintf(stderr, "exitlab run: %s\n", err);
			code = drc;
			goto out_vm;
		}
	}
	uart16550_init(&rc->uart, serial_tx, rc);

	if (vcpu_create(&rc->vm, 0, err, sizeof(err)) ||
	    boot_setup_cpuid(rc->vm.kvm_fd, rc->vm.vcpus[0].fd, err, sizeof(err)) ||
	    boot_setup_vcpu(rc->vm.vcpus[0].fd, img.entry, BOOT_STACK_TOP, BOOT_INFO_GPA, err, sizeof(err))) {
		fprintf(stderr, "exitlab run: %s\n", err);
		code = EXIT_NOHOST;
		goto out_vm;
	}
	{
		int khz = ioctl(rc->vm.vcpus[0].fd, KVM_GET_TSC_KHZ, 0);

		bi->tsc_khz = khz > 0 ? (uint64_t)khz : (uint64_t)hostinfo_tsc_khz();
	}
	bi->time_goal_cycles = (uint64_t)((o.quick ? QUICK_GOAL_MS : FULL_GOAL_MS) * (double)bi->tsc_khz);

	{
		struct snap_layout l;
		struct bench_hooks hooks = {
			.opaque = rc,
			.snapshot = hook_snapshot,
			.phase_begin = hook_phase_begin,
			.phase_end = hook_phase_end,
			.stop = hook_stop,
			.request = hook_request,
		};

		snap_layout_init(&l, &rc->vm.vcpus[0].stats, &rc->vm.stats);
		hooks.nvalues = l.nvalues;

		bench_init(&rc->bench, &rc->vm.mem, BOOT_MAILBOX_GPA, &hooks, stderr);
		rc->bench.select = o.tests;
		rc->bench.nselect = o.ntests;
		rc->bench.skip = rc->devs.skips;
		rc->bench.nskip = rc->devs.nskips;
		if (o.progress_path && !(rc->progress = fopen(o.progress_path, "w"))) {
			fprintf(stderr, "exitlab run: --progress %s: %s\n", o.progress_path, strerror(errno));
			code = EXIT_USAGE;
			goto out_bench;
		}
		rc->bench.progress = rc->progress;
	}
	rc->vm.vcpus[0].exit_timing = o.exit_timing;
	if (run_devices_start(&rc->devs, err, sizeof(err)) || vcpu_start(&rc->vm.vcpus[0], err, sizeof(err))) {
		fprintf(stderr, "exitlab run: %s\n", err);
		code = EXIT_FAILED;
		goto out_bench;
	}
	if (run_sched_pin(&o.sched, rc->vm.vcpus[0].tid, err, sizeof(err))) {
		fprintf(stderr, "exitlab run: %s\n", err);
		vm_stop(&rc->vm, 1, err); /* the thread waits at its gate: let it see the stop and end */
		vcpu_release(&rc->vm.vcpus[0]);
		vcpu_join(&rc->vm.vcpus[0], o.timeout_s);
		code = EXIT_FAILED;
		goto out_bench;
	}
	/* The vCPU thread exists but has not entered the guest: attach to it now. */
	run_instr_open(&rc->instr, &o.instr, rc->vm.vcpus[0].tid);
	res.config_json = config_json(&o, path, &rc->vm, bi, run_instr_describe(&rc->instr));
	vcpu_release(&rc->vm.vcpus[0]);
	vcpu_join(&rc->vm.vcpus[0], o.timeout_s);

	/* Why did it stop? */
	code = rc->vm.stop_code == EXIT_NOHOST ? EXIT_NOHOST : rc->vm.stop_code ? EXIT_FAILED : EXIT_OK;
	if (!rc->bench.done && !rc->bench.faulted && !rc->vm.stop_code)
		code = EXIT_FAILED;
	if (code != EXIT_OK)
		fprintf(stderr, "exitlab run: %s: %s\n", rc->bench.payload[0] ? rc->bench.payload : path,
			rc->vm.stop_reason);

	{
		struct collect_ctx cc = {
			.vcpu_stats = &rc->vm.vcpus[0].stats,
			.vm_stats = &rc->vm.stats,
			.tsc_khz = (double)bi->tsc_khz,
			.pvm = pvm,
			.keep_samples = o.raw,
			.stop_reason = rc->vm.stop_reason,
			.repeat = o.sched.repeat,
		};

		snprintf(res.payload, sizeof(res.payload), "%s",
			 rc->bench.payload[0] ? rc->bench.payload : o.payload);
		if (collect_records(&cc, &rc->bench, &res)) {
			fprintf(stderr, "exitlab run: out of memory collecting results\n");
			code = EXIT_FAILED;
		}
	}
	if (!o.no_baseline && rc->bench.nrecs) {
		struct host_baseline_cfg hb = {
			.time_goal_cycles = bi->time_goal_cycles,
			.iterations = o.iterations,
			.max_samples = 1 << 17,
			.keep_samples = o.raw,
		};

		host_baseline_run(&hb, (double)bi->tsc_khz, &res);
	}
	if (rc->bench.nrecs) {
		struct host_twin_ctx tw = {
			.payload = res.payload,
			.params = o.params,
			.tsc_khz = (double)bi->tsc_khz,
			.time_goal_cycles = bi->time_goal_cycles,
			.iterations = o.iterations,
			.quick = o.quick,
			.keep_samples = o.raw,
		};

		if (host_twins_run(&tw, &res) < 0)
			code = EXIT_FAILED;
	}
	res.vmm_json = vmm_json(rc, (double)bi->tsc_khz);
	code = run_result_finish(&res, &cat, backend, code, t0, o.json_path);

out_bench:
	if (rc->serial_text.dropped || rc->bench.log_text.dropped)
		fprintf(stderr, "exitlab run: dropped %llu bytes of the guest's serial output and %llu of its "
			"log (each passes at most %u bytes)\n", (unsigned long long)rc->serial_text.dropped,
			(unsigned long long)rc->bench.log_text.dropped, GUEST_TEXT_MAX);
	bench_destroy(&rc->bench);
	run_instr_close(&rc->instr);
out_vm:
	run_devices_destroy(&rc->devs); /* the vCPU has stopped: no access can reach them */
	ioeventfd_del(&rc->vm, &rc->ev_pio);
	ioeventfd_del(&rc->vm, &rc->ev_pio_dm);
	ioeventfd_del(&rc->vm, &rc->ev_mmio);
	vm_destroy(&rc->vm);
	if (rc->serial && rc->serial != stderr)
		fclose(rc->serial);
	if (rc->progress)
		fclose(rc->progress);
	free(rc);
	results_free(&res);
	catalogue_free(&cat);
	free(image);
	free(o.tests);
	return code;
}
