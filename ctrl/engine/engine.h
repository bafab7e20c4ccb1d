/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The control-plane engine: people move, circuits and keys follow. On a
 * presence event it computes the circuits the building should have
 * (docs/engine.md, "Policy"), diffs them against the store, and applies
 * the diff to the switches' maps and the store in one transaction. */
#ifndef OSM_ENGINE_H
#define OSM_ENGINE_H

#include <stdint.h>
#include <stddef.h>
#include "osmdb.h"
#include "osm_endpoint.h"

struct osm_engine;

/* Domain errors (negative, outside errno and the store's codes). */
enum {
	OSM_ENGINE_ENOPERSON = -32000,	/* person is not present */
	OSM_ENGINE_EPRESENT  = -32001,	/* person is present already */
	OSM_ENGINE_ENOROOM   = -32002,	/* no such room */
	OSM_ENGINE_ESAMEROOM = -32003,	/* move into the room one is in */
	OSM_ENGINE_ENOSWITCH = -32004,	/* a switch of a path is not loaded */
	OSM_ENGINE_ENOPORT   = -32005,	/* a port's interface is missing */
	OSM_ENGINE_ENOPATH   = -32006,	/* no uplink path between rooms */
	OSM_ENGINE_ENOMGMT   = -32007,	/* no management port (controller) */
	OSM_ENGINE_EMAPFULL  = -32008,	/* a switch's circuit table is full */
};

/* A message for any code the engine functions return (store codes and
 * -errno included). */
const char *osm_engine_strerror(int err);

/* The same, naming what failed when e knows it (which switch's table is
 * full, and its size; how full the store is). */
const char *osm_engine_error(struct osm_engine *e, int err);

struct osm_engine_opts {
	/* Switch S lives in network namespace netns_prefix + S (NULL or
	 * "": in the engine's own namespace). Only used to look up the
	 * ifindexes of the switches' ports. */
	const char *netns_prefix;
	/* The controller's MAC, or NULL: with it, every device gets its two
	 * control circuits between its port and the topology's management
	 * port (a port of kind mgmt), installed by reconcile. */
	const uint8_t *ctl_mac;
};

/*
 * Start an engine on an open store: read the topology, and the ifindex of
 * every port of every loaded switch. Switches not loaded are opened when
 * an event needs them. Returns 0, -ENOMEM, -ENOENT (a netns is missing),
 * or a store code.
 */
int osm_engine_open(struct osm_engine **out, struct osmdb *st,
		    const struct osm_engine_opts *opts);
void osm_engine_close(struct osm_engine *e);

/* Re-read the topology (after `topology apply`). Returns as open. */
int osm_engine_reload(struct osm_engine *e);

enum osm_engine_kind { OSM_EV_ENTER = 1, OSM_EV_MOVE, OSM_EV_LEAVE,
		       OSM_EV_LINK_DOWN, OSM_EV_LINK_UP };

/* One change an event made. */
enum osm_engine_op { OSM_CH_ADD = 1, OSM_CH_DEL, OSM_CH_ROTATE, OSM_CH_DOWN,
		     OSM_CH_UP };
struct osm_engine_change {
	uint8_t op;			/* enum osm_engine_op */
	uint8_t cls;			/* enum osmdb_class */
	uint8_t n_path;
	uint32_t id;
	uint32_t epoch;			/* the epoch it has now (ROTATE: new) */
	char owner[OSMDB_NAME_MAX + 1];	/* "" for a room circuit */
	char src[OSMDB_NAME_MAX + 1];	/* device names */
	char dst[OSMDB_NAME_MAX + 1];
};

#define OSM_ENGINE_CHANGES	48	/* changes kept per event record */

/* What an event did, and how long it took. */
struct osm_engine_event {
	uint64_t seq;			/* 1, 2, ... per engine */
	uint64_t time_ns;		/* CLOCK_REALTIME of arrival */
	uint8_t kind;			/* enum osm_engine_kind */
	int err;			/* 0, or why nothing was applied */
	char person[OSMDB_NAME_MAX + 1];	/* "" for a link event */
	char from[OSMDB_NAME_MAX + 1];	/* room before ("" on enter);
					 * link: the switch */
	char room[OSMDB_NAME_MAX + 1];	/* room after ("" on leave);
					 * link: the port */
	uint32_t added, removed, rotated;	/* link: circuits up, down */
	uint32_t map_ops;		/* map updates and deletes made */
	uint64_t kill_ns;		/* arrival -> leaver's circuits gone
					 * from every switch (move, leave) */
	uint64_t maps_ns;		/* arrival -> maps hold the new state */
	uint64_t total_ns;		/* arrival -> store committed */
	uint32_t n_changes;		/* entries in changes[] (the first
					 * OSM_ENGINE_CHANGES of them) */
	struct osm_engine_change changes[OSM_ENGINE_CHANGES];
};

