/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "microbench/exit_synth.h"

static struct kvm_coalesced_mmio_ring *ring(const struct exit_synth *s)
{
	return (void *)((char *)s->run_area + (size_t)s->vm.coalesced_mmio_page * getpagesize());
}

int exit_synth_init(struct exit_synth *s, bool coalesced, char *err, size_t errlen)
{
	size_t page = getpagesize();
	struct vm *vm = &s->vm;

	memset(s, 0, sizeof(*s));
	vm->kvm_fd = vm->vm_fd = -1;
	vm->mem.memfd = -1;
	pthread_mutex_init(&vm->stop_lock, NULL);
	bus_init(&vm->pio, "pio");
	bus_init(&vm->mmio, "mmio");
	/* KVM's layout: kvm_run, then the PIO data page, then the coalesced ring. */
	vm->coalesced_mmio_page = coalesced ? KVM_COALESCED_MMIO_PAGE_OFFSET : 0;
	s->run_size = (KVM_COALESCED_MMIO_PAGE_OFFSET + 1) * page;
	s->run_area = aligned_alloc(page, s->run_size);
	if (!s->run_area) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(s->run_area, 0, s->run_size);
	s->ring_max = (page - sizeof(struct kvm_coalesced_mmio_ring)) /
		      sizeof(struct kvm_coalesced_mmio);
	if (bus_register(&vm->pio, "uart16550", EXIT_SYNTH_UART_PORT, 8, &test_regs_bus_ops, &s->uart, err, errlen) ||
	    bus_register(&vm->pio, "bench", EXIT_SYNTH_BENCH_PORT, 4, &test_regs_bus_ops, &s->bench, err, errlen) ||
	    bus_register(&vm->pio, "test-regs", EXIT_SYNTH_TEST_PORT, 4, &test_regs_bus_ops, &s->pio_regs, err, errlen) ||
	    bus_register(&vm->mmio, "test-regs", EXIT_SYNTH_TEST_GPA, 0x1000, &test_regs_bus_ops, &s->mmio_regs, err, errlen) ||
	    bus_register(&vm->mmio, "coalesced-sink", EXIT_SYNTH_COALESCED_GPA, 0x1000, &test_regs_bus_ops, &s->coalesced_sink, err, errlen)) {
		exit_synth_destroy(s);
		return -1;
	}
	s->v = &vm->vcpus[0];
	s->v->vm = vm;
	s->v->fd = -1;
	vm->nvcpus = 1;
	vcpu_attach_run(s->v, s->run_area, s->run_size);
	return 0;
}

void exit_synth_destroy(struct exit_synth *s)
{
	bus_destroy(&s->vm.pio);
	bus_destroy(&s->vm.mmio);
	free(s->run_area);
	s->run_area = NULL;
	pthread_mutex_destroy(&s->vm.stop_lock);
}

void exit_synth_io(struct exit_synth *s, uint16_t port, bool out, uint8_t size, uint32_t count,
		   const void *data)
{
	struct kvm_run *r = s->v->run;

	r->exit_reason = KVM_EXIT_IO;
	r->io.direction = out ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN;
	r->io.size = size;
	r->io.port = port;
	r->io.count = count;
	r->io.data_offset = (uint64_t)KVM_PIO_PAGE_OFFSET * getpagesize();
	if (out && data)
		memcpy((char *)r + r->io.data_offset, data, (size_t)size * count);
	else
		memset((char *)r + r->io.data_offset, 0, (size_t)size * count);
}

void exit_synth_mmio(struct exit_synth *s, uint64_t gpa, bool write, uint32_t len,
		     const void *data)
{
	struct kvm_run *r = s->v->run;

	r->exit_reason = KVM_EXIT_MMIO;
	r->mmio.phys_addr = gpa;
	r->mmio.is_write = write;
	r->mmio.len = len;
	memset(r->mmio.data, 0, sizeof(r->mmio.data));
	if (write && data)
		memcpy(r->mmio.data, data, len < sizeof(r->mmio.data) ? len : sizeof(r->mmio.data));
}

void exit_synth_reason(struct exit_synth *s, uint32_t reason)
{
	s->v->run->exit_reason = reason;
}

void exit_synth_msr(struct exit_synth *s, bool write, uint32_t index, uint64_t data)
{
	struct kvm_run *r = s->v->run;

	r->exit_reason = write ? KVM_EXIT_X86_WRMSR : KVM_EXIT_X86_RDMSR;
	r->msr.index = index;
	r->msr.data = data;
	r->msr.error = 0;
}

bool exit_synth_coalesced_push(struct exit_synth *s, bool pio, uint64_t addr, uint32_t len,
			       uint64_t value)
{
	struct kvm_coalesced_mmio_ring *rg = ring(s);
	uint32_t last = rg->last, next = (last + 1) % s->ring_max;
	struct kvm_coalesced_mmio *e;

	if (!s->vm.coalesced_mmio_page || next == rg->first)
		return false;
	e = &rg->coalesced_mmio[last];
	e->phys_addr = addr;
	e->len = len;
	e->pio = pio;
	memcpy(e->data, &value, sizeof(e->data));
	__atomic_store_n(&rg->last, next, __ATOMIC_RELEASE);
	return true;
}

uint32_t exit_synth_coalesced_pending(const struct exit_synth *s)
{
	const struct kvm_coalesced_mmio_ring *rg = ring(s);

	if (!s->vm.coalesced_mmio_page)
		return 0;
	return (rg->last + s->ring_max - rg->first) % s->ring_max;
}
