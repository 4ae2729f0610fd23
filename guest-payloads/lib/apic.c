// SPDX-License-Identifier: MIT
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
