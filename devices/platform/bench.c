/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "devices/platform/bench.h"

void bench_init(struct bench_dev *b, struct guest_mem *mem, uint64_t mailbox_gpa,
		const struct bench_hooks *hooks, FILE *log)
{
	memset(b, 0, sizeof(*b));
	b->mem = mem;
	b->mailbox_gpa = mailbox_gpa;
	b->hooks = *hooks;
	if (b->hooks.nvalues > BENCH_SNAP_MAX)
		b->hooks.nvalues = BENCH_SNAP_MAX;
	b->log = log;
	b->sample_budget = BENCH_SAMPLE_BUDGET_MIN;
	if (mem && mem->size + mem->high_size > b->sample_budget)
		b->sample_budget = mem->size + mem->high_size;
}

/* Stop the per-phase instruments, if running; their output or NULL. */
static char *instruments_off(struct bench_dev *b)
{
	if (!b->instruments_on)
		return NULL;
	b->instruments_on = false;
	return b->hooks.phase_end ? b->hooks.phase_end(b->hooks.opaque) : NULL;
}

void bench_destroy(struct bench_dev *b)
{
	free(instruments_off(b));
	for (size_t i = 0; i < b->nrecs; i++) {
		free(b->recs[i].samples);
		free(b->recs[i].ovh_samples);
		free(b->recs[i].before);
		free(b->recs[i].after);
		free(b->recs[i].host_json);
	}
	free(b->recs);
	b->recs = NULL;
	b->nrecs = 0;
	b->sample_bytes = 0;
}

bool bench_selected(const struct bench_dev *b, const char *name, int ring, uint32_t flags)
{
	char full[BENCH_NAME_MAX + 8];

	/* The loop overhead is needed by every other test of its ring. */
	if (!b->select || !b->nselect || (flags & BENCH_TF_OVERHEAD))
		return true;
	snprintf(full, sizeof(full), "%s/cpl%d", name, ring);
	for (size_t i = 0; i < b->nselect; i++)
		if (!strcmp(b->select[i], name) || !strcmp(b->select[i], full))
			return true;
	return false;
}

static int violation(struct bench_dev *b, const char *msg)
{
	snprintf(b->error, sizeof(b->error), "bench protocol: %s", msg);
	if (b->hooks.stop)
		b->hooks.stop(b->hooks.opaque, OUTCOME_FAILED, b->error);
	return BENCH_REPLY_ERROR;
}

static struct bench_snapshot *snap(struct bench_dev *b)
{
	struct bench_snapshot *s = calloc(1, sizeof(*s) + b->hooks.nvalues * sizeof(s->v[0]));

	if (!s)
		return NULL;
	s->n = b->hooks.nvalues;
	if (b->hooks.snapshot)
		b->hooks.snapshot(b->hooks.opaque, s);
	return s;
}

static const char *const status_names[] = { "ok", "skipped", "failed" };

/*
 * "N NAME cplR STATUS[: reason]" for the record just closed: whoever watches
 * the file (a test that injects a fault between tests) knows where the run is.
 */
static void progress_line(struct bench_dev *b)
{
	const struct bench_record *r = &b->recs[b->nrecs - 1];

	if (!b->progress)
		return;
	fprintf(b->progress, "%zu %s cpl%d %s%s%s\n", b->nrecs, r->name, r->ring,
		r->status >= 0 && r->status <= BENCH_STATUS_FAILED ? status_names[r->status] : "unknown",
		r->reason[0] ? ": " : "", r->reason);
	fflush(b->progress);
}

static const char *host_skip(const struct bench_dev *b, const char *name)
{
	for (size_t i = 0; i < b->nskip; i++)
		if (!strcmp(b->skip[i].name, name))
			return b->skip[i].reason;
	return NULL;
}

