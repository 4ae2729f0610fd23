/* SPDX-License-Identifier: MIT */
/* tracefs discovery, event ids and the format-file parser (see tracefs.h). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "instruments/tracefs.h"

#define TRACEFS_STD "/sys/kernel/tracing"
#define TRACEFS_DEBUG "/sys/kernel/debug/tracing"

static char root_cache[64];

/* 0 if root/events is a directory, else the errno of looking. */
static int has_events(const char *root)
{
	char p[128];
	struct stat st;

	snprintf(p, sizeof(p), "%s/events", root);
	if (stat(p, &st) != 0)
		return errno;
	return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "?";
}

int tracefs_root(char *buf, size_t len, char *err, size_t errlen)
{
	int e;

	if (!root_cache[0]) {
		e = has_events(TRACEFS_STD);
		if (e == EACCES) {
			snprintf(err, errlen, TRACEFS_STD "/events: EACCES: tracefs is not readable "
				 "by this user (reading tracepoint ids needs root)");
			return -1;
		}
		/* Not mounted yet: mount it ourselves when we may. */
		if (e && geteuid() == 0 && mount("nodev", TRACEFS_STD, "tracefs", 0, NULL) == 0)
			e = has_events(TRACEFS_STD);
		else if (e)
			e = geteuid() == 0 ? errno : EPERM;
		if (!e) {
			snprintf(root_cache, sizeof(root_cache), "%s", TRACEFS_STD);
		} else if (!has_events(TRACEFS_DEBUG)) {
			snprintf(root_cache, sizeof(root_cache), "%s", TRACEFS_DEBUG);
		} else {
			snprintf(err, errlen,
				 "tracefs not mounted at " TRACEFS_STD " and mount failed: %s%s; "
				 "no " TRACEFS_DEBUG " either (as root: mount -t tracefs nodev "
				 TRACEFS_STD ")", errname(e), geteuid() ? " (not root)" : "");
			return -1;
		}
	}
	if (strlen(root_cache) >= len) {
		snprintf(err, errlen, "tracefs path buffer too small");
		return -1;
	}
	strcpy(buf, root_cache);
	return 0;
}

int tracefs_split_name(const char *full, char *system, size_t syslen, char *event, size_t evlen)
{
	const char *sep = strpbrk(full, ":/");
	size_t sl;

	if (!sep || sep == full || !sep[1] || strpbrk(sep + 1, ":/"))
		return -1;
	sl = (size_t)(sep - full);
	if (sl >= syslen || strlen(sep + 1) >= evlen)
		return -1;
	/* Names become paths: nothing that could climb out of events/. */
	if (strstr(full, ".."))
		return -1;
	memcpy(system, full, sl);
	system[sl] = '\0';
	strcpy(event, sep + 1);
	return 0;
}

/* Whole small file into a NUL-terminated malloc'd buffer, or NULL with errno. */
static char *slurp(const char *path)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	FILE *f;

	if (!buf)
		return NULL;
	f = fopen(path, "re");
	if (!f) {
		int e = errno;

		free(buf);
		errno = e;
		return NULL;
	}
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (n < cap - 1)
			break;
		if (cap >= (1u << 20)) {	/* no format file is this big */
			fclose(f);
			free(buf);
			errno = EFBIG;
			return NULL;
		}
		char *nb = realloc(buf, cap * 2);

		if (!nb) {
			fclose(f);
			free(buf);
			errno = ENOMEM;
			return NULL;
		}
		buf = nb;
		cap *= 2;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static int event_file(const char *system, const char *event, const char *file,
		      char *path, size_t plen, char *err, size_t errlen)
{
	char root[64];

	if (tracefs_root(root, sizeof(root), err, errlen))
		return -1;
	if (!system[0] || !event[0] || strchr(system, '/') || strchr(event, '/') ||
	    strstr(system, "..") || strstr(event, "..")) {
		snprintf(err, errlen, "bad tracepoint name '%s:%s'", system, event);
		return -1;
	}
	if ((size_t)snprintf(path, plen, "%s/events/%s/%s/%s", root, system, event, file) >= plen) {
		snprintf(err, errlen, "tracepoint name too long: %s:%s", system, event);
		return -1;
	}
	return 0;
}

static void missing(char *err, size_t errlen, const char *path, const char *system,
		    const char *event, int e)
{
	if (e == ENOENT)
		snprintf(err, errlen, "%s: no such file (tracepoint %s:%s is not in this kernel%s)",
			 path, system, event,
			 !strcmp(system, "kvm") ? ", or the kvm module is not loaded" : "");
	else
		snprintf(err, errlen, "%s: %s", path, strerror(e));
}

