/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>

#include "run/run_exitlab_json.h"
#include "vmm/exit_reasons.h"
#include "vmm/vm.h"

char *run_exitlab_config_json(const struct run_opts *o, const char *path, struct machine *m,
			      json_t *instruments)
{
	const struct vm *vm = machine_vm(m);
	const struct boot_info *bi = machine_boot_info(m);
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
	json_object_set_new(json_object_get(c, "vmm"), "kernel_pit", json_boolean(bi->kernel_pio_port != 0));
	json_object_set_new(json_object_get(c, "vmm"), "vcpu_cpu", run_sched_vcpu_json(&o->sched));
	json_object_set_new(json_object_get(c, "vmm"), "vcpu_cpus", run_sched_vcpus_json(&o->sched, machine_nvcpus(m)));
	json_object_set_new(c, "schedule", run_sched_describe(&o->sched));
	json_object_set_new(c, "guest_tsc_khz", json_integer((json_int_t)bi->tsc_khz));
	json_object_set_new(c, "instruments", instruments);
	json_object_set_new(c, "devices", run_dev_describe(&o->devices));
	json_object_set_new(c, "params", json_string(o->params));
	s = json_dumps(c, JSON_COMPACT);
	json_decref(c);
	return s;
}

/* Counts (and, with --exit-timing, handler time) per exit reason. */
static json_t *exit_reasons_json(const struct vcpu *v, double tsc_khz)
{
	json_t *reasons = json_object();

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
	return reasons;
}

/* The exit loop's counters of one vCPU, or (into sum) added over every vCPU. */
static void vcpu_add(struct vcpu *sum, const struct vcpu *v)
{
	sum->exit_timing = v->exit_timing;
	sum->user_exits += v->user_exits;
	sum->eintr += v->eintr;
	sum->pio_unhandled += v->pio_unhandled;
	sum->mmio_unhandled += v->mmio_unhandled;
	for (unsigned i = 0; i < KVM_EXIT_REASON_SLOTS; i++) {
		sum->exits[i] += v->exits[i];
		sum->handler_cycles[i] += v->handler_cycles[i];
	}
}

/* One vCPU's cumulative KVM stats at the end (scalars; histograms and levels left out). */
static json_t *vcpu_stats_json(struct kvm_stats *s)
{
	json_t *o = json_object();
	uint64_t *vals;

	if (!s->nvalues || !(vals = calloc(s->nvalues, sizeof(*vals))))
		return o;
	if (kvm_stats_read(s, vals) == 0)
		for (size_t k = 0; k < s->ndesc; k++)
			if (!kvm_stats_is_level(s->desc[k].type) && !kvm_stats_is_hist(s->desc[k].type))
				json_object_set_new(o, s->desc[k].name, json_integer((json_int_t)vals[s->desc[k].index]));
	free(vals);
	return o;
}

/* Several vCPUs: [{"vcpu", "tid", "userspace_exits", "kvm_run_eintr", "exit_reasons", "kvm_stats"}]. */
static json_t *per_vcpu_json(struct machine *m, struct run_stats *stats, double tsc_khz)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < machine_nvcpus(m); i++) {
		struct vcpu *v = machine_vcpu(m, i);

		json_array_append_new(a, json_pack("{s:i, s:i, s:I, s:I, s:o, s:o}", "vcpu", (int)i,
			"tid", (int)machine_vcpu_tid(m, i), "userspace_exits", (json_int_t)v->user_exits,
			"kvm_run_eintr", (json_int_t)v->eintr, "exit_reasons", exit_reasons_json(v, tsc_khz),
			"kvm_stats", vcpu_stats_json(&stats->vcpu[i])));
	}
	return a;
}

char *run_exitlab_vmm_json(struct machine *m, struct run_stats *stats, const struct run_devices *devs, const struct run_platform *plat,
			   double tsc_khz)
{
	struct vcpu *v = calloc(1, sizeof(*v));
	struct machine_ioevents ev;
	json_t *o = json_object();
	char *s;

	if (!v) {
		json_decref(o);
		return NULL;
	}
	/* Summed over the vCPUs: with one, exactly its counts, as before several. */
	for (unsigned i = 0; i < machine_nvcpus(m); i++)
		vcpu_add(v, machine_vcpu(m, i));
	machine_ioevents_drain(m, &ev);
	json_object_set_new(o, "exit_timing", json_boolean(v->exit_timing));
	json_object_set_new(o, "exit_reasons", exit_reasons_json(v, tsc_khz));
	json_object_set_new(o, "userspace_exits", json_integer((json_int_t)v->user_exits));
	json_object_set_new(o, "kvm_run_eintr", json_integer((json_int_t)v->eintr));
	json_object_set_new(o, "pio_unhandled", json_integer((json_int_t)v->pio_unhandled));
	json_object_set_new(o, "mmio_unhandled", json_integer((json_int_t)v->mmio_unhandled));
	if (machine_nvcpus(m) > 1)
		json_object_set_new(o, "vcpus", per_vcpu_json(m, stats, tsc_khz));
	free(v);
	json_object_set_new(o, "ioeventfd_signals", json_pack("{s:I, s:I, s:I, s:I}",
		"pio_wildcard", (json_int_t)ev.pio_wildcard, "pio_datamatch", (json_int_t)ev.pio_datamatch,
		"mmio", (json_int_t)ev.mmio, "mmio_datamatch", (json_int_t)ev.mmio_datamatch));
	if (devs->on)
		json_object_set_new(o, "devices", run_devices_totals(devs));
	json_object_set_new(o, "test_regs", run_platform_regs_json(plat));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}
