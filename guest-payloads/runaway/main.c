// SPDX-License-Identifier: MIT
/*
 * runaway: say hello, then spin at CPL3 with interrupts off and no exits, so
 * only the VMM's --timeout can stop it.
 */
#include "guest_bench.h"
#include "ring.h"
#include "runtime.h"
#include "guest_catalogue.h"

/* The catalogue (catalogue.h): what `exitlab list` shows and the host checks. */
PAYLOAD_INFO("runaway", "spins at CPL3 with no exits: only --timeout stops it");

static long spin(void *arg)
{
	(void)arg;
	for (;;)
		asm volatile("" : : : "memory");
	return 0;
}

int payload_main(const struct boot_info *bi)
{
	(void)bi;
	bench_hello("runaway");
	bench_log("runaway: spinning at CPL3 until the VMM's timeout");
	run_at_cpl3(spin, 0);
	return 1;
}
