// SPDX-License-Identifier: MIT
/*
 * The QEMU row of the peer table: qemu-system-x86_64 under KVM, booting the
 * payload through PVH (-kernel), with its own devices as test targets
 * (pci-testdev) and nothing else (-nodefaults).  Guest RAM is a shared
 * memory-backend-file so that exitlab reads the mailbox and the samples;
 * COM1 goes to a file, COM2 to exitlab's bench socket; isa-debug-exit lets
 * the payload end QEMU; QMP on a socket for query-stats; named threads
 * ("CPU 0/KVM") so that exitlab finds the vCPU thread.  A Linux guest
 * (exitlab run linux --vmm qemu) boots by -kernel/-initrd/-append with the
 * devices of run/vmm_qemu_linux.c instead of the test targets.  -cpu host, as
 * exitlab's own VMM passes the host's CPUID, minus arch-capabilities (an
 * MSR that KVM on some backends refuses to set).
 */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "instruments/qmp_stats.h"
#include "run/vmm_peers.h"

#define QMP_TIMEOUT_MS 10000

int vmm_qemu_argv(const struct peer_launch *l, struct strv *a)
{
	int e = 0;

	e |= strv_push(a, "%s", l->binary);
	e |= strv_push(a, "-name") | strv_push(a, "exitlab-peer,debug-threads=on");
	e |= strv_push(a, "-accel") | strv_push(a, "kvm");
	e |= strv_push(a, "-machine") | strv_push(a, "q35,memory-backend=exitlab-ram");
	e |= strv_push(a, "-object") |
	     strv_push(a, "memory-backend-file,id=exitlab-ram,size=%lluM,mem-path=%s,share=on",
		       (unsigned long long)l->mem_mib, l->mem_path);
	e |= strv_push(a, "-m") | strv_push(a, "%lluM", (unsigned long long)l->mem_mib);
	e |= strv_push(a, "-cpu") | strv_push(a, "host,-arch-capabilities");
	e |= strv_push(a, "-smp") | strv_push(a, "1");
	e |= strv_push(a, "-nodefaults") | strv_push(a, "-no-user-config");
	e |= strv_push(a, "-display") | strv_push(a, "none");
	e |= strv_push(a, "-monitor") | strv_push(a, "none");
	if (l->control_socket)
		e |= strv_push(a, "-qmp") | strv_push(a, "unix:%s,server=on,wait=off", l->control_socket);
	e |= strv_push(a, "-no-reboot");
	e |= strv_push(a, "-serial") | strv_push(a, "file:%s", l->serial_path);
	e |= strv_push(a, "-chardev") | strv_push(a, "socket,id=exitlab-bench,path=%s", l->bench_socket);
	e |= strv_push(a, "-serial") | strv_push(a, "chardev:exitlab-bench");
	if (l->is_linux) {
		/* A Linux guest: its devices (vmm_qemu_linux.c); it powers off through ACPI. */
		for (size_t i = 0; l->devices && i < l->devices->n; i++)
			e |= strv_push(a, "%s", l->devices->v[i]);
	} else {
		e |= strv_push(a, "-device") | strv_push(a, "isa-debug-exit,iobase=0xf4,iosize=4");
		e |= strv_push(a, "-device") | strv_push(a, "pci-testdev");
	}
	e |= strv_push(a, "-kernel") | strv_push(a, "%s", l->payload_path);
	if (l->is_linux && l->initrd)
		e |= strv_push(a, "-initrd") | strv_push(a, "%s", l->initrd);
	if (l->append && l->append[0])
		e |= strv_push(a, "-append") | strv_push(a, "%s", l->append);
	return e ? -1 : 0;
}

/* A QMP connection (commands answered in order; events skipped). */
struct qmp {
	int fd;
	char buf[1 << 17];
	size_t used;
};

