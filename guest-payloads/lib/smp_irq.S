/* SPDX-License-Identifier: MIT */
/* The SMP vectors (lib/smp.h): save what C may clobber, call smp_irq_handle(which). */
#include "irq_stub.h"

	.text
	.globl smp_irq_wake_entry, smp_irq_ipi_entry, smp_irq_flush_entry
	IRQ_C smp_irq_wake_entry, smp_irq_handle, 0
	IRQ_C smp_irq_ipi_entry, smp_irq_handle, 1
	IRQ_C smp_irq_flush_entry, smp_irq_handle, 2

	.section .note.GNU-stack, "", @progbits
