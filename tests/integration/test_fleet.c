/* SPDX-License-Identifier: MIT */
/*
 * exitlab fleet end to end through Ansible (docs/fleet.md): the playbook's
 * syntax (and ansible-lint where installed); a real run on an inventory of
 * two hosts that are both this machine (ansible_connection=local) with
 * different per-host defaults, then report, plot, results csv and compare on
 * the fleet run; a run with one host unreachable (a TEST-NET-3 address),
 * named in the manifest with its reason while the other host's results are
 * kept, then a resume with that host fixed that runs it alone; refusals.
 * Without /dev/kvm the campaign's entries are skipped (exit 3 of exitlab
 * run) and a host is "skipped" with that reason; with KVM it is "done".
 * Skipped where ansible-playbook is missing (scripts/deps.sh installs it).
 * Then a real two-host fleet: this machine (local connection) and a testbed
 * guest (scripts/testbed/host.sh: QEMU TCG with kvm_amd, reached over SSH, a
 * prebuilt host) whose entries really run; the guest stopped, it is
 * unreachable; booted again, a resume fills the gap.  Two boots; skipped with
 * the testbed's one-line reason where it cannot run (no QEMU, no Debian
 * mirror and no cache), as tests/integration/test_testbed.c is.
 * States and counts are asserted, timings never.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

static const char *no_ansible(void)
{
	if (system("command -v ansible-playbook >/dev/null 2>&1 && command -v ansible-inventory >/dev/null 2>&1"))
		return "ansible-playbook not installed (scripts/deps.sh installs ansible-core)";
	return NULL;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *tmp_path(const char *name)
{
	static char buf[8][1024];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", harness_tmp, name);
	return buf[i];
}

/* The campaign: one quick test, repetitions 2 (localhost's defaults make it 1). */
static const char *campaign(void)
{
	char *p = tmp_path("small.yaml");

	write_file(p, "name: fleet-small\n"
		      "defaults:\n  ring: 3\n  timeout_s: 60\n  repetitions: 2\n"
		      "entries:\n  - payload: exit-costs\n    quick: true\n    tests: [cpuid]\n");
	return p;
}

/* An inventory: localhost local with its own defaults; hostB local, or unreachable. */
static const char *inventory(const char *name, bool b_unreachable)
{
	char *p = tmp_path(name), text[2048];

	snprintf(text, sizeof(text),
		 "[lab]\n"
		 "localhost ansible_connection=local exitlab_defaults='{\"repetitions\": 1}'\n"
		 "%s\n"
		 "[lab:vars]\n"
		 "exitlab_workdir=%s/work\n"
		 "ansible_python_interpreter=/usr/bin/python3\n",
		 b_unreachable ? "hostB ansible_host=203.0.113.1 ansible_connection=ssh ansible_timeout=3 "
				 "ansible_ssh_common_args='-o ConnectTimeout=3 -o BatchMode=yes "
				 "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'"
			       : "hostB ansible_connection=local",
		 harness_tmp);
	write_file(p, text);
	return p;
}

static json_t *campaign_fleet_manifest(const char *dir, const char *campaign_name)
{
	char path[1200];
	json_t *m;

	snprintf(path, sizeof(path), "%s/fleet.json", dir);
	m = harness_load_json(path);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "format")), "exitlab-fleet-manifest");
	assert_int_equal(json_integer_value(json_object_get(m, "version")), 1);
	assert_string_equal(json_string_value(json_object_get(m, "campaign")), campaign_name);
	assert_int_equal(strlen(json_string_value(json_object_get(m, "revision"))), 40);
	return m;
}

static json_t *fleet_manifest(const char *dir)
{
	return campaign_fleet_manifest(dir, "fleet-small");
}

static json_t *host(json_t *m, const char *name)
{
	size_t i;
	json_t *h;

	json_array_foreach(json_object_get(m, "hosts"), i, h)
		if (!strcmp(json_string_value(json_object_get(h, "name")), name))
			return h;
	fail_msg("no host %s in the fleet manifest", name);
	return NULL;
}

