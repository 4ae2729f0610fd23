/* SPDX-License-Identifier: MIT */
/*
 * Results writes that fail keep the previous file and say why: run --json,
 * results csv -o, report -o (and a chart of --markdown) and a campaign's manifest, each with a write, an
 * fsync or a rename failing with ENOSPC or EIO (build/tests/fault_shim.so,
 * preloaded, at the point EXITLAB_FAULT names), and run --json on a real full
 * tmpfs (as root). Asserted each time: a non-zero exit, a message naming the
 * file with the system's reason, the previous file byte for byte, no temp
 * file left beside it.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

static char src[1024];      /* a results file made by the group setup */
static char small_mnt[1024]; /* the tmpfs of test_full_tmpfs, if mounted */

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Run exitlab with the shim preloaded and EXITLAB_FAULT=spec. */
static void run_faulted(struct run_out *o, const char *spec, const char *const *args)
{
	char shim[1024], *cwd = getcwd(NULL, 0);
	const char *asan = getenv("ASAN_OPTIONS");
	char *asan_saved = asan ? strdup(asan) : NULL, *asan_new = NULL;

	assert_non_null(cwd);
	snprintf(shim, sizeof(shim), "%s/build/tests/fault_shim.so", cwd);
	free(cwd);
	if (access(shim, R_OK))
		fail_msg("%s missing: make build/tests/fault_shim.so", shim);
	/* the sanitized binary refuses a library loaded before its runtime */
	assert_true(asprintf(&asan_new, "%s%sverify_asan_link_order=0", asan ? asan : "", asan ? ":" : "") > 0);
	setenv("ASAN_OPTIONS", asan_new, 1);
	setenv("LD_PRELOAD", shim, 1);
	setenv("EXITLAB_FAULT", spec, 1);
	harness_run(o, args);
	unsetenv("LD_PRELOAD");
	unsetenv("EXITLAB_FAULT");
	if (asan_saved)
		setenv("ASAN_OPTIONS", asan_saved, 1);
	else
		unsetenv("ASAN_OPTIONS");
	free(asan_saved);
	free(asan_new);
}

/* No ".NAME." temp file of the atomic writer is left in dir. */
static void assert_no_temp(const char *dir, const char *name)
{
	char prefix[512];
	DIR *d = opendir(dir);
	struct dirent *de;

	assert_non_null(d);
	snprintf(prefix, sizeof(prefix), ".%s.", name);
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			fail_msg("temp file %s/%s left behind", dir, de->d_name);
	closedir(d);
}

/*
 * dir/name holds `before`; a command writing it under the fault `spec` must
 * fail, say which file and why, and leave it as it was.
 */
static void expect_kept(const char *dir, const char *name, const char *before, size_t blen, const char *spec,
			int err, const char *const *args)
{
	char path[1024];
	struct run_out o;
	size_t len;
	char *now;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_file(path, before, blen);
	run_faulted(&o, spec, args);
	if (!strstr(o.err, "fault_shim:"))
		fail_msg("%s: the fault was never reached; stderr:\n%s", spec, o.err);
	if (o.exit_code == 0 || o.exit_code == -1)
		fail_msg("%s: exit %d, want a failure; stderr:\n%s", spec, o.exit_code, o.err);
	if (!strstr(o.err, path) || !strstr(o.err, strerror(err)))
		fail_msg("%s: no message naming %s with '%s'; stderr:\n%s", spec, path, strerror(err), o.err);
	harness_free(&o);
	now = harness_slurp(path, &len);
	assert_non_null(now);
	if (len != blen || memcmp(now, before, blen))
		fail_msg("%s: %s changed", spec, path);
	free(now);
	assert_no_temp(dir, name);
}

static const char *const faults[] = {
	"write:ENOSPC:%s:0", "write:ENOSPC:%s:100", "write:EIO:%s:10",
	"fsync:EIO:%s", "fsync:ENOSPC:%s", "rename:EIO:%s",
};

static int fault_errno(const char *spec)
{
	return strstr(spec, "ENOSPC") ? ENOSPC : EIO;
}

