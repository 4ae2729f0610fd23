/* SPDX-License-Identifier: MIT */
/*
 * Hostile kernels against `exitlab run linux` in real KVM, under the
 * ASan+UBSan build: bzImages whose 64-bit entry is a few hand-assembled
 * instructions (tests/integration/bzimage_fixture.h) that fault at once, halt
 * with interrupts off, flood the console, loop on exits to the VMM, or write
 * garbage to the PCI config ports, every ACPI PM port at every size and MMIO
 * where nothing is, then power off. Each run must end by itself within its
 * bounds (--timeout's watchdog, --deadline) with the diagnostic that names
 * why, the console kept within its cap, the sanitizers silent. Counts and
 * messages only: no time is asserted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "devices/platform/guest_text.h"
#include "tests/integration/bzimage_fixture.h"
#include "tests/integration/harness.h"

/* ud2 with no IDT: #UD, #DF, triple fault. */
static const uint8_t k_triple[] = { 0x0f, 0x0b };
/* cli; hlt; jmp back to hlt: silent forever, blocked in KVM. */
static const uint8_t k_halt[] = { 0xfa, 0xf4, 0xeb, 0xfd };
/* mov dx, 0x3f8; mov al, 'A'; out dx, al; jmp back to out: the console, without end. */
static const uint8_t k_flood[] = { 0x66, 0xba, 0xf8, 0x03, 0xb0, 0x41, 0xee, 0xeb, 0xfd };
/* in al, 0x80; jmp back: an exit to the VMM without end, not a byte of output. */
static const uint8_t k_exits[] = { 0xe4, 0x80, 0xeb, 0xfc };
/* PCI config ports, ACPI PM ports, MMIO nowhere; then S5 and spin. */
static const uint8_t k_garbage[] = {
	0xb8, 0xfc, 0xff, 0xff, 0xff,                   /* mov eax, 0xfffffffc */
	0xba, 0xf8, 0x0c, 0x00, 0x00,                   /* mov edx, 0xcf8 */
	0xef,                                           /* out dx, eax */
	0xba, 0xfc, 0x0c, 0x00, 0x00,                   /* mov edx, 0xcfc */
	0xef, 0xed,                                     /* out dx, eax; in eax, dx */
	0xb8, 0x00, 0x00, 0x00, 0x80,                   /* mov eax, 0x80000000: bus 0, dev 0, reg 0 */
	0xba, 0xf8, 0x0c, 0x00, 0x00, 0xef,             /* mov edx, 0xcf8; out dx, eax */
	0xba, 0xfe, 0x0c, 0x00, 0x00,                   /* mov edx, 0xcfe: a data port off its dword */
	0x66, 0xef, 0xec,                               /* out dx, ax; in al, dx */
	0xba, 0xfe, 0x05, 0x00, 0x00,                   /* mov edx, 0x5fe: from below the PM block */
	0xb9, 0x0c, 0x00, 0x00, 0x00,                   /* mov ecx, 12: past it, onto the PM timer */
	0xb8, 0xff, 0xff, 0x00, 0x80,                   /* 1: mov eax, 0x8000ffff: no byte 1, never S5 */
	0x66, 0xef, 0xef, 0xee,                         /* out dx, ax; out dx, eax; out dx, al */
	0xed, 0xec,                                     /* in eax, dx; in al, dx */
	0xff, 0xc2,                                     /* inc edx */
	0xe2, 0xf1,                                     /* loop 1 */
	0x48, 0xb8, 0x00, 0x00, 0x00, 0xd0, 0, 0, 0, 0, /* mov rax, 0xd0000000: no RAM, no device */
	0x48, 0x8b, 0x00,                               /* mov rax, [rax] */
	0x48, 0xb8, 0x00, 0x00, 0xd0, 0xfe, 0, 0, 0, 0, /* mov rax, 0xfed00000: no HPET here */
	0x48, 0x89, 0x00,                               /* mov [rax], rax */
	0x66, 0xb8, 0x00, 0x34,                         /* mov ax, S5 | SLP_EN */
	0x66, 0xba, 0x04, 0x06,                         /* mov dx, 0x604 */
	0x66, 0xef,                                     /* out dx, ax */
	0xeb, 0xfe,                                     /* jmp $ */
};
/* One dword at 0x604: S5 with SLP_EN and the reset value in the same write. */
static const uint8_t k_both[] = {
	0xb8, 0x00, 0x34, 0x01, 0x00,                   /* mov eax, 0x00013400 */
	0xba, 0x04, 0x06, 0x00, 0x00,                   /* mov edx, 0x604 */
	0xef, 0xeb, 0xfe,                               /* out dx, eax; jmp $ */
};

static char path[512];

