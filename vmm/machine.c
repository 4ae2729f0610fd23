/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <linux/kvm.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "vmm/boot_x86.h"
#include "vmm/ioeventfd.h"
#include "vmm/kvm_pit.h"
#include "vmm/linux_boot_params.h"
#include "vmm/machine.h"
#include "vmm/machine_layout.h"
#include "vmm/vm.h"

struct machine {
	struct machine_config cfg;
	struct vm vm;
	bool vm_made;                      /* vm_create ran: vm_destroy must too */
	struct ioeventfd ev_pio, ev_pio_dm, ev_mmio, ev_mmio_dm;
	bool loaded;
	uint64_t entry;                    /* where the boot CPU starts */
	uint64_t zero_page;                /* MACHINE_BOOT_LINUX: its RSI */
	struct boot_info bi;               /* copied into guest RAM by machine_start */
	double goal_ms;
};

enum outcome machine_config_check(const struct machine_config *c, char *err, size_t errlen)
{
	if (c->nvcpus < 1 || c->nvcpus > VM_MAX_VCPUS) {
		snprintf(err, errlen, "%u vCPUs: this machine has 1..%d", c->nvcpus, VM_MAX_VCPUS);
		return OUTCOME_BAD_INPUT;
	}
	if ((unsigned)c->boot >= MACHINE_BOOT_COUNT) {
		snprintf(err, errlen, "boot protocol %d: unknown", (int)c->boot);
		return OUTCOME_BAD_INPUT;
	}
	if (c->mem_size < BOOT_MAILBOX_GPA + 0x1000 || c->mem_size > GUEST_MEM_MAX) {
		snprintf(err, errlen, "guest RAM of %llu bytes: %llu..%llu", (unsigned long long)c->mem_size,
			 (unsigned long long)(BOOT_MAILBOX_GPA + 0x1000), (unsigned long long)GUEST_MEM_MAX);
		return OUTCOME_BAD_INPUT;
	}
	return OUTCOME_OK;
}

unsigned machine_host_cpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* What this host can give the vCPUs asked for: OK, or NO_HOST with the reason. */
static enum outcome host_fits(const struct machine_config *c, char *err, size_t errlen)
{
	unsigned cpus = machine_host_cpus();

	if (c->nvcpus > cpus) {
		snprintf(err, errlen, "%u vCPUs: this process may run on %u host CPU%s, and exitlab "
			 "gives every vCPU a CPU of its own at most", c->nvcpus, cpus, cpus == 1 ? "" : "s");
		return OUTCOME_NO_HOST;
	}
	return OUTCOME_OK;
}

/* Several vCPUs: the kernel's limit, and the in-kernel LAPIC that INIT-SIPI-SIPI goes through. */
static enum outcome vm_fits(struct vm *vm, unsigned nvcpus, char *err, size_t errlen)
{
	int max;

	if (nvcpus < 2)
		return OUTCOME_OK;
	if (!vm->has_irqchip) {
		snprintf(err, errlen, "%u vCPUs need KVM's in-kernel irqchip (the APs start by INIT-SIPI-SIPI "
			 "through its local APIC), which this host did not create", nvcpus);
		return OUTCOME_NO_HOST;
	}
	max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max > 0 && nvcpus > (unsigned)max) {
		snprintf(err, errlen, "%u vCPUs: this host's KVM allows %d per VM", nvcpus, max);
		return OUTCOME_NO_HOST;
	}
	return OUTCOME_OK;
}

enum outcome machine_create(struct machine **mp, const struct machine_config *c, char *err, size_t errlen)
{
	struct vm_config vc = { .mem_size = c->mem_size, .backing = c->backing, .irqchip = true };
	struct machine *m;
	enum outcome o;

	*mp = NULL;
	o = machine_config_check(c, err, errlen);
	if (!o)
		o = host_fits(c, err, errlen);
	if (o)
		return o;
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory for the machine");
		return OUTCOME_FAILED;
	}
	m->cfg = *c;
	m->ev_pio.fd = m->ev_pio_dm.fd = m->ev_mmio.fd = m->ev_mmio_dm.fd = -1;
	*mp = m;
	m->vm_made = true;
	o = vm_create(&m->vm, &vc, err, errlen);
	return o ? o : vm_fits(&m->vm, c->nvcpus, err, errlen);
}

void machine_destroy(struct machine *m)
{
	if (!m)
		return;
	if (m->vm_made) {
		ioeventfd_del(&m->vm, &m->ev_pio);
		ioeventfd_del(&m->vm, &m->ev_pio_dm);
		ioeventfd_del(&m->vm, &m->ev_mmio);
		ioeventfd_del(&m->vm, &m->ev_mmio_dm);
		vm_destroy(&m->vm);
	}
	free(m);
}

