// SPDX-License-Identifier: MIT
/*
 * Writes the results files of tests/data/results/: one per payload view, and
 * a small store of two campaign runs.  Built by hand, not by make (the files
 * are committed; README.md there says how).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/unit/fake_gnuplot.h"

static const char *root;

static void put(struct run_result *r, const char *rel)
{
	char p[512], err[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (results_write_json(r, p, err, sizeof(err))) {
		fprintf(stderr, "gen: %s\n", err);
		exit(1);
	}
	results_free(r);
}

static void dir(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	mkdir(p, 0755);
}

static void exit_costs(struct run_result *r, const char *started, double scale, bool raw)
{
	struct test_result *t;

	fake_run(r, "exit-costs", "labhost", "6.1.0-18-amd64", "kvm_pvm", started);
	r->config_json = strdup("{\"payload\": \"exit-costs\", \"iterations\": 100}");
	fake_test(r, "empty", 3, 1);
	t = fake_test(r, "cpuid", 3, 1200 * scale);
	if (raw) {
		t->nsamples = 50;
		t->samples = calloc(50, sizeof(double));
		for (int i = 0; i < 50; i++)
			t->samples[i] = 1100 * scale + (i * 37 % 50) * 4;
	}
	fake_test(r, "cpuid", 0, 5400 * scale);
	t = fake_test(r, "pio_out", 3, 2100 * scale);
	t->has_exits = true;
	t->exits_per_iteration = 1;
	t->userspace_exits_per_iteration = 1;
	t = fake_test(r, "rdtsc", 3, 20);
	t->calib.below_resolution = true;
	t->calib.resolution_cycles = 30.4;
	t = fake_test(r, "mmio_read", 3, 3000 * scale);
	t->invalid = true;
	snprintf(t->invalid_reason, sizeof(t->invalid_reason), "0 exits per iteration, expected 1");
	fake_test(r, "host_syscall", -1, 400);
	t = results_add_test(r);
	snprintf(t->name, sizeof(t->name), "hypercall");
	snprintf(t->where, sizeof(t->where), "guest");
	t->ring = 3;
	t->status = TEST_SKIPPED;
	snprintf(t->reason, sizeof(t->reason), "backend has no hypercall exit");
}

/*
 * exit-costs at --vcpus n: the SMP tests (cycles grow with n; per-vCPU KVM
 * exits one IPI per target and operation, summed in vcpus.sum), cpuid beside.
 */
static void exit_costs_smp(struct run_result *r, int n)
{
	static const char *const smp[] = { "ipi", "ipi_halt", "ipi_broadcast", "tlb_shootdown", "ple_round_robin" };
	char cfg[160];

	fake_run(r, "exit-costs", "labhost", "6.1.0-18-amd64", "kvm_amd", "2026-12-02T10:00:00Z");
	snprintf(cfg, sizeof(cfg), "{\"payload\": \"exit-costs\", \"vmm\": {\"name\": \"exitlab\", \"vcpus\": %d}}",
		 n);
	r->config_json = strdup(cfg);
	fake_test(r, "cpuid", 3, 1200);
	for (size_t i = 0; i < sizeof(smp) / sizeof(smp[0]); i++) {
		/* per operation: ipi and ipi_halt one target; the others n-1; vCPU 0 +1 for its ICR write */
		long long targets = i < 2 ? 1 : n - 1, per = 2 + (i == 1), sum = 0;
		struct test_result *t = fake_test(r, smp[i], 0, 3000.0 * (double)(i + 1) * (double)(i < 2 ? 1 : n - 1));
		char v[1024];
		size_t k;

		t->emulated = false;
		k = (size_t)snprintf(v, sizeof(v), "{\"per_vcpu\": [");
		for (int c = 0; c < n; c++) {
			long long e = c == 0 ? 100 * targets + 1 : c <= targets ? 100 * per : 0;

			sum += e;
			k += (size_t)snprintf(v + k, sizeof(v) - k, "%s{\"vcpu\": %d, \"userspace_exits\": 0, "
					      "\"kvm_stats\": {\"exits\": %lld}}", c ? ", " : "", c, e);
		}
		snprintf(v + k, sizeof(v) - k, "], \"sum\": {\"userspace_exits\": 0, \"kvm_stats\": {\"exits\": %lld}}}",
			 sum);
		t->vcpus_json = strdup(v);
	}
}

