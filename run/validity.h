/* SPDX-License-Identifier: MIT */
/*
 * Validity by counts: a result is only the cost of what a test claims to
 * measure if the KVM stats counted in its timed phase agree with the exits
 * per operation the payload's catalogue declares (cpuid: 1 KVM exit, none to
 * the VMM; pio_vmm: 1 and 1; syscall: none).  A test whose counts disagree
 * is marked invalid with the reason; the table, compare and claims show or
 * drop it.  Where a backend legitimately differs from the hardware
 * expectation (PVM emulates CPL0), a table here says so.
 */
#ifndef EXITLAB_VALIDITY_H
#define EXITLAB_VALIDITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/catalogue.h"
#include "analysis/results.h"

/* What one judgement looks at: recorded from a result, or made up by a test. */
struct validity_in {
	const struct catalogue_test *decl; /* the test's catalogue record */
	const char *backend;          /* hostinfo_backend(): kvm_intel, kvm_amd, kvm_pvm, ... */
	int ring;                     /* 0 or 3 */
	uint64_t iterations;          /* operations in the timed phase */
	double phase_s;               /* its wall time (0 if unknown) */
	double exits_per_iteration;   /* KVM exits per operation (the "exits" stat) */
	double user_exits_per_iteration;
};

/* true if the counts agree with the declaration, else false with reason set. */
bool validity_judge(const struct validity_in *in, char *reason, size_t n);

/*
 * Judge every guest test of r that finished ok with KVM counts against its
 * declaration in c: sets test_result.invalid and invalid_reason.
 */
void validity_apply(const struct catalogue *c, const char *backend, struct run_result *r);

/*
 * A guest test the payload sent but does not declare is a payload bug: mark
 * it failed with that reason (struct run_result from results.h).  Returns how
 * many.  A catalogue not present checks nothing.
 */
size_t catalogue_check_results(const struct catalogue *c, struct run_result *r);

#endif
