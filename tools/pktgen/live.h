/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What osm-pktgen's live-frames program (live.bpf.c) and its loader
 * (live.c) agree on. */
#ifndef PG_LIVE_H
#define PG_LIVE_H

#ifndef __bpf__
#include <linux/types.h>
#endif
#include "osm_proto.h"

/* Circuits one live run can cycle through: as many as a switch holds
 * (their hop keys sit in the array map hop_keys, sized at open). */
#define PG_LIVE_MAX_CIRC	OSM_MAX_CIRCUITS

/* One circuit's hop key: element i of hop_keys is circuit first_id + i. */
struct pg_live_key {
	__u8 hop[OSM_HOP_KEY_LEN];
};

/* A generating CPU's own circuits and counter (--spread), its element of
 * the per-CPU map cpu_share: no other CPU touches its line. */
struct pg_live_cpu {
	__u64 made;	/* frames made on this CPU */
	__u32 first;	/* its circuits: hop_keys[first..first + n) */
	__u32 n;	/* 0: this CPU does not generate */
	__u32 next;	/* the next frame's circuit, first <= next < first + n */
	__u32 pad;
};

#endif
