/* SPDX-License-Identifier: MIT */
/*
 * The campaign file parser: YAML text (through libyaml's document loader,
 * which keeps each node's position) to struct campaign. Pure: text in,
 * struct out. Every refusal names the line and column of the node at fault:
 * unknown keys, wrong types, bad values, empty lists, duplicates. Whether a
 * payload exists is not checked here (the run says so). One document, nested at
 * most CAMPAIGN_MAX_DEPTH levels. Format: docs/campaigns.md.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "campaign/campaign.h"
#include "util/xalloc.h"

struct pctx {
	yaml_document_t *doc;
	char *err;
	size_t errlen;
};

static int perr(struct pctx *p, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr(struct pctx *p, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(p->err, p->errlen, "%zu:%zu: ", n->start_mark.line + 1, n->start_mark.column + 1);

	if (k < 0 || (size_t)k >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + k, p->errlen - k, fmt, ap);
	va_end(ap);
	return -1;
}

static yaml_node_t *node(struct pctx *p, int id)
{
	return yaml_document_get_node(p->doc, id);
}

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static const char *type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static int want_scalar(struct pctx *p, const yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE)
		return perr(p, n, "%s must be a scalar, not %s", what, type_name(n));
	return 0;
}

/* Scalars of a scalar-or-list node, in *items (node pointers, caller frees the array). */
static int scalar_list(struct pctx *p, yaml_node_t *n, const char *what, yaml_node_t ***items, size_t *count)
{
	*items = NULL;
	*count = 0;
	if (n->type == YAML_SCALAR_NODE) {
		*items = xrealloc(NULL, sizeof(**items));
		(*items)[0] = n;
		*count = 1;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return perr(p, n, "%s must be a scalar or a list of scalars, not %s", what, type_name(n));
	if (n->data.sequence.items.top == n->data.sequence.items.start)
		return perr(p, n, "%s is an empty list", what);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = node(p, *it);

		if (v->type != YAML_SCALAR_NODE) {
			free(*items);
			*items = NULL;
			return perr(p, v, "each value of %s must be a scalar, not %s", what, type_name(v));
		}
		*items = xrealloc(*items, (*count + 1) * sizeof(**items));
		(*items)[(*count)++] = v;
	}
	return 0;
}

static int parse_long(struct pctx *p, const yaml_node_t *n, const char *what, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (want_scalar(p, n, what))
		return -1;
	errno = 0;
	v = strtol(sval(n), &end, 10);
	if (errno || end == sval(n) || *end || v < lo || v > hi)
		return perr(p, n, "%s must be an integer in [%ld, %ld], not '%s'", what, lo, hi, sval(n));
	*out = v;
	return 0;
}

static int parse_bool(struct pctx *p, const yaml_node_t *n, const char *what, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	if (want_scalar(p, n, what))
		return -1;
	for (size_t i = 0; i < 4; i++) {
		if (!strcmp(sval(n), yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcmp(sval(n), no[i])) {
			*out = 0;
			return 0;
		}
	}
	return perr(p, n, "%s must be true or false, not '%s'", what, sval(n));
}

static bool word_ok(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr(extra, *s)))
			return false;
	return true;
}

static struct campaign_axis *add_axis(struct campaign_spec *s, const char *key, const yaml_node_t *at)
{
	struct campaign_axis *a;

	s->axes = xrealloc(s->axes, (s->naxes + 1) * sizeof(*s->axes));
	a = &s->axes[s->naxes++];
	memset(a, 0, sizeof(*a));
	a->key = xstrdup(key);
	a->line = (int)at->start_mark.line + 1;
	return a;
}

static struct campaign_value *add_value(struct campaign_axis *a, const char *label)
{
	struct campaign_value *v;

	a->values = xrealloc(a->values, (a->nvalues + 1) * sizeof(*a->values));
	v = &a->values[a->nvalues++];
	memset(v, 0, sizeof(*v));
	v->label = xstrdup(label);
	return v;
}

static void value_arg(struct campaign_value *v, const char *arg)
{
	v->args[v->nargs++] = xstrdup(arg);
}

/* The last value added duplicates an earlier one (same label)? */
static int check_dup_value(struct pctx *p, const struct campaign_axis *a, const yaml_node_t *at,
	const char *what)
{
	const char *last = a->values[a->nvalues - 1].label;

	for (size_t i = 0; i + 1 < a->nvalues; i++)
		if (!strcmp(a->values[i].label, last))
			return perr(p, at, "%s lists '%s' twice", what, last);
	return 0;
}

