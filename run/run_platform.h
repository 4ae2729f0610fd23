/* SPDX-License-Identifier: MIT */
/*
 * The platform devices every payload may use, created here (they are
 * device models, a layer above the machine) and handed to the machine,
 * which places them (vmm/machine_layout.h): the 16550 UART (the guest's
 * serial output, stderr prefixed or a file, at most GUEST_TEXT_MAX bytes),
 * the bench device and the test registers.
 */
#ifndef EXITLAB_RUN_PLATFORM_H
#define EXITLAB_RUN_PLATFORM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "devices/platform/bench.h"
#include "devices/platform/guest_text.h"
#include "devices/platform/irq_source.h"
#include "devices/platform/pm_timer.h"
#include "devices/platform/test_regs.h"
#include "devices/platform/uart16550.h"
#include "util/outcome.h"
#include "vmm/machine.h"

struct run_platform {
	struct uart16550 uart;
	struct bench_dev bench;
	struct test_regs pio_regs, mmio_regs, coalesced_sink;
	struct pm_timer pm_timer;
	struct irq_source irqsrc;      /* offered (BOOT_F_IRQ_SOURCE) when wired and started */
	struct vm *vm;
	FILE *serial;                  /* stderr (each line prefixed "serial: ") or a file */
	bool serial_bol;
	struct guest_text serial_text; /* what of the serial output passed, what was dropped */
	bool bench_ready;
};

/* Put the devices on m, the serial output going to serial. OK, or FAILED with err. */
enum outcome run_platform_add(struct run_platform *p, struct machine *m, FILE *serial, char *err,
			      size_t errlen);
/*
 * The bench device, once the vCPUs exist (its snapshots hold their stats: hooks->nvalues);
 * and the interrupt source's thread, which needs vCPU 0's TSC offset.
 */
void run_platform_bench_init(struct run_platform *p, struct machine *m, const struct bench_hooks *hooks);
/* Says what of the guest's text was dropped; frees the bench device's records; stops the interrupt source. */
void run_platform_destroy(struct run_platform *p);
/* The test registers' access counts, for the results' "vmm" object (new ref). */
json_t *run_platform_regs_json(const struct run_platform *p);

#endif
