// SPDX-License-Identifier: MIT
/*
 * Tracepoint parsing on recorded data (tests/data/tracepoints/README.md):
 * the format-file parser, the perf record parser, and the exit views.
 * Every record is copied into a buffer of exactly its size, so that ASan
 * catches any read past what a parser was given.
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
#include <cmocka.h>

#include "instruments/exit_view.h"
#include "instruments/tp_record.h"
#include "instruments/tracefs.h"

#define DATA "tests/data/tracepoints/"

static uint8_t *load(const char *name, size_t *len)
{
	char path[256];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), DATA "%s", name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: %s (run from the repository root)", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);	/* +1 for a NUL: formats are text */
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void load_format(const char *name, struct tp_format *fmt)
{
	size_t n;
	char *text = (char *)load(name, &n), err[256];

	if (tracefs_format_parse(text, fmt, err, sizeof(err)))
		fail_msg("%s: %s", name, err);
	free(text);
}

/* The record in file name, in a malloc'd buffer of exactly its size. */
static uint8_t *load_record(const char *name, struct tp_record *r)
{
	size_t n;
	uint8_t *buf = load(name, &n);
	char err[128];

	if (tp_record_parse(buf, n, r, err, sizeof(err)))
		fail_msg("%s: %s", name, err);
	return buf;
}

static uint64_t get(const struct tp_record *r, const struct tp_format *fmt, const char *field)
{
	const struct tp_field *f = tp_format_field(fmt, field);
	uint64_t v;

	assert_non_null(f);
	assert_int_equal(tp_record_u64(r, f, &v), 0);
	return v;
}

/* ---- format files ---- */

static void test_format_kvm_pio(void **state)
{
	struct tp_format fmt;
	const struct tp_field *f;

	(void)state;
	load_format("kvm_pio.format", &fmt);
	assert_string_equal(fmt.name, "kvm_pio");
	assert_int_equal(fmt.id, 110);
	assert_int_equal(fmt.nfields, 9);	/* 4 common_* + rw port size count val */
	f = tp_format_field(&fmt, "common_type");
	assert_non_null(f);
	assert_int_equal(f->offset, 0);
	assert_int_equal(f->size, 2);
	f = tp_format_field(&fmt, "common_pid");
	assert_int_equal(f->offset, 4);
	assert_true(f->is_signed);
	f = tp_format_field(&fmt, "port");
	assert_int_equal(f->offset, 12);
	assert_int_equal(f->size, 4);
	assert_false(f->is_signed);
	assert_null(tp_format_field(&fmt, "nope"));
}

static void test_format_others(void **state)
{
	struct tp_format fmt;
	const struct tp_field *f;

	(void)state;
	/* kvm_exit's print fmt line is 5 KB of C: it must simply be skipped. */
	load_format("kvm_exit.format", &fmt);
	assert_int_equal(fmt.id, 103);
	assert_int_equal(tp_format_field(&fmt, "exit_reason")->offset, 8);
	assert_int_equal(tp_format_field(&fmt, "isa")->offset, 24);
	assert_int_equal(tp_format_field(&fmt, "requests")->offset, 64);

	load_format("kvm_entry.format", &fmt);
	assert_int_equal(fmt.id, 115);

	load_format("kvm_userspace_exit.format", &fmt);
	f = tp_format_field(&fmt, "errno");
	assert_int_equal(f->offset, 12);
	assert_true(f->is_signed);

	load_format("kvm_mmio.format", &fmt);
	assert_int_equal(tp_format_field(&fmt, "gpa")->size, 8);

	/* Arrays keep their whole size. */
	load_format("kvm_emulate_insn.format", &fmt);
	f = tp_format_field(&fmt, "insn");
	assert_non_null(f);
	assert_true(f->array);
	assert_int_equal(f->offset, 21);
	assert_int_equal(f->size, 15);

	/* __data_loc strings are a 4-byte descriptor. */
	load_format("kvm_nested_vmenter_failed.format", &fmt);
	f = tp_format_field(&fmt, "msg");
	assert_non_null(f);
	assert_true(f->data_loc);
	assert_int_equal(f->size, 4);
}

static void expect_bad(const char *file, const char *needle)
{
	struct tp_format fmt;
	size_t n;
	char *text = (char *)load(file, &n), err[256] = "";

	if (tracefs_format_parse(text, &fmt, err, sizeof(err)) != -1)
		fail_msg("%s: parsed, but it is malformed", file);
	if (!strstr(err, needle))
		fail_msg("%s: error '%s' does not say '%s'", file, err, needle);
	free(text);
}

