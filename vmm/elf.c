// SPDX-License-Identifier: MIT
/*
 * ELF64 payload loader (see elf.h). Every header field is checked before it
 * is used, with overflow-safe arithmetic, because a payload file is input
 * we do not control. Headers are memcpy'd out since buf may be unaligned.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vmm/elf.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* off + n <= len without overflow. */
static bool in_file(uint64_t off, uint64_t n, size_t len)
{
	return off <= len && n <= len - off;
}

static int check_ehdr(const Elf64_Ehdr *eh, size_t len, char *err, size_t errlen)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return fail(err, errlen, "ELF: bad magic (not an ELF file)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(err, errlen, "ELF: class %u, want ELFCLASS64", eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, "ELF: data encoding %u, want little-endian",
			    eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return fail(err, errlen, "ELF: version %u/%u, want %u", eh->e_ident[EI_VERSION],
			    eh->e_version, EV_CURRENT);
	if (eh->e_machine != EM_X86_64)
		return fail(err, errlen, "ELF: machine %u, want EM_X86_64 (%u)", eh->e_machine,
			    EM_X86_64);
	if (eh->e_type != ET_EXEC)
		return fail(err, errlen, "ELF: type %u, want ET_EXEC (a static, non-PIE executable)",
			    eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(err, errlen, "ELF: e_phentsize %u, want %zu", eh->e_phentsize,
			    sizeof(Elf64_Phdr));
	if (eh->e_phnum == PN_XNUM)
		return fail(err, errlen, "ELF: extended program header numbering not supported");
	if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), len))
		return fail(err, errlen,
			    "ELF: program headers [0x%llx, +%u * %zu) extend past the end of the file (%zu bytes)",
			    (unsigned long long)eh->e_phoff, eh->e_phnum, sizeof(Elf64_Phdr), len);
	return 0;
}

static int check_load(const Elf64_Phdr *ph, unsigned idx, size_t len, uint64_t mem_lo,
		      uint64_t mem_hi, char *err, size_t errlen)
{
	unsigned long long gpa = ph->p_paddr, memsz = ph->p_memsz;

	if (ph->p_filesz > ph->p_memsz)
		return fail(err, errlen, "ELF: segment %u filesz 0x%llx > memsz 0x%llx", idx,
			    (unsigned long long)ph->p_filesz, memsz);
	if (!in_file(ph->p_offset, ph->p_filesz, len))
		return fail(err, errlen,
			    "ELF: segment %u file range [0x%llx, +0x%llx) past the end of the file (%zu bytes)",
			    idx, (unsigned long long)ph->p_offset,
			    (unsigned long long)ph->p_filesz, len);
	/* The boot ABI identity-maps memory, so entry and addresses are physical. */
	if (ph->p_vaddr != ph->p_paddr)
		return fail(err, errlen,
			    "ELF: segment %u vaddr 0x%llx != paddr 0x%llx (payloads are identity-mapped)",
			    idx, (unsigned long long)ph->p_vaddr, gpa);
	if (memsz > UINT64_MAX - gpa)
		return fail(err, errlen, "ELF: segment %u at 0x%llx + 0x%llx wraps around", idx,
			    gpa, memsz);
	if (gpa < mem_lo || gpa + memsz > mem_hi)
		return fail(err, errlen,
			    "ELF: segment %u [0x%llx, 0x%llx) outside guest memory [0x%llx, 0x%llx)",
			    idx, gpa, gpa + memsz, (unsigned long long)mem_lo,
			    (unsigned long long)mem_hi);
	return 0;
}

int elf_parse(const void *buf, size_t len, uint64_t mem_lo, uint64_t mem_hi,
	      struct elf_image *img, char *err, size_t errlen)
{
	unsigned idx[ELF_MAX_SEGMENTS];	/* program header index of each seg */
	const unsigned char *p = buf;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	bool entry_ok = false;

	memset(img, 0, sizeof(*img));
	if (!buf || len < sizeof(eh))
		return fail(err, errlen, "ELF: file too small (%zu bytes) for an ELF header", len);
	memcpy(&eh, p, sizeof(eh));
	if (check_ehdr(&eh, len, err, errlen))
		return -1;

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf_segment *s;

