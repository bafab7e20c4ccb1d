// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The replay window under contention: two threads pinned to two CPUs run
 * the same frames of one circuit through BPF_PROG_TEST_RUN at the same
 * time; every sequence number must be forwarded exactly once, and the
 * per-CPU counters must agree with what each thread saw. Then the same on
 * a rated circuit, whose frames ask the window, take credit, record the
 * number and give the credit back when the other copy won: its bucket
 * holds just enough for each number once (and 8 frames more), so credit
 * not given back would show as frames over rate. */
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tap.h"
#include "osm_endpoint.h"
#include "switch.h"
#include "xdp_run.h"

#define NFRAMES 50000
#define MAX_ROUNDS	10
#define ROUNDS 2
#define PAY 32
#define FLEN (OSM_FRAME_HDR_LEN + PAY)
#define SLACK 8				/* frames of credit to spare */

static struct osm_switch *sw;
static uint32_t port[4];		/* two ports, then their veth peers */
static uint8_t (*frames)[FLEN];
static uint8_t *won;			/* per sequence number: forwards */
static pthread_barrier_t start;

struct worker {
	pthread_t t;
	int cpu;
	int ran_on;			/* CPU seen at the end, -1: moved */
	long fwd, drop, other;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	uint8_t out[FLEN];
	cpu_set_t set;
	size_t len;
	int i, r;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0) {
		w->ran_on = -1;
		return NULL;
	}
	pthread_barrier_wait(&start);
	for (i = 0; i < NFRAMES; i++) {
		r = osm_xdprun(osm_switch_prog_fd(sw), port[0], frames[i],
				 FLEN, out, sizeof(out), &len);
		if (r == XDP_REDIRECT) {
			__atomic_fetch_add(&won[i], 1, __ATOMIC_RELAXED);
			w->fwd++;
		} else if (r == XDP_DROP) {
			w->drop++;
		} else {
			w->other++;
		}
	}
	w->ran_on = sched_getcpu() == w->cpu ? w->cpu : -1;
	return NULL;
}

/* Credit left in circuit id's bucket, in bytes; -1 if unreadable. */
static double bucket_left(uint32_t id)
{
	struct osm_circuit_state st;
	struct osm_circuit c;
	int err;

	if (osm_switch_circuit_get(sw, id, &c) < 0)
		return -1;
	err = bpf_map_lookup_elem(osm_switch_map_fd(sw, OSM_MAP_STATE),
				  &c.slot, &st);
	memset(&c, 0, sizeof(c));
	return err ? -1 : (double)st.bucket.credit / OSM_NSEC_PER_SEC;
}

/* Runs one round (rated: on a rated circuit); returns 1 if both CPUs won
 * frames in it (they raced). */