/* A host whose campaign ran: done with KVM, skipped (the reason says /dev/kvm) without. */
static void assert_ran(const char *dir, json_t *h, int entries)
{
	const char *state = json_string_value(json_object_get(h, "state"));
	const char *reason = json_string_value(json_object_get(h, "reason"));
	json_t *c = json_object_get(h, "entries");
	char path[1200];
	struct stat st;

	if (harness_kvm_missing()) {
		assert_string_equal(state, "skipped");
		assert_non_null(reason);
		assert_non_null(strstr(reason, "/dev/kvm"));
		assert_int_equal(json_integer_value(json_object_get(c, "skipped")), entries);
	} else {
		assert_string_equal(state, "done");
		assert_int_equal(json_integer_value(json_object_get(c, "done")), entries);
	}
	assert_int_equal(json_integer_value(json_object_get(c, "total")), entries);
	assert_int_equal(json_integer_value(json_object_get(h, "campaign_exit")), 0);
	snprintf(path, sizeof(path), "%s/%s/campaign/manifest.json", dir,
		 json_string_value(json_object_get(h, "name")));
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/%s/status.json", dir, json_string_value(json_object_get(h, "name")));
	assert_int_equal(stat(path, &st), 0);
}

static void test_playbook_checks(void **state)
{
	(void)state;
	HARNESS_SKIP_IF(no_ansible());
	assert_int_equal(system("ansible-playbook --syntax-check -i localhost, scripts/fleet/fleet.yml "
				">/dev/null"), 0);
	if (system("command -v ansible-lint >/dev/null 2>&1")) {
		fprintf(stderr, "ansible-lint not installed: the playbook's syntax only\n");
		return;
	}
	assert_int_equal(system("cd scripts/fleet && ansible-lint -q --nocolor fleet.yml roles/exitlab"), 0);
}

static void test_refusals(void **state)
{
	const char *inv = inventory("inv-refusals", false), *file = campaign();
	char *empty = tmp_path("empty-inv"), *bad = tmp_path("bad.yaml"), *old;
	struct run_out o;

	(void)state;
	HARNESS_SKIP_IF(no_ansible());
	harness_run(&o, (const char *[]){ "fleet", file, NULL });
	assert_int_equal(o.exit_code, 2); /* no --inventory */
	harness_free(&o);
	write_file(bad, "name: bad\nentries:\n  - payload: exit-costs\n    tests: [cpuidd]\n");
	harness_run(&o, (const char *[]){ "fleet", bad, "--inventory", inv, "--out", tmp_path("r1"), NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "cpuidd"));
	harness_free(&o);
	write_file(empty, "[lab]\n");
	harness_run(&o, (const char *[]){ "fleet", file, "--inventory", empty, "--out", tmp_path("r2"), NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "no hosts"));
	harness_free(&o);
	harness_run(&o, (const char *[]){ "fleet", "--resume", harness_tmp, "--inventory", inv, NULL });
	assert_int_equal(o.exit_code, 2);
	assert_non_null(strstr(o.err, "fleet.json"));
	harness_free(&o);
	/* ansible missing: exit 3 with what to install */
	old = strdup(getenv("PATH") ? getenv("PATH") : "");
	setenv("PATH", "/nonexistent", 1);
	harness_run(&o, (const char *[]){ "fleet", file, "--inventory", inv, "--out", tmp_path("r3"), NULL });
	setenv("PATH", old, 1);
	free(old);
	assert_int_equal(o.exit_code, 3);
	assert_non_null(strstr(o.err, "ansible-playbook"));
	harness_free(&o);
}

/* Both hosts this machine: run, then the fleet run's report, plot, csv and compare with itself. */
static void test_two_local_hosts(void **state)
{
	const char *inv = inventory("inv-local", false), *file = campaign();
	char *dir = tmp_path("fleet-local"), *html = tmp_path("fleet-local.html"), *md = tmp_path("fleet-local.md");
	struct run_out o;
	json_t *m;

	(void)state;
	HARNESS_SKIP_IF(no_ansible());
	harness_run(&o, (const char *[]){ "fleet", file, "--inventory", inv, "--out", dir, "--forks", "2", NULL });
	if (o.exit_code)
		fprintf(stderr, "%s\n%s\n", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "2 hosts"));
	harness_free(&o);
	m = fleet_manifest(dir);
	assert_int_equal(json_array_size(json_object_get(m, "hosts")), 2);
	assert_int_equal(json_integer_value(json_object_get(m, "forks")), 2);
	assert_ran(dir, host(m, "localhost"), 1); /* its exitlab_defaults: repetitions 1 */
	assert_ran(dir, host(m, "hostB"), 2);
	json_decref(m);

	harness_run(&o, (const char *[]){ "report", dir, "-o", html, "--markdown", md, NULL });
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	{
		char *text = harness_slurp(md, NULL);

		assert_non_null(text);
		assert_non_null(strstr(text, "localhost"));
		assert_non_null(strstr(text, "hostB"));
		assert_non_null(strstr(text, "Fleet"));
		free(text);
	}
	harness_run(&o, (const char *[]){ "results", "csv", dir, NULL });
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "fleet_host"));
	harness_free(&o);
	harness_run(&o, (const char *[]){ "compare", dir, dir, NULL });
	if (o.exit_code)
		fprintf(stderr, "%s\n%s\n", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "localhost"));
	harness_free(&o);
}

