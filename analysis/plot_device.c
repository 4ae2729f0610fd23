/* SPDX-License-Identifier: MIT */
/* The device payloads' charts (analysis/plot_device.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/gnuplot.h"
#include "analysis/plot_device.h"
#include "util/outcome.h"

int plot_device_chart(const struct chart_job *j, const struct device_chart *c, void *info)
{
	char *script = plot_find_script(c->script), what[160];
	int rc = EXIT_FAILED, rows;

	if (!script)
		return EXIT_NOHOST;
	rows = c->write_data(j, info);
	if (rows < 0) {
		fprintf(stderr, "exitlab plot: writing %s: %s\n", j->dat, strerror(errno));
		goto out;
	}
	if (!rows) {
		unlink(j->dat);
		if (j->n > 1) {
			fprintf(stderr, "exitlab plot: no %s test with status ok to draw in these files\n", c->tests);
			rc = EXIT_USAGE;
			goto out;
		}
		fprintf(stderr, "exitlab plot: %s has no %s test to draw: the generic chart instead\n", j->names[0],
			c->tests);
		rc = plot_bars_chart(j);
		goto out;
	}
	rc = c->draw(j, script, info);
	if (rc == EXIT_OK) {
		c->describe(what, sizeof(what), j, rows, info);
		printf("wrote %s (%s from %zu file%s; numbers in %s)\n", j->out, what, j->n, j->n == 1 ? "" : "s",
		       j->dat);
		if (j->wrote && chart_list_add(j->wrote, j->out, j->dat, chart_job_results(j), j->runs[0].payload,
					       j->kind))
			rc = EXIT_FAILED;
	}
out:
	free(script);
	return rc;
}
