// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* GDPR erasure ("forget PERSON"): delete, re-seal the audit chain, then
 * write the result into a fresh file by a logical copy and rename it over
 * data.mdb. The rename is the commit point: before it the old file is
 * untouched (the deleting transaction is never committed to it), after it
 * the new file is complete and synced. docs/store.md, "Erasure". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include "osmdb_int.h"
#include "osmdb_audit.h"

struct forget {
	struct osmdb_txn *t;
	const char *person;
	uint32_t ids[64];	/* a batch of circuits to delete */
	unsigned n_ids;
	unsigned long n;	/* records removed */
};

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* True if the person is the record's subject or a whole word of its
 * detail text ("r1" does not name "room r101"). */
static bool names_person(const struct osmdb_rec_audit *a, void *arg)
{
	const struct forget *f = arg;
	size_t n = strlen(f->person);
	const char *p;

	if (!strcmp(a->person, f->person))
		return true;
	for (p = a->detail; (p = strstr(p, f->person)); p++)
		if ((p == a->detail || !name_char(p[-1])) && !name_char(p[n]))
			return true;
	return false;
}

static int owned_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_circuit *c = rec;
	struct forget *f = arg;

	if (strcmp(c->owner, f->person))
		return 0;
	f->ids[f->n_ids++] = c->id;
	return f->n_ids == sizeof(f->ids) / sizeof(f->ids[0]);
}

/* Circuits the index missed: an erasure cannot rest on an index alone,
 * and it is rare enough to afford reading every circuit once. */
static int delete_unindexed(struct forget *f)
{
	struct osmdb_key k;
	unsigned i;
	int err;

	do {
		f->n_ids = 0;
		err = osmdb_tab_foreach(f->t, OSMDB_TAB_CIRCUITS, owned_cb, f);
		if (err < 0)
			return err;
		for (i = 0; i < f->n_ids; i++) {
			osmdb_key_u32(&k, f->ids[i]);
			err = osmdb_tab_del(f->t, OSMDB_TAB_CIRCUITS, &k);
			if (err)
				return err;
			f->n++;
		}
	} while (f->n_ids);
	return 0;
}

/* Delete the person's circuits, found by the index of circuits by owner
 * and then by a scan (no audit records: those would name them), their
 * index entries, and their person record with its sealed session key. */
static int delete_records(struct forget *f)
{
	struct osmdb_key k;
	uint32_t id;
	int err;

	while (!(err = osmdb_owned_first(f->t, f->person, &id))) {
		osmdb_key_u32(&k, id);
		err = osmdb_tab_del(f->t, OSMDB_TAB_CIRCUITS, &k);
		if (err == OSMDB_ENOTFOUND)
			err = 0;	/* a stale entry: only the key goes */
		else if (!err)
			f->n++;
		err = err ?: osmdb_owned_del(f->t, f->person, id);
		if (err)
			return err;
	}
	if (err != OSMDB_ENOTFOUND)
		return err;
	err = delete_unindexed(f);
	if (err)
		return err;
	osmdb_key_name(&k, f->person);
	err = osmdb_tab_del(f->t, OSMDB_TAB_PEOPLE, &k);
	if (err == OSMDB_ENOTFOUND)
		return 0;
	if (!err)
		f->n++;
	return err;
}

/* Copy every table as seen by src (the uncommitted erasing transaction)
 * into a new environment at path: a compacting copy made of live records
 * only. mdb_env_copy2(MDB_CP_COMPACT) would do the same for a committed
 * state, but committing the erasure to the old file first would leave a
 * window (crash before the swap) where the old file holds the deleted
 * bytes in free pages and nothing says an erasure is unfinished. */
