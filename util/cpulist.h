/* SPDX-License-Identifier: MIT */
/* A list of CPU numbers as the kernel writes them ("0-3,8,10-11"), in the order given. */
#ifndef EXITLAB_CPULIST_H
#define EXITLAB_CPULIST_H

#include <stddef.h>

/*
 * Parse s into cpus[0..*n): single numbers and ranges a-b (a <= b), comma
 * separated, each CPU below limit and named once. 0, or -1 with err saying
 * what is wrong (empty, a bad number, a range backwards, a repeat, more than
 * max CPUs).
 */
int cpulist_parse(const char *s, unsigned limit, unsigned *cpus, size_t max, size_t *n, char *err,
		  size_t errlen);

#endif
