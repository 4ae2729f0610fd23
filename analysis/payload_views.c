// SPDX-License-Identifier: MIT
/*
 * The payload views: one row per payload that the charts or the report show
 * in a way of their own (a table walked at run time, as kvmtool's init lists
 * are).  Everything that dispatches on a payload's name looks here:
 * `exitlab plot` for a file's chart and which files may share one, a run
 * directory's combined charts, and the report's line for each entry.
 */
#include <string.h>

#include "analysis/payload_views.h"
#include "analysis/report_memory.h"

const struct payload_view payload_views[] = {
	{ .name = "exit-costs",
	  .what = "What one VM exit costs, round trip from the guest, per exit kind (cpuid, "
		  "port I/O, MMIO, hypercall...) beside the host's system call.",
	  .chart_many = plot_vcpus_chart,
	  .many_applies = plot_vcpus_applies,
	  .many_suffix = "vcpus",
	  .many_help = "  exit-costs  several files run at different --vcpus N: ipi_broadcast,\n"
		       "            tlb_shootdown, ple_round_robin, ipi and ipi_halt against N, one\n"
		       "            line per test: cycles per operation (median, whisker p1..p99)\n"
		       "            above, KVM exits per operation summed over the vCPUs below;\n"
		       "            files at the same N are points of their own; all at one N is\n"
		       "            refused (exit code 2)\n" },
	{ .name = "mem-walk",
	  .what = "Time per memory access as the working set grows, virtualized against "
		  "native: the cost of two-dimensional page walks and TLB reach.",
	  .chart = plot_mem_walk_chart,
	  .section = report_memory_print,
	  .plot_help = "  mem-walk  time per access vs working set, one line per configuration\n" },
	{ .name = "mem-fault",
	  .what = "What a guest page fault costs when the host must also fault the "
		  "page in (first touch) against one the host already backs." },
	{ .name = "tlb",
	  .what = "TLB refill after an exit, and the cost of invlpg, flushes and CR3 switches: "
		  "what VPID/ASID tagging saves.",
	  .chart = plot_tlb_chart,
	  .plot_help = "  tlb       the refill tests: cycles per access of the pass after one exit,\n"
		       "            clustered by N (pages touched) with a bar per exit kind, and the\n"
		       "            refill one exit costs (exit minus no-exit pass, x N) below; the\n"
		       "            other tests (invlpg, flush, cr3_switch) as the bar chart in\n"
		       "            OUT-ops.png, numbers in OUT-ops.dat\n" },
	{ .name = "net",
	  .what = "Exits and userspace exits per frame and frames per second against batch "
		  "size: how notification batching removes exits.",
	  .chart = plot_net_chart,
	  .plot_help = "  net       exits per frame vs batch size (log-log; solid: all exits, dashed:\n"
		       "            userspace exits; a 0 is drawn at a floor the key names) and frames\n"
		       "            per second below; one line per (NIC, notify mode, tx/rx)\n",
	  .device = true },
	{ .name = "blk",
	  .what = "I/Os per second and exits per I/O by block size and queue depth.",
	  .chart = plot_blk_chart,
	  .plot_help = "  blk       I/Os per second and exits per I/O as bars by block size and queue\n"
		       "            depth, one bar per (disk model, notify mode, read/write)\n",
	  .device = true },
	{ .name = "linux",
	  .what = "A Linux guest's workloads (exitlab-guest: idle, page-table churn, block and "
		  "network I/O through its own drivers): exits per operation, under exitlab or a peer VMM.",
	  .chart = plot_guest_chart,
	  .plot_help = "  linux     a Linux guest's workloads (exitlab run linux with exitlab-guest):\n"
		       "            KVM exits and exits to the VMM per operation, a pair of bars per\n"
		       "            test (log y, 0 drawn at 0.01)\n",
	  .chart_many = plot_guest_chart,
	  .many_applies = plot_guest_applies,
	  .many_suffix = "guest",
	  .many_help = "  linux     several runs (e.g. the same workloads under exitlab and under\n"
		       "            --vmm qemu, given in turn): every file's tests side by side,\n"
		       "            labelled by file, test and VMM\n" },
	{ .name = "hostile",
	  .what = "The VMM against a hostile guest: each attack is refused without harm." },
	{ .name = "hostile-dev",
	  .what = "Our device models against hostile drivers: each attack is refused "
		  "and the device stopped with a diagnostic." },
};

const size_t npayload_views = sizeof(payload_views) / sizeof(payload_views[0]);

const struct payload_view *payload_view_find(const char *payload)
{
	for (size_t i = 0; i < npayload_views; i++)
		if (!strcmp(payload, payload_views[i].name))
			return &payload_views[i];
	return NULL;
}

bool payload_view_draws(const char *payload, chart_fn chart)
{
	const struct payload_view *v = payload_view_find(payload);

	return v && v->chart == chart;
}

const char *payload_view_what(const char *payload)
{
	const struct payload_view *v = payload_view_find(payload);

	return v ? v->what : "The tests this payload ran, as measured from the guest.";
}
