/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* osm-pktgen internals: the frame generator (valid and hostile circuit
 * frames in a chosen mix) and the senders (AF_XDP, AF_PACKET, and live
 * frames made in the kernel). */
#ifndef PG_PKTGEN_H
#define PG_PKTGEN_H

#include <stddef.h>
#include <stdint.h>
#include "osm_endpoint.h"

#define PG_FRAME_MAX	(OSM_FRAME_HDR_LEN + OSM_MAX_PAYLOAD)
#define PG_FRAME_MIN	OSM_FRAME_HDR_LEN

/* Test-only marker in the flags byte of a pcap copy whose payload is a
 * control message in clear (--plaintext-ctrl). Never sent: a switch drops
 * any frame with flags != 0 as malformed. tools/osm.lua knows it. */
#define PG_FLAG_PLAINTEXT	0x80

/* The kinds of frame the generator makes; --mix names them. */
enum pg_kind {
	PG_VALID,	/* fresh sequence number, correct tags */
	PG_BAD_TAG,	/* one bit of the hop tag flipped */
	PG_REPLAY,	/* the circuit's last valid frame again */
	PG_UNKNOWN,	/* a circuit id outside the generated range */
	PG_TRUNCATED,	/* a valid frame cut short */
	PG_RANDOM,	/* random bytes after an 0x88B5 Ethernet header */
	PG_STALE_EPOCH,	/* sealed for epoch + 2, which no switch holds */
	PG_KIND_MAX,
};

/* Name of a kind as --mix and the summary spell it. */
const char *pg_kind_name(int kind);

/* Parse a mix "valid=90,bad_tag=5,replay=5" (weights, any scale; kinds
 * not named get 0; a bare "valid" means weight 1). Returns 0, or -EINVAL
 * for an unknown kind, a bad number or an all-zero mix. */
int pg_mix_parse(const char *s, unsigned int weights[PG_KIND_MAX]);

struct pg_circuit {
	struct osm_tx tx;
	int last_len;			/* 0: no valid frame sent yet */
	uint8_t last[PG_FRAME_MAX];	/* last valid frame, for replays */
};

struct pg_gen {
	struct pg_circuit *circ;	/* ncirc circuits, ids first_id.. */
	uint32_t ncirc, first_id, next_circ;
	size_t size;			/* frame bytes of data frames */
	uint8_t type;			/* OSM_T_DATA or OSM_T_CTRL */
	unsigned int weight[PG_KIND_MAX];
	long long credit[PG_KIND_MAX];	/* smooth weighted round robin */
	uint64_t rng;
	uint64_t frames;
	uint64_t kinds[PG_KIND_MAX];	/* frames made, by kind */
	uint64_t expect[OSM_REASON_MAX]; /* what a switch must decide */
};

/*
 * Set up a generator for ncirc circuits with ids first_id.., all with the
 * given Ethernet addresses, sequence numbers from seq0. keys_of(id) fills
 * the keys of circuit id (epoch included). size: bytes of a data frame.
 * Returns 0 or -ENOMEM / -EINVAL (id range wraps, size out of range).
 */
int pg_gen_init(struct pg_gen *g, uint32_t first_id, uint32_t ncirc,
		const uint8_t src[6], const uint8_t dst[6], uint8_t type,
		size_t size, uint64_t seq0, const unsigned int *weights,
		void (*keys_of)(struct osm_keys *k, uint32_t id, void *arg),
		void *arg, uint64_t seed);

/* Wipe keys and free. */
void pg_gen_free(struct pg_gen *g);

/*
 * Make the next frame into buf (capacity PG_FRAME_MAX). Returns its length.
 * *reason is the verdict a switch holding the circuits must reach. If
 * clear is not NULL and the frame is a control frame, clear receives the
 * pcap copy with the payload in clear and PG_FLAG_PLAINTEXT set (*clear_len
 * its length; 0 when there is no such copy).
 */
int pg_gen_next(struct pg_gen *g, uint8_t *buf, int *reason,
		uint8_t *clear, int *clear_len);

/* ---- Senders ----------------------------------------------------------- */

enum pg_mode { PG_MODE_NONE, PG_MODE_XDP, PG_MODE_PACKET, PG_MODE_LIVE };

struct pg_tx;

/* Open a sender on ifname (queue for AF_XDP). Returns 0 or -errno;
 * *why names the step that failed. */
