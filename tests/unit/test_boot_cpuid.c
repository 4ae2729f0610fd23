// SPDX-License-Identifier: MIT
/*
 * The CPUID table a vCPU gets (vmm/boot_x86.c): the host's brand string in
 * 0x80000002..4, overwritten where KVM offers the leaves, appended where it
 * does not, left out where the extended range does not reach them.
 */
#include <stdlib.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/boot_x86.h"

static const char want[49] = "QEMU TCG CPU version 2.5+";

static struct kvm_cpuid2 *table(uint32_t max_ext, int with_brand, size_t cap)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + cap * sizeof(c->entries[0]));

	assert_non_null(c);
	c->entries[c->nent++] = (struct kvm_cpuid_entry2){ .function = 0, .eax = 0xd };
	c->entries[c->nent++] = (struct kvm_cpuid_entry2){ .function = 0x80000000u, .eax = max_ext };
	for (uint32_t l = 0; with_brand && l < 3; l++)
		c->entries[c->nent++] = (struct kvm_cpuid_entry2){ .function = 0x80000002u + l, .eax = 0xdead };
	return c;
}

static void brand_of(const struct kvm_cpuid2 *c, char out[49])
{
	uint32_t r[12] = { 0 };

	for (uint32_t i = 0; i < c->nent; i++) {
		uint32_t f = c->entries[i].function;

		if (f >= 0x80000002u && f <= 0x80000004u) {
			r[4 * (f - 0x80000002u)] = c->entries[i].eax;
			r[4 * (f - 0x80000002u) + 1] = c->entries[i].ebx;
			r[4 * (f - 0x80000002u) + 2] = c->entries[i].ecx;
			r[4 * (f - 0x80000002u) + 3] = c->entries[i].edx;
		}
	}
	memcpy(out, r, 48);
	out[48] = 0;
}

/* A table with or without the leaves, room for cap entries: the brand lands in 5 entries. */
static void brand_lands(int with_brand, size_t cap)
{
	struct kvm_cpuid2 *c = table(0x80000008u, with_brand, cap);
	uint32_t brand[12];
	char got[49];

	memcpy(brand, want, 48);
	boot_cpuid_set_brand(c, cap, brand);
	assert_int_equal(c->nent, 5);
	brand_of(c, got);
	assert_string_equal(got, want);
	free(c);
}

static void test_brand_overwritten(void **state)
{
	(void)state;
	brand_lands(1, 8);
}

static void test_brand_appended(void **state)
{
	(void)state;
	brand_lands(0, 5);
}

static void test_brand_out_of_range(void **state)
{
	struct kvm_cpuid2 *c = table(0x80000001u, 0, 8);
	uint32_t brand[12];
	(void)state;

	memcpy(brand, want, 48);
	boot_cpuid_set_brand(c, 8, brand);
	assert_int_equal(c->nent, 2); /* CPUID 0x80000000 does not reach the leaves: none added */
	free(c);
}

static void test_brand_no_room(void **state)
{
	struct kvm_cpuid2 *c = table(0x80000008u, 0, 3);
	uint32_t brand[12];
	(void)state;

	memcpy(brand, want, 48);
	boot_cpuid_set_brand(c, 3, brand); /* room for one leaf only: never past cap */
	assert_int_equal(c->nent, 3);
	assert_int_equal(c->entries[2].function, 0x80000002u);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_brand_overwritten),
		cmocka_unit_test(test_brand_appended),
		cmocka_unit_test(test_brand_out_of_range),
		cmocka_unit_test(test_brand_no_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