static void test_format_malformed(void **state)
{
	struct tp_format fmt;
	char err[256], *big;
	size_t off = 0;

	(void)state;
	expect_bad("bad_no_offset.format", "line 5: field 'port' has no offset");
	expect_bad("bad_size_number.format", "line 5: field 'port': bad number");
	expect_bad("bad_no_common_type.format", "no common_type");
	expect_bad("bad_no_field_name.format", "line 5: no field name");
	expect_bad("bad_unrecognised_line.format", "line 5: unrecognised line");
	expect_bad("bad_field_past_64k.format", "past 64 KiB");
	expect_bad("bad_duplicate_field.format", "duplicate field 'port'");
	expect_bad("bad_id.format", "line 2: bad ID");

	assert_int_equal(tracefs_format_parse("", &fmt, err, sizeof(err)), -1);
	assert_int_equal(tracefs_format_parse("\tfield:unsigned short common_type", &fmt, err,
					      sizeof(err)), -1);
	assert_non_null(strstr(err, "without ';'"));
	assert_int_equal(tracefs_format_parse("\tfield:u8 x];\toffset:0;\tsize:1;\n", &fmt, err,
					      sizeof(err)), -1);
	assert_int_equal(tracefs_format_parse("\tfield:port;\toffset:0;\tsize:1;\n", &fmt, err,
					      sizeof(err)), -1);
	assert_int_equal(tracefs_format_parse("\tfield:u8 x[3;\toffset:0;\tsize:1;\n", &fmt, err,
					      sizeof(err)), -1);

	/* More fields than we keep. */
	big = malloc(16384);
	assert_non_null(big);
	off += (size_t)sprintf(big, "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n");
	for (int i = 0; i < TP_FORMAT_MAX_FIELDS; i++)
		off += (size_t)sprintf(big + off, "\tfield:u8 f%d;\toffset:%d;\tsize:1;\tsigned:0;\n",
				       i, 2 + i);
	assert_int_equal(tracefs_format_parse(big, &fmt, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than"));
	free(big);
}

static void test_split_name(void **state)
{
	char sys[16], ev[32];

	(void)state;
	assert_int_equal(tracefs_split_name("kvm:kvm_pio", sys, sizeof(sys), ev, sizeof(ev)), 0);
	assert_string_equal(sys, "kvm");
	assert_string_equal(ev, "kvm_pio");
	assert_int_equal(tracefs_split_name("kvm/kvm_exit", sys, sizeof(sys), ev, sizeof(ev)), 0);
	assert_string_equal(ev, "kvm_exit");
	assert_int_equal(tracefs_split_name("kvm_pio", sys, sizeof(sys), ev, sizeof(ev)), -1);
	assert_int_equal(tracefs_split_name(":kvm_pio", sys, sizeof(sys), ev, sizeof(ev)), -1);
	assert_int_equal(tracefs_split_name("kvm:", sys, sizeof(sys), ev, sizeof(ev)), -1);
	assert_int_equal(tracefs_split_name("kvm:a:b", sys, sizeof(sys), ev, sizeof(ev)), -1);
	assert_int_equal(tracefs_split_name("..:x", sys, sizeof(sys), ev, sizeof(ev)), -1);
	assert_int_equal(tracefs_split_name("kvm:../../x", sys, sizeof(sys), ev, sizeof(ev)), -1);
	assert_int_equal(tracefs_split_name("averyveryverylongsystem:x", sys, sizeof(sys), ev,
					    sizeof(ev)), -1);
}

/* ---- records ---- */

static void test_record_pio(void **state)
{
	struct tp_format fmt;
	struct tp_record r;
	uint8_t *buf;

	(void)state;
	load_format("kvm_pio.format", &fmt);
	buf = load_record("sample_kvm_pio_520.bin", &r);
	assert_int_equal(r.kind, TP_REC_SAMPLE);
	assert_int_equal(r.type, PERF_RECORD_SAMPLE);
	assert_int_equal(r.size, 56);
	assert_int_equal(r.event_id, fmt.id);
	assert_int_equal(r.raw_size, 28);
	assert_int_equal(r.pid, 0x4616);
	assert_int_equal(r.tid, 0x4618);
	assert_int_equal(get(&r, &fmt, "common_pid"), r.tid);
	assert_int_equal(get(&r, &fmt, "port"), 0x520);
	assert_int_equal(get(&r, &fmt, "rw"), 1);
	assert_int_equal(get(&r, &fmt, "size"), 4);
	assert_int_equal(get(&r, &fmt, "count"), 1);
	free(buf);

	buf = load_record("sample_kvm_pio_530.bin", &r);
	assert_int_equal(get(&r, &fmt, "port"), 0x530);
	free(buf);
	buf = load_record("sample_kvm_pio_510.bin", &r);
	assert_int_equal(get(&r, &fmt, "port"), 0x510);
	free(buf);
}

static void test_record_mmio_msr_uexit(void **state)
{
	struct tp_format mmio, msr, ue;
	struct tp_record r;
	uint8_t *buf;

	(void)state;
	load_format("kvm_mmio.format", &mmio);
	load_format("kvm_msr.format", &msr);
	load_format("kvm_userspace_exit.format", &ue);

	buf = load_record("sample_kvm_mmio_read.bin", &r);
	assert_int_equal(r.event_id, mmio.id);
	assert_int_equal(get(&r, &mmio, "type"), 1);
	assert_int_equal(get(&r, &mmio, "gpa"), 0xc0001000);
	assert_int_equal(get(&r, &mmio, "len"), 4);
	assert_int_equal(get(&r, &mmio, "val"), 0x600df00d);
	free(buf);
	buf = load_record("sample_kvm_mmio_unsatisfied_read.bin", &r);
	assert_int_equal(get(&r, &mmio, "type"), 0);
	free(buf);
	buf = load_record("sample_kvm_mmio_write.bin", &r);
	assert_int_equal(get(&r, &mmio, "type"), 2);
	free(buf);

	buf = load_record("sample_kvm_msr_read.bin", &r);
	assert_int_equal(r.event_id, msr.id);
	assert_int_equal(get(&r, &msr, "write"), 0);
	assert_int_equal(get(&r, &msr, "ecx"), 0x1a0);
	assert_int_equal(get(&r, &msr, "exception"), 0);
	free(buf);
	buf = load_record("sample_kvm_msr_write.bin", &r);
	assert_int_equal(get(&r, &msr, "write"), 1);
	free(buf);

	buf = load_record("sample_kvm_userspace_exit_io.bin", &r);
	assert_int_equal(r.event_id, ue.id);
	assert_int_equal(get(&r, &ue, "reason"), 2);	/* KVM_EXIT_IO */
	assert_int_equal(get(&r, &ue, "errno"), 0);
	/* Signed fields are sign-extended: errno -EINTR, patched into the real record. */
	buf[28 + 12] = 0xfc;
	buf[28 + 13] = buf[28 + 14] = buf[28 + 15] = 0xff;
	assert_int_equal((int64_t)get(&r, &ue, "errno"), -4);
	free(buf);
	buf = load_record("sample_kvm_userspace_exit_mmio.bin", &r);
	assert_int_equal(get(&r, &ue, "reason"), 6);	/* KVM_EXIT_MMIO */
	free(buf);
}

static void test_record_bounds(void **state)
{
	struct tp_format fmt;
	struct tp_field f;
	struct tp_record r;
	uint64_t v;
	uint8_t *buf;

	(void)state;
	load_format("kvm_emulate_insn.format", &fmt);
	buf = load_record("sample_kvm_emulate_insn.bin", &r);
	assert_int_equal(r.event_id, fmt.id);
	assert_int_equal(get(&r, &fmt, "len"), 2);
	/* An array is not a scalar. */
	assert_int_equal(tp_record_u64(&r, tp_format_field(&fmt, "insn"), &v), -1);
	/* A field (from a hostile or mismatched format) past raw_size is refused. */
	f = (struct tp_field){ .name = "x", .offset = r.raw_size - 4, .size = 8 };
	assert_int_equal(tp_record_u64(&r, &f, &v), -1);
	f.offset = r.raw_size - 8;
	assert_int_equal(tp_record_u64(&r, &f, &v), 0);
	f.offset = UINT32_MAX;
	assert_int_equal(tp_record_u64(&r, &f, &v), -1);
	f = (struct tp_field){ .name = "x", .offset = 0, .size = 3 };
	assert_int_equal(tp_record_u64(&r, &f, &v), -1);
	assert_int_equal(tp_record_u64(&r, NULL, &v), -1);
	free(buf);
}

static void expect_bad_record(const void *data, size_t len, const char *needle)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct tp_record r;
	char err[128] = "";

	memcpy(copy, data, len);
	assert_int_equal(tp_record_parse(copy, len, &r, err, sizeof(err)), -1);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not say '%s'", err, needle);
	free(copy);
}

static void test_record_malformed(void **state)
{
	struct tp_record r;
	size_t n;
	uint8_t *good, *bad;
	char err[128];

	(void)state;
	bad = load("bad_truncated_kvm_pio.bin", &n);
	expect_bad_record(bad, n, "truncated record: size 56, only 40 bytes");
	free(bad);
	bad = load("bad_raw_size_kvm_pio.bin", &n);
	expect_bad_record(bad, n, "raw_size 200 runs past the record");
	free(bad);

	good = load("sample_kvm_pio_520.bin", &n);
	/* Every prefix of a real record is refused, and never read past. */
	for (size_t len = 0; len < n; len++)
		expect_bad_record(good, len, "");
	/* A record may sit in a longer buffer. */
	bad = malloc(n + 8);
	memcpy(bad, good, n);
	assert_int_equal(tp_record_parse(bad, n + 8, &r, err, sizeof(err)), 0);
	assert_int_equal(r.size, n);
	/* header.size below the header, below the fixed sample part. */
	bad[6] = 4;
	bad[7] = 0;
	expect_bad_record(bad, n, "smaller than its header");
	bad[6] = 20;
	expect_bad_record(bad, n, "shorter than its fixed part");
	/* raw data too short for common_type. */
	memcpy(bad, good, n);
	bad[24] = 1;
	bad[25] = bad[26] = bad[27] = 0;
	expect_bad_record(bad, n, "no common_type");
	free(bad);
	free(good);
}

static void test_record_lost_other(void **state)
{
	struct {
		struct perf_event_header h;
		uint64_t id, lost;
	} lost = { { PERF_RECORD_LOST, 0, sizeof(lost) }, 7, 1234 };
	struct {
		struct perf_event_header h;
		uint64_t lost;
	} ls = { { PERF_RECORD_LOST_SAMPLES, 0, sizeof(ls) }, 9 };
	struct perf_event_header other = { PERF_RECORD_COMM, 0, sizeof(other) };
	struct tp_record r;
	char err[128];

	(void)state;
	assert_int_equal(tp_record_parse(&lost, sizeof(lost), &r, err, sizeof(err)), 0);
	assert_int_equal(r.kind, TP_REC_LOST);
	assert_int_equal(r.lost, 1234);
	lost.h.size = 16;
	expect_bad_record(&lost, 16, "LOST record of 16 bytes");
	assert_int_equal(tp_record_parse(&ls, sizeof(ls), &r, err, sizeof(err)), 0);
	assert_int_equal(r.kind, TP_REC_LOST);
	assert_int_equal(r.lost, 9);
	assert_int_equal(tp_record_parse(&other, sizeof(other), &r, err, sizeof(err)), 0);
	assert_int_equal(r.kind, TP_REC_OTHER);
	assert_int_equal(r.size, sizeof(other));
}

/* Walk the recorded ring excerpt the way a drain does. */
static void test_stream(void **state)
{
	struct tp_format pio, ue, fpu, emu;
	size_t n, off = 0, per[4] = { 0 };
	uint8_t *buf = load("stream_pio_vmm_cpl3.bin", &n);
	uint64_t last = 0;
	uint32_t tid = 0;

	(void)state;
	load_format("kvm_pio.format", &pio);
	load_format("kvm_userspace_exit.format", &ue);
	load_format("kvm_fpu.format", &fpu);
	load_format("kvm_emulate_insn.format", &emu);
	while (off < n) {
		struct tp_record r;
		char err[128];

		if (tp_record_parse(buf + off, n - off, &r, err, sizeof(err)))
			fail_msg("at %zu: %s", off, err);
		assert_int_equal(r.kind, TP_REC_SAMPLE);
		assert_true(r.time >= last);	/* one thread's ring is in time order */
		last = r.time;
		if (!tid)
			tid = r.tid;
		assert_int_equal(r.tid, tid);
		if (r.event_id == pio.id) {
			per[0]++;
			assert_int_equal(get(&r, &pio, "port"), 0x520);
		} else if (r.event_id == ue.id) {
			per[1]++;
		} else if (r.event_id == fpu.id) {
			per[2]++;
		} else if (r.event_id == emu.id) {
			per[3]++;
		} else {
			fail_msg("unexpected event id %u", r.event_id);
		}
		off += r.size;
	}
	assert_int_equal(off, n);
	/* Each CPL3 port write: pio + userspace exit, fpu unload + load, one emulated insn. */
	assert_int_equal(per[0], 24);
	assert_int_equal(per[1], 24);
	assert_int_equal(per[2], 48);
	assert_int_equal(per[3], 24);
	free(buf);
}

/* ---- exit views ---- */

static void feed_file(struct exit_view *v, const char *name)
{
	struct tp_record r;
	uint8_t *buf = load_record(name, &r);

	exit_view_feed(v, &r);
	free(buf);
}

static void feed_stream(struct exit_view *v, const char *name)
{
	size_t n, off = 0;
	uint8_t *buf = load(name, &n);

	while (off < n) {
		struct tp_record r;
		char err[128];

		assert_int_equal(tp_record_parse(buf + off, n - off, &r, err, sizeof(err)), 0);
		exit_view_feed(v, &r);
		off += r.size;
	}
	free(buf);
}

static void register_formats(struct exit_view *v)
{
	static const char *const names[] = { "kvm_exit", "kvm_entry", "kvm_pio", "kvm_mmio",
		"kvm_userspace_exit", "kvm_msr", "kvm_fpu", "kvm_emulate_insn", "kvm_cpuid" };
	struct tp_format fmt;
	char file[64], full[64];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(file, sizeof(file), "%s.format", names[i]);
		snprintf(full, sizeof(full), "kvm:%s", names[i]);
		load_format(file, &fmt);
		assert_int_equal(exit_view_add_event(v, full, &fmt), 0);
	}
}

