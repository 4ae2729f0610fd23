// SPDX-License-Identifier: MIT
/* Unit tests for vmm/elf.c on images built in memory. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/elf.h"

#define MEM_LO 0x100000ULL
#define MEM_HI 0x400000ULL
#define IMG_SIZE 0x3000
#define TEXT_OFF 0x1000
#define DATA_OFF 0x2000

/* A payload-like image: text (R-X), data+bss (RW-), a PT_GNU_STACK. */
struct image {
	unsigned char b[IMG_SIZE];
};

static Elf64_Ehdr *ehdr(struct image *im)
{
	return (Elf64_Ehdr *)im->b;
}

static Elf64_Phdr *phdr(struct image *im, unsigned i)
{
	return (Elf64_Phdr *)(im->b + sizeof(Elf64_Ehdr)) + i;
}

static void set_phdr(struct image *im, unsigned i, uint32_t type, uint32_t flags, uint64_t off,
		     uint64_t addr, uint64_t filesz, uint64_t memsz)
{
	*phdr(im, i) = (Elf64_Phdr){
		.p_type = type, .p_flags = flags, .p_offset = off, .p_vaddr = addr,
		.p_paddr = addr, .p_filesz = filesz, .p_memsz = memsz, .p_align = 0x1000,
	};
}

static void build(struct image *im)
{
	Elf64_Ehdr *eh = ehdr(im);

	memset(im, 0, sizeof(*im));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x100010;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	set_phdr(im, 0, PT_LOAD, PF_R | PF_X, TEXT_OFF, 0x100000, 0x100, 0x100);
	set_phdr(im, 1, PT_LOAD, PF_R | PF_W, DATA_OFF, 0x101000, 0x80, 0x1000);
	set_phdr(im, 2, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
	for (int i = 0; i < 0x100; i++)
		im->b[TEXT_OFF + i] = (unsigned char)(0x90 + i);
	for (int i = 0; i < 0x80; i++)
		im->b[DATA_OFF + i] = (unsigned char)(0x11 * i + 1);
}

/* Parse a copy of exactly len bytes so ASan catches any overread. */
static int parse_len(struct image *im, size_t len, struct elf_image *img, char *err, size_t errlen)
{
	void *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, im->b, len);
	rc = elf_parse(copy, len, MEM_LO, MEM_HI, img, err, errlen);
	free(copy);
	return rc;
}

static void expect_fail(struct image *im, const char *msg)
{
	struct elf_image img;
	char err[256] = "";

	assert_int_equal(parse_len(im, sizeof(im->b), &img, err, sizeof(err)), -1);
	if (!strstr(err, msg))
		fail_msg("error '%s' does not mention '%s'", err, msg);
}

static void test_valid(void **state)
{
	struct image im;
	struct elf_image img;
	char err[256] = "";

	(void)state;
	build(&im);
	assert_int_equal(parse_len(&im, sizeof(im.b), &img, err, sizeof(err)), 0);
	assert_int_equal(img.entry, 0x100010);
	assert_int_equal(img.nseg, 2);
	assert_int_equal(img.seg[0].gpa, 0x100000);
	assert_int_equal(img.seg[0].offset, TEXT_OFF);
	assert_int_equal(img.seg[0].filesz, 0x100);
	assert_int_equal(img.seg[0].flags, PF_R | PF_X);
	assert_int_equal(img.seg[1].gpa, 0x101000);
	assert_int_equal(img.seg[1].memsz, 0x1000);
	assert_int_equal(img.lowest, 0x100000);
	assert_int_equal(img.highest, 0x102000);
}

static void test_truncated(void **state)
{
	const size_t cuts[] = { 0, 4, 16, sizeof(Elf64_Ehdr) - 1, sizeof(Elf64_Ehdr),
				sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 7,
				TEXT_OFF + 0x80, DATA_OFF, DATA_OFF + 0x7f };
	struct image im;
	struct elf_image img;
	char err[256];

	(void)state;
	build(&im);
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse_len(&im, cuts[i], &img, err, sizeof(err)), -1);
		assert_true(strstr(err, "too small") || strstr(err, "past the end"));
	}
	/* Exactly up to the end of the last segment's bytes is enough. */
	assert_int_equal(parse_len(&im, DATA_OFF + 0x80, &img, err, sizeof(err)), 0);
}

