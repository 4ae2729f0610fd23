/* SPDX-License-Identifier: MIT */
/* With several vCPUs: each test's KVM exits per operation on every vCPU, and their sum. */
#ifndef EXITLAB_REPORT_VCPUS_H
#define EXITLAB_REPORT_VCPUS_H

#include <stdio.h>

#include "analysis/results.h"

/* Nothing when no test has a "vcpus" object (one vCPU). */
void report_vcpus_print(FILE *f, const struct run_result *r);

#endif
