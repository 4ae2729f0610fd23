// SPDX-License-Identifier: MIT
/*
 * exit-costs: the round-trip cost of each kind of VM exit, seen from the
 * guest, beside the in-guest system call.  The catalogue follows the classic
 * kvm-unit-tests x86/vmexit.c list; the harness (lib/measure.h) adds fenced
 * TSC samples, warm-up, loop-overhead subtraction and ring 3.
 */
#include "apic.h"
#include "guest_bench.h"
#include "desc.h"
#include "exceptions.h"
#include "exit_tests.h"
#include "format.h"
#include "measure.h"
#include "runtime.h"
#include "smp_tests.h"
#include "testdev.h"
#include "x86.h"

#define HC_UNKNOWN      0xffff   /* a hypercall number KVM does not know */
#define KVM_ENOSYS      1000
#define KVM_EPERM       1        /* what KVM returns to a CPL3 hypercall, negated */
#define TEST_READ_VALUE 0x600df00du /* what the VMM's test port and register read as */

/* ---- validity: why this host or VMM cannot run a test ---- */

static const char *need_pio(const struct measure_ctx *c)
{
	return c->bi->test_pio_port ? NULL : "the VMM has no test port";
}

static const char *need_ioevent(const struct measure_ctx *c)
{
	return c->bi->ioevent_port ? NULL : "the VMM has no ioeventfd port";
}

static const char *need_ioevent_dm(const struct measure_ctx *c)
{
	return c->bi->ioevent_dm_port ? NULL : "the VMM has no datamatch ioeventfd port";
}

static int gpa_ok(uint64_t gpa)
{
	return gpa && gpa + 4 <= BOOT_IDENTITY_LIMIT;
}

static const char *need_mmio(const struct measure_ctx *c)
{
	return gpa_ok(c->bi->test_mmio_gpa) ? NULL : "the VMM has no test MMIO register";
}

static const char *need_ioevent_mmio(const struct measure_ctx *c)
{
	return gpa_ok(c->bi->ioevent_mmio_gpa) ? NULL : "the VMM has no ioeventfd MMIO region";
}

static const char *need_coalesced(const struct measure_ctx *c)
{
	return gpa_ok(c->bi->coalesced_mmio_gpa) ? NULL : "the VMM has no coalesced MMIO zone";
}

static const char *need_tsc_adjust(const struct measure_ctx *c)
{
	(void)c;
	return cpuid(0, 0).a >= 7 && (cpuid(7, 0).b & (1u << 1)) ? NULL
		: "no IA32_TSC_ADJUST in CPUID";
}

static const char *need_rdtscp(const struct measure_ctx *c)
{
	if (!(cpuid(0x80000001, 0).d & (1u << 27)))
		return "no RDTSCP in CPUID";
	if (c->ring == 0 && (c->bi->flags & BOOT_F_PVM))
		return "PVM emulates CPL0 and KVM's emulator has no RDTSCP";
	return NULL;
}

static const char *need_x2apic(const struct measure_ctx *c)
{
	return c->bi->flags & BOOT_F_X2APIC ? NULL : "no in-kernel x2APIC";
}

/* Measured on PVM: a CPL0 vmcall/vmmcall never completes (RIP does not advance). */
static const char *need_hypercall(const struct measure_ctx *c)
{
	if (c->ring == 0 && (c->bi->flags & BOOT_F_PVM))
		return "PVM: a CPL0 hypercall never completes";
	return NULL;
}

/* Measured on PVM: about 1 in 600 IPIs is taken inside sti; nop; cli. */
static const char *need_irq_window(const struct measure_ctx *c)
{
	if (c->bi->flags & BOOT_F_PVM)
		return "PVM's CPL0 emulation does not deliver interrupts in an sti; nop window";
	return need_x2apic(c);
}

/* ---- the operations: one per sample ---- */

MEASURE_LOOP(cpuid, (void)0, cpuid(0, 0), (void)0)

