/* SPDX-License-Identifier: MIT */
/*
 * exitlab-guest's transport and phase API (linux-guest/transport.c,
 * linux-guest/phase.c) and whole workloads against a fake VMM: a memfd
 * stands in for /dev/mem (the mailbox and the sample buffer mapped from it
 * at their GPAs), and the doorbell is a function that plays the VMM: it reads
 * the mailbox through the fd, as guest memory, checks each message with the
 * host's own parser (devices/platform/bench_msg.c) and the protocol's
 * sequence, reads the samples a PHASE_END or OVERHEAD points at, which must
 * lie in [BUF, BUF+LEN), and writes the reply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "devices/platform/bench_msg.h"
#include "guest-payloads/lib/blk_pattern.c"
#include "linux-guest/cmdline.c"
#include "linux-guest/net_peer.c"
#include "linux-guest/params.c"
#include "linux-guest/phase.c"
#include "linux-guest/transport.c"
#include "linux-guest/wl_blk.c"
#include "linux-guest/wl_idle.c"
#include "linux-guest/wl_ptchurn.c"
#include "linux-guest/wl_tcp.c"
#include "linux-guest/wl_udp.c"
#include "linux-guest/workloads.c"

#define MAILBOX 0x10000ull
#define BUF     0x100000ull
#define LEN     0x100000ull

struct fake_vmm {
	int fd;
	uint16_t cmds[64];
	char names[64][BENCH_NAME_MAX];
	int n;
	int in_test, in_phase, phased;
	const char *skip;         /* answer TEST_BEGIN of this name with skip */
	int32_t phase_end_reply;  /* what PHASE_END gets */
	uint64_t samples;         /* read at PHASE_END */
	char params[BENCH_KV_MAX], metrics[BENCH_KV_MAX];
	uint32_t status, done;
};

static struct fake_vmm vmm;

/* [gpa, gpa + n * 8) wholly in the buffer, every sample nonzero (a fenced TSC delta never is). */
static void check_samples(uint64_t gpa, uint64_t n)
{
	uint64_t *s;

	if (gpa < BUF || n > (BUF + LEN - gpa) / 8 || n == 0)
		fail_msg("samples [0x%llx, +%llu) outside [0x%llx, 0x%llx)", (unsigned long long)gpa,
			 (unsigned long long)n, BUF, BUF + LEN);
	s = malloc(n * 8);
	assert_non_null(s);
	assert_int_equal(pread(vmm.fd, s, n * 8, (off_t)gpa), (ssize_t)(n * 8));
	for (uint64_t i = 0; i < n; i++)
		if (!s[i])
			fail_msg("sample %llu at 0x%llx is 0", (unsigned long long)i, (unsigned long long)gpa);
	free(s);
}

static void fake_doorbell(struct lg_bench *b, uint32_t cmd)
{
	struct bench_mailbox mb;
	struct bench_msg m;
	char err[256];
	int32_t reply = BENCH_REPLY_OK;

	(void)b;
	assert_int_equal(pread(vmm.fd, &mb, sizeof(mb), MAILBOX), sizeof(mb));
	if (bench_msg_parse(&mb, cmd, &m, err, sizeof(err)))
		fail_msg("the host's parser refuses %s: %s", bench_cmd_name(cmd), err);
	assert_true(vmm.n < 64);
	assert_false(vmm.done);
	vmm.cmds[vmm.n] = (uint16_t)cmd;
	switch (cmd) {
	case BENCH_TEST_BEGIN:
		assert_false(vmm.in_test);
		assert_int_equal(m.u.begin.ring, 3);
		assert_int_equal(bench_kv_check(m.u.begin.params, BENCH_KV_MAX, "params", err, sizeof(err)), 0);
		snprintf(vmm.names[vmm.n], BENCH_NAME_MAX, "%s", m.u.begin.name);
		snprintf(vmm.params, sizeof(vmm.params), "%s", m.u.begin.params);
		if (vmm.skip && !strcmp(vmm.skip, m.u.begin.name))
			reply = BENCH_REPLY_SKIP;
		else
			vmm.in_test = 1;
		vmm.phased = 0;
		break;
	case BENCH_PHASE_BEGIN:
		assert_true(vmm.in_test);
		assert_false(vmm.phased);
		vmm.in_phase = 1;
		break;
	case BENCH_PHASE_END:
		assert_true(vmm.in_phase);
		assert_int_equal(m.u.phase_end.iterations, m.u.phase_end.nsamples * m.u.phase_end.ops_per_sample);
		check_samples(m.u.phase_end.samples_gpa, m.u.phase_end.nsamples);
		vmm.samples = m.u.phase_end.nsamples;
		vmm.in_phase = 0;
		vmm.phased = 1;
		reply = vmm.phase_end_reply;
		break;
	case BENCH_OVERHEAD:
		assert_true(vmm.phased);
		assert_true(m.u.overhead.nbefore >= 1 && m.u.overhead.nbefore <= BENCH_OVERHEAD_MAX);
		assert_true(m.u.overhead.nafter <= BENCH_OVERHEAD_MAX);
		check_samples(m.u.overhead.samples_gpa, m.u.overhead.nbefore + m.u.overhead.nafter);
		break;
	case BENCH_TEST_END:
		assert_true(vmm.in_test);
		assert_false(vmm.in_phase && m.u.test_end.status == BENCH_STATUS_OK);
		vmm.in_test = vmm.in_phase = 0;
		vmm.status = m.u.test_end.status;
		snprintf(vmm.metrics, sizeof(vmm.metrics), "%s", m.u.test_end.metrics);
		break;
	case BENCH_DONE:
		assert_false(vmm.in_test);
		vmm.done = 1;
		break;
	default:
		break;
	}
	vmm.n++;
	assert_int_equal(pwrite(vmm.fd, &reply, sizeof(reply), MAILBOX + offsetof(struct bench_mailbox_hdr, reply)),
			 sizeof(reply));
}

