// SPDX-License-Identifier: MIT
/*
 * exitlab run --vmm NAME (run_peer.h).  The peer VMM runs as our child with
 * guest RAM in a file we map too.  Each bench message is one COM2 byte: the
 * VMM writes it to our socket while the guest waits in guest memory for the
 * reply, so the bench device (devices/platform/bench.c) handles it exactly as under
 * our own VMM, reading the mailbox and the samples from the shared RAM.
 * Its snapshot hook reads the peer's KVM binary stats through copies of its
 * VM and vCPU fds (instruments/kvm_process.h) and counts the vCPU thread's
 * userspace exits with the kvm_userspace_exit tracepoint.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "devices/platform/bench.h"
#include "exitlab/linux_guest.h"
#include "run/collect.h"
#include "util/outcome.h"
#include "vmm/guest_mem.h"
#include "vmm/host_mem.h"
#include "run/host_baseline.h"
#include "instruments/hostinfo.h"
#include "instruments/kvm_process.h"
#include "instruments/kvm_stats.h"
#include "analysis/results.h"
#include "run/run_peer.h"
#include "run/run_result.h"
#include "instruments/tracepoints.h"

#define PEER_GRACE_S 5.0  /* after DONE, for the VMM to exit by itself */

struct peer_ctx {
	pid_t pid;
	struct guest_mem mem;
	struct bench_dev bench;
	bool attached;
	struct kvm_stats vcpu_stats, vm_stats;
	struct tp_session tp;
	bool tp_open;
	char tp_error[256];
	pid_t vcpu_tid;
	enum outcome stop_outcome;
	char stop_reason[256];
	bool stopped;
	const struct vmm_peer *peer;
	const struct peer_launch *launch;
	uint64_t mailbox;           /* the bench mailbox's GPA */
	void *stats_h;              /* the row's stats source, when the VMM holds no stats fd */
	int exits_ix;               /* "exits" among the vCPU values, or -1 */
	uint64_t read_exits;        /* exits our own stats reads caused so far */
};

int peer_append(const struct vmm_peer *p, const struct peer_run_opts *o, double tsc_khz, bool pvm,
		char *out, size_t len)
{
	double goal = o->quick ? o->quick_goal_ms : o->full_goal_ms;
	int n;

	n = snprintf(out, len, "bench=com2 tsc_khz=%.0f goal_ms=%.0f pio_port=%u%s%s", tsc_khz,
		     goal > 1 ? goal : 1, p->pio_port, pvm ? " pvm=1" : "",
		     o->ring == 0 ? " ring=0" : o->ring == 3 ? " ring=3" : "");
	if (n < 0 || (size_t)n >= len)
		return -1;
	if (o->iterations) {
		int m = snprintf(out + n, len - n, " iterations=%llu", (unsigned long long)o->iterations);

		if (m < 0 || (size_t)m >= len - n)
			return -1;
		n += m;
	}
	if (o->params && o->params[0]) {
		int m = snprintf(out + n, len - n, " %s", o->params);

		if (m < 0 || (size_t)m >= len - n)
			return -1;
	}
	return 0;
}