static json_t *find(json_t *arr, const char *key, const char *val)
{
	size_t i;
	json_t *o;

	json_array_foreach(arr, i, o) {
		json_t *x = json_object_get(o, key);

		if (json_is_string(x) && !strcmp(json_string_value(x), val))
			return o;
	}
	return NULL;
}

static void test_view_pvm(void **state)
{
	struct exit_view *v = malloc(sizeof(*v));
	json_t *j, *o;
	char *text = NULL;
	size_t tlen;
	FILE *mf;

	(void)state;
	exit_view_init(v);
	register_formats(v);
	assert_int_equal(exit_view_add_unavailable(v, "kvm:kvm_nope",
						   "no such file"), 0);
	feed_stream(v, "stream_pio_vmm_cpl3.bin");
	feed_file(v, "sample_kvm_pio_510.bin");
	feed_file(v, "sample_kvm_pio_530.bin");
	feed_file(v, "sample_kvm_mmio_write.bin");
	feed_file(v, "sample_kvm_mmio_read.bin");
	feed_file(v, "sample_kvm_userspace_exit_mmio.bin");
	feed_file(v, "sample_kvm_msr_read.bin");
	feed_file(v, "sample_kvm_msr_read.bin");
	feed_file(v, "sample_kvm_msr_write.bin");
	feed_file(v, "sample_kvm_cpuid.bin");

	j = exit_view_json(v);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "records")), 129);
	assert_int_equal(json_integer_value(json_object_get(j, "lost")), 0);
	/* The stream and the single samples were recorded in two runs: two vCPU threads. */
	assert_int_equal(json_integer_value(json_object_get(j, "threads")), 2);
	assert_true(json_is_null(json_object_get(j, "timing_source")));
	assert_non_null(strstr(json_string_value(json_object_get(j, "timing_note")), "did not fire"));
	assert_int_equal(json_array_size(json_object_get(j, "events_available")), 9);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j,
			    "events_unavailable"), "kvm:kvm_nope")), "no such file");
	o = json_object_get(j, "events_fired");
	assert_int_equal(json_integer_value(json_object_get(o, "kvm:kvm_pio")), 26);
	assert_int_equal(json_integer_value(json_object_get(o, "kvm:kvm_fpu")), 48);
	assert_int_equal(json_integer_value(json_object_get(o, "kvm:kvm_cpuid")), 1);
	assert_null(json_object_get(o, "kvm:kvm_exit"));	/* did not fire */
	assert_int_equal(json_array_size(json_object_get(j, "exit_reasons")), 0);

	o = json_array_get(json_object_get(j, "ioports"), 0);	/* sorted by count */
	assert_string_equal(json_string_value(json_object_get(o, "port_hex")), "0x520");
	assert_int_equal(json_integer_value(json_object_get(o, "port")), 0x520);
	assert_string_equal(json_string_value(json_object_get(o, "rw")), "write");
	assert_int_equal(json_integer_value(json_object_get(o, "size")), 4);
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 24);
	assert_true(json_real_value(json_object_get(o, "share_pct")) > 92.3 &&
		    json_real_value(json_object_get(o, "share_pct")) < 92.4);
	assert_true(json_is_null(json_object_get(o, "time_ns")));
	assert_non_null(find(json_object_get(j, "ioports"), "port_hex", "0x530"));

	o = find(json_object_get(j, "mmio"), "type", "write");
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "gpa")), "0xc0001000");
	o = json_array_get(json_object_get(j, "userspace_exits"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "name")), "IO");
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 24);
	o = json_array_get(json_object_get(j, "msrs"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "index")), "0x1a0");
	assert_string_equal(json_string_value(json_object_get(o, "rw")), "read");
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 2);
	json_decref(j);

	/* Counters win over records (a counting session, or records lost). */
	exit_view_set_count(v, "kvm:kvm_pio", 80085);
	j = exit_view_json(v);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "events_fired"),
							    "kvm:kvm_pio")), 80085);
	json_decref(j);

	mf = open_memstream(&text, &tlen);
	exit_view_print(v, mf);
	fclose(mf);
	assert_non_null(strstr(text, "0x520:POUT/4"));
	assert_non_null(strstr(text, "0xc0001000:write/4"));
	assert_non_null(strstr(text, "0x1a0:read"));
	assert_non_null(strstr(text, "timing: none"));
	assert_non_null(strstr(text, "kvm:kvm_nope unavailable: no such file"));
	free(text);
	exit_view_free(v);
	free(v);
}

