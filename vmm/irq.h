/* SPDX-License-Identifier: MIT */
/*
 * Interrupts into the in-kernel irqchip: INTx lines (KVM_IRQ_LINE), MSI
 * messages (KVM_SIGNAL_MSI) and, for devices that signal from a worker
 * thread or from the kernel (vhost), irqfds bound to MSI routes.
 *
 * KVM_SET_GSI_ROUTING replaces the whole table, so this module keeps it:
 * the default irqchip routes for GSIs 0..23 (PIC + IOAPIC, as KVM sets them
 * up by itself) plus one MSI route per allocated GSI from IRQ_MSI_GSI_BASE
 * up.  Routes may be changed while vCPUs run (a guest writing an MSI-X table
 * entry); a mutex serialises the table.
 */
#ifndef EXITLAB_IRQ_H
#define EXITLAB_IRQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

#define IRQ_NUM_PIN_GSIS  24   /* IOAPIC pins; 0..15 also on the PIC */
#define IRQ_MSI_GSI_BASE  24
#define IRQ_MAX_MSI_GSIS  256

struct irq_msi_route {
	bool used, masked;
	uint64_t addr;
	uint32_t data;
};

struct irq_chip {
	struct vm *vm;
	pthread_mutex_t lock;
	struct irq_msi_route msi[IRQ_MAX_MSI_GSIS];
	uint64_t lines_raised, msis_signalled;   /* relaxed atomics */
};

/* 0, or -1 with err when the VM has no in-kernel irqchip or no GSI routing. */
int irq_chip_init(struct irq_chip *c, struct vm *vm, char *err, size_t errlen);
void irq_chip_destroy(struct irq_chip *c);

/* Set an INTx line (GSI 0..23) high or low. 0 or -errno. */
int irq_line_set(struct irq_chip *c, unsigned gsi, bool level);
/* Inject one MSI message now (KVM_SIGNAL_MSI). 0 or -errno (-EINVAL if the address is not an MSI address). */
int irq_msi_signal(struct irq_chip *c, uint64_t addr, uint32_t data);

/* A GSI for an MSI route (initially masked), or -ENOSPC. */
int irq_msi_route_alloc(struct irq_chip *c);
void irq_msi_route_free(struct irq_chip *c, int gsi);
/* Point the route at (addr, data) and unmask or mask it; the table is pushed to KVM. 0 or -errno. */
int irq_msi_route_set(struct irq_chip *c, int gsi, uint64_t addr, uint32_t data, bool masked);

/* Bind an eventfd to a GSI (KVM_IRQFD): a write to efd injects that interrupt in the kernel. */
int irq_irqfd_attach(struct irq_chip *c, int efd, int gsi);
int irq_irqfd_detach(struct irq_chip *c, int efd, int gsi);
/*
 * A level-triggered INTx pin (GSI 0..23) fed by an eventfd (KVM_IRQFD_FLAG_RESAMPLE): a write
 * to efd asserts the line; when the guest acknowledges it (the IOAPIC EOI) KVM deasserts it and
 * writes rfd, so the source can look again (VFIO unmasks the host's line).  Detach with
 * irq_irqfd_detach(c, efd, gsi).  0 or -errno.
 */
int irq_irqfd_attach_resample(struct irq_chip *c, int efd, int rfd, int gsi);

/* Whether an address is in the x86 MSI window 0xFEE00000..0xFEEFFFFF. */
static inline bool irq_is_msi_addr(uint64_t addr)
{
	return (addr >> 20) == 0xFEE;
}

#endif
