// SPDX-License-Identifier: MIT
/*
 * net: TX and RX of exitlab test frames (lib/net_frame.h) through
 * virtio-net or e1000, batch by batch.  Each (dir, batch) is one test; each
 * sample is one batch (ops_per_sample = batch), so the VMM's exits per
 * iteration are exits per frame.  Parameters (--param, or -append under QEMU):
 *   nic=virtio|e1000|any  dir=tx,rx  frames=N  size=BYTES (60..1514)
 *   batch=1,32,256  event_idx=0|1  mrg_rxbuf=0|1  irq=0|1
 *   intr=auto|msix|intx  (how irq=1 takes interrupts; auto: MSI-X where the NIC has it
 *                         (virtio-pci, the 82574), else INTx; msix or intx imply irq=1)
 *   loopback=0|1  (the backend sends every frame back: rx transmits its own stimulus)
 *   foreign=0|1   (rx without loopback: count every frame, not only exitlab's, unchecked:
 *                  a peer such as dpdk-testpmd's txonly sends its own)
 *   fill=0|1      (tx writes each frame's payload; 0: header and seq only, the payload
 *                  whatever the buffer held: the data path without the harness's writes,
 *                  for a receiver that does not check, e.g. --netdev sink,check=0)
 *   overlap=0|1   (virtio: a batch's frames go in 32 at a time as the device frees slots
 *                  and are published as they go, RX buffers too; 0: a batch waits for room
 *                  for all its frames and publishes them at its kick.  Either way
 *                  one notification decision per batch: kicks never outnumber batches)
 * Every test runs at each ring of bi->ring_mask (CPL0, then CPL3): the phase,
 * frame filling and checking included, runs at that ring; with irq=1 at CPL3
 * the phase runs with IF=1 and waits by spinning.  With loopback=1 the wire is
 * flushed before each phase (loop_flush).  A test that fails sends no
 * PHASE_END, only TEST_END(failed), and the tests after it still run.
 */
#include "alloc.h"
#include "guest_bench.h"
#include "guest_e1000.h"
#include "guest_irq.h"
#include "net_frame.h"
#include "nic.h"
#include "params.h"
#include "guest_pci.h"
#include "ring_run.h"
#include "runtime.h"
#include "string.h"
#include "format.h"
#include "timing.h"
#include "guest_virtio_net.h"
#include "x86.h"
#include "guest_catalogue.h"

/* The catalogue (catalogue.h): what `exitlab list` shows and the host checks. */
PAYLOAD_INFO("net", "TX and RX of test frames through virtio-net or e1000, batch by batch");
TEST("tx", R03, "transmit: one sample is one batch of frames (per-frame figures)");
TEST("rx", R03, "receive the backend's frames: one sample is one batch");
PARAM("nic", "any", "virtio | e1000 | any: which NIC to drive");
PARAM("dir", "tx,rx", "a list of tx and rx: the tests to run");
PARAM("frames", "1024", "frames per test");
PARAM("size", "1514", "frame size in bytes (60..1514)");
PARAM("batch", "1,32,256", "a list of batch sizes (1..256), one test each");
PARAM("event_idx", "1", "0|1: negotiate VIRTIO_RING_F_EVENT_IDX (virtio)");
PARAM("mrg_rxbuf", "1", "0|1: negotiate VIRTIO_NET_F_MRG_RXBUF (virtio)");
PARAM("irq", "0", "0|1: take completion interrupts instead of polling");
PARAM("intr", "auto", "auto | msix | intx: how irq=1 takes interrupts (msix, intx imply irq=1)");
PARAM("loopback", "0", "0|1: the backend sends every frame back (rx checks its own stimulus)");
PARAM("foreign", "0", "0|1: rx counts every frame, not only exitlab's, unchecked");
PARAM("fill", "1", "0|1: tx writes each frame's payload (0: header and seq only, for an unchecking sink)");
PARAM("overlap", "1", "0|1: virtio fills and publishes as the device frees slots (0: waits for a batch's room)");

