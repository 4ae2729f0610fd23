// SPDX-License-Identifier: MIT
/*
 * Unit tests for the exit loop's body (vcpu_handle_exit in vmm/vcpu.c) on
 * synthetic exits (microbench/exit_synth.h): per-reason counts, userspace
 * exits, what reached which device on the buses, the coalesced ring replay,
 * and the exits that stop the VM. Counts only, never timings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "microbench/exit_synth.h"

static int setup(void **state)
{
	static struct exit_synth s;
	char err[256];

	if (exit_synth_init(&s, true, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = &s;
	return 0;
}

static int teardown(void **state)
{
	exit_synth_destroy(*state);
	return 0;
}

static uint8_t *io_data(struct exit_synth *s)
{
	return (uint8_t *)s->v->run + s->v->run->io.data_offset;
}

static struct bus_range *range(struct bus *b, uint64_t addr)
{
	struct bus_range *r = bus_find(b, addr);

	assert_non_null(r);
	return r;
}

static void test_pio(void **state)
{
	struct exit_synth *s = *state;
	struct vcpu *v = s->v;
	uint32_t val, words[3] = { 1, 2, 3 };

	exit_synth_io(s, EXIT_SYNTH_TEST_PORT, true, 4, 1, &words[0]);
	vcpu_handle_exit(v);
	exit_synth_io(s, EXIT_SYNTH_TEST_PORT, false, 4, 1, NULL);
	vcpu_handle_exit(v);
	memcpy(&val, io_data(s), 4);
	assert_int_equal(val, TEST_REGS_READ_VALUE);
	/* rep outsl: one exit, one bus access per element */
	exit_synth_io(s, EXIT_SYNTH_TEST_PORT, true, 4, 3, words);
	vcpu_handle_exit(v);

	assert_int_equal(v->user_exits, 3);
	assert_int_equal(v->exits[KVM_EXIT_IO], 3);
	assert_int_equal(s->pio_regs.writes, 4);
	assert_int_equal(s->pio_regs.reads, 1);
	assert_int_equal(range(&s->vm.pio, EXIT_SYNTH_TEST_PORT)->writes, 4);
	assert_int_equal(range(&s->vm.pio, EXIT_SYNTH_TEST_PORT)->reads, 1);
	assert_int_equal(v->pio_unhandled, 0);
	assert_int_equal(s->uart.writes + s->bench.writes + s->mmio_regs.writes, 0);
	assert_false(s->vm.stopping);
}

/* Handler timing is opt-in: without it the loop never writes handler_cycles. */
static void test_timing_off(void **state)
{
	struct exit_synth *s = *state;
	struct vcpu *v = s->v;

	assert_false(v->exit_timing);
	for (int i = 0; i < 100; i++) {
		exit_synth_io(s, EXIT_SYNTH_TEST_PORT, true, 4, 1, NULL);
		vcpu_handle_exit(v);
		exit_synth_mmio(s, EXIT_SYNTH_TEST_GPA, false, 4, NULL);
		vcpu_handle_exit(v);
	}
	for (unsigned i = 0; i < KVM_EXIT_REASON_SLOTS; i++)
		assert_int_equal(v->handler_cycles[i], 0);
	assert_int_equal(v->exits[KVM_EXIT_IO], 100);
	assert_int_equal(v->exits[KVM_EXIT_MMIO], 100);
	assert_int_equal(v->user_exits, 200);
}

static void test_pio_unhandled(void **state)
{
	struct exit_synth *s = *state;
	struct vcpu *v = s->v;

	exit_synth_io(s, 0x80, true, 1, 1, "x");
	vcpu_handle_exit(v);
	exit_synth_io(s, 0x81, false, 2, 1, NULL);
	vcpu_handle_exit(v);
	/* open bus: reads give all-ones */
	assert_int_equal(io_data(s)[0], 0xff);
	assert_int_equal(io_data(s)[1], 0xff);
	assert_int_equal(v->pio_unhandled, 2);
	assert_int_equal(s->vm.pio.unhandled, 2);
	assert_int_equal(v->exits[KVM_EXIT_IO], 2);
	assert_false(s->vm.stopping);
}

