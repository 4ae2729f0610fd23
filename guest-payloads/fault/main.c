// SPDX-License-Identifier: MIT
/*
 * fault: dereference NULL (page 0 is unmapped by the boot contract), so the
 * VMM must report #PF (vector 14) with CR2 = 0 and the faulting RIP, exit 1.
 */
#include "guest_bench.h"
#include "runtime.h"
#include "guest_catalogue.h"

/* The catalogue (catalogue.h): what `exitlab list` shows and the host checks. */
PAYLOAD_INFO("fault", "dereferences NULL: the VMM must report #PF with CR2 = 0");

int payload_main(const struct boot_info *bi)
{
	(void)bi;
	bench_hello("fault");
	bench_log("fault: reading address 0, expect #PF with CR2=0");
	return *(volatile int *)0;
}
