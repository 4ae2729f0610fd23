// SPDX-License-Identifier: MIT
/*
 * Results files and compare's input: the results JSON reader
 * (analysis/results_json.c with results_calib.c and results_cpu.c), the tables
 * `results show` prints from what it read (analysis/report_table.c,
 * report_memory.c, report_devices.c), and `exitlab compare` of two results
 * (analysis/compare.c, compare_stats.c).  The input is one or two results files:
 * the bytes before the first NUL (which no JSON text may hold) are the
 * baseline, those after it the current side, and the baseline is also
 * shown; without a NUL the input is one file, only shown.  Each document goes through a memfd named by its
 * /proc/self/fd path, so the reader opens it as it opens any file.  The
 * bootstrap takes few resamples: its arithmetic, not its precision, is
 * under test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analysis/compare.h"
#include "analysis/report_devices.h"
#include "analysis/report_memory.h"
#include "analysis/report_table.h"
#include "analysis/results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct doc {
	int fd;
	char path[64];
};

static struct doc docs[2];
static FILE *devnull;

static void doc_init(struct doc *d, const char *name)
{
	d->fd = memfd_create(name, MFD_CLOEXEC);
	if (d->fd < 0)
		abort();
	snprintf(d->path, sizeof(d->path), "/proc/self/fd/%d", d->fd);
}

/* The file's content becomes p[0..n): truncated, then written at offset 0. */
static void doc_set(struct doc *d, const uint8_t *p, size_t n)
{
	if (ftruncate(d->fd, 0) || (n && pwrite(d->fd, p, n, 0) != (ssize_t)n))
		abort();
}

/* What `results show` does with a file: read it, print its tables. */
static void show(const char *path)
{
	struct run_result r = { 0 };
	char err[512];

	if (results_read_json(path, &r, err, sizeof(err)) == 0) {
		report_table_print(devnull, &r, "?");
		report_memory_print(devnull, &r);
		report_devices_print(devnull, &r);
	}
	results_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t na = nul ? (size_t)(nul - data) : size;
	struct cmp_side base = { 0 }, cur = { 0 };
	struct cmp_opts o = { .threshold = 0.05, .level = CMP_LEVEL_AUTO, .confidence = 0.99,
			      .resamples = 16, .seed = 1 };
	struct cmp_row *rows = NULL;
	size_t nrows = 0;
	char err[1024];

	if (!devnull) {
		doc_init(&docs[0], "baseline");
		doc_init(&docs[1], "current");
		if (!(devnull = fopen("/dev/null", "w")))
			abort();
	}
	doc_set(&docs[0], data, na);
	show(docs[0].path);
	if (!nul)
		return 0;
	doc_set(&docs[1], nul + 1, size - na - 1);
	if (cmp_side_load(&base, docs[0].path, NULL, err, sizeof(err)) == 0 &&
	    cmp_side_load(&cur, docs[1].path, NULL, err, sizeof(err)) == 0 &&
	    cmp_compare(&base, &cur, &o, &rows, &nrows, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < nrows; i++)
			fprintf(devnull, "%s %s\n", rows[i].label, cmp_verdict_name(rows[i].verdict));
		free(rows);
	}
	cmp_side_free(&base);
	cmp_side_free(&cur);
	return 0;
}
