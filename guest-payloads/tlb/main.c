// SPDX-License-Identifier: MIT
/*
 * tlb: what exits and flushes do to the guest's TLB.
 *  refill   touch N pages, take one exit (or none), time a second pass over
 *           the same N pages: with VPID/ASID tagging the exit costs the pass
 *           nothing; without it the pass refills the TLB (CPL3).
 *  invlpg   INVLPG of one page, and flush: a CR3 reload (CPL0: on PVM
 *           instruction-emulated, and under shadow paging both exit).
 *  cr3_switch  a switch to another address space and back, plain (each
 *           flushes) and with PCIDs and the no-flush bit (CPL0).
 * params: n=8,64,512,4096 (pages; default 8..4096, fewer with --quick),
 *         exit=none,pio,cpuid (default all three; pio is the ioeventfd port:
 *         on PVM cpuid at CPL3 does not exit)
 * Each test has one ring (refill CPL3, the others CPL0) and runs only when
 * that ring is in bi->ring_mask (--ring).
 */
#include <stdbool.h>

#include "guest_bench.h"
#include "format.h"
#include "paging.h"
#include "params.h"
#include "ring.h"
#include "runtime.h"
#include "string.h"
#include "timing.h"
#include "x86.h"
#include "guest_catalogue.h"

/* The catalogue (catalogue.h): what `exitlab list` shows and the host checks. */
PAYLOAD_INFO("tlb", "what exits and flushes do to the guest's TLB (VPID/ASID, PCID)");
TEST("empty", R03, "the loop overhead of the ring", EXITS(0, 0), .d.flags = CATALOGUE_TF_OVERHEAD);
TEST("refill", R3, "a pass over n pages after one exit (or none): the TLB refill it caused");
TEST("invlpg", R0, "INVLPG of one page");
TEST("flush", R0, "a CR3 reload (full TLB flush)");
TEST("cr3_switch", R0, "a switch to another address space and back, pcid=0 and pcid=1");
PARAM("n", "", "a list of page counts (default 8,64,512,4096; fewer with --quick)");
PARAM("exit", "none,pio,cpuid", "a list of the exits refill takes between passes");

#define MAX_N 4096
#define SAMPLES_CAP 4096

enum exit_kind { EXIT_NONE, EXIT_PIO, EXIT_CPUID };
static const char *const exit_names[] = { "none", "pio", "cpuid" };

struct tlb_run {
	const struct boot_info *bi;
	uint64_t n, nsamples, ops, *samples;
	enum exit_kind exit;
	volatile uint64_t sink;
};

static inline void pass(uint64_t n)
{
	volatile uint8_t *base = (volatile uint8_t *)PAGING_WINDOW_VA;
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++)
		s += base[i * 4096 + ((i * 64) & 4095)];
	asm volatile("" : : "r"(s));
}

static long refill(void *arg)
{
	struct tlb_run *r = arg;
	uint16_t port = r->bi->ioevent_port;

	pass(r->n);
	for (uint64_t i = 0; i < r->nsamples; i += 512)
		r->samples[i] = 0;
	bench_phase_begin();
	for (uint64_t i = 0; i < r->nsamples; i++) {
		uint64_t t0;

		pass(r->n); /* the TLB holds the set (as far as it can) */
		if (r->exit == EXIT_PIO)
			outl(port, 0);
		else if (r->exit == EXIT_CPUID)
			cpuid(0, 0);
		t0 = tsc_begin();
		pass(r->n);
		r->samples[i] = tsc_end() - t0;
	}
	bench_phase_end(r->nsamples * r->n, r->samples, r->nsamples, r->n);
	return 0;
}

static long empty(void *arg)
{
	struct tlb_run *r = arg;

	bench_phase_begin();
	for (uint64_t i = 0; i < r->nsamples; i++) {
		uint64_t t0 = tsc_begin();

		r->samples[i] = tsc_end() - t0;
	}
	bench_phase_end(r->nsamples, r->samples, r->nsamples, 1);
	return 0;
}

