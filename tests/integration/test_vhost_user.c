/* SPDX-License-Identifier: MIT */
/*
 * vhost-user against back-ends we did not write, started and stopped here
 * by PID: dpdk-testpmd (vhost-user-net) in macswap, io, txonly and rxonly
 * modes, as server and as client (client=1: we listen); qemu-storage-daemon
 * (vhost-user-blk) whose image must hold what the blk payload wrote.  Then
 * the faults: the back-end killed mid-run, once exitlab's --progress file
 * says two tests have finished (on-disconnect=stop: exit 1, the completed
 * tests kept; reset: it is restarted and we reconnect), a fake
 * back-end in a thread sending malformed replies, and wrong or stale
 * socket paths (exit 3); and the hostile-dev guest rewriting the rings
 * testpmd owns.  Each test skips with a reason if its back-end is
 * not installed.  Counts and outcomes, never timings.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/integration/harness.h"

#define TESTPMD "dpdk-testpmd"
#define QSD     "qemu-storage-daemon"

static unsigned serial;

static const char *missing(const char *bin)
{
	static char why[160];
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", bin);
	if (!system(cmd))
		return NULL;
	snprintf(why, sizeof(why), "%s is not installed (scripts/deps.sh installs it)", bin);
	return why;
}

#define NEED(bin)                                                          \
	do {                                                               \
		const char *why_ = harness_kvm_missing() ? harness_kvm_missing() : missing(bin); \
		if (why_) {                                                \
			fprintf(stderr, "skipped: %s\n", why_);            \
			skip();                                            \
		}                                                          \
	} while (0)

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Start argv with stdout+stderr into log and RUNTIME_DIRECTORY=rundir: the child's PID. */
static pid_t spawn(const char *const *argv, const char *log, const char *rundir)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (rundir)
			setenv("RUNTIME_DIRECTORY", rundir, 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* SIGTERM by PID, then SIGKILL if it has not gone within 5 s. */
static void stop(pid_t pid)
{
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return;
		msleep(100);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

static bool wait_socket(const char *path, int ms)
{
	struct stat st;

	for (int t = 0; t < ms; t += 50) {
		if (!stat(path, &st) && S_ISSOCK(st.st_mode))
			return true;
		msleep(50);
	}
	return false;
}

struct backend {
	pid_t pid;
	char dir[256], sock[300], log[300];
};

/* dpdk-testpmd with a vhost-user port at b->sock in `mode` (client: it connects to us). */
static void testpmd_start(struct backend *b, const char *mode, bool client)
{
	char prefix[64], vdev[400], fwd[64];
	const char *argv[] = {
		TESTPMD, "--no-huge", "-m", "64", "--no-pci", "--no-shconf", "--no-telemetry", "--file-prefix", prefix,
		"--lcores", "0@1,1@1", "--vdev", vdev, "--", fwd, "--auto-start", "--stats-period", "1",
		"--total-num-mbufs=2048", NULL,
	};

	snprintf(b->dir, sizeof(b->dir), "%s/tp%u", harness_tmp, ++serial);
	mkdir(b->dir, 0700);
	snprintf(b->sock, sizeof(b->sock), "%s/sock", b->dir);
	snprintf(b->log, sizeof(b->log), "%s/testpmd.log", b->dir);
	snprintf(prefix, sizeof(prefix), "exitlab%d_%u", getpid(), serial);
	snprintf(vdev, sizeof(vdev), "net_vhost0,iface=%s,queues=1%s", b->sock, client ? ",client=1" : "");
	snprintf(fwd, sizeof(fwd), "--forward-mode=%s", mode);
	unlink(b->sock);
	b->pid = spawn(argv, b->log, b->dir);
	if (!client && !wait_socket(b->sock, 120000)) {
		stop(b->pid);
		fail_msg("dpdk-testpmd made no socket at %s (log %s)", b->sock, b->log);
	}
}

static json_t *load(const char *json)
{
	json_error_t je;
	json_t *d = json_load_file(json, 0, &je);

	if (!d)
		fprintf(stderr, "%s: %s\n", json, je.text);
	assert_non_null(d);
	return d;
}

static json_int_t metric(json_t *t, const char *key)
{
	json_t *v = json_object_get(json_object_get(t, "metrics"), key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const char *status(json_t *t)
{
	return json_string_value(json_object_get(t, "status"));
}

/* exitlab run net against b with extra --param args; the exit code and the results document. */
static json_t *run_net_progress(struct backend *b, const char *devopts, const char *const *params,
				const char *progress, int *code, struct run_out *o)
{
	char dev[400], json[300];
	const char *args[32] = { "run", harness_payload("net"), "--ring", "3", "--no-baseline", "--device", dev,
				 "--json", json };
	unsigned n = 9;

	if (progress) {
		/* a fault-injection run: room for a host slowed down by other work */
		args[n++] = "--progress";
		args[n++] = progress;
		args[n++] = "--timeout";
		args[n++] = "900";
	}

	snprintf(dev, sizeof(dev), "virtio-net,vhost-user=%s%s", b->sock, devopts);
	snprintf(json, sizeof(json), "%s/net.json", b->dir);
	unlink(json);
	for (unsigned i = 0; params[i]; i++) {
		args[n++] = "--param";
		args[n++] = params[i];
	}
	args[n] = NULL;
	harness_run(o, args);
	*code = o->exit_code;
	if (access(json, R_OK))
		return NULL;
	return load(json);
}

static json_t *run_net(struct backend *b, const char *devopts, const char *const *params, int *code,
		       struct run_out *o)
{
	return run_net_progress(b, devopts, params, NULL, code, o);
}

static void expect_exit(struct run_out *o, int code, int want)
{
	if (code != want)
		fprintf(stderr, "exit %d, wanted %d\n%s%s", code, want, o->out, o->err);
	assert_int_equal(code, want);
}

/* Every test in doc with this name is ok; how many there were. */
static unsigned all_ok(json_t *doc, const char *name)
{
	json_t *t;
	size_t i;
	unsigned n = 0;

	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		if (strcmp(json_string_value(json_object_get(t, "name")), name))
			continue;
		if (strcmp(status(t), "ok"))
			fail_msg("%s: %s (%s)", name, status(t), json_string_value(json_object_get(t, "reason")));
		n++;
	}
	return n;
}

static json_t *first(json_t *doc, const char *name)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(doc, "tests"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "name")), name))
			return t;
	fail_msg("no test %s", name);
	return NULL;
}