static int setup(void **state)
{
	struct run_out o;
	int rc = harness_group_setup(state);

	if (rc || harness_kvm_missing())
		return rc;
	snprintf(src, sizeof(src), "%s/src/one.json", harness_tmp);
	harness_run(&o, (const char *[]){ "run", "exit-costs", "--quick", "--ring", "3", "--test", "cpuid",
					  "--json", src, NULL });
	rc = o.exit_code == 0 ? 0 : -1;
	if (rc)
		fprintf(stderr, "setup: run exit %d:\n%s", o.exit_code, o.err);
	harness_free(&o);
	return rc;
}

static int teardown(void **state)
{
	if (small_mnt[0])
		umount2(small_mnt, MNT_DETACH);
	return harness_group_teardown(state);
}

static void test_run_json(void **state)
{
	char spec[1200], path[1024];
	size_t len;
	char *before;
	(void)state;

	HARNESS_NEED_KVM();
	before = harness_slurp(src, &len);
	assert_non_null(before);
	snprintf(path, sizeof(path), "%s/keep.json", harness_tmp);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		snprintf(spec, sizeof(spec), faults[i], "keep.json");
		expect_kept(harness_tmp, "keep.json", before, len, spec, fault_errno(spec),
			    (const char *[]){ "run", "exit-costs", "--quick", "--ring", "3", "--test", "cpuid",
					      "--json", path, NULL });
	}
	free(before);
}

static void test_results_csv(void **state)
{
	static const char before[] = "previous,csv\n1,2\n";
	char spec[1200], path[1024];
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(path, sizeof(path), "%s/keep.csv", harness_tmp);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		snprintf(spec, sizeof(spec), faults[i], "keep.csv");
		expect_kept(harness_tmp, "keep.csv", before, sizeof(before) - 1, spec, fault_errno(spec),
			    (const char *[]){ "results", "csv", src, "-o", path, NULL });
	}
}

static void test_report(void **state)
{
	static const char before[] = "<html>the previous report</html>\n";
	char spec[1200], path[1024];
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(path, sizeof(path), "%s/keep.html", harness_tmp);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		snprintf(spec, sizeof(spec), faults[i], "keep.html");
		expect_kept(harness_tmp, "keep.html", before, sizeof(before) - 1, spec, fault_errno(spec),
			    (const char *[]){ "report", src, "-o", path, NULL });
	}
}

/* A chart of the Markdown report that cannot be written: neither output is, the previous ones kept. */
static void test_report_markdown_chart(void **state)
{
	static const char html_before[] = "<html>previous</html>\n", md_before[] = "# previous\n";
	char html[1024], md[1024], png[1100];
	struct run_out o;
	char *now;
	(void)state;

	HARNESS_NEED_KVM();
	HARNESS_SKIP_IF(system("command -v gnuplot >/dev/null 2>&1") ? "gnuplot is not installed" : NULL);
	snprintf(html, sizeof(html), "%s/md.html", harness_tmp);
	snprintf(md, sizeof(md), "%s/keep.md", harness_tmp);
	snprintf(png, sizeof(png), "%s/keep-000.png", harness_tmp);
	write_file(html, html_before, sizeof(html_before) - 1);
	write_file(md, md_before, sizeof(md_before) - 1);
	run_faulted(&o, "write:ENOSPC:keep-000.png:100", (const char *[]){ "report", src, "-o", html, "--markdown",
									    md, NULL });
	if (o.exit_code != 1 || !strstr(o.err, png) || !strstr(o.err, strerror(ENOSPC)))
		fail_msg("exit %d, want 1 naming %s with '%s'; stderr:\n%s", o.exit_code, png, strerror(ENOSPC),
			 o.err);
	harness_free(&o);
	now = harness_slurp(html, NULL);
	assert_string_equal(now, html_before);
	free(now);
	now = harness_slurp(md, NULL);
	assert_string_equal(now, md_before);
	free(now);
	assert_no_temp(harness_tmp, "keep-000.png");
	assert_no_temp(harness_tmp, "keep.md");
	assert_no_temp(harness_tmp, "md.html");
}

/*
 * The manifest's fourth write fails (after entry 0 is recorded done, as entry
 * 1 starts): the campaign stops with the reason, the manifest on disk is the
 * third one, and a resume runs each entry left exactly once.
 */
