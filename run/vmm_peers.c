// SPDX-License-Identifier: MIT
/*
 * The peer VMM table (vmm_peers.h) and the argv helpers its rows share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/vmm_peers.h"

static const struct vmm_peer peers[] = {
	{
		.name = "qemu",
		.binary = "qemu-system-x86_64",
		.package = "qemu-system-x86",
		.pio_port = 0x520, /* the port exitlab's own VMM uses; unassigned on q35 */
		.test_targets = "pio_vmm: unassigned port 0x520; mmio_vmm and the ioeventfd tests: "
				"pci-testdev's no-eventfd, wildcard and datamatch targets",
		.build_argv = vmm_qemu_argv,
		.stats_open = vmm_qemu_stats_open,
		.stats_read = vmm_qemu_stats_read,
		.stats_close = vmm_qemu_stats_close,
		.linux_devices = vmm_qemu_linux_devices,
		.linux_describe = vmm_qemu_linux_describe,
	},
};

const struct vmm_peer *vmm_peer_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(peers) / sizeof(peers[0]); i++)
		if (!strcmp(peers[i].name, name))
			return &peers[i];
	return NULL;
}

const char *vmm_peer_names(void)
{
	static char buf[256];
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(peers) / sizeof(peers[0]) && used < sizeof(buf); i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? ", " : "", peers[i].name);
	return buf;
}

int vmm_peer_version(const char *binary, char *out, size_t len)
{
	char cmd[512];
	FILE *p;

	snprintf(out, len, "unknown");
	if (strpbrk(binary, "'\\"))
		return -1;
	snprintf(cmd, sizeof(cmd), "'%s' --version 2>/dev/null", binary);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(out, (int)len, p)) {
		snprintf(out, len, "unknown");
		pclose(p);
		return -1;
	}
	out[strcspn(out, "\n")] = 0;
	return pclose(p) == 0 ? 0 : -1;
}

int strv_push(struct strv *s, const char *fmt, ...)
{
	va_list ap;
	char *str;
	int n;

	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	va_start(ap, fmt);
	n = vasprintf(&str, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
	return 0;
}

void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

char *strv_join(const struct strv *s)
{
	size_t len = 1;
	char *out, *p;

	for (size_t i = 0; i < s->n; i++)
		len += strlen(s->v[i]) * 2 + 3;
	out = p = malloc(len);
	if (!out)
		return NULL;
	for (size_t i = 0; i < s->n; i++) {
		bool quote = !s->v[i][0] || strpbrk(s->v[i], " \t\"'\\$") != NULL;

		if (i)
			*p++ = ' ';
		if (quote)
			*p++ = '\'';
		for (const char *c = s->v[i]; *c; c++) {
			if (quote && *c == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = *c;
			}
		}
		if (quote)
			*p++ = '\'';
	}
	*p = 0;
	return out;
}
