// SPDX-License-Identifier: MIT
/*
 * mem-walk: the price of the two-dimensional page walk (or of shadow paging).
 * A dependent pointer chase, one load per 4 KiB page in one random cycle
 * (include/exitlab/chase.h), over working sets from 4 KiB up, through a
 * window mapped with 4 KiB, 2 MiB or 1 GiB guest pages; the host page size
 * backing guest RAM is the VMM's --backing. Once the set outgrows the TLB's
 * reach every load is a TLB miss, and each miss walks the guest tables and,
 * under EPT/NPT, the host's for each guest level. The host-native twin
 * (run/native_chase.c) walks the same chain in `exitlab run` for the
 * ratio. Everything that loops runs at CPL3 (natively, even on PVM).
 *
 * params: sizes=4k,64k,1m (default: powers of 4 up to 16m in --quick, 4g
 *         otherwise), guest_page=4k,2m,1g|all (default all the CPU has)
 * A requested set that does not fit, or 1 GiB pages the CPU lacks, is
 * skipped with the fix in its reason, and the run ends with exit code 3.
 */
#include "guest_bench.h"
#include "exitlab/chase.h"
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
PAYLOAD_INFO("mem-walk", "the two-dimensional page walk (or shadow paging): a pointer chase by working set");
TEST("empty", R3, "the loop overhead", EXITS(0, 0), .d.flags = CATALOGUE_TF_OVERHEAD);
TEST("chase", R3, "one dependent load per 4 KiB page over the working set");
PARAM("sizes", "", "a list of working sets (default: powers of 4 up to 16m with --quick, 4g)");
PARAM("guest_page", "all", "a list of 4k, 2m, 1g guest page sizes, or all the CPU has");

#define STEPS_PER_SAMPLE 256      /* loads per TSC-fenced sample: the fences are amortised */
#define SAMPLES_CAP (1ull << 16)
#define SAMPLES_MIN 16
#define MAX_SIZES 16
#define MiB (1ull << 20)
#define GiB (1ull << 30)

struct walk {
	const struct boot_info *bi;
	uint64_t ws, npages, map_len, data_gpa, tables_gpa;
	unsigned shift;
	uint32_t *next;
	uint64_t *samples, nsamples;
	uintptr_t end;
	uint64_t steps;           /* loads done from node 0, warm-up included */
	int verified;
	int overhead;             /* the empty sample: fence overhead */
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

enum { RUN_OK = 0, RUN_FAILED = 1, RUN_LACKS = 2 };

/* Tables, the cycle and the links, at CPL3. */
static long build(void *arg)
{
	struct walk *w = arg;

	if (paging_window_build(w->data_gpa, w->map_len, w->shift, w->tables_gpa))
		return -1;
	return 0;
}

static long link(void *arg)
{
	struct walk *w = arg;

	chase_cycle(w->next, w->npages, CHASE_SEED);
	chase_link(PAGING_WINDOW_VA, w->next, w->npages);
	w->verified = chase_verify(PAGING_WINDOW_VA, w->npages);
	return 0;
}

static uint64_t pick_n(struct walk *w, uintptr_t *p)
{
	uint64_t best = UINT64_MAX, n;

	if (w->bi->iterations)
		return w->bi->iterations < SAMPLES_CAP ? w->bi->iterations : SAMPLES_CAP;
	for (int k = 0; k < 2; k++) {
		uint64_t t0 = rdtsc();

		*p = chase_walk(*p, 4 * STEPS_PER_SAMPLE);
		t0 = rdtsc() - t0;
		w->steps += 4 * STEPS_PER_SAMPLE;
		if (t0 < best)
			best = t0;
	}
	n = w->bi->time_goal_cycles / (best / 4 + 1);
	if (n < SAMPLES_MIN)
		n = SAMPLES_MIN;
	return n < SAMPLES_CAP ? n : SAMPLES_CAP;
}

/* Warm-up, calibration, the timed phase: all at CPL3. */
static long measure(void *arg)
{
	struct walk *w = arg;
	uintptr_t p = chase_node(PAGING_WINDOW_VA, 0);
	uint64_t n;

	if (w->overhead) {
		n = 4096;
		bench_phase_begin();
		for (uint64_t i = 0; i < n; i++) {
			uint64_t t0 = tsc_begin();

			w->samples[i] = tsc_end() - t0;
		}
		bench_phase_end(n, w->samples, n, 1);
		w->nsamples = n;
		return 0;
	}
	/* One full pass: TLB and caches as warm as the working set allows. */
	p = chase_walk(p, w->npages > STEPS_PER_SAMPLE ? w->npages : STEPS_PER_SAMPLE);
	w->steps += w->npages > STEPS_PER_SAMPLE ? w->npages : STEPS_PER_SAMPLE;
	n = pick_n(w, &p);
	for (uint64_t i = 0; i < n; i += 512)
		w->samples[i] = 0; /* no first touch inside the phase */
	bench_phase_begin();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();

		p = chase_walk(p, STEPS_PER_SAMPLE);
		w->samples[i] = tsc_end() - t0;
	}
	bench_phase_end(n * STEPS_PER_SAMPLE, w->samples, n, STEPS_PER_SAMPLE);
	w->steps += n * STEPS_PER_SAMPLE;
	w->nsamples = n;
	w->end = p;
	return 0;
}

