/* SPDX-License-Identifier: MIT */
/*
 * exitlab fleet (docs/fleet.md): one campaign on every host of an Ansible
 * inventory through scripts/fleet/fleet.yml, into one fleet run directory
 * whose manifest (analysis/fleet_manifest.h) names every host with its
 * state.  A resume runs the play again for the hosts not done (or skipped)
 * only; on each, the campaign continues with its own --resume.
 */
#ifndef EXITLAB_FLEET_JOB_H
#define EXITLAB_FLEET_JOB_H

#include <stddef.h>

struct fleet_opts {
	const char *file;       /* the campaign file; on a resume optional (DIR/campaign.yaml) */
	const char *inventory;  /* required */
	const char *out;        /* a new run's directory (default results/fleet/<campaign>/<UTC time>) */
	const char *resume;     /* the run directory to resume, or NULL */
	int forks;              /* 0: the recorded number, else Ansible's default */
	char **extra;           /* -e arguments for ansible-playbook */
	size_t nextra;
};

/*
 * Returns the exit code: 0 every host done or skipped, 1 a host failed, is
 * unreachable or still pending, 2 bad usage, campaign file, inventory or
 * manifest, 3 this host lacks ansible-playbook, git or the source tree,
 * 130 interrupted.
 */
int fleet_run(const struct fleet_opts *o);

#endif
