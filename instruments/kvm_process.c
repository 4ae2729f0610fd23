/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "instruments/kvm_process.h"

/* "PREFIX<n>" with n a non-negative int, into *id. */
static bool indexed(const char *link, const char *prefix, int *id)
{
	size_t n = strlen(prefix);
	char *end;
	long v;

	if (strncmp(link, prefix, n) || !link[n])
		return false;
	errno = 0;
	v = strtol(link + n, &end, 10);
	if (errno || *end || v < 0 || v > INT_MAX || link[n] == '-' || link[n] == '+')
		return false;
	if (id)
		*id = (int)v;
	return true;
}

enum kvm_fd_kind kvm_process_classify_link(const char *link, int *vcpu_id)
{
	if (!strcmp(link, "anon_inode:kvm-vm"))
		return KVM_FD_VM;
	if (!strcmp(link, "anon_inode:kvm-vm-stats"))
		return KVM_FD_VM_STATS;
	if (indexed(link, "anon_inode:kvm-vcpu-stats:", vcpu_id))
		return KVM_FD_VCPU_STATS;
	if (indexed(link, "anon_inode:kvm-vcpu:", vcpu_id))
		return KVM_FD_VCPU;
	return KVM_FD_OTHER;
}

static void read_small(const char *path, char *buf, size_t len, int nul_to_space)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	buf[0] = 0;
	if (fd >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	if (n <= 0)
		return;
	buf[n] = 0;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == 0 && nul_to_space)
			buf[i] = ' ';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
}

static int scan_threads(struct kvm_process *p, char *err, size_t errlen)
{
	char path[64];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)p->pid);
	d = opendir(path);
	if (!d) {
		snprintf(err, errlen, "process %d: %s", (int)p->pid, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) && p->ntids < KVM_PROCESS_MAX_THREADS) {
		char cpath[96];
		long tid = strtol(e->d_name, NULL, 10);

		if (tid <= 0)
			continue;
		p->tids[p->ntids] = (pid_t)tid;
		snprintf(cpath, sizeof(cpath), "/proc/%d/task/%ld/comm", (int)p->pid, tid);
		read_small(cpath, p->tid_comm[p->ntids], sizeof(p->tid_comm[0]), 0);
		p->ntids++;
	}
	closedir(d);
	return 0;
}

static int scan_fds(struct kvm_process *p, char *err, size_t errlen)
{
	char path[64];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)p->pid);
	d = opendir(path);
	if (!d) {
		snprintf(err, errlen, "process %d: cannot list its fds: %s%s", (int)p->pid,
			 strerror(errno), errno == EACCES ? " (observe needs root or the same user)" : "");
		return -1;
	}
	while ((e = readdir(d))) {
		char lpath[96], link[128];
		long fd = strtol(e->d_name, NULL, 10);
		ssize_t n;
		int id = -1;

		if (fd < 0 || e->d_name[0] == '.')
			continue;
		snprintf(lpath, sizeof(lpath), "/proc/%d/fd/%ld", (int)p->pid, fd);
		n = readlink(lpath, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		switch (kvm_process_classify_link(link, &id)) {
		case KVM_FD_VM:
			if (p->nvm < KVM_PROCESS_MAX_FDS)
				p->vm_fds[p->nvm++] = (int)fd;
			break;
		case KVM_FD_VCPU:
			if (p->nvcpu < KVM_PROCESS_MAX_FDS) {
				p->vcpu_ids[p->nvcpu] = id;
				p->vcpu_fds[p->nvcpu++] = (int)fd;
			}
			break;
		case KVM_FD_VM_STATS:
			if (p->nvm_stats < KVM_PROCESS_MAX_FDS)
				p->vm_stats_fds[p->nvm_stats++] = (int)fd;
			break;
		case KVM_FD_VCPU_STATS:
			if (p->nvcpu_stats < KVM_PROCESS_MAX_FDS) {
				p->vcpu_stats_ids[p->nvcpu_stats] = id;
				p->vcpu_stats_fds[p->nvcpu_stats++] = (int)fd;
			}
			break;
		case KVM_FD_OTHER:
			break;
		}
	}
	closedir(d);
	return 0;
}

int kvm_process_scan(pid_t pid, struct kvm_process *p, char *err, size_t errlen)
{
	char path[64];

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (access(path, R_OK)) {
		snprintf(err, errlen, "no process %d", (int)pid);
		return -1;
	}
	read_small(path, p->comm, sizeof(p->comm), 0);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	read_small(path, p->cmdline, sizeof(p->cmdline), 1);
	if (scan_threads(p, err, errlen) || scan_fds(p, err, errlen))
		return -1;
	if (!p->nvm) {
		snprintf(err, errlen, "process %d (%s) has no KVM VM open", (int)pid, p->comm);
		return -1;
	}
	return 0;
}

int kvm_process_dup_fd(pid_t pid, int target_fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int fd, e;

	if (pidfd < 0)
		return -1;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, target_fd, 0);
	e = errno;
	close(pidfd);
	errno = e;
	return fd;
}
