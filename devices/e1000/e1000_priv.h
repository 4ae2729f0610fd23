/* SPDX-License-Identifier: MIT */
/*
 * What the e1000 core's files share among themselves (not for other
 * modules).  Every function here is called with e->lock held.
 */
#ifndef EXITLAB_E1000_PRIV_H
#define EXITLAB_E1000_PRIV_H

#include <stdint.h>
#include <string.h>

#include "devices/e1000/e1000.h"

static inline uint32_t e1000_r(const struct e1000 *e, uint32_t off)
{
	return e->regs[off >> 2];
}

static inline void e1000_w(struct e1000 *e, uint32_t off, uint32_t v)
{
	e->regs[off >> 2] = v;
}

static inline uint64_t e1000_now(struct e1000 *e)
{
	return e->now_ns(e->clock_opaque);
}

static inline uint16_t e1000_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t e1000_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t e1000_le64(const uint8_t *p)
{
	return (uint64_t)e1000_le32(p) | (uint64_t)e1000_le32(p + 4) << 32;
}

static inline void e1000_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline uint16_t e1000_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void e1000_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* e1000_regs.c */
void e1000_reset(struct e1000 *e);
uint32_t e1000_reg_read_locked(struct e1000 *e, uint32_t off);
void e1000_reg_write_locked(struct e1000 *e, uint32_t off, uint32_t val);
void e1000_stat_add(struct e1000 *e, uint32_t off, uint32_t v);
void e1000_stat_add64(struct e1000 *e, uint32_t off_lo, uint64_t v);
/* The size-bucket counter (PRC64.. or PTC64..) for a frame of len bytes, CRC included. */
void e1000_stat_size(struct e1000 *e, uint32_t first, size_t len);
/* Rate-limited diagnostic on stderr. */
void e1000_diag(struct e1000 *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Wake the RX thread (new descriptors, RCTL, a deferred interrupt, stop). */
void e1000_kick(struct e1000 *e);

/* e1000_irq.c */
void e1000_irq_cause(struct e1000 *e, uint32_t causes);  /* ICR |= causes, then update */
void e1000_irq_update(struct e1000 *e);
/* Fire a deferred interrupt whose ITR interval has passed; ns until the next is due, or -1. */
int64_t e1000_irq_timer(struct e1000 *e);

/* e1000_eeprom.c */
void e1000_eeprom_init(struct e1000 *e);
void e1000_eecd_write(struct e1000 *e, uint32_t val);
uint32_t e1000_eecd_read(struct e1000 *e);
void e1000_eerd_write(struct e1000 *e, uint32_t val);

/* e1000_phy.c */
void e1000_phy_reset(struct e1000 *e);
void e1000_mdic_write(struct e1000 *e, uint32_t val);

/* e1000_tx.c */
void e1000_tx_reset(struct e1000 *e);
void e1000_tx_process(struct e1000 *e);

/* e1000_rx.c */
void e1000_rx_reset(struct e1000 *e);
/* Whether RX is enabled on a sane ring with at least one free descriptor. */
bool e1000_rx_ready(struct e1000 *e);
int e1000_rx_deliver(struct e1000 *e, const uint8_t *frame, size_t len);

/* e1000_csum.c: the Internet checksum and the Ethernet CRC */
uint32_t e1000_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t e1000_csum_fold(uint32_t sum);
uint32_t e1000_crc32(const uint8_t *p, size_t len);

#endif
