// SPDX-License-Identifier: MIT
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "campaign/campaign_entry.h"
#include "campaign/campaign_runner.h"
#include "util/mono_time.h"
#include "util/outcome.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

int campaign_run_pending(struct campaign_job *j)
{
	struct manifest *m = &j->m;
	struct campaign_progress pg = { 0 };
	struct sigaction sa, old_int, old_term;
	bool unrecorded = false; /* a manifest write failed: stop, exit 1 */
	size_t counts[6] = { 0 };
	char err[1024];

	if (manifest_write(m, j->dir, err, sizeof(err))) {
		fprintf(stderr, "exitlab campaign: %s\n", err);
		return EXIT_FAILED;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	pg.tty = isatty(2);
	pg.t0 = mono_now_s();
	pg.total = m->nentries;
	for (size_t i = 0; i < m->nentries; i++)
		pg.finished += m->entries[i].status != ST_PENDING;
	fprintf(stderr, "exitlab campaign: %s: %zu entries, %zu to run, results in %s\n", j->c.name,
		m->nentries, m->nentries - pg.finished, j->dir);
	for (size_t i = 0; i < m->nentries && !stop_signal && !unrecorded; i++) {
		struct manifest_entry *e = &m->entries[i];
		int rc;

		if (e->status != ST_PENDING)
			continue;
		rc = campaign_entry_run(m, j->dir, e, &pg, j->lock_fd, &stop_signal);
		if (rc == 2) {
			unrecorded = true;
			break;
		}
		if (rc == 0) {
			pg.finished++;
			campaign_progress_entry(&pg, e);
		}
		/*
		 * A manifest that cannot be written any more would let the
		 * campaign go on recording nothing: stop with what it has.
		 */
		if (manifest_write(m, j->dir, err, sizeof(err))) {
			fprintf(stderr, "\nexitlab campaign: %s\n", err);
			unrecorded = true;
		}
	}
	if (pg.tty)
		fprintf(stderr, "\n");
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (unrecorded) {
		fprintf(stderr, "exitlab campaign: stopped: %s/manifest.json cannot be written; it keeps the "
			"entries it recorded. Once the directory is writable, resume with:\n"
			"  exitlab campaign %s --resume %s\n", j->dir, j->file ? j->file : "", j->dir);
		return EXIT_FAILED;
	}
	if (stop_signal) {
		fprintf(stderr, "exitlab campaign: interrupted; the finished entries are kept. Resume with:\n"
			"  exitlab campaign %s --resume %s\n", j->file ? j->file : "", j->dir);
		return 130;
	}
	for (size_t i = 0; i < m->nentries; i++)
		counts[m->entries[i].status]++;
	fprintf(stderr, "exitlab campaign: %s: %zu done, %zu failed, %zu timeout, %zu skipped; "
		"manifest %s/manifest.json\n",
		j->c.name, counts[ST_DONE], counts[ST_FAILED], counts[ST_TIMEOUT], counts[ST_SKIPPED], j->dir);
	return counts[ST_FAILED] || counts[ST_TIMEOUT] ? EXIT_FAILED : EXIT_OK;
}
