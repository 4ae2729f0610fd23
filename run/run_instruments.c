/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run_instruments.h"

int run_instr_parse(struct run_instr_opts *o, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int rc = 0;

	if (!copy)
		return -1;
	o->tracepoints = o->trace = o->pmu = false;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "none"))
			continue;
		else if (!strcmp(tok, "all"))
			o->tracepoints = o->trace = o->pmu = true;
		else if (!strcmp(tok, "tracepoints"))
			o->tracepoints = true;
		else if (!strcmp(tok, "trace"))
			o->trace = true;
		else if (!strcmp(tok, "pmu"))
			o->pmu = true;
		else if (!strcmp(tok, "stats"))
			continue; /* always on */
		else
			rc = -1;
	}
	free(copy);
	return rc;
}

static void open_tracepoints(struct run_instruments *ri, const pid_t *tids, size_t n)
{
	if (tp_session_open(&ri->tp, tids, n, tp_kvm_events, tp_kvm_nevents, TP_COUNT, ri->tp_error,
			    sizeof(ri->tp_error)))
		return;
	ri->tp_before = calloc(ri->tp.nevents, sizeof(uint64_t));
	ri->tp_after = calloc(ri->tp.nevents, sizeof(uint64_t));
	if (!ri->tp_before || !ri->tp_after || tp_session_enable(&ri->tp)) {
		snprintf(ri->tp_error, sizeof(ri->tp_error), "enabling the tracepoint counters failed");
		tp_session_close(&ri->tp);
		return;
	}
	ri->tp_open = true;
}

static void open_trace(struct run_instruments *ri, const pid_t *tids, size_t n)
{
	if (tp_session_open(&ri->trace, tids, n, tp_kvm_events, tp_kvm_nevents, TP_SAMPLE,
			    ri->trace_error, sizeof(ri->trace_error)))
		return;
	ri->view = calloc(1, sizeof(*ri->view));
	if (!ri->view) {
		tp_session_close(&ri->trace);
		snprintf(ri->trace_error, sizeof(ri->trace_error), "out of memory");
		return;
	}
	ri->trace_open = true;
}

static void open_pmu(struct run_instruments *ri, const pid_t *tids, size_t ntids)
{
	const char *names[RUN_INSTR_MAX_PMU];
	size_t n = ri->o.npmu_events;

	if (pmu_init())
		snprintf(ri->pmu_error, sizeof(ri->pmu_error), "%s", pmu_init_error());
	if (n)
		memcpy(names, ri->o.pmu_events, n * sizeof(names[0]));
	else
		n = pmu_default_events(names, RUN_INSTR_MAX_PMU);
	ri->pmu = calloc(1, sizeof(*ri->pmu));
	ri->pmu_before = calloc(1, sizeof(*ri->pmu_before));
	ri->pmu_after = calloc(1, sizeof(*ri->pmu_after));
	if (!ri->pmu || !ri->pmu_before || !ri->pmu_after || pmu_set_open(ri->pmu, tids, ntids, names, n)) {
		snprintf(ri->pmu_error, sizeof(ri->pmu_error), "could not set up the counters");
		free(ri->pmu);
		ri->pmu = NULL;
		return;
	}
	/* Nothing countable (no hardware counters): say so once for the run, not in every test. */
	for (size_t e = 0; e < ri->pmu->nevents; e++)
		for (int sp = 0; sp < PMU_NSPLIT; sp++)
			ri->pmu_open |= pmu_counting(ri->pmu, e, sp);
	if (!ri->pmu_open) {
		snprintf(ri->pmu_error, sizeof(ri->pmu_error), "no event can be counted on this host");
		ri->pmu_unsupported = pmu_delta_json(ri->pmu, ri->pmu_before, ri->pmu_after);
		pmu_set_close(ri->pmu);
		return;
	}
	pmu_set_enable(ri->pmu);
}

