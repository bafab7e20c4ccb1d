// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* People present, their sealed session keys, and circuits with their key
 * epochs. Each call appends its audit record in the caller's
 * transaction, so the change and its record commit together or not. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "osm_store_int.h"

/* The sealed key is bound to its owner: AD = "osm-session" || name. */
static void seal_ad(char ad[OSM_NAME_MAX + 16], const char *person,
		    size_t *len)
{
	*len = (size_t)snprintf(ad, OSM_NAME_MAX + 16, "osm-session%s",
				person);
}

static int seal_key(struct osm_store *s, struct osm_person_blob *b,
		    const uint8_t key[OSM_SESSION_KEY_LEN])
{
	char ad[OSM_NAME_MAX + 16];
	size_t adlen;

	seal_ad(ad, b->p.name, &adlen);
	randombytes_buf(b->nonce, sizeof(b->nonce));
	crypto_aead_xchacha20poly1305_ietf_encrypt(b->sealed, NULL, key,
		OSM_SESSION_KEY_LEN, (const uint8_t *)ad, adlen, NULL,
		b->nonce, s->kek);
	return 0;
}

static int unseal_key(struct osm_store *s, const struct osm_person_blob *b,
		      uint8_t key[OSM_SESSION_KEY_LEN])
{
	char ad[OSM_NAME_MAX + 16];
	size_t adlen;

	seal_ad(ad, b->p.name, &adlen);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(key, NULL, NULL,
			b->sealed, sizeof(b->sealed), (const uint8_t *)ad,
			adlen, b->nonce, s->kek))
		return OSM_STORE_ESEAL;
	return 0;
}

static int get_blob(struct osm_txn *t, const char *person,
		    struct osm_person_blob *b)
{
	struct osm_key k;

	return osm_key_name(&k, person) ?:
	       osm_tab_get(t, OSM_TAB_PEOPLE, &k, b);
}

int osm_person_get(struct osm_txn *t, const char *name,
		   struct osm_rec_person *out)
{
	struct osm_person_blob b;
	int err = get_blob(t, name, &b);

	if (!err)
		*out = b.p;
	sodium_memzero(&b, sizeof(b));
	return err;
}

