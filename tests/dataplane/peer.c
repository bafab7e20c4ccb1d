// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Two gateways' peer state machines (dataplane/gw_peer.c) talking over a
 * wire in memory, under a clock the test moves: the handshake, DATA both
 * ways, the rekey after 120 s and pair-key rotations with frames in
 * flight (none lost; either end first; the old epoch refused once a new
 * session exists), restarts of either end (a restarted responder asks
 * with WAKE; recorded DATA and INITs of before are refused), forged and
 * replayed messages (a WAKE too), a lost keepalive sent again, a session
 * past its use, an end set up from the pair secret alone. docs/protocol.md
 * 11.4. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "tap.h"
#include "gw_peer.h"

#define S_NS	1000000000ULL
#define MMAX	2048

static uint8_t sA[32], SA[32], sB[32], SB[32];
static uint64_t now = 1000 * S_NS;	/* CLOCK_MONOTONIC, the test's */

/* A message on the wire. */
struct msg {
	uint8_t b[MMAX];
	size_t len;
};

/* The end that initiates (smaller public key) is I, the other R. */
static struct gw_peer I, R;

static uint64_t realtime(void)
{
	return 1764547200 * S_NS + now;
}

static void start(struct gw_peer *p, int initiator, uint32_t epoch)
{
	const uint8_t *s = initiator == gw_initiator(SA, SB) ? sA : sB;
	const uint8_t *S = s == sA ? SA : SB, *o = s == sA ? SB : SA;

	gw_peer_init(p, s, S, o, epoch);
}

/* Deliver m to p; what p answers goes into *ans (len 0: nothing).
 * Returns gw_peer_rx's result. */
static int deliver(struct gw_peer *p, struct msg *m, struct msg *ans)
{
	size_t inner;
	struct msg c = *m;	/* opened in place: the wire keeps its copy */

	ans->len = 0;
	return gw_peer_rx(p, c.b, c.len, now, ans->b, &ans->len, &inner);
}

/* Run the handshake: ticks and deliveries until both have a current
 * session or 10 rounds pass. Returns 0 when both have one. */
static int settle(void)
{
	struct msg m, a, b;
	int round;

	for (round = 0; round < 10; round++) {
		now += 1000000;		/* a millisecond between rounds */
		m.len = (size_t)gw_peer_tick(&I, now, realtime(), m.b);
		if (m.len && !deliver(&R, &m, &a) && a.len &&
		    !deliver(&I, &a, &b) && b.len)
			deliver(&R, &b, &a);		/* the keepalive */
		m.len = (size_t)gw_peer_tick(&R, now, realtime(), m.b);
		if (m.len)
			deliver(&I, &m, &a);		/* WAKE */
		if (I.has_cur && R.has_cur && !I.hs_ns && !I.rekey &&
		    !memcmp(I.cur.tx, R.cur.rx, 32))
			return 0;
		now += S_NS;
	}
	return -1;
}

/* n frames from p to q: sealed now, delivered now (or into flight[]
 * when flight is given). Returns how many q delivered intact. */
static int frames(struct gw_peer *p, struct gw_peer *q, int n,
		  struct msg *flight)
{
	uint8_t inner[100];
	struct msg m, a, c;
	size_t got_len;
	int i, got = 0, r;

	for (i = 0; i < n; i++) {
		memset(inner, i, sizeof(inner));
		memcpy(m.b + GW_DATA_HDR, inner, sizeof(inner));
		r = gw_peer_seal(p, m.b + GW_DATA_HDR, sizeof(inner), m.b,
				 MMAX, now);
		if (r < 0)
			continue;
		m.len = (size_t)r;
		if (flight) {
			flight[i] = m;
			continue;
		}
		c = m;		/* opened in place */
		if (gw_peer_rx(q, c.b, c.len, now, a.b, &a.len, &got_len) ==
		    1 && got_len == sizeof(inner) &&
		    !memcmp(c.b + GW_DATA_HDR, inner, sizeof(inner)))
			got++;
	}
	return got;
}

/* What q makes of the messages of flight[0..n): how many opened. */
static int land(struct gw_peer *q, struct msg *flight, int n)
{
	struct msg a;
	int i, got = 0;

	for (i = 0; i < n; i++)
		got += deliver(q, &flight[i], &a) == 1;
	return got;
}

