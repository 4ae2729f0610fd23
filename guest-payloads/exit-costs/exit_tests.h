/* SPDX-License-Identifier: MIT */
/*
 * The exit-costs tests kept outside main.c: their loops, validity, setup and
 * checks, one file per topic (cache_msr_tests.c, apic_tests.c, port_tests.c),
 * each a row of main.c's table.
 */
#ifndef EXIT_COSTS_EXIT_TESTS_H
#define EXIT_COSTS_EXIT_TESTS_H

#include "measure.h"

/* A loop defined by MEASURE_LOOP (static) made visible to main.c's table. */
#define EXPORT_LOOP(name)								\
	void name##_test(struct measure_ctx *c, uint64_t *samples, uint64_t n)		\
	{										\
		name##_loop(c, samples, n);						\
	}

/* cache_msr_tests.c: cache flushes and the MSR writes of kvm-unit-tests' vmexit table. */
void wbinvd_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void invd_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void wr_kernel_gs_base_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void wr_tsx_ctrl_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void wr_ibrs_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void wr_ibpb_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
const char *need_tsx_ctrl(const struct measure_ctx *c);
const char *need_spec_ctrl(const struct measure_ctx *c);
const char *need_ibpb(const struct measure_ctx *c);

#endif
