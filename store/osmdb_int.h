/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Internals shared by the store's files (and its white-box tests): the
 * handles behind the opaque types and raw table access. */
#ifndef OSMDB_INT_H
#define OSMDB_INT_H

#include <lmdb.h>
#include "osmdb.h"
#include "osmdb_rec.h"

#define OSMDB_DEFAULT_MAP_SIZE	(1ul << 30)
#define OSMDB_MAX_MAP_SIZE	(64ul << 30)	/* how far it grows */

struct osmdb {
	MDB_env *env;
	MDB_dbi dbi[OSMDB_TAB_MAX];
	MDB_dbi meta;
	MDB_dbi owned;		/* circuits by owner (osmdb_owned.c) */
	bool has_owned;		/* false: a schema 1 store opened read-only */
	char *dir;
	unsigned flags;
	size_t map_size;
	int lock_fd;		/* store.lock: flock shared, forget exclusive */
	int writer_fd;		/* writer.lock, flock exclusive: read-write */
	bool exclusive;		/* store.lock held exclusive (osmdb_lock_all) */
	bool lost;		/* its map could not be mapped again */
	unsigned n_txn;		/* transactions open (no remap meanwhile) */
	uint8_t *root;		/* sodium_malloc'd: guarded, mlocked */
	uint8_t *kek;		/* key-encryption key, derived from root */
};

struct osmdb_txn {
	struct osmdb *s;
	MDB_txn *txn;
	bool write;
};

/* Table names in the environment, indexed by enum osmdb_table. */
extern const char *const osmdb_table_names[OSMDB_TAB_MAX];

/* Map an LMDB return code to ours. */
int osmdb_mdb_err(int rc);

/* Keys: a name as is, ids big-endian so that they sort numerically. */
struct osmdb_key {
	uint8_t b[2 * OSMDB_NAME_MAX + 2];
	size_t len;
};
int osmdb_key_name(struct osmdb_key *k, const char *name);
int osmdb_key_port(struct osmdb_key *k, const char *sw, const char *port);
void osmdb_key_u32(struct osmdb_key *k, uint32_t v);
void osmdb_key_u64(struct osmdb_key *k, uint64_t v);

/* Encode rec and put it under k; noover: fail with OSMDB_EEXIST if
 * present. Raw value variant for audit records (body || hash). */
int osmdb_tab_put(struct osmdb_txn *t, enum osmdb_table tab,
		  const struct osmdb_key *k, const void *rec, bool noover);
int osmdb_tab_put_raw(struct osmdb_txn *t, enum osmdb_table tab,
		      const struct osmdb_key *k, const void *v, size_t len);
int osmdb_tab_get(struct osmdb_txn *t, enum osmdb_table tab,
		  const struct osmdb_key *k, void *out);
int osmdb_tab_del(struct osmdb_txn *t, enum osmdb_table tab,
		  const struct osmdb_key *k);
/* Empty a table. */
int osmdb_tab_clear(struct osmdb_txn *t, enum osmdb_table tab);
/* As osmdb_foreach, with the decoded struct as stored (a person blob
 * for OSMDB_TAB_PEOPLE). */
int osmdb_tab_foreach(struct osmdb_txn *t, enum osmdb_table tab,
		      int (*cb)(const void *rec, void *arg), void *arg);

/* Metadata values ("schema", "building", "audit_head", "next_circuit",
 * "next_session"). get returns the length copied, or a negative code. */
int osmdb_meta_get(struct osmdb_txn *t, const char *key, void *buf, size_t cap);
int osmdb_meta_put(struct osmdb_txn *t, const char *key, const void *v,
		   size_t len);

/* Delete a metadata value (OSMDB_ENOTFOUND if absent); call cb with
 * every one whose key starts with prefix, in key order (a non-zero
 * return stops the walk and is returned). */
int osmdb_meta_del(struct osmdb_txn *t, const char *key);
int osmdb_meta_foreach(struct osmdb_txn *t, const char *prefix,
		       int (*cb)(const char *key, const void *v, size_t len,
				 void *arg), void *arg);

/* Next value of a 64-bit counter kept in meta, starting at 1. */
int osmdb_meta_next(struct osmdb_txn *t, const char *key, uint64_t *out);

/* The circuits-by-owner index (table "owned", osmdb_owned.c), kept in
 * step with the circuits table by osmdb_circuit_add/del. put/del: 0,
 * -EINVAL, -EROFS (read transaction, or no index), -ENOSPC, -EIO (del of
 * an absent entry is 0). first: 0 and *id, the lowest circuit id owner
 * owns, or OSMDB_ENOTFOUND (owns none), -EINVAL, -EROFS, -EIO.
 * rebuild: the index anew from the circuits table. */
int osmdb_owned_put(struct osmdb_txn *t, const char *owner, uint32_t id);
int osmdb_owned_del(struct osmdb_txn *t, const char *owner, uint32_t id);
int osmdb_owned_first(struct osmdb_txn *t, const char *owner, uint32_t *id);
int osmdb_owned_rebuild(struct osmdb_txn *t);

/* LMDB named databases: the tables, meta and owned. */
#define OSMDB_MAX_DBS	(OSMDB_TAB_MAX + 2)

/* Open the environment of s->dir (s->flags) and its tables. */
int osmdb_env_open(struct osmdb *s);

#endif
