// SPDX-License-Identifier: MIT
#include "exceptions.h"
#include "format.h"
#include "measure.h"
#include "ring.h"
#include "runtime.h"
#include "x86.h"

#define SAMPLES_MAX  (1ull << 17)	/* 1 MiB of samples */
#define SAMPLES_MIN  64
#define WARMUP_OPS   32
#define CALIB_OPS    32
/*
 * Empty-loop samples per side of each test's phase (docs/methodology.md):
 * as many as the test has, at most OVERHEAD_MAX, so an expensive test
 * (few samples) does not pay much more for its overhead than for itself.
 */
#define OVERHEAD_MAX 4096
#define ORDER_MAX    256	/* tests a random order can shuffle */

/* Everything measure_body needs, reachable from CPL3 (all memory is user-accessible). */
struct measure_run {
	const struct measure_test *t;
	struct measure_ctx *c;
	uint64_t *buf;
	uint64_t cap;
	uint64_t n;
	uint64_t *ovh;		/* 2 x ovh_cap empty-loop samples, after the test's */
	uint64_t ovh_cap;
	int in_phase;
};

MEASURE_LOOP(measure_empty, (void)0, (void)0, (void)0)

_Static_assert(CATALOGUE_TF_OVERHEAD == BENCH_TF_OVERHEAD, "one flag, two names");

/* In the catalogue like every table row: the host sees it in `exitlab list`. */
MEASURE_TABLE(measure_empty) = {
	MEASURE_TEST("empty", measure_empty_loop, R03, EXITS(0, 0), .d.flags = CATALOGUE_TF_OVERHEAD,
		     MEASURES("the timing loop alone: the overhead estimate when a test has none timed beside it")),
};

static uint64_t measure_pick_n(const struct measure_run *r)
{
	const struct boot_info *bi = r->c->bi;
	uint64_t dt = UINT64_MAX, n;

	if (bi->iterations)
		return bi->iterations < r->cap ? bi->iterations : r->cap;
	/*
	 * Extrapolate from short timed runs instead of doubling (one calibration,
	 * one phase); the faster of two runs, so a host preemption cannot shrink n.
	 */
	for (int k = 0; k < 2; k++) {
		uint64_t t0 = rdtsc();

		r->t->loop(r->c, r->buf, CALIB_OPS);
		t0 = rdtsc() - t0;
		if (t0 < dt)
			dt = t0;
	}
	r->c->ops += 2 * CALIB_OPS;
	if (!dt)
		dt = 1;
	n = bi->time_goal_cycles / dt * CALIB_OPS + CALIB_OPS;
	if (n < SAMPLES_MIN)
		n = SAMPLES_MIN;
	return n < r->cap ? n : r->cap;
}

static void measure_touch(uint64_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i += 4096 / sizeof(uint64_t))
		((volatile uint64_t *)p)[i] = 0;
}

/*
 * Runs at the test's ring, so that no ring change lands inside the phase.
 * The empty loop runs right before PHASE_BEGIN and right after PHASE_END:
 * adjacent to the test, at its ring, yet outside the phase the host counts.
 */
static long measure_body(void *arg)
{
	struct measure_run *r = arg;
	uint64_t n, m = 0;

	r->t->loop(r->c, r->buf, WARMUP_OPS);
	r->c->ops += WARMUP_OPS;
	n = measure_pick_n(r);
	/* First touches would be page faults (shadow paging!) inside the phase. */
	measure_touch(r->buf, n);
	if (r->ovh_cap) {
		m = n < r->ovh_cap ? n : r->ovh_cap;
		measure_touch(r->ovh, 2 * m);
		measure_empty_loop(r->c, r->ovh, WARMUP_OPS);
		measure_empty_loop(r->c, r->ovh, m);
	}

	r->in_phase = 1;
	bench_phase_begin();
	r->t->loop(r->c, r->buf, n);
	bench_phase_end(n, r->buf, n, 1);
	r->in_phase = 0;
	r->c->ops += n;
	r->n = n;
	if (m) {
		measure_empty_loop(r->c, r->ovh + m, m);
		bench_overhead(r->ovh, m, m);
	}
	return 0;
}

