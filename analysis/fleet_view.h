/* SPDX-License-Identifier: MIT */
/*
 * A fleet run as the report shows it (docs/fleet.md): each host of its
 * manifest with where it ran (KVM backend, CPU model, kernel, and the KVM
 * module parameters in which the hosts differ) and the test x host table of
 * median ns per operation over the host's repetitions.
 */
#ifndef EXITLAB_FLEET_VIEW_H
#define EXITLAB_FLEET_VIEW_H

#include <stddef.h>

#include "analysis/fleet_manifest.h"
#include "analysis/results_store.h"

struct fleet_view_host {
	const struct fleet_host *h;        /* its manifest record */
	const struct store_run *run;       /* its campaign run in the walked list, or NULL */
	char backend[64], cpu[160], kernel[160];
	char params[1024];                 /* "module.param=value ..." where the hosts differ */
};

struct fleet_view {
	struct fleet_manifest m;
	struct fleet_view_host *hosts;     /* in the manifest's order */
	size_t nparams, nparams_same;      /* module parameters seen, and those equal on every host */
};

/* One row of the test x host table: a test at its ring and params; ns per host (NAN: none). */
struct fleet_row {
	char payload[32];
	char label[200];
	int ring;
	double *ns;
};

/* The view of fleet directory dir whose runs l walked; 0, or -1 with err. */
int fleet_view_load(const char *dir, const struct store_list *l, struct fleet_view *v, char *err, size_t errlen);
/*
 * Host context from an exitlab info host object (a manifest's "host",
 * compact JSON): backend, CPU model, kernel release; each "" when absent.
 */
void fleet_host_context(const char *host_json, char *backend, size_t bl, char *cpu, size_t cl, char *kernel,
			size_t kl);
/*
 * The test x host table of v: every timed ok test of every done entry,
 * rows in first-seen order.  Unreadable results files are counted in
 * *unreadable and left out.  0, or -1 out of memory.
 */
int fleet_view_rows(const struct fleet_view *v, struct fleet_row **rows, size_t *n, int *unreadable);
void fleet_rows_free(struct fleet_row *rows, size_t n);
void fleet_view_free(struct fleet_view *v);

#endif
