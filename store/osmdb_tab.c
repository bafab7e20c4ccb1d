// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Tables: transactions, keys, raw and typed record access, metadata, and
 * LMDB's codes as the store's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "osmdb_int.h"

const char *const osmdb_table_names[OSMDB_TAB_MAX] = {
	[OSMDB_TAB_FLOORS] = "floors", [OSMDB_TAB_ROOMS] = "rooms",
	[OSMDB_TAB_SWITCHES] = "switches", [OSMDB_TAB_PORTS] = "ports",
	[OSMDB_TAB_DEVICES] = "devices", [OSMDB_TAB_PEOPLE] = "people",
	[OSMDB_TAB_CIRCUITS] = "circuits", [OSMDB_TAB_AUDIT] = "audit",
};

int osmdb_mdb_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS: return 0;
	case MDB_NOTFOUND: return OSMDB_ENOTFOUND;
	case MDB_KEYEXIST: return OSMDB_EEXIST;
	case MDB_MAP_FULL: case MDB_TXN_FULL: case MDB_PAGE_FULL:
		return -ENOSPC;
	case MDB_CORRUPTED: case MDB_PAGE_NOTFOUND: case MDB_INVALID:
		return OSMDB_ECORRUPT;
	case MDB_VERSION_MISMATCH: return OSMDB_EVERSION;
	case MDB_READERS_FULL: return -EBUSY;
	default: return rc > 0 ? -rc : -EIO;
	}
}

/* ---- transactions ---------------------------------------------------- */

int osmdb_usage(struct osmdb *s, size_t *used, size_t *size)
{
	MDB_envinfo info;
	MDB_stat st;

	if (mdb_env_info(s->env, &info) || mdb_env_stat(s->env, &st))
		return -EIO;
	*used = (info.me_last_pgno + 1) * (size_t)st.ms_psize;
	*size = info.me_mapsize;
	return 0;
}

/* Map the store again at size (0: the size another process gave it).
 * Only with no transaction of ours open: theirs would point into the old
 * map. If the new map cannot be made, the old size is tried again, and
 * failing that the store is lost (every later transaction fails). */
static int remap(struct osmdb *s, size_t size)
{
	size_t old = s->map_size;
	MDB_envinfo info;

	if (s->n_txn)
		return -EAGAIN;
	if (mdb_env_set_mapsize(s->env, size)) {
		if (mdb_env_set_mapsize(s->env, old))
			s->lost = true;
		return -ENOMEM;
	}
	if (!mdb_env_info(s->env, &info))
		s->map_size = info.me_mapsize;
	return 0;
}

/* Before a write: a map more than three quarters full is doubled (up to
 * OSMDB_MAX_MAP_SIZE), so the store grows with the building and its
 * history; with a transaction of ours open, at the next write instead. */
static void grow(struct osmdb *s)
{
	size_t used, size;

	if (osmdb_usage(s, &used, &size) || used < size / 4 * 3 ||
	    size >= OSMDB_MAX_MAP_SIZE)
		return;
	remap(s, size * 2 < OSMDB_MAX_MAP_SIZE ? size * 2 :
		 OSMDB_MAX_MAP_SIZE);
}

int osmdb_txn_begin(struct osmdb *s, unsigned flags, struct osmdb_txn **out)
{
	bool ro = flags & OSMDB_TXN_RDONLY;
	struct osmdb_txn *t;
	int rc;

	*out = NULL;
	if (!ro && (s->flags & OSMDB_RDONLY))
		return -EROFS;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->s = s;
	t->write = !ro;
	if (!ro)
		grow(s);
	rc = s->lost ? EIO :
	     mdb_txn_begin(s->env, NULL, ro ? MDB_RDONLY : 0, &t->txn);
	if (rc == MDB_MAP_RESIZED) {	/* another process grew it */
		rc = remap(s, 0);
		if (rc) {
			free(t);
			return rc;
		}
		rc = mdb_txn_begin(s->env, NULL, ro ? MDB_RDONLY : 0,
				   &t->txn);
	}
	if (rc) {
		free(t);
		return osmdb_mdb_err(rc);
	}
	s->n_txn++;
	*out = t;
	return 0;
}

struct osmdb *osmdb_txn_store(struct osmdb_txn *t)
{
	return t->s;
}

int osmdb_txn_commit(struct osmdb_txn *t)
{
	int rc = mdb_txn_commit(t->txn);

	t->s->n_txn--;
	free(t);
	return osmdb_mdb_err(rc);
}

void osmdb_txn_abort(struct osmdb_txn *t)
{
	if (!t)
		return;
	mdb_txn_abort(t->txn);
	t->s->n_txn--;
	free(t);
}

/* ---- keys and raw access ------------------------------------------ */

int osmdb_key_name(struct osmdb_key *k, const char *name)
{
	if (!name || !osmdb_name_ok(name))
		return -EINVAL;
	k->len = strlen(name);
	memcpy(k->b, name, k->len);
	return 0;
}

