/* SPDX-License-Identifier: MIT */
/*
 * A payload's catalogue as the host reads it from the payload's ELF file
 * (include/exitlab/catalogue.h): its tests and parameters, for `exitlab
 * list`, for checking --test, --param and campaign entries before anything
 * runs, and for judging results (validity.h).  The file is untrusted input:
 * every record is checked before use.
 */
#ifndef EXITLAB_CATALOGUE_HOST_H
#define EXITLAB_CATALOGUE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "exitlab/catalogue.h"

struct catalogue {
	bool present;                   /* the file has a catalogue section */
	struct catalogue_payload info;  /* name and help ("" if not declared) */
	struct catalogue_test *tests;   /* in declaration order; names may be patterns ("vq-*") */
	size_t ntests;
	struct catalogue_param *params;
	size_t nparams;
};

/* From an ELF image in memory. 0 (c->present says whether it had one), or -1 with err. */
int catalogue_parse(const void *elf, size_t len, struct catalogue *c, char *err, size_t errlen);
/* The same from a file. */
int catalogue_load(const char *path, struct catalogue *c, char *err, size_t errlen);
void catalogue_free(struct catalogue *c);

/* The test whose name (or pattern) matches name, or NULL. */
const struct catalogue_test *catalogue_test_find(const struct catalogue *c, const char *name);
const struct catalogue_param *catalogue_param_find(const struct catalogue *c, const char *key);

/*
 * Check --test selections ("NAME", "NAME/cpl0", "NAME/cpl3"), each of which
 * must run at one of rings (the --ring mask; 0 = any), and a "k=v k=v"
 * parameter list against the catalogue.  0 if all are declared, else -1 with
 * err saying which one is not and, where a declared one is close, "did you
 * mean". A catalogue not present checks nothing (0).
 */
int catalogue_check_tests(const struct catalogue *c, const char *payload, char *const *tests,
			  size_t n, unsigned int rings, char *err, size_t errlen);
int catalogue_check_params(const struct catalogue *c, const char *payload, const char *params,
			   char *err, size_t errlen);

/*
 * For `exitlab run`: parse the image's catalogue into c (empty if it has
 * none) and check the selections and parameters.  0, or -1 with err.
 */
int catalogue_check_run(struct catalogue *c, const void *elf, size_t len, const char *payload,
			char *const *tests, size_t ntests, unsigned int rings, const char *params, char *err,
			size_t errlen);

/* "cpl0,cpl3" for a ring mask. */
const char *catalogue_rings_name(unsigned int rings);

#endif
