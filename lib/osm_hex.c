// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Hex and MAC text conversions. */
#include <errno.h>
#include <stdio.h>
#include "osm_hex.h"

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int osm_hex_parse(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == ':')
			continue;
		v = nibble(*s);
		if (v < 0)
			return -EINVAL;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap)
			return -EMSGSIZE;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (int)n : -EINVAL;
}

void osm_hex_format(char *s, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	while (len--) {
		*s++ = digits[*in >> 4];
		*s++ = digits[*in++ & 15];
	}
	*s = '\0';
}

int osm_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

void osm_mac_format(char *s, const uint8_t mac[6])
{
	snprintf(s, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}
