/* SPDX-License-Identifier: MIT */
/*
 * exitlab-guest's parsing (linux-guest/cmdline.c, linux-guest/params.c): the
 * exitlab.bench= key of the kernel command line (include/exitlab/linux_guest.h)
 * found among other words, absent, or malformed in each way the VMM and the
 * tool could disagree; --param values and the key=value lists the tool sends,
 * which must pass the host's own check (devices/platform/bench_msg.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "devices/platform/bench_msg.h"
#include "exitlab/linux_guest.h"
#include "linux-guest/cmdline.c"
#include "linux-guest/params.c"

static void test_key_found_among_other_words(void **state)
{
	struct lg_bench_loc loc;
	char err[256] = "";

	(void)state;
	assert_int_equal(lg_cmdline_parse("console=ttyS0 quiet exitlab.bench=0x10000,0x510,0x100000000,0x1000000 "
					  "exitlab.run=--quick\n",
					  &loc, err, sizeof(err)),
			 1);
	assert_int_equal(loc.mailbox, LINUX_BENCH_MAILBOX);
	assert_int_equal(loc.port, BENCH_DEFAULT_PORT);
	assert_int_equal(loc.buf, 0x100000000ULL);
	assert_int_equal(loc.len, LINUX_BENCH_BUF_LEN);
	/* First word, end of line, upper-case digits, no 0x. */
	assert_int_equal(lg_cmdline_parse("exitlab.bench=2000,0x510,0X200000,1000", &loc, err, sizeof(err)), 1);
	assert_int_equal(loc.mailbox, 0x2000);
	assert_int_equal(loc.buf, 0x200000);
	assert_int_equal(loc.len, 0x1000);
	assert_int_equal(lg_cmdline_parse("a\texitlab.bench=0x1000,0x510,0xABC000,0x8", &loc, err, sizeof(err)), 1);
	assert_int_equal(loc.buf, 0xabc000);
	assert_int_equal(loc.com2, 0);
	/* The peer VMM's form: a byte to COM2's data port, the reply polled. */
	assert_int_equal(lg_cmdline_parse("quiet exitlab.bench=com2,0x8000000,0x2f8,0x8001000,0x1000000", &loc, err,
					  sizeof(err)), 1);
	assert_int_equal(loc.com2, 1);
	assert_int_equal(loc.mailbox, 0x8000000);
	assert_int_equal(loc.port, 0x2f8);
	assert_int_equal(loc.buf, 0x8001000);
	assert_int_equal(loc.len, 0x1000000);
}

static void test_key_missing(void **state)
{
	struct lg_bench_loc loc;
	char err[256] = "";

	(void)state;
	assert_int_equal(lg_cmdline_parse("", &loc, err, sizeof(err)), 0);
	assert_int_equal(lg_cmdline_parse("console=ttyS0 quiet", &loc, err, sizeof(err)), 0);
	/* Part of another word is not the key. */
	assert_int_equal(lg_cmdline_parse("myexitlab.bench=0x10000,0x510,0x100000,0x1000", &loc, err, sizeof(err)), 0);
	assert_int_equal(lg_cmdline_parse("exitlab.benchmark=1 exitlab.bench", &loc, err, sizeof(err)), 0);
}

static void expect_malformed(const char *cmdline, const char *why)
{
	struct lg_bench_loc loc;
	char err[256] = "";

	if (lg_cmdline_parse(cmdline, &loc, err, sizeof(err)) != -1)
		fail_msg("accepted: %s", cmdline);
	if (!strstr(err, why))
		fail_msg("%s: error \"%s\" does not say \"%s\"", cmdline, err, why);
}

static void test_key_malformed(void **state)
{
	(void)state;
	expect_malformed("exitlab.bench=", "four hex numbers");
	expect_malformed("exitlab.bench=com2", "four hex numbers");
	expect_malformed("exitlab.bench=com2,0x10000,0x2f8,0x100000", "four hex numbers");
	expect_malformed("exitlab.bench=com3,0x10000,0x2f8,0x100000,0x1000", "four hex numbers");
	expect_malformed("exitlab.bench=0x10000,0x510,0x100000", "four hex numbers");
	expect_malformed("exitlab.bench=0x10000,0x510,0x100000,0x1000,0x5", "four hex numbers");
	expect_malformed("exitlab.bench=0x10000,,0x100000,0x1000", "four hex numbers");
	expect_malformed("exitlab.bench=0x10000,0x510,0x100000,0x", "four hex numbers");
	expect_malformed("exitlab.bench=0x10000,0x510,0x100000,0x1000,", "four hex numbers");
	expect_malformed("exitlab.bench=0x10000,0x510,0x10000g,0x1000", "four hex numbers");
	expect_malformed("exitlab.bench=0x10000,0x510,0x100000,-1000", "four hex numbers");
	expect_malformed("exitlab.bench=0x10000,0x510,0x100000,0x10000000000000000", "four hex numbers");
	expect_malformed("exitlab.bench=0x10800,0x510,0x100000,0x1000", "mailbox is not page-aligned");
	expect_malformed("exitlab.bench=0x10000,0x0,0x100000,0x1000", "port");
	expect_malformed("exitlab.bench=0x10000,0x10000,0x100000,0x1000", "port");
	expect_malformed("exitlab.bench=0x10000,0x510,0x100800,0x1000", "buffer is not page-aligned");
	expect_malformed("exitlab.bench=0x10000,0x510,0x100000,0x0", "nonzero multiple of 8");
	expect_malformed("exitlab.bench=0x10000,0x510,0x100000,0x1001", "nonzero multiple of 8");
	expect_malformed("exitlab.bench=0x10000,0x510,0xfffffffffffff000,0x2000", "wraps");
	expect_malformed("exitlab.bench=0x10000,0x510,0x8000,0x10000", "mailbox lies inside the buffer");
	expect_malformed("exitlab.bench=0x10000,0x510,0x100000,0x1000 exitlab.bench=0x10000,0x510,0x100000,0x1000",
			 "given twice");
}

