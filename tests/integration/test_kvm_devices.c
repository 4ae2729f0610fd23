/* SPDX-License-Identifier: MIT */
/*
 * exitlab's own device models in real KVM, driven by the net and blk
 * payloads: frames sent reach the sink intact, frames looped back arrive
 * checked, blocks written are in the image file, a read-only disk refuses
 * writes; and the counts that tell the device story: an emulated e1000
 * takes userspace exits per frame, virtio with batching and an ioeventfd
 * far fewer, and notify=exit puts one back per kick. Counts, never timings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

#define FRAMES "256"

/* Run exitlab with args; assert the exit code; load and return the results document. */
static json_t *run_json(const char *json, int want, const char *const *args)
{
	struct run_out o;
	json_error_t je;
	json_t *d;

	harness_run(&o, args);
	if (o.exit_code != want)
		fprintf(stderr, "exit %d, wanted %d\n%s%s", o.exit_code, want, o.out, o.err);
	assert_int_equal(o.exit_code, want);
	harness_free(&o);
	d = json_load_file(json, 0, &je);
	if (!d)
		fprintf(stderr, "%s: %s\n", json, je.text);
	assert_non_null(d);
	return d;
}

static json_int_t get_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fprintf(stderr, "no integer '%s' in %s\n", key, json_dumps(o, JSON_COMPACT));
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* The (only) test called name whose params have batch == batch (0: any). */
static json_t *find(json_t *doc, const char *name, int batch)
{
	size_t i;
	json_t *t, *found = NULL;

	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		json_t *p = json_object_get(t, "params");

		if (strcmp(json_string_value(json_object_get(t, "name")), name))
			continue;
		if (batch && json_integer_value(json_object_get(p, "batch")) != batch)
			continue;
		assert_null(found); /* one ring asked for: one test per (name, batch) */
		found = t;
	}
	if (!found)
		fprintf(stderr, "no test %s batch %d\n", name, batch);
	assert_non_null(found);
	return found;
}

static void assert_ok(json_t *t)
{
	const char *s = json_string_value(json_object_get(t, "status"));

	if (strcmp(s, "ok"))
		fprintf(stderr, "%s: %s (%s)\n", json_string_value(json_object_get(t, "name")), s,
			json_string_value(json_object_get(t, "reason")));
	assert_string_equal(s, "ok");
}

static json_t *dev(json_t *t, const char *model)
{
	json_t *d = json_object_get(json_object_get(json_object_get(t, "host"), "devices"), model);

	assert_true(json_is_object(d));
	return d;
}

static double user_exits(json_t *t)
{
	return json_real_value(json_object_get(t, "userspace_exits_per_iteration"));
}

/* TX to the checking sink: every frame the guest counted reached the backend, byte-exact. */
static void tx_to_sink(const char *model, const char *devname)
{
	char json[512];
	json_t *doc;

	snprintf(json, sizeof(json), "%s/tx-%s.json", harness_tmp, devname);
	doc = run_json(json, 0, (const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline",
		"--device", model, "--netdev", "sink,check=1", "--param", "frames=" FRAMES,
		"--param", "batch=1,32", "--param", "dir=tx", "--json", json, NULL });
	for (int b = 1; b <= 32; b += 31) {
		json_t *t = find(doc, "tx", b), *m = json_object_get(t, "metrics"), *sink = dev(t, "netdev");

		assert_ok(t);
		assert_int_equal(get_int(m, "frames"), atoi(FRAMES));
		assert_int_equal(get_int(json_object_get(t, "params"), "size"), 1514);
		/* the sink saw exactly those frames in the phase, every one with the right contents */
		assert_int_equal(get_int(sink, "tx_frames"), atoi(FRAMES));
		assert_int_equal(get_int(sink, "tx_bytes"), atoi(FRAMES) * 1514);
		assert_int_equal(get_int(sink, "tx_bad_payload"), 0);
		assert_int_equal(get_int(dev(t, devname), "tx_frames"), atoi(FRAMES));
		assert_int_equal(get_int(t, "iterations"), atoi(FRAMES));
	}
	json_decref(doc);
}

/*
 * The README's first device example as a new user types it (no --ring, the
 * default sink): the rx tests are skipped with the reason, not failed, and
 * --progress had a line for every test as it finished.
 */