static long flushes(void *arg)
{
	struct tlb_run *r = arg;

	bench_phase_begin();
	for (uint64_t i = 0; i < r->nsamples; i++) {
		uint64_t t0 = tsc_begin();

		if (r->exit == EXIT_NONE) /* reused: NONE = invlpg, else CR3 reload */
			asm volatile("invlpg (%0)" : : "r"(PAGING_WINDOW_VA) : "memory");
		else
			write_cr3(read_cr3());
		r->samples[i] = tsc_end() - t0;
	}
	bench_phase_end(r->nsamples, r->samples, r->nsamples, 1);
	return 0;
}

#define CR4_PCIDE (1ull << 17)
#define CR3_NOFLUSH (1ull << 63)

/* Two address spaces: the boot PML4 and a copy of it (same mappings, another CR3). */
struct cr3_pair {
	struct tlb_run *r;
	uint64_t a, b;
	bool pcid;
};

static long copy_pml4(void *arg)
{
	struct cr3_pair *c = arg;

	memcpy((void *)c->b, (void *)c->a, 4096);
	return 0;
}

/* CPL0: one sample = a switch to B and back to A; with PCIDs and the no-flush bit, or plain. */
static long cr3_switch(void *arg)
{
	struct cr3_pair *c = arg;
	struct tlb_run *r = c->r;
	uint64_t a = c->a, b = c->b;

	if (c->pcid) {
		write_cr4(read_cr4() | CR4_PCIDE); /* CR3 has PCID 0 now, as PCIDE requires */
		a |= CR3_NOFLUSH;
		b |= 1 | CR3_NOFLUSH;
	}
	bench_phase_begin();
	for (uint64_t i = 0; i < r->nsamples; i++) {
		uint64_t t0 = tsc_begin();

		write_cr3(b);
		write_cr3(a);
		r->samples[i] = tsc_end() - t0;
	}
	bench_phase_end(r->nsamples, r->samples, r->nsamples, 1);
	if (c->pcid) {
		write_cr3(c->a); /* PCID 0, flushing: then PCIDE may go */
		write_cr4(read_cr4() & ~CR4_PCIDE);
	}
	return 0;
}

static struct cr3_pair cr3_ctx;

static long cr3_switch_test(void *arg)
{
	(void)arg;
	return cr3_switch(&cr3_ctx);
}

