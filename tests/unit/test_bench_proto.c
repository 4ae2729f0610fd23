/* SPDX-License-Identifier: MIT */
/* The bench protocol parser and device state machine against a hostile guest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "devices/platform/bench.h"
#include "tests/unit/bench_fixture.h"
#include "devices/platform/bench_msg.h"

static int parse(struct bench_mailbox *mb, uint32_t bell, struct bench_msg *m)
{
	char err[200];

	return bench_msg_parse(mb, bell, m, err, sizeof(err));
}

static void test_valid_messages(void **state)
{
	struct bench_mailbox mb;
	struct bench_msg m;
	struct bench_test_begin tb = { .name = "cpuid", .ring = 3 };
	struct bench_phase_end pe = { .iterations = 100, .samples_gpa = 0x200000, .nsamples = 100, .ops_per_sample = 1 };
	struct bench_test_end te = { .status = BENCH_STATUS_SKIPPED, .reason = "no x2APIC" };
	(void)state;

	mb_init(&mb, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	assert_int_equal(parse(&mb, BENCH_TEST_BEGIN, &m), 0);
	assert_string_equal(m.u.begin.name, "cpuid");
	assert_int_equal(m.u.begin.ring, 3);

	mb_init(&mb, BENCH_PHASE_END, &pe, sizeof(pe));
	assert_int_equal(parse(&mb, BENCH_PHASE_END, &m), 0);
	assert_int_equal(m.u.phase_end.nsamples, 100);

	mb_init(&mb, BENCH_TEST_END, &te, sizeof(te));
	assert_int_equal(parse(&mb, BENCH_TEST_END, &m), 0);
	assert_string_equal(m.u.test_end.reason, "no x2APIC");

	mb_init(&mb, BENCH_LOG, "hello\x01world", 12);
	assert_int_equal(parse(&mb, BENCH_LOG, &m), 0);
	assert_string_equal(m.u.log, "hello?world"); /* control characters neutralised */

	mb_init(&mb, BENCH_PHASE_BEGIN, NULL, 0);
	assert_int_equal(parse(&mb, BENCH_PHASE_BEGIN, &m), 0);
}

