// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The gateway's outer packets (gw_outer.h). */
#include <string.h>
#include "gw_outer.h"
#include "osm_proto.h"

static uint16_t ip_sum(const uint8_t *h)	/* RFC 1071, 20 bytes */
{
	uint32_t s = 0;
	int i;

	for (i = 0; i < 20; i += 2)
		s += (uint32_t)h[i] << 8 | h[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

void gw_outer_write(uint8_t *p, const struct gw_addr *from,
		    const struct gw_addr *to, size_t len)
{
	uint8_t *ip = p + 14, *udp = p + 34;

	memcpy(p, to->mac, 6);
	memcpy(p + 6, from->mac, 6);
	osm_put_be16(p + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	osm_put_be16(ip + 2, (uint16_t)(20 + 8 + len));
	osm_put_be16(ip + 6, 0x4000);		/* Don't Fragment */
	ip[8] = 64;
	ip[9] = 17;				/* UDP */
	memcpy(ip + 12, from->ip, 4);
	memcpy(ip + 16, to->ip, 4);
	osm_put_be16(ip + 10, ip_sum(ip));
	osm_put_be16(udp, from->port);
	osm_put_be16(udp + 2, to->port);
	osm_put_be16(udp + 4, (uint16_t)(8 + len));
	osm_put_be16(udp + 6, 0);		/* no checksum (IPv4) */
}

static int arp_for(const uint8_t *p, size_t len, const struct gw_addr *self)
{
	const uint8_t *a = p + 14;

	return len >= 42 && osm_get_be16(a) == 1 &&
	       osm_get_be16(a + 2) == 0x0800 && a[4] == 6 && a[5] == 4 &&
	       osm_get_be16(a + 6) == 1 && !memcmp(a + 24, self->ip, 4);
}

int gw_outer_parse(const uint8_t *p, size_t len, const struct gw_addr *self,
		   struct gw_addr *from, size_t *off, size_t *plen)
{
	const uint8_t *ip = p + 14, *udp;
	size_t tot, ulen;

	if (len < 14)
		return GW_OUTER_BAD;
	switch (osm_get_be16(p + 12)) {
	case 0x0806:
		return arp_for(p, len, self) ? GW_OUTER_ARP : GW_OUTER_OTHER;
	case 0x0800:
		break;
	default:
		return GW_OUTER_OTHER;
	}
	if (len < GW_OUTER_HDR)
		return GW_OUTER_BAD;
	if (memcmp(ip + 16, self->ip, 4) || ip[9] != 17)
		return GW_OUTER_OTHER;
	tot = osm_get_be16(ip + 2);
	/* no options, no fragments, a length that fits, a good checksum */
	if (ip[0] != 0x45 || (osm_get_be16(ip + 6) & 0x3fff) ||
	    tot < 28 || 14 + tot > len || ip_sum(ip) != 0)
		return GW_OUTER_BAD;
	udp = ip + 20;
	ulen = osm_get_be16(udp + 4);
	if (ulen < 8 || 20 + ulen > tot)
		return GW_OUTER_BAD;
	if (osm_get_be16(udp + 2) != self->port)
		return GW_OUTER_OTHER;
	memcpy(from->mac, p + 6, 6);
	memcpy(from->ip, ip + 12, 4);
	from->port = osm_get_be16(udp);
	*off = GW_OUTER_HDR;
	*plen = ulen - 8;
	return GW_OUTER_MSG;
}

size_t gw_arp_reply(uint8_t *p, const struct gw_addr *self)
{
	uint8_t *a = p + 14, sha[6], spa[4];

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
