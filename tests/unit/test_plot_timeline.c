// SPDX-License-Identifier: MIT
/*
 * Unit tests for the pure parts of cli/plot_timeline.c: an entry's name
 * without its repetition (what the timeline pools), timestamps as the
 * manifest and the run directory write them (and hostile ones refused), and
 * the time order of runs (unreadable times last, ties by host then path).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "plot.h"
#include "results_store.h"

static void group_is(const char *name, const char *want)
{
	char buf[128];

	plot_entry_group(name, buf, sizeof(buf));
	if (strcmp(buf, want))
		fail_msg("group of '%s' is '%s', want '%s'", name, buf, want);
}

static void test_entry_group(void **state)
{
	char small[8];

	(void)state;
	group_is("exit-costs/rep1", "exit-costs");
	group_is("exit-costs/ring3/rep12", "exit-costs/ring3");
	group_is("net/virtio-net/batch=32/rep2", "net/virtio-net/batch=32");
	group_is("mem-walk/thp/mem600/guest_page=2m/rep1", "mem-walk/thp/mem600/guest_page=2m");
	/* only a last component that is "rep" and digits is a repetition */
	group_is("exit-costs", "exit-costs");
	group_is("net/rep", "net/rep");
	group_is("net/repx", "net/repx");
	group_is("net/rep1x", "net/rep1x");
	group_is("net/rep1/tx", "net/rep1/tx");
	group_is("net/reps3", "net/reps3");
	group_is("/rep1", "/rep1");
	group_is("rep1", "rep1");
	group_is("", "");
	group_is("a//rep3", "a/");
	/* truncated to the buffer, never overrun */
	plot_entry_group("a-very-long-entry-name/rep1", small, sizeof(small));
	assert_string_equal(small, "a-very-");
	plot_entry_group("x/rep1", small, 0);
}

static void test_time_parse(void **state)
{
	long long t = 0;

	(void)state;
	assert_int_equal(plot_time_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(plot_time_parse("2026-12-01T21:28:21Z", &t), 0);
	assert_int_equal(t, 1796160501LL);
	assert_int_equal(plot_time_parse("2026-12-01T21:28:21.123456Z", &t), 0);
	assert_int_equal(t, 1796160501LL);
	/* the run directory's form, with or without the host after it */
	assert_int_equal(plot_time_parse("20261201T212821Z", &t), 0);
	assert_int_equal(t, 1796160501LL);
	assert_int_equal(plot_time_parse("20261201T212821Z-vm", &t), 0);
	assert_int_equal(t, 1796160501LL);
	/* refused: not UTC, malformed, out of range, empty, NULL */
	assert_int_equal(plot_time_parse("2026-12-01T21:28:21+01:00", &t), -1);
	assert_int_equal(plot_time_parse("2026-12-01 21:28:21Z", &t), -1);
	assert_int_equal(plot_time_parse("2026-13-01T21:28:21Z", &t), -1);
	assert_int_equal(plot_time_parse("2026-12-01T24:28:21Z", &t), -1);
	assert_int_equal(plot_time_parse("2026-12-00T21:28:21Z", &t), -1);
	assert_int_equal(plot_time_parse("2O26-12-01T21:28:21Z", &t), -1);
	assert_int_equal(plot_time_parse("20261201T2128Z", &t), -1);
	assert_int_equal(plot_time_parse("tiny-out", &t), -1);
	assert_int_equal(plot_time_parse("", &t), -1);
	assert_int_equal(plot_time_parse(NULL, &t), -1);
}

static struct store_run mk(const char *ts, const char *host, char *path)
{
	struct store_run r;

	memset(&r, 0, sizeof(r));
	snprintf(r.timestamp, sizeof(r.timestamp), "%s", ts);
	snprintf(r.host, sizeof(r.host), "%s", host);
	r.path = path;
	return r;
}

static void test_run_order(void **state)
{
	char p0[] = "store/c/zzz", p1[] = "store/c/aaa", p2[] = "store/c/20261201T090000Z-b",
	     p3[] = "store/c/mmm", p4[] = "store/c/bbb", p5[] = "store/c/garbage", p6[] = "store/c/abc";
	struct store_run r[7] = {
		mk("2026-12-01T10:00:00Z", "a", p0),
		mk("2026-12-01T12:00:00Z", "a", p1),
		mk("", "b", p2),                           /* no started_at: the directory name's time */
		mk("2026-12-01T11:00:00Z", "b", p3),
		mk("2026-12-01T11:00:00Z", "a", p4),       /* same second: by host */
		mk("not a time", "a", p5),                 /* unreadable: last */
		mk("", "a", p6),                           /* unreadable: last, by path */
	};
	const struct store_run *v[7];
	const char *want[7] = { p2, p0, p4, p3, p1, p6, p5 };

	(void)state;
	for (int i = 0; i < 7; i++)
		v[i] = &r[i];
	plot_runs_by_time(v, 7);
	for (int i = 0; i < 7; i++)
		if (strcmp(v[i]->path, want[i]))
			fail_msg("position %d: %s, want %s", i, v[i]->path, want[i]);
	assert_int_equal(plot_run_time_cmp(&r[0], &r[0]), 0);
	assert_true(plot_run_time_cmp(&r[0], &r[1]) < 0);
	assert_true(plot_run_time_cmp(&r[1], &r[0]) > 0);
	assert_true(plot_run_time_cmp(&r[5], &r[0]) > 0);
	plot_runs_by_time(v, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_group),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_run_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
