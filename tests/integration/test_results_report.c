/* SPDX-License-Identifier: MIT */
/*
 * exitlab results list|show|csv and exitlab report on a small store made by
 * hand from real runs (exit-costs --quick and a few virtio-net frames) with a
 * corrupt entry beside them: the CSV rows, the corrupt entry named and
 * skipped (exit code 1), an HTML page with no external URL (every img a
 * data: URI) and Markdown whose PNGs exist; exitlab plot RUNDIR's charts
 * (PNG and SVG, one per done entry plus the combined net chart).  The
 * report's summary (host, what ran, entries and tests by status) and
 * contents (a working link to every section) come first; a second store made
 * from the same run holds a campaign whose newest run has a planted slowdown
 * (the summary names the regression) and a claims run (verdict counts, each
 * verdict cell classed for its colour).  Counts and structure only.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "tests/integration/harness.h"

static char run_dir[512];
static bool have_store;
static size_t ntests_ec, ntests_net, nok_ec, nok_net;

static size_t count_tests(const char *path)
{
	json_t *doc = json_load_file(path, 0, NULL);
	size_t n;

	assert_non_null(doc);
	n = json_array_size(json_object_get(doc, "tests"));
	json_decref(doc);
	return n;
}

static size_t count_ok(const char *path)
{
	json_t *doc = json_load_file(path, 0, NULL), *t;
	size_t n = 0, i;

	assert_non_null(doc);
	json_array_foreach(json_object_get(doc, "tests"), i, t)
		n += !strcmp(json_string_value(json_object_get(t, "status")) ?: "", "ok");
	json_decref(doc);
	return n;
}

static void run_ok(const char *const *args)
{
	struct run_out o;

	harness_run(&o, args);
	if (o.exit_code)
		fprintf(stderr, "%s%s", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static const char manifest[] =
	"{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"quick\",\n"
	" \"campaign_file\": \"scripts/campaigns/quick.toml\", \"started_at\": \"2026-12-01T10:00:00Z\",\n"
	" \"updated_at\": \"2026-12-01T10:01:00Z\", \"host\": {\"hostname\": \"testhost\"},\n"
	" \"exitlab_revision\": \"test\", \"entries\": [\n"
	"  {\"id\": 0, \"name\": \"exit-costs/ring3/rep1\", \"payload\": \"exit-costs\", \"args\": [\"--ring\", \"3\"],\n"
	"   \"repetition\": 1, \"timeout_s\": 120, \"status\": \"done\", \"exit_code\": 0,\n"
	"   \"results\": \"entries/000-exit-costs-ring3-rep1.json\", \"started_at\": null, \"duration_s\": 1,\n"
	"   \"reason\": null},\n"
	"  {\"id\": 1, \"name\": \"net/virtio-net/rep1\", \"payload\": \"net\", \"args\": [\"--ring\", \"3\"],\n"
	"   \"repetition\": 1, \"timeout_s\": 120, \"status\": \"done\", \"exit_code\": 0,\n"
	"   \"results\": \"entries/001-net-virtio-net-rep1.json\", \"started_at\": null, \"duration_s\": 1,\n"
	"   \"reason\": null},\n"
	"  {\"id\": 2, \"name\": \"exit-costs/ring3/rep2\", \"payload\": \"exit-costs\", \"args\": [\"--ring\", \"3\"],\n"
	"   \"repetition\": 2, \"timeout_s\": 120, \"status\": \"done\", \"exit_code\": 0,\n"
	"   \"results\": \"entries/002-exit-costs-ring3-rep2.json\", \"started_at\": null, \"duration_s\": 1,\n"
	"   \"reason\": null},\n"
	"  {\"id\": 3, \"name\": \"blk/rep1\", \"payload\": \"blk\", \"args\": [], \"repetition\": 1, \"timeout_s\": 1,\n"
	"   \"status\": \"timeout\", \"exit_code\": null, \"results\": null, \"started_at\": null,\n"
	"   \"duration_s\": 1, \"reason\": \"timed out after 1 s\"}\n"
	" ]}\n";

/* The store: two real runs, a corrupt third entry, a timed-out fourth. */
static void test_make_store(void **state)
{
	char p[640], ec[640], net[640];

	(void)state;
	if (harness_kvm_missing()) {
		fprintf(stderr, "skipped: %s\n", harness_kvm_missing());
		skip();
	}
	snprintf(p, sizeof(p), "%s/results", harness_tmp);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/results/quick", harness_tmp);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(run_dir, sizeof(run_dir), "%s/results/quick/20261201T100000Z-testhost", harness_tmp);
	assert_int_equal(mkdir(run_dir, 0755), 0);
	snprintf(p, sizeof(p), "%s/entries", run_dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(ec, sizeof(ec), "%s/entries/000-exit-costs-ring3-rep1.json", run_dir);
	snprintf(net, sizeof(net), "%s/entries/001-net-virtio-net-rep1.json", run_dir);
	run_ok((const char *[]){ "run", harness_payload("exit-costs"), "--quick", "--ring", "3", "--timeout", "120",
				 "--json", ec, NULL });
	run_ok((const char *[]){ "run", harness_payload("net"), "--ring", "3", "--device", "virtio-net",
				 "--netdev", "loop", "--param", "loopback=1", "--param", "frames=64", "--param",
				 "batch=1,8", "--timeout", "120", "--json", net, NULL });
	ntests_ec = count_tests(ec);
	ntests_net = count_tests(net);
	nok_ec = count_ok(ec);
	nok_net = count_ok(net);
	assert_true(ntests_ec > 0 && ntests_net > 0);
	snprintf(p, sizeof(p), "%s/entries/002-exit-costs-ring3-rep2.json", run_dir);
	write_text(p, "{\"schema\": \"exitlab-results\", \"schema_version\": 1, \"tests\": [ {\"name\": ");
	snprintf(p, sizeof(p), "%s/manifest.json", run_dir);
	write_text(p, manifest);
	have_store = true;
}

static void need_store(void)
{
	if (!have_store)
		skip();
}

static void test_list(void **state)
{
	struct run_out o;
	char root[640];

	(void)state;
	need_store();
	snprintf(root, sizeof(root), "%s/results", harness_tmp);
	harness_run(&o, (const char *[]){ "results", "list", root, NULL });
	assert_int_equal(o.exit_code, 1); /* the corrupt entry, named */
	assert_non_null(strstr(o.err, "002-exit-costs-ring3-rep2.json"));
	assert_non_null(strstr(o.out, "quick"));
	assert_non_null(strstr(o.out, "testhost"));
	assert_non_null(strstr(o.out, "2/4"));
	assert_non_null(strstr(o.out, "failures"));
	harness_free(&o);
}

static void test_show(void **state)
{
	struct run_out o;

	(void)state;
	need_store();
	harness_run(&o, (const char *[]){ "results", "show", run_dir, "--test", "cpuid", NULL });
	assert_int_equal(o.exit_code, 1); /* the corrupt entry */
	assert_non_null(strstr(o.err, "002-exit-costs-ring3-rep2.json"));
	assert_non_null(strstr(o.out, "cpuid"));
	assert_non_null(strstr(o.out, "backend"));
	assert_non_null(strstr(o.out, "timed out after 1 s"));
	assert_null(strstr(o.out, "hypercall")); /* --test kept only cpuid */
	harness_free(&o);
}

static void test_csv(void **state)
{
	struct run_out o;
	char out[640], *csv, *line;
	size_t rows = 0, ec = 0, net = 0;

	(void)state;
	need_store();
	snprintf(out, sizeof(out), "%s/all.csv", harness_tmp);
	harness_run(&o, (const char *[]){ "results", "csv", run_dir, "-o", out, NULL });
	assert_int_equal(o.exit_code, 1);
	assert_non_null(strstr(o.err, "skipped"));
	assert_non_null(strstr(o.err, "002-exit-costs-ring3-rep2.json"));
	harness_free(&o);
	csv = harness_slurp(out, NULL);
	assert_non_null(csv);
	assert_true(!strncmp(csv, "campaign,entry,payload,test,ring,params,status,iterations,", 58));
	/* net's params hold no comma or newline, so one physical line is one row. */
	for (line = strstr(csv, "\r\n"); line && line[2]; line = strstr(line + 2, "\r\n")) {
		rows++;
		ec += !strncmp(line + 2, "quick,exit-costs/ring3/rep1,exit-costs,", 39);
		net += !strncmp(line + 2, "quick,net/virtio-net/rep1,net,", 30);
	}
	assert_int_equal(rows, ntests_ec + ntests_net);
	assert_int_equal(ec, ntests_ec);
	assert_int_equal(net, ntests_net);
	assert_non_null(strstr(csv, "quick,exit-costs/ring3/rep1,exit-costs,cpuid,3,,ok,"));
	assert_non_null(strstr(csv, "batch=8"));
	free(csv);
}

/* No "http" outside data: URIs, and every img src is one. */
static void check_self_contained(const char *html)
{
	const char *p = html;
	size_t imgs = 0;

	while ((p = strstr(p, "src=\""))) {
		const char *end;

		p += 5;
		assert_true(!strncmp(p, "data:image/png;base64,", 22));
		end = strchr(p, '"');
		assert_non_null(end);
		p = end;
		imgs++;
	}
	assert_true(imgs >= 2); /* exit-costs and net drew a chart each */
	/* Strip the data: URIs and look for any URL scheme. */
	{
		char *copy = strdup(html), *q = copy, *s;

		assert_non_null(copy);
		while ((s = strstr(q, "data:image/png;base64,"))) {
			char *e = strchr(s, '"');

			assert_non_null(e);
			memset(s, ' ', e - s);
			q = e;
		}
		assert_null(strstr(copy, "http"));
		assert_null(strstr(copy, "<link"));
		assert_null(strstr(copy, "<script"));
		assert_null(strstr(copy, "url("));
		free(copy);
	}
}

/* How many times needle occurs in hay. */
static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/*
 * The summary first, then the contents, then the sections; every contents
 * link leads to a heading that exists; the counts are the store's.
 */
static void check_summary_and_contents(const char *html)
{
	const char *sum = strstr(html, "<section id=\"summary\">"), *nav = strstr(html, "<nav id=\"contents\">");
	const char *first = strstr(html, "<h1 id=\"");
	char want[160], host[128] = "";
	size_t links = 0;

	assert_non_null(sum);
	assert_non_null(nav);
	assert_non_null(first);
	assert_true(sum < nav && nav < first);
	/* every link of the contents has its target, and every heading is linked */
	for (const char *p = nav; (p = strstr(p, "<a href=\"#")) && p < first; p++) {
		char id[40], target[60];

		assert_int_equal(sscanf(p, "<a href=\"#%39[^\"]", id), 1);
		snprintf(target, sizeof(target), " id=\"%s\">", id);
		assert_non_null(strstr(first, target));
		links++;
	}
	assert_int_equal(links, count_of(first, "<h1 id=\"") + count_of(first, "<h2 id=\""));
	/* one run of campaign quick with its four entries, each in the contents */
	assert_true(strstr(nav, ">campaign quick, started 2026-12-01T10:00:00Z</a>") < first);
	assert_true(strstr(nav, ">exit-costs/ring3/rep1</a>") < first);
	assert_true(strstr(nav, ">blk/rep1</a>") < first);
	/* entries: 3 done (one of them unreadable), 1 timed out; tests: the ok ones of the two readable files */
	assert_non_null(strstr(sum, "<span class=\"st-ok\">3 done</span>"));
	assert_non_null(strstr(sum, "<span class=\"st-failed\">1 timed out</span>"));
	snprintf(want, sizeof(want), "<span class=\"st-ok\">%zu ok</span>", nok_ec + nok_net);
	assert_non_null(strstr(sum, want));
	assert_non_null(strstr(sum, "what ran</th><td>1 campaign run (quick), 4 entries; payloads: exit-costs / net"));
	assert_non_null(strstr(sum, "regressions</th><td>not checked"));
	gethostname(host, sizeof(host) - 1);
	snprintf(want, sizeof(want), "<tr><th>host</th><td>%s</td></tr>", host);
	assert_non_null(strstr(sum, want));
	/* each test's status cell carries its class; the word is still there */
	assert_non_null(strstr(html, "<td class=\"st-ok\">ok</td>"));
}

static void test_report(void **state)
{
	struct run_out o;
	char html_path[640], md_path[640], *html, *md;

	(void)state;
	need_store();
	snprintf(html_path, sizeof(html_path), "%s/report.html", harness_tmp);
	snprintf(md_path, sizeof(md_path), "%s/report.md", harness_tmp);
	harness_run(&o, (const char *[]){ "report", run_dir, "-o", html_path, "--markdown", md_path, NULL });
	assert_int_equal(o.exit_code, 1); /* written, with the corrupt entry named */
	assert_non_null(strstr(o.err, "002-exit-costs-ring3-rep2.json"));
	harness_free(&o);

	html = harness_slurp(html_path, NULL);
	assert_non_null(html);
	assert_non_null(strstr(html, "<table"));
	assert_non_null(strstr(html, "cpuid"));
	assert_non_null(strstr(html, "exit-costs/ring3/rep1"));
	assert_non_null(strstr(html, "net/virtio-net/rep1"));
	assert_non_null(strstr(html, "timed out after 1 s"));
	check_self_contained(html);
	check_summary_and_contents(html);
	free(html);

	md = harness_slurp(md_path, NULL);
	assert_non_null(md);
	assert_non_null(strstr(md, "| cpuid"));
	assert_true(harness_md_links(md, harness_tmp, 100) >= 2);
	/* the same summary and contents, the links to anchors placed before each heading */
	assert_true(strstr(md, "## Summary") < strstr(md, "## Contents"));
	assert_true(strstr(md, "## Contents") < strstr(md, "## exit-costs/ring3/rep1"));
	assert_non_null(strstr(md, "| regressions | not checked"));
	{
		const char *p = strstr(md, "- [exit-costs/ring3/rep1](#");
		char anchor[64], *end;

		assert_non_null(p);
		snprintf(anchor, sizeof(anchor), "<a id=\"%s", p + strlen("- [exit-costs/ring3/rep1](#"));
		end = strchr(anchor + 7, ')');
		assert_non_null(end);
		snprintf(end, sizeof(anchor) - (size_t)(end - anchor), "\"></a>");
		assert_non_null(strstr(md, anchor));
	}
	free(md);
}

/* A run directory root/campaign/<stamp> with one done exit-costs entry, the file doc. */
static void write_run(const char *root, const char *campaign, int day, json_t *doc)
{
	char dir[700], p[800];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/%s", root, campaign);
	mkdir(root, 0755);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/%s/2026120%dT100000Z-testhost", root, campaign, day);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(p, sizeof(p), "%s/entries", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/entries/000-exit-costs-rep1.json", dir);
	if (doc)
		assert_int_equal(json_dump_file(doc, p, 0), 0);
	snprintf(p, sizeof(p), "%s/manifest.json", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "{\"format\": \"exitlab-campaign-manifest\", \"version\": 1, \"campaign\": \"%s\",\n"
		   " \"campaign_file\": \"x.toml\", \"started_at\": \"2026-12-0%dT10:00:00Z\",\n"
		   " \"updated_at\": \"2026-12-0%dT10:01:00Z\", \"host\": {\"hostname\": \"testhost\"},\n"
		   " \"exitlab_revision\": \"test\", \"entries\": [\n"
		   "  {\"id\": 0, \"name\": \"%s/rep1\", \"payload\": \"exit-costs\", \"args\": [],\n"
		   "   \"repetition\": 1, \"timeout_s\": 60, \"status\": \"%s\", \"exit_code\": %s,\n"
		   "   \"results\": %s, \"started_at\": null, \"duration_s\": 1, \"reason\": %s}]}\n",
		campaign, day, day, doc ? "exit-costs" : "exit-cost", doc ? "done" : "timeout", doc ? "0" : "null",
		doc ? "\"entries/000-exit-costs-rep1.json\"" : "null", doc ? "null" : "\"timed out after 1 s\"");
	fclose(f);
}

