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
#include "engine_int.h"

/* ---- the diff ------------------------------------------------------------- */

struct vec {
	struct osmdb_rec_circuit *c;
	size_t n, cap;
};

static int vec_push(struct vec *v, const struct osmdb_rec_circuit *c)
{
	struct osmdb_rec_circuit *p;

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

/* Circuits an event may touch: the person's, and the group circuits of
 * the rooms they leave and enter, read by id from the live state. */
static int collect(struct osm_engine *e, struct osmdb_txn *t,
		   const char *person, int ra, int rb, struct vec *out)
{
	const struct eng_ids *v[3] = { NULL, NULL, NULL };
	struct eng_person *p = eng_person(e, person, 0);
	struct osmdb_rec_circuit c;
	size_t i, k;
	int err;

	v[0] = p ? &p->ids : NULL;
	v[1] = ra >= 0 ? &e->room_circ[ra] : NULL;
	v[2] = rb >= 0 && rb != ra ? &e->room_circ[rb] : NULL;
	for (k = 0; k < 3; k++) {
		for (i = 0; v[k] && i < v[k]->n; i++) {
			err = osmdb_circuit_get(t, v[k]->id[i], &c);
			if (err == OSMDB_ENOTFOUND)
				continue;	/* gone behind our back */
			err = err ?: vec_push(out, &c);
			if (err)
				return err;
		}
	}
	return 0;
}

void eng_dev_names(const struct osm_engine *e,
		   const struct osmdb_rec_circuit *c,
		   char src[OSMDB_NAME_MAX + 1], char dst[OSMDB_NAME_MAX + 1])
{
	int s = eng_dev_find(e, c->src_dev), d = eng_dev_find(e, c->dst_dev);

	strcpy(src, s >= 0 ? e->devs[s].r.name : "?");
	strcpy(dst, d >= 0 ? e->devs[d].r.name : "?");
}

static void note(struct osm_engine *e, struct osm_engine_event *ev,
		 unsigned op, const struct osmdb_rec_circuit *c)
{
	struct osm_engine_change *ch;

	if (ev->n_changes++ >= OSM_ENGINE_CHANGES)
		return;
	ch = &ev->changes[ev->n_changes - 1];
	ch->op = (uint8_t)op;
	ch->cls = c->cls;
	ch->n_path = c->n_path;
	ch->id = c->id;
	ch->epoch = c->epoch;
	strcpy(ch->owner, c->owner);
	eng_dev_names(e, c, ch->src, ch->dst);
}

/* Wants of the person in room `to` and of the two rooms' groups. */
static int wants(const struct osm_engine *e, const char *person, int to,
		 int ra, int rb, unsigned stay_a, struct eng_want **w,
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
		if (!err && ra >= 0 && stay_a)
			err = eng_policy_room(e, ra, *w, n, cap);
		if (!err && rb >= 0)
			err = eng_policy_room(e, rb, *w, n, cap);
		if (err != -E2BIG)
			return err;
		free(*w);
		cap *= 4;
	}
}

static int same(const struct osmdb_rec_circuit *c, const struct eng_want *w,
		const struct osm_engine *e)
{
	return c->src_dev == e->devs[w->src].r.id &&
	       c->dst_dev == e->devs[w->dst].r.id && c->cls == w->cls &&
	       !strcmp(c->owner, w->owner ? w->owner : "");
}

static int person_op(struct osmdb_txn *t, enum osm_engine_kind kind,
		     const char *person, const char *room)
{
	if (kind == OSM_EV_ENTER)
		return osmdb_person_enter(t, person, room);
	if (kind == OSM_EV_MOVE)
		return osmdb_person_move(t, person, room);
	return osmdb_person_leave(t, person);
}

void eng_ring_push(struct osm_engine *e, const struct osm_engine_event *ev)
{
	e->ring[e->ring_head] = *ev;
	e->ring_head = (e->ring_head + 1) % OSM_ENGINE_RING;
	if (e->ring_n < OSM_ENGINE_RING)
		e->ring_n++;
}

