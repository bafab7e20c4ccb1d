// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Seal/open round trips; every single-bit flip of header, tags and payload
 * is rejected with the right reason, by the endpoint (osm_open) and by the
 * switch decision (osm_decide); truncation at every byte is rejected
 * without reading past the end (this runs under ASan and UBSan). And the
 * header's circuit-id and epoch-slot rules, and osm_receive()'s order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>
#include "osm_endpoint.h"

#define IFIN	3
#define IFOUT	4

static struct osm_tx tx;
static struct osm_circuit circ;
static struct osm_circuit_state cst;

static int setup(void **state)
{
	(void)state;
	memset(&tx, 0, sizeof(tx));
	tx.circuit = 0x1234;
	tx.type = OSM_T_DATA;
	memcpy(tx.src, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(tx.dst, "\x02\x00\x00\x00\x00\x02", 6);
	tx.keys.epoch = 3;
	randombytes_buf(tx.keys.hop, sizeof(tx.keys.hop));
	randombytes_buf(tx.keys.e2e, sizeof(tx.keys.e2e));

	memset(&circ, 0, sizeof(circ));
	memset(&cst, 0, sizeof(cst));
	circ.id = tx.circuit;
	circ.ingress_ifindex = IFIN;
	circ.egress_ifindex = IFOUT;
	memcpy(circ.src_mac, tx.src, 6);
	memcpy(circ.dst_mac, tx.dst, 6);
	circ.key[1].epoch = 3;
	circ.key[1].valid = 1;
	memcpy(circ.key[1].hop_key, tx.keys.hop, OSM_HOP_KEY_LEN);
	return 0;
}

static void rx_for(struct osm_rx *rx, const struct osm_tx *t)
{
	memset(rx, 0, sizeof(*rx));
	rx->circuit = t->circuit;
	osm_rx_set_keys(rx, &t->keys);
}

/* The switch decision on a frame, with fresh state (no replay history). */
static int decide(const osm_u8 *frame, size_t len)
{
	struct osm_frame f;
	int r = osm_parse(frame, (osm_u32)len, &f);

	if (r != OSM_OK)
		return r;
	memset(&cst, 0, sizeof(cst));
	return osm_decide(&f, f.circuit == circ.id ? &circ : NULL,
			  f.circuit == circ.id ? &cst : NULL, IFIN, 1, 1000);
}

static void round_trip(void **state)
{
	static const size_t lens[] = { 0, 1, 13, 100, 1499, 1500 };
	osm_u8 pl[1500], frame[2048], out[1500];
	struct osm_frame f;
	struct osm_rx rx;
	size_t i, olen;
	int n;

	(void)state;
	rx_for(&rx, &tx);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		randombytes_buf(pl, lens[i]);
		n = osm_seal(&tx, pl, lens[i], frame, sizeof(frame));
		assert_int_equal(n, OSM_FRAME_HDR_LEN + lens[i]);
		assert_int_equal(decide(frame, (size_t)n), OSM_OK);
		assert_int_equal(osm_open(&rx, frame, (size_t)n, &f, out,
					  sizeof(out), &olen), OSM_OK);
		assert_int_equal(olen, lens[i]);
		assert_memory_equal(out, pl, lens[i]);
		assert_int_equal(f.seq, i);
		/* The same frame again is a replay. */
		assert_int_equal(osm_open(&rx, frame, (size_t)n, &f, out,
					  sizeof(out), &olen), OSM_DROP_REPLAY);
	}
	assert_int_equal(osm_seal(&tx, pl, 1501, frame, sizeof(frame)),
			 -EMSGSIZE);
	assert_int_equal(osm_seal(&tx, pl, 100, frame, 157), -EMSGSIZE);
	assert_int_equal(osm_seal_seq(&tx, OSM_SEQ_INVALID, pl, 1, frame,
				      sizeof(frame)), -EINVAL);
	/* Ethernet padding after the payload is ignored. */
	n = osm_seal(&tx, pl, 1, frame, sizeof(frame));
	memset(frame + n, 0, 10);
	assert_int_equal(osm_open(&rx, frame, (size_t)n + 10, &f, out,
				  sizeof(out), &olen), OSM_OK);
	assert_int_equal(olen, 1);
}

