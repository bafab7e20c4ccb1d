// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The store's core: open and close (root key, schema version), and its
 * error strings. Tables: osmdb_tab.c; names: osmdb_names.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include "osmdb_int.h"
#include "osm_arg.h"


static const char ctx_kek[crypto_kdf_CONTEXTBYTES + 1] = "osm-kek1";

const char *osmdb_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case OSMDB_ENOTFOUND: return "no such record";
	case OSMDB_EEXIST: return "record already exists";
	case OSMDB_EVERSION:
		return "store has another schema version (this osm-fabric "
		       "reads versions 1 and 2)";
	case OSMDB_ECORRUPT: return "store record is corrupt";
	case OSMDB_EKEYPERM:
		return "root.key is another user's, or group or others may "
		       "access it (chown it; chmod 600 it)";
	case OSMDB_EKEY:
		return "root.key is missing, unreadable or not 32 bytes";
	case OSMDB_EAUDIT: return "audit chain is broken";
	case OSMDB_EREF: return "refers to something that does not exist";
	case OSMDB_EINUSE: return "still in use";
	case OSMDB_ESEAL: return "sealed key does not open (tampered?)";
	case OSMDB_EWRITER: return "another process writes the store";
	case -ENOENT: return "no store there";
	case -ENOSPC: return "store is full (map size)";
	case -EBUSY: return "store is in use by another process";
	case -EROFS: return "store is open read-only";
	default: return err < 0 ? strerror(-err) : "unknown error";
	}
}

const char *osmdb_explain(struct osmdb *s, int err, char *buf, size_t len)
{
	unsigned long long avail;
	struct statvfs fs;
	size_t used, size;

	if (!s || (err != -ENOSPC && err != -EIO))
		return osmdb_strerror(err);
	/* -ENOSPC is also a transaction too big, or no id left: the
	 * usage only when the map is nearly full */
	if (err == -ENOSPC && !osmdb_usage(s, &used, &size) &&
	    used / 4 * 5 >= size) {
		snprintf(buf, len, "store is full: %zu of %zu bytes used", used,
			 size);
		return buf;
	}
	if (statvfs(s->dir, &fs))
		return osmdb_strerror(err);
	avail = (unsigned long long)fs.f_bavail * fs.f_frsize;
	/* LMDB writes a transaction's pages at commit: a file system with
	 * less than a few pages left is full to it */
	if (avail < 64ull * fs.f_bsize)
		snprintf(buf, len, "no space left on the file system of store "
			 "%s (%llu bytes free)", s->dir, avail);
	else if (err == -EIO)
		snprintf(buf, len, "store %s: write failed (%s; %llu bytes "
			 "free on its file system)", s->dir, strerror(EIO),
			 avail);
	else
		return osmdb_strerror(err);
	return buf;
}

_Static_assert(OSMDB_SCHEMA == 2, "update the EVERSION message");


/* ---- the root key ----------------------------------------------------- */

static int read_root(int fd, uint8_t *root)
{
	struct stat st;
	ssize_t n;

	int err = osm_arg_key_fd_ok(fd);

	if (err == OSM_ARG_EOWNER || err == OSM_ARG_EMODE)
		return OSMDB_EKEYPERM;
	if (err)
		return err == OSM_ARG_ENOTREG ? OSMDB_EKEY : err;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size != OSM_ROOT_KEY_LEN)
		return OSMDB_EKEY;
	n = read(fd, root, OSM_ROOT_KEY_LEN);
	return n == OSM_ROOT_KEY_LEN ? 0 : OSMDB_EKEY;
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

static int load_root(struct osmdb *s)
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
	    (s->flags & OSMDB_CREATE) && !(s->flags & OSMDB_RDONLY)) {
		err = create_root(s->dir, s->root);
		if (err && err != -EEXIST)
			return err;
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return errno == ENOENT && fresh ? -ENOENT : OSMDB_EKEY;
	err = read_root(fd, s->root);
	close(fd);
	if (err)
		return err;
	crypto_kdf_derive_from_key(s->kek, OSM_ROOT_KEY_LEN, 1, ctx_kek,
				   s->root);
	return 0;
}

/* ---- environment ------------------------------------------------------ */

