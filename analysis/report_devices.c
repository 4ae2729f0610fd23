// SPDX-License-Identifier: MIT
/*
 * Exits, kicks and interrupts per frame or I/O: the figures the device half
 * of the story is told with (docs/devices.md).
 */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "analysis/report_devices.h"
#include "analysis/results_cpu.h"
#include "analysis/report_table.h"

/* Counter names that mean "the driver notified the device" and "the device interrupted". */
static const char *const kick_keys[] = { "tx_kicks", "rx_kicks", "kicks", "tdt_writes", "rdt_writes" };
static const char *const irq_keys[] = { "interrupts" };

static double sum_keys(json_t *dev, const char *const *keys, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += (double)json_integer_value(json_object_get(dev, keys[i]));
	return s;
}

/* KVM vCPU stats that say what kind of exit (or injection) it was, in the order printed. */
static const struct { const char *stat, *label; } kinds[] = {
	{ "mmio_exits", "mmio" }, { "io_exits", "io" }, { "halt_exits", "halt" },
	{ "irq_exits", "hostirq" }, { "irq_window_exits", "irqwin" }, { "irq_injections", "inj" },
	{ "insn_emulation", "emul" },
};

/* "mmio 0.031 inj 0.047": each kind that moved over the phase, per operation. */
static void by_kind(const struct test_result *t, char *buf, size_t n)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (size_t i = 0; i < t->vcpu_stats.ndelta; i++) {
			const struct kvm_stat_delta *d = &t->vcpu_stats.delta[i];

			if (strcmp(d->name, kinds[k].stat) || !d->delta || used + 2 >= n)
				continue;
			used += snprintf(buf + used, n - used, "%s%s %.3g", used ? " " : "", kinds[k].label,
					 (double)d->delta / (double)t->iterations);
			if (used >= n)
				used = n - 1;
		}
}

bool report_device_row(const struct test_result *t, struct device_row *row)
{
	json_t *host, *devs, *dev, *best = NULL;
	const char *name, *best_name = NULL;
	double best_score = -1;

	memset(row, 0, sizeof(*row));
	if (!t->host_json || t->status != TEST_OK || !t->iterations || !(host = json_loads(t->host_json, 0, NULL)))
		return false;
	devs = json_object_get(host, "devices");
	/* the model (not the backend) whose counters moved most is the one this test drove */
	json_object_foreach(devs, name, dev) {
		double score = 0;
		const char *k;
		json_t *v;

		if (!strcmp(name, "netdev"))
			continue;
		json_object_foreach(dev, k, v)
			score += (double)json_integer_value(v);
		if (score > best_score) {
			best_score = score;
			best = dev;
			best_name = name;
		}
	}
	if (!best) {
		json_decref(host);
		return false;
	}
	if (best_score <= 0) {
		/*
		 * None of our counters moved: either not a device test, or a device whose
		 * data path is not the VMM's (vhost-net, vhost-user). The guest driver's
		 * own counts then say what it did, if it reported them.
		 */
		json_t *m = t->metrics_json ? json_loads(t->metrics_json, 0, NULL) : NULL;
		bool guest = json_is_integer(json_object_get(m, "kicks"));

		if (guest) {
			row->kicks = (double)json_integer_value(json_object_get(m, "kicks")) / (double)t->iterations;
			row->interrupts = (double)json_integer_value(json_object_get(m, "interrupts")) /
					  (double)t->iterations;
			row->guest_counted = true;
		}
		json_decref(m);
		if (!guest) {
			json_decref(host);
			return false;
		}
	} else {
		row->kicks = sum_keys(best, kick_keys, sizeof(kick_keys) / sizeof(kick_keys[0])) / (double)t->iterations;
		row->interrupts = sum_keys(best, irq_keys, 1) / (double)t->iterations;
	}
	snprintf(row->device, sizeof(row->device), "%s", best_name);
	json_decref(host);
	row->ops_per_s = test_ops_per_s(t);
	if (isnan(row->ops_per_s))
		row->ops_per_s = 0;
	by_kind(t, row->by_kind, sizeof(row->by_kind));
	row->exits = t->has_exits ? t->exits_per_iteration : -1;
	row->user_exits = t->has_exits ? t->userspace_exits_per_iteration : -1;
	{
		struct test_cpu_per_op p;

		test_cpu_per_op(t, &p);
		row->wall_ns = p.wall_ns;
		row->device_ns = p.device_ns;
		row->guest_ns = p.guest_busy_ns;
	}
	return true;
}

static void ns_cell(FILE *f, double ns)
{
	if (isfinite(ns))
		fprintf(f, "%9.0f ", ns);
	else
		fprintf(f, "%9s ", "-");
}

void report_devices_print(FILE *f, const struct run_result *r)
{
	bool header = false, any_guest = false;
	int w = 20;

	for (size_t i = 0; i < r->ntests; i++) {
		char name[64];

		report_test_label(name, sizeof(name), &r->tests[i]);
		if ((int)strlen(name) > w)
			w = strlen(name);
	}
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];
		struct device_row d;
		char name[64];

		if (!report_device_row(t, &d))
			continue;
		if (!header) {
			fprintf(f, "\nper operation (a frame or an I/O), over the timed phase:\n");
			fprintf(f, "%-*s %-15s %10s %12s %8s %8s %8s %8s %9s %9s %9s  %s\n", w, "test", "device", "ops",
				"ops/s", "exits", "user", "kicks", "irqs", "wall ns", "dev cpu", "guest ns",
				"exits by kind (KVM stats, per op)");
			header = true;
		}
		report_test_label(name, sizeof(name), t);
		fprintf(f, "%-*s %-15s %10llu %12.0f %8.3f %8.3f %7.3f%s %7.3f%s ", w, name, d.device,
			(unsigned long long)t->iterations, d.ops_per_s, d.exits, d.user_exits, d.kicks,
			d.guest_counted ? "g" : " ", d.interrupts, d.guest_counted ? "g" : " ");
		ns_cell(f, d.wall_ns);
		ns_cell(f, d.device_ns);
		ns_cell(f, d.guest_ns);
		fprintf(f, " %s\n", d.by_kind);
		any_guest |= d.guest_counted;
	}
	if (header)
		fprintf(f, "exits and user exits from KVM's stats; kicks (driver notifications) and irqs from the "
			   "device's own counters;\nby kind: mmio/io exits, halt exits, host interrupts (hostirq), "
			   "IRQ-window exits, interrupts injected (inj), instructions emulated (emul).\n"
			   "ns per op: wall = 1e9 / ops/s; dev cpu = CPU time of the device side's threads (device "
			   "workers, vhost workers,\na vhost-user back-end); guest ns = the guest's busy time (its phase "
			   "by the TSC less its waits for the device).\nThe side nearest the wall time bounds the rate; "
			   "'-': not measured.\n");
	if (any_guest)
		fprintf(f, "g: counted by the guest driver (the device's data path is not the VMM's: vhost, VFIO passthrough).\n");
}
