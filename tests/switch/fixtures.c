// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The room switch program as a fixture table run through
 * BPF_PROG_TEST_RUN: {description, input frame, expected verdict, drop
 * reason, expected output frame}. Fixtures run in order and share the
 * switch's maps, so replay, rate and rotation cases build on each other.
 * Every case also checks that exactly the right counters moved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "osm_endpoint.h"
#include "switch.h"
#include "xdp_run.h"

enum { P_A, P_B, P_C, P_M, P_NR };	/* test ports; C is no switch port */
static uint32_t port[2 * P_NR];	/* the ports, then their veth peers */
static struct osm_switch *sw;

#define NS 1000000000ULL
#define PAY 16				/* default payload length */
#define FLEN (OSM_FRAME_HDR_LEN + PAY)
#define RPAY 500			/* payload on the rated circuit 2 */

enum mut {
	M_NONE,
	M_TRUNC,	/* cut the frame to arg bytes */
	M_VERTYPE,	/* set the version/type byte to arg */
	M_FLAGS,	/* set the reserved flags byte to arg */
	M_LEN,		/* set the payload length field to arg */
	M_FLIP,		/* flip a bit of the byte at frame offset arg */
	M_PAD,		/* append arg bytes of Ethernet padding */
	M_ETYPE,	/* set the EtherType to arg */
	M_SRC,		/* send from another source MAC */
	M_KEY,		/* tag under the wrong hop key */
	M_SEQ,		/* set the sequence number to arg after tagging */
};

struct fixture {
	const char *desc;
	void (*prep)(void);	/* map changes before this case */
	uint32_t circuit;
	uint64_t seq;
	uint32_t epoch;
	int port;
	int paylen;		/* 0: PAY */
	int type;		/* 0: OSM_T_DATA */
	enum mut mut;
	uint64_t arg;
	int verdict;
	int reason;		/* for XDP_DROP */
};

static void hop_key(uint8_t k[OSM_HOP_KEY_LEN], uint32_t circuit,
		    uint32_t epoch)
{
	int i;

	for (i = 0; i < OSM_HOP_KEY_LEN; i++)
		k[i] = (uint8_t)(circuit * 31 + epoch * 7 + i);
}

