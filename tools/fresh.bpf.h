/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Making a circuit frame valid again inside BPF: a new sequence number and
 * the hop tag recomputed under the circuit's hop key. Shared by the bench's
 * fresh_xdp (BPF_PROG_TEST_RUN) and osm-pktgen's live-frames sender. The
 * end-to-end AEAD tag is left as it was: a switch does not check it. */
#ifndef OSM_FRESH_BPF_H
#define OSM_FRESH_BPF_H

#include "osm_proto.h"

/* The circuit header of ctx's frame, or NULL if the frame is too short to
 * hold one. */
static __always_inline __u8 *fresh_hdr(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + OSM_FRAME_HDR_LEN > data_end)
		return NULL;
	return (__u8 *)data + OSM_ETH_HLEN;
}

/* Give header h the sequence number seq and its hop tag under hop (the
 * tag covers the sequence number: set it first). */
static __always_inline void fresh_seal(__u8 *h, __u64 seq, const __u8 *hop)
{
	osm_put_be64(h + OSM_OFF_SEQ, seq);
	osm_put_le64(h + OSM_OFF_HOP_TAG, osm_hop_tag(h, hop));
}

#endif