static const char *const backings[] = { "4k", "thp", "hugetlb-2m", "hugetlb-1g" };
static const char *const instrument_names[] = { "tracepoints", "trace", "pmu", "all", "none" };

static int instruments_ok(const char *s)
{
	char buf[256], *save, *tok;

	if (!*s || strlen(s) >= sizeof(buf))
		return 0;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < 5 && strcmp(tok, instrument_names[i]); i++)
			;
		if (i == 5)
			return 0;
	}
	return 1;
}

/* ring, backing, mem, instruments: a scalar or a list of them. */
static int parse_simple_axis(struct pctx *p, struct campaign_spec *s, const char *key, yaml_node_t *n)
{
	yaml_node_t **items;
	size_t count;
	struct campaign_axis *a;
	int rc = 0;

	if (scalar_list(p, n, key, &items, &count))
		return -1;
	a = add_axis(s, key, n);
	for (size_t i = 0; i < count && !rc; i++) {
		const char *v = sval(items[i]);
		struct campaign_value *cv;
		char label[300];

		if (!strcmp(key, "ring")) {
			if (strcmp(v, "0") && strcmp(v, "3")) {
				rc = perr(p, items[i], "ring must be 0 or 3, not '%s'", v);
				break;
			}
			snprintf(label, sizeof(label), "ring%s", v);
			cv = add_value(a, label);
			value_arg(cv, "--ring");
		} else if (!strcmp(key, "backing")) {
			size_t k;

			for (k = 0; k < 4 && strcmp(v, backings[k]); k++)
				;
			if (k == 4) {
				rc = perr(p, items[i],
					"backing must be 4k, thp, hugetlb-2m or hugetlb-1g, not '%s'", v);
				break;
			}
			cv = add_value(a, v);
			value_arg(cv, "--backing");
		} else if (!strcmp(key, "mem")) {
			long mib;

			if (parse_long(p, items[i], "mem (MiB)", 1, 1 << 20, &mib)) {
				rc = -1;
				break;
			}
			snprintf(label, sizeof(label), "mem%ld", mib);
			cv = add_value(a, label);
			value_arg(cv, "--mem");
		} else {
			if (!instruments_ok(v)) {
				rc = perr(p, items[i],
					"instruments must be a comma-separated list of tracepoints, "
					  "trace, pmu, all, none; not '%s'", v);
				break;
			}
			snprintf(label, sizeof(label), "instr=%s", v);
			cv = add_value(a, label);
			value_arg(cv, "--instruments");
		}
		value_arg(cv, v);
		rc = check_dup_value(p, a, items[i], key);
	}
	free(items);
	return rc;
}

/* params: a mapping KEY: value-or-list; one axis per key. */
static int parse_params(struct pctx *p, struct campaign_spec *s, yaml_node_t *n)
{
	int rc = 0;

	if (n->type != YAML_MAPPING_NODE)
		return perr(p, n, "params must be a mapping (key: value or list of values), not %s",
			type_name(n));
	if (n->data.mapping.pairs.top == n->data.mapping.pairs.start)
		return perr(p, n, "params is an empty mapping");
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top && !rc; pr++) {
		yaml_node_t *k = node(p, pr->key), *v = node(p, pr->value);
		yaml_node_t **items;
		size_t count;
		char key[300], what[300];
		struct campaign_axis *a;

		if (want_scalar(p, k, "a params key"))
			return -1;
		if (!word_ok(sval(k), "_-") || strlen(sval(k)) > 64)
			return perr(p, k, "param name '%s' must be letters, digits, _ or -", sval(k));
		snprintf(key, sizeof(key), "param:%s", sval(k));
		for (size_t i = 0; i < s->naxes; i++)
			if (!strcmp(s->axes[i].key, key))
				return perr(p, k, "param '%s' appears twice", sval(k));
		snprintf(what, sizeof(what), "param %s", sval(k));
		if (scalar_list(p, v, what, &items, &count))
			return -1;
		a = add_axis(s, key, k);
		/* the error names items[i]: the array is freed only after the loop */
		for (size_t i = 0; i < count && !rc; i++) {
			char label[512];
			struct campaign_value *cv;
			const char *val = sval(items[i]);

			if (!*val || strlen(val) > 200 || strchr(val, '\n')) {
				rc = perr(p, items[i], "param %s: a value must be 1-200 characters on one line",
					  sval(k));
				break;
			}
			snprintf(label, sizeof(label), "%s=%s", sval(k), val);
			cv = add_value(a, label);
			value_arg(cv, "--param");
			value_arg(cv, label);
			rc = check_dup_value(p, a, items[i], what);
		}
		free(items);
	}
	return rc;
}

