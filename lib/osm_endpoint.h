/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Host endpoint side of the circuit protocol: seal a frame (AEAD with
 * libsodium, hop tag) and open one (hop tag, epoch, AEAD, replay window). */
#ifndef OSM_ENDPOINT_H
#define OSM_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>
#include "osm_proto.h"

/* Keys of one circuit for one epoch. */
struct osm_keys {
	uint32_t epoch;
	uint8_t hop[OSM_HOP_KEY_LEN];
	uint8_t e2e[OSM_E2E_KEY_LEN];
};

/* The sending end of a circuit. */
struct osm_tx {
	uint32_t circuit;
	uint8_t type;			/* OSM_T_DATA or OSM_T_CTRL */
	uint8_t src[6], dst[6];		/* Ethernet addresses to write */
	uint64_t next_seq;		/* next sequence number to use */
	struct osm_keys keys;		/* current epoch */
};

/* The receiving end of a circuit: keys of up to two epochs (in slot
 * osm_epoch_slot(), as a switch keeps them) and the replay window. */
struct osm_rx {
	uint32_t circuit;
	int valid[2];
	struct osm_keys keys[2];
	struct osm_replay replay;
};

/* A first sequence number no earlier run of a sender used: the realtime
 * clock in nanoseconds (for tools keyed by hand, which keep no state; a
 * device numbers by sessions, docs/protocol.md 8.1). */
uint64_t osm_seq_fresh(void);

/*
 * Seal payload[0..len) into frame (capacity cap) with sequence number seq:
 * Ethernet header, circuit header, AEAD tag, hop tag, ciphertext.
 * Returns the frame length, -EMSGSIZE if len > OSM_MAX_PAYLOAD or the frame
 * does not fit in cap, -EINVAL if seq is OSM_SEQ_INVALID.
 */
int osm_seal_seq(const struct osm_tx *tx, uint64_t seq, const void *payload,
		 size_t len, uint8_t *frame, size_t cap);

/* As osm_seal_seq with tx->next_seq, which advances on success. */
int osm_seal(struct osm_tx *tx, const void *payload, size_t len,
	     uint8_t *frame, size_t cap);

/* Install keys for epoch keys->epoch in its slot (osm_epoch_slot),
 * replacing what was there. */
void osm_rx_set_keys(struct osm_rx *rx, const struct osm_keys *keys);

/* Forget the keys of one epoch; they no longer open frames. */
void osm_rx_drop_epoch(struct osm_rx *rx, uint32_t epoch);

/*
 * Open a received frame of len bytes (osm_receive: parse, circuit match,
 * epoch, hop tag, replay check, AEAD, then the replay window updated only
 * for a frame that opened).
 * On OSM_OK the plaintext is in out (capacity cap, *out_len bytes) and
 * *f describes the frame. Otherwise returns the osm_reason: parse errors,
 * OSM_DROP_UNKNOWN (another circuit), OSM_DROP_STALE_EPOCH,
 * OSM_DROP_BAD_TAG, OSM_DROP_BAD_AEAD, OSM_DROP_REPLAY, or
 * OSM_DROP_MALFORMED if the payload does not fit in cap.
 */
int osm_open(struct osm_rx *rx, const uint8_t *frame, size_t len,
	     struct osm_frame *f, uint8_t *out, size_t cap, size_t *out_len);

/* Wipe a structure holding keys (sodium_memzero). */
void osm_wipe(void *p, size_t len);

#endif
