/* SPDX-License-Identifier: MIT */
/* The device side's CPU time: schedstat parsing, and the registry's sums and unknowns. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm/thread_cpu.h"

static void test_parse(void **state)
{
	uint64_t ns = 7;
	(void)state;

	assert_int_equal(thread_cpu_parse_schedstat("123456789 2345 67\n", &ns), 0);
	assert_int_equal(ns, 123456789);
	assert_int_equal(thread_cpu_parse_schedstat("42", &ns), 0);
	assert_int_equal(ns, 42);
	assert_int_equal(thread_cpu_parse_schedstat("0 0 0\n", &ns), 0);
	assert_int_equal(ns, 0);
	/* malformed: an error, and ns untouched */
	ns = 7;
	assert_int_equal(thread_cpu_parse_schedstat("", &ns), -EINVAL);
	assert_int_equal(thread_cpu_parse_schedstat("abc 1 2\n", &ns), -EINVAL);
	assert_int_equal(thread_cpu_parse_schedstat(" 12 1 2\n", &ns), -EINVAL);
	assert_int_equal(thread_cpu_parse_schedstat("-12 1 2\n", &ns), -EINVAL);
	assert_int_equal(thread_cpu_parse_schedstat("12x 1 2\n", &ns), -EINVAL);
	assert_int_equal(thread_cpu_parse_schedstat("99999999999999999999999 1 2\n", &ns), -EINVAL);
	assert_int_equal(thread_cpu_parse_schedstat(NULL, &ns), -EINVAL);
	assert_int_equal(ns, 7);
}

static void test_read_file(void **state)
{
	char path[] = "/tmp/exitlab-schedstat-XXXXXX";
	uint64_t ns = 0;
	int fd = mkstemp(path);
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "987 6 5\n", 8), 8);
	close(fd);
	assert_int_equal(thread_cpu_read_schedstat(path, &ns), 0);
	assert_int_equal(ns, 987);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "garbage\n", 8), 8);
	close(fd);
	assert_int_equal(thread_cpu_read_schedstat(path, &ns), -EINVAL);
	fd = open(path, O_WRONLY | O_TRUNC);
	close(fd);
	assert_int_equal(thread_cpu_read_schedstat(path, &ns), -EINVAL); /* empty */
	unlink(path);
	assert_int_equal(thread_cpu_read_schedstat(path, &ns), -ENOENT);
	assert_int_equal(ns, 987);
}

/* A pid that no longer exists: a child, reaped. */
static pid_t dead_pid(void)
{
	pid_t p = fork();

	if (!p)
		_exit(0);
	waitpid(p, NULL, 0);
	return p;
}

static void test_process(void **state)
{
	uint64_t ns = 0;
	(void)state;

	assert_int_equal(thread_cpu_process_ns(getpid(), &ns), 0);
	assert_true(ns > 0);
	assert_true(thread_cpu_process_ns(dead_pid(), &ns) < 0);
}

/* Spin until this thread has used 2 ms of CPU: what the registry must then count, at least. */
static void *spin(void *arg)
{
	uint64_t ns = 0;

	(void)arg;
	while (!thread_cpu_self_ns(&ns) && ns < 2000000)
		;
	return NULL;
}

static void test_registry(void **state)
{
	pthread_t t;
	uint64_t ns = 0, later = 0;
	(void)state;

	thread_cpu_reset();
	assert_int_equal(thread_cpu_device_ns(&ns), -1); /* nothing registered: unknown, not 0 */
	assert_int_equal(thread_cpu_create(&t, spin, NULL), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	/* the thread ended: its time is kept */
	assert_int_equal(thread_cpu_device_ns(&ns), 0);
	assert_true(ns >= 2000000);

	/* a part that cannot be read makes the sum unknown, until it is gone */
	thread_cpu_unknown_part(1);
	assert_int_equal(thread_cpu_device_ns(&later), -1);
	thread_cpu_unknown_part(-1);
	assert_int_equal(thread_cpu_device_ns(&later), 0);
	assert_true(later >= ns);

	/* another process's threads add up; one that is gone makes the sum unknown */
	assert_int_equal(thread_cpu_add_process(getppid()), 0);
	assert_int_equal(thread_cpu_device_ns(&later), 0);
	assert_true(later >= ns);
	thread_cpu_remove_process(getppid());
	assert_int_equal(thread_cpu_add_process(dead_pid()), 0);
	assert_int_equal(thread_cpu_device_ns(&later), -1);
	assert_int_equal(thread_cpu_add_process(0), -EINVAL);

	thread_cpu_reset();
	assert_int_equal(thread_cpu_device_ns(&ns), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_process),
		cmocka_unit_test(test_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
