/* SPDX-License-Identifier: MIT */
/*
 * A FIFO where exitlab expects an input file (payload ELF, results file,
 * manifest, campaign file) is refused at once with "not a regular file" and
 * the name, never waited on: run, results list|show|csv, report, plot,
 * compare and campaign (also --resume), each as the path given and, where a
 * store is read, as a manifest or an entry's results file inside it.  Each
 * command runs under an alarm, so a regression fails the test instead of
 * hanging the suite; no timing is asserted.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
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

/* Far beyond any start-up under ASan on a busy host: only a blocked command gets there. */
#ifndef HANG_S
#define HANG_S 60
#endif

static char *read_fd(int fd)
{
	size_t cap = 4096, len = 0;
	char *b = malloc(cap);
	ssize_t n;

	assert_non_null(b);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, b + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 2)
			assert_non_null(b = realloc(b, cap *= 2));
	}
	b[len] = 0;
	return b;
}

/*
 * harness_run with an alarm armed in the child (it survives exec): a command
 * blocked on the FIFO dies of SIGALRM and the test fails, naming it.
 */
static void run_bounded(struct run_out *o, const char *const *args)
{
	char outp[] = "/tmp/exitlab-fifo-out-XXXXXX", errp[] = "/tmp/exitlab-fifo-err-XXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp), status;
	const char *argv[32] = { harness_exitlab() };
	size_t n = 1;
	pid_t pid;

	assert_true(ofd >= 0 && efd >= 0);
	unlink(outp);
	unlink(errp);
	while (args[n - 1] && n < 31) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		alarm(HANG_S);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	o->out = read_fd(ofd);
	o->err = read_fd(efd);
	close(ofd);
	close(efd);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
		harness_free(o);
		fail_msg("exitlab %s %s: still blocked after %d s (on the FIFO?)", args[0], args[1] ? args[1] : "",
			 HANG_S);
	}
	o->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Run args; expect exit code `code` and "not a regular file" beside the name `what` on stderr. */
static void expect_refused(int code, const char *what, const char *const *args)
{
	struct run_out o;

	bool ok;

	run_bounded(&o, args);
	ok = o.exit_code == code && strstr(o.err, "not a regular file") && strstr(o.err, what);
	if (!ok)
		fprintf(stderr, "exitlab %s %s: exit %d (want %d), stderr:\n%s", args[0], args[1] ? args[1] : "",
			o.exit_code, code, o.err);
	harness_free(&o);
	assert_true(ok);
}

