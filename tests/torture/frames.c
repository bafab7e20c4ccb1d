// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The hostile-frames campaign (docs/reliability.md): millions of frames,
 * valid and hostile interleaved on the same circuits, into a live switch
 * in a private netns (t0: every circuit's ingress, t1: another port, t2:
 * the egress, its peer t2p an XDP_DROP sink), or with --gateway into
 * osm-gw cam's inner port, whose remote circuits osm-gw par delivers
 * (tests/torture/gateway.sh builds that).
 *
 * Each frame's verdict is predicted by a model of the device: the same
 * osm_decide() built for the host, over copies of the circuits and their
 * replay windows, fed the frames in the order the device receives them.
 * Circuits: plain ones, one with a rate (over-rate bursts: forwarded or
 * over_rate, which depends on time), one whose lease has run out (not
 * at a gateway, which has no leases), one whose ingress is the other
 * port, one deleted partway (its frames then "unknown"), one whose
 * person leaves partway (its key rotated to the next epoch, the old one
 * removed: frames under the old key then "stale_epoch", sent at once
 * after the change). At the end the device's counters must equal the
 * model's, per reason and forwarded per circuit, and the far side must
 * have received every forwarded frame. Prints TAP and "# figure
 * frames.NAME VALUE" (gateway.NAME) lines.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <jansson.h>
#include <sodium.h>
#include "tap.h"
#include "osm_endpoint.h"
#include "osm_hex.h"
#include "osm_keys.h"
#include "pktgen.h"
#include "switch.h"
#include "xdp_run.h"

#define EPOCH		6
#define FIRST_ID	100
#define UNKNOWN_ID	999

/* The circuits: C_INBOUND's ingress is the other port, so that its
 * frames on ours are from the wrong port. */
enum role { C_PLAIN, C_RATED, C_EXPIRED, C_DELETED, C_LEAVER, C_INBOUND };
static const enum role roles[] = {
	C_PLAIN, C_PLAIN, C_PLAIN, C_PLAIN, C_RATED, C_EXPIRED, C_DELETED,
	C_LEAVER, C_INBOUND,
};
#define NCIRC	(sizeof(roles) / sizeof(roles[0]))
#define NPLAIN		4	/* roles[0..NPLAIN) are C_PLAIN */
#define RATED_AT	4	/* roles[RATED_AT] == C_RATED */
#define EXPIRED_AT	5
#define DELETED_AT	6
#define LEAVER_AT	7
#define INBOUND_AT	8

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
	X(wrong_port, 30)	/* a valid frame, not from its port */	\
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
static int kind_w[] = { KINDS(K_W) };

/* What the model predicts: a reason, or forward-or-over_rate. */
#define V_RATED	OSM_REASON_MAX

static struct circ circs[NCIRC];
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

/* A circuit that takes ordinary traffic: a plain one, or the leaver's
 * (others stay on it: after the leave, under its new key). */
static struct circ *pick_live(void)
{
	return rnd() % 5 ? &circs[rnd() % NPLAIN] : &circs[LEAVER_AT];
}

