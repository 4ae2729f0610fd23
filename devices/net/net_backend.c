// SPDX-License-Identifier: MIT
/*
 * Net backend specs (net_backend.h): parse `kind[,key=value]...`, check every
 * key against what the kind takes and every value against its range, then
 * hand the parsed args to the kind's opener.  Also the iovec helpers the
 * backends share.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/net/net_backend_impl.h"

#define NET_SPEC_MAX 256

enum key_type { KEY_UINT, KEY_MAC, KEY_IFNAME };

struct net_key {
	const char *name;
	unsigned bit;
	enum key_type type;
	uint64_t min, max;
};

static const struct net_key net_keys[] = {
	{ "ifname",   NET_ARG_IFNAME,   KEY_IFNAME, 0, 0 },
	{ "vnet_hdr", NET_ARG_VNET_HDR, KEY_UINT,   0, 1 },
	{ "check",    NET_ARG_CHECK,    KEY_UINT,   0, 1 },
	{ "size",     NET_ARG_SIZE,     KEY_UINT,   NET_GEN_SIZE_MIN, NET_GEN_SIZE_MAX },
	{ "rate",     NET_ARG_RATE,     KEY_UINT,   0, NET_GEN_RATE_MAX },
	{ "count",    NET_ARG_COUNT,    KEY_UINT,   1, UINT64_MAX },
	{ "dst",      NET_ARG_DST,      KEY_MAC,    0, 0 },
};

struct net_kind {
	const char *name;
	unsigned keys;            /* NET_ARG_* it takes */
	unsigned required;        /* NET_ARG_* it needs */
	const char *usage;
	net_kind_open_fn *open;
};

