/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "run/run_stats.h"

void run_stats_open(struct run_stats *s, struct machine *m)
{
	char err[256];

	s->open = true;
	s->nvcpus = machine_nvcpus(m);
	/* Optional; but a stats fd we cannot parse is worth a word. */
	if (kvm_stats_open(&s->vm, machine_vm(m)->vm_fd, err, sizeof(err)) == -2)
		fprintf(stderr, "exitlab: warning: VM stats unusable: %s\n", err);
	for (unsigned i = 0; i < s->nvcpus; i++)
		if (kvm_stats_open(&s->vcpu[i], machine_vcpu(m, i)->fd, err, sizeof(err)) == -2)
			fprintf(stderr, "exitlab: warning: vCPU stats unusable: %s\n", err);
}

void run_stats_close(struct run_stats *s)
{
	if (!s->open)
		return;
	kvm_stats_close(&s->vm);
	for (unsigned i = 0; i < s->nvcpus; i++)
		kvm_stats_close(&s->vcpu[i]);
	s->open = false;
	s->nvcpus = 0;
}