static void test_sink_skips_rx(void **state)
{
	char json[512], progress[512], line[512];
	json_t *doc, *t;
	size_t i, tx = 0, rx = 0, lines = 0;
	FILE *f;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/sink-rx.json", harness_tmp);
	snprintf(progress, sizeof(progress), "%s/sink-rx.progress", harness_tmp);
	doc = run_json(json, 0, (const char *[]){ "run", harness_payload("net"), "--no-baseline",
		"--device", "virtio-net", "--param", "frames=" FRAMES, "--progress", progress, "--json", json, NULL });
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));

		if (!strcmp(name, "rx")) {
			assert_string_equal(json_string_value(json_object_get(t, "status")), "skipped");
			assert_non_null(strstr(json_string_value(json_object_get(t, "reason")), "sink"));
			rx++;
		} else if (!strcmp(name, "tx")) {
			assert_ok(t);
			tx++;
		}
	}
	/* batch 1, 32, 256 at each ring run (PVM: CPL3 only, the device-run default there) */
	assert_true(tx >= 3 && tx % 3 == 0);
	assert_int_equal(rx, tx);
	json_decref(doc);
	f = fopen(progress, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		lines++;
		assert_int_equal(atoi(line), (int)lines);
	}
	fclose(f);
	assert_int_equal(lines, tx + rx);
}

/*
 * A test that fails does not end the run: rx through a loop with nothing
 * sent into it (no loopback=1) finds no frame and fails, and the tx tests
 * after it still run (its PHASE_END with no samples once was a protocol
 * violation that stopped the VM).
 */
static void test_failure_keeps_going(void **state)
{
	char json[512];
	json_t *doc, *t;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/fail-go-on.json", harness_tmp);
	doc = run_json(json, 1, (const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline",
		"--device", "virtio-net", "--netdev", "loop", "--param", "frames=32", "--param", "batch=32",
		"--param", "dir=rx,tx", "--json", json, NULL });
	t = find(doc, "rx", 32);
	assert_string_equal(json_string_value(json_object_get(t, "status")), "failed");
	assert_non_null(strstr(json_string_value(json_object_get(t, "reason")), "frames stopped arriving"));
	assert_ok(find(doc, "tx", 32));
	json_decref(doc);
}

/*
 * Through a loopback, no frame of one test lands in the next: before a phase
 * the payload flushes the wire (a marker sent and received back), so rx right
 * after tx at a whole ring per batch sees none of tx's frames (stale) and loses
 * none to a wire filled by them.  Before the flush, a busy host left up to a
 * ring of them in flight (stale=256 seen), and now and then the wire overflowed
 * and rx failed (the claims campaign's net-virtio batch 256).
 */
static void test_loopback_no_stale(void **state)
{
	char json[512];
	json_t *doc, *t;
	size_t i, rx = 0;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/no-stale.json", harness_tmp);
	doc = run_json(json, 0, (const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline",
		"--device", "virtio-net", "--netdev", "loop", "--param", "loopback=1", "--param", "frames=4096",
		"--param", "batch=256", "--param", "dir=tx,rx,tx,rx,tx", "--json", json, NULL });
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		assert_ok(t);
		if (strcmp(json_string_value(json_object_get(t, "name")), "rx"))
			continue;
		assert_int_equal(get_int(json_object_get(t, "metrics"), "stale"), 0);
		assert_int_equal(get_int(json_object_get(t, "metrics"), "checked"), 4096);
		rx++;
	}
	assert_int_equal(rx, 2);
	json_decref(doc);
}

static void test_virtio_net_tx(void **state)
{
	(void)state;
	HARNESS_NEED_KVM();
	tx_to_sink("virtio-net", "virtio-net");
}

static void test_e1000_tx(void **state)
{
	(void)state;
	HARNESS_NEED_KVM();
	tx_to_sink("e1000", "e1000");
}

/*
 * RX through a loopback backend: what the guest sent comes back, and the
 * guest checks every byte.  param: "irq=0", "irq=1", "intr=intx"...; intr:
 * the interrupt mode the test must report it used (NULL: polling).
 */
static void rx_loop(const char *model, const char *param, const char *intr)
{
	char json[512];
	json_t *doc, *t, *m;

	snprintf(json, sizeof(json), "%s/rx-%s-%s.json", harness_tmp, model, param);
	doc = run_json(json, 0, (const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline",
		"--device", model, "--netdev", "loop", "--param", "loopback=1", "--param", "frames=" FRAMES,
		"--param", "batch=32", "--param", "dir=rx", "--param", param, "--json", json, NULL });
	t = find(doc, "rx", 32);
	m = json_object_get(t, "metrics");
	assert_ok(t);
	if (intr)
		assert_string_equal(json_string_value(json_object_get(json_object_get(t, "params"), "intr")), intr);
	else
		assert_null(json_object_get(json_object_get(t, "params"), "intr"));
	assert_int_equal(get_int(m, "checked"), atoi(FRAMES));
	assert_int_equal(get_int(m, "bad"), 0);
	assert_true(get_int(dev(t, "netdev"), "rx_frames") >= atoi(FRAMES));
	json_decref(doc);
}

