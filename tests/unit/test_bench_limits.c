/* SPDX-License-Identifier: MIT */
/*
 * The bench device's limits against a hostile guest: a phase whose counts the
 * results cannot hold, and samples beyond the run's memory budget, fail their
 * test and nothing else; the rest of the run is kept and its results written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "devices/platform/bench.h"
#include "tests/unit/bench_fixture.h"
#include "run/collect.h"
#include "analysis/results.h"

#define RAM (2u << 20)
#define MAILBOX 0x10000
#define SAMPLES 0x20000

struct fake {
	struct guest_mem mem;
	struct bench_dev b;
	int stops;
	enum outcome last_code;
};

static void fake_stop(void *o, enum outcome code, const char *why)
{
	struct fake *f = o;

	(void)why;
	f->stops++;
	f->last_code = code;
}

static struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct bench_hooks h = { .opaque = f, .stop = fake_stop };

	assert_non_null(f);
	fixture_ram(&f->mem, RAM);
	assert_non_null(f->mem.host);
	bench_init(&f->b, &f->mem, MAILBOX, &h, NULL);
	return f;
}

static void fake_free(struct fake *f)
{
	bench_destroy(&f->b);
	free(f->mem.host);
	free(f);
}

static int send(struct fake *f, uint16_t cmd, const void *body, uint32_t len)
{
	mb_init((struct bench_mailbox *)(f->mem.host + MAILBOX), cmd, body, len);
	return bench_doorbell(&f->b, cmd);
}

/* One test through TEST_END(ok): the replies to PHASE_END and OVERHEAD. */
static void one_test(struct fake *f, const char *name, const struct bench_phase_end *pe,
		     const struct bench_overhead *ov, int *phase_reply, int *ovh_reply)
{
	struct bench_test_begin tb = { .ring = 3 };
	struct bench_test_end ok = { .status = BENCH_STATUS_OK };

	snprintf(tb.name, sizeof(tb.name), "%s", name);
	assert_int_equal(send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb)), BENCH_REPLY_RUN);
	assert_int_equal(send(f, BENCH_PHASE_BEGIN, NULL, 0), 0);
	*phase_reply = send(f, BENCH_PHASE_END, pe, sizeof(*pe));
	assert_true(f->b.sample_bytes <= f->b.sample_budget);
	*ovh_reply = ov ? send(f, BENCH_OVERHEAD, ov, sizeof(*ov)) : 0;
	assert_true(f->b.sample_bytes <= f->b.sample_budget);
	/* the guest did not look at the replies: it reports success */
	assert_int_equal(send(f, BENCH_TEST_END, &ok, sizeof(ok)), 0);
}

static void phase(struct bench_phase_end *pe, uint64_t nsamples, uint64_t ops)
{
	pe->samples_gpa = SAMPLES;
	pe->nsamples = nsamples;
	pe->ops_per_sample = ops;
	pe->iterations = nsamples * ops;
}

/* Collect the records and write the results file: it must succeed. */
static void write_results(struct fake *f, struct run_result *r)
{
	struct collect_ctx c = { .tsc_khz = 1e6 };
	char path[] = "/tmp/exitlab-bench-limits-XXXXXX", err[256] = "";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	memset(r, 0, sizeof(*r));
	assert_int_equal(collect_records(&c, &f->b, r), 0);
	if (results_write_json(r, path, err, sizeof(err)))
		fail_msg("results not written: %s", err);
	unlink(path);
}

/*
 * iterations or ops per sample of 2^63: the int64 of the results cannot
 * hold them. Refused at PHASE_END, that test failed, the others kept.
 */
