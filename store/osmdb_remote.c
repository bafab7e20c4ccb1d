// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Peer buildings and the remote circuits opened with them (docs/protocol.md
 * 11.9): records in meta ("peer.NAME", "remote.NAME"), and what the
 * building's X25519 key pair gives: its public key, the pair secret its
 * gateway runs the link from, and the ids and keys of a remote circuit,
 * which the two controllers compute alike and never send. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "osmdb_int.h"
#include "osm_keys.h"

/* ---- the building's key pair and what two of them share ----------------- */

static void building_secret(const struct osmdb *s, uint8_t sk[32])
{
	osm_kdf_building(sk, s->root);
}

int osmdb_building_pub(struct osmdb *s, uint8_t pub[32])
{
	uint8_t sk[32];

	building_secret(s, sk);
	crypto_scalarmult_base(pub, sk);
	sodium_memzero(sk, sizeof(sk));
	return 0;
}

static int shared(struct osmdb *s, const uint8_t peer[32], const char *prefix,
		  uint8_t out[32])
{
	uint8_t sk[32];
	int err;

	building_secret(s, sk);
	err = osm_building_shared(out, sk, peer, prefix);
	sodium_memzero(sk, sizeof(sk));
	return err;
}

int osmdb_peer_pair(struct osmdb *s, const uint8_t peer[32], uint8_t P[32])
{
	return shared(s, peer, NULL, P);
}

int osmdb_remote_ids(struct osmdb *s, const uint8_t peer[32],
		     const char *name, uint32_t id[2])
{
	uint8_t q[32], pub[32];
	uint32_t both[2];
	int err = shared(s, peer, "osm-rem1", q), lo;

	if (err)
		return err;
	osm_remote_ids(both, q, name);
	sodium_memzero(q, sizeof(q));
	osmdb_building_pub(s, pub);
	/* Each side's sending circuit is the other's receiving one. */
	lo = memcmp(pub, peer, 32) < 0;
	id[OSMDB_REMOTE_SEND] = both[!lo];
	id[OSMDB_REMOTE_RECV] = both[lo];
	return 0;
}

int osmdb_remote_keys(struct osmdb_txn *t, const struct osmdb_remote *r,
		      int dir, uint32_t epoch, struct osm_keys *k)
{
	struct osmdb_peer p;
	uint8_t q[32], parent[32];
	int err = osmdb_peer_get(t, r->peer, &p);

	if (err)
		return err == OSMDB_ENOTFOUND ? OSMDB_EREF : err;
	err = shared(t->s, p.pub, "osm-rem1", q);
	if (err)
		return err;
	osm_remote_parent(parent, q, r->name);
	osm_kdf_circuit(k, parent, r->id[dir], epoch);
	sodium_memzero(q, sizeof(q));
	sodium_memzero(parent, sizeof(parent));
	return 0;
}

/* ---- the tables (in meta) ---------------------------------------------- */

static int meta_key(char *k, size_t cap, const char *kind, const char *name)
{
	if (!osmdb_name_ok(name))
		return -EINVAL;
	snprintf(k, cap, "%s.%s", kind, name);
	return 0;
}

/* Record name of kind ("peer", "remote") as stored, into v: its length,
 * or a code. */
static int rec_get(struct osmdb_txn *t, const char *kind, const char *name,
		   uint8_t v[OSMDB_REC_MAX])
{
	char k[80];

	return meta_key(k, sizeof(k), kind, name) ?:
	       osmdb_meta_get(t, k, v, OSMDB_REC_MAX);
}

/* Store n bytes of v (or the code n) as record name of kind; delete
 * it. */
static int rec_put(struct osmdb_txn *t, const char *kind, const char *name,
		   const uint8_t *v, int n)
{
	char k[80];

	return n < 0 ? n : meta_key(k, sizeof(k), kind, name) ?:
	       osmdb_meta_put(t, k, v, (size_t)n);
}

static int rec_del(struct osmdb_txn *t, const char *kind, const char *name)
{
	char k[80];

	return meta_key(k, sizeof(k), kind, name) ?: osmdb_meta_del(t, k);
}

int osmdb_peer_get(struct osmdb_txn *t, const char *name,
		   struct osmdb_peer *out)
{
	uint8_t v[OSMDB_REC_MAX];
	int n = rec_get(t, "peer", name, v);

	return n < 0 ? n : osmdb_peer_decode(v, (size_t)n, out);
}