/* What the endpoint must say of a frame with a bit of byte i flipped
 * (i counts from the start of the Ethernet frame). */
static int expect_open(size_t i, const osm_u8 *flipped, size_t len)
{
	size_t h = i - OSM_ETH_HLEN;

	if (i < 12)
		return OSM_OK;		/* MACs are not the endpoint's business */
	if (i < OSM_ETH_HLEN)
		return OSM_DROP_NOT_CIRCUIT;
	if (h == OSM_OFF_VER_TYPE)
		return OSM_DROP_VERSION;
	if (h == OSM_OFF_FLAGS)
		return OSM_DROP_MALFORMED;
	if (h < OSM_OFF_CIRCUIT)
		return osm_get_be16(flipped + OSM_ETH_HLEN + OSM_OFF_LEN) >
		       len - OSM_FRAME_HDR_LEN ? OSM_DROP_MALFORMED
					       : OSM_DROP_BAD_TAG;
	if (h < OSM_OFF_SEQ)
		return OSM_DROP_UNKNOWN;
	if (h < OSM_OFF_EPOCH)
		return OSM_DROP_BAD_TAG;
	if (h < OSM_OFF_AEAD_TAG)
		return OSM_DROP_STALE_EPOCH;
	if (h < OSM_HDR_LEN)
		return OSM_DROP_BAD_TAG;	/* AEAD or hop tag */
	return OSM_DROP_BAD_AEAD;		/* payload */
}

/* The switch sees the same, except that it checks the source MAC and
 * cannot see the payload. */
static int expect_decide(size_t i, const osm_u8 *flipped, size_t len)
{
	if (i < 6)
		return OSM_OK;
	if (i < 12)
		return OSM_DROP_WRONG_SRC;
	if (i >= OSM_FRAME_HDR_LEN)
		return OSM_OK;
	return expect_open(i, flipped, len);
}

static void every_bit_flip(void **state)
{
	osm_u8 pl[64], frame[256], bad[256], out[256];
	struct osm_frame f;
	struct osm_rx rx;
	size_t i, olen, len;
	int bit, n, r;

	(void)state;
	randombytes_buf(pl, sizeof(pl));
	n = osm_seal(&tx, pl, sizeof(pl), frame, sizeof(frame));
	assert_true(n > 0);
	len = (size_t)n;
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, frame, len);
			bad[i] ^= (osm_u8)(1u << bit);
			rx_for(&rx, &tx);
			r = osm_open(&rx, bad, len, &f, out, sizeof(out), &olen);
			if (r != expect_open(i, bad, len))
				fail_msg("open: byte %zu bit %d: got %s", i, bit,
					 osm_reason_name(r));
			r = decide(bad, len);
			if (r != expect_decide(i, bad, len))
				fail_msg("decide: byte %zu bit %d: got %s", i,
					 bit, osm_reason_name(r));
			/* A rejected frame left the window untouched: the
			 * original still opens. */
			if (i >= 12)
				assert_int_equal(osm_open(&rx, frame, len, &f,
							  out, sizeof(out),
							  &olen), OSM_OK);
		}
	}
}

static void every_truncation(void **state)
{
	osm_u8 pl[40], frame[256], out[256];
	struct osm_frame f;
	struct osm_rx rx;
	size_t cut, olen;
	osm_u8 *copy;
	int n;

	(void)state;
	randombytes_buf(pl, sizeof(pl));
	n = osm_seal(&tx, pl, sizeof(pl), frame, sizeof(frame));
	rx_for(&rx, &tx);
	for (cut = 0; cut < (size_t)n; cut++) {
		/* Exactly cut bytes on the heap: ASan sees any over-read. */
		copy = malloc(cut ? cut : 1);
		assert_non_null(copy);
		memcpy(copy, frame, cut);
		assert_int_equal(osm_open(&rx, copy, cut, &f, out, sizeof(out),
					  &olen), OSM_DROP_MALFORMED);
		assert_int_equal(decide(copy, cut), OSM_DROP_MALFORMED);
		free(copy);
	}
	/* The whole frame still opens: truncations touched nothing. */
	assert_int_equal(osm_open(&rx, frame, (size_t)n, &f, out, sizeof(out),
				  &olen), OSM_OK);
}

