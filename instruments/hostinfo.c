// SPDX-License-Identifier: MIT
/*
 * Host identity: what a figure needs beside it to be comparable with a figure
 * from another host.  Every reader here may fail (no /dev/kvm access, a
 * container without /sys, a kernel without a parameter): the field is then
 * null and "<field>_error" says why, never silently missing.
 */
#include <cpuid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/perf_event.h>

#include "vmm/host_mem.h"
#include "instruments/hostinfo.h"
#include "instruments/hostinfo_irqvirt.h"
#include "instruments/hostinfo_tuning.h"
#include "util/revision.h"

#define KVM_DEV "/dev/kvm"
#define ERR_MAX 256

/* ---- small JSON helpers ---- */

void hostinfo_put_error(json_t *obj, const char *key, const char *fmt, ...)
{
	char msg[ERR_MAX], ekey[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ekey, sizeof(ekey), "%s_error", key);
	json_object_set_new(obj, key, json_null());
	json_object_set_new(obj, ekey, json_stringn_nocheck(msg, strnlen(msg, sizeof(msg))));
}

/* Strings from the kernel are not promised to be UTF-8; JSON needs them to be. */
static void put_str(json_t *obj, const char *key, const char *s)
{
	json_t *v = json_string(s);

	if (v)
		json_object_set_new(obj, key, v);
	else
		hostinfo_put_error(obj, key, "value is not valid UTF-8");
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Reads a one-line sysfs/procfs file into buf (trimmed); 0 or -errno. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	char *t;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		int err = ferror(f) ? -EIO : 0;

		fclose(f);
		buf[0] = '\0';
		return err;
	}
	fclose(f);
	t = trim(buf);
	memmove(buf, t, strlen(t) + 1);
	return 0;
}

/* ---- CPU ---- */

/*
 * Flags that change what an exit or a page walk costs, or whether a figure is
 * trustworthy (TSC behaviour).  Only those present are listed.
 */
static const char *const interesting_flags[] = {
	"vmx", "svm", "hypervisor",
	"constant_tsc", "nonstop_tsc", "tsc_known_freq", "rdtscp", "tsc_deadline_timer",
	"tsc_adjust", "tsc_scale",
	"pcid", "invpcid", "x2apic", "pdpe1gb", "la57",
	"ept", "vpid", "ept_ad", "flexpriority", "vnmi", "tpr_shadow", "pml", "posted_intr",
	"npt", "nrip_save", "flushbyasid", "decodeassists", "avic", "x2avic",
	"v_vmsave_vmload", "vgif", "pausefilter", "pfthreshold", "lbrv",
	"vmmcall", "arat", "smep", "smap", "umip",
	"pti", "ibrs", "ibpb", "stibp", "ssbd", "md_clear", "flush_l1d",
};

static bool flag_in(const char *flags, const char *flag)
{
	size_t n = strlen(flag);
	const char *p = flags;

	while ((p = strstr(p, flag))) {
		bool start = p == flags || p[-1] == ' ';
		bool end = p[n] == '\0' || p[n] == ' ';

		if (start && end)
			return true;
		p += n;
	}
	return false;
}

static void put_int_field(json_t *cpu, const char *key, const char *val)
{
	char *end;
	long v;

	if (!val) {
		hostinfo_put_error(cpu, key, "not in /proc/cpuinfo");
		return;
	}
	errno = 0;
	v = strtol(val, &end, 0);
	if (errno || end == val || *end)
		hostinfo_put_error(cpu, key, "unparsable /proc/cpuinfo value '%s'", val);
	else
		json_object_set_new(cpu, key, json_integer(v));
}