enum outcome machine_add_platform(struct machine *m, const struct machine_platform *p, char *err,
				  size_t errlen)
{
	struct vm *vm = &m->vm;
	struct boot_info *bi = &m->bi;

	if (bus_register(&vm->pio, "uart16550", MACHINE_UART_PORT, 8, p->uart.ops, p->uart.opaque, err, errlen) ||
	    bus_register(&vm->pio, "bench", MACHINE_BENCH_PORT, 4, p->bench.ops, p->bench.opaque, err, errlen) ||
	    bus_register(&vm->pio, "test-regs", MACHINE_TEST_PIO_PORT, 4, p->test_pio.ops, p->test_pio.opaque,
			 err, errlen) ||
	    bus_register(&vm->mmio, "test-regs", MACHINE_TEST_MMIO_GPA, MACHINE_MMIO_PAGE, p->test_mmio.ops,
			 p->test_mmio.opaque, err, errlen) ||
	    bus_register(&vm->mmio, "coalesced-sink", MACHINE_COALESCED_MMIO_GPA, MACHINE_MMIO_PAGE,
			 p->coalesced_sink.ops, p->coalesced_sink.opaque, err, errlen) ||
	    (p->pm_timer.ops && bus_register(&vm->pio, "pm-timer", MACHINE_PMTIMER_PORT, 4, p->pm_timer.ops,
					     p->pm_timer.opaque, err, errlen)))
		return OUTCOME_FAILED;
	/* ioeventfds and the coalesced zone are optional: a payload test skips without them. */
	if (ioeventfd_add(vm, &m->ev_pio, MACHINE_IOEVENT_PORT, 4, true, false, 0, err, errlen) == 0)
		bi->ioevent_port = MACHINE_IOEVENT_PORT;
	if (ioeventfd_add(vm, &m->ev_pio_dm, MACHINE_IOEVENT_DM_PORT, 4, true, true, BOOT_IOEVENT_DATAMATCH,
			  err, errlen) == 0)
		bi->ioevent_dm_port = MACHINE_IOEVENT_DM_PORT;
	if (ioeventfd_add(vm, &m->ev_mmio, MACHINE_IOEVENT_MMIO_GPA, 4, false, false, 0, err, errlen) == 0)
		bi->ioevent_mmio_gpa = MACHINE_IOEVENT_MMIO_GPA;
	if (bi->ioevent_mmio_gpa &&
	    ioeventfd_add(vm, &m->ev_mmio_dm, MACHINE_IOEVENT_MMIO_DM_GPA, 4, false, true, BOOT_IOEVENT_DATAMATCH,
			  err, errlen) == 0)
		bi->flags |= BOOT_F_IOEVENT_MMIO_DM;
	/* A port KVM answers itself, beside the VMM's test port: the in-kernel PIT's counter 0. */
	if (vm->has_irqchip && kvm_pit_create(vm->kvm_fd, vm->vm_fd, NULL, err, errlen) == 1)
		bi->kernel_pio_port = MACHINE_PIT_PORT;
	if (p->pm_timer.ops)
		bi->pmtimer_port = MACHINE_PMTIMER_PORT;
	if (coalesced_zone_add(vm, MACHINE_COALESCED_MMIO_GPA, MACHINE_MMIO_PAGE, false, err, errlen) == 0)
		bi->coalesced_mmio_gpa = MACHINE_COALESCED_MMIO_GPA;
	bi->bench_port = MACHINE_BENCH_PORT;
	bi->test_pio_port = MACHINE_TEST_PIO_PORT;
	bi->test_mmio_gpa = MACHINE_TEST_MMIO_GPA;
	err[0] = 0;
	return OUTCOME_OK;
}

/* MACHINE_BOOT_PAYLOAD: page tables, the image, the params text; boot_info is filled by the caller. */
static int load_payload(struct machine *m, const struct machine_payload *p, const struct boot_args *a,
			char *err, size_t errlen)
{
	struct guest_mem *mem = &m->vm.mem;

	if (boot_build_page_tables(mem, err, errlen) ||
	    elf_load(p->image, p->len, p->elf, mem->host, mem->size, err, errlen))
		return -1;
	if (!guest_mem_ptr(mem, BOOT_INFO_GPA, sizeof(struct boot_info))) {
		snprintf(err, errlen, "guest RAM too small for boot_info");
		return -1;
	}
	if (a->params && a->params[0]) {
		char *text = guest_mem_ptr(mem, BOOT_PARAMS_GPA, BOOT_PARAMS_MAX);

		if (!text) {
			snprintf(err, errlen, "guest RAM too small for the payload's parameters");
			return -1;
		}
		memcpy(text, a->params, strlen(a->params) + 1);
	}
	m->entry = p->elf->entry;
	return 0;
}

