/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART model for the human-readable console. Transmission is
 * instant (LSR always reports THRE|TEMT), so the guest never waits on it.
 * The model holds no lock: the caller serializes register accesses and
 * uart16550_receive(). No interrupt line is wired yet; uart16550_irq_pending()
 * is the level a future IRQ wiring would drive.
 */
#ifndef EXITLAB_UART16550_H
#define EXITLAB_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/bus.h"

/* Register offsets from the base port. */
enum {
	UART_RBR = 0, UART_THR = 0, UART_DLL = 0,  /* DLL when LCR.DLAB */
	UART_IER = 1, UART_DLM = 1,                /* DLM when LCR.DLAB */
	UART_IIR = 2, UART_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
	UART_NREGS = 8,
};

#define UART_IER_ERBFI  0x01 /* received data available */
#define UART_IER_ETBEI  0x02 /* transmit holding register empty */
#define UART_IER_ELSI   0x04 /* receiver line status */
#define UART_IER_EDSSI  0x08 /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_FIFO   0xc0 /* FIFOs enabled */

#define UART_FCR_ENABLE    0x01
#define UART_FCR_CLEAR_RX  0x02
#define UART_FCR_CLEAR_TX  0x04

#define UART_LCR_DLAB   0x80

#define UART_MCR_DTR    0x01
#define UART_MCR_RTS    0x02
#define UART_MCR_OUT1   0x04
#define UART_MCR_OUT2   0x08
#define UART_MCR_LOOP   0x10

#define UART_LSR_DR     0x01
#define UART_LSR_OE     0x02
#define UART_LSR_THRE   0x20
#define UART_LSR_TEMT   0x40

#define UART_MSR_CTS    0x10
#define UART_MSR_DSR    0x20
#define UART_MSR_RI     0x40
#define UART_MSR_DCD    0x80

#define UART_FIFO_SIZE  16

struct uart16550 {
	uint8_t ier, fcr, lcr, mcr, msr, scr, dll, dlm;
	bool overrun;                 /* LSR.OE, cleared by reading LSR */
	bool thr_int;                 /* THRE interrupt latched (16550 semantics) */
	uint8_t rx[UART_FIFO_SIZE];
	unsigned rx_head, rx_count;
	void (*tx)(void *opaque, uint8_t c);
	void *opaque;
	uint64_t tx_bytes, rx_bytes, rx_dropped;
};

void uart16550_init(struct uart16550 *u, void (*tx)(void *opaque, uint8_t c), void *opaque);
/* reg is 0..7; out-of-range reads give 0xff, writes are ignored. */
uint8_t uart16550_read(struct uart16550 *u, unsigned reg);
void uart16550_write(struct uart16550 *u, unsigned reg, uint8_t val);
/* Queue a byte from the outside world: 0, or -1 if dropped (FIFO full: overrun; or loopback). */
int uart16550_receive(struct uart16550 *u, uint8_t c);
/* Would the (not yet wired) interrupt line be asserted? */
bool uart16550_irq_pending(const struct uart16550 *u);

/* opaque = struct uart16550 *; 8 one-byte registers; other sizes are rejected. */
extern const struct bus_ops uart16550_bus_ops;

#endif