/*
 * Apply a presence event. kind ENTER: person enters the building into
 * room (or, if present, moves there); MOVE: person (present) moves to
 * room; LEAVE: person leaves the building (room NULL). arrival_ns is the
 * CLOCK_MONOTONIC time the event arrived (0: now). *ev (may be NULL)
 * gets the record, which the engine also keeps in its ring.
 * On error nothing is applied: maps and store are as before.
 * Returns 0, OSM_ENGINE_E*, -EINVAL (bad name), a store code, -errno.
 */
int osm_engine_event(struct osm_engine *e, enum osm_engine_kind kind,
		     const char *person, const char *room,
		     uint64_t arrival_ns, struct osm_engine_event *ev);

/*
 * Rotation in two steps (docs/protocol.md 7.2): by default an event that
 * rotates a circuit removes its old epoch from the switches at its end.
 * With defer on (a controller that delivers the new keys), the old epoch
 * stays until osm_engine_retire(e, id, old) -- once the sender has taken
 * its new key -- so no frame sealed under it is lost meanwhile; verify
 * and reconcile expect it there until then. osm_engine_retiring gives
 * the old epoch of id still on the switches (0: none).
 */
void osm_engine_defer_retire(struct osm_engine *e, int on);
int osm_engine_retire(struct osm_engine *e, uint32_t id, uint32_t epoch);
uint32_t osm_engine_retiring(const struct osm_engine *e, uint32_t id);

/*
 * Rotate every circuit device dev_id receives on to a new epoch (store,
 * then every switch: the new key next to the old, then the old removed),
 * for a device that has just started a new session: a frame recorded
 * before it, under the old key, is stale_epoch everywhere. The change
 * hook sees each as OSM_CH_ROTATE. *n gets how many. Returns 0, a store
 * code, -errno; on error the store is as before and the maps follow it.
 */
int osm_engine_rekey(struct osm_engine *e, uint32_t dev_id, unsigned *n);

/*
 * Erase person (GDPR; docs/store.md, "Erasure"): if present, they leave
 * first, as osm_engine_event would make them (their circuits go from
 * every switch; *ev, which may be NULL, gets that event); then the store
 * forgets them (osmdb_forget, which needs *st to be its only opener and
 * may close it: *st NULL), then the engine's recent events naming them
 * go. *erased gets the number of store records erased. Returns 0, a code
 * of osm_engine_event, OSMDB_ENOTFOUND (nothing names them), -EBUSY
 * (another process has the store open), -EINVAL, or a store code.
 */
int osm_engine_forget(struct osm_engine *e, struct osmdb **st,
		      const char *person, struct osm_engine_event *ev,
		      unsigned long *erased);

/*
 * Make every switch's maps equal to what the store says: install
 * missing circuits, replace wrong ones (keeping their replay windows),
 * remove data circuits the store does not have. Control circuits (ids
 * with the top bit) are left alone. *fixed (may be NULL) gets the number
 * of map changes made. Returns 0 or a code as above.
 */
int osm_engine_reconcile(struct osm_engine *e, unsigned *fixed);

/*
 * Compare every switch's maps with the store without changing them.
 * For each difference calls report(text, arg) with one line. Returns the
 * number of differences (0: equal), or a negative code.
 */
int osm_engine_verify(struct osm_engine *e,
		      void (*report)(const char *line, void *arg), void *arg);

/* Recent events, oldest first: calls fn for each of the last n kept
 * (at most OSM_ENGINE_RING). */
#define OSM_ENGINE_RING		256
void osm_engine_events(const struct osm_engine *e, unsigned n,
		       void (*fn)(const struct osm_engine_event *ev,
				  void *arg), void *arg);

/*
 * Link watch: a rtnetlink socket (libmnl) in each switch's namespace, and
 * the ports' link states read again. A port is up when it is up and
 * running; every circuit through a port that is down is marked
 * OSM_CF_DOWN on every switch of its path. Returns 0, -ENOMEM, -errno.
 */
int osm_engine_watch(struct osm_engine *e);

/* The sockets to poll; fills fds[0..max), returns how many. */
int osm_engine_watch_fds(const struct osm_engine *e, int *fds, int max);

