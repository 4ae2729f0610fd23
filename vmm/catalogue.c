// SPDX-License-Identifier: MIT
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/catalogue.h"
#include "vmm/elf.h"
#include "exitlab/boot_abi.h"
#include "vmm/payload_path.h"
#include "util/suggest.h"

#define CATALOGUE_FILE_MAX_MIB 64 /* payloads are small; refuse anything that is not */

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A fixed-size text field must hold a NUL-terminated string. */
static bool text_ok(const char *s, size_t n, bool nonempty)
{
	const char *nul = memchr(s, 0, n);

	return nul && (!nonempty || nul != s);
}

static bool key_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static size_t kind_size(unsigned int kind)
{
	switch (kind) {
	case CATALOGUE_PAYLOAD: return sizeof(struct catalogue_payload);
	case CATALOGUE_TEST: return sizeof(struct catalogue_test);
	case CATALOGUE_PARAM: return sizeof(struct catalogue_param);
	}
	return 0;
}

static int add_test(struct catalogue *c, const struct catalogue_test *t, size_t at, char *err, size_t errlen)
{
	struct catalogue_test *v;

	if (!text_ok(t->name, sizeof(t->name), true) || !text_ok(t->help, sizeof(t->help), false))
		return fail(err, errlen, "catalogue record at +0x%zx: test name or help is not a string", at);
	if (!t->rings || (t->rings & ~(uint32_t)(BOOT_RING0 | BOOT_RING3)))
		return fail(err, errlen, "catalogue: test %s has rings 0x%x (want cpl0 and/or cpl3)",
			    t->name, t->rings);
	if (t->expect & ~(uint32_t)(CATALOGUE_EXPECT_EXITS | CATALOGUE_EXPECT_USER))
		return fail(err, errlen, "catalogue: test %s expects 0x%x (unknown bits)", t->name, t->expect);
	if ((t->expect & CATALOGUE_EXPECT_USER) && (t->expect & CATALOGUE_EXPECT_EXITS) &&
	    t->user_exits > t->exits)
		return fail(err, errlen, "catalogue: test %s expects %u userspace exits of %u exits",
			    t->name, t->user_exits, t->exits);
	for (size_t i = 0; i < c->ntests; i++)
		if (!strcmp(c->tests[i].name, t->name))
			return fail(err, errlen, "catalogue: test %s declared twice", t->name);
	v = realloc(c->tests, (c->ntests + 1) * sizeof(*v));
	if (!v)
		return fail(err, errlen, "out of memory");
	c->tests = v;
	memcpy(&c->tests[c->ntests++], t, sizeof(*t));
	return 0;
}

static int add_param(struct catalogue *c, const struct catalogue_param *p, size_t at, char *err, size_t errlen)
{
	struct catalogue_param *v;

	if (!text_ok(p->name, sizeof(p->name), true) || !text_ok(p->value, sizeof(p->value), false) ||
	    !text_ok(p->help, sizeof(p->help), false))
		return fail(err, errlen, "catalogue record at +0x%zx: param name, default or help is not a string", at);
	if (!key_ok(p->name))
		return fail(err, errlen, "catalogue: param '%s' is not a key ([a-z0-9_]+)", p->name);
	for (size_t i = 0; i < c->nparams; i++)
		if (!strcmp(c->params[i].name, p->name))
			return fail(err, errlen, "catalogue: param %s declared twice", p->name);
	v = realloc(c->params, (c->nparams + 1) * sizeof(*v));
	if (!v)
		return fail(err, errlen, "out of memory");
	c->params = v;
	memcpy(&c->params[c->nparams++], p, sizeof(*p));
	return 0;
}

