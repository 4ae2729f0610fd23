/* SPDX-License-Identifier: MIT */
/*
 * A vCPU and its exit loop: one named thread per vCPU runs KVM_RUN, counts
 * every exit reason (and, when asked, the TSC cycles its handler took), and
 * dispatches PIO/MMIO to the VM's buses.  Anything the loop cannot handle
 * stops the VM with a diagnostic rather than guessing.
 */
#ifndef EXITLAB_VCPU_H
#define EXITLAB_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <semaphore.h>
#include <time.h>
#include <sys/types.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/exit_reasons.h"

struct vm;

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	pid_t tid;                /* the vCPU thread's id, for per-thread instruments */
	sem_t tid_ready, go;
	bool started;
	struct kvm_coalesced_mmio_ring *coalesced_ring; /* in run, NULL if the VM has none */
	uint32_t coalesced_max;   /* entries the ring holds */
	/* Time every handler into handler_cycles (two rdtsc per exit); set before vcpu_start. */
	bool exit_timing;

	/* Written by the vCPU thread only; read after it stops or at phase boundaries. */
	uint64_t user_exits;                                  /* KVM_RUN returns */
	uint64_t exits[KVM_EXIT_REASON_SLOTS];
	uint64_t handler_cycles[KVM_EXIT_REASON_SLOTS];       /* 0 unless exit_timing */
	uint64_t eintr;                                       /* KVM_RUN -EINTR */
	uint64_t pio_unhandled, mmio_unhandled;
};

int vcpu_create(struct vm *vm, int id, char *err, size_t errlen);
void vcpu_destroy(struct vcpu *v);
/*
 * The exit loop without KVM_RUN, for microbench/exit-dispatch and the unit
 * tests: vcpu_create maps the real kvm_run and attaches it; a caller with a
 * struct vcpu of its own (v->vm set, the rest zeroed) attaches a buffer laid
 * out like it (the coalesced ring at vm->coalesced_mmio_page pages in; v->vm
 * must be set first). vcpu_handle_exit is the loop's body: it takes the exit
 * KVM_RUN (or the caller) left in v->run, counts it, replays the coalesced
 * ring and dispatches it, exactly as the vCPU thread does after each KVM_RUN.
 */
void vcpu_attach_run(struct vcpu *v, struct kvm_run *run, size_t run_size);
void vcpu_handle_exit(struct vcpu *v);
/*
 * Start the exit loop thread ("vcpu0", …). It publishes its tid (v->tid) and
 * then waits, before its first KVM_RUN, for vcpu_release().
 */
int vcpu_start(struct vcpu *v, char *err, size_t errlen);
void vcpu_release(struct vcpu *v);
/* Wait for the loop to end; timeout_s <= 0 waits forever. Returns true if it timed out. */
bool vcpu_join(struct vcpu *v, double timeout_s);
/*
 * The same against an absolute CLOCK_REALTIME deadline (vcpu_deadline), so
 * that one --timeout covers every vCPU; NULL waits forever. timeout_s is for
 * the message only.
 */
void vcpu_deadline(struct timespec *deadline, double timeout_s);
bool vcpu_join_until(struct vcpu *v, const struct timespec *deadline, double timeout_s);
/* The guest TSC frequency in kHz (KVM_GET_TSC_KHZ), 0 if KVM cannot say. */
uint64_t vcpu_tsc_khz(struct vcpu *v);
/* Make KVM_RUN return now (from another thread). */
void vcpu_kick(struct vcpu *v);

#endif
