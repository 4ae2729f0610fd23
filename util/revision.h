/* SPDX-License-Identifier: MIT */
/*
 * exitlab's git revision ("<12 hex>[-dirty]" or "unknown"), generated into
 * build/gen/revision.c at every build so that no object carries a stale one.
 */
#ifndef EXITLAB_REVISION_H
#define EXITLAB_REVISION_H

extern const char exitlab_revision[];

#endif
