// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-gw: a building's gateway on DPDK. Its inner port faces the
 * building's core switch, its outer port the wide-area link to one peer
 * building's gateway. A frame from the building that passes the switch's
 * decision (gw_frame) for a circuit marked remote is sealed as DATA of
 * the gateway link (docs/protocol.md 11) and sent to the peer in UDP; a
 * DATA from the peer that opens goes through the decision for its remote
 * circuit and into the building. Everything else is dropped and counted
 * by reason. One lcore polls both ports (l2fwd's loop, in bursts); a
 * control thread serves a Unix socket (the controller's hands: the link
 * to the peer, circuits, the pair-key epoch, counters) and changes the
 * circuit table without stopping the lcore (gw_table: lock-free reads,
 * RCU). The link comes from the command line or from a `peer` request,
 * which hands the lcore a new peer state to take between two rounds. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sodium.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_telemetry.h>
#include "osm_arg.h"
#include "osm_err.h"
#include "osm_hex.h"
#include "osm_version.h"
#include "gw_ctl.h"
#include "gw_frame.h"
#include "gw_outer.h"
#include "gw_peer.h"

#define BURST		32
#define NB_MBUF		8191
#define RING		512
#define TICK_NS		(100 * 1000000ULL)	/* handshake timers */
#define LINE_MAX_GW	512
#define BOOT_LEN	8			/* hello's boot id, bytes */

enum { GW_IN, GW_OUT };		/* the two ports, by role */

/* The gateway's counters, written by the lcore, read by the control
 * thread (64-bit words: never torn on x86_64). */
struct gw_stats {
	uint64_t rx[2], tx[2], tx_errors[2];
	uint64_t local_only;	/* circuits not marked remote: never sent */
	uint64_t not_for_us;	/* outer frames for another address */
	uint64_t unknown_peer;	/* UDP from an address that is no peer's */
	uint64_t keepalives;	/* empty DATA taken */
};

static struct gw {
	uint16_t port[2];
	struct rte_mempool *pool;
	struct gw_table table;
	struct rte_rcu_qsbr *rcu;
	struct gw_addr self;
	/* the link, the lcore's: none until has_peer (atomic for readers) */
	struct gw_peer peer;
	struct gw_addr peer_addr;	/* its mac: the next hop's */
	int has_peer;
	/* a new link for the lcore: the control thread fills it while
	 * staged is 0, then sets staged; the lcore takes it, wipes it and
	 * clears staged (atomic) */
	struct gw_peer new_peer;
	struct gw_addr new_addr;
	int staged;
	/* the control thread's: the link last set, to tell a change */
	struct gw_ctl_peer link;
	int has_link;
	char boot[2 * BOOT_LEN + 1];	/* random at start: hello's */
	uint32_t path_mtu;
	struct gw_drops drops;		/* inner reasons, both directions */
	struct gw_stats st;
	uint32_t new_epoch;		/* from the control thread (atomic) */
	pthread_mutex_t table_lock;	/* the table's writer vs telemetry */
	uint64_t idle_us;		/* sleep after an empty round */
	const char *control;
	int lfd;
} G;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- the data path (the lcore) ------------------------------------------ */

/* Check 9 of the decision: the egress port takes the frame. The outer
 * port takes a remote circuit's frame when the link has a session (none
 * without a peer: its state is all zeros). */
static int egress(void *arg, uint32_t port, uint32_t len)
{
	(void)arg;
	(void)len;
	return port == G.port[GW_IN] ||
	       (port == G.port[GW_OUT] && G.peer.has_cur);
}

/* Frames to send, by port: sent a burst at a time (a PMD on a kernel
 * socket makes a system call a tx_burst), when the lcore has handled
 * what it received (flush) or the queue is full. */
static struct gw_txq {
	struct rte_mbuf *m[BURST];
	uint16_t n;
} txq[2];

static void flush(int role)
{
	struct gw_txq *q = &txq[role];
	uint16_t k = q->n ? rte_eth_tx_burst(G.port[role], 0, q->m, q->n) : 0;

	G.st.tx[role] += k;
	G.st.tx_errors[role] += (uint64_t)(q->n - k);
	while (k < q->n)
		rte_pktmbuf_free(q->m[k++]);
	q->n = 0;
}

static void send_on(int role, struct rte_mbuf *m)
{
	if (txq[role].n == BURST)
		flush(role);
	txq[role].m[txq[role].n++] = m;
}

/* A link message of len bytes from msg to the peer, in a new mbuf. */
static void send_msg(const uint8_t *msg, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(G.pool);
	uint8_t *p;

	if (!m)
		return;
	p = (uint8_t *)rte_pktmbuf_append(m,
			(uint16_t)(gw_outer_hdr(&G.peer_addr) + len));
	if (!p) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(p + gw_outer_hdr(&G.peer_addr), msg, len);
	gw_outer_write(p, &G.self, &G.peer_addr, len);
	send_on(GW_OUT, m);
}

/* A frame from the building. */
static void from_inner(struct rte_mbuf *m, uint64_t now)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	size_t hdr = gw_outer_hdr(&G.self);	/* the peer's family */
	const struct osm_circuit *c;
	int n;

	if (m->nb_segs != 1 ||
	    gw_frame(&G.table, p, len, G.port[GW_IN], now, egress, NULL,
		     &c, &G.drops) != OSM_OK) {
		rte_pktmbuf_free(m);
		return;
	}
	if (c->egress_ifindex != G.port[GW_OUT] ||
	    !(c->flags & OSM_CF_REMOTE)) {
		G.st.local_only++;	/* only remote circuits leave */
		rte_pktmbuf_free(m);
		return;
	}
	if (hdr - 14 + GW_DATA_OVERHEAD + len > G.path_mtu) {
		G.peer.counts[GW_DROP_TOO_BIG]++;
		rte_pktmbuf_free(m);
		return;
	}
	p = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)(hdr + GW_DATA_HDR));
	if (!p || !rte_pktmbuf_append(m, GW_TAG_LEN)) {
		rte_pktmbuf_free(m);
		return;
	}
	n = gw_peer_seal(&G.peer, p + hdr + GW_DATA_HDR, len, p + hdr,
			 len + GW_DATA_OVERHEAD, now);
	if (n < 0) {
		rte_pktmbuf_free(m);
		return;
	}
	gw_outer_write(p, &G.self, &G.peer_addr, (size_t)n);
	send_on(GW_OUT, m);
}

