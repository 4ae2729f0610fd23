/* SPDX-License-Identifier: MIT */
/*
 * A Linux bzImage as the x86 boot protocol describes it (the kernel's
 * Documentation/x86/boot.rst): the real-mode setup (boot sector + setup_sects
 * sectors) holding the setup header at 0x1f1, then the protected-mode kernel.
 * Pure: parsing and planning work on a buffer and never trust it (every offset
 * and size is checked against the file and against guest RAM), so they are
 * unit-tested and fuzzed (fuzz/bzimage) without KVM.
 */
#ifndef EXITLAB_LINUX_BZIMAGE_H
#define EXITLAB_LINUX_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Offsets in the file and in boot_params (the zero page) alike. */
#define BZ_HDR_OFFSET          0x1f1   /* struct setup_header */
#define BZ_SETUP_SECTS         0x1f1
#define BZ_VID_MODE            0x1fa
#define BZ_BOOT_FLAG           0x1fe   /* 0xaa55 */
#define BZ_JUMP                0x200   /* its second byte: header end - 0x202 */
#define BZ_HEADER              0x202   /* "HdrS" */
#define BZ_VERSION             0x206
#define BZ_TYPE_OF_LOADER      0x210
#define BZ_LOADFLAGS           0x211
#define BZ_CODE32_START        0x214
#define BZ_RAMDISK_IMAGE       0x218
#define BZ_RAMDISK_SIZE        0x21c
#define BZ_HEAP_END_PTR        0x224
#define BZ_CMD_LINE_PTR        0x228
#define BZ_INITRD_ADDR_MAX     0x22c
#define BZ_KERNEL_ALIGNMENT    0x230
#define BZ_RELOCATABLE         0x234
#define BZ_XLOADFLAGS          0x236
#define BZ_CMDLINE_SIZE        0x238
#define BZ_PREF_ADDRESS        0x258
#define BZ_INIT_SIZE           0x260
#define BZ_HDR_END_MAX         0x280   /* protocol 2.15's header ends at 0x26c; some slack, never past */

#define BZ_MAGIC               0x53726448u /* "HdrS" little-endian */
#define BZ_MIN_VERSION         0x020a      /* 2.10: pref_address, init_size */
#define BZ_LOADED_HIGH         0x01
#define BZ_CAN_USE_HEAP        0x80
#define BZ_XLF_KERNEL_64       0x01
#define BZ_MAX_SETUP_SECTS     64          /* the real-mode part is at most 32 KiB */
#define BZ_LOW_LOAD            0x100000ULL /* 1 MiB: a kernel that is not relocatable */
#define BZ_ENTRY64_OFFSET      0x200       /* startup_64 from the protected-mode kernel's start */

struct bzimage {
	uint16_t version;         /* 0x020f is 2.15 */
	uint8_t loadflags;
	uint16_t xloadflags;
	size_t setup_size;        /* bytes of the real-mode part: (setup_sects or 4) + 1 sectors */
	size_t hdr_end;           /* the header's end in the file (0x202 + the jump's byte) */
	size_t kernel_off, kernel_len; /* the protected-mode kernel in the file */
	bool relocatable;
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;       /* bytes the kernel needs from its load address while it decompresses */
	uint32_t initrd_addr_max; /* highest address an initrd byte may have */
	uint32_t cmdline_size;    /* longest command line, NUL excluded */
};

/*
 * Read and check the setup header of buf[0..len): the boot flag, "HdrS",
 * version >= 2.10 (older ones are refused with their version named),
 * LOADED_HIGH, XLF_KERNEL_64 (exitlab enters at startup_64), setup_sects,
 * the kernel's extent inside the file. 0, or -1 with the reason in err.
 */
int bzimage_parse(const void *buf, size_t len, struct bzimage *k, char *err, size_t errlen);

/* Where a Linux guest's pieces go, decided from the kernel, the initrd and RAM. */
struct linux_plan {
	uint64_t load_addr;       /* the protected-mode kernel */
	uint64_t entry;           /* load_addr + BZ_ENTRY64_OFFSET */
	uint64_t initrd_addr;     /* 0 without an initrd */
	uint64_t initrd_size;
};

/*
 * Plan the load: the kernel at pref_address when relocatable (1 MiB when
 * not), needing max(init_size, its length) bytes of RAM below ram_end; the
 * initrd page-aligned as high as possible below ram_end and initrd_addr_max,
 * above the kernel's reach. 0, or -1 with err (kernel or initrd larger than
 * RAM allows, command line longer than cmdline_size).
 */
int linux_plan(const struct bzimage *k, uint64_t ram_end, uint64_t initrd_len, size_t cmdline_len,
	       struct linux_plan *p, char *err, size_t errlen);

#endif
