// SPDX-License-Identifier: MIT
/* Unit tests for vmm/acpi_tables.c: checksums, lengths, the MADT for N vCPUs, the FADT's ports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/acpi_tables.h"

#define GPA 0xe0000ULL

static uint8_t buf[0x4000];

static uint64_t r(const uint8_t *b, size_t off, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)b[off + i] << (8 * i);
	return v;
}

/* A table by its guest-physical address, its signature and checksum checked. */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
	const uint8_t *t;

	assert_true(gpa >= GPA && gpa < GPA + sizeof(buf));
	t = buf + (gpa - GPA);
	assert_memory_equal(t, sig, 4);
	if (strcmp(sig, "FACS"))
		assert_int_equal(acpi_sum(t, r(t, 4, 4)), 0);
	return t;
}

static const uint8_t *xsdt_entry(const char *sig)
{
	const uint8_t *x = table(r(buf, 24, 8), "XSDT");
	size_t n = (r(x, 4, 4) - ACPI_HDR_LEN) / 8;

	for (size_t i = 0; i < n; i++) {
		const uint8_t *t = buf + (r(x, ACPI_HDR_LEN + 8 * i, 8) - GPA);

		if (!memcmp(t, sig, 4))
			return table(r(x, ACPI_HDR_LEN + 8 * i, 8), sig);
	}
	return NULL;
}

static void test_rsdp_and_checksums(void **state)
{
	struct acpi_config c = { .nvcpus = 1, .ecam_gpa = 0xe0000000, .ecam_last_bus = 0 };
	size_t len;

	(void)state;
	len = acpi_tables_build(buf, sizeof(buf), GPA, &c);
	assert_true(len > 0 && len < sizeof(buf));
	assert_memory_equal(buf, "RSD PTR ", 8);
	assert_int_equal(acpi_sum(buf, 20), 0);
	assert_int_equal(acpi_sum(buf, ACPI_RSDP_LEN), 0);
	assert_int_equal(buf[15], 2);
	assert_int_equal(r(buf, 20, 4), ACPI_RSDP_LEN);
	assert_non_null(xsdt_entry("FACP"));
	assert_non_null(xsdt_entry("APIC"));
	assert_non_null(xsdt_entry("MCFG"));
}

static void test_fadt(void **state)
{
	struct acpi_config c = { .nvcpus = 2 };
	const uint8_t *f, *d;

	(void)state;
	assert_true(acpi_tables_build(buf, sizeof(buf), GPA, &c) > 0);
	assert_null(xsdt_entry("MCFG"));
	f = xsdt_entry("FACP");
	assert_non_null(f);
	assert_int_equal(r(f, 4, 4), ACPI_FADT_LEN);
	assert_int_equal(r(f, 46, 2), ACPI_SCI_IRQ);
	assert_int_equal(r(f, 48, 4), 0);
	assert_int_equal(r(f, 56, 4), ACPI_PM1A_EVT_PORT);
	assert_int_equal(r(f, 64, 4), ACPI_PM1A_CNT_PORT);
	assert_int_equal(r(f, 76, 4), ACPI_PM_TMR_PORT);
	assert_int_equal(f[88], 4);
	assert_int_equal(f[89], 2);
	assert_int_equal(f[91], 4);
	assert_int_equal(r(f, 112, 4) & (1u << 20), 0);   /* not hardware-reduced */
	assert_int_equal(r(f, 116 + 4, 8), ACPI_RESET_PORT);
	assert_int_equal(f[128], ACPI_RESET_VALUE);
	assert_int_equal(r(f, 148 + 4, 8), ACPI_PM1A_EVT_PORT);
	assert_int_equal(r(f, 172 + 4, 8), ACPI_PM1A_CNT_PORT);
	assert_int_equal(r(f, 40, 4), r(f, 140, 8));
	d = table(r(f, 140, 8), "DSDT");
	/* the AML names \_S5 with our sleep type */
	assert_non_null(memmem(d + ACPI_HDR_LEN, r(d, 4, 4) - ACPI_HDR_LEN, "_S5_", 4));
	table(r(f, 132, 8), "FACS");
	assert_int_equal(r(f, 132, 8) % 64, 0);
}

static void test_madt(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 8; n++) {
		struct acpi_config c = { .nvcpus = n };
		const uint8_t *m;
		size_t len, at;
		unsigned lapics = 0, ioapics = 0, isos = 0;

		assert_true(acpi_tables_build(buf, sizeof(buf), GPA, &c) > 0);
		m = xsdt_entry("APIC");
		assert_non_null(m);
		len = r(m, 4, 4);
		assert_int_equal(len, ACPI_HDR_LEN + 8 + n * ACPI_MADT_LAPIC_LEN + ACPI_MADT_IOAPIC_LEN +
				 2 * ACPI_MADT_ISO_LEN + ACPI_MADT_NMI_LEN);
		assert_int_equal(r(m, 36, 4), ACPI_LAPIC_GPA);
		for (at = ACPI_HDR_LEN + 8; at < len; at += m[at + 1]) {
			assert_true(m[at + 1] > 0);
			if (m[at] == 0) {
				assert_int_equal(m[at + 3], lapics); /* APIC ID = vCPU index */
				assert_int_equal(r(m, at + 4, 4), 1);
				lapics++;
			} else if (m[at] == 1) {
				assert_int_equal(r(m, at + 4, 4), ACPI_IOAPIC_GPA);
				ioapics++;
			} else if (m[at] == 2) {
				if (m[at + 3] == 0)
					assert_int_equal(r(m, at + 4, 4), 2); /* IRQ0 -> GSI2 */
				isos++;
			}
		}
		assert_int_equal(at, len);
		assert_int_equal(lapics, n);
		assert_int_equal(ioapics, 1);
		assert_int_equal(isos, 2);
	}
}

static void test_mcfg_and_limits(void **state)
{
	struct acpi_config c = { .nvcpus = 1, .ecam_gpa = 0xe0000000, .ecam_last_bus = 0 };
	const uint8_t *m;

	(void)state;
	assert_true(acpi_tables_build(buf, sizeof(buf), GPA, &c) > 0);
	m = xsdt_entry("MCFG");
	assert_int_equal(r(m, 4, 4), ACPI_MCFG_LEN);
	assert_int_equal(r(m, 44, 8), 0xe0000000);
	assert_int_equal(m[54], 0);
	assert_int_equal(m[55], 0);
	/* too small a buffer, no vCPU, too many, a misaligned base: 0 */
	assert_int_equal(acpi_tables_build(buf, 100, GPA, &c), 0);
	c.nvcpus = 0;
	assert_int_equal(acpi_tables_build(buf, sizeof(buf), GPA, &c), 0);
	c.nvcpus = 256;
	assert_int_equal(acpi_tables_build(buf, sizeof(buf), GPA, &c), 0);
	c.nvcpus = 1;
	assert_int_equal(acpi_tables_build(buf, sizeof(buf), GPA + 16, &c), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp_and_checksums),
		cmocka_unit_test(test_fadt),
		cmocka_unit_test(test_madt),
		cmocka_unit_test(test_mcfg_and_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