/* macswap: frames come back with their MACs swapped, seq and pattern intact (the payload checks). */
static void test_testpmd_macswap(void **state)
{
	struct backend b;
	struct run_out o;
	json_t *doc, *d;
	int code;

	(void)state;
	NEED(TESTPMD);
	testpmd_start(&b, "macswap", false);
	doc = run_net(&b, "", (const char *[]){ "loopback=1", "frames=256", "batch=1,32", "dir=tx,rx", NULL },
		      &code, &o);
	stop(b.pid);
	expect_exit(&o, code, 0);
	harness_free(&o);
	assert_int_equal(all_ok(doc, "tx"), 2);
	assert_int_equal(all_ok(doc, "rx"), 2);
	assert_int_equal(metric(first(doc, "rx"), "checked"), 256);
	assert_int_equal(metric(first(doc, "rx"), "bad"), 0);
	d = json_array_get(json_object_get(json_object_get(doc, "config"), "devices"), 0);
	assert_string_equal(json_string_value(json_object_get(d, "backend")), "vhost-user");
	assert_string_equal(json_string_value(json_object_get(d, "socket")), b.sock);
	json_decref(doc);
}

/* txonly: testpmd's own frames arrive in the guest (foreign=1 counts them unchecked). */
static void test_testpmd_txonly(void **state)
{
	struct backend b;
	struct run_out o;
	json_t *doc;
	int code;

	(void)state;
	NEED(TESTPMD);
	testpmd_start(&b, "txonly", false);
	doc = run_net(&b, "", (const char *[]){ "foreign=1", "frames=512", "batch=32", "dir=rx", NULL }, &code, &o);
	stop(b.pid);
	expect_exit(&o, code, 0);
	harness_free(&o);
	assert_int_equal(all_ok(doc, "rx"), 1);
	assert_true(metric(first(doc, "rx"), "frames") >= 512);
	assert_int_equal(metric(first(doc, "rx"), "checked"), 0);
	json_decref(doc);
}

