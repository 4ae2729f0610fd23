// SPDX-License-Identifier: MIT
/*
 * Unit tests for devices/net: spec parsing (good and hostile specs), the sink
 * and its pattern/seq check, the generator (sizes, contents, count, rate
 * pacing against a simulated clock), the loopback (round trip, overflow, two
 * threads), and a real tap inside a network namespace of a forked child.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "devices/net/net_backend.h"
#include "devices/net/net_gen.h"
#include "devices/net/net_sink.h"
#include "devices/net/net_tap.h"

#define ETHERTYPE_EXITLAB 0x88B5

static struct net_backend *open_ok(const char *spec)
{
	char err[512];
	enum outcome why = OUTCOME_FAILED;
	struct net_backend *b = net_backend_open(spec, &why, err, sizeof(err));

	if (!b)
		fail_msg("'%s': %s", spec, err);
	assert_int_equal(why, OUTCOME_OK);
	return b;
}

/* A frame in the exitlab pattern: broadcast dst, a fixed src, ethertype, seq, pattern. */
static void make_frame(uint8_t *f, size_t len, uint32_t seq)
{
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x42 };

	memset(f, 0xff, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETHERTYPE_EXITLAB >> 8;
	f[13] = ETHERTYPE_EXITLAB & 0xff;
	f[14] = (uint8_t)(seq >> 24);
	f[15] = (uint8_t)(seq >> 16);
	f[16] = (uint8_t)(seq >> 8);
	f[17] = (uint8_t)seq;
	for (size_t i = 18; i < len; i++)
		f[i] = net_pattern_byte(seq, i);
}

static int send_buf(struct net_backend *b, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };

	return b->ops->send(b, &iov, 1);
}

