// SPDX-License-Identifier: MIT
/*
 * Unit tests for `exitlab run linux`'s options (run/run_opts.c) and the
 * command line it hands the kernel (run/run_linux.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exitlab/linux_guest.h"
#include "run/run_linux.h"
#include "run/run_opts.h"

static enum run_opts_status parse(struct run_opts *o, int argc, const char **argv)
{
	return run_opts_parse(o, argc, (char **)argv);
}

static void test_linux_opts(void **state)
{
	struct run_opts o;
	const char *ok[] = { "run", "linux", "--kernel", "bz", "--initrd", "rd", "--append", "quiet", "--vcpus", "2" };
	const char *mem[] = { "run", "--mem", "512", "linux", "--kernel", "bz" };
	const char *nokernel[] = { "run", "linux" };
	const char *payload[] = { "run", "exit-costs", "--kernel", "bz" };
	const char *test[] = { "run", "linux", "--kernel", "bz", "--test", "cpuid" };
	const char *vmm[] = { "run", "linux", "--kernel", "bz", "--vmm", "qemu" };
	const char *deadline[] = { "run", "linux", "--kernel", "bz", "--deadline", "90" };
	const char *deadline0[] = { "run", "linux", "--kernel", "bz", "--deadline", "0" };
	const char *deadline_payload[] = { "run", "exit-costs", "--deadline", "90" };

	(void)state;
	assert_int_equal(parse(&o, 10, ok), RUN_OPTS_OK);
	assert_true(run_opts_is_linux(&o));
	assert_string_equal(o.kernel, "bz");
	assert_string_equal(o.initrd, "rd");
	assert_string_equal(o.append, "quiet");
	assert_int_equal(o.mem_mib, RUN_LINUX_MEM_MIB);
	assert_int_equal(o.nvcpus, 2);
	assert_true(o.deadline_s == RUN_LINUX_DEADLINE_S);
	run_opts_free(&o);
	assert_int_equal(parse(&o, 6, deadline), RUN_OPTS_OK);
	assert_true(o.deadline_s == 90);
	run_opts_free(&o);
	assert_int_equal(parse(&o, 6, deadline0), RUN_OPTS_BAD);
	run_opts_free(&o);
	assert_int_equal(parse(&o, 4, deadline_payload), RUN_OPTS_BAD);
	run_opts_free(&o);
	assert_int_equal(parse(&o, 6, mem), RUN_OPTS_OK);
	assert_int_equal(o.mem_mib, 512);
	run_opts_free(&o);
	assert_int_equal(parse(&o, 2, nokernel), RUN_OPTS_BAD);
	run_opts_free(&o);
	assert_int_equal(parse(&o, 4, payload), RUN_OPTS_BAD);
	run_opts_free(&o);
	assert_int_equal(parse(&o, 6, test), RUN_OPTS_BAD);
	run_opts_free(&o);
	assert_int_equal(parse(&o, 6, vmm), RUN_OPTS_OK);
	assert_string_equal(o.vmm, "qemu");
	run_opts_free(&o);
}

/* --vmm qemu with linux: the devices as given, for the peer to translate; no default sink. */
static void test_linux_peer(void **state)
{
	struct run_opts o;
	const char *nic[] = { "run", "linux", "--kernel", "bz", "--vmm", "qemu", "--device", "e1000",
			      "--device", "virtio-blk,file=img", "--netdev", "tap,ifname=t0,vhost=on" };
	const char *bare[] = { "run", "linux", "--kernel", "bz", "--vmm", "qemu", "--device", "virtio-net" };
	const char *vcpus[] = { "run", "linux", "--kernel", "bz", "--vmm", "qemu", "--vcpus", "2" };
	const char *rng[] = { "run", "linux", "--kernel", "bz", "--vmm", "qemu", "--device", "virtio-rng" };
	const char *payload[] = { "run", "exit-costs", "--vmm", "qemu", "--device", "e1000" };
	const char *netdev[] = { "run", "exit-costs", "--vmm", "qemu", "--netdev", "loop" };

	(void)state;
	assert_int_equal(parse(&o, 12, nic), RUN_OPTS_OK);
	assert_int_equal(o.ndevice_args, 2);
	assert_string_equal(o.device_args[0], "e1000");
	assert_string_equal(o.device_args[1], "virtio-blk,file=img");
	assert_string_equal(o.devices.netdev, "tap,ifname=t0,vhost=on");
	run_opts_free(&o);
	assert_int_equal(parse(&o, 8, bare), RUN_OPTS_OK);
	assert_null(o.devices.netdev); /* the peer says what it needs */
	run_opts_free(&o);
	assert_int_equal(parse(&o, 8, vcpus), RUN_OPTS_BAD);
	run_opts_free(&o);
	assert_int_equal(parse(&o, 8, rng), RUN_OPTS_BAD);
	run_opts_free(&o);
	/* a payload under a peer has the peer's test targets, not exitlab's devices */
	assert_int_equal(parse(&o, 6, payload), RUN_OPTS_BAD);
	run_opts_free(&o);
	assert_int_equal(parse(&o, 6, netdev), RUN_OPTS_BAD);
	run_opts_free(&o);
}

