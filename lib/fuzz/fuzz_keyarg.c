// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer: key arguments (hex of an exact length), as osm-fabric and
 * osm-endpoint read --hop-key and --e2e-key. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "osm_hex.h"
#include "osm_keyarg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = { 16, 32 };
	char *s = malloc(size + 1), text[2 * 32 + 1];
	uint8_t k[32], k2[32];
	size_t i;
	int r;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (i = 0; i < 2; i++) {
		r = osm_keyarg_hex(s, k, lens[i]);
		if (r != 0 && r != -EINVAL && r != -EMSGSIZE)
			abort();
		if (r == 0) {
			/* What was accepted reads back the same. */
			osm_hex_format(text, k, lens[i]);
			if (osm_keyarg_hex(text, k2, lens[i]) != 0 ||
			    memcmp(k, k2, lens[i]) != 0)
				abort();
		}
	}
	free(s);
	return 0;
}