/* Whether the comma-separated list has word w. */
static bool has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; *p;) {
		const char *end = p;

		while (*end && *end != ',')
			end++;
		if ((size_t)(end - p) == n && !memcmp(p, w, n))
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

struct map_args {
	uint64_t data, tables;
};

/* Page tables written at CPL3: on PVM every CPL0 instruction is emulated. */
static long map_pages(void *arg)
{
	struct map_args *m = arg;

	return paging_window_build(m->data, MAX_N * 4096ull, 12, m->tables);
}

/* Whether the user asked for ring (--ring): a test of another ring is not run at all. */
static bool ring_wanted(const struct boot_info *bi, unsigned ring)
{
	return bi->ring_mask & (ring ? BOOT_RING3 : BOOT_RING0);
}

/* One test at ring; a fault in it (e.g. an instruction the host cannot run) skips it. */
static int one(struct tlb_run *r, const char *name, unsigned ring, uint32_t flags, const char *params,
	       ring_fn fn)
{
	char reason[BENCH_REASON_MAX], metrics[BENCH_KV_MAX];

	if (!ring_wanted(r->bi, ring) || !bench_test_begin_kv(name, ring, flags, params))
		return 0;
	if (r->exit == EXIT_PIO && fn == refill && !r->bi->ioevent_port) {
		bench_test_end(BENCH_STATUS_SKIPPED, "the VMM has no ioeventfd port");
		return 0;
	}
	ring_fault.vector = -1;
	ring_catch = 1;
	run_at_ring(ring, fn, r);
	ring_catch = 0;
	if (ring_fault.vector >= 0) {
		format_snprintf(reason, sizeof(reason), "vector %ld at rip 0x%lx: not supported here",
				ring_fault.vector, ring_fault.rip);
		bench_test_end(BENCH_STATUS_SKIPPED, reason);
		return 0;
	}
	format_snprintf(metrics, sizeof(metrics), "samples=%llu", (unsigned long long)r->nsamples);
	bench_test_end_kv(BENCH_STATUS_OK, NULL, metrics);
	return 0;
}

int payload_main(const struct boot_info *bi)
{
	bool quick = bi->flags & BOOT_F_QUICK;
	uint64_t ns[16], scratch, data;
	int nn, nexits = 3, failed = 0;
	bool want[3] = { true, true, true };
	struct tlb_run r = { .bi = bi };
	char buf[64], params[BENCH_KV_MAX];

	bench_hello("tlb");
	if (param_str(bi, "n", buf, sizeof(buf))) {
		nn = param_parse_size_list(buf, ns, 16);
	} else {
		nn = 0;
		for (uint64_t n = 8; n <= MAX_N; n *= quick ? 8 : 2)
			ns[nn++] = n;
	}
	if (param_str(bi, "exit", buf, sizeof(buf))) {
		want[0] = has_word(buf, "none");
		want[1] = has_word(buf, "pio");
		want[2] = has_word(buf, "cpuid");
	}
	for (int i = 0; i < nn; i++)
		if (nn < 0 || !ns[i] || ns[i] > MAX_N)
			nn = -1;
	if (nn <= 0 || !(want[0] || want[1] || want[2])) {
		bench_log("tlb: bad params: n=LIST of 1..4096 pages, exit=none,pio,cpuid");
		return BENCH_DONE_FAILED;
	}
	/* Scratch: samples, the window's tables, then the pages (4 KiB guest pages). */
	r.samples = (uint64_t *)((bi->free_start + 4095) & ~4095ull);
	scratch = (uint64_t)(r.samples + SAMPLES_CAP);
	data = (scratch + paging_window_table_bytes(MAX_N * 4096ull, 12) + (2ull << 20) - 1) & ~((2ull << 20) - 1);
	if (data + MAX_N * 4096ull + 4096 > bi->free_end) {
		bench_log("tlb: guest RAM too small: raise --mem");
		return BENCH_DONE_HOST_LACKS;
	}
	((uint64_t *)BOOT_PGTABLE_GPA)[1] = 0;
	paging_window_flush();
	struct map_args m = { data, scratch };

	if (run_at_cpl3(map_pages, &m)) {
		bench_log("tlb: could not map the test pages");
		return BENCH_DONE_FAILED;
	}
	paging_window_flush();

	r.nsamples = quick ? 256 : SAMPLES_CAP;
	r.exit = EXIT_NONE;
	one(&r, "empty", 3, BENCH_TF_OVERHEAD, NULL, empty);
	for (int e = 0; e < nexits; e++) {
		if (!want[e])
			continue;
		for (int i = 0; i < nn; i++) {
			r.n = ns[i];
			r.exit = (enum exit_kind)e;
			r.nsamples = quick ? 64 : 512;
			format_snprintf(params, sizeof(params), "n=%llu exit=%s", (unsigned long long)r.n,
					exit_names[e]);
			failed += one(&r, "refill", 3, 0, params, refill);
		}
	}
	/* CPL0: emulated on PVM (each instruction ~0.6 us), so few samples there. */
	r.nsamples = (bi->flags & BOOT_F_PVM) || quick ? 64 : 1024;
	r.exit = EXIT_NONE;
	one(&r, "empty", 0, BENCH_TF_OVERHEAD, NULL, empty);
	one(&r, "invlpg", 0, 0, "pages=1", flushes);
	r.exit = EXIT_PIO;
	one(&r, "flush", 0, 0, "how=cr3_reload", flushes);

	/* Address-space switches: plain (each flushes the TLB) and with PCIDs (no flush). */
	cr3_ctx.r = &r;
	cr3_ctx.a = BOOT_PGTABLE_GPA;
	cr3_ctx.b = data + MAX_N * 4096ull; /* a free page after the test pages */
	run_at_cpl3(copy_pml4, &cr3_ctx);
	cr3_ctx.pcid = false;
	one(&r, "cr3_switch", 0, 0, "pcid=0", cr3_switch_test);
	cr3_ctx.pcid = true;
	if (!(cpuid(1, 0).c & (1u << 17))) {
		if (ring_wanted(bi, 0) && bench_test_begin_kv("cr3_switch", 0, 0, "pcid=1"))
			bench_test_end(BENCH_STATUS_SKIPPED, "no PCID in CPUID");
	} else {
		one(&r, "cr3_switch", 0, 0, "pcid=1", cr3_switch_test);
	}
	((uint64_t *)BOOT_PGTABLE_GPA)[1] = 0;
	paging_window_flush();
	return failed ? BENCH_DONE_FAILED : BENCH_DONE_OK;
}
