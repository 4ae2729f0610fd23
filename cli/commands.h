/* SPDX-License-Identifier: MIT */
/* Subcommands of the exitlab CLI. Each returns the process exit code. */
#ifndef EXITLAB_COMMANDS_H
#define EXITLAB_COMMANDS_H

/* Exit codes shared by every subcommand. */
enum {
	EXIT_OK = 0,        /* success */
	EXIT_FAILED = 1,    /* a test failed or the guest faulted */
	EXIT_USAGE = 2,     /* bad usage or input */
	EXIT_NOHOST = 3,    /* the host lacks something required */
};

int cmd_info(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_observe(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_results(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_campaign(int argc, char **argv);
int cmd_claims(int argc, char **argv);
int cmd_ratios(int argc, char **argv);
int cmd_list_payloads(int argc, char **argv);

#endif
