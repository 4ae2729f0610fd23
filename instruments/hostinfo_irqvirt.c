/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <string.h>

#include "instruments/hostinfo.h"
#include "instruments/hostinfo_irqvirt.h"

static bool has_flag(json_t *flags, const char *name)
{
	size_t i;
	json_t *f;

	json_array_foreach(flags, i, f)
		if (json_is_string(f) && !strcmp(json_string_value(f), name))
			return true;
	return false;
}

json_t *hostinfo_irq_virt(const char *backend, json_t *params, json_t *flags)
{
	json_t *o = json_object(), *en;
	const char *kind = NULL, *mod = NULL, *param = NULL, *flag = NULL;
	char full[64];

	if (backend && !strcmp(backend, "kvm_intel"))
		kind = "apicv", mod = "kvm_intel", param = "enable_apicv", flag = "posted_intr";
	else if (backend && !strcmp(backend, "kvm_amd"))
		kind = "avic", mod = "kvm_amd", param = "avic", flag = "avic";
	if (!kind) {
		json_object_set_new(o, "kind", json_string("none"));
		hostinfo_put_error(o, "param", "backend %s has no such parameter", backend ? backend : "unknown");
		json_object_set_new(o, "enabled", json_false());
		hostinfo_put_error(o, "cpu_has", "backend %s uses none", backend ? backend : "unknown");
		json_object_set_new(o, "posted_interrupts", json_false());
		json_object_set_new(o, "note", json_string(backend && !strcmp(backend, "kvm_pvm")
			? "kvm_pvm virtualizes no interrupt delivery: KVM injects every interrupt"
			: "no kvm_intel or kvm_amd loaded"));
		return o;
	}
	snprintf(full, sizeof(full), "%s.%s", mod, param);
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "param", json_string(full));
	en = json_object_get(json_object_get(params, mod), param);
	if (json_is_boolean(en))
		json_object_set_new(o, "enabled", json_boolean(json_is_true(en)));
	else if (json_is_integer(en))
		json_object_set_new(o, "enabled", json_boolean(json_integer_value(en) != 0));
	else
		hostinfo_put_error(o, "enabled", "/sys/module/%s/parameters/%s unreadable", mod, param);
	/* Only the flags present are listed: an absent one is known absent when the list was read. */
	if (json_is_array(flags))
		json_object_set_new(o, "cpu_has", json_boolean(has_flag(flags, flag)));
	else
		hostinfo_put_error(o, "cpu_has", "no CPU flags (/proc/cpuinfo)");
	if (json_is_false(json_object_get(o, "enabled")) || json_is_false(json_object_get(o, "cpu_has")))
		json_object_set_new(o, "posted_interrupts", json_false());
	else if (json_is_true(json_object_get(o, "enabled")) && json_is_true(json_object_get(o, "cpu_has")))
		json_object_set_new(o, "posted_interrupts", json_true());
	else
		hostinfo_put_error(o, "posted_interrupts", "%s or the CPU flag %s unknown", full, flag);
	json_object_set_new(o, "note", json_string(!strcmp(kind, "apicv")
		? "APICv, when on: posted interrupts reach a running vCPU without an exit"
		: "AVIC, when on: interrupts reach a running vCPU through its doorbell, without an exit"));
	return o;
}
