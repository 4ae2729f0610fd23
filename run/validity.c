// SPDX-License-Identifier: MIT
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "run/validity.h"

/*
 * The tolerance.  Exits come in whole numbers per operation, so a rate is
 * judged by the whole number it is closest to: it must lie within half an
 * exit per operation of the declared count.  Noise cannot take exits away
 * (a missing exit means something else answered the operation), so the
 * lower bound is exact.  Noise does add exits (timer ticks, host interrupts,
 * preemption, page faults, a coalesced ring filling up): a few hundred per
 * second, the most at instruction-emulated CPL0 on PVM (the empty test's
 * exits there show them).  In a long phase they are a small fraction per
 * operation, but a phase of a handful of operations (--iterations 1) could
 * catch one per operation.  So the upper bound also allows NOISE_EXITS plus
 * NOISE_EXITS_PER_S for each second of the phase, spread over its
 * operations: several times any noise rate, and still under half an exit
 * per operation whenever an operation takes under 250 us, so that one exit
 * too many per operation is never taken for noise.
 */
#define NOISE_EXITS       16.0
#define NOISE_EXITS_PER_S 2000.0

/*
 * Backends that legitimately differ from what VT-x/SVM count.  Facts, each
 * seen here: PVM emulates guest CPL0 code, and KVM answers the emulated
 * operations it handles itself (cpuid, MSRs, ioeventfd writes) without
 * counting an exit, while those it hands to the VMM still are one: there
 * only the userspace exits say anything.  At CPL3 PVM runs the guest natively
 * and counts like hardware.
 */
static const struct validity_rule {
	const char *backend;
	int ring;                     /* -1 every ring */
	bool judge_exits, judge_user;
} rules[] = {
	{ "kvm_pvm", 0, false, true },
};

static const struct validity_rule *rule_for(const char *backend, int ring)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (backend && !strcmp(rules[i].backend, backend) && (rules[i].ring < 0 || rules[i].ring == ring))
			return &rules[i];
	return NULL;
}

/* 0 if measured agrees with want per operation, else -1. */
static int judge(double measured, unsigned int want, const struct validity_in *in)
{
	double slack = in->iterations ? (NOISE_EXITS + NOISE_EXITS_PER_S * in->phase_s) / (double)in->iterations : 0;

	if (isnan(measured))
		return 0;
	if (measured < want - 0.5)
		return -1;
	return measured > want + 0.5 + slack ? -1 : 0;
}

bool validity_judge(const struct validity_in *in, char *reason, size_t n)
{
	const struct validity_rule *r = rule_for(in->backend, in->ring);
	const struct catalogue_test *d = in->decl;
	bool exits = (d->expect & CATALOGUE_EXPECT_EXITS) && (!r || r->judge_exits);
	bool user = (d->expect & CATALOGUE_EXPECT_USER) && (!r || r->judge_user);

	if (reason && n)
		reason[0] = 0;
	if (exits && judge(in->exits_per_iteration, d->exits, in)) {
		snprintf(reason, n, "%u KVM exit%s per operation expected, %.3f counted: %s", d->exits,
			 d->exits == 1 ? "" : "s", in->exits_per_iteration,
			 in->exits_per_iteration < d->exits ? "something other than KVM answered it"
							    : "more exits than the operation makes");
		return false;
	}
	if (user && judge(in->user_exits_per_iteration, d->user_exits, in)) {
		snprintf(reason, n, "%u exit%s to the VMM per operation expected, %.3f counted", d->user_exits,
			 d->user_exits == 1 ? "" : "s", in->user_exits_per_iteration);
		return false;
	}
	return true;
}

void validity_apply(const struct catalogue *c, const char *backend, struct run_result *r)
{
	for (size_t i = 0; c && c->present && i < r->ntests; i++) {
		struct test_result *t = &r->tests[i];
		const struct catalogue_test *d;
		struct validity_in in;

		if (t->status != TEST_OK || t->ring < 0 || !t->has_exits || strcmp(t->where, "guest"))
			continue;
		d = catalogue_test_find(c, t->name);
		if (!d || !d->expect)
			continue;
		in = (struct validity_in){
			.decl = d, .backend = backend, .ring = t->ring, .iterations = t->iterations,
			.phase_s = t->has_phase ? t->phase_s : 0,
			.exits_per_iteration = t->exits_per_iteration,
			.user_exits_per_iteration = t->userspace_exits_per_iteration,
		};
		t->invalid = !validity_judge(&in, t->invalid_reason, sizeof(t->invalid_reason));
	}
}

size_t catalogue_check_results(const struct catalogue *c, struct run_result *r)
{
	size_t n = 0;

	for (size_t i = 0; c->present && i < r->ntests; i++) {
		struct test_result *t = &r->tests[i];

		if (strcmp(t->where, "guest") || catalogue_test_find(c, t->name))
			continue;
		t->status = TEST_FAILED;
		snprintf(t->reason, sizeof(t->reason), "not in the payload's catalogue (a payload bug: declare it)");
		n++;
	}
	return n;
}
