// SPDX-License-Identifier: MIT
/*
 * pmu: the libpfm4 + perf_event path.  Passes on hosts with and without
 * hardware counters: a hardware event is either counted or unsupported with
 * an errno, never anything else.  The counting path itself is exercised for
 * real with a software event (task-clock of this thread), and the guest/host
 * split fallbacks with a stand-in perf_event_open that plays a kernel which
 * rejects them.  Nothing here asserts a timing value.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "instruments/pmu.h"

static void busy(void)
{
	for (volatile unsigned long i = 0; i < 2000000; i++)
		;
}

/* open, enable, work, disable, read: the delta as JSON */
static json_t *count_around_busy(struct pmu_set *p)
{
	struct pmu_sample before, after;

	assert_int_equal(pmu_set_read(p, &before), 0);
	pmu_set_enable(p);
	busy();
	pmu_set_disable(p);
	assert_int_equal(pmu_set_read(p, &after), 0);
	return pmu_delta_json(p, &before, &after);
}

static void assert_unsupported(json_t *field, int err, const char *why_prefix)
{
	if (!json_is_object(field))
		fail_msg("expected an unsupported object, got %s",
			 json_is_integer(field) ? "a count" : "something else");
	assert_string_equal(json_string_value(json_object_get(field, "status")), "unsupported");
	assert_true(json_is_integer(json_object_get(field, "errno")));
	if (err >= 0)
		assert_int_equal(json_integer_value(json_object_get(field, "errno")), err);
	assert_true(json_is_string(json_object_get(field, "error")));
	if (why_prefix && strncmp(json_string_value(json_object_get(field, "error")), why_prefix,
				  strlen(why_prefix)))
		fail_msg("error '%s' does not start with '%s'",
			 json_string_value(json_object_get(field, "error")), why_prefix);
}

static int need_pfm(void)
{
	if (pmu_init()) {
		print_message("libpfm4 unusable here: %s\n", pmu_init_error());
		return 0;
	}
	return 1;
}

static void test_init(void **state)
{
	(void)state;
	int ret = pmu_init();

	assert_int_equal(pmu_init(), ret); /* once, stable */
	if (ret)
		assert_non_null(strstr(pmu_init_error(), "libpfm4 unavailable"));
	else
		assert_null(pmu_init_error());
}

