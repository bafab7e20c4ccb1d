// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The engine's copy of the topology, indexed so that one event costs the
 * same in a building of any size: switches, rooms, devices and ports sorted
 * for binary search, each room's devices, each person's personal devices,
 * switch paths memoized, and the ports each hop of a circuit uses. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "engine_int.h"

_Static_assert(offsetof(struct eng_room, r.name) == 0 &&
	       offsetof(struct eng_sw, r.name) == 0,
	       "find_name: names first");

/* A path between two switches: hop[] indexes, or err. n 0 and err 0: a
 * free slot. */
struct eng_memo {
	int from, to, err;	/* from -1: free */
	uint8_t n;
	int hop[OSMDB_PATH_MAX];
};

/* ---- topology: sorted arrays ------------------------------------------ */

static int cmp_sw(const void *a, const void *b)
{
	return strcmp(((const struct eng_sw *)a)->r.name,
		      ((const struct eng_sw *)b)->r.name);
}

static int cmp_room(const void *a, const void *b)
{
	return strcmp(((const struct eng_room *)a)->r.name,
		      ((const struct eng_room *)b)->r.name);
}

static int cmp_dev(const void *a, const void *b)
{
	uint32_t x = ((const struct eng_dev *)a)->r.id;
	uint32_t y = ((const struct eng_dev *)b)->r.id;

	return x < y ? -1 : x > y;
}

static int cmp_port(const void *a, const void *b)
{
	const struct eng_port *x = a, *y = b;

	return strcmp(x->r.sw, y->r.sw) ?: strcmp(x->r.name, y->r.name);
}

static const struct osm_engine *pdev_e;	/* for cmp_pdev (qsort has no arg) */

static int cmp_pdev(const void *a, const void *b)
{
	return strcmp(pdev_e->devs[*(const int *)a].owner,
		      pdev_e->devs[*(const int *)b].owner);
}

/* Binary search in an array sorted by name, of structs that start with
 * a record whose first member is its name. */
static int find_name(const void *base, size_t n, size_t size,
		     const char *name)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(name, (const char *)base + mid * size);
		if (!c)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

int eng_room_find(const struct osm_engine *e, const char *name)
{
	return find_name(e->rooms, e->n_rooms, sizeof(*e->rooms), name);
}

int eng_sw_find(const struct osm_engine *e, const char *name)
{
	return find_name(e->sws, e->n_sw, sizeof(*e->sws), name);
}

