/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The building's control-plane state in LMDB: topology, devices, people
 * and their sessions, circuits, the audit chain. Opaque handles; every
 * function returns 0 or a negative code (-errno or OSM_STORE_E*). */
#ifndef OSM_STORE_H
#define OSM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "osm_keys.h"

/* The layout version of the store. A store of version 1 (before the
 * index of circuits by owner) is upgraded when opened read-write, in one
 * transaction; one of any other version is refused. */
#define OSM_STORE_SCHEMA	2

/*
 * Domain error codes (negative, outside the errno range and LMDB's
 * -30600..-30780). Plain -errno codes used: -ENOENT (no store there),
 * -ENOMEM, -ENOSPC (the store's map is full), -EINVAL (bad argument),
 * -EBUSY (store in use, see osm_store_forget), -EIO (other LMDB failure).
 */
enum {
	OSM_STORE_ENOTFOUND = -31000,	/* no such record */
	OSM_STORE_EEXIST    = -31001,	/* record already exists */
	OSM_STORE_EVERSION  = -31002,	/* store has another schema version */
	OSM_STORE_ECORRUPT  = -31003,	/* a record does not decode */
	OSM_STORE_EKEYPERM  = -31004,	/* root.key readable by group/other */
	OSM_STORE_EKEY      = -31005,	/* root.key missing (store exists),
					 * unreadable or wrong size */
	OSM_STORE_EAUDIT    = -31006,	/* audit chain broken */
	OSM_STORE_EREF      = -31007,	/* refers to a record that is absent */
	OSM_STORE_EINUSE    = -31008,	/* still referenced (room has people,
					 * person owns circuits, ...) */
	OSM_STORE_ESEAL     = -31009,	/* a sealed key does not open */
};

/* A human-readable message for any code these functions return. */
const char *osm_store_strerror(int err);

#define OSM_NAME_MAX	63	/* names: [A-Za-z0-9._-], 1..63 bytes */
#define OSM_DETAIL_MAX	255	/* audit detail text */
#define OSM_PATH_MAX	8	/* switches on one circuit's path */

struct osm_store;	/* an open store (LMDB environment + root key) */
struct osm_txn;		/* a transaction on it */

/* ---- records (decoded copies; strings are NUL-terminated) ------------- */

struct osm_rec_floor {
	char name[OSM_NAME_MAX + 1];
	int32_t level;
};

struct osm_rec_room {
	char name[OSM_NAME_MAX + 1];
	char floor[OSM_NAME_MAX + 1];
	char sw[OSM_NAME_MAX + 1];	/* the room's switch */
};

enum osm_switch_kind { OSM_SW_ROOM, OSM_SW_CORE, OSM_SW_GATEWAY,
		       OSM_SW_KIND_MAX };

struct osm_rec_switch {
	char name[OSM_NAME_MAX + 1];
	uint8_t kind;			/* enum osm_switch_kind */
	char room[OSM_NAME_MAX + 1];	/* for a room switch, else "" */
};

enum osm_port_kind { OSM_PORT_DEVICE, OSM_PORT_UPLINK, OSM_PORT_WAN,
		     OSM_PORT_MGMT, OSM_PORT_KIND_MAX };

/* A switch interface; keyed by (sw, name). */
struct osm_rec_port {
	char sw[OSM_NAME_MAX + 1];
	char name[OSM_NAME_MAX + 1];
	char ifname[16];		/* the Linux interface, IFNAMSIZ */
	uint8_t kind;			/* enum osm_port_kind */
	char peer_sw[OSM_NAME_MAX + 1];	/* uplink: the other end, else "" */
	char peer_port[OSM_NAME_MAX + 1];
};

struct osm_rec_device {
	uint32_t id;			/* 1..OSM_DEVICE_ID_MAX */
	char name[OSM_NAME_MAX + 1];
	uint8_t role;			/* enum osm_role (osm_proto.h) */
	char room[OSM_NAME_MAX + 1];
	char sw[OSM_NAME_MAX + 1];	/* the port it is plugged into */
	char port[OSM_NAME_MAX + 1];
	uint8_t mac[6];
};

/* A person present and their session. The session key is never in this
 * structure: osm_person_session_key() unseals it on demand. */
struct osm_rec_person {
	char name[OSM_NAME_MAX + 1];
	char room[OSM_NAME_MAX + 1];
	uint64_t since_ns;		/* CLOCK_REALTIME of entry */
	uint64_t session;		/* session number, unique per store */
};