/* exit-costs --raw --test irq_device --test irq_device_halt: latency samples, the loop overhead subtracted as the collector does. */
static void exit_costs_irq(struct run_result *r)
{
	static const char *const names[] = { "irq_device", "irq_device_halt" };

	fake_run(r, "exit-costs", "labhost", "6.1.0-18-amd64", "kvm_amd", "2026-12-02T11:00:00Z");
	r->config_json = strdup("{\"payload\": \"exit-costs\", \"vmm\": {\"name\": \"exitlab\", \"vcpus\": 1}}");
	for (int k = 0; k < 2; k++) {
		struct test_result *t = fake_test(r, names[k], 0, 9000 * (k + 1) - 40);

		t->emulated = false;
		t->overhead_cycles = 40;
		t->has_exits = true;
		t->exits_per_iteration = 3 + k;
		t->nsamples = 200;
		t->samples = calloc(200, sizeof(double));
		for (int i = 0; i < 200; i++)
			t->samples[i] = 9000 * (k + 1) + (i * 37 % 200) * (20 + 30 * k) - 40;
	}
}

static void mem_walk(struct run_result *r)
{
	static const char *const cfg[][2] = { { "4k", "4k" }, { "2m", "4k" } };

	fake_run(r, "mem-walk", "labhost", "6.1.0-18-amd64", "kvm_amd", "2026-12-01T10:00:05Z");
	for (int c = 0; c < 2; c++)
		for (long long ws = 1 << 16; ws <= 1 << 24; ws <<= 4) {
			struct test_result *t = fake_test(r, "chase", 3, 10 + c * 5 + (double)ws / 100000);
			char p[160];

			snprintf(p, sizeof(p), "{\"working_set\": %lld, \"guest_page\": \"%s\", \"host_page\": \"%s\"}",
				 ws, cfg[c][0], cfg[c][1]);
			t->params_json = strdup(p);
		}
	for (long long ws = 1 << 16; ws <= 1 << 24; ws <<= 4) {
		struct test_result *t = fake_test(r, "native_chase", -1, 8 + (double)ws / 200000);
		char p[160];

		snprintf(p, sizeof(p), "{\"working_set\": %lld, \"host_page\": \"4k\"}", ws);
		t->params_json = strdup(p);
	}
}

static void tlb(struct run_result *r, bool refill)
{
	static const char *const kinds[] = { "none", "pio", "cpuid" };

	fake_run(r, "tlb", "labhost", "6.1.0-18-amd64", "kvm_intel", "2026-12-01T10:00:06Z");
	r->context_json = strdup("{\"hostname\": \"labhost\", \"cpu\": {\"model_name\": \"Test CPU\"}, "
				 "\"kernel\": {\"release\": \"6.1.0-18-amd64\"}, \"kvm\": {\"backend\": \"kvm_intel\", "
				 "\"params\": {\"vpid\": \"Y\", \"ept\": \"Y\"}}}");
	if (refill)
		for (int n = 8; n <= 512; n *= 8)
			for (int k = 0; k < 3; k++) {
				struct test_result *t = fake_test(r, "refill", 3, 100.0 * n + 900 * k);
				char p[96];

				snprintf(p, sizeof(p), "{\"n\": %d, \"exit\": \"%s\"}", n, kinds[k]);
				t->params_json = strdup(p);
				t->has_exits = true;
				t->exits_per_iteration = k ? 1 : 0;
			}
	fake_test(r, "invlpg", 0, 250);
	fake_test(r, "flush", 0, 900);
	fake_test(r, "cr3_switch", 0, 1300);
}

static struct test_result *io(struct run_result *r, const char *name, const char *params, double exits,
			      double user, double ns)
{
	struct test_result *t = results_add_test(r);

	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->where, sizeof(t->where), "guest");
	t->ring = 0;
	t->status = TEST_OK;
	t->iterations = 64;
	t->has_exits = true;
	t->exits_per_iteration = exits;
	t->userspace_exits_per_iteration = user;
	t->has_timing = true;
	t->ns.n = t->cycles.n = 64;
	t->ns.median = ns;
	t->cycles.median = ns * 2.6;
	t->params_json = strdup(params);
	return t;
}