int eng_dev_find(const struct osm_engine *e, uint32_t id)
{
	size_t lo = 0, hi = e->n_devs, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (e->devs[mid].r.id == id)
			return (int)mid;
		if (id < e->devs[mid].r.id)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

int eng_device_owner(const char *device, char owner[OSMDB_NAME_MAX + 1])
{
	const char *dot = strrchr(device, '.');
	size_t n;

	if (!dot || dot == device || !dot[1])
		return 0;
	n = (size_t)(dot - device);
	if (n > OSMDB_NAME_MAX)
		return 0;
	memcpy(owner, device, n);
	owner[n] = '\0';
	return 1;
}

static int port_find(const struct osm_engine *e, int si, const char *name)
{
	size_t i;

	if (si < 0)
		return -1;
	for (i = e->sw_port0[si]; i < e->sw_port0[si] + e->sw_nport[si]; i++)
		if (!strcmp(e->ports[i].r.name, name))
			return (int)i;
	return -1;
}

int eng_uplink(const struct osm_engine *e, int si, int peer)
{
	size_t i;

	if (si < 0)
		return -1;
	for (i = e->sw_port0[si]; i < e->sw_port0[si] + e->sw_nport[si]; i++)
		if (e->ports[i].peer == peer)
			return (int)i;
	return -1;
}

const int *eng_room_devs(const struct osm_engine *e, int ri, size_t *n)
{
	*n = e->room_ndev[ri];
	return e->room_dev + e->room_dev0[ri];
}

const int *eng_person_devs(const struct osm_engine *e, const char *person,
			   size_t *n)
{
	size_t lo = 0, hi = e->n_pdev, mid, end;

	/* The first personal device whose owner is not below person. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (strcmp(e->devs[e->pdev[mid]].owner, person) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < e->n_pdev &&
	     !strcmp(e->devs[e->pdev[end]].owner, person); end++)
		;
	*n = end - lo;
	return e->pdev + lo;
}

int eng_topo_index(struct osm_engine *e)
{
	size_t i, j, k;

	qsort(e->sws, e->n_sw, sizeof(*e->sws), cmp_sw);
	qsort(e->rooms, e->n_rooms, sizeof(*e->rooms), cmp_room);
	qsort(e->devs, e->n_devs, sizeof(*e->devs), cmp_dev);
	qsort(e->ports, e->n_ports, sizeof(*e->ports), cmp_port);
	e->sw_port0 = calloc(e->n_sw + 1, sizeof(size_t));
	e->sw_nport = calloc(e->n_sw + 1, sizeof(size_t));
	e->sw_nlink = calloc(e->n_sw + 1, sizeof(size_t));
	e->room_dev0 = calloc(e->n_rooms + 1, sizeof(size_t));
	e->room_ndev = calloc(e->n_rooms + 1, sizeof(size_t));
	e->room_dev = calloc(e->n_devs + 1, sizeof(int));
	e->pdev = calloc(e->n_devs + 1, sizeof(int));
	e->memo_cap = 4096;
	e->memo = calloc(e->memo_cap, sizeof(*e->memo));
	if (!e->sw_port0 || !e->sw_nport || !e->sw_nlink || !e->room_dev0 ||
	    !e->room_ndev ||
	    !e->room_dev || !e->pdev || !e->memo)
		return -ENOMEM;
	/* Ports are sorted by switch name, as the switches are. */
	for (i = 0; i < e->n_ports; i++) {
		struct eng_port *p = &e->ports[i];

		p->sw = eng_sw_find(e, p->r.sw);
		p->peer = p->r.peer_sw[0] ? eng_sw_find(e, p->r.peer_sw) : -1;
		if (p->sw < 0)
			continue;
		if (!e->sw_nport[p->sw]++)
			e->sw_port0[p->sw] = i;
		if (p->peer >= 0)
			e->sw_nlink[p->sw]++;
	}
	for (i = 0; i < e->n_devs; i++) {
		struct eng_dev *d = &e->devs[i];

		d->room = eng_room_find(e, d->r.room);
		d->sw = eng_sw_find(e, d->r.sw);
		d->port = port_find(e, d->sw, d->r.port);
		d->personal = eng_device_owner(d->r.name, d->owner);
		if (d->personal)
			e->pdev[e->n_pdev++] = (int)i;
		else if (d->room >= 0)
			e->room_ndev[d->room]++;
	}
	pdev_e = e;
	qsort(e->pdev, e->n_pdev, sizeof(int), cmp_pdev);
	for (i = 0, k = 0; i < e->n_rooms; i++) {
		e->room_dev0[i] = k;
		k += e->room_ndev[i];
		e->room_ndev[i] = 0;
	}
	for (j = 0; j < e->n_devs; j++) {
		const struct eng_dev *d = &e->devs[j];

		if (!d->personal && d->room >= 0)
			e->room_dev[e->room_dev0[d->room] +
				    e->room_ndev[d->room]++] = (int)j;
	}
	return 0;
}

/* ---- paths, memoized by (from, to) switch ------------------------------ */

static int bfs(const struct osm_engine *e, int from, int to,
	       struct eng_memo *m)
{
	int head = 0, tail = 0, n = 0, i, cur, *prev, *queue, err = 0;
	size_t p;

	prev = malloc(2 * e->n_sw * sizeof(int));
	if (!prev)
		return -ENOMEM;
	queue = prev + e->n_sw;
	for (i = 0; i < (int)e->n_sw; i++)
		prev[i] = -2;
	prev[from] = -1;
	queue[tail++] = from;
	while (head < tail && prev[to] == -2) {
		cur = queue[head++];
		for (p = e->sw_port0[cur];
		     p < e->sw_port0[cur] + e->sw_nport[cur]; p++) {
			int peer = e->ports[p].peer;

			if (peer < 0 || prev[peer] != -2 ||
			    e->sws[peer].r.kind == OSMDB_SW_GATEWAY)
				continue;
			prev[peer] = cur;
			/* No path goes through a switch with one link (a
			 * room's): only the backbone (core, floors) is
			 * walked on, not every room's ports. */
			if (e->sw_nlink[peer] > 1)
				queue[tail++] = peer;
		}
	}
	if (prev[to] == -2)
		err = OSM_ENGINE_ENOPATH;
	for (cur = to; !err && cur != -1; cur = prev[cur]) {
		if (n == OSMDB_PATH_MAX)
			err = OSM_ENGINE_ENOPATH;
		else
			n++;
	}
	for (cur = to, i = n - 1; !err && cur != -1; cur = prev[cur])
		m->hop[i--] = cur;
	free(prev);
	m->n = (uint8_t)n;
	m->err = err;
	return err;
}

int eng_sw_path(struct osm_engine *e, int from, int to, const int **hops,
		unsigned *n)
{
	struct eng_memo tmp, *m;
	size_t h;
	int err;

	if (from < 0 || to < 0)
		return OSMDB_EREF;
	h = ((size_t)from * 2654435761u ^ (size_t)to) % e->memo_cap;
	m = &e->memo[h];
	if (!(m->n || m->err) || m->from != from || m->to != to) {
		/* A miss (or a collision: the slot is taken over). */
		tmp = (struct eng_memo){ .from = from, .to = to };
		if (from == to) {
			tmp.n = 1;
			tmp.hop[0] = from;
		} else {
			err = bfs(e, from, to, &tmp);
			if (err == -ENOMEM)
				return err;
		}
		*m = tmp;
	}
	if (m->err)
		return m->err;
	*hops = m->hop;
	*n = m->n;
	return 0;
}

int eng_path(struct osm_engine *e, struct osmdb_rec_circuit *c)
{
	int s = eng_dev_find(e, c->src_dev), d = eng_dev_find(e, c->dst_dev);
	const int *hops;
	unsigned i, n;
	int err;

	if (s < 0 || d < 0)
		return OSMDB_EREF;
	err = eng_sw_path(e, e->devs[s].sw, e->devs[d].sw, &hops, &n);
	if (err)
		return err;
	c->n_path = (uint8_t)n;
	for (i = 0; i < n; i++)
		strcpy(c->path[i], e->sws[hops[i]].r.name);
	return 0;
}


void eng_topo_index_free(struct osm_engine *e)
{
	free(e->sw_port0);
	free(e->sw_nport);
	free(e->sw_nlink);
	free(e->room_dev0);
	free(e->room_ndev);
	free(e->room_dev);
	free(e->pdev);
	free(e->memo);
	e->sw_port0 = e->sw_nport = e->sw_nlink = NULL;
	e->room_dev0 = e->room_ndev = NULL;
	e->room_dev = e->pdev = NULL;
	e->memo = NULL;
	e->n_pdev = e->memo_cap = 0;
}


/* The ports (indexes) hop `hop` of c enters and leaves by, and its
 * switch; -1 for any that is missing. */
void eng_hop_ports(const struct osm_engine *e,
		   const struct osmdb_rec_circuit *c, unsigned hop, int s, int d,
		   int *sw, int *in, int *out)
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
		     const struct osmdb_rec_circuit *c, int port)
{
	int s = eng_dev_find(e, c->src_dev), d = eng_dev_find(e, c->dst_dev);
	int sw, in, out;
	unsigned i;

	if (s < 0 || d < 0)
		return 0;
	for (i = 0; i < c->n_path; i++) {
		eng_hop_ports(e, c, i, s, d, &sw, &in, &out);
		if (port >= 0 ? (in == port || out == port) :
		    ((in >= 0 && e->ports[in].down) ||
		     (out >= 0 && e->ports[out].down)))
			return 1;
	}
	return 0;
}

size_t osm_engine_n_devices(const struct osm_engine *e)
{
	return e->n_devs;
}

const struct osmdb_rec_device *osm_engine_device(const struct osm_engine *e,
						 int i)
{
	return &e->devs[i].r;
}

const char *osm_engine_device_room(const struct osm_engine *e, int i)
{
	return e->devs[i].room >= 0 ? e->rooms[e->devs[i].room].r.name : NULL;
}

int osm_engine_device_index(const struct osm_engine *e, uint32_t id)
{
	return eng_dev_find(e, id);
}
