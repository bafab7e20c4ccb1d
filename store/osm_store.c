// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The store's core: open (root key, schema version), transactions, raw
 * table access, error strings and enum names. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "osm_store_int.h"

const char *const osm_table_names[OSM_TAB_MAX] = {
	[OSM_TAB_FLOORS] = "floors", [OSM_TAB_ROOMS] = "rooms",
	[OSM_TAB_SWITCHES] = "switches", [OSM_TAB_PORTS] = "ports",
	[OSM_TAB_DEVICES] = "devices", [OSM_TAB_PEOPLE] = "people",
	[OSM_TAB_CIRCUITS] = "circuits", [OSM_TAB_AUDIT] = "audit",
};

static const char ctx_kek[crypto_kdf_CONTEXTBYTES + 1] = "osm-kek1";

const char *osm_store_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case OSM_STORE_ENOTFOUND: return "no such record";
	case OSM_STORE_EEXIST: return "record already exists";
	case OSM_STORE_EVERSION:
		return "store has another schema version (this osm-fabric "
		       "reads versions 1 and 2)";
	case OSM_STORE_ECORRUPT: return "store record is corrupt";
	case OSM_STORE_EKEYPERM:
		return "root.key is readable by group or others "
		       "(chmod 600 it)";
	case OSM_STORE_EKEY:
		return "root.key is missing, unreadable or not 32 bytes";
	case OSM_STORE_EAUDIT: return "audit chain is broken";
	case OSM_STORE_EREF: return "refers to something that does not exist";
	case OSM_STORE_EINUSE: return "still in use";
	case OSM_STORE_ESEAL: return "sealed key does not open (tampered?)";
	case -ENOENT: return "no store there";
	case -ENOSPC: return "store is full (map size)";
	case -EBUSY: return "store is in use by another process";
	case -EROFS: return "store is open read-only";
	default: return err < 0 ? strerror(-err) : "unknown error";
	}
}

_Static_assert(OSM_STORE_SCHEMA == 2, "update the EVERSION message");

int osm_mdb_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS: return 0;
	case MDB_NOTFOUND: return OSM_STORE_ENOTFOUND;
	case MDB_KEYEXIST: return OSM_STORE_EEXIST;
	case MDB_MAP_FULL: case MDB_TXN_FULL: case MDB_PAGE_FULL:
		return -ENOSPC;
	case MDB_CORRUPTED: case MDB_PAGE_NOTFOUND: case MDB_INVALID:
		return OSM_STORE_ECORRUPT;
	case MDB_VERSION_MISMATCH: return OSM_STORE_EVERSION;
	case MDB_READERS_FULL: return -EBUSY;
	default: return rc > 0 ? -rc : -EIO;
	}
}

bool osm_name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		char c = s[n];

		if (n >= OSM_NAME_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return n > 0;
}

/* ---- enum names ----------------------------------------------------------- */

static const char *const sw_kinds[] = { "room", "core", "gateway" };
static const char *const port_kinds[] = { "device", "uplink", "wan", "mgmt" };
static const char *const roles[] = { "sensor", "display", "microphone",
	"speaker", "lamp", "door", "controller" };
static const char *const classes[] = { "control", "sensor", "audio",
	"video", "bulk" };

#define NAME_OF(tab, v) ((v) < sizeof(tab) / sizeof(tab[0]) ? tab[v] : "?")

static int parse_of(const char *const *tab, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(tab[i], s))
			return (int)i;
	return -1;
}

#define PARSE_OF(tab, s) parse_of(tab, sizeof(tab) / sizeof(tab[0]), s)

_Static_assert(sizeof(sw_kinds) / sizeof(sw_kinds[0]) == OSM_SW_KIND_MAX, "");
_Static_assert(sizeof(port_kinds) / sizeof(port_kinds[0]) ==
	       OSM_PORT_KIND_MAX, "");
_Static_assert(sizeof(roles) / sizeof(roles[0]) == OSM_ROLE_CONTROLLER, "");
_Static_assert(sizeof(classes) / sizeof(classes[0]) == OSM_CLASS_MAX, "");

const char *osm_switch_kind_name(unsigned v) { return NAME_OF(sw_kinds, v); }
const char *osm_port_kind_name(unsigned v) { return NAME_OF(port_kinds, v); }
/* roles are the protocol's (osm_proto.h), numbered from 1 */
const char *osm_role_name(unsigned v) { return v ? NAME_OF(roles, v - 1) : "?"; }
const char *osm_class_name(unsigned v) { return NAME_OF(classes, v); }
int osm_switch_kind_parse(const char *s) { return PARSE_OF(sw_kinds, s); }
int osm_port_kind_parse(const char *s) { return PARSE_OF(port_kinds, s); }
int osm_role_parse(const char *s)
{
	int v = PARSE_OF(roles, s);

	return v < 0 ? v : v + 1;
}
int osm_class_parse(const char *s) { return PARSE_OF(classes, s); }