enum osm_class { OSM_CLASS_CONTROL, OSM_CLASS_SENSOR, OSM_CLASS_AUDIO,
		 OSM_CLASS_VIDEO, OSM_CLASS_BULK, OSM_CLASS_MAX };

struct osm_rec_circuit {
	uint32_t id;			/* 1..0x7fffffff; 0 in osm_circuit_add:
					 * allocate one */
	char owner[OSM_NAME_MAX + 1];	/* person whose session keys it, or
					 * "" for a building circuit */
	uint32_t src_dev, dst_dev;	/* device ids of the two endpoints */
	uint8_t cls;			/* enum osm_class */
	uint32_t flags;			/* OSM_CF_REMOTE (osm_proto.h) */
	uint64_t rate;			/* bytes/s, 0: unlimited */
	uint64_t burst;			/* bytes */
	uint64_t lease_ns;		/* CLOCK_REALTIME expiry, 0: none */
	uint32_t epoch;			/* current key epoch */
	uint8_t n_path;			/* switches on the path, in order */
	char path[OSM_PATH_MAX][OSM_NAME_MAX + 1];
};

enum osm_audit_kind {
	OSM_AUDIT_TOPOLOGY = 1,	/* topology applied */
	OSM_AUDIT_ENTER,	/* person entered */
	OSM_AUDIT_MOVE,		/* person moved to another room */
	OSM_AUDIT_LEAVE,	/* person left */
	OSM_AUDIT_CIRCUIT_ADD,
	OSM_AUDIT_CIRCUIT_DEL,
	OSM_AUDIT_KEY_ROTATE,	/* circuit key epoch bumped */
	OSM_AUDIT_ERASURE,	/* a person was erased (names nobody) */
	OSM_AUDIT_ERASED,	/* marker replacing an erased record */
	OSM_AUDIT_KIND_MAX
};

struct osm_rec_audit {
	uint64_t seq;			/* 1, 2, 3, ... no gaps */
	uint64_t time_ns;		/* CLOCK_REALTIME */
	uint8_t kind;			/* enum osm_audit_kind */
	char person[OSM_NAME_MAX + 1];	/* who it concerns, or "" */
	char detail[OSM_DETAIL_MAX + 1];
	uint8_t hash[32];		/* BLAKE2b-256(prev hash || body) */
};

/* ---- store and transactions -------------------------------------------- */

#define OSM_STORE_CREATE	0x1	/* create dir, store, root key */
#define OSM_STORE_RDONLY	0x2	/* read transactions only */
#define OSM_STORE_NOSYNC	0x4	/* no fsync at commit: survives a
					 * process kill, not a power cut */

/*
 * Open the store in directory dir (data.mdb, lock.mdb, root.key).
 * map_size: maximum size in bytes, 0 for the default (1 GiB).
 * Loads the root key (creating it, mode 0600, with OSM_STORE_CREATE) and
 * checks the schema version (writing it into a new store, upgrading a
 * version 1 store opened read-write).
 * Returns 0 and *out, or -ENOENT (no store and no OSM_STORE_CREATE),
 * OSM_STORE_EKEYPERM, OSM_STORE_EKEY, OSM_STORE_EVERSION, -ENOMEM, -EIO,
 * -EACCES.
 */
int osm_store_open(struct osm_store **out, const char *dir, unsigned flags,
		   size_t map_size);

/* Close a store (no transaction may be open); wipes the root key. */
void osm_store_close(struct osm_store *s);

/* The directory the store lives in. */
const char *osm_store_dir(const struct osm_store *s);

#define OSM_TXN_RDONLY	0x1

/*
 * Begin a transaction; one write transaction at a time per store.
 * Returns 0 and *out, -EROFS (write on an OSM_STORE_RDONLY store),
 * -ENOMEM, -EIO.
 */
int osm_txn_begin(struct osm_store *s, unsigned flags, struct osm_txn **out);

/* Commit and free t. Returns 0, -ENOSPC (map full), -EIO. On error
 * nothing of t is in the store. */
int osm_txn_commit(struct osm_txn *t);

/* Abort and free t: nothing it did reaches the store. */
void osm_txn_abort(struct osm_txn *t);