static void test_bad_arguments(void **state)
{
	(void)state;
	const char *ev[PMU_MAX_EVENTS + 1];
	pid_t tid = gettid();
	struct pmu_set p;

	for (size_t i = 0; i < PMU_MAX_EVENTS + 1; i++)
		ev[i] = "task-clock";
	errno = 0;
	assert_int_equal(pmu_set_open(&p, &tid, 1, ev, PMU_MAX_EVENTS + 1), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(pmu_set_open(&p, &tid, 0, ev, 1), -1);
	assert_int_equal(errno, EINVAL);
	pmu_set_close(&p); /* harmless after a refused open */
}

static void test_unknown_name(void **state)
{
	(void)state;
	const char *ev[] = { "xyz_no_such_event" };
	pid_t tid = gettid();
	struct pmu_set p;

	if (!need_pfm())
		skip();
	assert_int_equal(pmu_set_open(&p, &tid, 1, ev, 1), 0);
	assert_int_equal(p.nevents, 1);
	assert_null(p.ev[0].fstr);
	for (int s = 0; s < PMU_NSPLIT; s++) {
		assert_false(pmu_counting(&p, 0, s));
		assert_int_equal(p.ev[0].split[s].err, 0);
	}

	json_t *j = count_around_busy(&p), *e = json_object_get(j, "xyz_no_such_event");

	assert_non_null(e);
	assert_true(json_is_null(json_object_get(e, "encoding")));
	assert_true(json_is_null(json_object_get(e, "scaling")));
	assert_unsupported(json_object_get(e, "total"), 0,
			   "unknown event name 'xyz_no_such_event' (libpfm4: ");
	assert_unsupported(json_object_get(e, "guest"), 0, "unknown event name");
	assert_unsupported(json_object_get(e, "host"), 0, "unknown event name");
	json_decref(j);
	pmu_set_close(&p);
}

/* A known event with a missing mandatory unit mask is not "unknown". */
static void test_bad_encoding(void **state)
{
	(void)state;
	const char *ev[] = { "cycles:no_such_modifier=1" };
	pid_t tid = gettid();
	struct pmu_set p;

	if (!need_pfm())
		skip();
	assert_int_equal(pmu_set_open(&p, &tid, 1, ev, 1), 0);
	assert_false(pmu_counting(&p, 0, PMU_TOTAL));
	assert_non_null(strstr(p.ev[0].split[PMU_TOTAL].why, "(libpfm4: "));
	pmu_set_close(&p);
}

/* Counted, or unsupported with the kernel's errno: both are fine, nothing else. */
static void test_hardware_events(void **state)
{
	(void)state;
	const char *ev[] = { "cycles", "instructions", "PERF_COUNT_HW_CPU_CYCLES" };
	pid_t tid = gettid();
	struct pmu_set p;

	if (!need_pfm())
		skip();
	assert_int_equal(pmu_set_open(&p, &tid, 1, ev, 3), 0);

	json_t *j = count_around_busy(&p);

	for (size_t i = 0; i < 3; i++) {
		json_t *e = json_object_get(j, ev[i]);

		assert_non_null(e);
		assert_true(json_is_string(json_object_get(e, "encoding")));
		for (int s = 0; s < PMU_NSPLIT; s++) {
			static const char *const key[] = { "total", "guest", "host" };
			json_t *f = json_object_get(e, key[s]);

			if (pmu_counting(&p, i, s)) {
				assert_true(json_is_integer(f) || json_is_null(f));
				continue;
			}
			assert_true(p.ev[i].split[s].err > 0);
			assert_unsupported(f, p.ev[i].split[s].err, "perf_event_open(");
		}
		if (pmu_counting(&p, i, PMU_TOTAL)) {
			print_message("%s: counted on this host\n", ev[i]);
			/* this thread ran user code in between: not zero */
			assert_true(json_integer_value(json_object_get(e, "total")) > 0);
			assert_true(json_is_real(json_object_get(e, "scaling")));
		} else {
			print_message("%s: unsupported here (%s)\n", ev[i],
				      p.ev[i].split[PMU_TOTAL].why);
		}
	}
	json_decref(j);
	pmu_set_close(&p);
}

static void test_software_event_counts(void **state)
{
	(void)state;
	const char *ev[] = { "tc=task-clock", "PERF_COUNT_SW_CONTEXT_SWITCHES" };
	pid_t tid = gettid();
	struct pmu_set p;

	if (!need_pfm())
		skip();
	assert_int_equal(pmu_set_open(&p, &tid, 1, ev, 2), 0);
	assert_string_equal(p.ev[0].label, "tc");
	assert_string_equal(p.ev[0].name, "task-clock");
	if (!pmu_counting(&p, 0, PMU_TOTAL)) {
		print_message("task-clock not countable: %s\n", p.ev[0].split[PMU_TOTAL].why);
		pmu_set_close(&p);
		skip(); /* e.g. EACCES under a strict perf_event_paranoid */
	}

	json_t *j = count_around_busy(&p), *e = json_object_get(j, "tc");

	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "event")), "task-clock");
	assert_non_null(strstr(json_string_value(json_object_get(e, "encoding")),
			       "PERF_COUNT_SW_TASK_CLOCK"));
	/* the splits, not libpfm4's default (host only), decide guest/host */
	assert_null(strstr(json_string_value(json_object_get(e, "encoding")), ":mh="));
	assert_null(strstr(json_string_value(json_object_get(e, "encoding")), ":mg="));
	assert_true(json_is_integer(json_object_get(e, "total")));
	assert_true(json_integer_value(json_object_get(e, "total")) > 0);

	double r = json_real_value(json_object_get(e, "scaling"));

	assert_true(json_is_real(json_object_get(e, "scaling")));
	assert_true(r > 0 && r <= 1.0);
	/* the kernel ignores exclude_guest/host for software events: not split */
	assert_unsupported(json_object_get(e, "guest"), 0, "software event");
	assert_unsupported(json_object_get(e, "host"), 0, "software event");
	assert_true(json_is_integer(json_object_get(json_object_get(j,
			"PERF_COUNT_SW_CONTEXT_SWITCHES"), "total")));
	json_decref(j);
	pmu_set_close(&p);
}

/* Two tids (here: this thread twice) sum into one figure. */
static void test_tids_sum(void **state)
{
	(void)state;
	const char *ev[] = { "task-clock" };
	pid_t tids[] = { gettid(), gettid() };
	struct pmu_set p;
	struct pmu_sample s;

	if (!need_pfm())
		skip();
	assert_int_equal(pmu_set_open(&p, tids, 2, ev, 1), 0);
	if (!pmu_counting(&p, 0, PMU_TOTAL)) {
		pmu_set_close(&p);
		skip();
	}
	pmu_set_enable(&p);
	busy();
	pmu_set_disable(&p);
	assert_int_equal(pmu_set_read(&p, &s), 0);
	assert_true(s.c[0][PMU_TOTAL].value > 0);
	assert_true(s.c[0][PMU_TOTAL].enabled >= s.c[0][PMU_TOTAL].running);
	assert_int_equal(s.c[0][PMU_GUEST].value, 0); /* not counting: zero */
	pmu_set_close(&p);
}