/* The first processor's block of /proc/cpuinfo: all CPUs of a host match. */
static json_t *collect_cpu(void)
{
	json_t *cpu = json_object();
	char *vendor = NULL, *model_name = NULL, *family = NULL, *model = NULL;
	char *stepping = NULL, *microcode = NULL, *flags = NULL;
	char line[8192];
	FILE *f;

	f = fopen("/proc/cpuinfo", "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');
			char *key, *val;

			if (line[0] == '\n')
				break;
			if (!colon)
				continue;
			*colon = '\0';
			key = trim(line);
			val = trim(colon + 1);
			if (!strcmp(key, "vendor_id"))
				vendor = strdup(val);
			else if (!strcmp(key, "model name"))
				model_name = strdup(val);
			else if (!strcmp(key, "cpu family"))
				family = strdup(val);
			else if (!strcmp(key, "model"))
				model = strdup(val);
			else if (!strcmp(key, "stepping"))
				stepping = strdup(val);
			else if (!strcmp(key, "microcode"))
				microcode = strdup(val);
			else if (!strcmp(key, "flags") || !strcmp(key, "vmx flags")) {
				/* Newer kernels list ept/vpid under "vmx flags". */
				size_t old = flags ? strlen(flags) : 0;
				char *n = realloc(flags, old + strlen(val) + 2);

				if (n) {
					if (old)
						n[old++] = ' ';
					strcpy(n + old, val);
					flags = n;
				}
			}
		}
		fclose(f);
	}

	if (!f) {
		const char *why = strerror(errno);

		hostinfo_put_error(cpu, "vendor", "open /proc/cpuinfo: %s", why);
		hostinfo_put_error(cpu, "model_name", "open /proc/cpuinfo: %s", why);
		hostinfo_put_error(cpu, "family", "open /proc/cpuinfo: %s", why);
		hostinfo_put_error(cpu, "model", "open /proc/cpuinfo: %s", why);
		hostinfo_put_error(cpu, "stepping", "open /proc/cpuinfo: %s", why);
		hostinfo_put_error(cpu, "microcode", "open /proc/cpuinfo: %s", why);
		hostinfo_put_error(cpu, "flags_of_interest", "open /proc/cpuinfo: %s", why);
	} else {
		if (vendor)
			put_str(cpu, "vendor", vendor);
		else
			hostinfo_put_error(cpu, "vendor", "not in /proc/cpuinfo");
		if (model_name)
			put_str(cpu, "model_name", model_name);
		else
			hostinfo_put_error(cpu, "model_name", "not in /proc/cpuinfo");
		put_int_field(cpu, "family", family);
		put_int_field(cpu, "model", model);
		put_int_field(cpu, "stepping", stepping);
		/* Hypervisors often hide it; then the kernel prints no line. */
		if (microcode)
			put_str(cpu, "microcode", microcode);
		else
			hostinfo_put_error(cpu, "microcode", "not in /proc/cpuinfo");
		if (flags) {
			json_t *arr = json_array();

			for (size_t i = 0; i < sizeof(interesting_flags) / sizeof(interesting_flags[0]); i++)
				if (flag_in(flags, interesting_flags[i]))
					json_array_append_new(arr, json_string(interesting_flags[i]));
			json_object_set_new(cpu, "flags_of_interest", arr);
		} else {
			hostinfo_put_error(cpu, "flags_of_interest", "no flags line in /proc/cpuinfo");
		}
	}
	json_object_set_new(cpu, "logical_cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));

	free(vendor);
	free(model_name);
	free(family);
	free(model);
	free(stepping);
	free(microcode);
	free(flags);
	return cpu;
}

/* ---- kernel, hostname ---- */

static json_t *collect_kernel(void)
{
	json_t *k = json_object();
	struct utsname u;

	if (uname(&u)) {
		hostinfo_put_error(k, "release", "uname: %s", strerror(errno));
		hostinfo_put_error(k, "version", "uname: %s", strerror(errno));
		return k;
	}
	put_str(k, "release", u.release);
	put_str(k, "version", u.version);
	put_str(k, "machine", u.machine);
	return k;
}

/* ---- KVM ---- */

static const char *const backends[] = { "kvm_intel", "kvm_amd", "kvm_pvm" };

static bool module_loaded(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *backend_name = "unknown";
static pthread_once_t backend_once = PTHREAD_ONCE_INIT;

/* Only one vendor module can register with kvm at a time; take the first present. */
static void backend_detect(void)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (module_loaded(backends[i])) {
			backend_name = backends[i];
			return;
		}
	}
}

const char *hostinfo_backend(void)
{
	pthread_once(&backend_once, backend_detect);
	return backend_name;
}

static const char *backend_note(const char *b)
{
	if (!strcmp(b, "kvm_pvm"))
		return "PVM: software KVM backend; guest CPL0 code is instruction-emulated, "
		       "CPL3 runs natively; shadow paging (no EPT/NPT)";
	if (!strcmp(b, "kvm_intel"))
		return "Intel VT-x; two-dimensional paging when params.kvm_intel.ept is on";
	if (!strcmp(b, "kvm_amd"))
		return "AMD-V (SVM); two-dimensional paging when params.kvm_amd.npt is on";
	return "no KVM vendor module (kvm_intel, kvm_amd, kvm_pvm) under /sys/module";
}

