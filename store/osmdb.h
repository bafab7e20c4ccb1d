/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The building's control-plane state in LMDB: topology, devices, people
 * and their sessions, circuits, the audit chain. Opaque handles; every
 * function returns 0 or a negative code (-errno or OSMDB_E*). */
#ifndef OSMDB_H
#define OSMDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "osm_keys.h"

/* The layout version of the store. A store of version 1 (before the
 * index of circuits by owner) is upgraded when opened read-write, in one
 * transaction; one of any other version is refused. */
#define OSMDB_SCHEMA	2

/*
 * Domain error codes (negative, outside the errno range and LMDB's
 * -30600..-30780). Plain -errno codes used: -ENOENT (no store there),
 * -ENOMEM, -ENOSPC (the store's map is full), -EINVAL (bad argument),
 * -EBUSY (store in use, see osmdb_forget), -EIO (other LMDB failure).
 */
enum {
	OSMDB_ENOTFOUND = -31000,	/* no such record */
	OSMDB_EEXIST    = -31001,	/* record already exists */
	OSMDB_EVERSION  = -31002,	/* store has another schema version */
	OSMDB_ECORRUPT  = -31003,	/* a record does not decode */
	OSMDB_EKEYPERM  = -31004,	/* root.key another user's, or open
					 * to group or others */
	OSMDB_EKEY      = -31005,	/* root.key missing (store exists),
					 * unreadable or wrong size */
	OSMDB_EAUDIT    = -31006,	/* audit chain broken */
	OSMDB_EREF      = -31007,	/* refers to a record that is absent */
	OSMDB_EINUSE    = -31008,	/* still referenced (room has people,
					 * person owns circuits, ...) */
	OSMDB_ESEAL     = -31009,	/* a sealed key does not open */
	OSMDB_EWRITER   = -31010,	/* another process writes the store */
};

/* A human-readable message for any code these functions return. */
const char *osmdb_strerror(int err);

#define OSMDB_NAME_MAX		63	/* names: [A-Za-z0-9._-], 1..63 bytes */
#define OSMDB_DETAIL_MAX	255	/* audit detail text */
#define OSMDB_PATH_MAX		8	/* switches on one circuit's path */

struct osmdb;		/* an open store (LMDB environment + root key) */
struct osmdb_txn;	/* a transaction on it */

/* ---- records (decoded copies; strings are NUL-terminated) ------------- */

struct osmdb_rec_floor {
	char name[OSMDB_NAME_MAX + 1];
	int32_t level;
};

struct osmdb_rec_room {
	char name[OSMDB_NAME_MAX + 1];
	char floor[OSMDB_NAME_MAX + 1];
	char sw[OSMDB_NAME_MAX + 1];	/* the room's switch */
};

enum osmdb_switch_kind { OSMDB_SW_ROOM, OSMDB_SW_CORE, OSMDB_SW_GATEWAY,
			 OSMDB_SW_KIND_MAX };

struct osmdb_rec_switch {
	char name[OSMDB_NAME_MAX + 1];
	uint8_t kind;			/* enum osmdb_switch_kind */
	char room[OSMDB_NAME_MAX + 1];	/* for a room switch, else "" */
};

enum osmdb_port_kind { OSMDB_PORT_DEVICE, OSMDB_PORT_UPLINK, OSMDB_PORT_WAN,
		       OSMDB_PORT_MGMT, OSMDB_PORT_KIND_MAX };

/* A switch interface; keyed by (sw, name). */
struct osmdb_rec_port {
	char sw[OSMDB_NAME_MAX + 1];
	char name[OSMDB_NAME_MAX + 1];
	char ifname[16];		/* the Linux interface, IFNAMSIZ */
	uint8_t kind;			/* enum osmdb_port_kind */
	char peer_sw[OSMDB_NAME_MAX + 1]; /* uplink: the other end, else "" */
	char peer_port[OSMDB_NAME_MAX + 1];
};