static void epochs(void **state)
{
	osm_u8 frame[128], out[128];
	struct osm_tx old = tx;
	struct osm_keys k4 = tx.keys;
	struct osm_frame f;
	struct osm_rx rx;
	size_t olen;
	int n;

	(void)state;
	rx_for(&rx, &tx);
	k4.epoch = 4;
	randombytes_buf(k4.hop, sizeof(k4.hop));
	randombytes_buf(k4.e2e, sizeof(k4.e2e));
	tx.keys = k4;
	n = osm_seal(&tx, "x", 1, frame, sizeof(frame));
	assert_int_equal(osm_open(&rx, frame, (size_t)n, &f, out, sizeof(out),
				  &olen), OSM_DROP_STALE_EPOCH);
	osm_rx_set_keys(&rx, &k4);		/* rotation: 3 and 4 live */
	assert_int_equal(osm_open(&rx, frame, (size_t)n, &f, out, sizeof(out),
				  &olen), OSM_OK);
	old.next_seq = 100;
	n = osm_seal(&old, "y", 1, frame, sizeof(frame));
	assert_int_equal(osm_open(&rx, frame, (size_t)n, &f, out, sizeof(out),
				  &olen), OSM_OK);
	osm_rx_drop_epoch(&rx, 3);		/* the old key dies */
	n = osm_seal(&old, "z", 1, frame, sizeof(frame));
	assert_int_equal(osm_open(&rx, frame, (size_t)n, &f, out, sizeof(out),
				  &olen), OSM_DROP_STALE_EPOCH);
	/* Epoch 5 lands in slot 1, where 3 was: 3 stays dead. */
	k4.epoch = 5;
	osm_rx_set_keys(&rx, &k4);
	n = osm_seal(&old, "z", 1, frame, sizeof(frame));
	assert_int_equal(osm_open(&rx, frame, (size_t)n, &f, out, sizeof(out),
				  &olen), OSM_DROP_STALE_EPOCH);
}

static void wrong_keys(void **state)
{
	osm_u8 frame[128], out[128];
	struct osm_tx other = tx;
	struct osm_frame f;
	struct osm_rx rx;
	size_t olen;
	int n;

	(void)state;
	rx_for(&rx, &tx);
	randombytes_buf(other.keys.hop, sizeof(other.keys.hop));
	n = osm_seal(&other, "abc", 3, frame, sizeof(frame));
	assert_int_equal(osm_open(&rx, frame, (size_t)n, &f, out, sizeof(out),
				  &olen), OSM_DROP_BAD_TAG);
	assert_int_equal(decide(frame, (size_t)n), OSM_DROP_BAD_TAG);
	/* Right hop key, wrong e2e key: the switch forwards it, the
	 * endpoint refuses it, and its number stays unused. */
	other = tx;
	randombytes_buf(other.keys.e2e, sizeof(other.keys.e2e));
	n = osm_seal_seq(&other, 7, "abc", 3, frame, sizeof(frame));
	assert_int_equal(decide(frame, (size_t)n), OSM_OK);
	assert_int_equal(osm_open(&rx, frame, (size_t)n, &f, out, sizeof(out),
				  &olen), OSM_DROP_BAD_AEAD);
	n = osm_seal_seq(&tx, 7, "abc", 3, frame, sizeof(frame));
	assert_int_equal(osm_open(&rx, frame, (size_t)n, &f, out, sizeof(out),
				  &olen), OSM_OK);
	/* A payload larger than the caller's buffer is refused. */
	n = osm_seal_seq(&tx, 8, "abcdef", 6, frame, sizeof(frame));
	assert_int_equal(osm_open(&rx, frame, (size_t)n, &f, out, 5, &olen),
			 OSM_DROP_MALFORMED);
}

