/* SPDX-License-Identifier: MIT */
/* One observation of another KVM process (instruments/observe.h). */
#include <poll.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "instruments/exit_view.h"
#include "instruments/hostinfo.h"
#include "instruments/kvm_process.h"
#include "instruments/observe.h"
#include "instruments/pmu.h"
#include "instruments/target_stats.h"
#include "instruments/tracepoints.h"
#include "util/mono_time.h"

struct observe {
	struct observe_opts o;
	struct kvm_process p;
	struct tp_session tp;
	bool tp_open;
	struct exit_view view;
	struct target_stats ts;
	struct pmu_set *pmu; /* NULL: disabled or unavailable */
	struct pmu_sample pmu0, pmu1;
	char started[32];    /* ISO 8601, UTC */
	double seconds;
};

enum outcome observe_attach(struct observe **out, const struct observe_opts *o, char *err, size_t errlen)
{
	struct observe *ob = calloc(1, sizeof(*ob));
	struct tp_options opts = { .ring_pages = o->ring_pages };

	*out = NULL;
	if (!ob) {
		snprintf(err, errlen, "out of memory");
		return OUTCOME_FAILED;
	}
	ob->o = *o;
	if (kvm_process_scan(o->pid, &ob->p, err, errlen)) {
		free(ob);
		return OUTCOME_BAD_INPUT;
	}
	if (tp_session_open_opts(&ob->tp, ob->p.tids, ob->p.ntids, tp_kvm_events, tp_kvm_nevents, TP_SAMPLE, &opts,
				 err, errlen)) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "cannot trace process %d: %s", (int)o->pid, why);
		free(ob);
		return OUTCOME_NO_HOST;
	}
	ob->tp_open = true;
	exit_view_init(&ob->view);
	exit_view_add_session(&ob->view, &ob->tp);
	target_stats_open(&ob->ts, &ob->p);
	if (!o->no_pmu) {
		const char *events[8];
		size_t n;

		pmu_init();
		n = pmu_default_events(events, sizeof(events) / sizeof(events[0]));
		ob->pmu = calloc(1, sizeof(*ob->pmu));
		if (ob->pmu && pmu_set_open(ob->pmu, ob->p.tids, ob->p.ntids, events, n)) {
			free(ob->pmu);
			ob->pmu = NULL;
		}
	}
	*out = ob;
	return OUTCOME_OK;
}

/* Drain every ring until the deadline, the target's exit, or *stop. */
static void drain_until(struct observe *ob, int pidfd, double deadline, volatile sig_atomic_t *stop)
{
	for (;;) {
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		bool target_gone;

		tp_session_wait(&ob->tp, 100);
		tp_session_drain(&ob->tp, exit_view_drain_cb, &ob->view);
		target_stats_snap_debugfs(&ob->ts);
		target_gone = pidfd >= 0 && poll(&pfd, 1, 0) > 0;
		if (*stop || target_gone || (deadline > 0 && mono_now_s() >= deadline))
			return;
	}
}

void observe_run(struct observe *ob, volatile sig_atomic_t *stop, FILE *status)
{
	int pidfd = (int)syscall(SYS_pidfd_open, ob->o.pid, 0); /* readable when the target exits */
	time_t now = time(NULL);
	struct tm tm;
	double t0;

	gmtime_r(&now, &tm);
	strftime(ob->started, sizeof(ob->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	target_stats_snap(&ob->ts, false);
	if (ob->pmu) {
		pmu_set_read(ob->pmu, &ob->pmu0);
		pmu_set_enable(ob->pmu);
	}
	tp_session_enable(&ob->tp);
	t0 = mono_now_s();
	fprintf(status, "observing %d (%s): %zu threads, %zu VMs, %zu vCPUs, %zu of %zu tracepoints\n",
		(int)ob->o.pid, ob->p.comm, ob->p.ntids, ob->p.nvm, ob->p.nvcpu, tp_session_navailable(&ob->tp),
		ob->tp.nevents);
	fflush(status);

	drain_until(ob, pidfd, ob->o.duration_s > 0 ? t0 + ob->o.duration_s : 0, stop);

	tp_session_disable(&ob->tp);
	ob->seconds = mono_now_s() - t0;
	if (ob->pmu) {
		pmu_set_disable(ob->pmu);
		pmu_set_read(ob->pmu, &ob->pmu1);
	}
	target_stats_snap(&ob->ts, true);
	tp_session_drain(&ob->tp, exit_view_drain_cb, &ob->view);
	exit_view_set_session_counts(&ob->view, &ob->tp);
	if (pidfd >= 0)
		close(pidfd);
}

void observe_print(const struct observe *ob, FILE *f)
{
	fprintf(f, "exitlab observe: pid %d (%s), %.3f s\n\n", (int)ob->o.pid, ob->p.comm, ob->seconds);
	exit_view_print(&ob->view, f);
	fprintf(f, "\nKVM binary stats, cumulative deltas:\n");
	target_stats_print(f, &ob->ts);
	fflush(f);
}

json_t *observe_json(const struct observe *ob)
{
	json_t *threads = json_array(), *info = hostinfo_collect();
	const struct kvm_process *p = &ob->p;

	for (size_t i = 0; i < p->ntids; i++)
		json_array_append_new(threads, json_pack("{s:i, s:s}", "tid", (int)p->tids[i], "comm", p->tid_comm[i]));
	return json_pack("{s:s, s:i, s:s, s:f, s:o, s:{s:i, s:s, s:s, s:o, s:I, s:I}, s:o, s:o, s:o}",
			 "schema", OBSERVE_SCHEMA, "schema_version", OBSERVE_SCHEMA_VERSION,
			 "started_at", ob->started, "duration_s", ob->seconds,
			 "context", info ? info : json_null(),
			 "target", "pid", (int)ob->o.pid, "comm", p->comm, "cmdline", p->cmdline,
			 "threads", threads, "vms", (json_int_t)p->nvm, "vcpus", (json_int_t)p->nvcpu,
			 "tracepoints", exit_view_json(&ob->view),
			 "kvm_stats", target_stats_json(&ob->ts),
			 "pmu", ob->pmu ? pmu_delta_json(ob->pmu, &ob->pmu0, &ob->pmu1) :
					  json_pack("{s:s}", "status", ob->o.no_pmu ? "disabled" : "unavailable"));
}

void observe_free(struct observe *ob)
{
	if (!ob)
		return;
	if (ob->tp_open)
		tp_session_close(&ob->tp);
	exit_view_free(&ob->view);
	target_stats_close(&ob->ts);
	if (ob->pmu) {
		pmu_set_close(ob->pmu);
		free(ob->pmu);
	}
	free(ob);
}