static void make_fifo(char *path, size_t len, const char *name)
{
	snprintf(path, len, "%s/%s", harness_tmp, name);
	assert_int_equal(mkfifo(path, 0644), 0);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void mkdir_in(char *path, size_t len, const char *name)
{
	snprintf(path, len, "%s/%s", harness_tmp, name);
	assert_int_equal(mkdir(path, 0755), 0);
}

/* A run directory whose one done entry's results file, entries/000.json, is a FIFO. */
static const char manifest[] =
	"{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"fifo\",\n"
	" \"campaign_file\": \"fifo.yaml\", \"started_at\": \"2026-12-01T10:00:00Z\",\n"
	" \"updated_at\": \"2026-12-01T10:01:00Z\", \"host\": {\"hostname\": \"testhost\"},\n"
	" \"exitlab_revision\": \"test\", \"entries\": [\n"
	"  {\"id\": 0, \"name\": \"exit-costs/rep1\", \"payload\": \"exit-costs\", \"args\": [],\n"
	"   \"repetition\": 1, \"timeout_s\": 60, \"status\": \"done\", \"exit_code\": 0,\n"
	"   \"results\": \"entries/000.json\", \"started_at\": null, \"duration_s\": 1, \"reason\": null}\n"
	" ]}\n";

static void test_run_payload(void **state)
{
	char elf[600];

	(void)state;
	make_fifo(elf, sizeof(elf), "payload.elf");
	expect_refused(2, elf, (const char *[]){ "run", elf, "--timeout", "5", NULL });
}

static void test_results_commands(void **state)
{
	char f[600], store[600], run[700], p[800];

	(void)state;
	make_fifo(f, sizeof(f), "results.json");
	expect_refused(2, f, (const char *[]){ "results", "list", f, NULL });
	expect_refused(2, f, (const char *[]){ "results", "show", f, NULL });
	expect_refused(2, f, (const char *[]){ "results", "csv", f, NULL });

	/* in a store: the manifest of one run a FIFO, the results file of another's entry a FIFO */
	mkdir_in(store, sizeof(store), "store");
	snprintf(run, sizeof(run), "%s/a-run", store);
	assert_int_equal(mkdir(run, 0755), 0);
	snprintf(p, sizeof(p), "%s/manifest.json", run);
	assert_int_equal(mkfifo(p, 0644), 0);
	snprintf(run, sizeof(run), "%s/b-run", store);
	assert_int_equal(mkdir(run, 0755), 0);
	snprintf(p, sizeof(p), "%s/manifest.json", run);
	write_text(p, manifest);
	snprintf(p, sizeof(p), "%s/entries", run);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/entries/000.json", run);
	assert_int_equal(mkfifo(p, 0644), 0);
	/* what cannot be read in a store is named and skipped: exit 1 */
	expect_refused(1, "a-run/manifest.json", (const char *[]){ "results", "list", store, NULL });
	expect_refused(1, "b-run/entries/000.json", (const char *[]){ "results", "list", store, NULL });
	expect_refused(1, "b-run/entries/000.json", (const char *[]){ "results", "show", run, NULL });
	expect_refused(1, "b-run/entries/000.json", (const char *[]){ "results", "csv", run, NULL });
}

static void test_report_and_plot(void **state)
{
	char f[600], run[600], p[800], out[700];

	(void)state;
	make_fifo(f, sizeof(f), "report-in.json");
	snprintf(out, sizeof(out), "%s/report-out.html", harness_tmp);
	expect_refused(2, f, (const char *[]){ "report", f, "-o", out, NULL });
	expect_refused(2, f, (const char *[]){ "plot", f, "-o", out, NULL });

	mkdir_in(run, sizeof(run), "plot-run");
	snprintf(p, sizeof(p), "%s/manifest.json", run);
	assert_int_equal(mkfifo(p, 0644), 0);
	expect_refused(2, "manifest.json", (const char *[]){ "plot", run, NULL });
	expect_refused(1, "manifest.json", (const char *[]){ "report", run, "-o", out, NULL });

	mkdir_in(run, sizeof(run), "report-run");
	snprintf(p, sizeof(p), "%s/manifest.json", run);
	write_text(p, manifest);
	snprintf(p, sizeof(p), "%s/entries", run);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/entries/000.json", run);
	assert_int_equal(mkfifo(p, 0644), 0);
	expect_refused(1, "entries/000.json", (const char *[]){ "report", run, "-o", out, NULL });
	expect_refused(2, "entries/000.json", (const char *[]){ "plot", p, "-o", out, NULL });
}

static void test_compare(void **state)
{
	char f[600], run[600], p[800];

	(void)state;
	make_fifo(f, sizeof(f), "compare.json");
	/* not "No such file or directory": the file is there, it is not a regular file */
	expect_refused(2, f, (const char *[]){ "compare", f, f, NULL });

	mkdir_in(run, sizeof(run), "compare-run");
	snprintf(p, sizeof(p), "%s/manifest.json", run);
	assert_int_equal(mkfifo(p, 0644), 0);
	expect_refused(2, "manifest.json", (const char *[]){ "compare", run, run, NULL });
}

static void test_campaign(void **state)
{
	char f[600], dir[600], p[800];

	(void)state;
	make_fifo(f, sizeof(f), "campaign.yaml");
	expect_refused(2, f, (const char *[]){ "campaign", f, "--dry-run", NULL });

	mkdir_in(dir, sizeof(dir), "resume-run");
	snprintf(p, sizeof(p), "%s/manifest.json", dir);
	assert_int_equal(mkfifo(p, 0644), 0);
	expect_refused(2, "manifest.json", (const char *[]){ "campaign", "--resume", dir, NULL });
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_payload),
		cmocka_unit_test(test_results_commands),
		cmocka_unit_test(test_report_and_plot),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_campaign),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