static void test_malformed_messages(void **state)
{
	struct bench_mailbox mb;
	struct bench_msg m;
	struct bench_test_begin tb = { .name = "cpuid", .ring = 0 };
	struct bench_phase_end pe = { .iterations = 100, .samples_gpa = 0, .nsamples = 100, .ops_per_sample = 1 };
	struct bench_test_end te = { .status = 0 };
	(void)state;

	mb_init(&mb, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	mb.hdr.magic = 0xdeadbeef;
	assert_int_equal(parse(&mb, BENCH_TEST_BEGIN, &m), -1);

	mb_init(&mb, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	mb.hdr.version = 99;
	assert_int_equal(parse(&mb, BENCH_TEST_BEGIN, &m), -1);

	mb_init(&mb, 77, &tb, sizeof(tb)); /* unknown command */
	assert_int_equal(parse(&mb, 77, &m), -1);

	mb_init(&mb, BENCH_TEST_BEGIN, &tb, sizeof(tb)); /* doorbell disagrees */
	assert_int_equal(parse(&mb, BENCH_DONE, &m), -1);

	mb_init(&mb, BENCH_TEST_BEGIN, &tb, sizeof(tb) - 1); /* short body */
	assert_int_equal(parse(&mb, BENCH_TEST_BEGIN, &m), -1);

	mb_init(&mb, BENCH_LOG, "x", 1);
	mb.hdr.len = 0xffffffff; /* length beyond the mailbox */
	assert_int_equal(parse(&mb, BENCH_LOG, &m), -1);

	memset(tb.name, 'A', sizeof(tb.name)); /* name without NUL */
	mb_init(&mb, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	assert_int_equal(parse(&mb, BENCH_TEST_BEGIN, &m), -1);

	strcpy(tb.name, "../etc"); /* forbidden characters */
	mb_init(&mb, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	assert_int_equal(parse(&mb, BENCH_TEST_BEGIN, &m), -1);

	strcpy(tb.name, "ok");
	tb.ring = 2; /* ring must be 0 or 3 */
	mb_init(&mb, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	assert_int_equal(parse(&mb, BENCH_TEST_BEGIN, &m), -1);

	pe.nsamples = 99; /* iterations != samples x ops */
	mb_init(&mb, BENCH_PHASE_END, &pe, sizeof(pe));
	assert_int_equal(parse(&mb, BENCH_PHASE_END, &m), -1);
	pe.nsamples = 100;
	pe.ops_per_sample = 0;
	mb_init(&mb, BENCH_PHASE_END, &pe, sizeof(pe));
	assert_int_equal(parse(&mb, BENCH_PHASE_END, &m), -1);

	te.status = 9;
	mb_init(&mb, BENCH_TEST_END, &te, sizeof(te));
	assert_int_equal(parse(&mb, BENCH_TEST_END, &m), -1);

	mb_init(&mb, BENCH_LOG, "abc", 3); /* no NUL inside len */
	assert_int_equal(parse(&mb, BENCH_LOG, &m), -1);
}

/* --- the device state machine, on fake guest RAM ---------------------------- */

#define RAM (1 << 20)
#define MAILBOX 0x10000
#define SAMPLES 0x20000

struct fake {
	struct guest_mem mem;
	struct bench_dev b;
	int stops, snaps;
	enum outcome last_code;
	char trail[64];           /* hook calls in order: s(napshot) b(egin) e(nd) */
	int ends;
};

static void trail(struct fake *f, char c)
{
	size_t n = strlen(f->trail);

	if (n + 1 < sizeof(f->trail))
		f->trail[n] = c;
}

static void fake_snapshot(void *o, struct bench_snapshot *s)
{
	struct fake *f = o;

	trail(f, 's');
	assert_int_equal(s->n, f->b.hooks.nvalues);
	s->v[0] = (uint64_t)++f->snaps * 10;
	if (s->n > 1)
		s->v[s->n - 1] = 0xabcd; /* the last slot is writable: sized by nvalues */
}

static void fake_phase_begin(void *o)
{
	trail(o, 'b');
}

static char *fake_phase_end(void *o)
{
	struct fake *f = o;
	char *s;

	trail(f, 'e');
	assert_int_equal(asprintf(&s, "{\"end\":%d}", ++f->ends) > 0, 1);
	return s;
}

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
	struct bench_hooks h = { .opaque = f, .nvalues = 1, .snapshot = fake_snapshot, .stop = fake_stop };

	fixture_ram(&f->mem, RAM);
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

static void test_device_full_test(void **state)
{
	struct fake *f = fake_new();
	struct bench_test_begin tb = { .name = "cpuid", .ring = 3 };
	struct bench_phase_end pe = { .iterations = 4, .samples_gpa = SAMPLES, .nsamples = 4, .ops_per_sample = 1 };
	struct bench_test_end te = { .status = BENCH_STATUS_OK };
	struct bench_done d = { 0 };
	uint64_t *s = (uint64_t *)(f->mem.host + SAMPLES);
	(void)state;

	for (int i = 0; i < 4; i++)
		s[i] = 100 + i;
	assert_int_equal(send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb)), BENCH_REPLY_RUN);
	assert_int_equal(send(f, BENCH_PHASE_BEGIN, NULL, 0), 0);
	assert_int_equal(send(f, BENCH_PHASE_END, &pe, sizeof(pe)), 0);
	assert_int_equal(send(f, BENCH_TEST_END, &te, sizeof(te)), 0);
	assert_int_equal(send(f, BENCH_DONE, &d, sizeof(d)), 0);
	assert_int_equal(f->b.nrecs, 1);
	assert_true(f->b.recs[0].has_phase);
	assert_int_equal(f->b.recs[0].nsamples, 4);
	assert_int_equal(f->b.recs[0].samples[3], 103);
	assert_int_equal(f->b.recs[0].before->v[0], 10);
	assert_int_equal(f->b.recs[0].after->v[0], 20);
	assert_int_equal(f->b.recs[0].status, BENCH_STATUS_OK);
	assert_true(f->b.done);
	assert_int_equal(f->stops, 1);
	assert_int_equal(f->last_code, OUTCOME_OK);
	fake_free(f);
}

static struct fake *fake_new_instr(size_t nvalues);

static void test_device_rejects_bad_sequences(void **state)
{
	struct bench_test_begin tb = { .name = "cpuid", .ring = 0 };
	struct bench_phase_end pe = { .iterations = 2, .samples_gpa = RAM - 8, .nsamples = 2, .ops_per_sample = 1 };
	struct fake *f;
	(void)state;

	f = fake_new(); /* PHASE_BEGIN outside a test */
	assert_int_equal(send(f, BENCH_PHASE_BEGIN, NULL, 0), BENCH_REPLY_ERROR);
	assert_int_equal(f->last_code, OUTCOME_FAILED);
	fake_free(f);

	f = fake_new(); /* samples straddling the end of RAM */
	send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	send(f, BENCH_PHASE_BEGIN, NULL, 0);
	assert_int_equal(send(f, BENCH_PHASE_END, &pe, sizeof(pe)), BENCH_REPLY_ERROR);
	assert_non_null(strstr(f->b.error, "outside guest RAM"));
	fake_free(f);

	f = fake_new(); /* nested TEST_BEGIN */
	send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	assert_int_equal(send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb)), BENCH_REPLY_ERROR);
	fake_free(f);

	f = fake_new(); /* a fault inside the phase ends the test as failed: accepted */
	{
		struct bench_test_end fail = { .status = BENCH_STATUS_FAILED, .reason = "#GP in the loop" };
		struct bench_test_end ok = { .status = BENCH_STATUS_OK };

		send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb));
		send(f, BENCH_PHASE_BEGIN, NULL, 0);
		assert_int_equal(send(f, BENCH_TEST_END, &fail, sizeof(fail)), 0);
		assert_false(f->b.recs[0].has_phase);
		assert_int_equal(f->stops, 0);
		/* ... but not as a success */
		send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb));
		send(f, BENCH_PHASE_BEGIN, NULL, 0);
		assert_int_equal(send(f, BENCH_TEST_END, &ok, sizeof(ok)), BENCH_REPLY_ERROR);
	}
	fake_free(f);

	/*
	 * After a violation the VM is being stopped: a doorbell that still comes
	 * (the stop is not instant) is refused, the first reason kept.  A second
	 * PHASE_END was taken, replacing the record's snapshot and instrument
	 * output without freeing them (found by fuzz/bench_proto: a leak).
	 */
	f = fake_new_instr(4);
	send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	send(f, BENCH_PHASE_BEGIN, NULL, 0);
	assert_int_equal(send(f, BENCH_PHASE_END, &pe, sizeof(pe)), BENCH_REPLY_ERROR);
	assert_int_equal(f->stops, 1);
	pe.samples_gpa = 0x20000;
	assert_int_equal(send(f, BENCH_PHASE_END, &pe, sizeof(pe)), BENCH_REPLY_ERROR);
	assert_int_equal(send(f, BENCH_LOG, "x", 2), BENCH_REPLY_ERROR);
	assert_non_null(strstr(f->b.error, "outside guest RAM"));
	assert_int_equal(f->stops, 1);
	fake_free(f);
	pe.samples_gpa = RAM - 8;

	f = fake_new(); /* mailbox placed outside RAM */
	f->b.mailbox_gpa = RAM - 16;
	assert_int_equal(bench_doorbell(&f->b, BENCH_DONE), BENCH_REPLY_ERROR);
	fake_free(f);
}

