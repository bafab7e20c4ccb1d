// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer: a gateway's outer packets (docs/protocol.md 11), as the
 * wide-area link may deliver anything: INIT and RESP parsed and checked
 * under a pair key, a RESP taken against a handshake under way, WAKE,
 * and DATA opened by a session. Nothing is accepted that the pair did
 * not make: a fuzzer cannot forge a MAC or a Poly1305 tag, so any
 * acceptance is a fault (abort). */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "gw_link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t K[GW_KEY_LEN], init[GW_INIT_LEN];
	static struct gw_pending pw;
	static struct gw_session s;
	static int ready;
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
		ready = 1;
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