static void test_mmio(void **state)
{
	struct exit_synth *s = *state;
	struct vcpu *v = s->v;
	uint32_t val = 7;

	exit_synth_mmio(s, EXIT_SYNTH_TEST_GPA + 8, true, 4, &val);
	vcpu_handle_exit(v);
	exit_synth_mmio(s, EXIT_SYNTH_TEST_GPA, false, 4, NULL);
	vcpu_handle_exit(v);
	memcpy(&val, v->run->mmio.data, 4);
	assert_int_equal(val, TEST_REGS_READ_VALUE);
	exit_synth_mmio(s, 0xfee00000, false, 4, NULL);
	vcpu_handle_exit(v);
	memcpy(&val, v->run->mmio.data, 4);
	assert_int_equal(val, 0xffffffff);

	assert_int_equal(v->user_exits, 3);
	assert_int_equal(v->exits[KVM_EXIT_MMIO], 3);
	assert_int_equal(s->mmio_regs.writes, 1);
	assert_int_equal(s->mmio_regs.reads, 1);
	assert_int_equal(v->mmio_unhandled, 1);
	assert_int_equal(v->pio_unhandled, 0);
	assert_false(s->vm.stopping);
}

/* Queued writes are replayed, in order and to the right bus, before the exit itself. */
static void test_coalesced_drain(void **state)
{
	struct exit_synth *s = *state;
	struct vcpu *v = s->v;
	uint64_t total = 0;

	assert_true(exit_synth_coalesced_push(s, false, EXIT_SYNTH_COALESCED_GPA, 4, 1));
	assert_true(exit_synth_coalesced_push(s, false, EXIT_SYNTH_COALESCED_GPA + 4, 4, 2));
	assert_true(exit_synth_coalesced_push(s, true, EXIT_SYNTH_TEST_PORT, 2, 3));
	assert_int_equal(exit_synth_coalesced_pending(s), 3);
	exit_synth_reason(s, KVM_EXIT_INTR);
	vcpu_handle_exit(v);
	assert_int_equal(exit_synth_coalesced_pending(s), 0);
	assert_int_equal(s->coalesced_sink.writes, 2);
	assert_int_equal(s->pio_regs.writes, 1);
	assert_int_equal(v->exits[KVM_EXIT_INTR], 1);

	/* Several times round the ring: every entry once, none left behind. */
	for (int round = 0; round < 5; round++) {
		uint32_t n = 0;

		while (exit_synth_coalesced_push(s, false, EXIT_SYNTH_COALESCED_GPA, 8, n))
			n++;
		assert_int_equal(n, s->ring_max - 1);
		total += n;
		exit_synth_mmio(s, EXIT_SYNTH_TEST_GPA, true, 4, NULL);
		vcpu_handle_exit(v);
		assert_int_equal(exit_synth_coalesced_pending(s), 0);
	}
	assert_int_equal(s->coalesced_sink.writes, 2 + total);
	assert_int_equal(s->mmio_regs.writes, 5);
	assert_int_equal(v->user_exits, 6);
	assert_false(s->vm.stopping);
}

/* Without a coalesced ring (no KVM_CAP_COALESCED_MMIO) nothing is read from it. */
static void test_no_coalesced_ring(void **state)
{
	struct exit_synth s;
	char err[256];

	(void)state;
	assert_int_equal(exit_synth_init(&s, false, err, sizeof(err)), 0);
	assert_false(exit_synth_coalesced_push(&s, false, EXIT_SYNTH_COALESCED_GPA, 4, 1));
	exit_synth_io(&s, EXIT_SYNTH_TEST_PORT, true, 1, 1, NULL);
	vcpu_handle_exit(s.v);
	assert_int_equal(s.pio_regs.writes, 1);
	assert_int_equal(s.coalesced_sink.writes, 0);
	exit_synth_destroy(&s);
}

