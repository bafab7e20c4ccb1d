// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* An event's map changes, as map batch operations: the changes of one
 * phase are grouped by hop and switch, one batch call per group, the
 * groups in path order (deletions first hop first, so frames die where
 * they enter; additions last hop first, so a path is ready before its
 * first switch forwards). Offline switches are skipped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "engine_int.h"

enum { OP_DEL, OP_ADD, OP_REPLACE };

/* One change on one switch, at one hop of its circuit's path. */
struct mop {
	int sw, hop;
	struct osm_circuit v;		/* OP_DEL: only v.id */
};

struct plan {
	struct mop *op;
	size_t n, cap;
};

static int push(struct plan *p, int sw, int hop, const struct osm_circuit *v)
{
	struct mop *m;

	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 32;

		m = realloc(p->op, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		p->op = m;
		p->cap = cap;
	}
	m = &p->op[p->n++];
	m->sw = sw;
	m->hop = hop;
	m->v = *v;
	return 0;
}

static void plan_free(struct plan *p)
{
	if (p->op)
		sodium_memzero(p->op, p->cap * sizeof(*p->op));
	free(p->op);
	memset(p, 0, sizeof(*p));
}

static int up(const void *a, const void *b)
{
	const struct mop *x = a, *y = b;

	return x->hop != y->hop ? x->hop - y->hop : x->sw - y->sw;
}

static int down(const void *a, const void *b)
{
	const struct mop *x = a, *y = b;

	return x->hop != y->hop ? y->hop - x->hop : x->sw - y->sw;
}

/* One batch call for each run of the same (hop, switch). */
static int run(struct osm_engine *e, struct plan *p, int kind, int last_first,
	       uint32_t *ops)
{
	struct osm_circuit *v = NULL;
	uint32_t *ids = NULL;
	struct osm_switch *h;
	size_t i, j, k;
	int err = 0;

	if (!p->n)
		return 0;
	qsort(p->op, p->n, sizeof(*p->op), last_first ? down : up);
	v = calloc(p->n, sizeof(*v));
	ids = calloc(p->n, sizeof(*ids));
	if (!v || !ids) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < p->n && !err; i = j) {
		for (j = i; j < p->n && p->op[j].sw == p->op[i].sw &&
		     p->op[j].hop == p->op[i].hop; j++) {
			v[j - i] = p->op[j].v;
			ids[j - i] = p->op[j].v.id;
		}
		k = j - i;
		err = eng_sw_handle(e, p->op[i].sw, &h);
		if (err)
			break;
		if (kind == OP_DEL)
			err = osm_switch_circuit_del_batch(h, ids, (uint32_t)k);
		else if (kind == OP_ADD)
			err = osm_switch_circuit_add_batch(h, v, (uint32_t)k);
		else
			err = osm_switch_circuit_replace_batch(h, v,
							       (uint32_t)k);
		if (kind == OP_ADD && (err == -E2BIG || err == -ENOSPC)) {
			snprintf(e->why, sizeof(e->why), "circuit table of "
				 "switch %s is full (%u circuit%s)",
				 e->sws[p->op[i].sw].r.name,
				 osm_switch_max_circuits(h),
				 osm_switch_max_circuits(h) == 1 ? "" : "s");
			err = OSM_ENGINE_EMAPFULL;
		}
		*ops += (uint32_t)k;
	}
out:
	if (v)
		sodium_memzero(v, p->n * sizeof(*v));
	free(v);
	free(ids);
	return err;
}

int eng_maps_del(struct osm_engine *e, const struct osmdb_rec_circuit *c,
		 size_t n, const char *sel, uint32_t *ops)
{
	struct plan p = { 0 };
	struct osm_circuit v = { 0 };
	unsigned hop;
	size_t i;
	int err = 0, si;

	for (i = 0; i < n && !err; i++) {
		if (sel && !sel[i])
			continue;
		v.id = c[i].id;
		for (hop = 0; hop < c[i].n_path && !err; hop++) {
			si = eng_sw_find(e, c[i].path[hop]);
			if (si >= 0 && !eng_offline(e, si))
				err = push(&p, si, (int)hop, &v);
		}
	}
	err = err ?: run(e, &p, OP_DEL, 0, ops);
	plan_free(&p);
	return err;
}

int eng_maps_add(struct osm_engine *e, struct osmdb_txn *t,
		 const struct osmdb_rec_circuit *c, size_t n, uint32_t *ops)
{
	struct plan p = { 0 };
	struct osm_circuit v;
	struct osm_keys k;
	unsigned hop;
	size_t i;
	int err = 0, si;

	for (i = 0; i < n && !err; i++) {
		err = osmdb_circuit_keys(t, c[i].id, c[i].epoch, &k);
		for (hop = 0; hop < c[i].n_path && !err; hop++) {
			if (eng_offline(e, eng_sw_find(e, c[i].path[hop])))
				continue;	/* reconciled when loaded */
			err = eng_expect(e, &c[i], hop, k.hop, &v, &si) ?:
			      push(&p, si, (int)hop, &v);
		}
		sodium_memzero(&k, sizeof(k));
		sodium_memzero(&v, sizeof(v));
	}
	err = err ?: run(e, &p, OP_ADD, 1, ops);
	plan_free(&p);
	return err;
}

