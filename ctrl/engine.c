// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The engine's events: diff the circuits the policy wants against those
 * the store has, then kill the leaver's circuits in every switch, change
 * the store, add new circuits and rotate room keys (new epoch next to the
 * old, then the old removed), commit. Any failure: abort, reconcile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "engine_int.h"

const char *osm_engine_strerror(int err)
{
	switch (err) {
	case OSM_ENGINE_ENOPERSON: return "person is not present";
	case OSM_ENGINE_EPRESENT: return "person is present already";
	case OSM_ENGINE_ENOROOM: return "no such room";
	case OSM_ENGINE_ESAMEROOM: return "person is in that room already";
	case OSM_ENGINE_ENOSWITCH: return "a switch on the path is not loaded";
	case OSM_ENGINE_ENOPORT:
		return "a port's interface is missing on its switch";
	case OSM_ENGINE_ENOPATH: return "no uplink path between the rooms";
	default:
		if (err <= -31000 && err > -32000)
			return osm_store_strerror(err);
		return strerror(-err);
	}
}

const char *osm_engine_kind_name(unsigned kind)
{
	static const char *const n[] = { "?", "enter", "move", "leave" };

	return kind < 4 ? n[kind] : "?";
}

const char *osm_engine_op_name(unsigned op)
{
	static const char *const n[] = { "?", "add", "del", "rotate" };

	return op < 4 ? n[op] : "?";
}

/* ---- map operations on every switch of a circuit's path ---------------- */

/* Remove c (old 0), or the key of epoch old, from its switches, first
 * hop first: its frames die at the switch they enter by. Epochs start
 * at 1, so 0 names no epoch. */
static int maps_drop(struct osm_engine *e, const struct osm_rec_circuit *c,
		     uint32_t old, uint32_t *ops)
{
	struct osm_switch *h;
	unsigned i;
	int err;

	for (i = 0; i < c->n_path; i++) {
		err = eng_sw_handle(e, eng_sw_find(e, c->path[i]), &h);
		if (err == OSM_ENGINE_ENOSWITCH)
			continue;	/* offline: nothing to remove */
		if (!err)
			err = old ? osm_switch_circuit_key(h, c->id, old, NULL)
				  : osm_switch_circuit_del(h, c->id);
		if (err && err != -ENOENT)
			return err;
		(*ops)++;
	}
	return 0;
}

/* Install c at its epoch, last hop first: when the first switch starts
 * forwarding, the rest of the path is ready. */
static int maps_add(struct osm_engine *e, struct osm_txn *t,
		    const struct osm_rec_circuit *c, uint32_t *ops)
{
	struct osm_circuit mc;
	struct osm_switch *h;
	struct osm_keys k;
	int i, err, si;

	err = osm_circuit_keys(t, c->id, c->epoch, &k);
	if (err)
		return err;
	for (i = c->n_path - 1; i >= 0; i--) {
		err = eng_sw_handle(e, eng_sw_find(e, c->path[i]), &h);
		if (err == OSM_ENGINE_ENOSWITCH) {
			err = 0;	/* offline: reconciled when loaded */
			continue;
		}
		if (!err)
			err = eng_expect(e, c, (unsigned)i, k.hop, &mc, &si);
		if (!err) {
			err = osm_switch_circuit_add(h, &mc);
			/* A leftover of a killed run under a reused id. */
			if (err == -EEXIST)
				err = osm_switch_circuit_del(h, c->id) ?:
				      osm_switch_circuit_add(h, &mc);
		}
		sodium_memzero(&mc, sizeof(mc));
		if (err)
			break;
		(*ops)++;
	}
	sodium_memzero(&k, sizeof(k));
	return err;
}