static void switch_checks(void **state)
{
	osm_u8 frame[128];
	struct osm_frame f;
	int n;

	(void)state;
	n = osm_seal(&tx, "abc", 3, frame, sizeof(frame));
	assert_int_equal(osm_parse(frame, (osm_u32)n, &f), OSM_OK);
	assert_int_equal(osm_decide(&f, NULL, NULL, IFIN, 1, 1),
			 OSM_DROP_UNKNOWN);
	assert_int_equal(osm_decide(&f, &circ, &cst, IFOUT, 1, 1),
			 OSM_DROP_WRONG_PORT);
	circ.expires_ns = 1000;
	assert_int_equal(osm_decide(&f, &circ, &cst, IFIN, 1, 999), OSM_OK);
	memset(&cst, 0, sizeof(cst));
	assert_int_equal(osm_decide(&f, &circ, &cst, IFIN, 1, 1000),
			 OSM_DROP_EXPIRED);
	circ.expires_ns = 0;
	circ.flags = OSM_CF_DOWN;
	assert_int_equal(osm_decide(&f, &circ, &cst, IFIN, 1, 1),
			 OSM_DROP_EGRESS_DOWN);
	circ.flags = 0;
	/* the egress port cannot take it: egress_down, before the key */
	circ.key[1].valid = 0;
	assert_int_equal(osm_decide(&f, &circ, &cst, IFIN, 0, 1),
			 OSM_DROP_EGRESS_DOWN);
	assert_int_equal(osm_decide(&f, &circ, &cst, IFIN, 1, 1),
			 OSM_DROP_STALE_EPOCH);
	circ.key[1].valid = 1;
	assert_int_equal(osm_decide(&f, &circ, &cst, IFIN, 1, 1), OSM_OK);
	assert_int_equal(osm_decide(&f, &circ, &cst, IFIN, 1, 1),
			 OSM_DROP_REPLAY);
	/* Rate: 61 bytes a frame (58 + 3); burst of two frames. */
	memset(&cst, 0, sizeof(cst));
	circ.rate = 61;
	circ.burst = 122;
	assert_int_equal(osm_decide(&f, &circ, &cst, IFIN, 1, 1), OSM_OK);
	n = osm_seal(&tx, "abc", 3, frame, sizeof(frame));
	osm_parse(frame, (osm_u32)n, &f);
	assert_int_equal(osm_decide(&f, &circ, &cst, IFIN, 1, 1), OSM_OK);
	n = osm_seal(&tx, "abc", 3, frame, sizeof(frame));
	osm_parse(frame, (osm_u32)n, &f);
	assert_int_equal(osm_decide(&f, &circ, &cst, IFIN, 1, 1),
			 OSM_DROP_OVER_RATE);
	/* Dropped for rate: its number was not recorded. */
	assert_int_equal(osm_decide(&f, &circ, &cst, IFIN, 1,
				    1 + 1000000000ULL), OSM_OK);
}

/* Control circuit ids (docs/protocol.md 7.1): encoded, told from data
 * ids, and decoded back. */
/* 1 one time in n. */
static int one_in(unsigned n)
{
	return randombytes_uniform(n) == 0;
}

/* A frame dropped for any reason leaves the circuit's replay window and
 * bucket as they were (docs/protocol.md 6.1): random circuits, histories
 * and frames, each check failing one time in 8, every reason of the
 * decision seen. */
