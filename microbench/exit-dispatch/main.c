// SPDX-License-Identifier: MIT
/*
 * exit-dispatch: what exitlab's exit loop costs per exit on the host, without
 * KVM. It fills a kvm_run as KVM_RUN would (exit_synth.h) and calls the loop's
 * body, vcpu_handle_exit, in batches timed with a fenced TSC; the kinds are
 * interleaved sample by sample so that drift on a busy host hits all alike.
 * The device's own handler (devices/platform/test_regs.c) is timed alone the same way,
 * and what remains is the VMM's bookkeeping: accounting, the coalesced ring
 * check, the bus lookup, the dispatch. docs/instruments.md says how to run it.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "microbench/exit_synth.h"
#include "util/host_tsc.h"
#include "util/revision.h"
#include "util/statistics.h"

#define MAX_BATCH 100 /* the coalesced kind queues one ring entry per exit */


/* What a timed batch runs: an empty loop, the handler alone, or whole exits. */
enum body { B_EMPTY, B_READ, B_WRITE, B_EXIT };

struct kind {
	const char *name;
	const char *what;
	enum body body;
	/* The device handler calls one exit makes (reads, writes): its own cost, not the VMM's. */
	unsigned hreads, hwrites;
	bool coalesced;         /* queue one coalesced write per exit before the batch */
	void (*fill)(struct exit_synth *s);
};

static void fill_pio_out(struct exit_synth *s)
{
	exit_synth_io(s, EXIT_SYNTH_TEST_PORT, true, 4, 1, NULL);
}

static void fill_pio_in(struct exit_synth *s)
{
	exit_synth_io(s, EXIT_SYNTH_TEST_PORT, false, 4, 1, NULL);
}

static void fill_pio_unhandled(struct exit_synth *s)
{
	exit_synth_io(s, 0x80, true, 1, 1, NULL);
}

static void fill_mmio_write(struct exit_synth *s)
{
	exit_synth_mmio(s, EXIT_SYNTH_TEST_GPA, true, 4, NULL);
}

static void fill_mmio_read(struct exit_synth *s)
{
	exit_synth_mmio(s, EXIT_SYNTH_TEST_GPA, false, 4, NULL);
}

static void fill_rdmsr(struct exit_synth *s)
{
	exit_synth_msr(s, false, 0x4b564dff, 0);
}

static void fill_intr(struct exit_synth *s)
{
	exit_synth_reason(s, KVM_EXIT_INTR);
}

static const struct kind kinds[] = {
	{ "empty", "the timed loop alone (subtracted from every other row)", B_EMPTY, 0, 0, false, NULL },
	{ "handler_read", "test_regs read called directly", B_READ, 0, 0, false, NULL },
	{ "handler_write", "test_regs write called directly", B_WRITE, 0, 0, false, NULL },
	{ "pio_out", "KVM_EXIT_IO out, 4 bytes, to the test registers", B_EXIT, 0, 1, false, fill_pio_out },
	{ "pio_in", "KVM_EXIT_IO in, 4 bytes, from the test registers", B_EXIT, 1, 0, false, fill_pio_in },
	{ "pio_unhandled", "KVM_EXIT_IO out to a port with no device", B_EXIT, 0, 0, false, fill_pio_unhandled },
	{ "mmio_write", "KVM_EXIT_MMIO write, 4 bytes, to the test registers", B_EXIT, 0, 1, false, fill_mmio_write },
	{ "mmio_read", "KVM_EXIT_MMIO read, 4 bytes, from the test registers", B_EXIT, 1, 0, false, fill_mmio_read },
	{ "mmio_coalesced", "mmio_write with one coalesced write queued per exit", B_EXIT, 0, 2, true, fill_mmio_write },
	{ "rdmsr", "KVM_EXIT_X86_RDMSR (answered #GP)", B_EXIT, 0, 0, false, fill_rdmsr },
	{ "intr", "KVM_EXIT_INTR (nothing to do but count)", B_EXIT, 0, 0, false, fill_intr },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* Called through a volatile pointer so the compiler cannot fold the handler into the loop. */
static const struct bus_ops *volatile handler_ops = &test_regs_bus_ops;

static uint64_t dispatched;

static uint64_t time_batch(struct exit_synth *s, const struct kind *k, unsigned batch)
{
	uint64_t t0, t1, val = 0;
	const struct bus_ops *ops = handler_ops;

	if (k->fill)
		k->fill(s);
	if (k->coalesced)
		for (unsigned i = 0; i < batch; i++)
			exit_synth_coalesced_push(s, false, EXIT_SYNTH_COALESCED_GPA, 4, i);
	t0 = tsc_begin();
	switch (k->body) {
	case B_EMPTY:
		for (unsigned i = 0; i < batch; i++)
			asm volatile("" ::: "memory");
		break;
	case B_READ:
		for (unsigned i = 0; i < batch; i++)
			ops->read(&s->pio_regs, 0, &val, 4);
		break;
	case B_WRITE:
		for (unsigned i = 0; i < batch; i++)
			ops->write(&s->pio_regs, 0, &val, 4);
		break;
	case B_EXIT:
		for (unsigned i = 0; i < batch; i++)
			vcpu_handle_exit(s->v);
		break;
	}
	t1 = tsc_end();
	if (k->body == B_EXIT)
		dispatched += batch;
	return t1 - t0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: exit-dispatch [--samples N] [--batch B] [--kind NAME]... [--tsv] [--exit-timing]\n"
		"Cycles per exit of exitlab's exit loop body (vcpu_handle_exit) on synthetic\n"
		"exits, no KVM_RUN: each sample times B exits with a fenced TSC, the kinds\n"
		"interleaved; the empty loop's median is subtracted. 'handler' is the device\n"
		"handler alone, 'bookkeeping' the rest (median - handler).\n"
		"  --samples N  timed batches per kind (default 5000)\n"
		"  --batch B    exits per timed batch, 1..%d (default 32)\n"
		"  --kind NAME  only this kind (repeatable; empty and the handlers always run)\n"
		"  --tsv        tab-separated rows: kind median mad p1 p99 handler bookkeeping\n"
		"  --exit-timing time every handler, as 'exitlab run --exit-timing' does\n"
		"kinds:\n", MAX_BATCH);
	for (size_t i = 0; i < NKINDS; i++)
		fprintf(f, "  %-15s %s\n", kinds[i].name, kinds[i].what);
}

