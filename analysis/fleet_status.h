/* SPDX-License-Identifier: MIT */
/*
 * What became of one host of a fleet run, from what the playbook left in
 * DIR/HOST/: status.json (scripts/fleet/roles/exitlab/tasks/record.yml) and
 * the host's fetched campaign directory, DIR/HOST/campaign/manifest.json.
 */
#ifndef EXITLAB_FLEET_STATUS_H
#define EXITLAB_FLEET_STATUS_H

#include "analysis/fleet_manifest.h"

#define FLEET_STATUS_NAME "status.json"
#define FLEET_STATUS_FORMAT "exitlab-fleet-host"

/*
 * Set h's state, reason, campaign exit and entry counts from DIR/h->name/.
 * revision is the one the fleet builds: results of another are refused.
 * ansible_exit says how ansible-playbook ended (for the reason of a host the
 * play left no record of).  A host with no record is failed, never pending.
 */
void fleet_host_settle(const char *dir, const char *revision, int ansible_exit, struct fleet_host *h);

#endif
