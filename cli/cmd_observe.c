/* SPDX-License-Identifier: MIT */
/*
 * exitlab observe: `perf kvm stat live` for any KVM process (QEMU,
 * Firecracker, cloud-hypervisor, exitlab itself). Attaches tracepoint rings
 * and PMU counters to every thread of the target, copies its VM and vCPU fds
 * to read their KVM binary stats, and reports per exit reason, per port, per
 * MMIO address and per stat over the interval, as text and JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util/atomic_file.h"
#include "cli/commands.h"
#include "instruments/exit_view.h"
#include "instruments/hostinfo.h"
#include "util/json_out.h"
#include "instruments/kvm_debugfs.h"
#include "instruments/kvm_process.h"
#include "instruments/kvm_stats_json.h"
#include "instruments/pmu.h"
#include "instruments/tracepoints.h"

#define OBSERVE_SCHEMA "exitlab-observe"
#define OBSERVE_SCHEMA_VERSION 1

struct observe_opts {
	pid_t pid;
	double duration_s;      /* 0: until the target exits or SIGINT */
	const char *json_path;
	size_t ring_pages;
	bool no_pmu;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: exitlab observe --pid PID [--duration S] [--json FILE] [--ring-pages N] [--no-pmu]\n"
		"\n"
		"Attach to a running KVM process (any VMM) and report, over the interval, its exits\n"
		"per reason (where kvm:kvm_exit fires), per I/O port and per MMIO address, its\n"
		"userspace exits and MSR accesses (kvm tracepoints through perf_event), the KVM\n"
		"binary stats of its VMs and vCPUs, and hardware counters of its threads.\n"
		"Rows count and time as `perf kvm stat report` does (a port from kvm_pio, an MMIO\n"
		"write from kvm_mmio, to kvm_entry; an MMIO read from kvm_exit to its completion),\n"
		"with kvm_exit -> kvm_entry beside; an exit the capture cut is 'unpaired'\n"
		"(docs/instruments.md).\n"
		"\n"
		"options:\n"
		"  --pid PID          the process to observe (needs root, CAP_PERFMON or ptrace rights)\n"
		"  --duration S       stop after S seconds (default: when PID exits, or on Ctrl-C)\n"
		"  --json FILE        also write the report as JSON (atomically)\n"
		"  --ring-pages N     tracepoint ring per thread, pages, a power of 2 (default %d)\n"
		"  --no-pmu           do not open hardware counters\n"
		"  -h, --help         this text\n"
		"\n"
		"Once attached it prints 'observing ...' on stderr. Exit codes: 0 ok, 2 bad usage or\n"
		"no such KVM process, 3 the host cannot trace it (tracefs, permissions).\n",
		TP_RING_PAGES_DEFAULT);
}

static int parse_opts(int argc, char **argv, struct observe_opts *o)
{
	enum { O_PID = 256, O_DUR, O_JSON, O_RING, O_NOPMU };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, O_PID },
		{ "duration", required_argument, NULL, O_DUR },
		{ "json", required_argument, NULL, O_JSON },
		{ "ring-pages", required_argument, NULL, O_RING },
		{ "no-pmu", no_argument, NULL, O_NOPMU },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;
	char *end;

	memset(o, 0, sizeof(*o));
	o->ring_pages = TP_RING_PAGES_DEFAULT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_PID: {
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v <= 0 || v > 0x3fffffff) {
				fprintf(stderr, "exitlab observe: --pid needs a process id\n");
				return -1;
			}
			o->pid = (pid_t)v;
			break;
		}
		case O_DUR:
			errno = 0;
			o->duration_s = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o->duration_s > 0)) {
				fprintf(stderr, "exitlab observe: --duration needs seconds > 0\n");
				return -1;
			}
			break;
		case O_JSON:
			o->json_path = optarg;
			break;
		case O_RING: {
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v == 0 || (v & (v - 1)) || v > 65536) {
				fprintf(stderr, "exitlab observe: --ring-pages must be a power of 2 up to 65536\n");
				return -1;
			}
			o->ring_pages = v;
			break;
		}
		case O_NOPMU:
			o->no_pmu = true;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || !o->pid) {
		fprintf(stderr, "exitlab observe: --pid PID is required (and nothing else)\n");
		usage(stderr);
		return -1;
	}
	return 0;
}