static int put_schema(struct osmdb_txn *t)
{
	uint32_t v = OSMDB_SCHEMA;
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	return osmdb_meta_put(t, "schema", b, 4);
}

/* The schema version in *v (a new store gets the current one). */
static int check_schema(struct osmdb_txn *t, bool fresh, uint32_t *v)
{
	uint8_t b[4];
	int n = osmdb_meta_get(t, "schema", b, sizeof(b));

	if (n == OSMDB_ENOTFOUND && fresh && t->write) {
		*v = OSMDB_SCHEMA;
		return put_schema(t);
	}
	if (n < 0)
		return n == OSMDB_ENOTFOUND ? OSMDB_EVERSION : n;
	if (n != 4)
		return OSMDB_EVERSION;
	*v = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	return *v == 1 || *v == OSMDB_SCHEMA ? 0 : OSMDB_EVERSION;
}

/* The circuits-by-owner index. Version 1 had none: built here from the
 * circuits, with the version bump, in the opening transaction (all or
 * nothing); read-only, such a store is read without it. */
static int open_owned(struct osmdb_txn *t, bool fresh, uint32_t v)
{
	struct osmdb *s = t->s;
	int rc;

	if (v == 1 && !t->write)
		return 0;
	/* made only with a new store or by the upgrade: a version 2
	 * store without it is damaged, and an empty one would lie */
	rc = mdb_dbi_open(t->txn, "owned", fresh || v == 1 ? MDB_CREATE : 0,
			  &s->owned);
	if (rc)
		return rc == MDB_NOTFOUND ? OSMDB_ECORRUPT :
					    osmdb_mdb_err(rc);
	s->has_owned = true;
	if (v == 1)
		return osmdb_owned_rebuild(t) ?: put_schema(t);
	return 0;
}

int osmdb_env_open(struct osmdb *s)
{
	MDB_envinfo info;
	bool ro = s->flags & OSMDB_RDONLY;
	unsigned mflags = MDB_NOTLS | (ro ? MDB_RDONLY : 0) |
			  (s->flags & OSMDB_NOSYNC ? MDB_NOSYNC : 0);
	unsigned dflags = ro ? 0 : MDB_CREATE;
	struct osmdb_txn t = { .s = s, .write = !ro };
	char path[4096];
	uint32_t v = 0;
	bool fresh;
	int rc, i;

	s->has_owned = false;
	snprintf(path, sizeof(path), "%s/data.mdb", s->dir);
	fresh = access(path, F_OK) < 0;
	if (fresh && !(s->flags & OSMDB_CREATE))
		return -ENOENT;
	/* A new store's map gets the size asked for; an existing one keeps
	 * the size it has grown to (LMDB takes it from the file when none is
	 * set), or the size asked for if that is larger. */
	if ((rc = mdb_env_create(&s->env)) ||
	    (rc = mdb_env_set_maxdbs(s->env, OSMDB_MAX_DBS)) ||
	    (fresh && (rc = mdb_env_set_mapsize(s->env, s->map_size))) ||
	    (rc = mdb_env_open(s->env, s->dir, mflags, 0600)) ||
	    (rc = mdb_env_info(s->env, &info)) ||
	    (info.me_mapsize < s->map_size &&
	     (rc = mdb_env_set_mapsize(s->env, s->map_size))))
		goto fail;
	if (info.me_mapsize > s->map_size)
		s->map_size = info.me_mapsize;
	if ((rc = mdb_txn_begin(s->env, NULL, ro ? MDB_RDONLY : 0, &t.txn)))
		goto fail;
	rc = mdb_dbi_open(t.txn, "meta", dflags, &s->meta);
	for (i = 0; !rc && i < OSMDB_TAB_MAX; i++)
		rc = mdb_dbi_open(t.txn, osmdb_table_names[i], dflags,
				  &s->dbi[i]);
	if (rc) {
		mdb_txn_abort(t.txn);
		/* a store without our tables is not one of ours */
		rc = rc == MDB_NOTFOUND ? OSMDB_EVERSION : osmdb_mdb_err(rc);
		goto out;
	}
	rc = check_schema(&t, fresh, &v) ?: open_owned(&t, fresh, v);
	if (rc) {
		mdb_txn_abort(t.txn);
		goto out;
	}
	rc = osmdb_mdb_err(mdb_txn_commit(t.txn));
	goto out;
fail:
	rc = osmdb_mdb_err(rc);
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

/* ---- the one writer ------------------------------------------------------ */

/* Write "PID NOTE\n" into the writer lock file, which s holds. */
static int write_note(struct osmdb *s, const char *note)
{
	char buf[320];
	int n = snprintf(buf, sizeof(buf), "%ld %s\n", (long)getpid(), note);
	ssize_t w;

	if (ftruncate(s->writer_fd, 0) < 0)
		return -errno;
	w = pwrite(s->writer_fd, buf, (size_t)n, 0);
	return w == n ? 0 : w < 0 ? -errno : -EIO;
}

static int take_writer(struct osmdb *s)
{
	char path[4096];
	int i;

	snprintf(path, sizeof(path), "%s/writer.lock", s->dir);
	s->writer_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->writer_fd < 0)
		return -errno;
	/* osmdb_writer holds it shared for a moment: try for 100 ms */
	for (i = 0; flock(s->writer_fd, LOCK_EX | LOCK_NB) < 0; i++) {
		if (errno != EWOULDBLOCK)
			return -errno;
		if (i == 50)
			return OSMDB_EWRITER;
		usleep(2000);
	}
	return write_note(s, "");
}