/* Where the walk must end: the cycle followed (steps mod npages) times, from the array. */
static uintptr_t expected_end(const struct walk *w)
{
	uint64_t i = 0, k = w->steps % w->npages;

	while (k--)
		i = w->next[i];
	return chase_node(PAGING_WINDOW_VA, i);
}

static const char *page_name(unsigned shift)
{
	return shift == 12 ? "4k" : shift == 21 ? "2m" : "1g";
}

static const char *host_page_name(uint32_t bytes)
{
	return bytes == 4096 ? "4k" : bytes == 2 * MiB ? "2m" : bytes == GiB ? "1g" : "unknown";
}

/* A guest-physical place for the set: low free RAM after the scratch, else high RAM. */
static int place(struct walk *w, uint64_t scratch_end)
{
	const struct boot_info *bi = w->bi;
	uint64_t page = 1ull << w->shift, lo = align_up(scratch_end, page);

	if (lo < bi->free_end && bi->free_end - lo >= w->map_len) {
		w->data_gpa = lo;
		return 0;
	}
	if (bi->high_mem_size) {
		uint64_t hi = align_up(bi->high_mem_start, page);

		if (hi - bi->high_mem_start < bi->high_mem_size &&
		    bi->high_mem_start + bi->high_mem_size - hi >= w->map_len) {
			w->data_gpa = hi;
			return 0;
		}
	}
	return -1;
}

static int run_one(const struct boot_info *bi, uint64_t ws, unsigned shift, uint64_t scratch_gpa,
		   uint64_t scratch_end, uint64_t *samples, uint32_t *next)
{
	struct walk w = { .bi = bi, .ws = ws, .shift = shift, .samples = samples, .next = next };
	char params[BENCH_KV_MAX], metrics[BENCH_KV_MAX], reason[BENCH_REASON_MAX];

	w.npages = ws / CHASE_STRIDE;
	w.map_len = align_up(ws, 1ull << shift);
	w.tables_gpa = scratch_gpa;
	format_snprintf(params, sizeof(params), "working_set=%llu guest_page=%s host_page=%s pages=%llu",
			(unsigned long long)ws, page_name(shift), host_page_name(bi->host_page_size),
			(unsigned long long)w.npages);
	if (!bench_test_begin_kv("chase", 3, 0, params))
		return 0;
	if (shift == 30 && !(cpuid(0x80000001, 0).d & (1u << 26))) {
		bench_test_end(BENCH_STATUS_SKIPPED, "no 1 GiB pages (CPUID pdpe1gb)");
		return RUN_LACKS;
	}
	if (place(&w, scratch_end)) {
		/* What low RAM would need for this set: the scratch sized for it, then the set. */
		uint64_t need = align_up(bi->free_start, 4096) + SAMPLES_CAP * sizeof(uint64_t);

		need = align_up(need + w.npages * sizeof(uint32_t), 4096) + paging_window_table_bytes(ws, 12);
		need = align_up(need, 1ull << shift) + w.map_len;
		format_snprintf(reason, sizeof(reason),
				"working set does not fit: needs --mem >= %llu MiB",
				(unsigned long long)((need + MiB - 1) / MiB));
		bench_test_end(BENCH_STATUS_SKIPPED, reason);
		return RUN_LACKS;
	}
	((uint64_t *)BOOT_PGTABLE_GPA)[1] = 0; /* unhook the last window before rewriting it */
	paging_window_flush();
	if (run_at_cpl3(build, &w)) {
		bench_test_end(BENCH_STATUS_FAILED, "could not build the window's page tables");
		return RUN_FAILED;
	}
	paging_window_flush();
	run_at_cpl3(link, &w);
	if (!w.verified) {
		bench_test_end(BENCH_STATUS_FAILED, "the chain is not one cycle through every page");
		return RUN_FAILED;
	}
	run_at_cpl3(measure, &w);
	format_snprintf(metrics, sizeof(metrics), "accesses=%llu data_gpa=0x%llx verified=1",
			(unsigned long long)(w.nsamples * STEPS_PER_SAMPLE),
			(unsigned long long)w.data_gpa);
	if (w.end != expected_end(&w)) {
		bench_test_end_kv(BENCH_STATUS_FAILED, "the walk did not end where the chain says", metrics);
		return RUN_FAILED;
	}
	bench_test_end_kv(BENCH_STATUS_OK, NULL, metrics);
	return RUN_OK;
}

