// SPDX-License-Identifier: MIT
/* The "cpu" member of a results test object (see results_cpu.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/platform/bench_msg.h"
#include "analysis/results_cpu.h"

static double per_op(bool have, double total, uint64_t ops)
{
	return have && ops && isfinite(total) ? total / (double)ops : NAN;
}

void test_cpu_per_op(const struct test_result *t, struct test_cpu_per_op *o)
{
	const struct test_cpu *c = &t->cpu;
	double ops_s = test_ops_per_s(t);

	o->wall_ns = ops_s > 0 && isfinite(ops_s) ? 1e9 / ops_s : NAN;
	o->device_ns = per_op(c->has_device, c->device_ns, t->iterations);
	o->vcpu_ns = per_op(c->has_vcpu, c->vcpu_ns, t->iterations);
	o->guest_busy_ns = per_op(c->has_guest, c->guest_phase_ns - c->guest_wait_ns, t->iterations);
}

struct guest_kv {
	bool has_phase, has_wait, bad;
	uint64_t phase, wait;
};

static void guest_key(void *opaque, const char *key, const char *value)
{
	struct guest_kv *g = opaque;
	uint64_t *dst;
	bool *has;
	char *end;

	if (!strcmp(key, "phase_cycles")) {
		dst = &g->phase;
		has = &g->has_phase;
	} else if (!strcmp(key, "wait_cycles")) {
		dst = &g->wait;
		has = &g->has_wait;
	} else {
		return;
	}
	errno = 0;
	*dst = strtoull(value, &end, 10);
	if (errno || end == value || *end || value[0] == '-' || *has)
		g->bad = true;
	*has = true;
}

bool test_cpu_add_guest(struct test_cpu *c, const char *metrics_kv, double tsc_khz)
{
	struct guest_kv g = { 0 };

	if (!metrics_kv || !(tsc_khz > 0))
		return false;
	bench_kv_foreach(metrics_kv, guest_key, &g);
	/* A wait longer than the phase it is part of is not a measurement. */
	if (g.bad || !g.has_phase || !g.has_wait || g.wait > g.phase)
		return false;
	c->guest_phase_ns += (double)g.phase * 1e6 / tsc_khz;
	c->guest_wait_ns += (double)g.wait * 1e6 / tsc_khz;
	c->has_guest = true;
	return true;
}

static json_t *num(bool have, double v)
{
	return have && isfinite(v) ? json_real(v) : json_null();
}

int results_cpu_to_json(json_t *o, const struct test_result *t)
{
	const struct test_cpu *c = &t->cpu;
	struct test_cpu_per_op p;
	json_t *cpu;

	test_cpu_per_op(t, &p);
	cpu = json_pack("{s:o, s:o, s:o, s:o, s:{s:o, s:o, s:o, s:o}}",
			"device_ns", num(c->has_device, c->device_ns),
			"vcpu_ns", num(c->has_vcpu, c->vcpu_ns),
			"guest_phase_ns", num(c->has_guest, c->guest_phase_ns),
			"guest_wait_ns", num(c->has_guest, c->guest_wait_ns),
			"per_op",
			"wall_ns", num(true, p.wall_ns), "device_ns", num(true, p.device_ns),
			"vcpu_ns", num(true, p.vcpu_ns), "guest_busy_ns", num(true, p.guest_busy_ns));
	return cpu ? json_object_set_new(o, "cpu", cpu) : -1;
}

/* A member that is a non-negative number (known) or null/absent (unknown). */
static int opt_ns(json_t *cpu, const char *key, double *d, bool *have, char *err, size_t errlen)
{
	json_t *v = json_object_get(cpu, key);

	*have = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_number(v) || !(json_number_value(v) >= 0)) {
		snprintf(err, errlen, "%s: expected a number >= 0 or null", key);
		return -1;
	}
	*d = json_number_value(v);
	*have = true;
	return 0;
}

int results_cpu_from_json(json_t *o, struct test_result *t, char *err, size_t errlen)
{
	json_t *cpu = json_object_get(o, "cpu");
	struct test_cpu *c = &t->cpu;
	bool has_phase, has_wait;

	memset(c, 0, sizeof(*c));
	if (!cpu || json_is_null(cpu))
		return 0;
	if (!json_is_object(cpu)) {
		snprintf(err, errlen, "expected an object or null");
		return -1;
	}
	/* per_op is derived: read back from the totals, never trusted on its own. */
	if (opt_ns(cpu, "device_ns", &c->device_ns, &c->has_device, err, errlen) ||
	    opt_ns(cpu, "vcpu_ns", &c->vcpu_ns, &c->has_vcpu, err, errlen) ||
	    opt_ns(cpu, "guest_phase_ns", &c->guest_phase_ns, &has_phase, err, errlen) ||
	    opt_ns(cpu, "guest_wait_ns", &c->guest_wait_ns, &has_wait, err, errlen))
		return -1;
	if (has_phase != has_wait) {
		snprintf(err, errlen, "guest_phase_ns and guest_wait_ns must both be numbers or both null");
		return -1;
	}
	c->has_guest = has_phase;
	return 0;
}
