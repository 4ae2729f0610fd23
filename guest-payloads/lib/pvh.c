// SPDX-License-Identifier: MIT
/*
 * The boot_info a PVH-booted payload writes for itself: what exitlab's VMM
 * would have told it (vmm/machine.c), found out from the start info and
 * CPUID instead.  There is no bench device: bench_port = 0 and
 * BOOT_F_NO_VMM, so lib/bench.c reports on the serial port, unless exitlab
 * itself runs the other VMM ("bench=com2" below).  Test targets are a
 * pci-testdev's (lib/testdev.h) where the VMM has one.  The kernel command
 * line (QEMU's -append) is the --param text.
 */
#include "pvh.h"
#include "runtime.h"
#include "string.h"
#include "testdev.h"
#include "x86.h"

_Static_assert(PVH_PGTABLE_GPA == BOOT_PGTABLE_GPA && PVH_PGTABLE_SIZE == BOOT_PGTABLE_SIZE &&
	       PVH_STACK_TOP == BOOT_STACK_TOP && PVH_SEL_KCODE == SEL_KCODE && PVH_SEL_KDATA == SEL_KDATA,
	       "pvh.h disagrees with boot_abi.h");

#define GOAL_CYCLES_UNKNOWN_KHZ 20000000ull /* time goal when the TSC rate is unknown */
#define QUICK_GOAL_MS 10
#define BENCH_COM2_PORT 0x2f8

static uint64_t cpuid_tsc_khz(void)
{
	struct cpuid_regs r = cpuid(0, 0), h;

	if (r.a >= 0x15) {
		struct cpuid_regs t = cpuid(0x15, 0);

		if (t.a && t.b && t.c)
			return (uint64_t)t.c * t.b / t.a / 1000;
	}
	if (r.a >= 0x16) {
		struct cpuid_regs t = cpuid(0x16, 0);

		if (t.a & 0xffff)
			return (uint64_t)(t.a & 0xffff) * 1000;
	}
	h = cpuid(0x40000000, 0);
	if (h.a >= 0x40000010 && h.a < 0x40010000) {
		struct cpuid_regs t = cpuid(0x40000010, 0);

		if (t.a)
			return t.a;
	}
	return 0;
}

static void pvh_memmap(const struct pvh_start_info *si, struct boot_info *bi)
{
	const struct pvh_memmap_entry *e = (const void *)si->memmap_paddr;

	if (si->version < 1 || !si->memmap_paddr || si->memmap_paddr >= BOOT_IDENTITY_LIMIT)
		return;
	for (uint32_t i = 0; i < si->memmap_entries && i < 128; i++) {
		uint64_t end = e[i].addr + e[i].size;

		if (e[i].type != PVH_MEMMAP_RAM || end < e[i].addr)
			continue;
		if (e[i].addr <= BOOT_PAYLOAD_MIN && end > BOOT_PAYLOAD_MIN)
			bi->mem_size = end < BOOT_RAM_MAX ? end : BOOT_RAM_MAX;
		else if (e[i].addr >= BOOT_HIGH_MEM_GPA && !bi->high_mem_size) {
			bi->high_mem_start = e[i].addr;
			bi->high_mem_size = e[i].size;
		}
	}
}

static void pvh_cmdline(const struct pvh_start_info *si, struct boot_info *bi, char *text)
{
	const char *s = (const char *)si->cmdline_paddr;
	uint32_t n = 0;

	if (!si->cmdline_paddr || si->cmdline_paddr >= BOOT_IDENTITY_LIMIT)
		return;
	while (s[n] && n < BOOT_PARAMS_MAX - 1) {
		text[n] = s[n];
		n++;
	}
	text[n] = 0;
	if (n) {
		bi->params_gpa = BOOT_PARAMS_GPA;
		bi->params_len = n;
	}
}

/*
 * Everything is gathered on the stack first and written to BOOT_INFO_GPA last:
 * the loader may have put the start info, memory map or command line anywhere
 * (QEMU's are in page 0, which pvh.S left mapped for this).
 */
/* 1 if the command line holds the word `w` (a whole space-separated token). */
static int has_word(const char *text, uint32_t n, const char *w)
{
	size_t wl = strlen(w);

	for (uint32_t i = 0; i + wl <= n; i++)
		if ((i == 0 || text[i - 1] == ' ') && !memcmp(text + i, w, wl) &&
		    (i + wl == n || text[i + wl] == ' '))
			return 1;
	return 0;
}

