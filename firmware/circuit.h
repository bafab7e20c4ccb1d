/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The firmware's end of circuits: key slots, sequence numbers, replay
 * windows, sealing and opening frames in place with its own crypto.
 * Portable: built for the target and, in tests, for the host. */
#ifndef FW_CIRCUIT_H
#define FW_CIRCUIT_H

#include "osm_proto.h"

/* Keys of one circuit for one epoch. */
struct fw_key {
	osm_u32 epoch;
	osm_u32 valid;
	osm_u8 hop[OSM_HOP_KEY_LEN];
	osm_u8 e2e[OSM_E2E_KEY_LEN];
};

/* A circuit the device receives on: two epochs (slot osm_epoch_slot(), as
 * a switch keeps them) and one replay window across epochs. */
struct fw_rx {
	osm_u32 circuit;
	osm_u32 used;
	struct fw_key key[2];
	struct osm_replay replay;
};

/* A circuit the device sends on: the current key and the next sequence
 * number, which only grows, across epochs too. */
struct fw_tx {
	osm_u32 circuit;
	osm_u32 used;
	osm_u8 type;			/* OSM_T_DATA or OSM_T_CTRL */
	osm_u8 dst[6];
	osm_u64 next_seq;
	struct fw_key key;
};

/* Both slot kinds start with { u32 circuit; u32 used; } so that one
 * lookup serves both tables. */
_Static_assert(__builtin_offsetof(struct fw_rx, used) == 4 &&
	       __builtin_offsetof(struct fw_tx, used) == 4,
	       "fw_rx and fw_tx start alike");

/* SipHash-2-4 (osm_siphash24), one out-of-line copy for the image. */
osm_u64 fw_siphash(const osm_u8 *in, osm_u32 len,
		   const osm_u8 key[OSM_HOP_KEY_LEN]);

/*
 * Seal the plaintext at frame + OSM_FRAME_HDR_LEN (len bytes) in place:
 * Ethernet header (tx->dst, src), circuit header with tx->next_seq, AEAD
 * tag, hop tag. Advances next_seq. Returns the frame length.
 */
osm_u32 fw_seal(struct fw_tx *tx, const osm_u8 src[6], osm_u8 *frame,
		osm_u16 len);

/*
 * Open frame[0..len) against the n circuits of tab (osm_receive: parse,
 * circuit, epoch, hop tag, replay check, AEAD decrypting in place, replay
 * mark). Returns OSM_OK with *f filled and *which the circuit, or the
 * osm_reason.
 */
int fw_open(struct fw_rx *tab, int n, osm_u8 *frame, osm_u32 len,
	    struct osm_frame *f, struct fw_rx **which);

/* Install keys for (epoch, hop, e2e) in slot osm_epoch_slot(epoch) of rx. */
void fw_rx_set_key(struct fw_rx *rx, osm_u32 epoch, const osm_u8 *hop,
		   const osm_u8 *e2e);

/* Set a key slot. */
void fw_key_set(struct fw_key *k, osm_u32 epoch, const osm_u8 *hop,
		const osm_u8 *e2e);

#endif
