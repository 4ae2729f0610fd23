// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/lab_handout.h"
#include "util/input_file.h"

char *lab_handout_commands(const char *path, bool steps_only, char *err, size_t errlen)
{
	bool in_steps = false, in_block = false;
	char why[128], line[4096], *buf = NULL;
	size_t len = 0, indent = 0;
	FILE *in = input_file_fopen(path, why, sizeof(why)), *out;

	if (!in) {
		snprintf(err, errlen, "%s: %s", path, why);
		return NULL;
	}
	if (!(out = open_memstream(&buf, &len))) {
		fclose(in);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* A block may be indented under a numbered step: its lines lose that indentation. */
	while (fgets(line, sizeof(line), in)) {
		size_t sp = strspn(line, " ");

		if (!in_block && !strncmp(line, "## ", 3)) {
			in_steps = !strcmp(line, "## Steps\n");
		} else if (!in_block && !strcmp(line + sp, "```sh\n")) {
			in_block = !steps_only || in_steps;
			indent = sp;
		} else if (in_block && !strncmp(line + sp, "```", 3)) {
			in_block = false;
		} else if (in_block) {
			fputs(line + (sp < indent ? sp : indent), out);
		}
	}
	fclose(in);
	fclose(out);
	return buf;
}

void lab_handout_path(const char *spec_path, const char *handout, char *buf, size_t len)
{
	const char *slash = strrchr(spec_path, '/');

	snprintf(buf, len, "%.*s%s", slash ? (int)(slash - spec_path + 1) : 0, spec_path, handout);
}

int lab_show(FILE *out, const char *spec_path, const char *handout, char *err, size_t errlen)
{
	char path[4096], *cmds;

	lab_handout_path(spec_path, handout, path, sizeof(path));
	if (!(cmds = lab_handout_commands(path, true, err, errlen)))
		return -1;
	fprintf(out, "handout: %s\n\nsteps (from the repository root, after make):\n%s", path,
		cmds[0] ? "" : "(none)\n");
	for (char *l = cmds, *nl; *l; l = nl + 1) {
		nl = strchr(l, '\n');
		fprintf(out, "  %.*s\n", (int)(nl - l), l);
	}
	free(cmds);
	return 0;
}
