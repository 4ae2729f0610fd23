/* SPDX-License-Identifier: MIT */
#include "exitlab/boot_abi.h"
#include "run/run_platform.h"
#include "vmm/machine_layout.h"
#include "vmm/vm.h"

static void serial_tx(void *opaque, uint8_t c)
{
	struct run_platform *p = opaque;

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

enum outcome run_platform_add(struct run_platform *p, struct machine *m, FILE *serial, char *err,
			      size_t errlen)
{
	struct machine_platform mp = {
		.uart = { &uart16550_bus_ops, &p->uart },
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
