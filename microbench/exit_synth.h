/* SPDX-License-Identifier: MIT */
/*
 * Synthetic exits for the exit loop's dispatch seam (vcpu_handle_exit): a VM
 * with no /dev/kvm behind it, its buses wired like `exitlab run` wires them
 * without --device, and a kvm_run buffer (with the coalesced ring page after
 * it) that the caller fills as KVM_RUN would.  Used by
 * microbench/exit-dispatch and tests/unit/test_vcpu_exit.c.
 */
#ifndef EXITLAB_EXIT_SYNTH_H
#define EXITLAB_EXIT_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/platform/test_regs.h"
#include "vmm/machine_layout.h"
#include "vmm/vm.h"

/* The addresses a run's machine gives the same devices (vmm/machine_layout.h). */
#define EXIT_SYNTH_UART_PORT      MACHINE_UART_PORT
#define EXIT_SYNTH_BENCH_PORT     MACHINE_BENCH_PORT
#define EXIT_SYNTH_TEST_PORT      MACHINE_TEST_PIO_PORT
#define EXIT_SYNTH_TEST_GPA       ((uint64_t)MACHINE_TEST_MMIO_GPA)
#define EXIT_SYNTH_COALESCED_GPA  ((uint64_t)MACHINE_COALESCED_MMIO_GPA)

struct exit_synth {
	struct vm vm;
	struct vcpu *v;
	/* uart and bench stand in as test registers: only their ranges matter here. */
	struct test_regs uart, bench, pio_regs, mmio_regs, coalesced_sink;
	void *run_area;            /* kvm_run, PIO data and coalesced ring pages */
	size_t run_size;
	uint32_t ring_max;         /* entries the ring holds */
};

/* coalesced: whether the VM has a coalesced ring (as KVM_CAP_COALESCED_MMIO says). */
int exit_synth_init(struct exit_synth *s, bool coalesced, char *err, size_t errlen);
void exit_synth_destroy(struct exit_synth *s);

/* Fill v->run as KVM_RUN leaves it; data (NULL: zeros; size * count bytes) for OUT. */
void exit_synth_io(struct exit_synth *s, uint16_t port, bool out, uint8_t size, uint32_t count,
		   const void *data);
void exit_synth_mmio(struct exit_synth *s, uint64_t gpa, bool write, uint32_t len,
		     const void *data);
/* Any other exit reason with no payload (KVM_EXIT_INTR, KVM_EXIT_HLT, …). */
void exit_synth_reason(struct exit_synth *s, uint32_t reason);
void exit_synth_msr(struct exit_synth *s, bool write, uint32_t index, uint64_t data);
/* Queue a write in the coalesced ring, as the kernel does. false if the ring is full. */
bool exit_synth_coalesced_push(struct exit_synth *s, bool pio, uint64_t addr, uint32_t len,
			       uint64_t value);
/* Entries still queued. */
uint32_t exit_synth_coalesced_pending(const struct exit_synth *s);

#endif
