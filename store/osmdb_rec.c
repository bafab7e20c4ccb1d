// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Record encodings of the store: little-endian, [type][version] then the
 * fields; strings as [u8 len][bytes]. Decoders refuse any byte that does
 * not belong: short or trailing data, bad names, enums out of range. */
#include <errno.h>
#include <string.h>
#include "osmdb_rec.h"

struct wbuf {
	uint8_t *p;
	size_t len;
	int err;
};

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	int err;
};

static void put(struct wbuf *w, const void *src, size_t n)
{
	if (w->err || w->len + n > OSMDB_REC_MAX) {
		w->err = -EINVAL;
		return;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void put_le(struct wbuf *w, uint64_t v, size_t n)
{
	uint8_t b[8];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(w, b, n);
}

/* A string field: a name (NAME), a name or "" (ONAME), or printable
 * text (TEXT), up to max bytes. */
static void put_str(struct wbuf *w, const char *s, size_t max, int kind)
{
	size_t n = strnlen(s, max + 1);

	size_t i;

	if (n > max || (kind == 1 && !osmdb_name_ok(s)) ||
	    (kind == 2 && n && !osmdb_name_ok(s))) {
		w->err = -EINVAL;
		return;
	}
	for (i = 0; kind == 0 && i < n; i++)
		if ((uint8_t)s[i] < 0x20 || (uint8_t)s[i] > 0x7e)
			w->err = -EINVAL;
	put_le(w, n, max > 255 ? 2 : 1);
	put(w, s, n);
}

#define NAME	1	/* a name, required */
#define ONAME	2	/* a name or "" */
#define TEXT	0	/* printable text */

static const uint8_t *get(struct rbuf *r, size_t n)
{
	const uint8_t *p;

	if (r->err || r->len - r->off < n) {
		r->err = OSMDB_ECORRUPT;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

static uint64_t get_le(struct rbuf *r, size_t n)
{
	const uint8_t *b = get(r, n);
	uint64_t v = 0;
	size_t i;

	if (!b)
		return 0;
	for (i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static void get_bytes(struct rbuf *r, void *dst, size_t n)
{
	const uint8_t *b = get(r, n);

	if (b)
		memcpy(dst, b, n);
}

static void get_str(struct rbuf *r, char *dst, size_t max, int kind)
{
	size_t n = get_le(r, max > 255 ? 2 : 1), i;
	const uint8_t *b;

	dst[0] = '\0';
	if (r->err)
		return;
	if (n > max) {
		r->err = OSMDB_ECORRUPT;
		return;
	}
	b = get(r, n);
	if (!b)
		return;
	if (memchr(b, 0, n)) {	/* a NUL would hide the rest */
		r->err = OSMDB_ECORRUPT;
		return;
	}
	memcpy(dst, b, n);
	dst[n] = '\0';
	if ((kind == NAME && !osmdb_name_ok(dst)) ||
	    (kind == ONAME && n && !osmdb_name_ok(dst))) {
		r->err = OSMDB_ECORRUPT;
		return;
	}
	for (i = 0; kind == TEXT && i < n; i++)
		if (b[i] < 0x20 || b[i] > 0x7e)
			r->err = OSMDB_ECORRUPT;
}

static uint8_t get_enum(struct rbuf *r, unsigned max)
{
	uint8_t v = (uint8_t)get_le(r, 1);

	if (v >= max)
		r->err = OSMDB_ECORRUPT;
	return v;
}

static int enc_check_enum(struct wbuf *w, unsigned v, unsigned max)
{
	if (v >= max)
		w->err = -EINVAL;
	put_le(w, v, 1);
	return 0;
}

static void enc_floor(struct wbuf *w, const struct osmdb_rec_floor *f)
{
	put_str(w, f->name, OSMDB_NAME_MAX, NAME);
	put_le(w, (uint32_t)f->level, 4);
}

static void dec_floor(struct rbuf *r, struct osmdb_rec_floor *f)
{
	get_str(r, f->name, OSMDB_NAME_MAX, NAME);
	f->level = (int32_t)get_le(r, 4);
}

static void enc_room(struct wbuf *w, const struct osmdb_rec_room *m)
{
	put_str(w, m->name, OSMDB_NAME_MAX, NAME);
	put_str(w, m->floor, OSMDB_NAME_MAX, NAME);
	put_str(w, m->sw, OSMDB_NAME_MAX, NAME);
}

static void dec_room(struct rbuf *r, struct osmdb_rec_room *m)
{
	get_str(r, m->name, OSMDB_NAME_MAX, NAME);
	get_str(r, m->floor, OSMDB_NAME_MAX, NAME);
	get_str(r, m->sw, OSMDB_NAME_MAX, NAME);
}

static void enc_switch(struct wbuf *w, const struct osmdb_rec_switch *s)
{
	put_str(w, s->name, OSMDB_NAME_MAX, NAME);
	enc_check_enum(w, s->kind, OSMDB_SW_KIND_MAX);
	put_str(w, s->room, OSMDB_NAME_MAX, ONAME);
}

static void dec_switch(struct rbuf *r, struct osmdb_rec_switch *s)
{
	get_str(r, s->name, OSMDB_NAME_MAX, NAME);
	s->kind = get_enum(r, OSMDB_SW_KIND_MAX);
	get_str(r, s->room, OSMDB_NAME_MAX, ONAME);
}

static void enc_port(struct wbuf *w, const struct osmdb_rec_port *p)
{
	put_str(w, p->sw, OSMDB_NAME_MAX, NAME);
	put_str(w, p->name, OSMDB_NAME_MAX, NAME);
	put_str(w, p->ifname, sizeof(p->ifname) - 1, NAME);
	enc_check_enum(w, p->kind, OSMDB_PORT_KIND_MAX);
	put_str(w, p->peer_sw, OSMDB_NAME_MAX, ONAME);
	put_str(w, p->peer_port, OSMDB_NAME_MAX, ONAME);
}

static void dec_port(struct rbuf *r, struct osmdb_rec_port *p)
{
	get_str(r, p->sw, OSMDB_NAME_MAX, NAME);
	get_str(r, p->name, OSMDB_NAME_MAX, NAME);
	get_str(r, p->ifname, sizeof(p->ifname) - 1, NAME);
	p->kind = get_enum(r, OSMDB_PORT_KIND_MAX);
	get_str(r, p->peer_sw, OSMDB_NAME_MAX, ONAME);
	get_str(r, p->peer_port, OSMDB_NAME_MAX, ONAME);
}

static void enc_device(struct wbuf *w, const struct osmdb_rec_device *d)
{
	if (!d->id || d->id > OSM_DEVICE_ID_MAX)
		w->err = -EINVAL;
	put_le(w, d->id, 4);
	put_str(w, d->name, OSMDB_NAME_MAX, NAME);
	if (d->role < OSM_ROLE_SENSOR)
		w->err = -EINVAL;
	enc_check_enum(w, d->role, OSM_ROLE_CONTROLLER + 1);
	put_str(w, d->room, OSMDB_NAME_MAX, NAME);
	put_str(w, d->sw, OSMDB_NAME_MAX, NAME);
	put_str(w, d->port, OSMDB_NAME_MAX, NAME);
	put(w, d->mac, 6);
}

static void dec_device(struct rbuf *r, struct osmdb_rec_device *d)
{
	d->id = (uint32_t)get_le(r, 4);
	if (!d->id || d->id > OSM_DEVICE_ID_MAX)
		r->err = OSMDB_ECORRUPT;
	get_str(r, d->name, OSMDB_NAME_MAX, NAME);
	d->role = get_enum(r, OSM_ROLE_CONTROLLER + 1);
	if (d->role < OSM_ROLE_SENSOR)
		r->err = OSMDB_ECORRUPT;
	get_str(r, d->room, OSMDB_NAME_MAX, NAME);
	get_str(r, d->sw, OSMDB_NAME_MAX, NAME);
	get_str(r, d->port, OSMDB_NAME_MAX, NAME);
	get_bytes(r, d->mac, 6);
}

static void enc_person(struct wbuf *w, const struct osmdb_person_blob *b)
{
	put_str(w, b->p.name, OSMDB_NAME_MAX, NAME);
	put_str(w, b->p.room, OSMDB_NAME_MAX, NAME);
	put_le(w, b->p.since_ns, 8);
	put_le(w, b->p.session, 8);
	put(w, b->nonce, sizeof(b->nonce));
	put(w, b->sealed, sizeof(b->sealed));
}

static void dec_person(struct rbuf *r, struct osmdb_person_blob *b)
{
	get_str(r, b->p.name, OSMDB_NAME_MAX, NAME);
	get_str(r, b->p.room, OSMDB_NAME_MAX, NAME);
	b->p.since_ns = get_le(r, 8);
	b->p.session = get_le(r, 8);
	get_bytes(r, b->nonce, sizeof(b->nonce));
	get_bytes(r, b->sealed, sizeof(b->sealed));
}

static void enc_circuit(struct wbuf *w, const struct osmdb_rec_circuit *c)
{
	unsigned i;

	if (!c->id || c->id > OSM_DATA_CIRCUIT_MAX || c->n_path > OSMDB_PATH_MAX)
		w->err = -EINVAL;
	put_le(w, c->id, 4);
	put_str(w, c->owner, OSMDB_NAME_MAX, ONAME);
	put_le(w, c->src_dev, 4);
	put_le(w, c->dst_dev, 4);
	enc_check_enum(w, c->cls, OSMDB_CLASS_MAX);
	put_le(w, c->flags, 4);
	put_le(w, c->rate, 8);
	put_le(w, c->burst, 8);
	put_le(w, c->lease_ns, 8);
	put_le(w, c->epoch, 4);
	put_le(w, c->n_path, 1);
	for (i = 0; i < c->n_path && i < OSMDB_PATH_MAX; i++)
		put_str(w, c->path[i], OSMDB_NAME_MAX, NAME);
}

static void dec_circuit(struct rbuf *r, struct osmdb_rec_circuit *c)
{
	unsigned i;

	c->id = (uint32_t)get_le(r, 4);
	if (!c->id || c->id > OSM_DATA_CIRCUIT_MAX)
		r->err = OSMDB_ECORRUPT;
	get_str(r, c->owner, OSMDB_NAME_MAX, ONAME);
	c->src_dev = (uint32_t)get_le(r, 4);
	c->dst_dev = (uint32_t)get_le(r, 4);
	c->cls = get_enum(r, OSMDB_CLASS_MAX);
	c->flags = (uint32_t)get_le(r, 4);
	c->rate = get_le(r, 8);
	c->burst = get_le(r, 8);
	c->lease_ns = get_le(r, 8);
	c->epoch = (uint32_t)get_le(r, 4);
	c->n_path = get_enum(r, OSMDB_PATH_MAX + 1);
	for (i = 0; !r->err && i < c->n_path; i++)
		get_str(r, c->path[i], OSMDB_NAME_MAX, NAME);
}

static void enc_audit(struct wbuf *w, const struct osmdb_rec_audit *a)
{
	if (!a->seq)
		w->err = -EINVAL;
	put_le(w, a->seq, 8);
	put_le(w, a->time_ns, 8);
	if (!a->kind)
		w->err = -EINVAL;
	enc_check_enum(w, a->kind, OSMDB_AUDIT_KIND_MAX);
	put_str(w, a->person, OSMDB_NAME_MAX, ONAME);
	put_str(w, a->detail, OSMDB_DETAIL_MAX, TEXT);
}

static void dec_audit(struct rbuf *r, struct osmdb_rec_audit *a)
{
	a->seq = get_le(r, 8);
	a->time_ns = get_le(r, 8);
	a->kind = get_enum(r, OSMDB_AUDIT_KIND_MAX);
	if (!a->seq || !a->kind)
		r->err = OSMDB_ECORRUPT;
	get_str(r, a->person, OSMDB_NAME_MAX, ONAME);
	get_str(r, a->detail, OSMDB_DETAIL_MAX, TEXT);
	get_bytes(r, a->hash, sizeof(a->hash));
}

int osmdb_rec_encode(enum osmdb_table tab, const void *rec,
		     uint8_t buf[OSMDB_REC_MAX])
{
	struct wbuf w = { .p = buf };

	if ((unsigned)tab >= OSMDB_TAB_MAX)
		return -EINVAL;
	put_le(&w, tab + 1, 1);
	put_le(&w, OSMDB_REC_VERSION, 1);
	switch (tab) {
	case OSMDB_TAB_FLOORS: enc_floor(&w, rec); break;
	case OSMDB_TAB_ROOMS: enc_room(&w, rec); break;
	case OSMDB_TAB_SWITCHES: enc_switch(&w, rec); break;
	case OSMDB_TAB_PORTS: enc_port(&w, rec); break;
	case OSMDB_TAB_DEVICES: enc_device(&w, rec); break;
	case OSMDB_TAB_PEOPLE: enc_person(&w, rec); break;
	case OSMDB_TAB_CIRCUITS: enc_circuit(&w, rec); break;
	case OSMDB_TAB_AUDIT: enc_audit(&w, rec); break;
	default: return -EINVAL;
	}
	return w.err ? w.err : (int)w.len;
}

int osmdb_rec_decode(enum osmdb_table tab, const void *p, size_t len, void *out)
{
	struct rbuf r = { .p = p, .len = len };

	if ((unsigned)tab >= OSMDB_TAB_MAX)
		return -EINVAL;
	memset(out, 0, osmdb_rec_size(tab));
	if (get_le(&r, 1) != (uint64_t)tab + 1 ||
	    get_le(&r, 1) != OSMDB_REC_VERSION)
		return OSMDB_ECORRUPT;
	switch (tab) {
	case OSMDB_TAB_FLOORS: dec_floor(&r, out); break;
	case OSMDB_TAB_ROOMS: dec_room(&r, out); break;
	case OSMDB_TAB_SWITCHES: dec_switch(&r, out); break;
	case OSMDB_TAB_PORTS: dec_port(&r, out); break;
	case OSMDB_TAB_DEVICES: dec_device(&r, out); break;
	case OSMDB_TAB_PEOPLE: dec_person(&r, out); break;
	case OSMDB_TAB_CIRCUITS: dec_circuit(&r, out); break;
	case OSMDB_TAB_AUDIT: dec_audit(&r, out); break;
	default: return -EINVAL;
	}
	if (!r.err && r.off != r.len)
		r.err = OSMDB_ECORRUPT;
	return r.err;
}

size_t osmdb_rec_size(enum osmdb_table tab)
{
	static const size_t sz[OSMDB_TAB_MAX] = {
		[OSMDB_TAB_FLOORS] = sizeof(struct osmdb_rec_floor),
		[OSMDB_TAB_ROOMS] = sizeof(struct osmdb_rec_room),
		[OSMDB_TAB_SWITCHES] = sizeof(struct osmdb_rec_switch),
		[OSMDB_TAB_PORTS] = sizeof(struct osmdb_rec_port),
		[OSMDB_TAB_DEVICES] = sizeof(struct osmdb_rec_device),
		[OSMDB_TAB_PEOPLE] = sizeof(struct osmdb_person_blob),
		[OSMDB_TAB_CIRCUITS] = sizeof(struct osmdb_rec_circuit),
		[OSMDB_TAB_AUDIT] = sizeof(struct osmdb_rec_audit),
	};

	return (unsigned)tab < OSMDB_TAB_MAX ? sz[tab] : 0;
}

/* ---- peer and remote records (kept in meta: osmdb_remote.c) ------------- */

#define REC_PEER	0x50	/* type bytes: outside the tables' 1..8 */
#define REC_REMOTE	0x52

static int finish_enc(struct wbuf *w)
{
	return w->err ? w->err : (int)w->len;
}

static int start_dec(struct rbuf *r, unsigned type)
{
	return get_le(r, 1) == type && get_le(r, 1) == OSMDB_REC_VERSION ?
	       0 : OSMDB_ECORRUPT;
}

static int finish_dec(struct rbuf *r)
{
	if (!r->err && r->off != r->len)
		r->err = OSMDB_ECORRUPT;
	return r->err;
}

int osmdb_peer_encode(const struct osmdb_peer *p, uint8_t *out, size_t cap)
{
	struct wbuf w = { .p = out };

	if (cap < OSMDB_REC_MAX || !p->epoch)
		return -EINVAL;
	put_le(&w, REC_PEER, 1);
	put_le(&w, OSMDB_REC_VERSION, 1);
	put_str(&w, p->name, OSMDB_NAME_MAX, NAME);
	put(&w, p->pub, 32);
	put_str(&w, p->endpoint, OSMDB_ADDR_MAX, TEXT);
	put(&w, p->next_hop, 6);
	put_str(&w, p->gateway, OSMDB_NAME_MAX, NAME);
	put_str(&w, p->socket, OSMDB_SOCK_MAX, TEXT);
	put_le(&w, p->epoch, 4);
	put_le(&w, p->since_ns, 8);
	return finish_enc(&w);
}

int osmdb_peer_decode(const void *v, size_t len, struct osmdb_peer *p)
{
	struct rbuf r = { .p = v, .len = len };

	memset(p, 0, sizeof(*p));
	if (start_dec(&r, REC_PEER))
		return OSMDB_ECORRUPT;
	get_str(&r, p->name, OSMDB_NAME_MAX, NAME);
	get_bytes(&r, p->pub, 32);
	get_str(&r, p->endpoint, OSMDB_ADDR_MAX, TEXT);
	get_bytes(&r, p->next_hop, 6);
	get_str(&r, p->gateway, OSMDB_NAME_MAX, NAME);
	get_str(&r, p->socket, OSMDB_SOCK_MAX, TEXT);
	p->epoch = (uint32_t)get_le(&r, 4);
	p->since_ns = get_le(&r, 8);
	if (!p->epoch)
		r.err = OSMDB_ECORRUPT;
	return finish_dec(&r);
}

/* A remote's ids: a pair, even and odd, from the remote range. */
static int remote_ids_ok(const uint32_t id[2])
{
	return (id[0] ^ id[1]) == 1 && id[0] >= OSM_REMOTE_CIRCUIT_MIN &&
	       id[1] >= OSM_REMOTE_CIRCUIT_MIN &&
	       id[0] <= OSM_DATA_CIRCUIT_MAX && id[1] <= OSM_DATA_CIRCUIT_MAX;
}

int osmdb_remote_encode(const struct osmdb_remote *m, uint8_t *out,
			size_t cap)
{
	struct wbuf w = { .p = out };

	if (cap < OSMDB_REC_MAX || !m->dirs || m->dirs > 3 ||
	    !remote_ids_ok(m->id))
		return -EINVAL;
	put_le(&w, REC_REMOTE, 1);
	put_le(&w, OSMDB_REC_VERSION, 1);
	put_str(&w, m->name, OSMDB_NAME_MAX, NAME);
	put_str(&w, m->peer, OSMDB_NAME_MAX, NAME);
	put_le(&w, m->device, 4);
	put(&w, m->peer_mac, 6);
	enc_check_enum(&w, m->cls, OSMDB_CLASS_MAX);
	put_le(&w, m->dirs, 1);
	put_le(&w, m->id[0], 4);
	put_le(&w, m->id[1], 4);
	put_le(&w, m->since_ns, 8);
	return finish_enc(&w);
}

int osmdb_remote_decode(const void *v, size_t len, struct osmdb_remote *m)
{
	struct rbuf r = { .p = v, .len = len };

	memset(m, 0, sizeof(*m));
	if (start_dec(&r, REC_REMOTE))
		return OSMDB_ECORRUPT;
	get_str(&r, m->name, OSMDB_NAME_MAX, NAME);
	get_str(&r, m->peer, OSMDB_NAME_MAX, NAME);
	m->device = (uint32_t)get_le(&r, 4);
	get_bytes(&r, m->peer_mac, 6);
	m->cls = get_enum(&r, OSMDB_CLASS_MAX);
	m->dirs = (uint8_t)get_le(&r, 1);
	m->id[0] = (uint32_t)get_le(&r, 4);
	m->id[1] = (uint32_t)get_le(&r, 4);
	m->since_ns = get_le(&r, 8);
	if (!m->dirs || m->dirs > 3 || !remote_ids_ok(m->id))
		r.err = OSMDB_ECORRUPT;
	return finish_dec(&r);
}
