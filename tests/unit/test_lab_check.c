/* SPDX-License-Identifier: MIT */
/*
 * The course labs' checker (analysis/lab_spec.c, lab_check.c, lab_calibrate.c):
 * a good hand-in of lab 2, made of results files written by results_write_json,
 * passes against the shipped spec; wrong ones are refused, each with the
 * message that says why (a file missing, a test missing, another lab's
 * results, a wrong parameter or device, a doctored figure, a corrupt file,
 * no answers).  Specs with errors are refused naming the field.  Every spec
 * in labs/ loads, and every exitlab command and option in a handout's sh
 * blocks exists (build/exitlab CMD --help).  Run from the repository root.
 */
#include <ftw.h>
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

#include "analysis/lab_calibrate.h"
#include "analysis/lab_check.h"
#include "analysis/lab_handout.h"
#include "analysis/lab_spec.h"
#include "analysis/results.h"

#define LAB2 "labs/02-exit-anatomy.json"

struct fx {
	char dir[64];                 /* the temporary root */
	char handin[128];             /* dir/lab-2 */
	char *out;                    /* the checker's feedback */
	size_t outlen;
};

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static struct test_result *row(struct run_result *r, const char *name, int ring, double exits, double user,
			       double median)
{
	struct test_result *t = results_add_test(r);

	assert_non_null(t);
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->where, sizeof(t->where), "%s", ring < 0 ? "host" : "guest");
	t->ring = ring;
	t->status = TEST_OK;
	t->iterations = 1000;
	t->has_timing = true;
	t->cycles = (struct sample_stats){ .n = 1000, .median = median, .p1 = median * 0.9, .p99 = median * 1.5,
		.min = median * 0.8, .max = median * 2, .mean = median, .mad = 10 };
	t->ns = t->cycles;
	t->calib.resolution_cycles = __builtin_nan("");
	if (ring >= 0) {
		t->has_exits = true;
		t->exits_per_iteration = exits;
		t->userspace_exits_per_iteration = user;
	}
	return t;
}

static void write_run(struct run_result *r, const char *path)
{
	char err[512];

	assert_int_equal(results_write_json(r, path, err, sizeof(err)), 0);
	results_free(r);
}

/* What lab 2's step 3 writes, on backend; one row changed by the caller through *tweak. */
static void lab2_catalogue(const char *path, const char *payload, const char *backend, const char *skip_test,
			   double cpuid3_exits)
{
	struct run_result r = { 0 };
	char ctx[128];

	snprintf(r.payload, sizeof(r.payload), "%s", payload);
	strcpy(r.started_at, "2026-12-01T10:00:00Z");
	snprintf(ctx, sizeof(ctx), "{\"kvm\": {\"backend\": \"%s\"}}", backend);
	r.context_json = strdup(ctx);
	r.config_json = strdup("{\"rings\": [0, 3], \"iterations\": null, \"devices\": []}");
	row(&r, "cpuid", 0, !strcmp(backend, "kvm_pvm") ? 0.0 : 1.0, 0, 1500);
	row(&r, "cpuid", 3, cpuid3_exits, 0, 1500);
	row(&r, "syscall", 3, 0, 0, 100);
	row(&r, "host_syscall", -1, 0, 0, 400);
	row(&r, "pio_vmm", 0, 1.0, 1.0, 4000);
	if (strcmp(skip_test, "pio_vmm"))
		row(&r, "pio_vmm", 3, 1.0, 1.0, 4000);
	row(&r, "pio_ioeventfd", 3, 1.0, 0, 2000);
	row(&r, "mmio_vmm", 3, 1.0, 1.0, 5000);
	row(&r, "mmio_ioeventfd", 3, 1.0, 0, 2500);
	row(&r, "mmio_coalesced", 3, 1.0, 0.004, 2500);
	write_run(&r, path);
}