static void test_virtio_net_rx(void **state)
{
	(void)state;
	HARNESS_NEED_KVM();
	rx_loop("virtio-net", "irq=0", NULL);
	rx_loop("virtio-net", "irq=1", "msix");
	rx_loop("virtio-net", "intr=intx", "intx");
}

static void test_e1000_rx(void **state)
{
	(void)state;
	HARNESS_NEED_KVM();
	rx_loop("e1000", "irq=0", NULL);
	rx_loop("e1000", "irq=1", "intx");
}

#define OVERLAP_FRAMES "4096" /* 16 batches of 256 */

/* One overlap= setting's tx (sink, checked) or rx (generator) run at batch 256: the test row. */
static json_t *overlap_run(json_t **doc, const char *dir, const char *overlap)
{
	char json[512], param[32];
	json_t *t;

	snprintf(json, sizeof(json), "%s/overlap-%s-%s.json", harness_tmp, dir, overlap);
	snprintf(param, sizeof(param), "overlap=%s", overlap);
	*doc = run_json(json, 0, (const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline",
		"--device", "virtio-net", "--netdev", strcmp(dir, "tx") ? "gen,size=1514" : "sink,check=1",
		"--param", "frames=" OVERLAP_FRAMES, "--param", "batch=256", "--param", dir, "--param", param,
		"--json", json, NULL });
	t = find(*doc, dir + 4, 256);
	assert_ok(t);
	/* the name says which: overlap=0 is named, the default is not */
	if (!strcmp(overlap, "0"))
		assert_int_equal(get_int(json_object_get(t, "params"), "overlap"), 0);
	else
		assert_null(json_object_get(json_object_get(t, "params"), "overlap"));
	return t;
}

/*
 * overlap=1 at batch = ring size: the guest fills and publishes as the device
 * frees slots.  What must hold whatever the timing: every frame reaches the
 * sink checked (0 bad), every TX descriptor comes back (the payload fails the
 * test otherwise), every generated frame the guest takes passes its check, and
 * kicks stay within one per batch, the most overlap=0 ever writes (one
 * notification decision per batch either way; which of the two writes fewer
 * in a given run depends on timing, so that is not asserted).
 */
static void test_virtio_net_overlap(void **state)
{
	const int frames = atoi(OVERLAP_FRAMES), batches = frames / 256;
	json_t *doc[3], *t;
	(void)state;

	HARNESS_NEED_KVM();
	for (int i = 0; i < 2; i++) {
		t = overlap_run(&doc[i], "dir=tx", i ? "1" : "0");
		assert_int_equal(get_int(json_object_get(t, "metrics"), "frames"), frames);
		assert_int_equal(get_int(dev(t, "netdev"), "tx_frames"), frames);
		assert_int_equal(get_int(dev(t, "netdev"), "tx_bytes"), (json_int_t)frames * 1514);
		assert_int_equal(get_int(dev(t, "netdev"), "tx_bad_payload"), 0);
		assert_int_equal(get_int(dev(t, "virtio-net"), "tx_frames"), frames);
		assert_int_equal(get_int(dev(t, "virtio-net"), "tx_dropped"), 0);
		assert_true(get_int(json_object_get(t, "metrics"), "kicks") <= batches);
		assert_true(get_int(dev(t, "virtio-net"), "tx_kicks") <= batches);
	}
	t = overlap_run(&doc[2], "dir=rx", "1");
	assert_int_equal(get_int(json_object_get(t, "metrics"), "checked"), frames);
	assert_int_equal(get_int(json_object_get(t, "metrics"), "bad"), 0);
	for (int i = 0; i < 3; i++)
		json_decref(doc[i]);
}

/*
 * fill=0, the data path without the harness's writes: the guest writes each
 * frame's header and seq only.  Every frame still goes through, named fill=0;
 * and the sink's check, left on, finds every payload off the pattern (the
 * buffers are fresh, zeroed): the check catches frames that are not what the
 * guest sent, end to end.
 */
