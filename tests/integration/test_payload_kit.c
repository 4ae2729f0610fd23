/* SPDX-License-Identifier: MIT */
/*
 * The payload kit as a student uses it: `make install PREFIX=<tmp>/prefix`
 * from this tree, `<prefix>/bin/exitlab new-payload mytest`, then `make` in a
 * directory outside the tree with an environment that sees only the install
 * (PKG_CONFIG_PATH at the prefix, no path of this tree anywhere in the
 * scaffold or the build's command lines); `exitlab list` reads the new ELF's
 * catalogue and, where /dev/kvm is usable, `exitlab run` measures its example
 * test with the exits it declares.  The testbed has no compiler: there the KVM
 * case runs the ELF `make` built the same way beforehand (EXITLAB_KIT_ELF,
 * the Makefile's build/tests/kit/, scripts/testbed/itests.list).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

static char top[1024];          /* this tree: the tests run from its top */
static char prefix[1024];       /* <tmp>/prefix */
static char scaffold[1024];     /* <tmp>/mytest */
static char elf[1200];          /* <tmp>/mytest/mytest.elf */
static int built = -1;              /* -1 not tried, 0 failed, 1 done */

/* Run a shell command (printf-style), its output into <tmp>/LOG; the exit code, -1 if killed. */
static int sh(const char *log, const char *fmt, ...)
{
	char cmd[8192], full[9000];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "( %s ) >'%s/%s' 2>&1", cmd, harness_tmp, log);
	st = system(full);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static char *log_text(const char *log)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", harness_tmp, log);
	return harness_slurp(path, NULL);
}

static void show_log(const char *log)
{
	char *t = log_text(log);

	fprintf(stderr, "--- %s:\n%s", log, t ? t : "(none)\n");
	free(t);
}

/* Why the kit cannot be built here (the testbed has no make or compiler), or NULL. */
static const char *no_toolchain(void)
{
	if (system("command -v make >/dev/null 2>&1 && command -v cc >/dev/null 2>&1") != 0)
		return "no make or cc here (the testbed runs the kit's KVM case on a prebuilt ELF)";
	return NULL;
}

/* make from a clean environment: the parent's make variables must not leak in. */
#define MAKE "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make"
/* What a student's shell has: the system's tools and the installed kit, nothing of this tree. */
#define STUDENT_ENV "env -i PATH=/usr/bin:/bin HOME='%s' PKG_CONFIG_PATH='%s/lib/pkgconfig'"

/* Install, scaffold and build once for every case that needs them; 1 if done. */
static int kit_build(void)
{
	if (built >= 0)
		return built;
	built = 0;
	snprintf(prefix, sizeof(prefix), "%s/prefix", harness_tmp);
	snprintf(scaffold, sizeof(scaffold) - 16, "%s/mytest", harness_tmp);
	snprintf(elf, sizeof(elf), "%s/mytest.elf", scaffold);
	/* `all` is built before the tests: install copies, it does not rebuild. */
	if (sh("install.log", MAKE " -s -j2 -C '%s' install PREFIX='%s'", top, prefix)) {
		show_log("install.log");
		return 0;
	}
	if (sh("new.log", "cd '%s' && '%s/bin/exitlab' new-payload mytest --dir '%s'", harness_tmp, prefix,
	       scaffold)) {
		show_log("new.log");
		return 0;
	}
	/* Not -s: the command lines are checked for paths into this tree. */
	if (sh("build.log", "cd '%s' && " STUDENT_ENV " make -C '%s'", harness_tmp, harness_tmp, prefix,
	       scaffold)) {
		show_log("build.log");
		return 0;
	}
	built = 1;
	return 1;
}

static void need_kit(void)
{
	HARNESS_SKIP_IF(no_toolchain());
	assert_int_equal(kit_build(), 1);
}

static void assert_file(const char *dir, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		fail_msg("%s is not installed", path);
}

