/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Command-line arguments shared by the tools: numbers, and key material
 * as hex on the command line or in a file (text buffers are wiped). */
#ifndef OSM_ARG_H
#define OSM_ARG_H

#include <stddef.h>
#include <stdint.h>

/* Parse exactly len bytes of hex (whitespace and ':' ignored) into out.
 * Returns 0, -EINVAL for bad hex, -EMSGSIZE for another length. */
int osm_arg_key_hex(const char *hex, uint8_t *out, size_t len);

/* The same from a file of at most 4 KiB. Returns 0, -errno from open or
 * read, -EINVAL, -EMSGSIZE. */
int osm_arg_key_file(const char *path, uint8_t *out, size_t len);

/* Parse a decimal, 0x hex or 0 octal number no greater than max. Returns
 * 0, -EINVAL (not a number, sign, trailing text), -ERANGE (over max). */
int osm_arg_u64(const char *s, uint64_t max, uint64_t *v);

#endif
