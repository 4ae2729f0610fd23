// SPDX-License-Identifier: MIT
#include <string.h>

#include "linux-guest/workloads.h"

const struct lg_workload lg_workloads[] = {
	{ "idle", "sleep in slices: what an idle Linux costs (timer ticks, exits per second)", lg_idle_keys,
	  lg_idle_run },
	{ "pt-churn", "fork+exit of a child that touched pages, and mmap/touch/munmap: page-table work",
	  lg_ptchurn_keys, lg_ptchurn_run },
	{ "blk", "O_DIRECT writes of a pattern, then reads checking it (tests blk-write, blk-read)",
	  lg_blk_keys, lg_blk_run },
	{ "udp", "a UDP flood of frames of a size to a peer", lg_udp_keys, lg_udp_run },
	{ "tcp", "a TCP stream to a listening peer (or iperf3)", lg_tcp_keys, lg_tcp_run },
};
const size_t lg_nworkloads = sizeof(lg_workloads) / sizeof(lg_workloads[0]);

const struct lg_workload *lg_workload_find(const char *name)
{
	for (size_t i = 0; i < lg_nworkloads; i++)
		if (!strcmp(lg_workloads[i].name, name))
			return &lg_workloads[i];
	return NULL;
}

int lg_skip_test(struct lg_bench *b, const char *name, const char *params, const char *why)
{
	struct lg_test t;

	if (lg_test_begin(&t, b, name, params))
		lg_test_end(&t, BENCH_STATUS_SKIPPED, why, NULL);
	return 0;
}
