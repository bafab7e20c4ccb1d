/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Audit chain internals shared with erasure (store/osmdb_forget.c) and
 * archives (store/osmdb_archive.c). */
#ifndef OSMDB_AUDIT_H
#define OSMDB_AUDIT_H

#include "osmdb_int.h"

/* Replace the records erase() selects by OSMDB_AUDIT_ERASED markers and
 * re-hash the chain from the first of them; *n_erased counts them. */
int osmdb_audit_reseal(struct osmdb_txn *t,
		       bool (*erase)(const struct osmdb_rec_audit *, void *),
		       void *arg, unsigned long *n_erased);

/* BLAKE2b-256(prev || body): the hash of the record whose encoded body
 * (without its hash) is body. */
void osmdb_audit_hash(const uint8_t prev[OSMDB_HASH_LEN], const void *body,
		      size_t len, uint8_t out[OSMDB_HASH_LEN]);

/* Decode the stored value v (body || hash) into *a and check that it is
 * record want and chains from prev; then prev becomes its hash. Returns 0
 * or OSMDB_EAUDIT. */
int osmdb_audit_link(const void *v, size_t len, uint64_t want,
		     uint8_t prev[OSMDB_HASH_LEN], struct osmdb_rec_audit *a);

#endif
