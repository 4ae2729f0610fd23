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

#include "devices/platform/acpi_pm.h"
#include "devices/platform/bench.h"
#include "devices/platform/guest_text.h"
#include "devices/platform/irq_source.h"
#include "devices/platform/pm_timer.h"
#include "devices/platform/test_regs.h"
#include "devices/platform/uart16550.h"
#include "run/linux_console.h"
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
	/* A Linux guest's (run_platform_add_linux): */
	struct linux_console *console; /* fed every byte of serial output; NULL: none */
	bool uart_irq;                 /* the UART drives ISA IRQ 4 (IOAPIC pin 4) */
	bool uart_line;                /* its level as last set */
	uint64_t uart_irqs;            /* rising edges */
	struct acpi_pm acpi_pm;        /* S5 and reset: machine_stop with OK */
	const char *end_reason;        /* what ended the guest: "poweroff", "reset", "panic" or NULL */
};

/*
 * What ended a Linux guest, for vmm.linux.end: the platform's own end ("poweroff", "reset",
 * "panic"), else the guest tool's DONE ("done"), else NULL (the watchdog, the deadline, a fault).
 */
const char *run_platform_linux_end(const struct run_platform *p);

/* Put the devices on m, the serial output going to serial. OK, or FAILED with err. */
enum outcome run_platform_add(struct run_platform *p, struct machine *m, FILE *serial, char *err,
			      size_t errlen);
/*
 * A Linux guest's platform: the same devices, the UART's interrupt on ISA
 * IRQ 4 (gated by MCR.OUT2 as on a PC), every byte of its output into
 * console (a "Kernel panic" line stops the machine: FAILED), and the ACPI
 * PM1a/reset ports of vmm/acpi_tables.h (S5 or a reset stops it: OK).
 */
enum outcome run_platform_add_linux(struct run_platform *p, struct machine *m, FILE *serial,
				    struct linux_console *console, char *err, size_t errlen);
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
