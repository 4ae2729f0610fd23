/* SPDX-License-Identifier: MIT */
#include <jansson.h>
#include <string.h>

#include "analysis/report_memory.h"

int memory_key_of(const struct test_result *t, struct memory_key *k)
{
	json_t *p;

	memset(k, 0, sizeof(*k));
	if (!t->params_json || !(p = json_loads(t->params_json, 0, NULL)))
		return -1;
	k->ws = json_integer_value(json_object_get(p, "working_set"));
	snprintf(k->page, sizeof(k->page), "%s",
		 json_string_value(json_object_get(p, t->ring < 0 ? "host_page" : "guest_page")) ?: "?");
	snprintf(k->host, sizeof(k->host), "%s", json_string_value(json_object_get(p, "host_page")) ?: "?");
	json_decref(p);
	return k->ws > 0 ? 0 : -1;
}

const struct test_result *memory_native_for(const struct run_result *r, long long ws, const char *page)
{
	for (size_t i = 0; i < r->ntests; i++) {
		struct memory_key k;

		if (!strcmp(r->tests[i].name, "native_chase") && r->tests[i].status == TEST_OK &&
		    r->tests[i].has_timing && !memory_key_of(&r->tests[i], &k) && k.ws == ws && !strcmp(k.page, page))
			return &r->tests[i];
	}
	return NULL;
}

void report_memory_print(FILE *f, const struct run_result *r)
{
	bool header = false;

	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i], *n4, *nthp;
		struct memory_key k;

		if (strcmp(t->name, "chase") || t->status != TEST_OK || !t->has_timing || memory_key_of(t, &k))
			continue;
		n4 = memory_native_for(r, k.ws, "4k");
		nthp = memory_native_for(r, k.ws, "thp");
		if (!n4 && !nthp)
			continue;
		if (!header) {
			fprintf(f, "\nvirtualized / native, median cycles per access (same chain, same fences):\n");
			fprintf(f, "%12s %6s %6s %10s %10s %8s %10s %8s\n", "working set", "guest", "host",
				"guest", "native 4k", "ratio", "native thp", "ratio");
			header = true;
		}
		fprintf(f, "%12lld %6s %6s %10.1f", k.ws, k.page, k.host, t->cycles.median);
		if (n4)
			fprintf(f, " %10.1f %7.2fx", n4->cycles.median,
				n4->cycles.median > 0 ? t->cycles.median / n4->cycles.median : 0.0);
		else
			fprintf(f, " %10s %8s", "-", "-");
		if (nthp)
			fprintf(f, " %10.1f %7.2fx", nthp->cycles.median,
				nthp->cycles.median > 0 ? t->cycles.median / nthp->cycles.median : 0.0);
		fprintf(f, "\n");
	}
}