struct osmdb_rec_device {
	uint32_t id;			/* 1..OSM_DEVICE_ID_MAX */
	char name[OSMDB_NAME_MAX + 1];
	uint8_t role;			/* enum osm_role (osm_proto.h) */
	char room[OSMDB_NAME_MAX + 1];
	char sw[OSMDB_NAME_MAX + 1];	/* the port it is plugged into */
	char port[OSMDB_NAME_MAX + 1];
	uint8_t mac[6];
};

/* A person present and their session. The session key is never in this
 * structure: osmdb_person_session_key() unseals it on demand. */
struct osmdb_rec_person {
	char name[OSMDB_NAME_MAX + 1];
	char room[OSMDB_NAME_MAX + 1];
	uint64_t since_ns;		/* CLOCK_REALTIME of entry */
	uint64_t session;		/* session number, unique per store */
};

enum osmdb_class { OSMDB_CLASS_CONTROL, OSMDB_CLASS_SENSOR,
		   OSMDB_CLASS_AUDIO, OSMDB_CLASS_VIDEO, OSMDB_CLASS_BULK,
		   OSMDB_CLASS_MAX };

struct osmdb_rec_circuit {
	uint32_t id;			/* 1..OSM_DATA_CIRCUIT_MAX; 0 in
					 * osmdb_circuit_add: allocate one */
	char owner[OSMDB_NAME_MAX + 1];	/* person whose session keys it, or
					 * "" for a building circuit */
	uint32_t src_dev, dst_dev;	/* device ids of the two endpoints */
	uint8_t cls;			/* enum osmdb_class */
	uint32_t flags;			/* OSM_CF_REMOTE (osm_proto.h) */
	uint64_t rate;			/* bytes/s, 0: unlimited */
	uint64_t burst;			/* bytes */
	uint64_t lease_ns;		/* CLOCK_REALTIME expiry, 0: none */
	uint32_t epoch;			/* current key epoch */
	uint8_t n_path;			/* switches on the path, in order */
	char path[OSMDB_PATH_MAX][OSMDB_NAME_MAX + 1];
};

enum osmdb_audit_kind {
	OSMDB_AUDIT_TOPOLOGY = 1,	/* topology applied */
	OSMDB_AUDIT_ENTER,	/* person entered */
	OSMDB_AUDIT_MOVE,		/* person moved to another room */
	OSMDB_AUDIT_LEAVE,	/* person left */
	OSMDB_AUDIT_CIRCUIT_ADD,
	OSMDB_AUDIT_CIRCUIT_DEL,
	OSMDB_AUDIT_KEY_ROTATE,	/* circuit key epoch bumped */
	OSMDB_AUDIT_ERASURE,	/* a person was erased (names nobody) */
	OSMDB_AUDIT_ERASED,	/* marker replacing an erased record */
	OSMDB_AUDIT_PEER_ADD,	/* a peer building added */
	OSMDB_AUDIT_PEER_DEL,
	OSMDB_AUDIT_PEER_EPOCH,	/* its pair key's epoch moved on */
	OSMDB_AUDIT_REMOTE_ADD,	/* a remote circuit opened */
	OSMDB_AUDIT_REMOTE_CLOSE,
	OSMDB_AUDIT_KIND_MAX
};

struct osmdb_rec_audit {
	uint64_t seq;			/* 1, 2, 3, ... no gaps */
	uint64_t time_ns;		/* CLOCK_REALTIME */
	uint8_t kind;			/* enum osmdb_audit_kind */
	char person[OSMDB_NAME_MAX + 1];	/* who it concerns, or "" */
	char detail[OSMDB_DETAIL_MAX + 1];
	uint8_t hash[32];		/* BLAKE2b-256(prev hash || body) */
};

/* A peer building (docs/protocol.md 11.9): its public key, where its
 * gateway is, and which of our gateways reaches it. */
#define OSMDB_ADDR_MAX		63	/* "A.B.C.D:PORT" or "[IPV6]:PORT" */
#define OSMDB_SOCK_MAX		107	/* sun_path */

