/* SPDX-License-Identifier: MIT */
/* perf-kvm-stat-like views from tracepoint records (see exit_view.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/exit_reasons.h"
#include "vmm/exit_reasons_hw.h"
#include "instruments/exit_view.h"
#include "util/statistics.h"
#include "instruments/tracepoints.h"

#define RES_BUDGET (8u << 20)	/* reservoir doubles over all keys: 64 MiB */
#define MAX_TIDS 4096

void exit_view_init(struct exit_view *v)
{
	memset(v, 0, sizeof(*v));
	v->res_budget = RES_BUDGET;
	v->rng = 0x9e3779b97f4a7c15ull;
}

static void table_free(struct ev_table *t)
{
	for (size_t i = 0; i < t->cap; i++) {
		free(t->slots[i].time.res);
		free(t->slots[i].xtime.res);
	}
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

void exit_view_free(struct exit_view *v)
{
	table_free(&v->reasons);
	table_free(&v->ports);
	table_free(&v->mmio);
	table_free(&v->uexits);
	table_free(&v->msrs);
	free(v->tids);
	memset(v, 0, sizeof(*v));
}

/* ---- event registration ---- */

static const struct {
	const char *name;
	enum ev_role role;
	const char *fields[4];
} roles[] = {
	{ "kvm:kvm_exit", EV_EXIT, { "exit_reason", "isa" } },
	{ "kvm:kvm_entry", EV_ENTRY, { NULL } },
	{ "kvm:kvm_userspace_exit", EV_UEXIT, { "reason", "errno" } },
	{ "kvm:kvm_pio", EV_PIO, { "port", "rw", "size", "count" } },
	{ "kvm:kvm_mmio", EV_MMIO, { "gpa", "type", "len" } },
	{ "kvm:kvm_msr", EV_MSR, { "ecx", "write" } },
};

static struct ev_event *event_slot(struct exit_view *v, const char *name)
{
	struct ev_event *e;

	for (size_t i = 0; i < v->nevents; i++)
		if (!strcmp(v->events[i].name, name))
			return &v->events[i];
	if (v->nevents == EXIT_VIEW_MAX_EVENTS)
		return NULL;
	e = &v->events[v->nevents++];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->id = -1;
	return e;
}

int exit_view_add_event(struct exit_view *v, const char *name, const struct tp_format *fmt)
{
	struct ev_event *e = event_slot(v, name);

	if (!e)
		return -1;
	e->available = true;
	e->why[0] = '\0';
	e->id = fmt->id;
	e->role = EV_OTHER;
	for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++) {
		if (strcmp(roles[r].name, name))
			continue;
		e->role = roles[r].role;
		for (int i = 0; i < 4 && roles[r].fields[i]; i++) {
			const struct tp_field *f = tp_format_field(fmt, roles[r].fields[i]);

			/* A kernel without the field: leave it absent (size 0), read as 0. */
			if (f)
				e->f[i] = *f;
		}
	}
	return 0;
}

int exit_view_add_unavailable(struct exit_view *v, const char *name, const char *why)
{
	struct ev_event *e = event_slot(v, name);

	if (!e)
		return -1;
	e->available = false;
	snprintf(e->why, sizeof(e->why), "%s", why);
	return 0;
}

int exit_view_add_session(struct exit_view *v, const struct tp_session *s)
{
	int rc = 0;

	for (size_t i = 0; i < s->nevents; i++) {
		const struct tp_event *ev = &s->events[i];

		if (ev->available)
			rc |= exit_view_add_event(v, ev->name, &ev->format);
		else
			rc |= exit_view_add_unavailable(v, ev->name, ev->why);
	}
	return rc;
}

void exit_view_set_count(struct exit_view *v, const char *name, uint64_t count)
{
	for (size_t i = 0; i < v->nevents; i++) {
		if (!strcmp(v->events[i].name, name)) {
			v->events[i].count = count;
			v->events[i].count_set = true;
		}
	}
}