/* cpuid/cpl3 of doc with 200 raw samples around level (the statistics compare samples). */
static void plant_samples(json_t *doc, double level)
{
	json_t *t = harness_find_test(doc, "cpuid", 3), *a = json_array();

	assert_non_null(t);
	for (int i = 0; i < 200; i++)
		json_array_append_new(a, json_real(level * (1 + 0.002 * (i % 10))));
	json_object_set_new(t, "samples_cycles", a);
	json_object_set_new(json_object_get(t, "cycles"), "median", json_real(level * 1.008));
}

/*
 * The summary of a store with a campaign whose newest run is 50 % slower on
 * cpuid (planted in its samples) names that regression; a claims run's
 * verdicts are counted and each verdict cell has its class.
 */
static void test_report_regression_and_claims(void **state)
{
	char ec[640], root[640], html_path[700], want[200], *html;
	json_t *doc;
	struct run_out o;

	(void)state;
	need_store();
	snprintf(ec, sizeof(ec), "%s/entries/000-exit-costs-ring3-rep1.json", run_dir);
	snprintf(root, sizeof(root), "%s/store2", harness_tmp);
	doc = harness_load_json(ec);
	assert_non_null(doc);
	plant_samples(doc, 10000);
	write_run(root, "reg", 1, doc);
	plant_samples(doc, 15000);
	write_run(root, "reg", 2, doc);
	json_decref(doc);
	write_run(root, "claims", 3, NULL);

	snprintf(html_path, sizeof(html_path), "%s/store2.html", harness_tmp);
	harness_run(&o, (const char *[]){ "report", root, "-o", html_path, NULL });
	if (o.exit_code)
		fail_msg("report exit %d:\n%s", o.exit_code, o.err);
	harness_free(&o);
	html = harness_slurp(html_path, NULL);
	assert_non_null(html);
	assert_non_null(strstr(html, "<span class=\"st-failed\">1 regressed</span>"));
	assert_non_null(strstr(html, "<span class=\"st-failed\">regressed</span> exit-costs cpuid/cpl3 +50.0 %"));
	assert_non_null(strstr(html, "campaign reg: the newest run (2026-12-02T10:00:00Z) against the 1 before it"));
	/* the claims run: its verdicts counted, one row each, every verdict cell classed */
	{
		const char *c = strstr(html, "<tr><th>claims</th><td>");
		size_t holds, differs, unmeasurable, unmeasured, rows;

		assert_non_null(c);
		assert_int_equal(sscanf(c, "<tr><th>claims</th><td><span class=\"%*[^\"]\">%zu holds</span> &middot; "
					"<span class=\"%*[^\"]\">%zu differs</span> &middot; <span class=\"%*[^\"]\">%zu "
					"not measurable here</span> &middot; <span class=\"%*[^\"]\">%zu not measured",
					&holds, &differs, &unmeasurable, &unmeasured), 4);
		rows = count_of(html, "<td class=\"v-holds\">holds</td>") +
		       count_of(html, "<td class=\"v-differs\">differs</td>") +
		       count_of(html, "<td class=\"v-unmeasurable\">not measurable here</td>") +
		       count_of(html, "<td class=\"v-unmeasured\">not measured</td>");
		assert_true(rows > 0);
		assert_int_equal(rows, holds + differs + unmeasurable + unmeasured);
		/* nothing ran in it: nothing holds */
		assert_int_equal(holds, 0);
	}
	snprintf(want, sizeof(want), ">campaign claims, started 2026-12-03T10:00:00Z</a>");
	assert_non_null(strstr(html, want));
	assert_non_null(strstr(html, ">claims table</a>"));
	free(html);
}

