/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Key material given to a command: hex on the command line or in a file.
 * Buffers that held key text are wiped. */
#ifndef OSM_KEYARG_H
#define OSM_KEYARG_H

#include <stddef.h>
#include <stdint.h>

/* Parse exactly len bytes of hex (whitespace and ':' ignored) into out.
 * Returns 0, -EINVAL for bad hex, -EMSGSIZE for another length. */
int osm_keyarg_hex(const char *hex, uint8_t *out, size_t len);

/* The same from a file of at most 4 KiB. Returns 0, -errno from open or
 * read, -EINVAL, -EMSGSIZE. */
int osm_keyarg_file(const char *path, uint8_t *out, size_t len);

#endif
