/* SPDX-License-Identifier: MIT */
/*
 * `exitlab run linux` refuses what cannot boot before it opens /dev/kvm, so
 * these run on any host: a file that is not a bzImage, a truncated one, an
 * old boot protocol, a kernel larger than --mem allows, an initrd that does
 * not fit, the options a payload takes. Exit 2 with the reason each time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/integration/bzimage_fixture.h"
#include "tests/integration/harness.h"

static char kernel[512], small[512], old[512], initrd[512];

static int setup(void **state)
{
	FILE *f;

	if (harness_group_setup(state))
		return -1;
	snprintf(kernel, sizeof(kernel), "%s/bzImage", harness_tmp);
	snprintf(small, sizeof(small), "%s/truncated", harness_tmp);
	snprintf(old, sizeof(old), "%s/old", harness_tmp);
	snprintf(initrd, sizeof(initrd), "%s/initrd", harness_tmp);
	if (bzimage_write(kernel, BZF_FILE_LEN, 0x020f, 64 << 20, NULL, 0) ||
	    bzimage_write(small, BZF_FILE_LEN - BZF_KERNEL_LEN / 2, 0x020f, 64 << 20, NULL, 0) ||
	    bzimage_write(old, BZF_FILE_LEN, 0x0209, 64 << 20, NULL, 0))
		return -1;
	f = fopen(initrd, "wb");
	if (!f || fseek(f, (200 << 20) - 1, SEEK_SET) || fputc(0, f) == EOF)
		return -1;
	fclose(f);
	return 0;
}

/* exitlab ARGS exits 2 and says want. */
static void refused(const char *want, const char *const *args)
{
	struct run_out o;

	harness_run(&o, args);
	if (o.exit_code != 2 || !strstr(o.err, want)) {
		fprintf(stderr, "exit %d, want 2 with \"%s\"; stderr: %s", o.exit_code, want, o.err);
		harness_free(&o);
		fail();
	}
	harness_free(&o);
}

static void test_bad_kernels(void **state)
{
	(void)state;
	refused("not a bzImage", (const char *const[]){ "run", "linux", "--kernel", "README.md", NULL });
	refused("truncated bzImage", (const char *const[]){ "run", "linux", "--kernel", small, NULL });
	refused("boot protocol 2.09", (const char *const[]){ "run", "linux", "--kernel", old, NULL });
	refused("raise --mem", (const char *const[]){ "run", "linux", "--kernel", kernel, "--mem", "64", NULL });
	refused("initrd", (const char *const[]){ "run", "linux", "--kernel", kernel, "--initrd", initrd, NULL });
	refused("--kernel", (const char *const[]){ "run", "linux", "--kernel", "/nonexistent/bzImage", NULL });
}

static void test_bad_options(void **state)
{
	(void)state;
	refused("--kernel BZIMAGE is required", (const char *const[]){ "run", "linux", NULL });
	refused("are for `exitlab run linux`", (const char *const[]){ "run", "exit-costs", "--kernel", kernel, NULL });
	refused("for payloads", (const char *const[]){ "run", "linux", "--kernel", kernel, "--test", "cpuid", NULL });
	refused("not offered to a Linux guest",
		(const char *const[]){ "run", "linux", "--kernel", kernel, "--device", "virtio-rng", NULL });
	refused("vfio needs host=", (const char *const[]){ "run", "linux", "--kernel", kernel, "--device", "vfio", NULL });
	refused("--netdev without a NIC",
		(const char *const[]){ "run", "linux", "--kernel", kernel, "--netdev", "loop", NULL });
}

/* --vmm qemu: what QEMU cannot take is exit 2 with the reason, before QEMU starts (no KVM needed). */
static void test_qemu_refusals(void **state)
{
	struct run_out o;
	(void)state;

	refused("sink, gen and loop are exitlab's own", (const char *const[]){ "run", "linux", "--vmm", "qemu",
		"--kernel", kernel, "--device", "e1000", "--netdev", "loop", NULL });
	refused("needs --netdev tap", (const char *const[]){ "run", "linux", "--vmm", "qemu", "--kernel", kernel,
		"--device", "virtio-net", NULL });
	refused("under QEMU vhost is the tap's", (const char *const[]){ "run", "linux", "--vmm", "qemu",
		"--kernel", kernel, "--device", "virtio-net,vhost=net", "--netdev", "tap,ifname=t0", NULL });
	refused("vhost=on is virtio-net's", (const char *const[]){ "run", "linux", "--vmm", "qemu", "--kernel",
		kernel, "--device", "e1000", "--netdev", "tap,ifname=t0,vhost=on", NULL });
	refused("needs --mem 128", (const char *const[]){ "run", "linux", "--vmm", "qemu", "--kernel", kernel,
		"--mem", "100", NULL });
	refused("need exitlab's own VMM", (const char *const[]){ "run", "linux", "--vmm", "qemu", "--kernel",
		kernel, "--vcpus", "2", NULL });
	/* sound options, no QEMU: exit 3 naming the package */
	setenv("EXITLAB_PEER_BINARY", "/nonexistent/qemu-system-x86_64", 1);
	harness_run(&o, (const char *const[]){ "run", "linux", "--vmm", "qemu", "--kernel", kernel, "--device",
		"virtio-blk,file=/nonexistent.img", NULL });
	unsetenv("EXITLAB_PEER_BINARY");
	assert_int_equal(o.exit_code, 3);
	assert_non_null(strstr(o.err, "package qemu-system-x86"));
	harness_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_kernels),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_qemu_refusals),
	};

	return cmocka_run_group_tests(tests, setup, harness_group_teardown);
}
