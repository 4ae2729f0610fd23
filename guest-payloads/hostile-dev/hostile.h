/* SPDX-License-Identifier: MIT */
/*
 * hostile-dev: what every attack shares.  An attack misprograms one device
 * the way a hostile guest would, then checks what a guest can see of the
 * VMM's answer (NEEDS_RESET, a refused register value, an error status, a
 * device that keeps answering), resets the device where that is needed and
 * sends one good frame or request through it.  The outcome and what was
 * seen go into the test's status and metrics (hx_fail, hx_metric).
 */
#ifndef HOSTILE_DEV_H
#define HOSTILE_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_bench.h"
#include "guest_pci.h"

enum hdev { HDEV_VNET, HDEV_VBLK, HDEV_E1000, HDEV_PASS, HDEV_N };
#define HD_VNET  (1u << HDEV_VNET)
#define HD_VBLK  (1u << HDEV_VBLK)
#define HD_E1000 (1u << HDEV_E1000)
#define HD_PASS  (1u << HDEV_PASS)   /* an 82574 passed through (--device vfio) */
#define HD_VIRTIO (HD_VNET | HD_VBLK)
#define HD_ALL   (HD_VIRTIO | HD_E1000 | HD_PASS)

struct hctx;

/* One device kind's driver side, as the attacks use it. */
struct hdev_ops {
	const char *name;          /* the VMM's model name, for the params */
	int main_bar;              /* the BAR with the registers */
	/* Reset and bring the device up from scratch: 0, or -1 with hx_fail called. */
	int (*up)(struct hctx *c);
	/* One good frame (TX) or request (a read of sector 0), completed: 0, or -1 with hx_fail called. */
	int (*good)(struct hctx *c);
	/* Registers still answer with sane values and the device is not broken: NULL, or what is wrong. */
	const char *(*alive)(struct hctx *c);
};

struct hctx {
	const struct boot_info *bi;
	enum hdev kind;
	const struct hdev_ops *ops;
	struct pci_dev pci;        /* as found on the bus */
	uint64_t mark;             /* alloc_mark() before the test: every bring-up starts from here */
	uint64_t ram_end;          /* first byte past the last RAM range */
	bool loopback;             /* --param loopback=1: the backend sends every frame back (RX attacks) */
	bool backend_rings;        /* --param rings=backend: a vhost back-end walks the rings, not the VMM */
	const char *skip;          /* why this attack cannot run here (reported skipped) */
	const char *why;           /* NULL: the VMM behaved as specified */
	char whybuf[BENCH_REASON_MAX];
	char metrics[BENCH_KV_MAX];
	uint32_t seq;
};

struct attack {
	const char *name;
	unsigned devs;             /* HD_* this attack applies to */
	void (*run)(struct hctx *c);
};

/* The first failure wins; returns -1 so that callers can `return hx_fail(...)`. */
int hx_fail(struct hctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The attack needs what this run lacks: reported skipped, unless it also failed. */
void hx_skip(struct hctx *c, const char *why);
/* RX attacks: skipped (false) unless the backend loops frames back. */
bool hx_need_loopback(struct hctx *c);
/* Append " key=value" to the test's metrics. */
void hx_metric(struct hctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* TSC cycles in `ms` milliseconds (a 3 GHz guess if the rate is unknown). */
uint64_t hx_cycles(const struct hctx *c, uint64_t ms);
uint64_t hx_us(const struct hctx *c, uint64_t cycles);
/* After an attack that must not break the device: alive, then one good operation. */
void hx_still_works(struct hctx *c);
/* Bring the device up from scratch (it was left half set up), then one good operation. */
void hx_up_works(struct hctx *c);
/* After an attack that breaks it: alive (registers answer), reset, one good operation. */
void hx_reset_works(struct hctx *c);

/* Tiny MMIO accessors of every width (attacks use odd ones on purpose). */
static inline void hx_w8(uint64_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline void hx_w16(uint64_t a, uint16_t v) { *(volatile uint16_t *)a = v; }
static inline void hx_w32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline void hx_w64(uint64_t a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline uint8_t hx_r8(uint64_t a) { return *(volatile uint8_t *)a; }
static inline uint16_t hx_r16(uint64_t a) { return *(volatile uint16_t *)a; }
static inline uint32_t hx_r32(uint64_t a) { return *(volatile uint32_t *)a; }

extern const struct hdev_ops hv_net_ops, hv_blk_ops, he_ops, hp_vfio_ops;
extern const struct attack hv_attacks[], hv_live_attacks[], he_attacks[], hp_attacks[], hf_attacks[];
extern const unsigned hv_nattacks, hv_live_nattacks, he_nattacks, hp_nattacks, hf_nattacks;

/* The e1000 driver side (attack_e1000.c), shared by the 82540EM and the passed-through 82574. */
struct e1000;
extern struct e1000 he_nic;
int he_up(struct hctx *c);
int he_good(struct hctx *c);
const char *he_alive(struct hctx *c);
/* DD on TX descriptor `slot` within ms. */
bool he_wait_dd(struct hctx *c, unsigned slot, uint64_t ms);

#endif