static ssize_t recv_buf(struct net_backend *b, void *buf, size_t len)
{
	struct iovec iov = { buf, len };

	return b->ops->recv(b, &iov, 1);
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static uint32_t frame_seq(const uint8_t *f)
{
	return (uint32_t)f[14] << 24 | (uint32_t)f[15] << 16 | (uint32_t)f[16] << 8 | f[17];
}

/* ---- spec parsing ---- */

static void test_spec_good(void **state)
{
	static const uint8_t def_mac[6] = { 0x02, 0x65, 0x78, 0x69, 0x74, 0x01 };
	struct net_backend *b;

	(void)state;
	b = open_ok("sink");
	assert_string_equal(b->ops->kind, "sink");
	assert_true(b->fd >= 0);
	assert_int_equal(b->vnet_hdr_len, 0);
	assert_memory_equal(b->mac, def_mac, 6);
	net_backend_close(b);

	b = open_ok("sink,check=1");
	net_backend_close(b);
	b = open_ok("sink,check=0");
	net_backend_close(b);

	b = open_ok("gen");
	assert_string_equal(b->ops->kind, "gen");
	assert_int_equal(b->fd, -1); /* rate 0, no count: always ready */
	net_backend_close(b);

	b = open_ok("gen,size=1514,rate=1000,count=5,dst=02:AB:cd:00:00:01,check=1");
	assert_true(b->fd >= 0);
	net_backend_close(b);
	b = open_ok("gen,count=18446744073709551615");
	net_backend_close(b);
	b = open_ok("gen,rate=100000000,size=60");
	net_backend_close(b);

	b = open_ok("loop");
	assert_string_equal(b->ops->kind, "loop");
	assert_true(b->fd >= 0);
	net_backend_close(b);

	net_backend_close(NULL);
}

static void test_spec_bad(void **state)
{
	static const struct { const char *spec, *want1, *want2; } bad[] = {
		{ "", "empty spec", "tap, sink, gen, loop" },
		{ "foo", "'foo': unknown kind", "tap, sink, gen, loop" },
		{ "Sink", "unknown kind", "sink" },
		{ " sink", "unknown kind", "sink" },
		{ "sink ", "unknown kind", "sink" },
		{ ",sink", "unknown kind", "sink" },
		{ "=x", "unknown kind", "loop" },
		{ "sink,check=2", "check=2 is out of range", "check=0..1" },
		{ "sink,check=", "'check' needs a value", "check=0..1" },
		{ "sink,check", "'check' needs a value", "check=0..1" },
		{ "sink,size=64", "unknown key 'size'", "sink takes: check" },
		{ "sink,Check=1", "unknown key 'Check'", "sink takes: check" },
		{ "sink,check=1,check=1", "'check' given twice", "sink" },
		{ "sink,check=1,check=0", "given twice", "check" },
		{ "sink,", "item 2 is empty", "check" },
		{ "sink,,check=1", "item 2 is empty", "check" },
		{ "sink,=1", "unknown key ''", "check" },
		{ "gen,size=59", "size=59 is out of range", "size=60..1514" },
		{ "gen,size=1515", "out of range", "60..1514" },
		{ "gen,size=0", "out of range", "60..1514" },
		{ "gen,size=-1", "'-1' is not a decimal number", "60..1514" },
		{ "gen,size=+64", "not a decimal number", "60..1514" },
		{ "gen,size=0x40", "not a decimal number", "size" },
		{ "gen,size=64k", "not a decimal number", "size" },
		{ "gen,size= 64", "not a decimal number", "size" },
		{ "gen,size=64 ", "not a decimal number", "size" },
		{ "gen,rate=100000001", "rate=100000001 is out of range", "rate=0..100000000" },
		{ "gen,count=0", "count=0 is out of range", "count=1.." },
		{ "gen,count=18446744073709551616", "out of range", "count" },
		{ "gen,count=99999999999999999999999999", "out of range", "count" },
		{ "gen,dst=ff:ff:ff:ff:ff", "is not a MAC address", "xx:xx:xx:xx:xx:xx" },
		{ "gen,dst=ff:ff:ff:ff:ff:ff:ff", "not a MAC", "dst" },
		{ "gen,dst=gg:00:00:00:00:00", "not a MAC", "dst" },
		{ "gen,dst=ff-ff-ff-ff-ff-ff", "not a MAC", "dst" },
		{ "gen,dst=0:1:2:3:4:5:6:7", "not a MAC", "dst" },
		{ "gen,ifname=x", "unknown key 'ifname'", "gen takes: check, size, rate, count, dst" },
		{ "gen,size=64,size=64", "given twice", "size" },
		{ "loop,x=1", "unknown key 'x'", "loop takes no keys" },
		{ "loop,", "item 2 is empty", "no keys" },
		{ "tap", "'ifname' is required", "tap,ifname=NAME" },
		{ "tap,vnet_hdr=1", "'ifname' is required", "ifname" },
		{ "tap,ifname=", "'ifname' needs a value", "1..15" },
		{ "tap,ifname=abcdefghijklmnop", "has 16 characters", "1..15" },
		{ "tap,ifname=a/b", "invalid character '/'", "letters, digits" },
		{ "tap,ifname=a b", "invalid character ' '", "letters" },
		{ "tap,ifname=a:0", "invalid character ':'", "letters" },
		{ "tap,ifname=tap%d", "invalid character '%'", "letters" },
		{ "tap,ifname=\x01x", "invalid byte 0x01", "letters" },
		{ "tap,ifname=..", "is not a name", "" },
		{ "tap,ifname=.", "is not a name", "" },
		{ "tap,ifname=x,vnet_hdr=2", "vnet_hdr=2 is out of range", "0..1" },
		{ "tap,ifname=x,ifname=y", "given twice", "ifname" },
		{ "tap,ifname=x,check=1", "unknown key 'check'", "tap takes: ifname, vnet_hdr" },
	};
	char err[512], longspec[400];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum outcome why = OUTCOME_OK;
		struct net_backend *b;

		strcpy(err, "untouched");
		b = net_backend_open(bad[i].spec, &why, err, sizeof(err));
		if (b)
			fail_msg("spec '%s' was accepted", bad[i].spec);
		assert_int_equal(why, OUTCOME_BAD_INPUT);
		if (!strstr(err, bad[i].want1) || !strstr(err, bad[i].want2))
			fail_msg("spec '%s': err '%s' lacks '%s' or '%s'", bad[i].spec, err, bad[i].want1,
				 bad[i].want2);
	}
	assert_null(net_backend_open(NULL, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "empty spec"));
	/* No err buffer and no outcome asked for: still refused, no crash. */
	assert_null(net_backend_open("foo", NULL, NULL, 0));
	/* A tiny err buffer is truncated, not overrun. */
	memset(err, 'x', sizeof(err));
	assert_null(net_backend_open("foo", NULL, err, 8));
	assert_int_equal(strlen(err), 7);
	memset(longspec, 'a', sizeof(longspec) - 1);
	longspec[sizeof(longspec) - 1] = '\0';
	memcpy(longspec, "sink,", 5);
	assert_null(net_backend_open(longspec, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "too long"));
}

/* ---- sink ---- */

static void test_sink_counts(void **state)
{
	struct net_backend *b = open_ok("sink");
	struct net_sink_stats ss;
	uint8_t f[1514], rx[64];
	struct iovec iov[3];

	(void)state;
	memset(f, 0xa5, sizeof(f)); /* no pattern: without check it does not matter */
	assert_int_equal(send_buf(b, f, 60), 0);
	assert_int_equal(send_buf(b, f, 1514), 0);
	iov[0] = (struct iovec){ f, 10 };
	iov[1] = (struct iovec){ f + 10, 0 };
	iov[2] = (struct iovec){ f + 10, 90 };
	assert_int_equal(b->ops->send(b, iov, 3), 0);
	assert_int_equal(b->stats.tx_frames, 3);
	assert_int_equal(b->stats.tx_bytes, 60 + 1514 + 100);
	assert_int_equal(b->stats.tx_bad_payload, 0);
	assert_int_equal(b->stats.tx_errors, 0);
	/* Nothing ever comes back, and the fd never wakes an RX worker. */
	assert_int_equal(recv_buf(b, rx, sizeof(rx)), -EAGAIN);
	assert_false(readable(b->fd));
	assert_int_equal(b->stats.rx_frames, 0);
	assert_true(net_sink_stats(b, &ss));
	assert_false(ss.check);
	assert_int_equal(ss.checked, 0);
	net_backend_close(b);
}