/* A frame from the wide-area link. */
static void from_outer(struct rte_mbuf *m, uint64_t now)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *), reply[GW_RESP_LEN];
	size_t off, plen, rlen, ilen;
	const struct osm_circuit *c;
	struct gw_addr from;
	int r;

	r = m->nb_segs != 1 ? GW_OUTER_BAD :
	    gw_outer_parse(p, rte_pktmbuf_data_len(m), &G.self, &from, &off,
			   &plen);
	if (r == GW_OUTER_ND) {		/* ARP, or NS: ours to answer */
		uint16_t want = G.self.v6 ? 86 : 42,
			 have = rte_pktmbuf_data_len(m);

		if (have < want && !rte_pktmbuf_append(m, want - have)) {
			rte_pktmbuf_free(m);
			return;
		}
		p = rte_pktmbuf_mtod(m, uint8_t *);
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) -
					       gw_nd_reply(p, &G.self)));
		send_on(GW_OUT, m);
		return;
	}
	if (r != GW_OUTER_MSG) {
		if (r == GW_OUTER_BAD)
			G.peer.counts[GW_DROP_MALFORMED]++;
		else
			G.st.not_for_us++;
		rte_pktmbuf_free(m);
		return;
	}
	if (!G.has_peer || from.v6 != G.peer_addr.v6 ||
	    memcmp(from.ip, G.peer_addr.ip, sizeof(from.ip)) ||
	    from.port != G.peer_addr.port) {
		G.st.unknown_peer++;
		rte_pktmbuf_free(m);
		return;
	}
	r = gw_peer_rx(&G.peer, p + off, plen, now, reply, &rlen, &ilen);
	if (rlen)
		send_msg(reply, rlen);
	if (r != 1 || ilen == 0) {
		G.st.keepalives += r == 1;
		rte_pktmbuf_free(m);
		return;
	}
	/* the inner frame, opened in place after the DATA's header */
	rte_pktmbuf_adj(m, (uint16_t)(off + GW_DATA_HDR));
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - ilen));
	p = rte_pktmbuf_mtod(m, uint8_t *);
	if (gw_frame(&G.table, p, (uint32_t)ilen, G.port[GW_OUT], now,
		     egress, NULL, &c, &G.drops) != OSM_OK ||
	    c->egress_ifindex != G.port[GW_IN]) {
		rte_pktmbuf_free(m);
		return;
	}
	if (!(c->flags & OSM_CF_REMOTE)) {
		G.st.local_only++;	/* only remote circuits come in */
		rte_pktmbuf_free(m);
		return;
	}
	send_on(GW_IN, m);
}

/* Every field of the peer state but its counters, which come last: they
 * stay across a new link. */
_Static_assert(offsetof(struct gw_peer, counts) +
	       sizeof(((struct gw_peer *)0)->counts) == sizeof(struct gw_peer),
	       "gw_peer's counts are not its last field");

#define UNPEER	2	/* staged: no link from now on */

/* A link the control thread staged: ours now, in place of the one we
 * had (its sessions gone, its counters kept), or none (UNPEER). An epoch asked for before
 * it was the old link's: the new one comes with its own. Returns 1 if
 * one came. */
static int take_peer(void)
{
	int staged = __atomic_load_n(&G.staged, __ATOMIC_ACQUIRE);

	if (!staged)
		return 0;
	if (staged == UNPEER) {	/* no link: its secrets wiped, counters kept */
		__atomic_store_n(&G.has_peer, 0, __ATOMIC_RELAXED);
		sodium_memzero(&G.peer, offsetof(struct gw_peer, counts));
		__atomic_store_n(&G.new_epoch, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&G.staged, 0, __ATOMIC_RELEASE);
		return 0;
	}
	memcpy(&G.peer, &G.new_peer, offsetof(struct gw_peer, counts));
	G.peer_addr = G.new_addr;
	sodium_memzero(&G.new_peer, sizeof(G.new_peer));
	__atomic_store_n(&G.new_epoch, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&G.has_peer, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&G.staged, 0, __ATOMIC_RELEASE);
	return 1;
}