#define MAX_BATCHES 8
/*
 * How long a test waits without progress before it gives up: 3 s by the TSC
 * (a 3 GHz guess if its rate is unknown).  Long enough for QEMU's e1000,
 * which holds reception for 1 s after RCTL is written.
 */
#define IDLE_MS 3000
static uint64_t idle_cycles;

static struct virtio_net vnet;
static struct e1000 e1k;
static uint32_t next_seq = 1;
/* Flush markers' seqs have the top bit: tests' seqs count up from 1 and stay below it. */
#define MARKER_SEQ 0x80000000u
static uint32_t next_marker = MARKER_SEQ;

/* ---- virtio-net ---- */
static unsigned vn_tx_free(void *d) { return virtio_net_tx_free(d); }
static int vn_tx_add(void *d, uint32_t len, uint32_t seq) { return virtio_net_tx_add(d, len, seq); }
static int vn_tx_kick(void *d) { return virtio_net_tx_kick(d); }
static void vn_tx_publish(void *d) { virtio_net_tx_publish(d); }
static unsigned vn_rx_poll(void *d, unsigned max, nic_rx_fn fn, void *arg) { return virtio_net_rx_poll(d, max, fn, arg); }

static uint64_t vn_kicks(void *d, bool tx)
{
	struct virtio_net *n = d;

	return tx ? n->tx.kicks : n->rx.kicks;
}

static uint64_t vn_spurious(void *d)
{
	return ((struct virtio_net *)d)->vp.isr_empty;
}

static uint64_t vn_interrupts(void *d)
{
	struct virtio_net *n = d;
	uint64_t s = irq_dev_count[virtio_pci_queue_irq(&n->vp, 0)];

	if (n->vp.irq == PCI_INTR_MSIX)
		s += irq_dev_count[virtio_pci_queue_irq(&n->vp, 1)];
	return s;
}

/* ---- e1000 ---- */
static unsigned e_tx_free(void *d) { return e1000_tx_free(d); }
static int e_tx_add(void *d, uint32_t len, uint32_t seq) { return e1000_tx_add(d, len, seq); }
static int e_tx_kick(void *d) { return e1000_tx_kick(d); }
static unsigned e_rx_poll(void *d, unsigned max, nic_rx_fn fn, void *arg) { return e1000_rx_poll(d, max, fn, arg); }

static uint64_t e_kicks(void *d, bool tx)
{
	struct e1000 *e = d;

	return tx ? e->tx_kicks : e->rx_kicks;
}

static uint64_t e_spurious(void *d)
{
	return ((struct e1000 *)d)->icr_empty;
}

static uint64_t e_interrupts(void *d)
{
	return irq_dev_count[((struct e1000 *)d)->irq_idx];
}

/* irq= and intr= as one mode: NONE, AUTO, MSIX or INTX; -1 for an unknown intr. */
static int intr_param(const struct boot_info *bi, enum pci_intr *out)
{
	char s[8];

	*out = param_size(bi, "irq", 0) ? PCI_INTR_AUTO : PCI_INTR_NONE;
	if (!param_str(bi, "intr", s, sizeof(s)) || !strcmp(s, "auto"))
		return 0;
	if (!strcmp(s, "msix"))
		*out = PCI_INTR_MSIX;
	else if (!strcmp(s, "intx"))
		*out = PCI_INTR_INTX;
	else
		return -1;
	return 0;
}

