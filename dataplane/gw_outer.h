/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The gateway's outer packets on its wide-area port: Ethernet, IPv4 and
 * UDP around a gateway link message (docs/protocol.md 11.6), and ARP for
 * its own address. The next hop's MAC is given, not resolved. Pure byte
 * work, for osm-gw and its tests. */
#ifndef OSM_GW_OUTER_H
#define OSM_GW_OUTER_H

#include <stddef.h>
#include <stdint.h>

#define GW_OUTER_HDR	(14 + 20 + 8)	/* Ethernet, IPv4, UDP */

struct gw_addr {
	uint8_t mac[6];
	uint8_t ip[4];
	uint16_t port;
};

/* What an outer frame is. */
enum {
	GW_OUTER_MSG = 0,	/* a UDP datagram to us: a link message */
	GW_OUTER_ARP,		/* an ARP request for our address */
	GW_OUTER_OTHER,		/* not for us (counted, dropped) */
	GW_OUTER_BAD,		/* a malformed IPv4 or UDP header */
};

/* Write the Ethernet, IPv4 (DF, TTL 64) and UDP headers for a payload of
 * len bytes at p (the payload follows at p + GW_OUTER_HDR). */
void gw_outer_write(uint8_t *p, const struct gw_addr *from,
		    const struct gw_addr *to, size_t len);

/*
 * Classify the frame p[0..len) that arrived on the outer port of the
 * gateway self. GW_OUTER_MSG: the sender's address in *from, the
 * payload at p + *off, *plen bytes. GW_OUTER_ARP: gw_arp_reply answers.
 */
int gw_outer_parse(const uint8_t *p, size_t len, const struct gw_addr *self,
		   struct gw_addr *from, size_t *off, size_t *plen);

/* Turn the ARP request p (GW_OUTER_ARP) into our reply, in place;
 * returns its length (42). */
size_t gw_arp_reply(uint8_t *p, const struct gw_addr *self);

#endif
