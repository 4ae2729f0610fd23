/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm/thread_cpu.h"

#define TC_THREADS 32
#define TC_OTHERS 8

struct tc_thread {
	pid_t tid;                /* 0: free slot */
	clockid_t clock;
};

struct tc_other {
	pid_t pid;                /* 0: free slot */
	bool whole_process;       /* every task of pid, else the task pid alone */
};

static struct {
	pthread_mutex_t lock;
	struct tc_thread threads[TC_THREADS];
	struct tc_other others[TC_OTHERS];
	uint64_t retired_ns;      /* CPU time of our threads that unregistered */
	bool any_retired;
	int unknown;              /* parts that cannot be read */
	bool overflow;            /* a thread found no slot: the sum would miss it */
} reg = { .lock = PTHREAD_MUTEX_INITIALIZER };

int thread_cpu_parse_schedstat(const char *text, uint64_t *ns)
{
	unsigned long long v;
	char *end;

	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || (*end != ' ' && *end != '\n' && *end))
		return -EINVAL;
	*ns = v;
	return 0;
}

int thread_cpu_read_schedstat(const char *path, uint64_t *ns)
{
	char buf[128];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = 0;
	return thread_cpu_parse_schedstat(buf, ns);
}

int thread_cpu_process_ns(pid_t pid, uint64_t *ns)
{
	char path[64];
	struct dirent *e;
	uint64_t sum = 0;
	unsigned tasks = 0;
	int rc = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		uint64_t v;
		int r;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/schedstat", (int)pid, e->d_name);
		r = thread_cpu_read_schedstat(path, &v);
		if (r == -ENOENT || r == -ESRCH)
			continue; /* the task ended after readdir saw it */
		if (r) {
			rc = r;
			break;
		}
		sum += v;
		tasks++;
	}
	closedir(d);
	if (!rc && !tasks)
		rc = -ESRCH;
	if (!rc)
		*ns = sum;
	return rc;
}

int thread_cpu_self_ns(uint64_t *ns)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return -errno;
	*ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return 0;
}

static int clock_ns(clockid_t c, uint64_t *ns)
{
	struct timespec ts;

	if (clock_gettime(c, &ts))
		return -errno;
	*ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return 0;
}

void thread_cpu_register_self(void)
{
	clockid_t c;
	size_t i;

	if (pthread_getcpuclockid(pthread_self(), &c))
		c = CLOCK_THREAD_CPUTIME_ID; /* never read from another thread: counts as unreadable */
	pthread_mutex_lock(&reg.lock);
	for (i = 0; i < TC_THREADS && reg.threads[i].tid; i++)
		;
	if (i < TC_THREADS)
		reg.threads[i] = (struct tc_thread){ .tid = gettid(), .clock = c };
	else
		reg.overflow = true;
	pthread_mutex_unlock(&reg.lock);
}

void thread_cpu_unregister_self(void)
{
	pid_t tid = gettid();
	uint64_t ns = 0;

	pthread_mutex_lock(&reg.lock);
	for (size_t i = 0; i < TC_THREADS; i++) {
		if (reg.threads[i].tid != tid)
			continue;
		if (!thread_cpu_self_ns(&ns)) {
			reg.retired_ns += ns;
			reg.any_retired = true;
		} else {
			reg.unknown++; /* its time is lost: the sum would go back */
		}
		reg.threads[i].tid = 0;
		break;
	}
	pthread_mutex_unlock(&reg.lock);
}

struct tc_start {
	void *(*fn)(void *);
	void *arg;
};

static void *tc_trampoline(void *p)
{
	struct tc_start s = *(struct tc_start *)p;
	void *r;

	free(p);
	thread_cpu_register_self();
	r = s.fn(s.arg);
	thread_cpu_unregister_self();
	return r;
}

int thread_cpu_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	struct tc_start *s = malloc(sizeof(*s));
	int rc;

	if (!s)
		return ENOMEM;
	s->fn = fn;
	s->arg = arg;
	rc = pthread_create(t, NULL, tc_trampoline, s);
	if (rc)
		free(s);
	return rc;
}

