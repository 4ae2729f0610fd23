/* SPDX-License-Identifier: MIT */
/*
 * What exitlab tells a Linux guest it boots (`exitlab run linux`), and what
 * the guest-side tool inside reads: the bench protocol (bench_proto.h) from
 * Linux userspace.
 *
 * The kernel command line carries
 *     exitlab.bench=MAILBOX,PORT,BUF,LEN
 * in hex (0x...): the guest-physical address of the one-page mailbox, the
 * doorbell port, and a buffer [BUF, BUF+LEN) for sample arrays whose GPAs go
 * in PHASE_END/OVERHEAD.  The VMM marks the mailbox page and the buffer
 * reserved in the e820 map, so that Linux never uses them as RAM; the tool
 * maps both through /dev/mem (below 1 MiB, or e820-reserved: allowed under
 * STRICT_DEVMEM) and rings the doorbell with `outl` after iopl(3).  Without
 * the key the tool runs its workloads unmeasured and says so.
 */
#ifndef EXITLAB_LINUX_GUEST_H
#define EXITLAB_LINUX_GUEST_H

#define LINUX_BENCH_KEY        "exitlab.bench="
#define LINUX_BENCH_MAILBOX    0x10000ULL      /* = BOOT_MAILBOX_GPA: below 1 MiB */
#define LINUX_BENCH_BUF_GPA    0x100000000ULL  /* at 4 GiB, above any low RAM and the PCI hole */
#define LINUX_BENCH_BUF_LEN    (16ULL << 20)   /* 2M samples of 8 bytes */

#endif