/*
 * kvm_exit/kvm_entry do not fire on PVM: build their records from the real
 * formats (as a VMX/SVM host would emit them) to check the timing.
 */
static size_t make_record(uint8_t *buf, const struct tp_format *fmt, uint32_t tid, uint64_t time,
			  const char *f1, uint64_t v1, const char *f2, uint64_t v2)
{
	const uint32_t raw_size = 76;	/* > kvm_exit's 72 bytes, 4 + 76 = 8-aligned */
	struct perf_event_header h = { PERF_RECORD_SAMPLE, 0, 28 + raw_size };
	uint16_t id = (uint16_t)fmt->id;
	const char *fn[2] = { f1, f2 };
	uint64_t fv[2] = { v1, v2 };

	memset(buf, 0, h.size);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + 8, &tid, 4);
	memcpy(buf + 12, &tid, 4);
	memcpy(buf + 16, &time, 8);
	memcpy(buf + 24, &raw_size, 4);
	memcpy(buf + 28, &id, 2);
	for (int i = 0; i < 2 && fn[i]; i++) {
		const struct tp_field *f = tp_format_field(fmt, fn[i]);

		assert_non_null(f);
		memcpy(buf + 28 + f->offset, &fv[i], f->size);	/* little endian */
	}
	return h.size;
}

