// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Sealing and opening circuit frames on the firmware, in place, in the
 * check order of lib/osm_endpoint.c (docs/protocol.md, "Endpoint"). */
#include "circuit.h"
#include "chachapoly.h"

osm_u64 fw_siphash(const osm_u8 *in, osm_u32 len, const osm_u8 key[16])
{
	return osm_siphash24(in, len, key);
}

static void copy(osm_u8 *d, const osm_u8 *s, osm_u32 n)
{
	while (n--)
		*d++ = *s++;
}

void fw_key_set(struct fw_key *k, osm_u32 epoch, const osm_u8 *hop,
		const osm_u8 *e2e)
{
	k->epoch = epoch;
	k->valid = 1;
	copy(k->hop, hop, OSM_HOP_KEY_LEN);
	copy(k->e2e, e2e, OSM_E2E_KEY_LEN);
}

void fw_rx_set_key(struct fw_rx *rx, osm_u32 epoch, const osm_u8 *hop,
		   const osm_u8 *e2e)
{
	fw_key_set(&rx->key[epoch & 1], epoch, hop, e2e);
}

osm_u32 fw_seal(struct fw_tx *tx, const osm_u8 src[6], osm_u8 *frame,
		osm_u16 len)
{
	osm_u8 *hdr = frame + OSM_ETH_HLEN, nonce[OSM_NONCE_LEN];
	osm_u64 seq = tx->next_seq++;

	copy(frame, tx->dst, 6);
	copy(frame + 6, src, 6);
	osm_put_be16(frame + 12, OSM_ETH_P_CIRCUIT);
	osm_hdr_write(hdr, tx->type, len, tx->circuit, seq, tx->key.epoch);
	osm_nonce(nonce, tx->circuit, seq);
	fw_aead_seal(frame + OSM_FRAME_HDR_LEN, len, hdr + OSM_OFF_AEAD_TAG,
		     hdr, OSM_AD_LEN, nonce, tx->key.e2e);
	osm_put_le64(hdr + OSM_OFF_HOP_TAG,
		     fw_siphash(hdr, OSM_HOP_INPUT_LEN, tx->key.hop));
	return OSM_FRAME_HDR_LEN + len;
}

int fw_open(struct fw_rx *tab, int n, osm_u8 *frame, osm_u32 len,
	    struct osm_frame *f, struct fw_rx **which)
{
	struct fw_rx *rx = 0;
	const struct fw_key *k;
	osm_u8 nonce[OSM_NONCE_LEN];
	int i, r;

	r = osm_parse(frame, len, f);
	if (r != OSM_OK)
		return r;
	for (i = 0; i < n; i++)
		if (tab[i].used && tab[i].circuit == f->circuit)
			rx = &tab[i];
	if (!rx)
		return OSM_DROP_UNKNOWN;
	k = &rx->key[f->epoch & 1];
	if (!k->valid || k->epoch != f->epoch)
		return OSM_DROP_STALE_EPOCH;
	if (!osm_hop_tag_ok(f->hdr + OSM_OFF_HOP_TAG,
			    fw_siphash(f->hdr, OSM_HOP_INPUT_LEN, k->hop)))
		return OSM_DROP_BAD_TAG;
	if (!osm_replay_check(&rx->replay, f->seq))
		return OSM_DROP_REPLAY;
	osm_nonce(nonce, f->circuit, f->seq);
	if (fw_aead_open(frame + OSM_FRAME_HDR_LEN, f->len,
			 f->hdr + OSM_OFF_AEAD_TAG, f->hdr, OSM_AD_LEN, nonce,
			 k->e2e) != 0)
		return OSM_DROP_BAD_AEAD;
	osm_replay_mark(&rx->replay, f->seq);
	*which = rx;
	return OSM_OK;
}