/* A fake with the per-phase instrument hooks and a large snapshot. */
static struct fake *fake_new_instr(size_t nvalues)
{
	struct fake *f = fake_new();
	struct bench_hooks h = { .opaque = f, .nvalues = nvalues, .snapshot = fake_snapshot,
				 .phase_begin = fake_phase_begin, .phase_end = fake_phase_end,
				 .stop = fake_stop };

	bench_destroy(&f->b);
	bench_init(&f->b, &f->mem, MAILBOX, &h, NULL);
	return f;
}

static void test_phase_hooks(void **state)
{
	struct bench_test_begin tb = { .name = "cpuid", .ring = 3 };
	struct bench_phase_end pe = { .iterations = 1, .samples_gpa = SAMPLES, .nsamples = 1, .ops_per_sample = 1 };
	struct bench_test_end ok = { .status = BENCH_STATUS_OK };
	struct bench_test_end fail = { .status = BENCH_STATUS_FAILED, .reason = "#GP" };
	struct fake *f;
	(void)state;

	/* Snapshot outside, instruments inside: s b [guest] e s; the record keeps phase_end's text. */
	f = fake_new_instr(1000);
	send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	assert_string_equal(f->trail, "");
	assert_int_equal(send(f, BENCH_PHASE_BEGIN, NULL, 0), 0);
	assert_string_equal(f->trail, "sb");
	assert_int_equal(send(f, BENCH_PHASE_END, &pe, sizeof(pe)), 0);
	assert_string_equal(f->trail, "sbes");
	send(f, BENCH_TEST_END, &ok, sizeof(ok));
	assert_string_equal(f->b.recs[0].host_json, "{\"end\":1}");
	assert_int_equal(f->b.recs[0].before->n, 1000);
	assert_int_equal(f->b.recs[0].after->v[999], 0xabcd);
	/* A test without a phase calls no instrument. */
	send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	send(f, BENCH_TEST_END, &ok, sizeof(ok));
	assert_null(f->b.recs[1].host_json);
	assert_string_equal(f->trail, "sbes");
	fake_free(f);

	/* A fault in the loop ends the phase: phase_end is still called, its output dropped. */
	f = fake_new_instr(2);
	send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	send(f, BENCH_PHASE_BEGIN, NULL, 0);
	assert_int_equal(send(f, BENCH_TEST_END, &fail, sizeof(fail)), 0);
	assert_string_equal(f->trail, "sbe");
	assert_null(f->b.recs[0].host_json);
	fake_free(f);

	/* The VM stops inside a phase: bench_destroy pairs the phase_begin. */
	f = fake_new_instr(2);
	send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	send(f, BENCH_PHASE_BEGIN, NULL, 0);
	bench_destroy(&f->b);
	assert_string_equal(f->trail, "sbe");
	assert_int_equal(f->ends, 1);
	fake_free(f);

	/* PHASE_END without PHASE_BEGIN is refused before any instrument is called. */
	f = fake_new_instr(2);
	send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	assert_int_equal(send(f, BENCH_PHASE_END, &pe, sizeof(pe)), BENCH_REPLY_ERROR);
	assert_string_equal(f->trail, "");
	fake_free(f);

	/* Every hook NULL, no snapshot slots: a full test still works. */
	{
		struct bench_hooks none = { 0 };

		f = fake_new();
		bench_destroy(&f->b);
		bench_init(&f->b, &f->mem, MAILBOX, &none, NULL);
		send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb));
		assert_int_equal(send(f, BENCH_PHASE_BEGIN, NULL, 0), 0);
		assert_int_equal(send(f, BENCH_PHASE_END, &pe, sizeof(pe)), 0);
		assert_int_equal(send(f, BENCH_TEST_END, &ok, sizeof(ok)), 0);
		assert_true(f->b.recs[0].has_phase);
		assert_int_equal(f->b.recs[0].before->n, 0);
		assert_null(f->b.recs[0].host_json);
		fake_free(f);
	}
}