static void feed_made(struct exit_view *v, uint8_t *buf, size_t n)
{
	struct tp_record r;
	char err[128];

	assert_int_equal(tp_record_parse(buf, n, &r, err, sizeof(err)), 0);
	exit_view_feed(v, &r);
}

static void test_view_timing(void **state)
{
	struct exit_view *v = malloc(sizeof(*v));
	struct tp_format ex, en, pio;
	uint8_t buf[128];
	json_t *j, *o, *t;
	size_t n;

	(void)state;
	load_format("kvm_exit.format", &ex);
	load_format("kvm_entry.format", &en);
	load_format("kvm_pio.format", &pio);
	exit_view_init(v);
	register_formats(v);

	/* Thread 10: IO_INSTRUCTION exits of 1000, 2000 … 100000 ns, each with a pio. */
	for (uint64_t i = 1; i <= 100; i++) {
		uint64_t t0 = i * 1000000;

		n = make_record(buf, &ex, 10, t0, "exit_reason", 30, "isa", 1);
		feed_made(v, buf, n);
		n = make_record(buf, &pio, 10, t0 + 10, "port", 0x520, "rw", 1);
		feed_made(v, buf, n);
		/* Another thread's events in between must not disturb thread 10. */
		n = make_record(buf, &ex, 11, t0 + 20, "exit_reason", 0x7b, "isa", 2);
		feed_made(v, buf, n);
		n = make_record(buf, &en, 10, t0 + i * 1000, NULL, 0, NULL, 0);
		feed_made(v, buf, n);
	}
	/* Thread 11 enters once: its exit (SVM ioio) took 500 ns. */
	n = make_record(buf, &en, 11, 100000000 + 20 + 500, NULL, 0, NULL, 0);
	feed_made(v, buf, n);
	/* A failed VM entry, an unknown VMX reason and an unknown isa, never entered. */
	n = make_record(buf, &ex, 12, 1, "exit_reason", 0x80000021, "isa", 1);
	feed_made(v, buf, n);
	n = make_record(buf, &ex, 12, 2, "exit_reason", 999, "isa", 1);
	feed_made(v, buf, n);
	n = make_record(buf, &ex, 12, 3, "exit_reason", 5, "isa", 7);
	feed_made(v, buf, n);
	/* An entry with no exit before it is ignored. */
	n = make_record(buf, &en, 13, 5, NULL, 0, NULL, 0);
	feed_made(v, buf, n);

	j = exit_view_json(v);
	assert_string_equal(json_string_value(json_object_get(j, "timing_source")),
			    "kvm_exit/kvm_entry");
	assert_true(json_is_null(json_object_get(j, "timing_note")));

	o = json_array_get(json_object_get(j, "exit_reasons"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "isa")), "vmx");
	assert_string_equal(json_string_value(json_object_get(o, "name")), "IO_INSTRUCTION");
	assert_int_equal(json_integer_value(json_object_get(o, "reason")), 30);
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 100);
	t = json_object_get(o, "time_ns");
	assert_int_equal(json_integer_value(json_object_get(t, "n")), 100);
	assert_float_equal(json_real_value(json_object_get(t, "min")), 1000, 1e-9);
	assert_float_equal(json_real_value(json_object_get(t, "max")), 100000, 1e-9);
	assert_float_equal(json_real_value(json_object_get(t, "median")), 50500, 1e-9);
	assert_float_equal(json_real_value(json_object_get(t, "p99")), 99010, 1e-9);
	assert_float_equal(json_real_value(json_object_get(t, "mean")), 50500, 1e-9);

	o = json_array_get(json_object_get(j, "exit_reasons"), 1);
	assert_string_equal(json_string_value(json_object_get(o, "isa")), "svm");
	assert_string_equal(json_string_value(json_object_get(o, "name")), "ioio");
	t = json_object_get(o, "time_ns");
	/* Only thread 11's last exit reached an entry: the other 99 were overwritten. */
	assert_int_equal(json_integer_value(json_object_get(t, "n")), 1);
	assert_float_equal(json_real_value(json_object_get(t, "min")), 500, 1e-9);

	o = find(json_object_get(j, "exit_reasons"), "isa", "unknown");
	assert_non_null(o);
	assert_true(json_is_null(json_object_get(o, "name")));
	assert_true(json_is_null(json_object_get(o, "time_ns")));

	/* The port: timed from its kvm_pio (10 ns into the exit), and its exit's time beside. */
	o = json_array_get(json_object_get(j, "ioports"), 0);
	t = json_object_get(o, "time_ns");
	assert_int_equal(json_integer_value(json_object_get(t, "n")), 100);
	assert_float_equal(json_real_value(json_object_get(t, "median")), 50490, 1e-9);
	t = json_object_get(o, "exit_time_ns");
	assert_int_equal(json_integer_value(json_object_get(t, "n")), 100);
	assert_float_equal(json_real_value(json_object_get(t, "median")), 50500, 1e-9);
	json_decref(j);

	/* The failed entry is decoded: basic reason 0x21 (INVALID_STATE) + bit 31. */
	j = exit_view_json(v);
	{
		size_t i;
		bool seen = false;

		json_array_foreach(json_object_get(j, "exit_reasons"), i, o) {
			if (json_integer_value(json_object_get(o, "raw")) != 0x80000021)
				continue;
			seen = true;
			assert_int_equal(json_integer_value(json_object_get(o, "reason")), 0x21);
			assert_string_equal(json_string_value(json_object_get(o, "name")),
					    "INVALID_STATE");
			assert_true(json_is_true(json_object_get(o, "failed_vmentry")));
		}
		assert_true(seen);
	}
	json_decref(j);
	exit_view_free(v);
	free(v);
}

