// SPDX-License-Identifier: MIT
/*
 * Payload files: the ELF loader (vmm/elf.c) and the catalogue records the
 * CLI reads from the same image (vmm/catalogue.c).  The input is the file.
 * A parsed image is loaded into guest RAM of the size `exitlab run` gives a
 * payload by default, so a segment that passed the checks and then writes
 * outside RAM is caught by ASan.
 */
#include <stdint.h>
#include <stdlib.h>

#include "vmm/catalogue.h"
#include "vmm/elf.h"
#include "exitlab/boot_abi.h"

#define RAM_SIZE (4ULL << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct elf_image img;
	struct catalogue c;
	char err[256];

	if (!ram && !(ram = malloc(RAM_SIZE)))
		abort();
	if (elf_parse(data, size, BOOT_PAYLOAD_MIN, RAM_SIZE, &img, err, sizeof(err)) == 0)
		elf_load(data, size, &img, ram, RAM_SIZE, err, sizeof(err));
	if (catalogue_parse(data, size, &c, err, sizeof(err)) == 0) {
		/* what `exitlab run` and `exitlab list` do with the records */
		char *tests[] = { "cpuid", "empty/cpl3", "pio/cpl0", "cpuid/x" };

		catalogue_check_tests(&c, "fuzz", tests, 4, 0, err, sizeof(err));
		catalogue_check_tests(&c, "fuzz", tests + 1, 1, BOOT_RING0, err, sizeof(err));
		catalogue_check_params(&c, "fuzz", "iterations=1 ring=3", err, sizeof(err));
		for (size_t i = 0; i < c.ntests; i++)
			catalogue_test_find(&c, c.tests[i].name);
		catalogue_free(&c);
	}
	return 0;
}
