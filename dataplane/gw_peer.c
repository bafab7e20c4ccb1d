// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* One peer of a gateway (gw_peer.h): docs/protocol.md 11.4 and 11.5. */
#include <errno.h>
#include <string.h>
#include <sodium.h>
#include "gw_peer.h"

static void set_keys(struct gw_peer *p, uint32_t epoch)
{
	p->epoch = epoch;
	gw_pair_key(p->K[0], p->P, epoch);
	if (epoch > 1)
		gw_pair_key(p->K[1], p->P, epoch - 1);
	else
		sodium_memzero(p->K[1], GW_KEY_LEN);
	gw_pair_key(p->K[2], p->P, epoch + 1);
}

/* The pair key of a message's epoch (11.4, "Rotating the pair key"):
 * the current one; the next one, so that either end may move first; the
 * one before, until a session under the current one exists. */
static const uint8_t *key_for(const struct gw_peer *p, uint32_t epoch)
{
	if (epoch == p->epoch)
		return p->K[0];
	if (epoch == p->epoch + 1 && epoch)
		return p->K[2];
	if (epoch >= 1 && epoch + 1 == p->epoch &&
	    !(p->has_cur && p->cur.epoch == p->epoch))
		return p->K[1];
	return NULL;
}

/* A low-order point (or one of the twist's): X25519 of it with any
 * scalar, clamped to a multiple of 8, gives all zeros. */
static int low_order(const uint8_t K[GW_KEY_LEN])
{
	static const uint8_t k[GW_KEY_LEN] = { 0x55, 0x55, 0x55, 0x55 };
	uint8_t z[GW_KEY_LEN];

	return crypto_scalarmult(z, k, K) != 0;
}

int gw_peer_init_pair(struct gw_peer *p, const uint8_t P[GW_KEY_LEN],
		      const uint8_t S[GW_KEY_LEN],
		      const uint8_t peer[GW_KEY_LEN], uint32_t epoch)
{
	memset(p, 0, sizeof(*p));
	/* equal keys: no roles, neither end would initiate */
	if (!epoch || !memcmp(S, peer, GW_KEY_LEN) || low_order(S) ||
	    low_order(peer))
		return -EINVAL;
	memcpy(p->P, P, GW_KEY_LEN);
	p->initiator = gw_initiator(S, peer);
	set_keys(p, epoch);
	p->rekey = 1;
	return 0;
}

int gw_peer_init(struct gw_peer *p, const uint8_t s[GW_KEY_LEN],
		 const uint8_t S[GW_KEY_LEN], const uint8_t peer[GW_KEY_LEN],
		 uint32_t epoch)
{
	uint8_t P[GW_KEY_LEN];
	int err;

	memset(p, 0, sizeof(*p));
	if (gw_pair_secret(P, s, peer))
		return -EINVAL;
	err = gw_peer_init_pair(p, P, S, peer, epoch);
	sodium_memzero(P, sizeof(P));
	return err;
}

void gw_peer_epoch(struct gw_peer *p, uint32_t epoch)
{
	if (!epoch || epoch == p->epoch)
		return;
	set_keys(p, epoch);
	p->rekey = 1;
}

/* A fresh local index: nonzero, none of the sessions' own. */
static uint32_t new_index(const struct gw_peer *p)
{
	uint32_t i;

	do
		i = randombytes_random();
	while (!i || (p->has_cur && i == p->cur.local) ||
	       (p->has_prev && i == p->prev.local) ||
	       (p->has_pending && i == p->pending.local));
	return i;
}

/* s becomes the current session; the current one, the previous. */
static void promote(struct gw_peer *p, const struct gw_session *s,
		    uint64_t now_ns)
{
	if (p->has_cur) {
		p->prev = p->cur;
		p->has_prev = 1;
		p->prev_until_ns = now_ns + GW_KEEP_NS;
	}
	p->cur = *s;
	p->has_cur = 1;
}

