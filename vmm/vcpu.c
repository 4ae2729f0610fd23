/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "vmm/vm.h"

#define VCPU_KICK_SIGNAL SIGUSR1

static void kick_handler(int sig)
{
	(void)sig; /* only here to make KVM_RUN return -EINTR */
}

static void kick_handler_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler; /* no SA_RESTART: KVM_RUN must return */
	sigemptyset(&sa.sa_mask);
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
}

static void install_kick_handler(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, kick_handler_init);
}

void vcpu_attach_run(struct vcpu *v, struct kvm_run *run, size_t run_size)
{
	int page = v->vm->coalesced_mmio_page;

	v->run = run;
	v->run_size = run_size;
	/* Computed once here, not per exit. */
	v->coalesced_ring = page ? (void *)((char *)run + (size_t)page * getpagesize()) : NULL;
	v->coalesced_max = (getpagesize() - sizeof(struct kvm_coalesced_mmio_ring)) /
			   sizeof(struct kvm_coalesced_mmio);
}

int vcpu_create(struct vm *vm, int id, char *err, size_t errlen)
{
	struct vcpu *v;
	struct kvm_run *run;
	int mmap_size;

	if (vm->nvcpus >= VM_MAX_VCPUS || id != vm->nvcpus) {
		snprintf(err, errlen, "vCPU %d: at most %d vCPUs, created in order", id, VM_MAX_VCPUS);
		return -1;
	}
	v = &vm->vcpus[id];
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VCPU %d: %s", id, strerror(errno));
		return -1;
	}
	mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(struct kvm_run)) {
		snprintf(err, errlen, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		close(v->fd);
		return -1;
	}
	run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (run == MAP_FAILED) {
		snprintf(err, errlen, "mmap of kvm_run: %s", strerror(errno));
		close(v->fd);
		return -1;
	}
	vcpu_attach_run(v, run, mmap_size);
	vm->nvcpus++;
	return 0;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

/* Everything the loop cannot handle is the run's failure; the text says which. */
static void stopf(struct vcpu *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void stopf(struct vcpu *v, const char *fmt, ...)
{
	char buf[512];
	int n = 0;
	va_list ap;

	/* With several vCPUs the diagnostic names the one that saw it. */
	if (v->vm->nvcpus > 1)
		n = snprintf(buf, sizeof(buf), "vCPU %d: ", v->id);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	vm_stop(v->vm, OUTCOME_FAILED, buf);
}

/*
 * Coalesced MMIO/PIO writes queue in a ring in the vCPU mapping; replay them
 * in order. Out of line: the exit path only checks whether the ring is empty.
 */
static __attribute__((noinline)) void drain_coalesced(struct vcpu *v)
{
	struct kvm_coalesced_mmio_ring *ring = v->coalesced_ring;
	uint32_t max = v->coalesced_max;

	while (ring->first != __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE)) {
		struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[ring->first % max];
		uint8_t data[8];
		unsigned len = e->len <= 8 ? e->len : 8;

		memcpy(data, e->data, len);
		bus_access(e->pio ? &v->vm->pio : &v->vm->mmio, e->phys_addr, true, data, len);
		__atomic_store_n(&ring->first, (ring->first + 1) % max, __ATOMIC_RELEASE);
	}
}

static void handle_io(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	uint64_t bytes = (uint64_t)r->io.size * r->io.count;
	uint8_t *p = (uint8_t *)r + r->io.data_offset;

	/* KVM fills these, but check anyway: a bad offset would be our overflow. */
	if (r->io.data_offset >= v->run_size || bytes > v->run_size - r->io.data_offset) {
		stopf(v, "KVM_EXIT_IO with data outside kvm_run (offset %llu, %u x %u)",
		      (unsigned long long)r->io.data_offset, r->io.count, r->io.size);
		return;
	}
	for (uint32_t i = 0; i < r->io.count; i++, p += r->io.size) {
		int rc = bus_access(&v->vm->pio, r->io.port, r->io.direction == KVM_EXIT_IO_OUT, p,
				    r->io.size);

		if (rc == -ENOENT)
			v->pio_unhandled++;
	}
}

static void handle_mmio(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	unsigned len = r->mmio.len;

	if (len == 0 || len > sizeof(r->mmio.data)) {
		stopf(v, "MMIO access of %u bytes at 0x%llx", len,
		      (unsigned long long)r->mmio.phys_addr);
		return;
	}
	if (bus_access(&v->vm->mmio, r->mmio.phys_addr, r->mmio.is_write, r->mmio.data, len) ==
	    -ENOENT)
		v->mmio_unhandled++;
}

static void dispatch_exit(struct vcpu *v)
{
	struct kvm_run *r = v->run;

	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(v);
		break;
	case KVM_EXIT_MMIO:
		handle_mmio(v);
		break;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel irqchip: nothing can ever wake us. */
		stopf(v, "guest halted with no interrupt source (KVM_EXIT_HLT)");
		break;
	case KVM_EXIT_SHUTDOWN:
		stopf(v, "guest triple fault (KVM_EXIT_SHUTDOWN): an exception it could not "
			    "handle, before or despite its IDT");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		stopf(v, "VM entry failed, hardware reason 0x%llx",
		      (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		stopf(v, "KVM internal error, suberror %u%s", r->internal.suberror,
		      r->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
			      " (instruction emulation failed)" : "");
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		stopf(v, "guest system event %u (shutdown/reset/crash)", r->system_event.type);
		break;
	case KVM_EXIT_X86_RDMSR:
		r->msr.error = 1; /* unknown MSR: #GP in the guest, as hardware would */
		r->msr.data = 0;
		break;
	case KVM_EXIT_X86_WRMSR:
		r->msr.error = 1;
		break;
	case KVM_EXIT_HYPERCALL:
		r->hypercall.ret = (uint64_t)-1000; /* -KVM_ENOSYS */
		break;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
	case KVM_EXIT_INTR:
		break;
	default: {
		const char *n = kvm_exit_reason_name(r->exit_reason);

		stopf(v, "unhandled KVM exit reason %u (%s)", r->exit_reason, n ? n : "unknown");
	}
	}
}

/*
 * The exit path's bookkeeping is two counters and a ring check; the TSC pair
 * that times the handler costs more than all of that on most CPUs, so it
 * runs only when asked for (v->exit_timing).
 */
void vcpu_handle_exit(struct vcpu *v)
{
	struct kvm_coalesced_mmio_ring *ring = v->coalesced_ring;
	unsigned reason = v->run->exit_reason;
	unsigned slot = reason < KVM_EXIT_REASON_SLOTS ? reason : KVM_EXIT_REASON_SLOTS - 1;
	uint64_t t0 = 0;

	if (__builtin_expect(v->exit_timing, 0))
		t0 = __rdtsc();
	v->user_exits++;
	v->exits[slot]++;
	if (__builtin_expect(v->vm->nvcpus > 1, 0)) {
		/* The coalesced ring is the VM's, shared by every vCPU's mapping. */
		pthread_mutex_lock(&v->vm->bus_lock);
		if (ring && ring->first != __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE))
			drain_coalesced(v);
		dispatch_exit(v);
		pthread_mutex_unlock(&v->vm->bus_lock);
	} else {
		if (ring && ring->first != __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE))
			drain_coalesced(v);
		dispatch_exit(v);
	}
	if (__builtin_expect(v->exit_timing, 0))
		v->handler_cycles[slot] += __rdtsc() - t0;
}

