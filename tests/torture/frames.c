// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The hostile-frames campaign (docs/reliability.md): millions of frames,
 * valid and hostile interleaved on the same circuits, into a live switch
 * in a private netns:
 *
 *   ports: t0 (every circuit's ingress), t1 (another port of the switch,
 *   for wrong-port frames), t2 (every circuit's egress; t2p: XDP_DROP sink)
 *
 * Each frame's verdict is predicted by a model of the switch: the same
 * osm_decide() built for the host, over copies of the circuits and their
 * replay windows, fed the frames in the order the switch receives them.
 * Circuits: plain ones, one with a rate (over-rate bursts: forwarded or
 * over_rate, which depends on time), one whose lease has run out, one
 * deleted partway (its frames then "unknown"), one whose person leaves
 * partway (its key rotated to the next epoch, the old one removed: frames
 * under the old key then "stale_epoch", sent at once after the change).
 * At the end the switch's counters must equal the model's: per reason,
 * and forwarded per circuit; the sink must have received every forwarded
 * frame. Prints TAP and "# figure frames.NAME VALUE" lines.
 *
 * usage: frames [FRAMES [SEED]]   (default 200000 frames)
 */
#include <errno.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <sodium.h>
#include "tap.h"
#include "osm_endpoint.h"
#include "osm_keys.h"
#include "pktgen.h"
#include "switch.h"
#include "xdp_run.h"

#define EPOCH		6
#define FIRST_ID	100
#define UNKNOWN_ID	999
#define INFLIGHT_MAX	128	/* frames sent and not yet decided */

enum role { C_PLAIN, C_RATED, C_EXPIRED, C_DELETED, C_LEAVER };
static const enum role roles[] = {
	C_PLAIN, C_PLAIN, C_PLAIN, C_PLAIN, C_RATED, C_EXPIRED, C_DELETED,
	C_LEAVER,
};
#define NCIRC	(sizeof(roles) / sizeof(roles[0]))
#define DELETED_AT	6	/* roles[DELETED_AT] == C_DELETED */
#define LEAVER_AT	7

struct circ {
	enum role role;
	struct osm_circuit c;		/* as installed; the model's copy */
	struct osm_circuit_state st;	/* the model's state */
	struct osm_tx tx;		/* current keys; next_seq even */
	struct osm_keys old;		/* the leaver's keys before the leave */
	int gone;			/* deleted from the switch */
	uint8_t last[PG_FRAME_MAX];	/* last frame the model forwarded */
	int last_len;
	uint64_t last_seq;
	uint64_t fwd_want;		/* forwards the model predicts */
	uint64_t rated_sent;		/* C_RATED: forward or over_rate */
};

/* The kinds of frame, with their weights. */
#define KINDS(X) \
	X(valid, 300)		/* a fresh frame on a live circuit */	\
	X(random, 40)		/* random bytes, random ethertype */	\
	X(truncated, 40)	/* every cut of a valid frame in turn */ \
	X(bit_flip, 100)	/* each bit of a valid frame in turn */	\
	X(replay_exact, 30)	/* the circuit's last forwarded frame */ \
	X(replay_resealed, 20)	/* its sequence number sealed anew */	\
	X(replay_far, 20)	/* far behind the window */		\
	X(window_edge, 40)	/* unseen numbers around the edge */	\
	X(wrong_port, 30)	/* a valid frame on another port */	\
	X(wrong_src, 30)	/* from another source MAC */		\
	X(stale_epoch, 20)	/* sealed for an epoch two behind */	\
	X(future_epoch, 20)	/* and for the next one */		\
	X(expired, 20)		/* on the circuit whose lease ran out */ \
	X(over_rate, 4)		/* on the rated circuit, 16 in a row */	\
	X(unknown, 20)		/* a circuit no switch holds */		\
	X(vlan, 20)		/* a valid frame with an 802.1Q tag */	\
	X(trailing, 20)		/* a valid frame with bytes after it */	\
	X(deleted, 20)		/* the deleted circuit's, before and after */ \
	X(leaver, 20)		/* the leaver's old key, before and after */
#define K_ENUM(n, w) K_##n,
enum kind { KINDS(K_ENUM) K_MAX };
#define K_NAME(n, w) #n,
static const char *kind_name[] = { KINDS(K_NAME) };
#define K_W(n, w) w,
static const int kind_w[] = { KINDS(K_W) };

/* What the model predicts: a reason, or forward-or-over_rate. */
#define V_RATED	OSM_REASON_MAX

static struct circ circs[NCIRC];
static uint32_t ifx[6];			/* t0 t1 t2, t0p t1p t2p */
static uint8_t src_mac[6], dst_mac[6];
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t want[OSM_REASON_MAX + 1];	/* by verdict */
static uint64_t made[K_MAX];
static uint64_t flip_n, cut_n;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static struct circ *circ_of(uint32_t id)
{
	if (id - FIRST_ID >= NCIRC || circs[id - FIRST_ID].gone)
		return NULL;
	return &circs[id - FIRST_ID];
}

/* The model's verdict on frame[0..len) arriving on port in, which it
 * then applies to its state (the window of a forwarded frame). */
static int model(const uint8_t *frame, int len, uint32_t in)
{
	struct osm_circuit m;
	struct osm_frame f;
	struct circ *c;
	int r = osm_parse(frame, (uint32_t)len, &f);

	if (r != OSM_OK)
		return r;
	c = circ_of(f.circuit);
	if (!c)
		return OSM_DROP_UNKNOWN;
	m = c->c;
	m.rate = m.burst = 0;	/* the bucket: see V_RATED */
	r = osm_decide(&f, &m, &c->st, in, 1, now_ns());
	osm_wipe(&m, sizeof(m));
	if (r != OSM_OK)
		return r;
	if (c->role == C_RATED)
		return V_RATED;
	memcpy(c->last, frame, (size_t)len);
	c->last_len = len;
	c->last_seq = f.seq;
	return OSM_OK;
}

/* A data frame on circuit c with sequence number seq, sealed with keys k,
 * a random payload of 0..255 bytes. Returns its length. */
static int seal(struct circ *c, const struct osm_keys *k, uint64_t seq,
		uint8_t *buf)
{
	uint8_t pl[256];
	size_t n = rnd() & 0xff, i;
	struct osm_tx tx = c->tx;
	int len;

	for (i = 0; i < n; i++)
		pl[i] = (uint8_t)rnd();
	tx.keys = *k;
	len = osm_seal_seq(&tx, seq, pl, n, buf, PG_FRAME_MAX);
	osm_wipe(&tx, sizeof(tx));
	return len;
}

/* A fresh frame of c: numbers go up in steps of two, so that the odd
 * ones are never used but by window_edge frames. */
static int fresh(struct circ *c, uint8_t *buf)
{
	uint64_t seq = c->tx.next_seq;

	c->tx.next_seq += 2;
	return seal(c, &c->tx.keys, seq, buf);
}

static struct circ *pick(enum role role)
{
	uint32_t i, n = 0, at;

	for (i = 0; i < NCIRC; i++)
		n += circs[i].role == role && !circs[i].gone;
	if (!n)
		return NULL;
	at = (uint32_t)(rnd() % n);
	for (i = 0; i < NCIRC; i++)
		if (circs[i].role == role && !circs[i].gone && !at--)
			return &circs[i];
	return NULL;
}

/* A circuit that takes ordinary traffic: a plain one, or the leaver's
 * (others stay on it: after the leave, under its new key). */
static struct circ *pick_live(void)
{
	return rnd() % 5 ? pick(C_PLAIN) : &circs[LEAVER_AT];
}

/* Make the next frame of kind k into buf: its length, and *port (0: the
 * ingress port, 1: the wrong port). */
static int make(enum kind k, uint8_t *buf, int *port)
{
	struct circ *c = pick_live();
	struct osm_keys keys;
	int len, i, n;
	uint64_t seq;

	*port = 0;
	switch (k) {
	case K_valid:
		return fresh(c, buf);
	case K_random:
		len = OSM_ETH_HLEN + (int)(rnd() % 200);
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd();
		memcpy(buf, dst_mac, 6);
		memcpy(buf + 6, src_mac, 6);
		if (rnd() & 1)
			osm_put_be16(buf + 12, OSM_ETH_P_CIRCUIT);
		return len;
	case K_truncated:
		/* Every cut from the Ethernet header on, in turn (a veth
		 * carries nothing shorter than an Ethernet header). */
		len = fresh(c, buf);
		return OSM_ETH_HLEN + (int)(cut_n++ % (uint64_t)(len - OSM_ETH_HLEN));
	case K_bit_flip:
		len = fresh(c, buf);
		n = (int)(flip_n++ % ((uint64_t)len * 8));
		buf[n / 8] ^= (uint8_t)(1u << (n % 8));
		return len;
	case K_replay_exact:
		if (!c->last_len)
			return fresh(c, buf);
		memcpy(buf, c->last, (size_t)c->last_len);
		return c->last_len;
	case K_replay_resealed:
		if (!c->last_len)
			return fresh(c, buf);
		return seal(c, &c->tx.keys, c->last_seq, buf);
	case K_replay_far:
		seq = c->tx.next_seq - 4 * OSM_REPLAY_BITS - 1;
		return seal(c, &c->tx.keys, seq, buf);
	case K_window_edge:
		/* An odd (never used) number one below, at, or one above the
		 * oldest the window still holds. */
		seq = (c->tx.next_seq - 2 - OSM_REPLAY_WINDOW) | 1;
		seq += 2 * (rnd() % 3) - 2;
		return seal(c, &c->tx.keys, seq, buf);
	case K_wrong_port:
		*port = 1;
		return fresh(c, buf);
	case K_wrong_src:
		len = fresh(c, buf);
		buf[6 + rnd() % 6] ^= (uint8_t)(1 + rnd() % 255);
		return len;
	case K_stale_epoch:
	case K_future_epoch:
		keys = c->tx.keys;
		keys.epoch += k == K_stale_epoch ? -2u : 1u;
		len = seal(c, &keys, c->tx.next_seq, buf);
		c->tx.next_seq += 2;
		osm_wipe(&keys, sizeof(keys));
		return len;
	case K_expired:
		return fresh(pick(C_EXPIRED), buf);
	case K_over_rate:
		return fresh(pick(C_RATED), buf);
	case K_unknown:
		keys = c->tx.keys;
		len = seal(c, &keys, c->tx.next_seq, buf);
		c->tx.next_seq += 2;
		osm_put_be32(buf + OSM_ETH_HLEN + OSM_OFF_CIRCUIT, UNKNOWN_ID);
		osm_wipe(&keys, sizeof(keys));
		return len;
	case K_vlan:
		len = fresh(c, buf);
		memmove(buf + 16, buf + 12, (size_t)len - 12);
		osm_put_be16(buf + 12, 0x8100);
		osm_put_be16(buf + 14, (uint16_t)(1 + rnd() % 4094));
		return len + 4;
	case K_trailing:
		len = fresh(c, buf);
		n = 1 + (int)(rnd() % 64);
		for (i = 0; i < n; i++)
			buf[len + i] = (uint8_t)rnd();
		return len + n;
	case K_deleted:
		c = &circs[DELETED_AT];
		return fresh(c, buf);
	case K_leaver:
		c = &circs[LEAVER_AT];
		len = seal(c, &c->old, c->tx.next_seq, buf);
		c->tx.next_seq += 2;
		return len;
	case K_MAX:
		break;
	}
	return 0;
}

/* ---- the switch, as the campaign drives and reads it ------------------ */

static struct osm_switch *sw;
static uint64_t fwd_gone;	/* forwards of the deleted circuit */

/* Frames the switch has decided so far: every drop and every forward. */
static uint64_t decided(void)
{
	uint64_t d[OSM_REASON_MAX], n = fwd_gone;
	struct osm_circuit_stats cs;
	uint32_t i;
	int r;

	if (osm_switch_drop_stats(sw, d))
		return 0;
	for (r = 1; r < OSM_REASON_MAX; r++)
		n += d[r];
	for (i = 0; i < NCIRC; i++)
		if (!circs[i].gone &&
		    !osm_switch_circuit_stats(sw, circs[i].c.id, &cs))
			n += cs.frames;
	return n;
}

static uint64_t sent, stalls;

/* Wait until no more than max frames are in flight (sent, not yet
 * decided). Returns 0, or -1 after a second without progress. */
static int wait_inflight(uint64_t max)
{
	uint64_t d = decided(), last = d, t0 = now_ns();

	while (sent - d > max) {
		if (d != last) {
			last = d;
			t0 = now_ns();
		} else if (now_ns() - t0 > 1000000000ULL) {
			stalls++;
			return -1;
		}
		usleep(50);
		d = decided();
	}
	return 0;
}

static struct pg_tx *tx[2];
static uint8_t *bufs[2][64];
static int lens[2][64], nbuf[2];
static uint64_t tx_failed;

static void flush(int port)
{
	if (!nbuf[port])
		return;
	wait_inflight(INFLIGHT_MAX);
	if (pg_tx_submit(tx[port], lens[port], nbuf[port]))
		tx_failed += (uint64_t)nbuf[port];
	else
		sent += (uint64_t)nbuf[port];
	nbuf[port] = 0;
}

static uint8_t *slot(int port)
{
	if (nbuf[port] == 64)
		flush(port);
	if (!nbuf[port] && pg_tx_reserve(tx[port], bufs[port], 64) < 64)
		return NULL;
	return bufs[port][nbuf[port]];
}

/* Before a change of the switch's tables, every frame sent is decided:
 * the model and the switch see the change between the same frames. */
static int drain(void)
{
	flush(0);
	flush(1);
	return wait_inflight(0);
}

static void delete_circuit(void)
{
	struct circ *c = &circs[DELETED_AT];
	struct osm_circuit_stats cs;
	int e;

	e = drain();
	if (!e)
		e = osm_switch_circuit_stats(sw, c->c.id, &cs);
	if (!e) {
		fwd_gone = cs.frames;
		e = osm_switch_circuit_del(sw, c->c.id);
	}
	c->gone = 1;
	tap(!e, "circuit %u deleted at frame %" PRIu64, c->c.id, sent);
}

/* The person leaves: the circuit's key goes to the next epoch, the old
 * epoch's key is removed; frames under the old key follow at once. */
static void leave(const uint8_t secret[32])
{
	struct circ *c = &circs[LEAVER_AT];
	struct osm_keys k;
	int e;

	osm_kdf_circuit(&k, secret, c->c.id, EPOCH + 1);
	e = drain();
	if (!e)
		e = osm_switch_circuit_key(sw, c->c.id, EPOCH + 1, k.hop);
	if (!e)
		e = osm_switch_circuit_key(sw, c->c.id, EPOCH, NULL);
	tap(!e, "circuit %u's key rotated to epoch %d at frame %" PRIu64,
	    c->c.id, EPOCH + 1, sent);
	memset(&c->c.key[osm_epoch_slot(EPOCH)], 0, sizeof(c->c.key[0]));
	c->c.key[osm_epoch_slot(EPOCH + 1)].epoch = EPOCH + 1;
	c->c.key[osm_epoch_slot(EPOCH + 1)].valid = 1;
	memcpy(c->c.key[osm_epoch_slot(EPOCH + 1)].hop_key, k.hop,
	       OSM_HOP_KEY_LEN);
	c->tx.keys = k;
	osm_wipe(&k, sizeof(k));
}

/* ---- setup ------------------------------------------------------------- */

static int setup(const uint8_t secret[32])
{
	char prefix[16], ifname[IF_NAMESIZE + 4], cmd[128];
	const char *why = "";
	uint32_t i;
	int e;

	snprintf(prefix, sizeof(prefix), "otf%d", (int)getpid() % 100000);
	e = osm_xdprun_netns(prefix, 3, ifx);
	tap(!e, "private netns with three veth pairs (%s)", strerror(-e));
	if (e)
		return e;
	e = osm_switch_load(&sw, "torture", 64, OSM_SW_NOPIN);
	for (i = 0; i < 3 && !e; i++)
		e = osm_switch_attach(sw, ifx[i], 0);
	tap(!e, "switch on %s0, %s1 and %s2 (%s)", prefix, prefix, prefix,
	    strerror(-e));
	if (e)
		return e;
	snprintf(cmd, sizeof(cmd), "build/osm-bench attach sink --in %s2p",
		 prefix);
	e = system(cmd) ? -EIO : 0;
	tap(!e, "XDP_DROP sink on %s2p", prefix);
	osm_xdprun_mac(ifx[3], src_mac);
	osm_xdprun_mac(ifx[5], dst_mac);
	for (i = 0; i < NCIRC && !e; i++) {
		struct circ *c = &circs[i];

		c->role = roles[i];
		osm_xdprun_circuit(&c->c, FIRST_ID + i, ifx[0], ifx[2],
				   src_mac, dst_mac, secret, EPOCH);
		if (c->role == C_RATED) {
			c->c.rate = 20000;	/* bytes/s */
			c->c.burst = osm_bucket_min_burst(c->c.rate);
		}
		if (c->role == C_EXPIRED)
			c->c.expires_ns = 1;	/* long past */
		c->tx.circuit = c->c.id;
		c->tx.type = OSM_T_DATA;
		memcpy(c->tx.src, src_mac, 6);
		memcpy(c->tx.dst, dst_mac, 6);
		c->tx.next_seq = 1ULL << 40;
		osm_kdf_circuit(&c->tx.keys, secret, c->c.id, EPOCH);
		c->old = c->tx.keys;
		e = osm_switch_circuit_add(sw, &c->c);
	}
	tap(!e, "%zu circuits installed (%s)", NCIRC, strerror(-e));
	for (i = 0; i < 2 && !e; i++) {
		snprintf(ifname, sizeof(ifname), "%s%up", prefix, i);
		e = pg_tx_open(&tx[i], PG_MODE_PACKET, ifname, 0, &why);
		tap(!e, "AF_PACKET sender on %s (%s%s%s)", ifname, why,
		    *why ? ": " : "", strerror(-e));
	}
	return e;
}

/* Frames received by an interface of this netns (netlink statistics). */
static uint64_t rx_packets(uint32_t ifindex)
{
	char name[IF_NAMESIZE];
	struct ifaddrs *ifa, *i;
	uint64_t n = 0;

	if (!if_indextoname(ifindex, name) || getifaddrs(&ifa))
		return 0;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_PACKET &&
		    !strcmp(i->ifa_name, name) && i->ifa_data)
			n = ((struct rtnl_link_stats *)i->ifa_data)->rx_packets;
	freeifaddrs(ifa);
	return n;
}

