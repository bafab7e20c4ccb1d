/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Inside the engine (never included outside ctrl/engine/): its state, and
 * each file's functions, in the order the files build on each other:
 * names, topo, people, policy, switches, values, maps, remote, sync, event,
 * forget, links, engine. A file calls only the files before it. */
#ifndef OSM_ENGINE_INT_H
#define OSM_ENGINE_INT_H

#include <time.h>
#include "engine.h"
#include "switch.h"
#include "osm_keys.h"

struct eng_sw {
	struct osmdb_rec_switch r;
	struct osm_switch *h;		/* NULL until opened */
};

struct eng_port {
	struct osmdb_rec_port r;
	int sw;				/* index into e->sws */
	int peer;			/* uplink: index of the peer switch */
	uint32_t ifindex;		/* 0: interface not found */
	int down;			/* link not up and running */
};

struct eng_dev {
	struct osmdb_rec_device r;
	int room, sw, port;		/* indexes */
	int personal;			/* owned by the person in owner */
	char owner[OSMDB_NAME_MAX + 1];
};

struct eng_room {
	struct osmdb_rec_room r;
};

struct eng_ids {
	uint32_t *id;
	size_t n, cap;
};

/* A person present: their room (index) and circuits. */
struct eng_person {
	char name[OSMDB_NAME_MAX + 1];
	int used, room;
	struct eng_ids ids;
};

struct eng_memo;

struct osm_engine {
	struct osmdb *st;
	char why[160];			/* what the last EMAPFULL was */
	char netns_prefix[OSMDB_NAME_MAX + 1];
	struct eng_sw *sws;
	struct eng_port *ports;
	struct eng_dev *devs;
	struct eng_room *rooms;
	size_t n_sw, n_ports, n_devs, n_rooms;
	/* Topology indexes (topo.c). */
	size_t *sw_port0, *sw_nport;	/* switch i's ports, contiguous */
	size_t *sw_nlink;		/* its ports linked to a switch */
	int *room_dev;			/* room devices, by room: */
	size_t *room_dev0, *room_ndev;	/* first, count */
	int *pdev;			/* personal devices, by owner */
	size_t n_pdev;
	struct eng_memo *memo;		/* paths by (from, to) switch */
	size_t memo_cap;
	/* Live state, from the store and then kept by the events. */
	struct eng_person *people;	/* hash table by name */
	size_t people_cap, people_n;
	struct eng_ids *room_circ;	/* group circuits, by room */
	unsigned *room_people;		/* people, by room */
	void (*hook)(void *arg, unsigned op, const struct osmdb_rec_circuit *c);
	void *hook_arg;
	int ctl;			/* control circuits (a controller) */
	uint8_t ctl_mac[6];		/* the controller's MAC */
	int mgmt;			/* the management port, or -1 */
	struct eng_watch *watch;	/* link watch sockets, or NULL */
	size_t n_watch;
	uint64_t seq;
	struct osm_engine_event *ring;	/* OSM_ENGINE_RING entries */
	unsigned ring_head, ring_n;
	/* Rotated circuits whose old epoch stays on the switches until
	 * osm_engine_retire (osm_engine_defer_retire), maps.c. */
	int defer_retire;
	struct eng_retiring { uint32_t id, epoch; } *retiring;
	size_t n_retiring, cap_retiring;
	/* Each peer's gateway as last seen (osm_engine_gw_watch): the boot
	 * id it answered hello with, to notice a restart. */
	struct eng_gw_seen {
		char peer[OSMDB_NAME_MAX + 1];
		char boot[24];
	} *gw_seen;
	size_t n_gw_seen;
};

/* A circuit the policy wants: devices by index, its class and owner
 * (NULL: a room circuit). */
struct eng_want {
	int src, dst;
	uint8_t cls;
	const char *owner;
	int matched;
};

/* CLOCK_MONOTONIC in ns: event arrival and map lease times. */
static inline uint64_t eng_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- topo.c: the topology, indexed ------------------------------------- */

/* Sort the loaded topology and build its indexes; free them. */
int eng_topo_index(struct osm_engine *e);
void eng_topo_index_free(struct osm_engine *e);
/* Lookups (binary search): index or -1. */
int eng_room_find(const struct osm_engine *e, const char *name);
int eng_sw_find(const struct osm_engine *e, const char *name);
int eng_dev_find(const struct osm_engine *e, uint32_t id);
/* The person a device belongs to (docs/engine.md, "Personal devices"):
 * for a device named "PERSON.SUFFIX" (SUFFIX without dots) copies PERSON
 * into owner and returns 1; returns 0 for a room device. */
