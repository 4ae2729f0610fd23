/* SPDX-License-Identifier: MIT */
/*
 * The interrupt source (include/exitlab/boot_abi.h, BOOT_F_IRQ_SOURCE): a
 * device that raises an interrupt from a host thread, as a device back-end
 * does, so the guest can time delivery to a running and to a halted vCPU
 * from the moment of the host's eventfd write.  The thread waits on the
 * `fire` eventfd (the guest's ioeventfd), sleeps the guest's delay, stamps
 * the guest TSC (host TSC + the vCPU's TSC offset) into guest RAM and writes
 * the `irq` eventfd (an irqfd on IOAPIC pin BOOT_IRQSRC_GSI: KVM injects a
 * pin's irqfd from its workqueue, where an MSI route's would be injected in
 * the writer's context).  The fds are the seam: the unit tests give plain
 * eventfds and guest RAM of their own.
 */
#ifndef EXITLAB_IRQ_SOURCE_H
#define EXITLAB_IRQ_SOURCE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/bus.h"
#include "vmm/guest_mem.h"
#include "vmm/ioeventfd.h"

#define IRQ_SOURCE_REG_DELAY 0 /* offsets in the register range at BOOT_IRQSRC_PORT + 4 */
#define IRQ_SOURCE_REG_STAMP 4
#define IRQ_SOURCE_REGS      8
#define IRQ_SOURCE_DELAY_MAX 100000 /* µs: a guest cannot park the thread for long */

struct irq_source {
	int fire_fd, irq_fd, stop_fd;     /* eventfds; -1 when absent */
	const struct guest_mem *mem;
	int64_t tsc_offset;               /* guest TSC = host TSC + tsc_offset */
	volatile uint32_t delay_us;       /* written by the vCPU thread, read by the source's */
	volatile uint32_t stamp_gpa;
	uint64_t fires, stamps_refused;   /* relaxed atomics */
	pthread_t thread;
	bool running;
	struct ioeventfd ev;              /* the fire port, with KVM (irq_source_attach) */
	bool irqfd_bound;
};

/* Defaults (no fds, no thread); every fd -1. */
void irq_source_init(struct irq_source *s);
/*
 * Wire it to KVM: the fire ioeventfd at port, the irq eventfd bound by an
 * irqfd to gsi, the registers on the VM's PIO bus at port + 4.  0, or -1
 * with err (the source is then left unwired: irq_source_destroy cleans up).
 */
struct vm;
int irq_source_attach(struct irq_source *s, struct vm *vm, uint16_t port, unsigned gsi, char *err,
		      size_t errlen);
/*
 * The guest TSC offset of a vCPU (KVM_VCPU_TSC_OFFSET, Linux 5.16+): 0, or
 * -1 with err when KVM cannot say (the source cannot stamp in guest time).
 */
int irq_source_vcpu_tsc_offset(int vcpu_fd, int64_t *off, char *err, size_t errlen);
/* Start the thread (named "irq-source"): 0 or -1 with err. */
int irq_source_start(struct irq_source *s, const struct guest_mem *mem, int64_t tsc_offset, char *err,
		     size_t errlen);
/* Stop the thread, unbind, close. */
void irq_source_destroy(struct irq_source *s, struct vm *vm);

extern const struct bus_ops irq_source_bus_ops; /* opaque = struct irq_source *, the range at port + 4 */

#endif