static void test_install_layout(void **state)
{
	char *pc, want[PATH_MAX + 16];
	(void)state;

	need_kit();
	assert_file(prefix, "bin/exitlab");
	assert_file(prefix, "lib/exitlab/payloads/exit-costs.elf");
	assert_file(prefix, "lib/exitlab/libguest.a");
	assert_file(prefix, "lib/exitlab/payload.ld");
	assert_file(prefix, "include/exitlab-guest/measure.h");
	assert_file(prefix, "include/exitlab-guest/guest_catalogue.h");
	/* The runtime's headers include the ABI as "exitlab/NAME.h": that layout is kept. */
	assert_file(prefix, "include/exitlab-guest/exitlab/boot_abi.h");
	assert_file(prefix, "include/exitlab-guest/exitlab/catalogue.h");
	assert_file(prefix, "share/exitlab/payload.mk");
	assert_file(prefix, "lib/pkgconfig/exitlab-guest.pc");
	snprintf(want, sizeof(want), "%s/lib/pkgconfig/exitlab-guest.pc", prefix);
	pc = harness_slurp(want, NULL);
	assert_non_null(pc);
	snprintf(want, sizeof(want), "prefix=%s\n", prefix);
	assert_non_null(strstr(pc, want));
	/* The flags the tree's own payloads are built with (the Makefile's GUEST_KIT_*). */
	assert_non_null(strstr(pc, "-ffreestanding"));
	assert_non_null(strstr(pc, "-fno-toplevel-reorder"));
	assert_non_null(strstr(pc, "-mcmodel=kernel"));
	assert_non_null(strstr(pc, "-Wl,-T,${payload_ld}"));
	free(pc);
}

/* Nothing the scaffold holds, nor any command its build ran, names this tree. */
static void test_scaffold_outside_tree(void **state)
{
	static const char *const files[] = { "Makefile", "main.c", "README.md" };
	char path[PATH_MAX];
	struct stat st;
	char *t;
	(void)state;

	need_kit();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", scaffold, files[i]);
		t = harness_slurp(path, NULL);
		assert_non_null(t);
		if (strstr(t, top) || strstr(t, "guest-payloads/lib") || strstr(t, "-Iinclude"))
			fail_msg("%s names exitlab's source tree (%s)", path, top);
		if (!strcmp(files[i], "Makefile"))
			assert_non_null(strstr(t, prefix));
		if (!strcmp(files[i], "main.c"))
			assert_non_null(strstr(t, "EXITS(1, 0)"));
		free(t);
	}
	t = log_text("build.log");
	assert_non_null(t);
	if (strstr(t, top))
		fail_msg("the build reached into the source tree:\n%s", t);
	free(t);
	assert_int_equal(stat(elf, &st), 0);
	assert_true(st.st_size > 0);
}

/* The installed binary lists the new ELF by path (its catalogue: no KVM needed). */
static void test_installed_list(void **state)
{
	json_t *doc, *p, *t, *tests;
	char out[PATH_MAX], *text;
	bool found = false;
	size_t i;
	(void)state;

	need_kit();
	assert_int_equal(sh("list.log", "cd '%s' && '%s/bin/exitlab' list ./mytest/mytest.elf", harness_tmp, prefix),
			 0);
	text = log_text("list.log");
	assert_non_null(strstr(text, "cpuid"));
	free(text);
	snprintf(out, sizeof(out), "%s/list.json", harness_tmp);
	assert_int_equal(sh("list-json.log", "'%s/bin/exitlab' list '%s' --json >'%s'", prefix, elf, out), 0);
	doc = harness_load_json(out);
	assert_non_null(doc);
	p = json_array_get(json_object_get(doc, "payloads"), 0);
	assert_non_null(p);
	assert_true(json_is_true(json_object_get(p, "catalogue")));
	tests = json_object_get(p, "tests");
	json_array_foreach(tests, i, t) {
		if (strcmp(json_string_value(json_object_get(t, "name")), "cpuid"))
			continue;
		found = true;
		assert_int_equal(json_integer_value(json_object_get(t, "exits_per_operation")), 1);
		assert_int_equal(json_integer_value(json_object_get(t, "userspace_exits_per_operation")), 0);
		assert_int_equal(json_array_size(json_object_get(t, "rings")), 2);
	}
	assert_true(found);
	json_decref(doc);
}

/* By name, the installed binary finds the installed payloads (PREFIX/lib/exitlab/payloads), from anywhere. */
static void test_installed_finds_payloads(void **state)
{
	char out[PATH_MAX], want[PATH_MAX + 32];
	json_t *doc, *p;
	(void)state;

	need_kit();
	snprintf(out, sizeof(out), "%s/exit-costs.json", harness_tmp);
	assert_int_equal(sh("byname.log", "cd / && '%s/bin/exitlab' list exit-costs --json >'%s'", prefix, out), 0);
	doc = harness_load_json(out);
	assert_non_null(doc);
	p = json_array_get(json_object_get(doc, "payloads"), 0);
	snprintf(want, sizeof(want), "%s/lib/exitlab/payloads/exit-costs.elf", prefix);
	assert_string_equal(json_string_value(json_object_get(p, "path")), want);
	json_decref(doc);
	assert_int_equal(sh("all.log", "cd / && '%s/bin/exitlab' list", prefix), 0);
}

