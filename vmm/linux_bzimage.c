/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "vmm/linux_bzimage.h"

static uint32_t rd(const uint8_t *b, size_t off, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)b[off + i] << (8 * i);
	return v;
}

int bzimage_parse(const void *buf, size_t len, struct bzimage *k, char *err, size_t errlen)
{
	const uint8_t *b = buf;
	unsigned sects;

	memset(k, 0, sizeof(*k));
	if (len < BZ_HDR_END_MAX) {
		snprintf(err, errlen, "not a bzImage: %zu bytes, shorter than a setup header", len);
		return -1;
	}
	if (rd(b, BZ_HEADER, 4) != BZ_MAGIC) {
		snprintf(err, errlen, "not a bzImage: no \"HdrS\" at 0x%x", BZ_HEADER);
		return -1;
	}
	if (rd(b, BZ_BOOT_FLAG, 2) != 0xaa55) {
		snprintf(err, errlen, "not a bzImage: boot flag 0x%04x, not 0xaa55", rd(b, BZ_BOOT_FLAG, 2));
		return -1;
	}
	k->version = (uint16_t)rd(b, BZ_VERSION, 2);
	if (k->version < BZ_MIN_VERSION) {
		snprintf(err, errlen, "boot protocol %u.%02u: exitlab needs 2.10 or later (a kernel from 2.6.31 on)",
			 k->version >> 8, k->version & 0xff);
		return -1;
	}
	k->hdr_end = 0x202 + b[BZ_JUMP + 1];
	if (k->hdr_end > BZ_HDR_END_MAX)
		k->hdr_end = BZ_HDR_END_MAX;
	k->loadflags = b[BZ_LOADFLAGS];
	if (!(k->loadflags & BZ_LOADED_HIGH)) {
		snprintf(err, errlen, "a zImage (loadflags 0x%02x lack LOADED_HIGH): only bzImages load at 1 MiB",
			 k->loadflags);
		return -1;
	}
	k->xloadflags = (uint16_t)rd(b, BZ_XLOADFLAGS, 2);
	if (!(k->xloadflags & BZ_XLF_KERNEL_64)) {
		snprintf(err, errlen, "xloadflags 0x%04x lack XLF_KERNEL_64: not a 64-bit kernel with the 64-bit "
			 "entry exitlab uses", k->xloadflags);
		return -1;
	}
	sects = b[BZ_SETUP_SECTS];
	if (sects == 0)
		sects = 4;
	if (sects > BZ_MAX_SETUP_SECTS) {
		snprintf(err, errlen, "setup_sects %u: more than %u sectors of real-mode setup", sects,
			 BZ_MAX_SETUP_SECTS);
		return -1;
	}
	k->setup_size = (size_t)(sects + 1) * 512;
	if (k->setup_size < k->hdr_end)
		k->setup_size = k->hdr_end; /* cannot be with sects >= 1, but never let the header outrun it */
	if (len <= k->setup_size + BZ_ENTRY64_OFFSET) {
		snprintf(err, errlen, "truncated bzImage: %zu bytes, its setup alone takes %zu and the kernel "
			 "after it is missing", len, k->setup_size);
		return -1;
	}
	k->kernel_off = k->setup_size;
	k->kernel_len = len - k->setup_size;
	/* syssize counts 16-byte paragraphs of the protected-mode kernel: a shorter file lost its end. */
	{
		uint64_t sys = (uint64_t)rd(b, 0x1f4, 4) * 16;

		if (sys > k->kernel_len) {
			snprintf(err, errlen, "truncated bzImage: its header says %llu bytes of kernel after the "
				 "setup, the file has %zu", (unsigned long long)sys, k->kernel_len);
			return -1;
		}
	}
	k->relocatable = b[BZ_RELOCATABLE] != 0;
	k->kernel_alignment = rd(b, BZ_KERNEL_ALIGNMENT, 4);
	k->pref_address = (uint64_t)rd(b, BZ_PREF_ADDRESS, 4) | (uint64_t)rd(b, BZ_PREF_ADDRESS + 4, 4) << 32;
	k->init_size = rd(b, BZ_INIT_SIZE, 4);
	k->initrd_addr_max = rd(b, BZ_INITRD_ADDR_MAX, 4);
	k->cmdline_size = k->version >= 0x0206 ? rd(b, BZ_CMDLINE_SIZE, 4) : 255;
	if (k->relocatable && k->kernel_alignment && (k->kernel_alignment & (k->kernel_alignment - 1))) {
		snprintf(err, errlen, "kernel_alignment 0x%x is not a power of two", k->kernel_alignment);
		return -1;
	}
	return 0;
}

int linux_plan(const struct bzimage *k, uint64_t ram_end, uint64_t initrd_len, size_t cmdline_len,
	       struct linux_plan *p, char *err, size_t errlen)
{
	uint64_t need = k->init_size > k->kernel_len ? k->init_size : k->kernel_len;
	uint64_t top;

	memset(p, 0, sizeof(*p));
	if (cmdline_len > k->cmdline_size) {
		snprintf(err, errlen, "the command line has %zu bytes, this kernel takes at most %u", cmdline_len,
			 k->cmdline_size);
		return -1;
	}
	p->load_addr = BZ_LOW_LOAD;
	if (k->relocatable && k->pref_address >= BZ_LOW_LOAD && k->pref_address < ram_end)
		p->load_addr = k->pref_address;
	if (p->load_addr >= ram_end || need > ram_end - p->load_addr) {
		snprintf(err, errlen, "the kernel needs %llu MiB of RAM from 0x%llx (init_size %u), guest RAM for "
			 "it ends at %llu MiB: raise --mem", (unsigned long long)(need >> 20),
			 (unsigned long long)p->load_addr, k->init_size, (unsigned long long)(ram_end >> 20));
		return -1;
	}
	p->entry = p->load_addr + BZ_ENTRY64_OFFSET;
	if (!initrd_len)
		return 0;
	top = ram_end;
	if (k->initrd_addr_max && (uint64_t)k->initrd_addr_max + 1 < top)
		top = (uint64_t)k->initrd_addr_max + 1;
	if (initrd_len > 0xffffffffULL || initrd_len > top || ((top - initrd_len) & ~0xfffULL) <
	    p->load_addr + need) {
		snprintf(err, errlen, "an initrd of %llu bytes does not fit between the kernel (up to 0x%llx) and "
			 "0x%llx: raise --mem or shrink it", (unsigned long long)initrd_len,
			 (unsigned long long)(p->load_addr + need), (unsigned long long)top);
		return -1;
	}
	p->initrd_addr = (top - initrd_len) & ~0xfffULL;
	p->initrd_size = initrd_len;
	return 0;
}
