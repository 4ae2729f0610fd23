/* SPDX-License-Identifier: MIT */
/*
 * The bench protocol: the one channel between a payload and the VMM.
 *
 * The guest fills the mailbox page (at boot_info.mailbox_gpa) and writes the
 * command number to the doorbell port (boot_info.bench_port, 32-bit OUT).
 * The VMM copies the mailbox, validates it (the guest is hostile), acts, and
 * writes mailbox.reply before resuming the guest.  One exit per message;
 * samples stay in guest memory and are copied by the VMM at PHASE_END, so
 * reporting never causes exits inside a timed phase.
 *
 * Versioned: the VMM rejects a mailbox whose version it does not speak.
 * Full description: docs/bench-protocol.md.  Shared by host and guest.
 */
#ifndef EXITLAB_BENCH_PROTO_H
#define EXITLAB_BENCH_PROTO_H

#include <stdint.h>

#define BENCH_MAGIC   0x48434e42u /* "BNCH" */
#define BENCH_VERSION 3         /* what this tree's payloads send */
#define BENCH_VERSION_MIN 2     /* the oldest the VMM still reads (no OVERHEAD) */
#define BENCH_DEFAULT_PORT 0x0510

#define BENCH_NAME_MAX   32  /* including the NUL */
#define BENCH_REASON_MAX 128 /* including the NUL */
#define BENCH_KV_MAX     256 /* "key=value key=value" lists, including the NUL */
#define BENCH_MAILBOX_SIZE 4096

enum bench_cmd {
	BENCH_HELLO = 1,       /* struct bench_hello */
	BENCH_TEST_BEGIN = 2,  /* struct bench_test_begin; reply BENCH_REPLY_RUN or _SKIP */
	BENCH_PHASE_BEGIN = 3, /* no body: VMM snapshots its instruments */
	BENCH_PHASE_END = 4,   /* struct bench_phase_end: VMM snapshots, copies samples */
	BENCH_TEST_END = 5,    /* struct bench_test_end */
	BENCH_LOG = 6,         /* NUL-terminated text, body length <= BENCH_BODY_MAX */
	BENCH_EXCEPTION = 7,   /* struct bench_exception: the VM stops, exit code 1 */
	BENCH_DONE = 8,        /* struct bench_done: the VM stops */
	BENCH_REQUEST = 9,     /* struct bench_request: ask the VMM to act; reply 0 or -errno */
	BENCH_OVERHEAD = 10,   /* struct bench_overhead (version >= 3): after PHASE_END */
	BENCH_CMD_MAX_ = 11,
};

enum bench_reply {
	BENCH_REPLY_OK = 0,
	BENCH_REPLY_RUN = 0,
	BENCH_REPLY_SKIP = 1,  /* test not selected by the user */
	BENCH_REPLY_ERROR = -1, /* malformed message; the VMM also stops the VM */
	/* PHASE_END or OVERHEAD refused by a VMM limit: the test is recorded failed, the run goes on. */
	BENCH_REPLY_REJECTED = 2,
	/* Written by the guest before a polled doorbell (BOOT_F_BENCH_POLL); never a reply. */
	BENCH_REPLY_PENDING = 0x7fffffff,
};

enum bench_status {
	BENCH_STATUS_OK = 0,
	BENCH_STATUS_SKIPPED = 1,
	BENCH_STATUS_FAILED = 2,
};

struct bench_mailbox_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t cmd;
	uint32_t len;   /* bytes of body in use */
	int32_t reply;  /* written by the VMM */
};

#define BENCH_BODY_MAX (BENCH_MAILBOX_SIZE - sizeof(struct bench_mailbox_hdr))

struct bench_mailbox {
	struct bench_mailbox_hdr hdr;
	uint8_t body[BENCH_BODY_MAX];
};

/*
 * The guest's side of one message, before its doorbell: the header, the reply
 * preset to an error (the VMM overwrites it), the body copied in unless it is
 * already there; len clipped to the body.  Payloads and the Linux guest tool.
 */
static inline void bench_mailbox_fill(struct bench_mailbox *mb, uint16_t cmd, const void *body, uint32_t len)
{
	if (len > BENCH_BODY_MAX)
		len = BENCH_BODY_MAX;
	mb->hdr.magic = BENCH_MAGIC;
	mb->hdr.version = BENCH_VERSION;
	mb->hdr.cmd = cmd;
	mb->hdr.len = len;
	mb->hdr.reply = BENCH_REPLY_ERROR;
	if (len && body != mb->body)
		__builtin_memcpy(mb->body, body, len);
}

struct bench_hello {
	char payload[BENCH_NAME_MAX];
};

/*
 * Key-value lists (params, metrics): space-separated key=value, keys
 * [a-z0-9_]+, values [A-Za-z0-9_.:+,-]+; numbers become JSON numbers.
 */
struct bench_test_begin {
	char name[BENCH_NAME_MAX];
	uint32_t ring;          /* 0 or 3 */
	uint32_t flags;         /* BENCH_TF_* */
	char params[BENCH_KV_MAX]; /* what this test measured at: working_set=65536 guest_page=4k */
};

/* bench_test_begin.flags */
#define BENCH_TF_OVERHEAD (1u << 0) /* this test is the loop overhead of its ring */

struct bench_phase_end {
	uint64_t iterations;    /* operations timed in the phase */
	uint64_t samples_gpa;   /* array of uint64_t TSC deltas, one per sample */
	uint64_t nsamples;
	uint64_t ops_per_sample;/* operations inside one sample (>= 1) */
};

/*
 * The test's own loop overhead: empty-loop samples (one operation each) timed
 * at the test's ring right before PHASE_BEGIN (nbefore) and right after
 * PHASE_END (nafter), stored as one array, before first. Sent once, between
 * PHASE_END and TEST_END, outside the phase so that the host's counts cover
 * only the test's operations.
 */
#define BENCH_OVERHEAD_MAX 65536u /* samples per block the VMM accepts */

struct bench_overhead {
	uint64_t samples_gpa;
	uint64_t nbefore;
	uint64_t nafter;
};

struct bench_test_end {
	uint32_t status;        /* enum bench_status */
	uint32_t pad;
	char reason[BENCH_REASON_MAX];
	char metrics[BENCH_KV_MAX]; /* what the guest counted or checked: accesses=… checksum=0x… */
};

struct bench_exception {
	uint64_t vector, error_code, rip, cs, rflags, rsp, cr2;
};

/* BENCH_REQUEST operations: the VMM does something to guest memory between phases. */
enum bench_req_op {
	/* Start/stop KVM dirty logging on the memory slot holding [arg0, arg0 + arg1). */
	BENCH_REQ_DIRTY_LOG_START = 1,
	BENCH_REQ_DIRTY_LOG_STOP = 2,
	/*
	 * Give [arg0, arg0 + arg1) back to the host (fallocate punch hole): its next
	 * guest touch is a first touch again, host page fault and EPT/NPT/shadow fault included.
	 */
	BENCH_REQ_DISCARD = 3,
};

struct bench_request {
	uint32_t op;            /* enum bench_req_op */
	uint32_t pad;
	uint64_t arg[3];
};

/* bench_done.status: the run's exit code follows it. */
#define BENCH_DONE_OK 0
#define BENCH_DONE_FAILED 1
#define BENCH_DONE_HOST_LACKS 3 /* a requested test needs what this host/VM lacks (exit code 3) */

struct bench_done {
	uint32_t status;        /* BENCH_DONE_*; other nonzero values: failed */
	uint32_t pad;
};

#endif
