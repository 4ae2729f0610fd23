/* SPDX-License-Identifier: MIT */
/*
 * The emulated Intel 82540EM (e1000) NIC.  The core (register file,
 * EEPROM, PHY, TX and RX descriptor rings, interrupts, statistics) knows
 * nothing about PCI or KVM: it signals its INTx level through a callback
 * and reads time through an injectable clock, so the unit tests drive it
 * by register accesses alone.  e1000_pci.c wraps it in a PCI function.
 *
 * Threads: TX runs on the vCPU thread inside the TDT write (one exit per
 * doorbell, as on real hardware); RX runs on the "e1000-rx" thread which
 * waits on the backend fd.  One mutex guards all device state.
 */
#ifndef EXITLAB_E1000_H
#define EXITLAB_E1000_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vmm/bus.h"
#include "devices/dev_metrics.h"
#include "vmm/guest_mem.h"
#include "devices/net/net_backend.h"
#include "devices/pci/pci.h"
#include "devices/e1000/e1000_regs.h"

/* Counters exported through e1000_metrics(); the names are in e1000_core.c. */
enum e1000_metric {
	E1000_M_TX_FRAMES,
	E1000_M_TX_BYTES,
	E1000_M_TX_DESCRIPTORS,
	E1000_M_TDT_WRITES,
	E1000_M_TX_DROPPED,
	E1000_M_RX_FRAMES,
	E1000_M_RX_BYTES,
	E1000_M_RX_NO_DESCRIPTORS,
	E1000_M_RX_FILTERED,
	E1000_M_RX_DROPPED,
	E1000_M_INTERRUPTS,
	E1000_M_ICR_READS,
	E1000_M_MMIO_READS,
	E1000_M_MMIO_WRITES,
	E1000_M_UNKNOWN_REGS,
	E1000_M_BAD_ACCESSES,
	E1000_M_RING_ERRORS,
	E1000_M_RDT_WRITES,      /* RX buffers handed back: the driver's RX notification */
	E1000_M_COUNT
};

/* What the last context descriptor said (TX checksum offload and TSO). */
struct e1000_tx_ctx {
	uint8_t ipcss, ipcso, tucss, tucso;
	uint16_t ipcse, tucse;
	uint32_t paylen;
	uint8_t tucmd, hdrlen;
	uint16_t mss;
};

/* The Microwire EEPROM's serial state machine (EECD bit-banging). */
struct e1000_ee_wire {
	bool cs, sk;            /* last levels seen */
	unsigned bits_in;       /* bits clocked in since CS went high */
	uint32_t shift_in;
	bool reading;           /* READ opcode and address received: shifting out */
	uint16_t word;          /* word being shifted out */
	unsigned bits_out;      /* data bits already presented */
	bool dout;              /* the DO pin */
};

struct e1000 {
	pthread_mutex_t lock;
	const struct guest_mem *mem;
	struct net_backend *be;
	uint8_t mac[6];
	uint32_t *regs;                 /* E1000_MMIO_SIZE / 4 dwords */
	uint16_t eeprom[E1000_EEPROM_WORDS];
	struct e1000_ee_wire ee;
	uint16_t phy[32];
	uint32_t ioaddr;                /* BAR1 IOADDR */

	/* TX: a frame is gathered from its descriptors into tx_buf until EOP */
	struct e1000_tx_ctx ctx;
	uint8_t *tx_buf, *tx_seg;       /* E1000_TSO_MAX bytes each */
	size_t tx_len;
	unsigned tx_ndesc;              /* descriptors in the frame so far */
	bool tx_in_frame, tx_drop, tx_ext, tx_tse;
	uint8_t tx_popts;
	bool tx_ring_bad;               /* stopped until TDBA/TDLEN/TDH are rewritten */
	uint64_t tx_pass_frames, tx_pass_bytes; /* sent in the current TX pass (its budget) */
	bool tx_more;                   /* a TX pass stopped at its budget: the worker goes on with it */