/* Rotation step 1: the new epoch's hop key next to the old one. */
static int maps_key_install(struct osm_engine *e, struct osm_txn *t,
			    const struct osm_rec_circuit *c, uint32_t *ops)
{
	struct osm_switch *h;
	struct osm_keys k;
	int i, err;

	err = osm_circuit_keys(t, c->id, c->epoch, &k);
	if (err)
		return err;
	for (i = c->n_path - 1; i >= 0 && !err; i--) {
		err = eng_sw_handle(e, eng_sw_find(e, c->path[i]), &h);
		if (err == OSM_ENGINE_ENOSWITCH) {
			err = 0;
			continue;
		}
		if (!err)
			err = osm_switch_circuit_key(h, c->id, c->epoch,
						     k.hop);
		if (err == -ENOENT) {
			/* Not in this switch (loaded since): whole. */
			struct osm_circuit mc;
			int si;

			err = eng_expect(e, c, (unsigned)i, k.hop, &mc, &si) ?:
			      osm_switch_circuit_add(h, &mc);
			sodium_memzero(&mc, sizeof(mc));
		}
		(*ops)++;
	}
	sodium_memzero(&k, sizeof(k));
	return err;
}

/* ---- the diff ------------------------------------------------------------- */

struct vec {
	struct osm_rec_circuit *c;
	size_t n, cap;
};

static int vec_push(struct vec *v, const struct osm_rec_circuit *c)
{
	struct osm_rec_circuit *p;

	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 32;
		p = realloc(v->c, v->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		v->c = p;
	}
	v->c[v->n++] = *c;
	return 0;
}

/* Circuits an event may touch: the person's, and the room circuits of
 * the rooms they leave and enter. */
struct scan {
	const struct osm_engine *e;
	const char *person;
	int room_a, room_b;
	struct vec *out;
};

static int scan_cb(const void *rec, void *arg)
{
	const struct osm_rec_circuit *c = rec;
	struct scan *s = arg;
	int d;

	if (c->owner[0])
		return strcmp(c->owner, s->person) ? 0 : vec_push(s->out, c);
	d = eng_dev_find(s->e, c->src_dev);
	if (d < 0 || s->e->devs[d].personal)
		return 0;
	if (s->e->devs[d].room >= 0 && (s->e->devs[d].room == s->room_a ||
					s->e->devs[d].room == s->room_b))
		return vec_push(s->out, c);
	return 0;
}

struct occ {
	const char *person, *a, *b;
	unsigned in_a, in_b;
};

static int occ_cb(const void *rec, void *arg)
{
	const struct osm_rec_person *p = rec;
	struct occ *o = arg;

	if (!strcmp(p->name, o->person))
		return 0;
	if (o->a && !strcmp(p->room, o->a))
		o->in_a++;
	if (o->b && !strcmp(p->room, o->b))
		o->in_b++;
	return 0;
}

static void note(struct osm_engine *e, struct osm_engine_event *ev,
		 unsigned op, const struct osm_rec_circuit *c)
{
	struct osm_engine_change *ch;
	int s = eng_dev_find(e, c->src_dev), d = eng_dev_find(e, c->dst_dev);

	if (ev->n_changes++ >= OSM_ENGINE_CHANGES)
		return;
	ch = &ev->changes[ev->n_changes - 1];
	ch->op = (uint8_t)op;
	ch->cls = c->cls;
	ch->n_path = c->n_path;
	ch->id = c->id;
	ch->epoch = c->epoch;
	strcpy(ch->owner, c->owner);
	snprintf(ch->src, sizeof(ch->src), "%s", s >= 0 ?
		 e->devs[s].r.name : "?");
	snprintf(ch->dst, sizeof(ch->dst), "%s", d >= 0 ?
		 e->devs[d].r.name : "?");
}

/* Wants of the person in room `to` and of the two rooms' groups. */
static int wants(const struct osm_engine *e, const char *person, int to,
		 int ra, int rb, const struct occ *o, struct eng_want **w,
		 size_t *n)
{
	size_t cap = 64;
	int err;

	for (;;) {
		*w = calloc(cap, sizeof(**w));
		if (!*w)
			return -ENOMEM;
		*n = 0;
		err = 0;
		if (to >= 0)
			err = eng_policy_person(e, person, to, *w, n, cap);
		/* A room's group exists while someone is in the room: in
		 * the room left, if others stay; in the room entered,
		 * always. */
		if (!err && ra >= 0 && o->in_a)
			err = eng_policy_room(e, ra, *w, n, cap);
		if (!err && rb >= 0)
			err = eng_policy_room(e, rb, *w, n, cap);
		if (err != -E2BIG)
			return err;
		free(*w);
		cap *= 4;
	}
}