/* --device with linux: the four models Linux's drivers were run against (vfio: e1000e); a NIC's default backend is a sink. */
static void test_linux_devices(void **state)
{
	struct run_opts o;
	const char *blk[] = { "run", "linux", "--kernel", "bz", "--device", "virtio-blk,file=img" };
	const char *nic[] = { "run", "linux", "--kernel", "bz", "--device", "e1000" };
	const char *loop[] = { "run", "linux", "--kernel", "bz", "--device", "virtio-net", "--netdev", "loop" };
	const char *rng[] = { "run", "linux", "--kernel", "bz", "--device", "virtio-rng" };
	const char *vfio[] = { "run", "linux", "--kernel", "bz", "--device", "vfio,host=0000:00:03.0" };
	const char *lonely[] = { "run", "linux", "--kernel", "bz", "--netdev", "loop" };

	(void)state;
	assert_int_equal(parse(&o, 6, blk), RUN_OPTS_OK);
	assert_int_equal(o.devices.ndev, 1);
	assert_null(o.devices.netdev);
	run_opts_free(&o);
	assert_int_equal(parse(&o, 6, nic), RUN_OPTS_OK);
	assert_string_equal(o.devices.netdev, RUN_LINUX_NETDEV);
	run_opts_free(&o);
	assert_int_equal(parse(&o, 8, loop), RUN_OPTS_OK);
	assert_string_equal(o.devices.netdev, "loop");
	run_opts_free(&o);
	assert_int_equal(parse(&o, 6, rng), RUN_OPTS_BAD);
	run_opts_free(&o);
	/* a passed-through function is no NIC of ours: no --netdev default */
	assert_int_equal(parse(&o, 6, vfio), RUN_OPTS_OK);
	assert_null(o.devices.netdev);
	run_opts_free(&o);
	assert_int_equal(parse(&o, 6, lonely), RUN_OPTS_BAD);
	run_opts_free(&o);
}

static void test_linux_cmdline(void **state)
{
	struct run_opts o;
	const char *argv[] = { "run", "linux", "--kernel", "bz", "--append", "quiet init=/bin/sh" };
	const char *bare[] = { "run", "linux", "--kernel", "bz" };
	char buf[256];

	(void)state;
	assert_int_equal(parse(&o, 6, argv), RUN_OPTS_OK);
	assert_int_equal(run_linux_cmdline(&o, 256 << 20, buf, sizeof(buf)), 0);
	/* the buffer: the top LINUX_BENCH_BUF_LEN bytes of low RAM */
	assert_string_equal(buf, "console=ttyS0 quiet init=/bin/sh exitlab.bench=0x10000,0x510,0xf000000,0x1000000");
	assert_int_equal(run_linux_cmdline(&o, 256 << 20, buf, 20), -1);
	run_opts_free(&o);
	assert_int_equal(parse(&o, 4, bare), RUN_OPTS_OK);
	assert_int_equal(run_linux_cmdline(&o, 1ULL << 30, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "console=ttyS0 exitlab.bench=0x10000,0x510,0x3f000000,0x1000000");
	run_opts_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_opts),
		cmocka_unit_test(test_linux_devices),
		cmocka_unit_test(test_linux_peer),
		cmocka_unit_test(test_linux_cmdline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
