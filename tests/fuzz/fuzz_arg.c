// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer: command-line arguments as osm-fabric and osm-endpoint read
 * them: numbers, and keys (hex of an exact length). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "osm_hex.h"
#include <stdio.h>
#include "osm_arg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = { 16, 32 };
	char *s = malloc(size + 1), text[2 * 32 + 1];
	uint8_t k[32], k2[32];
	uint64_t v, v2;
	size_t i;
	int r;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (i = 0; i < 2; i++) {
		r = osm_arg_key_hex(s, k, lens[i]);
		if (r != 0 && r != -EINVAL && r != -EMSGSIZE)
			abort();
		if (r == 0) {
			/* What was accepted reads back the same. */
			osm_hex_format(text, k, lens[i]);
			if (osm_arg_key_hex(text, k2, lens[i]) != 0 ||
			    memcmp(k, k2, lens[i]) != 0)
				abort();
		}
	}
	r = osm_arg_u64(s, UINT32_MAX, &v);
	if (r == 0) {
		/* An accepted number is in range and prints back. */
		snprintf(text, sizeof(text), "%llu", (unsigned long long)v);
		if (v > UINT32_MAX || osm_arg_u64(text, UINT32_MAX, &v2) ||
		    v2 != v)
			abort();
	} else if (r != -EINVAL && r != -ERANGE) {
		abort();
	}
	free(s);
	return 0;
}
