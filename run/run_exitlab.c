/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "instruments/hostinfo.h"
#include "run/collect.h"
#include "run/host_baseline.h"
#include "run/host_twins.h"
#include "run/run_devices.h"
#include "run/run_exitlab.h"
#include "run/run_exitlab_json.h"
#include "run/run_instruments.h"
#include "run/run_linux.h"
#include "run/run_platform.h"
#include "run/run_result.h"
#include "run/run_stats.h"
#include "vmm/thread_cpu.h"
#include "vmm/vm.h"

struct run_ctx {
	const struct run_opts *o;
	const struct run_payload *pl;
	bool pvm;
	struct machine *m;
	struct run_platform plat;
	struct run_instruments instr;
	struct run_devices devs;
	struct run_stats stats;        /* the VM's and every vCPU's KVM stats */
	FILE *serial;                  /* --serial, or NULL: stderr */
	FILE *progress;                /* --progress */
	struct linux_console console;  /* a Linux guest's */
	char err[PATH_MAX + 512];
};

/* --- the bench device's hooks ---------------------------------------------- */

/* Slots as in collect.h: userspace exits, every vCPU stat value, every VM stat value. */
static void hook_snapshot(void *opaque, struct bench_snapshot *s)
{
	struct run_ctx *rc = opaque;
	struct vcpu *v = machine_vcpu(rc->m, 0);
	struct kvm_stats *v_stats = &rc->stats.vcpu[0], *vm_stats = &rc->stats.vm;
	struct snap_layout l;
	struct timespec ts;

	snap_layout_init_vcpus(&l, v_stats, vm_stats, machine_nvcpus(rc->m));
	if (s->n != l.nvalues)
		return; /* clamped by the device: leave it zero, collect will see the shape */
	s->v[SNAP_USER_EXITS] = v->user_exits;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->v[SNAP_HOST_NS] = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	/* Where the time goes: the device side's threads, and this thread (the doorbell's exit runs on the vCPU's). */
	if (thread_cpu_device_ns(&s->v[SNAP_DEVICE_CPU_NS]))
		s->v[SNAP_DEVICE_CPU_NS] = SNAP_CPU_UNKNOWN;
	if (thread_cpu_self_ns(&s->v[SNAP_VCPU_CPU_NS]))
		s->v[SNAP_VCPU_CPU_NS] = SNAP_CPU_UNKNOWN;
	/*
	 * vCPU 0 is stopped in this exit: its set does not move while we read
	 * (the VM's may, when other vCPUs run).
	 */
	if (v_stats->nvalues)
		kvm_stats_read(v_stats, &s->v[l.vcpu_base]);
	if (vm_stats->nvalues)
		kvm_stats_read(vm_stats, &s->v[l.vm_base]);
	/* The other vCPUs run on: their counts are as of this read. */
	for (unsigned i = 1; i <= l.nap; i++) {
		struct vcpu *ap = machine_vcpu(rc->m, i);
		struct kvm_stats *ap_stats = &rc->stats.vcpu[i];
		uint64_t *slot = &s->v[l.ap_base + (i - 1) * l.ap_stride];

		slot[0] = __atomic_load_n(&ap->user_exits, __ATOMIC_RELAXED);
		if (ap_stats->nvalues == v_stats->nvalues && v_stats->nvalues)
			kvm_stats_read(ap_stats, slot + 1);
	}
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

	return vm_request(machine_vm(rc->m), r->op, r->arg[0], r->arg[1]);
}

static void hook_stop(void *opaque, enum outcome code, const char *why)
{
	struct run_ctx *rc = opaque;

	machine_stop(rc->m, code, why);
}

/* --- building the machine -------------------------------------------------- */

static int fail(struct run_ctx *rc, int code)
{
	fprintf(stderr, "exitlab run: %s\n", rc->err);
	return code;
}

