// SPDX-License-Identifier: MIT
/*
 * mem-fault: what a first touch of guest memory costs (EPT violation, NPT
 * fault, or shadow-paging fault, plus the host's own page fault), per 4 KiB
 * page and per 2 MiB region, against touching a page already present; and
 * what a write costs while KVM logs dirty pages (write protection). The pages
 * are made fresh again before each phase by asking the VMM to discard them
 * (BENCH_REQ_DISCARD), so the figures repeat. Timed at CPL3.
 *
 * params: pages=N (4 KiB pages per test; default 256 in --quick, 4096),
 *         regions=N (2 MiB regions; default 8 in --quick, 64)
 * Dirty logging needs RAM above 4 GiB (its own KVM slot): --mem > 3072.
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
PAYLOAD_INFO("mem-fault", "the first touch of guest memory against a touch of a present page");
TEST("empty", R3, "the loop overhead", EXITS(0, 0), .d.flags = CATALOGUE_TF_OVERHEAD);
TEST("first_touch_4k", R3, "first write to a fresh 4 KiB page");
TEST("present_4k", R3, "write to a 4 KiB page already present");
TEST("first_touch_2m", R3, "first write to a fresh 2 MiB region");
TEST("dirty_log_write_4k", R3, "first write to a 4 KiB page while KVM logs dirty pages");
PARAM("pages", "", "4 KiB pages per test (default 256 with --quick, 4096)");
PARAM("regions", "", "2 MiB regions per test (default 8 with --quick, 64)");

#define MiB (1ull << 20)

enum touch_kind { TOUCH_EMPTY, TOUCH_FRESH, TOUCH_PRESENT };

struct fault_run {
	uint64_t *samples;
	uint64_t n, stride;
	enum touch_kind kind;
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* One write per page (or region) through the window, each timed alone. */
static long touch(void *arg)
{
	struct fault_run *r = arg;
	volatile uint8_t *base = (volatile uint8_t *)PAGING_WINDOW_VA;

	if (r->kind == TOUCH_PRESENT)
		for (uint64_t i = 0; i < r->n; i++)
			base[i * r->stride] = 1; /* make them present: not timed */
	for (uint64_t i = 0; i < r->n; i += 512)
		r->samples[i] = 0;
	bench_phase_begin();
	for (uint64_t i = 0; i < r->n; i++) {
		uint64_t t0 = tsc_begin();

		if (r->kind != TOUCH_EMPTY)
			base[i * r->stride] = 2;
		r->samples[i] = tsc_end() - t0;
	}
	bench_phase_end(r->n, r->samples, r->n, 1);
	return 0;
}

struct region {
	uint64_t gpa, len, tables;
	unsigned shift;
};

static long build(void *arg)
{
	struct region *g = arg;

	return paging_window_build(g->gpa, g->len, g->shift, g->tables);
}

static int map(struct region *g)
{
	((uint64_t *)BOOT_PGTABLE_GPA)[1] = 0;
	paging_window_flush();
	if (run_at_cpl3(build, g))
		return -1;
	paging_window_flush();
	return 0;
}

/* One test: map, make fresh (or dirty-log), time n touches. 0 ok, 1 failed, 2 skipped. */
static int run_test(const struct boot_info *bi, const char *name, struct region *g, uint64_t n,
		    uint64_t stride, enum touch_kind kind, bool dirty_log, uint64_t *samples)
{
	char params[BENCH_KV_MAX], reason[BENCH_REASON_MAX], metrics[BENCH_KV_MAX];
	struct fault_run r = { .samples = samples, .n = n, .stride = stride, .kind = kind };
	int32_t rc;

	format_snprintf(params, sizeof(params), "touches=%llu guest_page=%s host_page=%s placement=%s",
			(unsigned long long)n, g->shift == 21 ? "2m" : "4k",
			bi->host_page_size == 4096 ? "4k" : bi->host_page_size == 2 * MiB ? "2m" :
			bi->host_page_size == 1024 * MiB ? "1g" : "unknown",
			g->gpa >= BOOT_HIGH_MEM_GPA ? "high" : "low");
	if (!bench_test_begin_kv(name, 3, 0, params))
		return 0;
	if (map(g)) {
		bench_test_end(BENCH_STATUS_FAILED, "could not map the test region");
		return 1;
	}
	/* Fresh pages: the host forgets them, so the next touch faults everywhere again. */
	rc = bench_request(BENCH_REQ_DISCARD, g->gpa, g->len);
	if (rc) {
		format_snprintf(reason, sizeof(reason), "the VMM cannot discard guest pages (%d)", rc);
		bench_test_end(BENCH_STATUS_SKIPPED, reason);
		return 2;
	}
	if (dirty_log) {
		/* present first, then logged: each first write after START is a write-protection fault */
		volatile uint8_t *base = (volatile uint8_t *)PAGING_WINDOW_VA;

		for (uint64_t i = 0; i < n; i++)
			base[i * stride] = 1;
		rc = bench_request(BENCH_REQ_DIRTY_LOG_START, g->gpa, g->len);
		if (rc) {
			format_snprintf(reason, sizeof(reason), "the VMM cannot log dirty pages here (%d)%s", rc,
					rc == -1 ? ": low RAM is refused, it needs RAM above 4 GiB (--mem > 3072)" : "");
			bench_test_end(BENCH_STATUS_SKIPPED, reason);
			return 2;
		}
		r.kind = TOUCH_FRESH; /* the pages are present: time the write alone */
	}
	run_at_cpl3(touch, &r);
	if (dirty_log)
		bench_request(BENCH_REQ_DIRTY_LOG_STOP, g->gpa, g->len);
	format_snprintf(metrics, sizeof(metrics), "touches=%llu bytes=%llu", (unsigned long long)n,
			(unsigned long long)(n * stride));
	bench_test_end_kv(BENCH_STATUS_OK, NULL, metrics);
	return 0;
}

