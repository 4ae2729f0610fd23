/* SPDX-License-Identifier: MIT */
/*
 * exitlab run: the options (run/run_opts.c) and the payload (run/run_payload.c),
 * then one run under exitlab's own VMM (run/run_exitlab.c, which builds the
 * machine of vmm/machine.h) or under a peer (run/run_peer.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign_lock.h"
#include "cli/commands.h"
#include "instruments/hostinfo.h"
#include "run/run_exitlab.h"
#include "run/run_linux.h"
#include "run/run_opts.h"
#include "run/run_payload.h"
#include "run/run_peer.h"
#include "run/run_result.h"
#include "run/vmm_peers.h"
#include "util/outcome.h"
#include "vmm/vm.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab run PAYLOAD [options]\n"
		"       exitlab run linux --kernel BZIMAGE [--initrd FILE] [--append CMDLINE] [options]\n"
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
		"  --vcpus N          N vCPUs (1..%d, at most the host CPUs this process may use:\n"
		"                     more is exit 3); vCPU 0 runs the tests, the others start by\n"
		"                     INIT-SIPI-SIPI when the payload wakes them (docs/smp.md)\n"
		"  --cpu CPU          pin vCPU 0's thread to host CPU CPU (recorded in the results)\n"
		"  --pin CPULIST      pin vCPU i's thread to the i-th CPU of CPULIST (e.g. 0-3,6;\n"
		"                     cycled when shorter than --vcpus); not with --cpu\n"
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
		"                     e1000[,mac=xx:xx:xx:xx:xx:xx] | virtio-net[,notify=exit|ioeventfd][,vhost=net]\n"
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
		"                     --vcpus, --cpu, --pin, --order, --repeat, --exit-timing);\n"
		"                     with linux: the same kernel under QEMU with its own e1000,\n"
		"                     virtio-net-pci, virtio-blk-pci (--device e1000, virtio-net,\n"
		"                     virtio-blk,file=IMG[,readonly=1]), a NIC's backend a tap\n"
		"                     (--netdev tap,ifname=NAME[,vhost=on]); --mem %d or more;\n"
		"                     the guest's tool polls over COM2 (docs/peer-vmm.md)\n"
		"  --kernel BZIMAGE   with PAYLOAD linux: boot this Linux kernel (x86 boot protocol\n"
		"                     2.10+, 64-bit entry) with ACPI tables, e820 map, console on\n"
		"                     ttyS0; --mem defaults to %d; the run ends when the guest\n"
		"                     powers off or resets (exit 0), panics or shows no console\n"
		"                     output and no exit for --timeout seconds (exit 1, with the\n"
		"                     console's last lines); not with --test, --param, --iterations,\n"
		"                     --ring, --repeat; --device e1000, virtio-net,\n"
		"                     virtio-blk or vfio,host=BDF for Linux's own drivers, a NIC's\n"
		"                     --netdev default sink (docs/linux.md)\n"
		"  --initrd FILE      with linux: the initramfs, placed at the top of low RAM\n"
		"  --append CMDLINE   with linux: appended to \"console=ttyS0\"; exitlab adds\n"
		"                     exitlab.bench=... (include/exitlab/linux_guest.h)\n"
		"  --deadline S       with linux: stop the guest after S seconds in all, however\n"
		"                     busy it is (default %.0f; exit 1)\n"
		"  -h, --help         this text\n"
		"\n"
		"exit codes: 0 success, 1 a test failed or the guest faulted/timed out,\n"
		"            2 bad usage or input (e.g. a malformed ELF), 3 the host lacks something\n",
		RUN_QUICK_GOAL_MS, RUN_FULL_GOAL_MS, VM_MAX_VCPUS, CALIB_REPEAT_MAX, (unsigned long long)(GUEST_MEM_MAX >> 20),
		(unsigned long long)(BOOT_RAM_MAX >> 20), RUN_INSTR_DEFAULT, RUN_DEV_DEFAULT_NETDEV,
		vmm_peer_names(), PEER_LINUX_MIN_MIB, RUN_LINUX_MEM_MIB, RUN_LINUX_DEADLINE_S);
}

/* --vmm NAME: the same payload under a peer VMM (run/run_peer.c). */
static int run_under_peer(const struct run_opts *o, const struct run_payload *pl)
{
	struct peer_run_opts p = {
		.payload_arg = o->payload, .payload_path = pl->path, .tests = o->tests, .ntests = o->ntests,
		.ring = o->ring, .json_path = o->json_path, .timeout_s = o->timeout_s,
		.mem_mib = o->mem_mib, .quick = o->quick, .raw = o->raw, .no_baseline = o->no_baseline,
		.iterations = o->iterations, .serial_path = o->serial_path, .params = o->params,
		.quick_goal_ms = RUN_QUICK_GOAL_MS, .full_goal_ms = RUN_FULL_GOAL_MS,
		.binary = getenv("EXITLAB_PEER_BINARY"),
		.catalogue = &pl->cat,
		.is_linux = pl->is_linux, .initrd = o->initrd, .append = o->append,
		.devices = o->device_args, .ndevices = o->ndevice_args, .netdev = o->devices.netdev,
		.deadline_s = o->deadline_s,
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

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct run_payload pl;
	double t0 = run_clock_s();
	const char *backend = hostinfo_backend();
	enum run_opts_status st;
	int code;

	campaign_lock_keep_private(); /* a campaign's lock: ours to hold, not our children's */
	st = run_opts_parse(&o, argc, argv);
	if (st == RUN_OPTS_HELP || st == RUN_OPTS_BAD_USAGE)
		usage(st == RUN_OPTS_HELP ? stdout : stderr);
	if (st || run_opts_check_host_mem(o.mem_mib)) {
		run_opts_free(&o);
		return st == RUN_OPTS_HELP ? EXIT_OK : EXIT_USAGE;
	}
	if (o.ring < 0 && !strcmp(backend, "kvm_pvm") && o.devices.ndev && !run_opts_is_linux(&o)) {
		/* A driver at CPL0 runs under PVM's emulator (~100 frames/s): nothing a device run is for. */
		o.ring = 3;
		fprintf(stderr, "exitlab run: PVM host: guest CPL0 is instruction-emulated, so a device run "
			"defaults to --ring 3 (--ring 0 runs CPL0)\n");
	}
	code = run_opts_is_linux(&o) ? run_linux_open(&pl, &o) : run_payload_open(&pl, &o);
	if (code == EXIT_OK)
		code = o.vmm ? run_under_peer(&o, &pl) : run_exitlab(&o, &pl, backend, t0);
	run_payload_close(&pl);
	run_opts_free(&o);
	return code;
}