/* The machine with its devices and payload, up to its vCPUs, TSC and KVM stats: an exit code. */
static int build(struct run_ctx *rc)
{
	const struct run_opts *o = rc->o;
	struct machine_config mc = {
		.mem_size = o->mem_mib << 20, .backing = o->backing, .nvcpus = o->nvcpus,
		.boot = MACHINE_BOOT_PAYLOAD, .exit_timing = o->exit_timing,
	};
	struct boot_args ba = {
		.iterations = o->iterations, .params = o->params, .ring_mask = run_opts_ring_mask(o),
		.repeat = o->sched.repeat, .order = o->sched.random ? BOOT_ORDER_RANDOM : BOOT_ORDER_TABLE,
		.order_seed = o->sched.seed, .flags = (o->quick ? BOOT_F_QUICK : 0) | (rc->pvm ? BOOT_F_PVM : 0),
		.goal_ms = o->quick ? RUN_QUICK_GOAL_MS : RUN_FULL_GOAL_MS,
	};
	struct machine_payload mp = { rc->pl->image, rc->pl->len, &rc->pl->elf };
	enum outcome r;
	uint64_t khz;

	if (o->serial_path && !(rc->serial = fopen(o->serial_path, "w"))) {
		fprintf(stderr, "exitlab run: --serial %s: %s\n", o->serial_path, strerror(errno));
		return EXIT_USAGE;
	}
	if (rc->pl->is_linux) {
		linux_console_init(&rc->console);
		r = run_linux_build(o, rc->pl, &rc->m, &rc->plat, rc->serial ? rc->serial : stderr, &rc->console,
				    rc->err, sizeof(rc->err));
		/* its PCI host even without --device: Linux scans bus 0 whenever the DSDT has \_SB.PCI0 */
		if (r || (r = run_devices_create(&rc->devs, machine_vm(rc->m), &o->devices, NULL, rc->err,
						 sizeof(rc->err))) ||
		    (r = machine_create_vcpus(rc->m, rc->err, sizeof(rc->err))))
			return fail(rc, r);
		goto tsc;
	}
	r = machine_create(&rc->m, &mc, rc->err, sizeof(rc->err));
	if (r || !rc->m)
		return fail(rc, r);
	if ((r = machine_load(rc->m, &mp, &ba, rc->err, sizeof(rc->err))) ||
	    (r = run_platform_add(&rc->plat, rc->m, rc->serial ? rc->serial : stderr, rc->err, sizeof(rc->err))))
		return fail(rc, r);
	r = run_devices_create(&rc->devs, machine_vm(rc->m), &o->devices, machine_boot_info(rc->m), rc->err,
			       sizeof(rc->err));
	if (r || (r = machine_create_vcpus(rc->m, rc->err, sizeof(rc->err))))
		return fail(rc, r);
tsc:
	khz = machine_tsc_khz(rc->m);
	machine_set_tsc_khz(rc->m, khz ? khz : (uint64_t)hostinfo_tsc_khz());
	/* Every vCPU exists and none has run: the bench device's layout and first snapshot need them. */
	run_stats_open(&rc->stats, rc->m);
	return EXIT_OK;
}

/* The bench device, its hooks and --progress: an exit code. */
static int attach_bench(struct run_ctx *rc)
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

	snap_layout_init_vcpus(&l, &rc->stats.vcpu[0], &rc->stats.vm, machine_nvcpus(rc->m));
	hooks.nvalues = l.nvalues;
	run_platform_bench_init(&rc->plat, rc->m, &hooks);
	rc->plat.bench.select = rc->o->tests;
	rc->plat.bench.nselect = rc->o->ntests;
	rc->plat.bench.skip = rc->devs.skips;
	rc->plat.bench.nskip = rc->devs.nskips;
	if (rc->o->progress_path && !(rc->progress = fopen(rc->o->progress_path, "w"))) {
		fprintf(stderr, "exitlab run: --progress %s: %s\n", rc->o->progress_path, strerror(errno));
		return EXIT_USAGE;
	}
	rc->plat.bench.progress = rc->progress;
	return EXIT_OK;
}