static const struct net_kind net_kinds[] = {
	{ "tap",  NET_ARG_IFNAME | NET_ARG_VNET_HDR, NET_ARG_IFNAME, "tap,ifname=NAME[,vnet_hdr=1]", net_tap_open },
	{ "sink", NET_ARG_CHECK, 0, "sink[,check=1]", net_sink_open },
	{ "gen",  NET_ARG_SIZE | NET_ARG_RATE | NET_ARG_COUNT | NET_ARG_DST | NET_ARG_CHECK, 0,
	  "gen[,size=60..1514][,rate=PPS][,count=N][,dst=MAC][,check=1]", net_gen_open },
	{ "loop", 0, 0, "loop", net_loop_open },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A locally administered unicast MAC ("exit" in hex) for the frames a backend makes. */
static const uint8_t net_default_mac[6] = { 0x02, 0x65, 0x78, 0x69, 0x74, 0x01 };

static void kinds_list(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(net_kinds) && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", net_kinds[i].name);
}

static void keys_list(const struct net_kind *k, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (!k->keys) {
		snprintf(buf, len, "%s takes no keys", k->name);
		return;
	}
	off = (size_t)snprintf(buf, len, "%s takes: ", k->name);
	for (size_t i = 0, first = 1; i < ARRAY_LEN(net_keys) && off < len; i++) {
		if (!(k->keys & net_keys[i].bit))
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s", first ? "" : ", ", net_keys[i].name);
		first = 0;
	}
}

static void key_range(const struct net_key *key, char *buf, size_t len)
{
	switch (key->type) {
	case KEY_UINT:
		snprintf(buf, len, "%s=%llu..%llu", key->name, (unsigned long long)key->min,
			 (unsigned long long)key->max);
		break;
	case KEY_MAC:
		snprintf(buf, len, "%s=xx:xx:xx:xx:xx:xx", key->name);
		break;
	case KEY_IFNAME:
		snprintf(buf, len, "%s=NAME, 1..%u of letters, digits, '_', '-', '.'", key->name,
			 NET_IFNAME_MAX);
		break;
	}
}

/* Strict decimal: digits only, no sign, no spaces, no overflow. */
static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*v = x;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int net_mac_parse(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Linux takes nearly anything; we take what is safe in a shell and a file name. */
static int check_ifname(const char *kind, const char *s, char *err, size_t errlen)
{
	size_t len = strlen(s);

	if (len == 0 || len > NET_IFNAME_MAX) {
		snprintf(err, errlen, "net backend %s: ifname '%s' has %zu characters (allowed: 1..%u)", kind, s,
			 len, NET_IFNAME_MAX);
		return -1;
	}
	if (!strcmp(s, ".") || !strcmp(s, "..")) {
		snprintf(err, errlen, "net backend %s: ifname '%s' is not a name", kind, s);
		return -1;
	}
	for (const char *p = s; *p; p++) {
		if (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.')
			continue;
		if (isprint((unsigned char)*p))
			snprintf(err, errlen, "net backend %s: ifname '%s' has an invalid character '%c' "
				 "(allowed: letters, digits, '_', '-', '.')", kind, s, *p);
		else
			snprintf(err, errlen, "net backend %s: ifname has an invalid byte 0x%02x "
				 "(allowed: letters, digits, '_', '-', '.')", kind, (unsigned char)*p);
		return -1;
	}
	return 0;
}

static const struct net_key *find_key(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(net_keys); i++)
		if (!strcmp(net_keys[i].name, name))
			return &net_keys[i];
	return NULL;
}

static int set_value(const struct net_kind *k, const struct net_key *key, const char *val,
		     struct net_backend_args *a, char *err, size_t errlen)
{
	char range[96];
	uint64_t v = 0;
	int r;

	key_range(key, range, sizeof(range));
	switch (key->type) {
	case KEY_UINT:
		r = parse_u64(val, &v);
		if (r == -EINVAL) {
			snprintf(err, errlen, "net backend %s: %s='%s' is not a decimal number (allowed: %s)",
				 k->name, key->name, val, range);
			return -1;
		}
		if (r == -ERANGE || v < key->min || v > key->max) {
			snprintf(err, errlen, "net backend %s: %s=%s is out of range (allowed: %s)", k->name,
				 key->name, val, range);
			return -1;
		}
		break;
	case KEY_MAC:
		if (net_mac_parse(val, a->dst)) {
			snprintf(err, errlen, "net backend %s: %s='%s' is not a MAC address (allowed: %s)", k->name,
				 key->name, val, range);
			return -1;
		}
		break;
	case KEY_IFNAME:
		if (check_ifname(k->name, val, err, errlen))
			return -1;
		strcpy(a->ifname, val); /* length checked */
		break;
	}
	switch (key->bit) {
	case NET_ARG_CHECK:    a->check = v; break;
	case NET_ARG_VNET_HDR: a->vnet_hdr = v; break;
	case NET_ARG_SIZE:     a->size = (unsigned)v; break;
	case NET_ARG_RATE:     a->rate = v; break;
	case NET_ARG_COUNT:    a->count = v; break;
	default:               break;
	}
	return 0;
}

/* Parse spec into *a; returns the kind, or NULL with err. */
static const struct net_kind *parse_spec(const char *spec, struct net_backend_args *a, char *err, size_t errlen)
{
	char buf[NET_SPEC_MAX], list[160];
	const struct net_kind *k = NULL;
	char *item, *next;
	unsigned pos = 1;

	memset(a, 0, sizeof(*a));
	a->size = NET_GEN_SIZE_DEFAULT;
	memset(a->dst, 0xff, sizeof(a->dst));
	kinds_list(list, sizeof(list));
	if (!spec || !*spec) {
		snprintf(err, errlen, "net backend: empty spec (expected kind[,key=value]...; kinds: %s)", list);
		return NULL;
	}
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "net backend: spec of %zu characters is too long (at most %zu)", strlen(spec),
			 sizeof(buf) - 1);
		return NULL;
	}
	strcpy(buf, spec);
	next = strchr(buf, ',');
	if (next)
		*next++ = '\0';
	for (size_t i = 0; i < ARRAY_LEN(net_kinds); i++)
		if (!strcmp(buf, net_kinds[i].name))
			k = &net_kinds[i];
	if (!k) {
		snprintf(err, errlen, "net backend '%s': unknown kind (kinds: %s)", buf, list);
		return NULL;
	}
	while (next) {
		const struct net_key *key;
		char *val;

		item = next;
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		pos++;
		keys_list(k, list, sizeof(list));
		if (!*item) {
			snprintf(err, errlen, "net backend %s: item %u is empty (expected key=value; %s)", k->name,
				 pos, list);
			return NULL;
		}
		val = strchr(item, '=');
		if (val)
			*val++ = '\0';
		key = find_key(item);
		if (!key || !(k->keys & key->bit)) {
			snprintf(err, errlen, "net backend %s: unknown key '%s' (%s)", k->name, item, list);
			return NULL;
		}
		if (!val || !*val) {
			key_range(key, list, sizeof(list));
			snprintf(err, errlen, "net backend %s: '%s' needs a value (%s)", k->name, item, list);
			return NULL;
		}
		if (a->set & key->bit) {
			snprintf(err, errlen, "net backend %s: '%s' given twice", k->name, item);
			return NULL;
		}
		if (set_value(k, key, val, a, err, errlen))
			return NULL;
		a->set |= key->bit;
	}
	for (size_t i = 0; i < ARRAY_LEN(net_keys); i++) {
		if ((k->required & net_keys[i].bit) && !(a->set & net_keys[i].bit)) {
			snprintf(err, errlen, "net backend %s: '%s' is required (%s)", k->name, net_keys[i].name,
				 k->usage);
			return NULL;
		}
	}
	return k;
}

