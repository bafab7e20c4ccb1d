// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The engine's policy (docs/engine.md, "Policy"): which circuits a room's
 * group and a person present in a room want, their class and rate, and
 * the switch path between two devices. Pure functions of the topology. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engine_int.h"

/* Room group circuits: between a room's own devices, by role. */
static const struct { uint8_t src, dst, cls; } room_table[] = {
	{ OSM_ROLE_MICROPHONE, OSM_ROLE_SPEAKER, OSM_CLASS_AUDIO },
	{ OSM_ROLE_MICROPHONE, OSM_ROLE_DISPLAY, OSM_CLASS_AUDIO },
	{ OSM_ROLE_SENSOR, OSM_ROLE_DISPLAY, OSM_CLASS_SENSOR },
	{ OSM_ROLE_SENSOR, OSM_ROLE_LAMP, OSM_CLASS_CONTROL },
	{ OSM_ROLE_DOOR, OSM_ROLE_LAMP, OSM_CLASS_CONTROL },
};

/* Person circuits: between each personal device and the room's devices;
 * to the outputs (to_room), from the inputs. Doors and controllers talk
 * to the controller only. */
static const struct { uint8_t role, to_room, cls; } person_table[] = {
	{ OSM_ROLE_DISPLAY, 1, OSM_CLASS_VIDEO },
	{ OSM_ROLE_SPEAKER, 1, OSM_CLASS_AUDIO },
	{ OSM_ROLE_LAMP, 1, OSM_CLASS_CONTROL },
	{ OSM_ROLE_MICROPHONE, 0, OSM_CLASS_AUDIO },
	{ OSM_ROLE_SENSOR, 0, OSM_CLASS_SENSOR },
};

/* Per class: bytes/s and burst. Bulk is unlimited. */
static const struct { uint64_t rate, burst; } class_rate[OSM_CLASS_MAX] = {
	[OSM_CLASS_CONTROL] = { 16000, 4000 },
	[OSM_CLASS_SENSOR] = { 64000, 16000 },
	[OSM_CLASS_AUDIO] = { 1000000, 64000 },
	[OSM_CLASS_VIDEO] = { 25000000, 1000000 },
	[OSM_CLASS_BULK] = { 0, 0 },
};

void eng_policy_rate(unsigned cls, uint64_t *rate, uint64_t *burst)
{
	*rate = cls < OSM_CLASS_MAX ? class_rate[cls].rate : 0;
	*burst = cls < OSM_CLASS_MAX ? class_rate[cls].burst : 0;
}

int osm_engine_device_owner(const char *device, char owner[OSM_NAME_MAX + 1])
{
	const char *dot = strrchr(device, '.');
	size_t n;

	if (!dot || dot == device || !dot[1])
		return 0;
	n = (size_t)(dot - device);
	if (n > OSM_NAME_MAX)
		return 0;
	memcpy(owner, device, n);
	owner[n] = '\0';
	return 1;
}

static int want(struct eng_want *w, size_t *n, size_t cap, int src, int dst,
		uint8_t cls, const char *owner)
{
	if (*n >= cap)
		return -E2BIG;
	w[*n] = (struct eng_want){ .src = src, .dst = dst, .cls = cls,
				   .owner = owner };
	(*n)++;
	return 0;
}

int eng_policy_room(const struct osm_engine *e, int ri, struct eng_want *w,
		    size_t *n, size_t cap)
{
	size_t a, b, k;
	int err;

	for (a = 0; a < e->n_devs; a++) {
		const struct eng_dev *s = &e->devs[a];

		if (s->room != ri || s->personal)
			continue;
		for (b = 0; b < e->n_devs; b++) {
			const struct eng_dev *d = &e->devs[b];

			if (d->room != ri || d->personal || a == b)
				continue;
			for (k = 0; k < sizeof(room_table) /
				    sizeof(room_table[0]); k++) {
				if (room_table[k].src != s->r.role ||
				    room_table[k].dst != d->r.role)
					continue;
				err = want(w, n, cap, (int)a, (int)b,
					   room_table[k].cls, NULL);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

int eng_policy_person(const struct osm_engine *e, const char *person,
		      int ri, struct eng_want *w, size_t *n, size_t cap)
{
	size_t p, d, k;
	int err;

	for (p = 0; p < e->n_devs; p++) {
		if (!e->devs[p].personal || strcmp(e->devs[p].owner, person))
			continue;
		for (d = 0; d < e->n_devs; d++) {
			const struct eng_dev *rd = &e->devs[d];

			if (rd->room != ri || rd->personal)
				continue;
			for (k = 0; k < sizeof(person_table) /
				    sizeof(person_table[0]); k++) {
				if (person_table[k].role != rd->r.role)
					continue;
				err = person_table[k].to_room ?
				      want(w, n, cap, (int)p, (int)d,
					   person_table[k].cls, person) :
				      want(w, n, cap, (int)d, (int)p,
					   person_table[k].cls, person);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

/* Breadth-first over uplink links; gateways are never transit (a
 * circuit that leaves the building is not this policy's). */
int eng_path(const struct osm_engine *e, struct osm_rec_circuit *c)
{
	int s = eng_dev_find(e, c->src_dev), d = eng_dev_find(e, c->dst_dev);
	int head = 0, tail = 0, hops[OSM_PATH_MAX], n = 0, i, cur, from, to;
	int *prev, *queue, err = 0;
	size_t p;

	if (s < 0 || d < 0)
		return OSM_STORE_EREF;
	from = e->devs[s].sw;
	to = e->devs[d].sw;
	if (from == to) {
		c->n_path = 1;
		strcpy(c->path[0], e->sws[from].r.name);
		return 0;
	}
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
		for (p = 0; p < e->n_ports; p++) {
			const struct eng_port *pt = &e->ports[p];

			if (pt->sw != cur || pt->peer < 0 ||
			    prev[pt->peer] != -2 ||
			    e->sws[pt->peer].r.kind == OSM_SW_GATEWAY)
				continue;
			prev[pt->peer] = cur;
			queue[tail++] = pt->peer;
		}
	}
	if (prev[to] == -2)
		err = OSM_ENGINE_ENOPATH;
	for (cur = to; !err && cur != -1; cur = prev[cur]) {
		if (n == OSM_PATH_MAX)
			err = OSM_ENGINE_ENOPATH;
		else
			hops[n++] = cur;
	}
	free(prev);
	if (err)
		return err;
	c->n_path = (uint8_t)n;
	for (i = 0; i < n; i++)
		strcpy(c->path[i], e->sws[hops[n - 1 - i]].r.name);
	return 0;
}
