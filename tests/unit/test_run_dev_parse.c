// SPDX-License-Identifier: MIT
/*
 * run/run_devices.c's --device parsing and description through the
 * registry (devices/device_types.h): every model's keys and every refusal
 * with the text it had before the registry, the one-NIC rule by kind, and
 * each model's config.devices entry (model, kind, backend, its own keys).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/plot.h"
#include "run/run_devices.h"

static const char *refusal(const char *arg)
{
	static char err[512];
	struct run_dev_opts o;

	memset(&o, 0, sizeof(o));
	err[0] = 0;
	assert_int_equal(run_dev_parse(&o, arg, err, sizeof(err)), -1);
	assert_int_equal(o.ndev, 0);
	return err;
}

static void test_refusals(void **state)
{
	static const struct {
		const char *arg, *err;
	} cases[] = {
		{ "", "empty --device: give e1000, virtio-net, virtio-blk, vfio or virtio-rng" },
		{ "virtio-scsi", "unknown device model 'virtio-scsi' (e1000, virtio-net, virtio-blk, vfio, virtio-rng)" },
		{ "e1000,notify=exit", "e1000: bad option 'notify=exit' (e1000 takes mac=xx:xx:xx:xx:xx:xx)" },
		{ "e1000,vhost-user=/tmp/x.sock", "e1000: bad option 'vhost-user=/tmp/x.sock' (e1000 takes "
		  "mac=xx:xx:xx:xx:xx:xx)" },
		{ "e1000,mac=52:54:00:12:34", "e1000: bad option 'mac=52:54:00:12:34' (e1000 takes mac=xx:xx:xx:xx:xx:xx)" },
		{ "e1000,mac", "e1000: bad option 'mac' (e1000 takes mac=xx:xx:xx:xx:xx:xx)" },
		{ "e1000,mac=01:00:5e:00:00:01", "e1000: mac=01:00:5e:00:00:01 is a multicast address: a NIC's own "
		  "MAC is unicast and not zero" },
		{ "e1000,mac=00:00:00:00:00:00", "e1000: mac=00:00:00:00:00:00 is a zero address" },
		{ "virtio-net,notify=sometimes", "virtio-net: bad option 'notify=sometimes' (virtio-net takes "
		  "notify=exit|ioeventfd, vhost=net, vhost-user=SOCK, server=0|1, on-disconnect=reset|stop)" },
		{ "virtio-net,file=x", "virtio-net: bad option 'file=x' (virtio-net takes notify=exit|ioeventfd, "
		  "vhost=net, vhost-user=SOCK, server=0|1, on-disconnect=reset|stop)" },
		{ "virtio-net,vhost-user=", "virtio-net: bad option 'vhost-user=' (virtio-net takes" },
		{ "virtio-net,vhost=kernel", "virtio-net: bad option 'vhost=kernel'" },
		{ "virtio-net,server=1", "virtio-net: server= and on-disconnect= go with vhost-user=SOCK" },
		{ "virtio-net,vhost=net,vhost-user=/tmp/x.sock",
		  "virtio-net: vhost=net and vhost-user= are two different back-ends: pick one" },
		{ "virtio-blk", "virtio-blk needs file=PATH (a raw image) or vhost-user=SOCK" },
		{ "virtio-blk,file=x,vhost=net", "virtio-blk: bad option 'vhost=net' (virtio-blk takes file=PATH, "
		  "readonly=0|1, notify=exit|ioeventfd, vhost-user=SOCK, server=0|1, on-disconnect=reset|stop)" },
		{ "virtio-blk,file=x,readonly=2", "virtio-blk: bad option 'readonly=2'" },
		{ "virtio-blk,vhost-user=/tmp/x.sock,file=/tmp/x.img",
		  "virtio-blk: vhost-user=SOCK takes no file= or readonly= (the back-end has the disk)" },
		{ "virtio-blk,file=x,on-disconnect=stop", "virtio-blk: server= and on-disconnect= go with vhost-user=SOCK" },
		{ "vfio,host=zz", "vfio: bad option 'host=zz' (vfio takes host=DDDD:BB:DD.F, a PCI address from lspci -D)" },
		{ "virtio-rng,file=x", "virtio-rng: bad option 'file=x' (virtio-rng takes notify=exit|ioeventfd)" },
		{ "virtio-rng,vhost-user=/tmp/x.sock", "virtio-rng: bad option 'vhost-user=/tmp/x.sock'" },
		{ "virtio-rng,notify", "virtio-rng: bad option 'notify' (virtio-rng takes notify=exit|ioeventfd)" },
	};
	char longpath[700];
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *err = refusal(cases[i].arg);

		if (strncmp(err, cases[i].err, strlen(cases[i].err)))
			fail_msg("--device %s: '%s', wanted '%s'", cases[i].arg, err, cases[i].err);
	}
	memset(longpath, 'a', sizeof(longpath));
	memcpy(longpath, "virtio-blk,file=", 16);
	longpath[sizeof(longpath) - 1] = 0;
	assert_string_equal(refusal(longpath), "virtio-blk: file= path longer than 511 bytes");
	memcpy(longpath, "virtio-net,vhost-user=", 22);
	assert_string_equal(refusal(longpath), "virtio-net: vhost-user= socket path longer than 107 bytes");
}

static void test_limits(void **state)
{
	struct run_dev_opts o;
	char err[256];
	(void)state;

	memset(&o, 0, sizeof(o));
	assert_int_equal(run_dev_parse(&o, "virtio-net", err, sizeof(err)), 0);
	assert_int_equal(run_dev_parse(&o, "e1000", err, sizeof(err)), -1);
	assert_string_equal(err, "one NIC per run (its backend is --netdev): virtio-net and e1000");
	/* a disk, an entropy source and a passed-through function are not NICs */
	assert_int_equal(run_dev_parse(&o, "virtio-rng", err, sizeof(err)), 0);
	assert_int_equal(run_dev_parse(&o, "virtio-blk,file=x", err, sizeof(err)), 0);
	assert_int_equal(run_dev_parse(&o, "vfio,host=0000:00:03.0", err, sizeof(err)), 0);
	assert_int_equal(run_dev_parse(&o, "virtio-rng", err, sizeof(err)), -1);
	assert_string_equal(err, "at most 4 --device");
	assert_int_equal(o.ndev, 4);
}