/* The next reply ("return" or "error" line) as JSON: the "return" value (new ref), or NULL with err. */
static json_t *qmp_reply(struct qmp *q, char *err, size_t errlen)
{
	for (;;) {
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		char *nl;
		ssize_t n;

		while ((nl = memchr(q->buf, '\n', q->used))) {
			json_t *line, *ret;
			size_t len = (size_t)(nl + 1 - q->buf);

			*nl = 0;
			line = json_loads(q->buf, 0, NULL);
			q->used -= len;
			memmove(q->buf, q->buf + len, q->used);
			ret = line ? json_object_get(line, "return") : NULL;
			if (ret) {
				json_incref(ret);
				json_decref(line);
				return ret;
			}
			if (line && json_object_get(line, "error")) {
				char *t = json_dumps(json_object_get(line, "error"), JSON_COMPACT);

				snprintf(err, errlen, "QMP error: %.200s", t ? t : "?");
				free(t);
				json_decref(line);
				return NULL;
			}
			json_decref(line); /* the greeting, an event */
		}
		if (q->used + 1 >= sizeof(q->buf)) {
			snprintf(err, errlen, "QMP: a reply longer than %zu bytes", sizeof(q->buf));
			return NULL;
		}
		if (poll(&p, 1, QMP_TIMEOUT_MS) <= 0) {
			snprintf(err, errlen, "QMP: no reply in %d ms", QMP_TIMEOUT_MS);
			return NULL;
		}
		n = read(q->fd, q->buf + q->used, sizeof(q->buf) - q->used - 1);
		if (n <= 0) {
			snprintf(err, errlen, "QMP: connection closed");
			return NULL;
		}
		q->used += (size_t)n;
	}
}

static json_t *qmp_cmd(struct qmp *q, const char *json, char *err, size_t errlen)
{
	size_t n = strlen(json);

	if (write(q->fd, json, n) != (ssize_t)n) {
		snprintf(err, errlen, "QMP: %s", strerror(errno));
		return NULL;
	}
	return qmp_reply(q, err, errlen);
}

#define Q_VM   "{\"execute\": \"query-stats\", \"arguments\": {\"target\": \"vm\"}}\n"
#define Q_VCPU "{\"execute\": \"query-stats\", \"arguments\": {\"target\": \"vcpu\"}}\n"

void vmm_qemu_stats_close(void *h)
{
	struct qmp *q = h;

	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	free(q);
}

void *vmm_qemu_stats_open(const struct peer_launch *l, struct kvm_stats *vcpu, struct kvm_stats *vm,
			  char *err, size_t errlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct qmp *q = calloc(1, sizeof(*q));
	json_t *caps = NULL, *schemas = NULL, *vmv = NULL, *vcv = NULL;
	void *ret = NULL;

	if (!q || !l->control_socket || strlen(l->control_socket) >= sizeof(a.sun_path)) {
		snprintf(err, errlen, "no QMP socket");
		free(q);
		return NULL;
	}
	strcpy(a.sun_path, l->control_socket);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&a, sizeof(a))) {
		snprintf(err, errlen, "QMP %s: %s", l->control_socket, strerror(errno));
		goto out;
	}
	if (!(caps = qmp_cmd(q, "{\"execute\": \"qmp_capabilities\"}\n", err, errlen)) ||
	    !(schemas = qmp_cmd(q, "{\"execute\": \"query-stats-schemas\"}\n", err, errlen)) ||
	    !(vmv = qmp_cmd(q, Q_VM, err, errlen)) || !(vcv = qmp_cmd(q, Q_VCPU, err, errlen)))
		goto out;
	if (qmp_stats_describe(vm, qmp_stats_schema_of(schemas, "vm"), qmp_stats_values_of(vmv), err, errlen) ||
	    qmp_stats_describe(vcpu, qmp_stats_schema_of(schemas, "vcpu"), qmp_stats_values_of(vcv), err,
			       errlen)) {
		kvm_stats_close(vm);
		goto out;
	}
	ret = q;
out:
	json_decref(caps);
	json_decref(schemas);
	json_decref(vmv);
	json_decref(vcv);
	if (!ret)
		vmm_qemu_stats_close(q);
	return ret;
}

/* QEMU reads a vCPU's stats on the vCPU thread: it kicks the vCPU out of KVM_RUN once. */
int vmm_qemu_stats_read(void *h, const struct kvm_stats *vcpu, uint64_t *vcpu_values,
			const struct kvm_stats *vm, uint64_t *vm_values)
{
	struct qmp *q = h;
	char err[256];
	json_t *vmv = qmp_cmd(q, Q_VM, err, sizeof(err)), *vcv = vmv ? qmp_cmd(q, Q_VCPU, err, sizeof(err)) : NULL;

	if (!vmv || !vcv) {
		json_decref(vmv);
		return -1;
	}
	qmp_stats_values(vm, qmp_stats_values_of(vmv), vm_values);
	qmp_stats_values(vcpu, qmp_stats_values_of(vcv), vcpu_values);
	json_decref(vmv);
	json_decref(vcv);
	return 1;
}