/* Scaling arithmetic on made-up samples. */
static void test_delta_json_shape(void **state)
{
	(void)state;
	const char *ev[] = { "a=task-clock", "b=task-clock", "c=task-clock", "d=xyz_no_such" };
	pid_t tid = gettid();
	struct pmu_set p;
	struct pmu_sample before, after;

	if (!need_pfm())
		skip();
	assert_int_equal(pmu_set_open(&p, &tid, 1, ev, 4), 0);
	if (!pmu_counting(&p, 0, PMU_TOTAL)) {
		pmu_set_close(&p);
		skip();
	}
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	before.c[0][PMU_TOTAL] = (struct pmu_count){ 100, 1000, 1000 };
	after.c[0][PMU_TOTAL] = (struct pmu_count){ 1100, 3000, 2000 }; /* half the time */
	after.c[1][PMU_TOTAL] = (struct pmu_count){ 0, 500, 0 };         /* never on a counter */
	after.c[2][PMU_TOTAL] = (struct pmu_count){ 42, 0, 0 };          /* did not run */

	json_t *j = pmu_delta_json(&p, &before, &after);
	json_t *a = json_object_get(j, "a"), *b = json_object_get(j, "b");
	json_t *c = json_object_get(j, "c"), *d = json_object_get(j, "d");

	assert_int_equal(json_object_size(j), 4);
	for (json_t *e = a; e; e = e == a ? b : e == b ? c : e == c ? d : NULL) {
		static const char *const keys[] = { "event", "encoding", "total", "guest", "host",
						     "scaling" };

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (!json_object_get(e, keys[k]))
				fail_msg("key '%s' missing", keys[k]);
	}
	assert_int_equal(json_integer_value(json_object_get(a, "total")), 2000);
	assert_float_equal(json_real_value(json_object_get(a, "scaling")), 0.5, 1e-9);
	assert_true(json_is_null(json_object_get(b, "total")));
	assert_float_equal(json_real_value(json_object_get(b, "scaling")), 0.0, 1e-9);
	assert_int_equal(json_integer_value(json_object_get(c, "total")), 42);
	assert_float_equal(json_real_value(json_object_get(c, "scaling")), 1.0, 1e-9);
	assert_true(json_is_null(json_object_get(d, "scaling")));
	assert_unsupported(json_object_get(d, "total"), 0, "unknown event name 'xyz_no_such'");

	char *txt = json_dumps(j, JSON_COMPACT);

	assert_non_null(txt);
	free(txt);
	json_decref(j);
	pmu_set_close(&p);
}

/*
 * A stand-in kernel: "hardware" events are served by task-clock so they
 * really count, guest-only is refused with EINVAL and host-only with
 * EOPNOTSUPP, as on hosts whose PMU cannot tell guest from host.
 */
static struct perf_event_attr seen[PMU_NSPLIT];
static int fail_total_at;	/* fail the Nth total open (1-based) with ESRCH; 0: never */
static int total_opens;

static int fake_open(struct perf_event_attr *attr, pid_t tid, int cpu, int group_fd,
		     unsigned long flags)
{
	struct perf_event_attr a = *attr;
	int split = attr->exclude_host ? PMU_GUEST : attr->exclude_guest ? PMU_HOST : PMU_TOTAL;

	seen[split] = *attr;
	if (split == PMU_GUEST) {
		errno = EINVAL;
		return -1;
	}
	if (split == PMU_HOST) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (++total_opens == fail_total_at) {
		errno = ESRCH;
		return -1;
	}
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	return syscall(SYS_perf_event_open, &a, tid, cpu, group_fd, flags);
}

