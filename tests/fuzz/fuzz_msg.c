// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer: control message decoding; whatever decodes re-encodes to the
 * very same bytes (one encoding per message). */
#include <stdlib.h>
#include <string.h>
#include "osm_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t again[256];
	struct osm_msg m;
	int n;

	if (osm_msg_decode(&m, data, size) != 0)
		return 0;
	n = osm_msg_encode(&m, again, sizeof(again));
	if (n < 0 || (size_t)n != size || memcmp(again, data, size) != 0)
		abort();
	return 0;
}