/* RAX returns in c->result: -KVM_ENOSYS at CPL0, -KVM_EPERM at CPL3 (KVM refuses). */
MEASURE_LOOP(vmcall, long r = 0, r = vmcall(HC_UNKNOWN), c->result = r)
MEASURE_LOOP(vmmcall, long r = 0, r = vmmcall(HC_UNKNOWN), c->result = r)

static void hypercall_loop(struct measure_ctx *c, uint64_t *samples, uint64_t n)
{
	if (c->bi->flags & BOOT_F_VENDOR_AMD)
		vmmcall_loop(c, samples, n);
	else
		vmcall_loop(c, samples, n);
}

MEASURE_LOOP(pio_out, uint16_t port = c->bi->test_pio_port, outl(port, 0), (void)0)
MEASURE_LOOP(pio_in, uint16_t port = c->bi->test_pio_port; uint32_t v = 0,
	     v = inl(port), c->result = v)
MEASURE_LOOP(pio_ioeventfd32, uint16_t port = c->bi->ioevent_port, outl(port, 0), (void)0)
MEASURE_LOOP(pio_ioeventfd_dm32, uint16_t port = c->bi->ioevent_dm_port,
	     outl(port, BOOT_IOEVENT_DATAMATCH), (void)0)
/* A peer VMM's test device matches 1-byte writes (BOOT_F_IOEVENT_BYTE, lib/testdev.h). */
MEASURE_LOOP(pio_ioeventfd8, uint16_t port = c->bi->ioevent_port, outb(port, 0), (void)0)
MEASURE_LOOP(pio_ioeventfd_dm8, uint16_t port = c->bi->ioevent_dm_port;
	     uint8_t v = (uint8_t)c->bi->ioevent_dm_value, outb(port, v), (void)0)

MEASURE_LOOP(mmio_write, uint64_t gpa = c->bi->test_mmio_gpa, mmio_write32(gpa, 0), (void)0)
MEASURE_LOOP(mmio_read, uint64_t gpa = c->bi->test_mmio_gpa; uint32_t v = 0,
	     v = mmio_read32(gpa), c->result = v)
MEASURE_LOOP(mmio_ioeventfd32, uint64_t gpa = c->bi->ioevent_mmio_gpa, mmio_write32(gpa, 0), (void)0)
MEASURE_LOOP(mmio_ioeventfd8, volatile uint8_t *p = (volatile uint8_t *)c->bi->ioevent_mmio_gpa,
	     *p = 0, (void)0)

/* The access width is chosen once per test, outside the timed loop. */
#define BY_WIDTH(name)									\
	static void name##_loop(struct measure_ctx *c, uint64_t *samples, uint64_t n)	\
	{										\
		if (c->bi->flags & BOOT_F_IOEVENT_BYTE)					\
			name##8_loop(c, samples, n);					\
		else									\
			name##32_loop(c, samples, n);					\
	}
BY_WIDTH(pio_ioeventfd)
BY_WIDTH(pio_ioeventfd_dm)
BY_WIDTH(mmio_ioeventfd)
MEASURE_LOOP(mmio_coalesced, uint64_t gpa = c->bi->coalesced_mmio_gpa, mmio_write32(gpa, 0),
	     (void)0)

MEASURE_LOOP(rdmsr_misc, (void)0, rdmsr(MSR_IA32_MISC_ENABLE), (void)0)
MEASURE_LOOP(wrmsr_misc, uint64_t v = rdmsr(MSR_IA32_MISC_ENABLE),
	     wrmsr(MSR_IA32_MISC_ENABLE, v), (void)0)
MEASURE_LOOP(rdmsr_tsc_adjust, (void)0, rdmsr(MSR_IA32_TSC_ADJUST), (void)0)
/* Writing back the value read leaves the TSC alone. */
MEASURE_LOOP(wrmsr_tsc_adjust, uint64_t v = rdmsr(MSR_IA32_TSC_ADJUST),
	     wrmsr(MSR_IA32_TSC_ADJUST, v), (void)0)

