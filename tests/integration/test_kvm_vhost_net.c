/* SPDX-License-Identifier: MIT */
/*
 * virtio-net over the kernel's vhost-net in real KVM, driven by the net
 * payload: `--device virtio-net,vhost=net --netdev tap,ifname=...,vnet_hdr=1`
 * with the tap in a network namespace of the test's own.  Where
 * /dev/vhost-net exists: every frame the guest sends is one the kernel
 * counts on the tap, and the VMM takes no userspace exit for them (kicks by
 * ioeventfd straight to vhost, interrupts by irqfd).  Where it does not
 * (PVM hosts have no vhost_net module): the data-path test skips with that
 * reason, and a run asking for vhost=net exits 3 with a message that says
 * how to get it.  Counts, never timings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

#define FRAMES "256"
#define TAP    "xlvh0"

/* NULL if this host has the kernel's vhost-net, else the one-line reason. */
static const char *vhost_net_missing(void)
{
	return access("/dev/vhost-net", F_OK) ? "no /dev/vhost-net on this host (no vhost_net module: "
		"modprobe vhost_net; PVM hosts have none)" : NULL;
}

static const char *netns_missing(void)
{
	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) || system("ip -V >/dev/null 2>&1"))
		return "needs root, /dev/net/tun and iproute2 (for a tap in a namespace of its own)";
	return NULL;
}

/* A namespace with a vnet_hdr tap TAP in it, up. */
static void ns_make(char *ns, size_t n)
{
	char cmd[512];

	snprintf(ns, n, "exitlab-vhost-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "ip netns add %s && ip netns exec %s ip tuntap add dev " TAP " mode tap vnet_hdr "
		 "&& ip netns exec %s ip link set " TAP " up", ns, ns, ns);
	assert_int_equal(system(cmd), 0);
}

static void ns_del(const char *ns)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip netns del %s", ns);
	assert_int_equal(system(cmd), 0);
}

/* exitlab run ... inside ns, stderr to errfile: its exit code (-1 if it died of a signal). */
static int ns_run(const char *ns, const char *args, const char *errfile)
{
	char cmd[2048];
	int st;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s run %s --ring 3 --no-baseline %s >/dev/null 2>%s", ns,
		 harness_exitlab(), harness_payload("net"), args, errfile);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = calloc(1, 65536);

	assert_non_null(s);
	if (f) {
		size_t n = fread(s, 1, 65535, f);

		s[n] = 0;
		fclose(f);
	}
	return s;
}

/* A counter of the tap inside namespace ns (sysfs is per namespace). */
static long long tap_stat(const char *ns, const char *stat)
{
	char cmd[256];
	long long v = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s cat /sys/class/net/" TAP "/statistics/%s", ns, stat);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fscanf(p, "%lld", &v) != 1)
		v = -1;
	pclose(p);
	return v;
}

static json_int_t get_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fprintf(stderr, "no integer '%s' in %s\n", key, json_dumps(o, JSON_COMPACT));
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* The test called name with params.batch == batch. */
static json_t *find(json_t *doc, const char *name, int batch)
{
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		json_t *p = json_object_get(t, "params");

		if (!strcmp(json_string_value(json_object_get(t, "name")), name) &&
		    json_integer_value(json_object_get(p, "batch")) == batch)
			return t;
	}
	fprintf(stderr, "no test %s batch %d\n", name, batch);
	fail();
	return NULL;
}

/*
 * The data path in the kernel: frames the guest sends reach the tap (its
 * rx counters, in the namespace), and the VMM saw no userspace exit for them.
 */
static void test_vhost_net_tx(void **state)
{
	char ns[64], args[1024], json[512], errf[512];
	long long before, after;
	json_t *doc, *t1, *t32, *d;
	double ue;
	json_int_t n;
	int rc;
	(void)state;

	HARNESS_SKIP_IF(vhost_net_missing());   /* first: the reason that applies on our machines */
	HARNESS_SKIP_IF(harness_kvm_missing());
	HARNESS_SKIP_IF(netns_missing());
	ns_make(ns, sizeof(ns));
	before = tap_stat(ns, "rx_packets");
	snprintf(json, sizeof(json), "%s/vhost.json", harness_tmp);
	snprintf(errf, sizeof(errf), "%s/vhost.err", harness_tmp);
	snprintf(args, sizeof(args), "--device virtio-net,vhost=net --netdev tap,ifname=" TAP ",vnet_hdr=1 "
		 "--param frames=" FRAMES " --param batch=1,32 --param dir=tx --json %s", json);
	rc = ns_run(ns, args, errf);
	after = tap_stat(ns, "rx_packets");
	ns_del(ns);
	if (rc != 0) {
		char *e = slurp(errf);

		fprintf(stderr, "exit %d\n%s", rc, e);
		free(e);
	}
	assert_int_equal(rc, 0);
	doc = json_load_file(json, 0, NULL);
	assert_non_null(doc);
	t1 = find(doc, "tx", 1);
	t32 = find(doc, "tx", 32);
	assert_string_equal(json_string_value(json_object_get(t1, "status")), "ok");
	assert_string_equal(json_string_value(json_object_get(t32, "status")), "ok");
	/* the kernel saw every frame of both tests on the tap */
	assert_true(after - before >= 2 * atoi(FRAMES));
	/* a frame at a time, and still no userspace exit per frame: the VMM is out of the data path */
	n = get_int(t1, "iterations");
	ue = json_real_value(json_object_get(t1, "userspace_exits_per_iteration"));
	fprintf(stderr, "vhost-net batch 1: %.4f userspace exits per frame over %lld frames; tap rx %lld\n", ue,
		(long long)n, after - before);
	assert_true(ue * n < 2);
	d = json_object_get(json_object_get(json_object_get(t1, "host"), "devices"), "vhost-net");
	assert_true(json_is_object(d));
	assert_int_equal(get_int(d, "ring_errors"), 0);
	assert_int_equal(get_int(d, "setup_errors"), 0);
	json_decref(doc);
}

/* Where /dev/vhost-net is missing, asking for it is a host lack: exit 3 and how to get it. */
static void test_vhost_net_refused_here(void **state)
{
	char ns[64], errf[512];
	char *e;
	int rc;
	(void)state;

	if (!vhost_net_missing())
		HARNESS_SKIP_IF("this host has /dev/vhost-net (the refusal is checked where it is missing)");
	HARNESS_SKIP_IF(harness_kvm_missing());
	HARNESS_SKIP_IF(netns_missing());
	ns_make(ns, sizeof(ns));
	snprintf(errf, sizeof(errf), "%s/refused.err", harness_tmp);
	rc = ns_run(ns, "--device virtio-net,vhost=net --netdev tap,ifname=" TAP ",vnet_hdr=1 --param frames=16 "
		    "--param dir=tx", errf);
	ns_del(ns);
	e = slurp(errf);
	if (rc != 3 || !strstr(e, "/dev/vhost-net") || !strstr(e, "modprobe vhost_net"))
		fprintf(stderr, "exit %d\n%s", rc, e);
	assert_int_equal(rc, 3);
	assert_non_null(strstr(e, "/dev/vhost-net"));
	assert_non_null(strstr(e, "modprobe vhost_net"));
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vhost_net_tx),
		cmocka_unit_test(test_vhost_net_refused_here),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
