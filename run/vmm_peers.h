/* SPDX-License-Identifier: MIT */
/*
 * Peer VMMs for `exitlab run --vmm NAME`: one table row per VMM we did not
 * write that can boot a payload through its PVH entry.  A row names its
 * binary and package, a port its VMM handles in userspace (pio_vmm's
 * target), and builds its command line from a struct peer_launch; the
 * runner (run/run_peer.c) is the same for every row: guest RAM in a file
 * shared with exitlab, COM1 for human text, COM2 carrying one byte per bench
 * message (docs/peer-vmm.md).  Adding a VMM is adding a row.
 */
#ifndef EXITLAB_VMM_PEERS_H
#define EXITLAB_VMM_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "instruments/kvm_stats.h"

/* A NULL-terminated argv whose strings it owns. */
struct strv {
	char **v;
	size_t n, cap;
};

/* Append a formatted string: 0, or -1 out of memory. */
int strv_push(struct strv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strv_free(struct strv *s);
/* The argv as one shell-readable line (words with spaces quoted): malloc'ed, or NULL. */
char *strv_join(const struct strv *s);

/* What the runner hands a row to start its VMM. */
struct peer_launch {
	const char *binary;         /* the row's binary (or a test's stand-in) */
	const char *payload_path;   /* the ELF with a PVH note */
	const char *mem_path;       /* guest RAM: a file exitlab maps too (shared) */
	uint64_t mem_mib;
	const char *serial_path;    /* COM1, the guest's human text */
	const char *bench_socket;   /* COM2: a unix socket exitlab listens on */
	const char *append;         /* the payload's command line (host words + --param) */
	const char *control_socket; /* the VMM's control socket (QEMU: QMP), a path it listens on */
	/* A Linux guest (exitlab run linux --vmm): payload_path is the bzImage, append its command line. */
	bool is_linux;
	const char *initrd;         /* or NULL */
	const struct strv *devices; /* the row's device arguments (its linux_devices), or NULL */
};

struct vmm_peer {
	const char *name;           /* --vmm NAME */
	const char *binary;         /* looked up in PATH */
	const char *package;        /* the Debian package that ships it (scripts/deps.sh) */
	uint16_t pio_port;          /* a port the VMM leaves unassigned: handled in its userspace */
	const char *test_targets;   /* one line: what the test targets are under this VMM */
	int (*build_argv)(const struct peer_launch *l, struct strv *out);
	/*
	 * KVM refuses KVM_GET_STATS_FD from another process, so the runner
	 * copies stats fds the VMM holds; a VMM that holds none gives its stats
	 * through these (NULL: none).  stats_open fills the descriptors and
	 * returns a handle (NULL with err); stats_read fills both value arrays
	 * and returns how many vCPU exits (to userspace) the read itself caused,
	 * which the runner takes out of the counts, or -1.
	 */
	void *(*stats_open)(const struct peer_launch *l, struct kvm_stats *vcpu, struct kvm_stats *vm,
			    char *err, size_t errlen);
	int (*stats_read)(void *h, const struct kvm_stats *vcpu, uint64_t *vcpu_values,
			  const struct kvm_stats *vm, uint64_t *vm_values);
	void (*stats_close)(void *h);
	/*
	 * A Linux guest's --device arguments (as given to exitlab) and --netdev
	 * as this VMM's own command-line arguments, appended to out: 0, or -1
	 * with err saying what this VMM cannot take (bad usage).  NULL: the VMM
	 * does not boot Linux guests.
	 */
	int (*linux_devices)(const char *const *devices, unsigned ndevices, const char *netdev, struct strv *out,
			     char *err, size_t errlen);
	/*
	 * Those devices, once linux_devices took them, as config.devices
	 * entries in the shape exitlab's own VMM writes (run/run_devices.c:
	 * model, kind, notify, backend, netdev or file), so that `exitlab
	 * compare` matches a test under this VMM with the same under ours.
	 */
	json_t *(*linux_describe)(const char *const *devices, unsigned ndevices, const char *netdev);
};

/* The row named `name`, or NULL. */
const struct vmm_peer *vmm_peer_find(const char *name);
/* "qemu, ..." for messages. */
const char *vmm_peer_names(void);
/* The first line of `binary --version` into out: 0, or -1 (out says why). */
int vmm_peer_version(const char *binary, char *out, size_t len);

/* The QEMU row (run/vmm_qemu.c): its command line, and its KVM stats over QMP. */
int vmm_qemu_argv(const struct peer_launch *l, struct strv *out);
void *vmm_qemu_stats_open(const struct peer_launch *l, struct kvm_stats *vcpu, struct kvm_stats *vm,
			  char *err, size_t errlen);
int vmm_qemu_stats_read(void *h, const struct kvm_stats *vcpu, uint64_t *vcpu_values,
			const struct kvm_stats *vm, uint64_t *vm_values);
void vmm_qemu_stats_close(void *h);
int vmm_qemu_linux_devices(const char *const *devices, unsigned ndevices, const char *netdev, struct strv *out,
			   char *err, size_t errlen);
json_t *vmm_qemu_linux_describe(const char *const *devices, unsigned ndevices, const char *netdev);

#endif
