// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer: any bytes as a received frame, through the parser, the switch
 * decision and the endpoint's open, with the circuit of the data-frame
 * example of docs/protocol.md installed so valid frames reach every check. */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "osm_endpoint.h"
#include "osm_keys.h"

static struct osm_keys keys;
static struct osm_circuit circ;

static void init(void)
{
	uint8_t session[32];
	int i;

	if (sodium_init() < 0)
		abort();
	for (i = 0; i < 32; i++)
		session[i] = (uint8_t)(0x40 + i);
	osm_kdf_circuit(&keys, session, 0x101, 3);
	circ.id = 0x101;
	circ.ingress_ifindex = 1;
	memcpy(circ.src_mac, "\x02\x00\x00\x00\x01\x01", 6);
	circ.key[1].epoch = 3;
	circ.key[1].valid = 1;
	memcpy(circ.key[1].hop_key, keys.hop, OSM_HOP_KEY_LEN);
	circ.rate = 100000;
	circ.burst = 3000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	static uint8_t out[OSM_MAX_PAYLOAD];
	struct osm_circuit_state st = { 0 };
	struct osm_rx rx = { .circuit = 0x101 };
	struct osm_frame f;
	uint8_t tag[8];
	size_t olen = 0;
	int p, d, o;

	if (!ready) {
		init();
		ready = 1;
	}
	p = osm_parse(data, (osm_u32)size, &f);
	d = p;
	if (p == OSM_OK) {
		if (f.len > size - OSM_FRAME_HDR_LEN)
			abort();	/* parse promised the payload is there */
		d = osm_decide(&f, f.circuit == circ.id ? &circ : NULL,
			       f.circuit == circ.id ? &st : NULL, 1, 1, 1);
	}
	if (d == OSM_OK) {
		/* Forwarded: the hop tag must really verify. */
		crypto_shorthash(tag, f.hdr, OSM_HOP_INPUT_LEN, keys.hop);
		if (memcmp(tag, f.hdr + OSM_OFF_HOP_TAG, 8) != 0)
			abort();
	}
	osm_rx_set_keys(&rx, &keys);
	o = osm_open(&rx, data, size, &f, out, sizeof(out), &olen);
	if (o == OSM_OK && (d == OSM_DROP_BAD_TAG || d == OSM_DROP_VERSION ||
			    d == OSM_DROP_MALFORMED || olen != f.len))
		abort();	/* endpoint and switch disagree on the header */
	return 0;
}