int pg_tx_open(struct pg_tx **out, enum pg_mode mode, const char *ifname,
	       unsigned int queue, const char **why);

/* Room for up to max frames now: returns n <= max slots and their buffers
 * in bufs[] (PG_FRAME_MAX bytes each), or -errno. */
int pg_tx_reserve(struct pg_tx *t, uint8_t **bufs, int max);

/* Send the first n reserved frames with their lengths. Returns 0 or
 * -errno. */
int pg_tx_submit(struct pg_tx *t, const int *lens, int n);

/* Wait up to timeout_ms for frames still in flight to leave. */
void pg_tx_drain(struct pg_tx *t, int timeout_ms);

/* Frames the kernel refused to send (AF_PACKET errors), 0 for AF_XDP. */
uint64_t pg_tx_errors(const struct pg_tx *t);

void pg_tx_close(struct pg_tx *t);

/* ---- Live frames (-m live, live.c) --------------------------------------- */

#define PG_LIVE_MAX_CPUS	64

struct pg_live;

/* What a live run sends. */
struct pg_live_cfg {
	const char *ifname;	/* sent on, as if received on its queue */
	unsigned int queue;
	unsigned int batch;	/* frames per kernel batch (0: the kernel's 64) */
	uint32_t ncirc;		/* circuits g->first_id.., 1..PG_LIVE_MAX_CIRC */
	int spread;		/* each CPU its own circuits (pg_live_start) */
	/* The keys of circuit id, as pg_gen_init takes them. */
	void (*keys_of)(struct osm_keys *k, uint32_t id, void *arg);
	void *arg;
};

/*
 * Load the live-frames program for cfg->ncirc circuits from g->first_id
 * (valid data frames only): g's next frame is the template, the circuits'
 * hop keys (from cfg->keys_of) go into the program's map. g needs only
 * its first circuit. Returns 0 or -errno (-EINVAL: no circuits, too many,
 * or ids past 2^32 - 1); *why names the step that failed.
 */
int pg_live_open(struct pg_live **out, struct pg_gen *g,
		 const struct pg_live_cfg *cfg, const char **why);

/* Start one thread per CPU of cpus[0..ncpus), pinned there, each running
 * BPF_PROG_RUN as fast as it can until count frames in all (0: no limit)
 * are made, or pg_live_stop and pg_live_join. Uses SIGUSR1 to interrupt
 * the threads.
 * Without spread, frame n (of all CPUs, one shared counter) is circuit
 * n % ncirc's with sequence number seq0 + n / ncirc: a circuit may be fed
 * by every CPU. With spread, the CPU of thread t alone makes the frames
 * of circuits [t * ncirc / ncpus, (t + 1) * ncirc / ncpus), round robin,
 * its kth frame with sequence number seq0 + k.
 * Returns 0 or -errno (-EINVAL with spread: fewer circuits than CPUs, or
 * a CPU twice). */
int pg_live_start(struct pg_live *l, const int *cpus, int ncpus,
		  uint64_t count);

/* Frames the program made (and handed to the interface) so far. */
uint64_t pg_live_sent(const struct pg_live *l);

/* With spread: what the CPU of thread t makes. */
struct pg_live_share {
	int cpu;
	uint32_t first_id, ncirc;	/* its circuits */
	uint64_t frames;		/* made so far */
};

/* Thread t's share. Returns 0, -ENOENT (no such thread, or no spread),
 * or -errno. */
int pg_live_share(const struct pg_live *l, int t, struct pg_live_share *s);

/* Frames the interface refused since the start (a full ring), where its
 * driver counts them in ethtool statistics (veth does). */
uint64_t pg_live_errors(const struct pg_live *l);

/* Mean ns per frame of the live program, from the kernel's BPF run-time
 * statistics; 0 unless they were on (sysctl kernel.bpf_stats_enabled or
 * a BPF_ENABLE_STATS descriptor, e.g. osm-bench with-stats). */
double pg_live_prog_ns(const struct pg_live *l);

/* 1 once every thread has finished (the count met), or one stopped them
 * (an error). */
int pg_live_done(struct pg_live *l);

void pg_live_stop(struct pg_live *l);

/* Wait for the threads. Returns 0, or the first -errno a thread met and
 * *why the step. */
int pg_live_join(struct pg_live *l, const char **why);

/* Stop, wipe the keys from the program's map, unload, free. */
void pg_live_close(struct pg_live *l);

#endif
