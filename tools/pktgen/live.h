/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What osm-pktgen's live-frames program (live.bpf.c) and its loader
 * (live.c) agree on. */
#ifndef PG_LIVE_H
#define PG_LIVE_H

#ifndef __bpf__
#include <linux/types.h>
#endif
#include "osm_proto.h"

/* Circuits one live run can cycle through (their hop keys sit in the
 * program's .bss). */
#define PG_LIVE_MAX_CIRC	64

/* One circuit's hop key, in the program's .bss. */
struct pg_live_key {
	__u8 hop[OSM_HOP_KEY_LEN];
};

#endif
