// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* People present, their sealed session keys, and circuits with their key
 * epochs. Each call appends its audit record in the caller's
 * transaction, so the change and its record commit together or not. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "osmdb_int.h"

/* The sealed key is bound to its owner: AD = "osm-session" || name. */
static void seal_ad(char ad[OSMDB_NAME_MAX + 16], const char *person,
		    size_t *len)
{
	*len = (size_t)snprintf(ad, OSMDB_NAME_MAX + 16, "osm-session%s",
				person);
}

static int seal_key(struct osmdb *s, struct osmdb_person_blob *b,
		    const uint8_t key[OSM_SESSION_KEY_LEN])
{
	char ad[OSMDB_NAME_MAX + 16];
	size_t adlen;

	seal_ad(ad, b->p.name, &adlen);
	randombytes_buf(b->nonce, sizeof(b->nonce));
	crypto_aead_xchacha20poly1305_ietf_encrypt(b->sealed, NULL, key,
		OSM_SESSION_KEY_LEN, (const uint8_t *)ad, adlen, NULL,
		b->nonce, s->kek);
	return 0;
}

static int unseal_key(struct osmdb *s, const struct osmdb_person_blob *b,
		      uint8_t key[OSM_SESSION_KEY_LEN])
{
	char ad[OSMDB_NAME_MAX + 16];
	size_t adlen;

	seal_ad(ad, b->p.name, &adlen);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(key, NULL, NULL,
			b->sealed, sizeof(b->sealed), (const uint8_t *)ad,
			adlen, b->nonce, s->kek))
		return OSMDB_ESEAL;
	return 0;
}

static int get_blob(struct osmdb_txn *t, const char *person,
		    struct osmdb_person_blob *b)
{
	struct osmdb_key k;

	return osmdb_key_name(&k, person) ?:
	       osmdb_tab_get(t, OSMDB_TAB_PEOPLE, &k, b);
}

int osmdb_person_get(struct osmdb_txn *t, const char *name,
		     struct osmdb_rec_person *out)
{
	struct osmdb_person_blob b;
	int err = get_blob(t, name, &b);

	if (!err)
		*out = b.p;
	sodium_memzero(&b, sizeof(b));
	return err;
}