MEASURE_LOOP(cr8_write, (void)0, write_cr8(0), (void)0)
MEASURE_LOOP(cr8_read, (void)0, read_cr8(), (void)0)
MEASURE_LOOP(dr7_write, (void)0, write_dr7(0x400), (void)0)
/* One operation = a toggle pair (flip, restore): two CR writes per sample. */
MEASURE_LOOP(cr0_wp, uint64_t cr0 = read_cr0(),
	     { write_cr0(cr0 ^ CR0_WP); write_cr0(cr0); }, (void)0)
MEASURE_LOOP(cr4_pge, uint64_t cr4 = read_cr4(),
	     { write_cr4(cr4 ^ CR4_PGE); write_cr4(cr4); }, (void)0)

MEASURE_LOOP(rdtsc, (void)0, rdtsc(), (void)0)
MEASURE_LOOP(rdtscp, uint32_t aux, asm volatile("rdtscp" : "=c"(aux) : : "rax", "rdx"), (void)aux)

/*
 * The 0x40 handler counts and EOIs; sti's shadow keeps hlt from missing the
 * IPI.  An IPI not taken in its window is waited for (late_irq.h).
 */
MEASURE_LOOP(self_ipi_hlt, (void)0,
	     { uint64_t seen = irq_self_ipi_count; apic_self_ipi(VEC_SELF_IPI);
	       late_irq_halt(&due_irq, &irq_self_ipi_count, seen); },
	     (void)0)
MEASURE_LOOP(self_ipi, (void)0,
	     { uint64_t seen = irq_self_ipi_count; apic_self_ipi(VEC_SELF_IPI); sti_nop(); cli();
	       late_irq_halt(&due_irq, &irq_self_ipi_count, seen); },
	     (void)0)

/* syscall enters syscall_null_entry, a lone sysretq (lib/ring3.S). */
MEASURE_LOOP(syscall, long nr = 0,
	     asm volatile("syscall" : "+a"(nr) : : "rcx", "r11", "memory"), (void)0)

/* ---- checks: are the results sound? ---- */

/*
 * KVM answers an unknown hypercall with -KVM_ENOSYS, and any hypercall from
 * CPL3 with -KVM_EPERM.  The right value does not prove KVM saw it (another
 * hypervisor below may answer the same way): the host judges that by the
 * exit counts against EXITS(1, 0).
 */
static const char *check_hypercall(struct measure_ctx *c)
{
	long want = c->ring == 3 ? -KVM_EPERM : -KVM_ENOSYS;

	if (c->result == want)
		return NULL;
	format_snprintf(c->reason, sizeof(c->reason), "hypercall 0x%x at CPL%u returned %ld, expected %s (%ld)",
			HC_UNKNOWN, c->ring, c->result, c->ring == 3 ? "-KVM_EPERM" : "-KVM_ENOSYS", want);
	return c->reason;
}

static const char *check_read_value(struct measure_ctx *c)
{
	/* Another VMM's device reads as it likes: only ours promises the value. */
	if ((c->bi->flags & BOOT_F_NO_VMM) || (uint32_t)c->result == TEST_READ_VALUE)
		return NULL;
	format_snprintf(c->reason, sizeof(c->reason), "read 0x%x, expected 0x%x",
			(uint32_t)c->result, TEST_READ_VALUE);
	return c->reason;
}

/* Under a peer VMM, an ioeventfd exists only while its test device test is selected. */
static void setup_pio_wildcard(struct measure_ctx *c)
{
	testdev_select_pio(c->bi, TESTDEV_WILDCARD);
}

static void setup_pio_datamatch(struct measure_ctx *c)
{
	testdev_select_pio(c->bi, TESTDEV_DATAMATCH_TEST);
}

static void setup_mmio_wildcard(struct measure_ctx *c)
{
	testdev_select_mmio(c->bi, TESTDEV_WILDCARD);
}

static void setup_self_ipi(struct measure_ctx *c)
{
	apic_init(c->bi);
	late_irq_begin(&due_irq, c->bi, 1);
	c->arg = irq_self_ipi_count;
}

