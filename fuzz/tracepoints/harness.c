// SPDX-License-Identifier: MIT
/*
 * Tracepoint data: the format parser (instruments/tracefs.c), the perf ring walk of
 * a TP_SAMPLE session (instruments/tracepoints.c), the record parser
 * (instruments/tp_record.c) and the exit view the records feed (instruments/exit_view.c),
 * as `exitlab run --instruments tracepoints` and `observe` drive them.  The
 * input is a format file's text, a NUL, then the ring: a u16 tail offset and
 * the bytes the kernel wrote from there on (wrapping at the ring's end).
 * The session holds the recorded kvm formats of tests/data/tracepoints
 * (read once, from the repository root where make fuzz runs) and the
 * fuzzed one, named kvm:NAME so that it may stand in for a real event.
 */
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instruments/exit_view.h"
#include "fuzz/fuzz_input.h"
#include "instruments/tracepoints.h"

#define RING_SIZE 16384u	/* data pages of the ring (a power of 2) */
#define NREAL 9

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const real[NREAL] = { "kvm_exit", "kvm_entry", "kvm_pio", "kvm_mmio",
	"kvm_userspace_exit", "kvm_msr", "kvm_fpu", "kvm_emulate_insn", "kvm_cpuid" };
static struct tp_event events[NREAL + 1];
static uint8_t *ring;		/* control page, then RING_SIZE of data */
static uint8_t bounce[65536];
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < NREAL; i++) {
		char path[128], text[8192], err[160];
		struct tp_event *e = &events[i];
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "tests/data/tracepoints/%s.format", real[i]);
		f = fopen(path, "r");
		if (!f) {
			fprintf(stderr, "tracepoints harness: %s: run from the repository root\n", path);
			abort();
		}
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[n] = 0;
		snprintf(e->name, sizeof(e->name), "kvm:%s", real[i]);
		if (tracefs_format_parse(text, &e->format, err, sizeof(err)))
			abort();
		e->available = true;
	}
	ring = aligned_alloc(4096, 4096 + RING_SIZE);
	devnull = fopen("/dev/null", "w");
	if (!ring || !devnull)
		abort();
	return 0;
}

/* Every field of a sample's event read as the view reads them. */
static int on_record(const struct tp_record *r, const struct tp_event *ev, void *view)
{
	uint64_t v;

	if (ev)
		for (size_t i = 0; i < ev->format.nfields; i++)
			tp_record_u64(r, &ev->format.fields[i], &v);
	return exit_view_drain_cb(r, ev, view);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	struct perf_event_mmap_page *pg = (struct perf_event_mmap_page *)ring;
	struct tp_ring tr = { .base = ring, .map_size = 4096 + RING_SIZE, .data_size = RING_SIZE };
	struct tp_event *fz = &events[NREAL];
	struct tp_session s = { .mode = TP_SAMPLE, .events = events, .nevents = NREAL, .ntids = 1,
				.rings = &tr, .bounce = bounce };
	struct fuzz_input in;
	struct exit_view v;
	uint64_t tail;
	size_t n, len, off;
	const uint8_t *rec;
	json_t *j;
	char *text;

	if (nul) {
		/* the text before the NUL is a format file's */
		char err[160];

		memset(fz, 0, sizeof(*fz));
		if (tracefs_format_parse((const char *)data, &fz->format, err, sizeof(err)) == 0) {
			snprintf(fz->name, sizeof(fz->name), "kvm:%s", fz->format.name);
			fz->available = true;
		} else {
			snprintf(fz->name, sizeof(fz->name), "kvm:fuzzed");
			snprintf(fz->why, sizeof(fz->why), "%s", err);
		}
		s.nevents = NREAL + 1;
		in = (struct fuzz_input){ nul + 1, size - (size_t)(nul + 1 - data) };
	} else {
		in = (struct fuzz_input){ data, size };
	}

	/* the ring as the kernel left it: records from tail to head */
	tail = fuzz_u16(&in);
	rec = fuzz_take(&in, RING_SIZE, &len);
	memset(pg, 0, sizeof(*pg));
	pg->data_offset = 4096;
	pg->data_size = RING_SIZE;
	pg->data_tail = tail;
	pg->data_head = tail + len;
	off = tail & (RING_SIZE - 1);
	n = len < RING_SIZE - off ? len : RING_SIZE - off;
	memcpy(ring + 4096 + off, rec, n);
	memcpy(ring + 4096, rec + n, len - n);

	exit_view_init(&v);
	exit_view_add_session(&v, &s);
	tp_session_drain(&s, on_record, &v);
	j = exit_view_json(&v);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	free(text);
	json_decref(j);
	exit_view_print(&v, devnull);
	exit_view_free(&v);
	return 0;
}