static void loop(void)
{
	struct rte_mbuf *b[BURST];
	uint64_t now, next_tick = 0;
	uint8_t msg[GW_INIT_LEN];
	uint16_t i, n, busy;
	uint32_t e;
	int len;

	rte_rcu_qsbr_thread_online(G.rcu, 0);
	while (!stop) {
		now = clock_ns(CLOCK_MONOTONIC_COARSE);
		e = __atomic_exchange_n(&G.new_epoch, 0, __ATOMIC_ACQ_REL);
		if (e && G.has_peer)
			gw_peer_epoch(&G.peer, e);
		if (take_peer())
			next_tick = 0;		/* the initiator, at once */
		if (G.has_peer && now >= next_tick) {
			len = gw_peer_tick(&G.peer, now,
					   clock_ns(CLOCK_REALTIME), msg);
			if (len > 0)
				send_msg(msg, (size_t)len);
			next_tick = now + TICK_NS;
		}
		n = rte_eth_rx_burst(G.port[GW_IN], 0, b, BURST);
		G.st.rx[GW_IN] += n;
		for (i = 0; i < n; i++)
			from_inner(b[i], now);
		busy = n;
		n = rte_eth_rx_burst(G.port[GW_OUT], 0, b, BURST);
		G.st.rx[GW_OUT] += n;
		for (i = 0; i < n; i++)
			from_outer(b[i], now);
		flush(GW_OUT);
		flush(GW_IN);
		rte_rcu_qsbr_quiescent(G.rcu, 0);
		if (!(busy + n) && G.idle_us)	/* a small site, or tests */
			usleep((useconds_t)G.idle_us);
	}
	flush(GW_OUT);
	flush(GW_IN);
	rte_rcu_qsbr_thread_offline(G.rcu, 0);
}

/* ---- the control socket (its own thread) -------------------------------- */

/* Until the lcore has taken the link staged last, if any: 0, or
 * -ECANCELED if the gateway stops first. */
static int taken(void)
{
	while (__atomic_load_n(&G.staged, __ATOMIC_ACQUIRE)) {
		if (stop)	/* the lcore may never take it */
			return -ECANCELED;
		usleep(100);
	}
	return 0;
}

/* Hand the link c to the lcore: a new peer state, no session. With wait,
 * until the lcore has taken it; without, the lcore takes it when it
 * starts. 0, -EINVAL (a key no X25519 key can be), -ECANCELED (the
 * gateway stops). */
static int stage_peer(const struct gw_ctl_peer *c, int wait)
{
	int err = taken();

	if (err)
		return err;
	err = gw_peer_init_pair(&G.new_peer, c->P, c->self, c->peer,
				c->epoch);
	if (err) {
		sodium_memzero(&G.new_peer, sizeof(G.new_peer));
		return err;
	}
	G.new_addr = c->addr;
	__atomic_store_n(&G.staged, 1, __ATOMIC_RELEASE);
	return wait ? taken() : 0;
}

/* The same pair and addresses (the epoch aside). */
static int same_pair(const struct gw_ctl_peer *a, const struct gw_ctl_peer *b)
{
	return a->addr.v6 == b->addr.v6 && a->addr.port == b->addr.port &&
	       !memcmp(a->addr.ip, b->addr.ip, sizeof(a->addr.ip)) &&
	       !memcmp(a->addr.mac, b->addr.mac, sizeof(a->addr.mac)) &&
	       !memcmp(a->self, b->self, sizeof(a->self)) &&
	       !memcmp(a->peer, b->peer, sizeof(a->peer)) &&
	       !sodium_memcmp(a->P, b->P, sizeof(a->P));
}

/* Move the link to epoch e, as the epoch request does: the lcore's next
 * handshake uses it, the sessions of the epoch before carry on until
 * then (docs/protocol.md 11.4). 0, or -ECANCELED. */
static int rotate(uint32_t e)
{
	if (taken())	/* after the link staged last */
		return -ECANCELED;
	G.link.epoch = e;
	__atomic_store_n(&G.new_epoch, e, __ATOMIC_RELEASE);
	return 0;
}

/* peer ...: parsed (gw_ctl.c). The link as it is changes nothing;
 * another epoch of the same pair rotates its key without a loss; any
 * other link replaces it. */
static void set_peer(char **w, int n, char *out, size_t cap)
{
	struct gw_ctl_peer c;
	char why[160];
	int pair, changed, err;

	if (gw_ctl_peer(w, n, G.self.v6, &c, why, sizeof(why))) {
		snprintf(out, cap, "error bad-request %s", why);
		return;
	}
	pair = G.has_link && same_pair(&c, &G.link);
	changed = !pair || c.epoch != G.link.epoch;
	if (!changed)
		err = 0;
	else if (pair)
		err = rotate(c.epoch);
	else
		err = stage_peer(&c, 1);
	if (err == -ECANCELED) {
		snprintf(out, cap, "error stopping the gateway stops");
	} else if (err == -EINVAL) {
		snprintf(out, cap, "error bad-request SELF-PUB or PEER-PUB is "
			 "no X25519 public key (a low-order point)");
	} else {
		if (!pair) {
			G.link = c;
			G.has_link = 1;
		}
		snprintf(out, cap, "ok {\"changed\":%s}",
			 changed ? "true" : "false");
	}
	sodium_memzero(&c, sizeof(c));
}

