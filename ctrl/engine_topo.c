// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The engine's copy of the topology: rooms, switches, ports (with the
 * ifindex of their interface, looked up in each switch's namespace),
 * devices; and the map value a circuit record gives on each hop. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include "engine_int.h"

uint64_t eng_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int eng_room_find(const struct osm_engine *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n_rooms; i++)
		if (!strcmp(e->rooms[i].r.name, name))
			return (int)i;
	return -1;
}

int eng_sw_find(const struct osm_engine *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n_sw; i++)
		if (!strcmp(e->sws[i].r.name, name))
			return (int)i;
	return -1;
}

int eng_dev_find(const struct osm_engine *e, uint32_t id)
{
	size_t i;

	for (i = 0; i < e->n_devs; i++)
		if (e->devs[i].r.id == id)
			return (int)i;
	return -1;
}

static int port_find(const struct osm_engine *e, const char *sw,
		     const char *name)
{
	size_t i;

	for (i = 0; i < e->n_ports; i++)
		if (!strcmp(e->ports[i].r.sw, sw) &&
		    !strcmp(e->ports[i].r.name, name))
			return (int)i;
	return -1;
}

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
	osm_store_foreach(t, tab, load_cb, &(struct load){		\
		.arr = (void **)(a), .n = (cnt),			\
		.size = sizeof(**(a)), .rec_size = sizeof(rec_type) })

static void topo_free(struct osm_engine *e)
{
	size_t i;

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

/* ifindexes of switch si's ports, looked up inside its namespace. */
static void resolve_ifindexes(struct osm_engine *e, int si, int home)
{
	char path[32 + 2 * (OSM_NAME_MAX + 1)];
	size_t i;
	int fd = -1;

	if (e->netns_prefix[0]) {
		snprintf(path, sizeof(path), "/run/netns/%s%s",
			 e->netns_prefix, e->sws[si].r.name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET)) {
			if (fd >= 0)
				close(fd);
			return;		/* ports stay unresolved */
		}
	}
	for (i = 0; i < e->n_ports; i++)
		if (e->ports[i].sw == si)
			e->ports[i].ifindex =
				if_nametoindex(e->ports[i].r.ifname);
	if (fd >= 0) {
		/* Back home; failing that, nothing else would be right. */
		if (setns(home, CLONE_NEWNET))
			abort();
		close(fd);
	}
}

static int topo_load(struct osm_engine *e)
{
	struct osm_txn *t;
	size_t i;
	int err, home = -1;

	err = osm_txn_begin(e->st, OSM_TXN_RDONLY, &t);
	if (err)
		return err;
	err = LOAD(t, OSM_TAB_SWITCHES, &e->sws, &e->n_sw,
		   struct osm_rec_switch) ?:
	      LOAD(t, OSM_TAB_PORTS, &e->ports, &e->n_ports,
		   struct osm_rec_port) ?:
	      LOAD(t, OSM_TAB_DEVICES, &e->devs, &e->n_devs,
		   struct osm_rec_device) ?:
	      LOAD(t, OSM_TAB_ROOMS, &e->rooms, &e->n_rooms,
		   struct osm_rec_room);
	osm_txn_abort(t);
	if (err)
		return err;
	for (i = 0; i < e->n_ports; i++) {
		struct eng_port *p = &e->ports[i];

		p->sw = eng_sw_find(e, p->r.sw);
		p->peer = p->r.peer_sw[0] ? eng_sw_find(e, p->r.peer_sw) : -1;
	}
	for (i = 0; i < e->n_devs; i++) {
		struct eng_dev *d = &e->devs[i];

		d->room = eng_room_find(e, d->r.room);
		d->sw = eng_sw_find(e, d->r.sw);
		d->port = port_find(e, d->r.sw, d->r.port);
		d->personal = osm_engine_device_owner(d->r.name, d->owner);
	}
	if (e->netns_prefix[0]) {
		home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (home < 0)
			return -errno;
	}
	for (i = 0; i < e->n_sw; i++)
		resolve_ifindexes(e, (int)i, home);
	if (home >= 0)
		close(home);
	return 0;
}

int osm_engine_open(struct osm_engine **out, struct osm_store *st,
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
	topo_free(e);
	free(e->ring);
	free(e);
}

int osm_engine_reload(struct osm_engine *e)
{
	topo_free(e);
	return topo_load(e);
}

int eng_sw_handle(struct osm_engine *e, int i, struct osm_switch **h)
{
	int err;

	if (i < 0)
		return OSM_STORE_EREF;
	if (!e->sws[i].h) {
		err = osm_switch_open(&e->sws[i].h, e->sws[i].r.name);
		if (err == -ENOENT)
			return OSM_ENGINE_ENOSWITCH;
		if (err)
			return err;
	}
	*h = e->sws[i].h;
	return 0;
}

/* ifindex of switch si's uplink to switch peer, 0 if none. */
static uint32_t uplink(const struct osm_engine *e, int si, int peer)
{
	size_t i;

	for (i = 0; i < e->n_ports; i++)
		if (e->ports[i].sw == si && e->ports[i].peer == peer)
			return e->ports[i].ifindex;
	return 0;
}

int eng_expect(struct osm_engine *e, const struct osm_rec_circuit *c,
	       unsigned hop, const uint8_t hop_key[OSM_HOP_KEY_LEN],
	       struct osm_circuit *out, int *sw)
{
	int s = eng_dev_find(e, c->src_dev), d = eng_dev_find(e, c->dst_dev);
	int si, prev, next;
	uint64_t now;

	if (s < 0 || d < 0 || hop >= c->n_path)
		return OSM_STORE_EREF;
	si = eng_sw_find(e, c->path[hop]);
	prev = hop ? eng_sw_find(e, c->path[hop - 1]) : -1;
	next = hop + 1 < c->n_path ? eng_sw_find(e, c->path[hop + 1]) : -1;
	if (si < 0 || (hop && prev < 0) || (hop + 1 < c->n_path && next < 0))
		return OSM_STORE_EREF;
	memset(out, 0, sizeof(*out));
	out->id = c->id;
	out->flags = c->flags & (OSM_CF_REMOTE | OSM_CF_CTRL);
	out->ingress_ifindex = hop ? uplink(e, si, prev) :
			       (e->devs[s].port >= 0 ?
				e->ports[e->devs[s].port].ifindex : 0);
	out->egress_ifindex = next >= 0 ? uplink(e, si, next) :
			      (e->devs[d].port >= 0 ?
			       e->ports[e->devs[d].port].ifindex : 0);
	if (!out->ingress_ifindex || !out->egress_ifindex)
		return OSM_ENGINE_ENOPORT;
	memcpy(out->src_mac, e->devs[s].r.mac, 6);
	memcpy(out->dst_mac, e->devs[d].r.mac, 6);
	out->rate = c->rate;
	out->burst = c->burst;
	if (c->lease_ns) {
		/* The store keeps wall-clock time, the fast path monotonic;
		 * truncated to seconds so that recomputing it agrees. */
		struct timespec rt;

		clock_gettime(CLOCK_REALTIME, &rt);
		now = (uint64_t)rt.tv_sec * 1000000000ULL;
		out->expires_ns = c->lease_ns <= now ? 1 :
			(eng_now_ns() + c->lease_ns - now) /
			1000000000ULL * 1000000000ULL;
	}
	out->key[c->epoch & 1].epoch = c->epoch;
	out->key[c->epoch & 1].valid = 1;
	memcpy(out->key[c->epoch & 1].hop_key, hop_key, OSM_HOP_KEY_LEN);
	*sw = si;
	return 0;
}