/* Walk the records of the section [sec, sec + len). */
static int parse_records(const unsigned char *sec, size_t len, struct catalogue *c, char *err, size_t errlen)
{
	size_t at = 0;

	while (at + sizeof(struct catalogue_hdr) <= len) {
		struct catalogue_hdr h;
		size_t need;

		memcpy(&h, sec + at, sizeof(h));
		if (h.magic == 0) { /* zero padding between the objects the linker put here */
			at += 8;
			continue;
		}
		if (h.magic != CATALOGUE_MAGIC)
			return fail(err, errlen, "catalogue record at +0x%zx: bad magic 0x%08x", at, h.magic);
		if (h.version != CATALOGUE_VERSION)
			return fail(err, errlen, "catalogue version %u at +0x%zx; this exitlab reads version %u",
				    h.version, at, CATALOGUE_VERSION);
		need = kind_size(h.kind);
		if (!need)
			return fail(err, errlen, "catalogue record at +0x%zx: unknown kind %u", at, h.kind);
		if (h.size < need || h.size % 8 || h.size > len - at)
			return fail(err, errlen, "catalogue record at +0x%zx: size %u (kind %u needs %zu, %zu bytes left)",
				    at, h.size, h.kind, need, len - at);
		if (h.kind == CATALOGUE_PAYLOAD) {
			struct catalogue_payload p;

			memcpy(&p, sec + at, sizeof(p));
			if (!text_ok(p.name, sizeof(p.name), true) || !text_ok(p.help, sizeof(p.help), false))
				return fail(err, errlen, "catalogue record at +0x%zx: payload name or help is not a string", at);
			c->info = p;
		} else if (h.kind == CATALOGUE_TEST) {
			struct catalogue_test t;

			memcpy(&t, sec + at, sizeof(t));
			if (add_test(c, &t, at, err, errlen))
				return -1;
		} else {
			struct catalogue_param p;

			memcpy(&p, sec + at, sizeof(p));
			if (add_param(c, &p, at, err, errlen))
				return -1;
		}
		at += h.size;
	}
	for (; at < len; at++) /* less than a header left: only padding may be there */
		if (sec[at])
			return fail(err, errlen, "catalogue: stray bytes at +0x%zx, after the last record", at);
	return 0;
}

int catalogue_parse(const void *elf, size_t len, struct catalogue *c, char *err, size_t errlen)
{
	uint64_t off, size;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = elf_find_section(elf, len, CATALOGUE_SECTION, &off, &size, err, errlen);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return 0;
	c->present = true;
	if (parse_records((const unsigned char *)elf + off, size, c, err, errlen)) {
		catalogue_free(c);
		return -1;
	}
	return 0;
}

int catalogue_load(const char *path, struct catalogue *c, char *err, size_t errlen)
{
	size_t len;
	void *buf;
	int rc;

	memset(c, 0, sizeof(*c));
	buf = payload_read(path, CATALOGUE_FILE_MAX_MIB, &len, err, errlen);
	if (!buf)
		return -1;
	rc = catalogue_parse(buf, len, c, err, errlen);
	free(buf);
	return rc;
}

void catalogue_free(struct catalogue *c)
{
	free(c->tests);
	free(c->params);
	memset(c, 0, sizeof(*c));
}

const struct catalogue_test *catalogue_test_find(const struct catalogue *c, const char *name)
{
	for (size_t i = 0; i < c->ntests; i++)
		if (!strcmp(c->tests[i].name, name))
			return &c->tests[i];
	for (size_t i = 0; i < c->ntests; i++)
		if (strchr(c->tests[i].name, '*') && !fnmatch(c->tests[i].name, name, 0))
			return &c->tests[i];
	return NULL;
}

const struct catalogue_param *catalogue_param_find(const struct catalogue *c, const char *key)
{
	for (size_t i = 0; i < c->nparams; i++)
		if (!strcmp(c->params[i].name, key))
			return &c->params[i];
	return NULL;
}

const char *catalogue_rings_name(unsigned int rings)
{
	switch (rings & (BOOT_RING0 | BOOT_RING3)) {
	case BOOT_RING0: return "cpl0";
	case BOOT_RING3: return "cpl3";
	case BOOT_RING0 | BOOT_RING3: return "cpl0,cpl3";
	}
	return "-";
}