static void net(struct run_result *r, const char *model, const char *notify, double f, bool frames)
{
	char cfg[256];

	fake_run(r, "net", "labhost", "6.1.0-18-amd64", "kvm_amd", "2026-12-01T10:00:07Z");
	if (notify)
		snprintf(cfg, sizeof(cfg), "{\"devices\": [{\"model\": \"%s\", \"notify\": \"%s\", \"netdev\": \"loop\"}]}",
			 model, notify);
	else
		snprintf(cfg, sizeof(cfg), "{\"devices\": [{\"model\": \"%s\", \"netdev\": \"loop\"}]}", model);
	r->config_json = strdup(cfg);
	if (frames)
		for (int b = 1; b <= 64; b *= 4)
			for (int d = 0; d < 2; d++) {
				char p[160];
				struct test_result *t;

				snprintf(p, sizeof(p), "{\"nic\": \"%s\", \"dir\": \"%s\", \"size\": 1514, \"batch\": %d}",
					 model, d ? "rx" : "tx", b);
				t = io(r, d ? "rx" : "tx", p, f * 4.0 / b, d ? 0 : f * 2.0 / b, 3000 + 100 * b);
				t->host_json = strdup("{\"devices\": {\"netdev\": {\"tx_frames\": 64, \"rx_frames\": 64}}}");
			}
	else
		fake_test(r, "link", 3, 5000);
}

static void blk(struct run_result *r, int qd)
{
	fake_run(r, "blk", "labhost", "6.1.0-18-amd64", "kvm_amd", "2026-12-01T10:00:08Z");
	r->config_json = strdup("{\"devices\": [{\"model\": \"virtio-blk\", \"notify\": \"ioeventfd\"}]}");
	for (int bs = 4096; bs <= 65536; bs *= 16)
		for (int w = 0; w < 2; w++) {
			char p[96];

			snprintf(p, sizeof(p), "{\"rw\": \"%s\", \"bs\": %d, \"qd\": %d}", w ? "write" : "read", bs, qd);
			io(r, w ? "write" : "read", p, 2.0 / qd + w, 0, 4e5 / qd + bs);
		}
}

static void hostile(struct run_result *r)
{
	struct test_result *t;

	fake_run(r, "hostile", "labhost", "6.1.0-18-amd64", "kvm_amd", "2026-12-01T10:00:09Z");
	t = results_add_test(r);
	snprintf(t->name, sizeof(t->name), "bad_gpa");
	snprintf(t->where, sizeof(t->where), "guest");
	t->ring = 3;
	t->status = TEST_OK;
	t->iterations = 1;
}

static const char manifest_head[] =
	"{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"lab\",\n"
	" \"campaign_file\": \"lab.yaml\", \"started_at\": \"%s\", \"updated_at\": \"%s\",\n"
	" \"host\": {\"hostname\": \"labhost\"}, \"exitlab_revision\": \"rev1\", \"entries\": [\n";

static void entry(FILE *f, int id, const char *name, const char *payload, const char *status, const char *res,
		  bool last)
{
	fprintf(f, "  {\"id\": %d, \"name\": \"%s\", \"payload\": \"%s\", \"args\": [], \"repetition\": 1,\n"
		   "   \"timeout_s\": 60, \"status\": \"%s\", \"exit_code\": 0, \"results\": %s%s%s,\n"
		   "   \"started_at\": null, \"duration_s\": 1, \"reason\": %s}%s\n",
		id, name, payload, status, res ? "\"" : "", res ? res : "null", res ? "\"" : "",
		strcmp(status, "failed") ? "null" : "\"guest exception\"", last ? "" : ",");
}