/* What an event changes: the circuits it looked at (cur, with the ones
 * it deletes and rotates marked) and those it adds; the rooms it leaves
 * (ra) and enters (rb). Kept until the commit, to update the live state. */
struct diff {
	struct vec cur, add;
	char *del, *rot;
	uint32_t *old;
	int ra, rb;
};

static void diff_free(struct diff *d)
{
	free(d->cur.c);
	free(d->add.c);
	free(d->del);
	free(d->rot);
	free(d->old);
}

/* After the commit: the live state follows the store. */
static void state_update(struct osm_engine *e,
			 const struct osm_engine_event *ev,
			 const struct diff *d)
{
	struct eng_person *p;
	size_t i;

	for (i = 0; i < d->cur.n; i++)
		if (d->del[i])
			eng_state_del_circuit(e, &d->cur.c[i]);
	if (d->ra >= 0 && e->room_people[d->ra])
		e->room_people[d->ra]--;
	if (ev->kind == OSM_EV_LEAVE) {
		eng_person_del(e, ev->person);
	} else {
		p = eng_person(e, ev->person, 1);
		if (p)
			p->room = d->rb;
		e->room_people[d->rb]++;
	}
	for (i = 0; i < d->add.n; i++)
		eng_state_add_circuit(e, &d->add.c[i]);
	for (i = 0; i < d->cur.n; i++) {
		if (d->del[i])
			eng_retiring_drop(e, d->cur.c[i].id);
		else if (d->rot[i] && e->defer_retire &&
			 eng_retiring_set(e, d->cur.c[i].id, d->old[i]))
			/* cannot remember it: retire it now */
			eng_retire_one(e, &d->cur.c[i], d->old[i]);
	}
	if (!e->hook)
		return;
	for (i = 0; i < d->cur.n; i++)
		if (d->del[i])
			e->hook(e->hook_arg, OSM_CH_DEL, &d->cur.c[i]);
	for (i = 0; i < d->add.n; i++)
		e->hook(e->hook_arg, OSM_CH_ADD, &d->add.c[i]);
	for (i = 0; i < d->cur.n; i++)
		if (d->rot[i])
			e->hook(e->hook_arg, OSM_CH_ROTATE, &d->cur.c[i]);
}

void osm_engine_on_change(struct osm_engine *e,
			  void (*fn)(void *arg, unsigned op,
				     const struct osmdb_rec_circuit *c),
			  void *arg)
{
	e->hook = fn;
	e->hook_arg = arg;
}

static int apply(struct osm_engine *e, struct osmdb_txn *t,
		 struct osm_engine_event *ev, uint64_t t0, struct diff *df)
{
	struct vec *cur = &df->cur, *add = &df->add;
	struct eng_want *w = NULL;
	struct osmdb_rec_person p;
	uint32_t *old;
	char *del, *rot, *mine = NULL;
	int err, ra = -1, rb = -1;
	size_t i, j, nw = 0;
	unsigned stay_a = 0;

	err = osmdb_person_get(t, ev->person, &p);
	if (err && err != OSMDB_ENOTFOUND)
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

	df->ra = ra;
	df->rb = rb;
	/* Others who stay in the room left (the person is counted there). */
	if (ra >= 0 && e->room_people[ra] > 1)
		stay_a = e->room_people[ra] - 1;
	err = collect(e, t, ev->person, ra, rb, cur) ?:
	      wants(e, ev->person, rb, ra, rb, stay_a, &w, &nw);
	if (err)
		goto out;

