/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <linux/perf_event.h>	/* first: perfmon's copy then defers to it */
#include <perfmon/pfmlib_perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "instruments/pmu.h"

static const char *const split_names[PMU_NSPLIT] = { "total", "guest", "host" };

/* ---- libpfm4 ---- */

static pthread_once_t pfm_once = PTHREAD_ONCE_INIT;
static char pfm_error[160];
static int pfm_ok;

static void pfm_init_once(void)
{
	int ret = pfm_initialize();

	if (ret == PFM_SUCCESS)
		pfm_ok = 1;
	else
		snprintf(pfm_error, sizeof(pfm_error), "libpfm4 unavailable: %s", pfm_strerror(ret));
}

int pmu_init(void)
{
	pthread_once(&pfm_once, pfm_init_once);
	return pfm_ok ? 0 : -1;
}

const char *pmu_init_error(void)
{
	return pmu_init() ? pfm_error : NULL;
}

/* The splits decide guest/host: drop libpfm4's ":mg=N" and ":mh=N" from its name. */
static void strip_guest_host(char *fstr)
{
	char *p = fstr;

	while (fstr && (p = strchr(p, ':'))) {
		if (!strncmp(p, ":mg=", 4) || !strncmp(p, ":mh=", 4)) {
			size_t len = strcspn(p + 1, ":") + 1;

			memmove(p, p + len, strlen(p + len) + 1);
		} else {
			p++;
		}
	}
}

/* Encode name into attr; 0, or a PFM_ERR_* code.  fstr is malloc'd by libpfm4. */
static int pmu_encode(const char *name, struct perf_event_attr *attr, char **fstr, int *flags)
{
	/* libpfm4 writes its own idea of sizeof(attr): leave it room. */
	union {
		struct perf_event_attr a;
		char room[512];
	} u;
	pfm_perf_encode_arg_t arg;
	int ret;

	memset(&u, 0, sizeof(u));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &u.a;
	arg.size = sizeof(arg);
	arg.fstr = fstr;
	ret = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (ret != PFM_SUCCESS)
		return ret;
	*attr = u.a;
	attr->size = sizeof(*attr);
	strip_guest_host(*fstr);
	*flags = arg.flags;
	return 0;
}

/* ---- perf_event_open ---- */

static int sys_perf_event_open(struct perf_event_attr *attr, pid_t tid, int cpu,
			       int group_fd, unsigned long flags)
{
	return syscall(SYS_perf_event_open, attr, tid, cpu, group_fd, flags);
}

static pmu_open_fn pmu_open = sys_perf_event_open;

void pmu_set_opener(pmu_open_fn fn)
{
	pmu_open = fn ? fn : sys_perf_event_open;
}

static void counter_fail(struct pmu_counter *c, int err, const char *why)
{
	c->err = err;
	snprintf(c->why, sizeof(c->why), "%s", why);
}

static void counter_close(struct pmu_counter *c, size_t ntids)
{
	if (!c->fds)
		return;
	for (size_t t = 0; t < ntids; t++)
		if (c->fds[t] >= 0)
			close(c->fds[t]);
	free(c->fds);
	c->fds = NULL;
}

/* The kernel ignores exclude_guest/exclude_host for these: a split would lie. */
static int type_splits(unsigned type)
{
	return type != PERF_TYPE_SOFTWARE && type != PERF_TYPE_TRACEPOINT &&
	       type != PERF_TYPE_BREAKPOINT;
}

