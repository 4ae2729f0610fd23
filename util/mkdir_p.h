/* SPDX-License-Identifier: MIT */
/* A directory and its missing parents, as `mkdir -p` makes them. */
#ifndef EXITLAB_MKDIR_P_H
#define EXITLAB_MKDIR_P_H

/* path and every missing parent, mode 0755; 0, or -1 with errno (one that exists is fine). */
int mkdir_p(const char *path);

#endif
