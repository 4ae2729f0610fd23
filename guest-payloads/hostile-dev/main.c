// SPDX-License-Identifier: MIT
/*
 * hostile-dev: a guest that deliberately misprograms exitlab's devices
 * (virtio-net, virtio-blk, e1000, a passed-through 82574, and their PCI functions), one test per
 * attack and device, to show in real KVM that the VMM validates every guest
 * address, length and register value: a broken ring stops the device with a
 * diagnostic (virtio: NEEDS_RESET), a bad request gets an error status, a
 * bad register value is refused, and the VMM never crashes.  After each
 * attack the device is reset where the specification says so and must carry
 * one good frame or request again.  A test is ok when the device reacted as
 * specified; its metrics say what the guest saw.  Parameters:
 *   attack=all | NAME,NAME,...   (the names: guest-payloads/README.md, or the test list)
 *   loopback=0|1   the backend sends every frame back (--netdev loop): the RX attacks run, else skipped
 *   rings=vmm|backend   backend: a vhost back-end walks the virtqueues, so a broken chain may be
 *                  dropped without NEEDS_RESET (recorded, not a failure); the device must still reset
 * Each test runs, phase and all, at each ring of bi->ring_mask (CPL0, then CPL3).
 */
#include <stdarg.h>

#include "alloc.h"
#include "format.h"
#include "hostile.h"
#include "params.h"
#include "ring_run.h"
#include "runtime.h"
#include "string.h"
#include "timing.h"
#include "x86.h"
#include "guest_catalogue.h"

/* The catalogue (catalogue.h): what `exitlab list` shows and the host checks. */
PAYLOAD_INFO("hostile-dev", "a guest that misprograms exitlab's devices, one test per attack");
/* The attacks' tables (attack_*.c) name the tests; these patterns cover them. */
TEST("e1000-*", R03, "an attack on the e1000 model");
TEST("vq-*", R03, "an attack on a virtqueue");
TEST("vnet-*", R03, "an attack on virtio-net receive buffers");
TEST("pci-*", R03, "an attack on a PCI function");
TEST("msix-*", R03, "an attack on the MSI-X table");
TEST("blk-*", R03, "an attack on virtio-blk requests");
TEST("status-*", R03, "an attack on the virtio status");
TEST("features-*", R03, "an attack on virtio feature negotiation");
TEST("devcfg-*", R03, "an attack on virtio device configuration");
TEST("vfio-*", R03, "an attack on a passed-through 82574 (DMA, MSI-X, resets)");
TEST("hostile-dev", R03, "no device to attack (skipped)");
PARAM("attack", "all", "all, or a list of attack names (the tests)");
PARAM("loopback", "0", "0|1: the backend sends every frame back, so the RX attacks run");
PARAM("rings", "vmm", "vmm|backend: who walks the virtqueues (backend: vhost-net, vhost-user)");

#define LIST_MAX 1024
#define NTABS 5

static char list[LIST_MAX] = "all";
static bool backend_rings;
static uint64_t sample;

int hx_fail(struct hctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->why)
		return -1;
	va_start(ap, fmt);
	format_vsnprintf(c->whybuf, sizeof(c->whybuf), fmt, ap);
	va_end(ap);
	c->why = c->whybuf;
	return -1;
}

void hx_skip(struct hctx *c, const char *why)
{
	if (!c->skip)
		c->skip = why;
}

bool hx_need_loopback(struct hctx *c)
{
	if (!c->loopback)
		hx_skip(c, "RX attacks need --netdev loop and --param loopback=1");
	return c->loopback;
}

void hx_metric(struct hctx *c, const char *fmt, ...)
{
	size_t n = strlen(c->metrics);
	va_list ap;

	if (n + 2 >= sizeof(c->metrics))
		return;
	if (n)
		c->metrics[n++] = ' ';
	va_start(ap, fmt);
	format_vsnprintf(c->metrics + n, sizeof(c->metrics) - n, fmt, ap);
	va_end(ap);
}

uint64_t hx_cycles(const struct hctx *c, uint64_t ms)
{
	return ms * (c->bi->tsc_khz ? c->bi->tsc_khz : 3000000);
}

uint64_t hx_us(const struct hctx *c, uint64_t cycles)
{
	return cycles * 1000 / (c->bi->tsc_khz ? c->bi->tsc_khz : 3000000);
}

void hx_still_works(struct hctx *c)
{
	const char *bad = c->ops->alive(c);

	hx_metric(c, "alive=%u", !bad);
	if (bad) {
		hx_fail(c, "%s", bad);
		return;
	}
	if (!c->ops->good(c))
		hx_metric(c, "recovered=1");
}

void hx_up_works(struct hctx *c)
{
	if (!c->ops->up(c) && !c->ops->good(c))
		hx_metric(c, "recovered=1");
}

void hx_reset_works(struct hctx *c)
{
	const char *bad = c->ops->alive(c);

	/* Broken is expected here: only a register file that stopped answering is a failure. */
	hx_metric(c, "answers=%u", !bad || strcmp(bad, "broken") == 0);
	if (bad && strcmp(bad, "broken"))
		hx_fail(c, "%s", bad);
	hx_up_works(c);
}

/* Whether `name` is in the comma-separated list (or the list is "all"). */
static bool selected(const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(list, "all"))
		return true;
	for (const char *p = list; *p;) {
		const char *e = p;

		while (*e && *e != ',')
			e++;
		if ((size_t)(e - p) == n && !memcmp(p, name, n))
			return true;
		p = *e ? e + 1 : e;
	}
	return false;
}