static void drops_keep_state(void **state)
{
	struct osm_circuit_state before;
	unsigned seen[OSM_REASON_MAX] = { 0 };
	osm_u8 frame[128];
	struct osm_circuit c;
	struct osm_frame f;
	int i, k, n, r;

	(void)state;
	for (i = 0; i < 100000; i++) {
		memset(&cst, 0, sizeof(cst));
		for (k = (int)randombytes_uniform(8); k > 0; k--)
			osm_window_accept(&cst.window, randombytes_uniform(64));
		/* never used, or last refilled before, at or after now */
		cst.bucket.credit = randombytes_uniform(200) * 1000000000ULL;
		cst.bucket.last_ns = one_in(4) ? 0 : randombytes_uniform(2000);
		tx.next_seq = randombytes_uniform(64);
		n = osm_seal(&tx, "abc", 3, frame, sizeof(frame));
		if (one_in(8))
			frame[OSM_ETH_HLEN + OSM_OFF_HOP_TAG] ^= 1;
		assert_int_equal(osm_parse(frame, (osm_u32)n, &f), OSM_OK);
		c = circ;
		c.ingress_ifindex = one_in(8) ? IFOUT : IFIN;
		c.src_mac[0] ^= one_in(8) ? 2 : 0;
		c.expires_ns = one_in(8) ? 500 : one_in(2) ? 5000 : 0;
		c.flags = one_in(8) ? OSM_CF_DOWN : 0;
		c.key[1].valid = !one_in(8);
		c.rate = one_in(2) ? 61 : 0;
		c.burst = c.rate ? 40 + randombytes_uniform(120) : 0;
		before = cst;
		r = osm_decide(&f, &c, &cst, IFIN, !one_in(8), 1000);
		assert_true(r >= 0 && r < OSM_REASON_MAX);
		seen[r]++;
		if (r != OSM_OK)
			assert_memory_equal(&before, &cst, sizeof(cst));
	}
	for (r = OSM_DROP_WRONG_PORT; r <= OSM_DROP_EGRESS_DOWN; r++)
		assert_true(seen[r] > 0);
	assert_true(seen[OSM_OK] > 0);
	circ.key[1].valid = 1;
}

static void circuit_ids(void **state)
{
	static const osm_u32 devs[] = { 0, 1, 7, 0x12345, OSM_DEVICE_ID_MAX };
	osm_u32 id;
	size_t i;
	int dir;

	(void)state;
	assert_int_equal(osm_ctrl_circuit(7, OSM_CTRL_UP), 0x8000000eu);
	assert_int_equal(osm_ctrl_circuit(7, OSM_CTRL_DOWN), 0x8000000fu);
	assert_int_equal(OSM_DATA_CIRCUIT_MAX, 0x7fffffffu);
	assert_false(osm_circuit_is_ctrl(0));
	assert_false(osm_circuit_is_ctrl(OSM_DATA_CIRCUIT_MAX));
	assert_true(osm_circuit_is_ctrl(OSM_DATA_CIRCUIT_MAX + 1));
	assert_true(osm_circuit_is_ctrl(0xffffffffu));
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		for (dir = OSM_CTRL_UP; dir <= OSM_CTRL_DOWN; dir++) {
			id = osm_ctrl_circuit(devs[i], dir);
			assert_true(osm_circuit_is_ctrl(id));
			assert_int_equal(osm_ctrl_device(id), devs[i]);
			assert_int_equal(osm_ctrl_dir(id), dir);
		}
	}
	/* Ids beyond the range wrap into it rather than reach other bits. */
	assert_int_equal(osm_ctrl_circuit(OSM_DEVICE_ID_MAX + 1, OSM_CTRL_UP),
			 OSM_CIRCUIT_CTRL_BIT);
}

/* The slot of an epoch is the one the switch decision and osm_open look
 * in: e & 1, so that e and e + 1 live side by side. */
