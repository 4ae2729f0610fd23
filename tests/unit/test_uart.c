// SPDX-License-Identifier: MIT
/* Unit tests for devices/platform/uart16550.c: registers, DLAB, LSR, IIR, TX, RX, loopback. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/bus.h"
#include "devices/platform/uart16550.h"

struct sink {
	uint8_t buf[64];
	size_t n;
};

static void sink_tx(void *opaque, uint8_t c)
{
	struct sink *s = opaque;

	if (s->n < sizeof(s->buf))
		s->buf[s->n++] = c;
}

static void test_reset_state(void **state)
{
	struct uart16550 u;

	(void)state;
	uart16550_init(&u, NULL, NULL);
	assert_int_equal(uart16550_read(&u, UART_IER), 0);
	assert_int_equal(uart16550_read(&u, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(uart16550_read(&u, UART_LCR), 0);
	assert_int_equal(uart16550_read(&u, UART_MCR), 0);
	assert_int_equal(uart16550_read(&u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(uart16550_read(&u, UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	assert_int_equal(uart16550_read(&u, UART_RBR), 0);
	assert_false(uart16550_irq_pending(&u));
	/* No TX callback: writes must not crash. */
	uart16550_write(&u, UART_THR, 'x');
	assert_int_equal(uart16550_read(&u, 8), 0xff);
	uart16550_write(&u, 99, 1);
}

static void test_tx_callback(void **state)
{
	struct uart16550 u;
	struct sink s = { 0 };
	const char *msg = "hello\n";

	(void)state;
	uart16550_init(&u, sink_tx, &s);
	for (const char *p = msg; *p; p++) {
		/* A driver polls THRE before each byte; it is always set. */
		assert_true(uart16550_read(&u, UART_LSR) & UART_LSR_THRE);
		uart16550_write(&u, UART_THR, (uint8_t)*p);
	}
	assert_int_equal(s.n, strlen(msg));
	assert_memory_equal(s.buf, msg, strlen(msg));
	assert_int_equal(u.tx_bytes, strlen(msg));
}

static void test_dlab(void **state)
{
	struct uart16550 u;
	struct sink s = { 0 };

	(void)state;
	uart16550_init(&u, sink_tx, &s);
	uart16550_write(&u, UART_IER, UART_IER_ERBFI);
	uart16550_write(&u, UART_LCR, UART_LCR_DLAB | 0x03);
	uart16550_write(&u, UART_DLL, 0x01);	/* 115200 */
	uart16550_write(&u, UART_DLM, 0x00);
	assert_int_equal(uart16550_read(&u, UART_DLL), 0x01);
	assert_int_equal(uart16550_read(&u, UART_DLM), 0x00);
	assert_int_equal(s.n, 0);		/* DLL write is not a transmit */
	uart16550_write(&u, UART_LCR, 0x03);	/* 8N1, DLAB off */
	assert_int_equal(uart16550_read(&u, UART_LCR), 0x03);
	assert_int_equal(uart16550_read(&u, UART_IER), UART_IER_ERBFI); /* IER kept */
	uart16550_write(&u, UART_LCR, UART_LCR_DLAB);
	assert_int_equal(uart16550_read(&u, UART_DLL), 0x01);
	uart16550_write(&u, UART_LCR, 0);
	/* Divisor not clobbered by THR/IER writes. */
	uart16550_write(&u, UART_THR, 'a');
	uart16550_write(&u, UART_IER, 0x0f);
	assert_int_equal(s.n, 1);
	uart16550_write(&u, UART_LCR, UART_LCR_DLAB);
	assert_int_equal(uart16550_read(&u, UART_DLL), 0x01);
	assert_int_equal(uart16550_read(&u, UART_DLM), 0x00);
	uart16550_write(&u, UART_LCR, 0);
	assert_int_equal(uart16550_read(&u, UART_IER), 0x0f);
	uart16550_write(&u, UART_IER, 0xff);	/* upper bits reserved */
	assert_int_equal(uart16550_read(&u, UART_IER), 0x0f);
}

