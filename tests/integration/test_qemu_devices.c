/* SPDX-License-Identifier: MIT */
/*
 * Our payloads and guest drivers under a VMM we did not write: QEMU boots
 * them through PVH (-kernel NAME.elf) with its own devices, and they must
 * report through the serial fallback of the bench protocol and exit through
 * isa-debug-exit with the functional results we expect.  Timings are never
 * asserted.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"
#include "tests/integration/qemu_harness.h"

/* isa-debug-exit: QEMU exits with (status << 1) | 1. */
#define QEMU_EXIT(status) (((status) << 1) | 1)

static bool skip_if_no_qemu(void)
{
	const char *why = qemu_missing();

	if (why)
		fprintf(stderr, "skipped: %s\n", why);
	return why != NULL;
}

/* The boot path itself: boot_info from PVH, ring 3, serial report, debug exit; and a fault is reported. */
static void test_qemu_pvh_boot(void **state)
{
	struct qemu_result r;
	const struct qemu_test *t;
	struct qemu_opts o = {
		.payload = harness_payload("exit-costs"),
		.params = "ring=3",
		.accel = "tcg", /* CPL0-heavy: see ACCEL_FAST */
		.timeout_s = 60,
	};

	(void)state;
	if (skip_if_no_qemu())
		return;
	assert_int_equal(qemu_run(&o, &r), 0);
	assert_false(r.timed_out);
	assert_true(r.hello);
	assert_int_equal(r.done_status, 0);
	assert_int_equal(r.exit_code, QEMU_EXIT(0));
	t = qemu_find_test(&r, "empty", NULL);
	assert_non_null(t);
	assert_int_equal(t->ring, 3);
	assert_string_equal(t->status, "ok");
	assert_true(t->iterations > 0 && t->samples == t->iterations);
	/* No test port, no ioeventfd: the VMM-only tests say why they were skipped. */
	t = qemu_find_test(&r, "pio_vmm", NULL);
	assert_non_null(t);
	assert_string_equal(t->status, "skipped");
	assert_non_null(strstr(t->reason, "no test port"));
	qemu_result_free(&r);

	o.payload = harness_payload("fault");
	o.params = NULL;
	assert_int_equal(qemu_run(&o, &r), 0);
	assert_false(r.timed_out);
	assert_non_null(strstr(r.exception, "vector=14"));
	assert_non_null(strstr(r.exception, "cr2=0x0"));
	assert_int_equal(r.done_status, 1);
	assert_int_equal(r.exit_code, QEMU_EXIT(1));
	qemu_result_free(&r);
}

/*
 * On PVM (this project's hosts) KVM emulates every CPL0 instruction and the
 * drivers run at CPL0: TCG is some 30x faster there.  One net run goes
 * through KVM (accel NULL: kvm, tcg if it does not start), the rest use TCG.
 */
#define ACCEL_FAST "tcg"

/* The exitlab frame pattern (devices/net/net_backend.h) over len bytes; seq from bytes 14..17. */
static bool frame_ok(const uint8_t *f, uint32_t len, uint32_t *seq)
{
	uint32_t s;

	if (len < 18 || f[12] != 0x88 || f[13] != 0xb5)
		return false;
	s = (uint32_t)f[14] << 24 | (uint32_t)f[15] << 16 | (uint32_t)f[16] << 8 | f[17];
	for (uint32_t i = 18; i < len; i++)
		if (f[i] != (uint8_t)(s * 31u + i))
			return false;
	*seq = s;
	return true;
}

/* A pcap file's frames with our ethertype: how many check, how many do not, and which seqs were seen. */
static void pcap_tally(const char *path, uint32_t size, uint64_t *good, uint64_t *bad, uint8_t *seen,
		       uint32_t nseen)
{
	FILE *f = fopen(path, "rb");
	uint8_t hdr[24], rec[16], *buf = malloc(65536);

	*good = *bad = 0;
	assert_non_null(f);
	assert_non_null(buf);
	assert_int_equal(fread(hdr, 1, sizeof(hdr), f), sizeof(hdr));
	assert_true(hdr[0] == 0xd4 && hdr[1] == 0xc3 && hdr[2] == 0xb2 && hdr[3] == 0xa1); /* little-endian pcap */
	while (fread(rec, 1, sizeof(rec), f) == sizeof(rec)) {
		uint32_t caplen = rec[8] | rec[9] << 8 | rec[10] << 16 | (uint32_t)rec[11] << 24, seq;

		assert_true(caplen <= 65536);
		assert_int_equal(fread(buf, 1, caplen, f), caplen);
		if (caplen < 14 || buf[12] != 0x88 || buf[13] != 0xb5)
			continue;
		/*
		 * Test frames are `size` bytes; the payload's loopback flush markers
		 * (seq with the top bit set) are shorter.
		 */
		bool marker = frame_ok(buf, caplen, &seq) && (seq & 0x80000000u);

		if (!frame_ok(buf, caplen, &seq) || (!marker && caplen != size)) {
			(*bad)++;
		} else if (!marker) {
			(*good)++;
			if (seq < nseen)
				seen[seq] = 1;
		}
	}
	free(buf);
	fclose(f);
}