static int on_test_begin(struct bench_dev *b, const struct bench_test_begin *t)
{
	struct bench_record *r;
	const char *skip;

	if (b->state != BENCH_IDLE)
		return violation(b, "TEST_BEGIN inside another test");
	if (!bench_selected(b, t->name, (int)t->ring, t->flags))
		return BENCH_REPLY_SKIP;
	skip = host_skip(b, t->name);
	if (b->nrecs >= BENCH_MAX_RECORDS)
		return violation(b, "too many tests");
	r = realloc(b->recs, (b->nrecs + 1) * sizeof(*r));
	if (!r)
		return violation(b, "out of memory");
	b->recs = r;
	r = &b->recs[b->nrecs++];
	memset(r, 0, sizeof(*r));
	memcpy(r->name, t->name, sizeof(r->name));
	memcpy(r->params, t->params, sizeof(r->params));
	r->ring = (int)t->ring;
	r->flags = t->flags;
	r->status = -1;
	if (skip) {
		/* Recorded, never run: the guest hears SKIP and goes on to its next test. */
		r->status = BENCH_STATUS_SKIPPED;
		snprintf(r->reason, sizeof(r->reason), "%s", skip);
		progress_line(b);
		return BENCH_REPLY_SKIP;
	}
	b->state = BENCH_IN_TEST;
	return BENCH_REPLY_RUN;
}

/*
 * A well-formed phase the VMM will not keep (a limit of its own): the test
 * fails with the reason, whatever its TEST_END says, and the run goes on.
 * Its samples, phase and overhead, are given back to the budget.
 */
static int reject(struct bench_dev *b, struct bench_record *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	r->rejected = true;
	r->status = BENCH_STATUS_FAILED;
	b->state = BENCH_IN_TEST;
	r->has_phase = false;
	b->sample_bytes -= (r->nsamples + r->ovh_before + r->ovh_after) * sizeof(uint64_t);
	free(r->samples);
	free(r->ovh_samples);
	free(r->host_json);
	r->samples = r->ovh_samples = NULL;
	r->host_json = NULL;
	r->nsamples = r->ovh_before = r->ovh_after = 0;
	if (b->log) {
		fprintf(b->log, "exitlab: bench: test %s cpl%d: %s\n", r->name, r->ring, r->reason);
		fflush(b->log);
	}
	return BENCH_REPLY_REJECTED;
}

/* Whether n more samples fit in the run's budget (n is bounded: no overflow). */
static bool budget_fits(const struct bench_dev *b, uint64_t n)
{
	return b->sample_bytes <= b->sample_budget &&
	       n * sizeof(uint64_t) <= b->sample_budget - b->sample_bytes;
}

static int over_budget(struct bench_dev *b, struct bench_record *r, const char *what, uint64_t n)
{
	return reject(b, r, "sample memory budget of %" PRIu64 " bytes per run exceeded by %s of %" PRIu64
		      " samples (--mem raises it)", b->sample_budget, what, n);
}

static int on_phase_end(struct bench_dev *b, const struct bench_phase_end *p)
{
	struct bench_record *r = &b->recs[b->nrecs - 1];
	const void *src;

	/* Instruments first, then the snapshot: mirror image of PHASE_BEGIN. */
	r->host_json = instruments_off(b);
	r->after = snap(b);
	if (p->nsamples > BENCH_MAX_SAMPLES)
		return violation(b, "PHASE_END: more samples than the VMM accepts");
	/* Hostile guest: the whole array must lie in RAM. */
	src = guest_mem_ptr(b->mem, p->samples_gpa, p->nsamples * sizeof(uint64_t));
	if (!src)
		return violation(b, "PHASE_END: sample array outside guest RAM");
	if (!r->after)
		return violation(b, "out of memory");
	/* ops_per_sample <= iterations (the parser checked the product), but say which. */
	if (p->ops_per_sample > BENCH_MAX_ITERATIONS)
		return reject(b, r, "PHASE_END: %" PRIu64 " ops per sample, the VMM takes at most %" PRIu64,
			      p->ops_per_sample, BENCH_MAX_ITERATIONS);
	if (p->iterations > BENCH_MAX_ITERATIONS)
		return reject(b, r, "PHASE_END: %" PRIu64 " iterations, the VMM takes at most %" PRIu64,
			      p->iterations, BENCH_MAX_ITERATIONS);
	if (!budget_fits(b, p->nsamples))
		return over_budget(b, r, "a phase", p->nsamples);
	r->samples = malloc(p->nsamples * sizeof(uint64_t));
	if (!r->samples)
		return violation(b, "out of memory");
	memcpy(r->samples, src, p->nsamples * sizeof(uint64_t));
	b->sample_bytes += p->nsamples * sizeof(uint64_t);
	r->nsamples = p->nsamples;
	r->iterations = p->iterations;
	r->ops_per_sample = p->ops_per_sample;
	r->has_phase = true;
	b->state = BENCH_IN_TEST;
	return BENCH_REPLY_OK;
}

