/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Store record encodings (internal): fixed little-endian layouts, a type
 * and version byte first; decoders check every length (fuzzed). Layouts
 * are described in docs/store.md, "Records". */
#ifndef OSMDB_REC_H
#define OSMDB_REC_H

#include <stddef.h>
#include <stdint.h>
#include <sodium.h>
#include "osmdb.h"

#define OSMDB_REC_VERSION	1
#define OSMDB_REC_MAX	1024	/* no encoded record is longer */
#define OSMDB_HASH_LEN	32
#define OSMDB_SEAL_NONCE	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define OSMDB_SEALED_LEN	(OSM_SESSION_KEY_LEN + \
				 crypto_aead_xchacha20poly1305_ietf_ABYTES)

/* A person record as stored: the public part and the sealed session key. */
struct osmdb_person_blob {
	struct osmdb_rec_person p;
	uint8_t nonce[OSMDB_SEAL_NONCE];
	uint8_t sealed[OSMDB_SEALED_LEN];
};

/* Encode a record of table tab (rec points to the struct for tab, or a
 * struct osmdb_person_blob for OSMDB_TAB_PEOPLE) into buf. Returns the length,
 * or -EINVAL for a field out of range (bad name, enum, count). For
 * OSMDB_TAB_AUDIT the hash is not included: the value is body || hash. */
int osmdb_rec_encode(enum osmdb_table tab, const void *rec,
		     uint8_t buf[OSMDB_REC_MAX]);

/* Decode len bytes into *out (the struct for tab, osmdb_person_blob for
 * OSMDB_TAB_PEOPLE). For OSMDB_TAB_AUDIT the input is body || hash. Returns 0
 * or OSMDB_ECORRUPT. */
int osmdb_rec_decode(enum osmdb_table tab, const void *p, size_t len,
		     void *out);

/* Peer and remote records (in meta, osmdb_remote.c): encode into out
 * (the length, or -EINVAL), decode (0 or OSMDB_ECORRUPT). */
int osmdb_peer_encode(const struct osmdb_peer *p, uint8_t *out, size_t cap);
int osmdb_peer_decode(const void *v, size_t len, struct osmdb_peer *p);
int osmdb_remote_encode(const struct osmdb_remote *r, uint8_t *out,
			size_t cap);
int osmdb_remote_decode(const void *v, size_t len, struct osmdb_remote *r);

/* Size of the decoded struct for tab (for callers that allocate). */
size_t osmdb_rec_size(enum osmdb_table tab);

#endif
