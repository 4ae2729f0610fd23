// SPDX-License-Identifier: MIT
/* One figure of the claims table out of one results file (claims.h). */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "analysis/claims.h"
#include "analysis/report_devices.h"
#include "analysis/report_memory.h"

/* Ethernet around each frame: 8 bytes preamble + SFD, 4 FCS, 12 inter-frame gap. */
#define WIRE_OVERHEAD_BYTES 24.0

double claims_line_rate_fps(double frame_bytes)
{
	return 10e9 / ((frame_bytes + WIRE_OVERHEAD_BYTES) * 8.0);
}

/* A row whose exit counts contradict its test (validity.h) is never a figure. */
static bool timed_ok(const struct test_result *t)
{
	/* A cost below resolution is no figure to set beside a claim. */
	return t->status == TEST_OK && !t->invalid && t->has_timing && t->cycles.n &&
	       isfinite(t->cycles.median) && !t->calib.below_resolution;
}

bool claims_figure_exit(const struct run_result *r, double *cycles, double *ns, char *test, size_t tlen)
{
	const struct test_result *best = NULL;

	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];

		/* one exit per operation that the kernel finishes without the VMM; irq_device's samples are latencies */
		if (!timed_ok(t) || strcmp(t->where, "guest") || !t->has_exits || t->emulated ||
		    !strncmp(t->name, "irq_device", 10) ||
		    t->exits_per_iteration < 0.9 || t->exits_per_iteration > 1.1 ||
		    t->userspace_exits_per_iteration > 0.1)
			continue;
		if (!best || t->cycles.median < best->cycles.median)
			best = t;
	}
	if (!best)
		return false;
	*cycles = best->cycles.median;
	*ns = best->ns.n ? best->ns.median : NAN;
	snprintf(test, tlen, "%s", best->name);
	return true;
}

bool claims_figure_irq(const struct run_result *r, double *exits, double *cycles)
{
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];

		if (strcmp(t->name, "irq_device") || t->ring != 0 || !timed_ok(t) || !t->has_exits || t->emulated)
			continue;
		*exits = t->exits_per_iteration > 1 ? t->exits_per_iteration - 1 : 0;
		*cycles = t->cycles.median;
		return true;
	}
	return false;
}

bool claims_figure_syscall(const struct run_result *r, double *cycles)
{
	for (size_t i = 0; i < r->ntests; i++)
		if (!strcmp(r->tests[i].name, "host_syscall") && timed_ok(&r->tests[i])) {
			*cycles = r->tests[i].cycles.median;
			return true;
		}
	return false;
}

/* The native chase a guest backed by hpage is compared with: 4 KiB pages, or THP for any huge backing. */
static const char *native_page(const char *hpage)
{
	return !strcmp(hpage, "4k") ? "4k" : "thp";
}

bool claims_figure_mem(const struct run_result *r, const char *gpage, const char *hpage, double *overhead,
		       long long *ws)
{
	const struct test_result *best = NULL, *native = NULL;
	long long best_ws = 0;

	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i], *n;
		struct memory_key k;

		if (strcmp(t->name, "chase") || !timed_ok(t) || memory_key_of(t, &k) || strcmp(k.page, gpage) ||
		    strcmp(k.host, hpage) || k.ws <= best_ws)
			continue;
		n = memory_native_for(r, k.ws, native_page(k.host));
		if (!n || !(n->cycles.median > 0))
			continue;
		best = t;
		native = n;
		best_ws = k.ws;
	}
	if (!best)
		return false;
	*overhead = best->cycles.median / native->cycles.median - 1.0;
	*ws = best_ws;
	return true;
}

bool claims_figure_mem_geomean(const struct run_result *r, double *ratio, int *pairs)
{
	double logsum = 0;
	int n = 0;

	/* per working set, the best page sizes the host offers: what a tuned guest gets */
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i], *nat;
		struct memory_key k;
		double best = INFINITY;
		bool first = true;

		if (strcmp(t->name, "chase") || !timed_ok(t) || memory_key_of(t, &k))
			continue;
		for (size_t j = 0; j < i && first; j++) {
			struct memory_key kj;

			if (!strcmp(r->tests[j].name, "chase") && timed_ok(&r->tests[j]) &&
			    !memory_key_of(&r->tests[j], &kj) && kj.ws == k.ws)
				first = false;
		}
		if (!first)
			continue;
		for (size_t j = i; j < r->ntests; j++) {
			struct memory_key kj;

			if (strcmp(r->tests[j].name, "chase") || !timed_ok(&r->tests[j]) ||
			    memory_key_of(&r->tests[j], &kj) || kj.ws != k.ws)
				continue;
			nat = memory_native_for(r, kj.ws, native_page(kj.host));
			if (nat && nat->cycles.median > 0 && r->tests[j].cycles.median / nat->cycles.median < best)
				best = r->tests[j].cycles.median / nat->cycles.median;
		}
		if (isfinite(best) && best > 0) {
			logsum += log(best);
			n++;
		}
	}
	if (!n)
		return false;
	*ratio = exp(logsum / n);
	*pairs = n;
	return true;
}

