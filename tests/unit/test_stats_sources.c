/* SPDX-License-Identifier: MIT */
/* KVM stats as observe reports them: stats-fd deltas as JSON, debugfs values, instrument lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "instruments/kvm_debugfs.h"
#include "instruments/kvm_stats_json.h"
#include "run/run_instruments.h"

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void test_delta_json_on_recorded_vcpu_stats(void **state)
{
	struct kvm_stats s;
	char err[200];
	size_t len;
	void *hdr = slurp("tests/data/kvm_stats/vcpu.bin", &len);
	uint64_t *b, *a;
	json_t *j, *cum, *lvl, *hist;
	int exits, blocking, hp;
	(void)state;

	assert_int_equal(kvm_stats_parse(&s, hdr, len, err, sizeof(err)), 0);
	b = calloc(s.nvalues, sizeof(*b));
	a = calloc(s.nvalues, sizeof(*a));
	exits = kvm_stats_value_index(&s, "exits");
	blocking = kvm_stats_value_index(&s, "blocking");
	hp = kvm_stats_find(&s, "halt_poll_success_hist");
	assert_true(exits >= 0 && blocking >= 0 && hp >= 0);
	b[exits] = 100;
	a[exits] = 142;
	a[blocking] = 1;
	a[s.desc[hp].index + 3] = 7;

	j = kvm_stats_delta_json(&s, b, a);
	cum = json_object_get(j, "cumulative");
	lvl = json_object_get(j, "levels");
	hist = json_object_get(j, "histograms");
	assert_int_equal(json_object_size(cum), 1); /* only what moved */
	assert_int_equal(json_integer_value(json_object_get(cum, "exits")), 42);
	assert_int_equal(json_integer_value(json_object_get(lvl, "blocking")), 1);
	assert_int_equal(json_object_size(hist), 1);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(hist, "halt_poll_success_hist"), 3)), 7);
	json_decref(j);
	free(a);
	free(b);
	free(hdr);
	kvm_stats_close(&s);
}

static void test_debugfs_values(void **state)
{
	uint64_t v = 0;
	(void)state;

	assert_int_equal(kvm_debugfs_parse_value("123\n", &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(kvm_debugfs_parse_value("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(kvm_debugfs_parse_value("18446744073709551615\n", &v), 0);
	assert_int_equal(kvm_debugfs_parse_value("18446744073709551616\n", &v), -1);
	assert_int_equal(kvm_debugfs_parse_value("", &v), -1);
	assert_int_equal(kvm_debugfs_parse_value("-1\n", &v), -1);
	assert_int_equal(kvm_debugfs_parse_value("1 2 3\n", &v), -1); /* a histogram row */
	assert_int_equal(kvm_debugfs_parse_value("12\n\n", &v), -1);
	assert_int_equal(kvm_debugfs_parse_value(NULL, &v), -1);
}

static void test_instrument_lists(void **state)
{
	struct run_instr_opts o;
	(void)state;

	memset(&o, 0, sizeof(o));
	assert_int_equal(run_instr_parse(&o, "none"), 0);
	assert_false(o.tracepoints || o.trace || o.pmu);
	assert_int_equal(run_instr_parse(&o, "trace,pmu"), 0);
	assert_true(o.trace && o.pmu && !o.tracepoints);
	assert_int_equal(run_instr_parse(&o, "all"), 0);
	assert_true(o.trace && o.pmu && o.tracepoints);
	assert_int_equal(run_instr_parse(&o, "stats"), 0); /* always on, accepted */
	assert_false(o.tracepoints || o.trace || o.pmu);
	assert_int_equal(run_instr_parse(&o, "tracepoints,bogus"), -1);
	assert_int_equal(run_instr_parse(&o, RUN_INSTR_DEFAULT), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delta_json_on_recorded_vcpu_stats),
		cmocka_unit_test(test_debugfs_values),
		cmocka_unit_test(test_instrument_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