/* path exists and starts like a PNG, or (svg) holds "<svg" near its start. */
static void assert_chart(const char *dir, const char *name, bool svg)
{
	char p[700], head[1024] = { 0 };
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "rb");
	if (!f)
		fprintf(stderr, "missing chart %s\n", p);
	assert_non_null(f);
	assert_true(fread(head, 1, sizeof(head) - 1, f) > 8);
	fclose(f);
	if (svg)
		assert_non_null(strstr(head, "<svg"));
	else
		assert_memory_equal(head, "\x89PNG\r\n\x1a\n", 8);
}

/* exitlab plot RUNDIR: one chart per done entry plus net-all, the corrupt entry named (exit 1). */
static void test_plot_dir(void **state)
{
	const char *fmt[] = { "png", "svg" };
	char out[600], name[64], single[700];
	struct run_out o;

	(void)state;
	need_store();
	for (int k = 0; k < 2; k++) {
		bool svg = k == 1;

		snprintf(out, sizeof(out), "%s/plots-%s", harness_tmp, fmt[k]);
		harness_run(&o, (const char *[]){ "plot", run_dir, "--format", fmt[k], "-o", out, NULL });
		assert_int_equal(o.exit_code, 1);
		assert_non_null(strstr(o.err, "002-exit-costs-ring3-rep2.json"));
		assert_non_null(strstr(o.out, "net-all"));
		harness_free(&o);
		snprintf(name, sizeof(name), "000-exit-costs-ring3-rep1.%s", fmt[k]);
		assert_chart(out, name, svg);
		snprintf(name, sizeof(name), "001-net-virtio-net-rep1.%s", fmt[k]);
		assert_chart(out, name, svg);
		snprintf(name, sizeof(name), "net-all.%s", fmt[k]);
		assert_chart(out, name, svg);
		snprintf(single, sizeof(single), "%s/blk-all.%s", out, fmt[k]);
		assert_int_not_equal(access(single, F_OK), 0);
		snprintf(single, sizeof(single), "%s/002-exit-costs-ring3-rep2.%s", out, fmt[k]);
		assert_int_not_equal(access(single, F_OK), 0);
	}
	/* the default OUTDIR, and one results file as SVG */
	harness_run(&o, (const char *[]){ "plot", run_dir, NULL });
	assert_int_equal(o.exit_code, 1);
	harness_free(&o);
	snprintf(out, sizeof(out), "%s/plots", run_dir);
	assert_chart(out, "net-all.png", false);
	snprintf(single, sizeof(single), "%s/single.svg", harness_tmp);
	snprintf(out, sizeof(out), "%s/entries/000-exit-costs-ring3-rep1.json", run_dir);
	harness_run(&o, (const char *[]){ "plot", out, "--format", "svg", "-o", single, NULL });
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	assert_chart(harness_tmp, "single.svg", true);
	harness_run(&o, (const char *[]){ "plot", run_dir, "--format", "gif", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	/* --cdf: a file without raw samples is refused */
	harness_run(&o, (const char *[]){ "plot", out, "--cdf", "-o", single, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "--raw"));
	harness_free(&o);
}

/* exitlab plot RESULTS.json --cdf on a run that kept its raw samples: PNG and SVG. */
static void test_plot_cdf(void **state)
{
	char raw[600];
	struct run_out o;

	(void)state;
	need_store();
	snprintf(raw, sizeof(raw), "%s/raw.json", harness_tmp);
	run_ok((const char *[]){ "run", harness_payload("exit-costs"), "--quick", "--ring", "3", "--raw", "--timeout",
				 "120", "--json", raw, NULL });
	harness_run(&o, (const char *[]){ "plot", raw, "--cdf", NULL });
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "raw-cdf.png"));
	harness_free(&o);
	assert_chart(harness_tmp, "raw-cdf.png", false);
	harness_run(&o, (const char *[]){ "plot", raw, "--cdf", "--format", "svg", NULL });
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	assert_chart(harness_tmp, "raw-cdf.svg", true);
}