/* ---- the root key ----------------------------------------------------- */

static int read_root(int fd, uint8_t *root)
{
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return OSM_STORE_EKEY;
	if (st.st_mode & 077)
		return OSM_STORE_EKEYPERM;
	if (st.st_size != OSM_ROOT_KEY_LEN)
		return OSM_STORE_EKEY;
	n = read(fd, root, OSM_ROOT_KEY_LEN);
	return n == OSM_ROOT_KEY_LEN ? 0 : OSM_STORE_EKEY;
}

/* A new root key goes to a temporary file first and is linked into place,
 * so that a crash never leaves a short root.key. */
static int create_root(const char *dir, uint8_t *root)
{
	char tmp[4096], path[4096];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/root.key", dir);
	snprintf(tmp, sizeof(tmp), "%s/root.key.%d", dir, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	randombytes_buf(root, OSM_ROOT_KEY_LEN);
	if (write(fd, root, OSM_ROOT_KEY_LEN) != OSM_ROOT_KEY_LEN ||
	    fsync(fd) < 0)
		err = -EIO;
	close(fd);
	if (!err && link(tmp, path) < 0)
		err = -errno;	/* EEXIST: someone else made one, use it */
	unlink(tmp);
	return err;
}

static int load_root(struct osm_store *s)
{
	char path[4096];
	bool fresh;
	int fd, err;

	snprintf(path, sizeof(path), "%s/data.mdb", s->dir);
	fresh = access(path, F_OK) < 0;
	snprintf(path, sizeof(path), "%s/root.key", s->dir);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	/* a new key only for a new store: an existing one's sealed keys
	 * and device keys hang on the old one */
	if (fd < 0 && errno == ENOENT && fresh &&
	    (s->flags & OSM_STORE_CREATE) && !(s->flags & OSM_STORE_RDONLY)) {
		err = create_root(s->dir, s->root);
		if (err && err != -EEXIST)
			return err;
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return errno == ENOENT && fresh ? -ENOENT : OSM_STORE_EKEY;
	err = read_root(fd, s->root);
	close(fd);
	if (err)
		return err;
	crypto_kdf_derive_from_key(s->kek, OSM_ROOT_KEY_LEN, 1, ctx_kek,
				   s->root);
	return 0;
}

/* ---- environment ------------------------------------------------------ */

static int put_schema(struct osm_txn *t)
{
	uint32_t v = OSM_STORE_SCHEMA;
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	return osm_meta_put(t, "schema", b, 4);
}

/* The schema version in *v (a new store gets the current one). */
static int check_schema(struct osm_txn *t, bool fresh, uint32_t *v)
{
	uint8_t b[4];
	int n = osm_meta_get(t, "schema", b, sizeof(b));

	if (n == OSM_STORE_ENOTFOUND && fresh && t->write) {
		*v = OSM_STORE_SCHEMA;
		return put_schema(t);
	}
	if (n < 0)
		return n == OSM_STORE_ENOTFOUND ? OSM_STORE_EVERSION : n;
	if (n != 4)
		return OSM_STORE_EVERSION;
	*v = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	return *v == 1 || *v == OSM_STORE_SCHEMA ? 0 : OSM_STORE_EVERSION;
}

/* The circuits-by-owner index. Version 1 had none: built here from the
 * circuits, with the version bump, in the opening transaction (all or
 * nothing); read-only, such a store is read without it. */
static int open_owned(struct osm_txn *t, bool fresh, uint32_t v)
{
	struct osm_store *s = t->s;
	int rc;

	if (v == 1 && !t->write)
		return 0;
	/* made only with a new store or by the upgrade: a version 2
	 * store without it is damaged, and an empty one would lie */
	rc = mdb_dbi_open(t->txn, "owned", fresh || v == 1 ? MDB_CREATE : 0,
			  &s->owned);
	if (rc)
		return rc == MDB_NOTFOUND ? OSM_STORE_ECORRUPT :
					    osm_mdb_err(rc);
	s->has_owned = true;
	if (v == 1)
		return osm_owned_rebuild(t) ?: put_schema(t);
	return 0;
}

int osm_store_env_open(struct osm_store *s)
{
	bool ro = s->flags & OSM_STORE_RDONLY;
	unsigned mflags = MDB_NOTLS | (ro ? MDB_RDONLY : 0) |
			  (s->flags & OSM_STORE_NOSYNC ? MDB_NOSYNC : 0);
	unsigned dflags = ro ? 0 : MDB_CREATE;
	struct osm_txn t = { .s = s, .write = !ro };
	char path[4096];
	uint32_t v = 0;
	bool fresh;
	int rc, i;

	s->has_owned = false;
	snprintf(path, sizeof(path), "%s/data.mdb", s->dir);
	fresh = access(path, F_OK) < 0;
	if (fresh && !(s->flags & OSM_STORE_CREATE))
		return -ENOENT;
	if ((rc = mdb_env_create(&s->env)) ||
	    (rc = mdb_env_set_maxdbs(s->env, OSM_MAX_DBS)) ||
	    (rc = mdb_env_set_mapsize(s->env, s->map_size)) ||
	    (rc = mdb_env_open(s->env, s->dir, mflags, 0600)))
		goto fail;
	if ((rc = mdb_txn_begin(s->env, NULL, ro ? MDB_RDONLY : 0, &t.txn)))
		goto fail;
	rc = mdb_dbi_open(t.txn, "meta", dflags, &s->meta);
	for (i = 0; !rc && i < OSM_TAB_MAX; i++)
		rc = mdb_dbi_open(t.txn, osm_table_names[i], dflags,
				  &s->dbi[i]);
	if (rc) {
		mdb_txn_abort(t.txn);
		/* a store without our tables is not one of ours */
		rc = rc == MDB_NOTFOUND ? OSM_STORE_EVERSION : osm_mdb_err(rc);
		goto out;
	}
	rc = check_schema(&t, fresh, &v) ?: open_owned(&t, fresh, v);
	if (rc) {
		mdb_txn_abort(t.txn);
		goto out;
	}
	rc = osm_mdb_err(mdb_txn_commit(t.txn));
	goto out;
fail:
	rc = osm_mdb_err(rc);
out:
	if (rc) {
		mdb_env_close(s->env);
		s->env = NULL;
	}
	return rc;
}

/* A crashed forget leaves its half-written copy behind; it is never
 * used (the rename is the commit point), so drop it. */
static void drop_forget_leftovers(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/forget.tmp", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/forget.tmp-lock", dir);
	unlink(path);
}

int osm_store_open(struct osm_store **out, const char *dir, unsigned flags,
		   size_t map_size)
{
	struct osm_store *s;
	char path[4096];
	int err;

	*out = NULL;
	if (sodium_init() < 0)
		return -EIO;
	if ((flags & OSM_STORE_CREATE) && !(flags & OSM_STORE_RDONLY) &&
	    mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->lock_fd = -1;
	s->flags = flags;
	s->map_size = map_size ? map_size : OSM_DEFAULT_MAP_SIZE;
	s->dir = strdup(dir);
	s->root = sodium_malloc(OSM_ROOT_KEY_LEN);
	s->kek = sodium_malloc(OSM_ROOT_KEY_LEN);
	if (!s->dir || !s->root || !s->kek) {
		err = -ENOMEM;
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/store.lock", dir);
	s->lock_fd = open(path, (flags & OSM_STORE_RDONLY ? O_RDONLY :
				 O_RDWR | O_CREAT) | O_CLOEXEC, 0600);
	if (s->lock_fd < 0) {
		err = errno == ENOENT ? -ENOENT : -errno;
		goto fail;
	}
	/* shared: many users; a forget takes it exclusive */
	if (flock(s->lock_fd, LOCK_SH) < 0) {
		err = -errno;
		goto fail;
	}
	if (!(flags & OSM_STORE_RDONLY))
		drop_forget_leftovers(dir);
	err = load_root(s);
	if (!err)
		err = osm_store_env_open(s);
	if (err)
		goto fail;
	*out = s;
	return 0;
fail:
	osm_store_close(s);
	return err;
}

void osm_store_close(struct osm_store *s)
{
	if (!s)
		return;
	if (s->env)
		mdb_env_close(s->env);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	sodium_free(s->root);	/* wipes */
	sodium_free(s->kek);
	free(s->dir);
	free(s);
}

const char *osm_store_dir(const struct osm_store *s)
{
	return s->dir;
}

int osm_store_device_key(struct osm_store *s, uint32_t id,
			 uint8_t out[OSM_DEVICE_KEY_LEN])
{
	return osm_kdf_device(out, s->root, id);
}

/* ---- transactions ---------------------------------------------------- */

int osm_txn_begin(struct osm_store *s, unsigned flags, struct osm_txn **out)
{
	bool ro = flags & OSM_TXN_RDONLY;
	struct osm_txn *t;
	int rc;

	*out = NULL;
	if (!ro && (s->flags & OSM_STORE_RDONLY))
		return -EROFS;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->s = s;
	t->write = !ro;
	rc = mdb_txn_begin(s->env, NULL, ro ? MDB_RDONLY : 0, &t->txn);
	if (rc) {
		free(t);
		return osm_mdb_err(rc);
	}
	*out = t;
	return 0;
}

struct osm_store *osm_txn_store(struct osm_txn *t)
{
	return t->s;
}

int osm_txn_commit(struct osm_txn *t)
{
	int rc = mdb_txn_commit(t->txn);

	free(t);
	return osm_mdb_err(rc);
}

void osm_txn_abort(struct osm_txn *t)
{
	if (!t)
		return;
	mdb_txn_abort(t->txn);
	free(t);
}

/* ---- keys and raw access ------------------------------------------ */

int osm_key_name(struct osm_key *k, const char *name)
{
	if (!name || !osm_name_ok(name))
		return -EINVAL;
	k->len = strlen(name);
	memcpy(k->b, name, k->len);
	return 0;
}

int osm_key_port(struct osm_key *k, const char *sw, const char *port)
{
	if (!osm_name_ok(sw) || !osm_name_ok(port))
		return -EINVAL;
	k->len = (size_t)snprintf((char *)k->b, sizeof(k->b), "%s/%s", sw,
				  port);
	return 0;
}

void osm_key_u32(struct osm_key *k, uint32_t v)
{
	k->len = 4;
	k->b[0] = v >> 24, k->b[1] = v >> 16, k->b[2] = v >> 8, k->b[3] = v;
}

void osm_key_u64(struct osm_key *k, uint64_t v)
{
	int i;

	k->len = 8;
	for (i = 0; i < 8; i++)
		k->b[i] = (uint8_t)(v >> (56 - 8 * i));
}

int osm_tab_put_raw(struct osm_txn *t, enum osm_table tab,
		    const struct osm_key *k, const void *v, size_t len)
{
	MDB_val key = { k->len, (void *)k->b }, val = { len, (void *)v };

	if (!t->write)
		return -EROFS;
	return osm_mdb_err(mdb_put(t->txn, t->s->dbi[tab], &key, &val, 0));
}

int osm_tab_put(struct osm_txn *t, enum osm_table tab,
		const struct osm_key *k, const void *rec, bool noover)
{
	MDB_val key = { k->len, (void *)k->b }, val;
	uint8_t buf[OSM_REC_MAX];
	int n = osm_rec_encode(tab, rec, buf);

	if (n < 0)
		return n;
	if (!t->write)
		return -EROFS;
	val.mv_size = (size_t)n;
	val.mv_data = buf;
	return osm_mdb_err(mdb_put(t->txn, t->s->dbi[tab], &key, &val,
				   noover ? MDB_NOOVERWRITE : 0));
}

int osm_tab_get(struct osm_txn *t, enum osm_table tab,
		const struct osm_key *k, void *out)
{
	MDB_val key = { k->len, (void *)k->b }, val;
	int rc = mdb_get(t->txn, t->s->dbi[tab], &key, &val);

	if (rc)
		return osm_mdb_err(rc);
	return osm_rec_decode(tab, val.mv_data, val.mv_size, out);
}

int osm_tab_del(struct osm_txn *t, enum osm_table tab,
		const struct osm_key *k)
{
	MDB_val key = { k->len, (void *)k->b };

	if (!t->write)
		return -EROFS;
	return osm_mdb_err(mdb_del(t->txn, t->s->dbi[tab], &key, NULL));
}

int osm_tab_clear(struct osm_txn *t, enum osm_table tab)
{
	if (!t->write)
		return -EROFS;
	return osm_mdb_err(mdb_drop(t->txn, t->s->dbi[tab], 0));
}

int osm_tab_foreach(struct osm_txn *t, enum osm_table tab,
		    int (*cb)(const void *rec, void *arg), void *arg)
{
	MDB_cursor *c;
	MDB_val key, val;
	void *rec;
	int rc, ret = 0;

	if ((unsigned)tab >= OSM_TAB_MAX)
		return -EINVAL;
	rec = malloc(osm_rec_size(tab));
	if (!rec)
		return -ENOMEM;
	rc = mdb_cursor_open(t->txn, t->s->dbi[tab], &c);
	if (rc) {
		free(rec);
		return osm_mdb_err(rc);
	}
	for (rc = mdb_cursor_get(c, &key, &val, MDB_FIRST); !rc;
	     rc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
		ret = osm_rec_decode(tab, val.mv_data, val.mv_size, rec);
		if (!ret)
			ret = cb(rec, arg);
		if (ret)
			break;
	}
	mdb_cursor_close(c);
	if (tab == OSM_TAB_PEOPLE)
		sodium_memzero(rec, osm_rec_size(tab));
	free(rec);
	if (!ret && rc != MDB_NOTFOUND)
		ret = osm_mdb_err(rc);
	return ret;
}

/* People are walked as struct osm_rec_person: the sealed key stays in. */
struct person_walk {
	int (*cb)(const void *rec, void *arg);
	void *arg;
};

static int person_cb(const void *rec, void *arg)
{
	const struct osm_person_blob *b = rec;
	struct person_walk *w = arg;

	return w->cb(&b->p, w->arg);
}

int osm_store_foreach(struct osm_txn *t, enum osm_table tab,
		      int (*cb)(const void *rec, void *arg), void *arg)
{
	struct person_walk w = { cb, arg };

	if (tab == OSM_TAB_PEOPLE)
		return osm_tab_foreach(t, tab, person_cb, &w);
	return osm_tab_foreach(t, tab, cb, arg);
}

long osm_store_count(struct osm_txn *t, enum osm_table tab)
{
	MDB_stat st;
	int rc;

	if ((unsigned)tab >= OSM_TAB_MAX)
		return -EINVAL;
	rc = mdb_stat(t->txn, t->s->dbi[tab], &st);
	return rc ? osm_mdb_err(rc) : (long)st.ms_entries;
}

int osm_meta_get(struct osm_txn *t, const char *key, void *buf, size_t cap)
{
	MDB_val k = { strlen(key), (void *)key }, v;
	int rc = mdb_get(t->txn, t->s->meta, &k, &v);

	if (rc)
		return osm_mdb_err(rc);
	if (v.mv_size > cap)
		return OSM_STORE_ECORRUPT;
	memcpy(buf, v.mv_data, v.mv_size);
	return (int)v.mv_size;
}

int osm_meta_put(struct osm_txn *t, const char *key, const void *val,
		 size_t len)
{
	MDB_val k = { strlen(key), (void *)key }, v = { len, (void *)val };

	if (!t->write)
		return -EROFS;
	return osm_mdb_err(mdb_put(t->txn, t->s->meta, &k, &v, 0));
}

int osm_meta_next(struct osm_txn *t, const char *key, uint64_t *out)
{
	uint8_t b[8] = { 0 };
	uint64_t v = 0;
	int i, n = osm_meta_get(t, key, b, sizeof(b));

	if (n < 0 && n != OSM_STORE_ENOTFOUND)
		return n;
	if (n >= 0 && n != 8)
		return OSM_STORE_ECORRUPT;
	for (i = 0; n == 8 && i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	v++;
	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	*out = v;
	return osm_meta_put(t, key, b, 8);
}

int osm_building_get(struct osm_txn *t, char name[OSM_NAME_MAX + 1])
{
	int n = osm_meta_get(t, "building", name, OSM_NAME_MAX);

	if (n == OSM_STORE_ENOTFOUND)
		n = 0;
	if (n < 0)
		return n;
	name[n] = '\0';
	return 0;
}

/* ---- typed reads ------------------------------------------------------- */

int osm_room_get(struct osm_txn *t, const char *name,
		 struct osm_rec_room *out)
{
	struct osm_key k;

	return osm_key_name(&k, name) ?: osm_tab_get(t, OSM_TAB_ROOMS, &k, out);
}

int osm_switch_get(struct osm_txn *t, const char *name,
		   struct osm_rec_switch *out)
{
	struct osm_key k;

	return osm_key_name(&k, name) ?:
	       osm_tab_get(t, OSM_TAB_SWITCHES, &k, out);
}

int osm_port_get(struct osm_txn *t, const char *sw, const char *port,
		 struct osm_rec_port *out)
{
	struct osm_key k;

	return osm_key_port(&k, sw, port) ?:
	       osm_tab_get(t, OSM_TAB_PORTS, &k, out);
}

int osm_device_get(struct osm_txn *t, uint32_t id,
		   struct osm_rec_device *out)
{
	struct osm_key k;

	osm_key_u32(&k, id);
	return osm_tab_get(t, OSM_TAB_DEVICES, &k, out);
}

int osm_circuit_get(struct osm_txn *t, uint32_t id,
		    struct osm_rec_circuit *out)
{
	struct osm_key k;

	osm_key_u32(&k, id);
	return osm_tab_get(t, OSM_TAB_CIRCUITS, &k, out);
}
