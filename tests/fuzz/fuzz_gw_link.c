// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer: a gateway's outer frames (docs/protocol.md 11), as the
 * wide-area link may deliver anything: the Ethernet, IPv4, IPv6 and UDP
 * parse (and the ARP or NA reply it may make), then the message: INIT
 * and RESP parsed and checked under a pair key, a RESP taken against a
 * handshake under way, WAKE, DATA opened by a session, and the whole
 * through a peer's state machine. Nothing is accepted that the pair did
 * not make: a fuzzer cannot forge a MAC or a Poly1305 tag, so any
 * acceptance is a fault (abort). */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "gw_outer.h"
#include "gw_peer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t K[GW_KEY_LEN], init[GW_INIT_LEN];
	static struct gw_pending pw;
	static struct gw_session s;
	static struct gw_peer peer;
	static struct gw_addr self4 = { .ip = { 10, 99, 0, 1 }, .port = 5555 },
		self6 = { .v6 = 1, .ip = { 0xfd, 0, 0, 0x99, [15] = 1 },
			  .port = 5555 };
	static int ready;
	static uint8_t frame[4096];
	uint8_t reply[GW_RESP_LEN], s2k[GW_KEY_LEN], S1[GW_KEY_LEN],
		S2[GW_KEY_LEN];
	struct gw_addr from;
	size_t off, plen, rlen, ilen;
	int k, t;
	struct gw_session s2;
	struct gw_hello h;
	uint8_t out[2048];
	uint32_t epoch, index;
	uint64_t time;
	size_t n;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		randombytes_buf(K, sizeof(K));
		randombytes_buf(s.rx, sizeof(s.rx));
		gw_init_make(init, &pw, K, 1, 7, 1, NULL);
		randombytes_buf(s2k, sizeof(s2k));
		crypto_scalarmult_base(S1, s2k);
		randombytes_buf(s2k, sizeof(s2k));
		crypto_scalarmult_base(S2, s2k);
		if (gw_peer_init(&peer, s2k, S2, S1, 1))
			abort();
		ready = 1;
	}
	if (size > sizeof(frame))
		return 0;
	for (k = 0; k < 2; k++) {	/* the outer frame, both families */
		const struct gw_addr *self = k ? &self6 : &self4;

		memcpy(frame, data, size);
		t = gw_outer_parse(frame, size, self, &from, &off, &plen);
		if (t == GW_OUTER_ND)
			gw_nd_reply(frame, self);
		if (t == GW_OUTER_MSG) {
			if (off + plen > size)
				abort();
			if (gw_peer_rx(&peer, frame + off, plen, 1, reply,
				       &rlen, &ilen) == 1)
				abort();
		}
	}
	if (gw_parse_hello(data, size, &h) == GW_OK) {
		if (h.type == GW_T_INIT && gw_init_check(data, K) == GW_OK)
			abort();
		if (h.type == GW_T_RESP &&
		    gw_resp_take(data, &h, &(struct gw_pending){ pw.local,
				 pw.epoch, { 0 }, { 0 } }, K, &s2, 0) == GW_OK)
			abort();
	}
	if (gw_wake_parse(data, size, &epoch, &time) == GW_OK &&
	    gw_wake_check(data, K) == GW_OK)
		abort();
	if (gw_data_index(data, size, &index) == GW_OK &&
	    gw_data_open(&s, data, size, out, sizeof(out), &n) == GW_OK)
		abort();
	return 0;
}
