// SPDX-License-Identifier: MIT
/*
 * Unit tests for what ends a Linux guest's run: the console tail and its
 * panic line (run/linux_console.c), the ACPI PM1a and reset ports
 * (devices/platform/acpi_pm.c), and how the end is named (run/run_platform.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devices/platform/acpi_pm.h"
#include "run/linux_console.h"
#include "run/run_platform.h"
#include "vmm/acpi_tables.h"

static void put(struct linux_console *c, const char *s, bool *panic)
{
	for (; *s; s++)
		if (linux_console_put(c, (uint8_t)*s))
			*panic = true;
}

static char *dump(const struct linux_console *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	linux_console_dump(c, f, "> ");
	fclose(f);
	return text;
}

static void test_console_tail(void **state)
{
	static struct linux_console c;
	bool panic = false;
	char line[64], *d;

	(void)state;
	linux_console_init(&c);
	for (int i = 0; i < 30; i++) {
		snprintf(line, sizeof(line), "line %d\r\n", i);
		put(&c, line, &panic);
	}
	put(&c, "partial", &panic);
	assert_false(panic);
	d = dump(&c);
	/* the last 20: 11..29 and the partial line */
	assert_null(strstr(d, "> line 10\n"));
	assert_non_null(strstr(d, "> line 11\n"));
	assert_non_null(strstr(d, "> line 29\n> partial\n"));
	assert_true(strncmp(d, "> line 11\n", 10) == 0);
	free(d);
	assert_int_equal(c.bytes, 10 * 8 + 20 * 9 + 7); /* "line N\r\n": 8 bytes below 10, 9 above */
}

static void test_console_panic(void **state)
{
	static struct linux_console c;
	bool panic = false;

	(void)state;
	linux_console_init(&c);
	put(&c, "[    1.0] Kernel panic - not syncing: VFS: Unable to mount root fs", &panic);
	assert_false(panic); /* not before the line ends */
	put(&c, "\n", &panic);
	assert_true(panic);
	assert_non_null(strstr(c.panic_line, "not syncing"));
	panic = false;
	put(&c, "---[ end Kernel panic - not syncing ]---\n", &panic);
	assert_false(panic); /* only the first */
}

static int events[3];

static void on_event(void *opaque, enum acpi_pm_event e)
{
	(void)opaque;
	events[e]++;
}

static void wr16(struct acpi_pm *p, unsigned port, uint16_t v)
{
	acpi_pm_bus_ops.write(p, port - ACPI_PM_BASE_PORT, &v, 2);
}

static uint16_t rd16(struct acpi_pm *p, unsigned port)
{
	uint16_t v;

	acpi_pm_bus_ops.read(p, port - ACPI_PM_BASE_PORT, &v, 2);
	return v;
}

static void test_acpi_pm(void **state)
{
	struct acpi_pm p;
	uint8_t b = ACPI_RESET_VALUE;

	(void)state;
	memset(events, 0, sizeof(events));
	acpi_pm_init(&p, on_event, NULL);
	/* in ACPI mode from the start, nothing pending */
	assert_true(rd16(&p, ACPI_PM1A_CNT_PORT) & ACPI_PM1_SCI_EN);
	assert_int_equal(rd16(&p, ACPI_PM1A_EVT_PORT), 0);
	wr16(&p, ACPI_PM1A_EVT_PORT + 2, 0x0120);
	assert_int_equal(rd16(&p, ACPI_PM1A_EVT_PORT + 2), 0x0120);
	/* SLP_TYP alone, then S1 with SLP_EN: no power-off */
	wr16(&p, ACPI_PM1A_CNT_PORT, ACPI_S5_SLP_TYP << ACPI_PM1_SLP_TYP_SHIFT);
	wr16(&p, ACPI_PM1A_CNT_PORT, 1 << ACPI_PM1_SLP_TYP_SHIFT | ACPI_PM1_SLP_EN);
	assert_int_equal(events[ACPI_PM_POWEROFF], 0);
	assert_int_equal(p.sleeps, 1);
	/* S5 with SLP_EN, as Linux's acpi_power_off writes it */
	wr16(&p, ACPI_PM1A_CNT_PORT, ACPI_S5_SLP_TYP << ACPI_PM1_SLP_TYP_SHIFT | ACPI_PM1_SLP_EN);
	assert_int_equal(events[ACPI_PM_POWEROFF], 1);
	assert_int_equal(rd16(&p, ACPI_PM1A_CNT_PORT) & ACPI_PM1_SLP_EN, 0);
	/* the reset register: only its value resets */
	acpi_pm_bus_ops.write(&p, ACPI_RESET_PORT - ACPI_PM_BASE_PORT, &b, 1);
	b = 0x0e;
	acpi_pm_bus_ops.write(&p, ACPI_RESET_PORT - ACPI_PM_BASE_PORT, &b, 1);
	assert_int_equal(events[ACPI_PM_RESET], 1);
}

/*
 * A guest whose tool sent DONE (exitlab-guest under linux-guest.list) ends as "done", not
 * null as the watchdog's stop; the platform's own end (the ACPI ports, a panic line) wins.
 */
static void test_linux_end(void **state)
{
	static struct run_platform p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_null(run_platform_linux_end(&p));
	p.bench.done = true;
	assert_string_equal(run_platform_linux_end(&p), "done");
	p.end_reason = "poweroff";
	assert_string_equal(run_platform_linux_end(&p), "poweroff");
	p.bench.done = false;
	p.end_reason = "panic";
	assert_string_equal(run_platform_linux_end(&p), "panic");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_console_tail),
		cmocka_unit_test(test_console_panic),
		cmocka_unit_test(test_acpi_pm),
		cmocka_unit_test(test_linux_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
