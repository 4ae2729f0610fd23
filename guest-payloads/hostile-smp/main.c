// SPDX-License-Identifier: MIT
/*
 * hostile-smp: a guest that misuses its APs and its local APIC (run it with
 * --vcpus 2). "ap_stray" starts an AP on a page that spins forever in real
 * mode and never checks in: the VMM must still end the run when the boot
 * CPU does. "ipi_storm" floods an AP with IPIs without waiting for one:
 * contained, the run ends normally. "icr_reserved" writes ICR values no
 * hardware defines (a reserved delivery mode, ExtINT, vector 0, an APIC ID
 * nobody has; not SMI, which would run the AP in SMM over our RAM); the AP
 * must still answer afterwards. "icr_init_bsp" has the AP send INIT to the
 * boot CPU, which KVM resets into real mode at the reset vector, where
 * there is no memory: the VMM must stop the run with a diagnostic naming
 * the vCPU, not hang (it runs last; nothing follows).
 */
#include "apic.h"
#include "format.h"
#include "guest_bench.h"
#include "guest_catalogue.h"
#include "runtime.h"
#include "smp.h"
#include "timing.h"
#include "x86.h"

#define STRAY_GPA   0x6000ull  /* below the trampoline's page, free low RAM (boot_abi.h) */
#define STORM_IPIS  100000ull /* each an exit: ~5 s in the nested testbed */

PAYLOAD_INFO("hostile-smp", "a guest that misuses its APs and local APIC: the VMM must contain it (--vcpus 2)");
TEST("ap_stray", R0, "an AP started on a page that spins forever, never checking in; the run still ends");
TEST("ipi_storm", R0, "100000 IPIs to one AP, none waited for; contained");
TEST("icr_reserved", R0, "ICR values no hardware defines, an absent APIC ID; the AP still answers");
TEST("icr_init_bsp", R0, "the AP sends INIT to the boot CPU: reset into no memory; the VMM stops with a diagnostic");

static const char *why_not(const struct boot_info *bi)
{
	if (bi->nvcpus < 2)
		return "needs --vcpus 2 or more";
	if (!(bi->flags & BOOT_F_X2APIC))
		return "needs the in-kernel local APIC";
	return NULL;
}

/* 1 if the test should run (the VMM did not say skip, and it can run here). */
static int begin(const struct boot_info *bi, const char *name)
{
	const char *why;

	if (!bench_test_begin(name, 0, 0))
		return 0;
	why = why_not(bi);
	if (why) {
		bench_test_end(BENCH_STATUS_SKIPPED, why);
		return 0;
	}
	return 1;
}

static void ap_stray(const struct boot_info *bi)
{
	volatile uint8_t *page = (volatile uint8_t *)STRAY_GPA;
	uint64_t t0;
	char m[64];

	if (!begin(bi, "ap_stray"))
		return;
	smp_apic_init();
	page[0] = 0xeb; /* jmp $ */
	page[1] = 0xfe;
	smp_icr_write(1, 0x4500);
	smp_icr_write(1, 0x4600 | (uint32_t)(STRAY_GPA >> 12));
	t0 = rdtsc();
	while (rdtsc() - t0 < (bi->tsc_khz ? bi->tsc_khz : 3000000) * 100)
		;
	format_snprintf(m, sizeof(m), "stray_aps=1");
	bench_test_end_kv(BENCH_STATUS_OK, "", m);
}

static void count_me(void *arg)
{
	__atomic_add_fetch((volatile uint64_t *)arg, 1, __ATOMIC_RELEASE);
}

static void ipi_storm(const struct boot_info *bi)
{
	volatile uint64_t ran = 0;
	char m[96];

	if (!begin(bi, "ipi_storm"))
		return;
	if (smp_boot(bi) < 2) {
		bench_test_end(BENCH_STATUS_FAILED, "the AP did not check in");
		return;
	}
	for (uint64_t i = 0; i < STORM_IPIS; i++)
		smp_send_ipi(1, VEC_SMP_IPI);
	/* Many coalesce in the IRR (one pending per vector): the AP must still run work after. */
	on_cpu(1, count_me, (void *)&ran);
	format_snprintf(m, sizeof(m), "sent=%lu taken=%lu ap_ran=%lu", (unsigned long)STORM_IPIS, smp_cpus[1].ipis, ran);
	bench_test_end_kv(ran == 1 ? BENCH_STATUS_OK : BENCH_STATUS_FAILED, ran == 1 ? "" : "the AP did not run", m);
}

static void icr_reserved(const struct boot_info *bi)
{
	static const uint32_t bad[] = {
		0x0300 | 0x61,	/* delivery mode 011: reserved */
		0x0700 | 0x61,	/* ExtINT to a CPU that has no 8259 behind it */
		0x0000,		/* fixed, vector 0: an illegal vector */
	};
	volatile uint64_t ran = 0;
	char m[64];

	if (!begin(bi, "icr_reserved"))
		return;
	if (smp_boot(bi) < 2) {
		bench_test_end(BENCH_STATUS_FAILED, "the AP did not check in");
		return;
	}
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		smp_icr_write(smp_cpus[1].apic_id, bad[i]);
	smp_icr_write(200, 0x61); /* nobody has APIC ID 200 */
	on_cpu(1, count_me, (void *)&ran);
	format_snprintf(m, sizeof(m), "ap_ran=%lu", ran);
	bench_test_end_kv(ran == 1 ? BENCH_STATUS_OK : BENCH_STATUS_FAILED, ran == 1 ? "" : "the AP did not run", m);
}

/* On the AP: INIT to the boot CPU (APIC ID of CPU 0, no shorthand). */
static void init_bsp(void *arg)
{
	(void)arg;
	smp_icr_write(smp_cpus[0].apic_id, 0x4500);
}

static void icr_init_bsp(const struct boot_info *bi)
{
	if (!begin(bi, "icr_init_bsp"))
		return;
	if (smp_boot(bi) < 2) {
		bench_test_end(BENCH_STATUS_FAILED, "the AP did not check in");
		return;
	}
	on_cpu(1, init_bsp, 0);
	/* Only if KVM ignored it: the reset would have taken us before this. */
	bench_test_end(BENCH_STATUS_FAILED, "INIT from the AP did not reset the boot CPU");
}

int payload_main(const struct boot_info *bi)
{
	bench_hello("hostile-smp");
	ap_stray(bi);
	ipi_storm(bi);
	icr_reserved(bi);
	icr_init_bsp(bi);
	return 0;
}
