/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM backings and RAM above 4 GiB, through the exitlab binary:
 * --backing 4k / thp / hugetlb-2m / hugetlb-1g, --mem beyond 3 GiB, and the
 * exit-3 messages that name the fix when the host cannot back the RAM.
 * Where a test needs a host setting changed (shmem THP, a hugetlb pool), it
 * does so only as root and puts the old value back in its teardown, whatever
 * happened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

#define THP_DIR  "/sys/kernel/mm/transparent_hugepage"
#define POOL_2M  "/sys/kernel/mm/hugepages/hugepages-2048kB/"
#define POOL_1G  "/sys/kernel/mm/hugepages/hugepages-1048576kB/"
#define GIB      (1LL << 30)

#define SKIP(...)                                                    \
	do {                                                         \
		fprintf(stderr, "skipped: " __VA_ARGS__);            \
		fputc('\n', stderr);                                 \
		skip();                                              \
	} while (0)

/* ---- one host setting changed by a test, restored by its teardown ---- */

static struct {
	char path[192];
	char old[64];
	bool saved;
} knob;

static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	char *nl;

	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	if ((nl = strchr(buf, '\n')))
		*nl = 0;
	return 0;
}

static long read_long(const char *path)
{
	char buf[64];

	return read_text(path, buf, sizeof(buf)) ? -1 : strtol(buf, NULL, 10);
}

