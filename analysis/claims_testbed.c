// SPDX-License-Identifier: MIT
/*
 * The claims table's counts from the nested testbed (claims.h,
 * claims_from_testbed; docs/claims.md): passthrough's exits per packet, the
 * e1000's through Linux's own driver, and the exits nested paging saves a
 * whole Linux boot. Only counts: the testbed's timings are TCG's.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/claims.h"

struct tb {
	const char *dir;
	store_problem_fn problem;
	void *ctx;
};

static struct claim_row *find_row(struct claim_row *rows, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].id, id))
			return &rows[i];
	return NULL;
}

/*
 * DIR/NAME.json, or else the newest DIR/SUB/NAME.json one level down (so that
 * DIR may be build/testbed, whose boots each write a folder of their own),
 * into r; its path into path: 1 read, 0 absent, -1 unreadable (to problem).
 */
static int load(const struct tb *tb, const char *name, struct run_result *r, char *path, size_t len)
{
	struct timespec newest = { 0 };
	struct dirent *e;
	struct stat st;
	char err[256], sub[4096];
	DIR *d;

	snprintf(path, len, "%s/%s.json", tb->dir, name);
	memset(r, 0, sizeof(*r));
	if (access(path, F_OK) && (d = opendir(tb->dir))) {
		path[0] = 0;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.' &&
			    snprintf(sub, sizeof(sub), "%s/%s/%s.json", tb->dir, e->d_name, name) < (int)sizeof(sub) &&
			    !stat(sub, &st) && S_ISREG(st.st_mode) &&
			    (st.st_mtim.tv_sec > newest.tv_sec ||
			     (st.st_mtim.tv_sec == newest.tv_sec && st.st_mtim.tv_nsec > newest.tv_nsec))) {
				newest = st.st_mtim;
				snprintf(path, len, "%s", sub);
			}
		closedir(d);
	}
	if (!path[0] || access(path, F_OK))
		return 0;
	if (results_read_json(path, r, err, sizeof(err))) {
		if (tb->problem)
			tb->problem(tb->ctx, path, err);
		results_free(r);
		return -1;
	}
	return 1;
}

static void one_figure(struct claim_row *row, double v)
{
	row->value = row->lo = row->hi = v;
	row->n = 1;
}

static void no_figure(struct claim_row *row, const char *fmt, const char *a, const char *b)
{
	row->verdict = CLAIM_NOT_MEASURED;
	snprintf(row->why, sizeof(row->why), fmt, a, b);
}

/* passthrough-exits: ladder-vfio.json, tx at batch 1, exits other than host interrupts. */
static size_t passthrough(const struct tb *tb, struct claim_row *row)
{
	struct run_result r;
	double exits, all, fps, size;
	char path[4096];
	size_t filled = 0;

	if (load(tb, "ladder-vfio", &r, path, sizeof(path)) != 1)
		return 0;
	if (claims_figure_net(&r, "tx", 1, &all, &fps, &size) && claims_figure_device_exits(&r, "tx", 1, &exits)) {
		one_figure(row, exits);
		snprintf(row->measured, sizeof(row->measured), "%.3g exits/packet (%.3g with host irqs), nested "
			 "testbed", exits, all);
		row->verdict = exits <= 0.01 ? CLAIM_HOLDS : CLAIM_DIFFERS;
		snprintf(row->why, sizeof(row->why), "holds at <= 0.01 exits/packet other than host interrupts; a "
			 "count from the nested testbed (%.200s: kvm_amd, the e1000e passed through, tx at batch 1), "
			 "where timings mean nothing", path);
		filled = 1;
	}
	results_free(&r);
	return filled;
}

/* "loop" from config.devices[0].netdev, or "?" */
static void netdev_of(const struct run_result *r, char *buf, size_t len)
{
	json_t *c = r->config_json ? json_loads(r->config_json, 0, NULL) : NULL;
	const char *nd = json_string_value(json_object_get(json_array_get(json_object_get(c, "devices"), 0), "netdev"));

	snprintf(buf, len, "%s", nd ? nd : "?");
	json_decref(c);
}

/* The udp test's params.KEY ("frame_bytes", "batch"), or 0. */
static long long udp_param(const struct run_result *r, const char *key)
{
	long long v = 0;

	for (size_t i = 0; i < r->ntests && !v; i++) {
		json_t *p = r->tests[i].params_json && !strcmp(r->tests[i].name, "udp") ?
				    json_loads(r->tests[i].params_json, 0, NULL) : NULL;

		v = json_integer_value(json_object_get(p, key));
		json_decref(p);
	}
	return v;
}