/* circuit ...: parsed (gw_ctl.c), then installed. */
static int set_circuit(char **w, int n, char *why, size_t cap)
{
	const uint32_t ports[2] = { G.port[GW_IN], G.port[GW_OUT] };
	struct osm_circuit c;
	int err;

	if (gw_ctl_circuit(w, n, ports, &c, why, cap))
		return -1;
	pthread_mutex_lock(&G.table_lock);
	err = gw_table_set(&G.table, &c);
	pthread_mutex_unlock(&G.table_lock);
	sodium_memzero(&c, sizeof(c));
	if (err)
		return snprintf(why, cap, "%s", err == -ENOSPC ?
				"circuit table full" : strerror(-err)), -1;
	return 0;
}

struct counter {
	const char *name;
	uint64_t v;
};

/* The gateway's counters outside the drop reasons, for the control
 * socket's stats and telemetry's /osm/stats alike; returns how many. */
static size_t counters(struct counter k[9])
{
	size_t n = 0;

	k[n++] = (struct counter){ "rx_inner", G.st.rx[GW_IN] };
	k[n++] = (struct counter){ "rx_outer", G.st.rx[GW_OUT] };
	k[n++] = (struct counter){ "tx_inner", G.st.tx[GW_IN] };
	k[n++] = (struct counter){ "tx_outer", G.st.tx[GW_OUT] };
	k[n++] = (struct counter){ "tx_errors",
				   G.st.tx_errors[0] + G.st.tx_errors[1] };
	k[n++] = (struct counter){ "local_only", G.st.local_only };
	k[n++] = (struct counter){ "not_for_us", G.st.not_for_us };
	k[n++] = (struct counter){ "unknown_peer", G.st.unknown_peer };
	k[n++] = (struct counter){ "keepalives", G.st.keepalives };
	return n;
}

/* Drop reason r of the decision (outer 0) or of the link (outer 1):
 * its name and count; the number of reasons when r is 0. */
static int reason(int outer, int r, const char **name, uint64_t *v)
{
	if (!r)
		return outer ? GW_REASON_MAX : OSM_REASON_MAX;
	*name = outer ? gw_reason_name(r) : osm_reason_name(r);
	*v = outer ? G.peer.counts[r] : G.drops.by_reason[r];
	return 0;
}

static void stats_json(char *out, size_t cap)
{
	struct counter k[9];
	const char *name;
	size_t n = 0, i, nk = counters(k);
	uint64_t v;
	int outer, r;

	for (outer = 0; outer < 2; outer++) {
		n += (size_t)snprintf(out + n, cap - n, "%s\"%s_drops\":{",
				      outer ? "}," : "{",
				      outer ? "outer" : "inner");
		for (r = 1; r < reason(outer, 0, NULL, NULL); r++) {
			reason(outer, r, &name, &v);
			n += (size_t)snprintf(out + n, cap - n,
					      "%s\"%s\":%llu", r > 1 ? "," : "",
					      name, (unsigned long long)v);
		}
	}
	n += (size_t)snprintf(out + n, cap - n, "}");
	for (i = 0; i < nk; i++)
		n += (size_t)snprintf(out + n, cap - n, ",\"%s\":%llu",
				      k[i].name, (unsigned long long)k[i].v);
	snprintf(out + n, cap - n, ",\"peer\":%s,\"session\":%s,"
		 "\"epoch\":%u,\"session_epoch\":%u}",
		 G.has_link ? "true" : "false",
		 G.peer.has_cur ? "true" : "false", G.peer.epoch,
		 G.peer.has_cur ? G.peer.cur.epoch : 0);
}

/* list: every circuit id, ascending, in a reply of its own (the table
 * holds at most OSM_MAX_CIRCUITS: 11 bytes an id, 1.4 MiB at most), or
 * an error line into out. The caller frees what is not out. */
static char *list(char *out, size_t cap)
{
	uint32_t n = gw_table_count(&G.table), *ids, i;
	size_t len, size = 32 + (size_t)n * 11;	/* "4294967295," each */
	char *r;

	if (n > OSM_MAX_CIRCUITS) {
		snprintf(out, cap, "error too-big %u circuits (list gives up "
			 "to %u)", n, OSM_MAX_CIRCUITS);
		return out;
	}
	ids = malloc((n ? n : 1) * sizeof(*ids));
	r = malloc(size);
	if (!ids || !r) {
		free(ids);
		free(r);
		snprintf(out, cap, "error no-memory for a list of %u", n);
		return out;
	}
	n = gw_table_ids(&G.table, ids, n);
	len = (size_t)snprintf(r, size, "ok {\"circuits\":[");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(r + len, size - len, "%s%u",
					i ? "," : "", ids[i]);
	snprintf(r + len, size - len, "]}");
	free(ids);
	return r;
}

