/* SPDX-License-Identifier: MIT */
/*
 * The report's two outputs as its sections write them (analysis/report_out.c):
 * the HTML page, always, and the Markdown, when asked.  A piece of text that
 * both carry is written once through the formats' writers (report_sinks), so
 * that the two say the same thing.
 */
#ifndef EXITLAB_REPORT_OUT_H
#define EXITLAB_REPORT_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/charts.h"
#include "analysis/report_summary.h"
#include "analysis/results_store.h"

struct report_out {
	FILE *html, *md;
	char *md_dir, *md_stem;   /* where the Markdown's PNGs go, and their name prefix */
	char *tmp;                /* the charts are drawn in here */
	const struct chart_list *run_charts; /* the charts of the current campaign run, or NULL (loose) */
	int nchart;
	int skipped;
	bool asset_failed;        /* a Markdown PNG could not be written: exit 1 */
	struct report_summary sum;  /* counted as the sections are written, then put above them */
};

/* How a format writes a paragraph: its text escaped, between an opening and a closing. */
enum report_para { REPORT_PARA, REPORT_PARA_WHAT, REPORT_PARA_NOTE };

struct report_format {
	void (*esc)(FILE *f, const char *s);
	const char *open[3], *close[3];       /* by enum report_para */
};

extern const struct report_format report_html, report_markdown;

/* One output and its format. */
struct report_sink {
	FILE *f;
	const struct report_format *fmt;
};

/* The outputs of o to write to, HTML first: 1 or 2. */
int report_sinks(const struct report_out *o, struct report_sink s[2]);
/* A paragraph of text (escaped) in every output. */
void report_para(struct report_out *o, enum report_para kind, const char *text);
/* A section heading (h1 or h2) with the anchor that the contents link to. */
void report_heading(struct report_out *o, int level, const char *text);
/* A "key | value" row of a context table; nothing for an empty value. */
void report_ctx_row(struct report_out *o, const char *k, const char *v);
/* Preformatted text (NULL: nothing). */
void report_pre(struct report_out *o, const char *txt);
/* The PNG png, embedded in the HTML and beside the Markdown (OUT-NNN.png); alt its text. */
void report_chart(struct report_out *o, const char *png, const char *alt);

#endif