static json_t *describe_one(const char *arg, const char *netdev)
{
	struct run_dev_opts o;
	char err[256];
	json_t *a, *d;

	memset(&o, 0, sizeof(o));
	o.netdev = netdev;
	assert_int_equal(run_dev_parse(&o, arg, err, sizeof(err)), 0);
	a = run_dev_describe(&o);
	assert_int_equal(json_array_size(a), 1);
	d = json_incref(json_array_get(a, 0));
	json_decref(a);
	return d;
}

static void expect_json(const char *arg, const char *netdev, const char *want)
{
	json_t *d = describe_one(arg, netdev);
	char *got = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (strcmp(got, want))
		fail_msg("--device %s: %s, wanted %s", arg, got, want);
	free(got);
	json_decref(d);
}

static void test_describe(void **state)
{
	(void)state;
	expect_json("e1000", NULL, "{\"model\":\"e1000\",\"kind\":\"nic\",\"backend\":\"vmm\",\"netdev\":\"sink,check=1\","
		    "\"mac\":\"52:54:00:12:34:56\"}");
	expect_json("e1000,mac=02:00:5E:10:20:31", "loop", "{\"model\":\"e1000\",\"kind\":\"nic\",\"backend\":\"vmm\","
		    "\"netdev\":\"loop\",\"mac\":\"02:00:5e:10:20:31\"}");
	expect_json("virtio-net,notify=exit", "loop",
		    "{\"model\":\"virtio-net\",\"kind\":\"nic\",\"notify\":\"exit\",\"backend\":\"vmm\",\"netdev\":\"loop\"}");
	expect_json("virtio-net,vhost=net", "tap,ifname=t0,vnet_hdr=1",
		    "{\"model\":\"virtio-net\",\"kind\":\"nic\",\"notify\":\"ioeventfd\",\"backend\":\"vhost-net\","
		    "\"netdev\":\"tap,ifname=t0,vnet_hdr=1\"}");
	expect_json("virtio-net,vhost-user=/tmp/s,server=1", NULL,
		    "{\"model\":\"virtio-net\",\"kind\":\"nic\",\"notify\":\"ioeventfd\",\"backend\":\"vhost-user\","
		    "\"socket\":\"/tmp/s\",\"server\":true,\"on_disconnect\":\"reset\"}");
	expect_json("virtio-blk,file=d.img,readonly=1", NULL,
		    "{\"model\":\"virtio-blk\",\"kind\":\"blk\",\"notify\":\"ioeventfd\",\"backend\":\"vmm\","
		    "\"file\":\"d.img\",\"readonly\":true}");
	expect_json("virtio-blk,vhost-user=/tmp/s,on-disconnect=stop", NULL,
		    "{\"model\":\"virtio-blk\",\"kind\":\"blk\",\"notify\":\"ioeventfd\",\"backend\":\"vhost-user\","
		    "\"socket\":\"/tmp/s\",\"server\":false,\"on_disconnect\":\"stop\"}");
	expect_json("vfio,host=0000:00:03.0", NULL,
		    "{\"model\":\"vfio\",\"kind\":\"other\",\"host\":\"0000:00:03.0\",\"backend\":\"passthrough\"}");
	expect_json("virtio-rng,notify=exit", NULL,
		    "{\"model\":\"virtio-rng\",\"kind\":\"other\",\"notify\":\"exit\",\"backend\":\"vmm\"}");
}