static void test_sink_check(void **state)
{
	struct net_backend *b = open_ok("sink,check=1");
	struct net_sink_stats ss;
	uint8_t f[1514];
	struct iovec iov[4];

	(void)state;
	/* Good frames, whole and split at awkward places (inside the seq, inside the pattern). */
	make_frame(f, 64, 0);
	assert_int_equal(send_buf(b, f, 64), 0);
	make_frame(f, 1514, 1);
	iov[0] = (struct iovec){ f, 15 };
	iov[1] = (struct iovec){ f + 15, 2 };
	iov[2] = (struct iovec){ f + 17, 500 };
	iov[3] = (struct iovec){ f + 517, 997 };
	assert_int_equal(b->ops->send(b, iov, 4), 0);
	make_frame(f, 18, 2); /* seq, no pattern bytes: still good */
	assert_int_equal(send_buf(b, f, 18), 0);
	assert_int_equal(b->stats.tx_bad_payload, 0);
	assert_true(net_sink_stats(b, &ss));
	assert_true(ss.check);
	assert_int_equal(ss.checked, 3);
	assert_true(ss.have_seq);
	assert_int_equal(ss.last_seq, 2);

	/* One corrupted pattern byte. */
	make_frame(f, 100, 3);
	f[77] ^= 0x01;
	assert_int_equal(send_buf(b, f, 100), 0);
	assert_int_equal(b->stats.tx_bad_payload, 1);
	/* A corrupted seq: the pattern no longer matches it. */
	make_frame(f, 100, 3);
	f[17] ^= 0x80;
	assert_int_equal(send_buf(b, f, 100), 0);
	assert_int_equal(b->stats.tx_bad_payload, 2);
	/* Short frames: too small to hold a seq. */
	make_frame(f, 17, 3);
	assert_int_equal(send_buf(b, f, 17), 0);
	assert_int_equal(send_buf(b, f, 0), 0);
	assert_int_equal(b->stats.tx_bad_payload, 4);
	assert_true(net_sink_stats(b, &ss));
	assert_int_equal(ss.short_frames, 2);
	assert_int_equal(ss.bad_payload, 4);
	/* Bad frames do not move the seq. */
	assert_int_equal(ss.last_seq, 2);
	assert_int_equal(ss.lost, 0);
	assert_int_equal(ss.out_of_order, 0);

	/* Seq tracking: 2 -> 5 loses 3 and 4; 3 arrives late; 6 follows; 6 again is a repeat. */
	make_frame(f, 64, 5);
	send_buf(b, f, 64);
	make_frame(f, 64, 3);
	send_buf(b, f, 64);
	make_frame(f, 64, 6);
	send_buf(b, f, 64);
	send_buf(b, f, 64);
	assert_true(net_sink_stats(b, &ss));
	assert_int_equal(ss.lost, 2);
	assert_int_equal(ss.out_of_order, 2);
	assert_int_equal(ss.last_seq, 6);
	assert_int_equal(b->stats.tx_frames, 11);
	assert_int_equal(b->stats.tx_bad_payload, 4);
	net_backend_close(b);

	/* The seq may wrap. */
	b = open_ok("sink,check=1");
	make_frame(f, 60, 0xfffffffeu);
	send_buf(b, f, 60);
	make_frame(f, 60, 0xffffffffu);
	send_buf(b, f, 60);
	make_frame(f, 60, 0);
	send_buf(b, f, 60);
	make_frame(f, 60, 2);
	send_buf(b, f, 60);
	assert_true(net_sink_stats(b, &ss));
	assert_int_equal(ss.lost, 1);
	assert_int_equal(ss.out_of_order, 0);
	assert_int_equal(ss.last_seq, 2);
	assert_int_equal(b->stats.tx_bad_payload, 0);
	net_backend_close(b);

	/* Not a sink: no sink stats. */
	b = open_ok("loop");
	assert_false(net_sink_stats(b, &ss));
	net_backend_close(b);
	assert_false(net_sink_stats(NULL, &ss));
}

/* ---- generator ---- */

static void check_gen_frame(const uint8_t *f, size_t len, const uint8_t dst[6], const uint8_t src[6],
			    uint32_t seq)
{
	assert_memory_equal(f, dst, 6);
	assert_memory_equal(f + 6, src, 6);
	assert_int_equal(f[12], 0x88);
	assert_int_equal(f[13], 0xB5);
	assert_int_equal(frame_seq(f), seq);
	for (size_t i = 18; i < len; i++)
		if (f[i] != net_pattern_byte(seq, i))
			fail_msg("seq %u byte %zu: 0x%02x, want 0x%02x", seq, i, f[i], net_pattern_byte(seq, i));
}

/*
 * The check compares whole segments against a pattern table: a flipped bit
 * anywhere in the pattern is caught, whatever the segmentation, also in a
 * GSO-sized frame longer than the table's chunk. (A flipped seq byte is the
 * seq tracking's to catch: the high bytes do not move the pattern.)
 */
