/* SPDX-License-Identifier: MIT */
/*
 * A lab handout's commands: the lines of its fenced ```sh blocks, in order
 * (the ones under "## Steps", or all), as `exitlab lab show` prints them and
 * scripts/lab-commands.sh extracts them for the testbed.
 */
#ifndef EXITLAB_LAB_HANDOUT_H
#define EXITLAB_LAB_HANDOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The commands, one per line (malloc'd, "" when none), or NULL with err. */
char *lab_handout_commands(const char *path, bool steps_only, char *err, size_t errlen);

/* DIR/HANDOUT's path for spec s (the handout lies beside the spec). */
void lab_handout_path(const char *spec_path, const char *handout, char *buf, size_t len);

/* exitlab lab show: the handout's path, then its steps' commands. 0, or -1 with err. */
int lab_show(FILE *out, const char *spec_path, const char *handout, char *err, size_t errlen);

#endif
