/* SPDX-License-Identifier: MIT */
/*
 * The payload runtime.  entry.S calls runtime_init(bi), then the payload's
 * payload_main(bi), then reports BENCH_DONE with its return value (0 = ok).
 */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include "exitlab/boot_abi.h"

/* Defined by each payload. */
int payload_main(const struct boot_info *bi);

/* The boot_info the VMM passed in RDI. */
extern const struct boot_info *boot_info;

void runtime_init(const struct boot_info *bi);
void runtime_exit(int status) __attribute__((noreturn));

/* Linker-script symbols: the image spans [__image_start, __image_end). */
extern char __image_start[], __image_end[];

#endif
