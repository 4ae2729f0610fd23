// SPDX-License-Identifier: MIT
/*
 * bar-read: the cost of one 32-bit read of a NIC's register, e1000 STATUS
 * at BAR0 + 8, emulated or passed through.  With `--device e1000` the BAR
 * is our model's and every read exits to the VMM (1 userspace exit per
 * access); with `--device vfio,host=BDF` and an 82540EM or 82574 (QEMU's
 * e1000e) behind it, BAR0 is the device's own memory mapped into the guest
 * as a KVM slot, and the read causes no exit at all.  The VMM's exit counts
 * per iteration are exits per access.  Tests (each ring of bi->ring_mask):
 *   bar_read   the STATUS read
 *   bar_write  a write of 0 to the interrupt mask clear register IMC (0xd8),
 *              which changes nothing while every interrupt stays masked
 */
#include "guest_bench.h"
#include "format.h"
#include "measure.h"
#include "guest_pci.h"
#include "runtime.h"
#include "x86.h"

#define REG_STATUS 0x0008
#define REG_IMC    0x00d8

static struct pci_dev nic;
static int nic_state;          /* 0 not looked for, 1 found and enabled, -1 none */

static const char *need_nic(const struct measure_ctx *c)
{
	(void)c;
	if (!nic_state) {
		nic_state = -1;
		if ((!pci_find(0x8086, 0x100e, 0, &nic) || !pci_find(0x8086, 0x10d3, 0, &nic)) &&
		    !pci_dev_enable(&nic) && nic.bar[0] && !nic.bar_io[0] &&
		    nic.bar[0] + REG_IMC + 4 <= BOOT_IDENTITY_LIMIT) {
			nic_state = 1;
			bench_log("bar-read: %04x:%04x at slot %u, BAR0 at 0x%lx (0x%lx bytes)", nic.vendor,
				  nic.device, nic.slot, nic.bar[0], nic.bar_size[0]);
		}
	}
	return nic_state > 0 ? NULL : "no 82540EM (8086:100e) or 82574 (8086:10d3) with a memory BAR 0 on bus 0";
}

static void setup_nic(struct measure_ctx *c)
{
	c->arg = nic.bar[0];
}

MEASURE_LOOP(status_read, uint64_t gpa = c->arg + REG_STATUS; uint32_t v = 0, v = mmio_read32(gpa),
	     c->result = v)
MEASURE_LOOP(imc_write, uint64_t gpa = c->arg + REG_IMC, mmio_write32(gpa, 0), (void)0)

static const char *check_status(struct measure_ctx *c)
{
	if ((uint32_t)c->result != 0xffffffffu)
		return NULL;
	format_snprintf(c->reason, sizeof(c->reason), "STATUS read all-ones: the BAR decodes nothing");
	return c->reason;
}

PAYLOAD_INFO("bar-read", "the cost of one access to the NIC's BAR0: emulated, or passed through");

/* No EXITS(): an emulated BAR costs an exit per access, a passed-through one none. */
MEASURE_TABLE(tests) = {
	MEASURE_TEST("bar_read", status_read_loop, R03, MEASURES("read of the NIC's STATUS register"),
		     .valid = need_nic, .setup = setup_nic, .check = check_status),
	MEASURE_TEST("bar_write", imc_write_loop, R03, MEASURES("write of the NIC's IMC register"),
		     .valid = need_nic, .setup = setup_nic),
};

int payload_main(const struct boot_info *bi)
{
	bench_hello("bar-read");
	return measure_run_table(bi, tests, MEASURE_ARRAY_SIZE(tests)) ? 1 : 0;
}