int exit_view_set_session_counts(struct exit_view *v, struct tp_session *s)
{
	uint64_t *c = calloc(s->nevents ? s->nevents : 1, sizeof(*c));
	int rc;

	if (!c)
		return -1;
	rc = tp_session_counts(s, c);
	for (size_t i = 0; i < s->nevents; i++)
		if (s->events[i].available)
			exit_view_set_count(v, s->events[i].name, c[i]);
	free(c);
	return rc;
}

/* ---- bounded hash tables ---- */

static size_t key_hash(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull) * 0xbf58476d1ce4e5b9ull;

	return (size_t)(h ^ (h >> 31));
}

static struct ev_bucket *probe(struct ev_bucket *slots, size_t cap, uint64_t a, uint64_t b)
{
	size_t i = key_hash(a, b) & (cap - 1);

	while (slots[i].used && (slots[i].a != a || slots[i].b != b))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int table_grow(struct ev_table *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 64;
	struct ev_bucket *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -1;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].used)
			*probe(ns, ncap, t->slots[i].a, t->slots[i].b) = t->slots[i];
	free(t->slots);
	t->slots = ns;
	t->cap = ncap;
	return 0;
}

/* The bucket of key (a, b), created if there is room; NULL means "other". */
static struct ev_bucket *table_get(struct ev_table *t, uint64_t a, uint64_t b, bool create)
{
	struct ev_bucket *s;

	if (t->cap) {
		s = probe(t->slots, t->cap, a, b);
		if (s->used)
			return s;
	}
	if (!create || t->n >= EXIT_VIEW_MAX_KEYS)
		return NULL;
	/* Keep the load under a half so probes stay short. */
	if ((t->n + 1) * 2 > t->cap && table_grow(t))
		return NULL;
	s = probe(t->slots, t->cap, a, b);
	s->used = true;
	s->a = a;
	s->b = b;
	t->n++;
	return s;
}

static struct ev_bucket *table_hit(struct ev_table *t, uint64_t a, uint64_t b)
{
	struct ev_bucket *s = table_get(t, a, b, true);

	t->total++;
	if (!s) {
		t->other++;
		return NULL;
	}
	s->count++;
	return s;
}

static uint64_t rng_next(struct exit_view *v)
{
	v->rng ^= v->rng << 13;
	v->rng ^= v->rng >> 7;
	v->rng ^= v->rng << 17;
	return v->rng;
}

/* Exact n/min/max/mean; percentiles from a uniform reservoir (Algorithm R). */
static void time_add(struct exit_view *v, struct ev_time *t, double ns)
{
	if (!t->n || ns < t->min)
		t->min = ns;
	if (!t->n || ns > t->max)
		t->max = ns;
	t->n++;
	t->sum += ns;
	if (t->res_n < t->res_cap) {
		t->res[t->res_n++] = ns;
		return;
	}
	if (t->res_cap < EXIT_VIEW_RESERVOIR && t->res_n == t->res_cap) {
		uint32_t ncap = t->res_cap ? t->res_cap * 2 : 64;
		double *nr;

		if (ncap - t->res_cap <= v->res_budget &&
		    (nr = realloc(t->res, ncap * sizeof(*nr)))) {
			v->res_budget -= ncap - t->res_cap;
			t->res = nr;
			t->res_cap = ncap;
			t->res[t->res_n++] = ns;
			return;
		}
	}
	if (t->res_n) {
		uint64_t j = rng_next(v) % t->n;

		if (j < t->res_n)
			t->res[j] = ns;
	}
}

/* An interval of key (a, b) ended: it counts as paired and is timed (ns). */
static void paired_add(struct exit_view *v, struct ev_table *t, uint64_t a, uint64_t b, double ns)
{
	struct ev_bucket *s = table_get(t, a, b, false);

	t->paired++;
	if (s)
		time_add(v, &s->time, ns);
	else
		t->other_paired++;
}

/* The kvm_exit -> kvm_entry time of the exit that made access (a, b). */
static void exit_time_add(struct exit_view *v, struct ev_table *t, uint64_t a, uint64_t b, double ns)
{
	struct ev_bucket *s = table_get(t, a, b, false);

	if (s)
		time_add(v, &s->xtime, ns);
}

/* ---- feeding ---- */

