// SPDX-License-Identifier: MIT
#include <jansson.h>
#include <stdio.h>
#include <time.h>

#include "util/outcome.h"
#include "instruments/hostinfo.h"
#include "analysis/report_devices.h"
#include "analysis/report_memory.h"
#include "analysis/report_table.h"
#include "analysis/report_vcpus.h"
#include "run/run_result.h"
#include "run/validity.h"

double run_clock_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void run_now_iso(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int run_result_finish(struct run_result *res, const struct catalogue *cat, const char *backend, int code,
		      double t0, const char *json_path)
{
	char err[512];

	catalogue_check_results(cat, res);
	validity_apply(cat, backend, res);
	for (size_t i = 0; i < res->ntests; i++)
		if (res->tests[i].status == TEST_FAILED)
			code = EXIT_FAILED;

	res->exit_code = code;
	res->duration_s = run_clock_s() - t0;
	{
		json_t *ctx = hostinfo_collect();

		res->context_json = ctx ? json_dumps(ctx, JSON_COMPACT) : NULL;
		json_decref(ctx);
	}
	if (res->ntests) {
		report_table_print(stdout, res, backend);
		report_memory_print(stdout, res);
		report_devices_print(stdout, res);
		report_vcpus_print(stdout, res);
	}
	fflush(stdout); /* keep the table whole when stdout and stderr share a terminal */
	if (json_path) {
		if (results_write_json(res, json_path, err, sizeof(err))) {
			fprintf(stderr, "exitlab run: writing %s: %s\n", json_path, err);
			if (code == EXIT_OK)
				code = EXIT_FAILED;
		} else {
			fprintf(stderr, "results: %s\n", json_path);
		}
	}
	return code;
}