/* The store a transaction belongs to. */
struct osm_store *osm_txn_store(struct osm_txn *t);

/* ---- reading ------------------------------------------------------------- */

enum osm_table { OSM_TAB_FLOORS, OSM_TAB_ROOMS, OSM_TAB_SWITCHES, OSM_TAB_PORTS,
		 OSM_TAB_DEVICES, OSM_TAB_PEOPLE, OSM_TAB_CIRCUITS, OSM_TAB_AUDIT,
		 OSM_TAB_MAX };

/*
 * Call cb(rec, arg) for every record of table tab in key order; rec points
 * to a struct osm_rec_<floor|room|switch|port|device|person|circuit|audit>
 * (devices and circuits by id, audit by seq, others by name). A non-zero
 * return of cb stops the walk and is returned. Otherwise returns 0,
 * -EINVAL (bad table), OSM_STORE_ECORRUPT, -EIO.
 */
int osm_store_foreach(struct osm_txn *t, enum osm_table tab,
		      int (*cb)(const void *rec, void *arg), void *arg);

/* Number of records in a table, or a negative code. */
long osm_store_count(struct osm_txn *t, enum osm_table tab);

/* The building's name ("" before any topology). Returns 0, -EIO. */
int osm_building_get(struct osm_txn *t, char name[OSM_NAME_MAX + 1]);

/*
 * Read one record into *out. Return 0, OSM_STORE_ENOTFOUND,
 * OSM_STORE_ECORRUPT, -EINVAL (name too long), -EIO.
 */
int osm_room_get(struct osm_txn *t, const char *name,
		 struct osm_rec_room *out);
int osm_switch_get(struct osm_txn *t, const char *name,
		   struct osm_rec_switch *out);
int osm_port_get(struct osm_txn *t, const char *sw, const char *port,
		 struct osm_rec_port *out);
int osm_device_get(struct osm_txn *t, uint32_t id,
		   struct osm_rec_device *out);
int osm_person_get(struct osm_txn *t, const char *name,
		   struct osm_rec_person *out);
int osm_circuit_get(struct osm_txn *t, uint32_t id,
		    struct osm_rec_circuit *out);

/* ---- topology (see osm_topo.h for the file format) -------------------- */

struct osm_topo;

/*
 * Replace the whole topology (building, floors, rooms, switches, ports,
 * devices) by topo, and append an OSM_AUDIT_TOPOLOGY record. topo must
 * have passed osm_topo_parse() validation. Returns 0, OSM_STORE_EINUSE
 * (a person is in a room, or a circuit uses a device, that topo drops;
 * *why names it if why is not NULL), -ENOSPC, -EIO.
 */
int osm_topo_apply(struct osm_txn *t, const struct osm_topo *topo,
		   char *why, size_t why_len);

/* ---- people -------------------------------------------------------------- */

/*
 * person enters the building into room: a person record with a fresh
 * random session key (sealed under the store's key-encryption key) and
 * an OSM_AUDIT_ENTER record. Returns 0, OSM_STORE_EEXIST (already
 * present: use osm_person_move), OSM_STORE_EREF (no such room), -EINVAL
 * (bad name), -ENOSPC, -EIO.
 */
int osm_person_enter(struct osm_txn *t, const char *person, const char *room);

/* person moves to room (same session key); OSM_AUDIT_MOVE. Returns 0,
 * OSM_STORE_ENOTFOUND (not present), OSM_STORE_EREF, -EINVAL, -EIO. */
int osm_person_move(struct osm_txn *t, const char *person, const char *room);

/*
 * person leaves: the person record and its sealed session key are deleted
 * (the key is gone for good); OSM_AUDIT_LEAVE. Circuits keyed by the
 * session must have been removed first (osm_circuit_del in the same
 * transaction): a circuit must not outlive the key it derives from.
 * Returns 0, OSM_STORE_ENOTFOUND, OSM_STORE_EINUSE (owns circuits), -EIO.
 */
int osm_person_leave(struct osm_txn *t, const char *person);

/* Unseal person's session key into out (wipe it after use). Returns 0,
 * OSM_STORE_ENOTFOUND, OSM_STORE_ESEAL (tampered), -EIO. */
int osm_person_session_key(struct osm_txn *t, const char *person,
			   uint8_t out[OSM_SESSION_KEY_LEN]);

/* ---- circuits ------------------------------------------------------------ */