/* io forwards frames back unchanged; rxonly swallows what we send. */
static void test_testpmd_io_rxonly(void **state)
{
	struct backend b;
	struct run_out o;
	json_t *doc;
	int code;

	(void)state;
	NEED(TESTPMD);
	testpmd_start(&b, "io", false);
	doc = run_net(&b, "", (const char *[]){ "loopback=1", "frames=256", "batch=32", "dir=rx", NULL }, &code, &o);
	stop(b.pid);
	expect_exit(&o, code, 0);
	harness_free(&o);
	assert_int_equal(all_ok(doc, "rx"), 1);
	assert_int_equal(metric(first(doc, "rx"), "checked"), 256);
	json_decref(doc);

	testpmd_start(&b, "rxonly", false);
	doc = run_net(&b, "", (const char *[]){ "frames=256", "batch=1,32", "dir=tx", NULL }, &code, &o);
	stop(b.pid);
	expect_exit(&o, code, 0);
	harness_free(&o);
	assert_int_equal(all_ok(doc, "tx"), 2);
	json_decref(doc);
}

/* server=1: we listen, testpmd (client=1) connects to us. */
static void test_testpmd_client_mode(void **state)
{
	struct backend b;
	struct run_out o;
	json_t *doc;
	int code;

	(void)state;
	NEED(TESTPMD);
	testpmd_start(&b, "macswap", true);
	doc = run_net(&b, ",server=1", (const char *[]){ "loopback=1", "frames=256", "batch=32", "dir=rx", NULL },
		      &code, &o);
	stop(b.pid);
	expect_exit(&o, code, 0);
	harness_free(&o);
	assert_int_equal(all_ok(doc, "rx"), 1);
	json_decref(doc);
}

/*
 * Fault injection at a point the test controls: exitlab's --progress file gets
 * a line as each test finishes; the killer polls it and, once KILL_AFTER tests
 * have finished (however slow the host), stops exitlab (SIGSTOP), counts the
 * tests finished (`seen`: exact, nothing runs while it is stopped), kills
 * testpmd, and lets exitlab go on. So the kill lands after exactly `seen`
 * tests whatever the scheduler did, and the assertions use that count, not a
 * hope about how fast the killer woke up; each test sending KILL_FRAMES frames,
 * the last one is far off. The back-end that takes over is started and ready
 * before the run begins.
 */
#define KILL_FRAMES 262144
#define KILL_DIRS "dir=tx,tx,tx,tx,tx" /* the payload keeps 15 characters of dir= */
#define KILL_TESTS 10 /* five dirs by two batch sizes */
#define KILL_AFTER 2
#define STR(x) #x
#define XSTR(x) STR(x)
struct killer {
	struct backend *b;
	char progress[320];  /* exitlab run --progress */
	bool restart;        /* nb takes over b's socket name the moment b is killed */
	struct backend nb;
	int seen;            /* tests finished when the kill came */
};

/* The process whose command line names path (the exitlab run writing it), or -1. */
static pid_t pid_naming(const char *path)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = -1;

	if (!d)
		return -1;
	while (found < 0 && (de = readdir(d))) {
		char f[300], buf[4096];
		ssize_t n;
		int fd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(f, sizeof(f), "/proc/%s/cmdline", de->d_name);
		fd = open(f, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
			buf[n] = 0;
			if (!strcmp(buf + i, path)) {
				found = atoi(de->d_name);
				break;
			}
		}
	}
	closedir(d);
	return found;
}

