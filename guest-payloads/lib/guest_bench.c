// SPDX-License-Identifier: MIT
/*
 * The bench protocol's guest side: the mailbox and doorbell under exitlab's
 * VMM; serial lines (bench_serial.c) when there is no bench device
 * (bench_port 0: booted through PVH by another VMM).
 */
#include <stdarg.h>

#include "guest_bench.h"
#include "bench_serial.h"
#include "format.h"
#include "string.h"
#include "x86.h"

static struct bench_mailbox *bench_mb = (struct bench_mailbox *)BOOT_MAILBOX_GPA;
static uint16_t bench_port = BENCH_DEFAULT_PORT;
static int bench_serial; /* no bench device: report on COM1 */
static int bench_poll;   /* exitlab runs the other VMM: doorbell byte, reply polled */

void bench_init(const struct boot_info *bi)
{
	if (!bi || bi->magic != BOOT_INFO_MAGIC)
		return;
	bench_mb = (struct bench_mailbox *)bi->mailbox_gpa;
	bench_port = bi->bench_port;
	bench_serial = bench_port == 0;
	bench_poll = !bench_serial && (bi->flags & BOOT_F_BENCH_POLL);
}

int32_t bench_send(uint16_t cmd, const void *body, uint32_t len)
{
	struct bench_mailbox *mb = bench_mb;

	if (bench_serial)
		return bench_serial_raw(cmd);
	bench_mailbox_fill(mb, cmd, body, len);
	if (bench_poll) {
		/*
		 * The byte goes through the other VMM to exitlab, which answers in
		 * guest memory: one exit per message, as with our own VMM.  No
		 * pause in the wait: pause-loop exiting would add exits.
		 */
		mb->hdr.reply = BENCH_REPLY_PENDING;
		outb(bench_port, (uint8_t)cmd);
		while (*(volatile int32_t *)&mb->hdr.reply == BENCH_REPLY_PENDING)
			asm volatile("" : : : "memory");
		return *(volatile int32_t *)&mb->hdr.reply;
	}
	outl(bench_port, cmd); /* "memory" clobber: the mailbox is written before, reply read after */
	return *(volatile int32_t *)&mb->hdr.reply;
}

void bench_hello(const char *payload)
{
	struct bench_hello h;

	if (bench_serial) {
		bench_serial_hello(payload);
		return;
	}
	strncpy(h.payload, payload, sizeof(h.payload));
	bench_send(BENCH_HELLO, &h, sizeof(h));
}

int bench_test_begin_kv(const char *name, unsigned int ring, uint32_t flags, const char *params)
{
	struct bench_test_begin b;

	if (bench_serial) {
		bench_serial_test_begin(name, ring, params);
		return 1;
	}
	memset(&b, 0, sizeof(b)); /* every byte goes to the VMM: no stack garbage in params */
	strncpy(b.name, name, sizeof(b.name));
	b.ring = ring;
	b.flags = flags;
	if (params)
		strncpy(b.params, params, sizeof(b.params) - 1);
	return bench_send(BENCH_TEST_BEGIN, &b, sizeof(b)) == BENCH_REPLY_RUN;
}

int bench_test_begin(const char *name, unsigned int ring, uint32_t flags)
{
	return bench_test_begin_kv(name, ring, flags, NULL);
}

void bench_phase_begin(void)
{
	if (bench_serial) {
		bench_serial_phase_begin();
		return;
	}
	bench_send(BENCH_PHASE_BEGIN, 0, 0);
}

void bench_phase_end(uint64_t iterations, const uint64_t *samples, uint64_t nsamples,
		     uint64_t ops_per_sample)
{
	struct bench_phase_end p = {
		.iterations = iterations,
		.samples_gpa = (uint64_t)samples, /* identity-mapped: VA == GPA */
		.nsamples = nsamples,
		.ops_per_sample = ops_per_sample,
	};

	if (bench_serial) {
		bench_serial_phase_end(iterations, (uint64_t *)samples, nsamples, ops_per_sample);
		return;
	}
	bench_send(BENCH_PHASE_END, &p, sizeof(p));
}

void bench_overhead(const uint64_t *samples, uint64_t nbefore, uint64_t nafter)
{
	struct bench_overhead o = {
		.samples_gpa = (uint64_t)samples, /* identity-mapped: VA == GPA */
		.nbefore = nbefore,
		.nafter = nafter,
	};

	if (bench_serial)
		return; /* the serial report has no overhead line: the ring's empty test stands */
	bench_send(BENCH_OVERHEAD, &o, sizeof(o));
}

void bench_test_end_kv(enum bench_status status, const char *reason, const char *metrics)
{
	struct bench_test_end e;

	if (bench_serial) {
		bench_serial_test_end(status, reason, metrics);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.status = status;
	strncpy(e.reason, reason ? reason : "", sizeof(e.reason) - 1);
	if (metrics)
		strncpy(e.metrics, metrics, sizeof(e.metrics) - 1);
	bench_send(BENCH_TEST_END, &e, sizeof(e));
}

void bench_test_end(enum bench_status status, const char *reason)
{
	bench_test_end_kv(status, reason, NULL);
}

int32_t bench_request(uint32_t op, uint64_t a0, uint64_t a1)
{
	struct bench_request r;

	if (bench_serial)
		return -95; /* -EOPNOTSUPP: no VMM to act on guest memory */
	memset(&r, 0, sizeof(r));
	r.op = op;
	r.arg[0] = a0;
	r.arg[1] = a1;
	return bench_send(BENCH_REQUEST, &r, sizeof(r));
}

void bench_log(const char *fmt, ...)
{
	char *text = (char *)bench_mb->body; /* format in place: no big stack buffer */
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = format_vsnprintf(text, BENCH_BODY_MAX, fmt, ap);
	va_end(ap);
	if (n >= BENCH_BODY_MAX)
		n = BENCH_BODY_MAX - 1;
	if (bench_serial) {
		bench_serial_log(text);
		return;
	}
	bench_send(BENCH_LOG, text, n + 1);
}

void bench_exception(const struct bench_exception *e)
{
	if (bench_serial) {
		bench_serial_exception(e);
		return;
	}
	bench_send(BENCH_EXCEPTION, e, sizeof(*e));
}

void bench_done(uint32_t status)
{
	struct bench_done d = { .status = status };

	if (bench_serial) {
		bench_serial_done(status);
		return;
	}
	bench_send(BENCH_DONE, &d, sizeof(d));
	if (bench_poll)
		outl(BENCH_DEBUG_EXIT_PORT, status); /* the other VMM stops itself */
}