/* sem_wait until posted: a signal handler's return (EINTR) is not the post. */
static void sem_wait_posted(sem_t *s)
{
	while (sem_wait(s) && errno == EINTR)
		;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;

	/* Publish our tid, then wait for the go: per-thread instruments attach in between. */
	v->tid = gettid();
	sem_post(&v->tid_ready);
	sem_wait_posted(&v->go);
	while (!__atomic_load_n(&vm->stopping, __ATOMIC_SEQ_CST)) {
		int rc = ioctl(v->fd, KVM_RUN, 0);

		if (rc < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				v->eintr++;
				v->run->immediate_exit = 0;
				continue;
			}
			stopf(v, "KVM_RUN: %s", strerror(errno));
			break;
		}
		vcpu_handle_exit(v);
	}
	return NULL;
}

int vcpu_start(struct vcpu *v, char *err, size_t errlen)
{
	char name[16];
	int rc;

	install_kick_handler();
	sem_init(&v->go, 0, 0);
	sem_init(&v->tid_ready, 0, 0);
	rc = pthread_create(&v->thread, NULL, vcpu_thread, v);
	if (rc) {
		snprintf(err, errlen, "creating the vCPU thread: %s", strerror(rc));
		return -1;
	}
	snprintf(name, sizeof(name), "vcpu%d", v->id);
	pthread_setname_np(v->thread, name);
	sem_wait_posted(&v->tid_ready);
	v->started = true;
	return 0;
}

void vcpu_release(struct vcpu *v)
{
	sem_post(&v->go);
}

void vcpu_kick(struct vcpu *v)
{
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(v->thread, VCPU_KICK_SIGNAL);
}

void vcpu_deadline(struct timespec *deadline, double timeout_s)
{
	clock_gettime(CLOCK_REALTIME, deadline);
	deadline->tv_sec += (time_t)timeout_s;
	deadline->tv_nsec += (long)((timeout_s - (time_t)timeout_s) * 1e9);
	if (deadline->tv_nsec >= 1000000000L) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000L;
	}
}

bool vcpu_join_until(struct vcpu *v, const struct timespec *deadline, double timeout_s)
{
	struct timespec ts;
	bool timed_out = false;

	if (!v->started)
		return false;
	if (deadline) {
		if (pthread_timedjoin_np(v->thread, NULL, deadline) == 0) {
			v->started = false;
			return false;
		}
		timed_out = true;
		char why[64];

		snprintf(why, sizeof(why), "timed out after %.1f s", timeout_s);
		vm_stop(v->vm, OUTCOME_FAILED, why);
	}
	/* Keep kicking: a signal can land just before KVM_RUN is entered. */
	for (;;) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_timedjoin_np(v->thread, NULL, &ts) == 0)
			break;
		if (__atomic_load_n(&v->vm->stopping, __ATOMIC_SEQ_CST))
			vcpu_kick(v);
	}
	v->started = false;
	return timed_out;
}

bool vcpu_join(struct vcpu *v, double timeout_s)
{
	struct timespec deadline;

	if (timeout_s <= 0)
		return vcpu_join_until(v, NULL, timeout_s);
	vcpu_deadline(&deadline, timeout_s);
	return vcpu_join_until(v, &deadline, timeout_s);
}

uint64_t vcpu_tsc_khz(struct vcpu *v)
{
	int khz = ioctl(v->fd, KVM_GET_TSC_KHZ, 0);

	return khz > 0 ? (uint64_t)khz : 0;
}