static int nic_open(const struct boot_info *bi, const char *want, struct nic *nic, char *why, unsigned wl)
{
	bool any = !strcmp(want, "any");
	enum pci_intr intr;
	struct pci_dev d;

	memset(nic, 0, sizeof(*nic));
	if (intr_param(bi, &intr)) {
		format_snprintf(why, wl, "intr= takes auto, msix or intx");
		return -1;
	}
	if ((any || !strcmp(want, "virtio")) &&
	    (!pci_find(0x1af4, 0x1041, 0, &d) || !pci_find(0x1af4, 0x1000, 0, &d))) {
		bool ev = param_size(bi, "event_idx", 1) != 0, mrg = param_size(bi, "mrg_rxbuf", 1) != 0;

		if (virtio_net_init(&vnet, &d, ev, mrg, intr, 0, why, wl))
			return -1;
		*nic = (struct nic){ "virtio", &vnet, vnet.tx.size, vn_tx_free, vn_tx_add, vn_tx_kick,
				     vn_rx_poll, vn_kicks, vn_interrupts, vn_spurious,
				     virtio_has(&vnet.vp, VIRTIO_F_EVENT_IDX), 0, vnet.vp.irq, NULL };
		nic->irq_idx = virtio_pci_queue_irq(&vnet.vp, 1);
		vnet.overlap = param_size(bi, "overlap", 1) != 0;
		if (vnet.overlap)
			nic->tx_publish = vn_tx_publish;
		return 0;
	}
	if ((any || !strcmp(want, "e1000")) && !e1000_find(&d)) {
		if (e1000_init(&e1k, &d, intr, 4, why, wl))
			return -1;
		*nic = (struct nic){ "e1000", &e1k, E1000_RING - 1, e_tx_free, e_tx_add, e_tx_kick, e_rx_poll,
				     e_kicks, e_interrupts, e_spurious, false, 4, e1k.intr, NULL };
		return 0;
	}
	format_snprintf(why, wl, "no %s NIC on PCI bus 0", any ? "virtio-net or e1000" : want);
	return -1;
}

/* ---- receive accounting ---- */
struct rx_tally {
	uint32_t lo, hi;         /* the sequence numbers this test sent or expects */
	uint64_t frames, checked, stale, bad;
	uint64_t markers;        /* loop_flush's markers from marker_lo on (loopback: a range is set) */
	uint32_t marker_lo;
	uint64_t bytes;
	uint32_t size;
	bool foreign;            /* any frame counts, unchecked (foreign=1) */
};

static void rx_count(const uint8_t *f, uint32_t len, void *arg)
{
	struct rx_tally *t = arg;
	uint32_t seq;

	if (t->foreign) {
		t->frames++;
		t->bytes += len;
		return;
	}
	/* Padding may have been added below 60 bytes; a frame is checked over the bytes we sent. */
	if (!net_frame_check(f, len < t->size ? len : t->size, &seq)) {
		t->bad++;
		return;
	}
	if (t->hi != t->lo && (seq & MARKER_SEQ)) {
		/* A flush marker (minimum size); one of an earlier flush (resent, came back late) proves nothing. */
		t->markers += seq >= t->marker_lo;
		return;
	}
	if (len < t->size) {
		t->bad++;
		return;
	}
	if (t->hi != t->lo && (seq < t->lo || seq >= t->hi)) {
		t->stale++; /* an earlier test's frame, looped back late */
		return;
	}
	t->frames++;
	t->checked++;
	t->bytes += len;
}

/* seen_irqs: irq_dev_total before the device was last polled (any of its vectors wakes us). */
static void wait_event(struct nic *nic, uint64_t seen_irqs)
{
	if (nic_irq(nic))
		irq_wait_any(seen_irqs, 64);
	else
		asm volatile("pause");
}

/*
 * Cycles the phase spent waiting for the device (metrics wait_cycles),
 * counted per wait episode: from the first poll that found nothing to do
 * to the start of the poll that found work, so the busy loop pays nothing.
 */
static uint64_t wait_cycles;

static inline void wait_begin(uint64_t *since)
{
	if (!*since)
		*since = rdtsc();
}

static inline void wait_end(uint64_t *since, uint64_t now)
{
	if (*since) {
		wait_cycles += now - *since;
		*since = 0;
	}
}

