/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run_payload.h"
#include "util/input_file.h"
#include "vmm/payload_path.h"

/* An output over the payload would destroy it (by device and inode: any name for it). */
static int outputs_spare(const struct run_opts *o, const char *path)
{
	const char *outs[] = { o->json_path, o->serial_path, o->progress_path };

	for (size_t k = 0; k < sizeof(outs) / sizeof(outs[0]); k++)
		if (outs[k] && input_file_same(outs[k], path)) {
			fprintf(stderr, "exitlab run: %s is the payload %s: refusing to overwrite it\n", outs[k],
				path);
			return -1;
		}
	return 0;
}

enum outcome run_payload_open(struct run_payload *p, const struct run_opts *o)
{
	char err[PATH_MAX + 512];
	uint64_t ram = o->mem_mib << 20 < BOOT_RAM_MAX ? o->mem_mib << 20 : BOOT_RAM_MAX;

	memset(p, 0, sizeof(*p));
	if (payload_resolve(o->payload, p->path, sizeof(p->path))) {
		fprintf(stderr, "exitlab run: payload '%s' not found (tried %s)\n", o->payload, p->path);
		return OUTCOME_BAD_INPUT;
	}
	p->image = payload_read(p->path, 1024, &p->len, err, sizeof(err));
	if (!p->image) {
		fprintf(stderr, "exitlab run: %s\n", err);
		return OUTCOME_BAD_INPUT;
	}
	if (outputs_spare(o, p->path))
		return OUTCOME_BAD_INPUT;
	/* The image goes into low RAM, which the page tables identity-map (a peer loads it itself). */
	if (!o->vmm && elf_parse(p->image, p->len, BOOT_PAYLOAD_MIN, ram, &p->elf, err, sizeof(err))) {
		fprintf(stderr, "exitlab run: %s: %s\n", p->path, err);
		return OUTCOME_BAD_INPUT;
	}
	/* What the payload declares: --test and --param are checked before anything runs. */
	if (catalogue_check_run(&p->cat, p->image, p->len, o->payload, o->tests, o->ntests,
				o->ring < 0 ? 0 : run_opts_ring_mask(o), o->params, err, sizeof(err))) {
		fprintf(stderr, "exitlab run: %s\n", err);
		return OUTCOME_BAD_INPUT;
	}
	return OUTCOME_OK;
}

void run_payload_close(struct run_payload *p)
{
	catalogue_free(&p->cat);
	free(p->image);
	free(p->initrd);
	p->image = p->initrd = NULL;
}