static struct ev_tid *tid_state(struct exit_view *v, uint32_t tid)
{
	for (size_t i = 0; i < v->ntids; i++)
		if (v->tids[i].tid == tid)
			return &v->tids[i];
	if (v->ntids == v->tids_cap) {
		size_t ncap = v->tids_cap ? v->tids_cap * 2 : 16;
		struct ev_tid *nt;

		if (ncap > MAX_TIDS || !(nt = realloc(v->tids, ncap * sizeof(*nt))))
			return NULL;
		v->tids = nt;
		v->tids_cap = ncap;
	}
	memset(&v->tids[v->ntids], 0, sizeof(v->tids[0]));
	v->tids[v->ntids].tid = tid;
	return &v->tids[v->ntids++];
}

static uint64_t field(const struct tp_record *r, const struct tp_field *f)
{
	uint64_t x = 0;

	if (f->size && tp_record_u64(r, f, &x))
		x = 0;
	return x;
}

enum { MMIO_UNSATISFIED_READ, MMIO_READ, MMIO_WRITE };	/* kvm_mmio's type */

static void feed_mmio(struct exit_view *v, struct ev_event *e, const struct tp_record *r,
		      struct ev_tid *t)
{
	uint64_t type = field(r, &e->f[1]) & 0xff;
	uint64_t a = field(r, &e->f[0]);					/* gpa */
	uint64_t b = (type == MMIO_UNSATISFIED_READ ? MMIO_READ : type) |
		     (field(r, &e->f[2]) & 0xffff) << 8;				/* type, len */

	switch (type) {
	case MMIO_UNSATISFIED_READ:	/* gone to the VMM: one access with its completion */
		table_hit(&v->mmio, a, b);
		if (t) {
			t->read_pending = true;
			t->read_a = a;
			t->read_b = b;
		}
		return;
	case MMIO_READ:
		if (!t || !t->read_pending || t->read_a != a || t->read_b != b)
			table_hit(&v->mmio, a, b);	/* handled in the kernel: one event */
		if (!t)
			return;
		t->read_pending = false;
		/* perf kvm stat: a read is timed from kvm_exit to its completion */
		if (t->in_exit && t->mmio_begin && r->time >= t->mmio_begin) {
			paired_add(v, &v->mmio, a, b, (double)(r->time - t->mmio_begin));
			t->mmio_begin = 0;
		}
		break;
	case MMIO_WRITE:
		table_hit(&v->mmio, a, b);
		if (!t || !t->in_exit)
			return;
		/* perf kvm stat: a write is timed from its kvm_mmio to kvm_entry */
		t->mmio_write = true;
		t->mmio_begin = r->time;
		break;
	default:
		table_hit(&v->mmio, a, b);
		return;
	}
	if (t->in_exit) {
		t->mmio_any = true;
		t->mmio_a = a;
		t->mmio_b = b;
	}
}

/* kvm_entry: the thread's exit, and the accesses it made, are complete. */
static void feed_entry(struct exit_view *v, const struct tp_record *r, struct ev_tid *t)
{
	if (t->in_exit && r->time >= t->exit_time) {
		double ns = (double)(r->time - t->exit_time);

		paired_add(v, &v->reasons, t->reason_a, t->reason_b, ns);
		if (t->pio && r->time >= t->pio_time) {
			paired_add(v, &v->ports, t->pio_a, t->pio_b, (double)(r->time - t->pio_time));
			exit_time_add(v, &v->ports, t->pio_a, t->pio_b, ns);
		}
		if (t->mmio_write && r->time >= t->mmio_begin)
			paired_add(v, &v->mmio, t->mmio_a, t->mmio_b, (double)(r->time - t->mmio_begin));
		if (t->mmio_any)
			exit_time_add(v, &v->mmio, t->mmio_a, t->mmio_b, ns);
		v->timed++;
	}
	t->in_exit = t->pio = t->mmio_write = t->mmio_any = false;
	t->mmio_begin = 0;
}

