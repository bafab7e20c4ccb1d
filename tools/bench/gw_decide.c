// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-bench-gw: ns/frame of the gateway's per-frame decision (gw_frame
 * over gw_table, dataplane/gw_frame.c) on host buffers, no I/O: the
 * decision half of row (5) of `make bench`, against the XDP switch's
 * program under BPF_PROG_TEST_RUN (`osm-bench testrun`, row (1)) on the
 * same frames: circuit 1, epoch 2, 64 and 1500 bytes, sealed the same way.
 *   osm-bench-gw [--repeat N] [--trials N]
 * CSV "size,case,ns" on stdout, each the median of the trials:
 *   gw_forward        a circuit without a rate or a lease
 *   gw_forward_rated  with a rate and a lease, as the engine installs them
 *   gw_floor          the timing loop with no decision in it
 * A verified forward of the same frame twice would be a replay, so the
 * frames live in a ring of RING buffers whose sequence numbers and hop
 * tags are renewed between batches, outside the timed loop (what
 * fresh_xdp does inside the test run, which then subtracts its cost).
 * The clock is read once a batch, as osm-gw's loop reads it once a round.
 * Every decision must be a forward, counted in the circuit's state, or the
 * bench fails. */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <sodium.h>
#include "osm_arg.h"
#include "osm_endpoint.h"
#include "osm_err.h"
#include "osm_keys.h"
#include "gw_frame.h"

#define CIRCUIT		1
#define EPOCH		2		/* as osm-bench testrun */
#define RING		64		/* frames a batch */
#define FMAX		(OSM_FRAME_HDR_LEN + OSM_MAX_PAYLOAD)
#define PORT_IN		0
#define PORT_OUT	1