int osmdb_key_port(struct osmdb_key *k, const char *sw, const char *port)
{
	if (!osmdb_name_ok(sw) || !osmdb_name_ok(port))
		return -EINVAL;
	k->len = (size_t)snprintf((char *)k->b, sizeof(k->b), "%s/%s", sw,
				  port);
	return 0;
}

void osmdb_key_u32(struct osmdb_key *k, uint32_t v)
{
	k->len = 4;
	k->b[0] = v >> 24, k->b[1] = v >> 16, k->b[2] = v >> 8, k->b[3] = v;
}

void osmdb_key_u64(struct osmdb_key *k, uint64_t v)
{
	int i;

	k->len = 8;
	for (i = 0; i < 8; i++)
		k->b[i] = (uint8_t)(v >> (56 - 8 * i));
}

int osmdb_tab_put_raw(struct osmdb_txn *t, enum osmdb_table tab,
		      const struct osmdb_key *k, const void *v, size_t len)
{
	MDB_val key = { k->len, (void *)k->b }, val = { len, (void *)v };

	if (!t->write)
		return -EROFS;
	return osmdb_mdb_err(mdb_put(t->txn, t->s->dbi[tab], &key, &val, 0));
}

int osmdb_tab_put(struct osmdb_txn *t, enum osmdb_table tab,
		  const struct osmdb_key *k, const void *rec, bool noover)
{
	MDB_val key = { k->len, (void *)k->b }, val;
	uint8_t buf[OSMDB_REC_MAX];
	int n = osmdb_rec_encode(tab, rec, buf);

	if (n < 0)
		return n;
	if (!t->write)
		return -EROFS;
	val.mv_size = (size_t)n;
	val.mv_data = buf;
	return osmdb_mdb_err(mdb_put(t->txn, t->s->dbi[tab], &key, &val,
				     noover ? MDB_NOOVERWRITE : 0));
}

int osmdb_tab_get(struct osmdb_txn *t, enum osmdb_table tab,
		  const struct osmdb_key *k, void *out)
{
	MDB_val key = { k->len, (void *)k->b }, val;
	int rc = mdb_get(t->txn, t->s->dbi[tab], &key, &val);

	if (rc)
		return osmdb_mdb_err(rc);
	return osmdb_rec_decode(tab, val.mv_data, val.mv_size, out);
}

int osmdb_tab_del(struct osmdb_txn *t, enum osmdb_table tab,
		  const struct osmdb_key *k)
{
	MDB_val key = { k->len, (void *)k->b };

	if (!t->write)
		return -EROFS;
	return osmdb_mdb_err(mdb_del(t->txn, t->s->dbi[tab], &key, NULL));
}

int osmdb_tab_clear(struct osmdb_txn *t, enum osmdb_table tab)
{
	if (!t->write)
		return -EROFS;
	return osmdb_mdb_err(mdb_drop(t->txn, t->s->dbi[tab], 0));
}

int osmdb_tab_foreach(struct osmdb_txn *t, enum osmdb_table tab,
		      int (*cb)(const void *rec, void *arg), void *arg)
{
	MDB_cursor *c;
	MDB_val key, val;
	void *rec;
	int rc, ret = 0;

	if ((unsigned)tab >= OSMDB_TAB_MAX)
		return -EINVAL;
	rec = malloc(osmdb_rec_size(tab));
	if (!rec)
		return -ENOMEM;
	rc = mdb_cursor_open(t->txn, t->s->dbi[tab], &c);
	if (rc) {
		free(rec);
		return osmdb_mdb_err(rc);
	}
	for (rc = mdb_cursor_get(c, &key, &val, MDB_FIRST); !rc;
	     rc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
		ret = osmdb_rec_decode(tab, val.mv_data, val.mv_size, rec);
		if (!ret)
			ret = cb(rec, arg);
		if (ret)
			break;
	}
	mdb_cursor_close(c);
	if (tab == OSMDB_TAB_PEOPLE)
		sodium_memzero(rec, osmdb_rec_size(tab));
	free(rec);
	if (!ret && rc != MDB_NOTFOUND)
		ret = osmdb_mdb_err(rc);
	return ret;
}

/* People are walked as struct osmdb_rec_person: the sealed key stays in. */
struct person_walk {
	int (*cb)(const void *rec, void *arg);
	void *arg;
};

static int person_cb(const void *rec, void *arg)
{
	const struct osmdb_person_blob *b = rec;
	struct person_walk *w = arg;

	return w->cb(&b->p, w->arg);
}

int osmdb_foreach(struct osmdb_txn *t, enum osmdb_table tab,
		  int (*cb)(const void *rec, void *arg), void *arg)
{
	struct person_walk w = { cb, arg };

	if (tab == OSMDB_TAB_PEOPLE)
		return osmdb_tab_foreach(t, tab, person_cb, &w);
	return osmdb_tab_foreach(t, tab, cb, arg);
}