static void test_iterations_beyond_results(void **state)
{
	struct fake *f = fake_new();
	struct bench_phase_end huge_ops, huge_it, edge, over, good;
	struct bench_overhead ov = { .samples_gpa = SAMPLES, .nbefore = 4, .nafter = 4 };
	struct bench_done done = { .status = 0 };
	struct run_result r;
	int pr, orp;
	(void)state;

	phase(&huge_ops, 1, 1ULL << 63);     /* ops_per_sample 2^63 */
	phase(&huge_it, 2048, 1ULL << 52);  /* iterations 2^63 */
	phase(&edge, 1, BENCH_MAX_ITERATIONS); /* the largest accepted */
	phase(&over, 1, BENCH_MAX_ITERATIONS + 1);
	phase(&good, 8, 1);

	one_test(f, "ops", &huge_ops, &ov, &pr, &orp);
	assert_int_equal(pr, BENCH_REPLY_REJECTED);
	assert_int_equal(orp, BENCH_REPLY_REJECTED); /* its overhead is not taken either */
	one_test(f, "iters", &huge_it, NULL, &pr, &orp);
	assert_int_equal(pr, BENCH_REPLY_REJECTED);
	one_test(f, "edge", &edge, NULL, &pr, &orp);
	assert_int_equal(pr, BENCH_REPLY_OK);
	one_test(f, "over", &over, NULL, &pr, &orp);
	assert_int_equal(pr, BENCH_REPLY_REJECTED);
	one_test(f, "good", &good, &ov, &pr, &orp);
	assert_int_equal(pr, BENCH_REPLY_OK);
	assert_int_equal(orp, BENCH_REPLY_OK);
	assert_int_equal(f->stops, 0); /* not a protocol violation: the run went on */
	assert_int_equal(send(f, BENCH_DONE, &done, sizeof(done)), 0);
	assert_int_equal(f->last_code, OUTCOME_OK);

	assert_int_equal(f->b.nrecs, 5);
	assert_int_equal(f->b.recs[0].status, BENCH_STATUS_FAILED);
	assert_false(f->b.recs[0].has_phase);
	assert_non_null(strstr(f->b.recs[0].reason, "ops per sample"));
	assert_non_null(strstr(f->b.recs[0].reason, "9007199254740991"));
	assert_int_equal(f->b.recs[1].status, BENCH_STATUS_FAILED);
	assert_non_null(strstr(f->b.recs[1].reason, "iterations"));
	assert_int_equal(f->b.recs[2].status, BENCH_STATUS_OK);
	assert_int_equal(f->b.recs[3].status, BENCH_STATUS_FAILED);
	assert_int_equal(f->b.recs[4].status, BENCH_STATUS_OK);
	assert_int_equal(f->b.recs[4].nsamples, 8);

	write_results(f, &r);
	assert_int_equal(r.ntests, 5);
	assert_int_equal(r.tests[0].status, TEST_FAILED);
	assert_non_null(strstr(r.tests[0].reason, "ops per sample"));
	assert_int_equal(r.tests[1].status, TEST_FAILED);
	assert_int_equal(r.tests[2].status, TEST_OK);
	assert_int_equal(r.tests[2].iterations, BENCH_MAX_ITERATIONS);
	assert_int_equal(r.tests[4].status, TEST_OK);
	assert_int_equal(r.tests[4].iterations, 8);
	results_free(&r);
	fake_free(f);
}

/* The budget: the larger of the fixed floor and the guest's RAM, low and high. */
static void test_sample_budget_default(void **state)
{
	struct bench_hooks h = { 0 };
	struct guest_mem small = { .size = 128u << 20, .memfd = -1 };
	struct guest_mem big = { .size = 3ULL << 30, .high_size = 1ULL << 30, .memfd = -1 };
	struct bench_dev b;
	(void)state;

	bench_init(&b, &small, MAILBOX, &h, NULL);
	assert_int_equal(b.sample_budget, BENCH_SAMPLE_BUDGET_MIN);
	assert_int_equal(b.sample_bytes, 0);
	bench_destroy(&b);
	bench_init(&b, &big, MAILBOX, &h, NULL);
	assert_int_equal(b.sample_budget, 4ULL << 30);
	bench_destroy(&b);
}

/*
 * More samples than the budget: the phase that would go beyond it is
 * refused with a reason naming the limit, earlier tests keep theirs, and the
 * memory held never exceeds the budget. A small budget stands in for the
 * real one, so the test allocates little.
 */
