/* SPDX-License-Identifier: MIT */
/*
 * manifest.json of a campaign results directory: serialization through
 * jansson, written with atomic_write_text so that a reader (or a resume
 * after a crash) sees the previous state or the new one, never a part; and a
 * reader that refuses anything that is not a manifest of this version.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/atomic_file.h"
#include "campaign/campaign_manifest.h"
#include "util/input_file.h"
#include "util/json_out.h"

static const char *const status_names[] = { "pending", "running", "done", "failed", "timeout", "skipped" };

const char *entry_status_name(enum entry_status s)
{
	return (unsigned)s < 6 ? status_names[s] : "?";
}

void manifest_entry_stem(char *buf, size_t len, int id, const char *slug)
{
	snprintf(buf, len, "entries/%03d-%s", id, slug);
}

void iso_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void campaign_hash(const char *text, size_t len, char *buf, size_t buflen)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)text[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(buf, buflen, "fnv1a64:%016" PRIx64, h);
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

int manifest_write(struct manifest *m, const char *dir, char *err, size_t errlen)
{
	json_t *root = json_object(), *entries = json_array();
	char path[4096], why[4400], *text;
	int rc;

	iso_now(m->updated_at, sizeof(m->updated_at));
	json_object_set_new(root, "format", json_string(MANIFEST_FORMAT));
	json_object_set_new(root, "version", json_integer(MANIFEST_VERSION));
	json_object_set_new(root, "campaign", json_string(m->campaign));
	json_object_set_new(root, "campaign_file", str_or_null(m->campaign_file));
	json_object_set_new(root, "campaign_hash", str_or_null(m->campaign_hash));
	json_object_set_new(root, "started_at", json_string(m->started_at));
	json_object_set_new(root, "updated_at", json_string(m->updated_at));
	json_object_set(root, "host", m->host ? m->host : json_null());
	json_object_set_new(root, "exitlab_revision", str_or_null(m->revision));
	for (size_t i = 0; i < m->nentries; i++) {
		const struct manifest_entry *e = &m->entries[i];
		json_t *o = json_object(), *args = json_array();

		for (size_t k = 0; k < e->nargs; k++)
			json_array_append_new(args, json_string(e->args[k]));
		json_object_set_new(o, "id", json_integer(e->id));
		json_object_set_new(o, "name", json_string(e->name));
		json_object_set_new(o, "payload", json_string(e->payload));
		json_object_set_new(o, "args", args);
		json_object_set_new(o, "repetition", json_integer(e->repetition));
		json_object_set_new(o, "timeout_s", json_real(e->timeout_s));
		json_object_set_new(o, "disk_mib", e->disk_mib ? json_integer(e->disk_mib) : json_null());
		json_object_set_new(o, "service", str_or_null(e->service));
		json_object_set_new(o, "status", json_string(entry_status_name(e->status)));
		json_object_set_new(o, "exit_code",
			e->exit_code >= 0 ? json_integer(e->exit_code) : json_null());
		json_object_set_new(o, "results", str_or_null(e->results));
		json_object_set_new(o, "log", str_or_null(e->log));
		json_object_set_new(o, "started_at", str_or_null(e->started_at));
		json_object_set_new(o, "duration_s",
			e->duration_s >= 0 ? json_real(e->duration_s) : json_null());
		json_object_set_new(o, "reason", str_or_null(e->reason));
		json_array_append_new(entries, o);
	}
	json_object_set_new(root, "entries", entries);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | EXITLAB_JSON_REALS);
	json_decref(root);
	if (!text) {
		snprintf(err, errlen, "manifest: out of memory");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	rc = atomic_write_text(path, text, why, sizeof(why));
	if (rc)
		snprintf(err, errlen, "writing %s: %s", path, why);
	free(text);
	return rc;
}

static char *dup_opt(json_t *v)
{
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

void manifest_free(struct manifest *m)
{
	free(m->campaign);
	free(m->campaign_file);
	free(m->campaign_hash);
	free(m->revision);
	json_decref(m->host);
	for (size_t i = 0; i < m->nentries; i++) {
		struct manifest_entry *e = &m->entries[i];

		free(e->name);
		free(e->payload);
		free(e->service);
		for (size_t k = 0; k < e->nargs; k++)
			free(e->args[k]);
		free(e->args);
		free(e->results);
		free(e->log);
		free(e->reason);
	}
	free(m->entries);
	memset(m, 0, sizeof(*m));
}

/* A relative path inside the results directory (no "..", not absolute). */
static int inside(const char *p)
{
	return *p && *p != '/' && !strstr(p, "..");
}