int payload_main(const struct boot_info *bi)
{
	bool quick = bi->flags & BOOT_F_QUICK;
	uint64_t pages = param_size(bi, "pages", quick ? 256 : 4096);
	uint64_t regions = param_size(bi, "regions", quick ? 8 : 64);
	uint64_t *samples = (uint64_t *)align_up(bi->free_start, 4096), need4k, need2m, hp;
	struct region g4 = { .shift = 12 }, g2 = { .shift = 21 };
	uint64_t tables, lo;
	int failed = 0, lacks = 0, rc;

	bench_hello("mem-fault");
	if (!pages || pages > 65536 || !regions || regions > 4096) {
		bench_log("mem-fault: bad params: pages=1..65536 regions=1..4096");
		return BENCH_DONE_FAILED;
	}
	hp = bi->host_page_size ? bi->host_page_size : 4096;
	need4k = align_up(pages * 4096, hp);
	need2m = align_up(regions * (2 * MiB), hp > 2 * MiB ? hp : 2 * MiB);
	tables = align_up((uint64_t)(samples + 65536), 4096);
	g4.tables = g2.tables = tables;
	lo = align_up(tables + paging_window_table_bytes(need4k > need2m ? need4k : need2m, 12),
		      hp > 2 * MiB ? hp : 2 * MiB);
	/* RAM above 4 GiB when there is some (its own slot: dirty logging works), else low RAM. */
	if (bi->high_mem_size >= need4k + need2m) {
		g4.gpa = align_up(bi->high_mem_start, hp > 2 * MiB ? hp : 2 * MiB);
		g2.gpa = align_up(g4.gpa + need4k, hp > 2 * MiB ? hp : 2 * MiB);
	} else if (lo + need4k + need2m + 2 * MiB <= bi->free_end) {
		g4.gpa = lo;
		g2.gpa = align_up(lo + need4k, 2 * MiB);
	} else {
		bench_log("mem-fault: not enough guest RAM for %llu pages and %llu regions: raise --mem",
			  (unsigned long long)pages, (unsigned long long)regions);
		return BENCH_DONE_HOST_LACKS;
	}
	g4.len = need4k;
	g2.len = need2m;

	{
		struct fault_run e = { .samples = samples, .n = 4096, .stride = 0, .kind = TOUCH_EMPTY };

		if (bench_test_begin("empty", 3, BENCH_TF_OVERHEAD)) {
			g4.len = need4k;
			map(&g4);
			run_at_cpl3(touch, &e);
			bench_test_end(BENCH_STATUS_OK, NULL);
		}
	}
	rc = run_test(bi, "first_touch_4k", &g4, pages, 4096, TOUCH_FRESH, false, samples);
	failed += rc == 1;
	rc = run_test(bi, "present_4k", &g4, pages, 4096, TOUCH_PRESENT, false, samples);
	failed += rc == 1;
	rc = run_test(bi, "first_touch_2m", &g2, regions, 2 * MiB, TOUCH_FRESH, false, samples);
	failed += rc == 1;
	rc = run_test(bi, "dirty_log_write_4k", &g4, pages, 4096, TOUCH_FRESH, true, samples);
	failed += rc == 1;
	lacks += rc == 2 && g4.gpa < BOOT_HIGH_MEM_GPA;
	((uint64_t *)BOOT_PGTABLE_GPA)[1] = 0;
	paging_window_flush();
	(void)lacks; /* dirty logging in low RAM is refused by design: skipped, not an error */
	return failed ? BENCH_DONE_FAILED : BENCH_DONE_OK;
}
