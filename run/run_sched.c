// SPDX-License-Identifier: MIT
/* --cpu, --order, --repeat (see run_sched.h). */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "analysis/calibration.h"
#include "run/run_sched.h"
#include "util/cpulist.h"

void run_sched_init(struct run_sched *s)
{
	memset(s, 0, sizeof(*s));
	s->cpu = -1;
	s->repeat = 1;
}

static int parse_ull(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || s[0] == '-' ? -1 : 0;
}

int run_sched_parse_cpu(struct run_sched *s, const char *arg, char *err, size_t errlen)
{
	unsigned long long v;
	cpu_set_t set;

	if (s->npin) {
		snprintf(err, errlen, "--cpu %s and --pin: give one (--pin covers vCPU 0 too)", arg);
		return -1;
	}
	if (parse_ull(arg, &v) || v >= CPU_SETSIZE) {
		snprintf(err, errlen, "--cpu takes a CPU number, 0..%d", CPU_SETSIZE - 1);
		return -1;
	}
	/* Refuse up front a CPU this process may not run on (offline, or outside its cpuset). */
	if (!sched_getaffinity(0, sizeof(set), &set) && !CPU_ISSET(v, &set)) {
		snprintf(err, errlen, "--cpu %llu: not a CPU this process may run on", v);
		return -1;
	}
	s->cpu = (int)v;
	return 0;
}

int run_sched_parse_pin(struct run_sched *s, const char *arg, char *err, size_t errlen)
{
	char perr[160];
	cpu_set_t set;
	size_t n;

	if (s->cpu >= 0) {
		snprintf(err, errlen, "--pin and --cpu: give one (--pin %s covers vCPU 0 too)", arg);
		return -1;
	}
	if (cpulist_parse(arg, CPU_SETSIZE, s->pin, CPU_SETSIZE, &n, perr, sizeof(perr))) {
		snprintf(err, errlen, "--pin %s", perr);
		return -1;
	}
	if (!sched_getaffinity(0, sizeof(set), &set))
		for (size_t i = 0; i < n; i++)
			if (!CPU_ISSET(s->pin[i], &set)) {
				snprintf(err, errlen, "--pin %s: CPU %u is not a CPU this process may run on", arg,
					 s->pin[i]);
				return -1;
			}
	s->npin = n;
	return 0;
}

int run_sched_parse_order(struct run_sched *s, const char *arg, char *err, size_t errlen)
{
	unsigned long long v;

	if (!strcmp(arg, "table")) {
		s->random = false;
		return 0;
	}
	if (!strcmp(arg, "random")) {
		s->random = true;
		return 0;
	}
	if (!strncmp(arg, "random,seed=", 12) && !parse_ull(arg + 12, &v) && v <= INT64_MAX) {
		s->random = true;
		s->seed = v;
		s->seed_given = true;
		return 0;
	}
	snprintf(err, errlen, "--order takes table, random or random,seed=N (N in 0..2^63-1)");
	return -1;
}

int run_sched_parse_repeat(struct run_sched *s, const char *arg, char *err, size_t errlen)
{
	unsigned long long v;

	if (parse_ull(arg, &v) || v < 1 || v > CALIB_REPEAT_MAX) {
		snprintf(err, errlen, "--repeat takes 1..%d", CALIB_REPEAT_MAX);
		return -1;
	}
	s->repeat = (unsigned)v;
	return 0;
}

void run_sched_finish(struct run_sched *s)
{
	if (!s->random || s->seed_given)
		return;
	if (getrandom(&s->seed, sizeof(s->seed), GRND_NONBLOCK) != sizeof(s->seed))
		s->seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	/* JSON integers are signed 64-bit: keep the recorded seed exact. */
	s->seed &= INT64_MAX;
}

int run_sched_vcpu_cpu(const struct run_sched *s, unsigned i)
{
	if (s->npin)
		return (int)s->pin[i % s->npin];
	return i == 0 ? s->cpu : -1;
}

int run_sched_pin_vcpu(const struct run_sched *s, unsigned i, pid_t tid, char *err, size_t errlen)
{
	int cpu = run_sched_vcpu_cpu(s, i);
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(tid, sizeof(set), &set)) {
		snprintf(err, errlen, "pinning the vcpu%u thread to CPU %d: %s", i, cpu, strerror(errno));
		return -1;
	}
	return 0;
}

json_t *run_sched_vcpus_json(const struct run_sched *s, unsigned nvcpus)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < nvcpus; i++) {
		int cpu = run_sched_vcpu_cpu(s, i);

		json_array_append_new(a, cpu < 0 ? json_null() : json_integer(cpu));
	}
	return a;
}

json_t *run_sched_describe(const struct run_sched *s)
{
	return json_pack("{s:s, s:o, s:i}", "order", s->random ? "random" : "table",
			 "order_seed", s->random ? json_integer((json_int_t)s->seed) : json_null(),
			 "repeat", (int)s->repeat);
}

json_t *run_sched_vcpu_json(const struct run_sched *s)
{
	int cpu = run_sched_vcpu_cpu(s, 0);

	return cpu < 0 ? json_null() : json_integer(cpu);
}
