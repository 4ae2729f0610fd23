/* SPDX-License-Identifier: MIT */
/*
 * How a command ends, which is also its process exit code: every layer that
 * reports an outcome upward uses these, so that "bad input" and "the host
 * lacks something" keep their meaning from where they are found to the shell.
 */
#ifndef EXITLAB_OUTCOME_H
#define EXITLAB_OUTCOME_H

enum {
	EXIT_OK = 0,        /* success */
	EXIT_FAILED = 1,    /* a test failed or the guest faulted */
	EXIT_USAGE = 2,     /* bad usage or input */
	EXIT_NOHOST = 3,    /* the host lacks something required */
};

#endif