static void test_scratch(void **state)
{
	struct uart16550 u;

	(void)state;
	uart16550_init(&u, NULL, NULL);
	/* Linux probes for a UART through SCR. */
	for (unsigned v = 0; v < 256; v += 0x55) {
		uart16550_write(&u, UART_SCR, (uint8_t)v);
		assert_int_equal(uart16550_read(&u, UART_SCR), v);
	}
}

static void test_rx_and_lsr(void **state)
{
	struct uart16550 u;

	(void)state;
	uart16550_init(&u, NULL, NULL);
	assert_false(uart16550_read(&u, UART_LSR) & UART_LSR_DR);
	assert_int_equal(uart16550_receive(&u, 'A'), 0);
	assert_true(uart16550_read(&u, UART_LSR) & UART_LSR_DR);
	/* Without FIFOs the holding register takes one byte: overrun. */
	assert_int_equal(uart16550_receive(&u, 'B'), -1);
	assert_int_equal(uart16550_read(&u, UART_LSR),
			 UART_LSR_THRE | UART_LSR_TEMT | UART_LSR_DR | UART_LSR_OE);
	assert_false(uart16550_read(&u, UART_LSR) & UART_LSR_OE); /* cleared by the read */
	assert_int_equal(uart16550_read(&u, UART_RBR), 'A');
	assert_false(uart16550_read(&u, UART_LSR) & UART_LSR_DR);

	/* With FIFOs: 16 bytes in order, the 17th overruns. */
	uart16550_write(&u, UART_FCR, UART_FCR_ENABLE);
	for (int i = 0; i < UART_FIFO_SIZE; i++)
		assert_int_equal(uart16550_receive(&u, (uint8_t)('a' + i)), 0);
	assert_int_equal(uart16550_receive(&u, '!'), -1);
	for (int i = 0; i < UART_FIFO_SIZE; i++)
		assert_int_equal(uart16550_read(&u, UART_RBR), 'a' + i);
	assert_false(uart16550_read(&u, UART_LSR) & UART_LSR_DR);

	/* FCR clear-RX empties the FIFO. */
	uart16550_receive(&u, 'x');
	uart16550_write(&u, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX);
	assert_false(uart16550_read(&u, UART_LSR) & UART_LSR_DR);
	/* LSR is read-only. */
	uart16550_write(&u, UART_LSR, 0);
	assert_int_equal(uart16550_read(&u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
}

static void test_iir(void **state)
{
	struct uart16550 u;
	struct sink s = { 0 };

	(void)state;
	uart16550_init(&u, sink_tx, &s);
	/* Enabling ETBEI with an empty THR raises THRE; reading IIR acks it. */
	uart16550_write(&u, UART_IER, UART_IER_ETBEI);
	assert_true(uart16550_irq_pending(&u));
	assert_int_equal(uart16550_read(&u, UART_IIR), UART_IIR_THRI);
	assert_int_equal(uart16550_read(&u, UART_IIR), UART_IIR_NO_INT);
	assert_false(uart16550_irq_pending(&u));
	/* Each transmitted byte empties THR again. */
	uart16550_write(&u, UART_THR, 'z');
	assert_int_equal(uart16550_read(&u, UART_IIR), UART_IIR_THRI);

	/* RX data outranks THRE; line status outranks RX data. */
	uart16550_write(&u, UART_THR, 'z');
	uart16550_write(&u, UART_IER, UART_IER_ETBEI | UART_IER_ERBFI | UART_IER_ELSI);
	uart16550_receive(&u, '1');
	assert_int_equal(uart16550_read(&u, UART_IIR), UART_IIR_RDI);
	uart16550_receive(&u, '2'); /* overrun */
	assert_int_equal(uart16550_read(&u, UART_IIR), UART_IIR_RLSI);
	uart16550_read(&u, UART_LSR);
	assert_int_equal(uart16550_read(&u, UART_IIR), UART_IIR_RDI);
	uart16550_read(&u, UART_RBR);
	assert_int_equal(uart16550_read(&u, UART_IIR), UART_IIR_THRI);
	assert_int_equal(uart16550_read(&u, UART_IIR), UART_IIR_NO_INT);

	/* FIFO bits follow FCR. */
	uart16550_write(&u, UART_FCR, UART_FCR_ENABLE);
	assert_int_equal(uart16550_read(&u, UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	uart16550_write(&u, UART_FCR, 0);
	assert_int_equal(uart16550_read(&u, UART_IIR), UART_IIR_NO_INT);

	/* RX interrupts masked: data does not raise one. */
	uart16550_write(&u, UART_IER, 0);
	uart16550_receive(&u, '3');
	assert_false(uart16550_irq_pending(&u));
}

static void test_loopback(void **state)
{
	struct uart16550 u;
	struct sink s = { 0 };

	(void)state;
	uart16550_init(&u, sink_tx, &s);
	uart16550_write(&u, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	assert_int_equal(uart16550_read(&u, UART_MCR), UART_MCR_LOOP | UART_MCR_RTS);
	/* Modem inputs mirror outputs: only CTS (from RTS); deltas latched. */
	assert_int_equal(uart16550_read(&u, UART_MSR) & 0xf0, UART_MSR_CTS);
	assert_int_equal(uart16550_read(&u, UART_MSR) & 0x0f, 0); /* deltas cleared */
	uart16550_write(&u, UART_THR, 0x5a);
	assert_int_equal(s.n, 0);		/* nothing leaves the chip */
	assert_true(uart16550_read(&u, UART_LSR) & UART_LSR_DR);
	assert_int_equal(uart16550_read(&u, UART_RBR), 0x5a);
	assert_int_equal(uart16550_receive(&u, 'q'), -1); /* input disconnected */
	uart16550_write(&u, UART_MCR, UART_MCR_DTR | UART_MCR_OUT2 | UART_MCR_LOOP);
	assert_int_equal(uart16550_read(&u, UART_MSR) & 0xf0, UART_MSR_DSR | UART_MSR_DCD);
	uart16550_write(&u, UART_MCR, 0);
	uart16550_write(&u, UART_THR, 'o');
	assert_int_equal(s.n, 1);
}

static void test_bus_ops(void **state)
{
	struct uart16550 u;
	struct sink s = { 0 };
	struct bus b;
	char err[128];
	uint8_t c = 'k';
	uint16_t w = 0;

	(void)state;
	uart16550_init(&u, sink_tx, &s);
	bus_init(&b, "pio");
	assert_int_equal(bus_register(&b, "com1", 0x3f8, UART_NREGS, &uart16550_bus_ops, &u, err,
				      sizeof(err)), 0);
	assert_int_equal(bus_access(&b, 0x3f8, true, &c, 1), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.buf[0], 'k');
	assert_int_equal(bus_access(&b, 0x3fd, false, &c, 1), 0);
	assert_int_equal(c, UART_LSR_THRE | UART_LSR_TEMT);
	/* Wider accesses are rejected by the device. */
	assert_int_equal(bus_access(&b, 0x3f8, true, &w, 2), -EIO);
	assert_int_equal(bus_access(&b, 0x3f8, false, &w, 2), -EIO);
	assert_int_equal(s.n, 1);
	assert_int_equal(uart16550_bus_ops.read(&u, 8, &c, 1), -1);
	assert_int_equal(uart16550_bus_ops.write(&u, 8, &c, 1), -1);
	bus_destroy(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_state),
		cmocka_unit_test(test_tx_callback),
		cmocka_unit_test(test_dlab),
		cmocka_unit_test(test_scratch),
		cmocka_unit_test(test_rx_and_lsr),
		cmocka_unit_test(test_iir),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_bus_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
