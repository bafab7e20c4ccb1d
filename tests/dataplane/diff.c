// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The two dataplanes decide alike: the room switch's XDP program (run by
 * BPF_PROG_TEST_RUN) and the gateway's DPDK decision (gw_frame over
 * gw_table) get the same circuits, the same table changes and the same
 * frames, valid and hostile, drawn at random from a seed: every frame
 * must get the same verdict, the same drop reason and, when forwarded,
 * the same bytes; at the end every circuit's counters and every drop
 * reason's count agree. Usage: diff [FRAMES [SEED]]. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include "tap.h"
#include "osm_endpoint.h"
#include "osm_keys.h"
#include "switch.h"
#include "xdp_run.h"
#include "gw_frame.h"

enum { P_A, P_B, P_C, P_NR };		/* C: no port of the switch */
enum { NCIRC = 8 };			/* circuit ids 1..7; 8 unknown */
#define FMAX	(OSM_FRAME_HDR_LEN + 600)
#define NS	1000000000ULL
#define RPAY	500			/* payload on the rated circuit */

static uint32_t port[2 * P_NR];
static struct osm_switch *sw;
static struct gw_table gt;
static uint8_t secret[32];
static uint64_t rnd_state;

struct circ {
	struct osm_circuit c;
	uint32_t epoch;			/* the epoch senders use */
	uint64_t next_seq;		/* next fresh number */
	uint64_t sent[64];		/* numbers used, for replays */
	unsigned int n_sent;
};
static struct circ cs[NCIRC + 1];
static struct gw_drops drops;		/* the gateway's, by reason */
static long short_frames;		/* under 14 bytes: not run */

static uint64_t rnd(void)		/* xorshift64* */
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ULL;
}

