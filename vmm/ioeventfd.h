/* SPDX-License-Identifier: MIT */
/*
 * Guest writes that KVM completes in the kernel: ioeventfds (the write
 * signals an eventfd, no userspace exit) and coalesced MMIO/PIO zones (the
 * write is queued in a ring and replayed at the next userspace exit).
 */
#ifndef EXITLAB_IOEVENTFD_H
#define EXITLAB_IOEVENTFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

struct ioeventfd {
	int fd;            /* eventfd; its counter = number of guest writes */
	uint64_t addr;
	unsigned len;
	bool pio, datamatch;
	uint64_t value;
};

/* Register: any write of `len` bytes at addr (or only `value` with datamatch). */
int ioeventfd_add(struct vm *vm, struct ioeventfd *ev, uint64_t addr, unsigned len, bool pio,
		  bool datamatch, uint64_t value, char *err, size_t errlen);
int ioeventfd_del(struct vm *vm, struct ioeventfd *ev);
/*
 * The same for an eventfd the caller owns (a virtio queue's kick fd, which
 * must survive its notify address moving): attach does not create it, detach
 * does not close it.
 */
int ioeventfd_attach(struct vm *vm, struct ioeventfd *ev, int fd, uint64_t addr, unsigned len, bool pio,
		     bool datamatch, uint64_t value, char *err, size_t errlen);
int ioeventfd_detach(struct vm *vm, struct ioeventfd *ev);
/* Read and reset the eventfd counter (non-blocking; 0 if nothing was signalled). */
uint64_t ioeventfd_drain(struct ioeventfd *ev);

int coalesced_zone_add(struct vm *vm, uint64_t addr, uint32_t size, bool pio, char *err,
		       size_t errlen);

#endif