/* Parameters every host of that backend should show, even when absent. */
static const char *const want_intel[] = {
	"ept", "vpid", "enable_apicv", "unrestricted_guest", "flexpriority", "eptad",
	"pml", "nested", "enable_shadow_vmcs", "preemption_timer", "ple_gap", "ple_window", NULL,
};
static const char *const want_amd[] = {
	"npt", "avic", "nested", "nrips", "vls", "vgif", "lbrv",
	"pause_filter_count", "pause_filter_thresh", NULL,
};
static const char *const want_kvm[] = {
	"halt_poll_ns", "tdp_mmu", "enable_pmu", "ignore_msrs", "nx_huge_pages",
	"mmio_caching", NULL,
};
static const char *const want_none[] = { NULL };

/* "Y"/"N" become booleans, decimal integers numbers, the rest stays text. */
static json_t *param_value(const char *s)
{
	char *end;
	long long v;

	if (!strcmp(s, "Y"))
		return json_true();
	if (!strcmp(s, "N"))
		return json_false();
	if (*s) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (!errno && !*end)
			return json_integer(v);
	}
	return json_string(s);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every file of /sys/module/<mod>/parameters (sorted, so that two hosts'
 * objects diff cleanly), plus the wanted ones missing from this kernel.
 */
static void collect_params(json_t *parent, const char *mod, const char *const *want)
{
	char dir[128], path[512], val[4096];
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	json_t *p;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/module/%s/parameters", mod);
	d = opendir(dir);
	if (!d) {
		hostinfo_put_error(parent, mod, "open %s: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof(*names));

			if (!nn)
				break;
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);

	p = json_object();
	for (size_t i = 0; i < n; i++) {
		int err;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		err = read_line(path, val, sizeof(val));
		if (err) {
			hostinfo_put_error(p, names[i], "read %s: %s", path, strerror(-err));
		} else {
			json_t *v = param_value(val);

			if (v)
				json_object_set_new(p, names[i], v);
			else
				hostinfo_put_error(p, names[i], "value is not valid UTF-8");
		}
		free(names[i]);
	}
	free(names);
	for (; *want; want++)
		if (!json_object_get(p, *want))
			hostinfo_put_error(p, *want, "no such parameter in %s on this kernel", mod);
	json_object_set_new(parent, mod, p);
}

static json_t *collect_kvm(void)
{
	const char *b = hostinfo_backend();
	json_t *kvm = json_object(), *mods = json_array(), *params = json_object();
	const char *const *want = want_none;
	int fd;

	json_object_set_new(kvm, "device", json_string(KVM_DEV));
	fd = open(KVM_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		hostinfo_put_error(kvm, "api_version", "open %s: %s", KVM_DEV, strerror(errno));
	} else {
		int v = ioctl(fd, KVM_GET_API_VERSION, 0);

		if (v < 0)
			hostinfo_put_error(kvm, "api_version", "KVM_GET_API_VERSION: %s", strerror(errno));
		else
			json_object_set_new(kvm, "api_version", json_integer(v));
		close(fd);
	}
	json_object_set_new(kvm, "backend", json_string(b));
	json_object_set_new(kvm, "backend_note", json_string(backend_note(b)));

	if (module_loaded("kvm"))
		json_array_append_new(mods, json_string("kvm"));
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (module_loaded(backends[i]))
			json_array_append_new(mods, json_string(backends[i]));
	json_object_set_new(kvm, "modules_loaded", mods);

	/* Grouped by module: the same name may mean different things in two modules. */
	if (!strcmp(b, "kvm_intel"))
		want = want_intel;
	else if (!strcmp(b, "kvm_amd"))
		want = want_amd;
	if (strcmp(b, "unknown"))
		collect_params(params, b, want);
	collect_params(params, "kvm", want_kvm);
	json_object_set_new(kvm, "params", params);
	return kvm;
}

/* ---- TSC ---- */

static struct {
	double khz;
	const char *source;
	char kvm_error[ERR_MAX];
} tsc;
static pthread_once_t tsc_once = PTHREAD_ONCE_INIT;

/* KVM's view of the host TSC rate: exact where calibration is an estimate. */
static long tsc_khz_from_kvm(char *err, size_t len)
{
	int kvm, vm = -1, vcpu = -1;
	long khz = -1;

	kvm = open(KVM_DEV, O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		snprintf(err, len, "open %s: %s", KVM_DEV, strerror(errno));
		return -1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		snprintf(err, len, "KVM_CREATE_VM: %s", strerror(errno));
		goto out;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		snprintf(err, len, "KVM_CREATE_VCPU: %s", strerror(errno));
		goto out;
	}
	khz = ioctl(vcpu, KVM_GET_TSC_KHZ, 0);
	if (khz <= 0) {
		snprintf(err, len, "KVM_GET_TSC_KHZ: %s", khz < 0 ? strerror(errno) : "returned 0");
		khz = -1;
	}
out:
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	close(kvm);
	return khz;
}

static inline uint64_t rdtsc_fenced(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static double ts_ns(const struct timespec *t)
{
	return t->tv_sec * 1e9 + t->tv_nsec;
}

/*
 * rdtsc against CLOCK_MONOTONIC_RAW (not slewed by NTP) over ~50 ms; each end
 * is bracketed by two clock reads so a preemption there cannot skew it much.
 */
static double tsc_khz_calibrate(void)
{
	struct timespec a0, a1, b0, b1, nap = { 0, 50 * 1000 * 1000 };
	uint64_t t0, t1;

	clock_gettime(CLOCK_MONOTONIC_RAW, &a0);
	t0 = rdtsc_fenced();
	clock_gettime(CLOCK_MONOTONIC_RAW, &a1);
	while (nanosleep(&nap, &nap) && errno == EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC_RAW, &b0);
	t1 = rdtsc_fenced();
	clock_gettime(CLOCK_MONOTONIC_RAW, &b1);
	return (double)(t1 - t0) /
	       (((ts_ns(&b0) + ts_ns(&b1)) - (ts_ns(&a0) + ts_ns(&a1))) / 2 / 1e6);
}

static void tsc_measure(void)
{
	long khz = tsc_khz_from_kvm(tsc.kvm_error, sizeof(tsc.kvm_error));

	if (khz > 0) {
		tsc.khz = khz;
		tsc.source = "KVM_GET_TSC_KHZ";
	} else {
		tsc.khz = round(tsc_khz_calibrate());
		tsc.source = "calibrated";
	}
}

double hostinfo_tsc_khz(void)
{
	pthread_once(&tsc_once, tsc_measure);
	return tsc.khz;
}

static json_t *collect_tsc(void)
{
	json_t *t = json_object();
	unsigned int a, b, c, d;
	double khz = hostinfo_tsc_khz();

	if (khz > 0 && isfinite(khz))
		json_object_set_new(t, "khz", json_integer((json_int_t)khz));
	else
		hostinfo_put_error(t, "khz", "calibration gave %g", khz);
	json_object_set_new(t, "source", json_string(tsc.source));
	if (tsc.kvm_error[0])
		json_object_set_new(t, "kvm_error", json_string(tsc.kvm_error));

	/* Invariant TSC: constant rate across P-, C- and T-states. */
	if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007)
		hostinfo_put_error(t, "invariant", "CPUID leaf 0x80000007 not available");
	else {
		__cpuid(0x80000007, a, b, c, d);
		json_object_set_new(t, "invariant", json_boolean(d & (1u << 8)));
	}
	return t;
}

/* ---- perf ---- */

static json_t *collect_perf(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.disabled = 1,
		.exclude_kernel = 1, /* lets an unprivileged user try at paranoid 2 */
		.exclude_hv = 1,
	};
	json_t *p = json_object();
	char buf[64];
	int fd, err;

	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd >= 0) {
		json_object_set_new(p, "hardware_counters", json_true());
		close(fd);
	} else {
		json_object_set_new(p, "hardware_counters", json_false());
		snprintf(buf, sizeof(buf), "perf_event_open(cycles): %s", strerror(errno));
		json_object_set_new(p, "error", json_string(buf));
	}
	err = read_line("/proc/sys/kernel/perf_event_paranoid", buf, sizeof(buf));
	if (err)
		hostinfo_put_error(p, "paranoid", "read /proc/sys/kernel/perf_event_paranoid: %s",
			  strerror(-err));
	else
		json_object_set_new(p, "paranoid", param_value(buf));
	return p;
}

