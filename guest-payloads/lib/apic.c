// SPDX-License-Identifier: MIT
/* The local APIC: x2APIC for the exit tests, x2APIC or xAPIC for device interrupts. */
#include "apic.h"
#include "desc.h"

#define APIC_BASE_EXTD (1ull << 10) /* x2APIC mode */
#define APIC_BASE_EN   (1ull << 11)
#define APIC_SVR_ENABLE 0x100

static int apic_mode = -1; /* -1 not enabled, 0 xAPIC, 1 x2APIC */
static int lvt_vector = -1; /* what the LVT timer holds for apic_timer_oneshot, -1 unknown */

int apic_init(const struct boot_info *bi)
{
	if (!(bi->flags & BOOT_F_X2APIC))
		return -1;
	return apic_set_mode(1);
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

int apic_set_mode(int x2apic)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	uint64_t want = APIC_BASE_EN | (x2apic ? APIC_BASE_EXTD : 0);

	if (x2apic && !(cpuid(1, 0).c & (1u << 21)))
		return -1;
	if (apic_mode == x2apic && (base & (APIC_BASE_EN | APIC_BASE_EXTD)) == want)
		return 0;
	/* x2APIC -> xAPIC is legal only through disabled, which resets the LVTs (masked). */
	if ((base & APIC_BASE_EXTD) && !x2apic)
		wrmsr(MSR_IA32_APIC_BASE, base & ~(APIC_BASE_EN | APIC_BASE_EXTD));
	if ((base & (APIC_BASE_EN | APIC_BASE_EXTD)) != want)
		wrmsr(MSR_IA32_APIC_BASE, (base & ~(APIC_BASE_EN | APIC_BASE_EXTD)) | want);
	apic_mode = x2apic;
	lvt_vector = -1;
	if (x2apic)
		wrmsr(MSR_X2APIC_SVR, APIC_SVR_ENABLE | VEC_SPURIOUS);
	else
		mmio_write32(APIC_XAPIC_GPA + XAPIC_SVR, APIC_SVR_ENABLE | VEC_SPURIOUS);
	return 0;
}

int apic_enable(void)
{
	if (apic_mode >= 0)
		return apic_mode;
	if (apic_set_mode(1))
		apic_set_mode(0);
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
	apic_enable();
	/* The LVT and the divider once (each write is an exit); then one write per arming. */
	if (lvt_vector != vector) {
		apic_write(XAPIC_TDCR, TDCR_DIV1);
		apic_write(XAPIC_LVT_TIMER, vector); /* one-shot, unmasked */
		lvt_vector = vector;
	}
	apic_write(XAPIC_TMICT, ns ? ns : 1);
}

#define XAPIC_ICR_LO     0x300
#define ICR_DEST_SELF    (1u << 18) /* destination shorthand 01: self */
#define LVT_TSC_DEADLINE (2u << 17) /* timer mode 10 */

void apic_self_ipi_any(uint8_t vector)
{
	if (apic_mode == 1)
		wrmsr(MSR_X2APIC_SELF_IPI, vector);
	else
		mmio_write32(APIC_XAPIC_GPA + XAPIC_ICR_LO, ICR_DEST_SELF | vector);
}

void apic_timer_deadline_mode(uint8_t vector)
{
	apic_enable();
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	apic_write(XAPIC_LVT_TIMER, LVT_TSC_DEADLINE | vector);
	lvt_vector = -1; /* the next apic_timer_oneshot reprograms the LVT */
}

void apic_timer_stop(void)
{
	if (apic_mode >= 0)
		apic_write(XAPIC_TMICT, 0);
}