/* e1000-exits-linux: lguest-e1000.json's udp test, KVM exits per frame in its phase. */
static size_t e1000_linux(const struct tb *tb, struct claim_row *row)
{
	struct run_result r;
	double exits, user, irq;
	char netdev[64], path[4096];
	int rc = load(tb, "lguest-e1000", &r, path, sizeof(path));
	size_t filled = 0;

	if (rc <= 0) {
		no_figure(row, rc ? "%.200s is unreadable%s" : "%.200s has no lguest-e1000.json, nor a folder of it with "
			  "one (scripts/testbed/linux-guest.list writes it)%s", rc ? path : tb->dir, "");
		return 0;
	}
	if (claims_figure_guest_udp(&r, &exits, &user, &irq)) {
		one_figure(row, exits);
		netdev_of(&r, netdev, sizeof(netdev));
		snprintf(row->measured, sizeof(row->measured), "%.3g exits/packet (%.3g to the VMM, %.2g host "
			 "irqs), nested testbed", exits, user, irq);
		snprintf(row->setup, sizeof(row->setup), "e1000 with Linux's e1000 driver (exitlab-guest udp: "
			 "%lld B frames, %lld sendto a sample, interrupts), back-end %s", udp_param(&r, "frame_bytes"),
			 udp_param(&r, "batch"), netdev);
		row->verdict = exits >= 7 ? CLAIM_HOLDS : CLAIM_DIFFERS;
		snprintf(row->why, sizeof(row->why), "holds at >= 7 exits/packet; KVM's exits per frame sent in "
			 "the udp test's phase, a count from the nested testbed (%.200s: kvm_amd), "
			 "where timings mean nothing", path);
		filled = 1;
	} else {
		no_figure(row, "%.200s has no valid udp test with exit counts%s", path, "");
	}
	results_free(&r);
	return filled;
}

/*
 * tdp-exits: the KVM exits of a whole Linux boot at npt=1 against the same
 * boot at npt=0. "~95%" is judged by docs/claims.md's "~N" rule applied to
 * what is left, ~5% of shadow paging's exits: 2.5..10% left, a reduction
 * of 90..97.5%. Exits to the VMM are the same device traffic either way, so
 * the reduction net of them is shown beside it.
 */
static size_t tdp(const struct tb *tb, struct claim_row *row)
{
	struct run_result a, b;
	double e1, u1, e0, u0, red, net;
	char pa[4096], pb[4096];
	int ra = load(tb, "linux-boot", &a, pa, sizeof(pa)), rb = load(tb, "linux-npt0", &b, pb, sizeof(pb));
	size_t filled = 0;

	if (ra < 0 || rb < 0) {
		no_figure(row, "%.200s is unreadable%s", ra < 0 ? pa : pb, "");
	} else if (!ra || !rb) {
		no_figure(row, "%.200s (or a folder of it) has %s (scripts/testbed/linux.list writes linux-boot.json and "
			  "linux-npt0.json)",
			  tb->dir, !ra && !rb ? "neither linux-boot.json nor linux-npt0.json" :
				   !ra ? "no linux-boot.json" : "no linux-npt0.json");
	} else if (strcmp(claims_paging(&a), "npt") && strcmp(claims_paging(&a), "ept")) {
		no_figure(row, "%.200s ran with %s paging: it must be the npt=1 boot", pa, claims_paging(&a));
	} else if (strcmp(claims_paging(&b), "shadow")) {
		no_figure(row, "%.200s ran with %s paging: it must be the npt=0 boot", pb, claims_paging(&b));
	} else if (!claims_figure_boot_exits(&a, &e1, &u1) || !claims_figure_boot_exits(&b, &e0, &u0)) {
		no_figure(row, "%.200s or %.200s is no boot to its poweroff with KVM's totals (vmm.linux.kvm_stats_totals)",
			  pa, pb);
	} else {
		red = 100 * (1 - e1 / e0);
		net = e0 > u0 ? 100 * (1 - (e1 - u1) / (e0 - u0)) : NAN;
		one_figure(row, red);
		snprintf(row->measured, sizeof(row->measured), "%.1f%% fewer (%.0f vs %.0f exits); %.1f%% net of "
			 "exits to the VMM (%.0f vs %.0f)", red, e1, e0, net, u1, u0);
		snprintf(row->setup, sizeof(row->setup), "a whole Linux boot to its poweroff (exitlab run linux, "
			 "the test initramfs), kvm_amd npt=1 then npt=0, nested testbed");
		row->verdict = red >= 90 && red <= 97.5 ? CLAIM_HOLDS : CLAIM_DIFFERS;
		snprintf(row->why, sizeof(row->why), "holds within 90..97.5%% fewer exits (the \"~N\" rule on "
			 "what is left: 2.5..10%% of shadow paging's exits); left: %.1f%% of npt=0's, %.1f%% net of "
			 "exits to the VMM; a count from the nested testbed (%.160s and %.160s: kvm_amd), where timings "
			 "mean nothing", 100 * e1 / e0, e0 > u0 ? 100 * (e1 - u1) / (e0 - u0) : NAN, pa, pb);
		filled = 1;
	}
	if (ra > 0)
		results_free(&a);
	if (rb > 0)
		results_free(&b);
	return filled;
}

size_t claims_from_testbed(const char *dir, struct claim_row *rows, size_t n, store_problem_fn problem,
			   void *ctx)
{
	const struct tb tb = { dir, problem, ctx };
	struct claim_row *row;
	size_t filled = 0;

	if ((row = find_row(rows, n, "passthrough-exits")))
		filled += passthrough(&tb, row);
	if ((row = find_row(rows, n, "e1000-exits-linux")))
		filled += e1000_linux(&tb, row);
	if ((row = find_row(rows, n, "tdp-exits")))
		filled += tdp(&tb, row);
	return filled;
}