/* devices: a list of device configurations, each a --device spec or {device, netdev, name}. */
static int parse_devices(struct pctx *p, struct campaign_spec *s, yaml_node_t *n)
{
	struct campaign_axis *a;

	if (n->type != YAML_SEQUENCE_NODE)
		return perr(p, n, "devices must be a list (each a --device spec or {device, netdev, name}), "
			    "not %s", type_name(n));
	if (n->data.sequence.items.top == n->data.sequence.items.start)
		return perr(p, n, "devices is an empty list");
	a = add_axis(s, "devices", n);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *d = node(p, *it);
		const char *dev = NULL, *netdev = NULL, *name = NULL;
		struct campaign_value *cv;
		char label[256];

		if (d->type == YAML_SCALAR_NODE) {
			dev = sval(d);
		} else if (d->type == YAML_MAPPING_NODE) {
			yaml_node_pair_t *end = d->data.mapping.pairs.top;

			for (yaml_node_pair_t *pr = d->data.mapping.pairs.start; pr < end; pr++) {
				yaml_node_t *k = node(p, pr->key), *v = node(p, pr->value);
				const char **slot;

				if (want_scalar(p, k, "a device key"))
					return -1;
				if (!strcmp(sval(k), "device"))
					slot = &dev;
				else if (!strcmp(sval(k), "netdev"))
					slot = &netdev;
				else if (!strcmp(sval(k), "name"))
					slot = &name;
				else
					return perr(p, k, "unknown device key '%s' (device, netdev, name)",
						sval(k));
				if (*slot)
					return perr(p, k, "device key '%s' appears twice", sval(k));
				if (want_scalar(p, v, sval(k)))
					return -1;
				*slot = sval(v);
			}
			if (!dev)
				return perr(p, d, "a device configuration needs 'device:'");
		} else {
			return perr(p, d, "each device must be a --device spec or a mapping, not %s",
				type_name(d));
		}
		if (!*dev || strchr(dev, '\n'))
			return perr(p, d, "a device spec must be one non-empty line");
		if (name) {
			if (!word_ok(name, "._-+"))
				return perr(p, d, "device name '%s' must be letters, digits, '.', '_', '-' or '+'",
					    name);
			snprintf(label, sizeof(label), "%s", name);
		} else {
			snprintf(label, sizeof(label), "%.*s", (int)strcspn(dev, ","), dev);
		}
		cv = add_value(a, label);
		value_arg(cv, "--device");
		value_arg(cv, dev);
		if (netdev) {
			value_arg(cv, "--netdev");
			value_arg(cv, netdev);
		}
		if (check_dup_value(p, a, d, "devices (give each configuration its own 'name:')"))
			return -1;
	}
	return 0;
}

static int parse_strings(struct pctx *p, yaml_node_t *n, const char *what, char ***out, size_t *count)
{
	yaml_node_t **items;
	size_t k;

	if (scalar_list(p, n, what, &items, &k))
		return -1;
	*out = xrealloc(NULL, k * sizeof(**out));
	for (size_t i = 0; i < k; i++)
		(*out)[i] = xstrdup(sval(items[i]));
	*count = k;
	free(items);
	return 0;
}

static const char *const spec_keys = "payload, name, ring, params, devices, backing, mem, instruments, "
				     "tests, quick, raw, iterations, args, repetitions, timeout_s, disk_mib, service";