static void test_selection(void **state)
{
	struct fake *f = fake_new();
	char *sel[] = { "cpuid/cpl3", "hypercall" };
	struct bench_test_begin tb = { .name = "cpuid", .ring = 0 };
	(void)state;

	f->b.select = sel;
	f->b.nselect = 2;
	assert_false(bench_selected(&f->b, "cpuid", 0, 0));
	assert_true(bench_selected(&f->b, "cpuid", 3, 0));
	assert_true(bench_selected(&f->b, "hypercall", 0, 0));
	assert_true(bench_selected(&f->b, "empty", 0, BENCH_TF_OVERHEAD));
	assert_int_equal(send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb)), BENCH_REPLY_SKIP);
	assert_int_equal(f->b.nrecs, 0);
	fake_free(f);
}

/* A host-side skip: recorded as skipped with the reason, answered SKIP, the next test runs; progress lines. */
static void test_host_skip_and_progress(void **state)
{
	static const struct bench_skip skips[] = { { "rx", "the sink sends nothing" } };
	struct fake *f = fake_new();
	struct bench_test_begin rx = { .name = "rx", .ring = 3 }, tx = { .name = "tx", .ring = 3 };
	struct bench_test_end fail = { .status = BENCH_STATUS_FAILED, .reason = "stopped" };
	char buf[512] = "";
	FILE *p = fmemopen(buf, sizeof(buf), "w");
	(void)state;

	assert_non_null(p);
	f->b.skip = skips;
	f->b.nskip = 1;
	f->b.progress = p;
	assert_int_equal(send(f, BENCH_TEST_BEGIN, &rx, sizeof(rx)), BENCH_REPLY_SKIP);
	assert_int_equal(f->b.nrecs, 1);
	assert_int_equal(f->b.recs[0].status, BENCH_STATUS_SKIPPED);
	assert_string_equal(f->b.recs[0].reason, "the sink sends nothing");
	assert_false(f->b.recs[0].has_phase);
	/* the device is idle again: the next test begins, and a failed phase ends without PHASE_END */
	assert_int_equal(send(f, BENCH_TEST_BEGIN, &tx, sizeof(tx)), BENCH_REPLY_RUN);
	assert_int_equal(send(f, BENCH_PHASE_BEGIN, NULL, 0), 0);
	assert_int_equal(send(f, BENCH_TEST_END, &fail, sizeof(fail)), 0);
	assert_int_equal(f->b.nrecs, 2);
	assert_int_equal(f->stops, 0);
	fclose(p);
	assert_string_equal(buf, "1 rx cpl3 skipped: the sink sends nothing\n2 tx cpl3 failed: stopped\n");
	fake_free(f);
}

