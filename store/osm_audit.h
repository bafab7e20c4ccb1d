/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Audit chain internals shared with erasure (store/osm_forget.c). */
#ifndef OSM_AUDIT_H
#define OSM_AUDIT_H

#include "osm_store_int.h"

/* The last sequence number and hash (0 and zeros for an empty chain). */
int osm_audit_head(struct osm_txn *t, uint64_t *seq,
		   uint8_t hash[OSM_HASH_LEN]);

/* Store record a chained after prev; a->hash gets its hash. */
int osm_audit_put(struct osm_txn *t, struct osm_rec_audit *a,
		  const uint8_t prev[OSM_HASH_LEN]);

/* Replace the records erase() selects by OSM_AUDIT_ERASED markers and
 * re-hash the chain from the first of them; *n_erased counts them. */
int osm_audit_reseal(struct osm_txn *t,
		     bool (*erase)(const struct osm_rec_audit *, void *),
		     void *arg, unsigned long *n_erased);

#endif
