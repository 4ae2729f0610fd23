// SPDX-License-Identifier: MIT
/*
 * The peer VMM table (run/vmm_peers.c), the QEMU row's command line
 * (run/vmm_qemu.c) and a Linux guest's devices under it (run/vmm_qemu_linux.c),
 * the payload's and the Linux guest's command lines (run_peer.c) and
 * QEMU's QMP stats as KVM stats descriptors and values (instruments/qmp_stats.c),
 * from a recorded query-stats-schemas / query-stats pair.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "instruments/qmp_stats.h"
#include "run/run_peer.h"
#include "run/vmm_peers.h"

static void test_table(void **state)
{
	const struct vmm_peer *q = vmm_peer_find("qemu");
	(void)state;

	assert_non_null(q);
	assert_string_equal(q->binary, "qemu-system-x86_64");
	assert_string_equal(q->package, "qemu-system-x86");
	assert_non_null(q->build_argv);
	assert_int_not_equal(q->pio_port, 0);
	/* exitlab is our own VMM, not a row; unknown names are not rows either */
	assert_null(vmm_peer_find("exitlab"));
	assert_null(vmm_peer_find("qemuu"));
	assert_null(vmm_peer_find(NULL));
	assert_non_null(strstr(vmm_peer_names(), "qemu"));
}

/* The value after `opt` in argv, or NULL. */
static const char *after(const struct strv *a, const char *opt, int nth)
{
	for (size_t i = 0; i + 1 < a->n; i++)
		if (!strcmp(a->v[i], opt) && nth-- == 0)
			return a->v[i + 1];
	return NULL;
}

static void test_qemu_argv(void **state)
{
	const struct vmm_peer *q = vmm_peer_find("qemu");
	struct peer_launch l = {
		.binary = "/opt/q/qemu-system-x86_64", .payload_path = "build/payloads/exit-costs.elf",
		.mem_path = "/dev/shm/ram", .mem_mib = 96, .serial_path = "/tmp/d/serial.txt",
		.bench_socket = "/tmp/d/bench.sock", .append = "bench=com2 ring=3 a=1",
		.control_socket = "/tmp/d/control.sock",
	};
	struct strv a = { 0 };
	char *line;
	(void)state;

	assert_int_equal(q->build_argv(&l, &a), 0);
	assert_string_equal(a.v[0], l.binary);
	assert_null(a.v[a.n]);
	assert_string_equal(after(&a, "-accel", 0), "kvm");
	assert_string_equal(after(&a, "-kernel", 0), l.payload_path);
	assert_string_equal(after(&a, "-append", 0), l.append);
	assert_string_equal(after(&a, "-m", 0), "96M");
	assert_non_null(strstr(after(&a, "-object", 0), "mem-path=/dev/shm/ram,share=on"));
	assert_non_null(strstr(after(&a, "-object", 0), "size=96M"));
	assert_non_null(strstr(after(&a, "-machine", 0), "memory-backend=exitlab-ram"));
	/* COM1 the human text, COM2 the bench socket, in that order */
	assert_string_equal(after(&a, "-serial", 0), "file:/tmp/d/serial.txt");
	assert_string_equal(after(&a, "-serial", 1), "chardev:exitlab-bench");
	assert_non_null(strstr(after(&a, "-chardev", 0), "path=/tmp/d/bench.sock"));
	assert_non_null(strstr(after(&a, "-qmp", 0), "/tmp/d/control.sock"));
	assert_string_equal(after(&a, "-device", 1), "pci-testdev");
	assert_non_null(strstr(after(&a, "-name", 0), "debug-threads=on"));
	line = strv_join(&a);
	assert_non_null(line);
	/* one line a shell reads back: the append text, which has spaces, is quoted */
	assert_non_null(strstr(line, "-append 'bench=com2 ring=3 a=1'"));
	free(line);
	strv_free(&a);
	assert_int_equal(a.n, 0);

	/* no append text: no -append */
	l.append = "";
	assert_int_equal(q->build_argv(&l, &a), 0);
	assert_null(after(&a, "-append", 0));
	strv_free(&a);
}