static void feed_sample(struct exit_view *v, struct ev_event *e, const struct tp_record *r)
{
	struct ev_tid *t = tid_state(v, r->tid);
	uint64_t a, b;

	switch (e->role) {
	case EV_EXIT:
		a = field(r, &e->f[0]);		/* exit_reason */
		b = field(r, &e->f[1]);		/* isa */
		table_hit(&v->reasons, a, b);
		if (t) {
			/* A kvm_exit without its kvm_entry (lost record) stays unpaired. */
			*t = (struct ev_tid){ .tid = t->tid, .in_exit = true, .exit_time = r->time,
					     .mmio_begin = r->time, .reason_a = a, .reason_b = b };
		}
		break;
	case EV_ENTRY:
		if (t)
			feed_entry(v, r, t);
		break;
	case EV_PIO:
		a = field(r, &e->f[0]) & 0xffff;					/* port */
		b = (field(r, &e->f[1]) ? 1 : 0) | (field(r, &e->f[2]) & 0xff) << 8;	/* rw, size */
		table_hit(&v->ports, a, b);
		/* perf kvm stat: from the (last) kvm_pio of the exit to kvm_entry */
		if (t && t->in_exit) {
			t->pio = true;
			t->pio_time = r->time;
			t->pio_a = a;
			t->pio_b = b;
		}
		break;
	case EV_MMIO:
		feed_mmio(v, e, r, t);
		break;
	case EV_UEXIT:
		table_hit(&v->uexits, field(r, &e->f[0]) & 0xffffffff,
			  field(r, &e->f[1]) & 0xffffffff);
		break;
	case EV_MSR:
		table_hit(&v->msrs, field(r, &e->f[0]) & 0xffffffff, field(r, &e->f[1]) ? 1 : 0);
		break;
	case EV_OTHER:
		break;
	}
}

void exit_view_feed(struct exit_view *v, const struct tp_record *r)
{
	if (r->kind == TP_REC_LOST) {
		v->lost += r->lost;
		return;
	}
	if (r->kind != TP_REC_SAMPLE)
		return;
	v->records++;
	for (size_t i = 0; i < v->nevents; i++) {
		struct ev_event *e = &v->events[i];

		if (e->available && e->id == (int)r->event_id) {
			e->records++;
			feed_sample(v, e, r);
			return;
		}
	}
	v->unknown++;
}

int exit_view_drain_cb(const struct tp_record *r, const struct tp_event *ev, void *view)
{
	(void)ev;
	exit_view_feed(view, r);
	return 0;
}

/* ---- rendering ---- */

static const struct ev_event *event_by_name(const struct exit_view *v, const char *name)
{
	for (size_t i = 0; i < v->nevents; i++)
		if (!strcmp(v->events[i].name, name))
			return &v->events[i];
	return NULL;
}

static uint64_t event_count(const struct ev_event *e)
{
	return e->count_set ? e->count : e->records;
}

static const char *timing_note(const struct exit_view *v, char *buf, size_t len)
{
	const struct ev_event *x = event_by_name(v, "kvm:kvm_exit");
	const struct ev_event *n = event_by_name(v, "kvm:kvm_entry");

	if (v->timed)
		return NULL;
	if (!x || !n)
		snprintf(buf, len, "kvm:kvm_exit and kvm:kvm_entry were not traced: no per-exit timing");
	else if (!x->available || !n->available)
		snprintf(buf, len, "%s is unavailable (%s): no per-exit timing",
			 !x->available ? x->name : n->name, !x->available ? x->why : n->why);
	else if (!x->records && !n->records)
		snprintf(buf, len, "kvm:kvm_exit and kvm:kvm_entry did not fire (a backend such as "
			 "PVM does not emit them%s): counts come from the events that did",
			 event_count(x) ? "; or they were counted, not sampled" : "");
	else
		snprintf(buf, len, "no kvm_exit was followed by a kvm_entry on the same thread");
	return buf;
}

/*
 * A row as shown: where exits pair with entries (paired), a key counts what
 * was paired (as perf kvm stat) and the rest is unpaired; elsewhere every hit.
 */
struct ev_row {
	const struct ev_bucket *k;
	uint64_t count, unpaired;
};

struct ev_rows {
	struct ev_row *r;
	size_t n;
	uint64_t total, other, unpaired;	/* counts shown; other's share of them */
};

