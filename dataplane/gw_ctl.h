/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* osm-gw's control requests, parsed (osm-gw(8), CONTROL SOCKET): words
 * of a line, a circuit from the words of a `circuit` request, the link
 * from those of a `peer` request. No state: osm-gw applies what they
 * give; fuzzed (tests/fuzz/fuzz_gw_ctl). */
#ifndef OSM_GW_CTL_H
#define OSM_GW_CTL_H

#include <stddef.h>
#include <stdint.h>
#include "osm_proto.h"
#include "gw_link.h"
#include "gw_outer.h"

#define GW_CTL_WORDS	16

/* Split line (changed in place) at blanks into w[0..max); returns the
 * number of words, or -1 if there are more than max. */
int gw_ctl_words(char *line, char **w, int max);

/*
 * circuit ID IN OUT SRC DST FLAGS RATE BURST EPOCH HOPKEY [EPOCH HOPKEY]:
 * IN and OUT "inner" or "outer" (ports[0], ports[1]), FLAGS remote,ctrl,
 * down (comma separated) or "-", a sound bucket (osm_bucket_sound),
 * epochs from 1 in two different slots, hop keys of 32 hex digits.
 * Returns 0 with *c, or -1 with one line in why (cap bytes) and *c wiped.
 */
int gw_ctl_circuit(char **w, int n, const uint32_t ports[2],
		   struct osm_circuit *c, char *why, size_t cap);

/* The link to the peer gateway, as a `peer` request gives it. */
struct gw_ctl_peer {
	struct gw_addr addr;		/* the peer's; mac: the next hop's */
	uint8_t self[GW_KEY_LEN];	/* this gateway's public key */
	uint8_t peer[GW_KEY_LEN];	/* the peer's */
	uint8_t P[GW_KEY_LEN];		/* the pair secret (protocol.md 11.1) */
	uint32_t epoch;			/* the pair key's, from 1 */
};

/*
 * peer ADDR:PORT NEXT-HOP-MAC SELF-PUB PEER-PUB PAIR-SECRET EPOCH: ADDR
 * of the family of this gateway's address (v6: IPv6), the keys and the
 * secret 64 hex digits each, the two keys different, EPOCH from 1.
 * Returns 0 with *c, or -1 with one line in why (cap bytes) and *c wiped.
 */
int gw_ctl_peer(char **w, int n, int v6, struct gw_ctl_peer *c, char *why,
		size_t cap);

#endif