static bool known(const char *name, size_t n)
{
	const struct attack *tabs[NTABS] = { hv_attacks, hv_live_attacks, he_attacks, hp_attacks, hf_attacks };
	const unsigned counts[NTABS] = { hv_nattacks, hv_live_nattacks, he_nattacks, hp_nattacks, hf_nattacks };

	for (unsigned t = 0; t < NTABS; t++)
		for (unsigned i = 0; i < counts[t]; i++)
			if (strlen(tabs[t][i].name) == n && !memcmp(tabs[t][i].name, name, n))
				return true;
	return false;
}

/* The attack and its recovery, at the test's ring, inside one phase (so host.devices has their counters). */
struct body {
	struct hctx *c;
	const struct attack *a;
};

static long body_run(void *arg)
{
	struct body *b = arg;
	uint64_t t0;

	bench_phase_begin();
	t0 = tsc_begin();
	b->a->run(b->c);
	sample = tsc_end() - t0;
	bench_phase_end(1, &sample, 1, 1);
	return 0;
}

static int run_one(const struct boot_info *bi, unsigned ring, enum hdev kind, const struct hdev_ops *ops,
		   const struct pci_dev *d, const struct attack *a)
{
	static struct hctx c;
	char params[BENCH_KV_MAX], fault[BENCH_REASON_MAX];
	struct body b = { &c, a };

	format_snprintf(params, sizeof(params), "device=%s", ops->name);
	if (!bench_test_begin_kv(a->name, ring, 0, params))
		return 0;
	memset(&c, 0, sizeof(c));
	c.bi = bi;
	c.kind = kind;
	c.ops = ops;
	c.pci = *d;
	c.mark = alloc_mark();
	c.ram_end = bi->high_mem_size ? bi->high_mem_start + bi->high_mem_size : bi->mem_size;
	c.seq = 1;
	c.loopback = param_size(bi, "loopback", 0) != 0;
	c.backend_rings = backend_rings;
	if (ring_run_caught(ring, false, body_run, &b, fault, sizeof(fault)))
		hx_fail(&c, "%s", fault);
	alloc_release(c.mark);
	if (c.why)
		bench_test_end_kv(BENCH_STATUS_FAILED, c.why, c.metrics);
	else if (c.skip)
		bench_test_end_kv(BENCH_STATUS_SKIPPED, c.skip, c.metrics);
	else
		bench_test_end_kv(BENCH_STATUS_OK, NULL, c.metrics);
	return c.why != NULL;
}

/* Every selected attack that applies to this function's kind: the number that failed. */
static int run_all(const struct boot_info *bi, unsigned ring, enum hdev kind, const struct hdev_ops *ops,
		   const struct pci_dev *d)
{
	const struct attack *tabs[NTABS] = { hv_attacks, hv_live_attacks, he_attacks, hp_attacks, hf_attacks };
	const unsigned counts[NTABS] = { hv_nattacks, hv_live_nattacks, he_nattacks, hp_nattacks, hf_nattacks };
	int failed = 0;

	for (unsigned t = 0; t < NTABS; t++)
		for (unsigned i = 0; i < counts[t]; i++)
			if ((tabs[t][i].devs & (1u << kind)) && selected(tabs[t][i].name))
				failed += run_one(bi, ring, kind, ops, d, &tabs[t][i]);
	return failed;
}

int payload_main(const struct boot_info *bi)
{
	static const struct { uint16_t vendor, device; enum hdev kind; const struct hdev_ops *ops; } ids[] = {
		{ 0x1af4, 0x1041, HDEV_VNET, &hv_net_ops },
		{ 0x1af4, 0x1042, HDEV_VBLK, &hv_blk_ops },
		{ 0x8086, 0x100e, HDEV_E1000, &he_ops },
		{ 0x8086, 0x10d3, HDEV_PASS, &hp_vfio_ops }, /* only ever passed through (--device vfio) */
	};
	unsigned found = 0;
	int failed = 0;
	char rings[16] = "vmm";

	bench_hello("hostile-dev");
	alloc_init(bi);
	param_str(bi, "attack", list, sizeof(list));
	param_str(bi, "rings", rings, sizeof(rings));
	if (strcmp(rings, "vmm") && strcmp(rings, "backend")) {
		bench_log("hostile-dev: rings=%s: vmm or backend", rings);
		return 1;
	}
	backend_rings = !strcmp(rings, "backend");
	if (strcmp(list, "all")) {
		for (const char *p = list; *p;) {
			const char *e = p;

			while (*e && *e != ',')
				e++;
			if (!known(p, (size_t)(e - p))) {
				bench_log("hostile-dev: unknown attack in '%s'", list);
				return 1;
			}
			p = *e ? e + 1 : e;
		}
	}
	for (unsigned ring = 0; ring <= 3; ring += 3) {
		if (!(bi->ring_mask & (ring ? BOOT_RING3 : BOOT_RING0)))
			continue;
		for (unsigned k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
			struct pci_dev d;

			/* Each function of this kind on the bus gets every attack that applies to it. */
			for (unsigned idx = 0; !pci_find(ids[k].vendor, ids[k].device, idx, &d); idx++) {
				found++;
				failed += run_all(bi, ring, ids[k].kind, ids[k].ops, &d);
			}
		}
	}
	if (!found) {
		bench_test_begin("hostile-dev", 0, 0);
		bench_test_end(BENCH_STATUS_SKIPPED, "no virtio-net, virtio-blk, e1000 or 82574 on PCI bus 0");
		return BENCH_DONE_HOST_LACKS;
	}
	return failed ? 1 : 0;
}