/* Read what socket fd has; for each port that went down or up, mark its
 * circuits, keep a link event in the ring and call cb (may be NULL).
 * Returns the number of port changes, or -errno. */
int osm_engine_watch_read(struct osm_engine *e, int fd,
			  void (*cb)(const struct osm_engine_event *ev,
				     void *arg), void *arg);

/* Call fn(arg, op, c) after each committed event for every circuit it
 * deleted (OSM_CH_DEL), added (OSM_CH_ADD) or rotated (OSM_CH_ROTATE, c at
 * its new epoch), in that order: the controller delivers keys with it.
 * fn NULL: no hook. */
void osm_engine_on_change(struct osm_engine *e,
			  void (*fn)(void *arg, unsigned op,
				     const struct osmdb_rec_circuit *c),
			  void *arg);

/* Names for output: "enter", "add", ... */
const char *osm_engine_kind_name(unsigned kind);
const char *osm_engine_op_name(unsigned op);

/* ---- devices, for the controller (ctrl/daemon/controller.c) ------------ */

/* The topology's devices, by index 0..osm_engine_n_devices() - 1; the
 * indexes hold until the next reload. */
size_t osm_engine_n_devices(const struct osm_engine *e);
/* Device i's record. */
const struct osmdb_rec_device *osm_engine_device(const struct osm_engine *e,
						 int i);
/* The name of device i's room, or NULL if the topology has no such room. */
const char *osm_engine_device_room(const struct osm_engine *e, int i);
/* The index of the device with id, or -1. */
int osm_engine_device_index(const struct osm_engine *e, uint32_t id);

/* The device (index) that control circuit id belongs to, and its
 * direction (*dir: OSM_CTRL_UP or OSM_CTRL_DOWN); -1 if none. */
int osm_engine_ctrl_device(const struct osm_engine *e, uint32_t id, int *dir);
/* The keys of device i's control circuit in direction dir at an epoch
 * (osm_ctrl_epoch(): OSM_CTRL_JOIN_EPOCH, or a session's), derived from
 * its long-term key; wipe them after use. Returns 0, or a store code. */
int osm_engine_ctrl_keys(struct osm_engine *e, int i, int dir,
			 uint32_t epoch, struct osm_keys *k);
/* Device i's control circuits on every switch of their paths as the
 * store says: the join epoch, and the epoch of its last session
 * (docs/protocol.md 8.1), replacing an older session's. Called once a
 * new session is stored. Returns 0, a store code, -errno. */
int osm_engine_ctrl_install(struct osm_engine *e, int i);

/* ---- between buildings (remote.c; docs/protocol.md 11.9) ---------------- */

/*
 * Open remote r (osmdb_remote_add: name, peer, device, peer_mac, cls,
 * dirs), in the store and on every switch of its paths and its gateway,
 * last hop first; on failure nothing of it stays. An unreachable gateway
 * is no failure (reconcile configures it when it comes). why gets a line
 * for an id clash or a gateway's error reply (-EPROTO).
 */
int osm_engine_remote_open(struct osm_engine *e, struct osmdb_remote *r,
			   char *why, size_t cap);
/* Close remote name: out of the maps and the gateway, ingress first, and
 * out of the store; *out what it was. */
int osm_engine_remote_close(struct osm_engine *e, const char *name,
			    struct osmdb_remote *out);
/* Add peer p (osmdb_peer_add) and configure its gateway's link; move its
 * pair key to epoch; remove it (OSMDB_EINUSE while remotes use it). */
int osm_engine_peer_add(struct osm_engine *e, struct osmdb_peer *p,
			char *why, size_t cap);
int osm_engine_peer_epoch(struct osm_engine *e, const char *name,
			  uint32_t epoch, char *why, size_t cap);
int osm_engine_peer_del(struct osm_engine *e, const char *name);
/*
 * The daemon's watch on its gateways, once a second: a gateway that is
 * new to it or restarted (its hello's boot id changed, or it has no
 * link) is given its link and remote circuits at once, as reconcile
 * would; report gets a line for each change. Returns the number of
 * changes, or a negative code.
 */
int osm_engine_gw_watch(struct osm_engine *e,
			void (*report)(const char *line, void *arg), void *arg);
/*
 * One request line to the osm-gw control socket sock; its reply line in
 * reply. Returns 0 for an "ok" reply, 1 for an "error" reply, -errno
 * (-ENOENT, -ECONNREFUSED: no gateway there; -ETIMEDOUT), -EPROTO.
 */
int osm_engine_gw_ask(const char *sock, const char *line, char *reply,
		      size_t cap);

#endif