	/* RX: one frame pulled from the backend waits here for descriptors */
	uint8_t *rx_buf;                /* E1000_RX_MAX_LPE bytes, filled by the poller only */
	uint8_t *rx_work;               /* the frame as written to memory (tag off, pad, FCS) */
	size_t rx_pending;              /* length of the waiting frame, 0 = none */
	bool rx_ring_bad, rx_stalled;

	/* Interrupts */
	void (*irq_set)(void *opaque, bool level);
	void *irq_opaque;
	bool irq_level;
	bool irq_deferred;              /* an interrupt waits for the ITR interval */
	bool irq_ever;
	uint64_t irq_last_ns;
	uint64_t (*now_ns)(void *opaque);
	void *clock_opaque;

	/* The RX thread */
	pthread_t rx_thread;
	bool rx_running, stopping;
	int wake_fd;                    /* eventfd: RDT/RCTL writes, deferred interrupts, stop */

	unsigned diags;                 /* diagnostics printed (rate limit) */
	uint64_t metrics[E1000_M_COUNT];
	struct dev_metrics dm;

	/* The PCI function (e1000_pci.c); unused by the core */
	struct pci_device pci;
	bool pci_ready;
	void (*pci_destroy)(struct e1000 *e);
};

/*
 * The core alone, no PCI: guest memory, a backend (may be NULL: frames are
 * then dropped), the MAC.  Interrupts go nowhere until e1000_set_irq.
 * 0, or -1 with err.
 */
int e1000_core_init(struct e1000 *e, const struct guest_mem *mem, struct net_backend *be,
		    const uint8_t mac[6], char *err, size_t errlen);
/* The core plus its PCI function (e1000_pci.c): INTx through pci_irq_raise/pci_intx_lower. */
int e1000_init(struct e1000 *e, const struct guest_mem *mem, struct net_backend *be,
	       const uint8_t mac[6], char *err, size_t errlen);
struct pci_device *e1000_pci_device(struct e1000 *e);
/* Start the "e1000-rx" thread: 0 or -errno. */
int e1000_start(struct e1000 *e);
/* Stop the thread (if any) and free everything. */
void e1000_destroy(struct e1000 *e);
const struct dev_metrics *e1000_metrics(struct e1000 *e);

/* The INTx level callback (called with the device lock held) and the clock (ns, monotonic). */
void e1000_set_irq(struct e1000 *e, void (*irq_set)(void *opaque, bool level), void *opaque);
void e1000_set_clock(struct e1000 *e, uint64_t (*now_ns)(void *opaque), void *opaque);

/* Register access by offset, 32 bits, with all side effects (takes the lock). */
uint32_t e1000_reg_read(struct e1000 *e, uint32_t off);
void e1000_reg_write(struct e1000 *e, uint32_t off, uint32_t val);

/*
 * One round of what the RX thread does: fire a due throttled interrupt,
 * then move up to `budget` frames from the backend into RX descriptors.
 * Returns the number of frames delivered or filtered.  Tests call it
 * instead of starting the thread.
 */
int e1000_rx_poll(struct e1000 *e, unsigned budget);
/*
 * Go on with a TX pass that stopped at its budget (E1000_TX_PASS_FRAMES):
 * one more pass.  true if work is still left after it.  The RX thread calls
 * it whenever a pass stopped short; tests call it instead.
 */
bool e1000_tx_resume(struct e1000 *e);
/* Hand one frame to the receive path as if the wire delivered it: 1 delivered, 0 filtered or
 * dropped, -EAGAIN no room in the ring (nothing consumed). */
int e1000_rx_frame(struct e1000 *e, const void *frame, size_t len);

/* BAR0 (memory) and BAR1 (I/O) accessors: opaque = struct e1000 *. */
extern const struct bus_ops e1000_mmio_ops;
extern const struct bus_ops e1000_io_ops;

#endif
