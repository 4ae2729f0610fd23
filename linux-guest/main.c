// SPDX-License-Identifier: MIT
/*
 * exitlab-guest: the bench protocol's guest side for a Linux guest
 * (docs/linux-guest.md).  Reads exitlab.bench= from /proc/cmdline, maps the
 * mailbox and the sample buffer, runs the workloads as tests and sends DONE.
 * Without the key it runs them unmeasured and prints its own figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <termios.h>
#include <unistd.h>

#include "exitlab/linux_guest.h"
#include "linux-guest/cmdline.h"
#include "linux-guest/workloads.h"

#define CMDLINE_FILE "/proc/cmdline"

/*
 * Wait until the console has sent what we printed. fflush only hands it to the
 * tty, whose UART driver sends it as its interrupts come; DONE stops the VM at
 * once, and a 2-vCPU guest lost its last lines that way. Not a tty (a pipe, a
 * file): nothing to wait for.
 */
static void drain_console(void)
{
	fflush(stdout);
	fflush(stderr);
	if (isatty(STDOUT_FILENO))
		tcdrain(STDOUT_FILENO);
	if (isatty(STDERR_FILENO))
		tcdrain(STDERR_FILENO);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: exitlab-guest [--quick] [--test NAME]... [--param KEY=VALUE]...\n"
		   "       exitlab-guest poweroff\n"
		   "Runs workloads as tests of exitlab's bench protocol when the kernel command line\n"
		   "has %sMAILBOX,PORT,BUF,LEN (as `exitlab run linux` gives it); without it, runs them\n"
		   "unmeasured and prints their figures. `poweroff`: sync, then power the machine off.\n"
		   "  --quick          fewer operations per test\n"
		   "  --test NAME      run this workload (again for more; default: all, in this order)\n"
		   "  --param K=V      a workload setting (below; a key may serve several workloads)\n"
		   "workloads:\n",
		LINUX_BENCH_KEY);
	for (size_t i = 0; i < lg_nworkloads; i++) {
		fprintf(f, "  %-9s %s\n", lg_workloads[i].name, lg_workloads[i].help);
		for (const struct lg_key *k = lg_workloads[i].keys; k->key; k++)
			fprintf(f, "      %-11s %s\n", k->key, k->help);
	}
	fprintf(f, "docs/linux-guest.md in exitlab's tree.\n");
}

static int poweroff(void)
{
	sync();
	reboot(RB_POWER_OFF);
	perror("exitlab-guest: poweroff");
	return 1;
}

int main(int argc, char **argv)
{
	const struct lg_workload *sel[16];
	struct lg_params params = { 0 };
	struct lg_opts opts = { .p = &params };
	struct lg_bench b;
	struct lg_bench_loc loc;
	char err[256];
	size_t nsel = 0;
	int failed = 0, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "poweroff"))
		return poweroff();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--quick")) {
			opts.quick = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if ((!strcmp(a, "--test") || !strcmp(a, "--param")) && i + 1 < argc) {
			const char *v = argv[++i];

			if (a[2] == 'p') {
				if (lg_param_add(&params, v, err, sizeof(err))) {
					fprintf(stderr, "exitlab-guest: %s\n", err);
					return 2;
				}
			} else if (!(sel[nsel] = lg_workload_find(v))) {
				fprintf(stderr, "exitlab-guest: --test %s: no such workload (--help lists them)\n", v);
				return 2;
			} else if (++nsel == sizeof(sel) / sizeof(sel[0])) {
				fprintf(stderr, "exitlab-guest: more than %zu --test\n", nsel - 1);
				return 2;
			}
		} else {
			fprintf(stderr, "exitlab-guest: unknown argument %s\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (!nsel)
		for (; nsel < lg_nworkloads; nsel++)
			sel[nsel] = &lg_workloads[nsel];
	/* Every --param must mean something to a selected workload, and parse. */
	for (int i = 0; i < params.n; i++) {
		size_t k;

		for (k = 0; k < nsel && !lg_key_known(sel[k]->keys, params.key[i]); k++)
			;
		if (k == nsel) {
			fprintf(stderr, "exitlab-guest: --param %s: no selected workload reads it\n", params.key[i]);
			return 2;
		}
	}
	for (size_t k = 0; k < nsel; k++)
		if (lg_param_check(&params, sel[k]->keys, err, sizeof(err))) {
			fprintf(stderr, "exitlab-guest: %s\n", err);
			return 2;
		}

	rc = lg_cmdline_read(getenv("EXITLAB_GUEST_CMDLINE") ? getenv("EXITLAB_GUEST_CMDLINE") : CMDLINE_FILE,
			     &loc, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "exitlab-guest: %s\n", err);
		return 1;
	}
	if (rc == 0) {
		printf("exitlab-guest: no %s on the kernel command line: UNMEASURED run (this tool's own "
		       "figures; no VMM counts exits)\n", LINUX_BENCH_KEY);
		if (lg_transport_unmeasured(&b)) {
			fprintf(stderr, "exitlab-guest: out of memory\n");
			return 1;
		}
	} else if (lg_transport_open(&b, &loc, err, sizeof(err))) {
		fprintf(stderr, "exitlab-guest: %s\n", err);
		return 1;
	}
	lg_hello(&b, "exitlab-guest");
	for (size_t k = 0; k < nsel; k++)
		failed += sel[k]->run(&b, &opts);
	printf("exitlab-guest: %d test(s) failed%s\n", failed, lg_measured(&b) ? "" : " (unmeasured)");
	drain_console();
	lg_done(&b, failed ? BENCH_DONE_FAILED : BENCH_DONE_OK);
	lg_transport_close(&b);
	lg_params_free(&params);
	return failed ? 1 : 0;
}
