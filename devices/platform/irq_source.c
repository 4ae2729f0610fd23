/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <linux/kvm.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "devices/platform/irq_source.h"
#include "exitlab/boot_abi.h"
#include "util/host_tsc.h"
#include "vmm/vm.h"

void irq_source_init(struct irq_source *s)
{
	memset(s, 0, sizeof(*s));
	s->fire_fd = s->irq_fd = s->stop_fd = -1;
	s->ev.fd = -1;
}

static int reg_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	struct irq_source *s = opaque;
	uint32_t v = off == IRQ_SOURCE_REG_DELAY ? s->delay_us : off == IRQ_SOURCE_REG_STAMP ? s->stamp_gpa : 0;

	memcpy(data, &v, size > 4 ? 4 : size);
	return 0;
}

static int reg_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct irq_source *s = opaque;
	uint32_t v = 0;

	if (size != 4)
		return -1;
	memcpy(&v, data, 4);
	if (off == IRQ_SOURCE_REG_DELAY)
		s->delay_us = v > IRQ_SOURCE_DELAY_MAX ? IRQ_SOURCE_DELAY_MAX : v;
	else if (off == IRQ_SOURCE_REG_STAMP)
		s->stamp_gpa = v;
	else
		return -1;
	return 0;
}

const struct bus_ops irq_source_bus_ops = {
	.read = reg_read,
	.write = reg_write,
};

int irq_source_attach(struct irq_source *s, struct vm *vm, uint16_t port, unsigned gsi, char *err,
		      size_t errlen)
{
	struct kvm_irqfd f = { .gsi = gsi };

	if (!vm->has_irqchip) {
		snprintf(err, errlen, "no in-kernel irqchip");
		return -1;
	}
	if (ioeventfd_add(vm, &s->ev, port, 4, true, false, 0, err, errlen))
		return -1;
	s->fire_fd = s->ev.fd;
	s->irq_fd = eventfd(0, EFD_CLOEXEC);
	if (s->irq_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
	f.fd = (uint32_t)s->irq_fd;
	if (ioctl(vm->vm_fd, KVM_IRQFD, &f) < 0) {
		snprintf(err, errlen, "KVM_IRQFD (GSI %u): %s", gsi, strerror(errno));
		return -1;
	}
	s->irqfd_bound = true;
	return bus_register(&vm->pio, "irq-source", port + 4u, IRQ_SOURCE_REGS, &irq_source_bus_ops, s, err,
			    errlen);
}

int irq_source_vcpu_tsc_offset(int vcpu_fd, int64_t *off, char *err, size_t errlen)
{
#ifdef KVM_VCPU_TSC_CTRL
	struct kvm_device_attr a = { .group = KVM_VCPU_TSC_CTRL, .attr = KVM_VCPU_TSC_OFFSET,
				     .addr = (uint64_t)(uintptr_t)off };

	if (ioctl(vcpu_fd, KVM_GET_DEVICE_ATTR, &a) == 0)
		return 0;
	snprintf(err, errlen, "KVM_VCPU_TSC_OFFSET: %s", strerror(errno));
#else
	(void)vcpu_fd;
	(void)off;
	snprintf(err, errlen, "built without KVM_VCPU_TSC_CTRL");
#endif
	return -1;
}

static void sleep_us(uint32_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* One fire: wait, stamp the guest TSC, raise the interrupt. */
static void fire(struct irq_source *s)
{
	uint64_t one = 1, tsc;
	uint64_t *stamp = s->stamp_gpa ? guest_mem_ptr(s->mem, s->stamp_gpa, sizeof(uint64_t)) : NULL;

	if (s->delay_us)
		sleep_us(s->delay_us);
	tsc = tsc_end();
	if (stamp)
		__atomic_store_n(stamp, tsc + (uint64_t)s->tsc_offset, __ATOMIC_RELEASE);
	else
		__atomic_fetch_add(&s->stamps_refused, 1, __ATOMIC_RELAXED);
	if (write(s->irq_fd, &one, sizeof(one)) == sizeof(one))
		__atomic_fetch_add(&s->fires, 1, __ATOMIC_RELAXED);
}

static void *source_thread(void *arg)
{
	struct irq_source *s = arg;
	struct pollfd p[2] = { { .fd = s->fire_fd, .events = POLLIN }, { .fd = s->stop_fd, .events = POLLIN } };

	for (;;) {
		uint64_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN) || read(s->fire_fd, &n, sizeof(n)) != sizeof(n))
			continue;
		/* Writes that came together are one fire each: none is lost, each is stamped. */
		while (n--)
			fire(s);
	}
	return NULL;
}

int irq_source_start(struct irq_source *s, const struct guest_mem *mem, int64_t tsc_offset, char *err,
		     size_t errlen)
{
	int rc;

	s->mem = mem;
	s->tsc_offset = tsc_offset;
	s->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (s->stop_fd < 0 || s->fire_fd < 0 || s->irq_fd < 0) {
		snprintf(err, errlen, "irq source: %s", s->stop_fd < 0 ? strerror(errno) : "not attached");
		return -1;
	}
	rc = pthread_create(&s->thread, NULL, source_thread, s);
	if (rc) {
		snprintf(err, errlen, "irq source thread: %s", strerror(rc));
		return -1;
	}
	pthread_setname_np(s->thread, "irq-source");
	s->running = true;
	return 0;
}

void irq_source_destroy(struct irq_source *s, struct vm *vm)
{
	uint64_t one = 1;

	if (s->running) {
		if (write(s->stop_fd, &one, sizeof(one)) != sizeof(one))
			perror("irq source: stop");
		pthread_join(s->thread, NULL);
		s->running = false;
	}
	if (s->irqfd_bound && vm) {
		struct kvm_irqfd f = { .fd = (uint32_t)s->irq_fd, .gsi = BOOT_IRQSRC_GSI,
				       .flags = KVM_IRQFD_FLAG_DEASSIGN };

		ioctl(vm->vm_fd, KVM_IRQFD, &f);
		s->irqfd_bound = false;
	}
	if (s->ev.fd >= 0 && vm)
		ioeventfd_del(vm, &s->ev);
	else if (s->fire_fd >= 0 && s->fire_fd != s->ev.fd)
		close(s->fire_fd);
	if (s->irq_fd >= 0)
		close(s->irq_fd);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	s->fire_fd = s->irq_fd = s->stop_fd = s->ev.fd = -1;
}
