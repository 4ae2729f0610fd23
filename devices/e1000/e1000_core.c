// SPDX-License-Identifier: MIT
/*
 * The e1000 core's life cycle: init (EEPROM, PHY, power-on reset), the
 * metrics table, the "e1000-rx" thread that waits on the backend fd and a
 * wake eventfd and sleeps until a throttled interrupt is due, and destroy.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "devices/e1000/e1000_priv.h"
#include "vmm/thread_cpu.h"

static const char *const metric_names[E1000_M_COUNT] = {
	[E1000_M_TX_FRAMES] = "tx_frames",
	[E1000_M_TX_BYTES] = "tx_bytes",
	[E1000_M_TX_DESCRIPTORS] = "tx_descriptors",
	[E1000_M_TDT_WRITES] = "tdt_writes",
	[E1000_M_TX_DROPPED] = "tx_dropped_frames",
	[E1000_M_RX_FRAMES] = "rx_frames",
	[E1000_M_RX_BYTES] = "rx_bytes",
	[E1000_M_RX_NO_DESCRIPTORS] = "rx_no_descriptors",
	[E1000_M_RX_FILTERED] = "rx_filtered",
	[E1000_M_RX_DROPPED] = "rx_dropped_frames",
	[E1000_M_INTERRUPTS] = "interrupts",
	[E1000_M_ICR_READS] = "icr_reads",
	[E1000_M_MMIO_READS] = "mmio_reads",
	[E1000_M_MMIO_WRITES] = "mmio_writes",
	[E1000_M_UNKNOWN_REGS] = "unknown_register_accesses",
	[E1000_M_BAD_ACCESSES] = "bad_size_accesses",
	[E1000_M_RING_ERRORS] = "ring_errors",
	[E1000_M_RDT_WRITES] = "rdt_writes",
};

static uint64_t clock_monotonic(void *opaque)
{
	struct timespec ts;

	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int e1000_core_init(struct e1000 *e, const struct guest_mem *mem, struct net_backend *be,
		    const uint8_t mac[6], char *err, size_t errlen)
{
	memset(e, 0, sizeof(*e));
	e->wake_fd = -1;
	if (!mem) {
		snprintf(err, errlen, "e1000: no guest memory");
		return -1;
	}
	if (mac[0] & 1) {
		snprintf(err, errlen, "e1000: MAC %02x:%02x:%02x:%02x:%02x:%02x is a multicast address",
			 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		return -1;
	}
	/* An e1000 receives whole, fully checksummed frames: a vnet-header backend must not offload. */
	if (be && be->vnet_hdr_len && net_backend_set_offload(be, 0)) {
		snprintf(err, errlen, "e1000: the backend cannot turn its offloads off");
		return -1;
	}
	e->mem = mem;
	e->be = be;
	memcpy(e->mac, mac, 6);
	e->now_ns = clock_monotonic;
	e->regs = calloc(1, E1000_MMIO_SIZE);
	e->tx_buf = malloc(E1000_TSO_MAX + 64);
	e->tx_seg = malloc(E1000_TSO_MAX + 64);
	e->rx_buf = malloc(E1000_RX_MAX_LPE + 64);
	e->rx_work = malloc(E1000_RX_MAX_LPE + 64);
	if (!e->regs || !e->tx_buf || !e->tx_seg || !e->rx_buf || !e->rx_work) {
		snprintf(err, errlen, "e1000: out of memory");
		goto fail;
	}
	e->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->wake_fd < 0) {
		snprintf(err, errlen, "e1000: eventfd: %s", strerror(errno));
		goto fail;
	}
	if (pthread_mutex_init(&e->lock, NULL)) {
		snprintf(err, errlen, "e1000: mutex init failed");
		goto fail;
	}
	e->dm.device = "e1000";
	e->dm.n = E1000_M_COUNT;
	e->dm.names = metric_names;
	e->dm.values = e->metrics;
	e1000_eeprom_init(e);
	e1000_phy_reset(e);
	e1000_reset(e);
	return 0;
