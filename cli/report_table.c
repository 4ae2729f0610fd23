/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "report_table.h"

static const struct test_result *find_host_syscall(const struct run_result *r)
{
	for (size_t i = 0; i < r->ntests; i++)
		if (!strcmp(r->tests[i].name, "host_syscall") && r->tests[i].has_timing)
			return &r->tests[i];
	return NULL;
}

static void fmt_num(char *buf, size_t n, double v)
{
	if (v >= 99999.5)
		snprintf(buf, n, "%.3g", v);
	else
		snprintf(buf, n, "%.0f", v);
}

void report_table_print(FILE *f, const struct run_result *r, const char *backend)
{
	const struct test_result *sys = find_host_syscall(r);
	bool any_emulated = false;

	fprintf(f, "%-20s %-5s %9s %9s %9s %8s %10s %8s %8s %7s  %s\n", "test", "ring", "iters",
		"median", "p99", "MAD", "median", "exits", "user", "x host", "status");
	fprintf(f, "%-20s %-5s %9s %9s %9s %8s %10s %8s %8s %7s\n", "", "", "", "cycles",
		"cycles", "cycles", "ns", "/iter", "exits/it", "syscall");
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];
		char ring[24], med[16] = "-", p99[16] = "-", mad[16] = "-", ns[16] = "-",
			ex[16] = "-", ux[16] = "-", ratio[16] = "-", status[160];

		if (t->ring < 0)
			snprintf(ring, sizeof(ring), "host");
		else
			snprintf(ring, sizeof(ring), "cpl%d%s", t->ring, t->emulated ? "*" : "");
		any_emulated |= t->emulated;
		if (t->has_timing) {
			fmt_num(med, sizeof(med), t->cycles.median);
			fmt_num(p99, sizeof(p99), t->cycles.p99);
			fmt_num(mad, sizeof(mad), t->cycles.mad);
			if (t->ns.n)
				snprintf(ns, sizeof(ns), "%.1f", t->ns.median);
			if (sys && sys->cycles.median > 0 && t != sys && strcmp(t->name, "empty"))
				snprintf(ratio, sizeof(ratio), "%.2f", t->cycles.median / sys->cycles.median);
		}
		if (t->has_exits)
			snprintf(ex, sizeof(ex), "%.3f", t->exits_per_iteration);
		if (t->ring >= 0 && t->has_timing)
			snprintf(ux, sizeof(ux), "%.3f", t->userspace_exits_per_iteration);
		if (t->status == TEST_OK)
			snprintf(status, sizeof(status), "ok");
		else
			snprintf(status, sizeof(status), "%s: %s", test_status_name(t->status), t->reason);
		fprintf(f, "%-20s %-5s %9llu %9s %9s %8s %10s %8s %8s %7s  %s\n", t->name, ring,
			(unsigned long long)t->iterations, med, p99, mad, ns, ex, ux, ratio, status);
	}
	fprintf(f, "\ncycles and ns are per operation, round trip seen from the guest, with the "
		   "loop overhead (the 'empty' test of the same ring) subtracted.\n");
	if (any_emulated)
		fprintf(f, "* backend %s: guest CPL0 code is instruction-emulated, so cpl0 figures "
			   "measure the emulator, not the hardware exit path.\n", backend);
}