static void test_bad_usage(void **state)
{
	struct run_out o;

	(void)state;
	harness_run(&o, (const char *[]){ "results", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "results", "frobnicate", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "results", "show", "/nonexistent/store", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
	harness_run(&o, (const char *[]){ "report", NULL });
	assert_int_equal(o.exit_code, 2);
	harness_free(&o);
}

/*
 * Output files: a report whose Markdown cannot be written leaves no HTML
 * behind (exit 2); missing parents of -o are created, as run --json does;
 * results list where there is no ./results is an empty list, not an error.
 */
static void test_file_handling(void **state)
{
	char empty[640], html[700], md[700], blocker[700], cmd[5200], bin[4096], line[512];
	struct run_out o;
	struct stat st;
	FILE *p;
	int found = 0;

	(void)state;
	snprintf(empty, sizeof(empty), "%s/empty-store", harness_tmp);
	assert_int_equal(mkdir(empty, 0755) == 0 || errno == EEXIST, 1);
	snprintf(html, sizeof(html), "%s/out/X.html", harness_tmp);
	snprintf(blocker, sizeof(blocker), "%s/a-file", harness_tmp);
	snprintf(md, sizeof(md), "%s/a-file/X.md", harness_tmp);
	p = fopen(blocker, "w");
	assert_non_null(p);
	fclose(p);

	harness_run(&o, (const char *[]){ "report", empty, "-o", html, "--markdown", md, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "X.md"));
	harness_free(&o);
	if (!stat(html, &st))
		fail_msg("%s left behind (%lld bytes) by a report that failed", html, (long long)st.st_size);

	/* parents of the outputs are created */
	snprintf(html, sizeof(html), "%s/new/sub/X.html", harness_tmp);
	snprintf(md, sizeof(md), "%s/new/md/X.md", harness_tmp);
	harness_run(&o, (const char *[]){ "report", empty, "-o", html, "--markdown", md, NULL });
	if (o.exit_code)
		fail_msg("report -o %s: exit %d: %s", html, o.exit_code, o.err);
	harness_free(&o);
	assert_int_equal(stat(html, &st), 0);
	assert_true(st.st_size > 0);
	assert_int_equal(stat(md, &st), 0);

	/* results list in a directory without ./results */
	assert_non_null(realpath(harness_exitlab(), bin));
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' results list 2>&1; echo \"rc=$?\"", empty, bin);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p))
		found |= !strncmp(line, "rc=0", 4) ? 1 : strstr(line, "exitlab results list DIR") ? 2 : 0;
	pclose(p);
	assert_int_equal(found, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_store),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_show),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_report_regression_and_claims),
		cmocka_unit_test(test_plot_dir),
		cmocka_unit_test(test_plot_cdf),
		cmocka_unit_test(test_bad_usage),
		cmocka_unit_test(test_file_handling),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