static void test_campaign_manifest(void **state)
{
	char file[1024], dir[1024], mpath[1100], *before;
	struct run_out o;
	json_t *m, *e;
	size_t i, blen, len;
	char *now;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(file, sizeof(file), "%s/m.yaml", harness_tmp);
	snprintf(dir, sizeof(dir), "%s/m-out", harness_tmp);
	snprintf(mpath, sizeof(mpath), "%s/manifest.json", dir);
	before = "name: m\ndefaults: { ring: 3, timeout_s: 120 }\nentries:\n"
		 "  - payload: exit-costs\n    quick: true\n    tests: [cpuid]\n    repetitions: 3\n";
	write_file(file, before, strlen(before));
	run_faulted(&o, "rename:EIO:manifest.json:0:3",
		    (const char *[]){ "campaign", file, "--out", dir, NULL });
	if (o.exit_code != 1 || !strstr(o.err, mpath) || !strstr(o.err, strerror(EIO)))
		fail_msg("exit %d, want 1 with %s and '%s'; stderr:\n%s", o.exit_code, mpath, strerror(EIO),
			 o.err);
	assert_non_null(strstr(o.err, "--resume"));
	harness_free(&o);
	assert_no_temp(dir, "manifest.json");
	/* the third manifest: entry 0 done, the rest pending */
	m = harness_load_json(mpath);
	assert_non_null(m);
	json_array_foreach(json_object_get(m, "entries"), i, e)
		assert_string_equal(json_string_value(json_object_get(e, "status")), i ? "pending" : "done");
	json_decref(m);
	snprintf(mpath, sizeof(mpath), "%s/entries/000-exit-costs-rep1.json", dir);
	before = harness_slurp(mpath, &blen);
	assert_non_null(before);

	harness_run(&o, (const char *[]){ "campaign", file, "--resume", dir, NULL });
	if (o.exit_code != 0)
		fail_msg("resume: exit %d; stderr:\n%s", o.exit_code, o.err);
	assert_non_null(strstr(o.err, "2 to run"));
	harness_free(&o);
	now = harness_slurp(mpath, &len);
	assert_non_null(now);
	assert_true(len == blen && !memcmp(now, before, len));
	free(now);
	free(before);
	snprintf(mpath, sizeof(mpath), "%s/manifest.json", dir);
	m = harness_load_json(mpath);
	assert_non_null(m);
	json_array_foreach(json_object_get(m, "entries"), i, e)
		assert_string_equal(json_string_value(json_object_get(e, "status")), "done");
	json_decref(m);
}

/* A real full file system (a 512 KiB tmpfs, filled), not an interposed call. */
static void test_full_tmpfs(void **state)
{
	char dir[1024], path[1100], fill[1100];
	struct run_out o;
	size_t blen, len;
	char *before, *now;
	FILE *f;
	(void)state;

	HARNESS_NEED_KVM();
	HARNESS_SKIP_IF(geteuid() ? "mounting a small tmpfs needs root" : NULL);
	snprintf(dir, sizeof(dir), "%s/small", harness_tmp);
	assert_true(mkdir(dir, 0755) == 0 || errno == EEXIST);
	if (mount("exitlab-full", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=512k"))
		fail_msg("mount tmpfs on %s: %s", dir, strerror(errno));
	snprintf(small_mnt, sizeof(small_mnt), "%s", dir);
	snprintf(path, sizeof(path), "%s/keep.json", dir);
	before = harness_slurp(src, &blen);
	assert_non_null(before);
	write_file(path, before, blen);
	snprintf(fill, sizeof(fill), "%s/fill", dir);
	f = fopen(fill, "w");
	assert_non_null(f);
	while (fputc('x', f) != EOF && fflush(f) == 0)
		;
	fclose(f);
	harness_run(&o, (const char *[]){ "run", "exit-costs", "--quick", "--ring", "3", "--test", "cpuid",
					  "--json", path, NULL });
	if (o.exit_code != 1 || !strstr(o.err, path) || !strstr(o.err, strerror(ENOSPC)))
		fail_msg("exit %d, want 1 with %s and '%s'; stderr:\n%s", o.exit_code, path, strerror(ENOSPC),
			 o.err);
	harness_free(&o);
	now = harness_slurp(path, &len);
	assert_non_null(now);
	assert_true(len == blen && !memcmp(now, before, len));
	free(now);
	free(before);
	assert_no_temp(dir, "keep.json");
	assert_int_equal(umount2(dir, MNT_DETACH), 0);
	small_mnt[0] = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_json),
		cmocka_unit_test(test_results_csv),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_report_markdown_chart),
		cmocka_unit_test(test_campaign_manifest),
		cmocka_unit_test(test_full_tmpfs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