/*
 * Cycles the phase spent putting frames into the ring (TX: the header, the
 * pattern fill and the descriptor) or taking them out (RX: the pattern check
 * and the buffer re-posted): metrics pattern_ns_per_frame, the test harness's
 * share of the guest's time, as an upper bound.  Timed per group of frames,
 * never per frame, so the timing costs the loop nothing it would notice.
 */
static uint64_t frame_cycles;

static void tx_add_n(struct nic *nic, uint32_t n, uint32_t size)
{
	uint64_t t0 = rdtsc();

	for (uint32_t j = 0; j < n; j++)
		nic->tx_add(nic->dev, size, next_seq++);
	frame_cycles += rdtsc() - t0;
}

/* Wait for n free TX slots; false if the device stops completing. */
static bool tx_room(struct nic *nic, unsigned n, struct rx_tally *drain)
{
	uint64_t t0 = rdtsc(), now = t0;

	do {
		uint64_t irqs = irq_dev_total;

		if (nic->tx_free(nic->dev) >= n) {
			wait_cycles += now - t0; /* 0 unless a check found too few */
			return true;
		}
		if (drain)
			nic->rx_poll(nic->dev, NIC_RX_ALL, rx_count, drain);
		wait_event(nic, irqs);
	} while ((now = rdtsc()) - t0 <= idle_cycles);
	return false;
}

/*
 * With a loopback: send a marker and receive until it comes back.  The wire is
 * FIFO, so by then every frame sent before it has arrived or been dropped: no
 * frame of an earlier test is still in flight to land in the next phase or to
 * fill the wire under its frames (a busy host may leave a whole ring of them
 * behind a test that only waited for its TX descriptors).  A marker lost to a
 * full wire is sent again after a silence; each has a seq of its own, so a
 * late one of an earlier flush is not taken for this one's.  Also the first
 * probe: a device may hold reception for a while after it is enabled (QEMU's
 * e1000 does, 1 s), and frames sent meanwhile are lost.
 * 0 when a marker came back, -1 if none did in 30 silences of 0.1 s.
 */
static int loop_flush(struct nic *nic)
{
	struct rx_tally t = { .lo = 0, .hi = 1, .size = NET_FRAME_MIN, .marker_lo = next_marker };

	for (int tries = 0; tries < 30; tries++) {
		if (!tx_room(nic, 1, &t))
			return -1;
		if (t.markers)
			return 0; /* one came back while we waited for room */
		nic->tx_add(nic->dev, NET_FRAME_MIN, next_marker++);
		nic->tx_kick(nic->dev);
		for (uint64_t t0 = rdtsc(); rdtsc() - t0 < idle_cycles / 30;) {
			if (!nic->rx_poll(nic->dev, NIC_RX_ALL, rx_count, &t))
				continue;
			if (t.markers)
				return 0;
			t0 = rdtsc(); /* earlier frames still coming: not a silence */
		}
	}
	return -1;
}

/* One test's phase, run at the test's ring (ring_run.h): everything from the pre-drain to PHASE_END. */
struct net_phase {
	struct nic *nic;
	bool tx, loopback;
	uint64_t frames, nb, done;
	uint32_t size, batch;
	uint64_t *samples;
	struct rx_tally rx, drain;
	uint64_t phase_cycles, wait_cycles; /* by the TSC, PHASE_BEGIN to PHASE_END */
	uint64_t frame_cycles;              /* of them, frames into or out of the ring (frame_cycles) */
	const char *why;
};

