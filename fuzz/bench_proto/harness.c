// SPDX-License-Identifier: MIT
/*
 * The bench protocol (docs/bench-protocol.md): the message parser
 * (devices/platform/bench_msg.c), the device's state machine and its copies of the
 * guest's samples (devices/platform/bench.c), and the records turned into test
 * results (run/collect.c), driven as the VMM drives them on each doorbell
 * exit, without a VM.  The input is what a guest does, as a sequence of at
 * most MAX_OPS steps:
 *   0  write a message in the mailbox (header fields, body bytes; length
 *      and body from the input) and ring the doorbell with its command
 *   1  write bytes of guest RAM (samples, a mailbox written by hand)
 *   2  fill [gpa, +8n) with increasing TSC deltas (many samples, few bytes)
 *   3  an access to the doorbell port (offset, size and value from the
 *      input), the mailbox as it is
 * Each instrument snapshot takes its values from the input too: the four
 * host slots, then one value from which the KVM stats slots are derived.  A
 * first byte chooses a --test selection, a host-side skip, whether the
 * snapshots hold the KVM stats of the recorded vCPU and VM descriptors
 * (tests/data/kvm_stats, read once from the repository root where make fuzz
 * runs) and how results are collected.  Guest RAM is small (low and high
 * RAM) and only what an input wrote is cleared after it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/platform/bench.h"
#include "run/collect.h"
#include "exitlab/boot_abi.h"
#include "fuzz/fuzz_input.h"
#include "instruments/kvm_stats.h"
#include "analysis/results.h"

#define LOW_RAM (256u << 10)
#define HIGH_RAM (64u << 10)
#define MAILBOX 0x1000
#define MAX_OPS 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct guest_mem mem;
static struct kvm_stats vcpu_stats, vm_stats;
static FILE *devnull;
/* what the input dirtied: [lo, hi) of mem.host */
static size_t dirty_lo, dirty_hi;

struct ctx {
	struct fuzz_input *in;
	int stops;
};

static void stats_load(struct kvm_stats *s, const char *path)
{
	static uint8_t buf[16384];
	char err[256];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "bench_proto harness: %s: run from the repository root\n", path);
		abort();
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (kvm_stats_parse(s, buf, n, err, sizeof(err)))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	stats_load(&vcpu_stats, "tests/data/kvm_stats/vcpu.bin");
	stats_load(&vm_stats, "tests/data/kvm_stats/vm.bin");
	mem.host = calloc(1, LOW_RAM + HIGH_RAM);
	mem.size = LOW_RAM;
	mem.high_size = HIGH_RAM;
	mem.page_size = 4096;
	mem.memfd = -1;
	devnull = fopen("/dev/null", "w");
	if (!mem.host || !devnull)
		abort();
	return 0;
}

static void hook_snapshot(void *o, struct bench_snapshot *s)
{
	struct ctx *c = o;
	uint64_t seed;

	for (size_t i = 0; i < s->n && i < SNAP_STATS_BASE; i++)
		s->v[i] = fuzz_u64(c->in);
	seed = fuzz_u64(c->in);
	for (size_t i = SNAP_STATS_BASE; i < s->n; i++)
		s->v[i] = seed * (i + 1) + (seed >> (i % 64));
}

static void hook_phase_begin(void *o)
{
	(void)o;
}

static char *hook_phase_end(void *o)
{
	struct ctx *c = o;

	return fuzz_u8(c->in) & 1 ? strdup("{\"tracepoints\":{\"kvm:kvm_pio\":{\"count\":4}},\"pmu\":null}")
				  : NULL;
}

static void hook_stop(void *o, enum outcome code, const char *why)
{
	struct ctx *c = o;

	(void)code;
	(void)why;
	c->stops++;
}

static int hook_request(void *o, const struct bench_request *r)
{
	(void)o;
	return r->op == BENCH_REQ_DISCARD && guest_mem_ptr(&mem, r->arg[0], r->arg[1]) ? 0 : -EINVAL;
}

/* A guest address: low or high RAM, or anywhere (refused by guest_mem_ptr). */
static uint64_t gpa_of(struct fuzz_input *in)
{
	uint8_t k = fuzz_u8(in);
	uint32_t off = fuzz_u32(in);

	switch (k & 3) {
	case 0:
		return off % LOW_RAM;
	case 1:
		return BOOT_HIGH_MEM_GPA + off % HIGH_RAM;
	case 2:
		return off;
	default:
		return ((uint64_t)fuzz_u32(in) << 32) | off;
	}
}

