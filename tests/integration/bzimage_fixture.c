/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/integration/bzimage_fixture.h"
#include "vmm/linux_bzimage.h"

int bzimage_write(const char *path, size_t len, uint16_t version, uint32_t init_size, const uint8_t *code,
		  size_t codelen)
{
	static uint8_t b[BZF_FILE_LEN];
	size_t entry = (BZF_SETUP_SECTS + 1) * 512 + BZ_ENTRY64_OFFSET;
	FILE *f;
	int r;

	if (len > sizeof(b) || codelen > sizeof(b) - entry) {
		errno = EINVAL;
		return -1;
	}
	memset(b, 0, sizeof(b));
	b[BZ_SETUP_SECTS] = BZF_SETUP_SECTS;
	b[0x1f4] = (uint8_t)(BZF_KERNEL_LEN / 16); /* syssize, in 16-byte units */
	b[0x1f5] = (uint8_t)(BZF_KERNEL_LEN / 16 >> 8);
	b[BZ_BOOT_FLAG] = 0x55;
	b[BZ_BOOT_FLAG + 1] = 0xaa;
	b[BZ_JUMP + 1] = 0x6a;
	memcpy(b + BZ_HEADER, "HdrS", 4);
	b[BZ_VERSION] = (uint8_t)version;
	b[BZ_VERSION + 1] = (uint8_t)(version >> 8);
	b[BZ_LOADFLAGS] = BZ_LOADED_HIGH;
	b[BZ_KERNEL_ALIGNMENT + 2] = 0x20;      /* 2 MiB */
	b[BZ_RELOCATABLE] = 1;
	b[BZ_XLOADFLAGS] = BZ_XLF_KERNEL_64;
	b[BZ_CMDLINE_SIZE] = 0xff;
	b[BZ_CMDLINE_SIZE + 1] = 0x07;
	b[BZ_PREF_ADDRESS + 3] = 0x01;          /* 16 MiB */
	memcpy(b + BZ_INIT_SIZE, &init_size, 4);
	b[BZ_INITRD_ADDR_MAX + 3] = 0x7f;
	if (codelen)
		memcpy(b + entry, code, codelen);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	r = fwrite(b, 1, len, f) == len ? 0 : -1;
	if (fclose(f))
		r = -1;
	return r;
}