/* ", did you mean 'X'?" or "". */
static void mean(char *buf, size_t n, const char *word, const char **cands, size_t ncands)
{
	const char *s = suggest_closest(word, cands, ncands);

	if (s)
		snprintf(buf, n, "; did you mean '%s'?", s);
	else
		buf[0] = 0;
}

int catalogue_check_tests(const struct catalogue *c, const char *payload, char *const *tests,
			  size_t n, unsigned int rings, char *err, size_t errlen)
{
	if (!c->present)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char name[BENCH_NAME_MAX + 8], hint[BENCH_NAME_MAX + 32];
		const struct catalogue_test *t;
		const char *slash = strchr(tests[i], '/');
		unsigned int ring = 0;

		snprintf(name, sizeof(name), "%s", tests[i]);
		if (slash) {
			name[slash - tests[i] < (long)sizeof(name) ? slash - tests[i] : 0] = 0;
			if (!strcmp(slash, "/cpl0"))
				ring = BOOT_RING0;
			else if (!strcmp(slash, "/cpl3"))
				ring = BOOT_RING3;
			else
				return fail(err, errlen, "--test %s: a ring suffix is /cpl0 or /cpl3", tests[i]);
		}
		t = catalogue_test_find(c, name);
		if (!t) {
			const char **cands = calloc(c->ntests ? c->ntests : 1, sizeof(*cands));

			if (!cands)
				return fail(err, errlen, "out of memory");
			for (size_t k = 0; k < c->ntests; k++)
				cands[k] = strchr(c->tests[k].name, '*') ? NULL : c->tests[k].name;
			mean(hint, sizeof(hint), name, cands, c->ntests);
			free(cands);
			return fail(err, errlen, "%s has no test '%s'%s (exitlab list %s)", payload, name, hint,
				    payload);
		}
		if (ring && !(t->rings & ring))
			return fail(err, errlen, "--test %s: %s runs only at %s", tests[i], name,
				    catalogue_rings_name(t->rings));
		if (rings && !(t->rings & rings & (ring ? ring : ~0u)))
			return fail(err, errlen, "--test %s: %s runs only at %s, and --ring asks for %s",
				    tests[i], name, catalogue_rings_name(t->rings), catalogue_rings_name(rings));
	}
	return 0;
}

int catalogue_check_params(const struct catalogue *c, const char *payload, const char *params,
			   char *err, size_t errlen)
{
	const char *p = params;

	if (!c->present)
		return 0;
	while (p && *p) {
		char key[BENCH_KV_MAX], hint[BENCH_NAME_MAX + 32];
		size_t k = strcspn(p, "= ");

		snprintf(key, sizeof(key), "%.*s", (int)(k < sizeof(key) ? k : sizeof(key) - 1), p);
		if (!catalogue_param_find(c, key)) {
			const char **cands = calloc(c->nparams ? c->nparams : 1, sizeof(*cands));

			if (!cands)
				return fail(err, errlen, "out of memory");
			for (size_t i = 0; i < c->nparams; i++)
				cands[i] = c->params[i].name;
			mean(hint, sizeof(hint), key, cands, c->nparams);
			free(cands);
			if (!c->nparams)
				return fail(err, errlen, "%s takes no --param (got '%s')", payload, key);
			return fail(err, errlen, "%s has no parameter '%s'%s (exitlab list %s)", payload, key,
				    hint, payload);
		}
		p += strcspn(p, " ");
		while (*p == ' ')
			p++;
	}
	return 0;
}

int catalogue_check_run(struct catalogue *c, const void *elf, size_t len, const char *payload,
			char *const *tests, size_t ntests, unsigned int rings, const char *params, char *err,
			size_t errlen)
{
	if (catalogue_parse(elf, len, c, err, errlen))
		return -1;
	if (!c->present && (ntests || (params && *params)))
		fprintf(stderr, "note: %s declares no catalogue: --test and --param are not checked\n", payload);
	return catalogue_check_tests(c, payload, tests, ntests, rings, err, errlen) ||
	       catalogue_check_params(c, payload, params, err, errlen) ? -1 : 0;
}
