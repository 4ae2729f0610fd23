// SPDX-License-Identifier: MIT
/*
 * devices/vfio: the configuration space and BARs the guest sees for a
 * passed-through function (the fake e1000e of unit/vfio_fake.h), accessed
 * as the host bridge does (pci_config_read/write, the BAR bus ops).
 * Checked: IDs and class are the device's and read-only, the header type
 * loses its multifunction bit, no ROM, INTA# (VFIO has INTx); BAR sizing, kinds,
 * prefetch bit; placement and moves re-map the KVM slots (only inside our
 * MMIO window, only while memory decoding is on; BARs moved onto each
 * other keep one slot, the other trapped); COMMAND is forwarded;
 * the capability list is the device's, MSI emulated in place in our
 * layout or, short of room, in the device's own (unlinked when not even
 * that fits), MSI-X emulated in place; other capabilities read live from the
 * device and writes reach it; 1/2/4-byte and unaligned accesses, writes
 * past 256 and past 4096 bytes; hostile capability lists from a device
 * (loops, pointers into the header or at themselves, MSI-X with no room);
 * trapped BAR accesses forwarded, the MSI-X pages never reaching the
 * device; and the whole function behind the real host bridge (placement at
 * pci_host_add, ECAM and CF8 access, window dispatch).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "devices/pci/pci_host.h"
#include "vmm/vm.h"
#include "tests/unit/vfio_fake.h"

struct fx {
	struct fake_vfio f;
	struct fake_ram r;
	struct vfio_dev v;
	struct pci_device *d;
};

static struct fx *fx_new(void (*tweak)(struct fake_vfio *f))
{
	struct fx *x = calloc(1, sizeof(*x));
	char err[256];

	if (fake_dev_setup(&x->f, &x->r, &x->v, &x->d, tweak, err, sizeof(err)))
		fail_msg("init: %s", err);
	return x;
}

static void fx_free(struct fx *x)
{
	vfio_dev_destroy(&x->v);
	assert_int_equal(fake_open_fds(&x->f), 0);
	assert_int_equal(x->f.slots_used, 0);
	fake_ram_fini(&x->r);
	fake_fini(&x->f);
	free(x);
}

static uint32_t rd(struct fx *x, unsigned off, unsigned len)
{
	return pci_config_read(x->d, off, len);
}

static void wr(struct fx *x, unsigned off, unsigned len, uint32_t v)
{
	pci_config_write(x->d, off, len, v);
}

/* As pci_host_add does: BARs placed from the window's start, decoding on. */
static void place(struct fx *x)
{
	wr(x, PCI_BAR0, 4, 0xd0000000);
	wr(x, PCI_BAR0 + 4, 4, 0xd0020000);
	wr(x, PCI_BAR0 + 8, 4, 0xc000);
	wr(x, PCI_BAR0 + 12, 4, 0xd0040000);
	wr(x, PCI_COMMAND, 2, PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER);
}

