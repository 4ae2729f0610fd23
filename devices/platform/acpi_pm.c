/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "devices/platform/acpi_pm.h"
#include "vmm/acpi_tables.h"

void acpi_pm_init(struct acpi_pm *p, void (*event)(void *opaque, enum acpi_pm_event e), void *opaque)
{
	memset(p, 0, sizeof(*p));
	p->event = event;
	p->opaque = opaque;
}

/* The register file as bytes from ACPI_PM_BASE_PORT. */
static uint8_t reg_byte(const struct acpi_pm *p, unsigned off)
{
	switch (off) {
	case 2: return (uint8_t)p->pm1_en;
	case 3: return (uint8_t)(p->pm1_en >> 8);
	case 4: return (uint8_t)(p->pm1_cnt | ACPI_PM1_SCI_EN);
	case 5: return (uint8_t)(p->pm1_cnt >> 8);
	default: return 0;         /* status: nothing pending; reset register: reads 0 */
	}
}

static int acpi_pm_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	uint8_t *d = data;

	for (unsigned i = 0; i < size; i++)
		d[i] = off + i < ACPI_PM_PORTS ? reg_byte(opaque, (unsigned)(off + i)) : 0xff;
	return 0;
}

static void write_cnt(struct acpi_pm *p, uint16_t v)
{
	unsigned typ = (v >> ACPI_PM1_SLP_TYP_SHIFT) & 7;

	p->pm1_cnt = v & (uint16_t)~ACPI_PM1_SLP_EN; /* SLP_EN is write-only */
	if (!(v & ACPI_PM1_SLP_EN))
		return;
	if (typ == ACPI_S5_SLP_TYP) {
		if (p->event)
			p->event(p->opaque, ACPI_PM_POWEROFF);
	} else {
		p->sleeps++;
	}
}

static int acpi_pm_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct acpi_pm *p = opaque;
	const uint8_t *d = data;
	uint16_t cnt = p->pm1_cnt;
	int cnt_written = 0;

	p->writes++;
	for (unsigned i = 0; i < size; i++) {
		uint64_t o = off + i;

		if (o == 2)
			p->pm1_en = (uint16_t)((p->pm1_en & 0xff00) | d[i]);
		else if (o == 3)
			p->pm1_en = (uint16_t)((p->pm1_en & 0x00ff) | d[i] << 8);
		else if (o == 4)
			cnt = (uint16_t)((cnt & 0xff00) | d[i]), cnt_written = 1;
		else if (o == 5)
			cnt = (uint16_t)((cnt & 0x00ff) | d[i] << 8), cnt_written = 1;
		else if (o == ACPI_RESET_PORT - ACPI_PM_BASE_PORT && d[i] == ACPI_RESET_VALUE && p->event)
			p->event(p->opaque, ACPI_PM_RESET);
		/* 0, 1: status, write-1-to-clear with nothing set; 7: nothing */
	}
	if (cnt_written)
		write_cnt(p, cnt);
	return 0;
}

const struct bus_ops acpi_pm_bus_ops = {
	.read = acpi_pm_read,
	.write = acpi_pm_write,
};
