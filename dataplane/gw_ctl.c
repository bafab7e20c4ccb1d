// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-gw's control requests, parsed (gw_ctl.h). */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "gw_ctl.h"
#include "osm_arg.h"
#include "osm_hex.h"

int gw_ctl_words(char *line, char **w, int max)
{
	char *save, *t;
	int n = 0;

	for (t = strtok_r(line, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return -1;
		w[n++] = t;
	}
	return n;
}

static int port_of(const char *s, const uint32_t ports[2], uint32_t *port)
{
	if (!strcmp(s, "inner"))
		*port = ports[0];
	else if (!strcmp(s, "outer"))
		*port = ports[1];
	else
		return -1;
	return 0;
}

static int flags_of(const char *s, uint32_t *flags)
{
	char buf[64], *t, *save;

	*flags = 0;
	if (!strcmp(s, "-"))
		return 0;
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "remote"))
			*flags |= OSM_CF_REMOTE;
		else if (!strcmp(t, "ctrl"))
			*flags |= OSM_CF_CTRL;
		else if (!strcmp(t, "down"))
			*flags |= OSM_CF_DOWN;
		else
			return -1;
	}
	return 0;
}

/* A request parsed into obj (len bytes), or refused with msg: then obj
 * is wiped (a half-read key goes too) and msg is the one line in why. */
static int done(void *obj, size_t len, const char *msg, char *why,
		size_t cap)
{
	if (!msg)
		return 0;
	sodium_memzero(obj, len);
	snprintf(why, cap, "%s", msg);
	return -1;
}

static const char *circuit(char **w, int n, const uint32_t ports[2],
			   struct osm_circuit *c)
{
	uint64_t v, burst;
	int i;

	memset(c, 0, sizeof(*c));
	if (n != 11 && n != 13)
		return "circuit ID IN OUT SRC DST FLAGS RATE BURST EPOCH "
		       "HOPKEY [EPOCH HOPKEY]";
	if (osm_arg_u64(w[1], UINT32_MAX, &v) || !v)
		return "bad circuit id";
	c->id = (uint32_t)v;
	if (port_of(w[2], ports, &c->ingress_ifindex) ||
	    port_of(w[3], ports, &c->egress_ifindex) ||
	    c->ingress_ifindex == c->egress_ifindex)
		return "IN and OUT: inner, outer";
	if (osm_mac_parse(w[4], c->src_mac) || osm_mac_parse(w[5], c->dst_mac))
		return "bad MAC address";
	if (flags_of(w[6], &c->flags))
		return "FLAGS: remote,ctrl,down or -";
	if (osm_arg_u64(w[7], UINT64_MAX, &v) ||
	    osm_arg_u64(w[8], UINT64_MAX, &burst) ||
	    !osm_bucket_sound(v, burst))
		return "bad RATE BURST";
	c->rate = v;
	c->burst = burst;
	for (i = 9; i + 1 < n; i += 2) {
		struct osm_key_slot *k;

		if (osm_arg_u64(w[i], UINT32_MAX, &v) || !v)
			return "bad epoch";
		k = &c->key[osm_epoch_slot((uint32_t)v)];
		if (k->valid)
			return "two epochs in one key slot (one even, one "
			       "odd)";
		k->epoch = (uint32_t)v;
		k->valid = 1;
		if (osm_hex_parse(w[i + 1], k->hop_key, sizeof(k->hop_key)) !=
		    (int)sizeof(k->hop_key))
			return "bad hop key";
	}
	return NULL;
}

int gw_ctl_circuit(char **w, int n, const uint32_t ports[2],
		   struct osm_circuit *c, char *why, size_t cap)
{
	return done(c, sizeof(*c), circuit(w, n, ports, c), why, cap);
}

static int key_of(const char *s, uint8_t k[GW_KEY_LEN])
{
	return osm_hex_parse(s, k, GW_KEY_LEN) == GW_KEY_LEN ? 0 : -1;
}

static const char *peer(char **w, int n, int v6, struct gw_ctl_peer *c)
{
	uint64_t v;

	memset(c, 0, sizeof(*c));
	if (n != 7)
		return "peer ADDR:PORT NEXT-HOP-MAC SELF-PUB PEER-PUB "
		       "PAIR-SECRET EPOCH";
	if (gw_addr_parse(w[1], &c->addr))
		return "bad ADDR:PORT (A.B.C.D:PORT or [IPV6]:PORT)";
	if (c->addr.v6 != !!v6)
		return v6 ? "ADDR: IPv6, as --address" :
			    "ADDR: IPv4, as --address";
	if (osm_mac_parse(w[2], c->addr.mac))
		return "bad NEXT-HOP-MAC";
	if (key_of(w[3], c->self) || key_of(w[4], c->peer))
		return "bad public key (64 hex digits)";
	if (!memcmp(c->self, c->peer, GW_KEY_LEN))
		return "SELF-PUB and PEER-PUB are equal";
	if (key_of(w[5], c->P))
		return "bad PAIR-SECRET (64 hex digits)";
	if (osm_arg_u64(w[6], UINT32_MAX, &v) || !v)
		return "bad EPOCH (from 1)";
	c->epoch = (uint32_t)v;
	return NULL;
}

int gw_ctl_peer(char **w, int n, int v6, struct gw_ctl_peer *c, char *why,
		size_t cap)
{
	return done(c, sizeof(*c), peer(w, n, v6, c), why, cap);
}
