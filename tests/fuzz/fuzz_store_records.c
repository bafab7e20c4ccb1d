// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer harness: the store's record decoders. Every table's decoder,
 * and those of the peer and remote records,
 * sees every input; what one accepts must re-encode to the same bytes
 * (one encoding per record, nothing ignored). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "osmdb_rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static union {
		struct osmdb_rec_floor f;
		struct osmdb_rec_room r;
		struct osmdb_rec_switch s;
		struct osmdb_rec_port p;
		struct osmdb_rec_device d;
		struct osmdb_person_blob b;
		struct osmdb_rec_circuit c;
		struct osmdb_rec_audit a;
		struct osmdb_peer pe;
		struct osmdb_remote re;
	} rec;
	uint8_t buf[OSMDB_REC_MAX];
	int tab, n;

	for (tab = 0; tab < OSMDB_TAB_MAX; tab++) {
		if (osmdb_rec_decode(tab, data, size, &rec))
			continue;
		n = osmdb_rec_encode(tab, &rec, buf);
		if (tab == OSMDB_TAB_AUDIT) {	/* value = body || hash */
			if (n < 0 || (size_t)n + OSMDB_HASH_LEN != size ||
			    memcmp(buf, data, (size_t)n) ||
			    memcmp(rec.a.hash, data + n, OSMDB_HASH_LEN))
				abort();
		} else if (n < 0 || (size_t)n != size ||
			   memcmp(buf, data, size)) {
			abort();
		}
	}
	/* The records kept in meta: peers and remotes. */
	if (!osmdb_peer_decode(data, size, &rec.pe)) {
		n = osmdb_peer_encode(&rec.pe, buf, sizeof(buf));
		if (n < 0 || (size_t)n != size || memcmp(buf, data, size))
			abort();
	}
	if (!osmdb_remote_decode(data, size, &rec.re)) {
		n = osmdb_remote_encode(&rec.re, buf, sizeof(buf));
		if (n < 0 || (size_t)n != size || memcmp(buf, data, size))
			abort();
	}
	return 0;
}