static int copy_env(struct osmdb *s, MDB_txn *src, const char *path)
{
	MDB_dbi sdbi[OSMDB_MAX_DBS], ddbi;
	MDB_env *env = NULL;
	MDB_txn *dst = NULL;
	MDB_cursor *c;
	MDB_val k, v;
	int rc, i;

	memcpy(sdbi, s->dbi, sizeof(s->dbi));
	sdbi[OSMDB_TAB_MAX] = s->meta;
	sdbi[OSMDB_TAB_MAX + 1] = s->owned;
	if ((rc = mdb_env_create(&env)) ||
	    (rc = mdb_env_set_maxdbs(env, OSMDB_MAX_DBS)) ||
	    (rc = mdb_env_set_mapsize(env, s->map_size)) ||
	    (rc = mdb_env_open(env, path, MDB_NOSUBDIR, 0600)) ||
	    (rc = mdb_txn_begin(env, NULL, 0, &dst)))
		goto out;
	for (i = 0; !rc && i < OSMDB_MAX_DBS; i++) {
		const char *name = i < OSMDB_TAB_MAX ? osmdb_table_names[i] :
				   i == OSMDB_TAB_MAX ? "meta" : "owned";

		rc = mdb_dbi_open(dst, name, MDB_CREATE, &ddbi) ?:
		     mdb_cursor_open(src, sdbi[i], &c);
		if (rc)
			break;
		for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc;
		     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
			if ((rc = mdb_put(dst, ddbi, &k, &v, MDB_APPEND)))
				break;
		mdb_cursor_close(c);
		if (rc == MDB_NOTFOUND)
			rc = 0;
	}
	if (!rc) {
		rc = mdb_txn_commit(dst);
		dst = NULL;
	}
	if (!rc)
		rc = mdb_env_sync(env, 1);
out:
	if (dst)
		mdb_txn_abort(dst);
	if (env)
		mdb_env_close(env);
	return osmdb_mdb_err(rc);
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int osmdb_lock_all(struct osmdb *s)
{
	int err;

	if (s->exclusive)
		return 0;
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		/* a failed conversion may have dropped the shared lock */
		flock(s->lock_fd, LOCK_SH);
		return err;
	}
	s->exclusive = true;
	return 0;
}

void osmdb_unlock_all(struct osmdb *s)
{
	if (s->exclusive)
		flock(s->lock_fd, LOCK_SH);
	s->exclusive = false;
}

int osmdb_forget(struct osmdb **sp, const char *person,
		 unsigned long *erased)
{
	struct osmdb *s = *sp;
	struct forget f = { .person = person };
	char tmp[4096], tmplock[4096], data[4096];
	unsigned long n_audit = 0;
	uint64_t bad;
	int err;

	if (erased)
		*erased = 0;
	if (!osmdb_name_ok(person) || (s->flags & OSMDB_RDONLY)) {
		osmdb_unlock_all(s);	/* the caller's, if it took it */
		return s->flags & OSMDB_RDONLY ? -EROFS : -EINVAL;
	}
	/* nobody else may hold the old file open across the swap */
	err = osmdb_lock_all(s);
	if (err)
		return err;
	err = osmdb_txn_begin(s, 0, &f.t);
	if (err)
		goto unlock;
	/* re-sealing must not launder a chain that was already broken */
	err = osmdb_audit_verify(f.t, &bad) ?: delete_records(&f) ?:
	      osmdb_audit_reseal(f.t, names_person, &f, &n_audit);
	f.n += n_audit;
	if (!err && !f.n)
		err = OSMDB_ENOTFOUND;
	if (!err)
		err = osmdb_audit_append(f.t, OSMDB_AUDIT_ERASURE, NULL,
					 "a person was erased: %lu records",
					 f.n);
	snprintf(tmp, sizeof(tmp), "%s/forget.tmp", s->dir);
	snprintf(tmplock, sizeof(tmplock), "%s/forget.tmp-lock", s->dir);
	snprintf(data, sizeof(data), "%s/data.mdb", s->dir);
	if (!err) {
		unlink(tmp);
		err = copy_env(s, f.t->txn, tmp);
	}
	osmdb_txn_abort(f.t);	/* the old file never sees the change */
	if (err)
		goto drop_tmp;
	mdb_env_close(s->env);
	s->env = NULL;
	if (rename(tmp, data) < 0) {
		err = -errno;
		goto reopen;
	}
	err = fsync_dir(s->dir);
	if (erased)
		*erased = f.n;
reopen:
	{
		int rc = osmdb_env_open(s);

		if (rc) {
			osmdb_close(s);
			*sp = NULL;
			if (!err)
				err = rc;
		}
	}
drop_tmp:
	unlink(tmp);
	unlink(tmplock);
	if (*sp)
		osmdb_unlock_all(*sp);
	return err;
unlock:
	osmdb_unlock_all(s);
	return err;
}