static void test_sink_check_every_byte(void **state)
{
	static uint8_t f[9018];
	const size_t lens[] = { 60, 1514, sizeof(f) };
	struct net_backend *b = open_ok("sink,check=1");
	uint64_t bad = 0;
	struct iovec iov[5];

	(void)state;
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		size_t len = lens[l];

		make_frame(f, len, (uint32_t)(1000 + l));
		/* whole, then split inside the seq, with an empty segment and a 1-byte one */
		assert_int_equal(send_buf(b, f, len), 0);
		iov[0] = (struct iovec){ f, 16 };
		iov[1] = (struct iovec){ f + 16, 0 };
		iov[2] = (struct iovec){ f + 16, 3 };
		iov[3] = (struct iovec){ f + 19, 1 };
		iov[4] = (struct iovec){ f + 20, len - 20 };
		assert_int_equal(b->ops->send(b, iov, 5), 0);
		assert_int_equal(b->stats.tx_bad_payload, bad);
		for (size_t i = 18; i < len; i++) {
			f[i] ^= 0x10;
			assert_int_equal(b->ops->send(b, iov, 5), 0);
			if (b->stats.tx_bad_payload != ++bad)
				fail_msg("len %zu: a flipped byte %zu was not caught", len, i);
			f[i] ^= 0x10;
		}
	}
	net_backend_close(b);
}

static void test_gen_frames(void **state)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t dst[6] = { 0x02, 0xab, 0xcd, 0x00, 0x00, 0x01 };
	static const unsigned sizes[] = { 60, 64, 1000, 1514 };
	struct net_backend *b, *sink;
	struct net_sink_stats ss;
	uint8_t f[2048];
	struct iovec iov[3];

	(void)state;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		char spec[64];

		snprintf(spec, sizeof(spec), "gen,size=%u", sizes[k]);
		b = open_ok(spec);
		for (uint32_t seq = 0; seq < 5; seq++) {
			memset(f, 0, sizeof(f));
			assert_int_equal(recv_buf(b, f, sizeof(f)), sizes[k]);
			check_gen_frame(f, sizes[k], bcast, b->mac, seq);
			assert_int_equal(f[sizes[k]], 0); /* nothing written past the frame */
		}
		assert_int_equal(b->stats.rx_frames, 5);
		assert_int_equal(b->stats.rx_bytes, 5 * sizes[k]);
		net_backend_close(b);
	}

	/* Default size 64; dst as given; src follows b->mac when the device model sets it. */
	b = open_ok("gen,dst=02:AB:cd:00:00:01");
	b->mac[5] = 0x77;
	iov[0] = (struct iovec){ f, 7 };
	iov[1] = (struct iovec){ f + 7, 9 };
	iov[2] = (struct iovec){ f + 16, 200 };
	assert_int_equal(b->ops->recv(b, iov, 3), 64);
	check_gen_frame(f, 64, dst, b->mac, 0);

	/* Too small a buffer: dropped, counted, the seq moves on. */
	assert_int_equal(recv_buf(b, f, 63), -EMSGSIZE);
	assert_int_equal(b->stats.rx_dropped, 1);
	assert_int_equal(recv_buf(b, f, 64), 64);
	check_gen_frame(f, 64, dst, b->mac, 2);
	assert_int_equal(b->stats.rx_frames, 2);

	/* What the generator makes, a checking sink accepts. */
	sink = open_ok("sink,check=1");
	for (int i = 0; i < 10; i++) {
		ssize_t n = recv_buf(b, f, sizeof(f));

		assert_int_equal(n, 64);
		assert_int_equal(send_buf(sink, f, (size_t)n), 0);
	}
	assert_true(net_sink_stats(sink, &ss));
	assert_int_equal(ss.checked, 10);
	assert_int_equal(ss.bad_payload, 0);
	assert_int_equal(ss.lost, 0);
	assert_int_equal(ss.last_seq, 12);
	net_backend_close(sink);

	/* Its TX side is a sink, checking when asked. */
	make_frame(f, 64, 0);
	assert_int_equal(send_buf(b, f, 64), 0);
	assert_int_equal(b->stats.tx_frames, 1);
	assert_int_equal(b->stats.tx_bytes, 64);
	assert_true(net_sink_stats(b, &ss));
	assert_false(ss.check);
	net_backend_close(b);

	b = open_ok("gen,check=1");
	f[40] ^= 0xff;
	assert_int_equal(send_buf(b, f, 64), 0);
	assert_int_equal(b->stats.tx_bad_payload, 1);
	net_backend_close(b);
}

struct fake_clock {
	uint64_t ns;
};

static uint64_t fake_now(void *opaque)
{
	return ((struct fake_clock *)opaque)->ns;
}

/* Receive until -EAGAIN; how many frames came. */
static unsigned drain_gen(struct net_backend *b)
{
	uint8_t f[2048];
	unsigned n = 0;
	ssize_t r;

	while ((r = recv_buf(b, f, sizeof(f))) > 0)
		n++;
	assert_int_equal(r, -EAGAIN);
	return n;
}