/* Rotation: install (old 0) the key of each selected circuit's epoch
 * next to the one it had, or remove the key of epoch old[i]. A switch
 * that lacks the circuit (loaded since) gets it whole. */
int eng_maps_rekey(struct osm_engine *e, struct osmdb_txn *t,
		   const struct osmdb_rec_circuit *c, size_t n, const char *sel,
		   const uint32_t *old, uint32_t *ops)
{
	struct plan rep = { 0 }, add = { 0 };
	struct osm_circuit v;
	struct osm_switch *h;
	struct osm_keys k = { 0 };
	struct osm_key_slot *s;
	unsigned hop;
	size_t i;
	int err = 0, si;

	for (i = 0; i < n && !err; i++) {
		if (!sel[i])
			continue;
		if (!old)
			err = osmdb_circuit_keys(t, c[i].id, c[i].epoch, &k);
		for (hop = 0; hop < c[i].n_path && !err; hop++) {
			si = eng_sw_find(e, c[i].path[hop]);
			if (si < 0 || eng_offline(e, si))
				continue;
			err = eng_sw_handle(e, si, &h);
			if (!err)
				err = osm_switch_circuit_get(h, c[i].id, &v);
			if (err == -ENOENT && !old) {
				err = eng_expect(e, &c[i], hop, k.hop, &v,
						 &si) ?:
				      push(&add, si, (int)hop, &v);
				continue;
			}
			if (err == -ENOENT) {
				err = 0;	/* nothing to remove */
				continue;
			}
			if (err)
				break;
			s = &v.key[osm_epoch_slot(old ? old[i] : c[i].epoch)];
			if (old && s->valid && s->epoch == old[i]) {
				sodium_memzero(s, sizeof(*s));
			} else if (!old) {
				eng_set_key(&v, c[i].epoch, k.hop);
			} else {
				continue;	/* that epoch is gone already */
			}
			err = push(&rep, si, (int)hop, &v);
		}
		sodium_memzero(&k, sizeof(k));
		sodium_memzero(&v, sizeof(v));
	}
	err = err ?: run(e, &add, OP_ADD, 1, ops) ?:
	      run(e, &rep, OP_REPLACE, 1, ops);
	plan_free(&add);
	plan_free(&rep);
	return err;
}

/* ---- old epochs retired late --------------------------------------------- */

uint32_t eng_retiring(const struct osm_engine *e, uint32_t id)
{
	size_t i;

	for (i = 0; i < e->n_retiring; i++)
		if (e->retiring[i].id == id)
			return e->retiring[i].epoch;
	return 0;
}

void eng_retiring_drop(struct osm_engine *e, uint32_t id)
{
	size_t i;

	for (i = 0; i < e->n_retiring; i++)
		if (e->retiring[i].id == id) {
			e->retiring[i] = e->retiring[--e->n_retiring];
			return;
		}
}

int eng_retiring_set(struct osm_engine *e, uint32_t id, uint32_t epoch)
{
	struct eng_retiring *p;

	eng_retiring_drop(e, id);
	if (e->n_retiring == e->cap_retiring) {
		size_t cap = e->cap_retiring ? 2 * e->cap_retiring : 16;

		p = realloc(e->retiring, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		e->retiring = p;
		e->cap_retiring = cap;
	}
	e->retiring[e->n_retiring++] = (struct eng_retiring){ id, epoch };
	return 0;
}

uint32_t osm_engine_retiring(const struct osm_engine *e, uint32_t id)
{
	return eng_retiring(e, id);
}

void osm_engine_defer_retire(struct osm_engine *e, int on)
{
	e->defer_retire = on;
}

int eng_retire_one(struct osm_engine *e, const struct osmdb_rec_circuit *c,
		   uint32_t epoch)
{
	struct osmdb_txn *t;
	uint32_t ops = 0;
	int err = osmdb_txn_begin(e->st, OSMDB_TXN_RDONLY, &t);

	if (err)
		return err;
	err = eng_maps_rekey(e, t, c, 1, "\1", &epoch, &ops);
	osmdb_txn_abort(t);
	return err;
}

int osm_engine_retire(struct osm_engine *e, uint32_t id, uint32_t epoch)
{
	struct osmdb_rec_circuit c;
	struct osmdb_txn *t;
	int err;

	if (!epoch || eng_retiring(e, id) != epoch)
		return 0;	/* retired already, or a later rotation */
	eng_retiring_drop(e, id);
	err = osmdb_txn_begin(e->st, OSMDB_TXN_RDONLY, &t);
	if (err)
		return err;
	err = osmdb_circuit_get(t, id, &c);
	osmdb_txn_abort(t);
	if (err)
		return err == OSMDB_ENOTFOUND ? 0 : err;
	return eng_retire_one(e, &c, epoch);
}
