// SPDX-License-Identifier: MIT
#include <jansson.h>
#include <string.h>

#include "analysis/report_table.h"
#include "analysis/report_vcpus.h"

#define COLS_MAX 8 /* vCPUs shown one column each; the sum covers them all */

static double per_op(json_t *o, const struct test_result *t)
{
	json_t *e = json_object_get(json_object_get(o, "kvm_stats"), "exits");

	return (double)json_integer_value(e) / (double)t->iterations;
}

void report_vcpus_print(FILE *f, const struct run_result *r)
{
	bool header = false;

	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];
		json_t *o, *per;
		char name[64];
		size_t n;

		if (!t->vcpus_json || !t->iterations || !(o = json_loads(t->vcpus_json, 0, NULL)))
			continue;
		per = json_object_get(o, "per_vcpu");
		n = json_array_size(per);
		if (!header) {
			fprintf(f, "\nKVM exits per operation on each vCPU over the timed phase (the doorbell's "
				"vCPU counts the phase's doorbell: vCPU 0 for a payload):\n%-24s", "test");
			for (size_t k = 0; k < n && k < COLS_MAX; k++)
				fprintf(f, " %7s%zu", "vcpu", k);
			fprintf(f, "%s %9s %9s\n", n > COLS_MAX ? "  ..." : "", "sum", "user sum");
			header = true;
		}
		report_test_label(name, sizeof(name), t);
		if (t->ring >= 0)
			snprintf(name + strlen(name), sizeof(name) - strlen(name), " cpl%d", t->ring);
		fprintf(f, "%-24s", name);
		for (size_t k = 0; k < n && k < COLS_MAX; k++)
			fprintf(f, " %8.3f", per_op(json_array_get(per, k), t));
		fprintf(f, "%s %9.3f %9.3f\n", n > COLS_MAX ? "  ..." : "", per_op(json_object_get(o, "sum"), t),
			(double)json_integer_value(json_object_get(json_object_get(o, "sum"), "userspace_exits")) /
			(double)t->iterations);
		json_decref(o);
	}
}