static void test_gen_count(void **state)
{
	struct fake_clock clk = { 1000 };
	struct net_backend *b;

	(void)state;
	/* rate 0 with a count: the fd is readable until the count is reached, then never. */
	b = open_ok("gen,count=3");
	assert_true(b->fd >= 0);
	assert_true(readable(b->fd));
	assert_int_equal(drain_gen(b), 3);
	assert_false(readable(b->fd));
	assert_int_equal(drain_gen(b), 0);
	assert_int_equal(b->stats.rx_frames, 3);
	net_backend_close(b);

	/* Paced with a count: stops after the count whatever the clock says. */
	b = open_ok("gen,rate=1000,count=5");
	assert_true(net_gen_set_clock(b, fake_now, &clk));
	assert_int_equal(drain_gen(b), 1);
	clk.ns += 2000000;
	assert_int_equal(drain_gen(b), 2);
	clk.ns += 60ull * 1000000000;
	assert_int_equal(drain_gen(b), 2);
	assert_false(readable(b->fd)); /* the timer is off */
	clk.ns += 60ull * 1000000000;
	assert_int_equal(drain_gen(b), 0);
	assert_int_equal(b->stats.rx_frames, 5);
	net_backend_close(b);

	/* The clock belongs to gens only. */
	b = open_ok("sink");
	assert_false(net_gen_set_clock(b, fake_now, &clk));
	net_backend_close(b);
}

static void test_gen_rate(void **state)
{
	struct fake_clock clk = { 5000000000ull };
	struct net_backend *b;
	unsigned total;

	(void)state;
	b = open_ok("gen,rate=1000");
	assert_true(b->fd >= 0);
	assert_true(net_gen_set_clock(b, fake_now, &clk));
	/* One token in hand at the start, then one per millisecond. */
	assert_int_equal(drain_gen(b), 1);
	clk.ns += 500000;
	assert_int_equal(drain_gen(b), 0);
	clk.ns += 500000;
	assert_int_equal(drain_gen(b), 1);
	clk.ns += 3000000;
	assert_int_equal(drain_gen(b), 3);
	/* A long idle spell saves up only a small burst. */
	clk.ns += 10ull * 1000000000;
	assert_int_equal(drain_gen(b), 32);
	/* One simulated second asked every 100 us: exactly rate frames. */
	total = 0;
	for (int i = 0; i < 10000; i++) {
		clk.ns += 100000;
		total += drain_gen(b);
	}
	assert_int_equal(total, 1000);
	/* A clock that goes backwards gives nothing and breaks nothing. */
	clk.ns -= 1000000000;
	assert_int_equal(drain_gen(b), 0);
	net_backend_close(b);

	/* rate=1: the burst is two frames (never less than two timer periods' worth). */
	b = open_ok("gen,rate=1");
	assert_true(net_gen_set_clock(b, fake_now, &clk));
	assert_int_equal(drain_gen(b), 1);
	clk.ns += 999999999;
	assert_int_equal(drain_gen(b), 0);
	clk.ns += 1;
	assert_int_equal(drain_gen(b), 1);
	clk.ns += 100ull * 1000000000;
	assert_int_equal(drain_gen(b), 2);
	net_backend_close(b);

	/* A high rate: the timer wakes at most every 20 us, so the burst covers two wake-ups. */
	b = open_ok("gen,rate=10000000,size=60");
	assert_true(net_gen_set_clock(b, fake_now, &clk));
	assert_int_equal(drain_gen(b), 1);
	clk.ns += 20000;
	assert_int_equal(drain_gen(b), 200);
	clk.ns += 1000000000;
	assert_int_equal(drain_gen(b), 400);
	net_backend_close(b);

	/* On the real clock the timerfd does wake a poller (liveness only, no timing asserted). */
	b = open_ok("gen,rate=1000");
	assert_int_equal(drain_gen(b), 1);
	{
		struct pollfd p = { .fd = b->fd, .events = POLLIN };

		assert_int_equal(poll(&p, 1, 5000), 1);
	}
	total = 0;
	for (int i = 0; i < 100 && !total; i++) {
		total = drain_gen(b);
		if (!total)
			usleep(2000);
	}
	assert_true(total >= 1);
	net_backend_close(b);
}

/* ---- loopback ---- */

static void test_loop_roundtrip(void **state)
{
	static const size_t sizes[] = { 14, 60, 1514, 9000, NET_FRAME_MAX, 64 };
	struct net_backend *b = open_ok("loop");
	uint8_t *f = malloc(NET_FRAME_MAX + 1), *r = malloc(NET_FRAME_MAX + 16);
	uint64_t bytes = 0;
	struct iovec iov[2];

	(void)state;
	assert_non_null(f);
	assert_non_null(r);
	assert_false(readable(b->fd));
	assert_int_equal(recv_buf(b, r, 2048), -EAGAIN);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		make_frame(f, sizes[k], (uint32_t)k);
		assert_int_equal(send_buf(b, f, sizes[k]), 0);
		assert_true(readable(b->fd));
		memset(r, 0, sizes[k]);
		/* received into two pieces */
		iov[0] = (struct iovec){ r, 5 };
		iov[1] = (struct iovec){ r + 5, NET_FRAME_MAX + 11 };
		assert_int_equal(b->ops->recv(b, iov, 2), (ssize_t)sizes[k]);
		assert_memory_equal(r, f, sizes[k]);
		assert_false(readable(b->fd));
		bytes += sizes[k];
	}
	assert_int_equal(b->stats.tx_frames, 6);
	assert_int_equal(b->stats.rx_frames, 6);
	assert_int_equal(b->stats.tx_bytes, bytes);
	assert_int_equal(b->stats.rx_bytes, bytes);

	/* Hostile sizes. */
	assert_int_equal(send_buf(b, f, NET_FRAME_MAX + 1), -EMSGSIZE);
	assert_int_equal(send_buf(b, f, 0), -EINVAL);
	iov[0] = (struct iovec){ f, SIZE_MAX };
	iov[1] = (struct iovec){ f, 2 };
	assert_int_equal(b->ops->send(b, iov, 2), -EMSGSIZE);
	assert_int_equal(b->stats.tx_errors, 3);
	assert_false(readable(b->fd));

	/* A frame too big for the receiver's buffer is dropped; the next one still comes. */
	make_frame(f, 1000, 1);
	send_buf(b, f, 1000);
	make_frame(f, 100, 2);
	send_buf(b, f, 100);
	assert_int_equal(recv_buf(b, r, 999), -EMSGSIZE);
	assert_int_equal(b->stats.rx_dropped, 1);
	assert_true(readable(b->fd));
	assert_int_equal(recv_buf(b, r, 999), 100);
	assert_memory_equal(r, f, 100);
	assert_false(readable(b->fd));
	free(f);
	free(r);
	net_backend_close(b);
}