static void *killer_main(void *arg)
{
	struct killer *k = arg;
	pid_t vmm = -1;

	/* a bound only for a run that never gets there (10 minutes) */
	for (int i = 0; i < 120000 && harness_progress_lines(k->progress) < KILL_AFTER; i++)
		msleep(5);
	vmm = pid_naming(k->progress);
	if (vmm > 0)
		kill(vmm, SIGSTOP);
	k->seen = harness_progress_lines(k->progress);
	/*
	 * SIGKILL, a crash: the connection drops the moment it lands.  (SIGTERM
	 * lets testpmd shut down at its own pace, long enough here for every
	 * remaining test to finish first.)  With a restart, the new testpmd,
	 * listening since before the run, first takes the socket's name over
	 * (rename is atomic), so exitlab's first reconnect attempt finds it;
	 * the old one keeps its connection until it dies.
	 */
	if (k->restart && rename(k->nb.sock, k->b->sock))
		fprintf(stderr, "rename %s -> %s: %s\n", k->nb.sock, k->b->sock, strerror(errno));
	kill(k->b->pid, SIGKILL);
	waitpid(k->b->pid, NULL, 0);
	k->b->pid = -1;
	if (vmm > 0)
		kill(vmm, SIGCONT);
	return NULL;
}

/* on-disconnect=stop: the run ends, exit 1, a message naming the socket, completed tests kept. */
static void test_kill_backend_stop(void **state)
{
	struct backend b;
	struct killer k = { .b = &b };
	struct run_out o;
	pthread_t th;
	json_t *doc, *t;
	size_t i, kept = 0;
	int code;

	(void)state;
	NEED(TESTPMD);
	testpmd_start(&b, "macswap", false);
	snprintf(k.progress, sizeof(k.progress), "%s/progress", b.dir);
	unlink(k.progress);
	assert_int_equal(pthread_create(&th, NULL, killer_main, &k), 0);
	doc = run_net_progress(&b, ",on-disconnect=stop",
			       (const char *[]){ "loopback=1", "frames=" XSTR(KILL_FRAMES), "batch=32,64", KILL_DIRS,
						 NULL },
			       k.progress, &code, &o);
	pthread_join(th, NULL);
	stop(b.pid);
	expect_exit(&o, code, 1);
	if (!strstr(o.err, "disconnected (on-disconnect=stop)"))
		fprintf(stderr, "%s", o.err);
	assert_non_null(strstr(o.err, "disconnected (on-disconnect=stop)"));
	assert_non_null(strstr(o.err, b.sock));
	harness_free(&o);
	assert_non_null(doc);
	json_array_foreach(json_object_get(doc, "tests"), i, t)
		if (!strcmp(status(t), "ok"))
			kept++;
	fprintf(stderr, "%zu completed tests kept, the kill after %d\n", kept, k.seen);
	assert_true(k.seen >= KILL_AFTER && k.seen < KILL_TESTS);
	/* every test finished before the kill is kept; the rest never ran */
	assert_true(kept >= (size_t)k.seen && kept < KILL_TESTS);
	json_decref(doc);
}

/* on-disconnect=reset: NEEDS_RESET, then a restarted testpmd is reconnected and the rings resume. */
static void test_kill_backend_reconnect(void **state)
{
	struct backend b;
	struct killer k = { .b = &b, .restart = true };
	struct run_out o;
	pthread_t th;
	json_t *doc, *t;
	json_int_t reconnects = 0;
	size_t i;
	int code;

	(void)state;
	NEED(TESTPMD);
	testpmd_start(&b, "macswap", false);
	testpmd_start(&k.nb, "macswap", false); /* the one that takes over */
	snprintf(k.progress, sizeof(k.progress), "%s/progress", b.dir);
	unlink(k.progress);
	assert_int_equal(pthread_create(&th, NULL, killer_main, &k), 0);
	doc = run_net_progress(&b, "", (const char *[]){ "loopback=1", "frames=" XSTR(KILL_FRAMES), "batch=32,64",
							 KILL_DIRS, NULL },
			       k.progress, &code, &o);
	pthread_join(th, NULL);
	stop(k.nb.pid);
	if (!strstr(o.err, "reconnected to"))
		fprintf(stderr, "exit %d\n%s", code, o.err);
	assert_non_null(strstr(o.err, "device needs reset"));
	assert_non_null(strstr(o.err, "reconnected to"));
	if (code != 0 && code != 1)
		expect_exit(&o, code, 0);
	harness_free(&o);
	assert_non_null(doc);
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		json_t *dev = json_object_get(json_object_get(json_object_get(t, "host"), "devices"), "vhost-user-net");

		reconnects += json_integer_value(json_object_get(dev, "reconnects"));
	}
	/*
	 * Counters are per test phase: a reconnect that falls between two
	 * phases (the kill comes right after a test ends, often before the
	 * next phase begins) is in no row. The messages above prove it.
	 */
	assert_true(reconnects <= 1);
	/*
	 * Every test has its row (a failed one does not end the run); those
	 * before the kill ran on the first back-end; the rings resumed on the
	 * new one: the last test, long after the kill, ran wholly on it.  The
	 * test the kill hit may fail (frames in flight are lost): not asserted.
	 */
	json_array_foreach(json_object_get(doc, "tests"), i, t) {
		fprintf(stderr, "test %zu: %s\n", i, status(t));
		if (i < (size_t)k.seen)
			assert_string_equal(status(t), "ok");
	}
	assert_true(k.seen >= KILL_AFTER && k.seen < KILL_TESTS);
	assert_int_equal(json_array_size(json_object_get(doc, "tests")), KILL_TESTS);
	t = json_array_get(json_object_get(doc, "tests"), KILL_TESTS - 1);
	assert_string_equal(status(t), "ok");
	json_decref(doc);
}