static void mac(uint8_t m[6], uint8_t a, uint8_t b)
{
	static const uint8_t base[6] = { 0x02, 0, 0, 0, 0, 0 };

	memcpy(m, base, 6);
	m[4] = a;
	m[5] = b;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* Circuit id on ingress `in`, egress `out`, one key of `epoch`. */
static void circuit(struct osm_circuit *c, uint32_t id, int in, int out,
		    uint32_t epoch)
{
	struct osm_key_slot *k = &c->key[osm_epoch_slot(epoch)];

	memset(c, 0, sizeof(*c));
	c->id = id;
	c->ingress_ifindex = port[in];
	c->egress_ifindex = port[out];
	mac(c->src_mac, 0x0a, 0x01);
	mac(c->dst_mac, 0x0b, (uint8_t)id);
	k->epoch = epoch;
	k->valid = 1;
	hop_key(k->hop_key, id, epoch);
}

static void add(struct osm_circuit *c)
{
	assert_int_equal(osm_switch_circuit_add(sw, c), 0);
}

static void provision(void)
{
	struct osm_circuit c;
	uint64_t now = now_ns();

	circuit(&c, 1, P_A, P_B, 1);
	add(&c);
	circuit(&c, 2, P_A, P_B, 1);	/* three frames of burst, no refill */
	c.rate = 1;		/* a sound burst holds the largest frame */
	c.burst = 3 * (OSM_FRAME_HDR_LEN + RPAY);
	add(&c);
	circuit(&c, 3, P_A, P_B, 1);	/* lease ran out a second ago */
	c.expires_ns = now - NS;
	add(&c);
	circuit(&c, 4, P_A, P_B, 1);	/* lease for another hour */
	c.expires_ns = now + 3600 * NS;
	add(&c);
	circuit(&c, 5, P_A, P_C, 1);	/* egress is not a switch port */
	add(&c);
	circuit(&c, 6, P_A, P_B, 1);
	c.flags = OSM_CF_DOWN;
	add(&c);
	/* A circuit without state (a slot past the state array's end):
	 * written behind the library's back. */
	circuit(&c, 7, P_A, P_B, 1);
	c.slot = UINT32_MAX;
	assert_int_equal(bpf_map_update_elem(osm_switch_map_fd(sw,
			 OSM_MAP_CIRCUITS), &c.id, &c, BPF_NOEXIST), 0);
	circuit(&c, 8, P_A, P_B, 4);	/* the rotation circuit */
	add(&c);
	circuit(&c, 9, P_M, P_B, 1);	/* enters on the management port */
	add(&c);
	circuit(&c, 10, P_A, P_B, 1);
	add(&c);
}

static void rotate_add5(void)
{
	uint8_t k[OSM_HOP_KEY_LEN];

	hop_key(k, 8, 5);
	assert_int_equal(osm_switch_circuit_key(sw, 8, 5, k), 0);
}

static void rotate_drop4(void)
{
	assert_int_equal(osm_switch_circuit_key(sw, 8, 4, NULL), 0);
}

static void rotate_add6(void)
{
	uint8_t k[OSM_HOP_KEY_LEN];

	hop_key(k, 8, 6);
	assert_int_equal(osm_switch_circuit_key(sw, 8, 6, k), 0);
}

/* Circuit 5's egress port joins the switch (tx_ports). */
static void egress_attach(void)
{
	assert_int_equal(osm_switch_attach(sw, port[P_C], 0), 0);
}

/* Circuit 6's egress comes up again. */
static void egress_up6(void)
{
	struct osm_circuit c;

	assert_int_equal(osm_switch_circuit_get(sw, 6, &c), 0);
	c.flags &= ~OSM_CF_DOWN;
	assert_int_equal(osm_switch_circuit_replace(sw, &c), 0);
}

/* The MTU of port B, where circuit 1's frames leave. */
static void mtu_b(int mtu)
{
	struct ifreq ifr = { .ifr_mtu = mtu };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0 && if_indextoname(port[P_B], ifr.ifr_name));
	assert_int_equal(ioctl(fd, SIOCSIFMTU, &ifr), 0);
	close(fd);
}

static void mtu_full(void)
{
	mtu_b(OSM_LINK_MTU_FULL);
}

static void mtu_std(void)
{
	mtu_b(OSM_LINK_MTU_MIN);
}

#define FWD XDP_REDIRECT
#define DROP(r) XDP_DROP, OSM_DROP_##r
#define MAXSEQ 0xffffffffffffffffULL
#define HOFF(x) (OSM_ETH_HLEN + OSM_OFF_##x)

