/* SPDX-License-Identifier: MIT */
/*
 * The test-register device: the cheapest possible VMM-handled PIO and MMIO
 * target, so exit-costs measures the exit and nothing else.  Writes are
 * counted and dropped; reads return TEST_REGS_READ_VALUE so the payload can
 * check that the VMM really answered.
 */
#ifndef EXITLAB_TEST_REGS_H
#define EXITLAB_TEST_REGS_H

#include <stdint.h>

#include "vmm/bus.h"

#define TEST_REGS_READ_VALUE 0x600DF00Du

struct test_regs {
	uint64_t reads, writes;
};

extern const struct bus_ops test_regs_bus_ops; /* opaque = struct test_regs * */

#endif