static void test_header(void **state)
{
	struct fx *x = fx_new(NULL);

	(void)state;
	assert_int_equal(rd(x, PCI_VENDOR_ID, 2), 0x8086);
	assert_int_equal(rd(x, PCI_DEVICE_ID, 2), 0x10d3);
	assert_int_equal(rd(x, 0, 4), 0x10d38086);
	assert_int_equal(rd(x, 0x0b, 1), 0x02);                   /* class: network */
	assert_int_equal(rd(x, PCI_CLASS_PROG, 2), 0x0000);
	assert_int_equal(rd(x, PCI_HEADER_TYPE, 1), 0);           /* one function, type 0 */
	assert_int_equal(rd(x, PCI_SUBSYSTEM_VENDOR, 2), 0x8086);
	assert_int_equal(rd(x, 0x30, 4), 0);                      /* no ROM */
	assert_int_equal(rd(x, PCI_INTERRUPT_PIN, 1), 1);         /* INTA#: VFIO has INTx */
	/* read-only: nothing changes, nothing reaches the device */
	wr(x, PCI_VENDOR_ID, 4, 0xdeadbeef);
	wr(x, PCI_CLASS_PROG, 1, 0xff);
	wr(x, PCI_HEADER_TYPE, 1, 0xff);
	wr(x, 0x30, 4, 0xffffffff);
	wr(x, PCI_CAP_PTR, 1, 0x40);
	assert_int_equal(rd(x, 0, 4), 0x10d38086);
	assert_int_equal(rd(x, PCI_CLASS_PROG, 1), 0);
	assert_int_equal(rd(x, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(rd(x, 0x30, 4), 0);
	assert_int_equal(rd(x, PCI_CAP_PTR, 1), 0xc8);
	assert_int_equal(fake_find(&x->f, "pwrite 7+0x0 ", 0), -1);
	assert_int_equal(fake_find(&x->f, "pwrite 7+0x30", 0), -1);
	assert_int_equal(cfg_get(x->f.cfg, 0, 4), 0x10d38086);
	/* interrupt line: ours, writable */
	wr(x, PCI_INTERRUPT_LINE, 1, 0x0b);
	assert_int_equal(rd(x, PCI_INTERRUPT_LINE, 1), 0x0b);
	fx_free(x);
}

static void test_bar_sizing(void **state)
{
	struct fx *x = fx_new(NULL);

	(void)state;
	wr(x, PCI_BAR0, 4, 0xffffffff);
	assert_int_equal(rd(x, PCI_BAR0, 4), 0xfffe0000);         /* 128 KiB, mem32 */
	wr(x, PCI_BAR0 + 8, 4, 0xffffffff);
	assert_int_equal(rd(x, PCI_BAR0 + 8, 4), 0xffffffe1);     /* 32 bytes, I/O */
	wr(x, PCI_BAR0 + 12, 4, 0xffffffff);
	assert_int_equal(rd(x, PCI_BAR0 + 12, 4), 0xffffc008);    /* 16 KiB, prefetchable */
	wr(x, PCI_BAR0 + 16, 4, 0xffffffff);
	assert_int_equal(rd(x, PCI_BAR0 + 16, 4), 0);             /* absent */
	/* sizing a BAR never reaches the device, never maps a slot (decoding is off) */
	assert_int_equal(fake_find(&x->f, "pwrite 7+0x10", 0), -1);
	assert_int_equal(x->f.slots_used, 0);
	/* byte-wise and unaligned BAR writes keep the size alignment */
	wr(x, PCI_BAR0, 4, 0);
	wr(x, PCI_BAR0 + 1, 1, 0xff);
	assert_int_equal(rd(x, PCI_BAR0, 4), 0x0000fe00 & 0xfffe0000);
	wr(x, PCI_BAR0 + 2, 2, 0x1234);
	assert_int_equal(rd(x, PCI_BAR0, 4), 0x12340000);
	assert_int_equal(rd(x, PCI_BAR0 + 2, 2), 0x1234);
	fx_free(x);
}

static void test_bar_slots_follow_moves(void **state)
{
	struct fx *x = fx_new(NULL);
	uint32_t v32;
	int i;

	(void)state;
	place(x);
	/* BAR0 and BAR1 whole, BAR3 pages 1 and 3 */
	assert_int_equal(x->f.slots_used, 4);
	assert_true(fake_find(&x->f, "slot_map 8 0xd0000000 0x20000", 0) >= 0);
	assert_true(fake_find(&x->f, "slot_map 9 0xd0020000 0x20000", 0) >= 0);
	assert_true(fake_find(&x->f, "slot_map 10 0xd0041000 0x1000", 0) >= 0);
	assert_true(fake_find(&x->f, "slot_map 11 0xd0043000 0x1000", 0) >= 0);
	/* the guest's access through the slot is the device's register (e1000 STATUS) */
	memcpy(&v32, fake_slot_host(&x->f, 0xd0000008), 4);
	assert_int_equal(v32, 0x80080783);
	assert_null(fake_slot_host(&x->f, 0xd0040000));           /* MSI-X table page: trapped */
	assert_null(fake_slot_host(&x->f, 0xd0042000));           /* PBA page: trapped */

	/* move BAR0: old slot out, new one in */
	i = x->f.nlog;
	wr(x, PCI_BAR0, 4, 0xd0100000);
	assert_true(fake_find(&x->f, "slot_unmap 8", i) >= i);
	assert_true(fake_find(&x->f, "slot_map 8 0xd0100000 0x20000", i) > fake_find(&x->f, "slot_unmap 8", i));
	assert_null(fake_slot_host(&x->f, 0xd0000008));
	assert_non_null(fake_slot_host(&x->f, 0xd0100008));
	assert_int_equal(x->f.slots_used, 4);

	/* hostile: onto guest RAM, or past the window: unmapped, never mapped there */
	i = x->f.nlog;
	wr(x, PCI_BAR0, 4, 0x00000000);
	assert_int_equal(x->f.slots_used, 3);
	wr(x, PCI_BAR0, 4, 0x00100000);
	assert_int_equal(x->f.slots_used, 3);
	wr(x, PCI_BAR0, 4, 0xfffe0000);
	assert_int_equal(x->f.slots_used, 3);
	assert_int_equal(fake_find(&x->f, "slot_map 8", i), -1);

	/* memory decoding off: every slot out; on again: back in */
	wr(x, PCI_BAR0, 4, 0xd0000000);
	assert_int_equal(x->f.slots_used, 4);
	wr(x, PCI_COMMAND, 2, PCI_CMD_IO | PCI_CMD_MASTER);
	assert_int_equal(x->f.slots_used, 0);
	assert_int_equal(cfg_get(x->f.cfg, PCI_COMMAND, 2) & PCI_CMD_MEMORY, 0);   /* forwarded */
	wr(x, PCI_COMMAND, 2, PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER);
	assert_int_equal(x->f.slots_used, 4);
	fx_free(x);
}

/*
 * BARs moved onto each other, as a hostile guest does: KVM refuses a slot
 * over another (the fake does too), so the BAR that lands second stays
 * trapped (every access forwarded to its own region) while the first keeps
 * its slot; the MSI-X table page never becomes a slot wherever BAR 3 goes;
 * put back, every slot returns.
 */
static void test_bars_onto_each_other(void **state)
{
	struct fx *x = fx_new(NULL);
	uint32_t v32 = 0;

	(void)state;
	place(x);
	assert_int_equal(x->f.slots_used, 4);
	/* BAR1 onto BAR0: refused, trapped; BAR0's slot is still the device's BAR0 */
	wr(x, PCI_BAR0 + 4, 4, 0xd0000000);
	assert_int_equal(x->f.slots_used, 3);
	memcpy(&v32, fake_slot_host(&x->f, 0xd0000008), 4);
	assert_int_equal(v32, 0x80080783);
	assert_int_equal(vfio_bar_ops.read(&x->v.bars[1], 0, &v32, 4), 0);
	assert_int_equal(x->v.counters[VFIO_M_BAR_TRAP_READS], 1);
	/* BAR0 onto BAR3 (the MSI-X BAR): its slot would cover BAR3's pages: refused, trapped too */
	wr(x, PCI_BAR0, 4, 0xd0040000);
	assert_int_equal(x->f.slots_used, 2);
	assert_null(fake_slot_host(&x->f, 0xd0040000));           /* the MSI-X table page: still trapped */
	/* BAR3 onto the place BAR0 left (BAR1, trapped, sits there): its pages map, the table page does not */
	wr(x, PCI_BAR0 + 12, 4, 0xd0000000);
	assert_null(fake_slot_host(&x->f, 0xd0000000));
	assert_non_null(fake_slot_host(&x->f, 0xd0001000));
	/* all back where they were: every slot in again */
	wr(x, PCI_BAR0 + 12, 4, 0xd0040000);
	wr(x, PCI_BAR0, 4, 0xd0000000);
	wr(x, PCI_BAR0 + 4, 4, 0xd0020000);
	assert_int_equal(x->f.slots_used, 4);
	assert_non_null(fake_slot_host(&x->f, 0xd0020000));
	memcpy(&v32, fake_slot_host(&x->f, 0xd0000008), 4);
	assert_int_equal(v32, 0x80080783);
	fx_free(x);
}

/*
 * A guest that moves a BAR onto another in a loop: each refused slot is
 * counted (slots_refused), but stderr gets one line, not one per move (the
 * guest must not be able to fill the host's logs).
 */
static void test_refused_slots_say_once(void **state)
{
	struct fx *x = fx_new(NULL);
	char path[] = "/tmp/exitlab-vfio-diag-XXXXXX", buf[8192];
	int fd = mkstemp(path), saved = dup(2), lines = 0;
	ssize_t n;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	place(x);
	fflush(stderr);
	dup2(fd, 2);
	for (int i = 0; i < 100; i++) {
		wr(x, PCI_BAR0 + 4, 4, 0xd0000000);           /* onto BAR0: refused */
		wr(x, PCI_BAR0 + 4, 4, 0xd0020000);           /* back: mapped */
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	buf[n > 0 ? n : 0] = 0;
	for (char *p = buf; (p = strstr(p, "stays trapped")); p++)
		lines++;
	assert_int_equal(lines, 1);
	assert_int_equal(x->v.counters[VFIO_M_SLOTS_REFUSED], 100);
	assert_int_equal(x->f.slots_used, 4);
	fx_free(x);
}

static void test_slot_failure_falls_back_to_trap(void **state)
{
	struct fx *x = fx_new(NULL);
	uint32_t v = 0;

	(void)state;
	x->f.fail_slot = true;
	place(x);
	assert_int_equal(x->f.slots_used, 0);
	/* the access exits instead, and is forwarded to the device */
	assert_int_equal(vfio_bar_ops.read(&x->v.bars[0], 8, &v, 4), 0);
	assert_int_equal(v, 0x80080783);
	assert_int_equal(x->v.counters[VFIO_M_BAR_TRAP_READS], 1);
	fx_free(x);
}

static void test_command_forwarded(void **state)
{
	struct fx *x = fx_new(NULL);

	(void)state;
	cfg_put(x->f.cfg, PCI_COMMAND, 2, 0x0400);   /* the device has INTx disabled */
	wr(x, PCI_COMMAND, 2, 0xffff);
	/* ours: only the bits pci.c lets the guest write */
	assert_int_equal(rd(x, PCI_COMMAND, 2), PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER | (1u << 6) |
			 (1u << 8) | PCI_CMD_INTX_DISABLE);
	/* the device's: the same forwarded bits */
	assert_int_equal(cfg_get(x->f.cfg, PCI_COMMAND, 2), PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER |
			 (1u << 6) | (1u << 8) | PCI_CMD_INTX_DISABLE);
	wr(x, PCI_COMMAND, 1, 0);   /* one byte: the low half only */
	assert_int_equal(cfg_get(x->f.cfg, PCI_COMMAND, 2), (1u << 8) | PCI_CMD_INTX_DISABLE);
	fx_free(x);
}

static void test_status_live_and_w1c(void **state)
{
	struct fx *x = fx_new(NULL);

	(void)state;
	cfg_put(x->f.cfg, PCI_STATUS, 2, 0x4010);    /* received master abort */
	assert_int_equal(rd(x, PCI_STATUS, 2), 0x4010);
	/* a 4-byte read across COMMAND (ours) and STATUS (the device's) */
	wr(x, PCI_COMMAND, 2, PCI_CMD_MEMORY);
	assert_int_equal(rd(x, PCI_COMMAND, 4), 0x40100000u | PCI_CMD_MEMORY);
	wr(x, PCI_STATUS, 2, 0x4000);                 /* W1C reaches the device as written */
	assert_true(fake_find(&x->f, "pwrite 7+0x6 2 0x4000", 0) >= 0);
	fx_free(x);
}

static void test_capability_walk(void **state)
{
	struct fx *x = fx_new(NULL);
	unsigned p, ids[8], n = 0;

	(void)state;
	assert_true(rd(x, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	for (p = rd(x, PCI_CAP_PTR, 1); p && n < 8; p = rd(x, p + 1, 1))
		ids[n++] = rd(x, p, 1) | p << 8;
	/* PM, MSI, PCIe, MSI-X at the device's offsets; MSI (16 bytes of room) in its own 14-byte layout */
	assert_int_equal(n, 4);
	assert_int_equal(ids[0], 0xc801);
	assert_int_equal(ids[1], 0xd005);
	assert_int_equal(ids[2], 0xe010);
	assert_int_equal(ids[3], 0xa011);
	assert_int_equal(rd(x, 0xd2, 2), PCI_MSI_64BIT);   /* 64-bit, no masking, 1 vector, off */
	assert_int_equal(x->v.pci.msi_cap, 0xd0);
	assert_int_equal(x->v.pci.msix_cap, 0xa0);
	/* MSI-X: ours, in the device's layout */
	assert_int_equal(rd(x, 0xa2, 2), 4);          /* 5 vectors, disabled */
	assert_int_equal(rd(x, 0xa4, 4), 0x00000003);
	assert_int_equal(rd(x, 0xa8, 4), 0x00002003);
	wr(x, 0xa4, 4, 0x12345670);                   /* table offset: read-only */
	assert_int_equal(rd(x, 0xa4, 4), 0x00000003);
	/* the headers are ours: a guest cannot re-link the list */
	wr(x, 0xc9, 1, 0x40);
	wr(x, 0xe0, 1, 0x05);
	assert_int_equal(rd(x, 0xc9, 1), 0xd0);
	assert_int_equal(rd(x, 0xe0, 1), 0x10);
	assert_int_equal(fake_find(&x->f, "pwrite 7+0xc9", 0), -1);
	fx_free(x);
}

static void test_passthrough_capability_body(void **state)
{
	struct fx *x = fx_new(NULL);

	(void)state;
	/* PCIe device control: read live, written through (1, 2 and 4 bytes) */
	assert_int_equal(rd(x, 0xe8, 2), 0x2810);
	cfg_put(x->f.cfg, 0xe8, 2, 0x2830);
	assert_int_equal(rd(x, 0xe8, 2), 0x2830);
	assert_int_equal(rd(x, 0xe9, 1), 0x28);
	wr(x, 0xe8, 2, 0x5937);
	assert_int_equal(cfg_get(x->f.cfg, 0xe8, 2), 0x5937);
	assert_true(fake_find(&x->f, "pwrite 7+0xe8 2 0x5937", 0) >= 0);
	wr(x, 0xe9, 1, 0x11);
	assert_int_equal(cfg_get(x->f.cfg, 0xe8, 2), 0x1137);
	wr(x, 0xe8, 4, 0xaabbccdd);
	assert_int_equal(cfg_get(x->f.cfg, 0xe8, 4), 0xaabbccdd);
	/* PM control/status (body of the cap at 0xc8) */
	wr(x, 0xcc, 2, 0x0003);
	assert_int_equal(cfg_get(x->f.cfg, 0xcc, 2), 0x0003);
	/* a 4-byte write over the PM header: the header bytes stay ours, the body goes through */
	wr(x, 0xc8, 4, 0x12345678);
	assert_int_equal(rd(x, 0xc8, 2), 0xd001);
	assert_int_equal(cfg_get(x->f.cfg, 0xca, 2), 0x1234);
	assert_int_equal(cfg_get(x->f.cfg, 0xc8, 2), 0xd001);   /* the device's own header untouched */
	assert_true(x->v.counters[VFIO_M_CFG_PT_WRITES] > 0);
	fx_free(x);
}

static void test_outside_and_bad_accesses(void **state)
{
	struct fx *x = fx_new(NULL);
	int before;

	(void)state;
	before = fake_count(&x->f, "pwrite");
	/* extended space: zeros, writes dropped */
	assert_int_equal(rd(x, 0x100, 4), 0);
	wr(x, 0x100, 4, 0xffffffff);
	assert_int_equal(rd(x, 0x100, 4), 0);
	wr(x, 0xffc, 4, 0xffffffff);
	assert_int_equal(rd(x, 0xffc, 4), 0);
	/* past 4 KiB, or bad sizes: all-ones, nothing written */
	assert_int_equal(rd(x, 0x1000, 4), 0xffffffff);
	assert_int_equal(rd(x, 0xffe, 4), 0xffffffff);
	assert_int_equal(rd(x, 0, 3), 0xffffffff);
	wr(x, 0x1000, 4, 0);
	wr(x, 0xffe, 4, 0);
	wr(x, 0xe8, 3, 0);
	wr(x, 0xe8, 0, 0);
	/* straddling 256: the pass-through bytes below it go through, the rest is dropped */
	wr(x, 0xfe, 4, 0x11223344);
	assert_int_equal(rd(x, 0x100, 2), 0);
	assert_int_equal(fake_count(&x->f, "pwrite 7+0x10"), 0);
	assert_true(fake_count(&x->f, "pwrite") - before <= 2);
	/* odd alignments inside the header */
	assert_int_equal(rd(x, 0x01, 2), 0xd380);
	assert_int_equal(rd(x, 0x03, 1), 0x10);
	assert_int_equal(rd(x, 0x01, 4), 0x0010d380);   /* IDs and COMMAND's low byte (0) */
	fx_free(x);
}

static void evil_loop(struct fake_vfio *f)
{
	memset(f->cfg + 0x40, 0, 0xc0);
	f->cfg[0x34] = 0x40;
	f->cfg[0x40] = 0x01; f->cfg[0x41] = 0x48;
	f->cfg[0x48] = 0x10; f->cfg[0x49] = 0x40;   /* back to the first: a loop */
}

static void evil_low(struct fake_vfio *f)
{
	f->cfg[0x34] = 0x10;                          /* into the header */
}

static void evil_high(struct fake_vfio *f)
{
	memset(f->cfg + 0x40, 0, 0xc0);
	f->cfg[0x34] = 0xfe;                          /* unaligned: the last dword */
	f->cfg[0xfc] = 0x09;
	f->cfg[0xfd] = 0xfe;                          /* pointing at itself */
}

/* MSI-X in the last dword: its table and PBA words would lie past the 256 bytes (a fuzzer's find). */
static void evil_msix_at_end(struct fake_vfio *f)
{
	memset(f->cfg + 0x40, 0, 0xc0);
	f->cfg[0x34] = 0xfc;
	f->cfg[0xfc] = 0x11;
	f->cfg[0xfd] = 0x00;
	cfg_put(f->cfg, 0xfe, 2, 4);
}

static void test_hostile_device_lists(void **state)
{
	struct fx *x;
	unsigned p, n = 0;

	(void)state;
	x = fx_new(evil_loop);
	for (p = rd(x, PCI_CAP_PTR, 1); p && n < 64; p = rd(x, p + 1, 1))
		n++;
	assert_int_equal(n, 2);                       /* the walk terminates, the loop is cut */
	assert_int_equal(rd(x, 0x49, 1), 0);
	assert_int_equal(x->v.pci.msix_cap, 0);
	fx_free(x);

	x = fx_new(evil_low);
	assert_int_equal(rd(x, PCI_CAP_PTR, 1), 0);
	fx_free(x);

	x = fx_new(evil_high);
	assert_int_equal(rd(x, PCI_CAP_PTR, 1), 0xfc);
	assert_int_equal(rd(x, 0xfc, 2), 0x0009);      /* one capability, the self-loop cut */
	fx_free(x);

	x = fx_new(evil_msix_at_end);
	assert_int_equal(x->v.pci.msix_cap, 0);       /* no room for its 12 bytes: unlinked */
	assert_int_equal(rd(x, PCI_CAP_PTR, 1), 0);
	assert_int_equal(rd(x, 0xfc, 4), 0);
	fx_free(x);
}

static void msi_with_room(struct fake_vfio *f)
{
	memset(f->cfg + 0x40, 0, 0xc0);
	f->cfg[0x34] = 0x50;
	f->cfg[0x50] = 0x05; f->cfg[0x51] = 0x70;
	cfg_put(f->cfg, 0x52, 2, 0x0084);             /* 64-bit, 4 vectors capable */
	f->cfg[0x70] = 0x10; f->cfg[0x71] = 0x00;
}

static void test_msi_emulated_in_place(void **state)
{
	struct fx *x = fx_new(msi_with_room);

	(void)state;
	assert_int_equal(rd(x, PCI_CAP_PTR, 1), 0x50);
	assert_int_equal(rd(x, 0x50, 2), 0x7005);
	assert_int_equal(x->v.pci.msi_cap, 0x50);
	/* our layout: 64-bit, per-vector masking, 4 vectors (MMC 2) */
	assert_int_equal(rd(x, 0x52, 2), (1u << 7) | (1u << 8) | (2u << 1));
	wr(x, 0x54, 4, 0xfee00000);
	wr(x, 0x5c, 2, 0x0031);
	wr(x, 0x52, 2, 0x0001 | (2u << 4));           /* enable, 4 vectors */
	assert_int_equal(x->f.irq_index, VFIO_PCI_MSI_IRQ_INDEX);
	assert_int_equal(x->f.irq_count, 4);
	assert_int_equal(fake_count(&x->f, "irqfd attach"), 4);
	/* the routes carry the guest's message, vector number in the data's low bits */
	assert_true(fake_find(&x->f, "route_set 24 0xfee00000 0x30 0", 0) >= 0 ||
		    fake_find(&x->f, "route_set 24 0xfee00000 0x31 0", 0) >= 0);
	assert_true(fake_find(&x->f, "route_set 27 0xfee00000 0x33 0", 0) >= 0);
	/* per-vector mask: vector 1 masked -> its irqfd unbound */
	wr(x, 0x60, 4, 0x2);
	assert_int_equal(x->f.irqfd_of[1], -1);
	assert_true(x->f.irqfd_of[0] >= 0);
	/* nothing of the emulated capability reaches the device */
	assert_int_equal(fake_find(&x->f, "pwrite 7+0x5", 0), -1);
	assert_int_equal(fake_find(&x->f, "pwrite 7+0x6", 0), -1);
	wr(x, 0x52, 2, 0);
	assert_int_equal(x->f.irq_count, 0);
	assert_int_equal(fake_count(&x->f, "irqfd detach"), 4);   /* vector 1 earlier, then 0, 2, 3 */
	fx_free(x);
}

/*
 * The fake's MSI as QEMU's 82574 has it (64-bit, no per-vector masking, 14 bytes before PCIe
 * at 0xe0), emulated in that layout: Linux's e1000e takes it with IntMode=1.
 */
static void test_msi_device_layout(void **state)
{
	struct fx *x = fx_new(NULL);

	(void)state;
	wr(x, 0xd4, 4, 0xfee01000);
	wr(x, 0xd8, 4, 0);
	wr(x, 0xdc, 2, 0x0041);
	assert_int_equal(rd(x, 0xdc, 2), 0x0041);
	/* no mask or pending register: bytes 0xde..0xdf are reserved, read-only zeros */
	wr(x, 0xde, 2, 0xffff);
	assert_int_equal(rd(x, 0xde, 2), 0);
	wr(x, 0xd2, 2, PCI_MSI_64BIT | 1);
	assert_true(pci_msi_enabled(x->d));
	assert_int_equal(x->f.irq_index, VFIO_PCI_MSI_IRQ_INDEX);
	assert_int_equal(x->f.irq_count, 1);
	assert_true(fake_find(&x->f, "route_set 24 0xfee01000 0x41 0", 0) >= 0);
	assert_true(x->f.irqfd_of[0] >= 0);           /* GSI 24, the first route */
	/* the PCIe capability right after is untouched: still the device's, live */
	assert_int_equal(rd(x, 0xe0, 2), 0xa010);
	assert_int_equal(rd(x, 0xe8, 2), 0x2810);
	/* nothing of the emulated capability reaches the device */
	assert_int_equal(fake_find(&x->f, "pwrite 7+0xd", 0), -1);
	/* a new message while enabled re-routes */
	wr(x, 0xdc, 2, 0x0042);
	assert_true(fake_find(&x->f, "route_set 24 0xfee01000 0x42 0", 0) >= 0);
	wr(x, 0xd2, 2, PCI_MSI_64BIT);
	assert_int_equal(x->f.irq_count, 0);
	assert_int_equal(x->f.irqfd_of[0], -1);
	fx_free(x);
}

/* A 64-bit MSI capability with 12 bytes before the next one: not even its own layout fits. */
static void msi_short(struct fake_vfio *f)
{
	f->cfg[0xc9] = 0xd4;
	f->cfg[0xd4] = 0x05; f->cfg[0xd5] = 0xe0; cfg_put(f->cfg, 0xd6, 2, 0x0080);
}

/* A 32-bit one without masking (10 bytes) fits there. */
static void msi_32(struct fake_vfio *f)
{
	msi_short(f);
	cfg_put(f->cfg, 0xd6, 2, 0x0000);
}

static void test_msi_short_of_room(void **state)
{
	struct fx *x = fx_new(msi_short);

	(void)state;
	assert_int_equal(x->v.pci.msi_cap, 0);
	assert_int_equal(rd(x, 0xc9, 1), 0xe0);       /* PM -> PCIe: MSI unlinked */
	assert_int_equal(rd(x, 0xd4, 4), 0);
	fx_free(x);

	x = fx_new(msi_32);
	assert_int_equal(x->v.pci.msi_cap, 0xd4);
	assert_int_equal(rd(x, 0xc9, 1), 0xd4);
	assert_int_equal(rd(x, 0xd6, 2), 0);          /* 32-bit, no masking */
	wr(x, 0xd8, 4, 0xfee00000);
	wr(x, 0xdc, 2, 0x0051);                       /* the data right after a 32-bit address */
	wr(x, 0xd6, 2, 1);
	assert_true(fake_find(&x->f, "route_set 24 0xfee00000 0x51 0", 0) >= 0);
	assert_int_equal(rd(x, 0xe0, 2), 0xa010);     /* the next capability's header is ours, intact */
	fx_free(x);
}

static void test_trapped_bars(void **state)
{
	struct fx *x = fx_new(NULL);
	uint8_t b8 = 0;
	uint16_t b16 = 0;
	uint32_t v = 0x11223344;
	uint64_t q = 0;

	(void)state;
	place(x);
	/* the I/O BAR: forwarded at the region's offset */
	cfg_put(x->f.bar_mem[2], 4, 4, 0xcafef00d);
	assert_int_equal(vfio_bar_ops.read(&x->v.bars[2], 4, &v, 4), 0);
	assert_int_equal(v, 0xcafef00d);
	assert_int_equal(vfio_bar_ops.read(&x->v.bars[2], 5, &b8, 1), 0);
	assert_int_equal(b8, 0xf0);
	assert_int_equal(vfio_bar_ops.read(&x->v.bars[2], 6, &b16, 2), 0);
	assert_int_equal(b16, 0xcafe);
	v = 0x55aa55aa;
	assert_int_equal(vfio_bar_ops.write(&x->v.bars[2], 0, &v, 4), 0);
	assert_int_equal(cfg_get(x->f.bar_mem[2], 0, 4), 0x55aa55aa);
	/* past the region or a bad size: all-ones, nothing written */
	assert_int_equal(vfio_bar_ops.read(&x->v.bars[2], 30, &v, 4), 0);
	assert_int_equal(v, 0xffffffff);
	assert_int_equal(vfio_bar_ops.read(&x->v.bars[2], 0, &v, 3), 0);
	assert_int_equal(vfio_bar_ops.write(&x->v.bars[2], 31, &q, 8), 0);
	assert_int_equal(cfg_get(x->f.bar_mem[2], 28, 4), 0);
	assert_true(x->v.counters[VFIO_M_BAD_ACCESSES] >= 3);
	/* the MSI-X table page: pci.c's table, never the device's */
	memset(x->f.bar_mem[3], 0x77, 64);
	assert_int_equal(vfio_bar_ops.read(&x->v.bars[3], 12, &v, 4), 0);
	assert_int_equal(v, 1);                       /* entry 0 masked at reset */
	v = 0;
	assert_int_equal(vfio_bar_ops.write(&x->v.bars[3], 0, &v, 4), 0);
	assert_int_equal(x->f.bar_mem[3][0], 0x77);
	/* BAR3 outside the table and PBA but in their pages: forwarded */
	assert_int_equal(vfio_bar_ops.read(&x->v.bars[3], 0x800, &v, 4), 0);
	assert_int_equal(v, 0);
	fx_free(x);
}

static void sparse_bar0(struct fake_vfio *f)
{
	f->sparse_on[0] = true;
	f->nsparse[0] = 2;
	f->sparse[0][0] = (struct vfio_region_sparse_mmap_area){ .offset = 0, .size = 0x8000 };
	f->sparse[0][1] = (struct vfio_region_sparse_mmap_area){ .offset = 0x10800, .size = 0x8000 };
}

static void test_sparse_bar(void **state)
{
	struct fx *x = fx_new(sparse_bar0);
	uint32_t v = 0;

	(void)state;
	assert_true(x->v.bars[0].r.sparse);
	assert_int_equal(x->v.bars[0].nmaps, 2);
	place(x);
	assert_true(fake_find(&x->f, "slot_map 8 0xd0000000 0x8000", 0) >= 0);
	/* the second area starts mid-page: only its whole pages are mapped */
	assert_true(fake_find(&x->f, "slot_map 9 0xd0011000 0x7000", 0) >= 0);
	assert_null(fake_slot_host(&x->f, 0xd0008000));
	/* what is not mapped is trapped and forwarded */
	cfg_put(x->f.bar_mem[0], 0x8000, 4, 0x600df00d);
	assert_int_equal(vfio_bar_ops.read(&x->v.bars[0], 0x8000, &v, 4), 0);
	assert_int_equal(v, 0x600df00d);
	fx_free(x);
}

/* The real host bridge: placement at pci_host_add, ECAM and CF8 config access, window dispatch. */
static void test_through_host_bridge(void **state)
{
	static struct vm vm;
	struct pci_host h;
	struct fx *x = fx_new(NULL);
	uint64_t ecam = PCI_ECAM_BASE + (1u << 15);
	uint32_t v = 0, a;
	char err[256];

	(void)state;
	memset(&vm, 0, sizeof(vm));
	bus_init(&vm.pio, "pio");
	bus_init(&vm.mmio, "mmio");
	assert_int_equal(pci_host_init(&h, &vm, NULL, err, sizeof(err)), 0);
	assert_int_equal(pci_host_add(&h, x->d, -1, err, sizeof(err)), 0);
	/* placed as firmware would, decoding on: the mmappable pieces are slots, MEM reached the device */
	assert_int_equal(x->f.slots_used, 4);
	assert_non_null(fake_slot_host(&x->f, x->v.pci.bars[0].addr + 8));
	assert_true(cfg_get(x->f.cfg, PCI_COMMAND, 2) & PCI_CMD_MEMORY);
	/* ECAM reads the virtual function */
	assert_int_equal(bus_access(&vm.mmio, ecam, false, &v, 4), 0);
	assert_int_equal(v, 0x10d38086);
	assert_int_equal(bus_access(&vm.mmio, ecam + 0xe8, false, &v, 2), 0);
	assert_int_equal(v & 0xffff, 0x2810);
	/* the I/O BAR through the window: forwarded to the device */
	cfg_put(x->f.bar_mem[2], 0, 4, 0xabcd1234);
	assert_int_equal(bus_access(&vm.pio, x->v.pci.bars[2].addr, false, &v, 4), 0);
	assert_int_equal(v, 0xabcd1234);
	/* the MSI-X table through the window: ours */
	assert_int_equal(bus_access(&vm.mmio, x->v.pci.bars[3].addr + 12, false, &v, 4), 0);
	assert_int_equal(v, 1);
	/* moving BAR0 by CF8/CFC moves its slot */
	a = 0x80000000u | (1u << 11) | PCI_BAR0;
	assert_int_equal(bus_access(&vm.pio, PCI_CONFIG_ADDR, true, &a, 4), 0);
	v = 0xd0200000;
	assert_int_equal(bus_access(&vm.pio, PCI_CONFIG_DATA, true, &v, 4), 0);
	assert_non_null(fake_slot_host(&x->f, 0xd0200008));
	assert_null(fake_slot_host(&x->f, 0xd0000008));
	pci_host_destroy(&h);
	bus_destroy(&vm.pio);
	bus_destroy(&vm.mmio);
	fx_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_bar_sizing),
		cmocka_unit_test(test_bar_slots_follow_moves),
		cmocka_unit_test(test_bars_onto_each_other),
		cmocka_unit_test(test_refused_slots_say_once),
		cmocka_unit_test(test_slot_failure_falls_back_to_trap),
		cmocka_unit_test(test_command_forwarded),
		cmocka_unit_test(test_status_live_and_w1c),
		cmocka_unit_test(test_capability_walk),
		cmocka_unit_test(test_passthrough_capability_body),
		cmocka_unit_test(test_outside_and_bad_accesses),
		cmocka_unit_test(test_hostile_device_lists),
		cmocka_unit_test(test_msi_emulated_in_place),
		cmocka_unit_test(test_msi_device_layout),
		cmocka_unit_test(test_msi_short_of_room),
		cmocka_unit_test(test_trapped_bars),
		cmocka_unit_test(test_sparse_bar),
		cmocka_unit_test(test_through_host_bridge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