static void test_strv_join_quotes(void **state)
{
	struct strv a = { 0 };
	char *line;
	(void)state;

	assert_int_equal(strv_push(&a, "plain"), 0);
	assert_int_equal(strv_push(&a, "it's"), 0);
	assert_int_equal(strv_push(&a, "%s", ""), 0);
	line = strv_join(&a);
	assert_string_equal(line, "plain 'it'\\''s' ''");
	free(line);
	strv_free(&a);
}

static void test_append(void **state)
{
	const struct vmm_peer *q = vmm_peer_find("qemu");
	struct peer_run_opts o = { .ring = 3, .quick = true, .quick_goal_ms = 10, .full_goal_ms = 200,
				   .params = "batch=32" };
	char buf[256], small[16];
	(void)state;

	assert_int_equal(peer_append(q, &o, 2000000, true, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "bench=com2"));
	assert_non_null(strstr(buf, "tsc_khz=2000000"));
	assert_non_null(strstr(buf, "goal_ms=10"));
	assert_non_null(strstr(buf, " pvm=1"));
	assert_non_null(strstr(buf, " ring=3"));
	assert_null(strstr(buf, "iterations="));
	/* the --param text comes last, as the payload's own parameters */
	assert_string_equal(buf + strlen(buf) - strlen(" batch=32"), " batch=32");

	o.ring = -1;
	o.quick = false;
	o.iterations = 500;
	o.params = "";
	assert_int_equal(peer_append(q, &o, 1000, false, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "goal_ms=200"));
	assert_non_null(strstr(buf, " iterations=500"));
	assert_null(strstr(buf, "ring="));
	assert_null(strstr(buf, "pvm="));
	assert_int_equal(peer_append(q, &o, 1000, false, small, sizeof(small)), -1);
}

/* A Linux guest's argv: -initrd, its devices, no test targets. */
static void test_qemu_linux_argv(void **state)
{
	const struct vmm_peer *q = vmm_peer_find("qemu");
	struct strv devs = { 0 }, a = { 0 };
	struct peer_launch l = {
		.binary = "qemu-system-x86_64", .payload_path = "vmlinuz", .mem_path = "/dev/shm/ram", .mem_mib = 256,
		.serial_path = "/tmp/d/serial.txt", .bench_socket = "/tmp/d/bench.sock", .append = "console=ttyS0",
		.control_socket = "/tmp/d/control.sock", .is_linux = true, .initrd = "rd.gz", .devices = &devs,
	};
	(void)state;

	assert_int_equal(strv_push(&devs, "-device") | strv_push(&devs, "e1000,netdev=exitlab-net,romfile="), 0);
	assert_int_equal(q->build_argv(&l, &a), 0);
	assert_string_equal(after(&a, "-kernel", 0), "vmlinuz");
	assert_string_equal(after(&a, "-initrd", 0), "rd.gz");
	assert_string_equal(after(&a, "-device", 0), "e1000,netdev=exitlab-net,romfile=");
	assert_null(after(&a, "-device", 1)); /* no pci-testdev, no isa-debug-exit */
	strv_free(&a);
	strv_free(&devs);
}

/* Translate one set of --device/--netdev words: the return value, and the joined argv or the error. */
static int devices(const char *const *d, unsigned n, const char *netdev, char *out, size_t len)
{
	struct strv a = { 0 };
	char err[512] = "";
	int r = vmm_qemu_linux_devices(d, n, netdev, &a, err, sizeof(err));
	char *line = r ? NULL : strv_join(&a);

	snprintf(out, len, "%s", r ? err : line ? line : "");
	free(line);
	strv_free(&a);
	return r;
}

