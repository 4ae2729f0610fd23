/* SPDX-License-Identifier: MIT */
/*
 * Interrupts a fuzzed device raises go nowhere; they are counted so that
 * raising them is real work the compiler keeps.
 */
#ifndef EXITLAB_FUZZ_IRQ_H
#define EXITLAB_FUZZ_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/pci/pci.h"

static unsigned fuzz_irq_lines, fuzz_irq_msis;

static inline int fuzz_irq_line(void *opaque, unsigned gsi, bool level)
{
	(void)opaque, (void)gsi, (void)level;
	fuzz_irq_lines++;
	return 0;
}

static inline int fuzz_irq_msi(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque, (void)addr, (void)data;
	fuzz_irq_msis++;
	return 0;
}

#define FUZZ_IRQ_SINK ((struct pci_irq_sink){ .line = fuzz_irq_line, .msi = fuzz_irq_msi })

#endif
