/* SPDX-License-Identifier: MIT */
/*
 * scripts/linux/initramfs.sh builds the Linux guest's initramfs from Debian's
 * packages (docs/linux-guest.md): the cpio holds /init, busybox, exitlab-guest
 * and the udhcpc hook, and /init is the script of the tree.  Built without
 * iperf3 and fio (--no-extras) to stay short; skips with the script's
 * one-line reason when no package mirror answers and nothing is cached.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

static int sh(const char *cmd, const char *log, char **out)
{
	char full[2048];
	int st;

	snprintf(full, sizeof(full), "(%s) >%s 2>&1 </dev/null", cmd, log);
	fprintf(stderr, "running: %s\n", cmd);
	st = system(full);
	*out = harness_slurp(log, NULL);
	assert_non_null(*out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_initramfs_holds_init_busybox_and_the_tool(void **state)
{
	char cmd[1024], log[600], cpio[600], list[600], *out, *names, *line;
	int rc;

	(void)state;
	snprintf(log, sizeof(log), "%s/build.log", harness_tmp);
	snprintf(cpio, sizeof(cpio), "%s/initramfs.cpio.gz", harness_tmp);
	snprintf(cmd, sizeof(cmd), "scripts/linux/initramfs.sh --no-extras %s", cpio);
	rc = sh(cmd, log, &out);
	fputs(out, stderr);
	if (rc == 77) {
		line = strstr(out, "SKIP: ");
		fprintf(stderr, "skipped: %s", line ? line + 6 : "initramfs.sh cannot run here\n");
		free(out);
		skip();
	}
	assert_int_equal(rc, 0);
	free(out);

	HARNESS_SKIP_IF(system("command -v cpio >/dev/null") ? "no cpio here to list the archive" : NULL);
	snprintf(list, sizeof(list), "%s/list.txt", harness_tmp);
	snprintf(cmd, sizeof(cmd), "gzip -dc %s | cpio -it --quiet", cpio);
	assert_int_equal(sh(cmd, list, &names), 0);
	/* One name a line: look for whole lines. */
	static const char *const want[] = { "\ninit\n", "\nbin/busybox\n", "\nbin/exitlab-guest\n", "\nbin/sh\n",
					    "\nusr/share/udhcpc/default.script\n" };
	size_t len = strlen(names);
	char *padded = malloc(len + 3);

	assert_non_null(padded);
	snprintf(padded, len + 3, "\n%s\n", names);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(padded, want[i]))
			fail_msg("the cpio lacks%s", want[i]);
	free(padded);
	free(names);

	/* /init is the tree's own, byte for byte. */
	snprintf(cmd, sizeof(cmd), "cd %s && gzip -dc initramfs.cpio.gz | cpio -i --quiet init && cmp init %s/scripts/linux/init",
		 harness_tmp, getenv("PWD") ? getenv("PWD") : ".");
	assert_int_equal(sh(cmd, list, &out), 0);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initramfs_holds_init_busybox_and_the_tool),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
