// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The header's SipHash-2-4 equals libsodium crypto_shorthash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>
#include "osm_proto.h"

static osm_u64 sodium_siphash(const osm_u8 *in, size_t len, const osm_u8 *k)
{
	osm_u8 out[8];

	crypto_shorthash(out, in, len, k);
	return osm_get_le64(out);
}

/* The reference inputs of the SipHash paper: key 00..0f, message
 * 00..len-1. Two outputs are quoted from the paper and its vectors.h. */
static void reference_vectors(void **state)
{
	osm_u8 key[16], msg[64];
	size_t len;

	(void)state;
	for (len = 0; len < 16; len++)
		key[len] = (osm_u8)len;
	for (len = 0; len < 64; len++)
		msg[len] = (osm_u8)len;
	assert_true(osm_siphash24(msg, 0, key) == 0x726fdb47dd0e0e31ULL);
	assert_true(osm_siphash24(msg, 15, key) == 0xa129ca6149be45e5ULL);
	for (len = 0; len < 64; len++)
		assert_true(osm_siphash24(msg, (osm_u32)len, key) ==
			    sodium_siphash(msg, len, key));
}

/* 10,000 random (key, message) pairs for every length 0..64. */
static void random_pairs(void **state)
{
	osm_u8 key[16], msg[64];
	unsigned int len, i;

	(void)state;
	for (len = 0; len <= 64; len++) {
		for (i = 0; i < 10000; i++) {
			randombytes_buf(key, sizeof(key));
			randombytes_buf(msg, len);
			if (osm_siphash24(msg, len, key) !=
			    sodium_siphash(msg, len, key))
				fail_msg("mismatch at length %u", len);
		}
	}
}

/* The hop tag helper hashes exactly header bytes 0..35. */
static void hop_tag_span(void **state)
{
	osm_u8 key[16], hdr[OSM_HDR_LEN];
	osm_u64 t;

	(void)state;
	randombytes_buf(key, sizeof(key));
	randombytes_buf(hdr, sizeof(hdr));
	t = osm_hop_tag(hdr, key);
	assert_true(t == sodium_siphash(hdr, OSM_HOP_INPUT_LEN, key));
	hdr[OSM_OFF_HOP_TAG] ^= 1;	/* outside the span: no change */
	assert_true(t == osm_hop_tag(hdr, key));
	hdr[OSM_OFF_AEAD_TAG + 15] ^= 1;	/* inside: changes */
	assert_true(t != osm_hop_tag(hdr, key));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reference_vectors),
		cmocka_unit_test(random_pairs),
		cmocka_unit_test(hop_tag_span),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("siphash", tests, NULL, NULL);
}
