// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Sealing and opening circuit frames on the firmware, in place; the
 * receive check is osm_receive(), as lib/osm_endpoint.c's (docs/protocol.md,
 * "Endpoint receive"). */
#include "circuit.h"
#include "chachapoly.h"

osm_u64 fw_siphash(const osm_u8 *in, osm_u32 len,
		   const osm_u8 key[OSM_HOP_KEY_LEN])
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
	fw_key_set(&rx->key[osm_epoch_slot(epoch)], epoch, hop, e2e);
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

/* fw_open()'s side of osm_receive(): the table, the frame (opened in
 * place), and the circuit found. */
struct open_ctx {
	struct fw_rx *tab;
	int n;
	osm_u8 *frame;
	struct fw_rx *rx;
};

static int open_find(void *ctx, osm_u32 circuit, unsigned int slot,
		     struct osm_rx_slot *s)
{
	struct open_ctx *o = ctx;
	const struct fw_key *k;
	int i;

	for (i = 0; i < o->n; i++)
		if (o->tab[i].used && o->tab[i].circuit == circuit)
			o->rx = &o->tab[i];
	if (!o->rx)
		return 0;
	k = &o->rx->key[slot];
	s->replay = &o->rx->replay;
	s->hop = k->hop;
	s->e2e = k->e2e;
	s->epoch = k->epoch;
	s->valid = k->valid;
	return 1;
}

static int open_aead(void *ctx, const struct osm_frame *f,
		     const osm_u8 nonce[OSM_NONCE_LEN],
		     const osm_u8 e2e[OSM_E2E_KEY_LEN])
{
	struct open_ctx *o = ctx;

	return fw_aead_open(o->frame + OSM_FRAME_HDR_LEN, f->len,
			    f->hdr + OSM_OFF_AEAD_TAG, f->hdr, OSM_AD_LEN,
			    nonce, e2e);
}

static const struct osm_receive_ops open_ops = {
	.find = open_find,
	.siphash = fw_siphash,
	.aead_open = open_aead,
};

int fw_open(struct fw_rx *tab, int n, osm_u8 *frame, osm_u32 len,
	    struct osm_frame *f, struct fw_rx **which)
{
	struct open_ctx o = { .tab = tab, .n = n, .frame = frame };
	int r;

	/* Opened in place: any payload osm_parse() lets through fits. */
	r = osm_receive(frame, len, OSM_MAX_PAYLOAD, f, &open_ops, &o);
	if (r == OSM_OK)
		*which = o.rx;
	return r;
}