int gw_peer_tick(struct gw_peer *p, uint64_t now_ns, uint64_t realtime_ns,
		 uint8_t *out)
{
	if (p->has_prev && now_ns >= p->prev_until_ns) {
		sodium_memzero(&p->prev, sizeof(p->prev));
		p->has_prev = 0;
	}
	if (!p->initiator) {
		/* a session past its use is none: ask for another */
		if (p->has_cur && now_ns - p->cur.born_ns >= GW_REJECT_NS) {
			sodium_memzero(&p->cur, sizeof(p->cur));
			p->has_cur = 0;
		}
		if (p->has_cur || (p->wake_sent_ns &&
				   now_ns - p->wake_sent_ns < GW_RETRY_NS) ||
		    (p->has_pending &&
		     now_ns - p->pending.born_ns < GW_RETRY_NS))
			return 0;
		gw_wake_make(out, p->K[0], p->epoch, realtime_ns);
		p->wake_sent_ns = now_ns ? now_ns : 1;
		return GW_WAKE_LEN;
	}
	if (p->hs_ns && now_ns - p->hs_ns < GW_RETRY_NS)
		return 0;		/* an INIT under way */
	/* the empty DATA again, once a second for 10 s, until the
	 * responder's DATA shows it took the session (a lost one would
	 * leave it sending under the old) */
	if (p->has_cur && !p->confirmed && !p->rekey &&
	    now_ns - p->cur.born_ns < 10 * GW_RETRY_NS &&
	    now_ns - p->keepalive_ns >= GW_RETRY_NS) {
		p->keepalive_ns = now_ns;
		return gw_data_seal(&p->cur, NULL, 0, out, GW_DATA_OVERHEAD);
	}
	if (!p->rekey && !p->hs_ns && p->has_cur &&
	    now_ns - p->cur.born_ns < GW_REKEY_NS)
		return 0;
	gw_init_make(out, &p->hs, p->K[0], p->epoch, new_index(p),
		     realtime_ns, NULL);
	p->hs_ns = now_ns ? now_ns : 1;
	p->rekey = 0;
	return GW_INIT_LEN;
}

static int drop(struct gw_peer *p, int reason)
{
	p->counts[reason]++;
	return -reason;
}

static int take_init(struct gw_peer *p, const uint8_t *msg, size_t len,
		     uint64_t now_ns, uint8_t *reply, size_t *reply_len)
{
	struct gw_hello h;
	const uint8_t *K;

	if (p->initiator || gw_parse_hello(msg, len, &h))
		return drop(p, GW_DROP_MALFORMED);
	K = key_for(p, h.epoch);
	if (!K)
		return drop(p, GW_DROP_EPOCH);
	if (gw_init_check(msg, K))
		return drop(p, GW_DROP_BAD_MAC);
	if (h.time <= p->last_init_time)
		return drop(p, GW_DROP_OLD_INIT);
	p->last_init_time = h.time;
	gw_resp_make(reply, &p->pending, &h, K, new_index(p), NULL, now_ns);
	p->has_pending = 1;
	*reply_len = GW_RESP_LEN;
	return 0;
}

static int take_resp(struct gw_peer *p, const uint8_t *msg, size_t len,
		     uint64_t now_ns, uint8_t *reply, size_t *reply_len)
{
	struct gw_session s;
	struct gw_hello h;
	const uint8_t *K;
	int r;

	if (!p->initiator || gw_parse_hello(msg, len, &h))
		return drop(p, GW_DROP_MALFORMED);
	if (!p->hs_ns)
		return drop(p, GW_DROP_NO_SESSION);
	K = key_for(p, h.epoch);
	if (!K)
		return drop(p, GW_DROP_EPOCH);
	r = gw_resp_take(msg, &h, &p->hs, K, &s, now_ns);
	if (r)
		return drop(p, r);
	p->hs_ns = 0;
	promote(p, &s, now_ns);
	sodium_memzero(&s, sizeof(s));
	p->confirmed = 0;
	p->keepalive_ns = now_ns;
	/* an empty DATA at once: the responder's session becomes current
	 * with it, whether or not a frame is waiting */
	*reply_len = (size_t)gw_data_seal(&p->cur, NULL, 0, reply,
					  GW_DATA_OVERHEAD);
	return 0;
}

