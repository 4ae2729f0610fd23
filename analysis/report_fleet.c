// SPDX-License-Identifier: MIT
/*
 * A fleet run's section of the report (docs/fleet.md): every host of its
 * manifest with its state and where it ran, then the test x host table.
 * The hosts' own campaign runs follow as the report's usual run sections.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/fleet_view.h"
#include "analysis/report_out.h"
#include "analysis/report_sections.h"

/* One row of a table in both outputs; header: the first row (Markdown's rule after it). */
static void row(struct report_out *o, const char *const *cells, size_t n, bool header)
{
	struct report_sink s[2];
	int ns = report_sinks(o, s);

	for (int k = 0; k < ns; k++) {
		bool html = s[k].fmt == &report_html;

		fputs(html ? "<tr>" : "|", s[k].f);
		for (size_t i = 0; i < n; i++) {
			fputs(html ? (header ? "<th>" : "<td>") : " ", s[k].f);
			s[k].fmt->esc(s[k].f, cells[i] ? cells[i] : "");
			fputs(html ? (header ? "</th>" : "</td>") : " |", s[k].f);
		}
		fputs(html ? "</tr>\n" : "\n", s[k].f);
		if (!html && header) {
			fputs("|", s[k].f);
			for (size_t i = 0; i < n; i++)
				fputs("---|", s[k].f);
			fputs("\n", s[k].f);
		}
	}
}

static void table_open(struct report_out *o)
{
	fprintf(o->html, "<table>\n");
}

static void table_close(struct report_out *o)
{
	fprintf(o->html, "</table>\n");
	if (o->md)
		fprintf(o->md, "\n");
}

static void hosts_table(struct report_out *o, const struct fleet_view *v)
{
	static const char *const head[] = { "host", "state", "entries done", "backend", "CPU model", "kernel",
					    "module parameters (where hosts differ)", "reason" };

	table_open(o);
	row(o, head, 8, true);
	for (size_t i = 0; i < v->m.nhosts; i++) {
		const struct fleet_view_host *vh = &v->hosts[i];
		char ent[48] = "-";
		const char *cells[8];

		if (vh->h->has_results)
			snprintf(ent, sizeof(ent), "%d/%d", vh->h->entries.done, vh->h->entries.total);
		cells[0] = vh->h->name;
		cells[1] = fleet_state_name(vh->h->state);
		cells[2] = ent;
		cells[3] = vh->backend;
		cells[4] = vh->cpu;
		cells[5] = vh->kernel;
		cells[6] = vh->params;
		cells[7] = vh->h->reason;
		row(o, cells, 8, false);
	}
	table_close(o);
}

static void tests_table(struct report_out *o, const struct fleet_view *v)
{
	struct fleet_row *rows = NULL;
	size_t n = 0, nh = v->m.nhosts;
	int unreadable = 0;
	const char **cells = calloc(nh + 3, sizeof(*cells));
	char (*num)[32] = calloc(nh + 1, sizeof(*num));
	char ring[16];

	if (!cells || !num || fleet_view_rows(v, &rows, &n, &unreadable)) {
		report_para(o, REPORT_PARA_NOTE, "out of memory: no test x host table");
		goto out;
	}
	o->skipped += unreadable;
	if (!n) {
		report_para(o, REPORT_PARA_NOTE, "No host has a timed test done: no test x host table.");
		goto out;
	}
	report_para(o, REPORT_PARA_WHAT, "Median ns per operation of each test on each host (the median of its "
					 "repetitions' medians); - where the host has no such figure.");
	cells[0] = "payload";
	cells[1] = "test";
	cells[2] = "ring";
	for (size_t i = 0; i < nh; i++)
		cells[3 + i] = v->m.hosts[i].name;
	table_open(o);
	row(o, cells, nh + 3, true);
	for (size_t r = 0; r < n; r++) {
		cells[0] = rows[r].payload;
		cells[1] = rows[r].label;
		snprintf(ring, sizeof(ring), "%d", rows[r].ring);
		cells[2] = rows[r].ring < 0 ? "host" : ring;
		for (size_t i = 0; i < nh; i++) {
			if (isfinite(rows[r].ns[i]))
				snprintf(num[i], sizeof(num[i]), "%.1f", rows[r].ns[i]);
			else
				snprintf(num[i], sizeof(num[i]), "-");
			cells[3 + i] = num[i];
		}
		row(o, cells, nh + 3, false);
	}
	table_close(o);
out:
	fleet_rows_free(rows, n);
	free(cells);
	free(num);
}

void report_fleet(struct report_out *o, const struct store_list *l, const char *dir)
{
	struct fleet_view v;
	char err[600], h[300], para[800];
	int count[FLEET_UNREACHABLE + 1] = { 0 };

	if (fleet_view_load(dir, l, &v, err, sizeof(err))) {
		/* the walk read it a moment ago; say so rather than drop it */
		fprintf(stderr, "exitlab report: skipped %s: %s\n", dir, err);
		o->skipped++;
		return;
	}
	for (size_t i = 0; i < v.m.nhosts; i++)
		count[v.m.hosts[i].state]++;
	snprintf(h, sizeof(h), "Fleet run of campaign %s", v.m.campaign);
	report_heading(o, 1, h);
	snprintf(para, sizeof(para), "%s: exitlab %.12s on %zu hosts, started %s: %d done, %d skipped, %d failed, "
		 "%d unreachable, %d pending (fleet.json; docs/fleet.md).", dir, v.m.revision, v.m.nhosts,
		 v.m.started_at, count[FLEET_DONE], count[FLEET_SKIPPED], count[FLEET_FAILED],
		 count[FLEET_UNREACHABLE], count[FLEET_PENDING]);
	report_para(o, REPORT_PARA, para);
	hosts_table(o, &v);
	snprintf(para, sizeof(para), "%zu KVM module parameters recorded; %zu the same on every host with results.",
		 v.nparams, v.nparams_same);
	report_para(o, REPORT_PARA_NOTE, para);
	tests_table(o, &v);
	fleet_view_free(&v);
}