static const char *check_self_ipi(struct measure_ctx *c)
{
	late_irq_end(&due_irq);
	return due_irq_lost(c, "self-IPIs sent", c->ops, irq_self_ipi_count - c->arg);
}

PAYLOAD_INFO("exit-costs", "the round-trip cost of each kind of VM exit, beside an in-guest system call");

/*
 * EXITS(k, u): what one operation costs on VT-x/SVM, k KVM exits of which u
 * reach the VMM; the host marks a result whose counts disagree invalid.
 * Tests whose exits depend on the hardware's features (TPR shadow, guest-
 * owned CR bits, lazy debug registers, APICv) declare none.
 * "empty", the loop overhead, runs first at each ring (built into the harness).
 */
MEASURE_TABLE(tests) = {
	MEASURE_TEST("cpuid", cpuid_loop, R03, EXITS(1, 0), MEASURES("cpuid leaf 0, answered by KVM")),
	MEASURE_TEST("hypercall", hypercall_loop, R03, EXITS(1, 0),
		     MEASURES("vmcall/vmmcall of an unknown hypercall, refused by KVM"),
		     .valid = need_hypercall, .check = check_hypercall),
	MEASURE_TEST("pio_vmm", pio_out_loop, R03, EXITS(1, 1), MEASURES("port write handled by the VMM"),
		     .valid = need_pio),
	MEASURE_TEST("pio_vmm_in", pio_in_loop, R03, EXITS(1, 1), MEASURES("port read handled by the VMM"),
		     .valid = need_pio, .check = check_read_value),
	MEASURE_TEST("pio_ioeventfd", pio_ioeventfd_loop, R03, EXITS(1, 0),
		     MEASURES("port write signalling an ioeventfd inside KVM"), .valid = need_ioevent,
		     .setup = setup_pio_wildcard),
	MEASURE_TEST("pio_ioeventfd_dm", pio_ioeventfd_dm_loop, R03, EXITS(1, 0),
		     MEASURES("port write matching a datamatch ioeventfd"), .valid = need_ioevent_dm,
		     .setup = setup_pio_datamatch),
	MEASURE_TEST("mmio_vmm", mmio_write_loop, R03, EXITS(1, 1), MEASURES("MMIO write handled by the VMM"),
		     .valid = need_mmio),
	MEASURE_TEST("mmio_vmm_read", mmio_read_loop, R03, EXITS(1, 1),
		     MEASURES("MMIO read handled by the VMM"), .valid = need_mmio, .check = check_read_value),
	MEASURE_TEST("mmio_ioeventfd", mmio_ioeventfd_loop, R03, EXITS(1, 0),
		     MEASURES("MMIO write signalling an ioeventfd inside KVM"), .valid = need_ioevent_mmio,
		     .setup = setup_mmio_wildcard),
	MEASURE_TEST("mmio_ioeventfd_dm", mmio_ioeventfd_dm_test, R03, EXITS(1, 0),
		     MEASURES("MMIO write matching a datamatch ioeventfd"), .valid = need_ioevent_mmio_dm),
	MEASURE_TEST("inl_from_kernel", inl_from_kernel_test, R03, EXITS(1, 0),
		     MEASURES("port read answered inside KVM (in-kernel PIT counter 0)"), .valid = need_kernel_pio),
	MEASURE_TEST("outl_to_kernel", outl_to_kernel_test, R03, EXITS(1, 0),
		     MEASURES("port write answered inside KVM (in-kernel PIT counter latch)"), .valid = need_kernel_pio),
	MEASURE_TEST("inl_from_pmtimer", inl_from_pmtimer_test, R03, EXITS(1, 1),
		     MEASURES("ACPI PM timer read, emulated by the VMM"), .valid = need_pmtimer,
		     .check = check_pmtimer),
	/* The VMM drains the ring only when it fills: a few userspace exits per thousand writes. */
	MEASURE_TEST("mmio_coalesced", mmio_coalesced_loop, R03, EXITS(1, 0),
		     MEASURES("MMIO write into a coalesced zone (queued by KVM)"), .valid = need_coalesced),
	MEASURE_TEST("rdmsr", rdmsr_misc_loop, R0, EXITS(1, 0), MEASURES("rdmsr IA32_MISC_ENABLE")),
	MEASURE_TEST("wrmsr", wrmsr_misc_loop, R0, EXITS(1, 0), MEASURES("wrmsr IA32_MISC_ENABLE (same value)")),
	MEASURE_TEST("rdmsr_tsc_adjust", rdmsr_tsc_adjust_loop, R0, EXITS(1, 0),
		     MEASURES("rdmsr IA32_TSC_ADJUST"), .valid = need_tsc_adjust),
	MEASURE_TEST("wrmsr_tsc_adjust", wrmsr_tsc_adjust_loop, R0, EXITS(1, 0),
		     MEASURES("wrmsr IA32_TSC_ADJUST (same value)"), .valid = need_tsc_adjust),
	MEASURE_TEST("mov_to_cr8", cr8_write_loop, R0, MEASURES("mov to CR8 (TPR)")),
	MEASURE_TEST("mov_from_cr8", cr8_read_loop, R0, MEASURES("mov from CR8 (TPR)")),
	MEASURE_TEST("dr7_write", dr7_write_loop, R0, MEASURES("mov to DR7")),
	MEASURE_TEST("cr0_wp_toggle", cr0_wp_loop, R0, MEASURES("CR0.WP flipped and restored (two writes)")),
	MEASURE_TEST("cr4_pge_toggle", cr4_pge_loop, R0, MEASURES("CR4.PGE flipped and restored (two writes)")),
	MEASURE_TEST("wbinvd", wbinvd_test, R0, EXITS(1, 0), MEASURES("wbinvd (always intercepted)")),
	MEASURE_TEST("invd", invd_test, R0, EXITS(1, 0),
		     MEASURES("invd: intercepted, emulated by KVM (never run on the host; a no-op or WBINVD by kernel)")),
	MEASURE_TEST("wr_kernel_gs_base", wr_kernel_gs_base_test, R0, EXITS(0, 0),
		     MEASURES("wrmsr IA32_KERNEL_GS_BASE (0): passed through by KVM's MSR bitmaps")),
	MEASURE_TEST("wr_tsx_ctrl_msr", wr_tsx_ctrl_test, R0, MEASURES("wrmsr IA32_TSX_CTRL (same value)"),
		     .valid = need_tsx_ctrl),
	MEASURE_TEST("wr_ibrs_msr", wr_ibrs_test, R0,
		     MEASURES("wrmsr IA32_SPEC_CTRL IBRS set, then cleared (two writes)"), .valid = need_spec_ctrl),
	MEASURE_TEST("wr_ibpb_msr", wr_ibpb_test, R0, MEASURES("wrmsr IA32_PRED_CMD IBPB (a barrier)"),
		     .valid = need_ibpb),
	MEASURE_TEST("rdtsc", rdtsc_loop, R03, EXITS(0, 0), MEASURES("rdtsc (no exit without TSC exiting)")),
	MEASURE_TEST("rdtscp", rdtscp_loop, R03, EXITS(0, 0), MEASURES("rdtscp"), .valid = need_rdtscp),
	MEASURE_TEST("self_ipi_hlt", self_ipi_hlt_loop, R0, MEASURES("x2APIC self-IPI, then hlt until it arrives"),
		     .valid = need_x2apic, .setup = setup_self_ipi, .check = check_self_ipi),
	MEASURE_TEST("self_ipi", self_ipi_loop, R0, MEASURES("x2APIC self-IPI taken in an sti; nop window"),
		     .valid = need_irq_window, .setup = setup_self_ipi, .check = check_self_ipi),
	MEASURE_TEST("tscdeadline", tscdeadline_test, R0,
		     MEASURES("TSC-deadline timer armed 3000 cycles ahead, its interrupt taken"),
		     .valid = need_tscdeadline, .setup = setup_tscdeadline, .check = check_tscdeadline),
	MEASURE_TEST("tscdeadline_immed", tscdeadline_immed_test, R0,
		     MEASURES("TSC-deadline timer armed in the past, its interrupt taken"),
		     .valid = need_tscdeadline, .setup = setup_tscdeadline, .check = check_tscdeadline),
	MEASURE_TEST("self_ipi_sti_nop", self_ipi_any_sti_nop_test, R0,
		     MEASURES("xAPIC self-IPI through the ICR, taken in sti; nop"),
		     .valid = need_xapic_window, .setup = setup_xapic_any, .check = check_tpr_ipi),
	MEASURE_TEST("self_ipi_sti_hlt", self_ipi_any_sti_hlt_test, R0,
		     MEASURES("xAPIC self-IPI through the ICR, then sti; hlt until it arrives"),
		     .valid = need_xapic, .setup = setup_xapic_any, .check = check_tpr_ipi),
	MEASURE_TEST("self_ipi_tpr", self_ipi_tpr_test, R0,
		     MEASURES("xAPIC self-IPI masked by TPR, taken when TPR drops (IF=1)"),
		     .valid = need_xapic_window, .setup = setup_xapic_tpr, .check = check_tpr_ipi),
	MEASURE_TEST("self_ipi_tpr_sti_nop", self_ipi_tpr_sti_nop_test, R0,
		     MEASURES("xAPIC self-IPI masked by TPR, TPR dropped, taken in sti; nop"),
		     .valid = need_xapic_window, .setup = setup_xapic_tpr, .check = check_tpr_ipi),
	MEASURE_TEST("self_ipi_tpr_sti_hlt", self_ipi_tpr_sti_hlt_test, R0,
		     MEASURES("xAPIC self-IPI masked by TPR, TPR dropped, sti; hlt until it arrives"),
		     .valid = need_xapic_tpr_hlt, .setup = setup_xapic_tpr, .check = check_tpr_ipi),
	MEASURE_TEST("x2apic_self_ipi_tpr", self_ipi_tpr_test, R0,
		     MEASURES("x2APIC self-IPI masked by TPR, taken when TPR drops (IF=1)"),
		     .valid = need_x2apic_window, .setup = setup_x2apic_tpr, .check = check_tpr_ipi),
	MEASURE_TEST("x2apic_self_ipi_tpr_sti_nop", self_ipi_tpr_sti_nop_test, R0,
		     MEASURES("x2APIC self-IPI masked by TPR, TPR dropped, taken in sti; nop"),
		     .valid = need_x2apic_window, .setup = setup_x2apic_tpr, .check = check_tpr_ipi),
	MEASURE_TEST("x2apic_self_ipi_tpr_sti_hlt", self_ipi_tpr_sti_hlt_test, R0,
		     MEASURES("x2APIC self-IPI masked by TPR, TPR dropped, sti; hlt until it arrives"),
		     .valid = need_x2apic_tpr_hlt, .setup = setup_x2apic_tpr, .check = check_tpr_ipi),
	/* Samples are latencies (host eventfd write -> handler), not round trips. */
	MEASURE_TEST("irq_device", irq_device_test, R0,
		     MEASURES("irqfd interrupt from a VMM thread to a running vCPU: host write to handler"),
		     .valid = need_irq_source, .setup = setup_irq_source, .check = check_irq_source),
	MEASURE_TEST("irq_device_halt", irq_device_halt_test, R0,
		     MEASURES("irqfd interrupt from a VMM thread to a halted vCPU: host write to handler"),
		     .valid = need_irq_source, .setup = setup_irq_source, .check = check_irq_source),
	MEASURE_TEST("syscall", syscall_loop, R3, EXITS(0, 0),
		     MEASURES("in-guest syscall/sysret round trip: no exit, the reference")),
	SMP_TEST_ROWS
};

int payload_main(const struct boot_info *bi)
{
	bench_hello("exit-costs");
	return measure_run_table(bi, tests, MEASURE_ARRAY_SIZE(tests)) ? 1 : 0;
}