int tracefs_event_id(const char *system, const char *event, char *err, size_t errlen)
{
	char path[PATH_MAX], *text, *end;
	long id;

	if (event_file(system, event, "id", path, sizeof(path), err, errlen))
		return -1;
	text = slurp(path);
	if (!text) {
		missing(err, errlen, path, system, event, errno);
		return -1;
	}
	errno = 0;
	id = strtol(text, &end, 10);
	if (errno || end == text || (*end && *end != '\n') || id < 0 || id > 0xffff) {
		snprintf(err, errlen, "%s: not an event id: '%.20s'", path, text);
		free(text);
		return -1;
	}
	free(text);
	return (int)id;
}

int tracefs_event_format(const char *system, const char *event, struct tp_format *out,
			 char *err, size_t errlen)
{
	char path[PATH_MAX], perr[192], *text;
	int rc;

	if (event_file(system, event, "format", path, sizeof(path), err, errlen))
		return -1;
	text = slurp(path);
	if (!text) {
		missing(err, errlen, path, system, event, errno);
		return -1;
	}
	rc = tracefs_format_parse(text, out, perr, sizeof(perr));
	free(text);
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, perr);
		return -1;
	}
	if (out->id < 0) {
		snprintf(err, errlen, "%s: no ID line", path);
		return -1;
	}
	return 0;
}

/* ---- the pure parser ---- */

static const char *skip_ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static bool starts(const char *s, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - s) >= n && !memcmp(s, word, n);
}

