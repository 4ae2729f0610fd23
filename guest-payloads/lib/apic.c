// SPDX-License-Identifier: MIT
/* The local APIC: x2APIC for the exit tests, x2APIC or xAPIC for device interrupts. */
#include "apic.h"
#include "desc.h"

#define APIC_BASE_EXTD (1ull << 10) /* x2APIC mode */
#define APIC_BASE_EN   (1ull << 11)
#define APIC_SVR_ENABLE 0x100

int apic_init(const struct boot_info *bi)
{
	static int done;
	uint64_t base;

	if (!(bi->flags & BOOT_F_X2APIC))
		return -1;
	if (done)
		return 0;
	base = rdmsr(MSR_IA32_APIC_BASE);
	if ((base & (APIC_BASE_EN | APIC_BASE_EXTD)) != (APIC_BASE_EN | APIC_BASE_EXTD))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
	wrmsr(MSR_X2APIC_SVR, APIC_SVR_ENABLE | VEC_SPURIOUS);
	done = 1;
	return 0;
}

#define XAPIC_ID  0x20
#define XAPIC_EOI 0xb0
#define XAPIC_SVR 0xf0
#define MSR_X2APIC_APICID 0x802
/* The timer: LVT, initial count, divide configuration; x2APIC MSR = 0x800 + xAPIC offset / 16. */
#define XAPIC_LVT_TIMER 0x320
#define XAPIC_TMICT     0x380
#define XAPIC_TDCR      0x3e0
#define TDCR_DIV1       0xb

static int apic_mode = -1; /* -1 not enabled, 0 xAPIC, 1 x2APIC */

int apic_enable(void)
{
	uint64_t base;

	if (apic_mode >= 0)
		return apic_mode;
	base = rdmsr(MSR_IA32_APIC_BASE);
	if (cpuid(1, 0).c & (1u << 21)) {
		if ((base & (APIC_BASE_EN | APIC_BASE_EXTD)) != (APIC_BASE_EN | APIC_BASE_EXTD))
			wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
		wrmsr(MSR_X2APIC_SVR, APIC_SVR_ENABLE | VEC_SPURIOUS);
		apic_mode = 1;
	} else {
		if (!(base & APIC_BASE_EN))
			wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN);
		mmio_write32(APIC_XAPIC_GPA + XAPIC_SVR, APIC_SVR_ENABLE | VEC_SPURIOUS);
		apic_mode = 0;
	}
	return apic_mode;
}

uint32_t apic_id(void)
{
	if (apic_enable())
		return (uint32_t)rdmsr(MSR_X2APIC_APICID);
	return mmio_read32(APIC_XAPIC_GPA + XAPIC_ID) >> 24;
}

void apic_eoi_any(void)
{
	if (apic_mode == 1)
		wrmsr(MSR_X2APIC_EOI, 0);
	else
		mmio_write32(APIC_XAPIC_GPA + XAPIC_EOI, 0);
}

static void apic_write(unsigned off, uint32_t v)
{
	if (apic_mode == 1)
		wrmsr(0x800 + off / 16, v);
	else
		mmio_write32(APIC_XAPIC_GPA + off, v);
}

void apic_timer_oneshot(uint8_t vector, uint32_t ns)
{
	static int lvt_vector = -1;

	apic_enable();
	/* The LVT and the divider once (each write is an exit); then one write per arming. */
	if (lvt_vector != vector) {
		apic_write(XAPIC_TDCR, TDCR_DIV1);
		apic_write(XAPIC_LVT_TIMER, vector); /* one-shot, unmasked */
		lvt_vector = vector;
	}
	apic_write(XAPIC_TMICT, ns ? ns : 1);
}

void apic_timer_stop(void)
{
	if (apic_mode >= 0)
		apic_write(XAPIC_TMICT, 0);
}