/*
 * overlap=1: the batch's n frames go in as the device frees slots, each group
 * published at once, so a device still draining finds them without a kick.
 * The notification is decided once, at the end, over all the batch published
 * (vq_kick): kicks never outnumber batches.  Before waiting for room it is
 * decided too, so that a device gone idle is not left waiting to be told
 * (with EVENT_IDX that never kicks: a device gone idle has consumed all it
 * was shown, so its slots come back and there is room).  Frames go in and
 * are published OVERLAP_CHUNK at a time (one cache line of the avail ring), or
 * what the batch has left: one by one, the two sides would trade the rings'
 * cache lines for every frame; a whole batch at once, a device still draining
 * would run dry before it saw any.
 */
#define OVERLAP_CHUNK 32
static bool tx_overlap(struct net_phase *p, uint32_t n, struct rx_tally *drain)
{
	struct nic *nic = p->nic;

	for (uint32_t added = 0; added < n;) {
		unsigned want = n - added < OVERLAP_CHUNK ? n - added : OVERLAP_CHUNK;

		if (nic->tx_free(nic->dev) < want) {
			nic->tx_kick(nic->dev);
			if (!tx_room(nic, want, drain))
				return false;
			continue;
		}
		tx_add_n(nic, want, p->size);
		nic->tx_publish(nic->dev);
		added += want;
	}
	nic->tx_kick(nic->dev);
	return true;
}

static long net_phase_run(void *arg)
{
	struct net_phase *p = arg;
	struct nic *nic = p->nic;
	bool tx = p->tx, loopback = p->loopback;

	/* Late frames of the previous test out of the way before the phase. */
	if (loopback && loop_flush(nic)) {
		p->why = "loopback=1 but the flush marker never came back";
		return 0;
	}
	/* First touches would be page faults (shadow paging) inside the phase. */
	for (uint64_t i = 0; i < p->nb; i += 4096 / sizeof(uint64_t))
		((volatile uint64_t *)p->samples)[i] = 0;

	bench_phase_begin();
	wait_cycles = frame_cycles = 0;
	p->phase_cycles = rdtsc();
	for (uint64_t b = 0; b < p->nb && !p->why; b++) {
		uint32_t n = (uint32_t)(p->frames - p->done < p->batch ? p->frames - p->done : p->batch);
		uint64_t t0 = tsc_begin();

		if (tx || loopback) {
			struct rx_tally *drain = tx ? &p->drain : &p->rx;

			if (nic->tx_publish) {
				if (!tx_overlap(p, n, drain)) {
					p->why = "the device stopped completing TX descriptors";
					break;
				}
			} else {
				if (!tx_room(nic, n, drain)) {
					p->why = "the device stopped completing TX descriptors";
					break;
				}
				tx_add_n(nic, n, p->size);
				nic->tx_kick(nic->dev);
			}
			/* Frames looping back must not pile up behind a full RX ring. */
			if (tx && loopback)
				nic->rx_poll(nic->dev, NIC_RX_ALL, rx_count, &p->drain);
		}
		if (!tx) {
			uint64_t want = p->done + n, idle = rdtsc(), now, waiting = 0;

			while (p->rx.frames < want && (now = rdtsc()) - idle <= idle_cycles) {
				uint64_t irqs = irq_dev_total;

				/* no more than the batch still wants: a frame past it is the next batch's */
				if (nic->rx_poll(nic->dev, (unsigned)(want - p->rx.frames), rx_count, &p->rx)) {
					wait_end(&waiting, now);
					idle = rdtsc();
					frame_cycles += idle - now;
				} else {
					wait_begin(&waiting);
					wait_event(nic, irqs);
				}
				if (loopback)
					nic->tx_free(nic->dev);
			}
			if (p->rx.frames < want)
				p->why = "frames stopped arriving";
		}
		p->done += n;
		p->samples[b] = tsc_end() - t0;
	}
	/* Every TX descriptor back before the next test. */
	if (!p->why && !tx_room(nic, nic->tx_size, tx ? &p->drain : NULL))
		p->why = "the device did not complete every TX descriptor";
	/*
	 * A failed phase has no PHASE_END (docs/bench-protocol.md): TEST_END(failed)
	 * closes it, and the tests after it still run.
	 */
	p->phase_cycles = rdtsc() - p->phase_cycles;
	p->wait_cycles = wait_cycles;
	p->frame_cycles = frame_cycles;
	if (!p->why)
		bench_phase_end(p->done, p->samples, p->nb, p->batch);
	return 0;
}

