/* SPDX-License-Identifier: MIT */
/* Tracepoint sessions through perf_event_open (see tracepoints.h). */
#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "instruments/tracepoints.h"

const char *const tp_kvm_events[] = {
	"kvm:kvm_exit", "kvm:kvm_entry", "kvm:kvm_userspace_exit",
	"kvm:kvm_pio", "kvm:kvm_mmio", "kvm:kvm_fast_mmio", "kvm:kvm_msr",
	"kvm:kvm_cpuid", "kvm:kvm_cr", "kvm:kvm_hypercall", "kvm:kvm_emulate_insn",
	"kvm:kvm_inj_virq", "kvm:kvm_inj_exception", "kvm:kvm_page_fault",
	"kvm:kvm_fpu", "kvm:kvm_apic", "kvm:kvm_apic_ipi", "kvm:kvm_eoi",
	"kvm:kvm_set_irq", "kvm:kvm_msi_set_irq", "kvm:kvm_vcpu_wakeup",
	"kvm:vcpu_match_mmio",
};
const size_t tp_kvm_nevents = sizeof(tp_kvm_events) / sizeof(tp_kvm_events[0]);

#define BOUNCE_SIZE 65536	/* perf_event_header.size is a u16 */

static int perf_open(struct perf_event_attr *attr, pid_t tid, int group_fd)
{
	return (int)syscall(SYS_perf_event_open, attr, tid, -1, group_fd, PERF_FLAG_FD_CLOEXEC);
}

static void attr_init(struct perf_event_attr *a, enum tp_mode mode, uint32_t type, uint64_t config)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = type;
	a->config = config;
	a->disabled = 1;
	if (mode == TP_SAMPLE) {
		a->sample_period = 1;
		a->sample_type = TP_SAMPLE_TYPE;
		/* Same clock as clock_gettime(CLOCK_MONOTONIC): phases line up. */
		a->use_clockid = 1;
		a->clockid = CLOCK_MONOTONIC;
		a->watermark = 1;
	}
}

static int paranoid_level(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int v = -99;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -99;
		fclose(f);
	}
	return v;
}

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "?";
}

/* Text for a failed perf_event_open of what on tid. */
static void open_error(char *buf, size_t len, const char *what, pid_t tid, int e)
{
	if (e == EACCES || e == EPERM)
		snprintf(buf, len, "perf_event_open(%s, tid %d): %s: tracing another thread needs "
			 "root or CAP_PERFMON, or kernel.perf_event_paranoid <= 1 (it is %d)",
			 what, (int)tid, errname(e), paranoid_level());
	else
		snprintf(buf, len, "perf_event_open(%s, tid %d): %s (%s)", what, (int)tid,
			 errname(e), strerror(e));
}

/*
 * Each thread's events are one perf group under a disabled dummy leader, and
 * the members are opened enabled: they count only while the leader is
 * scheduled, so enabling or disabling the leader switches them all at once.
 * (An ioctl per fd left a gap between events that a running guest — one
 * observed from outside — ran through, so kvm_pio and kvm_exit disagreed.)
 * In TP_SAMPLE the leader also owns the thread's ring, so no tracepoint's
 * availability decides either.
 */
static int leader_open(struct tp_session *s, size_t t, size_t pages, char *err, size_t errlen)
{
	struct perf_event_attr a;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	pid_t tid = s->tids[t];
	struct tp_ring *r;

	attr_init(&a, s->mode, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_DUMMY);
	/* Wake a poller at half full, long before anything is dropped. */
	if (s->mode == TP_SAMPLE)
		a.wakeup_watermark = (uint32_t)(pages * pg / 2);
	s->leaders[t] = perf_open(&a, tid, -1);
	if (s->leaders[t] < 0) {
		int e = errno;

		open_error(err, errlen, "dummy group leader", tid, e);
		errno = e;
		return -1;
	}
	if (s->mode != TP_SAMPLE)
		return 0;
	r = &s->rings[t];
	r->data_size = pages * pg;
	r->map_size = r->data_size + pg;
	r->base = mmap(NULL, r->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, s->leaders[t], 0);
	if (r->base == MAP_FAILED) {
		int e = errno;

		snprintf(err, errlen, "mmap of a %zu KiB perf ring for tid %d: %s (%s)%s",
			 r->map_size / 1024, (int)tid, errname(e), strerror(e),
			 e == EPERM || e == ENOMEM ? "; over kernel.perf_event_mlock_kb? "
			 "use fewer ring pages or run as root" : "");
		r->base = NULL;
		close(s->leaders[t]);
		s->leaders[t] = -1;
		errno = e;
		return -1;
	}
	return 0;
}