/* hostB unreachable: named with its reason, localhost kept; a resume with hostB fixed runs hostB alone. */
static void test_unreachable_then_resume(void **state)
{
	const char *inv = inventory("inv-unreach", true), *fixed = inventory("inv-fixed", false), *file = campaign();
	char *dir = tmp_path("fleet-unreach"), a_status[1200];
	struct stat before, after;
	struct run_out o;
	json_t *m, *b;

	(void)state;
	HARNESS_SKIP_IF(no_ansible());
	harness_run(&o, (const char *[]){ "fleet", file, "--inventory", inv, "--out", dir, "--forks", "2", NULL });
	assert_int_equal(o.exit_code, 1);
	assert_non_null(strstr(o.out, "--resume"));
	harness_free(&o);
	m = fleet_manifest(dir);
	assert_ran(dir, host(m, "localhost"), 1);
	b = host(m, "hostB");
	assert_string_equal(json_string_value(json_object_get(b, "state")), "unreachable");
	assert_true(json_is_string(json_object_get(b, "reason")));
	assert_true(strlen(json_string_value(json_object_get(b, "reason"))) > 0);
	assert_true(json_is_null(json_object_get(b, "results")));
	json_decref(m);
	snprintf(a_status, sizeof(a_status), "%s/localhost/status.json", dir);
	assert_int_equal(stat(a_status, &before), 0);

	/* a changed campaign file is a new fleet run, not a resume */
	{
		char *other = tmp_path("other.yaml");

		write_file(other, "name: fleet-small\nentries:\n  - payload: exit-costs\n    quick: true\n");
		harness_run(&o, (const char *[]){ "fleet", other, "--resume", dir, "--inventory", fixed, NULL });
		assert_int_equal(o.exit_code, 2);
		harness_free(&o);
	}
	harness_run(&o, (const char *[]){ "fleet", "--resume", dir, "--inventory", fixed, NULL });
	if (o.exit_code)
		fprintf(stderr, "%s\n%s\n", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "on 1 host"));
	harness_free(&o);
	m = fleet_manifest(dir);
	assert_ran(dir, host(m, "localhost"), 1);
	assert_ran(dir, host(m, "hostB"), 2);
	assert_int_equal(json_integer_value(json_object_get(host(m, "localhost"), "attempts")), 1);
	assert_int_equal(json_integer_value(json_object_get(host(m, "hostB"), "attempts")), 2);
	json_decref(m);
	/* localhost was not run again: its record is the same file, untouched */
	assert_int_equal(stat(a_status, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	assert_int_equal(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);

	/* nothing left: a resume runs no play */
	harness_run(&o, (const char *[]){ "fleet", "--resume", dir, "--inventory", fixed, NULL });
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "nothing to run"));
	harness_free(&o);
}

/*
 * The testbed guest as a fleet host.  host.sh keeps its state (pid, port, key,
 * inventory) under harness_tmp; it takes TESTBED_LOCK (if set) around the
 * boot, as every testbed run does where several share the machine.
 */
#define HOST_SH "scripts/testbed/host.sh"

static char tb_dir[1100];