/*
 * The target's KVM stats. KVM refuses KVM_GET_STATS_FD from another process
 * (EIO: not the VM's mm), so: copies of stats fds the target opened itself
 * (exitlab always does; QEMU after query-stats), else KVM's debugfs files.
 */
struct stats_entry {
	char kind[8];            /* "vm" or "vcpu" (stats fd) or "vm-debugfs" */
	int target_fd;
	struct kvm_stats s;      /* stats-fd source */
	struct kvm_debugfs dfs;  /* debugfs source */
	bool is_debugfs;
	uint64_t *before, *after;
	bool *before_ok, *after_ok;  /* debugfs: per file */
	char error[320];
};

struct target_stats {
	size_t n;
	struct stats_entry e[3 * KVM_PROCESS_MAX_FDS];
};

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

static void stats_open(struct target_stats *t, const struct kvm_process *p)
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

static void stats_snap(struct target_stats *t, bool after)
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

static json_t *stats_json(struct target_stats *t)
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

static void stats_close(struct target_stats *t)
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

/* debugfs directories go with their VM: keep the latest reading as we go. */
static void stats_snap_debugfs(struct target_stats *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].is_debugfs && stats_usable(&t->e[i]))
			kvm_debugfs_read(&t->e[i].dfs, t->e[i].after, t->e[i].after_ok);
}

/* Counters that moved, largest first would be nicer; listed in kernel order. */
static void stats_print(FILE *f, struct target_stats *t)
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

