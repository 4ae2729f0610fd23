// SPDX-License-Identifier: MIT
/*
 * The human-readable form of hostinfo_collect()'s object: aligned
 * "key : value" lines, devices as present/missing, and every null field
 * printed as "unavailable: <its _error sibling>".
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "instruments/hostinfo.h"

#define PRINT_COL_MAX 36

static bool is_device(json_t *v)
{
	return json_is_object(v) && json_object_get(v, "exists") &&
	       json_object_get(v, "accessible");
}

/* Is key the "_error" sibling of a null field (printed on that field's line)? */
static bool is_error_sibling(json_t *obj, const char *key)
{
	size_t n = strlen(key);
	char base[128];

	if (!strcmp(key, "error")) {
		/* consumed by a false boolean's line, see print_value() */
		const char *k;
		json_t *v;

		json_object_foreach(obj, k, v)
			if (json_is_false(v))
				return true;
		return false;
	}
	if (n <= 6 || n - 6 >= sizeof(base) || strcmp(key + n - 6, "_error"))
		return false;
	memcpy(base, key, n - 6);
	base[n - 6] = '\0';
	return json_is_null(json_object_get(obj, base));
}

static int key_column(json_t *obj, int indent)
{
	const char *k;
	json_t *v;
	int w = 0;

	json_object_foreach(obj, k, v) {
		int kw = indent + (int)strlen(k);

		if (json_is_object(v) && !is_device(v))
			kw = key_column(v, indent + 2);
		if (kw > w)
			w = kw;
	}
	return w > PRINT_COL_MAX ? PRINT_COL_MAX : w;
}

static void print_scalar(FILE *f, json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		fputs(json_string_value(v), f);
		break;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%.6g", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("yes", f);
		break;
	case JSON_FALSE:
		fputs("no", f);
		break;
	case JSON_NULL:
		fputs("null", f);
		break;
	case JSON_ARRAY: {
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e) {
			if (i)
				fputc(' ', f);
			print_scalar(f, e);
		}
		if (!json_array_size(v))
			fputs("(none)", f);
		break;
	}
	case JSON_OBJECT:
		fputs("{...}", f);
		break;
	}
}

static void print_value(FILE *f, json_t *obj, const char *key, json_t *v)
{
	char ekey[160];
	json_t *err;

	if (is_device(v)) {
		err = json_object_get(v, "error");
		if (!json_is_true(json_object_get(v, "exists")))
			fputs("missing", f);
		else if (json_is_true(json_object_get(v, "accessible")))
			fputs("present, accessible", f);
		else
			fputs("present, not accessible", f);
		if (json_is_string(err))
			fprintf(f, " (%s)", json_string_value(err));
		return;
	}
	if (json_is_null(v)) {
		snprintf(ekey, sizeof(ekey), "%s_error", key);
		err = json_object_get(obj, ekey);
		fprintf(f, "unavailable: %s",
			json_is_string(err) ? json_string_value(err) : "no reason recorded");
		return;
	}
	err = json_object_get(obj, "error");
	if (json_is_false(v) && json_is_string(err)) {
		fprintf(f, "unavailable: %s", json_string_value(err));
		return;
	}
	print_scalar(f, v);
}

static void print_object(FILE *f, json_t *obj, int indent, int col)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		if (is_error_sibling(obj, k))
			continue;
		if (json_is_object(v) && !is_device(v)) {
			fprintf(f, "%*s%s\n", indent, "", k);
			print_object(f, v, indent + 2, col);
			continue;
		}
		fprintf(f, "%*s%-*s : ", indent, "", col - indent, k);
		print_value(f, obj, k, v);
		fputc('\n', f);
	}
}

void hostinfo_print(FILE *f, json_t *info)
{
	if (!json_is_object(info))
		return;
	print_object(f, info, 0, key_column(info, 0));
}