long osmdb_count(struct osmdb_txn *t, enum osmdb_table tab)
{
	MDB_stat st;
	int rc;

	if ((unsigned)tab >= OSMDB_TAB_MAX)
		return -EINVAL;
	rc = mdb_stat(t->txn, t->s->dbi[tab], &st);
	return rc ? osmdb_mdb_err(rc) : (long)st.ms_entries;
}

int osmdb_meta_get(struct osmdb_txn *t, const char *key, void *buf, size_t cap)
{
	MDB_val k = { strlen(key), (void *)key }, v;
	int rc = mdb_get(t->txn, t->s->meta, &k, &v);

	if (rc)
		return osmdb_mdb_err(rc);
	if (v.mv_size > cap)
		return OSMDB_ECORRUPT;
	memcpy(buf, v.mv_data, v.mv_size);
	return (int)v.mv_size;
}

int osmdb_meta_put(struct osmdb_txn *t, const char *key, const void *val,
		   size_t len)
{
	MDB_val k = { strlen(key), (void *)key }, v = { len, (void *)val };

	if (!t->write)
		return -EROFS;
	return osmdb_mdb_err(mdb_put(t->txn, t->s->meta, &k, &v, 0));
}

int osmdb_meta_del(struct osmdb_txn *t, const char *key)
{
	MDB_val k = { strlen(key), (void *)key };

	if (!t->write)
		return -EROFS;
	return osmdb_mdb_err(mdb_del(t->txn, t->s->meta, &k, NULL));
}

int osmdb_meta_foreach(struct osmdb_txn *t, const char *prefix,
		       int (*cb)(const char *key, const void *v, size_t len,
				 void *arg), void *arg)
{
	size_t plen = strlen(prefix);
	MDB_val k = { plen, (void *)prefix }, v;
	char key[256];
	MDB_cursor *c;
	int rc = mdb_cursor_open(t->txn, t->s->meta, &c), err = 0;

	if (rc)
		return osmdb_mdb_err(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); !rc && !err;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen))
			break;
		if (k.mv_size >= sizeof(key)) {
			err = OSMDB_ECORRUPT;
			break;
		}
		memcpy(key, k.mv_data, k.mv_size);
		key[k.mv_size] = '\0';
		err = cb(key, v.mv_data, v.mv_size, arg);
	}
	mdb_cursor_close(c);
	if (!err && rc && rc != MDB_NOTFOUND)
		err = osmdb_mdb_err(rc);
	return err;
}

int osmdb_meta_next(struct osmdb_txn *t, const char *key, uint64_t *out)
{
	uint8_t b[8] = { 0 };
	uint64_t v = 0;
	int i, n = osmdb_meta_get(t, key, b, sizeof(b));

	if (n < 0 && n != OSMDB_ENOTFOUND)
		return n;
	if (n >= 0 && n != 8)
		return OSMDB_ECORRUPT;
	for (i = 0; n == 8 && i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	v++;
	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	*out = v;
	return osmdb_meta_put(t, key, b, 8);
}

int osmdb_building_get(struct osmdb_txn *t, char name[OSMDB_NAME_MAX + 1])
{
	int n = osmdb_meta_get(t, "building", name, OSMDB_NAME_MAX);

	if (n == OSMDB_ENOTFOUND)
		n = 0;
	if (n < 0)
		return n;
	name[n] = '\0';
	return 0;
}

/* ---- typed reads ------------------------------------------------------- */

int osmdb_room_get(struct osmdb_txn *t, const char *name,
		   struct osmdb_rec_room *out)
{
	struct osmdb_key k;

	return osmdb_key_name(&k, name)
		?: osmdb_tab_get(t, OSMDB_TAB_ROOMS, &k, out);
}

int osmdb_switch_get(struct osmdb_txn *t, const char *name,
		     struct osmdb_rec_switch *out)
{
	struct osmdb_key k;

	return osmdb_key_name(&k, name) ?:
	       osmdb_tab_get(t, OSMDB_TAB_SWITCHES, &k, out);
}

int osmdb_port_get(struct osmdb_txn *t, const char *sw, const char *port,
		   struct osmdb_rec_port *out)
{
	struct osmdb_key k;

	return osmdb_key_port(&k, sw, port) ?:
	       osmdb_tab_get(t, OSMDB_TAB_PORTS, &k, out);
}

int osmdb_device_get(struct osmdb_txn *t, uint32_t id,
		     struct osmdb_rec_device *out)
{
	struct osmdb_key k;

	osmdb_key_u32(&k, id);
	return osmdb_tab_get(t, OSMDB_TAB_DEVICES, &k, out);
}

int osmdb_circuit_get(struct osmdb_txn *t, uint32_t id,
		      struct osmdb_rec_circuit *out)
{
	struct osmdb_key k;

	osmdb_key_u32(&k, id);
	return osmdb_tab_get(t, OSMDB_TAB_CIRCUITS, &k, out);
}