/* Boot code as a kernel with the extra options; exit code want, stderr saying said. */
static void boot(const char *name, const uint8_t *code, size_t len, int want, const char *said,
		 const char *const *extra, struct run_out *o)
{
	const char *args[24] = { "run", "linux", "--kernel", path, "--mem", "128", "--timeout", "60",
				 "--deadline", "300" };
	size_t n = 10;

	snprintf(path, sizeof(path), "%s/%s.bzImage", harness_tmp, name);
	assert_int_equal(bzimage_write(path, BZF_FILE_LEN, 0x020f, 1 << 20, code, len), 0);
	for (; extra && *extra && n < 22; extra++)
		args[n++] = *extra;
	args[n] = NULL;
	harness_run(o, args);
	harness_assert_sanitizers_silent(o);
	if (o->exit_code != want || !strstr(o->err, said))
		fprintf(stderr, "%s: exit %d, want %d with \"%s\"; stderr:\n%s", name, o->exit_code, want, said,
			o->err);
	assert_int_equal(o->exit_code, want);
	assert_non_null(strstr(o->err, said));
}

static void test_triple_fault(void **state)
{
	struct run_out o;

	(void)state;
	HARNESS_NEED_KVM();
	boot("triple", k_triple, sizeof(k_triple), 1, "triple fault", NULL, &o);
	harness_free(&o);
}

/* Halted with interrupts off: nothing comes, the watchdog stops a vCPU blocked in KVM. */
static void test_halt_silent(void **state)
{
	struct run_out o;

	(void)state;
	HARNESS_NEED_KVM();
	boot("halt", k_halt, sizeof(k_halt), 1, "no console output and no userspace exit for 2 s",
	     (const char *const[]){ "--timeout", "2", NULL }, &o);
	harness_free(&o);
}

/* A console flood is progress to the watchdog; the deadline ends it, and the file keeps at most the cap. */
static void test_console_flood(void **state)
{
	char serial[600], json[600];
	struct run_out o;
	struct stat st;
	json_t *doc;
	json_int_t bytes;

	(void)state;
	HARNESS_NEED_KVM();
	snprintf(serial, sizeof(serial), "%s/flood.console", harness_tmp);
	snprintf(json, sizeof(json), "%s/flood.json", harness_tmp);
	boot("flood", k_flood, sizeof(k_flood), 1, "still running after 3 s (--deadline)",
	     (const char *const[]){ "--timeout", "2", "--deadline", "3", "--serial", serial, "--json", json, NULL },
	     &o);
	assert_int_equal(stat(serial, &st), 0);
	assert_true((uint64_t)st.st_size <= GUEST_TEXT_MAX);
	doc = harness_load_json(json);
	assert_non_null(doc);
	bytes = json_integer_value(json_object_get(json_object_get(json_object_get(doc, "vmm"), "linux"),
						   "console_bytes"));
	assert_true(bytes > 0);
	/* what passed the cap is dropped, and said so */
	if (bytes > (json_int_t)GUEST_TEXT_MAX)
		assert_non_null(strstr(o.err, "the rest of it is dropped"));
	else
		assert_int_equal(st.st_size, bytes);
	json_decref(doc);
	harness_free(&o);
}

/* Exits to the VMM without end: the same, with the exits counted. */
static void test_exit_loop(void **state)
{
	char json[600];
	struct run_out o;
	json_t *doc;

	(void)state;
	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/exits.json", harness_tmp);
	boot("exits", k_exits, sizeof(k_exits), 1, "still running after 3 s (--deadline)",
	     (const char *const[]){ "--timeout", "2", "--deadline", "3", "--json", json, NULL }, &o);
	doc = harness_load_json(json);
	assert_non_null(doc);
	assert_true(json_integer_value(json_object_get(json_object_get(doc, "vmm"), "userspace_exits")) > 0);
	json_decref(doc);
	harness_free(&o);
}

/* Garbage to the PCI config ports, every ACPI PM port at each size, MMIO nowhere: then a clean power-off. */
static void test_port_garbage(void **state)
{
	char json[600];
	struct run_out o;
	json_t *doc, *lin;

	(void)state;
	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/garbage.json", harness_tmp);
	boot("garbage", k_garbage, sizeof(k_garbage), 0, "the guest powered off (ACPI S5)",
	     (const char *const[]){ "--json", json, NULL }, &o);
	doc = harness_load_json(json);
	assert_non_null(doc);
	lin = json_object_get(json_object_get(doc, "vmm"), "linux");
	assert_string_equal(json_string_value(json_object_get(lin, "end")), "poweroff");
	/*
	 * Of the writes from 0x5fe to 0x609, those wholly inside 0x600..0x607 reach
	 * the PM block (an access across a device's end is open bus): 8 bytes, 7
	 * words, 5 dwords; then the power-off.
	 */
	assert_int_equal(json_integer_value(json_object_get(lin, "acpi_pm_writes")), 8 + 7 + 5 + 1);
	json_decref(doc);
	harness_free(&o);
}

/* Power-off and reset in one write: one end, the first the device saw, exit 0. */
static void test_two_ends_at_once(void **state)
{
	struct run_out o;

	(void)state;
	HARNESS_NEED_KVM();
	boot("both", k_both, sizeof(k_both), 0, "the guest reset itself", NULL, &o);
	assert_null(strstr(o.err, "powered off"));
	harness_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_triple_fault),
		cmocka_unit_test(test_halt_silent),
		cmocka_unit_test(test_console_flood),
		cmocka_unit_test(test_exit_loop),
		cmocka_unit_test(test_port_garbage),
		cmocka_unit_test(test_two_ends_at_once),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