/* The test's loop overhead, once per test, after its phase. */
static int on_overhead(struct bench_dev *b, const struct bench_overhead *o)
{
	struct bench_record *r = b->nrecs ? &b->recs[b->nrecs - 1] : NULL;
	uint64_t n = o->nbefore + o->nafter; /* each <= BENCH_OVERHEAD_MAX: no overflow */
	const void *src;

	/* The guest does not read the PHASE_END reply: a refused phase's overhead follows. */
	if (b->state == BENCH_IN_TEST && r && r->rejected)
		return BENCH_REPLY_REJECTED;
	if (b->state != BENCH_IN_TEST || !r || !r->has_phase || r->ovh_samples)
		return violation(b, "OVERHEAD outside a test, before its PHASE_END, or twice");
	src = guest_mem_ptr(b->mem, o->samples_gpa, n * sizeof(uint64_t));
	if (!src)
		return violation(b, "OVERHEAD: sample array outside guest RAM");
	if (!budget_fits(b, n))
		return over_budget(b, r, "OVERHEAD", n);
	r->ovh_samples = malloc(n * sizeof(uint64_t));
	if (!r->ovh_samples)
		return violation(b, "out of memory");
	memcpy(r->ovh_samples, src, n * sizeof(uint64_t));
	b->sample_bytes += n * sizeof(uint64_t);
	r->ovh_before = o->nbefore;
	r->ovh_after = o->nafter;
	return BENCH_REPLY_OK;
}