#define NET_FRAMES 64
#define NET_SIZE   300

#define NET_RINGS  2 /* every test at CPL0, then at CPL3 */

/*
 * One NIC under QEMU: tx and rx at batch 1 and 32 over a UDP socket that
 * sends to itself, at CPL0 and at CPL3 (the payload's default ring mask).
 */
static void net_run(const char *device, const char *accel, const char *extra, const char *nic)
{
	char netdev[128], dump[640], pcap[512], params[256], dev[128], match[64];
	uint8_t seen[1 + NET_RINGS * 4 * NET_FRAMES + 1] = { 0 };
	bool irq = strstr(extra, "irq=1") != NULL;
	int port = qemu_free_udp_port();
	uint64_t good, bad, v, sent = 0;
	struct qemu_result r;
	const char *args[] = { "-device", dev, "-netdev", netdev, "-object", dump, NULL };
	struct qemu_opts o = {
		.payload = harness_payload("net"), .params = params, .args = args, .accel = accel,
		.timeout_s = 60,
	};
	static const char *const dirs[] = { "tx", "rx" };
	static const int batches[] = { 1, 32 };

	assert_true(port > 0);
	snprintf(dev, sizeof(dev), "%s,netdev=n0", device);
	snprintf(netdev, sizeof(netdev), "socket,id=n0,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d", port, port);
	snprintf(pcap, sizeof(pcap), "%s/%s.pcap", harness_tmp, nic);
	snprintf(dump, sizeof(dump), "filter-dump,id=f0,netdev=n0,file=%s", pcap);
	snprintf(params, sizeof(params), "nic=%s frames=%d size=%d batch=1,32 loopback=1 %s", nic, NET_FRAMES,
		 NET_SIZE, extra);
	assert_int_equal(qemu_run(&o, &r), 0);
	assert_false(r.timed_out);
	assert_string_equal(r.exception, "");
	assert_int_equal(r.done_status, 0);
	assert_int_equal(r.exit_code, QEMU_EXIT(0));
	/*
	 * irq=1: the rx tests, which wait for frames, took interrupts. Counted over
	 * both rings: at a ring where the device always has the next frame ready
	 * (a slow, emulated CPL0 against a fast backend) the driver never waits, and
	 * with EVENT_IDX asks for no interrupt, so one ring alone may show none.
	 */
	uint64_t rx_irqs = 0;

	for (int ring = 0; ring <= 3; ring += 3) {
		uint64_t ring_irqs = 0;

		for (int d = 0; d < 2; d++)
		for (int b = 0; b < 2; b++) {
			const struct qemu_test *t;

			snprintf(match, sizeof(match), "nic=%s,dir=%s,size=%d,batch=%d", nic, dirs[d], NET_SIZE,
				 batches[b]);
			t = qemu_find_test_ring(&r, dirs[d], ring, match);
			assert_non_null(t);
			assert_string_equal(t->status, "ok");
			assert_int_equal(t->iterations, NET_FRAMES);
			assert_int_equal(t->samples, (NET_FRAMES + batches[b] - 1) / batches[b]);
			assert_int_equal(qemu_kv_u64(t->metrics, "frames", &v), 0);
			assert_int_equal(v, NET_FRAMES);
			assert_int_equal(qemu_kv_u64(t->metrics, "bytes", &v), 0);
			assert_int_equal(v, NET_FRAMES * NET_SIZE);
			assert_int_equal(qemu_kv_u64(t->metrics, "kicks", &v), 0);
			assert_true(v >= 1);
			if (d == 1) {
				/* Every frame the rx test expected came back, pattern and all. */
				assert_int_equal(qemu_kv_u64(t->metrics, "checked", &v), 0);
				assert_int_equal(v, NET_FRAMES);
				assert_int_equal(qemu_kv_u64(t->metrics, "bad", &v), 0);
				assert_int_equal(v, 0);
				assert_int_equal(qemu_kv_u64(t->metrics, "interrupts", &v), 0);
				ring_irqs += v;
			}
			sent += NET_FRAMES;
		}
		if (irq && !ring_irqs)
			fprintf(stderr, "%s %s: no rx interrupts at CPL%d\n", nic, accel ? accel : "kvm", ring);
		rx_irqs += ring_irqs;
	}
	if (irq)
		assert_true(rx_irqs > 0);
	/* On the host: every test frame QEMU's device put on the wire is there and checks. */
	pcap_tally(pcap, NET_SIZE, &good, &bad, seen, sizeof(seen));
	assert_int_equal(bad, 0);
	assert_true(good >= sent);
	for (uint32_t s = 1; s <= sent; s++)
		assert_true(seen[s]);
	qemu_result_free(&r);
}