static void test_qemu_linux_devices(void **state)
{
	const char *e1000[] = { "e1000" }, *vnet[] = { "virtio-net" }, *blk[] = { "virtio-blk,file=/tmp/a.img" };
	const char *blk_ro[] = { "virtio-blk,file=x.img,readonly=1" }, *two[] = { "e1000", "virtio-net" };
	const char *vhost_net[] = { "virtio-net,vhost=net" }, *notify[] = { "virtio-blk,file=x,notify=exit" };
	const char *rng[] = { "virtio-rng" }, *vu[] = { "virtio-net,vhost-user=/s" };
	const char *e1000_mac[] = { "e1000,mac=02:00:5e:10:20:31" }, *e1000_other[] = { "e1000,speed=10" };
	char out[1024];
	(void)state;

	assert_int_equal(devices(e1000, 1, "tap,ifname=t0", out, sizeof(out)), 0);
	assert_string_equal(out, "-device e1000,netdev=exitlab-net,romfile= "
				 "-netdev tap,id=exitlab-net,ifname=t0,script=no,downscript=no");
	assert_int_equal(devices(vnet, 1, "tap,ifname=t0,vhost=on,vnet_hdr=1", out, sizeof(out)), 0);
	assert_string_equal(out, "-device virtio-net-pci,netdev=exitlab-net,romfile= "
				 "-netdev tap,id=exitlab-net,ifname=t0,script=no,downscript=no,vhost=on");
	assert_int_equal(devices(blk, 1, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "-drive file=/tmp/a.img,if=none,id=exitlab-blk0,format=raw "
				 "-device virtio-blk-pci,drive=exitlab-blk0");
	assert_int_equal(devices(blk_ro, 1, NULL, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "format=raw,readonly=on"));
	assert_int_equal(devices(NULL, 0, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "");

	/* what QEMU cannot take, with the reason */
	assert_int_equal(devices(e1000, 1, NULL, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "needs --netdev tap"));
	assert_int_equal(devices(e1000, 1, "loop", out, sizeof(out)), -1);
	assert_non_null(strstr(out, "exitlab's own"));
	assert_int_equal(devices(e1000_mac, 1, "tap,ifname=t0", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "-device e1000,netdev=exitlab-net,romfile=,mac=02:00:5e:10:20:31 "));
	assert_int_equal(devices(e1000_other, 1, "tap,ifname=t0", out, sizeof(out)), -1);
	assert_non_null(strstr(out, "mac= only (speed"));
	assert_int_equal(devices(e1000, 1, "tap,ifname=t0,vhost=on", out, sizeof(out)), -1);
	assert_non_null(strstr(out, "virtio-net's"));
	assert_int_equal(devices(vnet, 1, "tap", out, sizeof(out)), -1);
	assert_non_null(strstr(out, "ifname="));
	assert_int_equal(devices(vnet, 1, "tap,ifname=t0,queues=2", out, sizeof(out)), -1);
	assert_non_null(strstr(out, "not queues"));
	assert_int_equal(devices(vnet, 1, "tap,ifname=t0,vhost=yes", out, sizeof(out)), -1);
	assert_int_equal(devices(vhost_net, 1, "tap,ifname=t0", out, sizeof(out)), -1);
	assert_non_null(strstr(out, "vhost=on"));
	assert_int_equal(devices(vu, 1, "tap,ifname=t0", out, sizeof(out)), -1);
	assert_int_equal(devices(notify, 1, NULL, out, sizeof(out)), -1);
	assert_non_null(strstr(out, "ioeventfds"));
	assert_int_equal(devices(two, 2, "tap,ifname=t0", out, sizeof(out)), -1);
	assert_non_null(strstr(out, "one NIC"));
	assert_int_equal(devices(rng, 1, NULL, out, sizeof(out)), -1);
	assert_int_equal(devices(NULL, 0, "tap,ifname=t0", out, sizeof(out)), -1);
	assert_non_null(strstr(out, "without a NIC"));
}

/* vmm_qemu_linux_describe's entries as compact JSON (to be freed). */
static char *described(const char *const *d, unsigned n, const char *netdev)
{
	json_t *a = vmm_qemu_linux_describe(d, n, netdev);
	char *s = json_dumps(a, JSON_COMPACT);

	json_decref(a);
	return s;
}

/* The devices as config.devices, in the shape exitlab's own VMM writes them, so compare matches the two. */
static void test_qemu_linux_describe(void **state)
{
	static const struct {
		const char *dev, *netdev, *want;
	} cases[] = {
		{ "e1000", "tap,ifname=t0",
		  "[{\"model\":\"e1000\",\"kind\":\"nic\",\"backend\":\"vmm\",\"netdev\":\"tap,ifname=t0\","
		  "\"mac\":\"52:54:00:12:34:56\"}]" },
		{ "e1000,mac=02:00:5E:10:20:3A", "tap,ifname=t0",
		  "[{\"model\":\"e1000\",\"kind\":\"nic\",\"backend\":\"vmm\",\"netdev\":\"tap,ifname=t0\","
		  "\"mac\":\"02:00:5e:10:20:3a\"}]" },
		/* vhost=on is the backend, as exitlab's own virtio-net,vhost=net writes it; the netdev keeps the rest */
		{ "virtio-net", "tap,ifname=t0,vhost=on,vnet_hdr=1",
		  "[{\"model\":\"virtio-net\",\"kind\":\"nic\",\"notify\":\"ioeventfd\","
		  "\"backend\":\"vhost-net\",\"netdev\":\"tap,ifname=t0,vnet_hdr=1\"}]" },
		{ "virtio-blk,file=/tmp/a.img", NULL,
		  "[{\"model\":\"virtio-blk\",\"kind\":\"blk\",\"notify\":\"ioeventfd\","
		  "\"backend\":\"vmm\",\"file\":\"/tmp/a.img\",\"readonly\":false}]" },
	};
	char *s;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = described(&cases[i].dev, 1, cases[i].netdev);
		assert_string_equal(s, cases[i].want);
		free(s);
	}
	s = described(NULL, 0, NULL);
	assert_string_equal(s, "[]");
	free(s);
}

/* The Linux guest's command line: memmap= reserves the mailbox and buffer named in the com2 key. */
static void test_linux_cmdline(void **state)
{
	char buf[512], small[64];
	uint64_t mb = 0;
	(void)state;

	assert_int_equal(peer_linux_cmdline("quiet exitlab.run=--quick", 256, buf, sizeof(buf), &mb), 0);
	assert_int_equal(mb, 0x8000000);
	assert_string_equal(buf, "console=ttyS0 quiet exitlab.run=--quick memmap=0x1001000$0x8000000 "
				 "exitlab.bench=com2,0x8000000,0x2f8,0x8001000,0x1000000");
	assert_int_equal(peer_linux_cmdline(NULL, 1000, buf, sizeof(buf), &mb), 0);
	assert_int_equal(mb, 500ULL << 20);
	assert_int_equal(strncmp(buf, "console=ttyS0 memmap=", 21), 0);
	assert_int_equal(peer_linux_cmdline(NULL, PEER_LINUX_MIN_MIB - 1, buf, sizeof(buf), &mb), -1);
	assert_int_equal(peer_linux_cmdline("quiet", 256, small, sizeof(small), &mb), -1);
}

/* Trimmed from QEMU 7.2's replies on a KVM host. */
static const char *schemas_json =
	"[{\"provider\": \"kvm\", \"target\": \"vm\", \"stats\": ["
	"  {\"name\": \"pages_4k\", \"exponent\": 0, \"type\": \"instant\"},"
	"  {\"name\": \"remote_tlb_flush\", \"exponent\": 0, \"type\": \"cumulative\"}]},"
	" {\"provider\": \"kvm\", \"target\": \"vcpu\", \"stats\": ["
	"  {\"name\": \"exits\", \"exponent\": 0, \"type\": \"cumulative\"},"
	"  {\"name\": \"guest_mode\", \"unit\": \"boolean\", \"exponent\": 0, \"type\": \"instant\"},"
	"  {\"name\": \"halt_wait_ns\", \"unit\": \"seconds\", \"exponent\": -9, \"type\": \"cumulative\"},"
	"  {\"name\": \"halt_poll_success_hist\", \"unit\": \"seconds\", \"base\": 2, \"exponent\": -9,"
	"   \"type\": \"log2-histogram\"},"
	"  {\"name\": \"future_kind\", \"exponent\": 0, \"type\": \"something-new\"}]}]";
static const char *vcpu_json =
	"[{\"provider\": \"kvm\", \"qom-path\": \"/machine/unattached/device[0]\", \"stats\": ["
	"  {\"name\": \"exits\", \"value\": 1095}, {\"name\": \"guest_mode\", \"value\": true},"
	"  {\"name\": \"halt_wait_ns\", \"value\": 77},"
	"  {\"name\": \"halt_poll_success_hist\", \"value\": [1, 2, 3, 4]},"
	"  {\"name\": \"future_kind\", \"value\": 5}]}]";

static void test_qmp_stats(void **state)
{
	json_t *schemas = json_loads(schemas_json, 0, NULL), *vcpu = json_loads(vcpu_json, 0, NULL);
	struct kvm_stats s;
	uint64_t v[16];
	char err[128];
	int ix;
	(void)state;

	assert_non_null(schemas);
	assert_non_null(vcpu);
	assert_int_equal(qmp_stats_describe(&s, qmp_stats_schema_of(schemas, "vcpu"), qmp_stats_values_of(vcpu),
					    err, sizeof(err)), 0);
	/* a type this reader does not know is left out, not guessed */
	assert_int_equal(s.ndesc, 4);
	assert_int_equal(s.nvalues, 1 + 1 + 1 + 4);
	assert_int_equal(s.fd, -1);
	ix = kvm_stats_find(&s, "halt_poll_success_hist");
	assert_true(ix >= 0);
	assert_int_equal(s.desc[ix].type, KVM_STATS_TYPE_LOG_HIST);
	assert_int_equal(s.desc[ix].base, KVM_STATS_BASE_POW2);
	assert_int_equal(s.desc[ix].size, 4);
	assert_int_equal(s.desc[kvm_stats_find(&s, "halt_wait_ns")].unit, KVM_STATS_UNIT_SECONDS);
	assert_int_equal(s.desc[kvm_stats_find(&s, "halt_wait_ns")].exponent, -9);
	assert_int_equal(s.desc[kvm_stats_find(&s, "guest_mode")].type, KVM_STATS_TYPE_INSTANT);

	qmp_stats_values(&s, qmp_stats_values_of(vcpu), v);
	assert_int_equal(v[kvm_stats_value_index(&s, "exits")], 1095);
	assert_int_equal(v[kvm_stats_value_index(&s, "guest_mode")], 1);
	assert_int_equal(v[s.desc[ix].index + 3], 4);
	kvm_stats_close(&s);

	/* the VM target's schema, with no values reply holding its stats: described as nothing */
	assert_int_equal(qmp_stats_describe(&s, qmp_stats_schema_of(schemas, "vm"), qmp_stats_values_of(vcpu),
					    err, sizeof(err)), 0);
	assert_int_equal(s.ndesc, 0);
	kvm_stats_close(&s);
	/* no kvm provider at all */
	assert_null(qmp_stats_schema_of(vcpu, "vm"));
	assert_int_equal(qmp_stats_describe(&s, NULL, NULL, err, sizeof(err)), -1);
	json_decref(schemas);
	json_decref(vcpu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_qemu_argv),
		cmocka_unit_test(test_qemu_linux_argv),
		cmocka_unit_test(test_qemu_linux_devices),
		cmocka_unit_test(test_qemu_linux_describe),
		cmocka_unit_test(test_linux_cmdline),
		cmocka_unit_test(test_strv_join_quotes),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_qmp_stats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