int peer_linux_cmdline(const char *append, uint64_t mem_mib, char *out, size_t len, uint64_t *mailbox)
{
	uint64_t mb = ((mem_mib << 20) / 2) & ~((2ULL << 20) - 1), buf = mb + 4096;
	int n;

	if (mem_mib < PEER_LINUX_MIN_MIB)
		return -1;
	n = snprintf(out, len, "console=ttyS0%s%s memmap=0x%llx$0x%llx %scom2,0x%llx,0x%x,0x%llx,0x%llx",
		     append && append[0] ? " " : "", append ? append : "",
		     (unsigned long long)(4096 + LINUX_BENCH_BUF_LEN), (unsigned long long)mb, LINUX_BENCH_KEY,
		     (unsigned long long)mb, PEER_COM2_PORT, (unsigned long long)buf,
		     (unsigned long long)LINUX_BENCH_BUF_LEN);
	*mailbox = mb;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* --- the bench device's hooks ------------------------------------------------ */

static void hook_snapshot(void *opaque, struct bench_snapshot *s)
{
	struct peer_ctx *pc = opaque;
	struct snap_layout l;
	struct timespec ts;

	snap_layout_init(&l, &pc->vcpu_stats, &pc->vm_stats);
	if (s->n != l.nvalues)
		return;
	/* The guest waits for our reply in memory, not in an exit: nothing moves but its spin. */
	if (pc->stats_h) {
		int kicks = pc->peer->stats_read(pc->stats_h, &pc->vcpu_stats, &s->v[l.vcpu_base],
						 &pc->vm_stats, &s->v[l.vm_base]);

		/* Reads that exit the vCPU leave the counts as if they had not. */
		pc->read_exits += kicks > 0 ? (uint64_t)kicks : 0;
		if (pc->exits_ix >= 0 && s->v[l.vcpu_base + pc->exits_ix] >= pc->read_exits)
			s->v[l.vcpu_base + pc->exits_ix] -= pc->read_exits;
	} else {
		if (pc->vcpu_stats.nvalues)
			kvm_stats_read(&pc->vcpu_stats, &s->v[l.vcpu_base]);
		if (pc->vm_stats.nvalues)
			kvm_stats_read(&pc->vm_stats, &s->v[l.vm_base]);
	}
	if (pc->tp_open) {
		uint64_t n = 0;

		if (tp_session_counts(&pc->tp, &n) == 0)
			s->v[SNAP_USER_EXITS] = n >= pc->read_exits ? n - pc->read_exits : 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->v[SNAP_HOST_NS] = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void hook_stop(void *opaque, enum outcome code, const char *why)
{
	struct peer_ctx *pc = opaque;

	if (pc->stopped)
		return;
	pc->stopped = true;
	pc->stop_outcome = code;
	snprintf(pc->stop_reason, sizeof(pc->stop_reason), "%s", why ? why : "");
}

/* A copy of the target's stats fd `tfd` into s; complains on stderr if it cannot. */
static void open_stats(pid_t pid, int tfd, struct kvm_stats *s, const char *what)
{
	int fd = kvm_process_dup_fd(pid, tfd);
	char err[256];

	if (fd < 0)
		fprintf(stderr, "exitlab run: %s stats of the VMM: %s\n", what, strerror(errno));
	else if (kvm_stats_open_fd(s, fd, err, sizeof(err)))
		fprintf(stderr, "exitlab run: %s stats of the VMM: %s\n", what, err);
}

/*
 * At the first bench message the VMM has made its VM and vCPU: copy its
 * stats fds (asking it to open them first if it has not) and find the vCPU
 * thread.  What cannot be had is said on stderr and left out (the stats then
 * take no snapshot slots, the userspace exits count nothing).
 */
static void attach(struct peer_ctx *pc)
{
	struct kvm_process *kp = calloc(1, sizeof(*kp));
	static const char *const uexit[] = { "kvm:kvm_userspace_exit" };
	char err[256];

	pc->attached = true;
	pc->vcpu_stats.fd = pc->vm_stats.fd = -1;
	if (!kp || kvm_process_scan(pc->pid, kp, err, sizeof(err))) {
		fprintf(stderr, "exitlab run: no KVM stats of the VMM: %s\n", kp ? err : "out of memory");
		free(kp);
		return;
	}
	if (kp->nvm_stats)
		open_stats(pc->pid, kp->vm_stats_fds[0], &pc->vm_stats, "VM");
	for (size_t i = 0; i < kp->nvcpu_stats; i++)
		if (kp->vcpu_stats_ids[i] == 0)
			open_stats(pc->pid, kp->vcpu_stats_fds[i], &pc->vcpu_stats, "vCPU");
	if (pc->vcpu_stats.fd < 0 && pc->vm_stats.fd < 0 && pc->peer->stats_open) {
		kvm_stats_close(&pc->vcpu_stats);
		kvm_stats_close(&pc->vm_stats);
		pc->stats_h = pc->peer->stats_open(pc->launch, &pc->vcpu_stats, &pc->vm_stats, err, sizeof(err));
		if (!pc->stats_h)
			fprintf(stderr, "exitlab run: KVM stats of the VMM: %s\n", err);
		pc->exits_ix = kvm_stats_value_index(&pc->vcpu_stats, "exits");
	}
	if (!pc->vcpu_stats.nvalues && !pc->vm_stats.nvalues)
		fprintf(stderr, "exitlab run: no KVM stats of the VMM: exits per iteration unknown\n");
	/* QEMU names its vCPU threads "CPU N/KVM" (debug-threads=on). */
	for (size_t i = 0; i < kp->ntids; i++)
		if (!strncmp(kp->tid_comm[i], "CPU 0/", 6))
			pc->vcpu_tid = kp->tids[i];
	if (pc->vcpu_tid) {
		if (tp_session_open(&pc->tp, &pc->vcpu_tid, 1, uexit, 1, TP_COUNT, pc->tp_error,
				    sizeof(pc->tp_error)) == 0) {
			pc->tp_open = true;
			tp_session_enable(&pc->tp);
		}
	} else {
		snprintf(pc->tp_error, sizeof(pc->tp_error), "no vCPU thread (\"CPU 0/...\") in the VMM");
	}
	if (!pc->tp_open)
		fprintf(stderr, "exitlab run: userspace exits of the VMM not counted: %s\n", pc->tp_error);
	free(kp);
}

static void bench_setup(struct peer_ctx *pc, const struct peer_run_opts *o, uint64_t mailbox)
{
	struct snap_layout l;
	struct bench_hooks hooks = {
		.opaque = pc,
		.snapshot = hook_snapshot,
		.stop = hook_stop,
	};

	snap_layout_init(&l, &pc->vcpu_stats, &pc->vm_stats);
	hooks.nvalues = l.nvalues;
	bench_init(&pc->bench, &pc->mem, mailbox, &hooks, stderr);
	pc->bench.select = o->tests;
	pc->bench.nselect = o->ntests;
	pc->bench.progress = o->progress;
}

/* --- the VMM process ------------------------------------------------------- */

static pid_t spawn(char *const *argv, int logfd)
{
	pid_t pid = fork();

	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		if (nul >= 0)
			dup2(nul, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		execvp(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static int listen_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1)) {
		snprintf(err, errlen, "bench socket %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Guest RAM in a file both the VMM and we map: /dev/shm when there is one. */
static int ram_file(struct peer_ctx *pc, const char *dir, uint64_t bytes, char *path, size_t plen,
		    char *err, size_t errlen)
{
	struct stat st;
	int fd;

	snprintf(path, plen, "%s/exitlab-peer-ram-XXXXXX", stat("/dev/shm", &st) == 0 ? "/dev/shm" : dir);
	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, (off_t)bytes)) {
		snprintf(err, errlen, "guest RAM file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	pc->mem.host = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (pc->mem.host == MAP_FAILED) {
		pc->mem.host = NULL;
		snprintf(err, errlen, "mapping guest RAM: %s", strerror(errno));
		return -1;
	}
	pc->mem.memfd = -1;
	pc->mem.size = bytes;
	pc->mem.page_size = 4096;
	pc->mem.backing = GUEST_BACKING_4K;
	return 0;
}

/* Copy the VMM's serial file to stderr, each line prefixed, unless --serial named a file. */
static void serial_out(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	bool bol = true;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		fprintf(stderr, "%s%s", bol ? "serial: " : "", line);
		bol = strchr(line, '\n') != NULL;
	}
	if (!bol)
		fputc('\n', stderr);
	fclose(f);
}

static void log_out(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "vmm: %s", line);
	fclose(f);
}

/*
 * Serve bench bytes until the VMM exits, the guest is done (then give the
 * VMM PEER_GRACE_S to exit), or the timeout.  The VMM's wait status in *status.
 */
/* A Linux guest's progress: console bytes (COM1's file) and bench bytes so far. */
static uint64_t progress(const struct peer_ctx *pc, uint64_t bench_bytes)
{
	struct stat st;

	return bench_bytes + (stat(pc->launch->serial_path, &st) == 0 ? (uint64_t)st.st_size : 0);
}

/*
 * A payload's run is bounded by --timeout.  A Linux guest's, as under our
 * own VMM, by --deadline in all and by --timeout without progress.
 */
static const char *overdue(struct peer_ctx *pc, const struct peer_run_opts *o, double t0, double now,
			   uint64_t bench_bytes, uint64_t *last, double *last_at, char *why, size_t len)
{
	uint64_t p;

	if (!o->is_linux) {
		if (now - t0 <= o->timeout_s)
			return NULL;
		snprintf(why, len, "timed out");
		return why;
	}
	if (now - t0 > o->deadline_s) {
		snprintf(why, len, "still running after %.0f s (--deadline)", o->deadline_s);
		return why;
	}
	p = progress(pc, bench_bytes);
	if (p != *last) {
		*last = p;
		*last_at = now;
	} else if (now - *last_at > o->timeout_s) {
		snprintf(why, len, "no console output and no bench message for %.0f s (--timeout)", o->timeout_s);
		return why;
	}
	return NULL;
}

static void serve(struct peer_ctx *pc, const struct peer_run_opts *o, int lfd, int *status,
		  bool *timed_out)
{
	double t0 = run_clock_s(), done_at = 0, last_at = t0;
	uint64_t bench_bytes = 0, last = 0;
	int cfd = -1;

	*status = -1;
	for (;;) {
		struct pollfd pfd = { .fd = cfd >= 0 ? cfd : lfd, .events = POLLIN };
		int w = waitpid(pc->pid, status, WNOHANG);
		double now = run_clock_s();
		char why[128];
		const char *late = NULL;

		if (w == pc->pid) {
			pc->pid = -1;
			break;
		}
		if (!done_at && (pc->bench.done || pc->bench.faulted || pc->stopped))
			done_at = now;
		if (!done_at)
			late = overdue(pc, o, t0, now, bench_bytes, &last, &last_at, why, sizeof(why));
		if ((done_at && now - done_at > PEER_GRACE_S) || late) {
			if (!done_at) {
				*timed_out = true;
				hook_stop(pc, OUTCOME_FAILED, late);
			}
			kill(pc->pid, SIGKILL);
			waitpid(pc->pid, status, 0);
			pc->pid = -1;
			break;
		}
		if (poll(&pfd, 1, 50) <= 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (cfd < 0) {
			cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			continue;
		}
		{
			uint8_t buf[64];
			ssize_t n = read(cfd, buf, sizeof(buf));

			if (n <= 0) {
				close(cfd);
				cfd = -2; /* the VMM closed COM2: wait for it to exit */
				continue;
			}
			bench_bytes += (uint64_t)n;
			for (ssize_t i = 0; i < n; i++) {
				if (!pc->attached) {
					attach(pc);
					bench_setup(pc, o, pc->mailbox);
				}
				if (pc->stopped || pc->bench.done || pc->bench.faulted)
					continue;
				bench_doorbell(&pc->bench, buf[i]);
			}
		}
	}
	if (cfd >= 0)
		close(cfd);
}

/*
 * How the peer's guest RAM file is backed, in config.vmm.backing's words
 * (exitlab's own runs: "4k" for a memfd without THP), or NULL when unknown:
 * the file is shared, so its pages are shmem's (/dev/shm: 4 KiB unless the
 * shmem THP policy, vmm/host_mem.h, lets QEMU's MADV_HUGEPAGE in) or the
 * page cache's (4 KiB for a writable shared file).
 */
static const char *ram_backing(const char *path)
{
	char policy[32], decided[256];

	if (strncmp(path, "/dev/shm/", 9) || host_mem_shmem_thp(policy, sizeof(policy), decided, sizeof(decided)))
		return "4k";
	return host_mem_shmem_thp_allows_madvise(policy) ? NULL : "4k";
}

static char *config_json(const struct vmm_peer *p, const struct peer_run_opts *o, const char *version,
			 const char *cmdline, const char *guest_cmdline, double tsc_khz, const char *tp_error,
			 const char *backing)
{
	json_t *c = json_object(), *tests = json_array(), *vmm;
	char *s;

	for (size_t i = 0; i < o->ntests; i++)
		json_array_append_new(tests, json_string(o->tests[i]));
	json_object_set_new(c, "payload_path", json_string(o->payload_path));
	json_object_set_new(c, "quick", json_boolean(o->quick));
	json_object_set_new(c, "iterations", o->iterations ? json_integer((json_int_t)o->iterations) : json_null());
	json_object_set_new(c, "tests_selected", tests);
	json_object_set_new(c, "rings", o->ring < 0 ? json_pack("[ii]", 0, 3) : json_pack("[i]", o->ring));
	json_object_set_new(c, "timeout_s", json_real(o->timeout_s));
	json_object_set_new(c, "vmm", json_pack("{s:s, s:s, s:s, s:s, s:I, s:s*, s:i, s:s, s:s, s:s*}",
		"name", p->name, "version", version, "binary", o->binary ? o->binary : p->binary,
		"command_line", cmdline, "mem_bytes", (json_int_t)(o->mem_mib << 20), "backing", backing, "vcpus", 1,
		"bench", "polled: COM2 doorbell byte, reply in shared guest RAM",
		"test_targets", p->test_targets, "userspace_exits_unavailable", tp_error[0] ? tp_error : NULL));
	vmm = json_object_get(c, "vmm");
	if (o->is_linux) {
		/* The Linux guest as exitlab was asked for it; its translation is in command_line. */
		json_t *devs = json_array();

		for (unsigned i = 0; i < o->ndevices; i++)
			json_array_append_new(devs, json_string(o->devices[i]));
		json_object_set_new(vmm, "linux", json_pack("{s:s, s:s?, s:s, s:o, s:s?}", "kernel", o->payload_path,
			"initrd", o->initrd, "cmdline", guest_cmdline, "devices", devs, "netdev", o->netdev));
		json_object_set_new(vmm, "test_targets", json_string("a Linux guest's own drivers on QEMU's devices"));
	}
	json_object_set_new(c, "guest_tsc_khz", json_real(tsc_khz));
	json_object_set_new(c, "devices", o->is_linux && p->linux_describe
			    ? p->linux_describe(o->devices, o->ndevices, o->netdev) : json_array());
	json_object_set_new(c, "params", json_string(o->params ? o->params : ""));
	s = json_dumps(c, JSON_COMPACT);
	json_decref(c);
	return s;
}

int run_peer(const struct vmm_peer *p, const struct peer_run_opts *o)
{
	struct peer_ctx *pc = calloc(1, sizeof(*pc));
	struct run_result res;
	struct peer_launch l = { 0 };
	struct strv argv = { 0 }, devs = { 0 };
	char dir[] = "/tmp/exitlab-peer-XXXXXX", sock[PATH_MAX], serial[PATH_MAX], vlog[PATH_MAX];
	char qmp[PATH_MAX];
	char ram[PATH_MAX] = "", append[4096], version[256], err[PATH_MAX + 256];
	const char *backing = NULL;
	const char *backend = hostinfo_backend();
	bool pvm = !strcmp(backend, "kvm_pvm"), timed_out = false;
	double t0 = run_clock_s(), tsc_khz = hostinfo_tsc_khz();
	char *cmdline = NULL;
	int lfd = -1, logfd = -1, status = -1, code = EXIT_OK;

	memset(&res, 0, sizeof(res));
	if (!pc)
		return EXIT_FAILED;
	pc->pid = -1;
	pc->exits_ix = -1;
	pc->vcpu_stats.fd = pc->vm_stats.fd = -1;
	l.binary = o->binary ? o->binary : p->binary;
	pc->mailbox = BOOT_MAILBOX_GPA;
	/* Bad usage before the host's lack: what this VMM cannot take, a command line too long. */
	if (o->is_linux) {
		if (!p->linux_devices || p->linux_devices(o->devices, o->ndevices, o->netdev, &devs, err, sizeof(err))) {
			fprintf(stderr, "exitlab run linux: --vmm %s: %s\n", p->name,
				p->linux_devices ? err : "it does not boot Linux guests");
			strv_free(&devs);
			free(pc);
			return EXIT_USAGE;
		}
		if (peer_linux_cmdline(o->append, o->mem_mib, append, sizeof(append), &pc->mailbox)) {
			fprintf(stderr, "exitlab run linux: --vmm %s needs --mem %d or more and a command line "
				"shorter than %zu bytes\n", p->name, PEER_LINUX_MIN_MIB, sizeof(append));
			strv_free(&devs);
			free(pc);
			return EXIT_USAGE;
		}
	} else if (peer_append(p, o, tsc_khz, pvm, append, sizeof(append))) {
		fprintf(stderr, "exitlab run: --param text too long for the payload's command line\n");
		free(pc);
		return EXIT_USAGE;
	}
	if (vmm_peer_version(l.binary, version, sizeof(version))) {
		fprintf(stderr, "exitlab run: --vmm %s: %s does not run here (package %s; "
			"scripts/deps.sh installs it)\n", p->name, l.binary, p->package);
		strv_free(&devs);
		free(pc);
		return EXIT_NOHOST;
	}
	if (!mkdtemp(dir)) {
		fprintf(stderr, "exitlab run: %s: %s\n", dir, strerror(errno));
		free(pc);
		return EXIT_FAILED;
	}
	snprintf(sock, sizeof(sock), "%s/bench.sock", dir);
	snprintf(serial, sizeof(serial), "%s", o->serial_path ? o->serial_path : "");
	if (!o->serial_path)
		snprintf(serial, sizeof(serial), "%s/serial.txt", dir);
	snprintf(vlog, sizeof(vlog), "%s/vmm.log", dir);
	snprintf(qmp, sizeof(qmp), "%s/control.sock", dir);
	run_now_iso(res.started_at, sizeof(res.started_at));

	if (ram_file(pc, dir, o->mem_mib << 20, ram, sizeof(ram), err, sizeof(err)) ||
	    (lfd = listen_unix(sock, err, sizeof(err))) < 0) {
		fprintf(stderr, "exitlab run: %s\n", err);
		code = EXIT_FAILED;
		goto out;
	}
	backing = ram_backing(ram);
	l.payload_path = o->payload_path;
	l.mem_path = ram;
	l.mem_mib = o->mem_mib;
	l.serial_path = serial;
	l.bench_socket = sock;
	l.append = append;
	l.control_socket = qmp;
	l.is_linux = o->is_linux;
	l.initrd = o->initrd;
	l.devices = &devs;
	pc->peer = p;
	pc->launch = &l;
	if (p->build_argv(&l, &argv) || !(cmdline = strv_join(&argv))) {
		fprintf(stderr, "exitlab run: out of memory\n");
		code = EXIT_FAILED;
		goto out;
	}
	logfd = open(vlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (logfd < 0 || (pc->pid = spawn(argv.v, logfd)) < 0) {
		fprintf(stderr, "exitlab run: starting %s: %s\n", l.binary, strerror(errno));
		code = EXIT_FAILED;
		goto out;
	}
	if (getenv("EXITLAB_VERBOSE"))
		fprintf(stderr, "exitlab run: %s\n", cmdline);
	serve(pc, o, lfd, &status, &timed_out);

	if (!o->serial_path)
		serial_out(serial);
	if (!pc->attached) {
		log_out(vlog);
		fprintf(stderr, "exitlab run: %s ended before the payload said anything (%s)\n", p->name,
			timed_out ? "timed out" : "see its output above");
		code = EXIT_FAILED;
		goto out;
	}
	if (pc->stopped && pc->stop_outcome)
		code = pc->stop_outcome == OUTCOME_NO_HOST ? EXIT_NOHOST : EXIT_FAILED;
	if (!pc->bench.done && !pc->bench.faulted) {
		log_out(vlog);
		hook_stop(pc, OUTCOME_FAILED, WIFEXITED(status) ? "the VMM exited before the payload was done"
						   : "the VMM was killed before the payload was done");
		code = EXIT_FAILED;
	}
	if (pc->bench.faulted || (pc->bench.done && pc->bench.done_status))
		code = EXIT_FAILED;
	if (code != EXIT_OK)
		fprintf(stderr, "exitlab run: %s under %s: %s\n",
			pc->bench.payload[0] ? pc->bench.payload : o->payload_arg, p->name,
			pc->stop_reason[0] ? pc->stop_reason : pc->bench.faulted ? "the guest faulted"
			: "the payload reported a failure");
	{
		struct collect_ctx cc = {
			.vcpu_stats = &pc->vcpu_stats,
			.vm_stats = &pc->vm_stats,
			.tsc_khz = tsc_khz,
			.pvm = pvm,
			.keep_samples = o->raw,
			.stop_reason = pc->stop_reason,
		};

		snprintf(res.payload, sizeof(res.payload), "%s",
			 pc->bench.payload[0] && !o->is_linux ? pc->bench.payload : o->payload_arg);
		if (collect_records(&cc, &pc->bench, &res)) {
			fprintf(stderr, "exitlab run: out of memory collecting results\n");
			code = EXIT_FAILED;
		}
	}
	if (!o->no_baseline && pc->bench.nrecs) {
		struct host_baseline_cfg hb = {
			.time_goal_cycles = (uint64_t)((o->quick ? o->quick_goal_ms : o->full_goal_ms) * tsc_khz),
			.iterations = o->iterations,
			.max_samples = 1 << 17,
			.keep_samples = o->raw,
		};

		host_baseline_run(&hb, tsc_khz, &res);
	}
	res.config_json = config_json(p, o, version, cmdline, append, tsc_khz, pc->tp_open ? "" : pc->tp_error,
				      backing);
	{
		uint64_t n = 0;
		json_t *v = json_pack("{s:s, s:o}", "peer", p->name, "userspace_exits",
				      pc->tp_open && !tp_session_counts(&pc->tp, &n) ? json_integer((json_int_t)n)
										   : json_null());

		res.vmm_json = json_dumps(v, JSON_COMPACT);
		json_decref(v);
	}
	if (res.ntests)
		printf("vmm: %s (%s)\n", p->name, version);
	code = run_result_finish(&res, o->catalogue, backend, code, t0, o->json_path);
out:
	if (pc->pid > 0) {
		kill(pc->pid, SIGKILL);
		waitpid(pc->pid, NULL, 0);
	}
	if (pc->attached)
		bench_destroy(&pc->bench);
	if (pc->tp_open)
		tp_session_close(&pc->tp);
	if (pc->stats_h)
		pc->peer->stats_close(pc->stats_h);
	kvm_stats_close(&pc->vcpu_stats);
	kvm_stats_close(&pc->vm_stats);
	if (pc->mem.host)
		munmap(pc->mem.host, pc->mem.size);
	if (lfd >= 0)
		close(lfd);
	if (logfd >= 0)
		close(logfd);
	if (ram[0])
		unlink(ram);
	unlink(sock);
	unlink(qmp);
	if (!o->serial_path)
		unlink(serial);
	unlink(vlog);
	rmdir(dir);
	free(cmdline);
	strv_free(&argv);
	strv_free(&devs);
	results_free(&res);
	free(pc);
	return code;
}
