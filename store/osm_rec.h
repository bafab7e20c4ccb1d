/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Store record encodings (internal): fixed little-endian layouts, a type
 * and version byte first; decoders check every length (fuzzed). Layouts
 * are described in docs/store.md, "Records". */
#ifndef OSM_REC_H
#define OSM_REC_H

#include <stddef.h>
#include <stdint.h>
#include <sodium.h>
#include "osm_store.h"

#define OSM_REC_VERSION	1
#define OSM_REC_MAX	1024	/* no encoded record is longer */
#define OSM_HASH_LEN	32
#define OSM_SEAL_NONCE	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define OSM_SEALED_LEN	(OSM_SESSION_KEY_LEN + \
			 crypto_aead_xchacha20poly1305_ietf_ABYTES)

/* A person record as stored: the public part and the sealed session key. */
struct osm_person_blob {
	struct osm_rec_person p;
	uint8_t nonce[OSM_SEAL_NONCE];
	uint8_t sealed[OSM_SEALED_LEN];
};

/* Encode a record of table tab (rec points to the struct for tab, or a
 * struct osm_person_blob for OSM_TAB_PEOPLE) into buf. Returns the length,
 * or -EINVAL for a field out of range (bad name, enum, count). For
 * OSM_TAB_AUDIT the hash is not included: the value is body || hash. */
int osm_rec_encode(enum osm_table tab, const void *rec,
		   uint8_t buf[OSM_REC_MAX]);

/* Decode len bytes into *out (the struct for tab, osm_person_blob for
 * OSM_TAB_PEOPLE). For OSM_TAB_AUDIT the input is body || hash. Returns 0 or
 * OSM_STORE_ECORRUPT. */
int osm_rec_decode(enum osm_table tab, const void *p, size_t len, void *out);

/* Size of the decoded struct for tab (for callers that allocate). */
size_t osm_rec_size(enum osm_table tab);

#endif