static int cmp_row(const void *pa, const void *pb)
{
	const struct ev_row *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (a->unpaired != b->unpaired)
		return a->unpaired > b->unpaired ? -1 : 1;
	if (a->k->a != b->k->a)
		return a->k->a < b->k->a ? -1 : 1;
	return (a->k->b > b->k->b) - (a->k->b < b->k->b);
}

/* The rows of a table, sorted by count (descending), then key. 0, or -1 (no memory). */
static int rows_of(const struct ev_table *t, bool paired, struct ev_rows *out)
{
	memset(out, 0, sizeof(*out));
	out->r = calloc(t->n ? t->n : 1, sizeof(*out->r));
	if (!out->r)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		const struct ev_bucket *k = &t->slots[i];
		struct ev_row *w = &out->r[out->n];

		if (!k->used)
			continue;
		w->k = k;
		w->count = paired ? k->time.n : k->count;
		w->unpaired = paired && k->count > k->time.n ? k->count - k->time.n : 0;
		out->unpaired += w->unpaired;
		out->n++;
	}
	qsort(out->r, out->n, sizeof(*out->r), cmp_row);
	out->total = paired ? t->paired : t->total;
	out->other = paired ? t->other_paired : t->other;
	if (paired && t->other > t->other_paired)
		out->unpaired += t->other - t->other_paired;
	return 0;
}

/* Exits pair with entries: rows count as perf kvm stat (see exit_view.h). */
static bool paired_table(const struct exit_view *v, int which)
{
	return v->timed && (which == EV_EXIT || which == EV_PIO || which == EV_MMIO);
}

struct time_summary {
	bool ok;
	double min, median, p99, max, mean;
	uint64_t n;
	uint32_t sampled;
};

static struct time_summary summarize(const struct ev_time *t)
{
	struct time_summary s = { 0 };
	struct sample_stats st;

	if (!t->n)
		return s;
	s.ok = true;
	s.n = t->n;
	s.min = t->min;
	s.max = t->max;
	s.mean = t->sum / (double)t->n;
	s.median = s.p99 = -1;
	s.sampled = t->res_n;
	if (t->res_n && stats_compute(t->res, t->res_n, &st) == 0) {
		s.median = st.median;
		s.p99 = st.p99;
	}
	return s;
}

static json_t *time_json(const struct ev_time *t)
{
	struct time_summary s = summarize(t);

	if (!s.ok)
		return json_null();
	return json_pack("{s:I, s:f, s:o, s:o, s:f, s:f, s:I}", "n", (json_int_t)s.n, "min", s.min,
			 "median", s.sampled ? json_real(s.median) : json_null(),
			 "p99", s.sampled ? json_real(s.p99) : json_null(), "max", s.max, "mean", s.mean,
			 "percentile_samples", (json_int_t)s.sampled);
}

static double share(uint64_t n, uint64_t total)
{
	return total ? 100.0 * (double)n / (double)total : 0.0;
}

static const char *isa_name(uint64_t isa)
{
	return isa == EXIT_ISA_VMX ? "vmx" : isa == EXIT_ISA_SVM ? "svm" : "unknown";
}

static const char *mmio_type(uint64_t type)
{
	return type == MMIO_READ ? "read" : type == MMIO_WRITE ? "write" : NULL;
}

/* What time_ns covers on a port or MMIO row: perf kvm stat's interval. */
static const char *access_interval(int which, uint64_t b)
{
	if (which == EV_PIO)
		return "kvm_pio->kvm_entry";
	return (b & 0xff) == MMIO_READ ? "kvm_exit->kvm_mmio" : "kvm_mmio->kvm_entry";
}

static json_t *name_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *hex(uint64_t x)
{
	char b[24];

	snprintf(b, sizeof(b), "0x%llx", (unsigned long long)x);
	return json_string(b);
}

/* Hits past the key cap, counted as the rows are. */
static uint64_t other_shown(const struct exit_view *v, const struct ev_table *t, int which)
{
	return paired_table(v, which) ? t->other_paired : t->other;
}

