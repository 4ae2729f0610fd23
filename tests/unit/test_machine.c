// SPDX-License-Identifier: MIT
/*
 * The machine builder without KVM: its fixed layout (no two platform
 * devices overlap, all inside the MMIO hole and clear of PCI), the boot_info
 * fill into a plain buffer, and the argument checks machine_create makes
 * before it opens /dev/kvm. The outcome values are the exit codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "devices/pci/pci_host.h"
#include "util/outcome.h"
#include "vmm/boot_info.h"
#include "vmm/machine.h"
#include "vmm/machine_layout.h"
#include "vmm/vm.h"

struct range {
	const char *name;
	uint64_t base, len;
};

static void assert_disjoint(const struct range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (r[i].base < r[j].base + r[j].len && r[j].base < r[i].base + r[i].len)
				fail_msg("%s and %s overlap", r[i].name, r[j].name);
}

static void test_layout(void **state)
{
	const struct range pio[] = {
		{ "uart", MACHINE_UART_PORT, 8 },
		{ "bench", MACHINE_BENCH_PORT, 4 },
		{ "test-regs", MACHINE_TEST_PIO_PORT, 4 },
		{ "ioeventfd", MACHINE_IOEVENT_PORT, 4 },
		{ "ioeventfd-dm", MACHINE_IOEVENT_DM_PORT, 4 },
		{ "pci-io", PCI_IO_WINDOW, PCI_IO_SIZE },
		{ "pci-config", PCI_CONFIG_ADDR, 8 },
	};
	const struct range mmio[] = {
		{ "test-regs", MACHINE_TEST_MMIO_GPA, MACHINE_MMIO_PAGE },
		{ "ioeventfd", MACHINE_IOEVENT_MMIO_GPA, 4 },
		{ "coalesced", MACHINE_COALESCED_MMIO_GPA, MACHINE_MMIO_PAGE },
		{ "pci-mmio", PCI_MMIO_WINDOW, PCI_MMIO_SIZE },
		{ "pci-ecam", PCI_ECAM_BASE, PCI_ECAM_SIZE },
	};
	(void)state;

	assert_disjoint(pio, sizeof(pio) / sizeof(pio[0]));
	assert_disjoint(mmio, sizeof(mmio) / sizeof(mmio[0]));
	for (size_t i = 0; i < sizeof(pio) / sizeof(pio[0]); i++)
		assert_true(pio[i].base + pio[i].len <= 0x10000);
	/* In the MMIO hole, above RAM, below the identity-mapped 4 GiB. */
	for (size_t i = 0; i < sizeof(mmio) / sizeof(mmio[0]); i++) {
		assert_true(mmio[i].base >= BOOT_RAM_MAX);
		assert_true(mmio[i].base + mmio[i].len <= BOOT_IDENTITY_LIMIT);
	}
	/* The ioeventfd and coalesced pages are page-aligned (KVM registers them by page). */
	assert_int_equal(MACHINE_COALESCED_MMIO_GPA % MACHINE_MMIO_PAGE, 0);
	assert_int_equal(MACHINE_TEST_MMIO_GPA % MACHINE_MMIO_PAGE, 0);
}

static const struct boot_layout layout = {
	.low_size = 64 << 20, .high_size = 0, .host_page_size = 4096,
	.image_end = 0x123456, .amd = true, .irqchip = true,
};

static void test_boot_info_fill(void **state)
{
	struct boot_info bi;
	struct boot_args a = {
		.iterations = 7, .params = "sizes=4k,64k guest_page=2m", .ring_mask = BOOT_RING3,
		.repeat = 3, .order = BOOT_ORDER_RANDOM, .order_seed = 42, .flags = BOOT_F_QUICK,
		.goal_ms = 10.0,
	};
	char err[256];
	(void)state;

	memset(&bi, 0, sizeof(bi));
	bi.pci_ecam_gpa = PCI_ECAM_BASE;   /* a device's field: left as it is */
	bi.ioevent_port = MACHINE_IOEVENT_PORT;
	assert_int_equal(boot_info_fill(&bi, &layout, &a, err, sizeof(err)), 0);
	assert_int_equal(bi.magic, BOOT_INFO_MAGIC);
	assert_int_equal(bi.version, BOOT_INFO_VERSION);
	assert_int_equal(bi.mem_size, 64 << 20);
	assert_int_equal(bi.free_start, 0x124000);
	assert_int_equal(bi.free_end, 64 << 20);
	assert_int_equal(bi.host_page_size, 4096);
	assert_int_equal(bi.high_mem_start, 0);
	assert_int_equal(bi.high_mem_size, 0);
	assert_int_equal(bi.mailbox_gpa, BOOT_MAILBOX_GPA);
	assert_int_equal(bi.iterations, 7);
	assert_int_equal(bi.params_gpa, BOOT_PARAMS_GPA);
	assert_int_equal(bi.params_len, strlen(a.params));
	assert_int_equal(bi.repeat, 3);
	assert_int_equal(bi.order, BOOT_ORDER_RANDOM);
	assert_int_equal(bi.order_seed, 42);
	assert_int_equal(bi.ring_mask, BOOT_RING3);
	assert_int_equal(bi.flags, BOOT_F_QUICK | BOOT_F_VENDOR_AMD | BOOT_F_X2APIC);
	assert_int_equal(bi.pci_ecam_gpa, PCI_ECAM_BASE);
	assert_int_equal(bi.ioevent_port, MACHINE_IOEVENT_PORT);
	/* The TSC is known later: the time goal follows it. */
	assert_int_equal(bi.tsc_khz, 0);
	boot_info_set_tsc(&bi, 2000000, a.goal_ms);
	assert_int_equal(bi.tsc_khz, 2000000);
	assert_int_equal(bi.time_goal_cycles, 20000000);
}

