// SPDX-License-Identifier: MIT
/*
 * fleet.json (fleet_manifest.h): written with jansson through an atomic
 * file, read back with every field checked, so that a resume or a report
 * never acts on a manifest it half understood.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "analysis/fleet_manifest.h"
#include "util/atomic_file.h"
#include "util/input_file.h"

/* Messages are bounded; a truncated one is fine. */
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

static const char *const state_names[] = {
	[FLEET_PENDING] = "pending", [FLEET_DONE] = "done", [FLEET_SKIPPED] = "skipped",
	[FLEET_FAILED] = "failed", [FLEET_UNREACHABLE] = "unreachable",
};

const char *fleet_state_name(enum fleet_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

int fleet_state_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof(state_names) / sizeof(state_names[0]); i++)
		if (!strcmp(s, state_names[i]))
			return (int)i;
	return -1;
}

bool fleet_host_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 127 || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '_' || *p == '-'))
			return false;
	return true;
}

bool fleet_dir_is_fleet(const char *dir)
{
	char path[4200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, FLEET_MANIFEST_NAME);
	return !stat(path, &st);
}

void fleet_iso_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *host_json(const struct fleet_host *h)
{
	json_t *o = json_object(), *c = json_null();
	char results[200];

	if (h->has_results) {
		c = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "total", h->entries.total, "done", h->entries.done,
			      "failed", h->entries.failed, "timeout", h->entries.timeout, "skipped",
			      h->entries.skipped, "pending", h->entries.pending);
		snprintf(results, sizeof(results), "%s/%s", h->name, FLEET_HOST_RESULTS);
	}
	json_object_set_new(o, "name", json_string(h->name));
	json_object_set_new(o, "state", json_string(fleet_state_name(h->state)));
	json_object_set_new(o, "reason", str_or_null(h->reason));
	json_object_set_new(o, "results", h->has_results ? json_string(results) : json_null());
	json_object_set_new(o, "entries", c);
	json_object_set_new(o, "campaign_exit", h->campaign_exit < 0 ? json_null() : json_integer(h->campaign_exit));
	json_object_set_new(o, "attempts", json_integer(h->attempts));
	json_object_set_new(o, "updated_at", str_or_null(h->updated_at));
	return o;
}

int fleet_manifest_write(const char *dir, struct fleet_manifest *m, char *err, size_t errlen)
{
	json_t *root = json_object(), *hosts = json_array(), *extra = json_array();
	char path[4200], *text;
	int rc;

	fleet_iso_now(m->updated_at, sizeof(m->updated_at));
	json_object_set_new(root, "format", json_string(FLEET_MANIFEST_FORMAT));
	json_object_set_new(root, "version", json_integer(FLEET_MANIFEST_VERSION));
	json_object_set_new(root, "fleet_id", json_string(m->fleet_id));
	json_object_set_new(root, "campaign", json_string(m->campaign));
	json_object_set_new(root, "campaign_file", json_string("campaign.yaml"));
	json_object_set_new(root, "campaign_hash", json_string(m->campaign_hash));
	json_object_set_new(root, "revision", json_string(m->revision));
	json_object_set_new(root, "inventory", str_or_null(m->inventory));
	json_object_set_new(root, "started_at", json_string(m->started_at));
	json_object_set_new(root, "updated_at", json_string(m->updated_at));
	json_object_set_new(root, "forks", m->forks > 0 ? json_integer(m->forks) : json_null());
	for (size_t i = 0; i < m->nextra; i++)
		json_array_append_new(extra, json_string(m->extra_vars[i]));
	json_object_set_new(root, "extra_vars", extra);
	for (size_t i = 0; i < m->nhosts; i++)
		json_array_append_new(hosts, host_json(&m->hosts[i]));
	json_object_set_new(root, "hosts", hosts);
	text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, FLEET_MANIFEST_NAME);
	rc = atomic_write_text(path, text, err, errlen);
	free(text);
	return rc;
}

/* A string member into buf: required (missing is an error) or optional (null or absent: ""). */
static int get_str(json_t *o, const char *key, bool required, char *buf, size_t len, const char *where,
		   char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	*buf = 0;
	if (json_is_string(v)) {
		if (strlen(json_string_value(v)) >= len) {
			snprintf(err, errlen, "%s\"%s\" is too long", where, key);
			return -1;
		}
		snprintf(buf, len, "%s", json_string_value(v));
		return 0;
	}
	if (!required && (!v || json_is_null(v)))
		return 0;
	snprintf(err, errlen, "%s\"%s\" %s", where, key, v ? "is not a string" : "is missing");
	return -1;
}

