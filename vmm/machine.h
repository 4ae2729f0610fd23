/* SPDX-License-Identifier: MIT */
/*
 * A bootable machine, built the way KVM's selftests build theirs: create it
 * from a config, add the platform devices, load a payload, create the
 * vCPUs, start, release, wait; stop from anywhere; destroy. It owns the VM,
 * the fixed layout of the platform (vmm/machine_layout.h), the ioeventfds
 * and coalesced zone, the boot_info it hands the payload and the vCPUs'
 * boot state. Device models are a layer up: they come in through struct
 * machine_platform (their bus ops), or through the VM's generic buses and
 * irq chip (machine_vm) for anything else.
 *
 * Every step reports an enum outcome, which is also the process exit code.
 */
#ifndef EXITLAB_MACHINE_H
#define EXITLAB_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/outcome.h"
#include "vmm/boot_info.h"
#include "vmm/bus.h"
#include "vmm/elf.h"
#include "vmm/guest_mem.h"
#include "vmm/linux_boot.h"

struct machine;
struct vm;
struct vcpu;

/* How the vCPUs start. */
enum machine_boot {
	/*
	 * exitlab's payload boot: the ELF copied into low RAM, identity page
	 * tables for the low 4 GiB, every vCPU in 64-bit long mode at the ELF
	 * entry with boot_info's address as its argument.
	 */
	MACHINE_BOOT_PAYLOAD = 0,
	/*
	 * A Linux bzImage by the x86 boot protocol (vmm/linux_boot.h): the
	 * boot CPU at startup_64 with RSI = the zero page, the ACPI tables
	 * and e820 map of vmm/linux_boot_params.h; no boot_info.
	 */
	MACHINE_BOOT_LINUX,
	MACHINE_BOOT_COUNT
};

struct machine_config {
	uint64_t mem_size;        /* bytes: below BOOT_RAM_MAX, the rest from 4 GiB up */
	enum guest_backing backing;
	unsigned nvcpus;          /* 1..VM_MAX_VCPUS */
	enum machine_boot boot;
	bool exit_timing;         /* time every exit's handler (vcpu.exit_timing) */
};

/* A platform device: the bus ops the machine registers at its fixed address. */
struct machine_dev {
	const struct bus_ops *ops;
	void *opaque;
};

/* Every payload's devices (docs/architecture.md, "One run, in order"). */
struct machine_platform {
	struct machine_dev uart;           /* 16550 at MACHINE_UART_PORT */
	struct machine_dev bench;          /* bench doorbell at MACHINE_BENCH_PORT */
	struct machine_dev test_pio;       /* test registers at MACHINE_TEST_PIO_PORT */
	struct machine_dev test_mmio;      /* test registers at MACHINE_TEST_MMIO_GPA */
	struct machine_dev coalesced_sink; /* what the coalesced zone's writes replay into */
	struct machine_dev pm_timer;       /* ACPI PM timer at MACHINE_PMTIMER_PORT (ops NULL: none) */
};

/* The payload as elf_parse read it. */
struct machine_payload {
	const void *image;
	size_t len;
	const struct elf_image *elf;
};

/* What the ioeventfds counted (guest writes that never left the kernel). */
struct machine_ioevents {
	uint64_t pio_wildcard, pio_datamatch, mmio, mmio_datamatch;
};

/* The config's own checks, without KVM: OK, or BAD_INPUT with err. */
enum outcome machine_config_check(const struct machine_config *c, char *err, size_t errlen);
/* Open /dev/kvm, create the VM, its irqchip and RAM: NO_HOST when the host lacks something. */
enum outcome machine_create(struct machine **mp, const struct machine_config *c, char *err, size_t errlen);
/* After the vCPUs have stopped (or never started); the caller's devices are gone first. */
void machine_destroy(struct machine *m);

/*
 * Register the platform devices, the ioeventfds, the coalesced zone and the
 * in-kernel PIT (those three optional: boot_info says which exist).
 */
enum outcome machine_add_platform(struct machine *m, const struct machine_platform *p, char *err,
				  size_t errlen);
/* Lay the payload into RAM by the boot protocol and fill boot_info: BAD_INPUT when it does not fit. */
enum outcome machine_load(struct machine *m, const struct machine_payload *p, const struct boot_args *a,
			  char *err, size_t errlen);
/*
 * MACHINE_BOOT_LINUX's load: the kernel, initrd, command line, ACPI tables
 * and zero page (in->nvcpus is the machine's); out says where they went.
 * BAD_INPUT when they do not fit.
 */
enum outcome machine_load_linux(struct machine *m, const struct linux_boot_in *in, struct linux_boot_out *out,
				char *err, size_t errlen);
/* Create every vCPU in its boot state (after machine_load). */
enum outcome machine_create_vcpus(struct machine *m, char *err, size_t errlen);
/*
 * The guest TSC frequency in kHz from KVM (KVM_GET_TSC_KHZ on vCPU 0), 0 if
 * KVM cannot say; machine_set_tsc_khz records the one to use (boot_info's
 * tsc_khz and time goal).
 */
uint64_t machine_tsc_khz(struct machine *m);
void machine_set_tsc_khz(struct machine *m, uint64_t khz);

/*
 * Copy boot_info into guest RAM and start the vCPU threads; each publishes
 * its tid and waits at its gate until machine_release.
 */
enum outcome machine_start(struct machine *m, char *err, size_t errlen);
void machine_release(struct machine *m);
/*
 * Wait for every vCPU to end (timeout_s <= 0: forever; past it the machine
 * is stopped as FAILED, "timed out"). The outcome the machine stopped with:
 * OK, FAILED or NO_HOST.
 */
enum outcome machine_wait(struct machine *m, double timeout_s);
/* Stop the machine (any thread); the first outcome and reason are kept. */
void machine_stop(struct machine *m, enum outcome o, const char *why);
const char *machine_stop_reason(const struct machine *m);

unsigned machine_nvcpus(const struct machine *m);
/* The CPUs this process may run on (its affinity mask): the most vCPUs a machine gets. */
unsigned machine_host_cpus(void);
struct vcpu *machine_vcpu(struct machine *m, unsigned i);
pid_t machine_vcpu_tid(const struct machine *m, unsigned i);
/* The VM: its RAM, buses and irqchip, for devices that are not the platform's. */
struct vm *machine_vm(struct machine *m);
/* boot_info as it will be handed over (devices add their fields before machine_start). */
struct boot_info *machine_boot_info(struct machine *m);
void machine_ioevents_drain(struct machine *m, struct machine_ioevents *ev);

#endif