		memcpy(&ph, p + eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC)
			return fail(err, errlen, "ELF: dynamically linked (program header %u)", i);
		if (ph.p_type != PT_LOAD)
			continue;
		if (check_load(&ph, i, len, mem_lo, mem_hi, err, errlen))
			return -1;
		if (ph.p_memsz == 0)	/* occupies nothing; harmless */
			continue;
		if (img->nseg == ELF_MAX_SEGMENTS)
			return fail(err, errlen, "ELF: more than %d PT_LOAD segments",
				    ELF_MAX_SEGMENTS);
		for (size_t j = 0; j < img->nseg; j++) {
			const struct elf_segment *o = &img->seg[j];

			if (ph.p_paddr < o->gpa + o->memsz && o->gpa < ph.p_paddr + ph.p_memsz)
				return fail(err, errlen,
					    "ELF: segment %u [0x%llx, 0x%llx) overlaps segment %u [0x%llx, 0x%llx)",
					    i, (unsigned long long)ph.p_paddr,
					    (unsigned long long)(ph.p_paddr + ph.p_memsz), idx[j],
					    (unsigned long long)o->gpa,
					    (unsigned long long)(o->gpa + o->memsz));
		}
		idx[img->nseg] = i;
		s = &img->seg[img->nseg++];
		*s = (struct elf_segment){
			.gpa = ph.p_paddr, .offset = ph.p_offset, .filesz = ph.p_filesz,
			.memsz = ph.p_memsz, .flags = ph.p_flags,
		};
		/* Entry must point at loaded code, not bss. */
		if ((s->flags & PF_X) && eh.e_entry >= s->gpa && eh.e_entry - s->gpa < s->filesz)
			entry_ok = true;
	}
	if (img->nseg == 0)
		return fail(err, errlen, "ELF: no PT_LOAD segment");
	if (!entry_ok)
		return fail(err, errlen,
			    "ELF: entry 0x%llx is not inside the file-backed part of an executable segment",
			    (unsigned long long)eh.e_entry);

	img->entry = eh.e_entry;
	img->lowest = UINT64_MAX;
	for (size_t j = 0; j < img->nseg; j++) {
		if (img->seg[j].gpa < img->lowest)
			img->lowest = img->seg[j].gpa;
		if (img->seg[j].gpa + img->seg[j].memsz > img->highest)
			img->highest = img->seg[j].gpa + img->seg[j].memsz;
	}
	return 0;
}

int elf_load(const void *buf, size_t len, const struct elf_image *img, void *ram,
	     uint64_t ram_size, char *err, size_t errlen)
{
	const unsigned char *src = buf;
	unsigned char *dst = ram;

	if (!buf || !img || !ram || img->nseg > ELF_MAX_SEGMENTS)
		return fail(err, errlen, "ELF: bad load arguments");
	/* Check everything first so a failure leaves guest RAM untouched. */
	for (size_t i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];

		if (s->filesz > s->memsz || !in_file(s->offset, s->filesz, len))
			return fail(err, errlen, "ELF: segment %zu does not fit the file", i);
		if (s->gpa > ram_size || s->memsz > ram_size - s->gpa)
			return fail(err, errlen,
				    "ELF: segment %zu [0x%llx, +0x%llx) outside guest RAM (0x%llx bytes)",
				    i, (unsigned long long)s->gpa, (unsigned long long)s->memsz,
				    (unsigned long long)ram_size);
	}
	for (size_t i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];

		memcpy(dst + s->gpa, src + s->offset, s->filesz);
		memset(dst + s->gpa + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

int elf_find_section(const void *buf, size_t len, const char *name, uint64_t *off, uint64_t *size,
		     char *err, size_t errlen)
{
	const unsigned char *p = buf;
	Elf64_Ehdr eh;
	Elf64_Shdr sh, strtab;
	size_t nlen = strlen(name);

	if (!buf || len < sizeof(eh))
		return fail(err, errlen, "ELF: file too small (%zu bytes) for an ELF header", len);
	memcpy(&eh, p, sizeof(eh));
	if (check_ehdr(&eh, len, err, errlen))
		return -1;
	if (eh.e_shnum == 0)
		return 1;
	if (eh.e_shentsize != sizeof(Elf64_Shdr))
		return fail(err, errlen, "ELF: e_shentsize %u, want %zu", eh.e_shentsize, sizeof(Elf64_Shdr));
	if (!in_file(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr), len))
		return fail(err, errlen, "ELF: section headers [0x%llx, +%u * %zu) extend past the end of the file (%zu bytes)",
			    (unsigned long long)eh.e_shoff, eh.e_shnum, sizeof(Elf64_Shdr), len);
	if (eh.e_shstrndx == SHN_UNDEF || eh.e_shstrndx >= eh.e_shnum)
		return fail(err, errlen, "ELF: section name table index %u out of %u sections",
			    eh.e_shstrndx, eh.e_shnum);
	memcpy(&strtab, p + eh.e_shoff + (size_t)eh.e_shstrndx * sizeof(sh), sizeof(strtab));
	if (!in_file(strtab.sh_offset, strtab.sh_size, len))
		return fail(err, errlen, "ELF: section name table past the end of the file");
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		memcpy(&sh, p + eh.e_shoff + (size_t)i * sizeof(sh), sizeof(sh));
		/* The name and its NUL must lie inside the name table. */
		if (sh.sh_name >= strtab.sh_size || strtab.sh_size - sh.sh_name <= nlen ||
		    memcmp(p + strtab.sh_offset + sh.sh_name, name, nlen + 1))
			continue;
		if (sh.sh_type == SHT_NOBITS || !in_file(sh.sh_offset, sh.sh_size, len))
			return fail(err, errlen, "ELF: section %s [0x%llx, +0x%llx) is not in the file (%zu bytes)",
				    name, (unsigned long long)sh.sh_offset, (unsigned long long)sh.sh_size, len);
		*off = sh.sh_offset;
		*size = sh.sh_size;
		return 0;
	}
	return 1;
}