/* The decimal value of the word `key=N` on the command line: 0 if found, -1 if not. */
static int word_u64(const char *text, uint32_t n, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);

	for (uint32_t i = 0; i + kl + 1 < n; i++) {
		uint64_t v = 0;
		uint32_t j = i + kl + 1;

		if ((i && text[i - 1] != ' ') || memcmp(text + i, key, kl) || text[i + kl] != '=')
			continue;
		if (j >= n || text[j] < '0' || text[j] > '9')
			return -1;
		for (; j < n && text[j] >= '0' && text[j] <= '9'; j++)
			v = v * 10 + (uint64_t)(text[j] - '0');
		*out = v;
		return 0;
	}
	return -1;
}

/*
 * What only the host knows, said on the command line by whoever starts the
 * other VMM (tests/integration/qemu_harness.c, run/vmm_qemu.c): "pvm=1"
 * (KVM is PVM: CPL0 is emulated, vmcall at CPL0 hangs), "ring=0" or "ring=3"
 * (default both); and from exitlab run --vmm: "bench=com2" (the bench
 * protocol polled over COM2 and shared guest RAM, BOOT_F_BENCH_POLL),
 * "tsc_khz=N", "goal_ms=N" (time goal per test; default quick),
 * "iterations=N", "pio_port=N" (a port the VMM handles in userspace).
 */
static void pvh_host_words(struct boot_info *bi, const char *text)
{
	uint64_t v;

	if (has_word(text, bi->params_len, "pvm=1"))
		bi->flags |= BOOT_F_PVM;
	if (has_word(text, bi->params_len, "ring=0"))
		bi->ring_mask = BOOT_RING0;
	else if (has_word(text, bi->params_len, "ring=3"))
		bi->ring_mask = BOOT_RING3;
	if (has_word(text, bi->params_len, "bench=com2")) {
		bi->bench_port = BENCH_COM2_PORT;
		bi->flags |= BOOT_F_BENCH_POLL;
	}
	if (!word_u64(text, bi->params_len, "tsc_khz", &v))
		bi->tsc_khz = v;
	if (!word_u64(text, bi->params_len, "goal_ms", &v) && v) {
		bi->flags &= ~BOOT_F_QUICK;
		bi->time_goal_cycles = v; /* ms for now: pvh_boot_info scales it */
	}
	if (!word_u64(text, bi->params_len, "iterations", &v))
		bi->iterations = v;
	if (!word_u64(text, bi->params_len, "pio_port", &v) && v && v < 0x10000)
		bi->test_pio_port = (uint16_t)v;
}

struct boot_info *pvh_boot_info(uint32_t si_gpa)
{
	const struct pvh_start_info *si = (const void *)(uint64_t)si_gpa;
	struct boot_info b, *bi = &b;
	struct cpuid_regs v = cpuid(0, 0), f = cpuid(1, 0);
	char text[BOOT_PARAMS_MAX];

	/* The firmware left the 8259s live (timer on IRQ0 = vector 8): mask them all. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);

	memset(bi, 0, sizeof(*bi));
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->free_start = ((uint64_t)__image_end + 0xfff) & ~0xfffull;
	bi->mailbox_gpa = BOOT_MAILBOX_GPA;
	bi->host_page_size = 4096;
	bi->ring_mask = BOOT_RING0 | BOOT_RING3;
	bi->flags = BOOT_F_NO_VMM | BOOT_F_QUICK;
	if (f.c & (1u << 21))
		bi->flags |= BOOT_F_X2APIC;
	if (v.b == 0x68747541) /* "Auth"enticAMD */
		bi->flags |= BOOT_F_VENDOR_AMD;
	if (si && si->magic == PVH_START_MAGIC) {
		pvh_memmap(si, bi);
		pvh_cmdline(si, bi, text);
		pvh_host_words(bi, text);
	}
	bi->free_end = bi->mem_size > bi->free_start ? bi->mem_size : bi->free_start;
	if (!bi->tsc_khz)
		bi->tsc_khz = cpuid_tsc_khz();
	{
		uint64_t ms = bi->time_goal_cycles ? bi->time_goal_cycles : QUICK_GOAL_MS;

		bi->time_goal_cycles = bi->tsc_khz ? bi->tsc_khz * ms : GOAL_CYCLES_UNKNOWN_KHZ;
	}
	/* The peer's own test device, if it has one, takes the place of our test registers. */
	testdev_probe(bi);
	if (bi->params_len)
		memcpy((void *)BOOT_PARAMS_GPA, text, bi->params_len + 1);
	/* All read: page 0 goes, as under exitlab's VMM. */
	*(volatile uint64_t *)(BOOT_PGTABLE_GPA + 0x6000) = 0;
	asm volatile("invlpg (%0)" : : "r"(0ul) : "memory");
	return memcpy((void *)BOOT_INFO_GPA, bi, sizeof(*bi));
}