	/* Keep what is wanted and there; delete the rest; add the missing.
	 * Room circuits that survive in a room whose people change rotate. */
	del = df->del = calloc(cur->n + 1, 1);
	rot = df->rot = calloc(cur->n + 1, 1);
	old = df->old = calloc(cur->n + 1, sizeof(*old));
	if (!del || !rot || !old) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < cur->n; i++) {
		del[i] = 1;
		for (j = 0; j < nw && del[i]; j++) {
			if (w[j].matched || !same(&cur->c[i], &w[j], e))
				continue;
			w[j].matched = 1;
			del[i] = 0;
			rot[i] = !cur->c[i].owner[0];
		}
	}

	/* 1. The leaver's circuits die in every switch, before anything;
	 * then the group circuits of a room left empty. */
	mine = calloc(cur->n + 1, 1);
	if (!mine) {
		err = -ENOMEM;
		goto out;
	}
	for (j = 0; j < 2; j++) {
		for (i = 0; i < cur->n; i++) {
			mine[i] = del[i] && !cur->c[i].owner[0] == (j == 1);
			if (!mine[i])
				continue;
			note(e, ev, OSM_CH_DEL, &cur->c[i]);
			ev->removed++;
		}
		err = eng_maps_del(e, cur->c, cur->n, mine, &ev->map_ops);
		if (err)
			goto out;
		if (j == 0)
			ev->kill_ns = eng_now_ns() - t0;
	}

	/* 2. The store: circuits gone, the person (a leaver's session key
	 * is deleted here), new circuits, new epochs. */
	for (i = 0; i < cur->n && !err; i++)
		if (del[i])
			err = osmdb_circuit_del(t, cur->c[i].id);
	if (!err)
		err = person_op(t, ev->kind, ev->person, ev->room);
	for (j = 0; j < nw && !err; j++) {
		struct osmdb_rec_circuit c = {
			.src_dev = e->devs[w[j].src].r.id,
			.dst_dev = e->devs[w[j].dst].r.id,
			.cls = w[j].cls, .epoch = 1,
		};

		if (w[j].matched)
			continue;
		if (w[j].owner)
			strcpy(c.owner, w[j].owner);
		eng_policy_rate(c.cls, &c.rate, &c.burst);
		err = eng_path(e, &c) ?: osmdb_circuit_add(t, &c) ?:
		      vec_push(add, &c);
	}
	for (i = 0; i < cur->n && !err; i++) {
		if (!rot[i])
			continue;
		old[i] = cur->c[i].epoch;
		err = osmdb_circuit_rotate(t, cur->c[i].id, &cur->c[i].epoch);
	}
	if (err)
		goto out;

	/* 3. New circuits, then room keys: new epoch installed next to the
	 * old everywhere, then the old removed everywhere. */
	for (i = 0; i < add->n; i++) {
		note(e, ev, OSM_CH_ADD, &add->c[i]);
		ev->added++;
	}
	for (i = 0; i < cur->n; i++) {
		if (!rot[i])
			continue;
		note(e, ev, OSM_CH_ROTATE, &cur->c[i]);
		ev->rotated++;
	}
	/* Rotation step 2 is the last: the old epochs die everywhere; or,
	 * with a controller delivering the new keys, when the sender has
	 * taken its new key (osm_engine_retire): no frame of the old epoch
	 * in flight is lost meanwhile. */
	err = eng_maps_add(e, t, add->c, add->n, &ev->map_ops) ?:
	      eng_maps_rekey(e, t, cur->c, cur->n, rot, NULL, &ev->map_ops);
	if (!err && !e->defer_retire)
		err = eng_maps_rekey(e, t, cur->c, cur->n, rot, old,
				     &ev->map_ops);
	ev->maps_ns = eng_now_ns() - t0;
out:
	free(w);
	free(mine);
	return err;
}

void eng_event_init(struct osm_engine *e, struct osm_engine_event *ev,
		    enum osm_engine_kind kind)
{
	struct timespec rt;