static void test_bad_header(void **state)
{
	struct image im;

	(void)state;
	build(&im);
	im.b[1] = 'X';
	expect_fail(&im, "bad magic");
	build(&im);
	ehdr(&im)->e_ident[EI_CLASS] = ELFCLASS32;
	expect_fail(&im, "ELFCLASS64");
	build(&im);
	ehdr(&im)->e_ident[EI_DATA] = ELFDATA2MSB;
	expect_fail(&im, "little-endian");
	build(&im);
	ehdr(&im)->e_version = 2;
	expect_fail(&im, "version");
	build(&im);
	ehdr(&im)->e_machine = EM_AARCH64;
	expect_fail(&im, "EM_X86_64");
	build(&im);
	ehdr(&im)->e_type = ET_DYN;
	expect_fail(&im, "ET_EXEC");
	build(&im);
	ehdr(&im)->e_phentsize = 32;
	expect_fail(&im, "e_phentsize");
	build(&im);
	ehdr(&im)->e_phoff = IMG_SIZE - 8;
	expect_fail(&im, "program headers");
	build(&im);
	ehdr(&im)->e_phoff = UINT64_MAX - 8;	/* would wrap */
	expect_fail(&im, "program headers");
	build(&im);
	ehdr(&im)->e_phnum = 0xffff;
	expect_fail(&im, "extended");
	build(&im);
	ehdr(&im)->e_phnum = 250;		/* table runs past the file */
	expect_fail(&im, "program headers");
}

static void test_segments_outside_memory(void **state)
{
	struct image im;

	(void)state;
	build(&im);
	set_phdr(&im, 1, PT_LOAD, PF_R | PF_W, DATA_OFF, 0x80000, 0x80, 0x1000);
	expect_fail(&im, "segment 1 [0x80000, 0x81000) outside guest memory");
	build(&im);
	set_phdr(&im, 1, PT_LOAD, PF_R | PF_W, DATA_OFF, MEM_HI - 0x800, 0x80, 0x1000);
	expect_fail(&im, "outside guest memory");
	build(&im);
	set_phdr(&im, 1, PT_LOAD, PF_R | PF_W, DATA_OFF, UINT64_MAX - 0x10, 0x80, 0x1000);
	expect_fail(&im, "wraps");
	build(&im);
	phdr(&im, 1)->p_vaddr = 0xffffffff80101000ULL;
	expect_fail(&im, "identity-mapped");
}

static void test_overlap(void **state)
{
	struct image im;

	(void)state;
	build(&im);
	set_phdr(&im, 1, PT_LOAD, PF_R | PF_W, DATA_OFF, 0x1000f0, 0x80, 0x1000);
	expect_fail(&im, "segment 1 [0x1000f0, 0x1010f0) overlaps segment 0 [0x100000, 0x100100)");
	/* Enclosing. */
	build(&im);
	set_phdr(&im, 2, PT_LOAD, PF_R, 0, 0x100000, 0, 0x10000);
	expect_fail(&im, "segment 2");
	/* Touching is fine. */
	build(&im);
	set_phdr(&im, 1, PT_LOAD, PF_R | PF_W, DATA_OFF, 0x100100, 0x80, 0x1000);
	{
		struct elf_image img;
		char err[256];

		assert_int_equal(parse_len(&im, sizeof(im.b), &img, err, sizeof(err)), 0);
	}
}

static void test_segment_fields(void **state)
{
	struct image im;

	(void)state;
	build(&im);
	phdr(&im, 1)->p_filesz = 0x2000;
	expect_fail(&im, "filesz 0x2000 > memsz 0x1000");
	build(&im);
	phdr(&im, 1)->p_offset = IMG_SIZE + 1;
	expect_fail(&im, "segment 1 file range");
	build(&im);
	phdr(&im, 1)->p_offset = UINT64_MAX - 0x10;	/* offset + filesz wraps */
	expect_fail(&im, "past the end");
	build(&im);
	set_phdr(&im, 2, PT_INTERP, PF_R, 0, 0, 0, 0);
	expect_fail(&im, "dynamically linked");
}