/* ---- memory: what can back guest RAM ---- */

static void put_meminfo(json_t *m, const char *key, const char *field)
{
	uint64_t kb;
	int err = host_mem_meminfo_kb("/proc/meminfo", field, &kb);

	if (err)
		hostinfo_put_error(m, key, "%s in /proc/meminfo: %s", field, strerror(-err));
	else
		json_object_set_new(m, key, json_integer((json_int_t)kb));
}

static void put_policy(json_t *o, const char *key, const char *path)
{
	char v[32];
	int err = host_mem_policy_read(path, v, sizeof(v));

	if (err)
		hostinfo_put_error(o, key, "read %s: %s", path, strerror(-err));
	else
		put_str(o, key, v);
}

static json_t *collect_thp(void)
{
	json_t *t = json_object();
	char v[32], path[160];
	int err;

	put_policy(t, "enabled", HOST_MEM_THP_DIR "/enabled");
	put_policy(t, "defrag", HOST_MEM_THP_DIR "/defrag");
	put_policy(t, "shmem_enabled", HOST_MEM_THP_DIR "/shmem_enabled");
	/* What --backing thp gets: a per-size setting overrides the global one. */
	err = host_mem_shmem_thp(v, sizeof(v), path, sizeof(path));
	if (err)
		hostinfo_put_error(t, "shmem_effective", "read %s: %s", path, strerror(-err));
	else
		put_str(t, "shmem_effective", v);
	json_object_set_new(t, "pmd_size_bytes", json_integer((json_int_t)host_mem_thp_pmd_size()));
	return t;
}