static void test_sample_budget(void **state)
{
	struct fake *f = fake_new();
	struct bench_phase_end big, small, fill;
	struct bench_overhead ov = { .samples_gpa = SAMPLES, .nbefore = 1024, .nafter = 1024 };
	struct bench_done done = { .status = 0 };
	struct run_result r;
	int pr, orp;
	char progress[1024] = "";
	FILE *p = fmemopen(progress, sizeof(progress), "w");
	(void)state;

	assert_non_null(p);
	f->b.progress = p;
	f->b.sample_budget = 1u << 20;
	phase(&big, 32768, 1);   /* 256 KiB, + 16 KiB of overhead: 272 KiB a test */
	phase(&small, 8192, 3);  /* 64 KiB */
	phase(&fill, 16384, 1);  /* 128 KiB */

	for (int i = 0; i < 3; i++) {
		one_test(f, "big", &big, &ov, &pr, &orp);
		assert_int_equal(pr, BENCH_REPLY_OK);
		assert_int_equal(orp, BENCH_REPLY_OK);
	}
	assert_int_equal(f->b.sample_bytes, 3 * (272u << 10));
	/* 816 KiB held: another 256 KiB would pass the 1 MiB */
	one_test(f, "big", &big, &ov, &pr, &orp);
	assert_int_equal(pr, BENCH_REPLY_REJECTED);
	assert_int_equal(orp, BENCH_REPLY_REJECTED);
	assert_int_equal(f->b.sample_bytes, 3 * (272u << 10));
	assert_int_equal(f->b.recs[3].status, BENCH_STATUS_FAILED);
	assert_null(f->b.recs[3].samples);
	assert_non_null(strstr(f->b.recs[3].reason, "sample memory budget"));
	assert_non_null(strstr(f->b.recs[3].reason, "1048576 bytes"));
	/* what still fits is taken: 880 KiB, then 896 with its overhead */
	one_test(f, "small", &small, &ov, &pr, &orp);
	assert_int_equal(pr, BENCH_REPLY_OK);
	assert_int_equal(orp, BENCH_REPLY_OK);
	/* the phase fits exactly (1 MiB), its overhead does not: the test fails, its samples given back */
	one_test(f, "fill", &fill, &ov, &pr, &orp);
	assert_int_equal(pr, BENCH_REPLY_OK);
	assert_int_equal(orp, BENCH_REPLY_REJECTED);
	assert_int_equal(f->b.recs[5].status, BENCH_STATUS_FAILED);
	assert_false(f->b.recs[5].has_phase);
	assert_null(f->b.recs[5].samples);
	assert_non_null(strstr(f->b.recs[5].reason, "sample memory budget"));
	assert_int_equal(f->b.sample_bytes, 896u << 10);
	assert_int_equal(f->stops, 0);
	assert_int_equal(send(f, BENCH_DONE, &done, sizeof(done)), 0);
	assert_int_equal(f->last_code, OUTCOME_OK);
	fclose(p);
	assert_non_null(strstr(progress, "4 big cpl3 failed: sample memory budget"));

	write_results(f, &r);
	assert_int_equal(r.ntests, 6);
	for (int i = 0; i < 3; i++)
		assert_int_equal(r.tests[i].status, TEST_OK);
	assert_int_equal(r.tests[3].status, TEST_FAILED);
	assert_non_null(strstr(r.tests[3].reason, "sample memory budget"));
	assert_int_equal(r.tests[4].status, TEST_OK);
	assert_int_equal(r.tests[5].status, TEST_FAILED);
	results_free(&r);

	bench_destroy(&f->b);
	assert_int_equal(f->b.sample_bytes, 0);
	fake_free(f);
}

/* A refused test cannot try again: a second PHASE_BEGIN stops the VM, as it would after a phase. */
static void test_rejected_phase_once(void **state)
{
	struct fake *f = fake_new();
	struct bench_test_begin tb = { .name = "again", .ring = 0 };
	struct bench_phase_end pe;
	(void)state;

	phase(&pe, 1, 1ULL << 63);
	assert_int_equal(send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb)), BENCH_REPLY_RUN);
	assert_int_equal(send(f, BENCH_PHASE_BEGIN, NULL, 0), 0);
	assert_int_equal(send(f, BENCH_PHASE_END, &pe, sizeof(pe)), BENCH_REPLY_REJECTED);
	assert_int_equal(send(f, BENCH_PHASE_BEGIN, NULL, 0), BENCH_REPLY_ERROR);
	assert_int_equal(f->stops, 1);
	assert_int_equal(f->last_code, OUTCOME_FAILED);
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iterations_beyond_results),
		cmocka_unit_test(test_sample_budget_default),
		cmocka_unit_test(test_sample_budget),
		cmocka_unit_test(test_rejected_phase_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
