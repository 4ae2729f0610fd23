/* SPDX-License-Identifier: MIT */
/*
 * CPU time of the device side of the VMM, for "where the time goes" per
 * test: a process-wide registry of the threads that move a device's data
 * (our device workers, vhost-net's kernel workers, a vhost-user back-end
 * process) and one reader that sums their CPU time in ns.  Our own threads
 * are read by their thread CPU clock (exact even while running); the others
 * by /proc/<tid>/schedstat, whose first field is the ns the task spent on a
 * CPU (updated at the scheduler's tick while it runs).
 *
 * A part that is registered but cannot be read makes the whole sum unknown
 * (-1): a figure that silently misses a thread would look measured.
 */
#ifndef EXITLAB_THREAD_CPU_H
#define EXITLAB_THREAD_CPU_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

/* The first field of a schedstat text ("123 45 6\n"): 0, or -EINVAL if it is not a decimal number. */
int thread_cpu_parse_schedstat(const char *text, uint64_t *ns);
/* The same, read from a file: 0, -errno if it cannot be read, -EINVAL if malformed. */
int thread_cpu_read_schedstat(const char *path, uint64_t *ns);
/* Every task of process pid summed (/proc/pid/task/N/schedstat): 0 or -errno. */
int thread_cpu_process_ns(pid_t pid, uint64_t *ns);
/* The calling thread's CPU time (its thread CPU clock). */
int thread_cpu_self_ns(uint64_t *ns);

/*
 * A device thread registers itself first thing and unregisters last thing:
 * its CPU time so far is then kept, so the sum never goes back when a
 * worker stops (a device reset) and another starts.
 */
void thread_cpu_register_self(void);
void thread_cpu_unregister_self(void);
/* pthread_create for a device thread: fn runs registered (0 or an errno, as pthread_create). */
int thread_cpu_create(pthread_t *t, void *(*fn)(void *), void *arg);
/* An out-of-process back-end: every thread of pid counts (-ENOSPC if full). */
int thread_cpu_add_process(pid_t pid);
void thread_cpu_remove_process(pid_t pid);
/* One task of another owner (a vhost kernel worker): /proc/tid/schedstat. */
int thread_cpu_add_task(pid_t tid);
/*
 * A part of the device side whose CPU time cannot be read (a back-end whose
 * PID is unknown): the sum is unknown until the same part says so again.
 */
void thread_cpu_unknown_part(int delta);
/*
 * The kernel's vhost workers of process pid ("vhost-<pid>": tasks of pid on
 * kernels with vhost tasks, kernel threads before): each registered by
 * thread_cpu_add_task.  The number found (0 if none), or -errno.
 */
int thread_cpu_add_vhost_workers(pid_t pid);

/* The device side's CPU ns so far: 0, or -1 if nothing is registered or a part is unreadable. */
int thread_cpu_device_ns(uint64_t *ns);
/* Forget every registration (tests, and a new VM in the same process). */
void thread_cpu_reset(void);

#endif
