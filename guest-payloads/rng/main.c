// SPDX-License-Identifier: MIT
/*
 * rng: `n` requests of `size` bytes to virtio-rng, up to `qd` in flight,
 * each one device-writable buffer the device fills with random bytes.  Each
 * sample is one request (submit to completion); the metrics say the bytes
 * per second (bytes over the phase by the TSC) and the host's results the
 * exits per request.  Before the phase, two requests into zeroed buffers
 * check that the bytes arrive and differ.  Parameters (--param):
 *   n=N  size=1..65536  qd=1..64  event_idx=0|1
 * The test runs at each ring of bi->ring_mask (CPL0, then CPL3), polling.
 */
#include "alloc.h"
#include "format.h"
#include "guest_bench.h"
#include "guest_catalogue.h"
#include "guest_pci.h"
#include "guest_virtio_rng.h"
#include "params.h"
#include "ring_run.h"
#include "runtime.h"
#include "string.h"
#include "timing.h"

/* The catalogue (catalogue.h): what `exitlab list` shows and the host checks. */
PAYLOAD_INFO("rng", "virtio-rng: random bytes per second and exits per request");
TEST("fill", R03, "n requests of size bytes at up to qd in flight, each buffer filled by the device");
PARAM("n", "1024", "requests per test");
PARAM("size", "4096", "bytes per request (1..65536)");
PARAM("qd", "1", "requests in flight (1..64)");
PARAM("event_idx", "1", "0|1: negotiate VIRTIO_RING_F_EVENT_IDX");

#define POLL_MAX (1ull << 32)
#define CHECK_LEN 64

static struct virtio_rng rng;

/* One test's phase, run at the test's ring (ring_run.h): submissions, completions, PHASE_END. */
struct rng_phase {
	uint32_t size;
	unsigned qd;
	uint64_t n;
	uint8_t *bufs;
	uint64_t *samples;
	uint64_t completed, bytes, short_fills;
	uint64_t phase_cycles, wait_cycles; /* by the TSC, PHASE_BEGIN to PHASE_END */
	const char *why;
};

static long rng_phase_run(void *arg)
{
	struct rng_phase *p = arg;
	uint64_t start[VIRTIO_RNG_QD_MAX];
	uint64_t submitted = 0, polls = 0, waiting = 0;
	unsigned free_slots = p->qd;

	/* First touches would be page faults (shadow paging) inside the phase. */
	for (uint64_t i = 0; i < p->n; i += 4096 / sizeof(uint64_t))
		((volatile uint64_t *)p->samples)[i] = 0;
	bench_phase_begin();
	p->phase_cycles = rdtsc();
	while (p->completed < p->n && !p->why) {
		bool added = false, reaped = false;
		uint32_t len;
		int slot;

		for (unsigned s = 0; s < p->qd && submitted < p->n && free_slots; s++) {
			if (rng.busy[s])
				continue;
			start[s] = tsc_begin();
			if (virtio_rng_submit(&rng, s, p->bufs + (uint64_t)s * p->size, p->size)) {
				p->why = "the queue refused a request";
				break;
			}
			free_slots--;
			submitted++;
			added = true;
		}
		if (added)
			virtio_rng_kick(&rng);
		while ((slot = virtio_rng_reap(&rng, &len)) >= 0) {
			uint64_t end = tsc_end();

			/* A wait episode ends with the first completion. */
			if (waiting) {
				p->wait_cycles += end - waiting;
				waiting = 0;
			}
			p->samples[p->completed++] = end - start[slot];
			p->bytes += len < p->size ? len : p->size;
			p->short_fills += len < p->size;
			reaped = true;
			free_slots++;
			polls = 0;
		}
		if (!added && !reaped && !waiting)
			waiting = rdtsc();
		if (++polls > POLL_MAX)
			p->why = "the device stopped completing requests";
	}
	p->phase_cycles = rdtsc() - p->phase_cycles;
	/* A failed phase has no PHASE_END: TEST_END(failed) closes it (docs/bench-protocol.md). */
	if (!p->why)
		bench_phase_end(p->completed, p->samples, p->completed, 1);
	return 0;
}

