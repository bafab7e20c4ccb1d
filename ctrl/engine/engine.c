// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The engine's life: open (the topology read from the store and indexed,
 * the live state built, every port resolved), close, reload. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_int.h"

/* Grow-and-append for the topology arrays; each engine struct starts
 * with its record (rec_size bytes). */
struct load {
	void **arr;
	size_t *n, cap, size, rec_size;
};

static int load_cb(const void *rec, void *arg)
{
	struct load *l = arg;
	void *p;

	if (*l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		p = realloc(*l->arr, l->cap * l->size);
		if (!p)
			return -ENOMEM;
		*l->arr = p;
	}
	p = (char *)*l->arr + *l->n * l->size;
	memset(p, 0, l->size);
	memcpy(p, rec, l->rec_size);
	(*l->n)++;
	return 0;
}

#define LOAD(t, tab, a, cnt, rec_type)					\
	osmdb_foreach(t, tab, load_cb, &(struct load){		\
		.arr = (void **)(a), .n = (cnt),			\
		.size = sizeof(**(a)), .rec_size = sizeof(rec_type) })

static void topo_free(struct osm_engine *e)
{
	size_t i;

	eng_people_free(e);
	eng_topo_index_free(e);
	for (i = 0; i < e->n_sw; i++)
		osm_switch_close(e->sws[i].h);
	free(e->sws);
	free(e->ports);
	free(e->devs);
	free(e->rooms);
	e->sws = NULL;
	e->ports = NULL;
	e->devs = NULL;
	e->rooms = NULL;
	e->n_sw = e->n_ports = e->n_devs = e->n_rooms = 0;
}

static int topo_load(struct osm_engine *e)
{
	struct osmdb_txn *t;
	size_t i;
	int err;

	err = osmdb_txn_begin(e->st, OSMDB_TXN_RDONLY, &t);
	if (err)
		return err;
	err = LOAD(t, OSMDB_TAB_SWITCHES, &e->sws, &e->n_sw,
		   struct osmdb_rec_switch) ?:
	      LOAD(t, OSMDB_TAB_PORTS, &e->ports, &e->n_ports,
		   struct osmdb_rec_port) ?:
	      LOAD(t, OSMDB_TAB_DEVICES, &e->devs, &e->n_devs,
		   struct osmdb_rec_device) ?:
	      LOAD(t, OSMDB_TAB_ROOMS, &e->rooms, &e->n_rooms,
		   struct osmdb_rec_room);
	osmdb_txn_abort(t);
	err = err ?: eng_topo_index(e) ?: eng_state_build(e);
	if (err)
		return err;
	for (i = 0, e->mgmt = -1; i < e->n_ports && e->mgmt < 0; i++)
		if (e->ports[i].r.kind == OSMDB_PORT_MGMT)
			e->mgmt = (int)i;
	if (e->ctl && e->mgmt < 0)
		return OSM_ENGINE_ENOMGMT;
	eng_resolve_all(e);
	return 0;
}

int osm_engine_open(struct osm_engine **out, struct osmdb *st,
		    const struct osm_engine_opts *opts)
{
	struct osm_engine *e = calloc(1, sizeof(*e));
	int err;

	*out = NULL;
	if (!e)
		return -ENOMEM;
	e->st = st;
	if (opts && opts->netns_prefix)
		snprintf(e->netns_prefix, sizeof(e->netns_prefix), "%s",
			 opts->netns_prefix);
	if (opts && opts->ctl_mac) {
		e->ctl = 1;
		memcpy(e->ctl_mac, opts->ctl_mac, 6);
	}
	e->ring = calloc(OSM_ENGINE_RING, sizeof(*e->ring));
	if (!e->ring) {
		free(e);
		return -ENOMEM;
	}
	err = topo_load(e);
	if (err) {
		osm_engine_close(e);
		return err;
	}
	*out = e;
	return 0;
}

void osm_engine_close(struct osm_engine *e)
{
	if (!e)
		return;
	eng_watch_close(e);
	topo_free(e);
	free(e->ring);
	free(e->retiring);
	free(e->gw_seen);
	free(e);
}

int osm_engine_reload(struct osm_engine *e)
{
	int watching = e->watch != NULL, err;

	/* The watch names switches by index: it is made again. */
	eng_watch_close(e);
	topo_free(e);
	err = topo_load(e);
	if (!err && watching)
		err = osm_engine_watch(e);
	return err;
}
