/* SPDX-License-Identifier: MIT */
/*
 * The exit-costs tests kept outside main.c: their loops, validity, setup and
 * checks, one file per topic (cache_msr_tests.c, apic_tests.c, port_tests.c),
 * each a row of main.c's table.
 */
#ifndef EXIT_COSTS_EXIT_TESTS_H
#define EXIT_COSTS_EXIT_TESTS_H

#include "late_irq.h"
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

/* apic_tests.c: the TSC-deadline timer and self-IPIs under TPR masking, xAPIC and x2APIC. */
/*
 * The wait of the test that runs now for its due interrupts (late_irq.h):
 * begun by its setup, ended by its check; due_irq_lost words a check's
 * failure when waits were lost (NULL if none).
 */
extern struct late_irq due_irq;
const char *due_irq_lost(struct measure_ctx *c, const char *what, uint64_t sent, uint64_t got);
void tscdeadline_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void tscdeadline_immed_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
const char *need_tscdeadline(const struct measure_ctx *c);
void setup_tscdeadline(struct measure_ctx *c);
const char *check_tscdeadline(struct measure_ctx *c);
void self_ipi_any_sti_nop_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void self_ipi_any_sti_hlt_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void self_ipi_tpr_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void self_ipi_tpr_sti_nop_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void self_ipi_tpr_sti_hlt_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
const char *need_xapic(const struct measure_ctx *c);
const char *need_xapic_window(const struct measure_ctx *c);
const char *need_x2apic_tpr(const struct measure_ctx *c);
const char *need_xapic_tpr_hlt(const struct measure_ctx *c);
const char *need_x2apic_tpr_hlt(const struct measure_ctx *c);
const char *need_x2apic_window(const struct measure_ctx *c);
void setup_xapic_any(struct measure_ctx *c);
void setup_xapic_tpr(struct measure_ctx *c);
void setup_x2apic_tpr(struct measure_ctx *c);
const char *check_tpr_ipi(struct measure_ctx *c);

/* port_tests.c: a port KVM answers, the VMM's PM timer, a datamatch MMIO ioeventfd. */
void outl_to_kernel_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void inl_from_kernel_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void inl_from_pmtimer_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void mmio_ioeventfd_dm_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
const char *need_kernel_pio(const struct measure_ctx *c);
const char *need_pmtimer(const struct measure_ctx *c);
const char *need_ioevent_mmio_dm(const struct measure_ctx *c);
const char *check_pmtimer(struct measure_ctx *c);

/* irq_tests.c: an interrupt from a VMM thread through an irqfd, to a running and to a halted vCPU. */
void irq_device_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
void irq_device_halt_test(struct measure_ctx *c, uint64_t *samples, uint64_t n);
const char *need_irq_source(const struct measure_ctx *c);
void setup_irq_source(struct measure_ctx *c);
const char *check_irq_source(struct measure_ctx *c);

#endif