/* One request line: its reply, into out (cap bytes) or, for a long one,
 * a buffer of its own (freed by the caller) with a byte to spare. */
static char *request(char *line, char *out, size_t cap)
{
	struct osm_circuit_stats cs;
	char *w[GW_CTL_WORDS], why[160];
	uint64_t v;
	int n = gw_ctl_words(line, w, GW_CTL_WORDS), r;

	if (n <= 0) {
		snprintf(out, cap, "error bad-request %s", n ? "too many words"
			 : "empty line");
	} else if (!strcmp(w[0], "ping") && n == 1) {
		snprintf(out, cap, "ok {}");
	} else if (!strcmp(w[0], "hello") && n == 1) {
		snprintf(out, cap, "ok {\"boot\":\"%s\",\"peer\":%s,"
			 "\"circuits\":%u}", G.boot,
			 G.has_link ? "true" : "false",
			 gw_table_count(&G.table));
	} else if (!strcmp(w[0], "list") && n == 1) {
		return list(out, cap);
	} else if (!strcmp(w[0], "peer")) {
		set_peer(w, n, out, cap);
	} else if (!strcmp(w[0], "circuit")) {
		if (set_circuit(w, n, why, sizeof(why)))
			snprintf(out, cap, "error bad-request %s", why);
		else
			snprintf(out, cap, "ok {}");
	} else if (!strcmp(w[0], "del") && n == 2 &&
		   !osm_arg_u64(w[1], UINT32_MAX, &v)) {
		pthread_mutex_lock(&G.table_lock);
		r = gw_table_del(&G.table, (uint32_t)v);
		pthread_mutex_unlock(&G.table_lock);
		if (r)
			snprintf(out, cap, "error not-found no circuit %s",
				 w[1]);
		else
			snprintf(out, cap, "ok {}");
	} else if (!strcmp(w[0], "circuit-stats") && n == 2 &&
		   !osm_arg_u64(w[1], UINT32_MAX, &v)) {
		if (gw_table_stats(&G.table, (uint32_t)v, &cs))
			snprintf(out, cap, "error not-found no circuit %s",
				 w[1]);
		else
			snprintf(out, cap, "ok {\"frames\":%llu,\"bytes\":%llu,"
				 "\"drops\":%llu}",
				 (unsigned long long)cs.frames,
				 (unsigned long long)cs.bytes,
				 (unsigned long long)cs.drops);
	} else if (!strcmp(w[0], "epoch") && n == 2 &&
		   !osm_arg_u64(w[1], UINT32_MAX, &v) && v) {
		if (!G.has_link) {
			snprintf(out, cap, "error no-peer no link yet (a peer "
				 "request sets one)");
		} else if (rotate((uint32_t)v)) {
			snprintf(out, cap, "error stopping the gateway stops");
		} else {
			snprintf(out, cap, "ok {}");
		}
	} else if (!strcmp(w[0], "unpeer") && n == 1) {
		if (!G.has_link) {
			snprintf(out, cap, "ok {\"changed\":false}");
		} else if (taken()) {	/* after the link staged last */
			snprintf(out, cap, "error stopping the gateway stops");
		} else {
			__atomic_store_n(&G.staged, UNPEER, __ATOMIC_RELEASE);
			if (taken()) {
				snprintf(out, cap, "error stopping the gateway "
					 "stops");
			} else {
				sodium_memzero(&G.link, sizeof(G.link));
				G.has_link = 0;
				snprintf(out, cap, "ok {\"changed\":true}");
			}
		}
	} else if (!strcmp(w[0], "stats") && n == 1) {
		memcpy(out, "ok ", 3);
		stats_json(out + 3, cap - 3);
	} else {
		snprintf(out, cap, "error bad-request unknown request (ping, "
			 "hello, peer, unpeer, circuit, del, circuit-stats, "
			 "list, epoch, stats)");
	}
	return out;
}

/* The reply to client fd, whole: never SIGPIPE (a client gone first).
 * -1 if the client is gone, or read nothing of it for 5 s (SO_SNDTIMEO):
 * it is dropped then. */
