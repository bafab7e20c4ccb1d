// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The gateway's outer packets (gw_outer.h). */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "gw_outer.h"
#include "osm_proto.h"

/* RFC 1071: the ones' complement sum of p[0..n), folded, from sum. */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The IPv6 pseudo-header's sum (RFC 8200 8.1) and the upper layer's. */
static uint16_t sum6(const uint8_t *ip6, uint8_t next, const uint8_t *l4,
		     size_t n)
{
	uint32_t s = sum16(0, ip6 + 8, 32);	/* source, destination */

	s += (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff) + next;
	return fold(sum16(s, l4, n));
}

int gw_addr_parse(const char *s, struct gw_addr *a)
{
	char host[64];
	const char *colon;
	unsigned long port;
	char *end;

	if (s[0] == '[') {
		colon = strstr(s, "]:");
		if (!colon || (size_t)(colon - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(colon - s - 1));
		host[colon - s - 1] = '\0';
		colon++;
		a->v6 = 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		a->v6 = 0;
	}
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end || !port || port > 65535)
		return -1;
	memset(a->ip, 0, sizeof(a->ip));
	if (inet_pton(a->v6 ? AF_INET6 : AF_INET, host, a->ip) != 1)
		return -1;
	a->port = (uint16_t)port;
	return 0;
}

