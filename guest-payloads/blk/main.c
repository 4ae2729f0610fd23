// SPDX-License-Identifier: MIT
/*
 * blk: writes then reads of `ios` I/Os of `bs` bytes through virtio-blk,
 * up to `qd` in flight, sequential from sector 0.  Each sample is one I/O
 * (submit to completion).  Written data follow a pattern by LBA so that the
 * read phase, and the host afterwards, can check every byte (blk_pattern.h:
 * in each 512-byte sector, bytes 0..7 are the LBA (little-endian), byte
 * j >= 8 is (lba * 7 + j) & 0xff).  A flush follows the writes.  A read-only disk (VIRTIO_BLK_F_RO) has its
 * write tests skipped ("read-only disk") and its reads run unchecked
 * (pattern_checked=0).  Parameters (--param, or -append under QEMU):
 *   rw=write,read  bs=BYTES (512..65536, a multiple of 512)  qd=1..64  ios=N  event_idx=0|1  irq=0|1
 * Every test runs at each ring of bi->ring_mask (CPL0, then CPL3): the phase,
 * pattern filling and checking included, runs at that ring; with irq=1 at
 * CPL3 the phase runs with IF=1 and waits by spinning.
 */
#include "alloc.h"
#include "guest_bench.h"
#include "blk_pattern.h"
#include "format.h"
#include "guest_irq.h"
#include "params.h"
#include "guest_pci.h"
#include "ring_run.h"
#include "runtime.h"
#include "string.h"
#include "timing.h"
#include "guest_virtio_blk.h"
#include "guest_catalogue.h"

/* The catalogue (catalogue.h): what `exitlab list` shows and the host checks. */
PAYLOAD_INFO("blk", "virtio-blk: writes then reads, exits and time per I/O");
TEST("write", R03, "sequential writes of bs bytes at up to qd in flight, then a flush");
TEST("read", R03, "sequential reads of bs bytes, pattern checked");
PARAM("rw", "write,read", "a list of write and read: the tests to run");
PARAM("bs", "4096", "bytes per I/O (512..65536, a multiple of 512)");
PARAM("qd", "4", "I/Os in flight (1..64)");
PARAM("ios", "256", "I/Os per test");
PARAM("event_idx", "1", "0|1: negotiate VIRTIO_RING_F_EVENT_IDX");
PARAM("irq", "0", "0|1: take completion interrupts instead of polling");

#define POLL_MAX (1ull << 32)

static struct virtio_blk blk;

/* One test's phase, run at the test's ring (ring_run.h): submissions, completions, checks, PHASE_END. */
struct blk_phase {
	bool write, verify, irq;
	uint32_t bs;
	unsigned qd;
	uint64_t ios;
	uint8_t *bufs;
	uint64_t *samples;
	uint64_t completed, errors, checked, mismatched;
	uint64_t phase_cycles, wait_cycles; /* by the TSC, PHASE_BEGIN to PHASE_END */
	uint64_t pattern_cycles; /* TSC cycles in blk_pattern_fill/check: the harness's share of the phase */
	const char *why;
};