static void test_kv_lists(void **state)
{
	char err[200];
	(void)state;

	assert_int_equal(bench_kv_check("", BENCH_KV_MAX, "p", err, sizeof(err)), 0);
	assert_int_equal(bench_kv_check("working_set=65536 guest_page=4k", BENCH_KV_MAX, "p", err, sizeof(err)), 0);
	assert_int_equal(bench_kv_check("checksum=0x1f2e ratio=1.5 neg=-3", BENCH_KV_MAX, "p", err, sizeof(err)), 0);
	assert_int_equal(bench_kv_check("=1", BENCH_KV_MAX, "p", err, sizeof(err)), -1);
	assert_int_equal(bench_kv_check("a=", BENCH_KV_MAX, "p", err, sizeof(err)), -1);
	assert_int_equal(bench_kv_check("a=1 ", BENCH_KV_MAX, "p", err, sizeof(err)), -1);
	assert_int_equal(bench_kv_check("a=1  b=2", BENCH_KV_MAX, "p", err, sizeof(err)), -1);
	assert_int_equal(bench_kv_check("A=1", BENCH_KV_MAX, "p", err, sizeof(err)), -1);
	assert_int_equal(bench_kv_check("a=\"x\"", BENCH_KV_MAX, "p", err, sizeof(err)), -1);
	assert_int_equal(bench_kv_check("a=1\nb=2", BENCH_KV_MAX, "p", err, sizeof(err)), -1);
	assert_int_equal(bench_kv_check("a=1 a=2 a=3 a=4 a=5 a=6 a=7 a=8 a=9 a=10 a=11 a=12 a=13 a=14 a=15 a=16 a=17",
				       BENCH_KV_MAX, "p", err, sizeof(err)), -1);
	{
		char unterminated[8];

		memset(unterminated, 'a', sizeof(unterminated));
		assert_int_equal(bench_kv_check(unterminated, sizeof(unterminated), "p", err, sizeof(err)), -1);
	}
}

