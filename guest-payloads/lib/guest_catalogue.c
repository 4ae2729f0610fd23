// SPDX-License-Identifier: MIT
#include "guest_catalogue.h"
#include "string.h"

/* payload.ld brackets the section with these. */
extern const char __catalogue_start[], __catalogue_end[];

const struct catalogue_hdr *catalogue_find(unsigned int kind, const char *name)
{
	const char *p = __catalogue_start;

	while (p + sizeof(struct catalogue_hdr) <= __catalogue_end) {
		const struct catalogue_hdr *h = (const void *)p;

		if (h->magic != CATALOGUE_MAGIC || h->size < sizeof(*h)) {
			p += 8; /* alignment padding between records */
			continue;
		}
		/* Every kind has its name right after the header. */
		if (h->kind == kind && !strcmp((const char *)(h + 1), name))
			return h;
		p += h->size;
	}
	return NULL;
}