int bench_doorbell(struct bench_dev *b, uint32_t value)
{
	struct bench_mailbox *shared, copy;
	struct bench_msg *m;
	char err[200];
	int reply = BENCH_REPLY_OK;

	shared = guest_mem_ptr(b->mem, b->mailbox_gpa, sizeof(*shared));
	if (!shared)
		return violation(b, "mailbox outside guest RAM");
	if (b->done || b->faulted)
		return violation(b, "message after DONE or EXCEPTION");
	/*
	 * After a violation the VM is being stopped, but a doorbell may still
	 * come: it is not read (a half-handled message left the device's state
	 * behind it), and the first reason is kept.
	 */
	if (b->error[0])
		return BENCH_REPLY_ERROR;
	/* Copy first: the guest must not change what we validated (TOCTOU). */
	memcpy(&copy, shared, sizeof(copy));
	m = malloc(sizeof(*m));
	if (!m)
		return violation(b, "out of memory");
	if (bench_msg_parse(&copy, value, m, err, sizeof(err))) {
		reply = violation(b, err);
		goto out;
	}

	switch (m->cmd) {
	case BENCH_HELLO:
		memcpy(b->payload, m->u.hello.payload, sizeof(b->payload));
		break;
	case BENCH_TEST_BEGIN:
		reply = on_test_begin(b, &m->u.begin);
		break;
	case BENCH_PHASE_BEGIN:
		if (b->state != BENCH_IN_TEST || b->recs[b->nrecs - 1].has_phase ||
		    b->recs[b->nrecs - 1].rejected) {
			reply = violation(b, "PHASE_BEGIN outside a test or twice in one test");
			break;
		}
		b->state = BENCH_IN_PHASE;
		/* Last things before resuming the guest, so the window is tight. */
		b->recs[b->nrecs - 1].before = snap(b);
		if (!b->recs[b->nrecs - 1].before) {
			reply = violation(b, "out of memory");
			break;
		}
		b->instruments_on = true;
		if (b->hooks.phase_begin)
			b->hooks.phase_begin(b->hooks.opaque);
		break;
	case BENCH_PHASE_END:
		if (b->state != BENCH_IN_PHASE) {
			reply = violation(b, "PHASE_END without PHASE_BEGIN");
			break;
		}
		reply = on_phase_end(b, &m->u.phase_end);
		break;
	case BENCH_TEST_END:
		/* A fault inside the timed loop ends the test without PHASE_END: only as a failure. */
		if (b->state == BENCH_IN_PHASE && m->u.test_end.status != BENCH_STATUS_FAILED) {
			reply = violation(b, "TEST_END inside a phase without a failure status");
			break;
		}
		if (b->state == BENCH_IDLE) {
			/* A test the VMM never saw begin (skipped before TEST_BEGIN): refuse. */
			reply = violation(b, "TEST_END without TEST_BEGIN");
			break;
		}
		/* A phase cut short by a fault: its instruments' output means nothing. */
		free(instruments_off(b));
		/* A test whose phase the VMM refused stays failed, for the VMM's reason. */
		if (!b->recs[b->nrecs - 1].rejected) {
			b->recs[b->nrecs - 1].status = (int)m->u.test_end.status;
			memcpy(b->recs[b->nrecs - 1].reason, m->u.test_end.reason, BENCH_REASON_MAX);
		}
		memcpy(b->recs[b->nrecs - 1].metrics, m->u.test_end.metrics, BENCH_KV_MAX);
		b->state = BENCH_IDLE;
		progress_line(b);
		break;
	case BENCH_OVERHEAD:
		reply = on_overhead(b, &m->u.overhead);
		break;
	case BENCH_REQUEST:
		/* Never inside a timed phase: whatever the VMM does there would be measured. */
		if (b->state == BENCH_IN_PHASE) {
			reply = violation(b, "REQUEST inside a phase");
			break;
		}
		reply = b->hooks.request ? b->hooks.request(b->hooks.opaque, &m->u.req) : -ENOSYS;
		break;
	case BENCH_LOG:
		if (b->log) {
			size_t n = strlen(m->u.log), ok = guest_text_admit(&b->log_text, n);

			if (ok || !n)
				fprintf(b->log, "guest: %.*s%s", (int)ok, m->u.log,
					ok && m->u.log[ok - 1] == '\n' ? "" : "\n");
			if (ok < n && b->log_text.dropped == n - ok)
				fprintf(b->log, "exitlab: bench: the guest's log passed %u bytes: the rest of it "
					"is dropped\n", GUEST_TEXT_MAX);
			fflush(b->log);
		}
		break;
	case BENCH_EXCEPTION: {
		char why[256];

		b->faulted = true;
		b->exc = m->u.exc;
		snprintf(why, sizeof(why),
			 "guest exception: vector %" PRIu64 " at RIP 0x%" PRIx64 " (CS 0x%" PRIx64
			 "), error code 0x%" PRIx64 ", CR2 0x%" PRIx64 ", RSP 0x%" PRIx64,
			 b->exc.vector, b->exc.rip, b->exc.cs, b->exc.error_code, b->exc.cr2, b->exc.rsp);
		if (b->hooks.stop)
			b->hooks.stop(b->hooks.opaque, OUTCOME_FAILED, why);
		break;
	}
	case BENCH_DONE:
		b->done = true;
		b->done_status = m->u.done.status;
		if (b->hooks.stop) {
			uint32_t st = m->u.done.status;

			b->hooks.stop(b->hooks.opaque, st == BENCH_DONE_OK ? OUTCOME_OK :
				      st == BENCH_DONE_HOST_LACKS ? OUTCOME_NO_HOST : OUTCOME_FAILED,
				      st == BENCH_DONE_OK ? "payload done" :
				      st == BENCH_DONE_HOST_LACKS ?
					      "the payload could not run everything asked: the host or VM lacks what a "
					      "skipped test needs (its reason says what)" :
					      "payload reported failure");
		}
		break;
	default:
		reply = violation(b, "unhandled command");
	}
out:
	shared->hdr.reply = reply;
	free(m);
	return reply;
}

static int bench_bus_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	(void)opaque;
	(void)off;
	memset(data, 0, size);
	return 0;
}

static int bench_bus_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	uint32_t v = 0;

	if (off != 0 || size != 4) {
		violation(opaque, "doorbell must be a 32-bit write at offset 0");
		return -1;
	}
	memcpy(&v, data, 4);
	bench_doorbell(opaque, v);
	return 0;
}

const struct bus_ops bench_bus_ops = {
	.read = bench_bus_read,
	.write = bench_bus_write,
};
