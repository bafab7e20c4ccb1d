// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The engine's policy (docs/engine.md, "Policy"): which circuits a room's
 * group and a person present in a room want, and their class and rate.
 * Pure functions of the topology. */
#include <errno.h>
#include <string.h>
#include "engine_int.h"

/* Room group circuits: between a room's own devices, by role. */
static const struct { uint8_t src, dst, cls; } room_table[] = {
	{ OSM_ROLE_MICROPHONE, OSM_ROLE_SPEAKER, OSMDB_CLASS_AUDIO },
	{ OSM_ROLE_MICROPHONE, OSM_ROLE_DISPLAY, OSMDB_CLASS_AUDIO },
	{ OSM_ROLE_SENSOR, OSM_ROLE_DISPLAY, OSMDB_CLASS_SENSOR },
	{ OSM_ROLE_SENSOR, OSM_ROLE_LAMP, OSMDB_CLASS_CONTROL },
	{ OSM_ROLE_DOOR, OSM_ROLE_LAMP, OSMDB_CLASS_CONTROL },
};

/* Person circuits: between each personal device and the room's devices;
 * to the outputs (to_room), from the inputs. Doors and controllers talk
 * to the controller only. */
static const struct { uint8_t role, to_room, cls; } person_table[] = {
	{ OSM_ROLE_DISPLAY, 1, OSMDB_CLASS_VIDEO },
	{ OSM_ROLE_SPEAKER, 1, OSMDB_CLASS_AUDIO },
	{ OSM_ROLE_LAMP, 1, OSMDB_CLASS_CONTROL },
	{ OSM_ROLE_MICROPHONE, 0, OSMDB_CLASS_AUDIO },
	{ OSM_ROLE_SENSOR, 0, OSMDB_CLASS_SENSOR },
};

/* Per class: bytes/s and burst. Bulk is unlimited. */
static const struct { uint64_t rate, burst; } class_rate[OSMDB_CLASS_MAX] = {
	[OSMDB_CLASS_CONTROL] = { 16000, 4000 },
	[OSMDB_CLASS_SENSOR] = { 64000, 16000 },
	[OSMDB_CLASS_AUDIO] = { 1000000, 64000 },
	[OSMDB_CLASS_VIDEO] = { 25000000, 1000000 },
	[OSMDB_CLASS_BULK] = { 0, 0 },
};

void eng_policy_rate(unsigned cls, uint64_t *rate, uint64_t *burst)
{
	*rate = cls < OSMDB_CLASS_MAX ? class_rate[cls].rate : 0;
	*burst = cls < OSMDB_CLASS_MAX ? class_rate[cls].burst : 0;
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
	size_t nd, a, b, k;
	const int *dv = eng_room_devs(e, ri, &nd);
	int err;

	for (a = 0; a < nd; a++) {
		for (b = 0; b < nd; b++) {
			uint8_t rs = e->devs[dv[a]].r.role;
			uint8_t rd = e->devs[dv[b]].r.role;

			if (a == b)
				continue;
			for (k = 0; k < sizeof(room_table) /
				    sizeof(room_table[0]); k++) {
				if (room_table[k].src != rs ||
				    room_table[k].dst != rd)
					continue;
				err = want(w, n, cap, dv[a], dv[b],
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
	size_t np, nd, p, d, k;
	const int *pv = eng_person_devs(e, person, &np);
	const int *dv = eng_room_devs(e, ri, &nd);
	int err;

	for (p = 0; p < np; p++) {
		for (d = 0; d < nd; d++) {
			uint8_t role = e->devs[dv[d]].r.role;

			for (k = 0; k < sizeof(person_table) /
				    sizeof(person_table[0]); k++) {
				if (person_table[k].role != role)
					continue;
				err = person_table[k].to_room ?
				      want(w, n, cap, pv[p], dv[d],
					   person_table[k].cls, person) :
				      want(w, n, cap, dv[d], pv[p],
					   person_table[k].cls, person);
				if (err)
					return err;
			}
		}
	}
	return 0;
}