static long blk_phase_run(void *arg)
{
	struct blk_phase *p = arg;
	uint64_t start[VIRTIO_BLK_QD_MAX], lba_of[VIRTIO_BLK_QD_MAX];
	uint64_t submitted = 0, polls = 0, waiting = 0;
	uint32_t spb = p->bs / 512;
	unsigned free_slots = p->qd;

	/* First touches would be page faults (shadow paging) inside the phase. */
	for (uint64_t i = 0; i < p->ios; i += 4096 / sizeof(uint64_t))
		((volatile uint64_t *)p->samples)[i] = 0;
	bench_phase_begin();
	p->phase_cycles = rdtsc();
	while (p->completed < p->ios && !p->why) {
		uint64_t irqs = irq_dev_total;
		uint8_t st;
		int slot;
		bool added = false, reaped = false;

		/* Fill the queue: one free slot per I/O still to issue. */
		for (unsigned s = 0; s < p->qd && submitted < p->ios && free_slots; s++) {
			uint8_t *buf = p->bufs + (uint64_t)s * p->bs;

			if (blk.reqs[s].busy)
				continue;
			lba_of[s] = submitted * spb;
			if (p->write) {
				uint64_t t = tsc_begin();

				blk_pattern_fill(buf, lba_of[s], spb);
				start[s] = tsc_begin();
				p->pattern_cycles += start[s] - t;
			} else {
				start[s] = tsc_begin();
			}
			if (virtio_blk_submit(&blk, s, p->write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, lba_of[s], buf,
					      p->bs)) {
				p->why = "the queue refused a request";
				break;
			}
			free_slots--;
			submitted++;
			added = true;
		}
		if (added)
			virtio_blk_kick(&blk);
		while ((slot = virtio_blk_reap(&blk, &st)) >= 0) {
			uint64_t end = tsc_end();

			/* A wait episode (see below) ends with the first completion. */
			if (waiting) {
				p->wait_cycles += end - waiting;
				waiting = 0;
			}
			p->samples[p->completed++] = end - start[slot];
			reaped = true;
			free_slots++;
			polls = 0;
			if (st != VIRTIO_BLK_S_OK)
				p->errors++;
			else if (!p->write && p->verify) {
				if (blk_pattern_check(p->bufs + (uint64_t)slot * p->bs, lba_of[slot], spb))
					p->checked++;
				else
					p->mismatched++;
				p->pattern_cycles += tsc_end() - end;
			}
		}
		/* Nothing to submit and nothing completed: waiting for the device from here (wait_cycles). */
		if (!added && !reaped && !waiting)
			waiting = rdtsc();
		if (++polls > POLL_MAX)
			p->why = "the device stopped completing requests";
		else if (p->irq && free_slots == 0)
			irq_wait_any(irqs, 64);
	}
	p->phase_cycles = rdtsc() - p->phase_cycles;
	/* A failed phase has no PHASE_END: TEST_END(failed) closes it (docs/bench-protocol.md). */
	if (!p->why)
		bench_phase_end(p->completed, p->samples, p->completed, 1);
	return 0;
}

static int run_phase(const struct boot_info *bi, unsigned ring, bool write, uint32_t bs, unsigned qd,
		     uint64_t ios, uint8_t *bufs, uint64_t *samples, bool verify, bool irq)
{
	char params[BENCH_KV_MAX], metrics[BENCH_KV_MAX], fault[BENCH_REASON_MAX];
	struct blk_phase p = {
		.write = write, .verify = verify, .irq = irq, .bs = bs, .qd = qd, .ios = ios,
		.bufs = bufs, .samples = samples,
	};
	uint64_t k0 = blk.q.kicks, i0 = irq_dev_count[virtio_pci_queue_irq(&blk.vp, 0)];

	format_snprintf(params, sizeof(params), "rw=%s bs=%u qd=%u event_idx=%u irq=%u", write ? "write" : "read",
			bs, qd, virtio_has(&blk.vp, VIRTIO_F_EVENT_IDX), irq);
	if (!bench_test_begin_kv(write ? "write" : "read", ring, 0, params))
		return 0;
	if (write && virtio_has(&blk.vp, VIRTIO_BLK_F_RO)) {
		bench_test_end(BENCH_STATUS_SKIPPED, "read-only disk");
		return 0;
	}
	if (ring && irq && !irq_reaches_cpl3(bi->tsc_khz)) {
		bench_test_end(BENCH_STATUS_SKIPPED, "irq=1: this host does not deliver interrupts to CPL3 with IF=1");
		return 0;
	}
	if (ring_run_caught(ring, irq, blk_phase_run, &p, fault, sizeof(fault)))
		p.why = fault;
	irq_wait_done();
	if (!p.why && write && virtio_has(&blk.vp, VIRTIO_BLK_F_FLUSH) &&
	    virtio_blk_sync(&blk, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, POLL_MAX) != VIRTIO_BLK_S_OK)
		p.why = "flush failed";
	if (!p.why && p.errors)
		p.why = "the device failed requests";
	if (!p.why && p.mismatched)
		p.why = "data read back differ from what was written";
	format_snprintf(metrics, sizeof(metrics),
			"ios=%lu bytes=%lu errors=%lu interrupts=%lu kicks=%lu phase_cycles=%lu wait_cycles=%lu "
			"pattern_ns_per_io=%lu",
			p.completed, p.completed * bs, p.errors,
			irq_dev_count[virtio_pci_queue_irq(&blk.vp, 0)] - i0, blk.q.kicks - k0,
			p.phase_cycles, p.wait_cycles,
			p.completed && bi->tsc_khz ? p.pattern_cycles / p.completed * 1000000 / bi->tsc_khz : 0);
	if (!write) {
		size_t n = strlen(metrics);

		/* pattern_checked=0: nothing of ours was written first (rw without write, or a read-only disk). */
		format_snprintf(metrics + n, sizeof(metrics) - n, " checked=%lu mismatched=%lu pattern_checked=%u",
				p.checked, p.mismatched, verify);
	}
	bench_test_end_kv(p.why ? BENCH_STATUS_FAILED : BENCH_STATUS_OK, p.why, metrics);
	return p.why != NULL;
}