/* Make the next frame of kind k into buf: its length. */
static int make(enum kind k, uint8_t *buf)
{
	struct circ *c = pick_live();
	struct osm_keys keys;
	int len, i, n;
	uint64_t seq;

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
		len = fresh(c, buf) - OSM_ETH_HLEN;
		return OSM_ETH_HLEN + (int)(cut_n++ % (uint64_t)len);
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
		return fresh(&circs[INBOUND_AT], buf);
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
		return fresh(&circs[EXPIRED_AT], buf);
	case K_over_rate:
		return fresh(&circs[RATED_AT], buf);
	case K_unknown:
		len = fresh(c, buf);
		osm_put_be32(buf + OSM_ETH_HLEN + OSM_OFF_CIRCUIT, UNKNOWN_ID);
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
		return fresh(&circs[DELETED_AT], buf);
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

/* ---- the device under test: a switch or a gateway ---------------------- */

/* What the campaign does to the device and reads of it. Ports are those
 * its circuits name: in (ours), other (C_INBOUND's ingress), out. */
struct dut {
	const char *name;
	uint32_t in, other, out;
	uint64_t inflight;	/* frames sent, not yet taken, at most */
	int (*add)(const struct circ *c);
	int (*del)(const struct circ *c);
	/* Only the hop key of k's epoch from now on. */
	int (*rekey)(const struct circ *c, const struct osm_keys *k);
	int (*drops)(uint64_t d[OSM_REASON_MAX]);
	int (*stats)(const struct circ *c, struct osm_circuit_stats *cs);
	/* Frames taken from our port so far, decided or about to be. */
	uint64_t (*taken)(void);
	/* Frames the far side received of those forwarded. */
	uint64_t (*received)(void);
	/* Frames forwarded that did not leave (egress errors). */
	uint64_t (*lost_after)(void);
};
static const struct dut *dut;

static uint64_t fwd_gone;	/* forwards of the deleted circuit */

/* Frames the device has forwarded so far. */
static uint64_t forwarded(void)
{
	struct osm_circuit_stats cs;
	uint64_t n = fwd_gone;
	uint32_t i;

	for (i = 0; i < NCIRC; i++)
		if (!circs[i].gone && !dut->stats(&circs[i], &cs))
			n += cs.frames;
	return n;
}

/* Frames the device has decided so far: forwarded or dropped. */
static uint64_t decided(void)
{
	uint64_t d[OSM_REASON_MAX], n = forwarded();
	int r;

	if (dut->drops(d))
		return 0;
	for (r = 1; r < OSM_REASON_MAX; r++)
		n += d[r];
	return n;
}

/* -- the switch, in a private netns: t0 t1 t2, t2p the XDP_DROP sink -- */

static struct osm_switch *sw;
static uint32_t ifx[6];			/* t0 t1 t2, t0p t1p t2p */

static int sw_add(const struct circ *c)
{
	return osm_switch_circuit_add(sw, &c->c);
}

static int sw_del(const struct circ *c)
{
	return osm_switch_circuit_del(sw, c->c.id);
}

static int sw_rekey(const struct circ *c, const struct osm_keys *k)
{
	int e = osm_switch_circuit_key(sw, c->c.id, k->epoch, k->hop);

	return e ? e : osm_switch_circuit_key(sw, c->c.id, k->epoch - 1, NULL);
}

static int sw_drops(uint64_t d[OSM_REASON_MAX])
{
	return osm_switch_drop_stats(sw, d);
}

static int sw_stats(const struct circ *c, struct osm_circuit_stats *cs)
{
	return osm_switch_circuit_stats(sw, c->c.id, cs);
}

static uint64_t sw_received(void)
{
	char name[IF_NAMESIZE];

	return if_indextoname(ifx[5], name) ?
	       osm_xdprun_rx_packets(name) : 0;
}

static uint64_t sw_lost_after(void)
{
	return osm_switch_port_tx_errors(sw, ifx[2]);
}

static struct dut sw_dut = {
	.name = "switch", .inflight = 128, .add = sw_add, .del = sw_del,
	.rekey = sw_rekey, .drops = sw_drops, .stats = sw_stats,
	.taken = decided, .received = sw_received,
	.lost_after = sw_lost_after,
};

/* The switch and its netns; *dev: the interface to send on. */
static int sw_setup(char *dev)
{
	char prefix[16], cmd[128];
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
	sw_dut.in = ifx[0];
	sw_dut.other = ifx[1];
	sw_dut.out = ifx[2];
	osm_xdprun_mac(ifx[3], src_mac);
	osm_xdprun_mac(ifx[5], dst_mac);
	snprintf(dev, IF_NAMESIZE, "%s0p", prefix);
	dut = &sw_dut;
	return e;
}

/* -- the gateway: osm-gw cam, its remote circuits to osm-gw par -- */

struct gw_conn {
	FILE *f;
	char line[4096];
};
static struct gw_conn cam, par;

static int gw_open(struct gw_conn *g, const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	g->f = fdopen(fd, "r+");
	return g->f ? 0 : -errno;
}

/* One request: its reply's JSON (a borrowed reference in *out: json
 * decref it), or NULL and -EIO on an error reply. */
static json_t *gw_ask(struct gw_conn *g, const char *fmt, ...)
{
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	vfprintf(g->f, fmt, ap);
	va_end(ap);
	fputc('\n', g->f);
	fflush(g->f);
	if (!fgets(g->line, sizeof(g->line), g->f) ||
	    strncmp(g->line, "ok ", 3)) {
		tap(0, "gateway replied: %s", g->line);
		return NULL;
	}
	j = json_loads(g->line + 3, 0, NULL);
	osm_wipe(g->line, sizeof(g->line));
	return j;
}

static int gw_ok(json_t *j)
{
	json_decref(j);
	return j ? 0 : -EIO;
}

/* `circuit` at one gateway: in and out by name, the hop key of k. */
static int gw_circuit(struct gw_conn *g, const struct circ *c,
		      const char *in, const char *out, uint64_t rate,
		      uint64_t burst, const struct osm_keys *k)
{
	char s[18], d[18], hop[2 * OSM_HOP_KEY_LEN + 1];
	int e;

	osm_mac_format(s, c->c.src_mac);
	osm_mac_format(d, c->c.dst_mac);
	osm_hex_format(hop, k->hop, OSM_HOP_KEY_LEN);
	e = gw_ok(gw_ask(g, "circuit %u %s %s %s %s remote %llu %llu %u %s",
			 c->c.id, in, out, s, d, (unsigned long long)rate,
			 (unsigned long long)burst, k->epoch, hop));
	osm_wipe(hop, sizeof(hop));
	return e;
}

/* Each circuit at cam as the model has it; at par (where the far side
 * counts it) its continuation, without a rate. */
static int gw_set(const struct circ *c, const struct osm_keys *k)
{
	int inbound = c->role == C_INBOUND;
	int e = gw_circuit(&cam, c, inbound ? "outer" : "inner",
			   inbound ? "inner" : "outer", c->c.rate,
			   c->c.burst, k);

	if (!e && !inbound)
		e = gw_circuit(&par, c, "outer", "inner", 0, 0, k);
	return e;
}

static int gw_add(const struct circ *c)
{
	return gw_set(c, &c->tx.keys);
}

static int gw_rekey(const struct circ *c, const struct osm_keys *k)
{
	return gw_set(c, k);
}

static int gw_del(const struct circ *c)
{
	int e = gw_ok(gw_ask(&cam, "del %u", c->c.id));

	return e ? e : gw_ok(gw_ask(&par, "del %u", c->c.id));
}

static uint64_t jnum(json_t *j, const char *a, const char *b)
{
	json_t *v = json_object_get(j, a);

	if (b)
		v = json_object_get(v, b);
	return (uint64_t)json_integer_value(v);
}

static int gw_drops(uint64_t d[OSM_REASON_MAX])
{
	json_t *j = gw_ask(&cam, "stats");
	int r;

	for (r = 1; r < OSM_REASON_MAX; r++)
		d[r] = jnum(j, "inner_drops", osm_reason_name(r));
	return gw_ok(j);
}

static int gw_stats(const struct circ *c, struct osm_circuit_stats *cs)
{
	json_t *j = gw_ask(&cam, "circuit-stats %u", c->c.id);

	cs->frames = jnum(j, "frames", NULL);
	cs->bytes = jnum(j, "bytes", NULL);
	cs->drops = jnum(j, "drops", NULL);
	return gw_ok(j);
}

/* The sum of counters a and (if not NULL) b of one `stats` reply of g. */
static uint64_t gw_counter(struct gw_conn *g, const char *a, const char *b)
{
	json_t *j = gw_ask(g, "stats");
	uint64_t v = jnum(j, a, NULL) + (b ? jnum(j, b, NULL) : 0);

	json_decref(j);
	return v;
}

/* Frames cam has taken, less those still on the WAN: par's receive ring
 * is no deeper than cam's, and a frame lost there is lost to the count
 * of what par delivers. */
static uint64_t gw_taken(void)
{
	json_t *j = gw_ask(&cam, "stats");
	uint64_t out = jnum(j, "tx_outer", NULL);
	uint64_t taken = jnum(j, "rx_inner", NULL);
	uint64_t in = gw_counter(&par, "rx_outer", NULL);

	json_decref(j);
	return taken - (out > in ? out - in : 0);
}

static uint64_t gw_received(void)
{
	return gw_counter(&par, "tx_inner", NULL);
}

static uint64_t gw_lost_after(void)
{
	return gw_counter(&cam, "tx_errors", "local_only");
}

static struct dut gw_dut = {
	.name = "gateway", .inflight = 256, .in = 0, .other = 1, .out = 1,
	.add = gw_add, .del = gw_del, .rekey = gw_rekey, .drops = gw_drops,
	.stats = gw_stats, .taken = gw_taken, .received = gw_received,
	.lost_after = gw_lost_after,
};

/* The gateways' control sockets, the interface that reaches cam's inner
 * port, and the MAC par's inner port sends to. */
static int gw_setup(const char *cam_sock, const char *par_sock,
		    const char *ifname, const char *dst)
{
	uint32_t ix = if_nametoindex(ifname);
	int e = gw_open(&cam, cam_sock);

	if (!e)
		e = gw_open(&par, par_sock);
	tap(!e, "control sockets of cam and par (%s)", strerror(-e));
	if (e)
		return e;
	e = !ix || osm_xdprun_mac(ix, src_mac) || osm_mac_parse(dst, dst_mac);
	tap(!e, "sending on %s to %s", ifname, dst);
	/* osm-gw has no leases: the expired circuit is not installed */
	kind_w[K_expired] = 0;
	circs[EXPIRED_AT].gone = 1;
	dut = &gw_dut;
	return e ? -EINVAL : 0;
}

/* ---- the campaign ------------------------------------------------------ */

static int install(const uint8_t secret[32])
{
	uint32_t i;
	int e = 0;

	for (i = 0; i < NCIRC && !e; i++) {
		struct circ *c = &circs[i];
		int inbound = roles[i] == C_INBOUND;

		c->role = roles[i];
		osm_xdprun_circuit(&c->c, FIRST_ID + i,
				   inbound ? dut->other : dut->in,
				   inbound ? dut->in : dut->out, src_mac,
				   dst_mac, secret, EPOCH);
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
		if (!c->gone)
			e = dut->add(c);
	}
	tap(!e, "%zu circuits installed on the %s (%s)", NCIRC, dut->name,
	    strerror(-e));
	return e;
}

static struct pg_tx *tx;
static uint8_t *bufs[64];
static int lens[64], nbuf;
static uint64_t sent, stalls, tx_failed;

/* Wait until no more than max frames are in flight (sent, not yet taken
 * by the device). Returns 0, or -1 after a second without progress. */
static int wait_inflight(uint64_t max)
{
	uint64_t d = dut->taken(), last = d, t0 = now_ns();

	while ((int64_t)(sent - d) > (int64_t)max) {
		if (d != last) {
			last = d;
			t0 = now_ns();
		} else if (now_ns() - t0 > 1000000000ULL) {
			stalls++;
			return -1;
		}
		usleep(50);
		d = dut->taken();
	}
	return 0;
}

static void flush(void)
{
	if (!nbuf)
		return;
	wait_inflight(dut->inflight);
	if (pg_tx_submit(tx, lens, nbuf))
		tx_failed += (uint64_t)nbuf;
	else
		sent += (uint64_t)nbuf;
	nbuf = 0;
}

static uint8_t *slot(void)
{
	if (nbuf == 64)
		flush();
	if (!nbuf && pg_tx_reserve(tx, bufs, 64) < 64)
		return NULL;
	return bufs[nbuf];
}

/* Before a change of the device's tables, every frame sent is decided
 * and every frame forwarded has arrived (a gateway's at par, which
 * decides again), so that the model and the device see the change
 * between the same frames. Returns 0, or -1 after a second without
 * progress. */
static int drain(void)
{
	uint64_t got, last = 0, t0;

	flush();
	if (wait_inflight(0))
		return -1;
	for (t0 = now_ns(); decided() != sent; usleep(100))
		if (now_ns() - t0 > 1000000000ULL)
			goto stall;
	for (t0 = now_ns(); (got = dut->received()) != forwarded();
	     usleep(100)) {
		if (got != last) {
			last = got;
			t0 = now_ns();
		} else if (now_ns() - t0 > 1000000000ULL) {
			goto stall;
		}
	}
	return 0;
stall:
	printf("# stalled: %" PRIu64 " sent, %" PRIu64 " taken, %" PRIu64
	       " decided, %" PRIu64 " forwarded, %" PRIu64 " received\n",
	       sent, dut->taken(), decided(), forwarded(), dut->received());
	stalls++;
	return -1;
}

static void delete_circuit(void)
{
	struct circ *c = &circs[DELETED_AT];
	struct osm_circuit_stats cs;
	int e;

	e = drain();
	if (!e)
		e = dut->stats(c, &cs);
	if (!e) {
		fwd_gone = cs.frames;
		e = dut->del(c);
	}
	c->gone = 1;
	tap(!e, "circuit %u deleted at frame %" PRIu64, c->c.id, sent);
}

/* The person leaves: the circuit's key goes to the next epoch, the old
 * epoch's key is removed; frames under the old key follow at once. */
static void leave(const uint8_t secret[32])
{
	struct circ *c = &circs[LEAVER_AT];
	struct osm_key_slot *ks = &c->c.key[osm_epoch_slot(EPOCH + 1)];
	struct osm_keys k;
	int e;

	osm_kdf_circuit(&k, secret, c->c.id, EPOCH + 1);
	e = drain();
	if (!e)
		e = dut->rekey(c, &k);
	tap(!e, "circuit %u's key rotated to epoch %d at frame %" PRIu64,
	    c->c.id, EPOCH + 1, sent);
	memset(&c->c.key[osm_epoch_slot(EPOCH)], 0, sizeof(c->c.key[0]));
	ks->epoch = EPOCH + 1;
	ks->valid = 1;
	memcpy(ks->hop_key, k.hop, OSM_HOP_KEY_LEN);
	c->tx.keys = k;
	osm_wipe(&k, sizeof(k));
}

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
	enum kind k;
	uint64_t i;
	int len, v;

	for (i = 0; i < total; i++) {
		if (i == total / 3)
			delete_circuit();
		if (i == total / 2)
			leave(secret);
		k = next_kind();
		len = make(k, frame);
		v = model(frame, len, dut->in);
		made[k]++;
		want[v]++;
		if ((v == OSM_OK || v == V_RATED) &&
		    osm_parse(frame, (uint32_t)len, &f) == OSM_OK) {
			if (v == OSM_OK)
				circs[f.circuit - FIRST_ID].fwd_want++;
			else
				circs[f.circuit - FIRST_ID].rated_sent++;
		}
		b = slot();
		if (!b) {
			tx_failed++;
			continue;
		}
		memcpy(b, frame, (size_t)len);
		lens[nbuf++] = len;
	}
	osm_wipe(frame, sizeof(frame));
	drain();
}

