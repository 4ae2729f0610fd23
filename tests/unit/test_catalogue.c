// SPDX-License-Identifier: MIT
/*
 * Unit tests for vmm/catalogue.c on the real build/payloads/exit-costs.elf
 * and net.elf (built by `make all`, which `make test` runs first), and on
 * copies of it corrupted one field at a time: the file is untrusted input.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/catalogue.h"
#include "vmm/elf.h"
#include "exitlab/boot_abi.h"
#include "analysis/results.h"
#include "run/validity.h"

#define EXIT_COSTS "build/payloads/exit-costs.elf"
#define NET "build/payloads/net.elf"

struct file {
	unsigned char *b;
	size_t len;
	uint64_t off, size; /* the catalogue section */
};

static int load(const char *path, struct file *f)
{
	FILE *fp = fopen(path, "rb");
	char err[256];
	long n;

	if (!fp)
		return -1;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	f->b = malloc(n);
	f->len = (size_t)n;
	if (!f->b || fread(f->b, 1, f->len, fp) != f->len) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return elf_find_section(f->b, f->len, CATALOGUE_SECTION, &f->off, &f->size, err, sizeof(err));
}

static int setup(void **state)
{
	struct file *f = calloc(1, sizeof(*f));

	if (!f || load(EXIT_COSTS, f)) {
		fprintf(stderr, "%s missing or without a catalogue: run make all\n", EXIT_COSTS);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct file *f = *state;

	free(f->b);
	free(f);
	return 0;
}

/* A copy of the file to corrupt. */
static unsigned char *copy(const struct file *f)
{
	unsigned char *b = malloc(f->len);

	assert_non_null(b);
	memcpy(b, f->b, f->len);
	return b;
}

/* The first record of kind k in the copy's catalogue section. */
static struct catalogue_hdr *first(const struct file *f, unsigned char *b, unsigned k)
{
	size_t at = 0;

	while (at + sizeof(struct catalogue_hdr) <= f->size) {
		struct catalogue_hdr *h = (void *)(b + f->off + at);

		if (!h->magic) {
			at += 8;
			continue;
		}
		if (h->kind == k)
			return h;
		at += h->size;
	}
	fail_msg("no record of kind %u", k);
	return NULL;
}

static void expect_corrupt(const struct file *f, unsigned char *b, const char *what)
{
	struct catalogue c;
	char err[256] = "";

	assert_int_equal(catalogue_parse(b, f->len, &c, err, sizeof(err)), -1);
	if (!strstr(err, what))
		fail_msg("error '%s' does not say '%s'", err, what);
	assert_null(c.tests);
	free(b);
}

static void test_real_payload(void **state)
{
	const struct file *f = *state;
	const struct catalogue_test *t;
	struct catalogue c;
	char err[256];

	assert_int_equal(catalogue_parse(f->b, f->len, &c, err, sizeof(err)), 0);
	assert_true(c.present);
	assert_string_equal(c.info.name, "exit-costs");
	assert_int_equal(c.nparams, 0);
	/* the harness's empty test is in it like the table's rows */
	t = catalogue_test_find(&c, "empty");
	assert_non_null(t);
	assert_true(t->flags & CATALOGUE_TF_OVERHEAD);
	t = catalogue_test_find(&c, "cpuid");
	assert_non_null(t);
	assert_int_equal(t->rings, BOOT_RING0 | BOOT_RING3);
	assert_int_equal(t->expect, CATALOGUE_EXPECT_EXITS | CATALOGUE_EXPECT_USER);
	assert_int_equal(t->exits, 1);
	assert_int_equal(t->user_exits, 0);
	t = catalogue_test_find(&c, "pio_vmm");
	assert_int_equal(t->user_exits, 1);
	t = catalogue_test_find(&c, "syscall");
	assert_int_equal(t->rings, BOOT_RING3);
	assert_int_equal(t->exits, 0);
	t = catalogue_test_find(&c, "mov_to_cr8");
	assert_int_equal(t->expect, 0);
	assert_string_not_equal(t->help, "");
	assert_null(catalogue_test_find(&c, "cpuidd"));
	catalogue_free(&c);
	assert_int_equal(c.ntests, 0);
}

static void test_checks(void **state)
{
	const struct file *f = *state;
	char *ok[] = { "cpuid", "pio_vmm/cpl3", "rdmsr/cpl0" }, *typo[] = { "cpuidd" },
	     *ring[] = { "rdmsr/cpl3" }, *suffix[] = { "cpuid/cpl1" };
	struct catalogue c, net;
	char err[256];

	assert_int_equal(catalogue_parse(f->b, f->len, &c, err, sizeof(err)), 0);
	assert_int_equal(catalogue_check_tests(&c, "exit-costs", ok, 3, 0, err, sizeof(err)), 0);
	assert_int_equal(catalogue_check_tests(&c, "exit-costs", typo, 1, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "exit-costs has no test 'cpuidd'; did you mean 'cpuid'? (exitlab list exit-costs)");
	assert_int_equal(catalogue_check_tests(&c, "exit-costs", ring, 1, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "--test rdmsr/cpl3: rdmsr runs only at cpl0");
	assert_int_equal(catalogue_check_tests(&c, "exit-costs", suffix, 1, 0, err, sizeof(err)), -1);
	/* --ring 3 with a CPL0-only test runs nothing: refused too. */
	assert_int_equal(catalogue_check_tests(&c, "exit-costs", ok, 2, BOOT_RING3, err, sizeof(err)), 0);
	assert_int_equal(catalogue_check_tests(&c, "exit-costs", ok, 3, BOOT_RING3, err, sizeof(err)), -1);
	assert_string_equal(err, "--test rdmsr/cpl0: rdmsr runs only at cpl0, and --ring asks for cpl3");
	assert_int_equal(catalogue_check_params(&c, "exit-costs", "", err, sizeof(err)), 0);
	assert_int_equal(catalogue_check_params(&c, "exit-costs", "batch=1", err, sizeof(err)), -1);
	assert_string_equal(err, "exit-costs takes no --param (got 'batch')");
	catalogue_free(&c);

	if (catalogue_load(NET, &net, err, sizeof(err)))
		fail_msg("%s: %s", NET, err);
	assert_int_equal(catalogue_check_params(&net, "net", "batch=1,32 frames=64", err, sizeof(err)), 0);
	assert_int_equal(catalogue_check_params(&net, "net", "frames=64 batchh=32", err, sizeof(err)), -1);
	assert_string_equal(err, "net has no parameter 'batchh'; did you mean 'batch'? (exitlab list net)");
	assert_string_equal(catalogue_param_find(&net, "batch")->value, "1,32,256");
	catalogue_free(&net);
}

/* A guest test the payload never declared is failed, loudly; host tests are not the payload's. */
static void test_undeclared_result(void **state)
{
	const struct file *f = *state;
	struct test_result t[3] = { 0 };
	struct run_result r = { .tests = t, .ntests = 3 };
	struct catalogue c;
	char err[256];

	assert_int_equal(catalogue_parse(f->b, f->len, &c, err, sizeof(err)), 0);
	snprintf(t[0].name, sizeof(t[0].name), "cpuid");
	snprintf(t[1].name, sizeof(t[1].name), "made_up");
	snprintf(t[2].name, sizeof(t[2].name), "host_syscall");
	snprintf(t[0].where, sizeof(t[0].where), "guest");
	snprintf(t[1].where, sizeof(t[1].where), "guest");
	snprintf(t[2].where, sizeof(t[2].where), "host");
	assert_int_equal(catalogue_check_results(&c, &r), 1);
	assert_int_equal(t[0].status, TEST_OK);
	assert_int_equal(t[1].status, TEST_FAILED);
	assert_non_null(strstr(t[1].reason, "not in the payload's catalogue"));
	assert_int_equal(t[2].status, TEST_OK);
	catalogue_free(&c);
}

/* Patterns: hostile-dev declares its attack tests as vq-*, e1000-*, ... */
static void test_pattern(void **state)
{
	struct catalogue c;
	char err[256], *sel[] = { "vq-loop" }, *bad[] = { "vx-loop" };

	(void)state;
	if (catalogue_load("build/payloads/hostile-dev.elf", &c, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(catalogue_check_tests(&c, "hostile-dev", sel, 1, 0, err, sizeof(err)), 0);
	assert_int_equal(catalogue_check_tests(&c, "hostile-dev", bad, 1, 0, err, sizeof(err)), -1);
	catalogue_free(&c);
}

static void test_no_catalogue(void **state)
{
	const struct file *f = *state;
	unsigned char *b = copy(f);
	Elf64_Ehdr eh;
	Elf64_Shdr sh;
	struct catalogue c;
	char err[256], *typo[] = { "anything" };

	/* Rename the section (".exitlab.catalogue" -> ".exitlab.catalogux"): an older payload. */
	memcpy(&eh, b, sizeof(eh));
	memcpy(&sh, b + eh.e_shoff + (size_t)eh.e_shstrndx * sizeof(sh), sizeof(sh));
	{
		unsigned char *p = memmem(b + sh.sh_offset, sh.sh_size, CATALOGUE_SECTION, sizeof(CATALOGUE_SECTION));

		assert_non_null(p);
		p[sizeof(CATALOGUE_SECTION) - 2] = 'x';
	}
	assert_int_equal(catalogue_parse(b, f->len, &c, err, sizeof(err)), 0);
	assert_false(c.present);
	assert_int_equal(c.ntests, 0);
	/* Nothing to check against: nothing refused. */
	assert_int_equal(catalogue_check_tests(&c, "old", typo, 1, 0, err, sizeof(err)), 0);
	free(b);
}

static void test_corrupt_records(void **state)
{
	const struct file *f = *state;
	unsigned char *b;
	struct catalogue_test *t;

	b = copy(f);
	first(f, b, CATALOGUE_TEST)->magic = 0x12345678;
	expect_corrupt(f, b, "bad magic");

	b = copy(f);
	first(f, b, CATALOGUE_TEST)->version = CATALOGUE_VERSION + 1;
	expect_corrupt(f, b, "this exitlab reads version");

	b = copy(f);
	first(f, b, CATALOGUE_TEST)->kind = 99;
	expect_corrupt(f, b, "unknown kind 99");

	b = copy(f);
	first(f, b, CATALOGUE_TEST)->size = 0x7ffffff8;
	expect_corrupt(f, b, "size");

	b = copy(f);
	first(f, b, CATALOGUE_TEST)->size = 8; /* smaller than its kind */
	expect_corrupt(f, b, "size 8");

	b = copy(f);
	t = (struct catalogue_test *)first(f, b, CATALOGUE_TEST);
	memset(t->name, 'a', sizeof(t->name)); /* no NUL */
	expect_corrupt(f, b, "not a string");

	b = copy(f);
	t = (struct catalogue_test *)first(f, b, CATALOGUE_TEST);
	t->rings = 0;
	expect_corrupt(f, b, "rings 0x0");

	b = copy(f);
	t = (struct catalogue_test *)first(f, b, CATALOGUE_TEST);
	t->expect = CATALOGUE_EXPECT_EXITS | CATALOGUE_EXPECT_USER;
	t->exits = 0;
	t->user_exits = 2;
	expect_corrupt(f, b, "userspace exits of");

	b = copy(f);
	{
		/* The second test record renamed to the first's name. */
		struct catalogue_test *a = (struct catalogue_test *)first(f, b, CATALOGUE_TEST);
		struct catalogue_test *n = (struct catalogue_test *)((unsigned char *)a + a->hdr.size);

		memcpy(n->name, a->name, sizeof(n->name));
	}
	expect_corrupt(f, b, "declared twice");
}

static void test_corrupt_headers(void **state)
{
	const struct file *f = *state;
	unsigned char *b;
	Elf64_Ehdr *eh;
	Elf64_Shdr sh;

	/* The section extends past the end of the file. */
	b = copy(f);
	eh = (Elf64_Ehdr *)b;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		memcpy(&sh, b + eh->e_shoff + (size_t)i * sizeof(sh), sizeof(sh));
		if (sh.sh_offset == f->off && sh.sh_size == f->size) {
			sh.sh_size = f->len;
			memcpy(b + eh->e_shoff + (size_t)i * sizeof(sh), &sh, sizeof(sh));
		}
	}
	expect_corrupt(f, b, "is not in the file");

	b = copy(f);
	((Elf64_Ehdr *)b)->e_shstrndx = 0xfff0;
	expect_corrupt(f, b, "section name table index");

	b = copy(f);
	((Elf64_Ehdr *)b)->e_shoff = f->len - 8;
	expect_corrupt(f, b, "section headers");

	b = copy(f);
	b[0] = 0;
	expect_corrupt(f, b, "not an ELF file");

	/* Truncated inside the section headers. */
	{
		struct catalogue c;
		char err[256];

		assert_int_equal(catalogue_parse(f->b, f->len - 64, &c, err, sizeof(err)), -1);
		assert_int_equal(catalogue_parse(f->b, 16, &c, err, sizeof(err)), -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_payload),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_undeclared_result),
		cmocka_unit_test(test_pattern),
		cmocka_unit_test(test_no_catalogue),
		cmocka_unit_test(test_corrupt_records),
		cmocka_unit_test(test_corrupt_headers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
