// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Record encodings of the store: little-endian, [type][version] then the
 * fields; strings as [u8 len][bytes]. Decoders refuse any byte that does
 * not belong: short or trailing data, bad names, enums out of range. */
#include <errno.h>
#include <string.h>
#include "osm_rec.h"

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
	if (w->err || w->len + n > OSM_REC_MAX) {
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

	if (n > max || (kind == 1 && !osm_name_ok(s)) ||
	    (kind == 2 && n && !osm_name_ok(s))) {
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
		r->err = OSM_STORE_ECORRUPT;
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
		r->err = OSM_STORE_ECORRUPT;
		return;
	}
	b = get(r, n);
	if (!b)
		return;
	if (memchr(b, 0, n)) {	/* a NUL would hide the rest */
		r->err = OSM_STORE_ECORRUPT;
		return;
	}
	memcpy(dst, b, n);
	dst[n] = '\0';
	if ((kind == NAME && !osm_name_ok(dst)) ||
	    (kind == ONAME && n && !osm_name_ok(dst))) {
		r->err = OSM_STORE_ECORRUPT;
		return;
	}
	for (i = 0; kind == TEXT && i < n; i++)
		if (b[i] < 0x20 || b[i] > 0x7e)
			r->err = OSM_STORE_ECORRUPT;
}

static uint8_t get_enum(struct rbuf *r, unsigned max)
{
	uint8_t v = (uint8_t)get_le(r, 1);

	if (v >= max)
		r->err = OSM_STORE_ECORRUPT;
	return v;
}

static int enc_check_enum(struct wbuf *w, unsigned v, unsigned max)
{
	if (v >= max)
		w->err = -EINVAL;
	put_le(w, v, 1);
	return 0;
}

static void enc_floor(struct wbuf *w, const struct osm_rec_floor *f)
{
	put_str(w, f->name, OSM_NAME_MAX, NAME);
	put_le(w, (uint32_t)f->level, 4);
}

static void dec_floor(struct rbuf *r, struct osm_rec_floor *f)
{
	get_str(r, f->name, OSM_NAME_MAX, NAME);
	f->level = (int32_t)get_le(r, 4);
}

static void enc_room(struct wbuf *w, const struct osm_rec_room *m)
{
	put_str(w, m->name, OSM_NAME_MAX, NAME);
	put_str(w, m->floor, OSM_NAME_MAX, NAME);
	put_str(w, m->sw, OSM_NAME_MAX, NAME);
}

static void dec_room(struct rbuf *r, struct osm_rec_room *m)
{
	get_str(r, m->name, OSM_NAME_MAX, NAME);
	get_str(r, m->floor, OSM_NAME_MAX, NAME);
	get_str(r, m->sw, OSM_NAME_MAX, NAME);
}

static void enc_switch(struct wbuf *w, const struct osm_rec_switch *s)
{
	put_str(w, s->name, OSM_NAME_MAX, NAME);
	enc_check_enum(w, s->kind, OSM_SW_KIND_MAX);
	put_str(w, s->room, OSM_NAME_MAX, ONAME);
}

static void dec_switch(struct rbuf *r, struct osm_rec_switch *s)
{
	get_str(r, s->name, OSM_NAME_MAX, NAME);
	s->kind = get_enum(r, OSM_SW_KIND_MAX);
	get_str(r, s->room, OSM_NAME_MAX, ONAME);
}

static void enc_port(struct wbuf *w, const struct osm_rec_port *p)
{
	put_str(w, p->sw, OSM_NAME_MAX, NAME);
	put_str(w, p->name, OSM_NAME_MAX, NAME);
	put_str(w, p->ifname, sizeof(p->ifname) - 1, NAME);
	enc_check_enum(w, p->kind, OSM_PORT_KIND_MAX);
	put_str(w, p->peer_sw, OSM_NAME_MAX, ONAME);
	put_str(w, p->peer_port, OSM_NAME_MAX, ONAME);
}

static void dec_port(struct rbuf *r, struct osm_rec_port *p)
{
	get_str(r, p->sw, OSM_NAME_MAX, NAME);
	get_str(r, p->name, OSM_NAME_MAX, NAME);
	get_str(r, p->ifname, sizeof(p->ifname) - 1, NAME);
	p->kind = get_enum(r, OSM_PORT_KIND_MAX);
	get_str(r, p->peer_sw, OSM_NAME_MAX, ONAME);
	get_str(r, p->peer_port, OSM_NAME_MAX, ONAME);
}

