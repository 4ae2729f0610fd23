/* SPDX-License-Identifier: MIT */
/*
 * Whether guest-directed interrupts reach a running vCPU without a VM exit:
 * APICv with posted interrupts on kvm_intel (module parameter enable_apicv,
 * the CPU's vmx flag posted_intr), AVIC on kvm_amd (parameter avic, CPU flag
 * avic).  Read from what hostinfo already collected; docs/host-info.md.
 */
#ifndef EXITLAB_HOSTINFO_IRQVIRT_H
#define EXITLAB_HOSTINFO_IRQVIRT_H

#include <jansson.h>

/*
 * kvm.interrupt_virtualization (new reference): backend "kvm_intel", ...;
 * params the kvm.params object ({module: {name: value}}); flags the CPU's
 * flags_of_interest array (NULL or null when unreadable).
 */
json_t *hostinfo_irq_virt(const char *backend, json_t *params, json_t *flags);

#endif
