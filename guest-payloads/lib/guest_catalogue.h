/* SPDX-License-Identifier: MIT */
/*
 * Declaring a payload's catalogue (include/exitlab/catalogue.h): each macro
 * emits one record into the ELF section the host reads.  A payload states
 * once what it is, which tests it sends and which --param keys it reads:
 *
 *   PAYLOAD_INFO("blk", "virtio-blk: I/Os per second and exits per I/O");
 *   PARAM("bs", "4096", "block size in bytes (k/m suffixes)");
 *   TEST("read", R03, "reads of bs bytes at queue depth qd");
 *
 * Tests run by the measure harness are declared by their table row instead
 * (MEASURE_TABLE in measure.h).  param_str() refuses keys not declared here.
 */
#ifndef GUEST_CATALOGUE_H
#define GUEST_CATALOGUE_H

#include "exitlab/boot_abi.h"
#include "exitlab/catalogue.h"

#define CATALOGUE_ATTR __attribute__((section(CATALOGUE_SECTION), used, aligned(8)))

#define PAYLOAD_INFO(nm, hlp)								\
	static const struct catalogue_payload catalogue_payload_info CATALOGUE_ATTR = {	\
		.hdr = CATALOGUE_HDR(CATALOGUE_PAYLOAD, struct catalogue_payload),	\
		.name = nm, .help = hlp }

#define CATALOGUE_CAT2(a, b) a##b
#define CATALOGUE_CAT(a, b) CATALOGUE_CAT2(a, b)
#define CATALOGUE_VAR(what) CATALOGUE_CAT(catalogue_##what##_, __LINE__)

/* A --param key ([a-z0-9_]+) with its default as text ("" if it depends: say so in hlp). */
#define PARAM(key, def, hlp)								\
	static const struct catalogue_param CATALOGUE_VAR(param) CATALOGUE_ATTR = {	\
		.hdr = CATALOGUE_HDR(CATALOGUE_PARAM, struct catalogue_param),		\
		.name = key, .value = def, .help = hlp }

/* Every record of tests has the fixed part as its member d (struct measure_test too). */
struct catalogue_test_decl {
	struct catalogue_test d;
};

/* A test sent by the payload's own code; optional EXITS(k, u) after the help. */
#define TEST(nm, rg, hlp, ...)								\
	static const struct catalogue_test_decl CATALOGUE_VAR(test) CATALOGUE_ATTR = {	\
		.d.hdr = CATALOGUE_HDR(CATALOGUE_TEST, struct catalogue_test_decl),	\
		.d.name = nm, .d.rings = (rg), .d.help = hlp, __VA_ARGS__ }

/*
 * The exits each operation should cost on a hardware backend: k KVM exits,
 * u of them to the VMM (userspace).  The host judges each result by them.
 */
#define EXITS(k, u)	.d.expect = CATALOGUE_EXPECT_EXITS | CATALOGUE_EXPECT_USER,	\
			.d.exits = (k), .d.user_exits = (u)

#define R0  BOOT_RING0
#define R3  BOOT_RING3
#define R03 (BOOT_RING0 | BOOT_RING3)

/* The record of that kind and name in this payload's catalogue, or NULL. */
const struct catalogue_hdr *catalogue_find(unsigned int kind, const char *name);

#endif