static int run_test(const struct boot_info *bi, struct nic *nic, unsigned ring, bool tx, uint64_t frames,
		    uint32_t size, uint32_t batch, bool loopback, uint64_t *samples)
{
	char params[BENCH_KV_MAX], metrics[BENCH_KV_MAX], fault[BENCH_REASON_MAX];
	struct net_phase p = {
		.nic = nic, .tx = tx, .loopback = loopback, .frames = frames,
		.nb = (frames + batch - 1) / batch, .size = size, .batch = batch, .samples = samples,
		.rx = { .size = size }, .drain = { .size = size },
	};
	uint64_t k0_tx, k0_rx, i0, s0;
	size_t ml;

	/* intr= only with interrupts on, overlap=0 and fill=0 only when off: the default tests keep their names. */
	format_snprintf(params, sizeof(params), "nic=%s dir=%s size=%u batch=%u event_idx=%u irq=%u%s%s%s%s",
			nic->name, tx ? "tx" : "rx", size, batch, nic->event_idx, nic_irq(nic),
			nic_irq(nic) ? " intr=" : "", nic_irq(nic) ? pci_intr_name(nic->intr) : "",
			!strcmp(nic->name, "virtio") && !nic->tx_publish ? " overlap=0" : "",
			tx && !net_frame_fill_payload ? " fill=0" : "");
	if (!bench_test_begin_kv(tx ? "tx" : "rx", ring, 0, params))
		return 0;
	if (ring && nic_irq(nic) && !irq_reaches_cpl3(bi->tsc_khz)) {
		bench_test_end(BENCH_STATUS_SKIPPED, "irq=1: this host does not deliver interrupts to CPL3 with IF=1");
		return 0;
	}
	if (!tx && !loopback) {
		/* Without a loopback, frames come from the backend (exitlab's gen): any sequence is ours. */
		p.rx.lo = p.rx.hi = 0;
		p.rx.foreign = param_size(bi, "foreign", 0) != 0;
	} else {
		p.rx.lo = next_seq;
		p.rx.hi = next_seq + (uint32_t)frames;
	}
	k0_tx = nic->kicks(nic->dev, true);
	k0_rx = nic->kicks(nic->dev, false);
	i0 = nic->interrupts(nic->dev);
	s0 = nic->spurious(nic->dev);

	if (ring_run_caught(ring, nic_irq(nic), net_phase_run, &p, fault, sizeof(fault)))
		p.why = fault;
	irq_wait_done();

	if (tx)
		format_snprintf(metrics, sizeof(metrics), "frames=%lu bytes=%lu interrupts=%lu kicks=%lu",
				p.done, p.done * size, nic->interrupts(nic->dev) - i0,
				nic->kicks(nic->dev, true) - k0_tx);
	else
		format_snprintf(metrics, sizeof(metrics),
				"frames=%lu bytes=%lu interrupts=%lu kicks=%lu checked=%lu stale=%lu bad=%lu",
				p.rx.frames, p.rx.bytes, nic->interrupts(nic->dev) - i0,
				nic->kicks(nic->dev, false) - k0_rx + (loopback ? nic->kicks(nic->dev, true) - k0_tx : 0),
				p.rx.checked, p.rx.stale, p.rx.bad);
	ml = strlen(metrics);
	format_snprintf(metrics + ml, sizeof(metrics) - ml,
			" spurious_interrupts=%lu phase_cycles=%lu wait_cycles=%lu pattern_ns_per_frame=%lu",
			nic->spurious(nic->dev) - s0, p.phase_cycles, p.wait_cycles,
			p.done && bi->tsc_khz ? p.frame_cycles * 1000000 / bi->tsc_khz / p.done : 0);
	if (!p.why && !tx && p.rx.bad)
		p.why = "frames arrived with a wrong pattern";
	bench_test_end_kv(p.why ? BENCH_STATUS_FAILED : BENCH_STATUS_OK, p.why, metrics);
	return p.why != NULL;
}