fail:
	free(e->regs);
	free(e->tx_buf);
	free(e->tx_seg);
	free(e->rx_buf);
	free(e->rx_work);
	if (e->wake_fd >= 0)
		close(e->wake_fd);
	memset(e, 0, sizeof(*e));
	e->wake_fd = -1;
	return -1;
}

void e1000_set_irq(struct e1000 *e, void (*irq_set)(void *opaque, bool level), void *opaque)
{
	pthread_mutex_lock(&e->lock);
	e->irq_set = irq_set;
	e->irq_opaque = opaque;
	pthread_mutex_unlock(&e->lock);
}

void e1000_set_clock(struct e1000 *e, uint64_t (*now_ns)(void *opaque), void *opaque)
{
	pthread_mutex_lock(&e->lock);
	e->now_ns = now_ns ? now_ns : clock_monotonic;
	e->clock_opaque = opaque;
	pthread_mutex_unlock(&e->lock);
}

const struct dev_metrics *e1000_metrics(struct e1000 *e)
{
	return &e->dm;
}

static void *rx_thread(void *arg)
{
	struct e1000 *e = arg;
	bool idle = false;

	for (;;) {
		struct pollfd pfd[2];
		struct timespec ts, *tsp = NULL;
		unsigned nfds = 1;
		int64_t due;
		bool ready, tx_more;
		uint64_t cnt;

		pthread_mutex_lock(&e->lock);
		if (e->stopping) {
			pthread_mutex_unlock(&e->lock);
			break;
		}
		/* A TX pass that stopped at its budget: the next stretch of the ring, then a look at RX. */
		if (e->tx_more)
			e1000_tx_process(e);
		tx_more = e->tx_more;
		due = e1000_irq_timer(e);
		ready = !e->rx_pending && e->be && e1000_rx_ready(e);
		pthread_mutex_unlock(&e->lock);

		pfd[0].fd = e->wake_fd;
		pfd[0].events = POLLIN;
		if (ready && e->be->fd >= 0) {
			pfd[1].fd = e->be->fd;
			pfd[1].events = POLLIN;
			nfds = 2;
		} else if (ready) {
			/* a backend without an fd is always ready; back off 100 us when it had nothing */
			due = due >= 0 && due < 100000 ? due : idle ? 100000 : 0;
		}
		if (tx_more)
			due = 0;   /* more TX to do: do not sleep */
		if (due >= 0) {
			ts.tv_sec = due / 1000000000;
			ts.tv_nsec = due % 1000000000;
			tsp = &ts;
		}
		if (ppoll(pfd, nfds, tsp, NULL) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN) {
			if (read(e->wake_fd, &cnt, sizeof(cnt)) < 0) {
				/* EAGAIN: someone else drained it */
			}
		}
		idle = e1000_rx_poll(e, 64) == 0;
	}
	return NULL;
}

int e1000_start(struct e1000 *e)
{
	sigset_t all, old;
	int rc;

	if (e->rx_running)
		return -EBUSY;
	/* the thread takes no signals: the vCPU threads get the VMM's */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = thread_cpu_create(&e->rx_thread, rx_thread, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
	pthread_setname_np(e->rx_thread, "e1000-rx");
	e->rx_running = true;
	return 0;
}

void e1000_destroy(struct e1000 *e)
{
	if (!e->regs)
		return;
	if (e->rx_running) {
		pthread_mutex_lock(&e->lock);
		e->stopping = true;
		e1000_kick(e);
		pthread_mutex_unlock(&e->lock);
		pthread_join(e->rx_thread, NULL);
		e->rx_running = false;
	}
	if (e->pci_destroy)
		e->pci_destroy(e);
	pthread_mutex_destroy(&e->lock);
	close(e->wake_fd);
	free(e->regs);
	free(e->tx_buf);
	free(e->tx_seg);
	free(e->rx_buf);
	free(e->rx_work);
	e->regs = NULL;
	e->wake_fd = -1;
}
