/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The gateway's outer packets on its wide-area port: Ethernet, IPv4 or
 * IPv6, and UDP around a gateway link message (docs/protocol.md 11.6);
 * ARP (IPv4) and neighbour solicitations (IPv6) for its own address are
 * answered. The next hop's MAC is given, not resolved. Pure byte work,
 * for osm-gw and its tests. */
#ifndef OSM_GW_OUTER_H
#define OSM_GW_OUTER_H

#include <stddef.h>
#include <stdint.h>

#define GW_OUTER_HDR4	(14 + 20 + 8)	/* Ethernet, IPv4, UDP */
#define GW_OUTER_HDR6	(14 + 40 + 8)	/* Ethernet, IPv6, UDP */

struct gw_addr {
	uint8_t mac[6];
	uint8_t v6;			/* 0: IPv4 in ip[0..3] */
	uint8_t ip[16];
	uint16_t port;
};

/* The outer headers' length for a's family; their IP and UDP part (the
 * path MTU's share) is that less 14. */
static inline size_t gw_outer_hdr(const struct gw_addr *a)
{
	return a->v6 ? GW_OUTER_HDR6 : GW_OUTER_HDR4;
}

/* What an outer frame is. */
enum {
	GW_OUTER_MSG = 0,	/* a UDP datagram to us: a link message */
	GW_OUTER_ND,		/* ARP or a neighbour solicitation for us */
	GW_OUTER_OTHER,		/* not for us (counted, dropped) */
	GW_OUTER_BAD,		/* a malformed IP or UDP header */
};

/* "A.B.C.D:PORT" or "[IPV6]:PORT" into a (its mac untouched). 0 or -1. */
int gw_addr_parse(const char *s, struct gw_addr *a);

/* Write the Ethernet, IP (IPv4: DF, TTL 64; IPv6: hop limit 64) and UDP
 * headers (IPv6: with its checksum) for a payload of len bytes at p; the
 * payload follows at p + gw_outer_hdr(to). from and to: one family. */
void gw_outer_write(uint8_t *p, const struct gw_addr *from,
		    const struct gw_addr *to, size_t len);

/*
 * Classify the frame p[0..len) that arrived on the outer port of the
 * gateway self. GW_OUTER_MSG: the sender's address in *from, the
 * payload at p + *off, *plen bytes. GW_OUTER_ND: gw_nd_reply answers.
 */
int gw_outer_parse(const uint8_t *p, size_t len, const struct gw_addr *self,
		   struct gw_addr *from, size_t *off, size_t *plen);

/* Turn the ARP request or neighbour solicitation p (GW_OUTER_ND) into
 * our reply, in place; returns its length. */
size_t gw_nd_reply(uint8_t *p, const struct gw_addr *self);

#endif