/* Every row is complete, found by its name, and its name unique. */
static void test_registry(void **state)
{
	unsigned n = 0;
	(void)state;

	for (unsigned i = 0; device_types[i]; i++, n++) {
		const struct device_type *t = device_types[i];

		assert_non_null(t->name);
		assert_non_null(t->usage);
		assert_non_null(t->describe);
		assert_non_null(t->create);
		assert_non_null(t->destroy);
		assert_non_null(t->metrics);
		assert_ptr_equal(device_type_find(t->name), t);
	}
	assert_int_equal(n, 5);
	assert_null(device_type_find("virtio"));
	assert_string_equal(device_kind_name(device_type_find("virtio-blk")->kind), "blk");
	assert_string_equal(device_kind_name(device_type_find("e1000")->kind), "nic");
}

/* The charts pick the disk or the NIC by "kind", and by the registry in files written before it. */
static void test_plot_picks_by_kind(void **state)
{
	struct run_result r = { 0 };
	struct plot_device d;
	char cfg[] = "{\"devices\": [{\"model\": \"virtio-rng\", \"kind\": \"other\"},"
		     " {\"model\": \"my-disk\", \"kind\": \"blk\", \"notify\": \"exit\"},"
		     " {\"model\": \"virtio-net\", \"kind\": \"nic\"}]}";
	char old[] = "{\"devices\": [{\"model\": \"virtio-blk\", \"backend\": \"vmm\"},"
		     " {\"model\": \"e1000\", \"backend\": \"vmm\"}]}";
	(void)state;

	r.config_json = cfg;
	assert_true(plot_run_device(&r, true, &d));
	assert_string_equal(d.model, "my-disk");
	assert_string_equal(d.notify, "exit");
	assert_true(plot_run_device(&r, false, &d));
	assert_string_equal(d.model, "virtio-rng");   /* anything not a disk, as before */
	r.config_json = old;
	assert_true(plot_run_device(&r, true, &d));
	assert_string_equal(d.model, "virtio-blk");
	assert_true(plot_run_device(&r, false, &d));
	assert_string_equal(d.model, "e1000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_plot_picks_by_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