static int parse_spec(struct pctx *p, yaml_node_t *n, struct campaign_spec *s, bool entry)
{
	const char *what = entry ? "an entry" : "defaults";

	memset(s, 0, sizeof(*s));
	s->quick = -1;
	s->raw = -1;
	s->line = (int)n->start_mark.line + 1;
	s->col = (int)n->start_mark.column + 1;
	if (n->type != YAML_MAPPING_NODE)
		return perr(p, n, "%s must be a mapping, not %s", what, type_name(n));
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(p, pr->key), *v = node(p, pr->value);
		const char *key;
		int rc = 0;

		if (want_scalar(p, k, "a key"))
			return -1;
		key = sval(k);
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < pr; q++)
			if (!strcmp(sval(node(p, q->key)), key))
				return perr(p, k, "key '%s' appears twice in %s", key, what);
		if (entry && (!strcmp(key, "payload") || !strcmp(key, "name"))) {
			if (want_scalar(p, v, key))
				return -1;
			if (!word_ok(sval(v), "._-") || strlen(sval(v)) > 31)
				return perr(p, v, "%s '%s' must be 1-31 letters, digits, '.', '_' or '-'",
					key, sval(v));
			if (!strcmp(key, "payload"))
				s->payload = xstrdup(sval(v));
			else
				s->name = xstrdup(sval(v));
		} else if (!strcmp(key, "ring") || !strcmp(key, "backing") || !strcmp(key, "mem") ||
			   !strcmp(key, "instruments")) {
			rc = parse_simple_axis(p, s, key, v);
		} else if (!strcmp(key, "params")) {
			rc = parse_params(p, s, v);
		} else if (!strcmp(key, "devices")) {
			rc = parse_devices(p, s, v);
		} else if (!strcmp(key, "tests")) {
			rc = parse_strings(p, v, "tests", &s->tests, &s->ntests);
		} else if (!strcmp(key, "args")) {
			rc = parse_strings(p, v, "args", &s->args, &s->nargs);
			for (size_t i = 0; !rc && i < s->nargs; i++)
				if (!strcmp(s->args[i], "--json") || !strncmp(s->args[i], "--json=", 7))
					rc = perr(p, v,
						"args must not hold --json: the campaign names each "
						  "results file");
		} else if (!strcmp(key, "quick")) {
			rc = parse_bool(p, v, key, &s->quick);
		} else if (!strcmp(key, "raw")) {
			rc = parse_bool(p, v, key, &s->raw);
		} else if (!strcmp(key, "iterations")) {
			rc = parse_long(p, v, key, 1, 1000000000L, &s->iterations);
		} else if (!strcmp(key, "service")) {
			if (want_scalar(p, v, key))
				return -1;
			if (!strstr(sval(v), "@sock"))
				return perr(p, v, "service must name its socket as @sock (the runner "
					    "picks the path and waits for it)");
			s->service = xstrdup(sval(v));
		} else if (!strcmp(key, "disk_mib")) {
			rc = parse_long(p, v, key, 1, 65536, &s->disk_mib);
		} else if (!strcmp(key, "repetitions")) {
			long r;

			rc = parse_long(p, v, key, 1, 1000, &r);
			s->repetitions = (int)r;
		} else if (!strcmp(key, "timeout_s")) {
			char *end;

			if (want_scalar(p, v, key))
				return -1;
			errno = 0;
			s->timeout_s = strtod(sval(v), &end);
			if (errno || end == sval(v) || *end || !isfinite(s->timeout_s) ||
				!(s->timeout_s > 0) ||
			    s->timeout_s > 86400)
				return perr(p, v, "timeout_s must be a number of seconds in (0, 86400], "
					    "not '%s'",
					    sval(v));
		} else {
			return perr(p, k, "unknown key '%s' in %s (keys: %s)", key, what,
				    entry ? spec_keys : spec_keys + strlen("payload, name, "));
		}
		if (rc)
			return -1;
	}
	if (entry && !s->payload)
		return perr(p, n, "an entry needs 'payload:'");
	return 0;
}

static void spec_free(struct campaign_spec *s)
{
	free(s->payload);
	free(s->name);
	free(s->service);
	for (size_t i = 0; i < s->naxes; i++) {
		for (size_t j = 0; j < s->axes[i].nvalues; j++) {
			free(s->axes[i].values[j].label);
			for (size_t k = 0; k < s->axes[i].values[j].nargs; k++)
				free(s->axes[i].values[j].args[k]);
		}
		free(s->axes[i].values);
		free(s->axes[i].key);
	}
	free(s->axes);
	for (size_t i = 0; i < s->ntests; i++)
		free(s->tests[i]);
	free(s->tests);
	for (size_t i = 0; i < s->nargs; i++)
		free(s->args[i]);
	free(s->args);
	memset(s, 0, sizeof(*s));
}

void campaign_free(struct campaign *c)
{
	free(c->name);
	free(c->description);
	spec_free(&c->defaults);
	for (size_t i = 0; i < c->nentries; i++)
		spec_free(&c->entries[i]);
	free(c->entries);
	memset(c, 0, sizeof(*c));
}

