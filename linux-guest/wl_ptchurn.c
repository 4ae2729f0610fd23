// SPDX-License-Identifier: MIT
/*
 * pt-churn: page-table work, the exits shadow paging costs (npt=0) and
 * nested paging does not (npt=1).  One operation: fork a child that maps
 * and touches fork_pages fresh pages and exits, wait for it; then map
 * mmap_pages pages, touch each, unmap them.  Either part can be turned off
 * with a count of 0.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-payloads/lib/timing.h"
#include "linux-guest/workloads.h"

#define PAGE 4096u

const struct lg_key lg_ptchurn_keys[] = {
	{ "fork_pages", 'u', "pages the forked child touches (default 64; 0: no fork)" },
	{ "mmap_pages", 'u', "pages mapped, touched and unmapped per operation (default 256; 0: none)" },
	{ "ops", 'u', "operations timed (default 1000, --quick 50)" },
	{ NULL, 0, NULL },
};

/* Map n pages, write one byte in each, unmap: 0, or -1 if the mapping failed. */
static int map_touch_unmap(uint64_t n, uint64_t *sum)
{
	volatile uint8_t *p;

	if (!n)
		return 0;
	p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	for (uint64_t i = 0; i < n; i++)
		p[i * PAGE] = (uint8_t)i;
	*sum += p[(n - 1) * PAGE];
	munmap((void *)p, n * PAGE);
	return 0;
}

/* 0, or -1 if the fork failed or the child did not exit 0. */
static int fork_touch(uint64_t n)
{
	pid_t pid;
	int st;

	if (!n)
		return 0;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		uint64_t sum = 0;

		_exit(map_touch_unmap(n, &sum) ? 1 : 0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return 0;
}

int lg_ptchurn_run(struct lg_bench *b, const struct lg_opts *o)
{
	uint64_t fork_pages = lg_param_u64(o->p, "fork_pages", 64);
	uint64_t mmap_pages = lg_param_u64(o->p, "mmap_pages", 256);
	uint64_t n = lg_param_u64(o->p, "ops", o->quick ? 50 : 1000);
	char params[BENCH_KV_MAX] = "", metrics[BENCH_KV_MAX] = "", why[BENCH_REASON_MAX];
	uint64_t *s, sum = 0;
	struct lg_test t;

	lg_kv_add(params, sizeof(params), "fork_pages", "%llu", (unsigned long long)fork_pages);
	lg_kv_add(params, sizeof(params), "mmap_pages", "%llu", (unsigned long long)mmap_pages);
	if (!lg_test_begin(&t, b, "pt-churn", params))
		return 0;
	s = lg_samples(&t, &n);
	/* Warm-up, outside the phase: the first fork pays for paging in this binary. */
	if (fork_touch(fork_pages) || map_touch_unmap(mmap_pages, &sum))
		return lg_test_end(&t, BENCH_STATUS_SKIPPED, "fork or mmap fails here (before the phase)", NULL);
	lg_phase_begin(&t);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin();
		int bad = fork_touch(fork_pages) | map_touch_unmap(mmap_pages, &sum);

		s[i] = tsc_end() - t0;
		if (bad) {
			snprintf(why, sizeof(why), "operation %llu of %llu: fork or mmap failed inside the phase",
				 (unsigned long long)i, (unsigned long long)n);
			return lg_test_end(&t, BENCH_STATUS_FAILED, why, NULL);
		}
	}
	lg_phase_end(&t, n, n, 1);
	lg_kv_add(metrics, sizeof(metrics), "forks", "%llu", (unsigned long long)(fork_pages ? n : 0));
	lg_kv_add(metrics, sizeof(metrics), "pages_touched", "%llu",
		  (unsigned long long)(n * (fork_pages + mmap_pages)));
	lg_kv_add(metrics, sizeof(metrics), "checksum", "%llu", (unsigned long long)sum);
	return lg_test_end(&t, BENCH_STATUS_OK, NULL, metrics);
}
