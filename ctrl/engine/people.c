// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The live state: people present (by name, with their room and circuits),
 * each room's group circuits and head count, read from the store once and
 * then kept by the events. The store stays the truth: `reload` reads it
 * all again. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "engine_int.h"

static int ids_add(struct eng_ids *v, uint32_t id)
{
	uint32_t *p;

	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 8;
		p = realloc(v->id, v->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		v->id = p;
	}
	v->id[v->n++] = id;
	return 0;
}

static void ids_del(struct eng_ids *v, uint32_t id)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->id[i] == id) {
			v->id[i] = v->id[--v->n];
			return;
		}
}

static size_t name_hash(const char *s)
{
	size_t h = 14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* Linear probing in a power-of-two table kept at most half full. */
static struct eng_person *slot(const struct osm_engine *e, const char *name)
{
	size_t i = name_hash(name) & (e->people_cap - 1);

	while (e->people[i].used && strcmp(e->people[i].name, name))
		i = (i + 1) & (e->people_cap - 1);
	return &e->people[i];
}

static int grow(struct osm_engine *e)
{
	struct eng_person *old = e->people;
	size_t i, cap = e->people_cap;

	e->people_cap = cap ? 2 * cap : 1024;
	e->people = calloc(e->people_cap, sizeof(*e->people));
	if (!e->people) {
		e->people = old;
		e->people_cap = cap;
		return -ENOMEM;
	}
	for (i = 0; i < cap; i++)
		if (old[i].used)
			*slot(e, old[i].name) = old[i];
	free(old);
	return 0;
}

struct eng_person *eng_person(struct osm_engine *e, const char *name,
			      int create)
{
	struct eng_person *p;

	if (create && 2 * (e->people_n + 1) > e->people_cap && grow(e))
		return NULL;
	if (!e->people_cap)
		return NULL;
	p = slot(e, name);
	if (!p->used) {
		if (!create)
			return NULL;
		memset(p, 0, sizeof(*p));
		p->used = 1;
		p->room = -1;
		strcpy(p->name, name);
		e->people_n++;
	}
	return p;
}

void eng_person_del(struct osm_engine *e, const char *name)
{
	struct eng_person *p = eng_person(e, name, 0);
	size_t i, j, k, mask = e->people_cap - 1;

	if (!p)
		return;
	free(p->ids.id);
	/* Backward-shift deletion keeps every probe chain whole. */
	i = (size_t)(p - e->people);
	e->people[i].used = 0;
	for (j = (i + 1) & mask; e->people[j].used; j = (j + 1) & mask) {
		k = name_hash(e->people[j].name) & mask;
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && k <= i && k > j)) {
			e->people[i] = e->people[j];
			e->people[j].used = 0;
			i = j;
		}
	}
	e->people_n--;
}

static int person_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_person *r = rec;
	struct osm_engine *e = arg;
	struct eng_person *p = eng_person(e, r->name, 1);

	if (!p)
		return -ENOMEM;
	p->room = eng_room_find(e, r->room);
	if (p->room >= 0)
		e->room_people[p->room]++;
	return 0;
}

int eng_state_add_circuit(struct osm_engine *e,
			  const struct osmdb_rec_circuit *c)
{
	struct eng_person *p;
	int s;

	if (c->owner[0]) {
		p = eng_person(e, c->owner, 1);
		return p ? ids_add(&p->ids, c->id) : -ENOMEM;
	}
	s = eng_dev_find(e, c->src_dev);
	if (s < 0 || e->devs[s].personal || e->devs[s].room < 0)
		return 0;
	return ids_add(&e->room_circ[e->devs[s].room], c->id);
}

void eng_state_del_circuit(struct osm_engine *e,
			   const struct osmdb_rec_circuit *c)
{
	struct eng_person *p;
	int s;

	if (c->owner[0]) {
		p = eng_person(e, c->owner, 0);
		if (p)
			ids_del(&p->ids, c->id);
		return;
	}
	s = eng_dev_find(e, c->src_dev);
	if (s >= 0 && !e->devs[s].personal && e->devs[s].room >= 0)
		ids_del(&e->room_circ[e->devs[s].room], c->id);
}

static int circuit_cb(const void *rec, void *arg)
{
	return eng_state_add_circuit(arg, rec);
}

int eng_state_build(struct osm_engine *e)
{
	struct osmdb_txn *t;
	int err;

	e->room_circ = calloc(e->n_rooms + 1, sizeof(*e->room_circ));
	e->room_people = calloc(e->n_rooms + 1, sizeof(*e->room_people));
	if (!e->room_circ || !e->room_people || grow(e))
		return -ENOMEM;
	err = osmdb_txn_begin(e->st, OSMDB_TXN_RDONLY, &t);
	if (err)
		return err;
	err = osmdb_foreach(t, OSMDB_TAB_PEOPLE, person_cb, e) ?:
	      osmdb_foreach(t, OSMDB_TAB_CIRCUITS, circuit_cb, e);
	osmdb_txn_abort(t);
	return err;
}

void eng_people_free(struct osm_engine *e)
{
	size_t i;

	for (i = 0; e->people && i < e->people_cap; i++)
		if (e->people[i].used)
			free(e->people[i].ids.id);
	for (i = 0; e->room_circ && i < e->n_rooms; i++)
		free(e->room_circ[i].id);
	free(e->people);
	free(e->room_circ);
	free(e->room_people);
	e->people = NULL;
	e->room_circ = NULL;
	e->room_people = NULL;
	e->people_cap = e->people_n = 0;
}