int osmdb_remote_get(struct osmdb_txn *t, const char *name,
		     struct osmdb_remote *out)
{
	uint8_t v[OSMDB_REC_MAX];
	int n = rec_get(t, "remote", name, v);

	return n < 0 ? n : osmdb_remote_decode(v, (size_t)n, out);
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int peer_put(struct osmdb_txn *t, const struct osmdb_peer *p)
{
	uint8_t v[OSMDB_REC_MAX];

	return rec_put(t, "peer", p->name, v,
		       osmdb_peer_encode(p, v, sizeof(v)));
}

/* A peer already on p's gateway (osm-gw holds one link), or with p's
 * key: named in the struct, which the walk stops at. */
struct taken_gw {
	const struct osmdb_peer *p;
	char name[OSMDB_NAME_MAX + 1];
};

static int taken_cb(const void *rec, void *arg)
{
	const struct osmdb_peer *o = rec;
	struct taken_gw *g = arg;
	int err = !memcmp(o->pub, g->p->pub, 32) ? -EADDRINUSE :
		  !strcmp(o->gateway, g->p->gateway) ||
		  !strcmp(o->socket, g->p->socket) ? -EBUSY : 0;

	if (err)
		snprintf(g->name, sizeof(g->name), "%s", o->name);
	return err;
}

int osmdb_peer_add(struct osmdb_txn *t, struct osmdb_peer *p,
		   char clash[OSMDB_NAME_MAX + 1])
{
	struct taken_gw g = { .p = p };
	struct osmdb_rec_switch sw;
	struct osmdb_peer old;
	uint8_t P[32];
	char pub[65];
	int err;

	if (!t->write)
		return -EROFS;
	if (!p->epoch || !osmdb_name_ok(p->gateway))
		return -EINVAL;
	err = osmdb_peer_pair(t->s, p->pub, P);
	sodium_memzero(P, sizeof(P));
	if (err)
		return err;
	err = osmdb_switch_get(t, p->gateway, &sw);
	if (!err && sw.kind != OSMDB_SW_GATEWAY)
		err = OSMDB_EREF;
	if (err)
		return err == OSMDB_ENOTFOUND ? OSMDB_EREF : err;
	err = osmdb_peer_get(t, p->name, &old);
	if (!err)
		return OSMDB_EEXIST;
	if (err != OSMDB_ENOTFOUND)
		return err;
	err = osmdb_peer_foreach(t, taken_cb, &g);
	if (err) {
		if (clash)
			snprintf(clash, OSMDB_NAME_MAX + 1, "%s", g.name);
		return err;
	}
	p->since_ns = wall_ns();
	sodium_bin2hex(pub, sizeof(pub), p->pub, 32);
	return peer_put(t, p) ?:
	       osmdb_audit_append(t, OSMDB_AUDIT_PEER_ADD, "",
				  "peer %s key %s endpoint %s gateway %s "
				  "epoch %u", p->name, pub, p->endpoint,
				  p->gateway, p->epoch);
}

int osmdb_peer_epoch(struct osmdb_txn *t, const char *name, uint32_t epoch)
{
	struct osmdb_peer p;
	int err = osmdb_peer_get(t, name, &p);

	if (err)
		return err;
	if (epoch <= p.epoch)
		return -ESTALE;
	p.epoch = epoch;
	return peer_put(t, &p) ?:
	       osmdb_audit_append(t, OSMDB_AUDIT_PEER_EPOCH, "",
				  "peer %s epoch %u", name, epoch);
}

struct walk {
	const char *kind;
	int (*cb)(const void *rec, void *arg);
	void *arg;
};

static int walk_cb(const char *key, const void *v, size_t len, void *arg)
{
	struct walk *w = arg;
	union { struct osmdb_peer p; struct osmdb_remote r; } u;
	int err;

	(void)key;
	err = w->kind[0] == 'p' ? osmdb_peer_decode(v, len, &u.p) :
				  osmdb_remote_decode(v, len, &u.r);
	return err ?: w->cb(&u, w->arg);
}

int osmdb_peer_foreach(struct osmdb_txn *t,
		       int (*cb)(const void *rec, void *arg), void *arg)
{
	struct walk w = { "peer.", cb, arg };

	return osmdb_meta_foreach(t, w.kind, walk_cb, &w);
}

int osmdb_remote_foreach(struct osmdb_txn *t,
			 int (*cb)(const void *rec, void *arg), void *arg)
{
	struct walk w = { "remote.", cb, arg };

	return osmdb_meta_foreach(t, w.kind, walk_cb, &w);
}

static int uses_peer(const void *rec, void *arg)
{
	return !strcmp(((const struct osmdb_remote *)rec)->peer, arg) ?
	       OSMDB_EINUSE : 0;
}

int osmdb_peer_del(struct osmdb_txn *t, const char *name)
{
	struct osmdb_peer p;
	int err = osmdb_peer_get(t, name, &p);

	if (err)
		return err;
	err = osmdb_remote_foreach(t, uses_peer, (void *)name);
	if (err)
		return err;
	return rec_del(t, "peer", name) ?:
	       osmdb_audit_append(t, OSMDB_AUDIT_PEER_DEL, "", "peer %s",
				  name);
}

struct clash {
	const uint32_t *id;
	char name[OSMDB_NAME_MAX + 1];
};

static int clash_cb(const void *rec, void *arg)
{
	const struct osmdb_remote *r = rec;
	struct clash *c = arg;

	if ((r->id[0] | 1) != (c->id[0] | 1))
		return 0;
	snprintf(c->name, sizeof(c->name), "%s", r->name);
	return -EADDRINUSE;
}

/* Where a remote's name is kept once opened with a peer's key. */
static void used_key(char *k, size_t cap, const uint8_t pub[32],
		     const char *name)
{
	char hex[65];

	sodium_bin2hex(hex, sizeof(hex), pub, 32);
	snprintf(k, cap, "remote-used.%s.%s", hex, name);
}

int osmdb_remote_add(struct osmdb_txn *t, struct osmdb_remote *r,
		     char clash_name[OSMDB_NAME_MAX + 1])
{
	char used[160];
	uint8_t v[OSMDB_REC_MAX];
	struct osmdb_rec_device d;
	struct osmdb_remote old;
	struct osmdb_peer p;
	struct clash c = { .id = r->id };
	int err;

	if (!t->write)
		return -EROFS;
	if (!osmdb_name_ok(r->name) || r->cls >= OSMDB_CLASS_MAX ||
	    !r->dirs || r->dirs > 3)
		return -EINVAL;
	err = osmdb_peer_get(t, r->peer, &p) ?:
	      osmdb_device_get(t, r->device, &d);
	if (err)
		return err == OSMDB_ENOTFOUND ? OSMDB_EREF : err;
	err = osmdb_remote_get(t, r->name, &old);
	if (!err)
		return OSMDB_EEXIST;
	if (err != OSMDB_ENOTFOUND)
		return err;
	err = osmdb_remote_ids(t->s, p.pub, r->name, r->id);
	if (err)
		return err;
	/* Its keys follow from the two buildings and the name: opened once,
	 * never again, or its (key, nonce) pairs would repeat. */
	used_key(used, sizeof(used), p.pub, r->name);
	err = osmdb_meta_get(t, used, v, sizeof(v));
	if (err >= 0)
		return -EALREADY;
	if (err != OSMDB_ENOTFOUND)
		return err;
	err = osmdb_remote_foreach(t, clash_cb, &c);
	if (err) {
		if (clash_name)
			snprintf(clash_name, OSMDB_NAME_MAX + 1, "%s", c.name);
		return err;
	}
	r->since_ns = wall_ns();
	return rec_put(t, "remote", r->name, v,
		       osmdb_remote_encode(r, v, sizeof(v))) ?:
	       osmdb_meta_put(t, used, r->id, sizeof(r->id)) ?:
	       osmdb_audit_append(t, OSMDB_AUDIT_REMOTE_ADD, "",
				  "remote %s peer %s device %u%s%s class %s "
				  "circuits %u %u", r->name, r->peer, r->device,
				  r->dirs & 1 ? " send" : "",
				  r->dirs & 2 ? " receive" : "",
				  osmdb_class_name(r->cls),
				  r->id[OSMDB_REMOTE_SEND],
				  r->id[OSMDB_REMOTE_RECV]);
}

int osmdb_remote_close(struct osmdb_txn *t, const char *name)
{
	struct osmdb_remote r;
	int err = osmdb_remote_get(t, name, &r);

	if (err)
		return err;
	return rec_del(t, "remote", name) ?:
	       osmdb_audit_append(t, OSMDB_AUDIT_REMOTE_CLOSE, "",
				  "remote %s peer %s", name, r.peer);
}