/* Decimal number of [s, end) after trimming blanks. */
static int parse_num(const char *s, const char *end, uint32_t *out)
{
	uint64_t v = 0;

	s = skip_ws(s, end);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* "unsigned int ;" has no name: its last word is a type keyword. */
static bool type_keyword(const char *s, size_t n)
{
	static const char *const kw[] = { "char", "short", "int", "long", "unsigned", "signed",
					   "void", "float", "double", "_Bool", "struct", "const" };

	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (strlen(kw[i]) == n && !memcmp(kw[i], s, n))
			return true;
	return false;
}

/* "field:TYPE NAME[;]\toffset:N;\tsize:N;\tsigned:N;" after the leading blanks. */
static int parse_field(const char *s, const char *end, struct tp_field *f,
		       char *err, size_t errlen, unsigned lineno)
{
	const char *decl = s + strlen("field:"), *semi, *p, *q, *name;
	bool have_off = false, have_size = false;
	uint32_t v;

	memset(f, 0, sizeof(*f));
	semi = memchr(decl, ';', (size_t)(end - decl));
	if (!semi) {
		snprintf(err, errlen, "line %u: field declaration without ';'", lineno);
		return -1;
	}
	/* The name is the last identifier of the declaration, minus any [N]. */
	q = semi;
	while (q > decl && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	if (q > decl && q[-1] == ']') {
		while (q > decl && q[-1] != '[')
			q--;
		if (q == decl) {
			snprintf(err, errlen, "line %u: unbalanced ']' in field declaration", lineno);
			return -1;
		}
		q--;
		f->array = true;
	}
	name = q;
	while (name > decl && ident_char(name[-1]))
		name--;
	/* A type, then the name: "u32 port", "char *p", "__data_loc char[] msg". */
	if (name == q || isdigit((unsigned char)*name) || skip_ws(decl, name) == name ||
	    (name[-1] != ' ' && name[-1] != '\t' && name[-1] != '*') ||
	    type_keyword(name, (size_t)(q - name))) {
		snprintf(err, errlen, "line %u: no field name in '%.*s'", lineno,
			 (int)(semi - decl), decl);
		return -1;
	}
	if ((size_t)(q - name) >= sizeof(f->name)) {
		snprintf(err, errlen, "line %u: field name too long", lineno);
		return -1;
	}
	memcpy(f->name, name, (size_t)(q - name));
	p = skip_ws(decl, end);
	f->data_loc = starts(p, end, "__data_loc") || starts(p, end, "__rel_loc");

	/* key:value; pairs; unknown keys are tolerated, known ones must parse. */
	for (p = semi + 1; p < end; p = semi + 1) {
		const char *colon;

		p = skip_ws(p, end);
		if (p >= end)
			break;
		semi = memchr(p, ';', (size_t)(end - p));
		if (!semi)
			semi = end;
		colon = memchr(p, ':', (size_t)(semi - p));
		if (!colon) {
			snprintf(err, errlen, "line %u: field '%s': expected key:value, got '%.*s'",
				 lineno, f->name, (int)(semi - p), p);
			return -1;
		}
		if (colon - p == 6 && starts(p, colon, "offset")) {
			if (parse_num(colon + 1, semi, &v))
				goto badnum;
			f->offset = v;
			have_off = true;
		} else if (colon - p == 4 && starts(p, colon, "size")) {
			if (parse_num(colon + 1, semi, &v))
				goto badnum;
			f->size = v;
			have_size = true;
		} else if (colon - p == 6 && starts(p, colon, "signed")) {
			if (parse_num(colon + 1, semi, &v) || v > 1)
				goto badnum;
			f->is_signed = v;
		}
		continue;
badnum:
		snprintf(err, errlen, "line %u: field '%s': bad number in '%.*s'", lineno, f->name,
			 (int)(semi - p), p);
		return -1;
	}
	if (!have_off || !have_size) {
		snprintf(err, errlen, "line %u: field '%s' has no %s", lineno, f->name,
			 !have_off ? "offset" : "size");
		return -1;
	}
	/* A raw record is at most 64 KiB: anything beyond is nonsense. */
	if ((uint64_t)f->offset + f->size > 0xffff) {
		snprintf(err, errlen, "line %u: field '%s' ends past 64 KiB (offset %u size %u)",
			 lineno, f->name, f->offset, f->size);
		return -1;
	}
	if (f->data_loc && f->size != 4) {
		snprintf(err, errlen, "line %u: __data_loc field '%s' of size %u (expected 4)",
			 lineno, f->name, f->size);
		return -1;
	}
	return 0;
}

int tracefs_format_parse(const char *text, struct tp_format *out, char *err, size_t errlen)
{
	const char *s = text, *end, *p;
	unsigned lineno = 0;
	const struct tp_field *ct;

	memset(out, 0, sizeof(*out));
	out->id = -1;
	if (!text) {
		snprintf(err, errlen, "no text");
		return -1;
	}
	for (; *s; s = *end ? end + 1 : end) {
		end = strchr(s, '\n');
		if (!end)
			end = s + strlen(s);
		lineno++;
		p = skip_ws(s, end);
		if (p == end || (end - p == 1 && *p == '\r'))
			continue;
		if (starts(p, end, "print fmt:"))
			break;	/* the rest is a C expression we do not need */
		if (starts(p, end, "name:")) {
			const char *n = skip_ws(p + 5, end), *ne = end;

			while (ne > n && isspace((unsigned char)ne[-1]))
				ne--;
			if (ne == n || (size_t)(ne - n) >= sizeof(out->name)) {
				snprintf(err, errlen, "line %u: bad name line", lineno);
				return -1;
			}
			memcpy(out->name, n, (size_t)(ne - n));
			out->name[ne - n] = '\0';
		} else if (starts(p, end, "ID:")) {
			uint32_t id;

			if (parse_num(p + 3, end, &id) || id > 0xffff) {
				snprintf(err, errlen, "line %u: bad ID '%.*s'", lineno,
					 (int)(end - p), p);
				return -1;
			}
			out->id = (int)id;
		} else if (starts(p, end, "format:")) {
			continue;
		} else if (starts(p, end, "field:")) {
			struct tp_field f;

			if (parse_field(p, end, &f, err, errlen, lineno))
				return -1;
			if (tp_format_field(out, f.name)) {
				snprintf(err, errlen, "line %u: duplicate field '%s'", lineno, f.name);
				return -1;
			}
			if (out->nfields == TP_FORMAT_MAX_FIELDS) {
				snprintf(err, errlen, "line %u: more than %d fields", lineno,
					 TP_FORMAT_MAX_FIELDS);
				return -1;
			}
			out->fields[out->nfields++] = f;
		} else {
			snprintf(err, errlen, "line %u: unrecognised line '%.*s'", lineno,
				 (int)(end - p > 40 ? 40 : end - p), p);
			return -1;
		}
	}
	/* Records are told apart by common_type: a format without it is useless. */
	ct = tp_format_field(out, "common_type");
	if (!ct || ct->offset != 0 || ct->size != 2) {
		snprintf(err, errlen, "%s", ct ? "common_type is not a u16 at offset 0"
					      : "no common_type field");
		return -1;
	}
	return 0;
}

const struct tp_field *tp_format_field(const struct tp_format *fmt, const char *name)
{
	for (size_t i = 0; i < fmt->nfields; i++)
		if (!strcmp(fmt->fields[i].name, name))
			return &fmt->fields[i];
	return NULL;
}
