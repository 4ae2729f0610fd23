/* SPDX-License-Identifier: MIT */
/*
 * How a command ends, which is also its process exit code: every layer that
 * reports an outcome upward uses these, so that "bad input" and "the host
 * lacks something" keep their meaning from where they are found (guest RAM
 * that cannot be backed, a vCPU that stops, the bench device's DONE) to the
 * shell. An enum outcome is its exit code: no mapping in between.
 */
#ifndef EXITLAB_OUTCOME_H
#define EXITLAB_OUTCOME_H

enum outcome {
	OUTCOME_OK = 0,        /* success */
	OUTCOME_FAILED = 1,    /* a test failed, the guest faulted or timed out, an error of ours */
	OUTCOME_BAD_INPUT = 2, /* bad usage or input */
	OUTCOME_NO_HOST = 3,   /* the host lacks something required */
};

/* The same values under the names the commands return. */
enum {
	EXIT_OK = OUTCOME_OK,
	EXIT_FAILED = OUTCOME_FAILED,
	EXIT_USAGE = OUTCOME_BAD_INPUT,
	EXIT_NOHOST = OUTCOME_NO_HOST,
};

static inline int outcome_exit_code(enum outcome o)
{
	return (int)o;
}

#endif
