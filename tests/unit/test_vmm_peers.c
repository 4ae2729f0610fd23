// SPDX-License-Identifier: MIT
/*
 * The peer VMM table (run/vmm_peers.c), the QEMU row's command line
 * (run/vmm_qemu.c), the payload's command line (run_peer.c peer_append) and
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
		cmocka_unit_test(test_strv_join_quotes),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_qmp_stats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