static int parse_root(struct pctx *p, yaml_node_t *root, struct campaign *c)
{
	bool have_entries = false;

	if (root->type != YAML_MAPPING_NODE)
		return perr(p, root, "a campaign must be a mapping (name, description, defaults, "
			    "entries), not %s",
			    type_name(root));
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(p, pr->key), *v = node(p, pr->value);
		const char *key;

		if (want_scalar(p, k, "a key"))
			return -1;
		key = sval(k);
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < pr; q++)
			if (!strcmp(sval(node(p, q->key)), key))
				return perr(p, k, "key '%s' appears twice", key);
		if (!strcmp(key, "name")) {
			if (want_scalar(p, v, key))
				return -1;
			if (!word_ok(sval(v), "._-") || strlen(sval(v)) > 64 || sval(v)[0] == '.')
				return perr(p, v, "name '%s' must be 1-64 letters, digits, '.', '_' or '-'",
					sval(v));
			c->name = xstrdup(sval(v));
		} else if (!strcmp(key, "description")) {
			if (want_scalar(p, v, key))
				return -1;
			c->description = xstrdup(sval(v));
		} else if (!strcmp(key, "defaults")) {
			if (parse_spec(p, v, &c->defaults, false))
				return -1;
		} else if (!strcmp(key, "entries")) {
			if (v->type != YAML_SEQUENCE_NODE)
				return perr(p, v, "entries must be a list, not %s", type_name(v));
			if (v->data.sequence.items.top == v->data.sequence.items.start)
				return perr(p, v, "entries is an empty list: the matrix is empty");
			have_entries = true;
			yaml_node_item_t *end = v->data.sequence.items.top;

			for (yaml_node_item_t *it = v->data.sequence.items.start; it < end; it++) {
				c->entries = xrealloc(c->entries, (c->nentries + 1) * sizeof(*c->entries));
				if (parse_spec(p, node(p, *it), &c->entries[c->nentries++], true))
					return -1;
			}
		} else {
			return perr(p, k, "unknown key '%s' (campaign keys: name, description, "
				    "defaults, entries)", key);
		}
	}
	if (!c->name)
		return perr(p, root, "the campaign needs 'name:'");
	if (!have_entries)
		return perr(p, root, "the campaign needs 'entries:' (a list of payload runs)");
	return 0;
}

static void yaml_error(const yaml_parser_t *parser, char *err, size_t errlen)
{
	snprintf(err, errlen, "%zu:%zu: YAML: %s%s%s", parser->problem_mark.line + 1,
		 parser->problem_mark.column + 1, parser->problem ? parser->problem : "syntax error",
		 parser->context ? " " : "", parser->context ? parser->context : "");
}

/*
 * Before the document is loaded, its events are walked for what libyaml does
 * not bound: nesting (its scanner and loader take time that grows with the
 * square of the depth) is refused at the first level past CAMPAIGN_MAX_DEPTH,
 * and a second document (the loader would read the first and ignore it) where
 * it starts. Syntax errors are reported here too, in file order.
 */
static int check_shape(const char *text, size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, docs = 0, rc = 1;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "1:1: libyaml: out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (rc > 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			yaml_error(&parser, err, errlen);
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				rc = -1;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > CAMPAIGN_MAX_DEPTH)
				rc = -1;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			rc = 0;
			break;
		default:
			break;
		}
		if (rc < 0 && docs > 1)
			snprintf(err, errlen, "%zu:%zu: a second YAML document starts here: a campaign file "
				 "is one YAML document", ev.start_mark.line + 1, ev.start_mark.column + 1);
		else if (rc < 0)
			snprintf(err, errlen, "%zu:%zu: mappings and lists nested deeper than %d levels "
				 "(a campaign file needs 5)", ev.start_mark.line + 1, ev.start_mark.column + 1,
				 CAMPAIGN_MAX_DEPTH);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

int campaign_parse(const char *text, size_t len, struct campaign *c, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	struct pctx p = { &doc, err, errlen };
	int rc;

	memset(c, 0, sizeof(*c));
	c->defaults.quick = -1;
	c->defaults.raw = -1;
	if (check_shape(text, len, err, errlen))
		return -1;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "1:1: libyaml: out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_error(&parser, err, errlen);
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		snprintf(err, errlen, "1:1: the file is empty");
		rc = -1;
	} else {
		rc = parse_root(&p, root, c);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc)
		campaign_free(c);
	return rc;
}