static void test_qemu_virtio_net(void **state)
{
	(void)state;
	if (skip_if_no_qemu())
		return;
	net_run("virtio-net-pci", NULL, "irq=1 event_idx=1", "virtio");
	net_run("virtio-net-pci", ACCEL_FAST, "irq=0 event_idx=0 mrg_rxbuf=0", "virtio");
}

static void test_qemu_e1000(void **state)
{
	(void)state;
	if (skip_if_no_qemu())
		return;
	net_run("e1000", ACCEL_FAST, "irq=1", "e1000");
	net_run("e1000", ACCEL_FAST, "irq=0", "e1000");
}

#define BLK_IOS 64
#define BLK_IMG_BYTES (1 << 20)

/* The blk payload's pattern (guest-payloads/lib/blk_pattern.h): LBA in bytes 0..7, then (lba * 7 + j) & 0xff. */
static bool sector_ok(const uint8_t *p, uint64_t lba)
{
	uint64_t v;

	memcpy(&v, p, 8);
	if (v != lba)
		return false;
	for (unsigned j = 8; j < 512; j++)
		if (p[j] != (uint8_t)(lba * 7 + j))
			return false;
	return true;
}

/* virtio-blk: write, flush, read back and compare in the guest at CPL0 and CPL3; then the image. */
static void blk_run(unsigned bs, unsigned qd, const char *extra)
{
	char img[512], drive[640], params[128], match[64];
	const char *args[] = { "-drive", drive, "-device", "virtio-blk-pci,drive=d0,serial=exitlab0", NULL };
	struct qemu_opts o = {
		.payload = harness_payload("blk"), .params = params, .args = args, .accel = ACCEL_FAST,
		.timeout_s = 60,
	};
	uint64_t sectors = (uint64_t)BLK_IOS * bs / 512, v;
	struct qemu_result r;
	uint8_t *data;
	FILE *f;

	snprintf(img, sizeof(img), "%s/disk-%u-%u.img", harness_tmp, bs, qd);
	f = fopen(img, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), BLK_IMG_BYTES), 0);
	fclose(f);
	snprintf(drive, sizeof(drive), "file=%s,if=none,id=d0,format=raw", img);
	snprintf(params, sizeof(params), "rw=write,read ios=%d bs=%u qd=%u %s", BLK_IOS, bs, qd, extra);
	assert_int_equal(qemu_run(&o, &r), 0);
	assert_false(r.timed_out);
	assert_string_equal(r.exception, "");
	assert_int_equal(r.done_status, 0);
	assert_int_equal(r.exit_code, QEMU_EXIT(0));
	assert_non_null(strstr(r.serial, "blk: id exitlab0 capacity 2048 sectors"));
	for (int k = 0; k < 4; k++) {
		const struct qemu_test *t;
		int w = k & 1, ring = k < 2 ? 0 : 3;

		snprintf(match, sizeof(match), "bs=%u,qd=%u", bs, qd);
		t = qemu_find_test_ring(&r, w ? "write" : "read", ring, match);
		assert_non_null(t);
		assert_string_equal(t->status, "ok");
		assert_int_equal(t->iterations, BLK_IOS);
		assert_int_equal(qemu_kv_u64(t->metrics, "ios", &v), 0);
		assert_int_equal(v, BLK_IOS);
		assert_int_equal(qemu_kv_u64(t->metrics, "errors", &v), 0);
		assert_int_equal(v, 0);
		if (!w) {
			assert_int_equal(qemu_kv_u64(t->metrics, "checked", &v), 0);
			assert_int_equal(v, BLK_IOS);
			assert_int_equal(qemu_kv_u64(t->metrics, "pattern_checked", &v), 0);
			assert_int_equal(v, 1);
		}
	}
	qemu_result_free(&r);

	/* On the host: every sector written holds its pattern, the rest of the image is untouched. */
	data = malloc(BLK_IMG_BYTES);
	assert_non_null(data);
	f = fopen(img, "rb");
	assert_non_null(f);
	assert_int_equal(fread(data, 1, BLK_IMG_BYTES, f), BLK_IMG_BYTES);
	fclose(f);
	for (uint64_t lba = 0; lba < BLK_IMG_BYTES / 512; lba++) {
		const uint8_t *p = data + lba * 512;

		if (lba < sectors) {
			assert_true(sector_ok(p, lba));
		} else {
			for (unsigned j = 0; j < 512; j++)
				assert_int_equal(p[j], 0);
		}
	}
	free(data);
}

