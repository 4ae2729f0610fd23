/* SPDX-License-Identifier: MIT */
/*
 * Text as it may go into the report's HTML and Markdown: one escaper each,
 * shared by the report's sections and its summary.
 */
#ifndef EXITLAB_REPORT_ESCAPE_H
#define EXITLAB_REPORT_ESCAPE_H

#include <stdio.h>

/* <, >, & and " as entities; NULL writes nothing. */
void report_html_esc(FILE *f, const char *s);
/*
 * For Markdown text and table cells: HTML-significant characters as entities
 * (renderers pass raw HTML through), '|' would split a cell, a line break the
 * row, brackets make a link.
 */
void report_md_esc(FILE *f, const char *s);

#endif
