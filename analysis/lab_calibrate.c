// SPDX-License-Identifier: MIT
#include <fnmatch.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis/lab_calibrate.h"
#include "analysis/lab_check.h"
#include "analysis/results.h"

/* Paths and messages are short; one cut at its buffer is still a clear message. */
#ifndef __clang__ /* clang has no such warning (the fuzz build uses clang) */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

/* x rounded to 3 significant digits, down or up: ranges a person reads. */
static double round3(double x, bool up)
{
	double m;

	if (x == 0 || !isfinite(x))
		return x;
	m = pow(10, 2 - floor(log10(fabs(x))));
	return (up ? ceil(x * m) : floor(x * m)) / m;
}

void lab_calibrate_range(const char *field, double v, double *lo, double *hi)
{
	if (strstr(field, "exits")) {
		double half = 0.25 + 0.1 * fabs(v);

		*lo = v - half < 0 ? 0 : v - half;
		*hi = v + half;
	} else if (v > 0) {
		*lo = v / 4;
		*hi = v * 4;
	} else if (v < 0) {
		*lo = v * 4;
		*hi = v / 4;
	} else {
		*lo = -1;
		*hi = 1;
	}
	*lo = round3(*lo, false);
	*hi = round3(*hi, true);
}

/* The field names of every backend's ranges of test t. */
static json_t *fields_of(const struct lab_test *t)
{
	json_t *f = json_object();

	for (size_t b = 0; b < t->nranges; b++)
		for (size_t i = 0; i < t->ranges[b].n; i++)
			json_object_set_new(f, t->ranges[b].r[i].field, json_true());
	return f;
}

static void calibrate_test(const struct lab_item *it, const struct lab_test *t, json_t *jt,
			   const struct run_result *r, const char *backend, FILE *notes)
{
	json_t *fields = fields_of(t), *ranges, *entry, *dummy;
	const char *field;

	if (!json_object_size(fields)) {
		json_decref(fields);
		return;
	}
	ranges = json_object_get(jt, "ranges");
	entry = json_object_get(ranges, backend);
	if (!entry) {
		entry = json_object();
		json_object_set_new(ranges, backend, entry);
	}
	json_object_foreach(fields, field, dummy) {
		const struct lab_ranges *any = lab_ranges_for(t, "");
		double lo = INFINITY, hi = -INFINITY;
		size_t n = 0;

		/* a one-point range is a requirement (--iterations 10000), not a figure: kept */
		for (size_t i = 0; any && i < any->n; i++)
			if (!strcmp(any->r[i].field, field) && any->r[i].lo == any->r[i].hi) {
				json_object_set_new(entry, field, json_pack("[ff]", any->r[i].lo, any->r[i].hi));
				n = SIZE_MAX;
			}
		if (n == SIZE_MAX)
			continue;

		for (size_t i = 0; i < r->ntests; i++) {
			const struct test_result *row = &r->tests[i];
			double v, a, b;

			if (fnmatch(t->name, row->name, 0) || (t->ring >= 0 && row->ring != t->ring) ||
			    row->status != TEST_OK || lab_row_value(row, field, &v))
				continue;
			lab_calibrate_range(field, v, &a, &b);
			lo = fmin(lo, a);
			hi = fmax(hi, b);
			n++;
		}
		if (!n) {
			fprintf(notes, "%s: %s%s%s: no ok row with %s: its %s range left as it was\n", it->file, t->name,
				t->ring >= 0 ? (t->ring ? " cpl3" : " cpl0") : "", "", field, backend);
			continue;
		}
		json_object_set_new(entry, field, json_pack("[ff]", lo, hi));
	}
	json_decref(fields);
}

int lab_calibrate(struct lab_spec *s, const char *dir, FILE *notes, char *err, size_t errlen)
{
	json_t *items = json_object_get(s->root, "items");
	char path[4096], backend[32];

	for (size_t i = 0; i < s->nitems; i++) {
		const struct lab_item *it = &s->items[i];
		json_t *jtests = json_object_get(json_array_get(items, i), "tests");
		struct run_result r = { 0 };

		snprintf(path, sizeof(path), "%s/%s", dir, it->file);
		if (results_read_json(path, &r, err, errlen))
			return -1;
		lab_run_backend(&r, backend, sizeof(backend));
		if (strcmp(backend, "kvm_intel") && strcmp(backend, "kvm_amd") && strcmp(backend, "kvm_pvm")) {
			snprintf(err, errlen, "%s: context.kvm.backend is '%s': calibrate needs kvm_intel, kvm_amd "
				 "or kvm_pvm", path, backend);
			results_free(&r);
			return -1;
		}
		for (size_t k = 0; k < it->ntests; k++)
			calibrate_test(it, &it->tests[k], json_array_get(jtests, k), &r, backend, notes);
		results_free(&r);
	}
	return 0;
}