/* An installed exitlab draws charts away from the tree: its gnuplot scripts are installed too. */
static void test_installed_plots(void **state)
{
	char results[PATH_MAX], png[PATH_MAX + 16];
	struct stat st;
	(void)state;

	need_kit();
	HARNESS_SKIP_IF(system("command -v gnuplot >/dev/null 2>&1") ? "no gnuplot on this host" : NULL);
	assert_file(prefix, "share/exitlab/scripts/plot-exit-costs.gp");
	assert_non_null(realpath("tests/data/results/files/exit-costs.json", results));
	snprintf(png, sizeof(png), "%s/installed-plot.png", harness_tmp);
	assert_int_equal(sh("plot.log", "cd / && env -u EXITLAB_SCRIPTS '%s/bin/exitlab' plot '%s' -o '%s'", prefix,
			    results, png), 0);
	assert_int_equal(stat(png, &st), 0);
	assert_true(st.st_size > 0);
}

/* An installed exitlab finds the course labs (share/exitlab/labs) away from the tree. */
static void test_installed_labs(void **state)
{
	(void)state;

	need_kit();
	assert_file(prefix, "share/exitlab/labs/README.md");
	assert_int_equal(sh("labs.log", "cd / && env -u EXITLAB_LABS '%s/bin/exitlab' lab list | grep -q '^ *1 '",
			    prefix), 0);
}

/* A scaffold pointed at a prefix without the kit builds through pkg-config. */
static void test_pkg_config_fallback(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	struct stat st;
	char *t;
	(void)state;

	need_kit();
	snprintf(dir, sizeof(dir), "%s/viapc", harness_tmp);
	assert_int_equal(sh("viapc-new.log", "'%s/bin/exitlab' new-payload viapc --dir '%s' --prefix '%s/nothing'",
			    prefix, dir, harness_tmp), 0);
	t = log_text("viapc-new.log");
	assert_non_null(strstr(t, "no payload kit at"));
	free(t);
	if (sh("viapc-build.log", "cd '%s' && " STUDENT_ENV " make -s -C '%s'", harness_tmp, harness_tmp, prefix,
	       dir)) {
		show_log("viapc-build.log");
		fail();
	}
	snprintf(path, sizeof(path), "%s/viapc.elf", dir);
	assert_int_equal(stat(path, &st), 0);
	/* Without pkg-config's answer either, make says what is missing. */
	assert_int_not_equal(sh("nokit.log", "cd '%s' && env -i PATH=/usr/bin:/bin make -s -C '%s' clean all",
				harness_tmp, dir), 0);
	t = log_text("nokit.log");
	assert_non_null(strstr(t, "payload kit not found"));
	free(t);
}

/* A staged install (DESTDIR) carries the final prefix; uninstall removes what install put there. */
static void test_destdir_and_uninstall(void **state)
{
	char stage[PATH_MAX], path[PATH_MAX + 64];
	struct stat st;
	char *pc;
	(void)state;

	HARNESS_SKIP_IF(no_toolchain());
	snprintf(stage, sizeof(stage), "%s/stage", harness_tmp);
	assert_int_equal(sh("stage.log", MAKE " -s -j2 -C '%s' install DESTDIR='%s' PREFIX=/opt/exitlab", top,
			    stage), 0);
	snprintf(path, sizeof(path), "%s/opt/exitlab", stage);
	assert_file(path, "bin/exitlab");
	assert_file(path, "lib/exitlab/payloads/exit-costs.elf");
	assert_file(path, "share/exitlab/payload.mk");
	snprintf(path, sizeof(path), "%s/opt/exitlab/lib/pkgconfig/exitlab-guest.pc", stage);
	pc = harness_slurp(path, NULL);
	assert_non_null(pc);
	assert_non_null(strstr(pc, "prefix=/opt/exitlab\n"));
	free(pc);
	assert_int_equal(sh("unstage.log", MAKE " -s -C '%s' uninstall DESTDIR='%s' PREFIX=/opt/exitlab", top,
			    stage), 0);
	snprintf(path, sizeof(path), "%s/opt/exitlab/bin/exitlab", stage);
	assert_int_not_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/opt/exitlab/lib/exitlab", stage);
	assert_int_not_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/opt/exitlab/include/exitlab-guest", stage);
	assert_int_not_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/opt/exitlab/lib/pkgconfig/exitlab-guest.pc", stage);
	assert_int_not_equal(stat(path, &st), 0);
}

static void test_bad_name(void **state)
{
	static const char *const bad[] = { "MyTest", "my test", "a/b", "..", "x.y", "",
					   "abcdefghijklmnopqrstuvwxyz0123456" };
	char dir[PATH_MAX];
	struct run_out o;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/bad%zu", harness_tmp, i);
		harness_run(&o, (const char *[]){ "new-payload", bad[i], "--dir", dir, NULL });
		if (o.exit_code != 2 || !strstr(o.err, "not a payload name"))
			fail_msg("new-payload '%s': exit %d, %s", bad[i], o.exit_code, o.err);
		assert_int_not_equal(access(dir, F_OK), 0);
		harness_free(&o);
	}
	/* No NAME, two NAMEs. */
	harness_run(&o, (const char *[]){ "new-payload", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "new-payload", "a", "b", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "new-payload", "--help", NULL });
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "--prefix PREFIX"));
	harness_free(&o);
}

