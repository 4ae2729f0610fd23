// SPDX-License-Identifier: MIT
/*
 * Who answers an access: a port read answered inside KVM by the in-kernel
 * PIT (never reaching the VMM), the ACPI PM timer the VMM emulates (one
 * exit to it per read), and an MMIO write matching a datamatch ioeventfd.
 */
#include "exit_tests.h"
#include "format.h"
#include "x86.h"

#define PM_TIMER_MASK 0xffffffu /* a 24-bit counter */
#define PIT_MODE_OFF  3         /* the i8254's mode/command port, after its three counters */
#define PIT_LATCH_C0  0x00      /* channel 0, access mode 00: latch the count */

const char *need_kernel_pio(const struct measure_ctx *c)
{
	return c->bi->kernel_pio_port ? NULL : "the VMM has no in-kernel PIT (KVM_CAP_PIT2)";
}

const char *need_pmtimer(const struct measure_ctx *c)
{
	return c->bi->pmtimer_port ? NULL : "the VMM has no ACPI PM timer";
}

const char *need_ioevent_mmio_dm(const struct measure_ctx *c)
{
	return c->bi->flags & BOOT_F_IOEVENT_MMIO_DM ? NULL : "the VMM has no datamatch MMIO ioeventfd";
}

/* kvm-unit-tests reads one byte there too (its port is the in-kernel PIC's ELCR). */
MEASURE_LOOP(inl_from_kernel, uint16_t port = c->bi->kernel_pio_port, (void)inb(port), (void)0)
/* A counter-latch command for counter 0: programs nothing (kvm-unit-tests writes the PIC's ELCR). */
MEASURE_LOOP(outl_to_kernel, uint16_t port = c->bi->kernel_pio_port + PIT_MODE_OFF, outb(port, PIT_LATCH_C0),
	     (void)0)
MEASURE_LOOP(inl_from_pmtimer, uint16_t port = c->bi->pmtimer_port; uint32_t v = 0,
	     v = inl(port), c->result = v)
MEASURE_LOOP(mmio_ioeventfd_dm, uint64_t gpa = c->bi->ioevent_mmio_gpa + BOOT_IOEVENT_MMIO_DM_OFFSET,
	     mmio_write32(gpa, BOOT_IOEVENT_DATAMATCH), (void)0)
EXPORT_LOOP(inl_from_kernel)
EXPORT_LOOP(outl_to_kernel)
EXPORT_LOOP(inl_from_pmtimer)
EXPORT_LOOP(mmio_ioeventfd_dm)

const char *check_pmtimer(struct measure_ctx *c)
{
	if (!((uint32_t)c->result & ~PM_TIMER_MASK))
		return NULL;
	format_snprintf(c->reason, sizeof(c->reason), "the PM timer read 0x%x, wider than 24 bits",
			(uint32_t)c->result);
	return c->reason;
}
