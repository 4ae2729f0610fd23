// SPDX-License-Identifier: MIT
/*
 * CSV export (results_csv.h).  Numbers the test does not have are empty
 * fields, not zeros, so that a spreadsheet's averages stay honest.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/json_out.h"
#include "analysis/results_cpu.h"
#include "analysis/results_csv.h"
#include "analysis/results_store.h"

static const char *const columns[] = {
	"campaign", "entry", "payload", "test", "ring", "params", "status", "iterations",
	"median_cycles", "p1_cycles", "p99_cycles", "mad_cycles",
	"median_ns", "p1_ns", "p99_ns", "mad_ns",
	"exits_per_iteration", "userspace_exits_per_iteration", "ops_per_s",
	"host", "backend", "revision",
	/* later: appended, so that the columns before keep their places */
	"wall_ns_per_op", "device_cpu_ns_per_op", "vcpu_cpu_ns_per_op", "guest_busy_ns_per_op",
	/* a fleet run's host by its inventory name (docs/fleet.md); "" outside a fleet */
	"fleet_host",
};

void csv_field(FILE *f, const char *s)
{
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

char *csv_params(const struct test_result *t)
{
	json_t *p = t->params_json ? json_loads(t->params_json, 0, NULL) : NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	const char *k;
	json_t *v;
	bool first = true;

	if (!m) {
		json_decref(p);
		return NULL;
	}
	if (json_is_object(p)) {
		json_object_foreach(p, k, v) {
			char *txt = json_is_string(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | EXITLAB_JSON_REALS);

			fprintf(m, "%s%s=%s", first ? "" : ";", k, txt ? txt : json_string_value(v));
			free(txt);
			first = false;
		}
	}
	json_decref(p);
	fclose(m);
	return buf;
}

void results_csv_header(FILE *f)
{
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		fprintf(f, "%s%s", i ? "," : "", columns[i]);
	fputs("\r\n", f);
}

static void num(FILE *f, bool have, double v, const char *fmt)
{
	fputc(',', f);
	if (have && isfinite(v))
		fprintf(f, fmt, v);
}

static void stats(FILE *f, bool have, const struct sample_stats *s)
{
	have = have && s->n;
	num(f, have, s->median, "%.2f");
	num(f, have, s->p1, "%.2f");
	num(f, have, s->p99, "%.2f");
	num(f, have, s->mad, "%.2f");
}

void results_csv_rows(FILE *f, const char *campaign, const char *entry, const struct run_result *r)
{
	results_csv_rows_host(f, campaign, entry, NULL, r);
}

void results_csv_rows_host(FILE *f, const char *campaign, const char *entry, const char *fleet_host,
			   const struct run_result *r)
{
	char host[128], backend[64], rev[64];

	store_context(r, host, sizeof(host), backend, sizeof(backend), rev, sizeof(rev));
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];
		char *params = csv_params(t);
		struct test_cpu_per_op cpu;
		char ring[16];

		if (t->ring < 0)
			snprintf(ring, sizeof(ring), "host");
		else
			snprintf(ring, sizeof(ring), "%d", t->ring);
		csv_field(f, campaign);
		fputc(',', f);
		csv_field(f, entry);
		fputc(',', f);
		csv_field(f, r->payload);
		fputc(',', f);
		csv_field(f, t->name);
		fputc(',', f);
		csv_field(f, ring);
		fputc(',', f);
		csv_field(f, params);
		fputc(',', f);
		csv_field(f, test_status_name(t->status));
		fprintf(f, ",%llu", (unsigned long long)t->iterations);
		stats(f, t->has_timing, &t->cycles);
		stats(f, t->has_timing, &t->ns);
		num(f, t->has_exits, t->exits_per_iteration, "%.4f");
		num(f, t->has_exits, t->userspace_exits_per_iteration, "%.4f");
		num(f, true, test_ops_per_s(t), "%.1f");
		fputc(',', f);
		csv_field(f, host);
		fputc(',', f);
		csv_field(f, backend);
		fputc(',', f);
		csv_field(f, rev);
		test_cpu_per_op(t, &cpu);
		num(f, true, cpu.wall_ns, "%.1f");
		num(f, true, cpu.device_ns, "%.1f");
		num(f, true, cpu.vcpu_ns, "%.1f");
		num(f, true, cpu.guest_busy_ns, "%.1f");
		fputc(',', f);
		csv_field(f, fleet_host);
		fputs("\r\n", f);
		free(params);
	}
}
