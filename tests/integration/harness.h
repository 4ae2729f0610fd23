/* SPDX-License-Identifier: MIT */
/* Integration-test helpers: run the (sanitized) exitlab binary and capture what it said. */
#ifndef EXITLAB_TEST_HARNESS_H
#define EXITLAB_TEST_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct run_out {
	int exit_code;     /* -1 if killed by a signal */
	char *out, *err;   /* captured stdout / stderr, NUL-terminated */
};

/* Path of the exitlab binary under test (EXITLAB_BIN, default build/exitlab-san). */
const char *harness_exitlab(void);
/* Path of a built payload: build/payloads/NAME.elf. */
const char *harness_payload(const char *name);
/* Run exitlab with a NULL-terminated argument list (argv[0] excluded). */
int harness_run(struct run_out *o, const char *const *args);
/* The same as user `uid` (needs root); -2 if the switch failed. */
int harness_run_as(struct run_out *o, int uid, const char *const *args);
void harness_free(struct run_out *o);
/* NULL if KVM is usable here, else a one-line reason to skip. */
const char *harness_kvm_missing(void);
/* A fresh temporary directory (removed by harness_rmdir). */
char *harness_tmpdir(void);
void harness_rmdir(char *dir);
/* A fresh temporary directory for the whole test file: made by harness_group_setup, removed by teardown. */
extern char *harness_tmp;
int harness_group_setup(void **state);
int harness_group_teardown(void **state);
/* A JSON document from path, or NULL with the parser's reason on stderr. */
json_t *harness_load_json(const char *path);
/* The whole file, NUL-terminated (malloc'd), its length in *len if len; NULL if it cannot be read. */
char *harness_slurp(const char *path, size_t *len);
/*
 * Every link target "](NAME)" of a Markdown text: a plain file name (no '/',
 * no http) of a file in dir of more than min_bytes. Returns how many.
 * Links within the document ("](#anchor)") are not counted.
 */
size_t harness_md_links(const char *md, const char *dir, long min_bytes);
/* Skip the calling cmocka test, with the one-line reason, when reason is not NULL. */
#define HARNESS_SKIP_IF(reason)                                  \
	do {                                                     \
		const char *why_ = (reason);                     \
		if (why_) {                                      \
			fprintf(stderr, "skipped: %s\n", why_);  \
			skip();                                  \
		}                                                \
	} while (0)
/* Skip the calling cmocka test, with the one-line reason, where KVM is not usable. */
#define HARNESS_NEED_KVM() HARNESS_SKIP_IF(harness_kvm_missing())

/* The sanitizers said nothing in o's stderr, and exitlab was not killed by a signal (fails the test). */
void harness_assert_sanitizers_silent(const struct run_out *o);
/* The test object named `name` at `ring` in a results document, or NULL. */
json_t *harness_find_test(json_t *doc, const char *name, int ring);
/*
 * Start exitlab with args (at most 30) in a child, without waiting: stdout and
 * stderr to outpath, appended to if append, else truncated.
 */
pid_t harness_spawn(const char *const *args, const char *outpath, bool append);
/* Lines in an `exitlab run --progress` file: the tests finished so far (0 if none yet). */
int harness_progress_lines(const char *path);

#endif