static void test_virtio_net_fill0(void **state)
{
	char json[512];
	json_t *doc, *t;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/fill0.json", harness_tmp);
	doc = run_json(json, 0, (const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline",
		"--device", "virtio-net", "--netdev", "sink,check=1", "--param", "frames=512", "--param", "batch=32",
		"--param", "dir=tx", "--param", "fill=0", "--json", json, NULL });
	t = find(doc, "tx", 32);
	assert_ok(t);
	assert_int_equal(get_int(json_object_get(t, "params"), "fill"), 0);
	assert_int_equal(get_int(dev(t, "netdev"), "tx_frames"), 512);
	assert_int_equal(get_int(dev(t, "netdev"), "tx_bad_payload"), 512);
	json_decref(doc);
}

/* An interrupt mode the NIC does not have: the test skips and says why (exit 3), nothing runs. */
static void test_e1000_no_msix(void **state)
{
	char json[512];
	json_t *doc, *t;
	size_t i;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/e1000-msix.json", harness_tmp);
	doc = run_json(json, 3, (const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline",
		"--device", "e1000", "--netdev", "loop", "--param", "frames=" FRAMES, "--param", "dir=rx",
		"--param", "intr=msix", "--json", json, NULL });
	assert_int_equal(json_array_size(json_object_get(doc, "tests")), 1);
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		assert_string_equal(json_string_value(json_object_get(t, "status")), "skipped");
		assert_non_null(strstr(json_string_value(json_object_get(t, "reason")), "no MSI-X"));
	}
	json_decref(doc);
}

/*
 * The device story in counts: per frame, an e1000 driven a frame at a time
 * exits to the VMM at least once (the TDT write); virtio-net in batches of
 * 32 takes far fewer exits of any kind; its kicks land on an ioeventfd (no
 * userspace exit), and with notify=exit every kick the guest wrote is a
 * userspace exit again.
 */
static void test_exits_per_frame(void **state)
{
	char json[512];
	json_t *e, *v, *i, *x, *te, *tv, *ti, *tx;
	double ue, ev, ee;
	json_int_t kicks_i, kicks_x, n;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(json, sizeof(json), "%s/e.json", harness_tmp);
	e = run_json(json, 0, (const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline",
		"--device", "e1000", "--param", "frames=" FRAMES, "--param", "batch=1", "--param", "dir=tx",
		"--param", "irq=1", "--json", json, NULL });
	snprintf(json, sizeof(json), "%s/v.json", harness_tmp);
	v = run_json(json, 0, (const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline",
		"--device", "virtio-net", "--param", "frames=" FRAMES, "--param", "batch=1,32", "--param", "dir=tx",
		"--json", json, NULL });
	snprintf(json, sizeof(json), "%s/x.json", harness_tmp);
	x = run_json(json, 0, (const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline",
		"--device", "virtio-net,notify=exit", "--param", "frames=" FRAMES, "--param", "batch=1",
		"--param", "dir=tx", "--json", json, NULL });
	i = v;
	te = find(e, "tx", 1);
	tv = find(v, "tx", 32);
	ti = find(i, "tx", 1);
	tx = find(x, "tx", 1);
	ue = user_exits(te);
	ee = json_real_value(json_object_get(te, "exits_per_iteration"));
	ev = json_real_value(json_object_get(tv, "exits_per_iteration"));
	n = get_int(tx, "iterations");
	kicks_i = get_int(json_object_get(ti, "metrics"), "kicks");
	kicks_x = get_int(json_object_get(tx, "metrics"), "kicks");
	fprintf(stderr, "per frame: e1000 batch 1 %.3f exits (%.3f userspace); virtio-net batch 32 %.3f exits; "
		"virtio-net batch 1: %lld kicks, %.3f userspace exits per frame by ioeventfd, %lld kicks, "
		"%.3f by exit\n", ee, ue, ev, (long long)kicks_i, user_exits(ti), (long long)kicks_x, user_exits(tx));
	assert_true(ue >= 1.0);             /* TDT write per frame, at least */
	assert_true(ev * 20 < ee);          /* far below: batching and notification suppression */
	assert_true(kicks_i > 0);
	assert_true(user_exits(ti) * n < 2); /* kicks by ioeventfd never reach the VMM */
	assert_true(kicks_x > 0);
	assert_true(user_exits(tx) * n >= kicks_x); /* by exit, every one of them does */
	/* the device's own counts agree: one TDT write per frame, one kick per 32 at most */
	assert_int_equal(get_int(dev(te, "e1000"), "tdt_writes"), atoi(FRAMES));
	assert_true(get_int(dev(tv, "virtio-net"), "tx_kicks") <= atoi(FRAMES) / 32);
	json_decref(e);
	json_decref(v);
	json_decref(x);
}

