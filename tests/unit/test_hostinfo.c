// SPDX-License-Identifier: MIT
/*
 * hostinfo: the shape of the object, not the host.  These run on any machine
 * (with or without /dev/kvm access), so nothing here asserts a value that
 * depends on the host, and nothing is timed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "instruments/hostinfo.h"
#include "instruments/hostinfo_irqvirt.h"
#include "instruments/hostinfo_tuning.h"
#include "util/revision.h"

static const char *const known_backends[] = { "kvm_intel", "kvm_amd", "kvm_pvm", "unknown" };

static bool is_known_backend(const char *b)
{
	for (size_t i = 0; i < sizeof(known_backends) / sizeof(known_backends[0]); i++)
		if (b && !strcmp(b, known_backends[i]))
			return true;
	return false;
}

static int setup(void **state)
{
	json_t *info = hostinfo_collect();

	if (!info)
		return -1;
	*state = info;
	return 0;
}

static int teardown(void **state)
{
	json_decref(*state);
	return 0;
}

static void test_top_level_keys(void **state)
{
	static const char *const keys[] = {
		"hostname", "cpu", "kernel", "kvm", "tsc", "perf", "devices", "exitlab_revision",
	};
	json_t *info = *state;

	assert_true(json_is_object(info));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!json_object_get(info, keys[i]))
			fail_msg("top-level key '%s' missing", keys[i]);
	}
	assert_true(json_is_object(json_object_get(info, "cpu")));
	assert_true(json_is_object(json_object_get(info, "kernel")));
	assert_true(json_is_object(json_object_get(info, "kvm")));
	assert_true(json_is_object(json_object_get(info, "tsc")));
	assert_true(json_is_object(json_object_get(info, "perf")));
	assert_true(json_is_object(json_object_get(info, "devices")));
	assert_string_equal(json_string_value(json_object_get(info, "exitlab_revision")),
			    exitlab_revision);
}

/* Walks the tree: a null value needs a string "<key>_error" beside it. */
static void check_nulls(json_t *obj, const char *path)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		char sub[512], ekey[256];

		snprintf(sub, sizeof(sub), "%s.%s", path, k);
		if (json_is_null(v)) {
			snprintf(ekey, sizeof(ekey), "%s_error", k);
			if (!json_is_string(json_object_get(obj, ekey)))
				fail_msg("%s is null without a string %s sibling", sub, ekey);
		} else if (json_is_object(v)) {
			check_nulls(v, sub);
		} else if (json_is_array(v)) {
			size_t i;
			json_t *e;

			json_array_foreach(v, i, e)
				if (json_is_null(e))
					fail_msg("%s[%zu] is null", sub, i);
		}
	}
}

static void test_nulls_say_why(void **state)
{
	check_nulls(*state, "$");
}

static void test_backend(void **state)
{
	json_t *kvm = json_object_get(*state, "kvm");
	const char *b = json_string_value(json_object_get(kvm, "backend"));

	assert_true(is_known_backend(b));
	assert_string_equal(b, hostinfo_backend());
	/* cached: the same pointer twice */
	assert_ptr_equal(hostinfo_backend(), hostinfo_backend());
	assert_true(json_is_string(json_object_get(kvm, "backend_note")));
	assert_true(json_is_object(json_object_get(kvm, "params")));
}

static void test_tsc_and_perf_shape(void **state)
{
	json_t *tsc = json_object_get(*state, "tsc");
	json_t *perf = json_object_get(*state, "perf");
	const char *src = json_string_value(json_object_get(tsc, "source"));
	json_t *hw = json_object_get(perf, "hardware_counters");

	assert_non_null(src);
	assert_true(!strcmp(src, "KVM_GET_TSC_KHZ") || !strcmp(src, "calibrated"));
	assert_true(json_is_number(json_object_get(tsc, "khz")) ||
		    json_is_null(json_object_get(tsc, "khz")));
	assert_true(hostinfo_tsc_khz() > 0);
	assert_true(json_is_boolean(hw));
	if (json_is_false(hw))
		assert_true(json_is_string(json_object_get(perf, "error")));
}

static void test_devices_shape(void **state)
{
	static const char *const nodes[] = {
		"/dev/kvm", "/dev/vhost-net", "/dev/vfio/vfio", "/dev/iommu", "/dev/net/tun",
	};
	json_t *devs = json_object_get(*state, "devices");

	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		json_t *d = json_object_get(devs, nodes[i]);

		if (!json_is_object(d))
			fail_msg("devices.%s missing", nodes[i]);
		assert_true(json_is_boolean(json_object_get(d, "exists")));
		assert_true(json_is_boolean(json_object_get(d, "accessible")));
		if (json_is_false(json_object_get(d, "accessible")))
			assert_true(json_is_string(json_object_get(d, "error")));
	}
}

