// SPDX-License-Identifier: MIT
/*
 * The three limits of net_limits.h. Frames are exitlab test frames (the
 * layout of net_backend.h: broadcast, our MAC, ethertype 0x88B5, seq, then
 * the pattern), so the device case's sink checks them as it checks a
 * guest's, and every case proves what it moved: the copy's consumer sees
 * each seq in order, the memcmp matches every frame, the sink counts every
 * frame checked with none bad, lost or out of order.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "devices/net/net_backend.h"
#include "devices/net/net_backend_impl.h"
#include "microbench/net_limits.h"
#include "devices/net/net_pattern.h"
#include "devices/net/net_sink.h"
#include "devices/virtio/virtio_net.h"

const char *const net_limits_case_names[NET_LIMITS_NCASES] = {
	[NET_LIMITS_COPY] = "copy",
	[NET_LIMITS_MEMCMP] = "memcmp",
	[NET_LIMITS_DEVICE] = "device",
};

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	asm volatile("" ::: "memory");
#endif
}

/* A spin-wait step: mostly pause, now and then yield, so that two spinners sharing a CPU still progress. */
static inline void spin(unsigned *n)
{
	if (++*n % 1024 == 0)
		sched_yield();
	else
		cpu_relax();
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* An exitlab test frame of size bytes with sequence number seq. */
static void frame_make(uint8_t *f, unsigned size, uint32_t seq)
{
	memset(f, 0xff, 6);
	memcpy(f + 6, MAC, 6);
	f[12] = NET_ETHERTYPE_EXITLAB >> 8;
	f[13] = NET_ETHERTYPE_EXITLAB & 0xff;
	f[14] = (uint8_t)(seq >> 24);
	f[15] = (uint8_t)(seq >> 16);
	f[16] = (uint8_t)(seq >> 8);
	f[17] = (uint8_t)seq;
	net_pattern_fill(f + NET_PATTERN_START, seq, NET_PATTERN_START, size - NET_PATTERN_START);
}

static int cpu_set_for(int cpu, cpu_set_t *set, char *err, size_t errlen)
{
	if (cpu >= CPU_SETSIZE) {
		snprintf(err, errlen, "CPU %d: beyond %d", cpu, CPU_SETSIZE);
		return -1;
	}
	CPU_ZERO(set);
	CPU_SET(cpu, set);
	return 0;
}

/* Pin thread t to cpu (cpu < 0: leave it be). */
static int pin(pthread_t t, int cpu, char *err, size_t errlen)
{
	cpu_set_t set;
	int e;

	if (cpu < 0)
		return 0;
	if (cpu_set_for(cpu, &set, err, errlen))
		return -1;
	e = pthread_setaffinity_np(t, sizeof(set), &set);
	if (e) {
		snprintf(err, errlen, "cannot pin to CPU %d: %s", cpu, strerror(e));
		return -1;
	}
	return 0;
}

/* ---- copy: a frame from one core to the other through a 256-slot ring ---- */

struct copy_run {
	_Alignas(64) uint64_t head;     /* frames the consumer has freed (its own line) */
	_Alignas(64) uint64_t tail;     /* frames the producer has published */
	_Alignas(64) int go;
	uint64_t t_end;
	uint64_t out_of_order;          /* frames whose seq the consumer did not expect */
	uint8_t *slots;
	const uint8_t *tmpl;
	unsigned size;
	uint64_t frames;
};

static void wait_go(const int *go)
{
	unsigned n = 0;

	while (!__atomic_load_n(go, __ATOMIC_ACQUIRE))
		spin(&n);
}

static void *copy_producer(void *arg)
{
	struct copy_run *r = arg;
	unsigned n = 0;

	wait_go(&r->go);
	for (uint64_t i = 0; i < r->frames; i++) {
		uint8_t *s = r->slots + (i % NET_LIMITS_RING) * NET_LIMITS_SLOT;

		while (i - __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) >= NET_LIMITS_RING)
			spin(&n);
		memcpy(s, r->tmpl, r->size);
		s[14] = (uint8_t)(i >> 24);
		s[15] = (uint8_t)(i >> 16);
		s[16] = (uint8_t)(i >> 8);
		s[17] = (uint8_t)i;
		__atomic_store_n(&r->tail, i + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void *copy_consumer(void *arg)
{
	struct copy_run *r = arg;
	uint8_t buf[NET_LIMITS_SLOT];
	uint64_t bad = 0;
	unsigned n = 0;

	wait_go(&r->go);
	for (uint64_t i = 0; i < r->frames; i++) {
		const uint8_t *s = r->slots + (i % NET_LIMITS_RING) * NET_LIMITS_SLOT;

		while (__atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) <= i)
			spin(&n);
		memcpy(buf, s, r->size);
		/* The copy is used: the compiler may not drop it. */
		asm volatile("" : : "r"(buf) : "memory");
		__atomic_store_n(&r->head, i + 1, __ATOMIC_RELEASE);
		bad += buf[17] != (uint8_t)i || buf[16] != (uint8_t)(i >> 8);
	}
	r->t_end = now_ns();
	r->out_of_order = bad;
	return NULL;
}

static int start_pinned(pthread_t *t, void *(*fn)(void *), void *arg, int cpu, char *err, size_t errlen)
{
	pthread_attr_t a;
	cpu_set_t set;
	int e;

	pthread_attr_init(&a);
	if (cpu >= 0) {
		if (cpu_set_for(cpu, &set, err, errlen)) {
			pthread_attr_destroy(&a);
			return -1;
		}
		pthread_attr_setaffinity_np(&a, sizeof(set), &set);
	}
	e = pthread_create(t, &a, fn, arg);
	pthread_attr_destroy(&a);
	if (e) {
		snprintf(err, errlen, "cannot start a thread on CPU %d: %s", cpu, strerror(e));
		return -1;
	}
	return 0;
}

static int round_copy(const struct net_limits_opts *o, double *ns, char *err, size_t errlen)
{
	struct copy_run *r = aligned_alloc(64, sizeof(*r));
	uint8_t *tmpl = malloc(NET_LIMITS_SLOT);
	uint8_t *slots = aligned_alloc(4096, (size_t)NET_LIMITS_RING * NET_LIMITS_SLOT);
	pthread_t prod, cons;
	uint64_t t0;
	int rc = -1;

	if (!r || !tmpl || !slots) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	memset(r, 0, sizeof(*r));
	memset(slots, 0, (size_t)NET_LIMITS_RING * NET_LIMITS_SLOT);
	frame_make(tmpl, o->size, 0);
	r->slots = slots;
	r->tmpl = tmpl;
	r->size = o->size;
	r->frames = o->frames;
	if (start_pinned(&cons, copy_consumer, r, o->peer_cpu, err, errlen))
		goto out;
	if (start_pinned(&prod, copy_producer, r, o->cpu, err, errlen)) {
		r->frames = 0; /* the consumer has nothing to wait for */
		__atomic_store_n(&r->go, 1, __ATOMIC_RELEASE);
		pthread_join(cons, NULL);
		goto out;
	}
	t0 = now_ns();
	__atomic_store_n(&r->go, 1, __ATOMIC_RELEASE);
	pthread_join(prod, NULL);
	pthread_join(cons, NULL);
	if (r->out_of_order) {
		snprintf(err, errlen, "copy: %llu frames came out of the ring out of order",
			 (unsigned long long)r->out_of_order);
		goto out;
	}
	*ns = (double)(r->t_end - t0) / (double)o->frames;
	rc = 0;
out:
	free(slots);
	free(tmpl);
	free(r);
	return rc;
}

/* ---- memcmp: the sink's check of one frame ---- */

static int round_memcmp(const struct net_limits_opts *o, double *ns, char *err, size_t errlen)
{
	uint8_t *slots = aligned_alloc(4096, (size_t)NET_LIMITS_RING * NET_LIMITS_SLOT);
	size_t len = o->size - NET_PATTERN_START;
	cpu_set_t old;
	uint64_t t0, t1, good = 0;
	int rc = -1;

	if (!slots) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_getaffinity_np(pthread_self(), sizeof(old), &old);
	if (pin(pthread_self(), o->cpu, err, errlen))
		goto out;
	for (unsigned i = 0; i < NET_LIMITS_RING; i++)
		frame_make(slots + (size_t)i * NET_LIMITS_SLOT, o->size, i);
	/* As the sink calls it: the frame after its header and seq, against the pattern of its seq. */
	t0 = now_ns();
	for (uint64_t i = 0; i < o->frames; i++) {
		unsigned k = i % NET_LIMITS_RING;

		good += net_pattern_matches(slots + (size_t)k * NET_LIMITS_SLOT + NET_PATTERN_START, k,
					    NET_PATTERN_START, len);
	}
	t1 = now_ns();
	pthread_setaffinity_np(pthread_self(), sizeof(old), &old);
	if (good != o->frames) {
		snprintf(err, errlen, "memcmp: %llu of %llu frames did not match their pattern",
			 (unsigned long long)(o->frames - good), (unsigned long long)o->frames);
		goto out;
	}
	*ns = (double)(t1 - t0) / (double)o->frames;
	rc = 0;
out:
	free(slots);
	return rc;
}

/* ---- device: virtio-net's TX worker alone on a prefilled ring ---- */

/* Fake guest RAM: the TX queue's rings, then one 2 KiB buffer per descriptor (as the guest driver lays them). */
#define DEV_DESC  0x1000ULL
#define DEV_AVAIL 0x2000ULL
#define DEV_USED  0x3000ULL
#define DEV_BUFS  0x10000ULL
#define DEV_MEM   (DEV_BUFS + (uint64_t)NET_LIMITS_RING * NET_LIMITS_SLOT)
#define VNET_HDR  12u  /* struct virtio_net_hdr under VERSION_1: zeroes, no offloads */
#define DEV_WAIT_MS 10000

struct dev_rig {
	struct guest_mem m;
	struct virtio_net n;
	struct net_backend *be;
	int kick, irq;
	bool inited;
};

/* The transport: kicks through an eventfd the device waits on, interrupts into one the driver waits on. */
static int rig_interrupt(struct virtio_dev *v, int q)
{
	struct dev_rig *r = v->transport;
	uint64_t one = 1;

	if (q == VIRTIO_NET_TXQ && write(r->irq, &one, sizeof(one)) != sizeof(one))
		return -1;
	return 0;
}

static int rig_kick_fd(struct virtio_dev *v, unsigned q)
{
	return q == VIRTIO_NET_TXQ ? ((struct dev_rig *)v->transport)->kick : -1;
}

static int rig_call_fd(struct virtio_dev *v, unsigned q)
{
	(void)v, (void)q;
	return -1;
}

static const struct virtio_transport_ops rig_ops = {
	.interrupt = rig_interrupt, .kick_fd = rig_kick_fd, .call_fd = rig_call_fd,
};

static uint16_t *ring16(struct dev_rig *r, uint64_t gpa, unsigned i)
{
	return (uint16_t *)guest_mem_ptr(&r->m, gpa + 2ULL * i, 2);
}

static void rig_free(struct dev_rig *r)
{
	if (r->inited)
		virtio_net_destroy(&r->n);
	if (r->be)
		net_backend_close(r->be);
	if (r->kick >= 0)
		close(r->kick);
	if (r->irq >= 0)
		close(r->irq);
	free(r->m.host);
	free(r);
}

/* The device up with its TX worker on cpu: the driver's part of setup done (features, queue, DRIVER_OK). */
static struct dev_rig *rig_new(const struct net_limits_opts *o, char *err, size_t errlen)
{
	struct dev_rig *r = calloc(1, sizeof(*r));
	uint64_t f = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_RING_F_EVENT_IDX;
	struct virtio_dev *v;

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	r->irq = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	r->m.memfd = -1;
	r->m.host = aligned_alloc(4096, DEV_MEM);
	r->m.size = DEV_MEM;
	r->m.page_size = 4096;
	if (r->kick < 0 || r->irq < 0 || !r->m.host) {
		snprintf(err, errlen, "device: %s", strerror(errno ? errno : ENOMEM));
		goto fail;
	}
	memset(r->m.host, 0, DEV_MEM);
	r->be = net_backend_open("sink,check=1", NULL, err, errlen);
	if (!r->be)
		goto fail;
	if (virtio_net_init(&r->n, &r->m, r->be, MAC, err, errlen))
		goto fail;
	r->inited = true;
	v = &r->n.vdev;
	v->tops = &rig_ops;
	v->transport = r;
	/* One device-readable descriptor per frame, header and frame together, as the guest driver submits them. */
	for (unsigned i = 0; i < NET_LIMITS_RING; i++) {
		uint8_t *d = guest_mem_ptr(&r->m, DEV_DESC + 16ULL * i, 16);
		uint64_t addr = DEV_BUFS + (uint64_t)i * NET_LIMITS_SLOT;
		uint32_t len = VNET_HDR + o->size;
		uint16_t zero = 0;

		memcpy(d, &addr, 8);
		memcpy(d + 8, &len, 4);
		memcpy(d + 12, &zero, 2);
		memcpy(d + 14, &zero, 2);
	}
	if (v->ops->set_features(v, f)) {
		snprintf(err, errlen, "device: features refused");
		goto fail;
	}
	v->features = f;
	if (virtq_init(&v->vq[VIRTIO_NET_TXQ], &r->m, NET_LIMITS_RING, DEV_DESC, DEV_AVAIL, DEV_USED, true,
		       false)) {
		snprintf(err, errlen, "device: %s", v->vq[VIRTIO_NET_TXQ].why);
		goto fail;
	}
	if (v->ops->start(v) || !r->n.tx_running) {
		snprintf(err, errlen, "device: the TX worker did not start");
		goto fail;
	}
	if (pin(r->n.tx_thread, o->cpu, err, errlen))
		goto fail;
	return r;
fail:
	rig_free(r);
	return NULL;
}

/* Wait until the device has used everything up to avail_idx: 0, or -1 if it stalls or breaks. */
static int rig_wait(struct dev_rig *r, uint16_t avail_idx, char *err, size_t errlen)
{
	struct pollfd p = { .fd = r->irq, .events = POLLIN };
	unsigned waited = 0;
	uint64_t c;

	while (__atomic_load_n(ring16(r, DEV_USED, 1), __ATOMIC_ACQUIRE) != avail_idx) {
		if (r->n.vdev.vq[VIRTIO_NET_TXQ].broken) {
			snprintf(err, errlen, "device: queue broken: %s", r->n.vdev.vq[VIRTIO_NET_TXQ].why);
			return -1;
		}
		if (poll(&p, 1, 100) == 0 && (waited += 100) >= DEV_WAIT_MS) {
			snprintf(err, errlen, "device: the TX worker left the ring undrained for %u ms", waited);
			return -1;
		}
		if (read(r->irq, &c, sizeof(c)) != sizeof(c))
			c = 0; /* nothing there: look at the used index again */
	}
	return 0;
}

static int round_device(const struct net_limits_opts *o, double *ns, char *err, size_t errlen)
{
	struct dev_rig *r = rig_new(o, err, errlen);
	struct net_sink_stats st;
	struct timespec c0, c1;
	clockid_t cid;
	cpu_set_t old;
	uint16_t aidx = 0;
	uint64_t done = 0, one = 1, sent;
	int rc = -1;

	if (!r)
		return -1;
	pthread_getaffinity_np(pthread_self(), sizeof(old), &old);
	if (pin(pthread_self(), o->peer_cpu, err, errlen))
		goto out;
	if (pthread_getcpuclockid(r->n.tx_thread, &cid)) {
		snprintf(err, errlen, "device: no CPU clock for the TX worker");
		goto out;
	}
	clock_gettime(cid, &c0);
	while (done < o->frames) {
		unsigned k = o->frames - done < NET_LIMITS_RING ? (unsigned)(o->frames - done) : NET_LIMITS_RING;

		/* The driver refills every slot while the worker sleeps, then publishes them at once and kicks. */
		for (unsigned j = 0; j < k; j++) {
			frame_make(guest_mem_ptr(&r->m, DEV_BUFS + (uint64_t)j * NET_LIMITS_SLOT + VNET_HDR, o->size),
				   o->size, (uint32_t)(done + j));
			*ring16(r, DEV_AVAIL, 2 + ((aidx + j) & (NET_LIMITS_RING - 1))) = (uint16_t)j;
		}
		/* used_event: one interrupt, when the last of them is used. */
		*ring16(r, DEV_AVAIL, 2 + NET_LIMITS_RING) = (uint16_t)(aidx + k - 1);
		aidx = (uint16_t)(aidx + k);
		__atomic_store_n(ring16(r, DEV_AVAIL, 1), aidx, __ATOMIC_RELEASE);
		if (write(r->kick, &one, sizeof(one)) != sizeof(one)) {
			snprintf(err, errlen, "device: kick: %s", strerror(errno));
			goto out;
		}
		if (rig_wait(r, aidx, err, errlen))
			goto out;
		done += k;
	}
	/* Let the worker finish its last batch (interrupt, kicks back on) and sleep again before reading its clock. */
	usleep(2000);
	clock_gettime(cid, &c1);
	if (!net_sink_stats(r->be, &st) || !st.check) {
		snprintf(err, errlen, "device: the sink's check is not on");
		goto out;
	}
	sent = __atomic_load_n(&r->n.counters[VNET_TX_FRAMES], __ATOMIC_RELAXED);
	if (sent != o->frames || st.checked != o->frames || st.bad_payload || st.out_of_order || st.lost) {
		snprintf(err, errlen,
			 "device: of %llu frames the device sent %llu, the sink checked %llu: %llu bad, "
			 "%llu out of order, %llu lost",
			 (unsigned long long)o->frames, (unsigned long long)sent, (unsigned long long)st.checked,
			 (unsigned long long)st.bad_payload, (unsigned long long)st.out_of_order,
			 (unsigned long long)st.lost);
		goto out;
	}
	*ns = ((double)(c1.tv_sec - c0.tv_sec) * 1e9 + (double)(c1.tv_nsec - c0.tv_nsec)) / (double)o->frames;
	rc = 0;
out:
	pthread_setaffinity_np(pthread_self(), sizeof(old), &old);
	rig_free(r);
	return rc;
}

int net_limits_round(enum net_limits_case c, const struct net_limits_opts *o, double *ns, char *err,
		     size_t errlen)
{
	if (o->size < NET_LIMITS_SIZE_MIN || o->size > NET_LIMITS_SIZE_MAX || !o->frames) {
		snprintf(err, errlen, "frames of %u bytes (%u..%u), %llu per round (>= 1)", o->size,
			 NET_LIMITS_SIZE_MIN, NET_LIMITS_SIZE_MAX, (unsigned long long)o->frames);
		return -1;
	}
	switch (c) {
	case NET_LIMITS_COPY:
		return round_copy(o, ns, err, errlen);
	case NET_LIMITS_MEMCMP:
		return round_memcmp(o, ns, err, errlen);
	case NET_LIMITS_DEVICE:
		return round_device(o, ns, err, errlen);
	default:
		snprintf(err, errlen, "no case %d", (int)c);
		return -1;
	}
}