void run_instr_open(struct run_instruments *ri, const struct run_instr_opts *o, const pid_t *vcpu_tids, size_t n)
{
	memset(ri, 0, sizeof(*ri));
	ri->o = *o;
	ri->nthreads = n;
	if (o->tracepoints)
		open_tracepoints(ri, vcpu_tids, n);
	if (o->trace)
		open_trace(ri, vcpu_tids, n);
	if (o->pmu)
		open_pmu(ri, vcpu_tids, n);
}

/* Order: sampling first (its drain is the slowest), counters last, nearest the guest. */
void run_instr_phase_begin(struct run_instruments *ri)
{
	if (ri->trace_open) {
		tp_session_disable(&ri->trace);
		tp_session_drain(&ri->trace, NULL, NULL);
		exit_view_free(ri->view);
		exit_view_init(ri->view);
		exit_view_add_session(ri->view, &ri->trace);
		tp_session_reset(&ri->trace);
		tp_session_enable(&ri->trace);
	}
	if (ri->pmu_open)
		pmu_set_read(ri->pmu, ri->pmu_before);
	if (ri->tp_open)
		tp_session_counts(&ri->tp, ri->tp_before);
}

static json_t *tp_counts_json(struct run_instruments *ri)
{
	json_t *counts = json_object();

	for (size_t i = 0; i < ri->tp.nevents; i++)
		if (ri->tp.events[i].available)
			json_object_set_new(counts, ri->tp.events[i].name,
					    json_integer((json_int_t)(ri->tp_after[i] - ri->tp_before[i])));
	return json_pack("{s:s, s:o}", "note", "raw counts over the phase, the PHASE_END doorbell included",
			 "counts", counts);
}

char *run_instr_phase_end(struct run_instruments *ri)
{
	json_t *o;
	char *s;

	if (!ri->tp_open && !ri->trace_open && !ri->pmu_open)
		return NULL;
	/* Counters first, nearest the guest, in the reverse order of phase_begin. */
	if (ri->tp_open)
		tp_session_counts(&ri->tp, ri->tp_after);
	if (ri->pmu_open)
		pmu_set_read(ri->pmu, ri->pmu_after);
	if (ri->trace_open) {
		tp_session_disable(&ri->trace);
		tp_session_drain(&ri->trace, exit_view_drain_cb, ri->view);
		exit_view_set_session_counts(ri->view, &ri->trace);
	}
	o = json_object();
	if (ri->tp_open)
		json_object_set_new(o, "tracepoints", tp_counts_json(ri));
	if (ri->trace_open)
		json_object_set_new(o, "trace", exit_view_json(ri->view));
	if (ri->pmu_open)
		json_object_set_new(o, "pmu", pmu_delta_json(ri->pmu, ri->pmu_before, ri->pmu_after));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static json_t *state(bool wanted, bool open, const char *err, json_t *detail)
{
	json_t *o;

	if (!wanted)
		return json_string("off");
	if (open)
		return json_string("on");
	o = json_pack("{s:s}", "unavailable", err);
	if (detail)
		json_object_set(o, "events", detail);
	return o;
}

json_t *run_instr_describe(const struct run_instruments *ri)
{
	return json_pack("{s:s, s:o, s:o, s:o, s:I}", "kvm_stats", "on",
			 "tracepoints", state(ri->o.tracepoints, ri->tp_open, ri->tp_error, NULL),
			 "trace", state(ri->o.trace, ri->trace_open, ri->trace_error, NULL),
			 "pmu", state(ri->o.pmu, ri->pmu_open, ri->pmu_error, ri->pmu_unsupported),
			 "vcpu_threads", (json_int_t)ri->nthreads);
}

void run_instr_close(struct run_instruments *ri)
{
	if (ri->tp_open)
		tp_session_close(&ri->tp);
	if (ri->trace_open) {
		tp_session_close(&ri->trace);
		exit_view_free(ri->view);
	}
	if (ri->pmu_open)
		pmu_set_close(ri->pmu);
	free(ri->tp_before);
	free(ri->tp_after);
	free(ri->view);
	free(ri->pmu);
	free(ri->pmu_before);
	free(ri->pmu_after);
	json_decref(ri->pmu_unsupported);
	memset(ri, 0, sizeof(*ri));
}