static void epoch_slots(void **state)
{
	osm_u8 frame[128], out[128];
	struct osm_frame f;
	struct osm_rx rx;
	size_t olen;
	osm_u32 e;
	int n;

	(void)state;
	for (e = 0; e < 8; e++) {
		assert_int_equal(osm_epoch_slot(e), e & 1);
		assert_int_not_equal(osm_epoch_slot(e), osm_epoch_slot(e + 1));
	}
	assert_int_equal(osm_epoch_slot(0xffffffffu), 1);
	/* control epochs: the join's in slot 1, every session's in slot 0,
	 * each session's its own, the last one within 32 bits */
	assert_int_equal(osm_ctrl_epoch(0), OSM_CTRL_JOIN_EPOCH);
	assert_int_equal(osm_epoch_slot(OSM_CTRL_JOIN_EPOCH), 1);
	assert_int_equal(osm_ctrl_epoch(1), 2);
	assert_int_equal(osm_ctrl_epoch(7), 14);
	assert_int_equal(osm_ctrl_epoch(OSM_SESSION_MAX), 0xfffffffeu);
	for (e = 1; e < 8; e++)
		assert_int_equal(osm_epoch_slot(osm_ctrl_epoch(e)), 0);
	/* tx is under epoch 3: setup put its hop key in circ.key[1]. */
	assert_int_equal(osm_epoch_slot(tx.keys.epoch), 1);
	n = osm_seal(&tx, "abc", 3, frame, sizeof(frame));
	assert_int_equal(decide(frame, (size_t)n), OSM_OK);
	rx_for(&rx, &tx);
	assert_true(rx.valid[1] && !rx.valid[0]);
	assert_int_equal(osm_open(&rx, frame, (size_t)n, &f, out, sizeof(out),
				  &olen), OSM_OK);
}

/* A crypto-free endpoint for osm_receive(): one circuit, and an AEAD that
 * answers what it is told and records what it was given. */
struct fake_ep {
	osm_u32 circuit;
	osm_u32 epoch[2], valid[2];
	osm_u8 hop[2][OSM_HOP_KEY_LEN];
	osm_u8 e2e[2][OSM_E2E_KEY_LEN];
	struct osm_replay replay;
	unsigned int slot;		/* the slot find was asked for */
	int aead_ret, aead_calls;
	osm_u8 nonce[OSM_NONCE_LEN];	/* the last nonce the AEAD got */
	const osm_u8 *e2e_seen;		/* the last key the AEAD got */
};

static int siphash_calls;

static int fake_find(void *ctx, osm_u32 circuit, unsigned int slot,
		     struct osm_rx_slot *s)
{
	struct fake_ep *ep = ctx;

	if (circuit != ep->circuit)
		return 0;
	ep->slot = slot;
	s->replay = &ep->replay;
	s->hop = ep->hop[slot];
	s->e2e = ep->e2e[slot];
	s->epoch = ep->epoch[slot];
	s->valid = ep->valid[slot];
	return 1;
}

static osm_u64 fake_siphash(const osm_u8 *in, osm_u32 len,
			    const osm_u8 key[OSM_HOP_KEY_LEN])
{
	siphash_calls++;
	return osm_siphash24(in, len, key);
}

static int fake_aead(void *ctx, const struct osm_frame *f,
		     const osm_u8 nonce[OSM_NONCE_LEN],
		     const osm_u8 e2e[OSM_E2E_KEY_LEN])
{
	struct fake_ep *ep = ctx;

	(void)f;
	ep->aead_calls++;
	memcpy(ep->nonce, nonce, OSM_NONCE_LEN);
	ep->e2e_seen = e2e;
	return ep->aead_ret;
}

static const struct osm_receive_ops fake_ops = {
	.find = fake_find,
	.aead_open = fake_aead,
};

static const struct osm_receive_ops fake_ops_sip = {
	.find = fake_find,
	.siphash = fake_siphash,
	.aead_open = fake_aead,
};

/* osm_receive(): each check in its order, the AEAD reached only by a
 * frame that passed the rest, the window written only after it opened. */