static int same(const struct osm_rec_circuit *c, const struct eng_want *w,
		const struct osm_engine *e)
{
	return c->src_dev == e->devs[w->src].r.id &&
	       c->dst_dev == e->devs[w->dst].r.id && c->cls == w->cls &&
	       !strcmp(c->owner, w->owner ? w->owner : "");
}

static int person_op(struct osm_txn *t, enum osm_engine_kind kind,
		     const char *person, const char *room)
{
	if (kind == OSM_EV_ENTER)
		return osm_person_enter(t, person, room);
	if (kind == OSM_EV_MOVE)
		return osm_person_move(t, person, room);
	return osm_person_leave(t, person);
}

static void ring_push(struct osm_engine *e, const struct osm_engine_event *ev)
{
	e->ring[e->ring_head] = *ev;
	e->ring_head = (e->ring_head + 1) % OSM_ENGINE_RING;
	if (e->ring_n < OSM_ENGINE_RING)
		e->ring_n++;
}

static int apply(struct osm_engine *e, struct osm_txn *t,
		 struct osm_engine_event *ev, uint64_t t0)
{
	struct vec cur = { 0 }, add = { 0 };
	struct eng_want *w = NULL;
	struct occ o = { .person = ev->person };
	struct osm_rec_person p;
	uint32_t *old = NULL;
	char *del = NULL, *rot = NULL;
	int err, ra = -1, rb = -1;
	size_t i, j, nw = 0;

	err = osm_person_get(t, ev->person, &p);
	if (err && err != OSM_STORE_ENOTFOUND)
		return err;
	if (err == 0 && ev->kind == OSM_EV_ENTER)
		ev->kind = OSM_EV_MOVE;		/* enter where present: move */
	if (err && ev->kind != OSM_EV_ENTER)
		return OSM_ENGINE_ENOPERSON;
	if (!err)
		strcpy(ev->from, p.room);
	if (ev->kind != OSM_EV_LEAVE) {
		rb = eng_room_find(e, ev->room);
		if (rb < 0)
			return OSM_ENGINE_ENOROOM;
		if (!strcmp(ev->from, ev->room))
			return OSM_ENGINE_ESAMEROOM;
	}
	if (ev->from[0])
		ra = eng_room_find(e, ev->from);

	o.a = ra >= 0 ? ev->from : NULL;
	o.b = rb >= 0 ? ev->room : NULL;
	err = osm_store_foreach(t, OSM_TAB_PEOPLE, occ_cb, &o) ?:
	      osm_store_foreach(t, OSM_TAB_CIRCUITS, scan_cb, &(struct scan){
			.e = e, .person = ev->person, .room_a = ra,
			.room_b = rb, .out = &cur }) ?:
	      wants(e, ev->person, rb, ra, rb, &o, &w, &nw);
	if (err)
		goto out;

