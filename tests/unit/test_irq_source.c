// SPDX-License-Identifier: MIT
/*
 * Unit tests for devices/platform/irq_source.c without KVM: plain eventfds
 * stand in for the guest's ioeventfd and the irqfd, a buffer for guest RAM.
 * A request is answered by one interrupt, stamped in guest time (host TSC +
 * offset) before it is raised; a stamp address outside RAM is refused and
 * counted, never written; the registers clamp the delay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

#include "devices/platform/irq_source.h"
#include "util/host_tsc.h"

#define PG 4096
static uint8_t ram[4 * PG] __attribute__((aligned(8)));
static const struct guest_mem mem = { .memfd = -1, .host = ram, .size = sizeof(ram), .page_size = PG };

static void put(struct irq_source *s, uint64_t off, uint32_t v)
{
	assert_int_equal(irq_source_bus_ops.write(s, off, &v, 4), 0);
}

/* Ask for one interrupt and wait for it on the irq eventfd. */
static uint64_t fire_once(int fire, int irq)
{
	uint64_t one = 1, n = 0;

	assert_int_equal(write(fire, &one, 8), 8);
	assert_int_equal(read(irq, &n, 8), 8);
	return n;
}

static void test_fire_stamps_then_raises(void **state)
{
	struct irq_source s;
	char err[128];
	int fire = eventfd(0, 0), irq = eventfd(0, 0);
	uint64_t before, stamp;
	(void)state;

	irq_source_init(&s);
	s.fire_fd = fire;
	s.irq_fd = irq;
	put(&s, IRQ_SOURCE_REG_DELAY, 10);
	put(&s, IRQ_SOURCE_REG_STAMP, 2 * PG);
	before = tsc_begin();
	assert_int_equal(irq_source_start(&s, &mem, 1000000, err, sizeof(err)), 0);
	assert_int_equal(fire_once(fire, irq), 1);
	memcpy(&stamp, ram + 2 * PG, 8);
	/* written before the irq eventfd, in guest time: the host's TSC + the offset */
	assert_true(stamp >= before + 1000000);
	assert_true(stamp <= tsc_end() + 1000000);
	assert_int_equal(fire_once(fire, irq), 1);
	irq_source_destroy(&s, NULL);
	assert_int_equal(s.fires, 2);
	assert_int_equal(s.stamps_refused, 0);
}

static void test_stamp_outside_ram_refused(void **state)
{
	struct irq_source s;
	char err[128];
	int fire = eventfd(0, 0), irq = eventfd(0, 0);
	uint8_t zero[sizeof(ram)] = { 0 };
	(void)state;

	memset(ram, 0, sizeof(ram));
	irq_source_init(&s);
	s.fire_fd = fire;
	s.irq_fd = irq;
	put(&s, IRQ_SOURCE_REG_STAMP, sizeof(ram) - 4); /* straddles the end */
	assert_int_equal(irq_source_start(&s, &mem, 0, err, sizeof(err)), 0);
	assert_int_equal(fire_once(fire, irq), 1); /* still raised */
	irq_source_destroy(&s, NULL);
	assert_int_equal(s.stamps_refused, 1);
	assert_memory_equal(ram, zero, sizeof(ram));
}

static void test_registers(void **state)
{
	struct irq_source s;
	uint32_t v = 0;
	uint16_t w = 1;
	(void)state;

	irq_source_init(&s);
	put(&s, IRQ_SOURCE_REG_DELAY, 0xffffffff);
	assert_int_equal(irq_source_bus_ops.read(&s, IRQ_SOURCE_REG_DELAY, &v, 4), 0);
	assert_int_equal(v, IRQ_SOURCE_DELAY_MAX);
	put(&s, IRQ_SOURCE_REG_STAMP, 0x1234);
	assert_int_equal(irq_source_bus_ops.read(&s, IRQ_SOURCE_REG_STAMP, &v, 4), 0);
	assert_int_equal(v, 0x1234);
	assert_int_equal(irq_source_bus_ops.write(&s, IRQ_SOURCE_REG_DELAY, &w, 2), -1); /* 4 bytes only */
	/* never started: destroy closes nothing it does not own */
	irq_source_destroy(&s, NULL);
}

static void test_start_needs_fds(void **state)
{
	struct irq_source s;
	char err[128] = "";
	(void)state;

	irq_source_init(&s);
	assert_int_equal(irq_source_start(&s, &mem, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not attached"));
	irq_source_destroy(&s, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fire_stamps_then_raises),
		cmocka_unit_test(test_stamp_outside_ram_refused),
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_start_needs_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