static int request_seen;

static int fake_request(void *o, const struct bench_request *r)
{
	(void)o;
	request_seen = (int)r->op;
	return r->op == BENCH_REQ_DISCARD ? 0 : -95; /* -EOPNOTSUPP */
}

static void test_requests(void **state)
{
	struct fake *f = fake_new();
	struct bench_request rq = { .op = BENCH_REQ_DISCARD, .arg = { 0x100000000ull, 4096 } };
	struct bench_test_begin tb = { .name = "x", .ring = 3 };
	(void)state;

	/* no hook: -ENOSYS, the VM keeps running */
	assert_int_equal(send(f, BENCH_REQUEST, &rq, sizeof(rq)), -38);
	assert_int_equal(f->stops, 0);
	f->b.hooks.request = fake_request;
	assert_int_equal(send(f, BENCH_REQUEST, &rq, sizeof(rq)), 0);
	assert_int_equal(request_seen, BENCH_REQ_DISCARD);
	rq.op = BENCH_REQ_DIRTY_LOG_START;
	assert_int_equal(send(f, BENCH_REQUEST, &rq, sizeof(rq)), -95);
	/* unknown operation: a protocol violation */
	rq.op = 77;
	assert_int_equal(send(f, BENCH_REQUEST, &rq, sizeof(rq)), BENCH_REPLY_ERROR);
	fake_free(f);

	/* never inside a timed phase */
	f = fake_new();
	f->b.hooks.request = fake_request;
	rq.op = BENCH_REQ_DISCARD;
	send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb));
	send(f, BENCH_PHASE_BEGIN, NULL, 0);
	assert_int_equal(send(f, BENCH_REQUEST, &rq, sizeof(rq)), BENCH_REPLY_ERROR);
	fake_free(f);
}

