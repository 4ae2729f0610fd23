/* SPDX-License-Identifier: MIT */
/* Seconds on CLOCK_MONOTONIC: for timeouts and durations, never for measurements. */
#ifndef EXITLAB_MONO_TIME_H
#define EXITLAB_MONO_TIME_H

#include <time.h>

static inline double mono_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
