/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The gateway's per-frame decision: what the room switch's XDP program
 * does to a frame (bpf/switch.bpf.c, switch_xdp), on DPDK's side of the
 * same header: osm_parse, the circuit from gw_table, osm_decide, the same
 * counters. tests/dataplane/diff.c runs both on the same frames and finds
 * no difference. */
#ifndef OSM_GW_FRAME_H
#define OSM_GW_FRAME_H

#include <stdint.h>
#include "gw_table.h"

/* Frames dropped, by reason (an lcore's own; summed when read). */
struct gw_drops {
	uint64_t by_reason[OSM_REASON_MAX];
};

/* Whether port can take a frame of len bytes now (its link is up, the
 * frame fits its MTU): the decision's check 9. */
typedef int (*gw_egress_fn)(void *arg, uint32_t port, uint32_t len);

/*
 * Decide frame data[0..len), arrived on port in, at now_ns
 * (CLOCK_MONOTONIC). Counts a drop in *drops (by reason) and in the
 * circuit's state, a forward in the circuit's state. On OSM_OK the
 * frame's destination MAC is the circuit's and *cp the circuit: its
 * egress port and flags, valid until the lcore's next quiescent state.
 * Returns OSM_OK or the drop reason (OSM_DROP_NOT_CIRCUIT counted too:
 * the caller that takes other traffic looks before).
 */
int gw_frame(const struct gw_table *t, uint8_t *data, uint32_t len,
	     uint32_t in, uint64_t now_ns, gw_egress_fn egress, void *arg,
	     const struct osm_circuit **cp, struct gw_drops *drops);

#endif