struct osmdb_peer {
	char name[OSMDB_NAME_MAX + 1];
	uint8_t pub[32];		/* its building's X25519 public key */
	char endpoint[OSMDB_ADDR_MAX + 1];	/* its gateway, ADDR:PORT */
	uint8_t next_hop[6];		/* our gateway's next hop's MAC */
	char gateway[OSMDB_NAME_MAX + 1];	/* our gateway (a switch) */
	char socket[OSMDB_SOCK_MAX + 1];	/* its osm-gw control socket */
	uint32_t epoch;			/* the pair key's, from 1 */
	uint64_t since_ns;		/* CLOCK_REALTIME when added */
};

/* A remote circuit pair with a peer: the two directions by index, and
 * which of them are open (dirs: bit 1 << index). */
enum { OSMDB_REMOTE_SEND, OSMDB_REMOTE_RECV };

struct osmdb_remote {
	char name[OSMDB_NAME_MAX + 1];	/* the same in both buildings */
	char peer[OSMDB_NAME_MAX + 1];
	uint32_t device;		/* our end's device id */
	uint8_t peer_mac[6];		/* their end's Ethernet address */
	uint8_t cls;			/* enum osmdb_class: its rate */
	uint8_t dirs;
	uint32_t id[2];			/* circuit ids, by direction */
	uint64_t since_ns;
};

/* ---- store and transactions -------------------------------------------- */

#define OSMDB_CREATE	0x1	/* create dir, store, root key */
#define OSMDB_RDONLY	0x2	/* read transactions only */
#define OSMDB_NOSYNC	0x4	/* no fsync at commit: survives a
					 * process kill, not a power cut */

/*
 * Open the store in directory dir (data.mdb, lock.mdb, root.key).
 * map_size: the map's size in bytes to start with, 0 for the default
 * (1 GiB); a write transaction on a map more than 3/4 full doubles it
 * first, up to 64 GiB.
 * Loads the root key (creating it, mode 0600, with OSMDB_CREATE) and
 * checks the schema version (writing it into a new store, upgrading a
 * version 1 store opened read-write).
 * A store has one writer: a read-write open takes STORE/writer.lock
 * (flock, exclusive) for as long as the store stays open, and fails
 * with OSMDB_EWRITER while another process holds it (osmdb_writer says
 * who). Read-only opens take no part in it.
 * Returns 0 and *out, or -ENOENT (no store and no OSMDB_CREATE),
 * OSMDB_EKEYPERM, OSMDB_EKEY, OSMDB_EVERSION, OSMDB_EWRITER, -ENOMEM,
 * -EIO, -EACCES.
 */
int osmdb_open(struct osmdb **out, const char *dir, unsigned flags,
	       size_t map_size);

/*
 * Who writes the store in dir: if a process holds its writer lock,
 * returns 0 with its pid in *pid and the note it left (osmdb_set_note,
 * "" if none) in note (cap bytes, NUL-terminated). Returns -ENOENT if
 * nobody writes it, or -errno.
 */
int osmdb_writer(const char *dir, long *pid, char *note, size_t cap);

/* Leave a note for osmdb_writer (the writer's socket, say; at most 255
 * printable bytes). Returns 0, -EROFS (not the writer), -EINVAL, -errno. */
int osmdb_set_note(struct osmdb *s, const char *note);

/* Close a store (no transaction may be open); wipes the root key. */
void osmdb_close(struct osmdb *s);

/* The directory the store lives in. */
const char *osmdb_dir(const struct osmdb *s);

/* Bytes of the store's map in use (pages up to the last one written)
 * and its size. Returns 0 or -EIO. */
int osmdb_usage(struct osmdb *s, size_t *used, size_t *size);

/*
 * A message for err naming its cause where the store can tell (buf, len
 * bytes, is used for it): -ENOSPC with the map nearly full, "store is
 * full: N of M bytes used"; -ENOSPC or -EIO with the store's file system
 * (nearly) full, "no space left on the file system of store DIR (N bytes
 * free)"; -EIO otherwise, the error and the free space. Else
 * osmdb_strerror(err). s may be NULL.
 */
const char *osmdb_explain(struct osmdb *s, int err, char *buf, size_t len);

#define OSMDB_TXN_RDONLY	0x1

/*
 * Begin a transaction; one write transaction at a time per store.
 * Returns 0 and *out, -EROFS (write on an OSMDB_RDONLY store),
 * -ENOMEM, -EIO.
 */
