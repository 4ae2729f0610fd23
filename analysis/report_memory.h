/* SPDX-License-Identifier: MIT */
/* mem-walk's summary: virtualized ÷ native per working set and guest page size. */
#ifndef EXITLAB_REPORT_MEMORY_H
#define EXITLAB_REPORT_MEMORY_H

#include <stdio.h>

#include "analysis/results.h"

/* Prints nothing unless the run has mem-walk's chase and native_chase tests. */
/* What a mem-walk chase (guest) or native_chase (host) test measured at. */
struct memory_key {
	long long ws;     /* working set, bytes */
	char page[8];     /* guest_page (chase) or host_page (native) */
	char host[8];     /* host_page of the guest's RAM */
};

/* 0 with k filled from t's params, -1 if they lack a working set. */
int memory_key_of(const struct test_result *t, struct memory_key *k);
/* The timed native_chase of r at working set ws on host pages page ("4k", "thp"), or NULL. */
const struct test_result *memory_native_for(const struct run_result *r, long long ws, const char *page);
void report_memory_print(FILE *f, const struct run_result *r);

#endif