static void receive_order(void **state)
{
	struct fake_ep ep = { .circuit = tx.circuit };
	osm_u8 frame[128], want[OSM_NONCE_LEN];
	struct osm_tx other = tx;
	struct osm_frame f;
	osm_u32 len;
	int n;

	(void)state;
	ep.epoch[1] = tx.keys.epoch;
	ep.valid[1] = 1;
	memcpy(ep.hop[1], tx.keys.hop, OSM_HOP_KEY_LEN);
	n = osm_seal_seq(&tx, 9, "abcd", 4, frame, sizeof(frame));
	len = (osm_u32)n;

	/* Parse errors come first, and untouched. */
	assert_int_equal(osm_receive(frame, OSM_FRAME_HDR_LEN - 1, 100, &f,
				     &fake_ops, &ep), OSM_DROP_MALFORMED);
	ep.circuit = tx.circuit + 1;
	assert_int_equal(osm_receive(frame, len, 100, &f, &fake_ops, &ep),
			 OSM_DROP_UNKNOWN);
	ep.circuit = tx.circuit;
	ep.valid[1] = 0;
	assert_int_equal(osm_receive(frame, len, 100, &f, &fake_ops, &ep),
			 OSM_DROP_STALE_EPOCH);
	assert_int_equal(ep.slot, osm_epoch_slot(tx.keys.epoch));
	ep.valid[1] = 1;
	ep.epoch[1] = tx.keys.epoch + 2;	/* same slot, another epoch */
	assert_int_equal(osm_receive(frame, len, 100, &f, &fake_ops, &ep),
			 OSM_DROP_STALE_EPOCH);
	ep.epoch[1] = tx.keys.epoch;
	randombytes_buf(other.keys.hop, sizeof(other.keys.hop));
	n = osm_seal_seq(&other, 9, "abcd", 4, frame, sizeof(frame));
	assert_int_equal(osm_receive(frame, (osm_u32)n, 100, &f, &fake_ops,
				     &ep), OSM_DROP_BAD_TAG);
	n = osm_seal_seq(&tx, 9, "abcd", 4, frame, sizeof(frame));
	assert_int_equal(osm_receive(frame, len, 3, &f, &fake_ops, &ep),
			 OSM_DROP_MALFORMED);
	assert_int_equal(ep.aead_calls, 0);

	/* The AEAD refuses it: counted, and its number stays unused. */
	ep.aead_ret = -1;
	assert_int_equal(osm_receive(frame, len, 4, &f, &fake_ops, &ep),
			 OSM_DROP_BAD_AEAD);
	assert_int_equal(ep.aead_calls, 1);
	osm_nonce(want, tx.circuit, 9);
	assert_memory_equal(ep.nonce, want, OSM_NONCE_LEN);
	assert_ptr_equal(ep.e2e_seen, ep.e2e[1]);
	assert_true(osm_replay_check(&ep.replay, 9));

	/* It opens: recorded; again, a replay the AEAD never sees. */
	ep.aead_ret = 0;
	assert_int_equal(osm_receive(frame, len, 4, &f, &fake_ops, &ep),
			 OSM_OK);
	assert_int_equal(f.seq, 9);
	assert_int_equal(f.len, 4);
	assert_false(osm_replay_check(&ep.replay, 9));
	assert_int_equal(osm_receive(frame, len, 4, &f, &fake_ops, &ep),
			 OSM_DROP_REPLAY);
	assert_int_equal(ep.aead_calls, 2);

	/* A target's own SipHash serves the hop tag when it names one. */
	siphash_calls = 0;
	n = osm_seal_seq(&tx, 10, "abcd", 4, frame, sizeof(frame));
	assert_int_equal(osm_receive(frame, (osm_u32)n, 4, &f, &fake_ops_sip,
				     &ep), OSM_OK);
	assert_int_equal(siphash_calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(round_trip, setup),
		cmocka_unit_test_setup(every_bit_flip, setup),
		cmocka_unit_test_setup(every_truncation, setup),
		cmocka_unit_test_setup(epochs, setup),
		cmocka_unit_test_setup(wrong_keys, setup),
		cmocka_unit_test_setup(switch_checks, setup),
		cmocka_unit_test_setup(drops_keep_state, setup),
		cmocka_unit_test_setup(circuit_ids, setup),
		cmocka_unit_test_setup(epoch_slots, setup),
		cmocka_unit_test_setup(receive_order, setup),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