static int write_text(const char *path, const char *val)
{
	FILE *f = fopen(path, "we");
	int ok;

	if (!f)
		return -1;
	ok = fputs(val, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* The selected word of a sysfs policy ("always [never]" → "never"); raw text otherwise. */
static void selected(const char *text, char *out, size_t len)
{
	const char *a = strchr(text, '['), *b = a ? strchr(a, ']') : NULL;

	if (a && b && (size_t)(b - a) <= len)
		snprintf(out, len, "%.*s", (int)(b - a - 1), a + 1);
	else
		snprintf(out, len, "%s", text);
}

static int knob_set(const char *path, const char *val)
{
	char cur[256];

	if (!knob.saved) {
		if (read_text(path, cur, sizeof(cur)))
			return -1;
		snprintf(knob.path, sizeof(knob.path), "%s", path);
		selected(cur, knob.old, sizeof(knob.old));
		knob.saved = true;
	}
	return write_text(path, val);
}

static int knob_restore(void **state)
{
	(void)state;
	if (knob.saved && write_text(knob.path, knob.old))
		fprintf(stderr, "WARNING: could not restore %s to '%s'\n", knob.path, knob.old);
	knob.saved = false;
	return 0;
}

/* ---- runs ---- */

/* A quick exit-costs run with extra options that must pass; returns config.vmm's document. */
static json_t *run_ok(const char *const *extra)
{
	const char *args[24] = { "run", harness_payload("exit-costs"), "--quick", "--json" };
	char json[512];
	struct run_out o;
	json_error_t je;
	json_t *doc, *t;
	size_t n = 5, i, ok = 0;

	snprintf(json, sizeof(json), "%s/backing.json", harness_tmp);
	args[4] = json;
	while (*extra && n < 23)
		args[n++] = *extra++;
	args[n] = NULL;
	unlink(json);
	harness_run(&o, args);
	if (o.exit_code != 0)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	doc = json_load_file(json, 0, &je);
	assert_non_null(doc);
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		const char *st = json_string_value(json_object_get(t, "status"));

		assert_non_null(st);
		if (strcmp(st, "skipped"))
			assert_string_equal(st, "ok");
		ok += !strcmp(st, "ok");
	}
	assert_true(ok >= 3);
	return doc;
}

static json_t *vmm_cfg(json_t *doc)
{
	json_t *v = json_object_get(json_object_get(doc, "config"), "vmm");

	assert_true(json_is_object(v));
	return v;
}

static long long vmm_int(json_t *doc, const char *key)
{
	json_t *v = json_object_get(vmm_cfg(doc), key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const char *vmm_str(json_t *doc, const char *key)
{
	const char *s = json_string_value(json_object_get(vmm_cfg(doc), key));

	assert_non_null(s);
	return s;
}

static void run_fails(int code, const char *const *args, const char *const *needles)
{
	struct run_out o;

	harness_run(&o, args);
	if (o.exit_code != code)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, code);
	for (; *needles; needles++)
		if (!strstr(o.err, *needles))
			fail_msg("'%s' not in: %s", *needles, o.err);
	harness_free(&o);
}

/* ---- tests ---- */

static void test_backing_4k(void **state)
{
	json_t *doc;
	(void)state;

	HARNESS_NEED_KVM();
	doc = run_ok((const char *[]){ "--backing", "4k", NULL });
	assert_string_equal(vmm_str(doc, "backing"), "4k");
	assert_int_equal(vmm_int(doc, "host_page_size"), 4096);
	assert_int_equal(vmm_int(doc, "mem_bytes"), 64LL << 20);
	assert_int_equal(vmm_int(doc, "mem_high_bytes"), 0);
	assert_true(json_is_false(json_object_get(vmm_cfg(doc), "hugepages")));
	json_decref(doc);
}

/* The shmem THP policy for 2 MiB folios, and the file that decides it. */
static void shmem_thp(char *policy, size_t len, char *path, size_t pathlen)
{
	char text[256];

	snprintf(path, pathlen, THP_DIR "/hugepages-2048kB/shmem_enabled");
	if (read_text(path, text, sizeof(text)) == 0) {
		selected(text, policy, len);
		if (strcmp(policy, "inherit"))
			return;
	}
	snprintf(path, pathlen, THP_DIR "/shmem_enabled");
	if (read_text(path, text, sizeof(text)))
		snprintf(policy, len, "unreadable");
	else
		selected(text, policy, len);
}

static bool thp_allows(const char *p)
{
	return !strcmp(p, "advise") || !strcmp(p, "always") || !strcmp(p, "within_size") ||
	       !strcmp(p, "force");
}

static void test_backing_thp(void **state)
{
	char policy[32], path[160];
	json_t *doc;
	(void)state;

	HARNESS_NEED_KVM();
	shmem_thp(policy, sizeof(policy), path, sizeof(path));
	if (!strcmp(policy, "unreadable"))
		SKIP("no transparent hugepages in this kernel (%s unreadable)", path);
	if (!thp_allows(policy)) {
		/* Off: exit 3 and the command that turns it on. */
		run_fails(3, (const char *[]){ "run", harness_payload("exit-costs"), "--quick",
					       "--backing", "thp", NULL },
			  (const char *[]){ "echo advise > ", path, NULL });
		if (geteuid() != 0)
			SKIP("shmem THP is '%s' (%s) and only root can enable it", policy, path);
		if (knob_set(path, "advise"))
			SKIP("shmem THP is '%s' and writing 'advise' to %s failed", policy, path);
	}
	doc = run_ok((const char *[]){ "--backing", "thp", NULL });
	assert_string_equal(vmm_str(doc, "backing"), "thp");
	assert_int_equal(vmm_int(doc, "host_page_size"), 2LL << 20);
	json_decref(doc);
}

/* RAM beyond 3 GiB continues at 4 GiB, as a second slot; the run is unaffected. */
static void test_high_mem(void **state)
{
	json_t *doc;
	(void)state;

	HARNESS_NEED_KVM();
	doc = run_ok((const char *[]){ "--mem", "5120", NULL });
	assert_int_equal(vmm_int(doc, "mem_bytes"), 5 * GIB);
	assert_int_equal(vmm_int(doc, "mem_low_bytes"), 3 * GIB);
	assert_int_equal(vmm_int(doc, "mem_high_bytes"), 2 * GIB);
	assert_int_equal(vmm_int(doc, "high_mem_gpa"), 4 * GIB);
	json_decref(doc);
}

static void test_bad_memory_options(void **state)
{
	char mib[32];
	long long total_kb = -1, swap_kb = 0;
	char line[256];
	FILE *f = fopen("/proc/meminfo", "re");
	(void)state;

	run_fails(2, (const char *[]){ "run", harness_payload("exit-costs"), "--backing", "2m", NULL },
		  (const char *[]){ "--backing", NULL });
	run_fails(2, (const char *[]){ "run", harness_payload("exit-costs"), "--mem", "262145", NULL },
		  (const char *[]){ "--mem", NULL });
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "MemTotal: %lld kB", &total_kb);
		sscanf(line, "SwapTotal: %lld kB", &swap_kb);
	}
	fclose(f);
	assert_true(total_kb > 0);
	if (((total_kb + swap_kb) >> 10) + 1024 > 262144)
		SKIP("this host's RAM + swap reach the --mem cap");
	snprintf(mib, sizeof(mib), "%lld", ((total_kb + swap_kb) >> 10) + 1024);
	run_fails(2, (const char *[]){ "run", harness_payload("exit-costs"), "--mem", mib, NULL },
		  (const char *[]){ "MemTotal", "SwapTotal", NULL });
}