static int take_wake(struct gw_peer *p, const uint8_t *msg, size_t len,
		     uint64_t now_ns)
{
	const uint8_t *K;
	uint32_t epoch;
	uint64_t t;

	if (!p->initiator || gw_wake_parse(msg, len, &epoch, &t))
		return drop(p, GW_DROP_MALFORMED);
	K = key_for(p, epoch);
	if (!K)
		return drop(p, GW_DROP_EPOCH);
	if (gw_wake_check(msg, K))
		return drop(p, GW_DROP_BAD_MAC);
	if (t <= p->wake_time)		/* a replayed WAKE: nothing */
		return drop(p, GW_DROP_OLD_INIT);
	p->wake_time = t;
	/* at most one handshake a second, however many WAKEs come */
	if (!p->wake_ns || now_ns - p->wake_ns >= GW_RETRY_NS) {
		p->wake_ns = now_ns ? now_ns : 1;
		p->rekey = 1;
	}
	return 0;
}

static int take_data(struct gw_peer *p, uint8_t *msg, size_t len,
		     uint64_t now_ns, size_t *inner_len)
{
	struct gw_session *s = NULL;
	uint32_t index;
	int r;

	if (gw_data_index(msg, len, &index))
		return drop(p, GW_DROP_MALFORMED);
	if (p->has_cur && index == p->cur.local)
		s = &p->cur;
	else if (p->has_pending && index == p->pending.local)
		s = &p->pending;
	else if (p->has_prev && index == p->prev.local &&
		 now_ns < p->prev_until_ns)
		s = &p->prev;
	if (!s || now_ns - s->born_ns >= GW_REJECT_NS)
		return drop(p, GW_DROP_NO_SESSION);
	r = gw_data_open(s, msg, len, msg + GW_DATA_HDR,
			 len - GW_DATA_OVERHEAD, inner_len);
	if (r)
		return drop(p, r);
	if (s == &p->cur)
		p->confirmed = 1;
	if (s == &p->pending) {	/* the initiator uses it: ours now */
		promote(p, &p->pending, now_ns);
		sodium_memzero(&p->pending, sizeof(p->pending));
		p->has_pending = 0;
	}
	return 1;
}

int gw_peer_rx(struct gw_peer *p, uint8_t *msg, size_t len, uint64_t now_ns,
	       uint8_t *reply, size_t *reply_len, size_t *inner_len)
{
	*reply_len = 0;
	if (len < 4)
		return drop(p, GW_DROP_MALFORMED);
	switch (msg[0]) {
	case GW_T_INIT:
		return take_init(p, msg, len, now_ns, reply, reply_len);
	case GW_T_RESP:
		return take_resp(p, msg, len, now_ns, reply, reply_len);
	case GW_T_WAKE:
		return take_wake(p, msg, len, now_ns);
	case GW_T_DATA:
		return take_data(p, msg, len, now_ns, inner_len);
	default:
		return drop(p, GW_DROP_MALFORMED);
	}
}

int gw_peer_seal(struct gw_peer *p, const uint8_t *inner, size_t len,
		 uint8_t *out, size_t cap, uint64_t now_ns)
{
	if (!p->has_cur || now_ns - p->cur.born_ns >= GW_REJECT_NS)
		return drop(p, GW_DROP_NO_SESSION);
	return gw_data_seal(&p->cur, inner, len, out, cap);
}

void gw_peer_wipe(struct gw_peer *p)
{
	sodium_memzero(p, sizeof(*p));
}
