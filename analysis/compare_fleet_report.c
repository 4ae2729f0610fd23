/* SPDX-License-Identifier: MIT */
/* `exitlab compare FLEET_A FLEET_B`: each host pair's table, a line per host, the JSON (compare_fleet.h). */
#include <jansson.h>
#include <stdio.h>

#include "analysis/compare_fleet.h"
#include "analysis/compare_json.h"
#include "analysis/compare_print.h"
#include "util/atomic_file.h"
#include "util/json_out.h"

/* Two fleet runs, host by host: each pair's table, then one line per host. */
enum outcome cmp_fleet_report(FILE *out, const char *a, const char *b, const struct cmp_opts *o,
			      const char *json_path)
{
	struct cmp_fleet fl;
	char err[1024];
	size_t regressed = 0, compared = 0;
	json_t *hosts = json_array();
	enum outcome code = OUTCOME_OK;

	if (cmp_fleet_compare(a, b, o, &fl, err, sizeof(err))) {
		fprintf(stderr, "exitlab compare: %s\n", err);
		json_decref(hosts);
		return OUTCOME_BAD_INPUT;
	}
	for (size_t i = 0; i < fl.n; i++) {
		const struct cmp_fleet_pair *p = &fl.pairs[i];

		if (json_path && p->state == CMP_PAIR_COMPARED &&
		    (cmp_side_read(&p->b, json_path) || cmp_side_read(&p->c, json_path))) {
			fprintf(stderr, "exitlab compare: %s is one of the inputs: refusing to overwrite it\n",
				json_path);
			code = OUTCOME_BAD_INPUT;
			goto done;
		}
	}
	fprintf(out, "fleet baseline: %s\nfleet current:  %s\n", a, b);
	for (size_t i = 0; i < fl.n; i++) {
		const struct cmp_fleet_pair *p = &fl.pairs[i];

		fprintf(out, "\n== host %s: %s%s%s\n", p->host, cmp_pair_state_name(p->state), *p->note ? ": " : "",
		       p->note);
		if (p->state == CMP_PAIR_COMPARED) {
			compared++;
			regressed += p->count[CMP_REGRESSED] > 0;
			if (p->nrows && o->counts)
				cmp_print_counts(out, &p->b, &p->c, o, p->rows, p->nrows, p->count);
			else if (p->nrows)
				cmp_print_table(out, &p->b, &p->c, o, p->rows, p->nrows, p->count);
		}
		json_array_append_new(hosts, json_pack("{s:s, s:s, s:s, s:o}", "host", p->host, "pairing",
						       cmp_pair_state_name(p->state), "note", p->note,
						       "comparison", p->state == CMP_PAIR_COMPARED ?
						       cmp_rows_json(&p->b, &p->c, o, p->rows, p->nrows, p->count) :
						       json_null()));
	}
	fprintf(out, "\n%zu host%s: %zu compared, %zu with a regression\n", fl.n, fl.n == 1 ? "" : "s", compared,
	       regressed);
	if (json_path) {
		json_t *doc = json_pack("{s:s, s:i, s:s, s:s, s:O}", "format", "exitlab-compare-fleet", "version", 1,
					"baseline", a, "current", b, "hosts", hosts);
		char *text = doc ? json_dumps(doc, JSON_INDENT(2) | EXITLAB_JSON_REALS) : NULL;

		json_decref(doc);
		if (!text || atomic_write_text(json_path, text, err, sizeof(err))) {
			fprintf(stderr, "exitlab compare: %s: %s\n", json_path, text ? err : "out of memory");
			free(text);
			code = OUTCOME_BAD_INPUT;
			goto done;
		}
		free(text);
	}
	if (regressed)
		code = OUTCOME_FAILED;
done:
	json_decref(hosts);
	cmp_fleet_free(&fl);
	return code;
}
