// SPDX-License-Identifier: MIT
/*
 * scripts/check-layers.sh: the tree's own layering holds, and the check fails
 * on each kind of edge it exists to refuse (an include upward, between two
 * layers of one rank, by a bare name, from guest code into host code), naming
 * the file, the line and the edge, while downward includes pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#define CHECK "scripts/check-layers.sh"

struct tree {
	char dir[64];
};

static void put(struct tree *t, const char *path, const char *text)
{
	char p[512], cmd[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", t->dir, path);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	assert_int_equal(system(cmd), 0);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A small tree whose includes all point down: the baseline each case breaks. */
static int setup(void **state)
{
	static struct tree t;

	snprintf(t.dir, sizeof(t.dir), "/tmp/exitlab-layers-XXXXXX");
	if (!mkdtemp(t.dir))
		return -1;
	put(&t, "include/exitlab/abi.h", "\n");
	put(&t, "util/text.h", "#include \"exitlab/abi.h\"\n");
	put(&t, "vmm/vm.h", "#include \"util/text.h\"\n");
	put(&t, "vmm/vm.c", "#include <stdio.h>\n#include \"vmm/vm.h\"\n");
	put(&t, "devices/net/nic.c", "#include \"vmm/vm.h\"\n");
	put(&t, "instruments/stats.h", "#include \"vmm/vm.h\"\n");
	put(&t, "analysis/results.h", "#include \"instruments/stats.h\"\n");
	put(&t, "run/run.c", "#include \"analysis/results.h\"\n#include \"devices/net/nic.c\"\n");
	put(&t, "campaign/plan.c", "#include \"analysis/results.h\"\n");
	put(&t, "cli/main.c", "#include \"run/run.c\"\n#include \"campaign/plan.c\"\n");
	put(&t, "guest-payloads/lib/io.h", "#include \"exitlab/abi.h\"\n");
	put(&t, "guest-payloads/net/main.c", "#include \"io.h\"\n#include \"local.h\"\n");
	put(&t, "guest-payloads/net/local.h", "\n");
	*state = &t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Runs the check on dir; returns its exit code, its stderr in out. */
static int check(const char *dir, char *out, size_t len)
{
	char cmd[256];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd), CHECK " '%s' 2>&1 >/dev/null", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	st = pclose(p);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_this_tree_holds(void **state)
{
	char out[8192];

	(void)state;
	assert_int_equal(check(".", out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void test_downward_tree_passes(void **state)
{
	struct tree *t = *state;
	char out[4096];

	assert_int_equal(check(t->dir, out, sizeof(out)), 0);
}

/* Adds one include to file, expects the check to fail naming want, then undoes it. */
static void refuse(struct tree *t, const char *file, const char *include, const char *want)
{
	char p[512], out[4096];
	FILE *f;
	long size;

	snprintf(p, sizeof(p), "%s/%s", t->dir, file);
	f = fopen(p, "a");
	assert_non_null(f);
	size = ftell(f);
	fprintf(f, "#include \"%s\"\n", include);
	fclose(f);
	assert_int_equal(check(t->dir, out, sizeof(out)), 1);
	if (!strstr(out, want))
		fail_msg("expected \"%s\" in: %s", want, out);
	assert_int_equal(truncate(p, size), 0);
	assert_int_equal(check(t->dir, out, sizeof(out)), 0);
}

static void test_upward_refused(void **state)
{
	refuse(*state, "vmm/vm.c", "analysis/results.h",
	       "vmm/vm.c:3: vmm (rank 2) may not include analysis/results.h");
	refuse(*state, "analysis/results.h", "cli/main.c", "analysis (rank 4) may not include cli/main.c");
	refuse(*state, "util/text.h", "vmm/vm.h", "util (rank 1) may not include vmm/vm.h");
}

static void test_same_rank_refused(void **state)
{
	refuse(*state, "devices/net/nic.c", "instruments/stats.h",
	       "devices (rank 3) may not include instruments/stats.h");
	refuse(*state, "campaign/plan.c", "run/run.c", "campaign (rank 5) may not include run/run.c");
}

static void test_bare_name_refused(void **state)
{
	refuse(*state, "run/run.c", "results.h", "run/run.c:3: #include \"results.h\" is not a path from the top");
	refuse(*state, "vmm/vm.c", "nowhere/x.h", "is not a path from the top");
}

static void test_guest_into_host_refused(void **state)
{
	refuse(*state, "guest-payloads/net/main.c", "vmm/vm.h",
	       "guest code may include only exitlab/ and guest-payloads/ files, not \"vmm/vm.h\"");
}

static void test_bad_usage(void **state)
{
	char out[512];

	(void)state;
	assert_int_equal(check("/nonexistent-exitlab-dir", out, sizeof(out)), 2);
	assert_non_null(strstr(out, "is not a directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_this_tree_holds),
		cmocka_unit_test(test_downward_tree_passes),
		cmocka_unit_test(test_upward_refused),
		cmocka_unit_test(test_same_rank_refused),
		cmocka_unit_test(test_bare_name_refused),
		cmocka_unit_test(test_guest_into_host_refused),
		cmocka_unit_test(test_bad_usage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
