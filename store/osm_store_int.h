/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Internals shared by the store's files (and its white-box tests): the
 * handles behind the opaque types and raw table access. */
#ifndef OSM_STORE_INT_H
#define OSM_STORE_INT_H

#include <lmdb.h>
#include "osm_store.h"
#include "osm_rec.h"

#define OSM_DEFAULT_MAP_SIZE	(1ul << 30)

struct osm_store {
	MDB_env *env;
	MDB_dbi dbi[OSM_TAB_MAX];
	MDB_dbi meta;
	MDB_dbi owned;		/* circuits by owner (osm_owned.c) */
	bool has_owned;		/* false: a schema 1 store opened read-only */
	char *dir;
	unsigned flags;
	size_t map_size;
	int lock_fd;		/* store.lock: flock shared, forget exclusive */
	uint8_t *root;		/* sodium_malloc'd: guarded, mlocked */
	uint8_t *kek;		/* key-encryption key, derived from root */
};

struct osm_txn {
	struct osm_store *s;
	MDB_txn *txn;
	bool write;
};

/* Table names in the environment, indexed by enum osm_table. */
extern const char *const osm_table_names[OSM_TAB_MAX];

/* Map an LMDB return code to ours. */
int osm_mdb_err(int rc);

/* Keys: a name as is, ids big-endian so that they sort numerically. */
struct osm_key {
	uint8_t b[2 * OSM_NAME_MAX + 2];
	size_t len;
};
int osm_key_name(struct osm_key *k, const char *name);
int osm_key_port(struct osm_key *k, const char *sw, const char *port);
void osm_key_u32(struct osm_key *k, uint32_t v);
void osm_key_u64(struct osm_key *k, uint64_t v);

/* Encode rec and put it under k; noover: fail with OSM_STORE_EEXIST if
 * present. Raw value variant for audit records (body || hash). */
int osm_tab_put(struct osm_txn *t, enum osm_table tab,
		const struct osm_key *k, const void *rec, bool noover);
int osm_tab_put_raw(struct osm_txn *t, enum osm_table tab,
		    const struct osm_key *k, const void *v, size_t len);
int osm_tab_get(struct osm_txn *t, enum osm_table tab,
		const struct osm_key *k, void *out);
int osm_tab_del(struct osm_txn *t, enum osm_table tab,
		const struct osm_key *k);
/* Empty a table. */
int osm_tab_clear(struct osm_txn *t, enum osm_table tab);
/* As osm_store_foreach, with the decoded struct as stored (a person blob
 * for OSM_TAB_PEOPLE). */
int osm_tab_foreach(struct osm_txn *t, enum osm_table tab,
		    int (*cb)(const void *rec, void *arg), void *arg);

/* Metadata values ("schema", "building", "audit_head", "next_circuit",
 * "next_session"). get returns the length copied, or a negative code. */
int osm_meta_get(struct osm_txn *t, const char *key, void *buf, size_t cap);
int osm_meta_put(struct osm_txn *t, const char *key, const void *v,
		 size_t len);

/* Next value of a 64-bit counter kept in meta, starting at 1. */
int osm_meta_next(struct osm_txn *t, const char *key, uint64_t *out);

/* The circuits-by-owner index (table "owned", osm_owned.c), kept in
 * step with the circuits table by osm_circuit_add/del. put/del: 0,
 * -EINVAL, -EROFS (read transaction, or no index), -ENOSPC, -EIO (del of
 * an absent entry is 0). first: 0 and *id, the lowest circuit id owner
 * owns, or OSM_STORE_ENOTFOUND (owns none), -EINVAL, -EROFS, -EIO.
 * rebuild: the index anew from the circuits table. */
int osm_owned_put(struct osm_txn *t, const char *owner, uint32_t id);
int osm_owned_del(struct osm_txn *t, const char *owner, uint32_t id);
int osm_owned_first(struct osm_txn *t, const char *owner, uint32_t *id);
int osm_owned_rebuild(struct osm_txn *t);

/* LMDB named databases: the tables, meta and owned. */
#define OSM_MAX_DBS	(OSM_TAB_MAX + 2)

/* Open the environment of s->dir (s->flags) and its tables. */
int osm_store_env_open(struct osm_store *s);

#endif
