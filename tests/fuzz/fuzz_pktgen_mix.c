// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer harness for osm-pktgen's --mix parser, and the generator it
 * drives: any accepted mix must yield frames whose verdict is in range. */
#include <stdlib.h>
#include <string.h>
#include "pktgen.h"

static void keys(struct osm_keys *k, uint32_t id, void *arg)
{
	(void)arg;
	memset(k, (int)id, sizeof(*k));
	k->epoch = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t src[6] = { 2, 0, 0, 0, 0, 1 }, dst[6] = { 2 };
	static uint8_t buf[PG_FRAME_MAX];
	unsigned int w[PG_KIND_MAX];
	struct pg_gen g;
	char *s = malloc(size + 1);
	int i, reason, len;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	if (pg_mix_parse(s, w) == 0 &&
	    pg_gen_init(&g, 1, 2, src, dst, OSM_T_DATA, 64 + size % 1000, 0,
			w, keys, NULL, size) == 0) {
		for (i = 0; i < 16; i++) {
			len = pg_gen_next(&g, buf, &reason, NULL, NULL);
			if (len < OSM_ETH_HLEN || len > PG_FRAME_MAX ||
			    reason < 0 || reason >= OSM_REASON_MAX)
				abort();
		}
		pg_gen_free(&g);
	}
	free(s);
	return 0;
}