static int add_other(pid_t pid, bool whole)
{
	int rc = -ENOSPC;

	if (pid <= 0)
		return -EINVAL;
	pthread_mutex_lock(&reg.lock);
	for (size_t i = 0; i < TC_OTHERS; i++)
		if (reg.others[i].pid == pid && reg.others[i].whole_process == whole) {
			rc = 0;
			goto out;
		}
	for (size_t i = 0; i < TC_OTHERS; i++)
		if (!reg.others[i].pid) {
			reg.others[i] = (struct tc_other){ .pid = pid, .whole_process = whole };
			rc = 0;
			break;
		}
out:
	pthread_mutex_unlock(&reg.lock);
	return rc;
}

int thread_cpu_add_process(pid_t pid)
{
	return add_other(pid, true);
}

int thread_cpu_add_task(pid_t tid)
{
	return add_other(tid, false);
}

void thread_cpu_remove_process(pid_t pid)
{
	pthread_mutex_lock(&reg.lock);
	for (size_t i = 0; i < TC_OTHERS; i++)
		if (reg.others[i].pid == pid && reg.others[i].whole_process)
			reg.others[i].pid = 0;
	pthread_mutex_unlock(&reg.lock);
}

void thread_cpu_unknown_part(int delta)
{
	pthread_mutex_lock(&reg.lock);
	reg.unknown += delta;
	if (reg.unknown < 0)
		reg.unknown = 0;
	pthread_mutex_unlock(&reg.lock);
}

/* Whether the comm file at path names "vhost-<pid>" (a kernel vhost worker of pid). */
static bool is_vhost_of(const char *path, pid_t pid)
{
	char comm[32], want[32];
	FILE *f = fopen(path, "re");
	bool yes = false;

	if (!f)
		return false;
	snprintf(want, sizeof(want), "vhost-%d\n", (int)pid);
	if (fgets(comm, sizeof(comm), f))
		yes = !strcmp(comm, want);
	fclose(f);
	return yes;
}

static int scan_vhost(const char *dir, pid_t pid)
{
	char path[96];
	struct dirent *e;
	int found = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%.16s/comm", dir, e->d_name);
		if (!is_vhost_of(path, pid))
			continue;
		if (thread_cpu_add_task(atoi(e->d_name)) == 0)
			found++;
	}
	closedir(d);
	return found;
}

int thread_cpu_add_vhost_workers(pid_t pid)
{
	char dir[48];
	int n;

	/* Since Linux 6.4 the workers are tasks of the owner; before, kernel threads of their own. */
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	n = scan_vhost(dir, pid);
	if (n == 0)
		n = scan_vhost("/proc", pid);
	return n;
}

int thread_cpu_device_ns(uint64_t *ns)
{
	uint64_t sum, v;
	bool any;
	int rc = 0;

	pthread_mutex_lock(&reg.lock);
	sum = reg.retired_ns;
	any = reg.any_retired;
	if (reg.unknown || reg.overflow)
		rc = -1;
	for (size_t i = 0; !rc && i < TC_THREADS; i++) {
		if (!reg.threads[i].tid)
			continue;
		if (reg.threads[i].clock == CLOCK_THREAD_CPUTIME_ID || clock_ns(reg.threads[i].clock, &v)) {
			rc = -1;
			break;
		}
		sum += v;
		any = true;
	}
	for (size_t i = 0; !rc && i < TC_OTHERS; i++) {
		const struct tc_other *o = &reg.others[i];
		char path[48];

		if (!o->pid)
			continue;
		if (o->whole_process) {
			rc = thread_cpu_process_ns(o->pid, &v) ? -1 : 0;
		} else {
			snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)o->pid);
			rc = thread_cpu_read_schedstat(path, &v) ? -1 : 0;
		}
		if (rc)
			break;
		sum += v;
		any = true;
	}
	pthread_mutex_unlock(&reg.lock);
	if (rc || !any)
		return -1;
	*ns = sum;
	return 0;
}

void thread_cpu_reset(void)
{
	pthread_mutex_lock(&reg.lock);
	memset(reg.threads, 0, sizeof(reg.threads));
	memset(reg.others, 0, sizeof(reg.others));
	reg.retired_ns = 0;
	reg.any_retired = false;
	reg.unknown = 0;
	reg.overflow = false;
	pthread_mutex_unlock(&reg.lock);
}