static void test_view_bounded(void **state)
{
	struct exit_view *v = malloc(sizeof(*v));
	struct tp_format pio;
	struct tp_record lost = { .kind = TP_REC_LOST, .lost = 17 };
	uint8_t buf[128];
	json_t *j;
	size_t n;

	(void)state;
	load_format("kvm_pio.format", &pio);
	exit_view_init(v);
	assert_int_equal(exit_view_add_event(v, "kvm:kvm_pio", &pio), 0);
	for (uint64_t port = 0; port < EXIT_VIEW_MAX_KEYS + 100; port++) {
		n = make_record(buf, &pio, 1, port, "port", port, "rw", 0);
		feed_made(v, buf, n);
	}
	/* A sample of an event nobody registered is counted apart, not crashed on. */
	n = make_record(buf, &pio, 1, 0, "port", 1, NULL, 0);
	buf[28] ^= 0x55;
	feed_made(v, buf, n);
	exit_view_feed(v, &lost);

	j = exit_view_json(v);
	assert_int_equal(json_array_size(json_object_get(j, "ioports")), EXIT_VIEW_MAX_KEYS);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "other"), "ioports")),
			 100);
	assert_int_equal(json_integer_value(json_object_get(j, "lost")), 17);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "events_fired"),
							    "kvm:kvm_pio")), EXIT_VIEW_MAX_KEYS + 100);
	assert_non_null(strstr(json_string_value(json_object_get(j, "timing_note")), "not traced"));
	json_decref(j);
	exit_view_free(v);
	free(v);
}

/* A recorded sample fed as if thread tid had emitted it at time (its raw fields untouched). */
static void feed_file_at(struct exit_view *v, const char *name, uint32_t tid, uint64_t time)
{
	struct tp_record r;
	uint8_t *buf = load_record(name, &r);
	char err[128];

	memcpy(buf + 8, &tid, 4);	/* pid */
	memcpy(buf + 12, &tid, 4);	/* tid */
	memcpy(buf + 16, &time, 8);
	assert_int_equal(tp_record_parse(buf, r.size, &r, err, sizeof(err)), 0);
	exit_view_feed(v, &r);
	free(buf);
}

static long long jint(json_t *o, const char *key)
{
	json_t *x = json_object_get(o, key);

	if (!json_is_integer(x))
		fail_msg("no integer '%s'", key);
	return json_integer_value(x);
}

static double jreal(json_t *o, const char *key)
{
	json_t *x = json_object_get(o, key);

	if (!json_is_number(x))
		fail_msg("no number '%s'", key);
	return json_number_value(x);
}

static char *view_text(const struct exit_view *v)
{
	char *text = NULL;
	size_t tlen;
	FILE *mf = open_memstream(&text, &tlen);

	exit_view_print(v, mf);
	fclose(mf);
	return text;
}

/*
 * KVM traces a read that goes to userspace twice: "unsatisfied-read" when it
 * leaves for the VMM, "read" when the VMM's value comes back.  That is one
 * access, one row (as perf kvm stat counts it), with or without kvm_exit.
 */