/* Version 3's OVERHEAD: after PHASE_END, once, inside RAM; version 2 still reads without it. */
static void test_overhead_message(void **state)
{
	struct fake *f = fake_new();
	struct bench_test_begin tb = { .name = "cpuid", .ring = 3 };
	struct bench_phase_end pe = { .iterations = 4, .samples_gpa = SAMPLES, .nsamples = 4, .ops_per_sample = 1 };
	struct bench_overhead ov = { .samples_gpa = SAMPLES + 64, .nbefore = 3, .nafter = 2 };
	struct bench_overhead outside = { .samples_gpa = RAM - 16, .nbefore = 3, .nafter = 0 };
	struct bench_overhead none = { .samples_gpa = SAMPLES, .nbefore = 0, .nafter = 2 };
	struct bench_overhead huge = { .samples_gpa = SAMPLES, .nbefore = BENCH_OVERHEAD_MAX + 1 };
	uint64_t *s = (uint64_t *)(f->mem.host + SAMPLES);
	struct bench_mailbox mb;
	struct bench_msg m;
	(void)state;

	for (int i = 0; i < 13; i++)
		s[i] = 40 + i;
	assert_int_equal(send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb)), BENCH_REPLY_RUN);
	/* before the phase has ended: refused, the VM stopped */
	assert_int_equal(send(f, BENCH_OVERHEAD, &ov, sizeof(ov)), BENCH_REPLY_ERROR);
	assert_int_equal(f->stops, 1);
	fake_free(f);

	f = fake_new();
	s = (uint64_t *)(f->mem.host + SAMPLES);
	for (int i = 0; i < 13; i++)
		s[i] = 40 + i;
	assert_int_equal(send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb)), BENCH_REPLY_RUN);
	assert_int_equal(send(f, BENCH_PHASE_BEGIN, NULL, 0), 0);
	assert_int_equal(send(f, BENCH_OVERHEAD, &ov, sizeof(ov)), BENCH_REPLY_ERROR); /* inside the phase */
	fake_free(f);

	f = fake_new();
	s = (uint64_t *)(f->mem.host + SAMPLES);
	for (int i = 0; i < 13; i++)
		s[i] = 40 + i;
	assert_int_equal(send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb)), BENCH_REPLY_RUN);
	assert_int_equal(send(f, BENCH_PHASE_BEGIN, NULL, 0), 0);
	assert_int_equal(send(f, BENCH_PHASE_END, &pe, sizeof(pe)), 0);
	assert_int_equal(send(f, BENCH_OVERHEAD, &ov, sizeof(ov)), 0);
	assert_int_equal(f->b.recs[0].ovh_before, 3);
	assert_int_equal(f->b.recs[0].ovh_after, 2);
	assert_int_equal(f->b.recs[0].ovh_samples[0], 48);
	assert_int_equal(f->b.recs[0].ovh_samples[4], 52);
	assert_int_equal(send(f, BENCH_OVERHEAD, &ov, sizeof(ov)), BENCH_REPLY_ERROR); /* twice */
	fake_free(f);

	f = fake_new();
	assert_int_equal(send(f, BENCH_TEST_BEGIN, &tb, sizeof(tb)), BENCH_REPLY_RUN);
	assert_int_equal(send(f, BENCH_PHASE_BEGIN, NULL, 0), 0);
	assert_int_equal(send(f, BENCH_PHASE_END, &pe, sizeof(pe)), 0);
	assert_int_equal(send(f, BENCH_OVERHEAD, &outside, sizeof(outside)), BENCH_REPLY_ERROR);
	assert_non_null(strstr(f->b.error, "outside guest RAM"));
	fake_free(f);

	/* the parser: counts bounded, and only from version 3 on */
	mb_init(&mb, BENCH_OVERHEAD, &none, sizeof(none));
	assert_int_equal(parse(&mb, BENCH_OVERHEAD, &m), -1);
	mb_init(&mb, BENCH_OVERHEAD, &huge, sizeof(huge));
	assert_int_equal(parse(&mb, BENCH_OVERHEAD, &m), -1);
	mb_init(&mb, BENCH_OVERHEAD, &ov, sizeof(ov));
	assert_int_equal(parse(&mb, BENCH_OVERHEAD, &m), 0);
	mb.hdr.version = 2;
	assert_int_equal(parse(&mb, BENCH_OVERHEAD, &m), -1);
	mb_init(&mb, BENCH_PHASE_BEGIN, NULL, 0);
	mb.hdr.version = 2; /* a version-2 payload still speaks to this VMM */
	assert_int_equal(parse(&mb, BENCH_PHASE_BEGIN, &m), 0);
	mb.hdr.version = 1;
	assert_int_equal(parse(&mb, BENCH_PHASE_BEGIN, &m), -1);
	mb.hdr.version = BENCH_VERSION + 1;
	assert_int_equal(parse(&mb, BENCH_PHASE_BEGIN, &m), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_messages),
		cmocka_unit_test(test_malformed_messages),
		cmocka_unit_test(test_device_full_test),
		cmocka_unit_test(test_device_rejects_bad_sequences),
		cmocka_unit_test(test_phase_hooks),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_host_skip_and_progress),
		cmocka_unit_test(test_kv_lists),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_overhead_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
