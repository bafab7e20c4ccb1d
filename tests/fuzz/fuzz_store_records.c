// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer harness: the store's record decoders. Every table's decoder
 * sees every input; what one accepts must re-encode to the same bytes
 * (one encoding per record, nothing ignored). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "osm_rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static union {
		struct osm_rec_floor f;
		struct osm_rec_room r;
		struct osm_rec_switch s;
		struct osm_rec_port p;
		struct osm_rec_device d;
		struct osm_person_blob b;
		struct osm_rec_circuit c;
		struct osm_rec_audit a;
	} rec;
	uint8_t buf[OSM_REC_MAX];
	int tab, n;

	for (tab = 0; tab < OSM_TAB_MAX; tab++) {
		if (osm_rec_decode(tab, data, size, &rec))
			continue;
		n = osm_rec_encode(tab, &rec, buf);
		if (tab == OSM_TAB_AUDIT) {	/* value = body || hash */
			if (n < 0 || (size_t)n + OSM_HASH_LEN != size ||
			    memcmp(buf, data, (size_t)n) ||
			    memcmp(rec.a.hash, data + n, OSM_HASH_LEN))
				abort();
		} else if (n < 0 || (size_t)n != size ||
			   memcmp(buf, data, size)) {
			abort();
		}
	}
	return 0;
}