/* Two requests into zeroed buffers: NULL if both came back whole, not all zero, and different. */
static const char *check_bytes(uint8_t *a, uint8_t *b)
{
	bool zero = true;

	memset(a, 0, CHECK_LEN);
	memset(b, 0, CHECK_LEN);
	if (virtio_rng_sync(&rng, a, CHECK_LEN, POLL_MAX) != CHECK_LEN ||
	    virtio_rng_sync(&rng, b, CHECK_LEN, POLL_MAX) != CHECK_LEN)
		return "a request did not come back with every byte filled";
	for (unsigned i = 0; i < CHECK_LEN; i++)
		zero &= !a[i];
	if (zero || !memcmp(a, b, CHECK_LEN))
		return "the device's bytes are zero or repeat";
	return NULL;
}

static int run_phase(const struct boot_info *bi, unsigned ring, struct rng_phase *p)
{
	char params[BENCH_KV_MAX], metrics[BENCH_KV_MAX], fault[BENCH_REASON_MAX];
	uint64_t k0, bps = 0;

	format_snprintf(params, sizeof(params), "size=%u qd=%u event_idx=%u", p->size, p->qd,
			virtio_has(&rng.vp, VIRTIO_F_EVENT_IDX));
	if (!bench_test_begin_kv("fill", ring, 0, params))
		return 0;
	p->why = check_bytes(p->bufs, p->bufs + CHECK_LEN);
	k0 = rng.q.kicks;   /* the phase's kicks only */
	if (!p->why && ring_run_caught(ring, false, rng_phase_run, p, fault, sizeof(fault)))
		p->why = fault;
	if (!p->why && p->short_fills)
		p->why = "the device filled fewer bytes than asked";
	if (p->phase_cycles && bi->tsc_khz)
		bps = (uint64_t)((unsigned __int128)p->bytes * bi->tsc_khz * 1000 / p->phase_cycles);
	format_snprintf(metrics, sizeof(metrics),
			"requests=%lu bytes=%lu short=%lu kicks=%lu phase_cycles=%lu wait_cycles=%lu bytes_per_s=%lu",
			p->completed, p->bytes, p->short_fills, rng.q.kicks - k0, p->phase_cycles, p->wait_cycles,
			bps);
	bench_test_end_kv(p->why ? BENCH_STATUS_FAILED : BENCH_STATUS_OK, p->why, metrics);
	return p->why != NULL;
}

int payload_main(const struct boot_info *bi)
{
	uint64_t n = param_size(bi, "n", 1024), size = param_size(bi, "size", 4096), qd = param_size(bi, "qd", 1);
	bool ev = param_size(bi, "event_idx", 1) != 0;
	char why[BENCH_REASON_MAX];
	uint8_t *bufs;
	uint64_t *samples;
	struct pci_dev d;
	int failed = 0;

	bench_hello("rng");
	alloc_init(bi);
	if (!size || size > 65536 || !qd || qd > VIRTIO_RNG_QD_MAX || !n || n > (1u << 20)) {
		bench_log("rng: bad parameters (size 1..65536, qd 1..64, n 1..1M)");
		return 1;
	}
	if (pci_find(VIRTIO_PCI_VENDOR, VIRTIO_RNG_PCI_DEVICE, 0, &d)) {
		bench_test_begin("fill", 0, 0);
		bench_test_end(BENCH_STATUS_SKIPPED, "no virtio-rng device on PCI bus 0");
		return BENCH_DONE_HOST_LACKS;
	}
	if (virtio_rng_init(&rng, &d, ev, (unsigned)qd, why, sizeof(why))) {
		bench_log("rng: %s", why);
		return 1;
	}
	qd = rng.qd;
	bufs = alloc_zeroed(qd * (size > 2 * CHECK_LEN ? size : 2 * CHECK_LEN), 4096);
	samples = alloc_zeroed(n * sizeof(uint64_t), 4096);
	if (!bufs || !samples) {
		bench_log("rng: no guest RAM for buffers and samples");
		return 1;
	}
	/* CPL0 first (PVM: emulated), then CPL3 (native). */
	for (unsigned ring = 0; ring <= 3; ring += 3) {
		struct rng_phase p = {
			.size = (uint32_t)size, .qd = (unsigned)qd, .n = n, .bufs = bufs, .samples = samples,
		};

		if (bi->ring_mask & (ring ? BOOT_RING3 : BOOT_RING0))
			failed += run_phase(bi, ring, &p);
	}
	return failed ? 1 : 0;
}