/* ---- the campaign ------------------------------------------------------ */

static enum kind next_kind(void)
{
	static int burst;
	int total = 0, k, x;

	if (burst) {
		burst--;
		return K_over_rate;
	}
	for (k = 0; k < K_MAX; k++)
		total += kind_w[k];
	x = (int)(rnd() % (uint64_t)total);
	for (k = 0; x >= kind_w[k]; k++)
		x -= kind_w[k];
	if (k == K_over_rate)
		burst = 15;	/* 16 in a row */
	return (enum kind)k;
}

static void run(uint64_t total, const uint8_t secret[32])
{
	uint8_t frame[PG_FRAME_MAX + 64], *b;
	struct osm_frame f;
	int len, port, v;
	enum kind k;
	uint64_t i;

	for (i = 0; i < total; i++) {
		if (i == total / 3)
			delete_circuit();
		if (i == total / 2)
			leave(secret);
		k = next_kind();
		len = make(k, frame, &port);
		v = model(frame, len, ifx[port]);
		made[k]++;
		want[v]++;
		if ((v == OSM_OK || v == V_RATED) &&
		    osm_parse(frame, (uint32_t)len, &f) == OSM_OK) {
			if (v == OSM_OK)
				circs[f.circuit - FIRST_ID].fwd_want++;
			else
				circs[f.circuit - FIRST_ID].rated_sent++;
		}
		b = slot(port);
		if (!b) {
			tx_failed++;
			continue;
		}
		memcpy(b, frame, (size_t)len);
		lens[port][nbuf[port]++] = len;
	}
	osm_wipe(frame, sizeof(frame));
	drain();
}

