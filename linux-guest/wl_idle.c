// SPDX-License-Identifier: MIT
/*
 * idle: the process sleeps in slices of slice_us; a sample is one slice.
 * What the host counts over the phase (exits, timer interrupts, halts) per
 * second of it is what an idle Linux guest costs; the samples show how long
 * a slice really lasted (its wake-up latency on top).
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "guest-payloads/lib/timing.h"
#include "linux-guest/workloads.h"

const struct lg_key lg_idle_keys[] = {
	{ "slice_us", 'u', "length of one sleep (default 1000)" },
	{ "slices", 'u', "sleeps timed (default 2000, --quick 100)" },
	{ NULL, 0, NULL },
};

int lg_idle_run(struct lg_bench *b, const struct lg_opts *o)
{
	uint64_t slice_us = lg_param_u64(o->p, "slice_us", 1000);
	uint64_t n = lg_param_u64(o->p, "slices", o->quick ? 100 : 2000);
	struct timespec ts = { .tv_sec = (time_t)(slice_us / 1000000), .tv_nsec = (long)(slice_us % 1000000) * 1000 };
	char params[BENCH_KV_MAX] = "", metrics[BENCH_KV_MAX] = "";
	uint64_t *s, interrupted = 0;
	struct lg_test t;

	lg_kv_add(params, sizeof(params), "slice_us", "%llu", (unsigned long long)slice_us);
	if (!lg_test_begin(&t, b, "idle", params))
		return 0;
	s = lg_samples(&t, &n);
	lg_phase_begin(&t);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();

		/* An early wake-up (a signal) still ends the slice: counted, not retried. */
		if (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL) == EINTR)
			interrupted++;
		s[i] = tsc_end() - t0;
	}
	lg_phase_end(&t, n, n, 1);
	lg_kv_add(metrics, sizeof(metrics), "slices", "%llu", (unsigned long long)n);
	lg_kv_add(metrics, sizeof(metrics), "interrupted", "%llu", (unsigned long long)interrupted);
	lg_kv_add(metrics, sizeof(metrics), "wall_s", "%.3f", t.wall_s);
	return lg_test_end(&t, BENCH_STATUS_OK, NULL, metrics);
}