/* What lab 2's step 5 writes: 10000 iterations at CPL3 (or iters). */
static void lab2_coalesced(const char *path, long iters)
{
	struct run_result r = { 0 };
	char cfg[128];

	strcpy(r.payload, "exit-costs");
	strcpy(r.started_at, "2026-12-01T10:00:00Z");
	r.context_json = strdup("{\"kvm\": {\"backend\": \"kvm_amd\"}}");
	snprintf(cfg, sizeof(cfg), "{\"rings\": [3], \"iterations\": %ld, \"devices\": [{\"model\": \"e1000\"}]}",
		 iters);
	r.config_json = strdup(cfg);
	row(&r, "mmio_coalesced", 3, 1.003, 0.0059, 2500)->iterations = (uint64_t)iters;
	row(&r, "mmio_vmm", 3, 1.003, 1.0, 5000)->iterations = (uint64_t)iters;
	write_run(&r, path);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/exitlab-labs-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->handin, sizeof(f->handin), "%s/lab-2", f->dir);
	if (mkdir(f->handin, 0755))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f->out);
	free(f);
	return 0;
}

static void good_handin(struct fx *f)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/exit-costs.json", f->handin);
	lab2_catalogue(p, "exit-costs", "kvm_amd", "", 1.0);
	snprintf(p, sizeof(p), "%s/coalesced.json", f->handin);
	lab2_coalesced(p, 10000);
	snprintf(p, sizeof(p), "%s/answers.md", f->handin);
	write_file(p, "Q1: about five host syscalls.\n\nQ2: the return to user space.\nQ3: decoding.\n"
		      "Q4: 170 writes.\n\n**Q5:** no difference on SVM.\n");
}

/* Check the hand-in against spec path; the number of failed items; feedback in f->out. */
static int check(struct fx *f, const char *spec_path)
{
	struct lab_spec s;
	char err[1024];
	FILE *out;
	int rc;

	if (lab_spec_load(spec_path, &s, err, sizeof(err)))
		fail_msg("%s", err);
	free(f->out);
	f->out = NULL;
	out = open_memstream(&f->out, &f->outlen);
	assert_non_null(out);
	rc = lab_check(&s, f->handin, out, err, sizeof(err));
	fclose(out);
	lab_spec_free(&s);
	fprintf(stderr, "%s", f->out);
	assert_true(rc >= 0);
	return rc;
}

static void says(const struct fx *f, const char *frag)
{
	if (!strstr(f->out, frag))
		fail_msg("no '%s' in the feedback:\n%s", frag, f->out);
}

static void test_good_handin_passes(void **state)
{
	struct fx *f = *state;

	good_handin(f);
	assert_int_equal(check(f, LAB2), 0);
	says(f, "ok    ");
	says(f, "3 of 3 items pass: hand-in complete");
	assert_null(strstr(f->out, "FAIL"));
}

static void test_missing_file(void **state)
{
	struct fx *f = *state;
	char p[256];

	good_handin(f);
	snprintf(p, sizeof(p), "%s/coalesced.json", f->handin);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(check(f, LAB2), 1);
	says(f, "FAIL  ");
	says(f, "lab-2/coalesced.json: missing");
}

static void test_missing_test(void **state)
{
	struct fx *f = *state;
	char p[256];

	good_handin(f);
	snprintf(p, sizeof(p), "%s/exit-costs.json", f->handin);
	lab2_catalogue(p, "exit-costs", "kvm_amd", "pio_vmm", 1.0);
	assert_int_equal(check(f, LAB2), 1);
	says(f, "exit-costs.json: the test pio_vmm at cpl3 missing");
}

static void test_results_of_another_lab(void **state)
{
	struct fx *f = *state;
	char p[256];

	good_handin(f);
	snprintf(p, sizeof(p), "%s/exit-costs.json", f->handin);
	lab2_catalogue(p, "mem-walk", "kvm_amd", "", 1.0);
	assert_int_equal(check(f, LAB2), 1);
	says(f, "exit-costs.json: payload is mem-walk, expected exit-costs");
}

static void test_wrong_param(void **state)
{
	struct fx *f = *state;
	char p[256];

	good_handin(f);
	snprintf(p, sizeof(p), "%s/coalesced.json", f->handin);
	lab2_coalesced(p, 5000);
	assert_int_equal(check(f, LAB2), 1);
	says(f, "coalesced.json: iterations is 5000, expected 10000");
	says(f, "mmio_coalesced cpl3: iterations 5000 outside [10000, 10000]");
}