int osm_person_session_key(struct osm_txn *t, const char *person,
			   uint8_t out[OSM_SESSION_KEY_LEN])
{
	struct osm_person_blob b;
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
static int person_room(struct osm_txn *t, struct osm_key *k,
		       const char *person, const char *room)
{
	struct osm_rec_room r;
	int err;

	if (osm_key_name(k, person) || !room || !osm_name_ok(room))
		return -EINVAL;
	err = osm_room_get(t, room, &r);
	return err == OSM_STORE_ENOTFOUND ? OSM_STORE_EREF : err;
}

int osm_person_enter(struct osm_txn *t, const char *person, const char *room)
{
	uint8_t key[OSM_SESSION_KEY_LEN];
	struct osm_person_blob b = { 0 };
	struct osm_key k;
	int err = person_room(t, &k, person, room);

	if (err)
		return err;
	err = osm_tab_get(t, OSM_TAB_PEOPLE, &k, &b);
	if (err != OSM_STORE_ENOTFOUND)
		return err ?: OSM_STORE_EEXIST;
	snprintf(b.p.name, sizeof(b.p.name), "%s", person);
	snprintf(b.p.room, sizeof(b.p.room), "%s", room);
	b.p.since_ns = now_ns();
	err = osm_meta_next(t, "next_session", &b.p.session);
	if (err)
		return err;
	sodium_mlock(key, sizeof(key));
	randombytes_buf(key, sizeof(key));
	seal_key(t->s, &b, key);
	sodium_munlock(key, sizeof(key));	/* also wipes it */
	err = osm_tab_put(t, OSM_TAB_PEOPLE, &k, &b, true);
	if (!err)
		err = osm_audit_append(t, OSM_AUDIT_ENTER, person,
				       "room %s session %llu", room,
				       (unsigned long long)b.p.session);
	return err;
}

int osm_person_move(struct osm_txn *t, const char *person, const char *room)
{
	struct osm_person_blob b;
	struct osm_key k;
	char from[OSM_NAME_MAX + 1];
	int err = person_room(t, &k, person, room);

	if (err)
		return err;
	err = osm_tab_get(t, OSM_TAB_PEOPLE, &k, &b);
	if (err)
		return err;
	memcpy(from, b.p.room, sizeof(from));
	snprintf(b.p.room, sizeof(b.p.room), "%s", room);
	err = osm_tab_put(t, OSM_TAB_PEOPLE, &k, &b, false);
	sodium_memzero(&b, sizeof(b));
	if (!err)
		err = osm_audit_append(t, OSM_AUDIT_MOVE, person,
				       "room %s -> %s", from, room);
	return err;
}

int osm_person_leave(struct osm_txn *t, const char *person)
{
	struct osm_person_blob b;
	struct osm_key k;
	uint32_t id;
	int err;

	if (osm_key_name(&k, person))
		return -EINVAL;
	err = osm_tab_get(t, OSM_TAB_PEOPLE, &k, &b);
	sodium_memzero(&b, sizeof(b));
	if (err)
		return err;
	/* the index of circuits by owner: one lookup, whatever the
	 * number of circuits in the building */
	err = osm_owned_first(t, person, &id);
	if (!err)
		return OSM_STORE_EINUSE;
	if (err != OSM_STORE_ENOTFOUND)
		return err;
	return osm_tab_del(t, OSM_TAB_PEOPLE, &k) ?:
	       osm_audit_append(t, OSM_AUDIT_LEAVE, person, "left");
}

/* ---- circuits -------------------------------------------------------- */

static int check_circuit(struct osm_txn *t, const struct osm_rec_circuit *c)
{
	struct osm_rec_device d;
	struct osm_rec_person p;
	struct osm_rec_switch sw;
	unsigned i;
	int err;

	if (c->id > 0x7fffffffu || c->cls >= OSM_CLASS_MAX ||
	    c->n_path > OSM_PATH_MAX ||
	    (c->owner[0] && !osm_name_ok(c->owner)))
		return -EINVAL;
	for (i = 0; i < c->n_path; i++)
		if (!osm_name_ok(c->path[i]))
			return -EINVAL;
	err = osm_device_get(t, c->src_dev, &d) ?:
	      osm_device_get(t, c->dst_dev, &d);
	if (!err && c->owner[0])
		err = osm_person_get(t, c->owner, &p);
	for (i = 0; !err && i < c->n_path; i++)
		err = osm_switch_get(t, c->path[i], &sw);
	return err == OSM_STORE_ENOTFOUND ? OSM_STORE_EREF : err;
}

int osm_circuit_add(struct osm_txn *t, struct osm_rec_circuit *c)
{
	struct osm_key k;
	uint64_t id;
	int err = check_circuit(t, c);

	if (err)
		return err;
	if (!c->id) {
		/* ids are never reused: a stale frame cannot hit a new
		 * circuit */
		err = osm_meta_next(t, "next_circuit", &id);
		if (err)
			return err;
		if (id > 0x7fffffffu)
			return -ENOSPC;
		c->id = (uint32_t)id;
	}
	osm_key_u32(&k, c->id);
	err = osm_tab_put(t, OSM_TAB_CIRCUITS, &k, c, true);
	if (!err && c->owner[0])
		err = osm_owned_put(t, c->owner, c->id);
	if (!err)
		err = osm_audit_append(t, OSM_AUDIT_CIRCUIT_ADD, c->owner,
			"circuit %u devices %u -> %u class %s epoch %u%s",
			c->id, c->src_dev, c->dst_dev, osm_class_name(c->cls),
			c->epoch, c->flags & 1 ? " remote" : "");
	return err;
}

int osm_circuit_del(struct osm_txn *t, uint32_t id)
{
	struct osm_rec_circuit c;
	struct osm_key k;
	int err = osm_circuit_get(t, id, &c);

	if (err)
		return err;
	osm_key_u32(&k, id);
	return osm_tab_del(t, OSM_TAB_CIRCUITS, &k) ?:
	       (c.owner[0] ? osm_owned_del(t, c.owner, id) : 0) ?:
	       osm_audit_append(t, OSM_AUDIT_CIRCUIT_DEL, c.owner,
				"circuit %u", id);
}

int osm_circuit_rotate(struct osm_txn *t, uint32_t id, uint32_t *epoch)
{
	struct osm_rec_circuit c;
	struct osm_key k;
	int err = osm_circuit_get(t, id, &c);

	if (err)
		return err;
	c.epoch++;
	osm_key_u32(&k, id);
	err = osm_tab_put(t, OSM_TAB_CIRCUITS, &k, &c, false) ?:
	      osm_audit_append(t, OSM_AUDIT_KEY_ROTATE, c.owner,
			       "circuit %u epoch %u", id, c.epoch);
	if (!err && epoch)
		*epoch = c.epoch;
	return err;
}

int osm_circuit_keys(struct osm_txn *t, uint32_t id, uint32_t epoch,
		     struct osm_keys *out)
{
	uint8_t parent[32];
	struct osm_rec_circuit c;
	int err = osm_circuit_get(t, id, &c);

	if (err)
		return err;
	sodium_mlock(parent, sizeof(parent));
	if (c.owner[0])
		err = osm_person_session_key(t, c.owner, parent);
	else
		err = osm_kdf_device(parent, t->s->root, c.src_dev);
	if (!err)
		osm_kdf_circuit(out, parent, id, epoch);
	sodium_munlock(parent, sizeof(parent));
	return err;
}