int osmdb_txn_begin(struct osmdb *s, unsigned flags, struct osmdb_txn **out);

/* Commit and free t. Returns 0, -ENOSPC (map full), -EIO. On error
 * nothing of t is in the store. */
int osmdb_txn_commit(struct osmdb_txn *t);

/* Abort and free t: nothing it did reaches the store. */
void osmdb_txn_abort(struct osmdb_txn *t);

/* The store a transaction belongs to. */
struct osmdb *osmdb_txn_store(struct osmdb_txn *t);

/* ---- reading ------------------------------------------------------------- */

enum osmdb_table {
	OSMDB_TAB_FLOORS,
	OSMDB_TAB_ROOMS,
	OSMDB_TAB_SWITCHES,
	OSMDB_TAB_PORTS,
	OSMDB_TAB_DEVICES,
	OSMDB_TAB_PEOPLE,
	OSMDB_TAB_CIRCUITS,
	OSMDB_TAB_AUDIT,
	OSMDB_TAB_MAX
};

/*
 * Call cb(rec, arg) for every record of table tab in key order; rec points
 * to a struct osmdb_rec_floor|room|switch|port|device|person|circuit|audit>
 * (devices and circuits by id, audit by seq, others by name). A non-zero
 * return of cb stops the walk and is returned. Otherwise returns 0,
 * -EINVAL (bad table), OSMDB_ECORRUPT, -EIO.
 */
int osmdb_foreach(struct osmdb_txn *t, enum osmdb_table tab,
		  int (*cb)(const void *rec, void *arg), void *arg);

/* Number of records in a table, or a negative code. */
long osmdb_count(struct osmdb_txn *t, enum osmdb_table tab);

/* The building's name ("" before any topology). Returns 0, -EIO. */
int osmdb_building_get(struct osmdb_txn *t, char name[OSMDB_NAME_MAX + 1]);

/*
 * Read one record into *out. Return 0, OSMDB_ENOTFOUND,
 * OSMDB_ECORRUPT, -EINVAL (name too long), -EIO.
 */
int osmdb_room_get(struct osmdb_txn *t, const char *name,
		   struct osmdb_rec_room *out);
int osmdb_switch_get(struct osmdb_txn *t, const char *name,
		     struct osmdb_rec_switch *out);
int osmdb_port_get(struct osmdb_txn *t, const char *sw, const char *port,
		   struct osmdb_rec_port *out);
int osmdb_device_get(struct osmdb_txn *t, uint32_t id,
		     struct osmdb_rec_device *out);
int osmdb_person_get(struct osmdb_txn *t, const char *name,
		     struct osmdb_rec_person *out);
int osmdb_circuit_get(struct osmdb_txn *t, uint32_t id,
		      struct osmdb_rec_circuit *out);

/* ---- topology (see osmdb_topo.h for the file format) -------------------- */

struct osmdb_topo;

/*
 * Replace the whole topology (building, floors, rooms, switches, ports,
 * devices) by topo, and append an OSMDB_AUDIT_TOPOLOGY record. topo must
 * have passed osmdb_topo_parse() validation. Returns 0, OSMDB_EINUSE
 * (a person is in a room, or a circuit uses a device, that topo drops;
 * *why names it if why is not NULL), -ENOSPC, -EIO.
 */
int osmdb_topo_apply(struct osmdb_txn *t, const struct osmdb_topo *topo,
		     char *why, size_t why_len);

/* ---- people -------------------------------------------------------------- */

/*
 * person enters the building into room: a person record with a fresh
 * random session key (sealed under the store's key-encryption key) and
 * an OSMDB_AUDIT_ENTER record. Returns 0, OSMDB_EEXIST (already
 * present: use osmdb_person_move), OSMDB_EREF (no such room), -EINVAL
 * (bad name), -ENOSPC, -EIO.
 */
int osmdb_person_enter(struct osmdb_txn *t, const char *person,
		       const char *room);

/* person moves to room (same session key); OSMDB_AUDIT_MOVE. Returns 0,
 * OSMDB_ENOTFOUND (not present), OSMDB_EREF, -EINVAL, -EIO. */
