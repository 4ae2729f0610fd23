/* SPDX-License-Identifier: MIT */
/*
 * Hardware (and software) perf counters named the libpfm4 way, for a list of
 * threads (the vCPUs), each counted three times: total, guest-only
 * (exclude_host) and host-only (exclude_guest).  Hardware counters are
 * optional: anything the host cannot count is recorded per event and per
 * split with its errno and reason, never an error of the set.  docs/pmu.md.
 */
#ifndef EXITLAB_PMU_H
#define EXITLAB_PMU_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#define PMU_MAX_EVENTS 16
#define PMU_MAX_TIDS   256

enum pmu_split { PMU_TOTAL, PMU_GUEST, PMU_HOST, PMU_NSPLIT };

struct perf_event_attr;

struct pmu_counter {
	int *fds;             /* one per tid; NULL when not counting */
	int err;              /* errno when the kernel refused, else 0 */
	char why[320];        /* empty while counting */
};

struct pmu_event {
	char label[64];       /* JSON key: "label=" prefix of the name, or the name */
	char name[192];       /* libpfm4 event string as asked */
	char *fstr;           /* libpfm4's fully qualified encoding; NULL if none */
	struct pmu_counter split[PMU_NSPLIT];
};

struct pmu_set {
	size_t ntids, nevents;
	struct pmu_event ev[PMU_MAX_EVENTS];
};

/* Summed over the set's tids; what perf's read_format gives one counter. */
struct pmu_count {
	uint64_t value, enabled, running;
};

struct pmu_sample {
	struct pmu_count c[PMU_MAX_EVENTS][PMU_NSPLIT];
};

/* pfm_initialize() once. 0, or -1: libpfm4 unusable (every event will say why). */
int pmu_init(void);
/* NULL when libpfm4 is usable, else its error. */
const char *pmu_init_error(void);

/*
 * Open every (event, tid, split), disabled.  An event string is a libpfm4
 * name, optionally "label=name" to choose its JSON key.  -1 with errno only
 * for bad arguments (EINVAL: no tids, too many events or tids) or ENOMEM; an
 * event the host cannot count is recorded in p->ev[i].split[], never fatal.
 */
int pmu_set_open(struct pmu_set *p, const pid_t *tids, size_t ntids,
		 const char *const *events, size_t nevents);
void pmu_set_enable(struct pmu_set *p);
void pmu_set_disable(struct pmu_set *p);
/* A snapshot of every counting split. 0, or -1 if a read failed (that count is 0). */
int pmu_set_read(const struct pmu_set *p, struct pmu_sample *out);
void pmu_set_close(struct pmu_set *p);

static inline int pmu_counting(const struct pmu_set *p, size_t ev, enum pmu_split s)
{
	return p->ev[ev].split[s].fds != NULL;
}

/*
 * {label: {"event", "encoding", "total", "guest", "host", "scaling"}}: each
 * split is the multiplex-scaled delta, null if never on a counter, or
 * {"status": "unsupported", "errno": N, "error": "..."}.
 */
json_t *pmu_delta_json(const struct pmu_set *p, const struct pmu_sample *before,
		       const struct pmu_sample *after);

/*
 * The default events this host's PMU tables know (static strings): cycles,
 * instructions, a dTLB page-walk event and, on Intel, an EPT-walk event.
 */
size_t pmu_default_events(const char **names, size_t max);

/* Events of the PMUs present on this host, names containing pattern (NULL: all). */
json_t *pmu_list_events_json(const char *pattern);

/* The perf_event_open(2) the set calls; tests replace it to play other kernels. NULL restores. */
typedef int (*pmu_open_fn)(struct perf_event_attr *attr, pid_t tid, int cpu,
			   int group_fd, unsigned long flags);
void pmu_set_opener(pmu_open_fn fn);

#endif