int main(int argc, char **argv)
{
	struct run_result r;
	char p[512];
	FILE *f;

	if (argc != 2)
		return 2;
	root = argv[1];
	dir("");
	dir("files");
	exit_costs(&r, "2026-12-01T10:00:00Z", 1, false);
	put(&r, "files/exit-costs.json");
	exit_costs(&r, "2026-12-01T10:00:01Z", 1, true);
	put(&r, "files/exit-costs-raw.json");
	mem_walk(&r);
	put(&r, "files/mem-walk.json");
	tlb(&r, true);
	put(&r, "files/tlb.json");
	tlb(&r, false);
	put(&r, "files/tlb-norefill.json");
	net(&r, "e1000", NULL, 1, true);
	put(&r, "files/net-e1000.json");
	net(&r, "virtio-net", "ioeventfd", 0.25, true);
	put(&r, "files/net-virtio.json");
	net(&r, "virtio-net", "exit", 0.5, false);
	put(&r, "files/net-noframes.json");
	blk(&r, 1);
	put(&r, "files/blk-qd1.json");
	blk(&r, 8);
	put(&r, "files/blk-qd8.json");
	hostile(&r);
	put(&r, "files/hostile.json");
	exit_costs_irq(&r);
	put(&r, "files/exit-costs-irq-raw.json");
	for (int n = 2; n <= 4; n++) {
		snprintf(p, sizeof(p), "files/exit-costs-vcpus%d.json", n);
		exit_costs_smp(&r, n);
		put(&r, p);
	}

	/* a store: campaign "lab", two runs (the timeline), the first with every view */
	dir("store");
	dir("store/lab");
	for (int run = 0; run < 2; run++) {
		char d[128], ts[32];

		snprintf(d, sizeof(d), "store/lab/2026120%dT100000Z-labhost", run + 1);
		snprintf(ts, sizeof(ts), "2026-12-0%dT10:00:00Z", run + 1);
		dir(d);
		snprintf(p, sizeof(p), "%s/entries", d);
		dir(p);
#define PUT(name) (snprintf(p, sizeof(p), "%s/entries/" name, d), put(&r, p))
		exit_costs(&r, ts, run ? 1.1 : 1, true);
		PUT("000-exit-costs-rep1.json");
		if (!run) {
			mem_walk(&r);
			PUT("001-mem-walk.json");
			tlb(&r, true);
			PUT("002-tlb.json");
			net(&r, "e1000", NULL, 1, true);
			PUT("003-net-e1000.json");
			net(&r, "virtio-net", "ioeventfd", 0.25, true);
			PUT("004-net-virtio.json");
			blk(&r, 1);
			PUT("005-blk-qd1.json");
			blk(&r, 8);
			PUT("006-blk-qd8.json");
			hostile(&r);
			PUT("007-hostile.json");
			snprintf(p, sizeof(p), "%s/%s/entries/008-corrupt.json", root, d);
			f = fopen(p, "w");
			fputs("{\"schema\": \"exitlab-results\", \"schema_version\": 1, \"tests\": [}", f);
			fclose(f);
		}
		snprintf(p, sizeof(p), "%s/%s/manifest.json", root, d);
		f = fopen(p, "w");
		fprintf(f, manifest_head, ts, ts);
		if (run) {
			entry(f, 0, "exit-costs/rep1", "exit-costs", "done", "entries/000-exit-costs-rep1.json", true);
		} else {
			entry(f, 0, "exit-costs/rep1", "exit-costs", "done", "entries/000-exit-costs-rep1.json", false);
			entry(f, 1, "mem-walk", "mem-walk", "done", "entries/001-mem-walk.json", false);
			entry(f, 2, "tlb", "tlb", "done", "entries/002-tlb.json", false);
			entry(f, 3, "net/e1000", "net", "done", "entries/003-net-e1000.json", false);
			entry(f, 4, "net/virtio", "net", "done", "entries/004-net-virtio.json", false);
			entry(f, 5, "blk/qd1", "blk", "done", "entries/005-blk-qd1.json", false);
			entry(f, 6, "blk/qd8", "blk", "done", "entries/006-blk-qd8.json", false);
			entry(f, 7, "hostile", "hostile", "done", "entries/007-hostile.json", false);
			entry(f, 8, "corrupt", "exit-costs", "done", "entries/008-corrupt.json", false);
			entry(f, 9, "failed", "exit-costs", "failed", NULL, false);
			entry(f, 10, "pending", "mem-fault", "pending", NULL, true);
		}
		fprintf(f, "]}\n");
		fclose(f);
	}
	return 0;
}