static void figure(const char *name, uint64_t v, const char *what)
{
	printf("# figure frames.%s %" PRIu64 " %s\n", name, v, what);
}

/* The switch's counters against the model's: every check and figure. */
static void verdicts(double secs)
{
	uint64_t d[OSM_REASON_MAX], fwd = 0, wrong = 0, lost = 0, off = 0;
	uint64_t rated_fwd = 0, rated_bytes = 0, rated_sent = 0, rated_max;
	struct osm_circuit_stats cs;
	struct circ *c;
	uint32_t i;
	int r;

	tap(!osm_switch_drop_stats(sw, d), "drop counters read");
	for (i = 0; i < NCIRC; i++) {
		c = &circs[i];
		memset(&cs, 0, sizeof(cs));
		if (c->gone)
			cs.frames = fwd_gone;
		else
			osm_switch_circuit_stats(sw, c->c.id, &cs);
		fwd += cs.frames;
		if (c->role == C_RATED) {
			rated_fwd = cs.frames;
			rated_bytes = cs.bytes;
			rated_sent = c->rated_sent;
			continue;
		}
		tap(cs.frames == c->fwd_want, "circuit %u: forwarded %" PRIu64
		    " (model: %" PRIu64 ")", c->c.id, (uint64_t)cs.frames, c->fwd_want);
		if (cs.frames > c->fwd_want)
			wrong += cs.frames - c->fwd_want;
		else
			lost += c->fwd_want - cs.frames;
	}
	for (r = 1; r < OSM_REASON_MAX; r++) {
		uint64_t w = want[r];

		if (r == OSM_DROP_OVER_RATE)
			w = rated_sent - rated_fwd;
		if (r == OSM_DROP_BAD_AEAD)
			continue;	/* endpoints only */
		tap(d[r] == w, "switch %s: %" PRIu64 " (model: %" PRIu64 ")",
		    osm_reason_name(r), d[r], w);
		off += d[r] > w ? d[r] - w : w - d[r];
		printf("# figure frames.drop.%s %" PRIu64 " dropped (sent "
		       "for it: %" PRIu64 ")\n", osm_reason_name(r), d[r], w);
	}
	/* The rated circuit: what passed fits its bucket. */
	rated_max = circs[4].c.burst +
		    (uint64_t)((secs + 1) * (double)circs[4].c.rate);
	tap(rated_fwd <= rated_sent && rated_bytes <= rated_max,
	    "rated circuit: %" PRIu64 " of %" PRIu64 " frames forwarded, %"
	    PRIu64 " bytes <= burst + rate x time %" PRIu64, rated_fwd,
	    rated_sent, rated_bytes, rated_max);
	tap(rx_packets(ifx[5]) == fwd, "the sink received the %" PRIu64
	    " frames forwarded (%" PRIu64 ")", fwd, rx_packets(ifx[5]));
	tap(osm_switch_port_tx_errors(sw, ifx[2]) == 0,
	    "no forwarded frame refused by the egress port");
	tap(tx_failed == 0 && stalls == 0, "every frame sent (%" PRIu64
	    " refused, %" PRIu64 " stalls)", tx_failed, stalls);
	tap(wrong == 0, "frames wrongly forwarded: %" PRIu64, wrong);
	tap(lost == 0, "valid frames lost: %" PRIu64, lost);

	figure("sent", sent, "frames sent to the switch");
	figure("forwarded", fwd, "frames forwarded (the sink received them)");
	figure("hostile", sent - want[OSM_OK] - rated_sent,
	       "frames the model says must be dropped");
	figure("wrongly_forwarded", wrong, "must be 0");
	figure("valid_lost", lost, "must be 0");
	figure("reason_mismatch", off,
	       "sum over reasons of |switch - model|, must be 0");
	figure("rated_forwarded", rated_fwd,
	       "of the rated circuit's frames (the rest: over_rate)");
	figure("per_second", (uint64_t)((double)sent / secs),
	       "frames/s through the campaign (model and sender included)");
	for (r = 0; r < K_MAX; r++)
		printf("# figure frames.kind.%s %" PRIu64 " made\n",
		       kind_name[r], made[r]);
}

int main(int argc, char **argv)
{
	uint64_t total = 200000, t0;
	uint8_t secret[32];
	double secs;
	uint32_t i;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1)
		total = strtoull(argv[1], NULL, 10);
	if (argc > 2)
		rng = strtoull(argv[2], NULL, 10) | 1;
	if (sodium_init() < 0 || total < 100)
		return 1;
	printf("# %" PRIu64 " frames, seed %" PRIu64 "\n", total, rng);
	randombytes_buf(secret, sizeof(secret));
	if (!setup(secret)) {
		t0 = now_ns();
		run(total, secret);
		secs = (double)(now_ns() - t0) / 1e9;
		printf("# %.1f s\n", secs);
		verdicts(secs);
	}
	osm_wipe(secret, sizeof(secret));
	for (i = 0; i < NCIRC; i++)
		osm_wipe(&circs[i], sizeof(circs[i]));
	for (i = 0; i < 2; i++)
		if (tx[i])
			pg_tx_close(tx[i]);
	osm_switch_close(sw);
	return tap_done();
}
