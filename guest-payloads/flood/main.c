// SPDX-License-Identifier: MIT
/*
 * flood: a guest that writes far more text than anyone reads, on the serial
 * port (rep outsb, a page an exit) or as bench-protocol log records, then
 * runs one plain test. The VMM must keep a bounded part (docs/devices.md,
 * "Guest text"), say what it dropped, keep the test's result, and hold no
 * more memory for it than for a quiet guest.
 *   what=serial|log   what to flood (default serial)
 *   mib=N             how much, in MiB (default 64)
 */
#include "guest_bench.h"
#include "params.h"
#include "ring.h"
#include "runtime.h"
#include "serial.h"
#include "string.h"
#include "guest_catalogue.h"

PAYLOAD_INFO("flood", "floods the serial port or the bench log: the VMM keeps a bounded part");
PARAM("what", "serial", "serial | log: the channel to flood");
PARAM("mib", "64", "how much text to write, in MiB");
TEST("after", R3, "a plain one-sample phase after the flood: kept");

static char line[4096];
static uint64_t samples[1] = { 100 };
static char what[16] = "serial";
static uint64_t bytes;

/* At CPL3, which runs natively: the VMM, not the guest's speed, is what is tested. */
static long flood(void *arg)
{
	(void)arg;
	for (uint64_t done = 0; done < bytes; done += sizeof(line)) {
		if (!strcmp(what, "log")) {
			bench_send(BENCH_LOG, line, 4000); /* NUL-terminated within the mailbox body */
		} else {
			const char *p = line;
			unsigned long n = 3999; /* the text before the NUL */

			asm volatile("rep outsb" : "+S"(p), "+c"(n) : "d"((unsigned short)SERIAL_COM1) : "memory");
		}
	}
	return 0;
}

int payload_main(const struct boot_info *bi)
{
	bytes = param_size(bi, "mib", 64) << 20;
	bench_hello("flood");
	param_str(bi, "what", what, sizeof(what));
	for (size_t i = 0; i < sizeof(line); i++)
		line[i] = (i % 64 == 63) ? '\n' : 'a' + (char)(i % 26);
	line[sizeof(line) - 1] = 0;
	line[3999] = 0;
	run_at_cpl3(flood, 0);
	if (!bench_test_begin("after", 3, 0))
		return 0;
	bench_phase_begin();
	bench_phase_end(1, samples, 1, 1);
	bench_test_end(BENCH_STATUS_OK, "");
	return 0;
}