/* host.sh ACTION [ARGS] with its output in harness_tmp/host-ACTION.out (echoed); its exit code. */
static int host_sh(const char *action, const char *args)
{
	char cmd[3000], log[1200], *text;
	int st;

	snprintf(log, sizeof(log), "%s/host-%s.out", harness_tmp, action);
	snprintf(cmd, sizeof(cmd), "TESTBED_HOST_DIR=%s " HOST_SH " %s %s >%s 2>&1", tb_dir, action, args, log);
	fprintf(stderr, "running: %s\n", cmd);
	st = system(cmd);
	text = harness_slurp(log, NULL);
	if (text)
		fputs(text, stderr);
	free(text);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Boot the guest; NULL when it answers ssh, else why the test is skipped (the runner's SKIP line). */
static const char *start_host(void)
{
	static char why[512];
	char path[1200], *log, *s;

	if (system("command -v ssh >/dev/null 2>&1"))
		return "no ssh client for the testbed host (apt-get install openssh-client)";
	/* the guest's exitlab is build/exitlab as built: its revision must be the fleet's (HEAD) */
	if (system("git diff --quiet HEAD 2>/dev/null"))
		return "uncommitted changes: the testbed's prebuilt exitlab is REV-dirty, never the fleet's revision";
	if (!host_sh("start", "-- --no-build"))
		return NULL;
	snprintf(path, sizeof(path), "%s/run.log", tb_dir);
	log = harness_slurp(path, NULL);
	s = log ? strstr(log, "SKIP: ") : NULL;
	if (!s) {
		free(log);
		fail_msg("host.sh start failed and the testbed did not say it cannot run here: see %s", path);
	}
	snprintf(why, sizeof(why), "the testbed cannot run here: %.*s", (int)strcspn(s + 6, "\n"), s + 6);
	free(log);
	return why;
}

static int stop_host(void **state)
{
	(void)state;
	if (tb_dir[0])
		host_sh("stop", "");
	return 0;
}

/* This machine and the running guest: host.sh's inventory line (its port changes with each boot). */
static const char *tb_inventory(const char *name)
{
	char *p = tmp_path(name), path[1200], text[8192], *tb;

	snprintf(path, sizeof(path), "%s/inventory", tb_dir);
	tb = harness_slurp(path, NULL);
	assert_non_null(tb);
	assert_non_null(strstr(tb, "exitlab_prebuilt="));
	snprintf(text, sizeof(text),
		 "[here]\nlocal ansible_connection=local ansible_python_interpreter=/usr/bin/python3 "
		 "exitlab_workdir=%s/work\n%s", harness_tmp, tb);
	free(tb);
	write_file(p, text);
	return p;
}

/* A few exit-costs tests at CPL3, with the kvm tracepoints counted: what --counts compares. */
static const char *tb_campaign(void)
{
	char *p = tmp_path("tb.yaml");

	write_file(p, "name: fleet-tb\n"
		      "defaults:\n  ring: 3\n  timeout_s: 600\n  repetitions: 1\n"
		      "entries:\n  - payload: exit-costs\n    quick: true\n    instruments: tracepoints\n"
		      "    tests: [cpuid, pio_vmm, mmio_vmm]\n");
	return p;
}

/* The guest's results: its entry done under kvm_amd, every test with KVM exits counted. */
static void assert_tb_done(const char *dir, json_t *h)
{
	static const char *const tests[] = { "cpuid", "pio_vmm", "mmio_vmm" };
	json_t *cm, *e, *d, *t;
	char path[1400];

	if (strcmp(json_string_value(json_object_get(h, "state")), "done"))
		fail_msg("testbed host %s: %s", json_string_value(json_object_get(h, "state")),
			 json_string_value(json_object_get(h, "reason")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(h, "entries"), "done")), 1);
	snprintf(path, sizeof(path), "%s/testbed/campaign/manifest.json", dir);
	cm = harness_load_json(path);
	assert_non_null(cm);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(cm, "host"), "kvm"),
							      "backend")), "kvm_amd");
	e = json_array_get(json_object_get(cm, "entries"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "status")), "done");
	snprintf(path, sizeof(path), "%s/testbed/campaign/%s", dir, json_string_value(json_object_get(e, "results")));
	d = harness_load_json(path);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(d, "context"), "kvm"),
							      "backend")), "kvm_amd");
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		long long exits;

		t = harness_find_test(d, tests[i], 3);
		assert_non_null(t);
		assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
		exits = json_integer_value(json_object_get(json_object_get(t, "kvm_stats"), "exits"));
		fprintf(stderr, "testbed %s cpl3: %lld iterations, %lld KVM exits, %g per iteration\n", tests[i],
			json_integer_value(json_object_get(t, "iterations")), exits,
			json_number_value(json_object_get(t, "exits_per_iteration")));
		assert_true(json_integer_value(json_object_get(t, "iterations")) > 0);
		assert_true(exits > 0);
		assert_true(json_number_value(json_object_get(t, "exits_per_iteration")) > 0);
	}
	json_decref(d);
	json_decref(cm);
}