int osmdb_set_note(struct osmdb *s, const char *note)
{
	const char *p;

	if (s->writer_fd < 0)
		return -EROFS;
	if (strlen(note) > 255)
		return -EINVAL;
	for (p = note; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return -EINVAL;
	return write_note(s, note);
}

int osmdb_writer(const char *dir, long *pid, char *note, size_t cap)
{
	char path[4096], buf[320];
	ssize_t n;
	int fd, err = 0, off = 0;

	snprintf(path, sizeof(path), "%s/writer.lock", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);		/* nobody holds it */
		return -ENOENT;
	}
	if (errno != EWOULDBLOCK) {
		err = -errno;
		close(fd);
		return err;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	*pid = 0;
	if (sscanf(buf, "%ld %n", pid, &off) < 1)
		off = (int)strlen(buf);
	snprintf(note, cap, "%s", buf + off);
	return 0;
}

int osmdb_open(struct osmdb **out, const char *dir, unsigned flags,
	       size_t map_size)
{
	struct osmdb *s;
	char path[4096];
	int err;

	*out = NULL;
	if (sodium_init() < 0)
		return -EIO;
	if ((flags & OSMDB_CREATE) && !(flags & OSMDB_RDONLY) &&
	    mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->lock_fd = s->writer_fd = -1;
	s->flags = flags;
	s->map_size = map_size ? map_size : OSMDB_DEFAULT_MAP_SIZE;
	s->dir = strdup(dir);
	s->root = sodium_malloc(OSM_ROOT_KEY_LEN);
	s->kek = sodium_malloc(OSM_ROOT_KEY_LEN);
	if (!s->dir || !s->root || !s->kek) {
		err = -ENOMEM;
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/store.lock", dir);
	s->lock_fd = open(path, (flags & OSMDB_RDONLY ? O_RDONLY :
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
	if (!(flags & OSMDB_RDONLY)) {
		err = take_writer(s);
		if (err)
			goto fail;
		drop_forget_leftovers(dir);
	}
	err = load_root(s);
	if (!err)
		err = osmdb_env_open(s);
	if (err)
		goto fail;
	*out = s;
	return 0;
fail:
	osmdb_close(s);
	return err;
}

void osmdb_close(struct osmdb *s)
{
	if (!s)
		return;
	if (s->env)
		mdb_env_close(s->env);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	if (s->writer_fd >= 0)
		close(s->writer_fd);	/* the writer lock goes with it */
	sodium_free(s->root);	/* wipes */
	sodium_free(s->kek);
	free(s->dir);
	free(s);
}

const char *osmdb_dir(const struct osmdb *s)
{
	return s->dir;
}

int osmdb_device_key(struct osmdb *s, uint32_t id,
		     uint8_t out[OSM_DEVICE_KEY_LEN])
{
	return osm_kdf_device(out, s->root, id);
}
