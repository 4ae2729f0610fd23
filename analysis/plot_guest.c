// SPDX-License-Identifier: MIT
/*
 * A Linux guest's workloads (exitlab-guest, payload "linux") from one or
 * several results files, side by side: per test of each file, the KVM exits
 * and the exits to the VMM per operation, as clustered bars.  Files of the
 * same workloads under exitlab and under a peer (exitlab run linux --vmm
 * qemu) given in turn put each workload's VMMs next to each other
 * (docs/peer-vmm.md).  The bar's label is the file's name, its test and the
 * VMM (config.vmm.name); counts only, no timings.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/charts.h"
#include "analysis/plot.h"
#include "util/outcome.h"

/* config.vmm.name of a run: "exitlab" when the config does not say. */
static void vmm_name(const struct run_result *r, char *buf, size_t len)
{
	json_t *c = r->config_json ? json_loads(r->config_json, 0, NULL) : NULL;
	const char *n = json_string_value(json_object_get(json_object_get(c, "vmm"), "name"));

	snprintf(buf, len, "%s", n ? n : "exitlab");
	json_decref(c);
}

/* The file's name without its directory, ".json" and a trailing "-VMM". */
static void entry_name(const char *path, const char *vmm, char *buf, size_t len)
{
	const char *b = strrchr(path, '/');
	size_t n, v = strlen(vmm);

	snprintf(buf, len, "%s", b ? b + 1 : path);
	n = strlen(buf);
	if (n > 5 && !strcmp(buf + n - 5, ".json"))
		buf[n -= 5] = 0;
	if (n > v + 1 && buf[n - v - 1] == '-' && !strcmp(buf + n - v, vmm))
		buf[n - v - 1] = 0;
}

/* Rows "label kvm_exits_per_op exits_to_vmm_per_op" (NaN: not counted): how many, or -1 with errno. */
static int write_data(const struct chart_job *j)
{
	FILE *f = fopen(j->dat, "w");
	int rows = 0;

	if (!f)
		return -1;
	fprintf(f, "# entry/test/vmm  kvm_exits_per_op  exits_to_vmm_per_op\n");
	for (size_t i = 0; i < j->n; i++) {
		char vmm[32], entry[96];

		vmm_name(&j->runs[i], vmm, sizeof(vmm));
		entry_name(j->names[i], vmm, entry, sizeof(entry));
		for (size_t k = 0; k < j->runs[i].ntests; k++) {
			const struct test_result *t = &j->runs[i].tests[k];

			if (strcmp(t->where, "guest") || !strcmp(t->name, "empty") || t->status != TEST_OK ||
			    !t->has_exits)
				continue;
			fprintf(f, "\"%s %s (%s)\" %.4f %.4f\n", entry, t->name, vmm, t->exits_per_iteration,
				isnan(t->userspace_exits_per_iteration) ? NAN : t->userspace_exits_per_iteration);
			rows++;
		}
	}
	if (plot_data_close(f))
		return -1;
	return rows;
}

int plot_guest_chart(const struct chart_job *j)
{
	char title[512], ctx[320], *script;
	int rows, rc;

	script = plot_find_script("plot-guest.gp");
	if (!script)
		return EXIT_NOHOST;
	rows = write_data(j);
	if (rows <= 0) {
		if (rows < 0)
			fprintf(stderr, "exitlab plot: writing %s: %s\n", j->dat, strerror(errno));
		else
			fprintf(stderr, "exitlab plot: no guest test with status ok and exit counts in these files "
				"(exitlab run linux with exitlab-guest makes them)\n");
		unlink(j->dat);
		free(script);
		return rows < 0 ? EXIT_FAILED : EXIT_USAGE;
	}
	plot_runs_context(j->runs, j->n, ctx, sizeof(ctx));
	snprintf(title, sizeof(title), "exitlab: Linux guest workloads, exits per operation - %s", ctx);
	{
		struct gp_var v[] = { { "datafile", j->dat }, { "outfile", j->out }, { "plottitle", title } };
		char raw[32];

		snprintf(raw, sizeof(raw), "nrows=%d", rows);
		rc = plot_run_script(script, v, sizeof(v) / sizeof(v[0]), raw);
	}
	if (rc == EXIT_OK) {
		printf("wrote %s (%d tests from %zu files; numbers in %s)\n", j->out, rows, j->n, j->dat);
		if (j->wrote && chart_list_add(j->wrote, j->out, j->dat, chart_job_results(j), j->runs[0].payload,
					       j->kind))
			rc = EXIT_FAILED;
	}
	free(script);
	return rc;
}

bool plot_guest_applies(const struct run_result *runs, size_t n)
{
	(void)runs;
	return n >= 2;
}