int main(void)
{
	static struct msg flight[64], old_init;
	struct msg m, a;
	int r;

	if (sodium_init() < 0)
		return 2;
	randombytes_buf(sA, 32);
	randombytes_buf(sB, 32);
	crypto_scalarmult_base(SA, sA);
	crypto_scalarmult_base(SB, sB);
	start(&I, 1, 1);
	start(&R, 0, 1);
	tap(I.initiator && !R.initiator, "one end initiates");
	tap(settle() == 0, "the handshake: both ends have the session");
	tap(frames(&I, &R, 50, NULL) == 50 && frames(&R, &I, 50, NULL) == 50,
	    "50 frames each way open at the other end");
	frames(&I, &R, 1, flight);
	tap(land(&R, flight, 1) == 1 && land(&R, flight, 1) == 0 &&
	    R.counts[GW_DROP_REPLAY] == 1, "a DATA again: replay, counted");

	/* rekey with frames in flight under the old session */
	now += 121 * S_NS;
	frames(&I, &R, 20, flight);
	frames(&R, &I, 20, flight + 20);
	tap(settle() == 0, "after 120 s the initiator rekeys");
	tap(land(&R, flight, 20) == 20 && land(&I, flight + 20, 20) == 20,
	    "frames sealed before the rekey, landing after: none lost");
	tap(frames(&I, &R, 10, NULL) == 10 && frames(&R, &I, 10, NULL) == 10,
	    "the new session carries both ways");

	/* rotation: R takes epoch 2 first (keeps 1), then I */
	gw_peer_epoch(&R, 2);
	tap(frames(&I, &R, 10, NULL) == 10, "R at epoch 2, I at 1: frames "
	    "still pass");
	frames(&I, &R, 20, flight);
	gw_peer_epoch(&I, 2);
	r = settle();
	tap(r == 0 && I.cur.epoch == 2,
	    "I moves to epoch 2: a handshake under it");
	tap(land(&R, flight, 20) == 20, "frames of epoch 1's session in "
	    "flight across the rotation: none lost");
	tap(frames(&R, &I, 10, NULL) == 10, "epoch 2's session carries");

	/* the responder restarts: recorded DATA of before is refused */
	frames(&I, &R, 5, flight);
	gw_peer_wipe(&R);
	start(&R, 0, 2);
	m.len = (size_t)gw_peer_tick(&R, now, realtime(), m.b);
	tap(m.len == GW_WAKE_LEN && m.b[0] == GW_T_WAKE,
	    "a restarted responder sends WAKE");
	tap(land(&R, flight, 5) == 0 && R.counts[GW_DROP_NO_SESSION] == 5,
	    "DATA of before the restart: no_session");
	deliver(&I, &m, &a);
	tap(I.rekey == 1, "the initiator takes the WAKE: a handshake is due");
	tap(settle() == 0 && frames(&I, &R, 10, NULL) == 10,
	    "the handshake again, and frames pass");

	/* the initiator restarts: its old INIT, replayed, is refused */
	m.len = 0;
	now += 121 * S_NS;
	old_init.len = (size_t)gw_peer_tick(&I, now, realtime(),
					    old_init.b);
	tap(old_init.len == GW_INIT_LEN, "(an INIT recorded on the wire)");
	deliver(&R, &old_init, &a);
	gw_peer_wipe(&I);
	start(&I, 1, 2);
	now += S_NS;
	tap(settle() == 0 && frames(&R, &I, 10, NULL) == 10,
	    "a restarted initiator: a new handshake, frames pass");
	r = deliver(&R, &old_init, &a);
	tap(r == -GW_DROP_OLD_INIT && a.len == 0,
	    "the recorded INIT replayed: old_init, no answer");

	/* forged messages */
	m.len = (size_t)gw_peer_tick(&I, now, realtime(), m.b);
	if (!m.len) {			/* none due: make one */
		I.rekey = 1;
		m.len = (size_t)gw_peer_tick(&I, now + 2 * S_NS, realtime(),
					     m.b);
	}
	m.b[20] ^= 1;
	tap(deliver(&R, &m, &a) == -GW_DROP_BAD_MAC,
	    "an INIT with a flipped bit: bad_mac");
	m.b[20] ^= 1;
	m.b[11] = 9;		/* epoch 9 */
	tap(deliver(&R, &m, &a) == -GW_DROP_EPOCH,
	    "an INIT of an epoch nobody holds: epoch");
	gw_wake_make(m.b, R.K[0], 2, realtime());
	m.b[17] ^= 1;
	m.len = GW_WAKE_LEN;
	tap(deliver(&I, &m, &a) == -GW_DROP_BAD_MAC,
	    "a forged WAKE: bad_mac");
	m.len = 3;
	tap(deliver(&I, &m, &a) == -GW_DROP_MALFORMED, "3 bytes: malformed");

	/* a session past its use */
	now += 181 * S_NS;
	tap(frames(&I, &R, 1, NULL) == 0 &&
	    I.counts[GW_DROP_NO_SESSION] >= 1,
	    "180 s without a rekey: the session is no longer used");
	tap(settle() == 0 && frames(&I, &R, 5, NULL) == 5,
	    "the next tick rekeys, and frames pass");
	/* rotation, the initiator first this time */
	gw_peer_epoch(&I, 3);
	tap(settle() == 0 && I.cur.epoch == 3 && R.cur.epoch == 3 &&
	    frames(&R, &I, 5, NULL) == 5,
	    "I moves to epoch 3 first: R (at 2) takes it, frames pass");
	gw_peer_epoch(&R, 3);
	gw_init_make(m.b, &(struct gw_pending){ 0 }, R.K[1], 2, 77,
		     realtime() + S_NS, NULL);
	m.len = GW_INIT_LEN;
	tap(deliver(&R, &m, &a) == -GW_DROP_EPOCH, "with a session of "
	    "epoch 3, an INIT of epoch 2 is refused: epoch");

	/* a lost keepalive: I sends it again a second later */
	now += 121 * S_NS;
	m.len = (size_t)gw_peer_tick(&I, now, realtime(), m.b);
	deliver(&R, &m, &a);		/* INIT -> RESP */
	deliver(&I, &a, &m);		/* RESP -> keepalive, lost */
	tap(R.has_pending && I.cur.local != R.cur.remote,
	    "(a rekey whose keepalive is lost: R still on its old session)");
	now += S_NS + 1;
	m.len = (size_t)gw_peer_tick(&I, now, realtime(), m.b);
	tap(m.len == GW_DATA_OVERHEAD && deliver(&R, &m, &a) == 1 &&
	    !R.has_pending && !memcmp(R.cur.rx, I.cur.tx, 32),
	    "a second later I sends it again: R takes the session");

	/* a replayed WAKE does nothing */
	I.wake_ns = 0;
	gw_wake_make(m.b, R.K[0], R.epoch, realtime() + 5 * S_NS);
	m.len = GW_WAKE_LEN;
	tap(deliver(&I, &m, &a) == 0 && I.rekey == 1,
	    "a WAKE: a handshake is due");
	I.rekey = 0;
	now += 2 * S_NS;
	tap(deliver(&I, &m, &a) == -GW_DROP_OLD_INIT && I.rekey == 0,
	    "the same WAKE again: old_init, nothing due");

	/* the responder again, set up from the pair secret alone (as the
	 * control socket's `peer` request does): the same pair */
	{
		const uint8_t *SR = gw_initiator(SA, SB) ? SB : SA;
		const uint8_t *SI = SR == SA ? SB : SA;
		uint8_t P[32], zero[32] = { 0 };
		struct gw_peer x;

		gw_pair_secret(P, sA, SB);
		gw_peer_wipe(&R);
		now += 10 * S_NS;	/* past the WAKE of the test before */
		tap(gw_peer_init_pair(&R, P, SR, SI, I.epoch) == 0 &&
		    !R.initiator && settle() == 0 &&
		    frames(&I, &R, 5, NULL) == 5 &&
		    frames(&R, &I, 5, NULL) == 5,
		    "a responder set up from the pair secret: a handshake, "
		    "frames pass");
		tap(gw_peer_init_pair(&x, P, SR, SR, 1) == -EINVAL &&
		    gw_peer_init_pair(&x, P, SR, SI, 0) == -EINVAL &&
		    gw_peer_init_pair(&x, P, SR, zero, 1) == -EINVAL &&
		    gw_peer_init_pair(&x, P, zero, SI, 1) == -EINVAL,
		    "equal keys, epoch 0, a low-order key: refused");
		sodium_memzero(P, sizeof(P));
	}
	gw_peer_wipe(&I);
	gw_peer_wipe(&R);
	return tap_done();
}