int eng_device_owner(const char *device, char owner[OSMDB_NAME_MAX + 1]);
/* Switch sw's port to switch peer, or -1. */
int eng_uplink(const struct osm_engine *e, int sw, int peer);
/* A room's own devices; a person's personal devices (indexes). */
const int *eng_room_devs(const struct osm_engine *e, int room, size_t *n);
const int *eng_person_devs(const struct osm_engine *e, const char *person,
			   size_t *n);
/* The switches (indexes) from switch from to switch to, memoized. */
int eng_sw_path(struct osm_engine *e, int from, int to, const int **hops,
		unsigned *n);
/* Fill c's path (switch names, in order) from src to dst device. */
int eng_path(struct osm_engine *e, struct osmdb_rec_circuit *c);
/* The ports (indexes) hop `hop` of c enters and leaves by, and its
 * switch, for c's devices s and d (indexes); -1 for any that is missing. */
void eng_hop_ports(const struct osm_engine *e,
		   const struct osmdb_rec_circuit *c, unsigned hop, int s, int d,
		   int *sw, int *in, int *out);
/* 1 if circuit c goes through port index `port`, or (port -1) through
 * any port that is down. */
int eng_circuit_down(const struct osm_engine *e,
		     const struct osmdb_rec_circuit *c, int port);

/* ---- people.c: the live state ------------------------------------------ */

/* Read the live state from the store; free it. */
int eng_state_build(struct osm_engine *e);
void eng_people_free(struct osm_engine *e);
/* The live entry of a person (create: add one, room -1), or NULL. */
struct eng_person *eng_person(struct osm_engine *e, const char *name,
			      int create);
void eng_person_del(struct osm_engine *e, const char *name);
/* A circuit into or out of the live state (its owner's or its room's). */
int eng_state_add_circuit(struct osm_engine *e,
			  const struct osmdb_rec_circuit *c);
void eng_state_del_circuit(struct osm_engine *e,
			   const struct osmdb_rec_circuit *c);

/* ---- policy.c: the circuits the building wants ------------------------- */

/* Wants of person (in room ri) and of room ri's group, appended to
 * w[*n] (capacity cap). -E2BIG if they do not fit. */
int eng_policy_person(const struct osm_engine *e, const char *person,
		      int ri, struct eng_want *w, size_t *n, size_t cap);
int eng_policy_room(const struct osm_engine *e, int ri, struct eng_want *w,
		    size_t *n, size_t cap);
/* Rate and burst of a class (bytes/s, bytes). */
void eng_policy_rate(unsigned cls, uint64_t *rate, uint64_t *burst);

/* ---- switches.c: namespaces and handles -------------------------------- */

/* Run fn(e, si, arg) inside switch si's network namespace (the engine's
 * own without a prefix), then come back. Returns fn's result, or -errno
 * if the namespace cannot be entered. */
int eng_in_netns(struct osm_engine *e, int si,
		 int (*fn)(struct osm_engine *e, int si, void *arg), void *arg);
/* The switch handle of index i, opened on first use. -ENOENT -> engine
 * code ENOSWITCH. */
int eng_sw_handle(struct osm_engine *e, int i, struct osm_switch **h);
/* 1 if switch si is not loaded. */
int eng_offline(struct osm_engine *e, int si);

/* ---- values.c: map values of data and control circuits ----------------- */

/* The map value circuit c should have on hop `hop` of its path, with the
 * hop key of its current epoch. *sw gets the switch index. */
int eng_expect(struct osm_engine *e, const struct osmdb_rec_circuit *c,
	       unsigned hop, const uint8_t hop_key[OSM_HOP_KEY_LEN],
	       struct osm_circuit *out, int *sw);
/* Key slot osm_epoch_slot(epoch) of a map value set to that epoch's key. */
void eng_set_key(struct osm_circuit *out, uint32_t epoch,
		 const uint8_t hop_key[OSM_HOP_KEY_LEN]);
/* Control circuits of device di: the switches of the path in direction
 * dir, the map value on hop `hop` with the hop keys of the join epoch
 * and, if sess is not NULL, of a session's (keys: osm_engine_ctrl_keys). */
int eng_ctrl_path(struct osm_engine *e, int di, int dir, const int **hops,
		  unsigned *n);
/* The ports hop `hop` of the path hops[0..n) enters and leaves by: first
 * the path's ingress, last its egress, uplinks between;
 * OSM_ENGINE_ENOPORT if one is missing or has no interface. */
int eng_hop_inout(const struct osm_engine *e, const int *hops, unsigned n,
		  unsigned hop, int first, int last, int *in, int *eg);
int eng_ctrl_expect(struct osm_engine *e, int di, int dir, unsigned hop,
		    const struct osm_keys *join, const struct osm_keys *sess,
		    struct osm_circuit *out, int *sw);
/* 1 if control circuit id belongs on switch si. */
int eng_ctrl_on(struct osm_engine *e, uint32_t id, int si);

/* ---- maps.c: an event's map changes, as batch operations -------------- */

