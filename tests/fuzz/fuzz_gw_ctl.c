// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer: osm-gw's control requests (dataplane/gw_ctl.c), as any
 * client of its socket may send them: the words of a line, a circuit
 * from a `circuit` request, the link from a `peer` request. What is
 * accepted is a circuit osm-gw can install: an id, two different ports
 * of the two given, a sound bucket, key slots holding the epochs that
 * belong in them; or a link of the gateway's family (both tried), with
 * two different keys and an epoch from 1. What is refused says why and
 * leaves nothing (no secret) behind. */
#include <stdlib.h>
#include <string.h>
#include "gw_ctl.h"

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

static void peer(char **w, int n)
{
	struct gw_ctl_peer c;
	char why[160];
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		why[0] = '\0';
		if (gw_ctl_peer(w, n, v6, &c, why, sizeof(why))) {
			if (!why[0] || !all_zero(&c, sizeof(c)))
				abort();	/* said why, left nothing */
			continue;
		}
		if (c.addr.v6 != v6 || !c.addr.port || !c.epoch ||
		    !memcmp(c.self, c.peer, sizeof(c.self)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t ports[2] = { 3, 7 };
	char line[1024], *w[GW_CTL_WORDS], why[160];
	struct osm_circuit c;
	int n, i;

	if (size >= sizeof(line) || memchr(data, 0, size))
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	n = gw_ctl_words(line, w, GW_CTL_WORDS);
	if (n > GW_CTL_WORDS)
		abort();
	if (n >= 1 && !strcmp(w[0], "peer"))
		peer(w, n);
	if (n < 1 || strcmp(w[0], "circuit"))
		return 0;
	if (gw_ctl_circuit(w, n, ports, &c, why, sizeof(why))) {
		if (!why[0] || c.id)
			abort();	/* said why, left nothing */
		return 0;
	}
	if (!c.id || c.ingress_ifindex == c.egress_ifindex ||
	    (c.ingress_ifindex != 3 && c.ingress_ifindex != 7) ||
	    (c.egress_ifindex != 3 && c.egress_ifindex != 7) ||
	    !osm_bucket_sound(c.rate, c.burst) ||
	    (c.flags & ~(OSM_CF_REMOTE | OSM_CF_CTRL | OSM_CF_DOWN)))
		abort();
	for (i = 0; i < 2; i++)
		if (c.key[i].valid && (!c.key[i].epoch ||
				       osm_epoch_slot(c.key[i].epoch) !=
				       (unsigned int)i))
			abort();
	if (!c.key[0].valid && !c.key[1].valid)
		abort();
	return 0;
}