static void test_loop_overflow(void **state)
{
	struct net_backend *b = open_ok("loop");
	uint8_t f[128];

	(void)state;
	for (uint32_t seq = 0; seq < 300; seq++) {
		make_frame(f, sizeof(f), seq);
		assert_int_equal(send_buf(b, f, sizeof(f)), 0);
	}
	assert_int_equal(b->stats.tx_frames, 300);
	assert_int_equal(b->stats.rx_dropped, 300 - 256);
	for (uint32_t seq = 0; seq < 256; seq++) {
		assert_true(readable(b->fd));
		assert_int_equal(recv_buf(b, f, sizeof(f)), sizeof(f));
		assert_int_equal(frame_seq(f), seq);
	}
	assert_false(readable(b->fd));
	assert_int_equal(recv_buf(b, f, sizeof(f)), -EAGAIN);
	/* Room again after draining. */
	make_frame(f, sizeof(f), 999);
	assert_int_equal(send_buf(b, f, sizeof(f)), 0);
	assert_int_equal(recv_buf(b, f, sizeof(f)), sizeof(f));
	assert_int_equal(frame_seq(f), 999);
	assert_int_equal(b->stats.rx_frames, 257);
	assert_int_equal(b->stats.rx_dropped, 44);
	net_backend_close(b);
}

#define THREAD_FRAMES 50000u

struct loop_thread {
	struct net_backend *b;
	int done;                 /* the sender has sent everything */
};

static void *loop_sender(void *arg)
{
	struct loop_thread *t = arg;
	uint8_t f[200];

	for (uint32_t seq = 0; seq < THREAD_FRAMES; seq++) {
		size_t len = 60 + seq % 140;

		make_frame(f, len, seq);
		if (send_buf(t->b, f, len) != 0)
			abort();
		/* First half flat out (the ring overflows); second half with pauses, so that
		 * the ring runs empty again and again and every wake-up path is taken. */
		if (seq < THREAD_FRAMES / 2 && seq % 1024 == 0)
			sched_yield();
		if (seq >= THREAD_FRAMES / 2 && seq % 16 == 0)
			usleep(10);
	}
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_loop_threads(void **state)
{
	struct loop_thread t = { open_ok("loop"), 0 };
	struct net_backend *sink = open_ok("sink,check=1");
	struct net_sink_stats ss;
	uint64_t got = 0, dropped;
	int64_t last = -1;
	pthread_t th;
	uint8_t f[256];

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, loop_sender, &t), 0);
	for (;;) {
		struct pollfd p = { .fd = t.b->fd, .events = POLLIN };
		ssize_t n;

		dropped = __atomic_load_n(&t.b->stats.rx_dropped, __ATOMIC_RELAXED);
		if (got + dropped == THREAD_FRAMES)
			break;
		if (poll(&p, 1, 200) == 0) {
			/* Quiet: if the sender is done, nothing may be left behind a silent fd. */
			if (__atomic_load_n(&t.done, __ATOMIC_ACQUIRE)) {
				n = recv_buf(t.b, f, sizeof(f));
				if (n > 0)
					fail_msg("a frame was queued but the fd was not readable (lost wake-up)");
				dropped = __atomic_load_n(&t.b->stats.rx_dropped, __ATOMIC_RELAXED);
				if (got + dropped != THREAD_FRAMES)
					fail_msg("sender done, %llu received + %llu dropped != %u",
						 (unsigned long long)got, (unsigned long long)dropped, THREAD_FRAMES);
			}
			continue;
		}
		while ((n = recv_buf(t.b, f, sizeof(f))) > 0) {
			uint32_t seq = frame_seq(f);

			assert_int_equal(n, 60 + seq % 140);
			if ((int64_t)seq <= last)
				fail_msg("seq %u after %lld: out of order", seq, (long long)last);
			last = seq;
			send_buf(sink, f, (size_t)n);
			got++;
		}
		assert_int_equal(n, -EAGAIN);
	}
	pthread_join(th, NULL);
	assert_int_equal(t.b->stats.tx_frames, THREAD_FRAMES);
	assert_int_equal(t.b->stats.rx_frames, got);
	assert_int_equal(t.b->stats.rx_frames + t.b->stats.rx_dropped, THREAD_FRAMES);
	assert_true(got >= 256);
	assert_true(net_sink_stats(sink, &ss));
	assert_int_equal(ss.bad_payload, 0);
	assert_int_equal(ss.checked, got);
	assert_int_equal(ss.lost, t.b->stats.rx_dropped - (THREAD_FRAMES - 1 - ss.last_seq));
	assert_false(readable(t.b->fd));
	printf("loop threads: %llu received, %llu dropped\n", (unsigned long long)got,
	       (unsigned long long)t.b->stats.rx_dropped);
	net_backend_close(sink);
	net_backend_close(t.b);
}