/* A spec of our own naming a device: the run had an e1000, not a virtio-net. */
static void test_wrong_device(void **state)
{
	struct fx *f = *state;
	char p[256], spec[256], md[256];

	good_handin(f);
	snprintf(md, sizeof(md), "%s/09-dev.md", f->dir);
	write_file(md, "# Lab 9: dev\n");
	snprintf(spec, sizeof(spec), "%s/09-dev.json", f->dir);
	write_file(spec, "{\"lab\": 9, \"title\": \"dev\", \"handout\": \"09-dev.md\", \"minutes\": 1, \"items\": ["
			 "{\"file\": \"coalesced.json\", \"payload\": \"exit-costs\", \"params\": {\"device\": \"virtio-net\"}}]}");
	assert_int_equal(check(f, spec), 1);
	says(f, "device virtio-net expected (--device virtio-net), the run had e1000");
	write_file(spec, "{\"lab\": 9, \"title\": \"dev\", \"handout\": \"09-dev.md\", \"minutes\": 1, \"items\": ["
			 "{\"file\": \"coalesced.json\", \"payload\": \"exit-costs\", \"params\": {\"device\": \"e1000\"}}]}");
	assert_int_equal(check(f, spec), 0);
	(void)p;
}

static void test_doctored_figure(void **state)
{
	struct fx *f = *state;
	char p[256];

	good_handin(f);
	snprintf(p, sizeof(p), "%s/exit-costs.json", f->handin);
	lab2_catalogue(p, "exit-costs", "kvm_amd", "", 0.2);
	assert_int_equal(check(f, LAB2), 1);
	says(f, "exit-costs.json: cpuid cpl3: exits_per_iteration 0.2 outside [0.9, 1.5] (any)");
}

/* PVM counts no exit for what it emulates at CPL0: its own entry replaces "any". */
static void test_backend_entry_wins(void **state)
{
	struct fx *f = *state;
	char p[256];

	good_handin(f);
	snprintf(p, sizeof(p), "%s/exit-costs.json", f->handin);
	lab2_catalogue(p, "exit-costs", "kvm_pvm", "", 1.0);
	assert_int_equal(check(f, LAB2), 0);
	lab2_catalogue(p, "exit-costs", "kvm_intel", "", 1.0);
	assert_int_equal(check(f, LAB2), 0);
}

static void test_corrupt_results(void **state)
{
	struct fx *f = *state;
	char p[256];

	good_handin(f);
	snprintf(p, sizeof(p), "%s/exit-costs.json", f->handin);
	write_file(p, "{\"schema\": \"exitlab-results\", \"schema_version\": 1, \"payload\": ");
	assert_int_equal(check(f, LAB2), 1);
	says(f, "exit-costs.json: not exitlab results: ");
	says(f, "not valid JSON");
	write_file(p, "{\"hello\": 1}\n");
	assert_int_equal(check(f, LAB2), 1);
	says(f, "not an exitlab results file");
}

static void test_missing_answers(void **state)
{
	struct fx *f = *state;
	char p[256];

	good_handin(f);
	snprintf(p, sizeof(p), "%s/answers.md", f->handin);
	write_file(p, "Q1: yes\nQ2:\n\nQ4: no\nQ5: maybe\n");
	assert_int_equal(check(f, LAB2), 1);
	says(f, "answers.md: Q2, Q3 missing or empty");
	assert_int_equal(unlink(p), 0);
	assert_int_equal(check(f, LAB2), 1);
	says(f, "answers.md: No such file or directory");
}

