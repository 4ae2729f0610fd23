/* SPDX-License-Identifier: MIT */
/*
 * A virtio transport for device-model unit tests: each queue's kick is one
 * eventfd the test writes, interrupts are counted (queue and configuration
 * apart), and there is no call fd, so the model signals through interrupt().
 */
#ifndef EXITLAB_TEST_FAKE_TRANSPORT_H
#define EXITLAB_TEST_FAKE_TRANSPORT_H

#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/virtio/virtio.h"

struct fake_transport {
	int kick;
	int irqs, cfg_irqs; /* read with __atomic_load_n while a worker runs */
};

static int ft_interrupt(struct virtio_dev *v, int q)
{
	struct fake_transport *t = v->transport;

	__atomic_fetch_add(q < 0 ? &t->cfg_irqs : &t->irqs, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static int ft_kick_fd(struct virtio_dev *v, unsigned q)
{
	(void)q;
	return ((struct fake_transport *)v->transport)->kick;
}

static int ft_call_fd(struct virtio_dev *v, unsigned q)
{
	(void)v, (void)q;
	return -1;
}

static const struct virtio_transport_ops ft_ops = {
	.interrupt = ft_interrupt, .kick_fd = ft_kick_fd, .call_fd = ft_call_fd,
};

/* v driven through t, its kick eventfd made. */
static inline void fake_transport_attach(struct fake_transport *t, struct virtio_dev *v)
{
	t->kick = eventfd(0, EFD_NONBLOCK);
	v->tops = &ft_ops;
	v->transport = t;
}

#endif