static void test_msr_hypercall_intr(void **state)
{
	struct exit_synth *s = *state;
	struct vcpu *v = s->v;

	exit_synth_msr(s, false, 0x4b564dff, 1234);
	vcpu_handle_exit(v);
	assert_int_equal(v->run->msr.error, 1);
	assert_int_equal(v->run->msr.data, 0);
	exit_synth_msr(s, true, 0x4b564dff, 1);
	vcpu_handle_exit(v);
	assert_int_equal(v->run->msr.error, 1);
	exit_synth_reason(s, KVM_EXIT_HYPERCALL);
	vcpu_handle_exit(v);
	assert_int_equal(v->run->hypercall.ret, (uint64_t)-1000);
	exit_synth_reason(s, KVM_EXIT_IRQ_WINDOW_OPEN);
	vcpu_handle_exit(v);

	assert_int_equal(v->user_exits, 4);
	assert_int_equal(v->exits[KVM_EXIT_X86_RDMSR], 1);
	assert_int_equal(v->exits[KVM_EXIT_X86_WRMSR], 1);
	assert_int_equal(v->exits[KVM_EXIT_HYPERCALL], 1);
	assert_int_equal(v->exits[KVM_EXIT_IRQ_WINDOW_OPEN], 1);
	assert_false(s->vm.stopping);
}

static void test_stops(void **state)
{
	struct exit_synth *s = *state;
	struct vcpu *v = s->v;

	exit_synth_reason(s, KVM_EXIT_HLT);
	vcpu_handle_exit(v);
	assert_true(s->vm.stopping);
	assert_int_equal(s->vm.stop_outcome, OUTCOME_FAILED);
	assert_non_null(strstr(s->vm.stop_reason, "KVM_EXIT_HLT"));
	assert_int_equal(v->exits[KVM_EXIT_HLT], 1);
}

/* Reasons past the table are counted in the last slot, and stop the VM by number. */
static void test_unknown_reason(void **state)
{
	struct exit_synth *s = *state;
	struct vcpu *v = s->v;

	exit_synth_reason(s, 1000);
	vcpu_handle_exit(v);
	assert_int_equal(v->exits[KVM_EXIT_REASON_SLOTS - 1], 1);
	assert_int_equal(v->user_exits, 1);
	assert_true(s->vm.stopping);
	assert_non_null(strstr(s->vm.stop_reason, "1000"));
}

/* The guest is hostile and KVM's fields are checked anyway: nothing is dispatched. */
static void test_bad_io_and_mmio(void **state)
{
	struct exit_synth *s = *state;
	struct vcpu *v = s->v;

	exit_synth_io(s, EXIT_SYNTH_TEST_PORT, true, 4, 1, NULL);
	v->run->io.data_offset = s->run_size - 2;
	vcpu_handle_exit(v);
	assert_true(s->vm.stopping);
	assert_non_null(strstr(s->vm.stop_reason, "outside kvm_run"));
	assert_int_equal(s->pio_regs.writes, 0);
	assert_int_equal(v->exits[KVM_EXIT_IO], 1);
}

static void test_bad_mmio_len(void **state)
{
	struct exit_synth *s = *state;
	struct vcpu *v = s->v;

	exit_synth_mmio(s, EXIT_SYNTH_TEST_GPA, true, 4, NULL);
	v->run->mmio.len = 0;
	vcpu_handle_exit(v);
	assert_true(s->vm.stopping);
	assert_non_null(strstr(s->vm.stop_reason, "MMIO access of 0 bytes"));
	assert_int_equal(s->mmio_regs.writes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timing_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pio_unhandled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coalesced_drain, setup, teardown),
		cmocka_unit_test(test_no_coalesced_ring),
		cmocka_unit_test_setup_teardown(test_msr_hypercall_intr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_io_and_mmio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_mmio_len, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
