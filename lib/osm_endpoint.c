// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Seal and open circuit frames on a host endpoint, with libsodium. */
#include <errno.h>
#include <string.h>
#include <time.h>
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
	unsigned int slot = osm_epoch_slot(keys->epoch);

	rx->keys[slot] = *keys;
	rx->valid[slot] = 1;
}

void osm_rx_drop_epoch(struct osm_rx *rx, uint32_t epoch)
{
	unsigned int slot = osm_epoch_slot(epoch);

	if (rx->valid[slot] && rx->keys[slot].epoch == epoch) {
		osm_wipe(&rx->keys[slot], sizeof(rx->keys[slot]));
		rx->valid[slot] = 0;
	}
}

/* osm_open()'s side of osm_receive(): one circuit, a plaintext buffer. */
struct open_ctx {
	struct osm_rx *rx;
	uint8_t *out;
};

static int open_find(void *ctx, osm_u32 circuit, unsigned int slot,
		     struct osm_rx_slot *s)
{
	struct osm_rx *rx = ((struct open_ctx *)ctx)->rx;

	if (circuit != rx->circuit)
		return 0;
	s->replay = &rx->replay;
	s->hop = rx->keys[slot].hop;
	s->e2e = rx->keys[slot].e2e;
	s->epoch = rx->keys[slot].epoch;
	s->valid = (osm_u32)rx->valid[slot];
	return 1;
}

static int open_aead(void *ctx, const struct osm_frame *f,
		     const osm_u8 nonce[OSM_NONCE_LEN],
		     const osm_u8 e2e[OSM_E2E_KEY_LEN])
{
	uint8_t *out = ((struct open_ctx *)ctx)->out;

	if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
		    out, NULL, f->hdr + OSM_HDR_LEN, f->len,
		    f->hdr + OSM_OFF_AEAD_TAG, f->hdr, OSM_AD_LEN, nonce,
		    e2e) == 0)
		return 0;
	sodium_memzero(out, f->len);
	return -1;
}

static const struct osm_receive_ops open_ops = {
	.find = open_find,
	.aead_open = open_aead,
};

int osm_open(struct osm_rx *rx, const uint8_t *frame, size_t len,
	     struct osm_frame *f, uint8_t *out, size_t cap, size_t *out_len)
{
	struct open_ctx o = { .rx = rx, .out = out };
	int r;

	r = osm_receive(frame, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len,
			cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap, f,
			&open_ops, &o);
	if (r == OSM_OK)
		*out_len = f->len;
	return r;
}

void osm_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}

uint64_t osm_seq_fresh(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * OSM_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}