static int reply(int fd, char *out)
{
	size_t len, off = 0;
	ssize_t r;

	strcat(out, "\n");
	len = strlen(out);
	while (off < len) {
		r = send(fd, out + off, len - off, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

/* One client's requests until it goes (or the gateway stops): a line
 * each. A line over LINE_MAX_GW bytes is answered with an error and
 * skipped whole, up to its newline: nothing of it runs. */
static void serve_client(int fd)
{
	char line[LINE_MAX_GW], out[2048], *rep, *nl;
	struct timeval to = { .tv_sec = 5 };
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	int skipping = 0, gone = 0;
	ssize_t r;

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &to, sizeof(to));

	while (!stop && !gone) {
		if (poll(&pf, 1, 200) <= 0)
			continue;
		r = read(fd, line + len, sizeof(line) - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		line[len] = '\0';
		while (!gone && (nl = strchr(line, '\n'))) {
			*nl = '\0';
			if (skipping) {
				skipping = 0;
			} else {
				rep = request(line, out, sizeof(out) - 1);
				gone = reply(fd, rep);
				if (rep != out)
					free(rep);
			}
			len -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, len + 1);
		}
		if (len == sizeof(line) - 1) {	/* no newline in sight */
			if (!skipping) {
				snprintf(out, sizeof(out) - 1, "error "
					 "bad-request line over %d bytes",
					 LINE_MAX_GW - 1);
				gone = reply(fd, out);
			}
			skipping = 1;
			len = 0;
		}
	}
	sodium_memzero(line, sizeof(line));
}

/* One client at a time: the controller's. */
static void *control(void *arg)
{
	struct pollfd pf = { .fd = G.lfd, .events = POLLIN };
	int fd;

	(void)arg;
	while (!stop) {
		if (poll(&pf, 1, 200) <= 0)
			continue;
		fd = accept(G.lfd, NULL, NULL);
		if (fd < 0)
			continue;
		serve_client(fd);
		close(fd);
	}
	return NULL;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	umask(077);		/* the socket takes keys: its owner's only */
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 4)) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* ---- DPDK telemetry: /osm/... (dpdk-telemetry.py) --------------------- */

static int tel_stats(const char *cmd, const char *params,
		     struct rte_tel_data *d)
{
	struct counter k[9];
	size_t i, n = counters(k);

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (i = 0; i < n; i++)
		rte_tel_data_add_dict_u64(d, k[i].name, k[i].v);
	rte_tel_data_add_dict_int(d, "peer", __atomic_load_n(&G.has_peer,
							    __ATOMIC_RELAXED));
	rte_tel_data_add_dict_int(d, "session", G.peer.has_cur);
	rte_tel_data_add_dict_int(d, "epoch", (int)G.peer.epoch);
	return 0;
}

static int tel_drops(const char *cmd, const char *params,
		     struct rte_tel_data *d)
{
	int r, outer = !strcmp(cmd, "/osm/outer_drops");
	const char *name;
	uint64_t v;

	(void)params;
	rte_tel_data_start_dict(d);
	for (r = 1; r < reason(outer, 0, NULL, NULL); r++) {
		reason(outer, r, &name, &v);
		rte_tel_data_add_dict_u64(d, name, v);
	}
	return 0;
}

static int tel_circuit(const char *cmd, const char *params,
		       struct rte_tel_data *d)
{
	struct osm_circuit_stats cs;
	uint64_t id;
	int err;

	(void)cmd;
	if (!params || osm_arg_u64(params, UINT32_MAX, &id))
		return -1;
	/* DPDK's telemetry thread is no RCU reader: the writer's lock */
	pthread_mutex_lock(&G.table_lock);
	err = gw_table_stats(&G.table, (uint32_t)id, &cs);
	pthread_mutex_unlock(&G.table_lock);
	if (err)
		return -1;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "frames", cs.frames);
	rte_tel_data_add_dict_u64(d, "bytes", cs.bytes);
	rte_tel_data_add_dict_u64(d, "drops", cs.drops);
	return 0;
}

static void telemetry(void)
{
	rte_telemetry_register_cmd("/osm/stats", tel_stats,
		"The gateway's ports, sessions and drops outside the "
		"decision");
	rte_telemetry_register_cmd("/osm/drops", tel_drops,
		"Frames the decision dropped, by reason");
	rte_telemetry_register_cmd("/osm/outer_drops", tel_drops,
		"Outer packets dropped, by reason");
	rte_telemetry_register_cmd("/osm/circuit", tel_circuit,
		"A circuit's frames, bytes, drops. Parameters: int id");
}

/* ---- set-up ----------------------------------------------------------- */

static int port_up(uint16_t port)
{
	struct rte_eth_conf conf = { 0 };

	if (!rte_eth_dev_is_valid_port(port))
		return -ENODEV;
	if (rte_eth_dev_configure(port, 1, 1, &conf) ||
	    rte_eth_rx_queue_setup(port, 0, RING,
				   rte_eth_dev_socket_id(port), NULL, G.pool) ||
	    rte_eth_tx_queue_setup(port, 0, RING,
				   rte_eth_dev_socket_id(port), NULL) ||
	    rte_eth_dev_start(port))
		return -EIO;
	rte_eth_promiscuous_enable(port);
	return 0;
}

/* --public-key FILE: the public key of a secret, in hex. */
static int public_key(const char *file)
{
	uint8_t s[GW_KEY_LEN], S[GW_KEY_LEN];
	char hex[2 * GW_KEY_LEN + 1];
	int err = osm_arg_key_file(file, s, sizeof(s));

	if (err)
		return osm_err("key file '%s': %s", file,
			       osm_arg_strerror(err));
	crypto_scalarmult_base(S, s);
	sodium_memzero(s, sizeof(s));
	osm_hex_format(hex, S, sizeof(S));
	printf("%s\n", hex);
	return 0;
}

/* The pair secret P of this gateway (its key file) and the peer of l
 * (l->peer), with this gateway's public key, into l. 0, or 1 after one
 * line. */
