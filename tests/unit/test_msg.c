// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Control messages and hex/MAC text: round trips, and every malformed
 * form refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "osm_hex.h"
#include "osm_msg.h"

static struct osm_msg samples[4];

static int setup(void **state)
{
	(void)state;
	memset(samples, 0, sizeof(samples));
	samples[0].type = OSM_MSG_HELLO;
	samples[0].u.hello.device_id = 0x3fffffff;
	samples[0].u.hello.role = OSM_ROLE_DOOR;
	samples[0].u.hello.fw_version = 9;
	samples[1].type = OSM_MSG_KEY_UPDATE;
	samples[1].u.key.circuit = 0x80000003;
	samples[1].u.key.epoch = 0xfffffffe;
	samples[1].u.key.op = OSM_KEY_TX;
	memset(samples[1].u.key.hop, 0xa5, OSM_HOP_KEY_LEN);
	memset(samples[1].u.key.e2e, 0x5a, OSM_E2E_KEY_LEN);
	samples[2].type = OSM_MSG_PRESENCE;
	samples[2].u.presence.event = OSM_PRESENCE_LEAVE;
	samples[2].u.presence.badge_len = OSM_BADGE_MAX;
	memset(samples[2].u.presence.badge, 'q', OSM_BADGE_MAX);
	samples[3].type = OSM_MSG_ACK;
	samples[3].u.ack.seq = 0xfedcba9876543210ULL;
	samples[3].u.ack.status = OSM_DROP_BAD_AEAD;
	return 0;
}

static void round_trips(void **state)
{
	uint8_t buf[128], again[128];
	struct osm_msg m;
	int i, n;

	(void)state;
	for (i = 0; i < 4; i++) {
		n = osm_msg_encode(&samples[i], buf, sizeof(buf));
		assert_true(n > OSM_MSG_HDR_LEN);
		assert_int_equal(osm_msg_decode(&m, buf, (size_t)n), 0);
		assert_memory_equal(&m, &samples[i], sizeof(m));
		assert_int_equal(osm_msg_encode(&m, again, sizeof(again)), n);
		assert_memory_equal(buf, again, (size_t)n);
		/* It does not fit one byte shorter. */
		assert_int_equal(osm_msg_encode(&m, again, (size_t)n - 1),
				 -EMSGSIZE);
	}
}

static void every_truncation_and_extension(void **state)
{
	uint8_t buf[128];
	struct osm_msg m;
	int i, n, cut;

	(void)state;
	for (i = 0; i < 4; i++) {
		n = osm_msg_encode(&samples[i], buf, sizeof(buf));
		for (cut = 0; cut < n; cut++) {
			uint8_t *copy = malloc((size_t)cut + 1);

			memcpy(copy, buf, (size_t)cut);
			assert_int_equal(osm_msg_decode(&m, copy, (size_t)cut),
					 -EINVAL);
			free(copy);
		}
		buf[n] = 0;
		assert_int_equal(osm_msg_decode(&m, buf, (size_t)n + 1),
				 -EINVAL);
	}
}