/* A counter of the tap inside namespace ns, read through ip netns exec (sysfs is per namespace). */
static long long tap_stat(const char *ns, const char *ifname, const char *stat)
{
	char cmd[256];
	long long v = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s cat /sys/class/net/%s/statistics/%s", ns, ifname, stat);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fscanf(p, "%lld", &v) != 1)
		v = -1;
	pclose(p);
	return v;
}

/*
 * A real tap, with the virtio-net header, in a namespace this test makes:
 * every frame the guest sends is one the kernel receives on the interface.
 */
static void test_virtio_net_tap(void **state)
{
	char ns[64], cmd[2048], spec[128], json[512], frames_p[32];
	const char *bin = harness_exitlab();
	long long before, after, bytes0, bytes1;
	json_t *doc, *t;
	int rc;
	(void)state;

	HARNESS_NEED_KVM();
	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) || system("ip -V >/dev/null 2>&1")) {
		fprintf(stderr, "skipped: needs root, /dev/net/tun and iproute2\n");
		skip();
	}
	snprintf(ns, sizeof(ns), "exitlab-test-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "ip netns add %s && ip netns exec %s ip tuntap add dev xltap0 mode tap vnet_hdr "
		 "&& ip netns exec %s ip link set xltap0 up", ns, ns, ns);
	assert_int_equal(system(cmd), 0);
	before = tap_stat(ns, "xltap0", "rx_packets");
	bytes0 = tap_stat(ns, "xltap0", "rx_bytes");
	snprintf(spec, sizeof(spec), "tap,ifname=xltap0,vnet_hdr=1");
	snprintf(json, sizeof(json), "%s/tap.json", harness_tmp);
	snprintf(frames_p, sizeof(frames_p), "frames=%s", FRAMES);
	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s run %s --ring 3 --no-baseline --device virtio-net "
		 "--netdev %s --param %s --param batch=32 --param dir=tx --json %s >/dev/null 2>&1",
		 ns, bin, harness_payload("net"), spec, frames_p, json);
	rc = system(cmd);
	after = tap_stat(ns, "xltap0", "rx_packets");
	bytes1 = tap_stat(ns, "xltap0", "rx_bytes");
	snprintf(cmd, sizeof(cmd), "ip netns del %s", ns);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(rc, 0);
	doc = json_load_file(json, 0, NULL);
	assert_non_null(doc);
	t = find(doc, "tx", 32);
	assert_ok(t);
	assert_int_equal(get_int(dev(t, "netdev"), "tx_frames"), atoi(FRAMES));
	/* the kernel saw them all, at their length (the vnet header is not counted) */
	assert_true(after - before >= atoi(FRAMES));
	assert_true(bytes1 - bytes0 >= (long long)atoi(FRAMES) * 1514);
	json_decref(doc);
}

/* The pattern the blk payload writes: per sector, the LBA then (lba * 7 + j) & 0xff. */
static int check_image(const char *path, uint64_t sectors)
{
	FILE *f = fopen(path, "rb");
	uint8_t s[512];
	int bad = 0;

	assert_non_null(f);
	for (uint64_t lba = 0; lba < sectors; lba++) {
		uint64_t l;

		assert_int_equal(fread(s, 1, 512, f), 512);
		memcpy(&l, s, 8);
		bad += l != lba;
		for (unsigned j = 8; j < 512; j++)
			bad += s[j] != (uint8_t)(lba * 7 + j);
	}
	fclose(f);
	return bad;
}

static void make_image(const char *path, off_t size)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), size), 0);
	fclose(f);
}