/* The first net test (dir, at batch unless 0) with a device row, or NULL; its figures filled. */
static const struct test_result *net_test(const struct run_result *r, const char *dir, long batch,
					  double *exits, double *fps, double *size)
{
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];
		struct device_row row;
		json_t *p;

		if (strcmp(t->name, dir) || !report_device_row(t, &row) || row.exits < 0 || !(row.ops_per_s > 0))
			continue;
		p = t->params_json ? json_loads(t->params_json, 0, NULL) : NULL;
		if (batch && json_integer_value(json_object_get(p, "batch")) != batch) {
			json_decref(p);
			continue;
		}
		*size = json_is_integer(json_object_get(p, "size")) ?
				(double)json_integer_value(json_object_get(p, "size")) : 1514;
		json_decref(p);
		*exits = row.exits;
		*fps = row.ops_per_s;
		return t;
	}
	return NULL;
}

bool claims_figure_net(const struct run_result *r, const char *dir, long batch, double *exits, double *fps,
		       double *size)
{
	return net_test(r, dir, batch, exits, fps, size) != NULL;
}

bool claims_figure_device_exits(const struct run_result *r, const char *dir, long batch, double *exits)
{
	double all, fps, size;
	const struct test_result *t = net_test(r, dir, batch, &all, &fps, &size);
	int64_t hostirq = 0;

	if (!t)
		return false;
	for (size_t k = 0; k < t->vcpu_stats.ndelta; k++)
		if (!strcmp(t->vcpu_stats.delta[k].name, "irq_exits"))
			hostirq = t->vcpu_stats.delta[k].delta;
	*exits = all - (double)hostirq / (double)t->iterations;
	if (*exits < 0)
		*exits = 0;
	return true;
}

/* The value of key in a "k=v k=v" parameter string, or def. */
static const char *run_param(const char *params, const char *key, char *buf, size_t len, const char *def)
{
	size_t kl = strlen(key);

	for (const char *p = params; p && *p;) {
		size_t wl = strcspn(p, " ");

		if (wl > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			snprintf(buf, len, "%.*s", (int)(wl - kl - 1), p + kl + 1);
			return buf;
		}
		p += wl;
		p += strspn(p, " ");
	}
	return def;
}

/* What checks the frames of this setup: the sink, the guest, or nobody. */
static const char *frame_check(const char *backend, const char *netdev, bool loopback)
{
	if (loopback)
		return "frames looped back and checked by the guest";
	if (!strcmp(backend, "vhost-user"))
		return "back-end's own check";
	if (!strncmp(netdev, "sink", 4))
		return strstr(netdev, "check=0") ? "sink check off" : "sink checks every frame";
	return "frames unchecked";
}

bool claims_net_setup(const struct run_result *r, const char *dir, long batch, char *buf, size_t len)
{
	double exits, fps, size;
	const struct test_result *t = net_test(r, dir, batch, &exits, &fps, &size);
	json_t *cfg = r->config_json ? json_loads(r->config_json, 0, NULL) : NULL;
	json_t *dev = json_array_get(json_object_get(cfg, "devices"), 0);
	json_t *p = t && t->params_json ? json_loads(t->params_json, 0, NULL) : NULL;
	const char *model = json_string_value(json_object_get(dev, "model"));
	const char *notify = json_string_value(json_object_get(dev, "notify"));
	const char *backend = json_string_value(json_object_get(dev, "backend"));
	const char *netdev = json_string_value(json_object_get(dev, "netdev"));
	char lb[8], side[48];
	bool loopback, irq;

	if (!t || !model) {
		json_decref(cfg);
		json_decref(p);
		return false;
	}
	loopback = strcmp(run_param(json_string_value(json_object_get(cfg, "params")), "loopback", lb, sizeof(lb),
				    "0"), "0") != 0;
	irq = json_integer_value(json_object_get(p, "irq")) != 0;
	backend = backend ? backend : "vmm";
	/* the VMM's own back-end is its netdev; vhost back-ends are named as such */
	if (!strcmp(backend, "vmm"))
		snprintf(side, sizeof(side), "%s", netdev ? netdev : "?");
	else
		snprintf(side, sizeof(side), "%s", backend);
	snprintf(buf, len, "%s%s%s%s, back-end %s, %s, %.0f B, batch %lld, %s", model, notify ? " (kicks by " : "",
		 notify ? notify : "", notify ? ")" : "", side, frame_check(backend, netdev ? netdev : "", loopback),
		 size, json_integer_value(json_object_get(p, "batch")), irq ? "interrupts" : "polling");
	json_decref(cfg);
	json_decref(p);
	return true;
}

