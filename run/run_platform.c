/* SPDX-License-Identifier: MIT */
#include "exitlab/boot_abi.h"
#include "run/run_platform.h"
#include "vmm/acpi_tables.h"
#include "vmm/machine_layout.h"
#include "vmm/vm.h"

static void serial_tx(void *opaque, uint8_t c)
{
	struct run_platform *p = opaque;

	if (p->console && linux_console_put(p->console, c)) {
		char why[LINUX_CONSOLE_COLS + 32];

		p->end_reason = "panic";
		snprintf(why, sizeof(why), "the guest said: %s", p->console->panic_line);
		vm_stop(p->vm, OUTCOME_FAILED, why);
	}

	if (!guest_text_admit(&p->serial_text, 1)) {
		if (p->serial_text.dropped == 1)
			fprintf(stderr, "%sexitlab run: the guest's serial output passed %u bytes: the rest "
				"of it is dropped\n", p->serial == stderr && !p->serial_bol ? "\n" : "",
				GUEST_TEXT_MAX);
		return;
	}
	if (p->serial == stderr && p->serial_bol)
		fputs("serial: ", p->serial);
	fputc(c, p->serial);
	p->serial_bol = (c == '\n');
	if (c == '\n')
		fflush(p->serial);
}

/* The UART's registers, then its interrupt line to where they left it. */
static void uart_irq_update(struct run_platform *p)
{
	bool level = uart16550_irq_pending(&p->uart) && (p->uart.mcr & UART_MCR_OUT2);

	if (level == p->uart_line)
		return;
	p->uart_line = level;
	if (level)
		p->uart_irqs++;
	vm_irq_line(p->vm, MACHINE_UART_IRQ, level);
}

static int uart_irq_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	struct run_platform *p = opaque;
	int r = uart16550_bus_ops.read(&p->uart, off, data, size);

	uart_irq_update(p);
	return r;
}

static int uart_irq_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct run_platform *p = opaque;
	int r = uart16550_bus_ops.write(&p->uart, off, data, size);

	uart_irq_update(p);
	return r;
}

static const struct bus_ops uart_irq_bus_ops = {
	.read = uart_irq_read,
	.write = uart_irq_write,
};

enum outcome run_platform_add(struct run_platform *p, struct machine *m, FILE *serial, char *err,
			      size_t errlen)
{
	struct machine_platform mp = {
		.uart = p->uart_irq ? (struct machine_dev){ &uart_irq_bus_ops, p } :
				      (struct machine_dev){ &uart16550_bus_ops, &p->uart },
		.bench = { &bench_bus_ops, &p->bench },
		.test_pio = { &test_regs_bus_ops, &p->pio_regs },
		.test_mmio = { &test_regs_bus_ops, &p->mmio_regs },
		.coalesced_sink = { &test_regs_bus_ops, &p->coalesced_sink },
		.pm_timer = { &pm_timer_bus_ops, &p->pm_timer },
	};
	enum outcome o;

	p->serial = serial;
	p->serial_bol = true;
	pm_timer_init(&p->pm_timer, NULL);
	irq_source_init(&p->irqsrc);
	p->vm = machine_vm(m);
	o = machine_add_platform(m, &mp, err, errlen);
	if (o == OUTCOME_OK) {
		uart16550_init(&p->uart, serial_tx, p);
		/* Optional, as the ioeventfds are: its tests skip without it. */
		if (irq_source_attach(&p->irqsrc, p->vm, MACHINE_IRQSRC_PORT, BOOT_IRQSRC_GSI, err, errlen))
			irq_source_destroy(&p->irqsrc, p->vm);
		err[0] = 0;
	}
	return o;
}

const char *run_platform_linux_end(const struct run_platform *p)
{
	return p->end_reason ? p->end_reason : p->bench.done ? "done" : NULL;
}

static void acpi_pm_event(void *opaque, enum acpi_pm_event e)
{
	struct run_platform *p = opaque;

	if (p->end_reason)
		return;
	p->end_reason = e == ACPI_PM_POWEROFF ? "poweroff" : "reset";
	vm_stop(p->vm, OUTCOME_OK, e == ACPI_PM_POWEROFF ? "the guest powered off (ACPI S5)" :
		"the guest reset itself (ACPI reset register)");
}

enum outcome run_platform_add_linux(struct run_platform *p, struct machine *m, FILE *serial,
				    struct linux_console *console, char *err, size_t errlen)
{
	enum outcome o;

	p->console = console;
	p->uart_irq = true;
	acpi_pm_init(&p->acpi_pm, acpi_pm_event, p);
	o = run_platform_add(p, m, serial, err, errlen);
	if (o == OUTCOME_OK && bus_register(&machine_vm(m)->pio, "acpi-pm", ACPI_PM_BASE_PORT, ACPI_PM_PORTS,
					    &acpi_pm_bus_ops, &p->acpi_pm, err, errlen))
		o = OUTCOME_FAILED;
	return o;
}

void run_platform_bench_init(struct run_platform *p, struct machine *m, const struct bench_hooks *hooks)
{
	char err[160];
	int64_t off;

	bench_init(&p->bench, &machine_vm(m)->mem, BOOT_MAILBOX_GPA, hooks, stderr);
	p->bench_ready = true;
	/* Stamps in guest time need the offset; without it the source is not offered. */
	if (p->irqsrc.irq_fd >= 0 &&
	    (irq_source_vcpu_tsc_offset(machine_vcpu(m, 0)->fd, &off, err, sizeof(err)) ||
	     irq_source_start(&p->irqsrc, &machine_vm(m)->mem, off, err, sizeof(err))))
		irq_source_destroy(&p->irqsrc, p->vm);
	if (p->irqsrc.running)
		machine_boot_info(m)->flags |= BOOT_F_IRQ_SOURCE;
}

void run_platform_destroy(struct run_platform *p)
{
	if (p->vm) /* run_platform_add ran: the source's fds are its own */
		irq_source_destroy(&p->irqsrc, p->vm);
	if (!p->bench_ready)
		return;
	if (p->serial_text.dropped || p->bench.log_text.dropped)
		fprintf(stderr, "exitlab run: dropped %llu bytes of the guest's serial output and %llu of its "
			"log (each passes at most %u bytes)\n", (unsigned long long)p->serial_text.dropped,
			(unsigned long long)p->bench.log_text.dropped, GUEST_TEXT_MAX);
	bench_destroy(&p->bench);
	p->bench_ready = false;
}

json_t *run_platform_regs_json(const struct run_platform *p)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"pio_reads", (json_int_t)p->pio_regs.reads, "pio_writes", (json_int_t)p->pio_regs.writes,
		"mmio_reads", (json_int_t)p->mmio_regs.reads, "mmio_writes", (json_int_t)p->mmio_regs.writes,
		"coalesced_writes", (json_int_t)p->coalesced_sink.writes,
		"pmtimer_reads", (json_int_t)p->pm_timer.reads,
		"irq_source_fires", (json_int_t)__atomic_load_n(&p->irqsrc.fires, __ATOMIC_RELAXED));
}
