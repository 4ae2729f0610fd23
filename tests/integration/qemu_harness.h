/* SPDX-License-Identifier: MIT */
/*
 * Integration-test helpers for a VMM we did not write: boot a payload in
 * qemu-system-x86_64 through PVH (-kernel NAME.elf, parameters as -append),
 * with the devices a test names, and read back what the payload reported on
 * its serial port (guest-payloads/lib/bench_serial.h: "exitlab: ..." lines)
 * and its isa-debug-exit status.
 */
#ifndef EXITLAB_QEMU_HARNESS_H
#define EXITLAB_QEMU_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct qemu_opts {
	const char *payload;        /* ELF path (harness_payload("net")) */
	const char *params;         /* the payload's --param text ("k=v k=v"), or NULL */
	const char *const *args;    /* more QEMU arguments (-device ...), NULL-terminated, or NULL */
	const char *accel;          /* "kvm", "tcg", or NULL: kvm, and tcg if kvm does not start */
	const char *machine;        /* NULL: q35 */
	unsigned mem_mib;           /* 0: 64 */
	int timeout_s;              /* 0: 60 */
};

/* One "exitlab: test" line and the "exitlab: end" line that closed it. */
struct qemu_test {
	char name[32];
	int ring;
	char params[256];           /* "k=v,k=v" or "-" */
	char status[16];            /* ok, skipped, failed; "" if the test never ended */
	uint64_t iterations, samples, median_cycles, phase_cycles;
	char metrics[256];
	char reason[160];
};

struct qemu_result {
	int exit_code;              /* QEMU's exit status, -1 if killed or by a signal */
	bool timed_out;
	bool hello;                 /* the payload said hello */
	int done_status;            /* "exitlab: done status=N", -1 if none */
	char accel[8];              /* the accelerator that ran it */
	char *serial;               /* the whole serial log, NUL-terminated */
	char *err;                  /* QEMU's stdout + stderr */
	struct qemu_test *tests;
	size_t ntests;
	char exception[160];        /* the "exitlab: exception" line's text, or "" */
};

/* NULL if qemu-system-x86_64 can run here, else a one-line reason to skip. */
const char *qemu_missing(void);
/* Run QEMU to its exit or the timeout; 0 if it ran (check r), -1 if it could not start. */
int qemu_run(const struct qemu_opts *o, struct qemu_result *r);
void qemu_result_free(struct qemu_result *r);

/* The first test named `name` whose params hold every k=v of `match` ("dir=tx,batch=32"; NULL = any). */
const struct qemu_test *qemu_find_test(const struct qemu_result *r, const char *name, const char *match);
/* The same, at one ring (0 or 3) only. */
const struct qemu_test *qemu_find_test_ring(const struct qemu_result *r, const char *name, int ring,
					    const char *match);
/* The value of `key` in a "k=v,k=v" list as a number; 0 if found, -1 if not. */
int qemu_kv_u64(const char *list, const char *key, uint64_t *out);
/* A free UDP port on 127.0.0.1 (bound then released), or -1. */
int qemu_free_udp_port(void);

#endif
