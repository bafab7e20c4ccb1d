// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The firmware's crypto and frame code, built for the host, against
 * libsodium and the host library: SipHash-2-4 and ChaCha20-Poly1305 on
 * 10,000 random inputs each, and frames sealed on one side opened on the
 * other, with the rejections of docs/protocol.md. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sodium.h>
#include "osm_endpoint.h"
#include "osm_keys.h"
#include "chachapoly.h"
#include "circuit.h"
#include "osm_provision.h"

#define ROUNDS 10000

static void siphash_vs_libsodium(void **state)
{
	uint8_t key[16], in[300], want[8];
	int i;

	(void)state;
	for (i = 0; i < ROUNDS; i++) {
		uint32_t len = randombytes_uniform(sizeof(in) + 1);

		randombytes_buf(key, sizeof(key));
		randombytes_buf(in, len);
		crypto_shorthash(want, in, len, key);
		assert_true(osm_get_le64(want) == fw_siphash(in, len, key));
	}
}

static void aead_vs_libsodium(void **state)
{
	uint8_t key[32], nonce[12], ad[64], pt[400], ct[400], buf[400];
	uint8_t tag[16], want_tag[16];
	int i;

	(void)state;
	for (i = 0; i < ROUNDS; i++) {
		uint32_t len = randombytes_uniform(sizeof(pt) + 1);
		uint32_t adlen = randombytes_uniform(sizeof(ad) + 1);
		uint32_t bit;

		randombytes_buf(key, sizeof(key));
		randombytes_buf(nonce, sizeof(nonce));
		randombytes_buf(ad, adlen);
		randombytes_buf(pt, len);
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(
			ct, want_tag, NULL, pt, len, ad, adlen, NULL, nonce,
			key);
		memcpy(buf, pt, len);
		fw_aead_seal(buf, len, tag, ad, adlen, nonce, key);
		assert_memory_equal(tag, want_tag, 16);
		if (len)
			assert_memory_equal(buf, ct, len);
		/* libsodium's output opens on the firmware */
		assert_int_equal(fw_aead_open(buf, len, want_tag, ad, adlen,
					      nonce, key), 0);
		if (len)
			assert_memory_equal(buf, pt, len);
		/* one flipped bit anywhere fails, leaving the buffer as is */
		memcpy(buf, ct, len);
		bit = randombytes_uniform((16 + len + adlen) * 8);
		if (bit < 128)
			tag[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		else if (bit < 128 + len * 8)
			buf[(bit - 128) / 8] ^= (uint8_t)(1u << (bit % 8));
		else
			ad[(bit - 128 - len * 8) / 8] ^=
				(uint8_t)(1u << (bit % 8));
		memcpy(pt, buf, len);
		assert_int_equal(fw_aead_open(buf, len, tag, ad, adlen, nonce,
					      key), -1);
		if (len)
			assert_memory_equal(buf, pt, len);
	}
}

/* A circuit's keys on both sides: host osm_tx/osm_rx, firmware fw_*. */
struct both {
	struct osm_tx htx;
	struct osm_rx hrx;
	struct fw_tx ftx;
	struct fw_rx frx;
};

static void both_init(struct both *b, uint32_t circuit, uint32_t epoch)
{
	uint8_t parent[32];
	struct osm_keys k;

	memset(b, 0, sizeof(*b));
	randombytes_buf(parent, sizeof(parent));
	osm_kdf_circuit(&k, parent, circuit, epoch);
	b->htx.circuit = circuit;
	b->htx.type = OSM_T_DATA;
	memcpy(b->htx.dst, "\x52\x54\x00\x00\x00\x07", 6);
	memcpy(b->htx.src, "\x02\x00\x00\x00\x00\x01", 6);
	b->htx.keys = k;
	b->hrx.circuit = circuit;
	osm_rx_set_keys(&b->hrx, &k);
	b->ftx.circuit = circuit;
	b->ftx.used = 1;
	b->ftx.type = OSM_T_DATA;
	memcpy(b->ftx.dst, b->htx.src, 6);
	fw_key_set(&b->ftx.key, epoch, k.hop, k.e2e);
	b->frx.circuit = circuit;
	b->frx.used = 1;
	fw_rx_set_key(&b->frx, epoch, k.hop, k.e2e);
}

static void fw_seal_host_open(void **state)
{
	struct both b;
	uint8_t frame[OSM_FRAME_HDR_LEN + 200], pt[200], out[200];
	struct osm_frame f;
	size_t out_len;
	int i;

	(void)state;
	both_init(&b, 42, 3);
	for (i = 0; i < 1000; i++) {
		uint16_t len = (uint16_t)randombytes_uniform(sizeof(pt) + 1);
		uint32_t n;

		randombytes_buf(pt, len);
		memcpy(frame + OSM_FRAME_HDR_LEN, pt, len);
		n = fw_seal(&b.ftx, b.htx.dst, frame, len);
		assert_int_equal(n, OSM_FRAME_HDR_LEN + len);
		assert_int_equal(osm_open(&b.hrx, frame, n, &f, out,
					  sizeof(out), &out_len), OSM_OK);
		assert_int_equal(out_len, len);
		assert_int_equal(f.seq, (uint64_t)i);
		assert_int_equal(f.epoch, 3);
		if (len)
			assert_memory_equal(out, pt, len);
		/* the same frame again is a replay for the host */
		assert_int_equal(osm_open(&b.hrx, frame, n, &f, out,
					  sizeof(out), &out_len),
				 OSM_DROP_REPLAY);
	}
}

static void host_seal_fw_open(void **state)
{
	struct both b;
	uint8_t frame[OSM_FRAME_HDR_LEN + 200], copy[sizeof(frame)], pt[200];
	struct osm_frame f;
	struct fw_rx *which;
	int i, n;

	(void)state;
	both_init(&b, 77, 4);
	for (i = 0; i < 1000; i++) {
		uint16_t len = (uint16_t)randombytes_uniform(sizeof(pt) + 1);

		randombytes_buf(pt, len);
		n = osm_seal(&b.htx, pt, len, frame, sizeof(frame));
		assert_int_equal(n, OSM_FRAME_HDR_LEN + len);
		memcpy(copy, frame, (size_t)n);
		assert_int_equal(fw_open(&b.frx, 1, frame, (uint32_t)n, &f,
					 &which), OSM_OK);
		assert_ptr_equal(which, &b.frx);
		assert_int_equal(f.len, len);
		if (len)
			assert_memory_equal(frame + OSM_FRAME_HDR_LEN, pt, len);
		assert_int_equal(fw_open(&b.frx, 1, copy, (uint32_t)n, &f,
					 &which), OSM_DROP_REPLAY);
	}
}

/* Each rejection of fw_open, in the order the endpoint checks. */
static void fw_open_rejects(void **state)
{
	struct both b;
	uint8_t frame[OSM_FRAME_HDR_LEN + 16], pt[16] = "level 42";
	struct osm_frame f;
	struct fw_rx *which;
	struct osm_keys k;
	int n;

	(void)state;
	both_init(&b, 9, 1);
	n = osm_seal(&b.htx, pt, 8, frame, sizeof(frame));
	assert_int_equal(fw_open(&b.frx, 1, frame, OSM_FRAME_HDR_LEN - 1, &f,
				 &which), OSM_DROP_MALFORMED);
	assert_int_equal(fw_open(&b.frx, 1, frame, (uint32_t)n - 1, &f,
				 &which), OSM_DROP_MALFORMED);
	b.frx.circuit = 10;
	assert_int_equal(fw_open(&b.frx, 1, frame, (uint32_t)n, &f, &which),
			 OSM_DROP_UNKNOWN);
	b.frx.circuit = 9;
	frame[OSM_FRAME_HDR_LEN - 1] ^= 1;	/* hop tag */
	assert_int_equal(fw_open(&b.frx, 1, frame, (uint32_t)n, &f, &which),
			 OSM_DROP_BAD_TAG);
	frame[OSM_FRAME_HDR_LEN - 1] ^= 1;
	frame[OSM_FRAME_HDR_LEN] ^= 1;		/* ciphertext: hop tag ok */
	assert_int_equal(fw_open(&b.frx, 1, frame, (uint32_t)n, &f, &which),
			 OSM_DROP_BAD_AEAD);
	frame[OSM_FRAME_HDR_LEN] ^= 1;
	assert_int_equal(fw_open(&b.frx, 1, frame, (uint32_t)n, &f, &which),
			 OSM_OK);
	/* rotated away: epoch 3 replaces epoch 1 in slot 1 */
	osm_kdf_circuit(&k, (const uint8_t *)"0123456789abcdef0123456789abcdef",
			9, 3);
	fw_rx_set_key(&b.frx, 3, k.hop, k.e2e);
	n = osm_seal(&b.htx, pt, 8, frame, sizeof(frame));
	assert_int_equal(fw_open(&b.frx, 1, frame, (uint32_t)n, &f, &which),
			 OSM_DROP_STALE_EPOCH);
}

/* The blob the firmware reads is what osm_fw_blob_build writes. */
static void blob_layout(void **state)
{
	struct osm_fw_params p = { .device_id = 7, .role = OSM_ROLE_LAMP,
				   .ctrl_epoch = 5 };
	struct osm_fw_blob b;
	struct osm_keys k;

	(void)state;
	randombytes_buf(p.device_key, sizeof(p.device_key));
	assert_int_equal(osm_fw_blob_build(&b, &p), 0);
	assert_memory_equal(b.magic, "OSMB", 4);
	assert_int_equal(osm_get_be32(b.ctrl_up),
			 osm_ctrl_circuit(7, OSM_CTRL_UP));
	assert_int_equal(osm_get_be32(b.ctrl_down),
			 osm_ctrl_circuit(7, OSM_CTRL_DOWN));
	osm_kdf_ctrl(&k, p.device_key, OSM_CTRL_DOWN, 5);
	assert_memory_equal(b.down_hop, k.hop, 16);
	assert_memory_equal(b.down_e2e, k.e2e, 32);
	assert_true(osm_get_le64(b.check) ==
		    fw_siphash((const uint8_t *)&b, OSM_FW_BLOB_CHECKED_LEN,
			       (const uint8_t *)OSM_FW_BLOB_CHECK_KEY));
	assert_int_equal(osm_fw_blob_check(&b), 0);
	b.check[0] ^= 1;
	assert_int_equal(osm_fw_blob_check(&b), -EINVAL);
	/* every device's role (osm-endpoint join), not the controller's */
	p.role = OSM_ROLE_SPEAKER;
	assert_int_equal(osm_fw_blob_build(&b, &p), 0);
	assert_int_equal(osm_fw_blob_check(&b), 0);
	p.role = OSM_ROLE_CONTROLLER;
	assert_int_equal(osm_fw_blob_build(&b, &p), -EINVAL);
	p.role = 0;
	assert_int_equal(osm_fw_blob_build(&b, &p), -EINVAL);
	p.role = OSM_ROLE_DOOR;
	p.device_id = OSM_DEVICE_ID_MAX + 1;
	assert_int_equal(osm_fw_blob_build(&b, &p), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(siphash_vs_libsodium),
		cmocka_unit_test(aead_vs_libsodium),
		cmocka_unit_test(fw_seal_host_open),
		cmocka_unit_test(host_seal_fw_open),
		cmocka_unit_test(fw_open_rejects),
		cmocka_unit_test(blob_layout),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
