// SPDX-License-Identifier: MIT
#include <stdio.h>

#include "campaign/campaign_progress.h"
#include "util/mono_time.h"

static void fmt_dur(char *buf, size_t len, double s)
{
	long t = s > 0 ? (long)(s + 0.5) : 0;

	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

void campaign_progress_bar(struct campaign_progress *pg, const char *current)
{
	char el[32], eta[32] = "?", bar[31];
	double elapsed = mono_now_s() - pg->t0;
	size_t fill = pg->total ? pg->finished * 30 / pg->total : 30;

	if (!pg->tty)
		return;
	fmt_dur(el, sizeof(el), elapsed);
	if (pg->ran)
		fmt_dur(eta, sizeof(eta), pg->ran_s / pg->ran * (double)(pg->total - pg->finished));
	for (size_t i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = 0;
	fprintf(stderr, "\r[%s] %zu/%zu  elapsed %s  eta %s  %.60s\033[K", bar, pg->finished, pg->total, el,
		eta,
		current ? current : "");
	fflush(stderr);
}

void campaign_progress_entry(struct campaign_progress *pg, const struct manifest_entry *e)
{
	if (pg->tty) {
		if (e->status != ST_DONE)
			fprintf(stderr, "\r\033[K%s: %s%s%s\n", e->name, entry_status_name(e->status),
				e->reason ? ": " : "", e->reason ? e->reason : "");
		campaign_progress_bar(pg, NULL);
		return;
	}
	fprintf(stderr, "[%zu/%zu] %-7s %s (%.1f s)%s%s\n", pg->finished, pg->total,
		entry_status_name(e->status),
		e->name, e->duration_s, e->reason ? ": " : "", e->reason ? e->reason : "");
}
