// SPDX-License-Identifier: MIT
/*
 * The host settings that move exit costs most between two kernels on the
 * same CPU: the kernel command line, the CPU vulnerability mitigations, the
 * frequency governor and boost, and SMT. Read from procfs/sysfs under a root
 * directory so that the unit test can hand it a fake tree. Like the rest of
 * the host object, a value that cannot be read is null with "<key>_error".
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instruments/hostinfo.h"
#include "instruments/hostinfo_tuning.h"

#define CPU_DIR "/sys/devices/system/cpu"

/* root + rel, read whole and trimmed of trailing blanks; 0 or -errno. */
static int read_text(const char *root, const char *rel, char *buf, size_t len)
{
	char path[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	if (!(f = fopen(path, "r")))
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = 0;
	return 0;
}

/* obj[key] = the file's text (valid UTF-8), or null with the error. */
static int put_file(json_t *obj, const char *key, const char *root, const char *rel)
{
	char buf[4096];
	json_t *v;
	int err = read_text(root, rel, buf, sizeof(buf));

	if (err) {
		hostinfo_put_error(obj, key, "%s: %s", rel, strerror(-err));
		return err;
	}
	if (!(v = json_string(buf))) {
		hostinfo_put_error(obj, key, "%s: not valid UTF-8", rel);
		return -EILSEQ;
	}
	json_object_set_new(obj, key, v);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* {"spectre_v2": "Mitigation: Retpolines; ...", ...}, names sorted; NULL with errno. */
static json_t *mitigations(const char *root)
{
	char dir[4096], rel[512], *names[256];
	size_t n = 0;
	struct dirent *d;
	json_t *m;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s" CPU_DIR "/vulnerabilities", root);
	if (!(dp = opendir(dir)))
		return NULL;
	while ((d = readdir(dp)) && n < sizeof(names) / sizeof(names[0]))
		if (d->d_name[0] != '.')
			names[n++] = strdup(d->d_name);
	closedir(dp);
	qsort(names, n, sizeof(names[0]), name_cmp);
	m = json_object();
	for (size_t i = 0; i < n; i++) {
		if (names[i]) {
			snprintf(rel, sizeof(rel), CPU_DIR "/vulnerabilities/%s", names[i]);
			put_file(m, names[i], root, rel);
		}
		free(names[i]);
	}
	return m;
}

void hostinfo_tuning_kernel(json_t *kernel, const char *root)
{
	json_t *m;

	put_file(kernel, "cmdline", root, "/proc/cmdline");
	if ((m = mitigations(root)))
		json_object_set_new(kernel, "mitigations", m);
	else
		hostinfo_put_error(kernel, "mitigations", CPU_DIR "/vulnerabilities: %s", strerror(errno));
}

/*
 * Boost (turbo) on or off, from whichever switch the frequency driver has:
 * cpufreq/boost (acpi-cpufreq, amd-pstate) is 1 when on, intel_pstate's
 * no_turbo is 1 when off. Without either, null with the paths tried.
 */
static void put_boost(json_t *f, const char *root)
{
	char buf[64];

	if (!read_text(root, CPU_DIR "/cpufreq/boost", buf, sizeof(buf))) {
		json_object_set_new(f, "boost", json_boolean(atoi(buf) != 0));
		json_object_set_new(f, "boost_source", json_string(CPU_DIR "/cpufreq/boost"));
	} else if (!read_text(root, CPU_DIR "/intel_pstate/no_turbo", buf, sizeof(buf))) {
		json_object_set_new(f, "boost", json_boolean(atoi(buf) == 0));
		json_object_set_new(f, "boost_source", json_string(CPU_DIR "/intel_pstate/no_turbo"));
	} else if (!read_text(root, CPU_DIR "/cpu0/cpufreq/boost", buf, sizeof(buf))) {
		json_object_set_new(f, "boost", json_boolean(atoi(buf) != 0));
		json_object_set_new(f, "boost_source", json_string(CPU_DIR "/cpu0/cpufreq/boost"));
	} else {
		hostinfo_put_error(f, "boost", "no boost switch (cpufreq/boost, intel_pstate/no_turbo, "
			  "cpu0/cpufreq/boost): no cpufreq driver, or a virtual CPU");
	}
}

void hostinfo_tuning_cpu(json_t *cpu, const char *root)
{
	json_t *f = json_object(), *smt = json_object();
	char buf[64];

	/* cpu0's policy: a host tuned for measurement sets every CPU alike */
	put_file(f, "driver", root, CPU_DIR "/cpu0/cpufreq/scaling_driver");
	put_file(f, "governor", root, CPU_DIR "/cpu0/cpufreq/scaling_governor");
	put_boost(f, root);
	json_object_set_new(cpu, "frequency", f);

	put_file(smt, "control", root, CPU_DIR "/smt/control");
	if (!read_text(root, CPU_DIR "/smt/active", buf, sizeof(buf)))
		json_object_set_new(smt, "active", json_boolean(atoi(buf) != 0));
	else
		hostinfo_put_error(smt, "active", CPU_DIR "/smt/active: %s", strerror(errno));
	json_object_set_new(cpu, "smt", smt);
}