static void test_existing_dir(void **state)
{
	char dir[PATH_MAX], file[PATH_MAX + 16], *t;
	struct run_out o;
	FILE *f;
	(void)state;

	/* A directory with something in it is left alone. */
	snprintf(dir, sizeof(dir), "%s/taken", harness_tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(file, sizeof(file), "%s/notes.txt", dir);
	assert_non_null(f = fopen(file, "w"));
	fputs("mine\n", f);
	fclose(f);
	harness_run(&o, (const char *[]){ "new-payload", "taken", "--dir", dir, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "not empty"));
	harness_free(&o);
	snprintf(file, sizeof(file), "%s/Makefile", dir);
	assert_int_not_equal(access(file, F_OK), 0);
	/* So is a file where the directory would be. */
	snprintf(file, sizeof(file), "%s/notes.txt", dir);
	harness_run(&o, (const char *[]){ "new-payload", "taken", "--dir", file, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "not a directory"));
	harness_free(&o);
	t = harness_slurp(file, NULL);
	assert_string_equal(t, "mine\n");
	free(t);
	/* An empty directory is used. */
	snprintf(dir, sizeof(dir), "%s/empty", harness_tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	harness_run(&o, (const char *[]){ "new-payload", "empty", "--dir", dir, "--prefix", "/opt/kit", NULL });
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	snprintf(file, sizeof(file), "%s/Makefile", dir);
	t = harness_slurp(file, NULL);
	assert_non_null(t);
	assert_non_null(strstr(t, "EXITLAB_PREFIX ?= /opt/kit\n"));
	assert_non_null(strstr(t, "NAME := empty\n"));
	free(t);
}

static double num(json_t *t, const char *key)
{
	json_t *v = json_object_get(t, key);

	if (!json_is_number(v))
		fail_msg("%s is not a number", key);
	return json_number_value(v);
}

/* The kit's payload under KVM: cpuid at each ring, ok, valid, one KVM exit per operation as declared. */
static void test_kit_payload_runs(void **state)
{
	const char *given = getenv("EXITLAB_KIT_ELF");
	char json[PATH_MAX];
	struct run_out o;
	json_t *doc;
	(void)state;

	HARNESS_NEED_KVM();
	if (!given || !*given)
		need_kit();
	snprintf(json, sizeof(json), "%s/kit-run.json", harness_tmp);
	harness_run(&o, (const char *[]){ "run", given && *given ? given : elf, "--quick", "--no-baseline",
					  "--timeout", "600", "--json", json, NULL });
	if (o.exit_code != 0)
		fail_msg("exitlab run exited %d: %s", o.exit_code, o.err);
	harness_free(&o);
	doc = harness_load_json(json);
	assert_non_null(doc);
	for (int ring = 0; ring <= 3; ring += 3) {
		json_t *t = harness_find_test(doc, "cpuid", ring);

		assert_non_null(t);
		assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
		assert_true(json_is_true(json_object_get(t, "valid")));
		/* PVM emulates CPL0: there the exits are the emulator's, not the hardware's. */
		if (json_is_true(json_object_get(t, "emulated")))
			continue;
		if (num(t, "exits_per_iteration") < 0.5 || num(t, "exits_per_iteration") >= 1.5)
			fail_msg("cpuid at CPL%d: %.3f KVM exits per operation, 1 declared", ring,
				 num(t, "exits_per_iteration"));
		assert_true(num(t, "userspace_exits_per_iteration") < 0.5);
	}
	json_decref(doc);
}

static int setup(void **state)
{
	if (!getcwd(top, sizeof(top)))
		return -1;
	return harness_group_setup(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_name),
		cmocka_unit_test(test_existing_dir),
		cmocka_unit_test(test_install_layout),
		cmocka_unit_test(test_scaffold_outside_tree),
		cmocka_unit_test(test_installed_list),
		cmocka_unit_test(test_installed_finds_payloads),
		cmocka_unit_test(test_installed_plots),
		cmocka_unit_test(test_installed_labs),
		cmocka_unit_test(test_pkg_config_fallback),
		cmocka_unit_test(test_destdir_and_uninstall),
		cmocka_unit_test(test_kit_payload_runs),
	};

	return cmocka_run_group_tests(tests, setup, harness_group_teardown);
}
