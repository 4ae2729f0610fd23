/* SPDX-License-Identifier: MIT */
/* Subcommands of the exitlab CLI. Each returns the process exit code. */
#ifndef EXITLAB_COMMANDS_H
#define EXITLAB_COMMANDS_H

#include "util/outcome.h"

int cmd_info(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_observe(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_results(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_campaign(int argc, char **argv);
int cmd_fleet(int argc, char **argv);
int cmd_claims(int argc, char **argv);
int cmd_ratios(int argc, char **argv);
int cmd_list_payloads(int argc, char **argv);
int cmd_new_payload(int argc, char **argv);
int cmd_lab(int argc, char **argv);

#endif