static void enc_device(struct wbuf *w, const struct osm_rec_device *d)
{
	if (!d->id || d->id > OSM_DEVICE_ID_MAX)
		w->err = -EINVAL;
	put_le(w, d->id, 4);
	put_str(w, d->name, OSM_NAME_MAX, NAME);
	if (d->role < OSM_ROLE_SENSOR)
		w->err = -EINVAL;
	enc_check_enum(w, d->role, OSM_ROLE_CONTROLLER + 1);
	put_str(w, d->room, OSM_NAME_MAX, NAME);
	put_str(w, d->sw, OSM_NAME_MAX, NAME);
	put_str(w, d->port, OSM_NAME_MAX, NAME);
	put(w, d->mac, 6);
}

static void dec_device(struct rbuf *r, struct osm_rec_device *d)
{
	d->id = (uint32_t)get_le(r, 4);
	if (!d->id || d->id > OSM_DEVICE_ID_MAX)
		r->err = OSM_STORE_ECORRUPT;
	get_str(r, d->name, OSM_NAME_MAX, NAME);
	d->role = get_enum(r, OSM_ROLE_CONTROLLER + 1);
	if (d->role < OSM_ROLE_SENSOR)
		r->err = OSM_STORE_ECORRUPT;
	get_str(r, d->room, OSM_NAME_MAX, NAME);
	get_str(r, d->sw, OSM_NAME_MAX, NAME);
	get_str(r, d->port, OSM_NAME_MAX, NAME);
	get_bytes(r, d->mac, 6);
}

static void enc_person(struct wbuf *w, const struct osm_person_blob *b)
{
	put_str(w, b->p.name, OSM_NAME_MAX, NAME);
	put_str(w, b->p.room, OSM_NAME_MAX, NAME);
	put_le(w, b->p.since_ns, 8);
	put_le(w, b->p.session, 8);
	put(w, b->nonce, sizeof(b->nonce));
	put(w, b->sealed, sizeof(b->sealed));
}

static void dec_person(struct rbuf *r, struct osm_person_blob *b)
{
	get_str(r, b->p.name, OSM_NAME_MAX, NAME);
	get_str(r, b->p.room, OSM_NAME_MAX, NAME);
	b->p.since_ns = get_le(r, 8);
	b->p.session = get_le(r, 8);
	get_bytes(r, b->nonce, sizeof(b->nonce));
	get_bytes(r, b->sealed, sizeof(b->sealed));
}

static void enc_circuit(struct wbuf *w, const struct osm_rec_circuit *c)
{
	unsigned i;

	if (!c->id || c->id > 0x7fffffffu || c->n_path > OSM_PATH_MAX)
		w->err = -EINVAL;
	put_le(w, c->id, 4);
	put_str(w, c->owner, OSM_NAME_MAX, ONAME);
	put_le(w, c->src_dev, 4);
	put_le(w, c->dst_dev, 4);
	enc_check_enum(w, c->cls, OSM_CLASS_MAX);
	put_le(w, c->flags, 4);
	put_le(w, c->rate, 8);
	put_le(w, c->burst, 8);
	put_le(w, c->lease_ns, 8);
	put_le(w, c->epoch, 4);
	put_le(w, c->n_path, 1);
	for (i = 0; i < c->n_path && i < OSM_PATH_MAX; i++)
		put_str(w, c->path[i], OSM_NAME_MAX, NAME);
}

static void dec_circuit(struct rbuf *r, struct osm_rec_circuit *c)
{
	unsigned i;

	c->id = (uint32_t)get_le(r, 4);
	if (!c->id || c->id > 0x7fffffffu)
		r->err = OSM_STORE_ECORRUPT;
	get_str(r, c->owner, OSM_NAME_MAX, ONAME);
	c->src_dev = (uint32_t)get_le(r, 4);
	c->dst_dev = (uint32_t)get_le(r, 4);
	c->cls = get_enum(r, OSM_CLASS_MAX);
	c->flags = (uint32_t)get_le(r, 4);
	c->rate = get_le(r, 8);
	c->burst = get_le(r, 8);
	c->lease_ns = get_le(r, 8);
	c->epoch = (uint32_t)get_le(r, 4);
	c->n_path = get_enum(r, OSM_PATH_MAX + 1);
	for (i = 0; !r->err && i < c->n_path; i++)
		get_str(r, c->path[i], OSM_NAME_MAX, NAME);
}