static void open_fake(struct lg_bench *b)
{
	struct lg_bench_loc loc = { .mailbox = MAILBOX, .port = BENCH_DEFAULT_PORT, .buf = BUF, .len = LEN };
	char err[256] = "";

	memset(&vmm, 0, sizeof(vmm));
	vmm.fd = memfd_create("fake-devmem", MFD_CLOEXEC);
	assert_true(vmm.fd >= 0);
	assert_int_equal(ftruncate(vmm.fd, (off_t)(BUF + LEN)), 0);
	if (lg_transport_map(b, vmm.fd, &loc, fake_doorbell, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(lg_measured(b));
}

static void close_fake(struct lg_bench *b)
{
	lg_transport_close(b);
	close(vmm.fd);
}

/* The commands the fake saw, as text: "HELLO TEST_BEGIN ...". */
static const char *seen(void)
{
	static char s[1024];

	s[0] = 0;
	for (int i = 0; i < vmm.n; i++)
		snprintf(s + strlen(s), sizeof(s) - strlen(s), "%s%s", i ? " " : "", bench_cmd_name(vmm.cmds[i]));
	return s;
}

static void test_transport_sends_through_the_mapping(void **state)
{
	struct lg_bench b;
	struct bench_mailbox mb;

	(void)state;
	open_fake(&b);
	assert_int_equal(b.buf_gpa, BUF);
	assert_int_equal(lg_gpa(&b, b.buf + 3), BUF + 24);
	lg_hello(&b, "exitlab-guest");
	lg_log(&b, "hello %d", 42);
	assert_string_equal(seen(), "HELLO LOG");
	/* What the VMM read is what was written at the mailbox's GPA. */
	assert_int_equal(pread(vmm.fd, &mb, sizeof(mb), MAILBOX), sizeof(mb));
	assert_int_equal(mb.hdr.magic, BENCH_MAGIC);
	assert_int_equal(mb.hdr.version, BENCH_VERSION);
	assert_string_equal((char *)mb.body, "hello 42");
	/* A buffer write lands at its GPA in the backing. */
	b.buf[5] = 0x1234;
	uint64_t v = 0;
	assert_int_equal(pread(vmm.fd, &v, 8, BUF + 40), 8);
	assert_int_equal(v, 0x1234);
	close_fake(&b);
}

static void test_map_failure_says_so(void **state)
{
	struct lg_bench_loc loc = { .mailbox = MAILBOX, .port = 0x510, .buf = BUF, .len = LEN };
	struct lg_bench b;
	char err[256] = "";

	(void)state;
	assert_int_equal(lg_transport_map(&b, -1, &loc, fake_doorbell, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot map the mailbox"));
}

static void test_pt_churn_sequence(void **state)
{
	struct lg_params p = { 0 };
	struct lg_opts o = { .quick = 1, .p = &p };
	struct lg_bench b;
	char err[128];

	(void)state;
	open_fake(&b);
	assert_int_equal(lg_param_add(&p, "ops=6", err, sizeof(err)), 0);
	assert_int_equal(lg_param_add(&p, "fork_pages=4", err, sizeof(err)), 0);
	lg_hello(&b, "exitlab-guest");
	assert_int_equal(lg_ptchurn_run(&b, &o), 0);
	lg_done(&b, BENCH_DONE_OK);
	assert_string_equal(seen(), "HELLO TEST_BEGIN PHASE_BEGIN PHASE_END OVERHEAD TEST_END DONE");
	assert_string_equal(vmm.names[1], "pt-churn");
	assert_string_equal(vmm.params, "fork_pages=4 mmap_pages=256");
	assert_int_equal(vmm.samples, 6);
	assert_int_equal(vmm.status, BENCH_STATUS_OK);
	assert_non_null(strstr(vmm.metrics, "forks=6 pages_touched=1560"));
	lg_params_free(&p);
	close_fake(&b);
}

static void test_blk_sequence_on_a_file(void **state)
{
	char path[] = "/tmp/lg-blk-XXXXXX";
	struct lg_params p = { 0 };
	struct lg_opts o = { .quick = 1, .p = &p };
	struct lg_bench b;
	char err[128], kv[160];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	open_fake(&b);
	snprintf(kv, sizeof(kv), "dev=%s", path);
	assert_int_equal(lg_param_add(&p, kv, err, sizeof(err)), 0);
	assert_int_equal(lg_param_add(&p, "ops=32", err, sizeof(err)), 0);
	assert_int_equal(lg_param_add(&p, "qd=4", err, sizeof(err)), 0);
	if (lg_blk_run(&b, &o)) {
		unlink(path);
		fail_msg("blk failed: %s", vmm.metrics);
	}
	if (vmm.status == BENCH_STATUS_SKIPPED) {
		/* /tmp without O_DIRECT (tmpfs before Linux 6.6) */
		unlink(path);
		lg_params_free(&p);
		close_fake(&b);
		skip();
	}
	assert_string_equal(seen(), "TEST_BEGIN PHASE_BEGIN PHASE_END OVERHEAD TEST_END "
				    "TEST_BEGIN PHASE_BEGIN PHASE_END OVERHEAD TEST_END");
	assert_string_equal(vmm.names[0], "blk-write");
	assert_string_equal(vmm.names[5], "blk-read");
	assert_int_equal(vmm.samples, 32);
	assert_non_null(strstr(vmm.metrics, "bad_blocks=0"));
	unlink(path);
	lg_params_free(&p);
	close_fake(&b);
}

/* A test the VMM skips gets nothing more; a phase the VMM refuses makes the test count as failed. */
static void test_skip_and_rejected(void **state)
{
	struct lg_params p = { 0 };
	struct lg_opts o = { .quick = 1, .p = &p };
	struct lg_bench b;
	char err[128];

	(void)state;
	open_fake(&b);
	assert_int_equal(lg_param_add(&p, "slices=3", err, sizeof(err)), 0);
	assert_int_equal(lg_param_add(&p, "slice_us=100", err, sizeof(err)), 0);
	vmm.skip = "idle";
	assert_int_equal(lg_idle_run(&b, &o), 0);
	assert_string_equal(seen(), "TEST_BEGIN");
	vmm.skip = NULL;
	vmm.phase_end_reply = BENCH_REPLY_REJECTED;
	assert_int_equal(lg_idle_run(&b, &o), 1);
	assert_string_equal(seen(), "TEST_BEGIN TEST_BEGIN PHASE_BEGIN PHASE_END OVERHEAD TEST_END");
	lg_params_free(&p);
	close_fake(&b);
}

/* A test that cannot run here: TEST_BEGIN, TEST_END skipped with the reason, no phase. */
static void test_unrunnable_test_is_skipped(void **state)
{
	struct lg_params p = { 0 };
	struct lg_opts o = { .quick = 1, .p = &p };
	struct lg_bench b;
	char err[128];

	(void)state;
	open_fake(&b);
	assert_int_equal(lg_param_add(&p, "peer=127.0.0.1", err, sizeof(err)), 0);
	assert_int_equal(lg_param_add(&p, "port=1", err, sizeof(err)), 0); /* nothing listens there */
	assert_int_equal(lg_tcp_run(&b, &o), 0);
	assert_string_equal(seen(), "TEST_BEGIN TEST_END");
	assert_int_equal(vmm.status, BENCH_STATUS_SKIPPED);
	lg_params_free(&p);
	close_fake(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transport_sends_through_the_mapping),
		cmocka_unit_test(test_map_failure_says_so),
		cmocka_unit_test(test_pt_churn_sequence),
		cmocka_unit_test(test_blk_sequence_on_a_file),
		cmocka_unit_test(test_skip_and_rejected),
		cmocka_unit_test(test_unrunnable_test_is_skipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
