// SPDX-License-Identifier: MIT
/* 16550A UART register model (see uart16550.h). */
#include <string.h>

#include "devices/platform/uart16550.h"

void uart16550_init(struct uart16550 *u, void (*tx)(void *opaque, uint8_t c), void *opaque)
{
	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->opaque = opaque;
	u->dll = 0x0c; /* 9600 baud from a 1.8432 MHz clock, a common firmware default */
	u->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS; /* a cable is attached */
}

static bool fifo_enabled(const struct uart16550 *u)
{
	return u->fcr & UART_FCR_ENABLE;
}

/* In loopback the modem inputs follow the modem outputs. */
static uint8_t msr_lines(const struct uart16550 *u)
{
	uint8_t m = 0;

	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS; /* a cable is attached */
	if (u->mcr & UART_MCR_RTS)
		m |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR)
		m |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1)
		m |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		m |= UART_MSR_DCD;
	return m;
}

/* Recompute MSR, latching the delta bits (DCTS, DDSR, TERI, DDCD) on change. */
static void msr_update(struct uart16550 *u)
{
	uint8_t now = msr_lines(u), old = u->msr & 0xf0, delta = 0;

	if ((now ^ old) & UART_MSR_CTS)
		delta |= 0x01;
	if ((now ^ old) & UART_MSR_DSR)
		delta |= 0x02;
	if ((old & UART_MSR_RI) && !(now & UART_MSR_RI)) /* trailing edge only */
		delta |= 0x04;
	if ((now ^ old) & UART_MSR_DCD)
		delta |= 0x08;
	u->msr = now | (u->msr & 0x0f) | delta;
}

static uint8_t lsr(const struct uart16550 *u)
{
	uint8_t v = UART_LSR_THRE | UART_LSR_TEMT;

	if (u->rx_count)
		v |= UART_LSR_DR;
	if (u->overrun)
		v |= UART_LSR_OE;
	return v;
}

/* Highest-priority pending source, as IIR bits 0-3. */
static uint8_t iir_source(const struct uart16550 *u)
{
	if ((u->ier & UART_IER_ELSI) && u->overrun)
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_ERBFI) && u->rx_count)
		return UART_IIR_RDI;
	if ((u->ier & UART_IER_ETBEI) && u->thr_int)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_EDSSI) && (u->msr & 0x0f))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

bool uart16550_irq_pending(const struct uart16550 *u)
{
	return !(iir_source(u) & UART_IIR_NO_INT);
}

static void rx_clear(struct uart16550 *u)
{
	u->rx_head = u->rx_count = 0;
}

static int rx_push(struct uart16550 *u, uint8_t c)
{
	unsigned cap = fifo_enabled(u) ? UART_FIFO_SIZE : 1;

	if (u->rx_count >= cap) {
		u->overrun = true;
		u->rx_dropped++;
		return -1;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = c;
	u->rx_count++;
	u->rx_bytes++;
	return 0;
}

static uint8_t rx_pop(struct uart16550 *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	u->rx_count--;
	return c;
}

int uart16550_receive(struct uart16550 *u, uint8_t c)
{
	/* Loopback disconnects the serial input from the outside. */
	if (u->mcr & UART_MCR_LOOP) {
		u->rx_dropped++;
		return -1;
	}
	return rx_push(u, c);
}

uint8_t uart16550_read(struct uart16550 *u, unsigned reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case UART_RBR:
		return dlab ? u->dll : rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = iir_source(u);
		/* Reading IIR acknowledges a THRE interrupt it reports. */
		if (v == UART_IIR_THRI)
			u->thr_int = false;
		return v | (fifo_enabled(u) ? UART_IIR_FIFO : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = lsr(u);
		u->overrun = false; /* error bits clear on read */
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= 0xf0;     /* delta bits clear on read */
		return v;
	case UART_SCR:
		return u->scr;
	}
	return 0xff;
}

static void thr_write(struct uart16550 *u, uint8_t c)
{
	if (u->mcr & UART_MCR_LOOP)
		rx_push(u, c);
	else if (u->tx)
		u->tx(u->opaque, c);
	u->tx_bytes++;
	/* Transmission is instant, so the holding register is empty again. */
	u->thr_int = true;
}

void uart16550_write(struct uart16550 *u, unsigned reg, uint8_t val)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_THR:
		if (dlab)
			u->dll = val;
		else
			thr_write(u, val);
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = val;
			break;
		}
		/* Enabling ETBEI with THR empty raises THRE at once (8250 behaviour). */
		if ((val & UART_IER_ETBEI) && !(u->ier & UART_IER_ETBEI))
			u->thr_int = true;
		u->ier = val & 0x0f;
		break;
	case UART_FCR:
		/* Toggling FIFO enable resets both FIFOs. */
		if ((val ^ u->fcr) & UART_FCR_ENABLE || (val & UART_FCR_CLEAR_RX))
			rx_clear(u);
		u->fcr = val & (UART_FCR_ENABLE | 0xc0); /* enable + RX trigger level */
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & 0x1f;
		msr_update(u);
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default:
		/* LSR and MSR are read-only; out-of-range offsets are ignored. */
		break;
	}
}

static int uart16550_bus_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	if (size != 1 || off >= UART_NREGS)
		return -1;
	*(uint8_t *)data = uart16550_read(opaque, (unsigned)off);
	return 0;
}

static int uart16550_bus_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	if (size != 1 || off >= UART_NREGS)
		return -1;
	uart16550_write(opaque, (unsigned)off, *(const uint8_t *)data);
	return 0;
}

const struct bus_ops uart16550_bus_ops = {
	.read = uart16550_bus_read,
	.write = uart16550_bus_write,
};