/* A read-only drive (VIRTIO_BLK_F_RO): writes skipped with the reason, reads unchecked, the image untouched. */
static void blk_run_ro(void)
{
	char img[512], drive[640];
	const char *args[] = { "-drive", drive, "-device", "virtio-blk-pci,drive=d0,serial=exitlab0", NULL };
	struct qemu_opts o = {
		.payload = harness_payload("blk"), .params = "rw=write,read ios=16 bs=4096 qd=4 ring=3",
		.args = args, .accel = ACCEL_FAST, .timeout_s = 60,
	};
	const struct qemu_test *t;
	struct qemu_result r;
	uint8_t *data;
	uint64_t v;
	FILE *f;

	snprintf(img, sizeof(img), "%s/disk-ro.img", harness_tmp);
	f = fopen(img, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), BLK_IMG_BYTES), 0);
	fclose(f);
	snprintf(drive, sizeof(drive), "file=%s,if=none,id=d0,format=raw,readonly=on", img);
	assert_int_equal(qemu_run(&o, &r), 0);
	assert_false(r.timed_out);
	assert_string_equal(r.exception, "");
	assert_int_equal(r.done_status, 0);
	assert_int_equal(r.exit_code, QEMU_EXIT(0));
	t = qemu_find_test_ring(&r, "write", 3, NULL);
	assert_non_null(t);
	assert_string_equal(t->status, "skipped");
	assert_non_null(strstr(t->reason, "read-only disk"));
	assert_null(qemu_find_test_ring(&r, "write", 0, NULL)); /* ring=3 only */
	t = qemu_find_test_ring(&r, "read", 3, NULL);
	assert_non_null(t);
	assert_string_equal(t->status, "ok");
	assert_int_equal(qemu_kv_u64(t->metrics, "ios", &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(qemu_kv_u64(t->metrics, "errors", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(qemu_kv_u64(t->metrics, "pattern_checked", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(qemu_kv_u64(t->metrics, "checked", &v), 0);
	assert_int_equal(v, 0);
	qemu_result_free(&r);

	data = malloc(BLK_IMG_BYTES);
	assert_non_null(data);
	f = fopen(img, "rb");
	assert_non_null(f);
	assert_int_equal(fread(data, 1, BLK_IMG_BYTES, f), BLK_IMG_BYTES);
	fclose(f);
	for (uint64_t i = 0; i < BLK_IMG_BYTES; i++)
		assert_int_equal(data[i], 0);
	free(data);
}

static void test_qemu_virtio_blk(void **state)
{
	(void)state;
	if (skip_if_no_qemu())
		return;
	blk_run(4096, 4, "irq=1 event_idx=1");
	blk_run(512, 1, "irq=0 event_idx=0");
	blk_run(16384, 16, "irq=0 event_idx=1");
	blk_run_ro();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_pvh_boot),
		cmocka_unit_test(test_qemu_virtio_net),
		cmocka_unit_test(test_qemu_e1000),
		cmocka_unit_test(test_qemu_virtio_blk),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