static json_t *row_json(const struct ev_rows *rows, const struct ev_row *row, int which,
			bool paired)
{
	const struct ev_bucket *k = row->k;
	json_t *o;
	uint64_t reason;

	switch (which) {
	case EV_EXIT:
		reason = k->b == EXIT_ISA_VMX ? vmx_exit_reason_basic((uint32_t)k->a) : k->a;
		o = json_pack("{s:s, s:I, s:I, s:o, s:b}", "isa", isa_name(k->b),
			      "reason", (json_int_t)reason, "raw", (json_int_t)k->a,
			      "name", name_or_null(hw_exit_reason_name((unsigned)k->b, k->a)),
			      "failed_vmentry", k->b == EXIT_ISA_VMX &&
			      vmx_exit_reason_failed_entry((uint32_t)k->a));
		break;
	case EV_PIO:
		o = json_pack("{s:I, s:o, s:s, s:I}", "port", (json_int_t)k->a, "port_hex", hex(k->a),
			      "rw", k->b & 1 ? "write" : "read", "size", (json_int_t)(k->b >> 8));
		break;
	case EV_MMIO:
		o = json_pack("{s:o, s:o, s:I}", "gpa", hex(k->a), "type",
			      mmio_type(k->b & 0xff) ? json_string(mmio_type(k->b & 0xff))
						     : json_integer((json_int_t)(k->b & 0xff)),
			      "len", (json_int_t)(k->b >> 8));
		break;
	case EV_UEXIT:
		o = json_pack("{s:I, s:o, s:i}", "reason", (json_int_t)k->a,
			      "name", name_or_null(kvm_exit_reason_name((unsigned)k->a)),
			      "errno", (int)(int32_t)(uint32_t)k->b);
		break;
	default:	/* EV_MSR */
		o = json_pack("{s:o, s:s}", "index", hex(k->a), "rw", k->b ? "write" : "read");
		break;
	}
	if (!o)
		return NULL;
	json_object_set_new(o, "count", json_integer((json_int_t)row->count));
	if (which == EV_EXIT || which == EV_PIO || which == EV_MMIO)
		json_object_set_new(o, "unpaired", json_integer((json_int_t)row->unpaired));
	json_object_set_new(o, "share_pct", json_real(share(row->count, rows->total)));
	if (which == EV_EXIT)
		json_object_set_new(o, "time_ns", paired ? time_json(&k->time) : json_null());
	if (which == EV_PIO || which == EV_MMIO) {
		json_object_set_new(o, "interval", json_string(access_interval(which, k->b)));
		json_object_set_new(o, "time_ns", paired ? time_json(&k->time) : json_null());
		json_object_set_new(o, "exit_time_ns", paired ? time_json(&k->xtime) : json_null());
	}
	return o;
}

static json_t *table_json(const struct exit_view *v, const struct ev_table *t, int which,
			  uint64_t *unpaired)
{
	bool paired = paired_table(v, which);
	struct ev_rows rows;
	json_t *a = json_array();

	if (!a || rows_of(t, paired, &rows)) {
		json_decref(a);
		return NULL;
	}
	for (size_t i = 0; i < rows.n; i++)
		json_array_append_new(a, row_json(&rows, &rows.r[i], which, paired));
	if (unpaired)
		*unpaired = rows.unpaired;
	free(rows.r);
	return a;
}

