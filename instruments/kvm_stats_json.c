/* SPDX-License-Identifier: MIT */
#include "instruments/kvm_stats_json.h"

json_t *kvm_stats_delta_json(const struct kvm_stats *s, const uint64_t *before,
			     const uint64_t *after)
{
	json_t *cum = json_object(), *lvl = json_object(), *hist = json_object();

	for (size_t i = 0; i < s->ndesc; i++) {
		const struct kvm_stat_desc *d = &s->desc[i];
		const uint64_t *b = before + d->index, *a = after + d->index;

		if (kvm_stats_is_hist(d->type)) {
			json_t *arr = json_array();
			bool moved = false;

			for (uint32_t k = 0; k < d->size; k++) {
				moved |= a[k] != b[k];
				json_array_append_new(arr, json_integer((json_int_t)(a[k] - b[k])));
			}
			if (moved)
				json_object_set_new(hist, d->name, arr);
			else
				json_decref(arr);
		} else if (kvm_stats_is_level(d->type)) {
			json_object_set_new(lvl, d->name, json_integer((json_int_t)a[0]));
		} else if (a[0] != b[0]) {
			json_object_set_new(cum, d->name, json_integer((json_int_t)(a[0] - b[0])));
		}
	}
	return json_pack("{s:o, s:o, s:o}", "cumulative", cum, "levels", lvl, "histograms", hist);
}