/* 1 if the test failed. */
static int measure_one(const struct boot_info *bi, const struct measure_test *t, unsigned int ring,
		       uint64_t *buf, uint64_t cap)
{
	struct measure_ctx c = { .bi = bi, .ring = ring };
	struct measure_run r = { .t = t, .c = &c, .buf = buf, .cap = cap };
	const char *why;

	/* The overhead test is the overhead: it needs no bracket of its own. */
	if (!(t->d.flags & BENCH_TF_OVERHEAD) && cap >= 2 * SAMPLES_MIN) {
		r.ovh_cap = cap >= SAMPLES_MIN + 2 * OVERHEAD_MAX ? OVERHEAD_MAX : (cap - SAMPLES_MIN) / 2;
		r.cap = cap - 2 * r.ovh_cap;
		r.ovh = buf + r.cap;
	}

	if (!bench_test_begin(t->d.name, ring, t->d.flags))
		return 0;
	why = t->valid ? t->valid(&c) : NULL;
	if (!why && cap < SAMPLES_MIN)
		why = "no room for samples between free_start and free_end";
	if (why) {
		bench_test_end(BENCH_STATUS_SKIPPED, why);
		return 0;
	}
	if (t->setup)
		t->setup(&c);

	ring_fault.vector = -1;
	ring_catch = 1;
	run_at_ring(ring, measure_body, &r);
	ring_catch = 0;
	if (ring_fault.vector >= 0) {
		format_snprintf(c.reason, sizeof(c.reason),
				"%s (vector %ld, error 0x%lx) at CPL%u rip 0x%lx: %s",
				exception_name(ring_fault.vector), ring_fault.vector,
				ring_fault.error_code, ring_fault.cpl, ring_fault.rip,
				r.in_phase ? "fault inside the timed phase" : "not supported by this host");
		bench_test_end(r.in_phase ? BENCH_STATUS_FAILED : BENCH_STATUS_SKIPPED, c.reason);
		return r.in_phase;
	}
	why = t->check ? t->check(&c) : NULL;
	bench_test_end(why ? BENCH_STATUS_FAILED : BENCH_STATUS_OK, why);
	return why != NULL;
}

/* splitmix64: the same shuffle for the same seed on every host. */
static uint64_t measure_rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* order[0..n): the table order, or a Fisher-Yates shuffle seeded by seed. */
static void measure_order(uint16_t *order, size_t n, int random, uint64_t seed)
{
	for (size_t i = 0; i < n; i++)
		order[i] = (uint16_t)i;
	if (!random)
		return;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(measure_rng(&seed) % i); /* bias < i / 2^64: none that matters */
		uint16_t x = order[i - 1];

		order[i - 1] = order[j];
		order[j] = x;
	}
}

int measure_run_table(const struct boot_info *bi, const struct measure_test *tests, size_t n)
{
	static const unsigned int rings[] = { 0, 3 };
	static uint16_t order[ORDER_MAX];
	uint64_t *buf = (uint64_t *)bi->free_start;
	uint64_t cap = 0;
	uint32_t reps = bi->repeat ? bi->repeat : 1;
	int random = bi->order == BOOT_ORDER_RANDOM && n <= ORDER_MAX;
	int failed = 0;

	if (bi->free_start >= (uint64_t)__image_end && bi->free_end > bi->free_start)
		cap = (bi->free_end - bi->free_start) / sizeof(uint64_t);
	if (cap > SAMPLES_MAX)
		cap = SAMPLES_MAX;
	if (bi->order == BOOT_ORDER_RANDOM && !random)
		bench_log("measure: %zu tests, more than %d: table order", n, ORDER_MAX);

	/* Repetitions outermost, so that drift over the run hits every test alike. */
	for (uint32_t rep = 0; rep < reps; rep++) {
		for (size_t k = 0; k < MEASURE_ARRAY_SIZE(rings); k++) {
			unsigned int ring = rings[k];
			uint32_t bit = ring ? BOOT_RING3 : BOOT_RING0;

			if (!(bi->ring_mask & bit))
				continue;
			failed += measure_one(bi, &measure_empty[0], ring, buf, cap);
			measure_order(order, random ? n : 0, random, bi->order_seed + rep * 2 + k);
			for (size_t i = 0; i < n; i++) {
				const struct measure_test *t = &tests[random ? order[i] : i];

				if (t->d.rings & bit)
					failed += measure_one(bi, t, ring, buf, cap);
			}
		}
	}
	return failed;
}
