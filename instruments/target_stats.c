/* SPDX-License-Identifier: MIT */
/* Another process's KVM stats (instruments/target_stats.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "instruments/kvm_stats_json.h"
#include "instruments/target_stats.h"

static void stats_from_fd(struct target_stats *t, pid_t pid, const char *kind, int fd)
{
	struct stats_entry *e = &t->e[t->n++];
	char err[160];
	int copy;

	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	e->target_fd = fd;
	e->s.fd = -1;
	copy = kvm_process_dup_fd(pid, fd);
	if (copy < 0) {
		snprintf(e->error, sizeof(e->error), "pidfd_getfd(fd %d): %s", fd, strerror(errno));
		return;
	}
	if (kvm_stats_open_fd(&e->s, copy, err, sizeof(err))) { /* takes ownership of copy */
		snprintf(e->error, sizeof(e->error), "%s", err);
		e->s.fd = -1;
		return;
	}
	e->before = calloc(e->s.nvalues + 1, sizeof(uint64_t));
	e->after = calloc(e->s.nvalues + 1, sizeof(uint64_t));
}

static void stats_from_debugfs(struct target_stats *t, pid_t pid, int vm_fd)
{
	struct stats_entry *e = &t->e[t->n++];
	char err[200];

	snprintf(e->kind, sizeof(e->kind), "vm");
	e->target_fd = vm_fd;
	e->s.fd = -1;
	e->is_debugfs = true;
	if (kvm_debugfs_open(&e->dfs, pid, vm_fd, err, sizeof(err))) {
		snprintf(e->error, sizeof(e->error), "no stats fd in the target, and debugfs: %s", err);
		return;
	}
	e->before = calloc(e->dfs.n + 1, sizeof(uint64_t));
	e->after = calloc(e->dfs.n + 1, sizeof(uint64_t));
	e->before_ok = calloc(e->dfs.n + 1, sizeof(bool));
	e->after_ok = calloc(e->dfs.n + 1, sizeof(bool));
}

void target_stats_open(struct target_stats *t, const struct kvm_process *p)
{
	t->n = 0;
	for (size_t i = 0; i < p->nvm_stats; i++)
		stats_from_fd(t, p->pid, "vm", p->vm_stats_fds[i]);
	for (size_t i = 0; i < p->nvcpu_stats; i++)
		stats_from_fd(t, p->pid, "vcpu", p->vcpu_stats_fds[i]);
	if (!p->nvm_stats)
		for (size_t i = 0; i < p->nvm; i++)
			stats_from_debugfs(t, p->pid, p->vm_fds[i]);
}

static bool stats_usable(const struct stats_entry *e)
{
	return !e->error[0] && e->before && e->after;
}

void target_stats_snap(struct target_stats *t, bool after)
{
	for (size_t i = 0; i < t->n; i++) {
		struct stats_entry *e = &t->e[i];

		if (!stats_usable(e))
			continue;
		if (e->is_debugfs)
			kvm_debugfs_read(&e->dfs, after ? e->after : e->before,
					 after ? e->after_ok : e->before_ok);
		else if (kvm_stats_read(&e->s, after ? e->after : e->before))
			snprintf(e->error, sizeof(e->error), "reading the stats fd failed (VM gone?)");
	}
}

static json_t *stats_entry_json(const struct stats_entry *e)
{
	if (e->is_debugfs)
		return kvm_debugfs_delta_json(&e->dfs, e->before, e->before_ok, e->after, e->after_ok);
	return json_pack("{s:s, s:s, s:o}", "source", "stats fd of the target", "id", e->s.id,
			 "delta", kvm_stats_delta_json(&e->s, e->before, e->after));
}

json_t *target_stats_json(const struct target_stats *t)
{
	json_t *a = json_array();

	for (size_t i = 0; i < t->n; i++) {
		const struct stats_entry *e = &t->e[i];
		json_t *o = json_pack("{s:s, s:i}", "kind", e->kind, "target_fd", e->target_fd);

		if (stats_usable(e)) {
			json_object_set_new(o, "stats", stats_entry_json(e));
		} else {
			json_object_set_new(o, "stats", json_null());
			json_object_set_new(o, "stats_error", json_string(e->error));
		}
		json_array_append_new(a, o);
	}
	return a;
}

void target_stats_close(struct target_stats *t)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->e[i].is_debugfs)
			kvm_debugfs_close(&t->e[i].dfs);
		else if (t->e[i].s.fd >= 0)
			kvm_stats_close(&t->e[i].s);
		free(t->e[i].before);
		free(t->e[i].after);
		free(t->e[i].before_ok);
		free(t->e[i].after_ok);
	}
}

void target_stats_snap_debugfs(struct target_stats *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].is_debugfs && stats_usable(&t->e[i]))
			kvm_debugfs_read(&t->e[i].dfs, t->e[i].after, t->e[i].after_ok);
}

/* Counters that moved, in kernel order. */
void target_stats_print(FILE *f, const struct target_stats *t)
{
	if (!t->n)
		fprintf(f, "  none found\n");
	for (size_t i = 0; i < t->n; i++) {
		const struct stats_entry *e = &t->e[i];
		json_t *j, *cum, *v, *bad;
		const char *k;

		if (!stats_usable(e)) {
			fprintf(f, "  %s fd %d: unavailable: %s\n", e->kind, e->target_fd, e->error);
			continue;
		}
		j = stats_entry_json(e);
		cum = e->is_debugfs ? json_object_get(j, "cumulative") :
				      json_object_get(json_object_get(j, "delta"), "cumulative");
		fprintf(f, "  %s fd %d (%s):%s\n", e->kind, e->target_fd,
			e->is_debugfs ? e->dfs.dir : e->s.id, json_object_size(cum) ? "" : " nothing moved");
		json_object_foreach(cum, k, v)
			fprintf(f, "    %-28s %12lld\n", k, (long long)json_integer_value(v));
		bad = json_object_get(j, "unreadable");
		if (json_object_size(bad)) {
			json_t *first = json_object_iter_value(json_object_iter(bad));

			fprintf(f, "    %zu of %zu files unreadable, e.g. %s: %s\n", json_object_size(bad),
				e->dfs.n, json_object_iter_key(json_object_iter(bad)), json_string_value(first));
		}
		json_decref(j);
	}
}

