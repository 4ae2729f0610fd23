/* SPDX-License-Identifier: MIT */
/*
 * Another process's KVM objects, found from /proc: its threads, its VM fds
 * ("anon_inode:kvm-vm") and vCPU fds ("anon_inode:kvm-vcpu:N"), and copies of
 * those fds (pidfd_getfd) so that exitlab can read their KVM binary stats
 * whatever VMM created them.
 */
#ifndef EXITLAB_KVM_PROCESS_H
#define EXITLAB_KVM_PROCESS_H

#include <stddef.h>
#include <sys/types.h>

#define KVM_PROCESS_MAX_THREADS 1024
#define KVM_PROCESS_MAX_FDS 64

struct kvm_process {
	pid_t pid;
	char comm[32];
	char cmdline[512];           /* NULs turned into spaces, truncated */
	pid_t tids[KVM_PROCESS_MAX_THREADS];
	char tid_comm[KVM_PROCESS_MAX_THREADS][32];
	size_t ntids;
	int vm_fds[KVM_PROCESS_MAX_FDS];   /* fd numbers in the target */
	size_t nvm;
	int vcpu_fds[KVM_PROCESS_MAX_FDS];
	int vcpu_ids[KVM_PROCESS_MAX_FDS];
	size_t nvcpu;
	/* Binary-stats fds the target opened itself (exitlab does; QEMU after query-stats). */
	int vm_stats_fds[KVM_PROCESS_MAX_FDS];
	size_t nvm_stats;
	int vcpu_stats_fds[KVM_PROCESS_MAX_FDS];
	int vcpu_stats_ids[KVM_PROCESS_MAX_FDS];
	size_t nvcpu_stats;
};

enum kvm_fd_kind { KVM_FD_OTHER, KVM_FD_VM, KVM_FD_VCPU, KVM_FD_VM_STATS, KVM_FD_VCPU_STATS };

/* 0, or -1 with err (no such process, not readable, no KVM VM in it). */
int kvm_process_scan(pid_t pid, struct kvm_process *p, char *err, size_t errlen);
/* A copy of the target's fd in this process (needs ptrace rights), or -1 with errno. */
int kvm_process_dup_fd(pid_t pid, int target_fd);
/* Classify a /proc/PID/fd link text (vCPU index in *vcpu_id for the vCPU kinds). Pure. */
enum kvm_fd_kind kvm_process_classify_link(const char *link, int *vcpu_id);

#endif