static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "samples", required_argument, NULL, 's' },
		{ "batch", required_argument, NULL, 'b' },
		{ "kind", required_argument, NULL, 'k' },
		{ "tsv", no_argument, NULL, 't' },
		{ "exit-timing", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long samples = 5000, batch = 32;
	bool on[NKINDS] = { false }, any = false, tsv = false, timing = false;
	struct exit_synth s;
	double *raw[NKINDS] = { 0 }, *per_exit;
	struct sample_stats st[NKINDS];
	char err[256];
	int c;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_uint(optarg, 1, 100000000, &samples)) {
				fprintf(stderr, "exit-dispatch: --samples takes 1..100000000, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'b':
			if (parse_uint(optarg, 1, MAX_BATCH, &batch)) {
				fprintf(stderr, "exit-dispatch: --batch takes 1..%d, not '%s'\n", MAX_BATCH, optarg);
				return 2;
			}
			break;
		case 'k': {
			size_t i;

			for (i = 0; i < NKINDS && strcmp(kinds[i].name, optarg); i++)
				;
			if (i == NKINDS) {
				fprintf(stderr, "exit-dispatch: unknown kind '%s'\n", optarg);
				usage(stderr);
				return 2;
			}
			on[i] = any = true;
			break;
		}
		case 't':
			tsv = true;
			break;
		case 'T':
			timing = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "exit-dispatch: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	for (size_t i = 0; i < NKINDS; i++)
		on[i] = !any || on[i] || kinds[i].body != B_EXIT;

	if (exit_synth_init(&s, true, err, sizeof(err))) {
		fprintf(stderr, "exit-dispatch: %s\n", err);
		return 1;
	}
	s.v->exit_timing = timing;
	per_exit = malloc(samples * sizeof(double));
	for (size_t i = 0; i < NKINDS; i++)
		if (on[i])
			raw[i] = malloc(samples * sizeof(double));
	if (!per_exit) {
		fprintf(stderr, "exit-dispatch: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < NKINDS; i++)
		if (on[i] && !raw[i]) {
			fprintf(stderr, "exit-dispatch: out of memory\n");
			return 1;
		}

	/* Warm caches and predictors, then the timed samples, kinds interleaved. */
	for (unsigned w = 0; w < 200; w++)
		for (size_t i = 0; i < NKINDS; i++)
			if (on[i])
				time_batch(&s, &kinds[i], batch);
	for (unsigned long n = 0; n < samples; n++)
		for (size_t i = 0; i < NKINDS; i++)
			if (on[i])
				raw[i][n] = (double)time_batch(&s, &kinds[i], batch);

	for (size_t i = 0; i < NKINDS; i++) {
		if (!on[i])
			continue;
		if (stats_compute(raw[i], samples, &st[i])) {
			fprintf(stderr, "exit-dispatch: out of memory\n");
			return 1;
		}
	}
	/* Per exit: (batch - the empty batch's median) / B. */
	for (size_t i = 0; i < NKINDS; i++) {
		if (!on[i] || i == 0)
			continue;
		for (unsigned long n = 0; n < samples; n++)
			per_exit[n] = (raw[i][n] - st[0].median) / batch;
		stats_compute(per_exit, samples, &st[i]);
	}
	if (s.v->vm->stopping) {
		fprintf(stderr, "exit-dispatch: the loop stopped the VM: %s\n", s.vm.stop_reason);
		return 1;
	}
	if (!tsv)
		printf("exit-dispatch: %lu samples x %lu exits per kind, cycles per exit (fenced TSC, "
		       "empty loop %.0f cycles per batch subtracted), exit timing %s, exitlab %s\n"
		       "%-15s %9s %7s %9s %9s %9s %12s\n",
		       samples, batch, st[0].median, timing ? "on" : "off", exitlab_revision,
		       "kind", "median", "MAD", "p1", "p99", "handler", "bookkeeping");
	for (size_t i = 1; i < NKINDS; i++) {
		const struct kind *k = &kinds[i];
		double h = k->hreads * st[1].median + k->hwrites * st[2].median;

		if (!on[i])
			continue;
		if (k->body != B_EXIT)
			printf(tsv ? "%s\t%.2f\t%.2f\t%.2f\t%.2f\t\t\n" : "%-15s %9.1f %7.1f %9.1f %9.1f\n",
			       k->name, st[i].median, st[i].mad, st[i].p1, st[i].p99);
		else
			printf(tsv ? "%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\n"
				   : "%-15s %9.1f %7.1f %9.1f %9.1f %9.1f %12.1f\n",
			       k->name, st[i].median, st[i].mad, st[i].p1, st[i].p99, h, st[i].median - h);
	}
	if (!tsv)
		printf("exits dispatched: %llu (warm-up included)\n", (unsigned long long)dispatched);
	for (size_t i = 0; i < NKINDS; i++)
		free(raw[i]);
	free(per_exit);
	exit_synth_destroy(&s);
	return 0;
}
