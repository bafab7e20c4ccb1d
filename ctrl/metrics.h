/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Metrics in the Prometheus text exposition format (0.0.4): a small
 * writer (HELP and TYPE once per family, label values escaped), the
 * switches' families read from their pinned maps, and the daemon's
 * (engine and controller) families from what it accumulates. Both
 * `osm-fabric metrics` and the daemon's HTTP endpoint render with it. */
#ifndef OSM_METRICS_H
#define OSM_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "engine.h"
#include "controller.h"

/* The exposition text, growing; err is -ENOMEM once it could not. */
struct osm_mw {
	char *buf;
	size_t len, cap;
	int err;
};

void osm_mw_init(struct osm_mw *w);
void osm_mw_free(struct osm_mw *w);

/* "# HELP name help" and "# TYPE name type" (counter, gauge, histogram):
 * once per family, before all its samples. */
void osm_mw_family(struct osm_mw *w, const char *name, const char *type,
		   const char *help);

/* One sample "name{k="v",...} value". labels: pairs of name and value,
 * ended by NULL (NULL: no labels); values are escaped as the format says. */
void osm_mw_u64(struct osm_mw *w, const char *name,
		const char *const *labels, uint64_t v);

/* Latency histograms of the daemon's events, in seconds: cumulative
 * since its start. */
#define OSM_MHIST_BUCKETS	16	/* 10 us .. 1 s, then +Inf */
struct osm_mhist {
	uint64_t n[OSM_MHIST_BUCKETS + 1];	/* per bucket, not cumulative */
	uint64_t count, sum_ns;
};

void osm_mhist_add(struct osm_mhist *h, uint64_t ns);

/* A histogram's samples: name_bucket{...,le=".."}, name_sum, name_count. */
void osm_mw_hist(struct osm_mw *w, const char *name,
		 const char *const *labels, const struct osm_mhist *h);

/* What the daemon accumulates from its start: events by kind (enum
 * osm_engine_kind) and result, map operations, and the latencies of
 * the events that were applied. */
enum { OSM_MRES_OK, OSM_MRES_NOT_PRESENT, OSM_MRES_NO_ROOM,
       OSM_MRES_SAME_ROOM, OSM_MRES_FAILED, OSM_MRES_MAX };
#define OSM_MKIND_MAX	(OSM_EV_LINK_UP + 1)

struct osm_metrics_daemon {
	uint64_t start_s;		/* CLOCK_REALTIME at start */
	uint64_t events[OSM_MKIND_MAX][OSM_MRES_MAX];
	uint64_t map_ops;
	struct osm_mhist kill[OSM_MKIND_MAX];	/* move, leave */
	struct osm_mhist maps[OSM_MKIND_MAX];	/* every kind */
	struct osm_mhist commit[OSM_MKIND_MAX];	/* enter, move, leave */
};

/* Account one event the daemon handled (applied or not). */
void osm_metrics_event(struct osm_metrics_daemon *m,
		       const struct osm_engine_event *ev);

/* The daemon's families: m's figures, the store's people present,
 * circuits and size (st may be NULL), the controller's counters (cs
 * NULL: no controller). */
void osm_metrics_daemon_write(struct osm_mw *w,
			      const struct osm_metrics_daemon *m,
			      struct osmdb *st, const struct osm_ctl_stats *cs);

/*
 * The switches' families: every switch pinned under OSM_PIN_ROOT, read
 * from its maps (no network namespace is entered for that). Port names
 * are looked up in the namespace the switch was loaded in (as `load`
 * recorded it), else in netns_prefix + switch (may be NULL), else here;
 * a port without a name there is "if<N>". Returns 0, or -errno if the
 * pins cannot be listed.
 */
int osm_metrics_switches(struct osm_mw *w, const char *netns_prefix);

/* The gateways' families (of the peers of store st; NULL: opened here
 * read-only), from each osm-gw's control socket; nothing without peers.
 * Returns 0 or -ENOMEM. */
int osm_metrics_gateways(struct osm_mw *w, struct osmdb *st);

#endif