static void malformed(void **state)
{
	uint8_t buf[128];
	struct osm_msg m;
	int n;

	(void)state;
	/* Reserved header byte. */
	n = osm_msg_encode(&samples[0], buf, sizeof(buf));
	buf[1] = 1;
	assert_int_equal(osm_msg_decode(&m, buf, (size_t)n), -EINVAL);
	/* Unknown type. */
	buf[1] = 0;
	buf[0] = 5;
	assert_int_equal(osm_msg_decode(&m, buf, (size_t)n), -EINVAL);
	buf[0] = 0;
	assert_int_equal(osm_msg_decode(&m, buf, (size_t)n), -EINVAL);
	/* HELLO reserved bytes and device id range. */
	n = osm_msg_encode(&samples[0], buf, sizeof(buf));
	buf[4 + 7] = 1;
	assert_int_equal(osm_msg_decode(&m, buf, (size_t)n), -EINVAL);
	buf[4 + 7] = 0;
	buf[4] = 0x40;
	assert_int_equal(osm_msg_decode(&m, buf, (size_t)n), -EINVAL);
	/* KEY_UPDATE: bad op, reserved bytes, REMOVE carrying keys. */
	n = osm_msg_encode(&samples[1], buf, sizeof(buf));
	buf[4 + 8] = 0;
	assert_int_equal(osm_msg_decode(&m, buf, (size_t)n), -EINVAL);
	buf[4 + 8] = 4;
	assert_int_equal(osm_msg_decode(&m, buf, (size_t)n), -EINVAL);
	buf[4 + 8] = OSM_KEY_REMOVE;
	assert_int_equal(osm_msg_decode(&m, buf, (size_t)n), -EINVAL);
	memset(buf + 4 + 12, 0, 48);
	assert_int_equal(osm_msg_decode(&m, buf, (size_t)n), 0);
	buf[4 + 10] = 1;
	assert_int_equal(osm_msg_decode(&m, buf, (size_t)n), -EINVAL);
	/* PRESENCE: event, badge length mismatch, empty badge. */
	n = osm_msg_encode(&samples[2], buf, sizeof(buf));
	buf[4] = 3;
	assert_int_equal(osm_msg_decode(&m, buf, (size_t)n), -EINVAL);
	buf[4] = OSM_PRESENCE_ENTER;
	buf[5] = OSM_BADGE_MAX - 1;
	assert_int_equal(osm_msg_decode(&m, buf, (size_t)n), -EINVAL);
	buf[0] = OSM_MSG_PRESENCE; buf[1] = 0; buf[2] = 0; buf[3] = 2;
	buf[4] = OSM_PRESENCE_ENTER; buf[5] = 0;
	assert_int_equal(osm_msg_decode(&m, buf, 6), -EINVAL);
	/* ACK reserved bytes. */
	n = osm_msg_encode(&samples[3], buf, sizeof(buf));
	buf[n - 1] = 1;
	assert_int_equal(osm_msg_decode(&m, buf, (size_t)n), -EINVAL);
}

static void encode_refuses(void **state)
{
	uint8_t buf[128];
	struct osm_msg m;

	(void)state;
	m = samples[0];
	m.type = 9;
	assert_int_equal(osm_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
	m = samples[0];
	m.u.hello.device_id = 0x40000000;
	assert_int_equal(osm_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
	m = samples[1];
	m.u.key.op = 0;
	assert_int_equal(osm_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
	m = samples[2];
	m.u.presence.badge_len = 0;
	assert_int_equal(osm_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
	m.u.presence.badge_len = OSM_BADGE_MAX + 1;
	assert_int_equal(osm_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
	m = samples[2];
	m.u.presence.event = 0;
	assert_int_equal(osm_msg_encode(&m, buf, sizeof(buf)), -EINVAL);
}

static void hex_and_mac(void **state)
{
	uint8_t b[8], mac[6];
	char s[32];

	(void)state;
	assert_int_equal(osm_hex_parse("00 01:fF\n10", b, sizeof(b)), 4);
	assert_memory_equal(b, "\x00\x01\xff\x10", 4);
	osm_hex_format(s, b, 4);
	assert_string_equal(s, "0001ff10");
	assert_int_equal(osm_hex_parse("abc", b, sizeof(b)), -EINVAL);
	assert_int_equal(osm_hex_parse("zz", b, sizeof(b)), -EINVAL);
	assert_int_equal(osm_hex_parse("00112233445566778899", b, 8),
			 -EMSGSIZE);
	assert_int_equal(osm_hex_parse("", b, sizeof(b)), 0);
	assert_int_equal(osm_mac_parse("02:00:0a:ff:10:01", mac), 0);
	osm_mac_format(s, mac);
	assert_string_equal(s, "02:00:0a:ff:10:01");
	assert_int_equal(osm_mac_parse("02:00:0a:ff:10", mac), -EINVAL);
	assert_int_equal(osm_mac_parse("02:00:0a:ff:10:01:", mac), -EINVAL);
	assert_int_equal(osm_mac_parse("02:00:0a:ff:10:0g", mac), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(round_trips, setup),
		cmocka_unit_test_setup(every_truncation_and_extension, setup),
		cmocka_unit_test_setup(malformed, setup),
		cmocka_unit_test_setup(encode_refuses, setup),
		cmocka_unit_test(hex_and_mac),
	};

	return cmocka_run_group_tests_name("msg", tests, NULL, NULL);
}