int osmdb_person_session_key(struct osmdb_txn *t, const char *person,
			     uint8_t out[OSM_SESSION_KEY_LEN])
{
	struct osmdb_person_blob b;
	int err = get_blob(t, person, &b);

	if (!err)
		err = unseal_key(t->s, &b, out);
	sodium_memzero(&b, sizeof(b));
	return err;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Key of person in k, after checking both names and that room exists. */
static int person_room(struct osmdb_txn *t, struct osmdb_key *k,
		       const char *person, const char *room)
{
	struct osmdb_rec_room r;
	int err;

	if (osmdb_key_name(k, person) || !room || !osmdb_name_ok(room))
		return -EINVAL;
	err = osmdb_room_get(t, room, &r);
	return err == OSMDB_ENOTFOUND ? OSMDB_EREF : err;
}

int osmdb_person_enter(struct osmdb_txn *t, const char *person,
		       const char *room)
{
	uint8_t key[OSM_SESSION_KEY_LEN];
	struct osmdb_person_blob b = { 0 };
	struct osmdb_key k;
	int err = person_room(t, &k, person, room);

	if (err)
		return err;
	err = osmdb_tab_get(t, OSMDB_TAB_PEOPLE, &k, &b);
	if (err != OSMDB_ENOTFOUND)
		return err ?: OSMDB_EEXIST;
	snprintf(b.p.name, sizeof(b.p.name), "%s", person);
	snprintf(b.p.room, sizeof(b.p.room), "%s", room);
	b.p.since_ns = now_ns();
	err = osmdb_meta_next(t, "next_session", &b.p.session);
	if (err)
		return err;
	sodium_mlock(key, sizeof(key));
	randombytes_buf(key, sizeof(key));
	seal_key(t->s, &b, key);
	sodium_munlock(key, sizeof(key));	/* also wipes it */
	err = osmdb_tab_put(t, OSMDB_TAB_PEOPLE, &k, &b, true);
	if (!err)
		err = osmdb_audit_append(t, OSMDB_AUDIT_ENTER, person,
					 "room %s session %llu", room,
					 (unsigned long long)b.p.session);
	return err;
}

int osmdb_person_move(struct osmdb_txn *t, const char *person, const char *room)
{
	struct osmdb_person_blob b;
	struct osmdb_key k;
	char from[OSMDB_NAME_MAX + 1];
	int err = person_room(t, &k, person, room);

	if (err)
		return err;
	err = osmdb_tab_get(t, OSMDB_TAB_PEOPLE, &k, &b);
	if (err)
		return err;
	memcpy(from, b.p.room, sizeof(from));
	snprintf(b.p.room, sizeof(b.p.room), "%s", room);
	err = osmdb_tab_put(t, OSMDB_TAB_PEOPLE, &k, &b, false);
	sodium_memzero(&b, sizeof(b));
	if (!err)
		err = osmdb_audit_append(t, OSMDB_AUDIT_MOVE, person,
					 "room %s -> %s", from, room);
	return err;
}

int osmdb_person_leave(struct osmdb_txn *t, const char *person)
{
	struct osmdb_person_blob b;
	struct osmdb_key k;
	uint32_t id;
	int err;

	if (osmdb_key_name(&k, person))
		return -EINVAL;
	err = osmdb_tab_get(t, OSMDB_TAB_PEOPLE, &k, &b);
	sodium_memzero(&b, sizeof(b));
	if (err)
		return err;
	/* the index of circuits by owner: one lookup, whatever the
	 * number of circuits in the building */
	err = osmdb_owned_first(t, person, &id);
	if (!err)
		return OSMDB_EINUSE;
	if (err != OSMDB_ENOTFOUND)
		return err;
	return osmdb_tab_del(t, OSMDB_TAB_PEOPLE, &k) ?:
	       osmdb_audit_append(t, OSMDB_AUDIT_LEAVE, person, "left");
}

/* ---- circuits -------------------------------------------------------- */

static int check_circuit(struct osmdb_txn *t, const struct osmdb_rec_circuit *c)
{
	struct osmdb_rec_device d;
	struct osmdb_rec_person p;
	struct osmdb_rec_switch sw;
	unsigned i;
	int err;

	if (c->id > OSM_DATA_CIRCUIT_MAX || c->cls >= OSMDB_CLASS_MAX ||
	    c->n_path > OSMDB_PATH_MAX ||
	    (c->owner[0] && !osmdb_name_ok(c->owner)))
		return -EINVAL;
	for (i = 0; i < c->n_path; i++)
		if (!osmdb_name_ok(c->path[i]))
			return -EINVAL;
	err = osmdb_device_get(t, c->src_dev, &d) ?:
	      osmdb_device_get(t, c->dst_dev, &d);
	if (!err && c->owner[0])
		err = osmdb_person_get(t, c->owner, &p);
	for (i = 0; !err && i < c->n_path; i++)
		err = osmdb_switch_get(t, c->path[i], &sw);
	return err == OSMDB_ENOTFOUND ? OSMDB_EREF : err;
}

int osmdb_circuit_add(struct osmdb_txn *t, struct osmdb_rec_circuit *c)
{
	struct osmdb_key k;
	uint64_t id;
	int err = check_circuit(t, c);

	if (err)
		return err;
	if (!c->id) {
		/* ids are never reused: a stale frame cannot hit a new
		 * circuit */
		err = osmdb_meta_next(t, "next_circuit", &id);
		if (err)
			return err;
		if (id >= OSM_REMOTE_CIRCUIT_MIN)
			return -ENOSPC;
		c->id = (uint32_t)id;
	}
	osmdb_key_u32(&k, c->id);
	err = osmdb_tab_put(t, OSMDB_TAB_CIRCUITS, &k, c, true);
	if (!err && c->owner[0])
		err = osmdb_owned_put(t, c->owner, c->id);
	if (!err)
		err = osmdb_audit_append(t, OSMDB_AUDIT_CIRCUIT_ADD, c->owner,
			"circuit %u devices %u -> %u class %s epoch %u%s",
			c->id, c->src_dev, c->dst_dev, osmdb_class_name(c->cls),
			c->epoch, c->flags & 1 ? " remote" : "");
	return err;
}

int osmdb_circuit_del(struct osmdb_txn *t, uint32_t id)
{
	struct osmdb_rec_circuit c;
	struct osmdb_key k;
	int err = osmdb_circuit_get(t, id, &c);

	if (err)
		return err;
	osmdb_key_u32(&k, id);
	return osmdb_tab_del(t, OSMDB_TAB_CIRCUITS, &k) ?:
	       (c.owner[0] ? osmdb_owned_del(t, c.owner, id) : 0) ?:
	       osmdb_audit_append(t, OSMDB_AUDIT_CIRCUIT_DEL, c.owner,
				  "circuit %u", id);
}

int osmdb_circuit_rotate(struct osmdb_txn *t, uint32_t id, uint32_t *epoch)
{
	struct osmdb_rec_circuit c;
	struct osmdb_key k;
	int err = osmdb_circuit_get(t, id, &c);

	if (err)
		return err;
	c.epoch++;
	osmdb_key_u32(&k, id);
	err = osmdb_tab_put(t, OSMDB_TAB_CIRCUITS, &k, &c, false) ?:
	      osmdb_audit_append(t, OSMDB_AUDIT_KEY_ROTATE, c.owner,
				 "circuit %u epoch %u", id, c.epoch);
	if (!err && epoch)
		*epoch = c.epoch;
	return err;
}

int osmdb_circuit_keys(struct osmdb_txn *t, uint32_t id, uint32_t epoch,
		       struct osm_keys *out)
{
	uint8_t parent[32];
	struct osmdb_rec_circuit c;
	int err = osmdb_circuit_get(t, id, &c);

	if (err)
		return err;
	sodium_mlock(parent, sizeof(parent));
	if (c.owner[0])
		err = osmdb_person_session_key(t, c.owner, parent);
	else
		err = osm_kdf_device(parent, t->s->root, c.src_dev);
	if (!err)
		osm_kdf_circuit(out, parent, id, epoch);
	sodium_munlock(parent, sizeof(parent));
	return err;
}