static const uint8_t src[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t dst[6] = { 2, 0, 0, 0, 0, 2 };
static uint8_t frames[RING][FMAX];
static int session = 1;

/* osm-gw's check 9: the inner port, or the outer one with a session. */
static int egress(void *arg, uint32_t port, uint32_t len)
{
	(void)arg;
	(void)len;
	return port == PORT_IN || (port == PORT_OUT && session);
}

static uint64_t ns_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct run {
	struct gw_table t;
	struct gw_drops drops;
	struct osm_circuit c;
	uint8_t secret[32];
	uint32_t repeat, trials;
	uint64_t seq;			/* the next fresh sequence number */
};

/* The ring's frames get the next RING sequence numbers, hop tags anew. */
static void renew(struct run *r)
{
	const uint8_t *key = r->c.key[osm_epoch_slot(EPOCH)].hop_key;
	uint8_t *h;
	int i;

	for (i = 0; i < RING; i++) {
		h = frames[i] + OSM_ETH_HLEN;
		osm_put_be64(h + OSM_OFF_SEQ, r->seq++);
		osm_put_le64(h + OSM_OFF_HOP_TAG, osm_hop_tag(h, key));
	}
}

/* ns/frame of repeat frames of len bytes, the decision in the loop or
 * (floor) not: each trial's median batch, the median of the trials. A
 * batch the scheduler interrupted counts its wait, which
 * BPF_PROG_TEST_RUN leaves out (it stops its clock to reschedule): the
 * median batch leaves such batches out too. */
static int measure(struct run *r, uint32_t len, int floor, uint64_t *median)
{
	static uint64_t *batch;
	const struct osm_circuit *cp;
	uint64_t ns[32], t0, now;
	uint32_t trial, nb = (r->repeat + RING - 1) / RING, b;
	int i, bad = 0;

	if (!batch && !(batch = calloc(nb, sizeof(*batch))))
		return osm_err("out of memory");
	for (trial = 0; trial < r->trials; trial++) {
		for (b = 0; b < nb; b++) {
			renew(r);
			t0 = ns_of(CLOCK_MONOTONIC);
			now = ns_of(CLOCK_MONOTONIC_COARSE);
			if (!floor)
				for (i = 0; i < RING; i++)
					bad |= gw_frame(&r->t, frames[i], len,
							PORT_IN, now, egress,
							NULL, &cp, &r->drops);
			batch[b] = ns_of(CLOCK_MONOTONIC) - t0;
		}
		if (bad)
			return osm_err("a %u-byte frame was not forwarded", len);
		qsort(batch, nb, sizeof(*batch), cmp_u64);
		/* per frame, in hundredths of a ns until printed */
		ns[trial] = batch[nb / 2] * 100 / RING;
	}
	qsort(ns, r->trials, sizeof(ns[0]), cmp_u64);
	*median = ns[r->trials / 2];
	return 0;
}

/* The circuit as it is now, installed (a replace keeps its state). */
static int install(struct run *r)
{
	int e = gw_table_set(&r->t, &r->c);

	return e ? osm_err("cannot install the circuit: %s", strerror(-e)) : 0;
}

/* The circuit, without a rate or a lease, keyed for EPOCH. */
static void circuit(struct run *r)
{
	struct osm_key_slot *slot = &r->c.key[osm_epoch_slot(EPOCH)];
	struct osm_keys k;

	memset(&r->c, 0, sizeof(r->c));
	r->c.id = CIRCUIT;
	r->c.ingress_ifindex = PORT_IN;
	r->c.egress_ifindex = PORT_OUT;
	r->c.flags = OSM_CF_REMOTE;
	memcpy(r->c.src_mac, src, 6);
	memcpy(r->c.dst_mac, dst, 6);
	osm_kdf_circuit(&k, r->secret, CIRCUIT, EPOCH);
	slot->epoch = EPOCH;
	slot->valid = 1;
	memcpy(slot->hop_key, k.hop, sizeof(slot->hop_key));
	osm_wipe(&k, sizeof(k));
}

static int size_run(struct run *r, uint32_t size)
{
	static const uint8_t pl[OSM_MAX_PAYLOAD];
	struct osm_tx tx = { .circuit = CIRCUIT, .type = OSM_T_DATA };
	struct osm_circuit_stats s0, s1;
	uint64_t floor, fwd, rated;
	int i, n = 0;

	memcpy(tx.src, src, 6);
	memcpy(tx.dst, dst, 6);
	osm_kdf_circuit(&tx.keys, r->secret, CIRCUIT, EPOCH);
	for (i = 0; i < RING && n >= 0; i++)
		n = osm_seal_seq(&tx, r->seq, pl, size - OSM_FRAME_HDR_LEN,
				 frames[i], FMAX);
	osm_wipe(&tx, sizeof(tx));
	if (n != (int)size)
		return osm_err("cannot seal a %u-byte frame", size);
	circuit(r);
	if (install(r) || gw_table_stats(&r->t, CIRCUIT, &s0) ||
	    measure(r, size, 1, &floor) || measure(r, size, 0, &fwd))
		return 1;
	/* as the engine installs a circuit: a rate that never runs out here
	 * (every frame still forwards) and a lease an hour away */
	r->c.rate = 100000000000ULL;
	r->c.burst = 2000000000;
	r->c.expires_ns = ns_of(CLOCK_MONOTONIC) + 3600000000000ULL;
	if (install(r) || measure(r, size, 0, &rated) ||
	    gw_table_stats(&r->t, CIRCUIT, &s1))
		return 1;
	if (s1.frames - s0.frames != 2ULL * r->trials *
	    ((r->repeat + RING - 1) / RING) * RING || s1.drops != s0.drops)
		return osm_err("the gateway forwarded %llu frames, dropped "
			       "%llu", (unsigned long long)(s1.frames -
							    s0.frames),
			       (unsigned long long)(s1.drops - s0.drops));
	printf("%u,gw_floor,%.2f\n%u,gw_forward,%.2f\n"
	       "%u,gw_forward_rated,%.2f\n", size, floor / 100.0, size,
	       fwd / 100.0, size, rated / 100.0);
	return 0;
}

/* A count from 1 to max (osm_arg_u64's numbers). */
static int count(const char *s, uint32_t max, uint32_t *v)
{
	uint64_t x;

	if (osm_arg_u64(s, max, &x) || !x)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

/* DPDK's EAL without hugepages or devices, its one lcore free to run on
 * any CPU this process may: where the caller put it (bench.sh: taskset),
 * as it would put `osm-bench testrun`. */
static int eal(void)
{
	char lcores[64] = "0@(", *args[] = { "osm-bench-gw", "--no-huge",
		"--no-pci", "--no-shconf", "--no-telemetry", "-m", "64",
		"--lcores", lcores, "--log-level", "*:error", NULL };
	size_t n = strlen(lcores);
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (cpu = 0; cpu < CPU_SETSIZE && n + 8 < sizeof(lcores); cpu++)
		if (CPU_ISSET(cpu, &set))
			n += (size_t)snprintf(lcores + n, sizeof(lcores) - n,
					      "%s%d", lcores[n - 1] == '(' ?
					      "" : ",", cpu);
	snprintf(lcores + n, sizeof(lcores) - n, ")");
	return rte_eal_init(11, args) < 0 ? -rte_errno : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "trials", required_argument, NULL, 't' },
		{ 0 },
	};
	struct run r = { .repeat = 1000000, .trials = 7, .seq = 1 };
	struct rte_rcu_qsbr *rcu;
	size_t sz;
	int c, e, ret = 1;

	while ((c = getopt_long(argc, argv, "r:t:", opts, NULL)) != -1) {
		if (c == 'r' && !count(optarg, 100000000, &r.repeat))
			continue;
		if (c == 't' && !count(optarg, 31, &r.trials))
			continue;
		return osm_err("usage: osm-bench-gw [--repeat N] [--trials N]");
	}
	if (sodium_init() < 0)
		return osm_err("libsodium failed to initialise");
	if (osm_keys_nodump())
		return osm_err("cannot keep keys out of core dumps");
	e = eal();
	if (e)
		return osm_err("DPDK's EAL did not start: %s",
			       rte_strerror(-e));
	sz = rte_rcu_qsbr_get_memsize(1);
	rcu = rte_zmalloc("rcu", sz, RTE_CACHE_LINE_SIZE);
	if (!rcu || rte_rcu_qsbr_init(rcu, 1) ||
	    rte_rcu_qsbr_thread_register(rcu, 0) ||
	    gw_table_create(&r.t, "bench", 64, rcu)) {
		osm_err("cannot make the gateway's table");
		goto out;
	}
	rte_rcu_qsbr_thread_online(rcu, 0);
	r.t.writer_id = 0;	/* this thread reads too */
	randombytes_buf(r.secret, sizeof(r.secret));
	printf("size,case,ns\n");
	if (!size_run(&r, 64) && !size_run(&r, 1500))
		ret = 0;
	gw_table_free(&r.t);
out:
	osm_wipe(&r, sizeof(r));
	rte_eal_cleanup();
	return ret;
}
