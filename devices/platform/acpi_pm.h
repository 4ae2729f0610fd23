/* SPDX-License-Identifier: MIT */
/*
 * The ACPI fixed-hardware registers a Linux guest is given by the FADT
 * (vmm/acpi_tables.h): PM1a status and enable at ACPI_PM1A_EVT_PORT, PM1a
 * control at ACPI_PM1A_CNT_PORT, the reset register at ACPI_RESET_PORT; one
 * bus range of ACPI_PM_PORTS ports. Nothing ever raises a status bit (no
 * power button, no SCI), SCI_EN always reads as set (the guest is in ACPI
 * mode from the start); a write of SLP_EN with SLP_TYP ACPI_S5_SLP_TYP is a
 * power-off, ACPI_RESET_VALUE to the reset register a reset: each calls
 * event() once, from the vCPU thread of the write.
 */
#ifndef EXITLAB_ACPI_PM_H
#define EXITLAB_ACPI_PM_H

#include <stdint.h>

#include "vmm/bus.h"

enum acpi_pm_event { ACPI_PM_POWEROFF = 1, ACPI_PM_RESET };

struct acpi_pm {
	uint16_t pm1_en, pm1_cnt;
	void (*event)(void *opaque, enum acpi_pm_event e);
	void *opaque;
	uint64_t writes;
	unsigned sleeps;           /* SLP_EN writes of another sleep type: ignored (no S1..S4) */
};

void acpi_pm_init(struct acpi_pm *p, void (*event)(void *opaque, enum acpi_pm_event e), void *opaque);

extern const struct bus_ops acpi_pm_bus_ops; /* opaque = struct acpi_pm *, base ACPI_PM_BASE_PORT */

#endif