/*
 * Add circuit c (c->id 0: allocate the next free id and write it back)
 * with an OSM_AUDIT_CIRCUIT_ADD record. Checks that both devices exist,
 * the owner (if any) is present and every path switch exists.
 * Returns 0, OSM_STORE_EEXIST, OSM_STORE_EREF, -EINVAL (bad id, class,
 * path length or name), -ENOSPC, -EIO.
 */
int osm_circuit_add(struct osm_txn *t, struct osm_rec_circuit *c);

/* Remove circuit id; OSM_AUDIT_CIRCUIT_DEL. Returns 0,
 * OSM_STORE_ENOTFOUND, -EIO. */
int osm_circuit_del(struct osm_txn *t, uint32_t id);

/* Bump the key epoch of circuit id (*epoch gets the new one, may be NULL);
 * OSM_AUDIT_KEY_ROTATE. Returns 0, OSM_STORE_ENOTFOUND, -EIO. */
int osm_circuit_rotate(struct osm_txn *t, uint32_t id, uint32_t *epoch);

/*
 * The hop and end-to-end keys of circuit id at epoch: osm_kdf_circuit()
 * under the owner's session key, or for a building circuit under the
 * long-term key of its source device. Wipe *out after use. Returns 0,
 * OSM_STORE_ENOTFOUND, OSM_STORE_ESEAL, -EIO.
 */
int osm_circuit_keys(struct osm_txn *t, uint32_t id, uint32_t epoch,
		     struct osm_keys *out);

/* ---- keys ---------------------------------------------------------------- */

/* Long-term key of device id, derived from the root key (never stored).
 * Returns 0, -EINVAL (id out of range). */
int osm_store_device_key(struct osm_store *s, uint32_t id,
			 uint8_t out[OSM_DEVICE_KEY_LEN]);

/* ---- audit --------------------------------------------------------------- */

/*
 * Append an audit record of kind about person ("" or NULL: nobody) with a
 * printf-style detail (truncated at OSM_DETAIL_MAX). The store functions
 * above append their own records; call this for other control actions.
 * Do not name people in the detail: forget() erases records by person.
 * Returns 0, -EINVAL, -ENOSPC, -EIO.
 */
int osm_audit_append(struct osm_txn *t, enum osm_audit_kind kind,
		     const char *person, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Check the whole chain: sequence numbers without gaps from 1, each hash
 * = BLAKE2b-256(previous hash || record body), the last one equal to the
 * stored head. Returns 0, or OSM_STORE_EAUDIT with *bad (if not NULL) the
 * sequence number of the first broken record, or -EIO.
 */
int osm_audit_verify(struct osm_txn *t, uint64_t *bad);

/* Name of an audit kind ("enter", ...), or "?". */
const char *osm_audit_kind_name(unsigned kind);

/* ---- erasure ------------------------------------------------------------- */

/*
 * Erase person from the store (GDPR): delete their person record and
 * session key, the circuits they own, and replace every audit record
 * naming them by an OSM_AUDIT_ERASED marker, re-hashing the chain from
 * the first such record and appending an OSM_AUDIT_ERASURE record that
 * names nobody. The result is written into a fresh file by a logical
 * copy and renamed over data.mdb, so no byte of theirs remains in the
 * store's files (docs/store.md, "Erasure"). *sp is closed and reopened.
 * *erased (may be NULL) gets the number of records removed.
 * Returns 0, OSM_STORE_ENOTFOUND (nothing names them), -EBUSY (another
 * process has the store open), -ENOSPC, -EIO; on error the store is as
 * before and *sp still open (or NULL if reopening failed).
 */
int osm_store_forget(struct osm_store **sp, const char *person,
		     unsigned long *erased);

/* ---- names ----------------------------------------------------------------- */

/* Table of enum names ("room", "microphone", ...), and the reverse:
 * returns the value or -1. */
const char *osm_switch_kind_name(unsigned v);
const char *osm_port_kind_name(unsigned v);
const char *osm_role_name(unsigned v);
const char *osm_class_name(unsigned v);
int osm_switch_kind_parse(const char *s);
int osm_port_kind_parse(const char *s);
int osm_role_parse(const char *s);
int osm_class_parse(const char *s);

/* True if s is a valid record name: 1..OSM_NAME_MAX of [A-Za-z0-9._-]. */
bool osm_name_ok(const char *s);

#endif