/* One split of one event on every tid; all or nothing, a partial sum would mislead. */
static int counter_open(struct pmu_counter *c, struct perf_event_attr attr, enum pmu_split s,
			const pid_t *tids, size_t ntids, int flags)
{
	attr.exclude_guest = s == PMU_HOST;
	attr.exclude_host = s == PMU_GUEST;
	attr.disabled = 1;
	attr.inherit = 0;
	attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;

	c->fds = malloc(ntids * sizeof(*c->fds));
	if (!c->fds)
		return -1;
	for (size_t t = 0; t < ntids; t++)
		c->fds[t] = -1;
	for (size_t t = 0; t < ntids; t++) {
		c->fds[t] = pmu_open(&attr, tids[t], -1, -1, flags | PERF_FLAG_FD_CLOEXEC);
		if (c->fds[t] < 0) {
			int err = errno;
			char why[sizeof(c->why)];

			snprintf(why, sizeof(why), "perf_event_open(%s): %s", split_names[s],
				 strerror(err));
			counter_close(c, ntids);
			counter_fail(c, err, why);
			return 0;
		}
	}
	return 0;
}

static void event_parse(struct pmu_event *e, const char *s)
{
	const char *eq = strchr(s, '='), *colon = strchr(s, ':');

	/* A label ends at an '=' before any ':' (libpfm4 modifiers are ":k=v"). */
	if (eq && (!colon || eq < colon) && eq > s) {
		snprintf(e->label, sizeof(e->label), "%.*s", (int)(eq - s), s);
		snprintf(e->name, sizeof(e->name), "%s", eq + 1);
	} else {
		snprintf(e->label, sizeof(e->label), "%s", s);
		snprintf(e->name, sizeof(e->name), "%s", s);
	}
}

static int event_open(struct pmu_event *e, const pid_t *tids, size_t ntids)
{
	struct perf_event_attr attr;
	int ret, flags = 0;

	if (pmu_init()) {
		for (int s = 0; s < PMU_NSPLIT; s++)
			counter_fail(&e->split[s], 0, pfm_error);
		return 0;
	}
	ret = pmu_encode(e->name, &attr, &e->fstr, &flags);
	if (ret) {
		char why[sizeof(e->split[0].why)];

		if (ret == PFM_ERR_NOTFOUND)
			snprintf(why, sizeof(why), "unknown event name '%s' (libpfm4: %s)",
				 e->name, pfm_strerror(ret));
		else
			snprintf(why, sizeof(why), "cannot encode event '%s' (libpfm4: %s)",
				 e->name, pfm_strerror(ret));
		for (int s = 0; s < PMU_NSPLIT; s++)
			counter_fail(&e->split[s], 0, why);
		return 0;
	}
	for (int s = 0; s < PMU_NSPLIT; s++) {
		if (s != PMU_TOTAL && !type_splits(attr.type)) {
			counter_fail(&e->split[s], 0,
				     "software event: the kernel ignores exclude_guest/exclude_host");
			continue;
		}
		if (counter_open(&e->split[s], attr, s, tids, ntids, flags))
			return -1;
	}
	return 0;
}

int pmu_set_open(struct pmu_set *p, const pid_t *tids, size_t ntids,
		 const char *const *events, size_t nevents)
{
	memset(p, 0, sizeof(*p));
	if (nevents > PMU_MAX_EVENTS || !ntids || ntids > PMU_MAX_TIDS || !tids) {
		errno = EINVAL;
		return -1;
	}
	p->ntids = ntids;
	for (size_t i = 0; i < nevents; i++) {
		event_parse(&p->ev[i], events[i]);
		p->nevents = i + 1;
		if (event_open(&p->ev[i], tids, ntids)) {
			pmu_set_close(p);
			errno = ENOMEM;
			return -1;
		}
	}
	return 0;
}

static void set_ioctl(struct pmu_set *p, unsigned long req)
{
	for (size_t i = 0; i < p->nevents; i++)
		for (int s = 0; s < PMU_NSPLIT; s++) {
			const struct pmu_counter *c = &p->ev[i].split[s];

			for (size_t t = 0; c->fds && t < p->ntids; t++)
				ioctl(c->fds[t], req, 0);
		}
}

void pmu_set_enable(struct pmu_set *p)
{
	set_ioctl(p, PERF_EVENT_IOC_ENABLE);
}