static void enc_audit(struct wbuf *w, const struct osm_rec_audit *a)
{
	if (!a->seq)
		w->err = -EINVAL;
	put_le(w, a->seq, 8);
	put_le(w, a->time_ns, 8);
	if (!a->kind)
		w->err = -EINVAL;
	enc_check_enum(w, a->kind, OSM_AUDIT_KIND_MAX);
	put_str(w, a->person, OSM_NAME_MAX, ONAME);
	put_str(w, a->detail, OSM_DETAIL_MAX, TEXT);
}

static void dec_audit(struct rbuf *r, struct osm_rec_audit *a)
{
	a->seq = get_le(r, 8);
	a->time_ns = get_le(r, 8);
	a->kind = get_enum(r, OSM_AUDIT_KIND_MAX);
	if (!a->seq || !a->kind)
		r->err = OSM_STORE_ECORRUPT;
	get_str(r, a->person, OSM_NAME_MAX, ONAME);
	get_str(r, a->detail, OSM_DETAIL_MAX, TEXT);
	get_bytes(r, a->hash, sizeof(a->hash));
}

int osm_rec_encode(enum osm_table tab, const void *rec,
		   uint8_t buf[OSM_REC_MAX])
{
	struct wbuf w = { .p = buf };

	if ((unsigned)tab >= OSM_TAB_MAX)
		return -EINVAL;
	put_le(&w, tab + 1, 1);
	put_le(&w, OSM_REC_VERSION, 1);
	switch (tab) {
	case OSM_TAB_FLOORS: enc_floor(&w, rec); break;
	case OSM_TAB_ROOMS: enc_room(&w, rec); break;
	case OSM_TAB_SWITCHES: enc_switch(&w, rec); break;
	case OSM_TAB_PORTS: enc_port(&w, rec); break;
	case OSM_TAB_DEVICES: enc_device(&w, rec); break;
	case OSM_TAB_PEOPLE: enc_person(&w, rec); break;
	case OSM_TAB_CIRCUITS: enc_circuit(&w, rec); break;
	case OSM_TAB_AUDIT: enc_audit(&w, rec); break;
	default: return -EINVAL;
	}
	return w.err ? w.err : (int)w.len;
}

int osm_rec_decode(enum osm_table tab, const void *p, size_t len, void *out)
{
	struct rbuf r = { .p = p, .len = len };

	if ((unsigned)tab >= OSM_TAB_MAX)
		return -EINVAL;
	memset(out, 0, osm_rec_size(tab));
	if (get_le(&r, 1) != (uint64_t)tab + 1 ||
	    get_le(&r, 1) != OSM_REC_VERSION)
		return OSM_STORE_ECORRUPT;
	switch (tab) {
	case OSM_TAB_FLOORS: dec_floor(&r, out); break;
	case OSM_TAB_ROOMS: dec_room(&r, out); break;
	case OSM_TAB_SWITCHES: dec_switch(&r, out); break;
	case OSM_TAB_PORTS: dec_port(&r, out); break;
	case OSM_TAB_DEVICES: dec_device(&r, out); break;
	case OSM_TAB_PEOPLE: dec_person(&r, out); break;
	case OSM_TAB_CIRCUITS: dec_circuit(&r, out); break;
	case OSM_TAB_AUDIT: dec_audit(&r, out); break;
	default: return -EINVAL;
	}
	if (!r.err && r.off != r.len)
		r.err = OSM_STORE_ECORRUPT;
	return r.err;
}

size_t osm_rec_size(enum osm_table tab)
{
	static const size_t sz[OSM_TAB_MAX] = {
		[OSM_TAB_FLOORS] = sizeof(struct osm_rec_floor),
		[OSM_TAB_ROOMS] = sizeof(struct osm_rec_room),
		[OSM_TAB_SWITCHES] = sizeof(struct osm_rec_switch),
		[OSM_TAB_PORTS] = sizeof(struct osm_rec_port),
		[OSM_TAB_DEVICES] = sizeof(struct osm_rec_device),
		[OSM_TAB_PEOPLE] = sizeof(struct osm_person_blob),
		[OSM_TAB_CIRCUITS] = sizeof(struct osm_rec_circuit),
		[OSM_TAB_AUDIT] = sizeof(struct osm_rec_audit),
	};

	return (unsigned)tab < OSM_TAB_MAX ? sz[tab] : 0;
}