static void test_view_mmio_read_is_one_access(void **state)
{
	struct exit_view *v = malloc(sizeof(*v));
	struct tp_format ex, en;
	uint8_t buf[128];
	json_t *j, *rows, *o, *t;
	char *text;
	size_t n;

	(void)state;
	load_format("kvm_exit.format", &ex);
	load_format("kvm_entry.format", &en);

	/* PVM: no kvm_exit/kvm_entry; 5 reads and 2 writes of the recorded register. */
	exit_view_init(v);
	register_formats(v);
	for (uint64_t i = 0; i < 5; i++) {
		feed_file_at(v, "sample_kvm_mmio_unsatisfied_read.bin", 7, 1000 + i * 100);
		feed_file_at(v, "sample_kvm_userspace_exit_mmio.bin", 7, 1010 + i * 100);
		feed_file_at(v, "sample_kvm_mmio_read.bin", 7, 1050 + i * 100);
	}
	feed_file_at(v, "sample_kvm_mmio_write.bin", 7, 2000);
	feed_file_at(v, "sample_kvm_mmio_write.bin", 7, 2100);
	j = exit_view_json(v);
	rows = json_object_get(j, "mmio");
	assert_null(find(rows, "type", "unsatisfied-read"));
	assert_int_equal(json_array_size(rows), 2);
	o = find(rows, "type", "read");
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "gpa")), "0xc0001000");
	assert_int_equal(jint(o, "count"), 5);
	assert_float_equal(jreal(o, "share_pct"), 500.0 / 7, 1e-9);
	assert_int_equal(jint(find(rows, "type", "write"), "count"), 2);
	/* the tracepoint itself still fired 12 times */
	assert_int_equal(jint(json_object_get(j, "events_fired"), "kvm:kvm_mmio"), 12);
	json_decref(j);
	text = view_text(v);
	assert_null(strstr(text, "unsatisfied"));
	assert_non_null(strstr(text, "0xc0001000:read/4"));
	free(text);
	exit_view_free(v);

	/* SVM: npf exit, unsatisfied read, userspace, completed read, entry: one timed read. */
	exit_view_init(v);
	register_formats(v);
	for (uint64_t i = 1; i <= 3; i++) {
		uint64_t t0 = i * 100000;

		n = make_record(buf, &ex, 7, t0, "exit_reason", 0x400, "isa", 2);
		feed_made(v, buf, n);
		feed_file_at(v, "sample_kvm_mmio_unsatisfied_read.bin", 7, t0 + 1000);
		feed_file_at(v, "sample_kvm_userspace_exit_mmio.bin", 7, t0 + 1100);
		feed_file_at(v, "sample_kvm_mmio_read.bin", 7, t0 + 30000 + i);
		n = make_record(buf, &en, 7, t0 + 32000 + 2 * i, NULL, 0, NULL, 0);
		feed_made(v, buf, n);
	}
	j = exit_view_json(v);
	rows = json_object_get(j, "mmio");
	assert_int_equal(json_array_size(rows), 1);
	o = find(rows, "type", "read");
	assert_non_null(o);
	assert_int_equal(jint(o, "count"), 3);
	assert_int_equal(jint(o, "unpaired"), 0);
	/* perf kvm stat times a read from kvm_exit to its completion */
	assert_string_equal(json_string_value(json_object_get(o, "interval")), "kvm_exit->kvm_mmio");
	t = json_object_get(o, "time_ns");
	assert_int_equal(jint(t, "n"), 3);
	assert_float_equal(jreal(t, "min"), 30001, 1e-9);
	assert_float_equal(jreal(t, "max"), 30003, 1e-9);
	t = json_object_get(o, "exit_time_ns");
	assert_int_equal(jint(t, "n"), 3);
	assert_float_equal(jreal(t, "min"), 32002, 1e-9);
	assert_float_equal(jreal(t, "max"), 32006, 1e-9);
	json_decref(j);
	exit_view_free(v);
	free(v);
}

/*
 * perf kvm stat times a port access from kvm_pio to kvm_entry and an MMIO
 * write from kvm_mmio to kvm_entry; observe shows that (time_ns) and the
 * whole exit, kvm_exit to kvm_entry (exit_time_ns).  A port IN is traced when
 * the VMM's value comes back, just before the entry: the two differ most.
 */