/* ---- tap, in a network namespace of a forked child ---- */

static int child_pipe = -1;

/* In the child: report a failure to the parent and stop. */
#define CHECK(cond, ...)                                                            \
	do {                                                                        \
		if (!(cond)) {                                                      \
			char m_[600];                                               \
			int l_ = snprintf(m_, sizeof(m_), "line %d: ", __LINE__);   \
			snprintf(m_ + l_, sizeof(m_) - (size_t)l_, __VA_ARGS__);    \
			if (write(child_pipe, m_, strlen(m_)) < 0)                  \
				_exit(3);                                           \
			_exit(1);                                                   \
		}                                                                   \
	} while (0)

static bool tap_skip(void)
{
	if (geteuid() != 0) {
		printf("skip: tap tests need root (CAP_NET_ADMIN and unshare(CLONE_NEWNET))\n");
		return true;
	}
	if (access("/dev/net/tun", R_OK | W_OK)) {
		printf("skip: no /dev/net/tun on this host\n");
		return true;
	}
	return false;
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0) {
			/* best effort: IPv6 chatter is filtered out anyway */
		}
		close(fd);
	}
}

/* Run body in a child inside a fresh network namespace; fail with what it reports. */
static void in_netns(void (*body)(bool), bool arg)
{
	char msg[640] = "";
	int p[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		child_pipe = p[1];
		CHECK(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET): %s", strerror(errno));
		write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
		write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
		body(arg);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("tap child (status 0x%x): %s", status, msg[0] ? msg : "no message (crashed?)");
}

static int packet_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));

	CHECK(s >= 0, "socket(AF_PACKET): %s", strerror(errno));
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	CHECK(sll.sll_ifindex > 0, "if_nametoindex(%s): %s", ifname, strerror(errno));
	CHECK(bind(s, (struct sockaddr *)&sll, sizeof(sll)) == 0, "bind AF_PACKET: %s", strerror(errno));
	return s;
}

static bool is_ours(const uint8_t *f, ssize_t n)
{
	return n >= 18 && f[12] == (ETHERTYPE_EXITLAB >> 8) && f[13] == (ETHERTYPE_EXITLAB & 0xff);
}

/* Wait for our frame on the packet socket; its length. */
static ssize_t packet_wait(int s, uint8_t *buf, size_t len)
{
	for (int tries = 0; tries < 50; tries++) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		ssize_t n;

		CHECK(poll(&p, 1, 2000) == 1, "no frame on the AF_PACKET socket");
		n = recv(s, buf, len, 0);
		CHECK(n >= 0, "recv AF_PACKET: %s", strerror(errno));
		if (is_ours(buf, n))
			return n;
	}
	CHECK(0, "only foreign frames on the AF_PACKET socket");
	return -1;
}

/* Wait for our frame through the backend (after hdr bytes); the backend's return value. */
static ssize_t backend_wait(struct net_backend *b, uint8_t *buf, size_t len)
{
	for (int tries = 0; tries < 50; tries++) {
		struct pollfd p = { .fd = b->fd, .events = POLLIN };
		ssize_t n;

		CHECK(poll(&p, 1, 2000) == 1, "the tap fd never became readable");
		n = recv_buf(b, buf, len);
		if (n == -EAGAIN)
			continue;
		if (n == -EMSGSIZE || (n > 0 && is_ours(buf + b->vnet_hdr_len, n - (ssize_t)b->vnet_hdr_len)))
			return n;
		CHECK(n > 0, "tap recv: %zd", n);
	}
	CHECK(0, "only foreign frames through the tap");
	return -1;
}