static void test_key_from_a_file(void **state)
{
	char path[] = "/tmp/lg-cmdline-XXXXXX";
	struct lg_bench_loc loc;
	char err[256] = "";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "quiet exitlab.bench=0x10000,0x510,0x100000000,0x1000000\n", 56), 56);
	close(fd);
	assert_int_equal(lg_cmdline_read(path, &loc, err, sizeof(err)), 1);
	assert_int_equal(loc.len, LINUX_BENCH_BUF_LEN);
	unlink(path);
	assert_int_equal(lg_cmdline_read(path, &loc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read"));
}

static void test_params(void **state)
{
	struct lg_params p = { 0 };
	static const struct lg_key keys[] = { { "n", 'u', "" }, { "dev", 's', "" }, { NULL, 0, NULL } };
	char err[256];
	uint64_t v;

	(void)state;
	assert_int_equal(lg_param_add(&p, "n=4k", err, sizeof(err)), 0);
	assert_int_equal(lg_param_add(&p, "dev=/dev/vdb", err, sizeof(err)), 0);
	assert_int_equal(lg_param_u64(&p, "n", 1), 4096);
	assert_int_equal(lg_param_u64(&p, "other", 7), 7);
	assert_string_equal(lg_param_str(&p, "dev", NULL), "/dev/vdb");
	assert_int_equal(lg_param_check(&p, keys, err, sizeof(err)), 0);
	assert_int_equal(lg_param_add(&p, "n=0x10", err, sizeof(err)), 0); /* a later one replaces */
	assert_int_equal(lg_param_u64(&p, "n", 1), 16);
	assert_int_equal(p.n, 2);
	assert_int_equal(lg_param_add(&p, "n=ten", err, sizeof(err)), 0);
	assert_int_equal(lg_param_check(&p, keys, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a number"));
	assert_int_equal(lg_param_add(&p, "N=1", err, sizeof(err)), -1);
	assert_int_equal(lg_param_add(&p, "n=", err, sizeof(err)), -1);
	assert_int_equal(lg_param_add(&p, "=1", err, sizeof(err)), -1);
	assert_int_equal(lg_param_add(&p, "n", err, sizeof(err)), -1);
	assert_int_equal(lg_parse_u64("2M", &v), 0);
	assert_int_equal(v, 2u << 20);
	assert_int_equal(lg_parse_u64("-1", &v), -1);
	assert_int_equal(lg_parse_u64("1x", &v), -1);
	assert_int_equal(lg_parse_u64("", &v), -1);
	lg_params_free(&p);
}

/* What lg_kv_add builds passes the host's check, whatever the values hold. */
static void test_kv_lists_pass_the_host_check(void **state)
{
	char kv[BENCH_KV_MAX] = "", err[256];

	(void)state;
	lg_kv_add(kv, sizeof(kv), "dev", "%s", "/dev/vda");
	lg_kv_add(kv, sizeof(kv), "peer", "%s", "10.0.2.2");
	lg_kv_add(kv, sizeof(kv), "rate", "%.1f", 12.5);
	lg_kv_add(kv, sizeof(kv), "empty", "%s", "");
	assert_string_equal(kv, "dev=_dev_vda peer=10.0.2.2 rate=12.5 empty=none");
	if (bench_kv_check(kv, sizeof(kv), "params", err, sizeof(err)))
		fail_msg("%s: %s", kv, err);
	/* A pair that does not fit is left out whole. */
	memset(kv, 0, sizeof(kv));
	for (int i = 0; i < 40; i++)
		lg_kv_add(kv, 64, "key", "%d", 1000 + i);
	assert_true(strlen(kv) < 64);
	assert_int_equal(kv[strlen(kv) - 1] >= '0' && kv[strlen(kv) - 1] <= '9', 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_found_among_other_words),
		cmocka_unit_test(test_key_missing),
		cmocka_unit_test(test_key_malformed),
		cmocka_unit_test(test_key_from_a_file),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_kv_lists_pass_the_host_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
