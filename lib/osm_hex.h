/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Hex and MAC address text, for CLIs, tests and vectors. */
#ifndef OSM_HEX_H
#define OSM_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Parse hex (whitespace and ':' ignored) into out (capacity cap). Returns
 * the byte count, or -EINVAL for a bad digit or odd count, -EMSGSIZE if it
 * does not fit. */
int osm_hex_parse(const char *s, uint8_t *out, size_t cap);

/* Write len bytes as lower-case hex into s (2 * len + 1 bytes). */
void osm_hex_format(char *s, const uint8_t *in, size_t len);

/* Parse "aa:bb:cc:dd:ee:ff". Returns 0 or -EINVAL. */
int osm_mac_parse(const char *s, uint8_t mac[6]);

/* Format a MAC into s (18 bytes). */
void osm_mac_format(char *s, const uint8_t mac[6]);

#endif
