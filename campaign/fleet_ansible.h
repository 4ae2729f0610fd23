/* SPDX-License-Identifier: MIT */
/*
 * The programs exitlab fleet drives (docs/fleet.md): ansible-inventory for
 * the hosts of an inventory, ansible-playbook for the play, git for the
 * revision.  Each runs as a child without a shell, its arguments as given.
 */
#ifndef EXITLAB_FLEET_ANSIBLE_H
#define EXITLAB_FLEET_ANSIBLE_H

#include <stdbool.h>
#include <stddef.h>

/* Whether name is an executable file in a directory of $PATH. */
bool fleet_tool_found(const char *name);
/*
 * Run argv, its stdout captured into *out (NUL-terminated, malloc'd; at most
 * 64 MiB), its stderr through to ours.  Returns its exit status (128 + the
 * signal that killed it), or -1 with err if it could not run.
 */
int fleet_capture(char *const argv[], char **out, char *err, size_t errlen);
/* The host names of inventory, sorted, each once; 0, or -1 with err (the caller's exit 2). */
int fleet_inventory_hosts(const char *inventory, char ***hosts, size_t *n, char *err, size_t errlen);
void fleet_names_free(char **names, size_t n);

/*
 * Run ansible-playbook with argv (argv[0] "ansible-playbook") and the
 * environment additions env ("NAME=value", NULL-terminated), stdout and
 * stderr through to ours.  SIGINT and SIGTERM reach it (a terminal's ^C
 * reaches the whole group; a SIGTERM to exitlab is passed on) and set
 * *interrupted.  Returns its exit status (128 + signal), or -1 if it could not start.
 */
int fleet_playbook_run(char *const argv[], char *const env[], bool *interrupted);

#endif