/* --- running it ------------------------------------------------------------ */

/* Each vCPU thread to its --pin (or --cpu) CPU: 0, or -1 with rc->err. */
static int pin_vcpus(struct run_ctx *rc)
{
	for (unsigned i = 0; i < machine_nvcpus(rc->m); i++)
		if (run_sched_pin_vcpu(&rc->o->sched, i, machine_vcpu_tid(rc->m, i), rc->err, sizeof(rc->err)))
			return -1;
	return 0;
}

/* Start the devices and the vCPU, attach the instruments, let it run to its end: an exit code. */
static int run_machine(struct run_ctx *rc, struct run_result *res, bool *ran)
{
	const struct run_opts *o = rc->o;
	const struct bench_dev *b = &rc->plat.bench;
	int code;

	if (run_devices_start(&rc->devs, rc->err, sizeof(rc->err)) ||
	    machine_start(rc->m, rc->err, sizeof(rc->err)))
		return fail(rc, EXIT_FAILED);
	if (pin_vcpus(rc)) {
		fprintf(stderr, "exitlab run: %s\n", rc->err);
		/* the thread waits at its gate: let it see the stop and end */
		machine_stop(rc->m, OUTCOME_FAILED, rc->err);
		machine_release(rc->m);
		machine_wait(rc->m, o->timeout_s);
		return EXIT_FAILED;
	}
	/* The vCPU threads exist but have not entered the guest: attach to them now. */
	{
		pid_t tids[VM_MAX_VCPUS];
		unsigned n = machine_nvcpus(rc->m);

		for (unsigned i = 0; i < n; i++)
			tids[i] = machine_vcpu_tid(rc->m, i);
		run_instr_open(&rc->instr, &o->instr, tids, n);
	}
	res->config_json = run_exitlab_config_json(o, rc->pl->path, rc->m, run_instr_describe(&rc->instr));
	machine_release(rc->m);
	*ran = true;
	if (rc->pl->is_linux) {
		code = outcome_exit_code(run_linux_wait(rc->m, &rc->console, o->timeout_s, o->deadline_s));
		/* A Linux guest ends by powering off or resetting (or its tool's DONE), nothing else. */
		if (code == EXIT_OK && !run_platform_linux_end(&rc->plat))
			code = EXIT_FAILED;
		if (code != EXIT_OK) {
			fprintf(stderr, "exitlab run linux: %s; the console's last lines:\n", machine_stop_reason(rc->m));
			linux_console_dump(&rc->console, stderr, "  | ");
		} else {
			fprintf(stderr, "exitlab run linux: %s\n", machine_stop_reason(rc->m));
		}
		return code;
	}
	code = outcome_exit_code(machine_wait(rc->m, o->timeout_s));
	/* Stopped with success by anything but the payload's DONE: it never finished. */
	if (!b->done && !b->faulted && code == EXIT_OK)
		code = EXIT_FAILED;
	if (code != EXIT_OK)
		fprintf(stderr, "exitlab run: %s: %s\n", b->payload[0] ? b->payload : rc->pl->path,
			machine_stop_reason(rc->m));
	return code;
}

/* A Linux guest's end, console and KVM stats totals, as the vmm object's "linux". */
static void add_linux_json(struct run_ctx *rc, struct run_result *res)
{
	json_t *v = json_loads(res->vmm_json, 0, NULL);
	char cmdline[LINUX_CMDLINE_MAX];

	if (!v)
		return;
	if (run_linux_cmdline(rc->o, machine_vm(rc->m)->mem.size, cmdline, sizeof(cmdline)))
		cmdline[0] = 0;
	json_object_set_new(v, "linux", run_linux_json(rc->m, &rc->stats, &rc->plat, &rc->console, cmdline));
	json_object_set_new(json_object_get(v, "linux"), "kernel", json_string(rc->o->kernel));
	json_object_set_new(json_object_get(v, "linux"), "initrd", rc->o->initrd ? json_string(rc->o->initrd) :
			    json_null());
	free(res->vmm_json);
	res->vmm_json = json_dumps(v, JSON_COMPACT);
	json_decref(v);
}