static void figure(const char *name, uint64_t v, const char *what)
{
	printf("# figure %s.%s %" PRIu64 " %s\n", dut == &gw_dut ?
	       "gateway" : "frames", name, v, what);
}

/* The device's counters against the model's: every check and figure. */
static void verdicts(double secs)
{
	uint64_t d[OSM_REASON_MAX], fwd = 0, wrong = 0, lost = 0, off = 0;
	uint64_t rated_fwd = 0, rated_bytes = 0, rated_sent = 0, rated_max;
	struct osm_circuit_stats cs;
	char name[64], what[64];
	struct circ *c;
	uint32_t i;
	int r;

	tap(!dut->drops(d), "drop counters read");
	for (i = 0; i < NCIRC; i++) {
		c = &circs[i];
		memset(&cs, 0, sizeof(cs));
		if (i == DELETED_AT)
			cs.frames = fwd_gone;
		else if (!c->gone)
			dut->stats(c, &cs);
		fwd += cs.frames;
		if (c->role == C_RATED) {
			rated_fwd = cs.frames;
			rated_bytes = cs.bytes;
			rated_sent = c->rated_sent;
			continue;
		}
		tap(cs.frames == c->fwd_want, "circuit %u: forwarded %" PRIu64
		    " (model: %" PRIu64 ")", c->c.id, (uint64_t)cs.frames,
		    c->fwd_want);
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
		tap(d[r] == w, "%s %s: %" PRIu64 " (model: %" PRIu64 ")",
		    dut->name, osm_reason_name(r), d[r], w);
		off += d[r] > w ? d[r] - w : w - d[r];
		snprintf(name, sizeof(name), "drop.%s", osm_reason_name(r));
		snprintf(what, sizeof(what), "dropped (model: %" PRIu64 ")", w);
		figure(name, d[r], what);
	}
	/* The rated circuit: what passed fits its bucket. */
	c = &circs[RATED_AT];
	rated_max = c->c.burst + (uint64_t)((secs + 1) * (double)c->c.rate);
	tap(rated_fwd <= rated_sent && rated_bytes <= rated_max,
	    "rated circuit: %" PRIu64 " of %" PRIu64 " frames forwarded, %"
	    PRIu64 " bytes <= burst + rate x time %" PRIu64, rated_fwd,
	    rated_sent, rated_bytes, rated_max);
	tap(dut->received() == fwd, "the far side received the %" PRIu64
	    " frames forwarded (%" PRIu64 ")", fwd, dut->received());
	tap(dut->lost_after() == 0, "no forwarded frame lost at the egress");
	tap(tx_failed == 0 && stalls == 0, "every frame sent (%" PRIu64
	    " refused, %" PRIu64 " stalls)", tx_failed, stalls);
	tap(wrong == 0, "frames wrongly forwarded: %" PRIu64, wrong);
	tap(lost == 0, "valid frames lost: %" PRIu64, lost);

	figure("sent", sent, "frames sent");
	figure("forwarded", fwd, "frames forwarded (the far side received "
	       "them)");
	figure("hostile", sent - want[OSM_OK] - rated_sent,
	       "frames the model says must be dropped");
	figure("wrongly_forwarded", wrong, "must be 0");
	figure("valid_lost", lost, "must be 0");
	figure("reason_mismatch", off,
	       "sum over reasons of |device - model|, must be 0");
	figure("rated_forwarded", rated_fwd,
	       "of the rated circuit's frames (the rest: over_rate)");
	figure("per_second", (uint64_t)((double)sent / secs),
	       "frames/s through the campaign (model and sender included)");
	for (r = 0; r < K_MAX; r++) {
		snprintf(name, sizeof(name), "kind.%s", kind_name[r]);
		figure(name, made[r], "made");
	}
}

