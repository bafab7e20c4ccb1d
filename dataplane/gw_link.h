/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The link between two buildings' gateways (docs/protocol.md, section
 * 11): the pair key from the gateways' long-term X25519 keys, the
 * handshake that makes fresh session keys (INIT, RESP, WAKE) and the
 * DATA messages that carry whole circuit frames sealed with
 * ChaCha20-Poly1305. Messages only: no sockets, no clocks (the caller
 * gives the time), no state but what the caller passes in. libsodium. */
#ifndef OSM_GW_LINK_H
#define OSM_GW_LINK_H

#include <stddef.h>
#include <stdint.h>
#include "osm_proto.h"

#define GW_KEY_LEN	32
#define GW_MAC_LEN	16
#define GW_TAG_LEN	16

/* Message types (byte 0) and lengths. */
enum { GW_T_INIT = 1, GW_T_RESP = 2, GW_T_WAKE = 3, GW_T_DATA = 4 };
#define GW_INIT_LEN	68
#define GW_RESP_LEN	64
#define GW_WAKE_LEN	32
#define GW_DATA_HDR	16
#define GW_DATA_OVERHEAD (GW_DATA_HDR + GW_TAG_LEN)

/* Why an outer packet was dropped (counted by the gateway, after the
 * inner reasons of enum osm_reason). */
enum gw_reason {
	GW_OK = 0,
	GW_DROP_MALFORMED,	/* too short, unknown type, nonzero reserved */
	GW_DROP_EPOCH,		/* a pair-key epoch the gateway does not hold */
	GW_DROP_BAD_MAC,	/* INIT, RESP or WAKE not from the pair */
	GW_DROP_OLD_INIT,	/* INIT not newer than the last one taken */
	GW_DROP_NO_SESSION,	/* DATA of an index no session has */
	GW_DROP_BAD_AUTH,	/* DATA that does not open */
	GW_DROP_REPLAY,		/* DATA counter seen or behind the window */
	GW_DROP_TOO_BIG,	/* inner frame over the path MTU (outbound) */
	GW_REASON_MAX
};
const char *gw_reason_name(int r);

/* The pair secret P (section 11.1) of this gateway (secret s) and its
 * peer (public peer): the same at both ends; the building's derivation
 * (osm_building_shared, lib/osm_keys.c). 0, or -EINVAL if the peer's key
 * is a low-order point or s's own. */
int gw_pair_secret(uint8_t P[GW_KEY_LEN], const uint8_t s[GW_KEY_LEN],
		   const uint8_t peer[GW_KEY_LEN]);
/* The pair key of epoch e, K_e = KDF(P, e, "osm-gwp1"). */
void gw_pair_key(uint8_t K[GW_KEY_LEN], const uint8_t P[GW_KEY_LEN],
		 uint32_t epoch);
/* 1 if this gateway (public S) initiates towards peer: S is smaller. */
int gw_initiator(const uint8_t S[GW_KEY_LEN], const uint8_t peer[GW_KEY_LEN]);

/* One direction-pair of session keys and the state of its DATA. */
struct gw_session {
	uint32_t local;			/* index DATA to us carries */
	uint32_t remote;		/* index our DATA carries */
	uint32_t epoch;			/* of the pair key it came from */
	uint8_t tx[GW_KEY_LEN], rx[GW_KEY_LEN];
	uint64_t next;			/* next counter to send */
	uint64_t born_ns;		/* when it was made (caller's clock) */
	struct osm_replay win;		/* counters received */
};

/* An initiator's handshake under way: its ephemeral secret. */
struct gw_pending {
	uint32_t local, epoch;
	uint8_t e[GW_KEY_LEN], E[GW_KEY_LEN];
};

/* The fields of an INIT or RESP, parsed (no key checked yet). */
struct gw_hello {
	uint8_t type;
	uint32_t sender, receiver, epoch;	/* receiver: RESP only */
	uint64_t time;				/* INIT only */
	uint8_t E[GW_KEY_LEN];
};

/* Type of an outer message and its parse: GW_OK or GW_DROP_MALFORMED. */
int gw_parse_hello(const uint8_t *p, size_t len, struct gw_hello *h);

/*
 * Initiator: INIT for epoch (pair key K), sender index local, time (ns,
 * CLOCK_REALTIME), ephemeral secret e (NULL: random; tests give one).
 * Fills out (GW_INIT_LEN bytes) and *pw.
 */
void gw_init_make(uint8_t out[GW_INIT_LEN], struct gw_pending *pw,
		  const uint8_t K[GW_KEY_LEN], uint32_t epoch,
		  uint32_t local, uint64_t time, const uint8_t *e);
/* Responder: the INIT p (parsed into *h) is the pair's: its MAC under K
 * (the pair key of h->epoch). GW_OK or GW_DROP_BAD_MAC. */
int gw_init_check(const uint8_t *p, const uint8_t K[GW_KEY_LEN]);
/*
 * Responder: RESP to INIT h with sender index local and ephemeral secret
 * e (NULL: random), and the new session in *s (born now_ns).
 */
void gw_resp_make(uint8_t out[GW_RESP_LEN], struct gw_session *s,
		  const struct gw_hello *h, const uint8_t K[GW_KEY_LEN],
		  uint32_t local, const uint8_t *e, uint64_t now_ns);
/*
 * Initiator: the RESP p (parsed into *h) answers pending *pw: its
 * receiver index and MAC; then the session in *s. GW_OK,
 * GW_DROP_NO_SESSION (not our INIT's), GW_DROP_BAD_MAC. Wipes *pw on
 * GW_OK.
 */
int gw_resp_take(const uint8_t *p, const struct gw_hello *h,
		 struct gw_pending *pw, const uint8_t K[GW_KEY_LEN],
		 struct gw_session *s, uint64_t now_ns);

/* WAKE (responder asks for a handshake) for epoch at time; and its
 * check: GW_OK, GW_DROP_MALFORMED or GW_DROP_BAD_MAC (*epoch, *time
 * filled when well formed). */
void gw_wake_make(uint8_t out[GW_WAKE_LEN], const uint8_t K[GW_KEY_LEN],
		  uint32_t epoch, uint64_t time);
int gw_wake_parse(const uint8_t *p, size_t len, uint32_t *epoch,
		  uint64_t *time);
int gw_wake_check(const uint8_t *p, const uint8_t K[GW_KEY_LEN]);

/* DATA: the receiver index a DATA names (GW_DROP_MALFORMED if p is no
 * DATA), to find its session. */
int gw_data_index(const uint8_t *p, size_t len, uint32_t *index);
/* Seal inner[0..len) as DATA of s into out (capacity cap): returns the
 * DATA's length, or -EMSGSIZE; uses and advances s->next. */
int gw_data_seal(struct gw_session *s, const uint8_t *inner, size_t len,
		 uint8_t *out, size_t cap);
/* Open DATA p of s into out (capacity cap): GW_OK with *out_len, or
 * GW_DROP_MALFORMED, GW_DROP_REPLAY, GW_DROP_BAD_AUTH. The window
 * records the counter only once the DATA opened. */
int gw_data_open(struct gw_session *s, const uint8_t *p, size_t len,
		 uint8_t *out, size_t cap, size_t *out_len);

#endif