/* The old epoch of circuit id still on the switches (0: none), and its
 * record: set (replacing), or dropped. */
uint32_t eng_retiring(const struct osm_engine *e, uint32_t id);
int eng_retiring_set(struct osm_engine *e, uint32_t id, uint32_t epoch);
void eng_retiring_drop(struct osm_engine *e, uint32_t id);
/* Remove epoch of circuit c from every switch of its path now. */
int eng_retire_one(struct osm_engine *e, const struct osmdb_rec_circuit *c,
		   uint32_t epoch);

/* On every switch of the paths of c[0..n) (where sel[i], if sel): delete
 * them, first hop first; add them at their epochs, last hop first; rekey:
 * install each one's epoch key next to the old (old NULL), or remove
 * epoch old[i]. *ops counts the map entries written. */
int eng_maps_del(struct osm_engine *e, const struct osmdb_rec_circuit *c,
		 size_t n, const char *sel, uint32_t *ops);
int eng_maps_add(struct osm_engine *e, struct osmdb_txn *t,
		 const struct osmdb_rec_circuit *c, size_t n, uint32_t *ops);
int eng_maps_rekey(struct osm_engine *e, struct osmdb_txn *t,
		   const struct osmdb_rec_circuit *c, size_t n, const char *sel,
		   const uint32_t *old, uint32_t *ops);

/* ---- sync.c: reconcile and verify --------------------------------------- */

/* Make c's map values on every switch of its path what the store and
 * the link states say; *fixed counts the changes. */
int eng_fix_circuit(struct osm_engine *e, struct osmdb_txn *t,
		    const struct osmdb_rec_circuit *c, unsigned *fixed);

/* ---- event.c: presence events ------------------------------------------ */

/* Start an event record (sequence number, wall-clock time, kind) and
 * keep a finished one in the ring. */
void eng_event_init(struct osm_engine *e, struct osm_engine_event *ev,
		    enum osm_engine_kind kind);
void eng_ring_push(struct osm_engine *e, const struct osm_engine_event *ev);
/* The names of c's two devices ("?" if unknown). */
void eng_dev_names(const struct osm_engine *e,
		   const struct osmdb_rec_circuit *c,
		   char src[OSMDB_NAME_MAX + 1], char dst[OSMDB_NAME_MAX + 1]);

/* ---- links.c: ifindexes, link states, the link watch ------------------ */

/* Look up the ifindexes and link states of every switch's ports. */
void eng_resolve_all(struct osm_engine *e);
void eng_watch_close(struct osm_engine *e);
/* The rtnetlink messages buf[0..len) read by switch sw's link watch
 * (RTM_NEWLINK, RTM_DELLINK; others ignored): its ports' ifindexes and
 * states follow them, and every port that went down or up flips its
 * circuits, an event each, passed to cb. Returns how many. */
int eng_link_msgs(struct osm_engine *e, int sw, const void *buf, size_t len,
		  void (*cb)(const struct osm_engine_event *ev, void *arg),
		  void *arg);

/* ---- remote.c: circuits between buildings ------------------------------ */

#define OSM_REMOTE_EPOCH	1	/* remote circuits keep their first */

/* The peers and remotes of the store, for one reconcile or verify. */
struct eng_remotes {
	struct osmdb_peer *p;
	struct osmdb_remote *r;
	size_t n_p, n_r, cap_p, cap_r;
};

int eng_remotes_load(struct osmdb_txn *t, struct eng_remotes *rs);
void eng_remotes_free(struct eng_remotes *rs);
const struct osmdb_peer *eng_remote_peer(const struct eng_remotes *rs,
					 const struct osmdb_remote *r);
/* Whether switch si carries remote circuit id (an open direction). */
int eng_remote_on(struct osm_engine *e, const struct eng_remotes *rs,
		  uint32_t id, int si);
/* The switches of direction dir of r, in path order. */
int eng_remote_path(struct osm_engine *e, const struct osmdb_remote *r,
		    const struct osmdb_peer *p, int dir, const int **hops,
		    unsigned *n);
/* The map value of hop hop of it (keys k), and its switch. */
int eng_remote_expect(struct osm_engine *e, const struct osmdb_remote *r,
		      const struct osmdb_peer *p, int dir, unsigned hop,
		      const struct osm_keys *k, struct osm_circuit *out,
		      int *sw);
/* Gateway requests: r's direction dir in, p's link, a circuit out. An
 * error reply: -EPROTO with why. */
int eng_remote_gw_set(struct osm_engine *e, struct osmdb_txn *t,
		      const struct osmdb_remote *r, const struct osmdb_peer *p,
		      int dir, char *why, size_t cap);
int eng_peer_gw_set(struct osm_engine *e, const struct osmdb_peer *p,
		    char *why, size_t cap);
int eng_remote_gw_del(const struct osmdb_peer *p, uint32_t id);

#endif
