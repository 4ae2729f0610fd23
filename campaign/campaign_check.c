// SPDX-License-Identifier: MIT
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "campaign/campaign_check.h"
#include "vmm/catalogue.h"
#include "vmm/payload_path.h"

/* A param axis's values are "key=value" labels: check the key of the first. */
static int check_axis(const struct catalogue *cat, const char *payload, const struct campaign_axis *a,
		      char *err, size_t errlen)
{
	char e[384];

	if (strncmp(a->key, "param:", 6) || !a->nvalues)
		return 0;
	if (!catalogue_check_params(cat, payload, a->key + 6, e, sizeof(e)))
		return 0;
	snprintf(err, errlen, "%d: params: %s", a->line, e);
	return -1;
}

/* --test NAME and --param K=V among an entry's extra args:. */
static int check_args(const struct catalogue *cat, const char *payload, const struct campaign_spec *s,
		      char *err, size_t errlen)
{
	char e[384];

	for (size_t i = 0; i < s->nargs; i++) {
		const char *a = s->args[i], *v = NULL;
		bool test = false;

		if ((!strcmp(a, "--test") || !strcmp(a, "--param")) && i + 1 < s->nargs) {
			test = !strcmp(a, "--test");
			v = s->args[++i];
		} else if (!strncmp(a, "--test=", 7) || !strncmp(a, "--param=", 8)) {
			test = a[2] == 't';
			v = strchr(a, '=') + 1;
		}
		if (!v)
			continue;
		if (test ? catalogue_check_tests(cat, payload, (char *const *)&v, 1, 0, e, sizeof(e))
			 : catalogue_check_params(cat, payload, v, e, sizeof(e))) {
			snprintf(err, errlen, "%d: args: %s", s->line, e);
			return -1;
		}
	}
	return 0;
}

static int check_entry(const struct campaign_spec *d, const struct campaign_spec *s, char *err, size_t errlen)
{
	const struct campaign_spec *ts = s->ntests ? s : d; /* as campaign_expand inherits them */
	char path[PATH_MAX], e[384];
	struct catalogue cat;
	int rc = 0;

	if (payload_resolve(s->payload, path, sizeof(path)))
		return 0;
	if (catalogue_load(path, &cat, e, sizeof(e))) {
		snprintf(err, errlen, "%d: payload %s: %s", s->line, s->payload, e);
		return -1;
	}
	if (catalogue_check_tests(&cat, s->payload, ts->tests, ts->ntests, 0, e, sizeof(e))) {
		snprintf(err, errlen, "%d: tests: %s", ts == s ? s->line : d->line, e);
		rc = -1;
	}
	for (size_t i = 0; !rc && i < s->naxes; i++)
		rc = check_axis(&cat, s->payload, &s->axes[i], err, errlen);
	for (size_t i = 0; !rc && i < d->naxes; i++)
		rc = check_axis(&cat, s->payload, &d->axes[i], err, errlen);
	if (!rc)
		rc = check_args(&cat, s->payload, s, err, errlen);
	if (!rc)
		rc = check_args(&cat, s->payload, d, err, errlen);
	catalogue_free(&cat);
	return rc;
}

int campaign_check_catalogue(const struct campaign *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->nentries; i++)
		if (c->entries[i].payload && check_entry(&c->defaults, &c->entries[i], err, errlen))
			return -1;
	return 0;
}