static void test_virtio_blk(void **state)
{
	char json[512], img[512], devspec[600];
	json_t *doc, *w, *r;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(img, sizeof(img), "%s/disk.img", harness_tmp);
	make_image(img, 4 << 20);
	snprintf(devspec, sizeof(devspec), "virtio-blk,file=%s", img);
	snprintf(json, sizeof(json), "%s/blk.json", harness_tmp);
	doc = run_json(json, 0, (const char *[]){ "run", harness_payload("blk"), "--ring", "3", "--no-baseline",
		"--device", devspec, "--param", "ios=64", "--param", "bs=4096", "--param", "qd=4",
		"--json", json, NULL });
	w = find(doc, "write", 0);
	r = find(doc, "read", 0);
	assert_ok(w);
	assert_ok(r);
	assert_int_equal(get_int(json_object_get(w, "metrics"), "ios"), 64);
	assert_int_equal(get_int(json_object_get(r, "metrics"), "checked"), 64);
	assert_int_equal(get_int(json_object_get(r, "metrics"), "mismatched"), 0);
	/* the guest's time in the pattern is reported (a figure, never judged here) */
	assert_true(json_is_integer(json_object_get(json_object_get(w, "metrics"), "pattern_ns_per_io")));
	assert_true(json_is_integer(json_object_get(json_object_get(r, "metrics"), "pattern_ns_per_io")));
	assert_int_equal(get_int(dev(w, "virtio-blk"), "writes"), 64);
	assert_int_equal(get_int(dev(w, "virtio-blk"), "write_bytes"), 64 * 4096);
	assert_int_equal(get_int(dev(r, "virtio-blk"), "reads"), 64);
	assert_int_equal(get_int(dev(w, "virtio-blk"), "errors"), 0);
	/* and the host sees every byte in the image file */
	assert_int_equal(check_image(img, 64 * 8), 0);
	json_decref(doc);
}

static void test_virtio_blk_readonly(void **state)
{
	char json[512], img[512], devspec[600];
	json_t *doc, *w, *r;
	struct stat st;
	(void)state;

	HARNESS_NEED_KVM();
	snprintf(img, sizeof(img), "%s/ro.img", harness_tmp);
	make_image(img, 1 << 20);
	snprintf(devspec, sizeof(devspec), "virtio-blk,file=%s,readonly=1", img);
	snprintf(json, sizeof(json), "%s/ro.json", harness_tmp);
	doc = run_json(json, 0, (const char *[]){ "run", harness_payload("blk"), "--ring", "3", "--no-baseline",
		"--device", devspec, "--param", "ios=16", "--json", json, NULL });
	w = find(doc, "write", 0);
	r = find(doc, "read", 0);
	assert_string_equal(json_string_value(json_object_get(w, "status")), "skipped");
	assert_non_null(strstr(json_string_value(json_object_get(w, "reason")), "read-only"));
	assert_ok(r);
	assert_int_equal(get_int(dev(r, "virtio-blk"), "writes"), 0);
	/* nothing was written: the image is still all zeroes (a sparse file with no data) */
	assert_int_equal(stat(img, &st), 0);
	assert_int_equal(st.st_blocks, 0);
	json_decref(doc);
}

/* Bad device options are usage errors with a message, before anything boots. */
static void test_bad_device_options(void **state)
{
	static const char *const bad[][4] = {
		{ "--device", "virtio-blk", NULL },
		{ "--device", "virtio-blk,file=/nonexistent/disk.img", NULL },
		{ "--device", "e1000,notify=exit", NULL },
		{ "--device", "floppy", NULL },
		{ "--device", "e1000", "--device", "virtio-net" },
		{ "--device", "e1000", "--netdev", "tap,ifname=no/slash" },
		{ "--device", "e1000", "--netdev", "gen,size=9" },
	};
	(void)state;

	HARNESS_NEED_KVM();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[10] = { "run", harness_payload("net"), "--no-baseline" };
		struct run_out o;
		size_t n = 3;

		for (size_t k = 0; k < 4 && bad[i][k]; k++)
			args[n++] = bad[i][k];
		harness_run(&o, args);
		if (o.exit_code != 2)
			fprintf(stderr, "case %zu: exit %d\n%s", i, o.exit_code, o.err);
		assert_int_equal(o.exit_code, 2);
		assert_non_null(strstr(o.err, "exitlab run:"));
		harness_free(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_device_options),
		cmocka_unit_test(test_sink_skips_rx),
		cmocka_unit_test(test_failure_keeps_going),
		cmocka_unit_test(test_loopback_no_stale),
		cmocka_unit_test(test_virtio_net_tx),
		cmocka_unit_test(test_e1000_tx),
		cmocka_unit_test(test_virtio_net_rx),
		cmocka_unit_test(test_e1000_rx),
		cmocka_unit_test(test_virtio_net_overlap),
		cmocka_unit_test(test_virtio_net_fill0),
		cmocka_unit_test(test_e1000_no_msix),
		cmocka_unit_test(test_exits_per_frame),
		cmocka_unit_test(test_virtio_net_tap),
		cmocka_unit_test(test_virtio_blk),
		cmocka_unit_test(test_virtio_blk_readonly),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
