/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "devices/platform/test_regs.h"

static int test_regs_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	struct test_regs *t = opaque;
	uint64_t v = TEST_REGS_READ_VALUE;

	(void)off;
	t->reads++;
	memcpy(data, &v, size > 8 ? 8 : size);
	return 0;
}

static int test_regs_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct test_regs *t = opaque;

	(void)off;
	(void)data;
	(void)size;
	t->writes++;
	return 0;
}

const struct bus_ops test_regs_bus_ops = {
	.read = test_regs_read,
	.write = test_regs_write,
};