void pmu_set_disable(struct pmu_set *p)
{
	set_ioctl(p, PERF_EVENT_IOC_DISABLE);
}

int pmu_set_read(const struct pmu_set *p, struct pmu_sample *out)
{
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < p->nevents; i++)
		for (int s = 0; s < PMU_NSPLIT; s++) {
			const struct pmu_counter *c = &p->ev[i].split[s];
			struct pmu_count *sum = &out->c[i][s];

			for (size_t t = 0; c->fds && t < p->ntids; t++) {
				uint64_t v[3]; /* value, time enabled, time running */

				if (read(c->fds[t], v, sizeof(v)) != sizeof(v)) {
					ret = -1;
					continue;
				}
				sum->value += v[0];
				sum->enabled += v[1];
				sum->running += v[2];
			}
		}
	return ret;
}

void pmu_set_close(struct pmu_set *p)
{
	for (size_t i = 0; i < p->nevents; i++) {
		for (int s = 0; s < PMU_NSPLIT; s++)
			counter_close(&p->ev[i].split[s], p->ntids);
		free(p->ev[i].fstr);
	}
	memset(p, 0, sizeof(*p));
}

/* ---- JSON ---- */

static json_t *unsupported_json(const struct pmu_counter *c)
{
	return json_pack("{s:s, s:i, s:s}", "status", "unsupported", "errno", c->err,
			 "error", c->why);
}

json_t *pmu_delta_json(const struct pmu_set *p, const struct pmu_sample *before,
		       const struct pmu_sample *after)
{
	json_t *o = json_object();

	for (size_t i = 0; i < p->nevents; i++) {
		const struct pmu_event *e = &p->ev[i];
		json_t *ej = json_object();
		double scaling = 1.0;
		int counted = 0;

		json_object_set_new(ej, "event", json_string(e->name));
		json_object_set_new(ej, "encoding", e->fstr ? json_string(e->fstr) : json_null());
		for (int s = 0; s < PMU_NSPLIT; s++) {
			const struct pmu_count *b = &before->c[i][s], *a = &after->c[i][s];
			uint64_t dv = a->value - b->value;
			uint64_t de = a->enabled - b->enabled, dr = a->running - b->running;
			json_t *v;

			if (!pmu_counting(p, i, s)) {
				json_object_set_new(ej, split_names[s], unsupported_json(&e->split[s]));
				continue;
			}
			counted = 1;
			if (de && !dr) {
				v = json_null(); /* enabled but never on a counter: unknown */
				scaling = 0;
			} else {
				/* running < enabled: multiplexed, extrapolate to the enabled time */
				if (dr && dr != de)
					dv = (unsigned __int128)dv * de / dr;
				v = json_integer((json_int_t)dv);
				if (de && (double)dr / de < scaling)
					scaling = (double)dr / de;
			}
			json_object_set_new(ej, split_names[s], v);
		}
		/* the worst running/enabled ratio of the splits; 1 = never multiplexed */
		json_object_set_new(ej, "scaling", counted ? json_real(scaling) : json_null());
		json_object_set_new(o, e->label, ej);
	}
	return o;
}

/* ---- the default events ---- */

/*
 * First candidate that encodes wins.  Encoding, not pfm_find_event(), is the
 * test: find accepts an event whose mandatory unit mask is missing.
 */
static const char *const dtlb_walk_candidates[] = {
	/* Intel Sandy Bridge .. Sapphire Rapids: completed page walks of loads */
	"dtlb_walks=DTLB_LOAD_MISSES:WALK_COMPLETED",
	/* AMD Zen 1-4: an L1 DTLB miss that also misses the L2 DTLB walks */
	("dtlb_walks=L1_DTLB_MISS:TLB_RELOAD_4K_L2_MISS:TLB_RELOAD_2M_L2_MISS:"
	 "TLB_RELOAD_1G_L2_MISS:TLB_RELOAD_COALESCED_PAGE_MISS"),
	/* AMD family 10h */
	"dtlb_walks=L1_DTLB_AND_L2_DTLB_MISS",
	/* anything else: the kernel's generic cache event */
	"dtlb_walks=perf::DTLB-LOAD-MISSES",
};

