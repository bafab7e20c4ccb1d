// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The gateway's per-frame decision (gw_frame.h), step for step the room
 * switch's: parse, find, decide, count, rewrite. */
#include <string.h>
#include "gw_frame.h"

int gw_frame(const struct gw_table *t, uint8_t *data, uint32_t len,
	     uint32_t in, uint64_t now_ns, gw_egress_fn egress, void *arg,
	     const struct osm_circuit **cp, struct gw_drops *drops)
{
	struct osm_circuit_state *st = NULL;
	const struct osm_circuit *c = NULL;
	struct gw_entry *e;
	struct osm_frame f;
	int r;

	r = osm_parse(data, len, &f);
	if (r != OSM_OK) {
		drops->by_reason[r]++;
		return r;
	}
	e = gw_table_find(t, f.circuit);
	if (e) {
		c = &e->c;
		st = &e->st->st;
	}
	r = osm_decide(&f, c, st, in,
		       c && egress(arg, c->egress_ifindex, len), now_ns);
	if (r != OSM_OK) {
		if (st)
			__atomic_fetch_add(&e->st->stats.drops, 1,
					   __ATOMIC_RELAXED);
		drops->by_reason[r]++;
		return r;
	}
	__atomic_fetch_add(&e->st->stats.frames, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&e->st->stats.bytes, len, __ATOMIC_RELAXED);
	memcpy(data, c->dst_mac, 6);
	*cp = c;
	return OSM_OK;
}