int payload_main(const struct boot_info *bi)
{
	char nicname[16] = "any", dirs[16] = "tx,rx", batches_s[64] = "1,32,256", why[BENCH_REASON_MAX];
	uint64_t frames = param_size(bi, "frames", 1024), size = param_size(bi, "size", 1514);
	uint64_t batches[MAX_BATCHES], *samples;
	bool loopback = param_size(bi, "loopback", 0) != 0;
	struct nic nic;
	int nbatch, failed = 0;

	bench_hello("net");
	net_frame_fill_payload = param_size(bi, "fill", 1) != 0;
	alloc_init(bi);
	idle_cycles = (bi->tsc_khz ? bi->tsc_khz : 3000000) * IDLE_MS;
	param_str(bi, "nic", nicname, sizeof(nicname));
	param_str(bi, "dir", dirs, sizeof(dirs));
	param_str(bi, "batch", batches_s, sizeof(batches_s));
	nbatch = param_parse_size_list(batches_s, batches, MAX_BATCHES);
	if (nbatch <= 0 || size < NET_FRAME_MIN || size > NET_FRAME_MAX || !frames || frames > (1u << 24)) {
		bench_log("net: bad parameters (size 60..1514, frames 1..16M, batch a list of 1..256)");
		return 1;
	}
	for (int i = 0; i < nbatch; i++)
		if (batches[i] < 1 || batches[i] > 256) {
			bench_log("net: batch %lu out of 1..256", batches[i]);
			return 1;
		}
	if (nic_open(bi, nicname, &nic, why, sizeof(why))) {
		bench_test_begin("tx", 0, 0);
		bench_test_end(BENCH_STATUS_SKIPPED, why);
		return BENCH_DONE_HOST_LACKS;
	}
	if (loopback && loop_flush(&nic)) {
		bench_test_begin("rx", 0, 0);
		bench_test_end(BENCH_STATUS_FAILED, "loopback=1 but no probe frame came back in 3 s");
		return 1;
	}
	samples = alloc_zeroed(frames * sizeof(uint64_t), 4096);
	if (!samples) {
		bench_log("net: no guest RAM for %lu samples", frames);
		return 1;
	}
	for (const char *d = dirs; *d;) {
		if (memcmp(d, "tx", 2) && memcmp(d, "rx", 2)) {
			bench_log("net: dir must be a list of tx and rx");
			return 1;
		}
		d += 2;
		if (*d == ',')
			d++;
	}
	/* Every test at each ring of the mask, CPL0 first (PVM: emulated), then CPL3 (native). */
	for (unsigned ring = 0; ring <= 3; ring += 3) {
		if (!(bi->ring_mask & (ring ? BOOT_RING3 : BOOT_RING0)))
			continue;
		for (const char *d = dirs; *d;) {
			bool tx = !memcmp(d, "tx", 2);

			for (int i = 0; i < nbatch; i++) {
				uint32_t b = (uint32_t)batches[i];

				/* A batch never needs more than the ring holds (e1000 keeps one slot free)... */
				if (b > nic.tx_size)
					b = nic.tx_size;
				if (b > frames)
					b = (uint32_t)frames;
				/* ...and a test is whole batches: every sample is `batch` frames (PHASE_END). */
				failed += run_test(bi, &nic, ring, tx, frames / b * b, (uint32_t)size, b, loopback,
						   samples);
			}
			d += 2;
			if (*d == ',')
				d++;
		}
	}
	return failed ? 1 : 0;
}