static const char *const ept_walk_candidates[] = {
	"ept_walk_cycles=EPT:WALK_PENDING",	/* Skylake and later (WALK_DURATION) */
	"ept_walk_cycles=EPT:WALK_CYCLES",	/* Sandy Bridge .. Broadwell */
};

static const char *first_known(const char *const *cand, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct perf_event_attr attr;
		char *fstr = NULL;
		int flags;
		int ret = pmu_encode(strchr(cand[i], '=') + 1, &attr, &fstr, &flags);

		free(fstr);
		if (!ret)
			return cand[i];
	}
	return NULL;
}

size_t pmu_default_events(const char **names, size_t max)
{
	const char *ev[4] = { "cycles", "instructions" };
	size_t n = 2;

	if (!pmu_init()) {
		ev[n] = first_known(dtlb_walk_candidates,
				    sizeof(dtlb_walk_candidates) / sizeof(dtlb_walk_candidates[0]));
		n += ev[n] != NULL;
		ev[n] = first_known(ept_walk_candidates,
				    sizeof(ept_walk_candidates) / sizeof(ept_walk_candidates[0]));
		n += ev[n] != NULL;
	}
	for (size_t i = 0; i < n && i < max; i++)
		names[i] = ev[i];
	return n < max ? n : max;
}

/* ---- listing ---- */

static json_t *event_json(const char *full, int idx, const pfm_event_info_t *ei)
{
	json_t *umasks = json_array();

	for (int a = 0; a < ei->nattrs; a++) {
		pfm_event_attr_info_t ai;

		memset(&ai, 0, sizeof(ai));
		ai.size = sizeof(ai);
		if (pfm_get_event_attr_info(idx, a, PFM_OS_NONE, &ai) != PFM_SUCCESS ||
		    ai.type != PFM_ATTR_UMASK)
			continue;
		json_array_append_new(umasks, json_pack("{s:s, s:s, s:b}", "name", ai.name,
							"desc", ai.desc ? ai.desc : "",
							"default", ai.is_dfl));
	}
	return json_pack("{s:s, s:s, s:o}", "name", full, "desc", ei->desc ? ei->desc : "",
			 "umasks", umasks);
}

json_t *pmu_list_events_json(const char *pattern)
{
	json_t *o = json_object(), *pmus = json_array(), *events = json_array();

	json_object_set_new(o, "pmus", pmus);
	json_object_set_new(o, "events", events);
	if (pmu_init()) {
		json_object_set_new(o, "error", json_string(pfm_error));
		return o;
	}
	for (int pmu = PFM_PMU_NONE; pmu < PFM_PMU_MAX; pmu++) {
		pfm_pmu_info_t pi;

		memset(&pi, 0, sizeof(pi));
		pi.size = sizeof(pi);
		if (pfm_get_pmu_info(pmu, &pi) != PFM_SUCCESS || !pi.is_present)
			continue;
		json_array_append_new(pmus, json_pack("{s:s, s:s, s:i}", "name", pi.name,
						      "desc", pi.desc ? pi.desc : "",
						      "events", pi.nevents));
		for (int i = pi.first_event; i != -1; i = pfm_get_event_next(i)) {
			pfm_event_info_t ei;
			char full[256];

			memset(&ei, 0, sizeof(ei));
			ei.size = sizeof(ei);
			if (pfm_get_event_info(i, PFM_OS_NONE, &ei) != PFM_SUCCESS)
				continue;
			snprintf(full, sizeof(full), "%s::%s", pi.name, ei.name);
			if (pattern && !strcasestr(full, pattern))
				continue;
			json_array_append_new(events, event_json(full, i, &ei));
		}
	}
	return o;
}