int osmdb_person_move(struct osmdb_txn *t, const char *person,
		      const char *room);

/*
 * person leaves: the person record and its sealed session key are deleted
 * (the key is gone for good); OSMDB_AUDIT_LEAVE. Circuits keyed by the
 * session must have been removed first (osmdb_circuit_del in the same
 * transaction): a circuit must not outlive the key it derives from.
 * Returns 0, OSMDB_ENOTFOUND, OSMDB_EINUSE (owns circuits), -EIO.
 */
int osmdb_person_leave(struct osmdb_txn *t, const char *person);

/* Unseal person's session key into out (wipe it after use). Returns 0,
 * OSMDB_ENOTFOUND, OSMDB_ESEAL (tampered), -EIO. */
int osmdb_person_session_key(struct osmdb_txn *t, const char *person,
			     uint8_t out[OSM_SESSION_KEY_LEN]);

/* ---- circuits ------------------------------------------------------------ */

/*
 * Add circuit c (c->id 0: allocate the next free id and write it back)
 * with an OSMDB_AUDIT_CIRCUIT_ADD record. Checks that both devices exist,
 * the owner (if any) is present and every path switch exists.
 * Returns 0, OSMDB_EEXIST, OSMDB_EREF, -EINVAL (bad id, class,
 * path length or name), -ENOSPC, -EIO.
 */
int osmdb_circuit_add(struct osmdb_txn *t, struct osmdb_rec_circuit *c);

/* Remove circuit id; OSMDB_AUDIT_CIRCUIT_DEL. Returns 0,
 * OSMDB_ENOTFOUND, -EIO. */
int osmdb_circuit_del(struct osmdb_txn *t, uint32_t id);

/* Bump the key epoch of circuit id (*epoch gets the new one, may be NULL);
 * OSMDB_AUDIT_KEY_ROTATE. Returns 0, OSMDB_ENOTFOUND, -EIO. */
int osmdb_circuit_rotate(struct osmdb_txn *t, uint32_t id, uint32_t *epoch);

/*
 * The hop and end-to-end keys of circuit id at epoch: osm_kdf_circuit()
 * under the owner's session key, or for a building circuit under the
 * long-term key of its source device. Wipe *out after use. Returns 0,
 * OSMDB_ENOTFOUND, OSMDB_ESEAL, -EIO.
 */
int osmdb_circuit_keys(struct osmdb_txn *t, uint32_t id, uint32_t epoch,
		       struct osm_keys *out);

/* ---- keys ---------------------------------------------------------------- */

/* Long-term key of device id, derived from the root key (never stored).
 * Returns 0, -EINVAL (id out of range). */
int osmdb_device_key(struct osmdb *s, uint32_t id,
		     uint8_t out[OSM_DEVICE_KEY_LEN]);

/* ---- sessions (docs/protocol.md 8.1) ---------------------------------------- */

/* The controller's next run: the stored counter plus one, stored (write
 * transaction; commit it before sending). Returns 0, -EROFS, -EOVERFLOW
 * (past OSM_SESSION_MAX), -ENOSPC, -EIO. */
int osmdb_ctl_run_next(struct osmdb_txn *t, uint32_t *run);

/* The last session the controller accepted from device id (0: none).
 * Returns 0, OSMDB_ECORRUPT, -EIO. */
int osmdb_device_session(struct osmdb_txn *t, uint32_t id, uint32_t *session);

/* Record session as device id's last accepted one. Returns 0, -ESTALE
 * (not above the stored one, or above OSM_SESSION_MAX), -EROFS, -ENOSPC,
 * -EIO. */
int osmdb_device_session_put(struct osmdb_txn *t, uint32_t id,
			     uint32_t session);

/* ---- audit --------------------------------------------------------------- */

/*
 * Append an audit record of kind about person ("" or NULL: nobody) with a
 * printf-style detail (truncated at OSMDB_DETAIL_MAX). The store functions
 * above append their own records; call this for other control actions.
 * Do not name people in the detail: forget() erases records by person.
 * Returns 0, -EINVAL, -ENOSPC, -EIO.
 */
