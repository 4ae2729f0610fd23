// SPDX-License-Identifier: MIT
/* Unit tests for analysis/results_csv.c: RFC 4180 quoting, the header, one row per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/results_csv.h"

static char *field(const char *s)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);

	assert_non_null(m);
	csv_field(m, s);
	fclose(m);
	return buf;
}

static void expect_field(const char *in, const char *want)
{
	char *got = field(in);

	assert_string_equal(got, want);
	free(got);
}

static void test_quoting(void **state)
{
	(void)state;
	expect_field("plain", "plain");
	expect_field("", "");
	expect_field(NULL, "");
	expect_field("a,b", "\"a,b\"");
	expect_field("say \"hi\"", "\"say \"\"hi\"\"\"");
	expect_field("two\nlines", "\"two\nlines\"");
	expect_field("cr\rhere", "\"cr\rhere\"");
	expect_field("\"", "\"\"\"\"");
	expect_field("semi;colon=ok", "semi;colon=ok");
}

/* Split one CSV record at buf (RFC 4180) into fields; returns the count, *end past its CRLF. */
static int parse_record(const char *buf, char fields[32][256], const char **end)
{
	int n = 0;
	const char *p = buf;

	for (;;) {
		size_t k = 0;

		if (*p == '"') {
			for (p++; *p; p++) {
				if (*p == '"' && p[1] == '"')
					p++;
				else if (*p == '"')
					break;
				if (k < 255)
					fields[n][k++] = *p;
			}
			assert_int_equal(*p, '"');
			p++;
		} else {
			while (*p && *p != ',' && *p != '\r' && *p != '\n')
				if (k < 255)
					fields[n][k++] = *p++;
		}
		fields[n][k] = 0;
		n++;
		if (*p == ',') {
			p++;
			continue;
		}
		assert_int_equal(p[0], '\r');
		assert_int_equal(p[1], '\n');
		*end = p + 2;
		return n;
	}
}

static void test_header_and_rows(void **state)
{
	struct run_result r = { 0 };
	struct test_result *t;
	char *buf = NULL, fields[32][256];
	const char *p;
	size_t n = 0;
	FILE *m;
	int nf;

	(void)state;
	strcpy(r.payload, "net");
	r.context_json = strdup("{\"host\":{\"hostname\":\"box, one\",\"kvm\":{\"backend\":\"kvm_pvm\"}},"
				"\"exitlab_revision\":\"abc\"}");
	t = results_add_test(&r);
	strcpy(t->name, "tx");
	t->ring = 3;
	t->iterations = 64;
	t->has_timing = true;
	t->cycles = (struct sample_stats){ .n = 64, .median = 1000, .p1 = 900, .p99 = 1500, .mad = 20 };
	t->ns = (struct sample_stats){ .n = 64, .median = 500, .p1 = 450, .p99 = 750, .mad = 10 };
	t->has_exits = true;
	t->exits_per_iteration = 0.125;
	t->userspace_exits_per_iteration = 0.0625;
	t->params_json = strdup("{\"batch\": 8, \"dir\": \"tx,\\\"rx\\\"\\nmore\"}");
	t->cpu = (struct test_cpu){ .has_device = true, .device_ns = 16000, .has_guest = true,
				    .guest_phase_ns = 12800, .guest_wait_ns = 6400 };
	t = results_add_test(&r);
	strcpy(t->name, "rx");
	t->ring = -1;
	t->status = TEST_SKIPPED;
	strcpy(t->reason, "no device");

	m = open_memstream(&buf, &n);
	assert_non_null(m);
	results_csv_header(m);
	results_csv_rows(m, "quick", "net/virtio/rep1", &r);
	fclose(m);

	nf = parse_record(buf, fields, &p);
	assert_int_equal(nf, 27);
	assert_string_equal(fields[0], "campaign");
	assert_string_equal(fields[5], "params");
	assert_string_equal(fields[8], "median_cycles");
	assert_string_equal(fields[18], "ops_per_s");
	assert_string_equal(fields[21], "revision");
	assert_string_equal(fields[22], "wall_ns_per_op");
	assert_string_equal(fields[23], "device_cpu_ns_per_op");
	assert_string_equal(fields[24], "vcpu_cpu_ns_per_op");
	assert_string_equal(fields[25], "guest_busy_ns_per_op");
	assert_string_equal(fields[26], "fleet_host");

	nf = parse_record(p, fields, &p);
	assert_int_equal(nf, 27);
	assert_string_equal(fields[0], "quick");
	assert_string_equal(fields[1], "net/virtio/rep1");
	assert_string_equal(fields[2], "net");
	assert_string_equal(fields[3], "tx");
	assert_string_equal(fields[4], "3");
	assert_string_equal(fields[5], "batch=8;dir=tx,\"rx\"\nmore");
	assert_string_equal(fields[6], "ok");
	assert_string_equal(fields[7], "64");
	assert_string_equal(fields[8], "1000.00");
	assert_string_equal(fields[9], "900.00");
	assert_string_equal(fields[10], "1500.00");
	assert_string_equal(fields[11], "20.00");
	assert_string_equal(fields[12], "500.00");
	assert_string_equal(fields[16], "0.1250");
	assert_string_equal(fields[17], "0.0625");
	assert_string_equal(fields[18], "2000000.0"); /* 1e9 / 500 ns */
	assert_string_equal(fields[19], "box, one");
	assert_string_equal(fields[20], "kvm_pvm");
	assert_string_equal(fields[21], "abc");
	assert_string_equal(fields[22], "500.0");  /* 1e9 / ops per s */
	assert_string_equal(fields[23], "250.0");  /* 16000 ns of device CPU over 64 frames */
	assert_string_equal(fields[24], "");       /* vCPU time unknown: empty, not 0 */
	assert_string_equal(fields[25], "100.0");  /* (12800 - 6400) ns of guest over 64 */

	nf = parse_record(p, fields, &p);
	assert_int_equal(nf, 27);
	assert_string_equal(fields[3], "rx");
	assert_string_equal(fields[4], "host");
	assert_string_equal(fields[5], "");
	assert_string_equal(fields[6], "skipped");
	assert_string_equal(fields[8], ""); /* no timing: empty, not 0 */
	assert_string_equal(fields[16], "");
	assert_string_equal(fields[18], "");
	assert_string_equal(p, ""); /* exactly one row per test */

	free(buf);
	results_free(&r);
}

static void test_params_flatten(void **state)
{
	struct test_result t = { 0 };
	char *s;

	(void)state;
	s = csv_params(&t);
	assert_string_equal(s, "");
	free(s);
	t.params_json = "{\"working_set\": 65536, \"guest_page\": \"4k\", \"ratio\": 0.5}";
	s = csv_params(&t);
	assert_string_equal(s, "working_set=65536;guest_page=4k;ratio=0.5");
	free(s);
	t.params_json = "not json";
	s = csv_params(&t);
	assert_string_equal(s, "");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_header_and_rows),
		cmocka_unit_test(test_params_flatten),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
