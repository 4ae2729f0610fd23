/* SPDX-License-Identifier: MIT */
/*
 * How exitlab prints JSON reals in every file and document it writes.
 * Jansson's default (17 significant digits) round-trips every double
 * exactly but prints 0.99 as 0.98999999999999999. 15 digits print 0.99 as
 * 0.99 and lose at most 5e-15 of a value: integers below 10^15 (cycle
 * counts, sample values) come back exactly, and no figure exitlab measures
 * has a tenth of those digits.
 */
#ifndef EXITLAB_JSON_OUT_H
#define EXITLAB_JSON_OUT_H

#include <jansson.h>

#define EXITLAB_JSON_REALS JSON_REAL_PRECISION(15)

#endif