static int round_run(uint32_t id, int rated)
{
	struct osm_tx tx = { .circuit = id, .type = OSM_T_DATA };
	struct worker w[2] = { { .cpu = 0 }, { .cpu = 1 } };
	struct osm_circuit_stats cs;
	uint64_t drops0[OSM_REASON_MAX], drops1[OSM_REASON_MAX];
	struct osm_circuit c = { .id = id };
	uint8_t payload[PAY] = { 0 };
	long once = 0, twice = 0, never = 0;
	struct timespec t0, t1;
	double left, secs;
	int i, raced;

	c.ingress_ifindex = port[0];
	c.egress_ifindex = port[1];
	if (rated) {	/* 1 byte/s: a refill of a byte a second */
		c.rate = 1;
		c.burst = (uint64_t)(NFRAMES + SLACK) * FLEN;
	}
	memcpy(c.src_mac, "\x02\x00\x00\x00\x0a\x01", 6);
	memcpy(c.dst_mac, "\x02\x00\x00\x00\x0b\x01", 6);
	c.key[1].epoch = 1;
	c.key[1].valid = 1;
	memset(c.key[1].hop_key, (int)id, OSM_HOP_KEY_LEN);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (osm_switch_circuit_add(sw, &c) < 0) {
		tap(0, "round %u: provision circuit", id);
		return 0;
	}
	memcpy(tx.src, c.src_mac, 6);
	memcpy(tx.dst, "\x02\x00\x00\x00\xee\xee", 6);
	tx.keys.epoch = 1;
	memcpy(tx.keys.hop, c.key[1].hop_key, OSM_HOP_KEY_LEN);
	for (i = 0; i < NFRAMES; i++) {
		payload[0] = (uint8_t)i;
		if (osm_seal_seq(&tx, (uint64_t)i + 1, payload, PAY, frames[i],
				 FLEN) != FLEN)
			abort();
	}
	memset(won, 0, NFRAMES);
	osm_switch_drop_stats(sw, drops0);

	pthread_barrier_init(&start, NULL, 2);
	for (i = 0; i < 2; i++)
		pthread_create(&w[i].t, NULL, work, &w[i]);
	for (i = 0; i < 2; i++)
		pthread_join(w[i].t, NULL);
	pthread_barrier_destroy(&start);

	for (i = 0; i < NFRAMES; i++) {
		if (won[i] == 1)
			once++;
		else if (won[i] == 0)
			never++;
		else
			twice++;
	}
	tap(w[0].ran_on == 0 && w[1].ran_on == 1,
	    "round %u: threads stayed pinned to CPU 0 and CPU 1", id);
	tap(w[0].other == 0 && w[1].other == 0,
	    "round %u: every verdict is redirect or drop", id);
	tap(once == NFRAMES,
	    "round %u: each of %d sequence numbers forwarded exactly once "
	    "(%ld once, %ld twice or more, %ld never)", id, NFRAMES, once,
	    twice, never);
	printf("# round %u: CPU 0 forwarded %ld, CPU 1 forwarded %ld\n", id,
	       w[0].fwd, w[1].fwd);
	raced = w[0].fwd > 0 && w[1].fwd > 0;

	/* The counters are a copy per CPU, summed: none lost. */
	memset(&cs, 0, sizeof(cs));
	osm_switch_circuit_stats(sw, id, &cs);
	tap(cs.frames == (uint64_t)(w[0].fwd + w[1].fwd) &&
	    cs.drops == (uint64_t)(w[0].drop + w[1].drop) &&
	    cs.bytes == cs.frames * FLEN,
	    "round %u: circuit counters add up both threads (%llu forwarded, "
	    "%llu dropped)", id, (unsigned long long)cs.frames,
	    (unsigned long long)cs.drops);
	osm_switch_drop_stats(sw, drops1);
	tap(drops1[OSM_DROP_REPLAY] - drops0[OSM_DROP_REPLAY] ==
		    (uint64_t)NFRAMES,
	    "round %u: the other copy of each frame counted as replay", id);
	if (rated) {
		tap(drops1[OSM_DROP_OVER_RATE] == drops0[OSM_DROP_OVER_RATE],
		    "round %u: no frame over rate (%llu)", id,
		    (unsigned long long)(drops1[OSM_DROP_OVER_RATE] -
					 drops0[OSM_DROP_OVER_RATE]));
		/* the slack, and the refill of 1 byte/s since the start */
		left = bucket_left(id);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		tap(left >= SLACK * FLEN && left <= SLACK * FLEN + secs + 1,
		    "round %u: the credit of every copy that lost was given "
		    "back (%.3f bytes left, %d spare)", id, left,
		    SLACK * FLEN);
	}
	osm_switch_circuit_del(sw, id);
	return raced;
}

int main(void)
{
	uint32_t r, raced = 0, raced_rated = 0, first;

	libbpf_set_print(NULL);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("not ok 1 - needs two CPUs\n");
		return 1;
	}
	frames = calloc(NFRAMES, FLEN);
	won = calloc(NFRAMES, 1);
	if (!frames || !won || osm_xdprun_netns("osw", 2, port) < 0 ||
	    osm_switch_load(&sw, "replay", 0, OSM_SW_NOPIN) < 0 ||
	    osm_switch_attach(sw, port[0], 0) < 0 ||
	    osm_switch_attach(sw, port[1], 0) < 0) {
		printf("not ok 1 - set up netns and load the switch\n");
		return 1;
	}
	/* Every round must forward each number exactly once. A round proves
	 * something only if both CPUs won frames, which a busy machine may
	 * deny a single round: run more rounds until one has raced. */
	for (r = 1; r <= ROUNDS || (!raced && r <= MAX_ROUNDS); r++)
		raced += (uint32_t)round_run(r, 0);
	tap(raced > 0, "both CPUs won frames in %u of %u rounds (they raced)",
	    raced, r - 1);
	first = r;
	for (; r < first + ROUNDS || (!raced_rated && r < first + MAX_ROUNDS);
	     r++)
		raced_rated += (uint32_t)round_run(r, 1);
	tap(raced_rated > 0, "rated: both CPUs won frames in %u of %u rounds "
	    "(they raced)", raced_rated, r - first);
	osm_switch_close(sw);
	free(frames);
	free(won);
	return tap_done();
}