	/* Keep what is wanted and there; delete the rest; add the missing.
	 * Room circuits that survive in a room whose people change rotate. */
	del = calloc(cur.n + 1, 1);
	rot = calloc(cur.n + 1, 1);
	old = calloc(cur.n + 1, sizeof(*old));
	if (!del || !rot || !old) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < cur.n; i++) {
		del[i] = 1;
		for (j = 0; j < nw && del[i]; j++) {
			if (w[j].matched || !same(&cur.c[i], &w[j], e))
				continue;
			w[j].matched = 1;
			del[i] = 0;
			rot[i] = !cur.c[i].owner[0];
		}
	}

	/* 1. The leaver's circuits die in every switch, before anything. */
	for (i = 0; i < cur.n; i++) {
		if (!del[i] || !cur.c[i].owner[0])
			continue;
		err = maps_drop(e, &cur.c[i], 0, &ev->map_ops);
		if (err)
			goto out;
		note(e, ev, OSM_CH_DEL, &cur.c[i]);
		ev->removed++;
	}
	ev->kill_ns = eng_now_ns() - t0;
	for (i = 0; i < cur.n; i++) {
		if (!del[i] || cur.c[i].owner[0])
			continue;
		err = maps_drop(e, &cur.c[i], 0, &ev->map_ops);
		if (err)
			goto out;
		note(e, ev, OSM_CH_DEL, &cur.c[i]);
		ev->removed++;
	}

	/* 2. The store: circuits gone, the person (a leaver's session key
	 * is deleted here), new circuits, new epochs. */
	for (i = 0; i < cur.n && !err; i++)
		if (del[i])
			err = osm_circuit_del(t, cur.c[i].id);
	if (!err)
		err = person_op(t, ev->kind, ev->person, ev->room);
	for (j = 0; j < nw && !err; j++) {
		struct osm_rec_circuit c = {
			.src_dev = e->devs[w[j].src].r.id,
			.dst_dev = e->devs[w[j].dst].r.id,
			.cls = w[j].cls, .epoch = 1,
		};

		if (w[j].matched)
			continue;
		if (w[j].owner)
			strcpy(c.owner, w[j].owner);
		eng_policy_rate(c.cls, &c.rate, &c.burst);
		err = eng_path(e, &c) ?: osm_circuit_add(t, &c) ?:
		      vec_push(&add, &c);
	}
	for (i = 0; i < cur.n && !err; i++) {
		if (!rot[i])
			continue;
		old[i] = cur.c[i].epoch;
		err = osm_circuit_rotate(t, cur.c[i].id, &cur.c[i].epoch);
	}
	if (err)
		goto out;

	/* 3. New circuits, then room keys: new epoch installed next to the
	 * old everywhere, then the old removed everywhere. */
	for (i = 0; i < add.n && !err; i++) {
		err = maps_add(e, t, &add.c[i], &ev->map_ops);
		note(e, ev, OSM_CH_ADD, &add.c[i]);
		ev->added++;
	}
	for (i = 0; i < cur.n && !err; i++)
		if (rot[i])
			err = maps_key_install(e, t, &cur.c[i], &ev->map_ops);
	for (i = 0; i < cur.n && !err; i++) {
		if (!rot[i])
			continue;
		/* Rotation step 2: the old epoch dies everywhere. */
		err = maps_drop(e, &cur.c[i], old[i], &ev->map_ops);
		note(e, ev, OSM_CH_ROTATE, &cur.c[i]);
		ev->rotated++;
	}
	ev->maps_ns = eng_now_ns() - t0;
out:
	free(cur.c);
	free(add.c);
	free(w);
	free(del);
	free(rot);
	free(old);
	return err;
}

int osm_engine_event(struct osm_engine *e, enum osm_engine_kind kind,
		     const char *person, const char *room,
		     uint64_t arrival_ns, struct osm_engine_event *out)
{
	struct osm_engine_event *ev;
	struct timespec rt;
	struct osm_txn *t;
	uint64_t t0 = arrival_ns ? arrival_ns : eng_now_ns();
	int err;

	if (kind < OSM_EV_ENTER || kind > OSM_EV_LEAVE ||
	    !osm_name_ok(person) || (kind != OSM_EV_LEAVE && !room) ||
	    (room && !osm_name_ok(room)))
		return -EINVAL;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	clock_gettime(CLOCK_REALTIME, &rt);
	ev->seq = ++e->seq;
	ev->time_ns = (uint64_t)rt.tv_sec * 1000000000ULL +
		      (uint64_t)rt.tv_nsec;
	ev->kind = (uint8_t)kind;
	strcpy(ev->person, person);
	if (kind != OSM_EV_LEAVE)
		strcpy(ev->room, room);

	err = osm_txn_begin(e->st, 0, &t);
	if (!err) {
		err = apply(e, t, ev, t0);
		if (!err)
			err = osm_txn_commit(t);
		else
			osm_txn_abort(t);
		/* The store is as before: so must the maps be. */
		if (err && ev->map_ops)
			osm_engine_reconcile(e, NULL);
	}
	ev->total_ns = eng_now_ns() - t0;
	ev->err = err;
	ring_push(e, ev);
	if (out)
		*out = *ev;
	free(ev);
	return err;
}

void osm_engine_events(const struct osm_engine *e, unsigned n,
		       void (*fn)(const struct osm_engine_event *ev,
				  void *arg), void *arg)
{
	unsigned i;

	if (n > e->ring_n)
		n = e->ring_n;
	for (i = 0; i < n; i++)
		fn(&e->ring[(e->ring_head + OSM_ENGINE_RING - n + i) %
			    OSM_ENGINE_RING], arg);
}