/* The local host: its results kept, skipped without /dev/kvm (done with it). */
static void assert_local(const char *dir, json_t *m)
{
	assert_ran(dir, host(m, "local"), 1);
}

/* exitlab fleet: its summary (the hosts' states and reasons) on stderr; its exit code. */
static int tb_fleet(struct run_out *o, const char *const *args)
{
	const char *sum;
	int rc;

	harness_run(o, args);
	sum = strstr(o->out, "exitlab fleet: fleet-tb: ");
	fprintf(stderr, "%s%s\n", sum ? sum : o->out, o->err);
	rc = o->exit_code;
	harness_free(o);
	return rc;
}

static void test_testbed_host(void **state)
{
	const char *file = tb_campaign(), *inv;
	char *dir = tmp_path("fleet-tb"), *dir2 = tmp_path("fleet-tb-down"), *md = tmp_path("fleet-tb.md"), *text;
	struct run_out o;
	json_t *m, *b;

	(void)state;
	HARNESS_SKIP_IF(no_ansible());
	snprintf(tb_dir, sizeof(tb_dir), "%s/tbhost", harness_tmp);
	HARNESS_SKIP_IF(start_host());
	inv = tb_inventory("inv-tb");

	/* both hosts up: the guest's entries run under kvm_amd; this machine's as KVM allows */
	assert_int_equal(tb_fleet(&o, (const char *[]){ "fleet", file, "--inventory", inv, "--out", dir, "--forks", "2",
							NULL }), 0);
	m = campaign_fleet_manifest(dir, "fleet-tb");
	assert_int_equal(json_array_size(json_object_get(m, "hosts")), 2);
	assert_local(dir, m);
	assert_tb_done(dir, host(m, "testbed"));
	json_decref(m);
	harness_run(&o, (const char *[]){ "report", dir, "-o", tmp_path("fleet-tb.html"), "--markdown", md, NULL });
	assert_int_equal(o.exit_code, 0);
	harness_free(&o);
	text = harness_slurp(md, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "Fleet"));
	assert_non_null(strstr(text, "local"));
	assert_non_null(strstr(text, "testbed"));
	assert_non_null(strstr(text, "kvm_amd"));
	free(text);
	harness_run(&o, (const char *[]){ "compare", dir, dir, NULL });
	if (o.exit_code)
		fprintf(stderr, "%s\n%s\n", o.out, o.err);
	assert_int_equal(o.exit_code, 0);
	assert_non_null(strstr(o.out, "testbed"));
	harness_free(&o);

	/* the guest powered off: unreachable, named with its reason; the local host's results kept */
	assert_int_equal(host_sh("stop", ""), 0);
	assert_int_equal(tb_fleet(&o, (const char *[]){ "fleet", file, "--inventory", inv, "--out", dir2, "--forks",
							"2", NULL }), 1);
	m = campaign_fleet_manifest(dir2, "fleet-tb");
	assert_local(dir2, m);
	b = host(m, "testbed");
	fprintf(stderr, "testbed host down: %s: %s\n", json_string_value(json_object_get(b, "state")),
		json_string_value(json_object_get(b, "reason")));
	assert_string_equal(json_string_value(json_object_get(b, "state")), "unreachable");
	assert_true(json_is_string(json_object_get(b, "reason")));
	assert_true(json_is_null(json_object_get(b, "results")));
	json_decref(m);

	/* booted again (another port, so another inventory): the resume runs the guest alone */
	HARNESS_SKIP_IF(start_host());
	inv = tb_inventory("inv-tb-again");
	assert_int_equal(tb_fleet(&o, (const char *[]){ "fleet", "--resume", dir2, "--inventory", inv, NULL }), 0);
	m = campaign_fleet_manifest(dir2, "fleet-tb");
	assert_local(dir2, m);
	assert_tb_done(dir2, host(m, "testbed"));
	assert_int_equal(json_integer_value(json_object_get(host(m, "testbed"), "attempts")), 2);
	assert_int_equal(json_integer_value(json_object_get(host(m, "local"), "attempts")), 1);
	json_decref(m);
	assert_int_equal(host_sh("stop", ""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_playbook_checks),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_two_local_hosts),
		cmocka_unit_test(test_unreachable_then_resume),
		cmocka_unit_test_teardown(test_testbed_host, stop_host),
	};

	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