static json_t *collect_hugepool(uint64_t page_kb)
{
	static const char *const files[][2] = {
		{ "total", "nr_hugepages" }, { "free", "free_hugepages" }, { "reserved", "resv_hugepages" },
	};
	json_t *p = json_object();

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[128], buf[32], *end;
		unsigned long long v;
		int err;

		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%llukB/%s",
			 (unsigned long long)page_kb, files[i][1]);
		err = read_line(path, buf, sizeof(buf));
		errno = 0;
		v = err ? 0 : strtoull(buf, &end, 10);
		if (err)
			hostinfo_put_error(p, files[i][0], "read %s: %s", path, strerror(-err));
		else if (errno || end == buf || *end)
			hostinfo_put_error(p, files[i][0], "unparsable %s: '%s'", path, buf);
		else
			json_object_set_new(p, files[i][0], json_integer((json_int_t)v));
	}
	return p;
}

static json_t *collect_memory(void)
{
	json_t *m = json_object();

	put_meminfo(m, "mem_total_kb", "MemTotal");
	put_meminfo(m, "swap_total_kb", "SwapTotal");
	json_object_set_new(m, "thp", collect_thp());
	json_object_set_new(m, "hugepages_2m", collect_hugepool(2048));
	json_object_set_new(m, "hugepages_1g", collect_hugepool(1024 * 1024));
	return m;
}

/* ---- device nodes ---- */

static const char *const device_nodes[] = {
	KVM_DEV, "/dev/vhost-net", "/dev/vfio/vfio", "/dev/iommu", "/dev/net/tun",
};

static json_t *collect_devices(void)
{
	json_t *devs = json_object();

	for (size_t i = 0; i < sizeof(device_nodes) / sizeof(device_nodes[0]); i++) {
		json_t *d = json_object();
		struct stat st;
		bool exists = stat(device_nodes[i], &st) == 0;
		int err = exists ? 0 : errno;

		if (exists && access(device_nodes[i], R_OK | W_OK))
			err = errno;
		json_object_set_new(d, "exists", json_boolean(exists));
		json_object_set_new(d, "accessible", json_boolean(!err));
		if (err)
			json_object_set_new(d, "error", json_string(strerror(err)));
		json_object_set_new(devs, device_nodes[i], d);
	}
	return devs;
}

json_t *hostinfo_collect(void)
{
	json_t *h = json_object(), *cpu, *kernel;
	char name[256];

	if (!h)
		return NULL;
	if (gethostname(name, sizeof(name)))
		hostinfo_put_error(h, "hostname", "gethostname: %s", strerror(errno));
	else {
		name[sizeof(name) - 1] = '\0';
		put_str(h, "hostname", name);
	}
	cpu = collect_cpu();
	kernel = collect_kernel();
	hostinfo_tuning_cpu(cpu, "");
	hostinfo_tuning_kernel(kernel, "");
	json_object_set_new(h, "cpu", cpu);
	json_object_set_new(h, "kernel", kernel);
	json_object_set_new(h, "kvm", collect_kvm());
	json_object_set_new(json_object_get(h, "kvm"), "interrupt_virtualization",
			    hostinfo_irq_virt(hostinfo_backend(), json_object_get(json_object_get(h, "kvm"), "params"),
					      json_object_get(cpu, "flags_of_interest")));
	json_object_set_new(h, "tsc", collect_tsc());
	json_object_set_new(h, "perf", collect_perf());
	json_object_set_new(h, "memory", collect_memory());
	json_object_set_new(h, "devices", collect_devices());
	json_object_set_new(h, "exitlab_revision", json_string(exitlab_revision));
	return h;
}
