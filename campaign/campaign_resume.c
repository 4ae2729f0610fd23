// SPDX-License-Identifier: MIT
/* A resumed entry's commands rebuilt from the campaign file (campaign_resume.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign/campaign_resume.h"
#include "util/xalloc.h"

#define MAX_NOTES 10 /* lines naming an entry; the rest are counted */

static int cmp_run_name(const void *a, const void *b)
{
	const struct campaign_run *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static bool same_str(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

static bool same_args(const struct manifest_entry *e, const struct campaign_run *r)
{
	if (e->nargs != r->nargs)
		return false;
	for (size_t k = 0; k < r->nargs; k++)
		if (strcmp(e->args[k], r->args[k]))
			return false;
	return true;
}

/* The names of the fields in which e's record differs from r, "" if none. */
static void differences(const struct manifest_entry *e, const struct campaign_run *r, char *buf, size_t len)
{
	const struct {
		bool differs;
		const char *name;
	} f[] = {
		{ !same_str(e->payload, r->payload), "payload" },
		{ !same_args(e, r), "args" },
		{ !same_str(e->service, r->service), "service" },
		{ e->disk_mib != r->disk_mib, "disk_mib" },
		{ e->timeout_s != r->timeout_s, "timeout_s" },
		{ e->repetition != r->repetition, "repetition" },
	};
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].differs && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", f[i].name);
}

static void take_commands(struct manifest_entry *e, const struct campaign_run *r)
{
	free(e->payload);
	e->payload = xstrdup(r->payload);
	for (size_t k = 0; k < e->nargs; k++)
		free(e->args[k]);
	free(e->args);
	e->args = calloc(r->nargs + 1, sizeof(*e->args));
	if (!e->args)
		abort();
	for (e->nargs = 0; e->nargs < r->nargs; e->nargs++)
		e->args[e->nargs] = xstrdup(r->args[e->nargs]);
	free(e->service);
	e->service = r->service ? xstrdup(r->service) : NULL;
	e->disk_mib = r->disk_mib;
	e->timeout_s = r->timeout_s;
	e->repetition = r->repetition;
}

size_t campaign_resume_commands(struct manifest *m, const struct campaign_run *runs, size_t nruns,
				const char *file, FILE *note)
{
	const struct campaign_run **byname = calloc(nruns + 1, sizeof(*byname));
	bool *used = calloc(nruns + 1, sizeof(*used));
	size_t differ = 0, unused = 0;

	if (!byname || !used)
		abort();
	for (size_t i = 0; i < nruns; i++)
		byname[i] = &runs[i];
	qsort(byname, nruns, sizeof(*byname), cmp_run_name);
	for (size_t i = 0; i < m->nentries; i++) {
		struct manifest_entry *e = &m->entries[i];
		struct campaign_run key = { .name = e->name };
		const struct campaign_run *kp = &key, **found;
		char what[128], why[1024];

		found = bsearch(&kp, byname, nruns, sizeof(*byname), cmp_run_name);
		if (found)
			used[*found - runs] = true;
		if (e->status != ST_PENDING && e->status != ST_RUNNING)
			continue; /* finished: its record says what ran, and nothing of it runs again */
		if (!found) {
			snprintf(why, sizeof(why), "not in %s: not run (a resume runs only what the campaign "
				 "file says)", file);
			e->status = ST_FAILED;
			e->exit_code = -1;
			free(e->reason);
			e->reason = xstrdup(why);
			if (differ++ < MAX_NOTES)
				fprintf(note, "exitlab campaign: entry %d '%s' is not in %s: not run\n", e->id,
					e->name, file);
			continue;
		}
		differences(e, *found, what, sizeof(what));
		if (what[0] && differ++ < MAX_NOTES)
			fprintf(note, "exitlab campaign: entry %d '%s': the manifest's record (%s) differs "
				"from %s; the file's is run\n", e->id, e->name, what, file);
		take_commands(e, *found);
	}
	if (differ > MAX_NOTES)
		fprintf(note, "exitlab campaign: and %zu more entries whose record differs from %s\n",
			differ - MAX_NOTES, file);
	for (size_t i = 0; i < nruns; i++)
		unused += !used[i];
	if (unused)
		fprintf(note, "exitlab campaign: %s has %zu run(s) that the manifest does not: not run "
			"(a new campaign runs them)\n", file, unused);
	free(byname);
	free(used);
	return differ;
}
