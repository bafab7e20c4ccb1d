// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* AF_PACKET I/O across a real veth pair (run by packet.sh inside its own
 * network namespace): a sealed frame goes out of one end and opens at the
 * other; errors for a missing interface and a timeout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>
#include "osm_endpoint.h"
#include "osm_packet.h"

static const char *ifa, *ifb;

static void frame_across_veth(void **state)
{
	uint8_t mac_a[6], mac_b[6], frame[256], buf[2048], out[256];
	struct osm_tx tx = { .circuit = 77, .type = OSM_T_DATA };
	struct osm_rx rx = { .circuit = 77 };
	struct osm_frame f;
	size_t olen;
	int a, b, n, got, tries;

	(void)state;
	a = osm_pkt_open(ifa, 0, mac_a);
	b = osm_pkt_open(ifb, 0, mac_b);
	assert_true(a >= 0 && b >= 0);
	memcpy(tx.src, mac_a, 6);
	memcpy(tx.dst, mac_b, 6);
	tx.keys.epoch = 1;
	randombytes_buf(tx.keys.hop, sizeof(tx.keys.hop));
	randombytes_buf(tx.keys.e2e, sizeof(tx.keys.e2e));
	osm_rx_set_keys(&rx, &tx.keys);
	n = osm_seal(&tx, "over the wire", 13, frame, sizeof(frame));
	assert_int_equal(osm_pkt_send(a, frame, (size_t)n), 0);
	/* Only 0x88B5 frames reach the socket; the kernel's own traffic
	 * (IPv6 is off on these links anyway) would be filtered out. */
	for (tries = 0; tries < 5; tries++) {
		got = osm_pkt_recv(b, buf, sizeof(buf), 1000);
		if (got != 0)
			break;
	}
	assert_int_equal(got, n);
	assert_memory_equal(buf, frame, (size_t)n);
	assert_int_equal(osm_open(&rx, buf, (size_t)got, &f, out, sizeof(out),
				  &olen), OSM_OK);
	assert_memory_equal(out, "over the wire", 13);
	/* Nothing else is waiting: a timeout returns 0. */
	assert_int_equal(osm_pkt_recv(b, buf, sizeof(buf), 50), 0);
	/* A frame larger than the buffer is reported, not cut silently. */
	assert_int_equal(osm_pkt_send(a, frame, (size_t)n), 0);
	assert_int_equal(osm_pkt_recv(b, buf, 20, 1000), -EMSGSIZE);
	close(a);
	close(b);
}

static void errors(void **state)
{
	(void)state;
	assert_int_equal(osm_pkt_open("osm-no-such-if", 0, NULL), -ENODEV);
	assert_int_equal(osm_pkt_open("an-interface-name-far-too-long", 0,
				      NULL), -ENODEV);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frame_across_veth),
		cmocka_unit_test(errors),
	};

	if (argc != 3 || sodium_init() < 0)
		return 2;
	ifa = argv[1];
	ifb = argv[2];
	return cmocka_run_group_tests_name("packet", tests, NULL, NULL);
}
