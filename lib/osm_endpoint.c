// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Seal and open circuit frames on a host endpoint, with libsodium. */
#include <errno.h>
#include <string.h>
#include <sodium.h>
#include "osm_endpoint.h"

_Static_assert(crypto_aead_chacha20poly1305_ietf_ABYTES == OSM_AEAD_TAG_LEN,
	       "Poly1305 tag size");
_Static_assert(crypto_aead_chacha20poly1305_ietf_NPUBBYTES == OSM_NONCE_LEN,
	       "ChaCha20-Poly1305 IETF nonce size");
_Static_assert(crypto_shorthash_KEYBYTES == OSM_HOP_KEY_LEN, "SipHash key");

int osm_seal_seq(const struct osm_tx *tx, uint64_t seq, const void *payload,
		 size_t len, uint8_t *frame, size_t cap)
{
	uint8_t nonce[OSM_NONCE_LEN];
	uint8_t *hdr = frame + OSM_ETH_HLEN;

	if (seq == OSM_SEQ_INVALID)
		return -EINVAL;
	if (len > OSM_MAX_PAYLOAD || cap < OSM_FRAME_HDR_LEN + len)
		return -EMSGSIZE;
	memcpy(frame, tx->dst, 6);
	memcpy(frame + 6, tx->src, 6);
	osm_put_be16(frame + 12, OSM_ETH_P_CIRCUIT);
	osm_hdr_write(hdr, tx->type, (uint16_t)len, tx->circuit, seq,
		      tx->keys.epoch);
	osm_nonce(nonce, tx->circuit, seq);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(
		frame + OSM_FRAME_HDR_LEN, hdr + OSM_OFF_AEAD_TAG, NULL,
		payload, len, hdr, OSM_AD_LEN, NULL, nonce, tx->keys.e2e);
	crypto_shorthash(hdr + OSM_OFF_HOP_TAG, hdr, OSM_HOP_INPUT_LEN,
			 tx->keys.hop);
	return (int)(OSM_FRAME_HDR_LEN + len);
}

int osm_seal(struct osm_tx *tx, const void *payload, size_t len,
	     uint8_t *frame, size_t cap)
{
	int n = osm_seal_seq(tx, tx->next_seq, payload, len, frame, cap);

	if (n > 0)
		tx->next_seq++;
	return n;
}

void osm_rx_set_keys(struct osm_rx *rx, const struct osm_keys *keys)
{
	unsigned int slot = keys->epoch & 1;

	rx->keys[slot] = *keys;
	rx->valid[slot] = 1;
}

void osm_rx_drop_epoch(struct osm_rx *rx, uint32_t epoch)
{
	unsigned int slot = epoch & 1;

	if (rx->valid[slot] && rx->keys[slot].epoch == epoch) {
		osm_wipe(&rx->keys[slot], sizeof(rx->keys[slot]));
		rx->valid[slot] = 0;
	}
}

int osm_open(struct osm_rx *rx, const uint8_t *frame, size_t len,
	     struct osm_frame *f, uint8_t *out, size_t cap, size_t *out_len)
{
	const struct osm_keys *k;
	uint8_t nonce[OSM_NONCE_LEN];
	uint8_t tag[OSM_HOP_TAG_LEN];
	int r;

	r = osm_parse(frame, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len, f);
	if (r != OSM_OK)
		return r;
	if (f->circuit != rx->circuit)
		return OSM_DROP_UNKNOWN;
	k = &rx->keys[f->epoch & 1];
	if (!rx->valid[f->epoch & 1] || k->epoch != f->epoch)
		return OSM_DROP_STALE_EPOCH;
	crypto_shorthash(tag, f->hdr, OSM_HOP_INPUT_LEN, k->hop);
	if (sodium_memcmp(tag, f->hdr + OSM_OFF_HOP_TAG, sizeof(tag)) != 0)
		return OSM_DROP_BAD_TAG;
	if (f->len > cap)
		return OSM_DROP_MALFORMED;
	if (!osm_replay_check(&rx->replay, f->seq))
		return OSM_DROP_REPLAY;
	osm_nonce(nonce, f->circuit, f->seq);
	if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
		    out, NULL, f->hdr + OSM_HDR_LEN, f->len,
		    f->hdr + OSM_OFF_AEAD_TAG, f->hdr, OSM_AD_LEN, nonce,
		    k->e2e) != 0) {
		sodium_memzero(out, f->len);
		return OSM_DROP_BAD_AEAD;
	}
	osm_replay_mark(&rx->replay, f->seq);
	*out_len = f->len;
	return OSM_OK;
}

void osm_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}
