/* SPDX-License-Identifier: MIT */
/*
 * The gnuplot plumbing every chart uses (analysis/gnuplot.c): where the chart
 * scripts are, the terminal and file suffix of the charts being drawn, the
 * -e assignments, and running gnuplot itself.
 */
#ifndef EXITLAB_GNUPLOT_H
#define EXITLAB_GNUPLOT_H

#include <jansson.h>
#include <stdio.h>

/* First string value under key anywhere in j (depth first), or NULL. */
const char *plot_find_string(json_t *j, const char *key);
/* "var='val'" for gnuplot -e, quotes doubled and newlines flattened; malloc'd, NULL on ENOMEM. */
char *plot_gp_assign(const char *var, const char *val);
/*
 * Run gnuplot with argv (argv[0] "gnuplot"), with -e term='...' first (the
 * terminal plot_set_format chose); an EXIT_* code, the reason on stderr.
 */
int plot_run_gnuplot(char **argv);
/* One string variable a chart script reads (passed as -e name='value'). */
struct gp_var {
	const char *name, *value;
};
/*
 * Run script with the n string variables and then raw (numeric assignments,
 * "a=1; b=2", passed as they are; NULL: none): plot_run_gnuplot's code.
 */
int plot_run_script(const char *script, const struct gp_var *vars, size_t n, const char *raw);
/*
 * The chart script script_name (scripts/plot-NAME.gp): in $EXITLAB_SCRIPTS,
 * else <exe dir>/../scripts, else ./scripts; malloc'd, NULL (said on stderr)
 * when it is in none of them.
 */
char *plot_find_script(const char *script_name);
/* The terminal ("pngcairo", "svg") and file suffix (".png", ".svg") of the charts drawn from now on. */
void plot_set_format(const char *term, const char *ext);
const char *plot_format_ext(void);
/*
 * Close a chart's data file after writing it: 0, or -1 with errno (the
 * write's, else EIO) when a write failed or the close did.
 */
int plot_data_close(FILE *f);
/* path with its ".from" suffix (if any) replaced by ".to"; malloc'd, NULL on ENOMEM. */
char *plot_swap_ext(const char *path, const char *from, const char *to);

#endif
