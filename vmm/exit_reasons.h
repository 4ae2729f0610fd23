/* SPDX-License-Identifier: MIT */
/* Names of KVM_EXIT_* userspace exit reasons; unknown ones print their number. */
#ifndef EXITLAB_EXIT_REASONS_H
#define EXITLAB_EXIT_REASONS_H

#define KVM_EXIT_REASON_SLOTS 64 /* counters kept per reason; larger ones share the last */

/* Static name, or NULL if the reason is not in our table. */
const char *kvm_exit_reason_name(unsigned reason);

#endif