static void test_view_access_intervals(void **state)
{
	struct exit_view *v = malloc(sizeof(*v));
	struct tp_format ex, en, pio;
	uint8_t buf[128];
	json_t *j, *o, *t;
	char *text;
	size_t n;

	(void)state;
	load_format("kvm_exit.format", &ex);
	load_format("kvm_entry.format", &en);
	load_format("kvm_pio.format", &pio);
	exit_view_init(v);
	register_formats(v);
	for (uint64_t i = 1; i <= 4; i++) {
		uint64_t t0 = i * 1000000;

		/* IN from 0x520: the exit takes 42000 + 2i ns, its kvm_pio comes 7000 + i before the entry */
		n = make_record(buf, &ex, 3, t0, "exit_reason", 0x7b, "isa", 2);
		feed_made(v, buf, n);
		n = make_record(buf, &pio, 3, t0 + 35000 + i, "port", 0x520, "rw", 0);
		feed_made(v, buf, n);
		n = make_record(buf, &en, 3, t0 + 42000 + 2 * i, NULL, 0, NULL, 0);
		feed_made(v, buf, n);
		/* an MMIO write (recorded): 500 ns into the exit, 20000 before the entry */
		n = make_record(buf, &ex, 3, t0 + 500000, "exit_reason", 0x400, "isa", 2);
		feed_made(v, buf, n);
		feed_file_at(v, "sample_kvm_mmio_write.bin", 3, t0 + 500500);
		feed_file_at(v, "sample_kvm_userspace_exit_mmio.bin", 3, t0 + 501000);
		n = make_record(buf, &en, 3, t0 + 520500, NULL, 0, NULL, 0);
		feed_made(v, buf, n);
	}
	j = exit_view_json(v);
	o = find(json_object_get(j, "ioports"), "port_hex", "0x520");
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "rw")), "read");
	assert_int_equal(jint(o, "count"), 4);
	t = json_object_get(o, "time_ns");
	assert_float_equal(jreal(t, "min"), 7001, 1e-9);
	assert_float_equal(jreal(t, "max"), 7004, 1e-9);
	assert_string_equal(json_string_value(json_object_get(o, "interval")), "kvm_pio->kvm_entry");
	t = json_object_get(o, "exit_time_ns");
	assert_float_equal(jreal(t, "min"), 42002, 1e-9);
	assert_float_equal(jreal(t, "max"), 42008, 1e-9);

	o = find(json_object_get(j, "mmio"), "type", "write");
	assert_non_null(o);
	assert_int_equal(jint(o, "count"), 4);
	t = json_object_get(o, "time_ns");
	assert_float_equal(jreal(t, "min"), 20000, 1e-9);
	assert_float_equal(jreal(t, "max"), 20000, 1e-9);
	assert_string_equal(json_string_value(json_object_get(o, "interval")), "kvm_mmio->kvm_entry");
	t = json_object_get(o, "exit_time_ns");
	assert_float_equal(jreal(t, "min"), 20500, 1e-9);

	/* the exit reasons keep kvm_exit -> kvm_entry */
	o = find(json_object_get(j, "exit_reasons"), "name", "ioio");
	assert_float_equal(jreal(json_object_get(o, "time_ns"), "min"), 42002, 1e-9);
	json_decref(j);

	/* The text names both intervals; a row shows both minima. */
	text = view_text(v);
	assert_non_null(strstr(text, "kvm_pio -> kvm_entry"));
	assert_non_null(strstr(text, "kvm_exit -> kvm_entry"));
	assert_non_null(strstr(text, "0x520:PIN/0"));	/* size not set in the made record */
	assert_non_null(strstr(strstr(text, "0x520:PIN/0"), "42002"));
	free(text);
	exit_view_free(v);
	free(v);
}

/*
 * The capture's last exit has no kvm_entry after it (the capture ended, or
 * the vCPU left for good): like perf kvm stat, the rows count exits whose
 * kvm_entry was seen; the cut one is counted apart, as unpaired.
 */
static void test_view_trailing_exit_unpaired(void **state)
{
	struct exit_view *v = malloc(sizeof(*v));
	struct tp_format ex, en, pio;
	uint8_t buf[128];
	json_t *j, *o;
	char *text;
	size_t n;

	(void)state;
	load_format("kvm_exit.format", &ex);
	load_format("kvm_entry.format", &en);
	load_format("kvm_pio.format", &pio);
	exit_view_init(v);
	register_formats(v);
	/* The capture starts in userspace: a pio completion and an entry with no exit before them. */
	n = make_record(buf, &pio, 5, 10, "port", 0x520, "rw", 0);
	feed_made(v, buf, n);
	n = make_record(buf, &en, 5, 20, NULL, 0, NULL, 0);
	feed_made(v, buf, n);
	for (uint64_t i = 1; i <= 10; i++) {
		n = make_record(buf, &ex, 5, i * 1000, "exit_reason", 0x7b, "isa", 2);
		feed_made(v, buf, n);
		n = make_record(buf, &pio, 5, i * 1000 + 100, "port", 0x520, "rw", 1);
		feed_made(v, buf, n);
		/* the 10th exit is the capture's last: no kvm_entry */
		if (i < 10) {
			n = make_record(buf, &en, 5, i * 1000 + 500, NULL, 0, NULL, 0);
			feed_made(v, buf, n);
		}
	}
	j = exit_view_json(v);
	o = find(json_object_get(j, "exit_reasons"), "name", "ioio");
	assert_non_null(o);
	assert_int_equal(jint(o, "count"), 9);
	assert_int_equal(jint(o, "unpaired"), 1);
	assert_float_equal(jreal(o, "share_pct"), 100, 1e-9);
	o = find(json_object_get(j, "ioports"), "rw", "write");
	assert_int_equal(jint(o, "count"), 9);
	assert_int_equal(jint(o, "unpaired"), 1);
	o = find(json_object_get(j, "ioports"), "rw", "read");
	assert_int_equal(jint(o, "count"), 0);
	assert_int_equal(jint(o, "unpaired"), 1);
	o = json_object_get(j, "unpaired");
	assert_int_equal(jint(o, "exit_reasons"), 1);
	assert_int_equal(jint(o, "ioports"), 2);
	assert_int_equal(jint(o, "mmio"), 0);
	/* the events themselves: every one that fired */
	assert_int_equal(jint(json_object_get(j, "events_fired"), "kvm:kvm_exit"), 10);
	json_decref(j);
	text = view_text(v);
	assert_non_null(strstr(text, "+1 unpaired"));
	free(text);
	exit_view_free(v);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_kvm_pio),
		cmocka_unit_test(test_format_others),
		cmocka_unit_test(test_format_malformed),
		cmocka_unit_test(test_split_name),
		cmocka_unit_test(test_record_pio),
		cmocka_unit_test(test_record_mmio_msr_uexit),
		cmocka_unit_test(test_record_bounds),
		cmocka_unit_test(test_record_malformed),
		cmocka_unit_test(test_record_lost_other),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_view_pvm),
		cmocka_unit_test(test_view_timing),
		cmocka_unit_test(test_view_bounded),
		cmocka_unit_test(test_view_mmio_read_is_one_access),
		cmocka_unit_test(test_view_access_intervals),
		cmocka_unit_test(test_view_trailing_exit_unpaired),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
