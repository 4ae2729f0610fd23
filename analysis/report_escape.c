// SPDX-License-Identifier: MIT
#include "analysis/report_escape.h"

void report_html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

void report_md_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		/* Markdown renderers pass raw HTML through: a "<script>" in a reason must stay text */
		if (*s == '<' || *s == '>' || *s == '&')
			fputs(*s == '<' ? "&lt;" : *s == '>' ? "&gt;" : "&amp;", f);
		else if (*s == '|' || *s == '[' || *s == ']')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}