static void test_hugetlb_1g_none(void **state)
{
	long free1g;
	(void)state;

	HARNESS_NEED_KVM();
	free1g = read_long(POOL_1G "free_hugepages");
	if (free1g < 0)
		SKIP("no 1 GiB hugetlb pool on this host (" POOL_1G ")");
	if (free1g > 0)
		SKIP("%ld free 1 GiB pages are reserved here: cannot check the message", free1g);
	run_fails(3, (const char *[]){ "run", harness_payload("exit-costs"), "--quick",
				       "--backing", "hugetlb-1g", NULL },
		  (const char *[]){ "not enough free 1 GiB", "0 free now",
				    "echo 1 > " POOL_1G "nr_hugepages", "hugepagesz=1G", NULL });
}

/* Grow a pool by n pages for this test (root only); false, with the reason, if we cannot. */
static bool reserve(const char *pool, long n, char *why, size_t len)
{
	char path[192], val[32];
	long nr, avail;

	if (geteuid() != 0) {
		snprintf(why, len, "not root: cannot reserve hugetlb pages");
		return false;
	}
	snprintf(path, sizeof(path), "%snr_hugepages", pool);
	nr = read_long(path);
	if (nr < 0) {
		snprintf(why, len, "no pool %s", pool);
		return false;
	}
	snprintf(val, sizeof(val), "%ld", nr + n);
	if (knob_set(path, val)) {
		snprintf(why, len, "writing %s failed", path);
		return false;
	}
	snprintf(path, sizeof(path), "%sfree_hugepages", pool);
	avail = read_long(path);
	snprintf(path, sizeof(path), "%sresv_hugepages", pool);
	avail -= read_long(path);
	if (avail < n) {
		snprintf(why, len, "the kernel found only %ld free pages for %s (fragmented memory?)",
			 avail, pool);
		return false;
	}
	return true;
}

static void test_hugetlb_2m(void **state)
{
	char why[256];
	json_t *doc;
	(void)state;

	HARNESS_NEED_KVM();
	if (!reserve(POOL_2M, 32, why, sizeof(why)))
		SKIP("%s", why);
	doc = run_ok((const char *[]){ "--backing", "hugetlb-2m", NULL });
	assert_string_equal(vmm_str(doc, "backing"), "hugetlb-2m");
	assert_int_equal(vmm_int(doc, "host_page_size"), 2LL << 20);
	assert_true(json_is_true(json_object_get(vmm_cfg(doc), "hugepages")));
	json_decref(doc);
	/* --hugepages is the same thing */
	doc = run_ok((const char *[]){ "--hugepages", "--test", "cpuid", NULL });
	assert_string_equal(vmm_str(doc, "backing"), "hugetlb-2m");
	json_decref(doc);
}

static void test_hugetlb_1g(void **state)
{
	char why[256];
	json_t *doc;
	(void)state;

	HARNESS_NEED_KVM();
	if (!reserve(POOL_1G, 1, why, sizeof(why)))
		SKIP("%s", why);
	/* 64 MiB of RAM rounds up to one whole 1 GiB page. */
	doc = run_ok((const char *[]){ "--backing", "hugetlb-1g", "--test", "cpuid", NULL });
	assert_string_equal(vmm_str(doc, "backing"), "hugetlb-1g");
	assert_int_equal(vmm_int(doc, "host_page_size"), GIB);
	assert_int_equal(vmm_int(doc, "mem_bytes"), GIB);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backing_4k),
		cmocka_unit_test_teardown(test_backing_thp, knob_restore),
		cmocka_unit_test(test_high_mem),
		cmocka_unit_test(test_bad_memory_options),
		cmocka_unit_test(test_hugetlb_1g_none),
		cmocka_unit_test_teardown(test_hugetlb_2m, knob_restore),
		cmocka_unit_test_teardown(test_hugetlb_1g, knob_restore),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
