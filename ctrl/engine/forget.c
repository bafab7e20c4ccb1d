// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Erasure that reaches the dataplane: a person present leaves first (their
 * circuits go from every switch, the room keys rotate), then the store
 * forgets them, then the engine's own memory of recent events does. */
#include <errno.h>
#include <string.h>
#include "engine_int.h"

/* 1 if ev names person: as the one who moved, an owner, or the owner of
 * a personal device at an end of a change. */
static int names(const struct osm_engine_event *ev, const char *person)
{
	char owner[OSMDB_NAME_MAX + 1];
	uint32_t i;

	if (!strcmp(ev->person, person))
		return 1;
	for (i = 0; i < ev->n_changes && i < OSM_ENGINE_CHANGES; i++) {
		const struct osm_engine_change *c = &ev->changes[i];

		if (!strcmp(c->owner, person) ||
		    (eng_device_owner(c->src, owner) &&
		     !strcmp(owner, person)) ||
		    (eng_device_owner(c->dst, owner) &&
		     !strcmp(owner, person)))
			return 1;
	}
	return 0;
}

/* Drop the ring's records that name person, keeping the others' order. */
static void ring_forget(struct osm_engine *e, const char *person)
{
	unsigned i, kept = 0, first = (e->ring_head + OSM_ENGINE_RING -
				       e->ring_n) % OSM_ENGINE_RING;

	for (i = 0; i < e->ring_n; i++) {
		struct osm_engine_event *ev =
			&e->ring[(first + i) % OSM_ENGINE_RING];

		if (names(ev, person))
			continue;
		if (kept != i)
			e->ring[(first + kept) % OSM_ENGINE_RING] = *ev;
		kept++;
	}
	for (i = kept; i < e->ring_n; i++)
		memset(&e->ring[(first + i) % OSM_ENGINE_RING], 0,
		       sizeof(e->ring[0]));
	e->ring_n = kept;
	e->ring_head = (first + kept) % OSM_ENGINE_RING;
}

int osm_engine_forget(struct osm_engine *e, struct osmdb **st,
		      const char *person, struct osm_engine_event *ev,
		      unsigned long *erased)
{
	int err = 0;

	if (!osmdb_name_ok(person))
		return -EINVAL;
	/* the store to ourselves first, or the leave would stand alone */
	err = osmdb_lock_all(*st);
	if (err)
		return err;
	if (eng_person(e, person, 0)) {
		err = osm_engine_event(e, OSM_EV_LEAVE, person, NULL, 0, ev);
		if (err) {
			osmdb_unlock_all(*st);
			return err;
		}
	}
	err = osmdb_forget(st, person, erased);	/* unlocks */
	if (!err)
		ring_forget(e, person);
	return err;
}