static void *ram(uint64_t gpa, uint64_t len)
{
	uint8_t *p = guest_mem_ptr(&mem, gpa, len);
	size_t lo, hi;

	if (!p)
		return NULL;
	lo = (size_t)(p - mem.host);
	hi = lo + len;
	if (dirty_hi == 0 || lo < dirty_lo)
		dirty_lo = lo;
	if (hi > dirty_hi)
		dirty_hi = hi;
	return p;
}

static void message(struct bench_dev *b, struct fuzz_input *in)
{
	struct bench_mailbox *mb = ram(MAILBOX, sizeof(*mb));
	uint8_t f = fuzz_u8(in);
	uint16_t len;
	size_t got;
	const uint8_t *body;

	mb->hdr.magic = f & 1 ? fuzz_u32(in) : BENCH_MAGIC;
	mb->hdr.version = f & 2 ? fuzz_u16(in) : f & 4 ? BENCH_VERSION_MIN : BENCH_VERSION;
	mb->hdr.cmd = fuzz_u8(in);
	len = fuzz_u16(in);
	mb->hdr.len = f & 8 ? fuzz_u32(in) : len % (BENCH_BODY_MAX + 1);
	mb->hdr.reply = 0;
	body = fuzz_take(in, len % (BENCH_BODY_MAX + 1), &got);
	memcpy(mb->body, body, got);
	memset(mb->body + got, 0, BENCH_BODY_MAX - got);
	bench_doorbell(b, f & 16 ? fuzz_u32(in) : mb->hdr.cmd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const select[] = { "cpuid", "tx/cpl3", "empty", "rx" };
	static const struct bench_skip skip[] = { { "rx", "the sink sends nothing" } };
	struct fuzz_input in = { data, size };
	struct ctx c = { .in = &in };
	struct bench_hooks h = { .opaque = &c, .snapshot = hook_snapshot, .phase_begin = hook_phase_begin,
				 .phase_end = hook_phase_end, .stop = hook_stop, .request = hook_request };
	struct snap_layout l;
	struct bench_dev b;
	struct run_result r = { 0 };
	struct collect_ctx cc = { .tsc_khz = 2000000, .stop_reason = "the VM stopped" };
	uint8_t mode = fuzz_u8(&in);

	ram(MAILBOX, sizeof(struct bench_mailbox));	/* the device writes its replies there */

	if (mode & 32) {
		cc.vcpu_stats = &vcpu_stats;
		cc.vm_stats = &vm_stats;
	}
	snap_layout_init(&l, cc.vcpu_stats, cc.vm_stats);
	h.nvalues = l.nvalues;
	bench_init(&b, &mem, MAILBOX, &h, devnull);
	b.progress = devnull;
	if (mode & 1) {
		b.select = select;
		b.nselect = sizeof(select) / sizeof(select[0]);
	}
	if (mode & 2) {
		b.skip = skip;
		b.nskip = 1;
	}
	cc.pvm = mode & 4;
	cc.keep_samples = mode & 8;
	cc.repeat = mode & 16 ? 2 : 1;

	for (int op = 0; op < MAX_OPS && fuzz_left(&in); op++) {
		uint8_t k = fuzz_u8(&in);

		switch (k & 3) {
		case 0:
			message(&b, &in);
			break;
		case 1: {
			uint64_t gpa = gpa_of(&in);
			size_t n = fuzz_u8(&in) * 8u, got;
			const uint8_t *src = fuzz_take(&in, n, &got);
			uint8_t *dst = ram(gpa, got);

			if (dst)
				memcpy(dst, src, got);
			break;
		}
		case 2: {
			uint64_t gpa = gpa_of(&in), n = fuzz_u16(&in), base = fuzz_u16(&in);
			uint8_t *dst = ram(gpa, n * 8);

			for (uint64_t i = 0; dst && i < n; i++) {
				uint64_t v = base + (i * 7919) % 101;

				memcpy(dst + i * 8, &v, 8);	/* a guest's array need not be aligned */
			}
			break;
		}
		default: {
			uint8_t sz = fuzz_u8(&in);
			uint64_t v = fuzz_u32(&in);

			/* the port as the bus hands it over: mostly a 32-bit write at 0 */
			bench_bus_ops.write(&b, sz & 0x80 ? sz & 7 : 0, &v, sz & 0x40 ? 1u << (sz & 3) : 4);
			break;
		}
		}
	}
	collect_records(&cc, &b, &r);
	results_free(&r);
	bench_destroy(&b);
	if (dirty_hi)
		memset(mem.host + dirty_lo, 0, dirty_hi - dirty_lo);
	dirty_lo = dirty_hi = 0;
	return 0;
}