/* Records into results, the host-native rows beside them: code, or FAILED. */
static int collect(struct run_ctx *rc, struct run_result *res, int code)
{
	const struct run_opts *o = rc->o;
	const struct boot_info *bi = machine_boot_info(rc->m);
	struct bench_dev *b = &rc->plat.bench;
	struct collect_ctx cc = {
		.vcpu_stats = &rc->stats.vcpu[0],
		.vm_stats = &rc->stats.vm,
		.tsc_khz = (double)bi->tsc_khz,
		.pvm = rc->pvm,
		.keep_samples = o->raw,
		.stop_reason = machine_stop_reason(rc->m),
		.repeat = o->sched.repeat,
		.nvcpus = machine_nvcpus(rc->m),
		.whole_guest = rc->pl->is_linux,
	};

	snprintf(res->payload, sizeof(res->payload), "%s",
		 b->payload[0] && !rc->pl->is_linux ? b->payload : o->payload);
	if (collect_records(&cc, b, res)) {
		fprintf(stderr, "exitlab run: out of memory collecting results\n");
		code = EXIT_FAILED;
	}
	if (!o->no_baseline && b->nrecs) {
		struct host_baseline_cfg hb = {
			.time_goal_cycles = bi->time_goal_cycles,
			.iterations = o->iterations,
			.max_samples = 1 << 17,
			.keep_samples = o->raw,
		};

		host_baseline_run(&hb, (double)bi->tsc_khz, res);
	}
	if (b->nrecs) {
		struct host_twin_ctx tw = {
			.payload = res->payload,
			.params = o->params,
			.tsc_khz = (double)bi->tsc_khz,
			.time_goal_cycles = bi->time_goal_cycles,
			.iterations = o->iterations,
			.quick = o->quick,
			.keep_samples = o->raw,
		};

		if (host_twins_run(&tw, res) < 0)
			code = EXIT_FAILED;
	}
	res->vmm_json = run_exitlab_vmm_json(rc->m, &rc->stats, &rc->devs, &rc->plat, (double)bi->tsc_khz);
	if (rc->pl->is_linux && res->vmm_json)
		add_linux_json(rc, res);
	return code;
}

static void teardown(struct run_ctx *rc)
{
	run_platform_destroy(&rc->plat);
	run_instr_close(&rc->instr);
	run_devices_destroy(&rc->devs); /* the vCPU has stopped: no access can reach them */
	run_stats_close(&rc->stats);
	machine_destroy(rc->m);
	if (rc->serial)
		fclose(rc->serial);
	if (rc->progress)
		fclose(rc->progress);
}

int run_exitlab(const struct run_opts *o, const struct run_payload *pl, const char *backend, double t0)
{
	struct run_ctx *rc = calloc(1, sizeof(*rc));
	struct run_result res;
	bool ran = false;
	int code;

	if (!rc)
		return EXIT_FAILED;
	rc->o = o;
	rc->pl = pl;
	rc->pvm = !strcmp(backend, "kvm_pvm");
	memset(&res, 0, sizeof(res));
	run_now_iso(res.started_at, sizeof(res.started_at));
	code = build(rc);
	if (code == EXIT_OK)
		code = attach_bench(rc);
	if (code == EXIT_OK) {
		code = run_machine(rc, &res, &ran);
		if (ran)
			code = run_result_finish(&res, &pl->cat, backend, collect(rc, &res, code), t0,
						 o->json_path);
	}
	teardown(rc);
	free(rc);
	results_free(&res);
	return code;
}