static void event_drop(struct tp_session *s, size_t e, const char *why)
{
	struct tp_event *ev = &s->events[e];

	ev->available = false;
	snprintf(ev->why, sizeof(ev->why), "%s", why);
	for (size_t t = 0; t < s->ntids; t++) {
		int *fd = &s->fds[e * s->ntids + t];

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

/* Open event e on every live tid; on an event-level failure mark it unavailable. */
static void event_open(struct tp_session *s, size_t e)
{
	struct tp_event *ev = &s->events[e];
	char sys[TP_NAME_MAX], name[TP_NAME_MAX], why[sizeof(ev->why)];
	struct perf_event_attr a;

	if (tracefs_split_name(ev->name, sys, sizeof(sys), name, sizeof(name))) {
		event_drop(s, e, "malformed name (expected system:event)");
		return;
	}
	if (tracefs_event_format(sys, name, &ev->format, why, sizeof(why))) {
		event_drop(s, e, why);
		return;
	}
	ev->available = true;
	attr_init(&a, s->mode, PERF_TYPE_TRACEPOINT, (uint64_t)ev->format.id);
	a.disabled = 0;		/* the leader gates it (leader_open) */
	for (size_t t = 0; t < s->ntids; t++) {
		int fd;

		if (s->tid_gone[t])
			continue;
		fd = perf_open(&a, s->tids[t], s->leaders[t]);
		if (fd < 0 && errno == ESRCH) {
			s->tid_gone[t] = true;	/* the thread exited: not the event's fault */
			continue;
		}
		if (fd < 0) {
			open_error(why, sizeof(why), ev->name, s->tids[t], errno);
			event_drop(s, e, why);
			return;
		}
		s->fds[e * s->ntids + t] = fd;
		if (s->mode == TP_SAMPLE &&
		    ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, s->leaders[t]) != 0) {
			snprintf(why, sizeof(why), "PERF_EVENT_IOC_SET_OUTPUT (%s, tid %d): %s",
				 ev->name, (int)s->tids[t], strerror(errno));
			event_drop(s, e, why);
			return;
		}
	}
}

int tp_session_open(struct tp_session *s, const pid_t *tids, size_t ntids,
		    const char *const *events, size_t nevents, enum tp_mode mode,
		    char *err, size_t errlen)
{
	return tp_session_open_opts(s, tids, ntids, events, nevents, mode, NULL, err, errlen);
}

int tp_session_open_opts(struct tp_session *s, const pid_t *tids, size_t ntids,
			 const char *const *events, size_t nevents, enum tp_mode mode,
			 const struct tp_options *opts, char *err, size_t errlen)
{
	size_t pages = opts && opts->ring_pages ? opts->ring_pages : TP_RING_PAGES_DEFAULT;
	char root[64];
	size_t live = 0;

	memset(s, 0, sizeof(*s));
	if (!ntids || ntids > TP_MAX_TIDS || !nevents || nevents > TP_MAX_EVENTS ||
	    (mode != TP_COUNT && mode != TP_SAMPLE)) {
		snprintf(err, errlen, "tracepoints: need 1..%d threads and 1..%d events",
			 TP_MAX_TIDS, TP_MAX_EVENTS);
		return -1;
	}
	if (pages & (pages - 1) || pages > (1u << 20)) {
		snprintf(err, errlen, "tracepoints: ring pages %zu is not a power of 2 (<= 2^20)",
			 pages);
		return -1;
	}
	if (tracefs_root(root, sizeof(root), err, errlen))
		return -1;

	s->mode = mode;
	s->nevents = nevents;
	s->ntids = ntids;
	s->events = calloc(nevents, sizeof(*s->events));
	s->tids = calloc(ntids, sizeof(*s->tids));
	s->tid_gone = calloc(ntids, sizeof(*s->tid_gone));
	s->fds = malloc(nevents * ntids * sizeof(*s->fds));
	s->leaders = malloc(ntids * sizeof(*s->leaders));
	if (mode == TP_SAMPLE) {
		s->rings = calloc(ntids, sizeof(*s->rings));
		s->bounce = malloc(BOUNCE_SIZE);
	}
	if (!s->events || !s->tids || !s->tid_gone || !s->fds || !s->leaders ||
	    (mode == TP_SAMPLE && (!s->rings || !s->bounce))) {
		snprintf(err, errlen, "tracepoints: out of memory");
		goto fail;
	}
	memcpy(s->tids, tids, ntids * sizeof(*tids));
	for (size_t i = 0; i < nevents * ntids; i++)
		s->fds[i] = -1;
	for (size_t t = 0; t < ntids; t++)
		s->leaders[t] = -1;
	for (size_t t = 0; t < ntids; t++) {
		if (leader_open(s, t, pages, err, errlen) == 0)
			continue;
		if (errno != ESRCH)
			goto fail;
		s->tid_gone[t] = true;
	}
	for (size_t e = 0; e < nevents; e++) {
		snprintf(s->events[e].name, sizeof(s->events[e].name), "%s", events[e]);
		event_open(s, e);
	}

	for (size_t t = 0; t < ntids; t++)
		live += !s->tid_gone[t];
	if (!live) {
		snprintf(err, errlen, "tracepoints: no such thread%s (tid %d%s): exited?",
			 ntids > 1 ? "s" : "", (int)tids[0], ntids > 1 ? ", …" : "");
		goto fail;
	}
	if (!tp_session_navailable(s)) {
		snprintf(err, errlen, "no tracepoint could be opened; %s: %s", s->events[0].name,
			 s->events[0].why);
		goto fail;
	}
	return 0;
fail:
	tp_session_close(s);
	return -1;
}

void tp_session_close(struct tp_session *s)
{
	if (s->fds)
		for (size_t i = 0; i < s->nevents * s->ntids; i++)
			if (s->fds[i] >= 0)
				close(s->fds[i]);
	/* A ring is mapped from its thread's leader, closed below. */
	if (s->rings)
		for (size_t t = 0; t < s->ntids; t++)
			if (s->rings[t].base)
				munmap(s->rings[t].base, s->rings[t].map_size);
	if (s->leaders)
		for (size_t t = 0; t < s->ntids; t++)
			if (s->leaders[t] >= 0)
				close(s->leaders[t]);
	free(s->events);
	free(s->tids);
	free(s->tid_gone);
	free(s->fds);
	free(s->leaders);
	free(s->rings);
	free(s->bounce);
	memset(s, 0, sizeof(*s));
}

/* req on each thread's leader; PERF_IOC_FLAG_GROUP carries it to the members. */
static int ioctl_leaders(struct tp_session *s, unsigned long req, unsigned long flags)
{
	int rc = 0;

	for (size_t t = 0; t < s->ntids; t++)
		if (s->leaders[t] >= 0 && ioctl(s->leaders[t], req, flags) != 0)
			rc = -1;
	return rc;
}

/* The leader alone: its members were opened enabled and follow it (leader_open). */
int tp_session_enable(struct tp_session *s)
{
	return ioctl_leaders(s, PERF_EVENT_IOC_ENABLE, 0);
}

int tp_session_disable(struct tp_session *s)
{
	return ioctl_leaders(s, PERF_EVENT_IOC_DISABLE, 0);
}

int tp_session_reset(struct tp_session *s)
{
	return ioctl_leaders(s, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
}

int tp_session_counts(struct tp_session *s, uint64_t *per_event)
{
	int rc = 0;

	for (size_t e = 0; e < s->nevents; e++) {
		per_event[e] = 0;
		for (size_t t = 0; t < s->ntids; t++) {
			int fd = s->fds[e * s->ntids + t];
			uint64_t v;

			if (fd < 0)
				continue;
			if (read(fd, &v, sizeof(v)) != sizeof(v))
				rc = -1;
			else
				per_event[e] += v;
		}
	}
	return rc;
}

const struct tp_event *tp_session_event_by_id(const struct tp_session *s, unsigned id)
{
	for (size_t e = 0; e < s->nevents; e++)
		if (s->events[e].available && (unsigned)s->events[e].format.id == id)
			return &s->events[e];
	return NULL;
}

size_t tp_session_navailable(const struct tp_session *s)
{
	size_t n = 0;

	for (size_t e = 0; e < s->nevents; e++)
		n += s->events[e].available;
	return n;
}

/* Copy len bytes at ring offset `at` (which may wrap) to dst. */
static void ring_copy(const uint8_t *data, size_t size, uint64_t at, void *dst, size_t len)
{
	size_t off = (size_t)(at & (size - 1)), first = size - off;

	if (first >= len) {
		memcpy(dst, data + off, len);
	} else {
		memcpy(dst, data + off, first);
		memcpy((uint8_t *)dst + first, data, len - first);
	}
}

/* Drain one ring. Records consumed, or -1 if the callback asked to stop. */
static long ring_drain(struct tp_session *s, struct tp_ring *r, tp_record_fn cb, void *opaque)
{
	struct perf_event_mmap_page *pg = r->base;
	const uint8_t *data;
	uint64_t head, tail;
	size_t size = r->data_size;
	long n = 0;
	int stop = 0;

	/* data_offset/data_size exist since Linux 4.1; older kernels use page 1. */
	data = (const uint8_t *)r->base + (pg->data_offset ? pg->data_offset : r->map_size - size);
	if (pg->data_size)
		size = pg->data_size;
	/* Acquire pairs with the kernel's write of data_head after the records. */
	head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
	tail = pg->data_tail;

	while (tail < head && !stop) {
		struct perf_event_header h;
		struct tp_record rec;
		const void *p;
		char err[128];

		if (head - tail < sizeof(h)) {
			s->malformed++;
			tail = head;
			break;
		}
		ring_copy(data, size, tail, &h, sizeof(h));
		if (h.size < sizeof(h) || h.size > head - tail) {
			s->malformed++;	/* cannot resynchronise inside a ring: skip it all */
			tail = head;
			break;
		}
		if ((tail & (size - 1)) + h.size <= size) {
			p = data + (tail & (size - 1));
		} else {
			ring_copy(data, size, tail, s->bounce, h.size);
			p = s->bounce;
		}
		if (tp_record_parse(p, h.size, &rec, err, sizeof(err)) != 0) {
			s->malformed++;
		} else if (rec.kind == TP_REC_LOST) {
			s->lost += rec.lost;
			stop = cb ? cb(&rec, NULL, opaque) : 0;
			n++;
		} else if (rec.kind == TP_REC_SAMPLE) {
			stop = cb ? cb(&rec, tp_session_event_by_id(s, rec.event_id), opaque) : 0;
			n++;
		}
		tail += h.size;
	}
	/* Release: our reads of the records happen before the kernel may reuse them. */
	__atomic_store_n(&pg->data_tail, tail, __ATOMIC_RELEASE);
	return stop ? -1 : n;
}

long tp_session_drain(struct tp_session *s, tp_record_fn cb, void *opaque)
{
	long total = 0;

	if (s->mode != TP_SAMPLE)
		return 0;
	for (size_t t = 0; t < s->ntids; t++) {
		long n;

		if (!s->rings[t].base)
			continue;
		n = ring_drain(s, &s->rings[t], cb, opaque);
		if (n < 0)
			return -1;
		total += n;
	}
	return total;
}

int tp_session_wait(struct tp_session *s, int timeout_ms)
{
	struct pollfd *p;
	size_t n = 0;
	int rc;

	if (s->mode != TP_SAMPLE)
		return 0;
	p = calloc(s->ntids, sizeof(*p));
	if (!p)
		return -1;
	for (size_t t = 0; t < s->ntids; t++)
		if (s->rings[t].base)
			p[n++] = (struct pollfd){ .fd = s->leaders[t], .events = POLLIN };
	rc = poll(p, n, timeout_ms);
	free(p);
	return rc;
}