int payload_main(const struct boot_info *bi)
{
	char rw[32] = "write,read", why[BENCH_REASON_MAX];
	uint64_t bs = param_size(bi, "bs", 4096), qd = param_size(bi, "qd", 4), ios = param_size(bi, "ios", 256);
	bool irq = param_size(bi, "irq", 0) != 0, ev = param_size(bi, "event_idx", 1) != 0, wrote = false;
	uint8_t *bufs, id[VIRTIO_BLK_ID_LEN + 1];
	uint64_t *samples;
	struct pci_dev d;
	int failed = 0;

	bench_hello("blk");
	alloc_init(bi);
	param_str(bi, "rw", rw, sizeof(rw));
	if (bs < 512 || bs > 65536 || bs % 512 || !qd || qd > VIRTIO_BLK_QD_MAX || !ios || ios > (1u << 20)) {
		bench_log("blk: bad parameters (bs 512..65536 in sectors, qd 1..64, ios 1..1M)");
		return 1;
	}
	if (pci_find(0x1af4, 0x1042, 0, &d) && pci_find(0x1af4, 0x1001, 0, &d)) {
		bench_test_begin("write", 0, 0);
		bench_test_end(BENCH_STATUS_SKIPPED, "no virtio-blk device on PCI bus 0");
		return BENCH_DONE_HOST_LACKS;
	}
	if (virtio_blk_init(&blk, &d, ev, irq, 0, (unsigned)qd, why, sizeof(why))) {
		bench_log("blk: %s", why);
		return 1;
	}
	qd = blk.qd;
	if (ios * (bs / 512) > blk.capacity) {
		bench_log("blk: %lu I/Os of %lu bytes need more than the disk's %lu sectors", ios, bs, blk.capacity);
		return 1;
	}
	memset(id, 0, sizeof(id));
	if (virtio_blk_sync(&blk, VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_LEN, POLL_MAX) == VIRTIO_BLK_S_OK)
		bench_log("blk: id %s capacity %lu sectors", id[0] ? (char *)id : "-", blk.capacity);
	bufs = alloc_zeroed(qd * bs, 4096);
	samples = alloc_zeroed(ios * sizeof(uint64_t), 4096);
	if (!bufs || !samples) {
		bench_log("blk: no guest RAM for buffers and samples");
		return 1;
	}
	for (const char *p = rw; *p;) {
		bool w = !memcmp(p, "write", 5), r = !memcmp(p, "read", 4);

		if (!w && !r) {
			bench_log("blk: rw must be a list of write and read");
			return 1;
		}
		p += w ? 5 : 4;
		if (*p == ',')
			p++;
	}
	/* Every test at each ring of the mask, CPL0 first (PVM: emulated), then CPL3 (native). */
	for (unsigned ring = 0; ring <= 3; ring += 3) {
		if (!(bi->ring_mask & (ring ? BOOT_RING3 : BOOT_RING0)))
			continue;
		for (const char *p = rw; *p;) {
			bool w = !memcmp(p, "write", 5);

			failed += run_phase(bi, ring, w, (uint32_t)bs, (unsigned)qd, ios, bufs, samples, wrote, irq);
			/* A read-only disk skips the writes: its reads are not checked against our pattern. */
			wrote |= w && !virtio_has(&blk.vp, VIRTIO_BLK_F_RO);
			p += w ? 5 : 4;
			if (*p == ',')
				p++;
		}
	}
	return failed ? 1 : 0;
}
