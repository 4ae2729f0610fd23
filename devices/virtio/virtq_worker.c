/* SPDX-License-Identifier: MIT */
/* The worker of a one-queue virtio device (devices/virtio/virtq_worker.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/dev_metrics.h"
#include "devices/virtio/virtq_worker.h"
#include "vmm/thread_cpu.h"

/* What a nonblocking eventfd holds, taken: whether there was anything. */
static bool take_eventfd(int fd)
{
	uint64_t c;

	return read(fd, &c, sizeof(c)) == sizeof(c);
}

static void notify(struct virtq_worker *w)
{
	struct virtio_dev *v = w->v;

	if (virtq_should_notify(&v->vq[0])) {
		v->tops->interrupt(v, 0);
		DEV_METRIC_ADD(w->interrupts, 1);
	} else {
		DEV_METRIC_ADD(w->interrupts_suppressed, 1);
	}
}

/* Everything available, in batches: 0 idle, -1 the ring broke. */
static int drain(struct virtq_worker *w, struct virtq_elem *e)
{
	struct virtio_dev *v = w->v;
	struct virtq *q = &v->vq[0];

	for (;;) {
		unsigned done = 0;
		int r = 0;

		virtq_set_kick_wanted(q, false);
		while (done < VIRTQ_WORKER_BUDGET && (r = virtq_pop(q, e)) == 1) {
			virtq_push(q, e->head, w->request(w->ctx, e));
			done++;
		}
		if (done)
			notify(w);
		if (r < 0) {
			virtio_dev_needs_reset(v, q->why);
			return -1;
		}
		if (done == VIRTQ_WORKER_BUDGET)
			continue;
		/* Kicks back on, then look again: the driver may have added a chain in between. */
		virtq_set_kick_wanted(q, true);
		if (!virtq_has_avail(q))
			return 0;
	}
}

static void *worker_main(void *arg)
{
	struct virtq_worker *w = arg;
	struct virtio_dev *v = w->v;
	struct virtq_elem *e = malloc(sizeof(*e));
	struct pollfd p[2] = {
		{ .fd = w->stop_fd, .events = POLLIN },
		{ .fd = v->tops->kick_fd(v, 0), .events = POLLIN },
	};

	pthread_setname_np(pthread_self(), w->name);
	if (!e || drain(w, e) < 0)
		goto out;
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if ((p[1].revents & POLLIN) && take_eventfd(p[1].fd))
			DEV_METRIC_ADD(w->kicks, 1);
		if (drain(w, e) < 0)
			break;
	}
out:
	free(e);
	return NULL;
}

int virtq_worker_init(struct virtq_worker *w, struct virtio_dev *v, const char *name,
		      uint32_t (*request)(void *ctx, struct virtq_elem *e), void *ctx, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->v = v;
	w->name = name;
	w->request = request;
	w->ctx = ctx;
	w->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->stop_fd < 0) {
		snprintf(err, errlen, "%s: eventfd: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

int virtq_worker_start(struct virtq_worker *w)
{
	struct virtio_dev *v = w->v;

	virtq_worker_stop(w);
	if (!v->tops || !v->tops->kick_fd || !v->tops->interrupt || !v->vq[0].ready)
		return -1;
	if (w->serve_inline) {
		w->inline_started = true; /* virtq_worker_serve() does the thread's job */
		return 0;
	}
	if (thread_cpu_create(&w->thread, worker_main, w))
		return -1;
	w->running = true;
	return 0;
}

void virtq_worker_stop(struct virtq_worker *w)
{
	uint64_t one = 1;

	w->inline_started = false;
	if (!w->running)
		return;
	if (write(w->stop_fd, &one, sizeof(one)) != sizeof(one))
		fprintf(stderr, "%s: stop eventfd: %s\n", w->name, strerror(errno));
	pthread_join(w->thread, NULL);
	w->running = false;
	take_eventfd(w->stop_fd);
}

int virtq_worker_serve(struct virtq_worker *w)
{
	struct virtio_dev *v = w->v;
	struct virtq_elem *e;
	int kfd, rc;

	if (!w->inline_started)
		return -1;
	/* A kick the transport left in the eventfd, taken as the thread would. */
	kfd = v->tops->kick_fd(v, 0);
	if (kfd >= 0 && take_eventfd(kfd))
		DEV_METRIC_ADD(w->kicks, 1);
	e = malloc(sizeof(*e));
	if (!e)
		return -1;
	rc = drain(w, e);
	free(e);
	return rc;
}

void virtq_worker_destroy(struct virtq_worker *w)
{
	if (w->stop_fd < 0)
		return;
	virtq_worker_stop(w);
	close(w->stop_fd);
	w->stop_fd = -1;
}