static const struct fixture fixtures[] = {
	/* The valid forward and the replay window. */
	{ "valid frame is redirected, dst MAC rewritten", 0, 1, 1, 1, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	{ "same sequence number again is a replay", 0, 1, 1, 1, P_A, 0, 0, M_NONE, 0, DROP(REPLAY) },
	{ "higher sequence number 10 forwards", 0, 1, 10, 1, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	{ "older unseen 5 inside the window forwards", 0, 1, 5, 1, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	{ "5 again is a replay", 0, 1, 5, 1, P_A, 0, 0, M_NONE, 0, DROP(REPLAY) },
	{ "3000 slides the window", 0, 1, 3000, 1, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	{ "1015, one behind the window edge, is too old", 0, 1, 1015, 1, P_A, 0, 0, M_NONE, 0, DROP(REPLAY) },
	{ "1016, on the window edge, forwards", 0, 1, 1016, 1, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	{ "1016 again is a replay", 0, 1, 1016, 1, P_A, 0, 0, M_NONE, 0, DROP(REPLAY) },
	{ "all-ones sequence number is never accepted", 0, 1, MAXSEQ, 1, P_A, 0, 0, M_NONE, 0, DROP(REPLAY) },
	{ "tampered payload still forwards (switch never reads it)", 0, 1, 3001, 1, P_A, 0, 0, M_FLIP, OSM_FRAME_HDR_LEN + 3, FWD, 0 },
	/* Hop tag. */
	{ "hop tag bit flipped", 0, 1, 3002, 1, P_A, 0, 0, M_FLIP, HOFF(HOP_TAG) + 7, DROP(BAD_TAG) },
	{ "AEAD tag changed (the hop tag binds it)", 0, 1, 3002, 1, P_A, 0, 0, M_FLIP, HOFF(AEAD_TAG), DROP(BAD_TAG) },
	{ "sequence number changed after tagging", 0, 1, 3002, 1, P_A, 0, 0, M_SEQ, 3003, DROP(BAD_TAG) },
	{ "length field changed after tagging", 0, 1, 3002, 1, P_A, 0, 0, M_LEN, PAY - 1, DROP(BAD_TAG) },
	{ "tagged under another circuit's key", 0, 1, 3002, 1, P_A, 0, 0, M_KEY, 0, DROP(BAD_TAG) },
	{ "3002 forwards: bad tags left the window alone", 0, 1, 3002, 1, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	{ "3003 forwards", 0, 1, 3003, 1, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	/* Where it came from. */
	{ "wrong source MAC", 0, 1, 3004, 1, P_A, 0, 0, M_SRC, 0, DROP(WRONG_SRC) },
	{ "wrong ingress port", 0, 1, 3004, 1, P_C, 0, 0, M_NONE, 0, DROP(WRONG_PORT) },
	{ "fabric circuit arriving on the management port", 0, 1, 3004, 1, P_M, 0, 0, M_NONE, 0, DROP(WRONG_PORT) },
	{ "unknown circuit", 0, 999, 1, 1, P_A, 0, 0, M_NONE, 0, DROP(UNKNOWN) },
	{ "circuit without state counts as unknown", 0, 7, 1, 1, P_A, 0, 0, M_NONE, 0, DROP(UNKNOWN) },
	{ "epoch 2 has no key", 0, 1, 3004, 2, P_A, 0, 0, M_NONE, 0, DROP(STALE_EPOCH) },
	{ "epoch 3 shares slot 1 with epoch 1 but is not it", 0, 1, 3004, 3, P_A, 0, 0, M_NONE, 0, DROP(STALE_EPOCH) },
	/* Lease and egress. */
	{ "expired lease", 0, 3, 1, 1, P_A, 0, 0, M_NONE, 0, DROP(EXPIRED) },
	{ "lease an hour ahead forwards", 0, 4, 1, 1, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	{ "egress port missing from tx_ports", 0, 5, 1, 1, P_A, 0, 0, M_NONE, 0, DROP(EGRESS_DOWN) },
	{ "circuit flagged egress down", 0, 6, 1, 1, P_A, 0, 0, M_NONE, 0, DROP(EGRESS_DOWN) },
	{ "egress port in tx_ports now: number 1 forwards (the drop recorded nothing)", egress_attach, 5, 1, 1, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	{ "egress up again: number 1 forwards (the drop recorded nothing)", egress_up6, 6, 1, 1, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	/* Token bucket: burst of three frames, 1 byte/s refill. */
	{ "rate: 1st frame of the burst", 0, 2, 1, 1, P_A, RPAY, 0, M_NONE, 0, FWD, 0 },
	{ "rate: 2nd frame of the burst", 0, 2, 2, 1, P_A, RPAY, 0, M_NONE, 0, FWD, 0 },
	{ "rate: 3rd frame of the burst", 0, 2, 3, 1, P_A, RPAY, 0, M_NONE, 0, FWD, 0 },
	{ "rate: 4th frame is over rate", 0, 2, 4, 1, P_A, RPAY, 0, M_NONE, 0, DROP(OVER_RATE) },
	{ "rate: 4th again still over rate (not a replay)", 0, 2, 4, 1, P_A, RPAY, 0, M_NONE, 0, DROP(OVER_RATE) },
	{ "rate: a replay is not charged to the bucket", 0, 2, 1, 1, P_A, RPAY, 0, M_NONE, 0, DROP(REPLAY) },
	/* Key rotation on circuit 8: 4 -> 4+5 -> 5 -> 5+6. */
	{ "rotation: epoch 4 forwards", 0, 8, 1, 4, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	{ "rotation: epoch 5 installed next to 4 forwards", rotate_add5, 8, 2, 5, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	{ "rotation: epoch 4 still forwards while both live", 0, 8, 3, 4, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	{ "rotation: epoch 4 removed is rejected", rotate_drop4, 8, 4, 4, P_A, 0, 0, M_NONE, 0, DROP(STALE_EPOCH) },
	{ "rotation: epoch 5 forwards", 0, 8, 5, 5, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	{ "rotation: epoch 6 in slot 0 forwards", rotate_add6, 8, 6, 6, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	{ "rotation: epoch 4 in slot 0 after 6 is rejected", 0, 8, 7, 4, P_A, 0, 0, M_NONE, 0, DROP(STALE_EPOCH) },
	/* Truncation at every header boundary. */
	{ "truncated: Ethernet header only", 0, 1, 5000, 1, P_A, 0, 0, M_TRUNC, 14, DROP(MALFORMED) },
	{ "truncated: inside version/type", 0, 1, 5000, 1, P_A, 0, 0, M_TRUNC, 15, DROP(MALFORMED) },
	{ "truncated: after flags", 0, 1, 5000, 1, P_A, 0, 0, M_TRUNC, HOFF(LEN), DROP(MALFORMED) },
	{ "truncated: after length", 0, 1, 5000, 1, P_A, 0, 0, M_TRUNC, HOFF(CIRCUIT), DROP(MALFORMED) },
	{ "truncated: after circuit id", 0, 1, 5000, 1, P_A, 0, 0, M_TRUNC, HOFF(SEQ), DROP(MALFORMED) },
	{ "truncated: after sequence number", 0, 1, 5000, 1, P_A, 0, 0, M_TRUNC, HOFF(EPOCH), DROP(MALFORMED) },
	{ "truncated: after epoch", 0, 1, 5000, 1, P_A, 0, 0, M_TRUNC, HOFF(AEAD_TAG), DROP(MALFORMED) },
	{ "truncated: after AEAD tag", 0, 1, 5000, 1, P_A, 0, 0, M_TRUNC, HOFF(HOP_TAG), DROP(MALFORMED) },
	{ "truncated: hop tag one byte short", 0, 1, 5000, 1, P_A, 0, 0, M_TRUNC, OSM_FRAME_HDR_LEN - 1, DROP(MALFORMED) },
	{ "truncated: header complete, payload missing", 0, 1, 5000, 1, P_A, 0, 0, M_TRUNC, OSM_FRAME_HDR_LEN, DROP(MALFORMED) },
	{ "truncated: payload one byte short", 0, 1, 5000, 1, P_A, 0, 0, M_TRUNC, FLEN - 1, DROP(MALFORMED) },
	/* Header fields. */
	{ "version 2", 0, 1, 5000, 1, P_A, 0, 0, M_VERTYPE, 0x21, DROP(VERSION) },
	{ "version 0", 0, 1, 5000, 1, P_A, 0, 0, M_VERTYPE, 0x01, DROP(VERSION) },
	{ "type 0", 0, 1, 5000, 1, P_A, 0, 0, M_VERTYPE, 0x10, DROP(VERSION) },
	{ "type 3", 0, 1, 5000, 1, P_A, 0, 0, M_VERTYPE, 0x13, DROP(VERSION) },
	{ "reserved flags set", 0, 1, 5000, 1, P_A, 0, 0, M_FLAGS, 0x80, DROP(MALFORMED) },
	{ "length field over the maximum payload", 0, 1, 5000, 1, P_A, 0, 0, M_LEN, OSM_MAX_PAYLOAD + 1, DROP(MALFORMED) },
	{ "length field longer than the frame", 0, 1, 5000, 1, P_A, 0, 0, M_LEN, PAY + 1, DROP(MALFORMED) },
	{ "Ethernet padding after the payload is kept", 0, 1, 5000, 1, P_A, 0, 0, M_PAD, 20, FWD, 0 },
	{ "maximum payload forwards (egress MTU 1544)", mtu_full, 1, 5001, 1, P_A, OSM_MAX_PAYLOAD, 0, M_NONE, 0, FWD, 0 },
	{ "maximum payload towards MTU 1500: egress_down", mtu_std, 1, 4995, 1, P_A, OSM_MAX_PAYLOAD, 0, M_NONE, 0, DROP(EGRESS_DOWN) },
	{ "payload 1457 towards MTU 1500: egress_down", 0, 1, 4995, 1, P_A, 1457, 0, M_NONE, 0, DROP(EGRESS_DOWN) },
	{ "payload 1456 fits MTU 1500 (and 4995 was not recorded)", 0, 1, 4995, 1, P_A, 1456, 0, M_NONE, 0, FWD, 0 },
	{ "empty payload forwards", 0, 1, 5002, 1, P_A, -1, 0, M_NONE, 0, FWD, 0 },
	{ "control frame forwards", 0, 1, 5003, 1, P_A, 0, OSM_T_CTRL, M_NONE, 0, FWD, 0 },
	/* Not circuit frames. */
	{ "IPv4 on a fabric port", 0, 1, 6000, 1, P_A, 0, 0, M_ETYPE, 0x0800, DROP(NOT_CIRCUIT) },
	{ "VLAN-tagged frame on a fabric port", 0, 1, 6000, 1, P_A, 0, 0, M_ETYPE, 0x8100, DROP(NOT_CIRCUIT) },
	{ "IPv4 on the management port passes up", 0, 1, 6000, 1, P_M, 0, 0, M_ETYPE, 0x0800, XDP_PASS, 0 },
	{ "bare Ethernet header on the management port passes up", 0, 1, 6000, 1, P_M, 0, 0, M_ETYPE | 0, 0x0806, XDP_PASS, 0 },
	{ "management-port circuit forwards", 0, 9, 1, 1, P_M, 0, 0, M_NONE, 0, FWD, 0 },
	/* Sequence number 0. */
	{ "sequence number 0 is the first valid one", 0, 10, 0, 1, P_A, 0, 0, M_NONE, 0, FWD, 0 },
	{ "sequence number 0 again is a replay", 0, 10, 0, 1, P_A, 0, 0, M_NONE, 0, DROP(REPLAY) },
};
#define NFIX (sizeof(fixtures) / sizeof(fixtures[0]))

/* Seal the fixture's frame with the host endpoint library, then mutate. */
static size_t build(const struct fixture *fx, uint8_t *frame, size_t cap)
{
	struct osm_tx tx = { .circuit = fx->circuit, .type = OSM_T_DATA };
	uint8_t payload[OSM_MAX_PAYLOAD];
	size_t plen = fx->paylen < 0 ? 0 : fx->paylen ? fx->paylen : PAY;
	int n;

	if (fx->type)
		tx.type = (uint8_t)fx->type;
	mac(tx.src, 0x0a, 0x01);
	mac(tx.dst, 0xee, 0xee);
	tx.keys.epoch = fx->epoch;
	hop_key(tx.keys.hop, fx->mut == M_KEY ? fx->circuit + 1 : fx->circuit,
		fx->epoch);
	memset(tx.keys.e2e, 0x5e, sizeof(tx.keys.e2e));
	memset(payload, 0xa5, plen);
	n = osm_seal_seq(&tx, fx->seq == MAXSEQ ? 0 : fx->seq, payload, plen,
			 frame, cap);
	assert_true(n > 0);
	if (fx->seq == MAXSEQ) {	/* the library refuses to seal it */
		osm_put_be64(frame + HOFF(SEQ), MAXSEQ);
		osm_put_le64(frame + HOFF(HOP_TAG),
			     osm_hop_tag(frame + OSM_ETH_HLEN, tx.keys.hop));
	}
	switch (fx->mut) {
	case M_TRUNC: n = (int)fx->arg; break;
	case M_VERTYPE: frame[HOFF(VER_TYPE)] = (uint8_t)fx->arg; break;
	case M_FLAGS: frame[HOFF(FLAGS)] = (uint8_t)fx->arg; break;
	case M_LEN: osm_put_be16(frame + HOFF(LEN), (uint16_t)fx->arg); break;
	case M_FLIP: frame[fx->arg] ^= 0x01; break;
	case M_PAD: memset(frame + n, 0, fx->arg); n += (int)fx->arg; break;
	case M_ETYPE:
		osm_put_be16(frame + 12, (uint16_t)fx->arg);
		if (fx->arg == 0x0806)
			n = OSM_ETH_HLEN;
		break;
	case M_SRC: frame[11] ^= 0x40; break;
	case M_SEQ: osm_put_be64(frame + HOFF(SEQ), fx->arg); break;
	default: break;
	}
	return (size_t)n;
}

static void run_fixture(void **state)
{
	const struct fixture *fx = *state;
	uint8_t in[OSM_FRAME_HDR_LEN + OSM_MAX_PAYLOAD + 64], out[sizeof(in)];
	uint64_t before[OSM_REASON_MAX], after[OSM_REASON_MAX];
	struct osm_circuit_stats cs0 = { 0 }, cs1 = { 0 };
	struct osm_circuit c;
	size_t len, out_len = 0;
	int have_c, r, i;

	if (fx->prep)
		fx->prep();
	len = build(fx, in, sizeof(in));
	have_c = osm_switch_circuit_get(sw, fx->circuit, &c) == 0 &&
		 osm_switch_circuit_stats(sw, fx->circuit, &cs0) == 0;
	assert_int_equal(osm_switch_drop_stats(sw, before), 0);

	r = osm_xdprun(osm_switch_prog_fd(sw), port[fx->port], in, len,
			 out, sizeof(out), &out_len);
	assert_int_equal(r, fx->verdict);

	assert_int_equal(osm_switch_drop_stats(sw, after), 0);
	for (i = 0; i < OSM_REASON_MAX; i++) {
		uint64_t want = before[i];

		if (fx->verdict == XDP_DROP && i == fx->reason)
			want++;
		if (after[i] != want)
			fail_msg("drop counter %s: %llu, want %llu",
				 osm_reason_name(i),
				 (unsigned long long)after[i],
				 (unsigned long long)want);
	}
	if (have_c) {
		assert_int_equal(osm_switch_circuit_stats(sw, fx->circuit,
							  &cs1), 0);
		if (fx->verdict == XDP_REDIRECT) {
			assert_int_equal(cs1.frames, cs0.frames + 1);
			assert_int_equal(cs1.bytes, cs0.bytes + len);
			assert_int_equal(cs1.drops, cs0.drops);
		} else if (fx->verdict == XDP_DROP) {
			/* Dropped before the circuit lookup: not its drop. */
			int mine = fx->reason >= OSM_DROP_UNKNOWN &&
				   fx->reason <= OSM_DROP_EGRESS_DOWN;

			assert_int_equal(cs1.frames, cs0.frames);
			assert_int_equal(cs1.drops, cs0.drops + (mine ? 1 : 0));
		}
	}
	/* The frame leaves as it came, but for the rewritten destination. */
	assert_int_equal(out_len, len);
	if (fx->verdict == XDP_REDIRECT)
		memcpy(in, c.dst_mac, 6);
	assert_memory_equal(out, in, len);
}

static int group_setup(void **state)
{
	(void)state;
	libbpf_set_print(NULL);
	if (osm_xdprun_netns("osw", P_NR, port) < 0)
		return -1;
	if (osm_switch_load(&sw, "fixtures", 0, OSM_SW_NOPIN) < 0)
		return -1;
	if (osm_switch_attach(sw, port[P_A], 0) < 0 ||
	    osm_switch_attach(sw, port[P_B], 0) < 0 ||
	    osm_switch_attach(sw, port[P_M], 0) < 0 ||
	    osm_switch_port_set(sw, port[P_M], OSM_PF_MGMT) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	osm_switch_close(sw);
	return 0;
}

static void test_provision(void **state)
{
	uint32_t id, insns;

	(void)state;
	assert_int_equal(osm_switch_prog_info(sw, &id, &insns), 0);
	print_message("# switch_xdp loaded: verifier processed %u "
		      "instructions\n", insns);
	assert_true(insns > 0);
	provision();
}

int main(void)
{
	static struct CMUnitTest tests[NFIX + 1];
	size_t i;

	tests[0] = (struct CMUnitTest){ .name = "provision circuits 1-10",
					.test_func = test_provision };
	for (i = 0; i < NFIX; i++)
		tests[i + 1] = (struct CMUnitTest){
			.name = fixtures[i].desc,
			.test_func = run_fixture,
			.initial_state = (void *)&fixtures[i],
		};
	return _cmocka_run_group_tests("switch_fixtures", tests, NFIX + 1,
				       group_setup, group_teardown);
}