enum outcome machine_load(struct machine *m, const struct machine_payload *p, const struct boot_args *a,
			  char *err, size_t errlen)
{
	struct boot_layout l = {
		.low_size = m->vm.mem.size,
		.high_size = m->vm.mem.high_size,
		.host_page_size = (uint32_t)m->vm.mem.page_size,
		.image_end = p->elf->highest,
		.amd = vm_host_is_amd(),
		.irqchip = m->vm.has_irqchip,
		.nvcpus = m->cfg.nvcpus,
	};

	if (boot_info_fill(&m->bi, &l, a, err, errlen))
		return OUTCOME_BAD_INPUT;
	switch (m->cfg.boot) {
	case MACHINE_BOOT_PAYLOAD:
		if (load_payload(m, p, a, err, errlen))
			return OUTCOME_BAD_INPUT;
		break;
	default:
		snprintf(err, errlen, "boot protocol %d: unknown", (int)m->cfg.boot);
		return OUTCOME_BAD_INPUT;
	}
	m->goal_ms = a->goal_ms;
	m->loaded = true;
	return OUTCOME_OK;
}

enum outcome machine_load_linux(struct machine *m, const struct linux_boot_in *in, struct linux_boot_out *out,
				char *err, size_t errlen)
{
	struct linux_boot_in l = *in;

	if (m->cfg.boot != MACHINE_BOOT_LINUX) {
		snprintf(err, errlen, "a Linux kernel on a machine built for another boot protocol");
		return OUTCOME_FAILED;
	}
	l.nvcpus = m->cfg.nvcpus;
	if (linux_boot_load(&m->vm.mem, &l, out, err, errlen))
		return OUTCOME_BAD_INPUT;
	m->entry = out->entry;
	m->zero_page = out->zero_page;
	m->loaded = true;
	return OUTCOME_OK;
}

