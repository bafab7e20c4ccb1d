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
#include "engine_int.h"

uint64_t eng_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
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

	eng_index_free(e);
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

int eng_in_netns(struct osm_engine *e, int si,
		 int (*fn)(struct osm_engine *e, int si, void *arg), void *arg)
{
	char path[32 + 2 * (OSM_NAME_MAX + 1)];
	int fd, home, err;

	if (!e->netns_prefix[0])
		return fn(e, si, arg);
	snprintf(path, sizeof(path), "/run/netns/%s%s", e->netns_prefix,
		 e->sws[si].r.name);
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (home < 0 || fd < 0 || setns(fd, CLONE_NEWNET)) {
		err = -errno;
	} else {
		err = fn(e, si, arg);
		/* Back home; failing that, nothing else would be right. */
		if (setns(home, CLONE_NEWNET))
			abort();
	}
	if (fd >= 0)
		close(fd);
	if (home >= 0)
		close(home);
	return err;
}

static int topo_load(struct osm_engine *e)
{
	struct osm_txn *t;
	size_t i;
	int err;

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
	err = err ?: eng_topo_index(e) ?: eng_state_build(e);
	if (err)
		return err;
	for (i = 0, e->mgmt = -1; i < e->n_ports && e->mgmt < 0; i++)
		if (e->ports[i].r.kind == OSM_PORT_MGMT)
			e->mgmt = (int)i;
	if (e->ctl && e->mgmt < 0)
		return OSM_ENGINE_ENOMGMT;
	eng_resolve_all(e);
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

/* The ports (indexes) hop `hop` of c enters and leaves by, and its
 * switch; -1 for any that is missing. */
static void hop_ports(const struct osm_engine *e,
		      const struct osm_rec_circuit *c, unsigned hop, int s,
		      int d, int *sw, int *in, int *out)
{
	int prev = hop ? eng_sw_find(e, c->path[hop - 1]) : -1;
	int next = hop + 1 < c->n_path ? eng_sw_find(e, c->path[hop + 1]) :
		   -1;

	*sw = eng_sw_find(e, c->path[hop]);
	*in = hop ? (prev >= 0 ? eng_uplink(e, *sw, prev) : -1) :
	      e->devs[s].port;
	*out = hop + 1 < c->n_path ?
	       (next >= 0 ? eng_uplink(e, *sw, next) : -1) : e->devs[d].port;
}

int eng_circuit_down(const struct osm_engine *e,
		     const struct osm_rec_circuit *c, int port)
{
	int s = eng_dev_find(e, c->src_dev), d = eng_dev_find(e, c->dst_dev);
	int sw, in, out;
	unsigned i;

	if (s < 0 || d < 0)
		return 0;
	for (i = 0; i < c->n_path; i++) {
		hop_ports(e, c, i, s, d, &sw, &in, &out);
		if (port >= 0 ? (in == port || out == port) :
		    ((in >= 0 && e->ports[in].down) ||
		     (out >= 0 && e->ports[out].down)))
			return 1;
	}
	return 0;
}

int eng_expect(struct osm_engine *e, const struct osm_rec_circuit *c,
	       unsigned hop, const uint8_t hop_key[OSM_HOP_KEY_LEN],
	       struct osm_circuit *out, int *sw)
{
	int s = eng_dev_find(e, c->src_dev), d = eng_dev_find(e, c->dst_dev);
	int si, in, eg;
	uint64_t now;

	if (s < 0 || d < 0 || hop >= c->n_path)
		return OSM_STORE_EREF;
	hop_ports(e, c, hop, s, d, &si, &in, &eg);
	if (si < 0)
		return OSM_STORE_EREF;
	if (in < 0 || eg < 0 || !e->ports[in].ifindex ||
	    !e->ports[eg].ifindex)
		return OSM_ENGINE_ENOPORT;
	memset(out, 0, sizeof(*out));
	out->id = c->id;
	out->flags = c->flags & (OSM_CF_REMOTE | OSM_CF_CTRL);
	/* A port down anywhere on the path: the circuit is down on every
	 * switch, so its frames die where they enter. */
	if (eng_circuit_down(e, c, -1))
		out->flags |= OSM_CF_DOWN;
	out->ingress_ifindex = e->ports[in].ifindex;
	out->egress_ifindex = e->ports[eg].ifindex;
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