static void test_entry(void **state)
{
	struct image im;

	(void)state;
	build(&im);
	ehdr(&im)->e_entry = 0x200000;
	expect_fail(&im, "entry 0x200000");
	build(&im);
	ehdr(&im)->e_entry = 0x101000;			/* data: not executable */
	expect_fail(&im, "entry");
	build(&im);
	phdr(&im, 0)->p_flags = PF_R;
	expect_fail(&im, "entry");
	build(&im);
	ehdr(&im)->e_entry = 0x100100;			/* one past the text */
	expect_fail(&im, "entry");
	/* In bss of an executable segment: no bytes there to run. */
	build(&im);
	phdr(&im, 0)->p_memsz = 0x800;
	ehdr(&im)->e_entry = 0x100200;
	expect_fail(&im, "entry");
}

static void test_no_load_and_too_many(void **state)
{
	struct image im;

	(void)state;
	build(&im);
	ehdr(&im)->e_phnum = 0;
	expect_fail(&im, "no PT_LOAD");
	build(&im);
	set_phdr(&im, 0, PT_NOTE, PF_R, 0, 0, 0, 0);
	set_phdr(&im, 1, PT_LOAD, PF_R, DATA_OFF, 0x101000, 0, 0);	/* empty: ignored */
	expect_fail(&im, "no PT_LOAD");

	build(&im);
	ehdr(&im)->e_phnum = ELF_MAX_SEGMENTS + 1;
	ehdr(&im)->e_entry = 0x100000;
	for (unsigned i = 0; i <= ELF_MAX_SEGMENTS; i++)
		set_phdr(&im, i, PT_LOAD, PF_R | PF_X, TEXT_OFF, 0x100000 + i * 0x1000ULL, 0x10,
			 0x10);
	expect_fail(&im, "more than 16");
	ehdr(&im)->e_phnum = ELF_MAX_SEGMENTS;
	{
		struct elf_image img;
		char err[256];

		assert_int_equal(parse_len(&im, sizeof(im.b), &img, err, sizeof(err)), 0);
		assert_int_equal(img.nseg, ELF_MAX_SEGMENTS);
		assert_int_equal(img.highest, 0x100000 + 15 * 0x1000 + 0x10);
	}
}

static void test_load(void **state)
{
	const uint64_t ram_size = MEM_HI;
	struct image im;
	struct elf_image img;
	unsigned char *ram = malloc(ram_size);
	char err[256];

	(void)state;
	assert_non_null(ram);
	build(&im);
	assert_int_equal(elf_parse(im.b, sizeof(im.b), MEM_LO, MEM_HI, &img, err, sizeof(err)), 0);
	memset(ram, 0xcc, ram_size);
	assert_int_equal(elf_load(im.b, sizeof(im.b), &img, ram, ram_size, err, sizeof(err)), 0);
	assert_memory_equal(ram + 0x100000, im.b + TEXT_OFF, 0x100);
	assert_memory_equal(ram + 0x101000, im.b + DATA_OFF, 0x80);
	for (size_t i = 0x101080; i < 0x102000; i++)
		assert_int_equal(ram[i], 0);
	/* Untouched around the segments. */
	assert_int_equal(ram[0xfffff], 0xcc);
	assert_int_equal(ram[0x100100], 0xcc);
	assert_int_equal(ram[0x102000], 0xcc);

	/* Re-checked bounds: RAM too small, or buffer shorter than the image says. */
	memset(ram, 0xcc, ram_size);
	assert_int_equal(elf_load(im.b, sizeof(im.b), &img, ram, 0x101800, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "outside guest RAM"));
	assert_int_equal(ram[0x100000], 0xcc);	/* nothing copied on failure */
	assert_int_equal(elf_load(im.b, DATA_OFF + 0x10, &img, ram, ram_size, err, sizeof(err)), -1);
	img.seg[1].gpa = UINT64_MAX - 0x10;
	assert_int_equal(elf_load(im.b, sizeof(im.b), &img, ram, ram_size, err, sizeof(err)), -1);
	free(ram);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_segments_outside_memory),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_segment_fields),
		cmocka_unit_test(test_entry),
		cmocka_unit_test(test_no_load_and_too_many),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