json_t *exit_view_json(const struct exit_view *v)
{
	json_t *o = json_object(), *avail = json_array(), *unavail = json_object();
	json_t *fired = json_object();
	uint64_t up[3] = { 0 };
	char note[512];
	const char *tn = timing_note(v, note, sizeof(note));

	if (!o || !avail || !unavail || !fired)
		goto fail;
	for (size_t i = 0; i < v->nevents; i++) {
		const struct ev_event *e = &v->events[i];

		if (!e->available) {
			json_object_set_new(unavail, e->name, json_string(e->why));
			continue;
		}
		json_array_append_new(avail, json_string(e->name));
		if (event_count(e))
			json_object_set_new(fired, e->name, json_integer((json_int_t)event_count(e)));
	}
	json_object_set_new(o, "events_available", avail);
	json_object_set_new(o, "events_unavailable", unavail);
	json_object_set_new(o, "events_fired", fired);
	json_object_set_new(o, "records", json_integer((json_int_t)v->records));
	json_object_set_new(o, "lost", json_integer((json_int_t)v->lost));
	json_object_set_new(o, "threads", json_integer((json_int_t)v->ntids));
	json_object_set_new(o, "timing_source", tn ? json_null() : json_string("kvm_exit/kvm_entry"));
	json_object_set_new(o, "timing_note", tn ? json_string(tn) : json_null());
	json_object_set_new(o, "exit_reasons", table_json(v, &v->reasons, EV_EXIT, &up[0]));
	json_object_set_new(o, "ioports", table_json(v, &v->ports, EV_PIO, &up[1]));
	json_object_set_new(o, "mmio", table_json(v, &v->mmio, EV_MMIO, &up[2]));
	json_object_set_new(o, "userspace_exits", table_json(v, &v->uexits, EV_UEXIT, NULL));
	json_object_set_new(o, "msrs", table_json(v, &v->msrs, EV_MSR, NULL));
	json_object_set_new(o, "unpaired", json_pack("{s:I, s:I, s:I}", "exit_reasons",
		(json_int_t)up[0], "ioports", (json_int_t)up[1], "mmio", (json_int_t)up[2]));
	json_object_set_new(o, "other", json_pack("{s:I, s:I, s:I, s:I, s:I}",
		"exit_reasons", (json_int_t)other_shown(v, &v->reasons, EV_EXIT),
		"ioports", (json_int_t)other_shown(v, &v->ports, EV_PIO),
		"mmio", (json_int_t)other_shown(v, &v->mmio, EV_MMIO),
		"userspace_exits", (json_int_t)v->uexits.other, "msrs", (json_int_t)v->msrs.other));
	/* json_object_set_new ignores a NULL value: a missing key means out of memory. */
	if (json_object_size(o) != 15)
		goto fail_o;
	return o;
fail:
	json_decref(avail);
	json_decref(unavail);
	json_decref(fired);
fail_o:
	json_decref(o);
	return NULL;
}

/* ---- text ---- */

static void print_time(FILE *f, const struct ev_time *t)
{
	struct time_summary s = summarize(t);

	if (!s.ok) {
		fprintf(f, "%10s %10s %10s %10s", "-", "-", "-", "-");
		return;
	}
	fprintf(f, "%10.0f %10.0f %10.0f %10.0f", s.min, s.median, s.p99, s.max);
}

/* kvm_exit -> kvm_entry of the exits that made a row's accesses: min and median. */
static void print_exit_time(FILE *f, const struct ev_time *t)
{
	struct time_summary s = summarize(t);

	if (!s.ok)
		fprintf(f, " %11s %11s", "-", "-");
	else
		fprintf(f, " %11.0f %11.0f", s.min, s.median);
}

static void print_table(FILE *f, const struct exit_view *v, const struct ev_table *t, int which,
			bool timed)
{
	bool paired = paired_table(v, which), access = which == EV_PIO || which == EV_MMIO;
	struct ev_rows rows;
	char key[64];

	if (rows_of(t, paired, &rows))
		return;
	for (size_t i = 0; i < rows.n; i++) {
		const struct ev_row *row = &rows.r[i];
		const struct ev_bucket *k = row->k;
		const char *name;

		switch (which) {
		case EV_EXIT:
			name = hw_exit_reason_name((unsigned)k->b, k->a);
			if (name)
				snprintf(key, sizeof(key), "%s%s", name,
					 k->b == EXIT_ISA_VMX && vmx_exit_reason_failed_entry((uint32_t)k->a)
					 ? "+FAILED_VMENTRY" : "");
			else
				snprintf(key, sizeof(key), "%s:%#llx", isa_name(k->b),
					 (unsigned long long)k->a);
			break;
		case EV_PIO:
			snprintf(key, sizeof(key), "%#llx:%s/%u", (unsigned long long)k->a,
				 k->b & 1 ? "POUT" : "PIN", (unsigned)(k->b >> 8));
			break;
		case EV_MMIO:
			name = mmio_type(k->b & 0xff);
			snprintf(key, sizeof(key), "%#llx:%s/%u", (unsigned long long)k->a,
				 name ? name : "?", (unsigned)(k->b >> 8));
			break;
		case EV_UEXIT:
			name = kvm_exit_reason_name((unsigned)k->a);
			if ((int32_t)k->b < 0)
				snprintf(key, sizeof(key), "%s (errno %d)",
					 (int32_t)k->b == -EINTR ? "restart" : "error", (int32_t)k->b);
			else if (name)
				snprintf(key, sizeof(key), "%s", name);
			else
				snprintf(key, sizeof(key), "%llu", (unsigned long long)k->a);
			break;
		default:
			snprintf(key, sizeof(key), "%#llx:%s", (unsigned long long)k->a,
				 k->b ? "write" : "read");
			break;
		}
		fprintf(f, "%32s %10llu %8.2f%%", key, (unsigned long long)row->count,
			share(row->count, rows.total));
		if (timed) {
			fputc(' ', f);
			print_time(f, &k->time);
			if (access)
				print_exit_time(f, &k->xtime);
		}
		if (row->unpaired)
			fprintf(f, "  +%llu unpaired", (unsigned long long)row->unpaired);
		fputc('\n', f);
	}
	if (rows.other)
		fprintf(f, "%32s %10llu %8.2f%%\n", "(other)", (unsigned long long)rows.other,
			share(rows.other, rows.total));
	free(rows.r);
}

