/* SPDX-License-Identifier: MIT */
/*
 * A course lab's checker spec (labs/NN-slug.json, format in labs/README.md):
 * which results files a hand-in holds, which tests each must have, with
 * which status, parameters and figures.  Read with jansson and validated
 * whole before anything is checked: every error names the file and the
 * field.  Where the labs are found: lab_dir().
 */
#ifndef EXITLAB_LAB_SPEC_H
#define EXITLAB_LAB_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#define LAB_MAX 99

/* One field's allowed interval, e.g. exits_per_iteration in [0.9, 1.3]. */
struct lab_range {
	char field[64];
	double lo, hi;
};

/* The ranges of one backend ("any", "kvm_intel", "kvm_amd", "kvm_pvm"). */
struct lab_ranges {
	char backend[16];
	struct lab_range *r;
	size_t n;
};

/* One required test row (or, with a pattern for a name, one row among those that match). */
struct lab_test {
	char name[64];                /* a name or an fnmatch pattern ("*") */
	int ring;                     /* 0, 3, or -1: any ring */
	unsigned int statuses;        /* bit (1 << enum test_status) per allowed status */
	int valid;                    /* -1 not checked, else the row's "valid" must equal it */
	bool declared_exits;          /* the payload's catalogue declares EXITS for the test */
	char not_in[32];              /* the name must not be in this payload's catalogue ("" no check) */
	struct lab_ranges *ranges;
	size_t nranges;
};

/* One results file of the hand-in. */
struct lab_item {
	char file[128];               /* relative to the hand-in directory */
	char what[160];
	char payload[32];             /* the results' "payload", or "*" for any */
	json_t *params;               /* {key: "value"} or NULL */
	struct lab_test *tests;
	size_t ntests;
};

struct lab_spec {
	char path[512];               /* the spec file, for messages */
	int lab;
	char title[128];
	char handout[128];            /* beside the spec */
	int minutes;
	int questions;                /* answers.md must hold Q1..Qk; 0 none */
	struct lab_item *items;
	size_t nitems;
	json_t *root;                 /* the document as read (calibrate rewrites it) */
};

/*
 * Load and validate path.  0, or -1 with err naming the file and the field
 * ("labs/02-x.json: items[0].tests[1].ranges.any.cycles.medain: unknown field").
 * The lab number must be the one the file name starts with, and the handout
 * must exist beside it.
 */
int lab_spec_load(const char *path, struct lab_spec *s, char *err, size_t errlen);
void lab_spec_free(struct lab_spec *s);

/* Whether field is a row field the checker can read (see lab_row_value). */
bool lab_field_known(const char *field);

/*
 * The labs directory: $EXITLAB_LABS, else labs/ beside the binary's folder
 * (build/exitlab -> labs/), else share/exitlab/labs beside an installed
 * bin/exitlab, else ./labs.  0, or -1 with err saying where it looked.
 */
int lab_dir(char *buf, size_t len, char *err, size_t errlen);

/* DIR/NN-*.json for lab n: 0, or -1 (no such lab, err says so). */
int lab_spec_path(const char *dir, int n, char *path, size_t len, char *err, size_t errlen);

/* Every DIR/NN-*.json, sorted; returns how many (paths malloc'd), -1 on error. */
int lab_spec_paths(const char *dir, char ***paths, char *err, size_t errlen);
void lab_spec_paths_free(char **paths, int n);

/*
 * exitlab lab list: one line per spec in dir (number, title, minutes); a
 * spec that does not load is named on errs with the reason.  The number of
 * such specs, or -1 when dir cannot be read (err).
 */
int lab_list(FILE *out, FILE *errs, const char *dir, char *err, size_t errlen);

#endif