static uint64_t mono_coarse(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* check 9 on DPDK's side: the switch's tx_ports are A and B */
static int egress(void *arg, uint32_t p, uint32_t len)
{
	(void)arg;
	(void)len;
	return p == port[P_A] || p == port[P_B];
}

/* Circuit id from in to out, keyed for epoch with the test's secret. */
static void circuit(uint32_t id, int in, int out, uint32_t epoch)
{
	uint8_t src[6], dst[6];

	osm_xdprun_mac(port[P_NR + in], src);	/* the sender's end */
	osm_xdprun_mac(port[P_NR + out], dst);
	osm_xdprun_circuit(&cs[id].c, id, port[in], port[out], src, dst,
			   secret, epoch);
	cs[id].epoch = epoch;
	cs[id].next_seq = 1000;
}

/* Install or replace circuit id on both dataplanes. */
static int install(uint32_t id, int replace)
{
	int r = replace ? osm_switch_circuit_replace(sw, &cs[id].c) :
			  osm_switch_circuit_add(sw, &cs[id].c);

	return r ? r : gw_table_set(&gt, &cs[id].c);
}

/* Add the hop key of epoch to circuit id (rotation) on both. */
static int rotate(uint32_t id, uint32_t epoch)
{
	struct osm_keys k;
	struct osm_key_slot *s = &cs[id].c.key[osm_epoch_slot(epoch)];

	osm_kdf_circuit(&k, secret, id, epoch);
	s->epoch = epoch;
	s->valid = 1;
	memcpy(s->hop_key, k.hop, sizeof(s->hop_key));
	osm_wipe(&k, sizeof(k));
	cs[id].epoch = epoch;
	return install(id, 1);
}

/* One frame on circuit id (any id, known or not) under epoch, seq. */
static int seal(uint32_t id, uint32_t epoch, uint64_t seq, size_t pay,
		uint8_t *frame)
{
	static const uint8_t payload[600];
	struct osm_tx tx = { .circuit = id, .type = OSM_T_DATA };
	const struct osm_circuit *c = &cs[id < NCIRC ? id : 1].c;
	int n;

	if (id < NCIRC && (cs[id].c.flags & OSM_CF_CTRL))
		tx.type = OSM_T_CTRL;
	osm_kdf_circuit(&tx.keys, secret, id, epoch);
	memcpy(tx.src, c->src_mac, 6);
	memcpy(tx.dst, c->dst_mac, 6);
	n = osm_seal_seq(&tx, seq, payload, pay, frame, FMAX);
	osm_wipe(&tx, sizeof(tx));
	return n;
}

/* A frame drawn at random: its bytes, length and arrival port. */
static int draw(uint8_t *f, int *in, const char **what)
{
	uint32_t id = 1 + (uint32_t)(rnd() % NCIRC);
	struct circ *c = &cs[id < NCIRC ? id : 1];
	uint32_t epoch = c->epoch;
	uint64_t seq = c->next_seq, k = rnd() % 16;
	/* the rated circuit's frames all cost the same: its bucket, burst
	 * 3 frames at 1 byte/s, lets 3 through and then none for 9 minutes,
	 * however the two clocks differ */
	size_t pay = id == 2 ? RPAY : (size_t)(rnd() % 64);
	int n, i;

	*in = c->c.ingress_ifindex == port[P_B] ? P_B : P_A;
	*what = "valid";
	if (k == 0 && c->n_sent) {
		seq = c->sent[rnd() % (c->n_sent < 64 ? c->n_sent : 64)];
		*what = "replay";
	} else if (k == 1) {
		seq = seq > 5000 ? seq - 5000 : 1;	/* behind the window */
		*what = "far behind";
	} else if (k == 2) {
		*in = *in == P_A ? P_B : P_A;
		*what = "wrong port";
	} else if (k == 3) {
		epoch += 2;
		*what = "stale epoch";
	} else if (k == 4 && epoch > 1) {
		epoch--;			/* the epoch before a rotation */
		*what = "old epoch";
	}
	if (!strcmp(*what, "valid") || !strcmp(*what, "wrong port") ||
	    !strcmp(*what, "stale epoch") || !strcmp(*what, "old epoch")) {
		seq = c->next_seq++;
		if (id < NCIRC)
			c->sent[c->n_sent++ % 64] = seq;
	}
	n = seal(id, epoch, seq, pay, f);
	if (n < 0)
		return n;
	switch (k) {
	case 5:				/* wrong source MAC */
		f[6 + rnd() % 6] ^= 1 << (rnd() % 8);
		*what = "wrong src";
		break;
	case 6:				/* a bit anywhere */
		i = (int)(rnd() % (uint64_t)n);
		f[i] ^= (uint8_t)(1 << (rnd() % 8));
		*what = "bit flip";
		break;
	case 7:				/* cut */
		n = (int)(rnd() % (uint64_t)n);
		*what = "truncated";
		break;
	case 8:				/* trailing bytes */
		memset(f + n, 0xa5, 8);
		n += 8;
		*what = "trailing";
		break;
	case 9:				/* random bytes */
		for (i = 0; i < n; i++)
			f[i] = (uint8_t)rnd();
		*what = "random";
		break;
	case 10:			/* another EtherType */
		f[12] = 0x08;
		f[13] = 0x00;
		*what = "not a circuit";
		break;
	}
	return n;
}

/* The reason the switch counted for its last frame: the one counter
 * that moved (OSM_OK: none). */
static int moved(const uint64_t *before, const uint64_t *after)
{
	int r, which = OSM_OK;

	for (r = 0; r < OSM_REASON_MAX; r++)
		if (after[r] != before[r])
			which = which == OSM_OK ? r : -1;
	return which;
}

/* Run n random frames through both; the first difference is reported.
 * Returns the number of frames that differed. */
static long run(long n, long *forwarded)
{
	static uint8_t f[FMAX + 16], g[FMAX + 16], out[FMAX + 16];
	uint64_t b[OSM_REASON_MAX], a[OSM_REASON_MAX];
	const char *what;
	long i, bad = 0;
	size_t out_len;
	const struct osm_circuit *op;
	int len, in, x, r, vx;

	for (i = 0; i < n; i++) {
		len = draw(f, &in, &what);
		if (len < 0)
			return -1;
		if (len < OSM_ETH_HLEN) {	/* no link delivers one, and */
			short_frames++;		/* BPF_PROG_TEST_RUN refuses */
			continue;
		}
		memcpy(g, f, (size_t)len);
		osm_switch_drop_stats(sw, b);
		vx = osm_xdprun(osm_switch_prog_fd(sw), port[in], f,
				(size_t)len, out, sizeof(out), &out_len);
		osm_switch_drop_stats(sw, a);
		x = vx == XDP_REDIRECT ? OSM_OK : moved(b, a);
		r = gw_frame(&gt, g, (uint32_t)len, port[in], mono_coarse(),
			     egress, NULL, &op, &drops);
		if (x == r && (r != OSM_OK || !memcmp(out, g, (size_t)len))) {
			*forwarded += r == OSM_OK;
			continue;
		}
		if (!bad++)
			printf("# frame %ld (%s, %d bytes on port %c): XDP "
			       "%s (verdict %d), DPDK %s\n", i, what, len,
			       'A' + in, x < 0 ? "?" : osm_reason_name(x), vx,
			       osm_reason_name(r));
	}
	return bad;
}

/* Every circuit's counters and every reason's count, compared. */
static int same_counters(void)
{
	struct osm_circuit_stats x, d;
	uint64_t sd[OSM_REASON_MAX];
	uint32_t id;
	int ok = 1;

	for (id = 1; id < NCIRC; id++) {
		if (osm_switch_circuit_stats(sw, id, &x) ||
		    gw_table_stats(&gt, id, &d))
			continue;
		if (x.frames != d.frames || x.bytes != d.bytes ||
		    x.drops != d.drops) {
			printf("# circuit %u: XDP %llu/%llu/%llu, DPDK "
			       "%llu/%llu/%llu (frames/bytes/drops)\n", id,
			       (unsigned long long)x.frames,
			       (unsigned long long)x.bytes,
			       (unsigned long long)x.drops,
			       (unsigned long long)d.frames,
			       (unsigned long long)d.bytes,
			       (unsigned long long)d.drops);
			ok = 0;
		}
	}
	osm_switch_drop_stats(sw, sd);
	for (id = 0; id < OSM_REASON_MAX; id++) {
		if (sd[id] == drops.by_reason[id])
			continue;
		printf("# %s: XDP %llu, DPDK %llu\n", osm_reason_name((int)id),
		       (unsigned long long)sd[id],
		       (unsigned long long)drops.by_reason[id]);
		ok = 0;
	}
	return ok;
}

static int eal(void)
{
	char *args[] = { "diff", "--no-huge", "--no-pci", "--no-shconf",
			 "-l", "0", "-m", "64", "--log-level", "*:error",
			 NULL };

	return rte_eal_init(10, args) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	long frames = argc > 1 ? atol(argv[1]) : 120000, fwd = 0, bad;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) :
			(uint64_t)time(NULL);
	uint64_t now;
	struct rte_rcu_qsbr *rcu;
	size_t sz;

	printf("# seed %llu (tests/dataplane/diff %ld %llu repeats this run)\n",
	       (unsigned long long)seed, frames, (unsigned long long)seed);
	rnd_state = seed ? seed : 1;
	libbpf_set_print(NULL);
	if (osm_xdprun_netns("odf", P_NR, port) < 0 ||
	    osm_switch_load(&sw, "diff", 0, OSM_SW_NOPIN) < 0 ||
	    osm_switch_attach(sw, port[P_A], 0) < 0 ||
	    osm_switch_attach(sw, port[P_B], 0) < 0) {
		printf("not ok 1 - the switch loads on two veth ports\n1..1\n");
		return 1;
	}
	if (eal()) {
		printf("not ok 1 - DPDK's EAL starts (--no-huge --no-pci)\n"
		       "1..1\n");
		return 1;
	}
	sz = rte_rcu_qsbr_get_memsize(1);
	rcu = rte_zmalloc("rcu", sz, RTE_CACHE_LINE_SIZE);
	if (!rcu || rte_rcu_qsbr_init(rcu, 1) ||
	    rte_rcu_qsbr_thread_register(rcu, 0) ||
	    gw_table_create(&gt, "diff", 64, rcu)) {
		printf("not ok 1 - the gateway's table\n1..1\n");
		return 1;
	}
	rte_rcu_qsbr_thread_online(rcu, 0);
	gt.writer_id = 0;	/* this thread reads too */
	for (sz = 0; sz < sizeof(secret); sz++)
		secret[sz] = (uint8_t)rnd();

	now = mono_coarse();
	circuit(1, P_A, P_B, 1);			/* plain */
	circuit(2, P_B, P_A, 1);			/* rated */
	cs[2].c.rate = 1;
	cs[2].c.burst = 3 * (OSM_FRAME_HDR_LEN + RPAY);	/* >= min burst */
	circuit(3, P_A, P_C, 1);			/* egress not a port */
	circuit(4, P_A, P_B, 1);			/* lease over */
	cs[4].c.expires_ns = now > 10 * NS ? now - 10 * NS : 1;
	circuit(5, P_A, P_B, 1);			/* lease on */
	cs[5].c.expires_ns = now + 3600 * NS;
	circuit(6, P_B, P_A, 3);			/* epoch 3 */
	circuit(7, P_A, P_B, 1);			/* control */
	cs[7].c.flags |= OSM_CF_CTRL;
	for (sz = 1; sz < NCIRC; sz++) {
		int r = install((uint32_t)sz, 0);

		if (r) {
			printf("not ok 1 - circuit %zu installed: %s\n1..1\n",
			       sz, strerror(-r));
			return 1;
		}
	}
	tap(1, "7 circuits on both dataplanes (plain, rated, egress no "
	    "port, leases, epoch 3, control)");

	bad = run(frames / 2, &fwd);
	tap(bad == 0, "%ld random frames: the same verdict, reason and bytes "
	    "(%ld differ)", frames / 2, bad);
	/* the control plane's changes, on both: rotations (new key beside
	 * the old), a replace, a delete and a new add */
	tap(!rotate(1, 2) && !rotate(6, 4), "circuits 1 and 6 rotate");
	cs[5].c.flags |= OSM_CF_DOWN;
	tap(!install(5, 1), "circuit 5 marked down (replaced)");
	tap(!osm_switch_circuit_del(sw, 3) && !gw_table_del(&gt, 3),
	    "circuit 3 deleted");
	circuit(3, P_B, P_A, 1);
	tap(!install(3, 0), "circuit 3 added anew, B to A");
	bad = run(frames - frames / 2, &fwd);
	tap(bad == 0, "%ld more frames after the changes: the same (%ld "
	    "differ)", frames - frames / 2, bad);
	tap(fwd > frames / 20, "of them, %ld forwarded by both (%ld shorter "
	    "than an Ethernet header, which no link delivers, not run)", fwd,
	    short_frames);
	tap(same_counters(), "every circuit's frames, bytes and drops agree, "
	    "and every drop reason's count");
	gw_table_free(&gt);
	osm_switch_close(sw);
	rte_eal_cleanup();
	return tap_done();
}