/* qemu-storage-daemon: what the blk payload wrote is in the image and read back equal. */
static void test_qsd_blk(void **state)
{
	char dir[256], sock[300], img[300], log[300], pidf[300], bd[400], ex[400], json[300];
	const char *argv[] = { QSD, "--blockdev", bd, "--export", ex, "--pidfile", pidf, NULL };
	struct run_out o;
	json_t *doc;
	FILE *f;
	uint8_t s[512];
	int bad = 0;
	pid_t pid;

	(void)state;
	NEED(QSD);
	snprintf(dir, sizeof(dir), "%s/qsd", harness_tmp);
	mkdir(dir, 0700);
	snprintf(sock, sizeof(sock), "%s/sock", dir);
	snprintf(img, sizeof(img), "%s/disk.img", dir);
	snprintf(log, sizeof(log), "%s/qsd.log", dir);
	snprintf(pidf, sizeof(pidf), "%s/qsd.pid", dir);
	snprintf(json, sizeof(json), "%s/blk.json", dir);
	f = fopen(img, "wb");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), 4 << 20), 0);
	fclose(f);
	snprintf(bd, sizeof(bd), "driver=file,node-name=f,filename=%s", img);
	snprintf(ex, sizeof(ex), "type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=%s,writable=on", sock);
	pid = spawn(argv, log, NULL);
	if (!wait_socket(sock, 120000)) {
		stop(pid);
		fail_msg("qemu-storage-daemon made no socket (log %s)", log);
	}
	char dev[400];

	snprintf(dev, sizeof(dev), "virtio-blk,vhost-user=%s", sock);
	harness_run(&o, (const char *[]){ "run", harness_payload("blk"), "--ring", "3", "--no-baseline", "--device",
					   dev, "--param", "ios=64", "--json", json, NULL });
	stop(pid);
	expect_exit(&o, o.exit_code, 0);
	harness_free(&o);
	doc = load(json);
	assert_int_equal(all_ok(doc, "write"), 1);
	assert_int_equal(all_ok(doc, "read"), 1);
	assert_int_equal(metric(first(doc, "read"), "mismatched"), 0);
	assert_int_equal(metric(first(doc, "read"), "pattern_checked"), 1);
	json_decref(doc);
	/* the host's view: 64 blocks of 4 KiB from sector 0, the payload's pattern by LBA */
	f = fopen(img, "rb");
	assert_non_null(f);
	for (uint64_t lba = 0; lba < 64 * 8; lba++) {
		uint64_t l;

		assert_int_equal(fread(s, 1, 512, f), 512);
		memcpy(&l, s, 8);
		bad += l != lba;
		for (unsigned j = 8; j < 512; j++)
			bad += s[j] != (uint8_t)(lba * 7 + j);
	}
	fclose(f);
	assert_int_equal(bad, 0);
}

/* ---- a fake back-end that answers GET_FEATURES badly ---- */
enum fake_kind { FAKE_NO_REPLY_FLAG, FAKE_TRUNCATED, FAKE_WRONG_REQUEST, FAKE_OVERSIZED };

