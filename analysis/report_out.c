// SPDX-License-Identifier: MIT
/*
 * Writing the report's HTML and Markdown side by side: paragraphs, headings,
 * context rows, preformatted text and charts, each once for both formats.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/atomic_file.h"
#include "analysis/report_escape.h"
#include "analysis/report_out.h"

const struct report_format report_html = {
	.esc = report_html_esc,
	.open = { "<p>", "<p class=\"what\">", "<p class=\"note\">" },
	.close = { "</p>\n", "</p>\n", "</p>\n" },
};

const struct report_format report_markdown = {
	.esc = report_md_esc,
	.open = { "", "_", "_" },
	.close = { "\n\n", "_\n\n", "_\n\n" },
};

int report_sinks(const struct report_out *o, struct report_sink s[2])
{
	s[0] = (struct report_sink){ o->html, &report_html };
	if (!o->md)
		return 1;
	s[1] = (struct report_sink){ o->md, &report_markdown };
	return 2;
}

void report_para(struct report_out *o, enum report_para kind, const char *text)
{
	struct report_sink s[2];
	int n = report_sinks(o, s);

	for (int i = 0; i < n; i++) {
		fputs(s[i].fmt->open[kind], s[i].f);
		s[i].fmt->esc(s[i].f, text);
		fputs(s[i].fmt->close[kind], s[i].f);
	}
}

static void base64(FILE *f, const unsigned char *d, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = d[i] << 16 | (i + 1 < n ? d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);

		fputc(t[v >> 18 & 63], f);
		fputc(t[v >> 12 & 63], f);
		fputc(i + 1 < n ? t[v >> 6 & 63] : '=', f);
		fputc(i + 2 < n ? t[v & 63] : '=', f);
	}
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (len = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc(len);
		if (buf && fread(buf, 1, len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
		*n = len;
	}
	fclose(f);
	return buf;
}

/*
 * A section heading (h1 or h2) with an anchor that the contents link to; in
 * Markdown an HTML anchor before it, since Markdown renderers name headings
 * each their own way.
 */
void report_heading(struct report_out *o, int level, const char *text)
{
	const char *id = report_toc_add(&o->sum, level, text);

	fprintf(o->html, "<h%d id=\"%s\">", level, id);
	report_html_esc(o->html, text);
	fprintf(o->html, "</h%d>\n", level);
	if (o->md) {
		fprintf(o->md, "<a id=\"%s\"></a>\n\n%s ", id, level == 1 ? "#" : "##");
		report_md_esc(o->md, text);
		fprintf(o->md, "\n\n");
	}
}

void report_ctx_row(struct report_out *o, const char *k, const char *v)
{
	if (!v || !*v)
		return;
	fprintf(o->html, "<tr><th>");
	report_html_esc(o->html, k);
	fprintf(o->html, "</th><td>");
	report_html_esc(o->html, v);
	fprintf(o->html, "</td></tr>\n");
	if (o->md) {
		fprintf(o->md, "| %s | ", k);
		report_md_esc(o->md, v);
		fprintf(o->md, " |\n");
	}
}

void report_pre(struct report_out *o, const char *txt)
{
	size_t run = 0, longest = 0;

	if (!txt)
		return;
	fprintf(o->html, "<pre>");
	report_html_esc(o->html, txt);
	fprintf(o->html, "</pre>\n");
	if (!o->md)
		return;
	/* a fence longer than any run of backticks in the text: nothing in it can close the block */
	for (const char *p = txt; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	longest = longest < 3 ? 3 : longest + 1;
	for (size_t i = 0; i < longest; i++)
		fputc('`', o->md);
	fprintf(o->md, "\n%s", txt);
	for (size_t i = 0; i < longest; i++)
		fputc('`', o->md);
	fprintf(o->md, "\n\n");
}

void report_chart(struct report_out *o, const char *png, const char *alt)
{
	size_t n = 0;
	unsigned char *d = slurp(png, &n);

	if (!d)
		return;
	fprintf(o->html, "<figure><img alt=\"");
	report_html_esc(o->html, alt);
	fprintf(o->html, "\" src=\"data:image/png;base64,");
	base64(o->html, d, n);
	fprintf(o->html, "\"></figure>\n");
	if (o->md) {
		char *dst = NULL, *name = NULL, err[1024];
		struct atomic_file af;

		/* whole or not at all, as the Markdown itself; a failure fails the report */
		if (asprintf(&name, "%s-%03d.png", o->md_stem, o->nchart) >= 0 &&
		    asprintf(&dst, "%s/%s", o->md_dir, name) >= 0) {
			if (atomic_file_open(&af, dst, err, sizeof(err)) == 0 && fwrite(d, 1, n, af.f) != n) {
				snprintf(err, sizeof(err), "%s", strerror(errno));
				atomic_file_abort(&af);
			}
			if (!af.f || atomic_file_commit(&af, err, sizeof(err))) {
				fprintf(stderr, "exitlab report: writing %s: %s\n", dst, err);
				o->asset_failed = true;
			} else {
				fprintf(o->md, "![");
				report_md_esc(o->md, alt);
				fprintf(o->md, "](%s)\n\n", name);
			}
		}
		free(dst);
		free(name);
	}
	o->nchart++;
	free(d);
}