static void test_boot_info_high_mem_no_params(void **state)
{
	struct boot_layout l = layout;
	struct boot_info bi;
	struct boot_args a = { .ring_mask = BOOT_RING0 | BOOT_RING3, .flags = BOOT_F_PVM | BOOT_F_NO_VMM };
	char err[256];
	(void)state;

	l.high_size = 1ULL << 30;
	l.amd = l.irqchip = false;
	memset(&bi, 0, sizeof(bi));
	assert_int_equal(boot_info_fill(&bi, &l, &a, err, sizeof(err)), 0);
	assert_int_equal(bi.high_mem_start, BOOT_HIGH_MEM_GPA);
	assert_int_equal(bi.high_mem_size, 1ULL << 30);
	assert_int_equal(bi.params_gpa, 0);
	assert_int_equal(bi.params_len, 0);
	/* Only the run's own flags pass; the machine decides the rest. */
	assert_int_equal(bi.flags, BOOT_F_PVM);
}

static void test_boot_info_refuses(void **state)
{
	char long_params[BOOT_PARAMS_MAX + 1];
	struct boot_layout l = layout;
	struct boot_info bi;
	struct boot_args a = { .ring_mask = BOOT_RING0 };
	char err[256];
	(void)state;

	memset(long_params, 'a', sizeof(long_params) - 1);
	long_params[sizeof(long_params) - 1] = 0;
	a.params = long_params;
	assert_int_equal(boot_info_fill(&bi, &l, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "parameters"));
	a.params = NULL;
	a.ring_mask = 0;
	assert_int_equal(boot_info_fill(&bi, &l, &a, err, sizeof(err)), -1);
	a.ring_mask = 1u << 2;
	assert_int_equal(boot_info_fill(&bi, &l, &a, err, sizeof(err)), -1);
	a.ring_mask = BOOT_RING0;
	l.image_end = l.low_size + 1;
	assert_int_equal(boot_info_fill(&bi, &l, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too small"));
}

/* Refused before /dev/kvm is opened: the same answer with or without KVM. */
static void test_create_checks_arguments(void **state)
{
	struct machine_config ok = { .mem_size = 64 << 20, .nvcpus = 1, .boot = MACHINE_BOOT_PAYLOAD };
	struct machine_config c;
	struct machine *m = (struct machine *)&c;
	char err[256];
	(void)state;

	assert_int_equal(machine_config_check(&ok, err, sizeof(err)), OUTCOME_OK);
	c = ok;
	c.nvcpus = 0;
	assert_int_equal(machine_create(&m, &c, err, sizeof(err)), OUTCOME_BAD_INPUT);
	assert_null(m);
	assert_non_null(strstr(err, "vCPUs"));
	c.nvcpus = VM_MAX_VCPUS + 1;
	assert_int_equal(machine_create(&m, &c, err, sizeof(err)), OUTCOME_BAD_INPUT);
	c = ok;
	c.boot = MACHINE_BOOT_COUNT;
	assert_int_equal(machine_create(&m, &c, err, sizeof(err)), OUTCOME_BAD_INPUT);
	assert_non_null(strstr(err, "boot protocol"));
	c = ok;
	c.mem_size = 4096;
	assert_int_equal(machine_create(&m, &c, err, sizeof(err)), OUTCOME_BAD_INPUT);
	c.mem_size = GUEST_MEM_MAX + 1;
	assert_int_equal(machine_create(&m, &c, err, sizeof(err)), OUTCOME_BAD_INPUT);
	assert_null(m);
	machine_destroy(NULL);
}

static void test_outcome_is_exit_code(void **state)
{
	(void)state;
	assert_int_equal(outcome_exit_code(OUTCOME_OK), EXIT_OK);
	assert_int_equal(outcome_exit_code(OUTCOME_FAILED), EXIT_FAILED);
	assert_int_equal(outcome_exit_code(OUTCOME_BAD_INPUT), EXIT_USAGE);
	assert_int_equal(outcome_exit_code(OUTCOME_NO_HOST), EXIT_NOHOST);
	assert_int_equal(EXIT_OK, 0);
	assert_int_equal(EXIT_FAILED, 1);
	assert_int_equal(EXIT_USAGE, 2);
	assert_int_equal(EXIT_NOHOST, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_boot_info_fill),
		cmocka_unit_test(test_boot_info_high_mem_no_params),
		cmocka_unit_test(test_boot_info_refuses),
		cmocka_unit_test(test_create_checks_arguments),
		cmocka_unit_test(test_outcome_is_exit_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