struct fake {
	int lfd;
	enum fake_kind kind;
};

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	uint8_t req[12], rep[20] = { 0 };
	uint32_t v;
	int fd = accept(f->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	if (read(fd, req, sizeof(req)) == (ssize_t)sizeof(req)) {
		uint32_t code = 1, flags = 1 | 4, size = 8;
		size_t len = 20;

		if (f->kind == FAKE_NO_REPLY_FLAG)
			flags = 1;
		if (f->kind == FAKE_TRUNCATED)
			len = 16;            /* header says 8 payload bytes, 4 come, then the socket closes */
		if (f->kind == FAKE_WRONG_REQUEST)
			code = 5;
		if (f->kind == FAKE_OVERSIZED)
			size = 1u << 20;
		memcpy(rep, &code, 4);
		memcpy(rep + 4, &flags, 4);
		memcpy(rep + 8, &size, 4);
		v = 1;
		memcpy(rep + 12, &v, 4);
		if (write(fd, rep, len) < 0)
			perror("fake back-end");
	}
	msleep(200);
	close(fd);
	return NULL;
}

static void test_fake_backend(void **state)
{
	static const struct { enum fake_kind kind; const char *says; } cases[] = {
		{ FAKE_NO_REPLY_FLAG, "lacks the REPLY flag" },
		{ FAKE_TRUNCATED, "truncated" },
		{ FAKE_WRONG_REQUEST, "reply to GET_FEATURES carries SET_MEM_TABLE" },
		{ FAKE_OVERSIZED, "announces 1048576 payload bytes" },
	};

	(void)state;
	NEED("true");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		struct fake f = { .kind = cases[i].kind };
		struct run_out o;
		pthread_t th;
		char dev[400];

		snprintf(a.sun_path, sizeof(a.sun_path), "%s/fake%zu", harness_tmp, i);
		f.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
		assert_true(f.lfd >= 0);
		assert_int_equal(bind(f.lfd, (struct sockaddr *)&a, sizeof(a)), 0);
		assert_int_equal(listen(f.lfd, 1), 0);
		assert_int_equal(pthread_create(&th, NULL, fake_main, &f), 0);
		snprintf(dev, sizeof(dev), "virtio-net,vhost-user=%s", a.sun_path);
		harness_run(&o, (const char *[]){ "run", harness_payload("net"), "--ring", "3", "--no-baseline",
						   "--device", dev, NULL });
		pthread_join(th, NULL);
		close(f.lfd);
		if (o.exit_code != 1 || !strstr(o.err, cases[i].says))
			fprintf(stderr, "case %zu: exit %d\n%s", i, o.exit_code, o.err);
		assert_int_equal(o.exit_code, 1);
		assert_non_null(strstr(o.err, cases[i].says));
		harness_free(&o);
	}
}

/*
 * The hostile guest with testpmd owning the rings (rings=backend): broken
 * chains, heads and indices past the queue, buffers and indirect tables
 * outside guest RAM or at 2^64, and the descriptor table and avail ring
 * rewritten at random while testpmd walks them.  exitlab (ASan+UBSan)
 * stays up and ends normally; each test is ok, its metrics say what the
 * guest saw (needs_reset: testpmd signals no error, so what it refused it
 * dropped; used: what it completed), and the device works after each
 * reset (recovered=1).
 */