struct net_backend *net_backend_open(const char *spec, enum outcome *why, char *err, size_t errlen)
{
	struct net_backend_args a;
	const struct net_kind *k;
	struct net_backend *b;
	enum outcome o, dummy_why;
	char dummy[1];

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (!why)
		why = &dummy_why;
	err[0] = '\0';
	*why = OUTCOME_BAD_INPUT;
	k = parse_spec(spec, &a, err, errlen);
	if (!k)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "net backend %s: out of memory", k->name);
		*why = OUTCOME_FAILED;
		return NULL;
	}
	b->fd = -1;
	memcpy(b->mac, net_default_mac, sizeof(b->mac));
	o = k->open(b, &a, err, errlen);
	if (o != OUTCOME_OK) {
		*why = o;
		free(b);
		return NULL;
	}
	*why = OUTCOME_OK;
	return b;
}

void net_backend_close(struct net_backend *b)
{
	if (!b)
		return;
	if (b->ops && b->ops->close)
		b->ops->close(b);
	free(b);
}

int net_backend_set_offload(struct net_backend *b, unsigned flags)
{
	/* without the op the backend offloads nothing on its own: any narrowing already holds */
	return b->ops->set_offload ? b->ops->set_offload(b, flags) : 0;
}

size_t net_iov_len(const struct iovec *iov, unsigned n)
{
	size_t total = 0;

	for (unsigned i = 0; i < n; i++) {
		if (iov[i].iov_len > SIZE_MAX - total)
			return SIZE_MAX;
		total += iov[i].iov_len;
	}
	return total;
}

size_t net_iov_scatter(const struct iovec *iov, unsigned n, const void *src, size_t len)
{
	const uint8_t *p = src;
	size_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		size_t c = iov[i].iov_len < len - done ? iov[i].iov_len : len - done;

		if (c)
			memcpy(iov[i].iov_base, p + done, c);
		done += c;
	}
	return done;
}

size_t net_iov_gather(void *dst, size_t cap, const struct iovec *iov, unsigned n)
{
	uint8_t *p = dst;
	size_t done = 0;

	for (unsigned i = 0; i < n && done < cap; i++) {
		size_t c = iov[i].iov_len < cap - done ? iov[i].iov_len : cap - done;

		if (c)
			memcpy(p + done, iov[i].iov_base, c);
		done += c;
	}
	return done;
}
