/* SPDX-License-Identifier: MIT */
/*
 * exitlab lab calibrate: a spec's ranges from a reference hand-in.  For each
 * test with ranges, the fields they name are read from the reference's rows
 * and a range for the reference's backend is written around them: counts
 * (fields naming exits) within 0.25 + 10 % of the value, every other figure
 * within a factor of 4; a one-point "any" range (a required value such as
 * iterations) is copied as it is.  "any" and the other backends are left as
 * they were.
 */
#ifndef EXITLAB_LAB_CALIBRATE_H
#define EXITLAB_LAB_CALIBRATE_H

#include <stdio.h>

#include "analysis/lab_spec.h"

/*
 * Rewrite s->root's ranges from the hand-in in dir; notes (what was left
 * alone, and why) to notes.  0, or -1 with err (a file missing or not
 * results, no backend recorded).
 */
int lab_calibrate(struct lab_spec *s, const char *dir, FILE *notes, char *err, size_t errlen);

/* The widened range around v for field (see above). */
void lab_calibrate_range(const char *field, double v, double *lo, double *hi);

#endif