static void test_hostile_rings(void **state)
{
	static const char *const attacks[] = {
		"vq-loop", "vq-next-range", "vq-head-range", "vq-avail-jump", "vq-buf-outside", "vq-buf-hole",
		"vq-buf-wrap", "vq-indirect-loop", "vq-indirect-outside", "vq-race-rewrite", "vq-live-rewrite",
	};
	char dev[400], json[300], list[400] = "attack=";
	struct backend b;
	struct run_out o;
	json_t *doc;

	(void)state;
	NEED(TESTPMD);
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? "," : "", attacks[i]);
	testpmd_start(&b, "macswap", false);
	snprintf(dev, sizeof(dev), "virtio-net,vhost-user=%s", b.sock);
	snprintf(json, sizeof(json), "%s/hostile.json", b.dir);
	harness_run(&o, (const char *[]){ "run", harness_payload("hostile-dev"), "--ring", "3", "--no-baseline",
					   "--device", dev, "--param", "rings=backend", "--param", list,
					   "--json", json, NULL });
	stop(b.pid);
	for (const char *const *w = (const char *const[]){ "runtime error", "AddressSanitizer", "SUMMARY:", NULL };
	     *w; w++) {
		if (strstr(o.err, *w))
			fprintf(stderr, "stderr has '%s':\n%s", *w, o.err);
		assert_null(strstr(o.err, *w));
	}
	expect_exit(&o, o.exit_code, 0);
	harness_free(&o);
	doc = load(json);
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		json_t *t = first(doc, attacks[i]);

		assert_int_equal(all_ok(doc, attacks[i]), 1);
		assert_int_equal(metric(t, "recovered"), 1);
		if (strcmp(attacks[i], "vq-live-rewrite")) {
			/* what happened is in the results: refused (NEEDS_RESET) or dropped, and what completed */
			assert_true(metric(t, "needs_reset") == 0 || metric(t, "needs_reset") == 1);
			assert_true(metric(t, "used") >= 0);
		}
	}
	json_decref(doc);
}

/* Nothing there, a regular file, a socket nobody listens on: exit 3 naming the path and why. */
static void test_bad_socket_paths(void **state)
{
	char nothing[300], regular[300], stale[300], dev[400];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *paths[3] = { nothing, regular, stale };
	const char *says[3] = { "no back-end socket at", "is not a socket", "nothing listens at" };
	int fd;

	(void)state;
	NEED("true");
	snprintf(nothing, sizeof(nothing), "%s/none.sock", harness_tmp);
	snprintf(regular, sizeof(regular), "%s/regular", harness_tmp);
	snprintf(stale, sizeof(stale), "%s/stale.sock", harness_tmp);
	fd = open(regular, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_true(strlen(stale) < sizeof(a.sun_path));
	memcpy(a.sun_path, stale, strlen(stale));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	close(fd); /* the file stays, nobody listens */
	for (int i = 0; i < 3; i++) {
		struct run_out o;

		snprintf(dev, sizeof(dev), "virtio-%s,vhost-user=%s", i == 1 ? "blk" : "net", paths[i]);
		harness_run(&o, (const char *[]){ "run", harness_payload(i == 1 ? "blk" : "net"), "--ring", "3",
						   "--no-baseline", "--device", dev, NULL });
		if (o.exit_code != 3 || !strstr(o.err, says[i]) || !strstr(o.err, paths[i]))
			fprintf(stderr, "case %d: exit %d\n%s", i, o.exit_code, o.err);
		assert_int_equal(o.exit_code, 3);
		assert_non_null(strstr(o.err, says[i]));
		assert_non_null(strstr(o.err, paths[i]));
		harness_free(&o);
	}
}

static void test_bad_options(void **state)
{
	static const char *const bad[] = {
		"virtio-blk,vhost-user=/tmp/x.sock,file=/tmp/x.img",
		"virtio-net,server=1",
		"virtio-net,on-disconnect=maybe,vhost-user=/tmp/x.sock",
		"e1000,vhost-user=/tmp/x.sock",
		"virtio-net,vhost-user=",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run_out o;

		harness_run(&o, (const char *[]){ "run", harness_payload("net"), "--device", bad[i], NULL });
		if (o.exit_code != 2)
			fprintf(stderr, "case %s: exit %d\n%s", bad[i], o.exit_code, o.err);
		assert_int_equal(o.exit_code, 2);
		harness_free(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_bad_socket_paths),
		cmocka_unit_test(test_fake_backend),
		cmocka_unit_test(test_testpmd_macswap),
		cmocka_unit_test(test_testpmd_txonly),
		cmocka_unit_test(test_testpmd_io_rxonly),
		cmocka_unit_test(test_testpmd_client_mode),
		cmocka_unit_test(test_kill_backend_stop),
		cmocka_unit_test(test_kill_backend_reconnect),
		cmocka_unit_test(test_qsd_blk),
		cmocka_unit_test(test_hostile_rings),
	};

	/* test_load runs some of them beside a CPU hog */
	if (getenv("EXITLAB_TEST_FILTER"))
		cmocka_set_test_filter(getenv("EXITLAB_TEST_FILTER"));
	return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