static int read_entry(json_t *o, size_t i, struct manifest_entry *e, char *err, size_t errlen)
{
	json_t *args = json_object_get(o, "args"), *st = json_object_get(o, "status");
	json_t *ec = json_object_get(o, "exit_code"), *res = json_object_get(o, "results");
	json_t *log = json_object_get(o, "log"), *sa = json_object_get(o, "started_at");
	json_t *du = json_object_get(o, "duration_s"), *rs = json_object_get(o, "reason");
	size_t k;

	memset(e, 0, sizeof(*e));
	e->exit_code = -1;
	e->duration_s = -1;
	if (!json_is_object(o) || !json_is_integer(json_object_get(o, "id")) ||
	    !json_is_string(json_object_get(o, "name")) || !json_is_string(json_object_get(o, "payload")) ||
	    !json_is_array(args) || !json_is_integer(json_object_get(o, "repetition")) ||
	    !json_is_number(json_object_get(o, "timeout_s")) || !json_is_string(st)) {
		snprintf(err, errlen, "entry %zu lacks id, name, payload, args, repetition, timeout_s or status",
			 i);
		return -1;
	}
	e->id = (int)json_integer_value(json_object_get(o, "id"));
	if (e->id != (int)i) {
		snprintf(err, errlen, "entry %zu has id %d", i, e->id);
		return -1;
	}
	for (k = 0; k < 6 && strcmp(json_string_value(st), status_names[k]); k++)
		;
	if (k == 6) {
		snprintf(err, errlen, "entry %zu has an unknown status '%s'", i, json_string_value(st));
		return -1;
	}
	e->status = (enum entry_status)k;
	e->name = strdup(json_string_value(json_object_get(o, "name")));
	e->payload = strdup(json_string_value(json_object_get(o, "payload")));
	e->repetition = (int)json_integer_value(json_object_get(o, "repetition"));
	e->timeout_s = json_number_value(json_object_get(o, "timeout_s"));
	if (json_is_integer(json_object_get(o, "disk_mib")))
		e->disk_mib = (long)json_integer_value(json_object_get(o, "disk_mib"));
	if (e->disk_mib < 0 || e->disk_mib > 65536) {
		snprintf(err, errlen, "entry %zu: disk_mib out of range", i);
		return -1;
	}
	if (json_is_string(json_object_get(o, "service")))
		e->service = strdup(json_string_value(json_object_get(o, "service")));
	else if (json_object_get(o, "service") && !json_is_null(json_object_get(o, "service"))) {
		snprintf(err, errlen, "entry %zu: service must be a string or null", i);
		return -1;
	}
	e->args = calloc(json_array_size(args) + 1, sizeof(*e->args));
	for (k = 0; k < json_array_size(args); k++) {
		json_t *a = json_array_get(args, k);

		if (!json_is_string(a)) {
			snprintf(err, errlen, "entry %zu: args must be strings", i);
			return -1;
		}
		e->args[e->nargs++] = strdup(json_string_value(a));
	}
	if ((ec && !json_is_null(ec) && !json_is_integer(ec)) ||
	    (res && !json_is_null(res) && !json_is_string(res)) ||
	    (du && !json_is_null(du) && !json_is_number(du))) {
		snprintf(err, errlen, "entry %zu: exit_code, results or duration_s has the wrong type", i);
		return -1;
	}
	if (json_is_integer(ec))
		e->exit_code = (int)json_integer_value(ec);
	if (json_is_number(du))
		e->duration_s = json_number_value(du);
	e->results = dup_opt(res);
	e->log = dup_opt(log);
	e->reason = dup_opt(rs);
	if ((e->results && !inside(e->results)) || (e->log && !inside(e->log))) {
		snprintf(err, errlen, "entry %zu points outside the results directory", i);
		return -1;
	}
	if (json_is_string(sa))
		snprintf(e->started_at, sizeof(e->started_at), "%s", json_string_value(sa));
	if (e->status == ST_DONE && !e->results) {
		snprintf(err, errlen, "entry %zu is done but names no results file", i);
		return -1;
	}
	return 0;
}

int manifest_read(const char *path, struct manifest *m, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = input_file_json(path, 0, &je), *fmt, *ver, *entries;
	char why[256];

	memset(m, 0, sizeof(*m));
	if (!root) {
		/* say what is wrong with the file: missing, unreadable or not a file is not "invalid JSON" */
		if (je.line < 0)
			snprintf(err, errlen, "%s: %s (not a campaign run directory?)", path, je.text);
		else
			snprintf(err, errlen, "%s: not valid JSON (line %d: %s)", path, je.line, je.text);
		return -1;
	}
	fmt = json_object_get(root, "format");
	ver = json_object_get(root, "version");
	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), MANIFEST_FORMAT)) {
		snprintf(err, errlen, "%s: not an exitlab campaign manifest (format is not \"%s\")", path,
			 MANIFEST_FORMAT);
		goto fail;
	}
	if (!json_is_integer(ver) || json_integer_value(ver) != MANIFEST_VERSION) {
		snprintf(err, errlen, "%s: manifest version is not %d", path, MANIFEST_VERSION);
		goto fail;
	}
	entries = json_object_get(root, "entries");
	if (!json_is_string(json_object_get(root, "campaign")) ||
	    !json_is_string(json_object_get(root, "started_at")) ||
	    !json_is_array(entries)) {
		snprintf(err, errlen, "%s: the manifest lacks campaign, started_at or entries", path);
		goto fail;
	}
	m->campaign = strdup(json_string_value(json_object_get(root, "campaign")));
	m->campaign_file = dup_opt(json_object_get(root, "campaign_file"));
	m->campaign_hash = dup_opt(json_object_get(root, "campaign_hash"));
	m->revision = dup_opt(json_object_get(root, "exitlab_revision"));
	snprintf(m->started_at, sizeof(m->started_at), "%s",
		 json_string_value(json_object_get(root, "started_at")));
	m->host = json_incref(json_object_get(root, "host"));
	m->entries = calloc(json_array_size(entries) + 1, sizeof(*m->entries));
	for (size_t i = 0; i < json_array_size(entries); i++) {
		m->nentries++;
		if (read_entry(json_array_get(entries, i), i, &m->entries[i], why, sizeof(why))) {
			snprintf(err, errlen, "%s: %s", path, why);
			goto fail;
		}
	}
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	manifest_free(m);
	return -1;
}
