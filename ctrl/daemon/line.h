/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The daemon's line protocol (docs/engine.md, "Socket protocol"): one
 * request a line, one reply a line. Parsing is pure, so it is fuzzed. */
#ifndef OSM_DAEMON_LINE_H
#define OSM_DAEMON_LINE_H

#include <stddef.h>
#include <stdint.h>
#include "osmdb.h"

#define OSM_LINE_MAX	512	/* bytes of a request line, newline included */
#define OSM_LINE_EVENTS_MAX	64	/* most events one request returns */

enum osm_line_cmd {
	OSM_LINE_ENTER = 1,	/* enter PERSON ROOM */
	OSM_LINE_MOVE,		/* move PERSON ROOM */
	OSM_LINE_LEAVE,		/* leave PERSON */
	OSM_LINE_EVENTS,	/* events [N] */
	OSM_LINE_VERIFY,	/* verify */
	OSM_LINE_RECONCILE,	/* reconcile */
	OSM_LINE_RELOAD,	/* reload (the topology) */
	OSM_LINE_PING,		/* ping */
	OSM_LINE_CONTROLLER,	/* controller (its counters) */
	OSM_LINE_APPLY,		/* apply /PATH (a topology file) */
	OSM_LINE_FORGET,	/* forget PERSON (erasure) */
	OSM_LINE_PRUNE,		/* prune SEQ HASH (audit records, archived) */
	OSM_LINE_METRICS,	/* metrics (the daemon's, Prometheus text) */
	OSM_LINE_PEER_ADD,	/* peer-add NAME KEY ADDR:PORT MAC GATEWAY
				 * SOCKET EPOCH */
	OSM_LINE_PEER_EPOCH,	/* peer-epoch NAME EPOCH */
	OSM_LINE_PEER_DEL,	/* peer-del NAME */
	OSM_LINE_REMOTE_ADD,	/* remote-add NAME PEER DEVICE-ID MAC CLASS
				 * DIRS (send, receive, both) */
	OSM_LINE_REMOTE_CLOSE,	/* remote-close NAME */
};

struct osm_line_req {
	int cmd;			/* enum osm_line_cmd */
	char person[OSMDB_NAME_MAX + 1];
	char room[OSMDB_NAME_MAX + 1];
	unsigned n;			/* events: how many */
	char path[OSM_LINE_MAX];	/* apply: the file, absolute */
	uint64_t seq;			/* prune: the last record to go */
	uint8_t hash[32];		/* prune: its hash */
	struct osmdb_peer peer;		/* peer-*: name (and epoch) */
	struct osmdb_remote remote;	/* remote-*: name */
};

/* ADDR:PORT as osm-gw takes it (A.B.C.D:PORT or [IPV6]:PORT, port from
 * 1): true if s is one. */
int osm_line_endpoint_ok(const char *s);

/*
 * Parse one request line of len bytes (without its newline; a trailing
 * '\r' is allowed). Words are separated by spaces or tabs. Returns 0 and
 * fills *req, or -EINVAL with a one-line reason in err (errlen bytes,
 * printable ASCII only).
 */
int osm_line_parse(const char *line, size_t len, struct osm_line_req *req,
		   char *err, size_t errlen);

#endif
