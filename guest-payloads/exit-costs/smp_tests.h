/* SPDX-License-Identifier: MIT */
/*
 * exit-costs' tests between vCPUs (smp_tests.c): IPIs to a running and to a
 * halted vCPU, a broadcast, a TLB shootdown, PAUSE-loop exiting round a ring. Each needs --vcpus 2 or more
 * and says so when skipped; the APs start on the first of them (lib/smp.h).
 */
#ifndef EXIT_COSTS_SMP_TESTS_H
#define EXIT_COSTS_SMP_TESTS_H

#include "measure.h"

void smp_ipi_loop(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void smp_ipi_halt_loop(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void smp_ipi_broadcast_loop(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void smp_tlb_shootdown_loop(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void smp_ple_round_robin_loop(struct measure_ctx *c, uint64_t *samples, uint64_t n);
const char *smp_need_2(const struct measure_ctx *c);
void smp_setup_counts(struct measure_ctx *c);
void smp_setup_flush_counts(struct measure_ctx *c);
const char *smp_check_one(struct measure_ctx *c);
const char *smp_check_all(struct measure_ctx *c);
void smp_setup_lost(struct measure_ctx *c);
const char *smp_check_lost(struct measure_ctx *c);

/*
 * The catalogue rows, one line in main.c's table. No EXITS(): what an IPI
 * costs in exits depends on APICv/AVIC and the APIC's mode; the testbed
 * asserts the per-vCPU counts where they are known (scripts/testbed/smp.list).
 */
#define SMP_TEST_ROWS									\
	MEASURE_TEST("ipi", smp_ipi_loop, R0,						\
		     MEASURES("fixed IPI to a running vCPU, until its handler acks in memory"),	\
		     .valid = smp_need_2, .setup = smp_setup_counts, .check = smp_check_one),	\
	MEASURE_TEST("ipi_halt", smp_ipi_halt_loop, R0,					\
		     MEASURES("fixed IPI to a halted vCPU: wake-up, handler, ack"),		\
		     .valid = smp_need_2, .setup = smp_setup_counts, .check = smp_check_one),	\
	MEASURE_TEST("ipi_broadcast", smp_ipi_broadcast_loop, R0,			\
		     MEASURES("IPI to all but self (N-1 running vCPUs), until every one acks"),	\
		     .valid = smp_need_2, .setup = smp_setup_counts, .check = smp_check_all),	\
	MEASURE_TEST("tlb_shootdown", smp_tlb_shootdown_loop, R0,			\
		     MEASURES("INVLPG here, IPI to the N-1 others, each INVLPGs and acks"),	\
		     .valid = smp_need_2, .setup = smp_setup_flush_counts, .check = smp_check_all),	\
	MEASURE_TEST("ple_round_robin", smp_ple_round_robin_loop, R0,			\
		     MEASURES("a token passed round N vCPUs spinning with PAUSE: one lap"),	\
		     .valid = smp_need_2, .setup = smp_setup_lost, .check = smp_check_lost),

#endif
