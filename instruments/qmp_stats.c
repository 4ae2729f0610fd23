// SPDX-License-Identifier: MIT
/*
 * QMP stats as kvm_stats descriptors and values (qmp_stats.h).  QEMU names
 * the types and units as KVM's binary stats header does (its
 * qapi/stats.json), so the translation is one table each way.
 */
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instruments/qmp_stats.h"

static const struct { const char *name; unsigned type; } types[] = {
	{ "cumulative", KVM_STATS_TYPE_CUMULATIVE },
	{ "instant", KVM_STATS_TYPE_INSTANT },
	{ "peak", KVM_STATS_TYPE_PEAK },
	{ "linear-histogram", KVM_STATS_TYPE_LINEAR_HIST },
	{ "log2-histogram", KVM_STATS_TYPE_LOG_HIST },
};

static const struct { const char *name; unsigned unit; } units[] = {
	{ "bytes", KVM_STATS_UNIT_BYTES },
	{ "seconds", KVM_STATS_UNIT_SECONDS },
	{ "cycles", KVM_STATS_UNIT_CYCLES },
	{ "boolean", KVM_STATS_UNIT_BOOLEAN },
};

static json_t *kvm_entry(json_t *arr, const char *target)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e) {
		const char *prov = json_string_value(json_object_get(e, "provider"));
		const char *tgt = json_string_value(json_object_get(e, "target"));

		if (prov && !strcmp(prov, "kvm") && (!target || (tgt && !strcmp(tgt, target))))
			return json_object_get(e, "stats");
	}
	return NULL;
}

json_t *qmp_stats_schema_of(json_t *schemas, const char *target)
{
	return json_is_array(schemas) ? kvm_entry(schemas, target) : NULL;
}

json_t *qmp_stats_values_of(json_t *values)
{
	return json_is_array(values) ? kvm_entry(values, NULL) : NULL;
}

static json_t *value_of(json_t *values, const char *name)
{
	size_t i;
	json_t *e;

	json_array_foreach(values, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));

		if (n && !strcmp(n, name))
			return json_object_get(e, "value");
	}
	return NULL;
}

int qmp_stats_describe(struct kvm_stats *s, json_t *schema, json_t *values, char *err, size_t errlen)
{
	size_t i, nvalues = 0;
	json_t *e;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (!json_is_array(schema) || !json_is_array(values)) {
		snprintf(err, errlen, "no kvm stats in the QMP replies");
		return -1;
	}
	s->desc = calloc(json_array_size(schema) + 1, sizeof(*s->desc));
	if (!s->desc) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(s->id, sizeof(s->id), "qmp");
	json_array_foreach(schema, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *type = json_string_value(json_object_get(e, "type"));
		const char *unit = json_string_value(json_object_get(e, "unit"));
		json_t *v;
		struct kvm_stat_desc *d = &s->desc[s->ndesc];
		size_t k;
		bool known = false;

		if (!name || !type || strlen(name) >= sizeof(d->name))
			continue;
		v = value_of(values, name);
		for (k = 0; k < sizeof(types) / sizeof(types[0]); k++)
			if (!strcmp(type, types[k].name)) {
				d->type = types[k].type;
				known = true;
			}
		if (!known || !v)
			continue; /* a type this reader does not know, or a stat without a value */
		for (k = 0; unit && k < sizeof(units) / sizeof(units[0]); k++)
			if (!strcmp(unit, units[k].name))
				d->unit = units[k].unit;
		d->base = json_integer_value(json_object_get(e, "base")) == 2 ? KVM_STATS_BASE_POW2
									      : KVM_STATS_BASE_POW10;
		d->exponent = (int)json_integer_value(json_object_get(e, "exponent"));
		d->bucket_size = (uint32_t)json_integer_value(json_object_get(e, "bucket-size"));
		d->size = kvm_stats_is_hist(d->type) ? (uint32_t)json_array_size(v) : 1;
		if (!d->size)
			continue;
		snprintf(d->name, sizeof(d->name), "%s", name);
		d->index = (uint32_t)nvalues;
		d->offset = (uint32_t)(nvalues * 8);
		nvalues += d->size;
		s->ndesc++;
	}
	s->nvalues = nvalues;
	return 0;
}

void qmp_stats_values(const struct kvm_stats *s, json_t *values, uint64_t *out)
{
	memset(out, 0, s->nvalues * sizeof(*out));
	for (size_t i = 0; i < s->ndesc; i++) {
		const struct kvm_stat_desc *d = &s->desc[i];
		json_t *v = value_of(values, d->name);

		if (json_is_array(v)) {
			for (size_t k = 0; k < d->size && k < json_array_size(v); k++)
				out[d->index + k] = (uint64_t)json_integer_value(json_array_get(v, k));
		} else if (json_is_boolean(v)) {
			out[d->index] = json_is_true(v);
		} else if (json_is_integer(v)) {
			out[d->index] = (uint64_t)json_integer_value(v);
		}
	}
}