static void test_handin_dir_unreadable(void **state)
{
	struct fx *f = *state;
	struct lab_spec s;
	char err[1024];

	assert_int_equal(lab_spec_load(LAB2, &s, err, sizeof(err)), 0);
	assert_int_equal(lab_check(&s, "/nonexistent/lab-2", stderr, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/lab-2: No such file or directory"));
	lab_spec_free(&s);
	(void)f;
}

/* Spec errors: each names the file and the field. */
static void spec_refused(struct fx *f, const char *name, const char *text, const char *frag)
{
	char path[256], md[256], err[1024];
	struct lab_spec s;

	snprintf(md, sizeof(md), "%s/09-x.md", f->dir);
	write_file(md, "# Lab 9: x\n");
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	write_file(path, text);
	assert_int_equal(lab_spec_load(path, &s, err, sizeof(err)), -1);
	fprintf(stderr, "%s\n", err);
	if (!strstr(err, path) || !strstr(err, frag))
		fail_msg("expected '%s' naming %s, got: %s", frag, path, err);
}

#define HEAD "{\"lab\": 9, \"title\": \"x\", \"handout\": \"09-x.md\", \"minutes\": 1, "

static void test_spec_errors(void **state)
{
	struct fx *f = *state;

	spec_refused(f, "09-x.json", HEAD "\"items\": [", "not valid JSON");
	spec_refused(f, "09-x.json", HEAD "\"items\": [{\"file\": \"a.json\", \"payload\": \"p\", \"tests\": ["
		     "{\"name\": \"t\", \"ranges\": {\"any\": {\"cycles.medain\": [1, 2]}}}]}]}",
		     "items[0].tests[0].ranges.any.cycles.medain: unknown field");
	spec_refused(f, "09-x.json", HEAD "\"items\": [{\"file\": \"a.json\", \"payload\": \"p\", \"tests\": ["
		     "{\"name\": \"t\", \"ranges\": {\"any\": {\"iterations\": \"many\"}}}]}]}",
		     "items[0].tests[0].ranges.any.iterations: expected [lo, hi] (two numbers), got a string");
	spec_refused(f, "09-x.json", HEAD "\"items\": [{\"file\": \"a.json\", \"payload\": \"p\", \"tests\": ["
		     "{\"name\": \"t\", \"ranges\": {\"kvm_vmx\": {}}}]}]}",
		     "items[0].tests[0].ranges.kvm_vmx: unknown backend");
	spec_refused(f, "09-x.json", HEAD "\"items\": [{\"file\": \"a.json\", \"payload\": \"p\", \"tests\": ["
		     "{\"name\": \"t\", \"ranges\": {\"any\": {\"exits_per_iteration\": [2, 1]}}}]}]}",
		     "lo 2 is above hi 1");
	spec_refused(f, "09-x.json", HEAD "\"items\": [{\"file\": \"a.json\", \"payload\": \"p\", \"rnages\": {}}]}",
		     "items[0].rnages: unknown key");
	spec_refused(f, "09-x.json", "{\"lab\": 9, \"title\": \"x\", \"handout\": \"09-x.md\", \"minutes\": \"3\", "
		     "\"items\": []}", "minutes: expected an integer, got a string");
	spec_refused(f, "09-x.json", HEAD "\"items\": [{\"file\": \"a.json\", \"payload\": \"p\", "
		     "\"tests\": [{\"name\": \"t\", \"status\": [\"fine\"]}]}]}", "items[0].tests[0].status[0]");
	spec_refused(f, "04-x.json", HEAD "\"items\": []}", "lab: 9, but the file name says lab 4");
	spec_refused(f, "09-x.json", "{\"lab\": 9, \"title\": \"x\", \"handout\": \"nope.md\", \"minutes\": 1, "
		     "\"items\": []}", "handout: ");
	spec_refused(f, "09-x.json", HEAD "\"items\": [{\"file\": \"../a.json\", \"payload\": \"p\"}]}",
		     "items[0].file: must be a path inside the hand-in directory");
	spec_refused(f, "09-x.json", "[1, 2]", "expected a JSON object, got an array");
}

/* Every spec in the tree loads (labs written elsewhere are checked when merged). */
static void test_every_spec_loads(void **state)
{
	char **paths, err[1024];
	int n = lab_spec_paths("labs", &paths, err, sizeof(err));
	(void)state;

	if (n < 0)
		fail_msg("%s", err);
	assert_true(n >= 3);
	for (int i = 0; i < n; i++) {
		struct lab_spec s;

		if (lab_spec_load(paths[i], &s, err, sizeof(err)))
			fail_msg("%s", err);
		assert_true(s.nitems > 0);
		lab_spec_free(&s);
	}
	lab_spec_paths_free(paths, n);
}

/* build/exitlab ARGS' exit status, its stdout+stderr in *out. */
static int run_exitlab(const char *args, char **out)
{
	char cmd[1024], buf[4096];
	size_t len = 0;
	FILE *p, *o;
	int st;

	snprintf(cmd, sizeof(cmd), "build/exitlab %s 2>&1", args);
	o = open_memstream(out, &len);
	assert_non_null(o);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(buf, sizeof(buf), p))
		fputs(buf, o);
	st = pclose(p);
	fclose(o);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Each command's --help text, looked up once. */
struct helps {
	char cmd[32][32];
	char *text[32];
	int rc[32];
	int n;
};

static int help_of(struct helps *h, const char *cmd)
{
	char args[64];

	for (int i = 0; i < h->n; i++)
		if (!strcmp(h->cmd[i], cmd))
			return i;
	assert_true(h->n < 32);
	snprintf(h->cmd[h->n], sizeof(h->cmd[0]), "%s", cmd);
	snprintf(args, sizeof(args), "%s --help", cmd);
	h->rc[h->n] = run_exitlab(args, &h->text[h->n]);
	return h->n++;
}

/*
 * Every `exitlab CMD ...` in a handout's sh blocks (continuation lines joined,
 * split at && || ; |): CMD exists (its --help exits 0) and each --option of
 * the line is in that help.  A command this build lacks (new-payload, which
 * the payload kit adds) is reported, and the test skips naming it only when
 * nothing else is wrong.
 */
static void test_handout_commands_exist(void **state)
{
	char **paths, err[1024], absent[512] = "";
	struct helps h = { .n = 0 };
	int n = lab_spec_paths("labs", &paths, err, sizeof(err)), bad = 0, nlines = 0;
	struct stat st;
	(void)state;

	if (stat("build/exitlab", &st))
		fail_msg("build/exitlab is missing: make all first");
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		char md[512], *cmds, *line, *save = NULL;
		size_t l = strlen(paths[i]);

		snprintf(md, sizeof(md), "%.*s.md", (int)l - 5, paths[i]);
		cmds = lab_handout_commands(md, false, err, sizeof(err));
		if (!cmds)
			fail_msg("%s", err);
		/* join continuation lines */
		for (char *c = cmds; (c = strstr(c, "\\\n"));)
			c[0] = c[1] = ' ';
		for (line = strtok_r(cmds, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *seg, *s2 = NULL;

			for (char *c = line; *c; c++)
				if (*c == '&' || *c == '|' || *c == ';')
					*c = '\n';
			for (seg = strtok_r(line, "\n", &s2); seg; seg = strtok_r(NULL, "\n", &s2)) {
				char *w, *s3 = NULL, cmd[32];
				int k;

				w = strtok_r(seg, " \t", &s3);
				if (!w || (strcmp(w, "exitlab") && strcmp(w, "build/exitlab")))
					continue;
				w = strtok_r(NULL, " \t", &s3);
				assert_non_null(w);
				snprintf(cmd, sizeof(cmd), "%s", w);
				k = help_of(&h, cmd);
				nlines++;
				if (h.rc[k]) {
					if (strstr(h.text[k], "unknown command") && !strcmp(cmd, "new-payload")) {
						if (!strstr(absent, cmd) && strlen(absent) + strlen(cmd) + 2 < sizeof(absent))
							strcat(strcat(absent, cmd), " ");
						continue;
					}
					fprintf(stderr, "%s: exitlab %s: no such command (--help exits %d)\n", md, cmd, h.rc[k]);
					bad++;
					continue;
				}
				while ((w = strtok_r(NULL, " \t", &s3)))
					if (!strncmp(w, "--", 2)) {
						char opt[64];

						snprintf(opt, sizeof(opt), "%.*s", (int)strcspn(w, "="), w);
						if (!strstr(h.text[k], opt)) {
							fprintf(stderr, "%s: exitlab %s: no option %s in its --help\n", md, cmd, opt);
							bad++;
						}
					}
			}
		}
		free(cmds);
	}
	for (int i = 0; i < h.n; i++)
		free(h.text[i]);
	lab_spec_paths_free(paths, n);
	assert_true(nlines > 0);
	assert_int_equal(bad, 0);
	if (absent[0]) {
		fprintf(stderr, "not in this build: exitlab %s\n", absent);
		skip();
	}
}

/* The command's exit codes: 0 pass, 1 an item fails, 2 no such lab or hand-in. */
static void test_cli_exit_codes(void **state)
{
	struct fx *f = *state;
	char args[512], *out;

	good_handin(f);
	setenv("EXITLAB_LABS", "labs", 1);
	snprintf(args, sizeof(args), "lab check 2 %s", f->handin);
	assert_int_equal(run_exitlab(args, &out), 0);
	free(out);
	snprintf(args, sizeof(args), "lab check 1 %s", f->handin);
	assert_int_equal(run_exitlab(args, &out), 1);
	assert_non_null(strstr(out, "cpl0.json: missing"));
	free(out);
	assert_int_equal(run_exitlab("lab check 42", &out), 2);
	assert_non_null(strstr(out, "no lab 42"));
	free(out);
	assert_int_equal(run_exitlab("lab check 2 /nonexistent/x", &out), 2);
	free(out);
	assert_int_equal(run_exitlab("lab check two", &out), 2);
	free(out);
	assert_int_equal(run_exitlab("lab list", &out), 0);
	assert_non_null(strstr(out, "Anatomy and cost of an exit"));
	free(out);
	assert_int_equal(run_exitlab("lab show 2", &out), 0);
	assert_non_null(strstr(out, "exitlab run exit-costs --quick --json lab-2/exit-costs.json"));
	free(out);
	unsetenv("EXITLAB_LABS");
}

/* calibrate: the reference's backend gets ranges around its figures; "any" stays. */
static void test_calibrate(void **state)
{
	struct fx *f = *state;
	struct lab_spec s;
	char err[1024];
	double lo, hi;
	json_t *r;

	good_handin(f);
	assert_int_equal(lab_spec_load(LAB2, &s, err, sizeof(err)), 0);
	assert_int_equal(lab_calibrate(&s, f->handin, stderr, err, sizeof(err)), 0);
	r = json_object_get(json_object_get(json_array_get(json_object_get(json_array_get(
		json_object_get(s.root, "items"), 1), "tests"), 0), "ranges"), "kvm_amd");
	assert_non_null(r);
	lo = json_number_value(json_array_get(json_object_get(r, "userspace_exits_per_iteration"), 0));
	hi = json_number_value(json_array_get(json_object_get(r, "userspace_exits_per_iteration"), 1));
	assert_true(lo == 0 && hi > 0.0059 && hi < 0.3);
	lo = json_number_value(json_array_get(json_object_get(r, "iterations"), 0));
	hi = json_number_value(json_array_get(json_object_get(r, "iterations"), 1));
	assert_true(lo == 10000 && hi == 10000);    /* a requirement, copied */
	lab_spec_free(&s);
	lab_calibrate_range("cycles.median", 1000, &lo, &hi);
	assert_true(lo == 250 && hi == 4000);
	lab_calibrate_range("exits_per_iteration", 1.0, &lo, &hi);
	assert_true(lo == 0.65 && hi == 1.35);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_handin_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_test, setup, teardown),
		cmocka_unit_test_setup_teardown(test_results_of_another_lab, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_param, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doctored_figure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_entry_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handin_dir_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spec_errors, setup, teardown),
		cmocka_unit_test(test_every_spec_loads),
		cmocka_unit_test_setup_teardown(test_cli_exit_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_calibrate, setup, teardown),
		cmocka_unit_test(test_handout_commands_exist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