static char *print_to_string(json_t *info)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	hostinfo_print(f, info);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_print_real(void **state)
{
	char *text = print_to_string(*state);

	assert_non_null(strstr(text, "backend"));
	assert_non_null(strstr(text, "khz"));
	free(text);
}

/* A synthetic object: the printer's contract regardless of the host. */
static void test_print_unavailable(void **state)
{
	json_t *o = json_pack("{s:{s:n, s:s, s:i}, s:{s:b, s:s}, s:{s:{s:b, s:b, s:s}}}",
			      "kvm", "api_version", "api_version_error",
			      "open /dev/kvm: Permission denied", "other", 7,
			      "perf", "hardware_counters", 0, "error", "perf_event_open: ENOENT",
			      "devices", "/dev/vhost-net", "exists", 0, "accessible", 0,
			      "error", "No such file or directory");
	char *text;

	(void)state;
	assert_non_null(o);
	text = print_to_string(o);
	assert_non_null(strstr(text, "unavailable: open /dev/kvm: Permission denied"));
	assert_null(strstr(text, "api_version_error")); /* folded into its field's line */
	assert_non_null(strstr(text, "unavailable: perf_event_open: ENOENT"));
	assert_non_null(strstr(text, "missing (No such file or directory)"));
	free(text);
	json_decref(o);
}

/* Every host object says what moves exit costs: each key present, a value or null with why. */
static void test_tuning_keys(void **state)
{
	json_t *info = *state, *kernel = json_object_get(info, "kernel"), *cpu = json_object_get(info, "cpu");
	json_t *freq = json_object_get(cpu, "frequency"), *smt = json_object_get(cpu, "smt");
	const struct {
		json_t *obj;
		const char *key;
	} want[] = {
		{ kernel, "cmdline" }, { kernel, "mitigations" }, { freq, "governor" },
		{ freq, "driver" }, { freq, "boost" }, { smt, "control" }, { smt, "active" },
	};
	char ekey[64];

	assert_true(json_is_object(freq));
	assert_true(json_is_object(smt));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		json_t *v = json_object_get(want[i].obj, want[i].key);

		if (!v)
			fail_msg("%s missing", want[i].key);
		snprintf(ekey, sizeof(ekey), "%s_error", want[i].key);
		if (json_is_null(v) && !json_is_string(json_object_get(want[i].obj, ekey)))
			fail_msg("%s is null without %s", want[i].key, ekey);
	}
}