	clock_gettime(CLOCK_REALTIME, &rt);
	ev->seq = ++e->seq;
	ev->time_ns = (uint64_t)rt.tv_sec * 1000000000ULL +
		      (uint64_t)rt.tv_nsec;
	ev->kind = (uint8_t)kind;
}

int osm_engine_event(struct osm_engine *e, enum osm_engine_kind kind,
		     const char *person, const char *room,
		     uint64_t arrival_ns, struct osm_engine_event *out)
{
	struct osm_engine_event *ev;
	struct osmdb_txn *t;
	uint64_t t0 = arrival_ns ? arrival_ns : eng_now_ns();
	int err;

	if (kind < OSM_EV_ENTER || kind > OSM_EV_LEAVE ||
	    !osmdb_name_ok(person) || (kind != OSM_EV_LEAVE && !room) ||
	    (room && !osmdb_name_ok(room)))
		return -EINVAL;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	eng_event_init(e, ev, kind);
	strcpy(ev->person, person);
	if (kind != OSM_EV_LEAVE)
		strcpy(ev->room, room);

	err = osmdb_txn_begin(e->st, 0, &t);
	if (!err) {
		struct diff df = { .ra = -1, .rb = -1 };

		err = apply(e, t, ev, t0, &df);
		if (!err)
			err = osmdb_txn_commit(t);
		else
			osmdb_txn_abort(t);
		if (!err)
			state_update(e, ev, &df);
		diff_free(&df);
		/* The store is as before: so must the maps be. */
		if (err && ev->map_ops)
			osm_engine_reconcile(e, NULL);
	}
	ev->total_ns = eng_now_ns() - t0;
	ev->err = err;
	eng_ring_push(e, ev);
	if (out)
		*out = *ev;
	free(ev);
	return err;
}

/* ---- a device's received circuits, rekeyed ------------------------------ */

struct rekey {
	uint32_t dev;
	struct vec v;
};

static int rekey_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_circuit *c = rec;
	struct rekey *r = arg;

	return c->dst_dev == r->dev ? vec_push(&r->v, c) : 0;
}

int osm_engine_rekey(struct osm_engine *e, uint32_t dev_id, unsigned *n)
{
	struct rekey r = { .dev = dev_id };
	struct osmdb_txn *t;
	uint32_t *old = NULL, ops = 0;
	char *all = NULL;
	size_t i;
	int err;

	*n = 0;
	err = osmdb_txn_begin(e->st, 0, &t);
	if (err)
		return err;
	err = osmdb_foreach(t, OSMDB_TAB_CIRCUITS, rekey_cb, &r);
	if (!err && r.v.n && (!(old = calloc(r.v.n, sizeof(*old))) ||
			      !(all = malloc(r.v.n))))
		err = -ENOMEM;
	if (all)
		memset(all, 1, r.v.n);
	for (i = 0; i < r.v.n && !err; i++) {
		old[i] = r.v.c[i].epoch;
		err = osmdb_circuit_rotate(t, r.v.c[i].id, &r.v.c[i].epoch);
		/* an older epoch waiting to retire: the new one takes its
		 * slot */
		eng_retiring_drop(e, r.v.c[i].id);
	}
	/* the new epoch next to the old on every switch, then the old gone:
	 * a frame recorded under it is stale_epoch from now on */
	if (!err)
		err = eng_maps_rekey(e, t, r.v.c, r.v.n, all, NULL, &ops) ?:
		      eng_maps_rekey(e, t, r.v.c, r.v.n, all, old, &ops);
	err = err ? (osmdb_txn_abort(t), err) : osmdb_txn_commit(t);
	if (err && ops)
		osm_engine_reconcile(e, NULL);	/* the maps follow the store */
	for (i = 0; !err && e->hook && i < r.v.n; i++)
		e->hook(e->hook_arg, OSM_CH_ROTATE, &r.v.c[i]);
	if (!err)
		*n = (unsigned)r.v.n;
	free(old);
	free(all);
	free(r.v.c);
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