static int get_int(json_t *o, const char *key, int *out, int if_null, const char *where, char *err,
		   size_t errlen)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v)) {
		*out = if_null;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000) {
		snprintf(err, errlen, "%s\"%s\" is not a count", where, key);
		return -1;
	}
	*out = (int)json_integer_value(v);
	return 0;
}

static int parse_host(json_t *o, size_t i, struct fleet_host *h, char *err, size_t errlen)
{
	char where[64], state[32], results[200], want[200];
	json_t *c;
	int s;

	snprintf(where, sizeof(where), "hosts[%zu]: ", i);
	if (!json_is_object(o)) {
		snprintf(err, errlen, "hosts[%zu] is not an object", i);
		return -1;
	}
	if (get_str(o, "name", true, h->name, sizeof(h->name), where, err, errlen))
		return -1;
	if (!fleet_host_name_ok(h->name)) {
		snprintf(err, errlen, "%s\"name\" '%s' is not a host name (letters, digits, . _ -)", where, h->name);
		return -1;
	}
	if (get_str(o, "state", true, state, sizeof(state), where, err, errlen))
		return -1;
	if ((s = fleet_state_parse(state)) < 0) {
		snprintf(err, errlen, "%s(%s) unknown state '%s'", where, h->name, state);
		return -1;
	}
	h->state = (enum fleet_state)s;
	if (get_str(o, "reason", false, h->reason, sizeof(h->reason), where, err, errlen) ||
	    get_str(o, "results", false, results, sizeof(results), where, err, errlen) ||
	    get_str(o, "updated_at", false, h->updated_at, sizeof(h->updated_at), where, err, errlen) ||
	    get_int(o, "campaign_exit", &h->campaign_exit, -1, where, err, errlen) ||
	    get_int(o, "attempts", &h->attempts, 0, where, err, errlen))
		return -1;
	/* the results are the host's own directory, never a path the manifest chooses */
	snprintf(want, sizeof(want), "%s/%s", h->name, FLEET_HOST_RESULTS);
	if (*results && strcmp(results, want)) {
		snprintf(err, errlen, "%s(%s) \"results\" must be \"%s\", not '%s'", where, h->name, want, results);
		return -1;
	}
	h->has_results = *results;
	c = json_object_get(o, "entries");
	if (h->has_results && json_is_object(c)) {
		if (get_int(c, "total", &h->entries.total, 0, where, err, errlen) ||
		    get_int(c, "done", &h->entries.done, 0, where, err, errlen) ||
		    get_int(c, "failed", &h->entries.failed, 0, where, err, errlen) ||
		    get_int(c, "timeout", &h->entries.timeout, 0, where, err, errlen) ||
		    get_int(c, "skipped", &h->entries.skipped, 0, where, err, errlen) ||
		    get_int(c, "pending", &h->entries.pending, 0, where, err, errlen))
			return -1;
	} else if (c && !json_is_null(c) && !json_is_object(c)) {
		snprintf(err, errlen, "%s(%s) \"entries\" is neither an object nor null", where, h->name);
		return -1;
	}
	if (h->state == FLEET_DONE && !h->has_results) {
		snprintf(err, errlen, "%s(%s) done but no results", where, h->name);
		return -1;
	}
	return 0;
}