void gw_outer_write(uint8_t *p, const struct gw_addr *from,
		    const struct gw_addr *to, size_t len)
{
	uint8_t *ip = p + 14, *udp = p + gw_outer_hdr(to) - 8;

	memcpy(p, to->mac, 6);
	memcpy(p + 6, from->mac, 6);
	osm_put_be16(udp, from->port);
	osm_put_be16(udp + 2, to->port);
	osm_put_be16(udp + 4, (uint16_t)(8 + len));
	osm_put_be16(udp + 6, 0);
	if (to->v6) {
		uint16_t c;

		osm_put_be16(p + 12, 0x86dd);
		memset(ip, 0, 8);
		ip[0] = 0x60;
		osm_put_be16(ip + 4, (uint16_t)(8 + len));
		ip[6] = 17;				/* UDP */
		ip[7] = 64;
		memcpy(ip + 8, from->ip, 16);
		memcpy(ip + 24, to->ip, 16);
		c = sum6(ip, 17, udp, 8 + len);
		osm_put_be16(udp + 6, c ? c : 0xffff);	/* 0: none */
		return;
	}
	osm_put_be16(p + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	osm_put_be16(ip + 2, (uint16_t)(20 + 8 + len));
	osm_put_be16(ip + 6, 0x4000);		/* Don't Fragment */
	ip[8] = 64;
	ip[9] = 17;				/* UDP */
	memcpy(ip + 12, from->ip, 4);
	memcpy(ip + 16, to->ip, 4);
	osm_put_be16(ip + 10, fold(sum16(0, ip, 20)));
	/* no UDP checksum over IPv4: the AEAD covers the message */
}

static int arp_for(const uint8_t *p, size_t len, const struct gw_addr *self)
{
	const uint8_t *a = p + 14;

	return !self->v6 && len >= 42 && osm_get_be16(a) == 1 &&
	       osm_get_be16(a + 2) == 0x0800 && a[4] == 6 && a[5] == 4 &&
	       osm_get_be16(a + 6) == 1 && !memcmp(a + 24, self->ip, 4);
}

/* A neighbour solicitation for self's address (RFC 4861 7.1.1). */
static int ns_for(const uint8_t *ip, size_t plen, const struct gw_addr *self)
{
	const uint8_t *icmp = ip + 40;

	return plen >= 24 && ip[7] == 255 && icmp[0] == 135 && icmp[1] == 0 &&
	       !memcmp(icmp + 8, self->ip, 16) &&
	       sum6(ip, 58, icmp, plen) == 0;
}

static int parse4(const uint8_t *p, size_t len, const struct gw_addr *self,
		  struct gw_addr *from, size_t *plen)
{
	const uint8_t *ip = p + 14, *udp = ip + 20;
	size_t tot, ulen;

	if (self->v6)
		return GW_OUTER_OTHER;
	if (len < GW_OUTER_HDR4)
		return GW_OUTER_BAD;
	if (memcmp(ip + 16, self->ip, 4) || ip[9] != 17)
		return GW_OUTER_OTHER;
	tot = osm_get_be16(ip + 2);
	/* no options, no fragments, a length that fits, a good checksum */
	if (ip[0] != 0x45 || (osm_get_be16(ip + 6) & 0x3fff) ||
	    tot < 28 || 14 + tot > len || fold(sum16(0, ip, 20)) != 0)
		return GW_OUTER_BAD;
	ulen = osm_get_be16(udp + 4);
	if (ulen < 8 || 20 + ulen > tot)
		return GW_OUTER_BAD;
	memcpy(from->ip, ip + 12, 4);
	from->v6 = 0;
	*plen = ulen - 8;
	return GW_OUTER_MSG;
}

static int parse6(const uint8_t *p, size_t len, const struct gw_addr *self,
		  struct gw_addr *from, size_t *plen)
{
	const uint8_t *ip = p + 14, *udp = ip + 40;
	size_t pl, ulen;

	if (!self->v6)
		return GW_OUTER_OTHER;
	if (len < 14 + 40 || (ip[0] >> 4) != 6)
		return GW_OUTER_BAD;
	pl = osm_get_be16(ip + 4);
	if (14 + 40 + pl > len)
		return GW_OUTER_BAD;
	if (ip[6] == 58)
		return ns_for(ip, pl, self) ? GW_OUTER_ND : GW_OUTER_OTHER;
	if (ip[6] != 17 || memcmp(ip + 24, self->ip, 16))
		return GW_OUTER_OTHER;		/* extension headers too */
	if (pl < 8)
		return GW_OUTER_BAD;
	ulen = osm_get_be16(udp + 4);
	/* a UDP checksum is required over IPv6, and must hold */
	if (ulen < 8 || ulen > pl || !osm_get_be16(udp + 6) ||
	    sum6(ip, 17, udp, ulen) != 0)
		return GW_OUTER_BAD;
	memcpy(from->ip, ip + 8, 16);
	from->v6 = 1;
	*plen = ulen - 8;
	return GW_OUTER_MSG;
}

int gw_outer_parse(const uint8_t *p, size_t len, const struct gw_addr *self,
		   struct gw_addr *from, size_t *off, size_t *plen)
{
	int r;

	memset(from, 0, sizeof(*from));
	if (len < 14)
		return GW_OUTER_BAD;
	switch (osm_get_be16(p + 12)) {
	case 0x0806:
		return arp_for(p, len, self) ? GW_OUTER_ND : GW_OUTER_OTHER;
	case 0x0800:
		r = parse4(p, len, self, from, plen);
		break;
	case 0x86dd:
		r = parse6(p, len, self, from, plen);
		break;
	default:
		return GW_OUTER_OTHER;
	}
	if (r != GW_OUTER_MSG)
		return r;
	if (osm_get_be16(p + gw_outer_hdr(self) - 6) != self->port)
		return GW_OUTER_OTHER;
	memcpy(from->mac, p + 6, 6);
	from->port = osm_get_be16(p + gw_outer_hdr(self) - 8);
	*off = gw_outer_hdr(self);
	return GW_OUTER_MSG;
}

/* The neighbour advertisement answering the solicitation p (RFC 4861
 * 7.2.4): solicited, override, with our link-layer address. */
static size_t na_reply(uint8_t *p, const struct gw_addr *self)
{
	uint8_t *ip = p + 14, *icmp = ip + 40, src[16];
	static const uint8_t unspec[16];

	memcpy(p, p + 6, 6);
	memcpy(p + 6, self->mac, 6);
	memcpy(src, ip + 8, 16);
	if (!memcmp(src, unspec, 16)) {	/* to all nodes, ff02::1 */
		memset(src, 0, 16);
		src[0] = 0xff;
		src[1] = 0x02;
		src[15] = 1;
		memcpy(p, "\x33\x33\x00\x00\x00\x01", 6);
	}
	memcpy(ip + 24, src, 16);
	memcpy(ip + 8, self->ip, 16);
	osm_put_be16(ip + 4, 32);
	ip[7] = 255;
	memset(icmp, 0, 32);
	icmp[0] = 136;
	icmp[4] = 0x60;				/* solicited, override */
	memcpy(icmp + 8, self->ip, 16);
	icmp[24] = 2;				/* target link-layer address */
	icmp[25] = 1;
	memcpy(icmp + 26, self->mac, 6);
	osm_put_be16(icmp + 2, sum6(ip, 58, icmp, 32));
	return 14 + 40 + 32;
}

size_t gw_nd_reply(uint8_t *p, const struct gw_addr *self)
{
	uint8_t *a = p + 14, sha[6], spa[4];

	if (self->v6)
		return na_reply(p, self);
	memcpy(sha, a + 8, 6);
	memcpy(spa, a + 14, 4);
	memcpy(p, sha, 6);
	memcpy(p + 6, self->mac, 6);
	osm_put_be16(a + 6, 2);			/* reply */
	memcpy(a + 8, self->mac, 6);
	memcpy(a + 14, self->ip, 4);
	memcpy(a + 18, sha, 6);
	memcpy(a + 24, spa, 4);
	return 42;
}