static void print_head(FILE *f, const char *title, const char *key, bool timed, bool access)
{
	fprintf(f, "\n%s\n%32s %10s %9s", title, key, "Samples", "Samples%");
	if (timed)
		fprintf(f, " %10s %10s %10s %10s", "Min ns", "Median ns", "p99 ns", "Max ns");
	if (timed && access)
		fprintf(f, " %11s %11s", "Exit min", "Exit median");
	fputc('\n', f);
}

void exit_view_print(const struct exit_view *v, FILE *f)
{
	char note[512];
	const char *tn = timing_note(v, note, sizeof(note));
	bool timed = !tn;

	fprintf(f, "Tracepoint records: %llu from %zu thread(s), %llu lost\n",
		(unsigned long long)v->records, v->ntids, (unsigned long long)v->lost);
	if (tn)
		fprintf(f, "timing: none: %s\n", tn);
	if (v->reasons.total || !tn) {
		print_head(f, "VM-EXIT (kvm_exit, timed to the next kvm_entry)", "VM-EXIT", timed, false);
		print_table(f, v, &v->reasons, EV_EXIT, timed);
	}
	print_head(f, "IO PORT ACCESS (kvm_pio)", "IO Port:RW/size", timed, true);
	print_table(f, v, &v->ports, EV_PIO, timed);
	print_head(f, "MMIO ACCESS (kvm_mmio; a read that went to userspace and came back is one read)",
		   "MMIO Address:Access/len", timed, true);
	print_table(f, v, &v->mmio, EV_MMIO, timed);
	if (timed)
		fprintf(f, "\nAccess times as perf kvm stat takes them: a port, kvm_pio -> kvm_entry; an "
			"MMIO write,\nkvm_mmio -> kvm_entry; an MMIO read, kvm_exit -> its completed "
			"kvm_mmio.  Exit min/median:\nkvm_exit -> kvm_entry of the exits that made them.  "
			"Samples count exits and accesses\nwhose kvm_entry was seen (as perf kvm stat); "
			"unpaired: cut by the capture's start or end.\n");
	print_head(f, "USERSPACE EXITS (kvm_userspace_exit)", "KVM_EXIT reason", false, false);
	print_table(f, v, &v->uexits, EV_UEXIT, false);
	print_head(f, "MSR ACCESS (kvm_msr)", "MSR:RW", false, false);
	print_table(f, v, &v->msrs, EV_MSR, false);

	fprintf(f, "\nEVENTS\n");
	for (size_t i = 0; i < v->nevents; i++) {
		const struct ev_event *e = &v->events[i];

		if (e->available)
			fprintf(f, "%32s %10llu\n", e->name, (unsigned long long)event_count(e));
	}
	for (size_t i = 0; i < v->nevents; i++) {
		const struct ev_event *e = &v->events[i];

		if (!e->available)
			fprintf(f, "%32s unavailable: %s\n", e->name, e->why);
	}
}