int fleet_manifest_read(const char *dir, struct fleet_manifest *m, char *err, size_t errlen)
{
	char path[4200];
	json_error_t je;
	json_t *root, *v, *hosts;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "%s/%s", dir, FLEET_MANIFEST_NAME);
	root = input_file_json(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (je.line < 0)
			snprintf(err, errlen, "%s: %s", path, je.text);
		else
			snprintf(err, errlen, "%s: not valid JSON (line %d: %s)", path, je.line, je.text);
		return -1;
	}
	v = json_object_get(root, "format");
	if (!json_is_object(root) || !json_is_string(v) || strcmp(json_string_value(v), FLEET_MANIFEST_FORMAT)) {
		snprintf(err, errlen, "%s: not an exitlab fleet manifest (\"format\" is not \"%s\")", path,
			 FLEET_MANIFEST_FORMAT);
		goto out;
	}
	v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) != FLEET_MANIFEST_VERSION) {
		snprintf(err, errlen, "%s: fleet manifest version %s, this exitlab reads version %d", path,
			 json_is_integer(v) ? "other than 1" : "missing", FLEET_MANIFEST_VERSION);
		goto out;
	}
	{
		char where[4300];

		snprintf(where, sizeof(where), "%s: ", path);
		if (get_str(root, "fleet_id", true, m->fleet_id, sizeof(m->fleet_id), where, err, errlen) ||
		    get_str(root, "campaign", true, m->campaign, sizeof(m->campaign), where, err, errlen) ||
		    get_str(root, "campaign_hash", true, m->campaign_hash, sizeof(m->campaign_hash), where, err,
			    errlen) ||
		    get_str(root, "revision", true, m->revision, sizeof(m->revision), where, err, errlen) ||
		    get_str(root, "inventory", false, m->inventory, sizeof(m->inventory), where, err, errlen) ||
		    get_str(root, "started_at", true, m->started_at, sizeof(m->started_at), where, err, errlen) ||
		    get_str(root, "updated_at", false, m->updated_at, sizeof(m->updated_at), where, err, errlen) ||
		    get_int(root, "forks", &m->forks, 0, where, err, errlen))
			goto out;
	}
	/* the revision goes to git and make on the hosts: hex only */
	if (strspn(m->revision, "0123456789abcdef") != strlen(m->revision) || strlen(m->revision) < 7) {
		snprintf(err, errlen, "%s: \"revision\" is not a git revision: '%s'", path, m->revision);
		goto out;
	}
	v = json_object_get(root, "extra_vars");
	if (v && !json_is_array(v)) {
		snprintf(err, errlen, "%s: \"extra_vars\" is not an array", path);
		goto out;
	}
	m->extra_vars = calloc(json_array_size(v) + 1, sizeof(char *));
	for (size_t i = 0; m->extra_vars && i < json_array_size(v); i++) {
		if (!json_is_string(json_array_get(v, i))) {
			snprintf(err, errlen, "%s: extra_vars[%zu] is not a string", path, i);
			goto out;
		}
		m->extra_vars[m->nextra++] = strdup(json_string_value(json_array_get(v, i)));
	}
	hosts = json_object_get(root, "hosts");
	if (!json_is_array(hosts)) {
		snprintf(err, errlen, "%s: \"hosts\" is missing or not an array", path);
		goto out;
	}
	m->hosts = calloc(json_array_size(hosts) + 1, sizeof(*m->hosts));
	if (!m->extra_vars || !m->hosts) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(hosts); i++) {
		char e[600];

		if (parse_host(json_array_get(hosts, i), i, &m->hosts[i], e, sizeof(e))) {
			snprintf(err, errlen, "%s: %s", path, e);
			goto out;
		}
		for (size_t k = 0; k < i; k++)
			if (!strcmp(m->hosts[k].name, m->hosts[i].name)) {
				snprintf(err, errlen, "%s: host '%s' is listed twice", path, m->hosts[i].name);
				goto out;
			}
		m->nhosts++;
	}
	rc = 0;
out:
	json_decref(root);
	if (rc)
		fleet_manifest_free(m);
	return rc;
}

struct fleet_host *fleet_manifest_host(struct fleet_manifest *m, const char *name)
{
	for (size_t i = 0; i < m->nhosts; i++)
		if (!strcmp(m->hosts[i].name, name))
			return &m->hosts[i];
	return NULL;
}

struct fleet_host *fleet_manifest_add_host(struct fleet_manifest *m, const char *name)
{
	struct fleet_host *n = realloc(m->hosts, (m->nhosts + 1) * sizeof(*n)), *h;

	if (!n)
		return NULL;
	m->hosts = n;
	h = &m->hosts[m->nhosts++];
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->state = FLEET_PENDING;
	h->campaign_exit = -1;
	return h;
}

void fleet_manifest_free(struct fleet_manifest *m)
{
	for (size_t i = 0; i < m->nextra; i++)
		free(m->extra_vars[i]);
	free(m->extra_vars);
	free(m->hosts);
	memset(m, 0, sizeof(*m));
}
