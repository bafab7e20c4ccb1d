// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The index of circuits by owner (table "owned"): one key per owned
 * circuit, owner || 0 || id (u32 big-endian), empty value; kept by
 * osmdb_circuit_add/del in their transaction, so that a leave asks "does
 * this person own a circuit?" with one B-tree lookup, not a scan. */
#include <errno.h>
#include <string.h>
#include "osmdb_int.h"

/* Names never hold a 0 byte: "ann" 0 sorts before "anna" 0, and a
 * person's keys are exactly those that start with their name and 0. */
static int owned_key(struct osmdb_key *k, const char *owner, uint32_t id)
{
	if (osmdb_key_name(k, owner))
		return -EINVAL;
	k->b[k->len++] = 0;
	k->b[k->len++] = (uint8_t)(id >> 24);
	k->b[k->len++] = (uint8_t)(id >> 16);
	k->b[k->len++] = (uint8_t)(id >> 8);
	k->b[k->len++] = (uint8_t)id;
	return 0;
}

/* The key of (owner, id) in k and key, for a write transaction. */
static int write_key(struct osmdb_txn *t, const char *owner, uint32_t id,
		     struct osmdb_key *k, MDB_val *key)
{
	if (!t->write || !t->s->has_owned)
		return -EROFS;
	if (owned_key(k, owner, id))
		return -EINVAL;
	key->mv_size = k->len;
	key->mv_data = k->b;
	return 0;
}

int osmdb_owned_put(struct osmdb_txn *t, const char *owner, uint32_t id)
{
	MDB_val key, val = { 0, NULL };
	struct osmdb_key k;

	return write_key(t, owner, id, &k, &key) ?:
	       osmdb_mdb_err(mdb_put(t->txn, t->s->owned, &key, &val, 0));
}

int osmdb_owned_del(struct osmdb_txn *t, const char *owner, uint32_t id)
{
	MDB_val key;
	struct osmdb_key k;
	int rc = write_key(t, owner, id, &k, &key);

	if (rc)
		return rc;
	rc = mdb_del(t->txn, t->s->owned, &key, NULL);
	/* an index that lacks the entry says nothing wrong about the
	 * circuit, which is gone either way */
	return rc == MDB_NOTFOUND ? 0 : osmdb_mdb_err(rc);
}

int osmdb_owned_first(struct osmdb_txn *t, const char *owner, uint32_t *id)
{
	MDB_cursor *c;
	MDB_val key, val;
	struct osmdb_key k;
	const uint8_t *p;
	int rc;

	if (!t->s->has_owned)
		return -EROFS;
	if (owned_key(&k, owner, 0))
		return -EINVAL;
	k.len -= 4;		/* owner || 0: the first key at or after it */
	key.mv_size = k.len;
	key.mv_data = k.b;
	rc = mdb_cursor_open(t->txn, t->s->owned, &c);
	if (rc)
		return osmdb_mdb_err(rc);
	rc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE);
	if (!rc && (key.mv_size != k.len + 4 ||
		    memcmp(key.mv_data, k.b, k.len)))
		rc = MDB_NOTFOUND;
	if (!rc) {
		p = (const uint8_t *)key.mv_data + k.len;
		*id = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		      (uint32_t)p[2] << 8 | p[3];
	}
	mdb_cursor_close(c);
	return osmdb_mdb_err(rc);
}

static int rebuild_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_circuit *c = rec;

	return c->owner[0] ? osmdb_owned_put(arg, c->owner, c->id) : 0;
}

int osmdb_owned_rebuild(struct osmdb_txn *t)
{
	int rc;

	if (!t->write || !t->s->has_owned)
		return -EROFS;
	rc = mdb_drop(t->txn, t->s->owned, 0);
	if (rc)
		return osmdb_mdb_err(rc);
	return osmdb_tab_foreach(t, OSMDB_TAB_CIRCUITS, rebuild_cb, t);
}