static void put(const char *root, const char *rel, const char *text)
{
	char path[1024], cmd[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The readers on a fake /proc and /sys: values as the kernel writes them. */
static void test_tuning_fake_tree(void **state)
{
	char root[] = "/tmp/exitlab-hostinfo-XXXXXX", cmd[128];
	json_t *kernel = json_object(), *cpu = json_object(), *m, *f;
	(void)state;

	assert_non_null(mkdtemp(root));
	put(root, "/proc/cmdline", "ro mitigations=off quiet\n");
	put(root, "/sys/devices/system/cpu/vulnerabilities/spectre_v2", "Mitigation: Retpolines; RSB filling\n");
	put(root, "/sys/devices/system/cpu/vulnerabilities/meltdown", "Not affected\n");
	put(root, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "performance\n");
	put(root, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_driver", "intel_pstate\n");
	put(root, "/sys/devices/system/cpu/intel_pstate/no_turbo", "1\n");
	put(root, "/sys/devices/system/cpu/smt/control", "off\n");
	put(root, "/sys/devices/system/cpu/smt/active", "0\n");

	hostinfo_tuning_kernel(kernel, root);
	hostinfo_tuning_cpu(cpu, root);
	assert_string_equal(json_string_value(json_object_get(kernel, "cmdline")), "ro mitigations=off quiet");
	m = json_object_get(kernel, "mitigations");
	assert_int_equal(json_object_size(m), 2);
	assert_string_equal(json_string_value(json_object_get(m, "spectre_v2")), "Mitigation: Retpolines; RSB filling");
	assert_string_equal(json_string_value(json_object_get(m, "meltdown")), "Not affected");
	f = json_object_get(cpu, "frequency");
	assert_string_equal(json_string_value(json_object_get(f, "governor")), "performance");
	assert_string_equal(json_string_value(json_object_get(f, "driver")), "intel_pstate");
	assert_true(json_is_false(json_object_get(f, "boost")));   /* no_turbo = 1 */
	assert_string_equal(json_string_value(json_object_get(json_object_get(cpu, "smt"), "control")), "off");
	assert_true(json_is_false(json_object_get(json_object_get(cpu, "smt"), "active")));
	json_decref(kernel);
	json_decref(cpu);

	/* an empty tree: every field null, with the reason */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir '%s'", root, root);
	assert_int_equal(system(cmd), 0);
	kernel = json_object();
	cpu = json_object();
	hostinfo_tuning_kernel(kernel, root);
	hostinfo_tuning_cpu(cpu, root);
	assert_true(json_is_null(json_object_get(kernel, "mitigations")));
	assert_non_null(strstr(json_string_value(json_object_get(kernel, "mitigations_error")), "vulnerabilities"));
	assert_true(json_is_null(json_object_get(json_object_get(cpu, "frequency"), "boost")));
	assert_true(json_is_string(json_object_get(json_object_get(cpu, "frequency"), "boost_error")));
	json_decref(kernel);
	json_decref(cpu);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static json_t *irq_virt(const char *backend, const char *params, const char *flags)
{
	json_t *p = params ? json_loads(params, 0, NULL) : NULL, *f = flags ? json_loads(flags, 0, NULL) : NULL;
	json_t *o = hostinfo_irq_virt(backend, p, f);

	json_decref(p);
	json_decref(f);
	return o;
}

/* kvm.interrupt_virtualization from the module parameters (as collect_params parses them) and the CPU flags. */
static void test_irq_virt(void **state)
{
	json_t *o;
	(void)state;

	/* kvm_intel, enable_apicv=Y, posted_intr in vmx flags */
	o = irq_virt("kvm_intel", "{\"kvm_intel\": {\"enable_apicv\": true}}", "[\"vmx\", \"posted_intr\"]");
	assert_string_equal(json_string_value(json_object_get(o, "kind")), "apicv");
	assert_string_equal(json_string_value(json_object_get(o, "param")), "kvm_intel.enable_apicv");
	assert_true(json_is_true(json_object_get(o, "enabled")));
	assert_true(json_is_true(json_object_get(o, "cpu_has")));
	assert_true(json_is_true(json_object_get(o, "posted_interrupts")));
	json_decref(o);
	/* kvm_intel, enable_apicv=N: off whatever the CPU has */
	o = irq_virt("kvm_intel", "{\"kvm_intel\": {\"enable_apicv\": false}}", "[\"posted_intr\"]");
	assert_true(json_is_false(json_object_get(o, "posted_interrupts")));
	json_decref(o);
	/* kvm_amd, avic=1 (an integer on older kernels) on a CPU without AVIC */
	o = irq_virt("kvm_amd", "{\"kvm_amd\": {\"avic\": 1}}", "[\"svm\", \"npt\"]");
	assert_string_equal(json_string_value(json_object_get(o, "kind")), "avic");
	assert_true(json_is_true(json_object_get(o, "enabled")));
	assert_true(json_is_false(json_object_get(o, "cpu_has")));
	assert_true(json_is_false(json_object_get(o, "posted_interrupts")));
	json_decref(o);
	/* kvm_amd, avic unreadable: unknown, and says why */
	o = irq_virt("kvm_amd", "{\"kvm_amd\": {}}", "[\"avic\"]");
	assert_true(json_is_null(json_object_get(o, "enabled")));
	assert_true(json_is_string(json_object_get(o, "enabled_error")));
	assert_true(json_is_null(json_object_get(o, "posted_interrupts")));
	assert_true(json_is_string(json_object_get(o, "posted_interrupts_error")));
	json_decref(o);
	/* no flags list: the CPU side unknown */
	o = irq_virt("kvm_amd", "{\"kvm_amd\": {\"avic\": true}}", NULL);
	assert_true(json_is_null(json_object_get(o, "cpu_has")));
	assert_true(json_is_null(json_object_get(o, "posted_interrupts")));
	json_decref(o);
	/* PVM: none, off */
	o = irq_virt("kvm_pvm", "{}", "[]");
	assert_string_equal(json_string_value(json_object_get(o, "kind")), "none");
	assert_true(json_is_false(json_object_get(o, "posted_interrupts")));
	assert_non_null(strstr(json_string_value(json_object_get(o, "note")), "kvm_pvm"));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_level_keys),
		cmocka_unit_test(test_nulls_say_why),
		cmocka_unit_test(test_backend),
		cmocka_unit_test(test_tsc_and_perf_shape),
		cmocka_unit_test(test_devices_shape),
		cmocka_unit_test(test_print_real),
		cmocka_unit_test(test_print_unavailable),
		cmocka_unit_test(test_tuning_keys),
		cmocka_unit_test(test_tuning_fake_tree),
		cmocka_unit_test(test_irq_virt),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