/* A refill test's pass length and exit kind; false if it is not one. */
static bool refill_of(const struct test_result *t, long long *n, char *kind, size_t klen)
{
	json_t *p;
	bool ok;

	if (strcmp(t->name, "refill") || !timed_ok(t) || !t->params_json ||
	    !(p = json_loads(t->params_json, 0, NULL)))
		return false;
	ok = json_is_integer(json_object_get(p, "n")) && json_integer_value(json_object_get(p, "n")) > 0 &&
	     json_is_string(json_object_get(p, "exit"));
	if (ok) {
		*n = json_integer_value(json_object_get(p, "n"));
		snprintf(kind, klen, "%s", json_string_value(json_object_get(p, "exit")));
	}
	json_decref(p);
	return ok;
}

bool claims_figure_tlb(const struct run_result *r, const char *kind, double *extra_cycles, long long *pages)
{
	long long best = 0;

	for (size_t i = 0; i < r->ntests; i++) {
		long long n, m;
		char k[16], k2[16];

		if (!refill_of(&r->tests[i], &n, k, sizeof(k)) || strcmp(k, kind) || n <= best)
			continue;
		for (size_t j = 0; j < r->ntests; j++)
			if (refill_of(&r->tests[j], &m, k2, sizeof(k2)) && m == n && !strcmp(k2, "none")) {
				/* cycles are per access: the pass of n accesses costs n x the difference */
				*extra_cycles = (r->tests[i].cycles.median - r->tests[j].cycles.median) * (double)n;
				best = n;
				break;
			}
	}
	*pages = best;
	return best > 0;
}

/* A kvm module parameter of the run's host as 1/0, -1 if unknown. */
static int module_param(json_t *kvm, const char *mod, const char *name)
{
	json_t *v = json_object_get(json_object_get(json_object_get(kvm, "params"), mod), name);

	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_string(v))
		return strchr("Yy1", json_string_value(v)[0]) != NULL;
	return -1;
}

const char *claims_paging(const struct run_result *r)
{
	json_t *ctx = r->context_json ? json_loads(r->context_json, 0, NULL) : NULL;
	json_t *kvm = json_object_get(ctx, "kvm");
	const char *b = json_string_value(json_object_get(kvm, "backend"));
	const char *out = "unknown";

	if (b && !strcmp(b, "kvm_pvm"))
		out = "shadow";
	else if (b && !strcmp(b, "kvm_amd"))
		out = module_param(kvm, b, "npt") == 1 ? "npt" : module_param(kvm, b, "npt") == 0 ? "shadow" :
											 "unknown";
	else if (b && !strcmp(b, "kvm_intel"))
		out = module_param(kvm, b, "ept") == 1 ? "ept" : module_param(kvm, b, "ept") == 0 ? "shadow" :
											 "unknown";
	json_decref(ctx);
	return out;
}

bool claims_figure_guest_udp(const struct run_result *r, double *exits, double *user, double *hostirq)
{
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_result *t = &r->tests[i];
		int64_t irq = 0;

		if (strcmp(t->name, "udp") || strcmp(t->where, "guest") || t->status != TEST_OK || t->invalid ||
		    !t->has_exits || t->iterations <= 0 || !isfinite(t->exits_per_iteration))
			continue;
		for (size_t k = 0; k < t->vcpu_stats.ndelta; k++)
			if (!strcmp(t->vcpu_stats.delta[k].name, "irq_exits"))
				irq = t->vcpu_stats.delta[k].delta;
		*exits = t->exits_per_iteration;
		*user = t->userspace_exits_per_iteration;
		*hostirq = (double)irq / (double)t->iterations;
		return true;
	}
	return false;
}

bool claims_figure_boot_exits(const struct run_result *r, double *exits, double *user)
{
	json_t *vmm = r->vmm_json ? json_loads(r->vmm_json, 0, NULL) : NULL, *lx = json_object_get(vmm, "linux");
	json_t *e = json_object_get(json_object_get(json_object_get(lx, "kvm_stats_totals"), "vcpus_sum"), "exits");
	json_t *u = json_object_get(vmm, "userspace_exits");
	const char *end = json_string_value(json_object_get(lx, "end"));
	bool ok = json_is_integer(e) && json_is_integer(u) && end && !strcmp(end, "poweroff") && r->exit_code == 0 &&
		  json_integer_value(e) > 0;

	/* only a boot that ran to its poweroff: a panic or a watchdog stop counts a different boot */
	if (ok) {
		*exits = (double)json_integer_value(e);
		*user = (double)json_integer_value(u);
	}
	json_decref(vmm);
	return ok;
}
