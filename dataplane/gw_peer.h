/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* One peer of a gateway: the handshake rules of docs/protocol.md 11.4
 * and the receive order of 11.5 as a state machine over the messages of
 * gw_link.c. It does no I/O and reads no clock: the caller gives it the
 * time and what arrived, and sends what it asks to. */
#ifndef OSM_GW_PEER_H
#define OSM_GW_PEER_H

#include "gw_link.h"

#define GW_REKEY_NS	(120 * 1000000000ULL)	/* I rekeys after */
#define GW_REJECT_NS	(180 * 1000000000ULL)	/* no session used past */
#define GW_KEEP_NS	(60 * 1000000000ULL)	/* previous kept for rx */
#define GW_RETRY_NS	(1000000000ULL)		/* INIT again, WAKE again */

struct gw_peer {
	int initiator;			/* this end starts handshakes */
	uint8_t P[GW_KEY_LEN];		/* the pair secret */
	uint32_t epoch;			/* current pair-key epoch */
	uint8_t K[3][GW_KEY_LEN];	/* epoch's, epoch-1's, epoch+1's */
	/* initiator */
	struct gw_pending hs;		/* a handshake under way, if hs_ns */
	uint64_t hs_ns;			/* when its INIT went, 0: none */
	uint64_t wake_ns;		/* last WAKE taken */
	uint64_t wake_time;		/* its time: a WAKE must be newer */
	int confirmed;			/* a DATA opened under cur */
	uint64_t keepalive_ns;		/* last empty DATA sent */
	int rekey;			/* a handshake is due */
	/* responder */
	uint64_t last_init_time;	/* of the last INIT taken */
	uint64_t wake_sent_ns;		/* last WAKE sent */
	struct gw_session pending;	/* answered, no DATA yet */
	int has_pending;
	/* both */
	struct gw_session cur, prev;
	int has_cur, has_prev;
	uint64_t prev_until_ns;		/* prev receives until */
	uint64_t counts[GW_REASON_MAX];	/* outer drops, by reason */
};

/* Set peer up from the pair secret P (docs/protocol.md 11.1), the two
 * public keys (this gateway's S, the peer's: they give the roles) and
 * the pair-key epoch (>= 1): no session yet, the initiator handshakes at
 * its first tick. 0, or -EINVAL (epoch 0, equal or low-order keys). */
int gw_peer_init_pair(struct gw_peer *p, const uint8_t P[GW_KEY_LEN],
		      const uint8_t S[GW_KEY_LEN],
		      const uint8_t peer[GW_KEY_LEN], uint32_t epoch);

/* The same from this gateway's key pair (s, S) instead of P, which it
 * computes. 0, or -EINVAL. */
int gw_peer_init(struct gw_peer *p, const uint8_t s[GW_KEY_LEN],
		 const uint8_t S[GW_KEY_LEN], const uint8_t peer[GW_KEY_LEN],
		 uint32_t epoch);

/* Move to pair-key epoch (the previous one stays accepted); the
 * initiator starts a handshake under it at the next gw_peer_tick. */
void gw_peer_epoch(struct gw_peer *p, uint32_t epoch);

/* What to send now, at now_ns (CLOCK_MONOTONIC) and realtime_ns (for
 * INIT and WAKE times): an INIT or a WAKE into out (capacity at least
 * GW_INIT_LEN); returns its length, 0 if nothing. */
int gw_peer_tick(struct gw_peer *p, uint64_t now_ns, uint64_t realtime_ns,
		 uint8_t *out);

/*
 * An outer message msg[0..len) from the peer's address. For a
 * handshake message: returns 0 and, if an answer is due (a RESP to an
 * INIT, an empty DATA after a RESP), its length in *reply_len (reply:
 * GW_RESP_LEN bytes at least). For DATA: opens it in place and returns
 * 1 with the inner frame at msg + GW_DATA_HDR, *inner_len bytes (0: a
 * keepalive, nothing to deliver). Otherwise a gw_reason (counted in
 * p->counts), negated.
 */
int gw_peer_rx(struct gw_peer *p, uint8_t *msg, size_t len, uint64_t now_ns,
	       uint8_t *reply, size_t *reply_len, size_t *inner_len);

/* Seal inner[0..len) as DATA under the current session into out
 * (capacity cap; out + GW_DATA_HDR may be inner: in place). Returns the
 * DATA's length, or -GW_DROP_NO_SESSION (none yet, or past its use),
 * -EMSGSIZE. */
int gw_peer_seal(struct gw_peer *p, const uint8_t *inner, size_t len,
		 uint8_t *out, size_t cap, uint64_t now_ns);

/* Wipe every key. */
void gw_peer_wipe(struct gw_peer *p);

#endif