static int pidfd_of(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void now_iso(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Drain every ring until the deadline, the target's exit, or a signal. */
static void observe_loop(struct tp_session *tp, struct exit_view *view, struct target_stats *ts,
			 int pidfd, double deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		bool target_gone;

		tp_session_wait(tp, 100);
		tp_session_drain(tp, exit_view_drain_cb, view);
		stats_snap_debugfs(ts);
		target_gone = pidfd >= 0 && poll(&pfd, 1, 0) > 0;
		if (interrupted || target_gone || (deadline > 0 && mono_s() >= deadline))
			return;
	}
}

int cmd_observe(int argc, char **argv)
{
	struct observe_opts o;
	struct kvm_process *p = NULL;
	struct tp_session tp;
	struct exit_view *view = NULL;
	struct target_stats *ts = NULL;
	struct pmu_set *pmu = NULL;
	struct pmu_sample *pmu0 = NULL, *pmu1 = NULL;
	const char *pmu_events[8];
	size_t npmu = 0;
	char err[512], started[32];
	double t0, t1;
	int pidfd, code = EXIT_OK;
	struct sigaction sa;

	if (parse_opts(argc, argv, &o))
		return EXIT_USAGE;
	p = calloc(1, sizeof(*p));
	view = calloc(1, sizeof(*view));
	ts = calloc(1, sizeof(*ts));
	if (!p || !view || !ts) {
		fprintf(stderr, "exitlab observe: out of memory\n");
		code = EXIT_FAILED;
		goto out;
	}
	if (kvm_process_scan(o.pid, p, err, sizeof(err))) {
		fprintf(stderr, "exitlab observe: %s\n", err);
		code = EXIT_USAGE;
		goto out;
	}
	{
		struct tp_options opts = { .ring_pages = o.ring_pages };

		if (tp_session_open_opts(&tp, p->tids, p->ntids, tp_kvm_events, tp_kvm_nevents, TP_SAMPLE,
					 &opts, err, sizeof(err))) {
			fprintf(stderr, "exitlab observe: cannot trace process %d: %s\n", (int)o.pid, err);
			code = EXIT_NOHOST;
			goto out;
		}
	}
	exit_view_init(view);
	exit_view_add_session(view, &tp);
	stats_open(ts, p);
	if (!o.no_pmu) {
		pmu = calloc(1, sizeof(*pmu));
		pmu0 = calloc(1, sizeof(*pmu0));
		pmu1 = calloc(1, sizeof(*pmu1));
		pmu_init();
		npmu = pmu_default_events(pmu_events, sizeof(pmu_events) / sizeof(pmu_events[0]));
		if (!pmu || !pmu0 || !pmu1 || pmu_set_open(pmu, p->tids, p->ntids, pmu_events, npmu)) {
			free(pmu);
			pmu = NULL;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pidfd = pidfd_of(o.pid);

	now_iso(started, sizeof(started));
	stats_snap(ts, false);
	if (pmu) {
		pmu_set_read(pmu, pmu0);
		pmu_set_enable(pmu);
	}
	tp_session_enable(&tp);
	t0 = mono_s();
	fprintf(stderr, "observing %d (%s): %zu threads, %zu VMs, %zu vCPUs, %zu of %zu tracepoints\n",
		(int)o.pid, p->comm, p->ntids, p->nvm, p->nvcpu, tp_session_navailable(&tp), tp.nevents);
	fflush(stderr);

	observe_loop(&tp, view, ts, pidfd, o.duration_s > 0 ? t0 + o.duration_s : 0);

	tp_session_disable(&tp);
	t1 = mono_s();
	if (pmu) {
		pmu_set_disable(pmu);
		pmu_set_read(pmu, pmu1);
	}
	stats_snap(ts, true);
	tp_session_drain(&tp, exit_view_drain_cb, view);
	exit_view_set_session_counts(view, &tp);
	if (pidfd >= 0)
		close(pidfd);

	printf("exitlab observe: pid %d (%s), %.3f s\n\n", (int)o.pid, p->comm, t1 - t0);
	exit_view_print(view, stdout);
	printf("\nKVM binary stats, cumulative deltas:\n");
	stats_print(stdout, ts);
	fflush(stdout);

	if (o.json_path) {
		json_t *root, *threads = json_array(), *info = hostinfo_collect();
		char *text;

		for (size_t i = 0; i < p->ntids; i++)
			json_array_append_new(threads, json_pack("{s:i, s:s}", "tid", (int)p->tids[i],
								 "comm", p->tid_comm[i]));
		root = json_pack("{s:s, s:i, s:s, s:f, s:o, s:{s:i, s:s, s:s, s:o, s:I, s:I}, s:o, s:o, s:o}",
				 "schema", OBSERVE_SCHEMA, "schema_version", OBSERVE_SCHEMA_VERSION,
				 "started_at", started, "duration_s", t1 - t0,
				 "context", info ? info : json_null(),
				 "target", "pid", (int)o.pid, "comm", p->comm, "cmdline", p->cmdline,
				 "threads", threads, "vms", (json_int_t)p->nvm, "vcpus", (json_int_t)p->nvcpu,
				 "tracepoints", exit_view_json(view),
				 "kvm_stats", stats_json(ts),
				 "pmu", pmu ? pmu_delta_json(pmu, pmu0, pmu1) :
					      json_pack("{s:s}", "status", o.no_pmu ? "disabled" : "unavailable"));
		text = root ? json_dumps(root, JSON_INDENT(2) | EXITLAB_JSON_REALS) : NULL;
		if (!text || atomic_write_text(o.json_path, text, err, sizeof(err))) {
			fprintf(stderr, "exitlab observe: writing %s: %s\n", o.json_path, text ? err : "out of memory");
			code = EXIT_FAILED;
		}
		free(text);
		json_decref(root);
	}

	tp_session_close(&tp);
	exit_view_free(view);
	stats_close(ts);
	if (pmu)
		pmu_set_close(pmu);
out:
	free(pmu);
	free(pmu0);
	free(pmu1);
	free(ts);
	free(view);
	free(p);
	return code;
}