static void tap_body(bool vnet)
{
	const char *spec = vnet ? "tap,ifname=exl0,vnet_hdr=1" : "tap,ifname=exl0";
	unsigned hl = vnet ? 12 : 0;
	uint8_t f[1600], r[1600];
	struct net_backend *b, *b2;
	struct ifreq ifr;
	char err[512];
	enum outcome why;
	ssize_t n;
	int s, ps;

	b = net_backend_open(spec, &why, err, sizeof(err));
	CHECK(b, "open %s: %s", spec, err);
	CHECK(strcmp(b->ops->kind, "tap") == 0, "kind %s", b->ops->kind);
	CHECK(b->vnet_hdr_len == hl, "vnet_hdr_len %u", b->vnet_hdr_len);
	CHECK(fcntl(b->fd, F_GETFL) & O_NONBLOCK, "tap fd is blocking");
	/* The link was brought up. */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "exl0");
	CHECK(ioctl(s, SIOCGIFFLAGS, &ifr) == 0, "SIOCGIFFLAGS: %s", strerror(errno));
	CHECK(ifr.ifr_flags & IFF_UP, "exl0 is not up");
	close(s);
	CHECK(recv_buf(b, r, sizeof(r)) == -EAGAIN, "recv on a quiet tap did not say -EAGAIN");

	ps = packet_socket("exl0");

	/* Backend send -> the kernel receives it on exl0 -> the packet socket sees it. */
	memset(f, 0, hl); /* a virtio_net_hdr of zeros: no offload */
	make_frame(f + hl, 100, 7);
	CHECK(send_buf(b, f, hl + 100) == 0, "tap send failed");
	n = packet_wait(ps, r, sizeof(r));
	CHECK(n == 100, "AF_PACKET got %zd bytes, want 100", n);
	CHECK(memcmp(r, f + hl, 100) == 0, "AF_PACKET frame differs from what was sent");
	CHECK(b->stats.tx_frames == 1 && b->stats.tx_bytes == 100, "tx stats %llu/%llu",
	      (unsigned long long)b->stats.tx_frames, (unsigned long long)b->stats.tx_bytes);
	/* A runt is refused before the kernel sees it. */
	CHECK(send_buf(b, f, hl + 10) == -EINVAL, "a 10-byte frame was sent");

	/* Packet socket injects on exl0 -> the kernel transmits it to the tap fd -> backend recv. */
	make_frame(f, 200, 9);
	CHECK(send(ps, f, 200, 0) == 200, "AF_PACKET send: %s", strerror(errno));
	n = backend_wait(b, r, sizeof(r));
	CHECK(n == (ssize_t)(hl + 200), "tap recv gave %zd, want %u", n, hl + 200);
	CHECK(memcmp(r + hl, f, 200) == 0, "tap frame differs from what was injected");
	if (vnet) {
		CHECK(r[1] == 0, "vnet header gso_type %u, want 0 (none)", r[1]);
		CHECK((r[0] & ~2u) == 0, "vnet header flags 0x%x", r[0]);
	}
	CHECK(b->stats.rx_frames == 1 && b->stats.rx_bytes == 200, "rx stats %llu/%llu",
	      (unsigned long long)b->stats.rx_frames, (unsigned long long)b->stats.rx_bytes);

	/* Too big for the buffer: dropped whole, counted; the next frame comes through. */
	make_frame(f, 1000, 10);
	CHECK(send(ps, f, 1000, 0) == 1000, "AF_PACKET send: %s", strerror(errno));
	n = backend_wait(b, r, hl + 100);
	CHECK(n == -EMSGSIZE, "an oversize frame gave %zd, want -EMSGSIZE", n);
	CHECK(b->stats.rx_dropped == 1, "rx_dropped %llu", (unsigned long long)b->stats.rx_dropped);
	make_frame(f, 60, 11);
	CHECK(send(ps, f, 60, 0) == 60, "AF_PACKET send: %s", strerror(errno));
	n = backend_wait(b, r, sizeof(r));
	CHECK(n == (ssize_t)(hl + 60) && memcmp(r + hl, f, 60) == 0, "frame after the drop: %zd", n);

	if (vnet) {
		CHECK(net_tap_set_offload(b, TUN_F_CSUM) == 0, "TUNSETOFFLOAD csum");
		CHECK(net_tap_set_offload(b, 0) == 0, "TUNSETOFFLOAD none");
	} else {
		CHECK(net_tap_set_offload(b, TUN_F_CSUM) == -EINVAL, "offload without vnet_hdr accepted");
	}

	/* A second open of an attached tap: busy, bad input, not a host lack. */
	b2 = net_backend_open(spec, &why, err, sizeof(err));
	CHECK(!b2, "a second open of exl0 succeeded");
	CHECK(why == OUTCOME_BAD_INPUT && strstr(err, "busy"), "second open: outcome %d, err '%s'", why, err);
	/* Not a tap at all. */
	b2 = net_backend_open("tap,ifname=lo", &why, err, sizeof(err));
	CHECK(!b2, "tap on lo succeeded");
	CHECK(why == OUTCOME_BAD_INPUT && strstr(err, "not a single-queue tap"), "tap on lo: outcome %d, err '%s'",
	      why, err);

	close(ps);
	net_backend_close(b);
	/* Non-persistent: the tap went away with its fd. */
	CHECK(if_nametoindex("exl0") == 0, "exl0 still exists after close");
}

static void test_tap(void **state)
{
	(void)state;
	if (tap_skip())
		skip();
	in_netns(tap_body, false);
}

static void test_tap_vnet_hdr(void **state)
{
	(void)state;
	if (tap_skip())
		skip();
	in_netns(tap_body, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_good),
		cmocka_unit_test(test_spec_bad),
		cmocka_unit_test(test_sink_counts),
		cmocka_unit_test(test_sink_check),
		cmocka_unit_test(test_sink_check_every_byte),
		cmocka_unit_test(test_gen_frames),
		cmocka_unit_test(test_gen_count),
		cmocka_unit_test(test_gen_rate),
		cmocka_unit_test(test_loop_roundtrip),
		cmocka_unit_test(test_loop_overflow),
		cmocka_unit_test(test_loop_threads),
		cmocka_unit_test(test_tap),
		cmocka_unit_test(test_tap_vnet_hdr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
