/* SPDX-License-Identifier: MIT */
/*
 * exitlab report (analysis/report.c): a campaign run directory, a results
 * store or one results file as one self-contained HTML page, and as
 * Markdown with the charts as PNGs beside it.
 */
#ifndef EXITLAB_REPORT_H
#define EXITLAB_REPORT_H

/*
 * The report of path in html_path (NULL: path/report.html for a directory,
 * path with .html for a file) and, when md_path is given, in md_path.  Both
 * appear whole or not at all.  An EXIT_* code: 2 bad usage (an output over an
 * input, an unwritable output), 1 when something was skipped.
 */
int report_write(const char *path, const char *html_path, const char *md_path);

#endif