static void test_split_fallbacks(void **state)
{
	(void)state;
	const char *ev[] = { "cycles" };
	pid_t tid = gettid();
	struct pmu_set p;

	if (!need_pfm())
		skip();
	memset(seen, 0, sizeof(seen));
	fail_total_at = 0;
	total_opens = 0;
	pmu_set_opener(fake_open);
	assert_int_equal(pmu_set_open(&p, &tid, 1, ev, 1), 0);
	pmu_set_opener(NULL);

	/* what the set asked the kernel for, split by split */
	assert_int_equal(seen[PMU_TOTAL].exclude_guest, 0); /* libpfm4 defaults it to 1 */
	assert_int_equal(seen[PMU_TOTAL].exclude_host, 0);
	assert_int_equal(seen[PMU_GUEST].exclude_host, 1);
	assert_int_equal(seen[PMU_GUEST].exclude_guest, 0);
	assert_int_equal(seen[PMU_HOST].exclude_guest, 1);
	assert_int_equal(seen[PMU_HOST].exclude_host, 0);
	for (int s = 0; s < PMU_NSPLIT; s++) {
		assert_int_equal(seen[s].disabled, 1);
		assert_int_equal(seen[s].read_format, PERF_FORMAT_TOTAL_TIME_ENABLED |
						      PERF_FORMAT_TOTAL_TIME_RUNNING);
		assert_int_equal(seen[s].exclude_kernel, 0);
		assert_int_equal(seen[s].exclude_user, 0);
	}
	if (!pmu_counting(&p, 0, PMU_TOTAL)) {
		print_message("task-clock not countable: %s\n", p.ev[0].split[PMU_TOTAL].why);
		pmu_set_close(&p);
		skip();
	}
	assert_false(pmu_counting(&p, 0, PMU_GUEST));
	assert_false(pmu_counting(&p, 0, PMU_HOST));

	json_t *j = count_around_busy(&p), *e = json_object_get(j, "cycles");

	assert_true(json_integer_value(json_object_get(e, "total")) > 0);
	assert_true(json_is_real(json_object_get(e, "scaling")));
	assert_unsupported(json_object_get(e, "guest"), EINVAL, "perf_event_open(guest): ");
	assert_unsupported(json_object_get(e, "host"), EOPNOTSUPP, "perf_event_open(host): ");
	json_decref(j);
	pmu_set_close(&p);
}

/* One tid refused: the whole split is unsupported, no partial sum. */
static void test_split_all_or_nothing(void **state)
{
	(void)state;
	const char *ev[] = { "cycles" };
	pid_t tids[] = { gettid(), gettid(), gettid() };
	struct pmu_set p;

	if (!need_pfm())
		skip();
	fail_total_at = 2;
	total_opens = 0;
	pmu_set_opener(fake_open);
	assert_int_equal(pmu_set_open(&p, tids, 3, ev, 1), 0);
	pmu_set_opener(NULL);
	assert_int_equal(total_opens, 2); /* stopped at the refusal */
	assert_false(pmu_counting(&p, 0, PMU_TOTAL));
	assert_int_equal(p.ev[0].split[PMU_TOTAL].err, ESRCH);
	pmu_set_close(&p);
}

static void test_default_events(void **state)
{
	(void)state;
	const char *names[8];
	pid_t tid = gettid();
	struct pmu_set p;
	size_t n = pmu_default_events(names, 8);

	assert_true(n >= 2 && n <= 4);
	assert_string_equal(names[0], "cycles");
	assert_string_equal(names[1], "instructions");
	assert_int_equal(pmu_default_events(names, 1), 1);
	n = pmu_default_events(names, 8);
	if (!need_pfm())
		skip();
	assert_int_equal(pmu_set_open(&p, &tid, 1, names, n), 0);
	for (size_t i = 0; i < n; i++) {
		print_message("default %s: %s\n", p.ev[i].label,
			      pmu_counting(&p, i, PMU_TOTAL) ? "counting" : p.ev[i].split[0].why);
		assert_non_null(p.ev[i].fstr); /* every default encodes here */
		if (!pmu_counting(&p, i, PMU_TOTAL))
			assert_true(p.ev[i].split[PMU_TOTAL].err > 0);
	}
	pmu_set_close(&p);
}

static void test_list_events(void **state)
{
	(void)state;
	json_t *l = pmu_list_events_json("task_clock"), *ev;
	size_t i;
	int found = 0;

	assert_true(json_is_array(json_object_get(l, "pmus")));
	assert_true(json_is_array(json_object_get(l, "events")));
	if (!need_pfm()) {
		assert_true(json_is_string(json_object_get(l, "error")));
		json_decref(l);
		skip();
	}
	assert_true(json_array_size(json_object_get(l, "pmus")) > 0);
	json_array_foreach(json_object_get(l, "events"), i, ev) {
		assert_true(json_is_string(json_object_get(ev, "desc")));
		assert_true(json_is_array(json_object_get(ev, "umasks")));
		if (!strcmp(json_string_value(json_object_get(ev, "name")),
			    "perf::PERF_COUNT_SW_TASK_CLOCK"))
			found = 1;
	}
	assert_true(found);
	json_decref(l);

	l = pmu_list_events_json("no_such_event_xyz");
	assert_int_equal(json_array_size(json_object_get(l, "events")), 0);
	json_decref(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_unknown_name),
		cmocka_unit_test(test_bad_encoding),
		cmocka_unit_test(test_hardware_events),
		cmocka_unit_test(test_software_event_counts),
		cmocka_unit_test(test_tids_sum),
		cmocka_unit_test(test_delta_json_shape),
		cmocka_unit_test(test_split_fallbacks),
		cmocka_unit_test(test_split_all_or_nothing),
		cmocka_unit_test(test_default_events),
		cmocka_unit_test(test_list_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