/* Say so rather than trust the default: an AP runs nothing before its SIPI. */
static int ap_hold(struct vcpu *v, char *err, size_t errlen)
{
	struct kvm_mp_state st = { .mp_state = KVM_MP_STATE_UNINITIALIZED };

	if (ioctl(v->fd, KVM_SET_MP_STATE, &st) < 0) {
		snprintf(err, errlen, "vCPU %d: KVM_SET_MP_STATE (wait for SIPI): %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * One TSC for every vCPU of a Linux guest, as QEMU gives its vCPUs by writing
 * their TSCs together: each vCPU takes vCPU 0's TSC offset
 * (KVM_VCPU_TSC_OFFSET), so KVM counts them matched and keeps its master
 * clock for kvmclock, however long the vCPUs took to create (KVM matches
 * creations only within a second of each other, which a slow nested host
 * exceeds). Best effort: a kernel without the attribute keeps its own sync.
 * The number of vCPUs set.
 */
static unsigned sync_tsc_offsets(struct machine *m)
{
	unsigned n = 0;
#ifdef KVM_VCPU_TSC_CTRL
	int64_t off;
	struct kvm_device_attr a = { .group = KVM_VCPU_TSC_CTRL, .attr = KVM_VCPU_TSC_OFFSET,
				     .addr = (uint64_t)(uintptr_t)&off };

	if (ioctl(m->vm.vcpus[0].fd, KVM_GET_DEVICE_ATTR, &a))
		return 0;
	/* vCPU 0 too, first: KVM then starts a generation at that offset and counts the others into it. */
	for (int i = 0; i < m->vm.nvcpus; i++)
		if (ioctl(m->vm.vcpus[i].fd, KVM_SET_DEVICE_ATTR, &a) == 0)
			n++;
#else
	(void)m;
#endif
	return n;
}

enum outcome machine_create_vcpus(struct machine *m, char *err, size_t errlen)
{
	if (!m->loaded) {
		snprintf(err, errlen, "vCPUs before a payload: nothing to start them at");
		return OUTCOME_FAILED;
	}
	for (unsigned i = 0; i < m->cfg.nvcpus; i++) {
		struct vcpu *v;

		if (vcpu_create(&m->vm, (int)i, err, errlen))
			return OUTCOME_NO_HOST;
		v = &m->vm.vcpus[i];
		v->exit_timing = m->cfg.exit_timing;
		if (boot_setup_cpuid(m->vm.kvm_fd, v->fd, i, m->cfg.boot == MACHINE_BOOT_LINUX, err, errlen))
			return OUTCOME_NO_HOST;
		if (i == 0 && m->cfg.boot == MACHINE_BOOT_LINUX) {
			if (boot_setup_vcpu_linux(v->fd, m->entry, m->zero_page, LINUX_GDT_GPA, err, errlen))
				return OUTCOME_NO_HOST;
			continue;
		}
		/*
		 * Only the boot CPU starts at the entry. The in-kernel irqchip
		 * holds every AP in KVM_MP_STATE_UNINITIALIZED (its KVM_RUN
		 * blocks) until the guest's INIT-SIPI-SIPI, which resets it into
		 * real mode at the SIPI vector's page, as hardware does.
		 */
		if (i == 0 && boot_setup_vcpu(v->fd, m->entry, BOOT_STACK_TOP, BOOT_INFO_GPA, err, errlen))
			return OUTCOME_NO_HOST;
		if (i > 0 && ap_hold(v, err, errlen))
			return OUTCOME_NO_HOST;
	}
	if (m->cfg.boot == MACHINE_BOOT_LINUX && m->cfg.nvcpus > 1)
		sync_tsc_offsets(m);
	return OUTCOME_OK;
}

uint64_t machine_tsc_khz(struct machine *m)
{
	return m->vm.nvcpus ? vcpu_tsc_khz(&m->vm.vcpus[0]) : 0;
}

void machine_set_tsc_khz(struct machine *m, uint64_t khz)
{
	boot_info_set_tsc(&m->bi, khz, m->goal_ms);
}

enum outcome machine_start(struct machine *m, char *err, size_t errlen)
{
	struct boot_info *g = guest_mem_ptr(&m->vm.mem, BOOT_INFO_GPA, sizeof(*g));

	if (!m->loaded || !g || m->vm.nvcpus != (int)m->cfg.nvcpus) {
		snprintf(err, errlen, "machine started before its payload and vCPUs");
		return OUTCOME_FAILED;
	}
	/* A Linux guest has no boot_info: that page is its RAM. */
	if (m->cfg.boot == MACHINE_BOOT_PAYLOAD)
		memcpy(g, &m->bi, sizeof(*g));
	for (int i = 0; i < m->vm.nvcpus; i++)
		if (vcpu_start(&m->vm.vcpus[i], err, errlen))
			return OUTCOME_FAILED;
	return OUTCOME_OK;
}

void machine_release(struct machine *m)
{
	for (int i = 0; i < m->vm.nvcpus; i++)
		if (m->vm.vcpus[i].started)
			vcpu_release(&m->vm.vcpus[i]);
}

enum outcome machine_wait(struct machine *m, double timeout_s)
{
	struct timespec deadline;

	/* One deadline for all: the boot CPU's end stops the others (vm_stop kicks them). */
	if (timeout_s > 0)
		vcpu_deadline(&deadline, timeout_s);
	for (int i = 0; i < m->vm.nvcpus; i++)
		vcpu_join_until(&m->vm.vcpus[i], timeout_s > 0 ? &deadline : NULL, timeout_s);
	/* Anything but OK or a host lack (a device's own code, say) is a failure. */
	return m->vm.stop_outcome == OUTCOME_NO_HOST || m->vm.stop_outcome == OUTCOME_OK ?
	       m->vm.stop_outcome : OUTCOME_FAILED;
}

void machine_stop(struct machine *m, enum outcome o, const char *why)
{
	vm_stop(&m->vm, o, why);
}

const char *machine_stop_reason(const struct machine *m)
{
	return m->vm.stop_reason;
}

unsigned machine_nvcpus(const struct machine *m)
{
	return (unsigned)m->vm.nvcpus;
}

struct vcpu *machine_vcpu(struct machine *m, unsigned i)
{
	return i < (unsigned)m->vm.nvcpus ? &m->vm.vcpus[i] : NULL;
}

pid_t machine_vcpu_tid(const struct machine *m, unsigned i)
{
	return i < (unsigned)m->vm.nvcpus ? m->vm.vcpus[i].tid : 0;
}

struct vm *machine_vm(struct machine *m)
{
	return &m->vm;
}

struct boot_info *machine_boot_info(struct machine *m)
{
	return &m->bi;
}

void machine_ioevents_drain(struct machine *m, struct machine_ioevents *ev)
{
	ev->pio_wildcard = ioeventfd_drain(&m->ev_pio);
	ev->pio_datamatch = ioeventfd_drain(&m->ev_pio_dm);
	ev->mmio = ioeventfd_drain(&m->ev_mmio);
	ev->mmio_datamatch = ioeventfd_drain(&m->ev_mmio_dm);
}
