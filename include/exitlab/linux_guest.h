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
 * reserved in the e820 map, so that Linux never uses them as RAM.  The buffer
 * is the top LINUX_BENCH_BUF_LEN bytes of RAM below 4 GiB (so it is backed by
 * guest RAM whatever --mem is: 0xf000000 with the default 256 MiB): its
 * address depends on --mem, the key is the only place to read it.  The tool
 * maps both through /dev/mem (below 1 MiB, or e820-reserved: allowed under
 * STRICT_DEVMEM) and rings the doorbell with `outl` after iopl(3).  Under a
 * peer VMM (exitlab run linux --vmm qemu) the key is
 *     exitlab.bench=com2,MAILBOX,PORT,BUF,LEN
 * with PORT COM2's data port: the tool writes the command's low byte there
 * (through /dev/port: the kernel's outb) and waits in the mailbox for the
 * reply (BENCH_REPLY_PENDING until then),
 * and both ranges are reserved by memmap= (docs/peer-vmm.md).  Without the
 * key the tool runs its workloads unmeasured and says so.
 */
#ifndef EXITLAB_LINUX_GUEST_H
#define EXITLAB_LINUX_GUEST_H

#define LINUX_BENCH_KEY        "exitlab.bench="
#define LINUX_BENCH_MAILBOX    0x10000ULL      /* = BOOT_MAILBOX_GPA: below 1 MiB */
#define LINUX_BENCH_BUF_LEN    (16ULL << 20)   /* 2M samples of 8 bytes */

#endif