static const char usage[] =
"usage: frames [--gateway CAM-SOCKET PAR-SOCKET DEV DST-MAC] [FRAMES [SEED]]\n";

int main(int argc, char **argv)
{
	uint64_t total = 200000, t0;
	char dev[IF_NAMESIZE + 8];
	const char *why = "";
	uint8_t secret[32];
	double secs;
	uint32_t i;
	int e, a = 1;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (sodium_init() < 0)
		return 1;
	if (a < argc && !strcmp(argv[a], "--gateway")) {
		if (argc < a + 5) {
			fputs(usage, stderr);
			return 1;
		}
		snprintf(dev, sizeof(dev), "%s", argv[a + 3]);
		e = gw_setup(argv[a + 1], argv[a + 2], dev, argv[a + 4]);
		a += 5;
	} else {
		e = sw_setup(dev);
	}
	if (a < argc)
		total = strtoull(argv[a], NULL, 10);
	if (a + 1 < argc)
		rng = strtoull(argv[a + 1], NULL, 10) | 1;
	if (total < 100) {
		fputs(usage, stderr);
		return 1;
	}
	printf("# %" PRIu64 " frames at the %s, seed %" PRIu64 "\n", total,
	       dut ? dut->name : "?", rng);
	randombytes_buf(secret, sizeof(secret));
	if (!e)
		e = install(secret);
	if (!e) {
		e = pg_tx_open(&tx, PG_MODE_PACKET, dev, 0, &why);
		tap(!e, "AF_PACKET sender on %s (%s%s%s)", dev, why,
		    *why ? ": " : "", strerror(-e));
	}
	if (!e) {
		t0 = now_ns();
		run(total, secret);
		secs = (double)(now_ns() - t0) / 1e9;
		printf("# %.1f s\n", secs);
		verdicts(secs);
	}
	osm_wipe(secret, sizeof(secret));
	for (i = 0; i < NCIRC; i++)
		osm_wipe(&circs[i], sizeof(circs[i]));
	if (tx)
		pg_tx_close(tx);
	osm_switch_close(sw);
	return tap_done();
}
