// SPDX-License-Identifier: MIT
/*
 * A host's state (fleet_status.h).  The play says whether the host was
 * reached and whether its build and campaign ran; the campaign's own
 * manifest says what each entry did, and that decides done, skipped or
 * failed: a campaign that "ran" with failed entries is not a done host.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "analysis/fleet_status.h"
#include "analysis/results_store.h"
#include "util/input_file.h"

/* Messages are bounded; a truncated one is fine. */
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

/* One line of at most len: runs of whitespace (ssh's \r\n) become one space. */
static void one_line(char *dst, size_t len, const char *src)
{
	size_t n = 0;
	bool space = false;

	for (; src && *src && n + 1 < len; src++) {
		if (*src == ' ' || *src == '\t' || *src == '\r' || *src == '\n') {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < len)
			dst[n++] = ' ';
		space = false;
		dst[n++] = *src;
	}
	dst[n] = 0;
}

static void count_entries(const struct store_run *run, struct fleet_counts *c, const struct store_entry **first_bad,
			  const struct store_entry **first_skip)
{
	memset(c, 0, sizeof(*c));
	*first_bad = *first_skip = NULL;
	for (size_t i = 0; i < run->nentries; i++) {
		const struct store_entry *e = &run->entries[i];

		c->total++;
		if (!strcmp(e->status, "done"))
			c->done++;
		else if (!strcmp(e->status, "skipped")) {
			c->skipped++;
			if (!*first_skip)
				*first_skip = e;
		} else {
			if (!strcmp(e->status, "failed"))
				c->failed++;
			else if (!strcmp(e->status, "timeout"))
				c->timeout++;
			else
				c->pending++;
			if (!*first_bad)
				*first_bad = e;
		}
	}
}

static void set(struct fleet_host *h, enum fleet_state s, const char *reason)
{
	h->state = s;
	one_line(h->reason, sizeof(h->reason), reason);
}

/* The fetched campaign: counts, and whether it ran the fleet's revision. 0, or -1 with why. */
static int read_campaign(const char *dir, const char *revision, struct fleet_host *h, struct store_run *run,
			 char *why, size_t whylen)
{
	char cdir[4400], err[512];

	snprintf(cdir, sizeof(cdir), "%s/%s/%s", dir, h->name, FLEET_HOST_RESULTS);
	h->has_results = false;
	if (store_read_manifest(cdir, run, err, sizeof(err))) {
		snprintf(why, whylen, "%s/%s/manifest.json: %s", h->name, FLEET_HOST_RESULTS, err);
		return -1;
	}
	h->has_results = true;
	if (*run->revision && strncmp(run->revision, revision, strlen(run->revision))) {
		snprintf(why, whylen, "its campaign ran exitlab %s, not the fleet's %.12s", run->revision, revision);
		return -1;
	}
	return 0;
}

void fleet_host_settle(const char *dir, const char *revision, int ansible_exit, struct fleet_host *h)
{
	char path[4400], why[1024], state[32] = "";
	const struct store_entry *bad = NULL, *skip = NULL;
	struct store_run run = { 0 };
	json_error_t je;
	json_t *st, *v;
	bool ran;

	fleet_iso_now(h->updated_at, sizeof(h->updated_at));
	h->campaign_exit = -1;
	snprintf(path, sizeof(path), "%s/%s/%s", dir, h->name, FLEET_STATUS_NAME);
	st = input_file_json(path, JSON_REJECT_DUPLICATES, &je);
	/* the campaign directory may be there whatever the play says: a failed host's partial results */
	ran = !read_campaign(dir, revision, h, &run, why, sizeof(why));
	if (h->has_results)
		count_entries(&run, &h->entries, &bad, &skip);
	if (!st) {
		snprintf(why, sizeof(why), "the play recorded nothing for this host (%s; ansible-playbook "
			 "exited %d): see ansible.log", je.line < 0 ? "no " FLEET_STATUS_NAME : FLEET_STATUS_NAME
			 " is not JSON", ansible_exit);
		set(h, FLEET_FAILED, why);
		goto out;
	}
	v = json_object_get(st, "format");
	if (!json_is_object(st) || !json_is_string(v) || strcmp(json_string_value(v), FLEET_STATUS_FORMAT) ||
	    !json_is_string(json_object_get(st, "state"))) {
		set(h, FLEET_FAILED, FLEET_STATUS_NAME " is not the play's host record");
		goto out;
	}
	snprintf(state, sizeof(state), "%s", json_string_value(json_object_get(st, "state")));
	v = json_object_get(st, "campaign_exit");
	if (json_is_integer(v))
		h->campaign_exit = (int)json_integer_value(v);
	v = json_object_get(st, "reason");
	if (!strcmp(state, "unreachable")) {
		set(h, FLEET_UNREACHABLE, json_is_string(v) ? json_string_value(v) : "unreachable");
	} else if (!strcmp(state, "failed")) {
		set(h, FLEET_FAILED, json_is_string(v) ? json_string_value(v) : "failed");
	} else if (strcmp(state, "ran")) {
		snprintf(why, sizeof(why), FLEET_STATUS_NAME ": unknown state '%s'", state);
		set(h, FLEET_FAILED, why);
	} else if (!ran) {
		set(h, FLEET_FAILED, why);
	} else if (h->entries.failed || h->entries.timeout || h->entries.pending || h->campaign_exit != 0) {
		snprintf(why, sizeof(why), "campaign exit %d: %d failed, %d timed out, %d not run of %d entries%s%s%s%s",
			 h->campaign_exit, h->entries.failed, h->entries.timeout, h->entries.pending, h->entries.total,
			 bad ? "; first: " : "", bad ? bad->name : "", bad && *bad->reason ? ": " : "",
			 bad ? bad->reason : "");
		set(h, FLEET_FAILED, why);
	} else if (!h->entries.done && h->entries.skipped) {
		snprintf(why, sizeof(why), "all %d entries skipped: %s", h->entries.skipped, skip->reason);
		set(h, FLEET_SKIPPED, why);
	} else if (h->entries.skipped) {
		snprintf(why, sizeof(why), "%d of %d entries skipped: %s", h->entries.skipped, h->entries.total,
			 skip->reason);
		set(h, FLEET_DONE, why);
	} else {
		set(h, FLEET_DONE, NULL);
	}
out:
	json_decref(st);
	store_run_free(&run);
}