static int sizes_from_params(const struct boot_info *bi, uint64_t *sizes)
{
	char buf[192];
	int n;

	if (param_str(bi, "sizes", buf, sizeof(buf))) {
		n = param_parse_size_list(buf, sizes, MAX_SIZES);
		if (n <= 0)
			return -1;
		for (int i = 0; i < n; i++)
			if (sizes[i] < CHASE_STRIDE || sizes[i] % CHASE_STRIDE)
				return -1;
		return n;
	}
	n = 0;
	for (uint64_t s = 4096; s <= ((bi->flags & BOOT_F_QUICK) ? 16 * MiB : 4 * GiB) && n < MAX_SIZES; s *= 4)
		sizes[n++] = s;
	return n;
}

static int pages_from_params(const struct boot_info *bi, unsigned *shifts)
{
	char buf[64];
	int n = 0;

	if (!param_str(bi, "guest_page", buf, sizeof(buf)) || !strcmp(buf, "all")) {
		shifts[n++] = 12;
		shifts[n++] = 21;
		if (cpuid(0x80000001, 0).d & (1u << 26))
			shifts[n++] = 30;
		return n;
	}
	for (char *p = buf; *p;) {
		char *end = p;

		while (*end && *end != ',')
			end++;
		if (end - p == 2 && !memcmp(p, "4k", 2))
			shifts[n++] = 12;
		else if (end - p == 2 && !memcmp(p, "2m", 2))
			shifts[n++] = 21;
		else if (end - p == 2 && !memcmp(p, "1g", 2))
			shifts[n++] = 30;
		else
			return -1;
		p = *end ? end + 1 : end;
		if (n == 3)
			break;
	}
	return n;
}

int payload_main(const struct boot_info *bi)
{
	uint64_t sizes[MAX_SIZES], max_ws = 0, scratch, *samples, tables;
	unsigned shifts[3];
	uint32_t *next;
	int nsizes, npages, failed = 0, lacks = 0;
	struct walk ovh = { .bi = bi, .overhead = 1 };

	bench_hello("mem-walk");
	nsizes = sizes_from_params(bi, sizes);
	npages = pages_from_params(bi, shifts);
	if (nsizes < 0 || npages <= 0) {
		bench_log("mem-walk: bad params: sizes=LIST of multiples of 4k (k/m/g suffixes), "
			  "guest_page=4k,2m,1g|all");
		return BENCH_DONE_FAILED;
	}
	for (int i = 0; i < nsizes; i++)
		if (sizes[i] > max_ws && sizes[i] <= bi->mem_size + bi->high_mem_size)
			max_ws = sizes[i];
	/* Scratch in low RAM: samples, the cycle array, the window's tables. */
	samples = (uint64_t *)align_up(bi->free_start, 4096);
	next = (uint32_t *)align_up((uint64_t)(samples + SAMPLES_CAP), 4096);
	tables = align_up((uint64_t)next + (max_ws / CHASE_STRIDE) * sizeof(uint32_t), 4096);
	scratch = tables + paging_window_table_bytes(max_ws ? max_ws : 4096, 12);
	if (scratch >= bi->free_end) {
		bench_log("mem-walk: guest RAM too small for the scratch area; raise --mem");
		return 1;
	}

	/* The fence overhead that the VMM subtracts from every sample (then ÷ loads per sample). */
	ovh.samples = samples;
	if (bench_test_begin("empty", 3, BENCH_TF_OVERHEAD)) {
		run_at_cpl3(measure, &ovh);
		bench_test_end(BENCH_STATUS_OK, NULL);
	}
	for (int p = 0; p < npages; p++)
		for (int i = 0; i < nsizes; i++) {
			int rc = run_one(bi, sizes[i], shifts[p], tables, scratch, samples, next);

			failed += rc == RUN_FAILED;
			lacks += rc == RUN_LACKS;
		}
	((uint64_t *)BOOT_PGTABLE_GPA)[1] = 0;
	paging_window_flush();
	/* Asked for something the VM cannot give: exit code 3, the skip reasons say what. */
	return failed ? BENCH_DONE_FAILED : lacks ? BENCH_DONE_HOST_LACKS : BENCH_DONE_OK;
}