static int pair_of_key_file(const char *file, struct gw_ctl_peer *l)
{
	uint8_t s[GW_KEY_LEN];
	int err = osm_arg_key_file(file, s, sizeof(s));

	if (err)
		return osm_err("key file '%s': %s", file,
			       osm_arg_strerror(err));
	crypto_scalarmult_base(l->self, s);
	err = !memcmp(l->self, l->peer, GW_KEY_LEN) ||
	      gw_pair_secret(l->P, s, l->peer);
	sodium_memzero(s, sizeof(s));
	if (err)
		return osm_err("the peer's key is this gateway's own, or no "
			       "usable X25519 key");
	return 0;
}

/* --pair-secret FILE PEER-KEY: P in hex, for the controller's peer
 * request (osm-gw(8) says why it may be printed). */
static int pair_secret(const char *file, const char *peer)
{
	struct gw_ctl_peer l = { 0 };
	char hex[2 * GW_KEY_LEN + 1];

	if (osm_hex_parse(peer, l.peer, GW_KEY_LEN) != GW_KEY_LEN)
		return osm_err("bad PEER-KEY (64 hex digits)");
	if (pair_of_key_file(file, &l))
		return 1;
	osm_hex_format(hex, l.P, GW_KEY_LEN);
	printf("%s\n", hex);
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(&l, sizeof(l));
	return fflush(stdout) ? osm_err("writing: %s", strerror(errno)) : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: osm-gw EAL-OPTIONS -- --address ADDR:PORT [--key-file FILE\n"
"              --peer ADDR:PORT --peer-key HEX --next-hop-mac MAC\n"
"              [--epoch E]] [--inner PORT] [--outer PORT] [--path-mtu N]\n"
"              [--control PATH] [--max-circuits N] [--idle-us N]\n"
"       osm-gw --public-key KEY-FILE\n"
"       osm-gw --pair-secret KEY-FILE PEER-KEY\n"
"A building's gateway (osm-gw(8)): frames of circuits marked remote go\n"
"sealed to the peer gateway over UDP (docs/protocol.md 11); ADDR:\n"
"A.B.C.D or [IPV6], the same family at both ends. EAL options:\n"
"e.g. --no-huge --no-pci -l 0 --vdev net_af_packet0,iface=in0 --vdev\n"
"net_af_packet1,iface=wan0. The link to the peer: from the four link\n"
"options, or none and the controller's peer request. --key-file: this\n"
"gateway's X25519 secret (32 bytes, raw or hex, closed to group and\n"
"others); --peer-key: the peer's public key (hex); the control socket\n"
"(default /run/osm-gw.sock) takes: hello, peer, circuit, del, list,\n"
"circuit-stats, epoch, stats. --idle-us: sleep that long after a round\n"
"that received nothing (0: poll without rest, the default).\n"
"--public-key: print the public key of a secret key file, for the peer's\n"
"operator. --pair-secret: print the pair secret of a key file and a\n"
"peer's public key, for the controller's peer request (a secret).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "address", required_argument, NULL, 'a' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "peer", required_argument, NULL, 'p' },
		{ "peer-key", required_argument, NULL, 'P' },
		{ "next-hop-mac", required_argument, NULL, 'm' },
		{ "inner", required_argument, NULL, 'i' },
		{ "outer", required_argument, NULL, 'o' },
		{ "epoch", required_argument, NULL, 'e' },
		{ "path-mtu", required_argument, NULL, 'M' },
		{ "control", required_argument, NULL, 'c' },
		{ "max-circuits", required_argument, NULL, 'n' },
		{ "idle-us", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	enum { O_ADDR = 1, O_PEER = 2, O_PEER_KEY = 4, O_MAC = 8, O_KEY = 16,
	       O_EPOCH = 32, O_LINK = O_PEER | O_PEER_KEY | O_MAC | O_KEY };
	uint64_t v, epoch = 1, max = 65536, mtu = 1500, in = 0, out = 1;
	struct gw_ctl_peer link = { 0 };
	uint8_t boot[BOOT_LEN];
	const char *key_file = NULL;
	int c, n, have = 0;
	pthread_t ctl;

	if (argc > 1 && (!strcmp(argv[1], "--version") ||
			 !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		if (!strcmp(argv[1], "--version"))
			printf(OSM_VERSION_LINE("osm-gw"), OSM_VERSION);
		else
			usage(stdout);
		return 0;
	}
	if (sodium_init() < 0)
		return osm_err("libsodium failed to initialise");
	if (argc == 3 && !strcmp(argv[1], "--public-key"))
		return public_key(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "--pair-secret"))
		return pair_secret(argv[2], argv[3]);
	n = rte_eal_init(argc, argv);
	if (n < 0)
		return osm_err("DPDK's EAL did not start: %s",
			       rte_strerror(rte_errno));
	argc -= n;
	argv += n;
	G.control = "/run/osm-gw.sock";
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (gw_addr_parse(optarg, &G.self))
				return osm_err("bad --address '%s' (A.B.C.D:PORT "
					       "or [IPV6]:PORT)", optarg);
			have |= O_ADDR;
			break;
		case 'p':
			if (gw_addr_parse(optarg, &link.addr))
				return osm_err("bad --peer '%s' (A.B.C.D:PORT or "
					       "[IPV6]:PORT)", optarg);
			have |= O_PEER;
			break;
		case 'k':
			key_file = optarg;
			have |= O_KEY;
			break;
		case 'P':
			if (osm_hex_parse(optarg, link.peer, GW_KEY_LEN) !=
			    GW_KEY_LEN)
				return osm_err("bad --peer-key (64 hex digits)");
			have |= O_PEER_KEY;
			break;
		case 'm':
			if (osm_mac_parse(optarg, link.addr.mac))
				return osm_err("bad --next-hop-mac '%s'",
					       optarg);
			have |= O_MAC;
			break;
		case 'I':
			if (osm_arg_u64(optarg, 1000000, &G.idle_us))
				return osm_err("bad --idle-us '%s' (0..1000000)",
					       optarg);
			break;
		case 'i': case 'o': case 'e': case 'M': case 'n':
			if (osm_arg_u64(optarg, c == 'e' || c == 'n' ?
					UINT32_MAX : 65535, &v))
				return osm_err("bad number '%s'", optarg);
			*(c == 'i' ? &in : c == 'o' ? &out : c == 'e' ?
			  &epoch : c == 'M' ? &mtu : &max) = v;
			have |= c == 'e' ? O_EPOCH : 0;
			break;
		case 'c': G.control = optarg; break;
		case 'h': usage(stdout); return 0;
		default:
			return osm_err("bad option '%s' (try 'osm-gw --help')",
				       argv[optind - 1]);
		}
	}
	if (!(have & O_ADDR))
		return osm_err("give --address (see --help)");
	if ((have & O_LINK) && (have & O_LINK) != O_LINK)
		return osm_err("give all of --key-file, --peer, --peer-key and "
			       "--next-hop-mac, or none of them (a peer "
			       "request sets the link)");
	if ((have & O_EPOCH) && !(have & O_LINK))
		return osm_err("--epoch goes with the link's options (a peer "
			       "request gives its own)");
	if ((have & O_LINK) && G.self.v6 != link.addr.v6)
		return osm_err("--address and --peer: both IPv4 or both IPv6");
	if (!epoch || mtu < 576 || in == out || !max ||
	    max > OSM_MAX_CIRCUITS)
		return osm_err("--epoch from 1, --path-mtu from 576, two "
			       "ports, --max-circuits from 1 to %u",
			       OSM_MAX_CIRCUITS);
	if (have & O_LINK) {
		if (pair_of_key_file(key_file, &link))
			return 1;
		link.epoch = (uint32_t)epoch;
		/* the lcore takes it when it starts */
		if (stage_peer(&link, 0))
			return osm_err("--peer-key is no usable X25519 key");
		G.link = link;
		G.has_link = 1;
		sodium_memzero(&link, sizeof(link));
	}
	randombytes_buf(boot, sizeof(boot));
	osm_hex_format(G.boot, boot, sizeof(boot));
	G.path_mtu = (uint32_t)mtu;
	G.port[GW_IN] = (uint16_t)in;
	G.port[GW_OUT] = (uint16_t)out;
	G.pool = rte_pktmbuf_pool_create("osm_gw", NB_MBUF, 256, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE,
					 (int)rte_socket_id());
	if (!G.pool)
		return osm_err("no mbuf pool: %s", rte_strerror(rte_errno));
	if (port_up(G.port[GW_IN]) || port_up(G.port[GW_OUT]))
		return osm_err("ports %u and %u cannot start (give two --vdev "
			       "or NICs)", G.port[GW_IN], G.port[GW_OUT]);
	rte_eth_macaddr_get(G.port[GW_OUT],
			    (struct rte_ether_addr *)G.self.mac);
	G.rcu = rte_zmalloc("osm_gw_rcu", rte_rcu_qsbr_get_memsize(1),
			    RTE_CACHE_LINE_SIZE);
	if (!G.rcu || rte_rcu_qsbr_init(G.rcu, 1) ||
	    rte_rcu_qsbr_thread_register(G.rcu, 0) ||
	    gw_table_create(&G.table, "osm_gw", (uint32_t)max, G.rcu))
		return osm_err("cannot make the circuit table");
	telemetry();
	G.lfd = listen_unix(G.control);
	if (G.lfd < 0)
		return osm_err("control socket %s: %s", G.control,
			       strerror(-G.lfd));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	pthread_mutex_init(&G.table_lock, NULL);
	if (G.has_link)
		printf("osm-gw: %s initiator of its pair, epoch %u; control "
		       "%s\n", G.new_peer.initiator ? "the" : "not the",
		       G.link.epoch, G.control);
	else
		printf("osm-gw: no peer yet (a peer request sets the link); "
		       "control %s\n", G.control);
	fflush(stdout);
	if (pthread_create(&ctl, NULL, control, NULL))
		return osm_err("cannot start the control thread");
	loop();
	pthread_join(ctl, NULL);
	close(G.lfd);
	unlink(G.control);
	gw_peer_wipe(&G.peer);
	gw_peer_wipe(&G.new_peer);
	sodium_memzero(&G.link, sizeof(G.link));
	gw_table_free(&G.table);
	rte_eth_dev_stop(G.port[GW_IN]);
	rte_eth_dev_stop(G.port[GW_OUT]);
	rte_eal_cleanup();
	return 0;
}