int osmdb_audit_append(struct osmdb_txn *t, enum osmdb_audit_kind kind,
		       const char *person, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Check the whole chain: sequence numbers without gaps from 1, each hash
 * = BLAKE2b-256(previous hash || record body), the last one equal to the
 * stored head. Returns 0, or OSMDB_EAUDIT with *bad (if not NULL) the
 * sequence number of the first broken record, or -EIO.
 */
int osmdb_audit_verify(struct osmdb_txn *t, uint64_t *bad);

/*
 * The base of the store's part of the chain: the sequence number and hash
 * of the last record archived (0 and zeros if none was). The first record
 * in the store is base + 1 and chains from that hash.
 */
int osmdb_audit_base(struct osmdb_txn *t, uint64_t *seq, uint8_t hash[32]);

/*
 * Prune: delete records base+1 .. upto from the store (write transaction)
 * and make upto the new base. hash must be record upto's hash: the caller
 * proves that the archive it wrote ends where the store goes on. *n gets
 * the number of records deleted. The whole chain must verify first.
 * Returns 0, -ERANGE (upto not in base+1 .. head), -ESTALE (hash is not
 * record upto's), -EROFS, OSMDB_EAUDIT (the chain is broken), -ENOSPC,
 * -EIO.
 */
int osmdb_audit_prune(struct osmdb_txn *t, uint64_t upto,
		      const uint8_t hash[32], uint64_t *n);

/*
 * Archives (docs/store.md, "Audit archives"): a text file holding records
 * base+1 .. end of the chain, each with its hash, and the hash it starts
 * from, so that it verifies on its own and links to the archive before it
 * and to the store after it.
 */
struct osmdb_archive_info {
	uint64_t base, end;		/* records base+1 .. end */
	uint8_t base_hash[32], end_hash[32];
};

/*
 * Write records base+1 .. upto of the store's chain (checking each link
 * as it goes) to f in the archive format; *info describes what was
 * written. Returns 0, -ERANGE (upto not in base+1 .. head), OSMDB_EAUDIT
 * (the chain is broken: nothing to archive from), -EIO (f failed).
 */
int osmdb_archive_write(struct osmdb_txn *t, uint64_t upto, FILE *f,
			struct osmdb_archive_info *info);

/*
 * Read an archive from f and check every link. cb (may be NULL) gets
 * every record in order; a non-zero return stops and is returned. Returns
 * 0 with *info filled, OSMDB_EAUDIT (a record does not chain; *bad its
 * sequence number), or -EINVAL (not an archive, or a malformed line; *bad
 * its line number). bad may be NULL.
 */
int osmdb_archive_read(FILE *f, struct osmdb_archive_info *info,
		       int (*cb)(const struct osmdb_rec_audit *, void *),
		       void *arg, uint64_t *bad);

/* Name of an audit kind ("enter", ...), or "?". */
const char *osmdb_audit_kind_name(unsigned kind);

/* ---- erasure ------------------------------------------------------------- */

/*
 * Take the store for erasure: no other process may have it open until
 * osmdb_unlock_all (or the end of osmdb_forget), so that work done before
 * the erasure (a leave) is not left without it. Returns 0, or -EBUSY
 * (another process has the store open; nothing held).
 */
int osmdb_lock_all(struct osmdb *s);
void osmdb_unlock_all(struct osmdb *s);

/*
 * Erase person from the store (GDPR): delete their person record and
 * session key, the circuits they own, and replace every audit record
 * naming them by an OSMDB_AUDIT_ERASED marker, re-hashing the chain from
 * the first such record and appending an OSMDB_AUDIT_ERASURE record that
 * names nobody. The result is written into a fresh file by a logical
 * copy and renamed over data.mdb, so no byte of theirs remains in the
 * store's files (docs/store.md, "Erasure"). *sp is closed and reopened.
 * *erased (may be NULL) gets the number of records removed.
 * Returns 0, OSMDB_ENOTFOUND (nothing names them), -EBUSY (another
 * process has the store open), -ENOSPC, -EIO; on error the store is as
 * before and *sp still open (or NULL if reopening failed).
 */
int osmdb_forget(struct osmdb **sp, const char *person,
		 unsigned long *erased);

/* ---- names ----------------------------------------------------------------- */

/* Table of enum names ("room", "microphone", ...), and the reverse:
 * returns the value or -1. */
const char *osmdb_switch_kind_name(unsigned v);
const char *osmdb_port_kind_name(unsigned v);
const char *osmdb_role_name(unsigned v);
const char *osmdb_class_name(unsigned v);
int osmdb_switch_kind_parse(const char *s);
int osmdb_port_kind_parse(const char *s);
int osmdb_role_parse(const char *s);
int osmdb_class_parse(const char *s);

/* True if s is a valid record name: 1..OSMDB_NAME_MAX of [A-Za-z0-9._-]. */
bool osmdb_name_ok(const char *s);


/* ---- peers and remote circuits (osmdb_remote.c) ------------------------ */

/* The building's X25519 public key (its secret derives from the root
 * key and never leaves the store). */
int osmdb_building_pub(struct osmdb *s, uint8_t pub[32]);
/* The pair secret P with a peer's public key (protocol.md 11.1): what
 * the gateway runs the link from. -EINVAL for a low-order key or ours. */
int osmdb_peer_pair(struct osmdb *s, const uint8_t peer[32], uint8_t P[32]);
/* A remote circuit pair's ids by direction, from the agreement secret
 * with peer and the name (protocol.md 11.9). */
int osmdb_remote_ids(struct osmdb *s, const uint8_t peer[32],
		     const char *name, uint32_t id[2]);
/* The keys of remote r's circuit in direction dir at epoch. */
struct osm_keys;
int osmdb_remote_keys(struct osmdb_txn *t, const struct osmdb_remote *r,
		      int dir, uint32_t epoch, struct osm_keys *k);

/* Read a record: 0, OSMDB_ENOTFOUND, OSMDB_ECORRUPT, -EINVAL (name). */
int osmdb_peer_get(struct osmdb_txn *t, const char *name,
		   struct osmdb_peer *out);
int osmdb_remote_get(struct osmdb_txn *t, const char *name,
		     struct osmdb_remote *out);
/* Call cb with each struct osmdb_peer (osmdb_remote), by name. */
int osmdb_peer_foreach(struct osmdb_txn *t,
		       int (*cb)(const void *rec, void *arg), void *arg);
int osmdb_remote_foreach(struct osmdb_txn *t,
			 int (*cb)(const void *rec, void *arg), void *arg);
/*
 * Add peer p (its since_ns set), audited. OSMDB_EEXIST, OSMDB_EREF (its
 * gateway is no gateway switch of the topology), -EINVAL (a key that
 * gives no pair secret, or epoch 0), -EBUSY (another peer, named in
 * clash, has its gateway or socket: an osm-gw holds one link),
 * -EADDRINUSE (another peer, named in clash, has its key).
 */
int osmdb_peer_add(struct osmdb_txn *t, struct osmdb_peer *p,
		   char clash[OSMDB_NAME_MAX + 1]);
/* Move its pair key to a later epoch, audited; -ESTALE if not later. */
int osmdb_peer_epoch(struct osmdb_txn *t, const char *name, uint32_t epoch);
/* Remove it, audited; OSMDB_EINUSE while a remote circuit uses it. */
int osmdb_peer_del(struct osmdb_txn *t, const char *name);
/*
 * Open remote r (name, peer, device, peer_mac, cls, dirs given; its ids
 * and since_ns set here), audited. OSMDB_EEXIST, OSMDB_EREF (no such
 * peer or device), -EADDRINUSE (its ids are another remote's, named in
 * clash if not NULL: choose another name), -EALREADY (a remote of that
 * name was opened with that peer's key before: its keys were used, so
 * it is never opened again), -EINVAL.
 */
int osmdb_remote_add(struct osmdb_txn *t, struct osmdb_remote *r,
		     char clash[OSMDB_NAME_MAX + 1]);
/* Close it (the record goes), audited. */
int osmdb_remote_close(struct osmdb_txn *t, const char *name);

#endif
