// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer: the hex and MAC text parsers used by the CLIs and vectors. */
#include <stdlib.h>
#include <string.h>
#include "osm_hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), text[2 * 64 + 1], mac_s[18];
	uint8_t b[64], b2[64], mac[6], mac2[6];
	int n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	n = osm_hex_parse(s, b, sizeof(b));
	if (n > 0) {
		osm_hex_format(text, b, (size_t)n);
		if (osm_hex_parse(text, b2, sizeof(b2)) != n ||
		    memcmp(b, b2, (size_t)n) != 0)
			abort();
	}
	if (osm_mac_parse(s, mac) == 0) {
		osm_mac_format(mac_s, mac);
		if (osm_mac_parse(mac_s, mac2) != 0 || memcmp(mac, mac2, 6))
			abort();
	}
	free(s);
	return 0;
}
