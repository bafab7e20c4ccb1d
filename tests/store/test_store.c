// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Store API: each call's success and error paths, schema version, root
 * key checks, and changes that fail half-way leaving nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "helpers.h"
#include "osmdb_int.h"
#include "osmdb_topo.h"

struct fx {
	char *dir;
	struct osmdb *s;
	struct osmdb_txn *t;	/* a write transaction */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->dir = th_tmpdir();
	f->s = th_open(f->dir);
	th_apply_example(f->s);
	assert_int_equal(osmdb_txn_begin(f->s, 0, &f->t), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	osmdb_txn_abort(f->t);
	th_close(f->s, f->dir);
	free(f);
	return 0;
}

static void open_errors(void **state)
{
	char *dir = th_tmpdir(), path[4096];
	struct osmdb *s = NULL;
	int fd;

	(void)state;
	/* no store and no CREATE */
	assert_int_equal(osmdb_open(&s, dir, 0, 0), -ENOENT);
	assert_int_equal(osmdb_open(&s, dir, OSMDB_RDONLY, 0),
			 -ENOENT);
	assert_null(s);
	s = th_open(dir);
	osmdb_close(s);
	/* root.key readable by others: refused */
	snprintf(path, sizeof(path), "%s/root.key", dir);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(osmdb_open(&s, dir, 0, 0), OSMDB_EKEYPERM);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(osmdb_open(&s, dir, OSMDB_RDONLY, 0),
			 OSMDB_EKEYPERM);
	assert_int_equal(chmod(path, 0600), 0);
	/* truncated */
	assert_int_equal(truncate(path, 31), 0);
	assert_int_equal(osmdb_open(&s, dir, 0, 0), OSMDB_EKEY);
	unlink(path);
	/* store present, key gone: never silently replaced */
	assert_int_equal(osmdb_open(&s, dir, 0, 0), OSMDB_EKEY);
	assert_int_equal(osmdb_open(&s, dir, OSMDB_CREATE, 0),
			 OSMDB_EKEY);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(osmdb_open(&s, dir, 0, 0), OSMDB_EKEY);
	assert_null(s);
	th_rmrf(dir);
	free(dir);
}

static void root_key_created_0600(void **state)
{
	char *dir = th_tmpdir(), path[4096];
	struct osmdb *s = th_open(dir);
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/root.key", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	osmdb_close(s);
	th_rmrf(dir);
	free(dir);
}

static void schema_version(void **state)
{
	char *dir = th_tmpdir();
	struct osmdb *s = th_open(dir);
	struct osmdb_txn *t;
	uint8_t v[4] = { 3, 0, 0, 0 };

	(void)state;
	assert_int_equal(osmdb_txn_begin(s, 0, &t), 0);
	assert_int_equal(osmdb_meta_put(t, "schema", v, 4), 0);
	assert_int_equal(osmdb_txn_commit(t), 0);
	osmdb_close(s);
	assert_int_equal(osmdb_open(&s, dir, 0, 0), OSMDB_EVERSION);
	assert_int_equal(osmdb_open(&s, dir, OSMDB_RDONLY, 0),
			 OSMDB_EVERSION);
	assert_non_null(strstr(osmdb_strerror(OSMDB_EVERSION),
			       "versions 1 and 2"));
	th_rmrf(dir);
	free(dir);
}

static void rdonly(void **state)
{
	struct fx *f = *state;
	struct osmdb *s;
	struct osmdb_txn *t;

	assert_int_equal(osmdb_open(&s, f->dir, OSMDB_RDONLY, 0), 0);
	assert_int_equal(osmdb_txn_begin(s, 0, &t), -EROFS);
	assert_null(t);
	assert_int_equal(osmdb_txn_begin(s, OSMDB_TXN_RDONLY, &t), 0);
	assert_int_equal(osmdb_count(t, OSMDB_TAB_ROOMS), 2);
	assert_int_equal(osmdb_person_enter(t, "zoe", "r101"), -EROFS);
	osmdb_txn_abort(t);
	assert_string_equal(osmdb_dir(s), f->dir);
	osmdb_close(s);
}

/* One writer: a second read-write open is refused (even in this process,
 * as flock locks are per open file), a read-only one is not; the writer
 * is named with its note; the lock goes with the store. */
static void one_writer(void **state)
{
	struct fx *f = *state;
	struct osmdb *s2, *ro;
	char note[256];
	long pid = 0;

	assert_int_equal(osmdb_open(&s2, f->dir, 0, 0), OSMDB_EWRITER);
	assert_null(s2);
	assert_int_equal(osmdb_open(&ro, f->dir, OSMDB_RDONLY, 0), 0);
	assert_int_equal(osmdb_set_note(ro, "x"), -EROFS);
	assert_int_equal(osmdb_writer(f->dir, &pid, note, sizeof(note)), 0);
	assert_int_equal(pid, getpid());
	assert_string_equal(note, "");
	assert_int_equal(osmdb_set_note(f->s, "/run/osm/engine.sock"), 0);
	assert_int_equal(osmdb_writer(f->dir, &pid, note, sizeof(note)), 0);
	assert_string_equal(note, "/run/osm/engine.sock");
	assert_int_equal(osmdb_set_note(f->s, "two\nlines"), -EINVAL);
	/* erasure needs the store to itself: the reader is in the way */
	assert_int_equal(osmdb_lock_all(f->s), -EBUSY);
	osmdb_close(ro);
	assert_int_equal(osmdb_lock_all(f->s), 0);
	assert_int_equal(osmdb_lock_all(f->s), 0);	/* held: no-op */
	osmdb_unlock_all(f->s);
	osmdb_txn_abort(f->t);
	f->t = NULL;
	osmdb_close(f->s);
	f->s = NULL;
	assert_int_equal(osmdb_writer(f->dir, &pid, note, sizeof(note)),
			 -ENOENT);
	assert_int_equal(osmdb_open(&f->s, f->dir, 0, 0), 0);
}

static void topology_reads(void **state)
{
	struct fx *f = *state;
	struct osmdb_rec_room r;
	struct osmdb_rec_switch w;
	struct osmdb_rec_port p;
	struct osmdb_rec_device d;
	char b[OSMDB_NAME_MAX + 1];

	assert_int_equal(osmdb_building_get(f->t, b), 0);
	assert_string_equal(b, "cam");
	assert_int_equal(osmdb_room_get(f->t, "r101", &r), 0);
	assert_string_equal(r.sw, "sw-r101");
	assert_string_equal(r.floor, "ground");
	assert_int_equal(osmdb_room_get(f->t, "r999", &r), OSMDB_ENOTFOUND);
	assert_int_equal(osmdb_room_get(f->t, "bad name", &r), -EINVAL);
	assert_int_equal(osmdb_switch_get(f->t, "sw-r102", &w), 0);
	assert_int_equal(w.kind, OSMDB_SW_ROOM);
	assert_string_equal(w.room, "r102");
	assert_int_equal(osmdb_switch_get(f->t, "nope", &w),
			 OSMDB_ENOTFOUND);
	assert_int_equal(osmdb_port_get(f->t, "core", "r101", &p), 0);
	assert_string_equal(p.peer_sw, "sw-r101");
	assert_string_equal(p.peer_port, "up");
	assert_string_equal(p.ifname, "core-r101");
	assert_int_equal(osmdb_port_get(f->t, "core", "p9", &p),
			 OSMDB_ENOTFOUND);
	assert_int_equal(osmdb_port_get(f->t, "core", "", &p), -EINVAL);
	assert_int_equal(osmdb_device_get(f->t, 1, &d), 0);
	assert_string_equal(d.name, "mic");
	assert_int_equal(d.role, OSM_ROLE_MICROPHONE);
	assert_string_equal(d.port, "p1");
	assert_int_equal(d.mac[5], 1);
	assert_int_equal(osmdb_device_get(f->t, 99, &d), OSMDB_ENOTFOUND);
	assert_int_equal(osmdb_count(f->t, OSMDB_TAB_PORTS), 13);
	assert_int_equal(osmdb_count(f->t, OSMDB_TAB_DEVICES), 5);
	assert_int_equal(osmdb_count(f->t, OSMDB_TAB_MAX), -EINVAL);
}

static int stop_at_2(const void *rec, void *arg)
{
	const struct osmdb_rec_device *d = rec;

	++*(int *)arg;
	return d->id == 2 ? 42 : 0;
}

static void foreach_stops(void **state)
{
	struct fx *f = *state;
	int n = 0;

	assert_int_equal(osmdb_foreach(f->t, OSMDB_TAB_DEVICES, stop_at_2,
				       &n), 42);
	assert_int_equal(n, 2);
	assert_int_equal(osmdb_foreach(f->t, OSMDB_TAB_MAX, stop_at_2, &n),
			 -EINVAL);
}

static void people(void **state)
{
	struct fx *f = *state;
	struct osmdb_rec_person p;
	uint8_t k1[32], k2[32];

	assert_int_equal(osmdb_person_enter(f->t, "alice", "r101"), 0);
	assert_int_equal(osmdb_person_enter(f->t, "alice", "r102"),
			 OSMDB_EEXIST);
	assert_int_equal(osmdb_person_enter(f->t, "bob", "r999"),
			 OSMDB_EREF);
	assert_int_equal(osmdb_person_enter(f->t, "b b", "r101"), -EINVAL);
	assert_int_equal(osmdb_person_enter(f->t, "bob", NULL), -EINVAL);
	assert_int_equal(osmdb_person_get(f->t, "alice", &p), 0);
	assert_string_equal(p.room, "r101");
	assert_int_equal(p.session, 1);
	assert_int_equal(osmdb_person_session_key(f->t, "alice", k1), 0);
	assert_int_equal(osmdb_person_move(f->t, "alice", "r102"), 0);
	assert_int_equal(osmdb_person_move(f->t, "alice", "r999"),
			 OSMDB_EREF);
	assert_int_equal(osmdb_person_move(f->t, "carol", "r101"),
			 OSMDB_ENOTFOUND);
	assert_int_equal(osmdb_person_get(f->t, "alice", &p), 0);
	assert_string_equal(p.room, "r102");
	/* a move keeps the session key */
	assert_int_equal(osmdb_person_session_key(f->t, "alice", k2), 0);
	assert_memory_equal(k1, k2, 32);
	assert_int_equal(osmdb_person_session_key(f->t, "carol", k2),
			 OSMDB_ENOTFOUND);
	assert_int_equal(osmdb_person_leave(f->t, "alice"), 0);
	assert_int_equal(osmdb_person_leave(f->t, "alice"),
			 OSMDB_ENOTFOUND);
	assert_int_equal(osmdb_person_get(f->t, "alice", &p),
			 OSMDB_ENOTFOUND);
	/* a new session has a new key */
	assert_int_equal(osmdb_person_enter(f->t, "alice", "r101"), 0);
	assert_int_equal(osmdb_person_session_key(f->t, "alice", k2), 0);
	assert_memory_not_equal(k1, k2, 32);
	assert_int_equal(osmdb_person_get(f->t, "alice", &p), 0);
	assert_int_equal(p.session, 2);
}

static void sealed_key_bound_to_person(void **state)
{
	struct fx *f = *state;
	struct osmdb_person_blob a, b;
	struct osmdb_key k;
	uint8_t key[32];

	assert_int_equal(osmdb_person_enter(f->t, "alice", "r101"), 0);
	assert_int_equal(osmdb_person_enter(f->t, "bob", "r101"), 0);
	/* bob's record given alice's sealed key does not open */
	osmdb_key_name(&k, "alice");
	assert_int_equal(osmdb_tab_get(f->t, OSMDB_TAB_PEOPLE, &k, &a), 0);
	osmdb_key_name(&k, "bob");
	assert_int_equal(osmdb_tab_get(f->t, OSMDB_TAB_PEOPLE, &k, &b), 0);
	memcpy(b.nonce, a.nonce, sizeof(a.nonce));
	memcpy(b.sealed, a.sealed, sizeof(a.sealed));
	assert_int_equal(osmdb_tab_put(f->t, OSMDB_TAB_PEOPLE, &k, &b, false),
			 0);
	assert_int_equal(osmdb_person_session_key(f->t, "bob", key),
			 OSMDB_ESEAL);
}

static struct osmdb_rec_circuit circuit(const char *owner)
{
	struct osmdb_rec_circuit c = { .src_dev = 1, .dst_dev = 2,
		.cls = OSMDB_CLASS_AUDIO, .rate = 1000000, .burst = 65536,
		.n_path = 1, .epoch = 0 };

	snprintf(c.owner, sizeof(c.owner), "%s", owner);
	strcpy(c.path[0], "sw-r101");
	return c;
}

static void circuits(void **state)
{
	struct fx *f = *state;
	struct osmdb_rec_circuit c = circuit("alice"), g;
	uint32_t epoch = 0;

	/* owner must be present */
	assert_int_equal(osmdb_circuit_add(f->t, &c), OSMDB_EREF);
	assert_int_equal(osmdb_person_enter(f->t, "alice", "r101"), 0);
	assert_int_equal(osmdb_circuit_add(f->t, &c), 0);
	assert_int_equal(c.id, 1);
	assert_int_equal(osmdb_circuit_add(f->t, &c), OSMDB_EEXIST);
	g = circuit("alice");
	g.dst_dev = 77;
	assert_int_equal(osmdb_circuit_add(f->t, &g), OSMDB_EREF);
	g = circuit("alice");
	strcpy(g.path[0], "sw-nowhere");
	assert_int_equal(osmdb_circuit_add(f->t, &g), OSMDB_EREF);
	g = circuit("alice");
	g.cls = OSMDB_CLASS_MAX;
	assert_int_equal(osmdb_circuit_add(f->t, &g), -EINVAL);
	g = circuit("alice");
	g.n_path = OSMDB_PATH_MAX + 1;
	assert_int_equal(osmdb_circuit_add(f->t, &g), -EINVAL);
	g = circuit("alice");
	g.id = 0x80000001u;	/* control circuit space */
	assert_int_equal(osmdb_circuit_add(f->t, &g), -EINVAL);
	g = circuit("");
	g.flags = OSM_CF_REMOTE;
	assert_int_equal(osmdb_circuit_add(f->t, &g), 0);
	assert_int_equal(g.id, 2);
	assert_int_equal(osmdb_circuit_get(f->t, 2, &g), 0);
	assert_int_equal(g.flags, OSM_CF_REMOTE);
	assert_int_equal(g.rate, 1000000);
	assert_string_equal(g.path[0], "sw-r101");
	assert_int_equal(osmdb_circuit_rotate(f->t, 1, &epoch), 0);
	assert_int_equal(epoch, 1);
	assert_int_equal(osmdb_circuit_rotate(f->t, 1, NULL), 0);
	assert_int_equal(osmdb_circuit_get(f->t, 1, &g), 0);
	assert_int_equal(g.epoch, 2);
	assert_int_equal(osmdb_circuit_rotate(f->t, 9, NULL),
			 OSMDB_ENOTFOUND);
	/* a person's circuits go before the person */
	assert_int_equal(osmdb_person_leave(f->t, "alice"), OSMDB_EINUSE);
	assert_int_equal(osmdb_circuit_del(f->t, 1), 0);
	assert_int_equal(osmdb_circuit_del(f->t, 1), OSMDB_ENOTFOUND);
	assert_int_equal(osmdb_person_leave(f->t, "alice"), 0);
	/* ids are not reused */
	g = circuit("");
	assert_int_equal(osmdb_circuit_add(f->t, &g), 0);
	assert_int_equal(g.id, 3);
	assert_int_equal(osmdb_audit_verify(f->t, NULL), 0);
}

static void topology_in_use(void **state)
{
	struct fx *f = *state;
	struct osmdb_topo *topo;
	char err[256], why[128];
	static const char small[] =
		"building: cam\n"
		"floors: [{name: g, rooms: [{name: r101, switch: s1}]}]\n"
		"switches: [{name: s1, kind: room, ports: [{name: p1}]}]\n"
		"devices: [{id: 1, name: mic, role: microphone, room: r101,\n"
		"  port: s1/p1, mac: '02:00:00:00:01:01'}]\n";

	assert_int_equal(osmdb_topo_parse(small, sizeof(small) - 1, "small",
					  &topo, err, sizeof(err)), 0);
	assert_int_equal(osmdb_person_enter(f->t, "alice", "r102"), 0);
	assert_int_equal(osmdb_topo_apply(f->t, topo, why, sizeof(why)),
			 OSMDB_EINUSE);
	assert_non_null(strstr(why, "r102"));
	osmdb_topo_free(topo);
}

/* A multi-record change that fails at its last step leaves nothing. */
static void half_way_leaves_nothing(void **state)
{
	struct fx *f = *state;
	struct osmdb_rec_circuit c = circuit("alice");
	struct osmdb_rec_person p;
	struct osmdb_txn *t;
	long audit;

	osmdb_txn_abort(f->t);
	assert_int_equal(osmdb_txn_begin(f->s, OSMDB_TXN_RDONLY, &t), 0);
	audit = osmdb_count(t, OSMDB_TAB_AUDIT);
	osmdb_txn_abort(t);

	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_person_enter(t, "alice", "r101"), 0);
	assert_int_equal(osmdb_circuit_add(t, &c), 0);
	assert_int_equal(osmdb_circuit_rotate(t, c.id, NULL), 0);
	assert_int_equal(osmdb_person_enter(t, "alice", "r101"),
			 OSMDB_EEXIST);
	osmdb_txn_abort(t);

	assert_int_equal(osmdb_txn_begin(f->s, 0, &f->t), 0);
	assert_int_equal(osmdb_person_get(f->t, "alice", &p),
			 OSMDB_ENOTFOUND);
	assert_int_equal(osmdb_count(f->t, OSMDB_TAB_CIRCUITS), 0);
	assert_int_equal(osmdb_count(f->t, OSMDB_TAB_AUDIT), audit);
	assert_int_equal(osmdb_audit_verify(f->t, NULL), 0);
}

/* A topology too big for the map fails in the middle of its writes;
 * the store keeps the old topology, whole. */
static void map_full_leaves_nothing(void **state)
{
	char *dir = th_tmpdir();
	struct osmdb *s;
	struct osmdb_txn *t;
	struct osmdb_topo *topo;
	char err[256];
	size_t len = 0, cap = 1 << 22, used, size;
	char *y = malloc(cap);
	int i, rc;

	(void)state;
	assert_int_equal(osmdb_open(&s, dir, OSMDB_CREATE |
					 OSMDB_NOSYNC, 256 * 1024), 0);
	th_apply_example(s);
	len += (size_t)snprintf(y + len, cap - len, "building: big\nfloors:\n"
				" - name: g\n   rooms:\n");
	for (i = 0; i < 3000; i++)
		len += (size_t)snprintf(y + len, cap - len,
					"    - {name: room-%d, switch: s%d}\n",
					i, i);
	len += (size_t)snprintf(y + len, cap - len, "switches:\n");
	for (i = 0; i < 3000; i++)
		len += (size_t)snprintf(y + len, cap - len,
					" - {name: s%d, kind: room}\n", i);
	assert_int_equal(osmdb_topo_parse(y, len, "big", &topo, err,
					  sizeof(err)), 0);
	assert_int_equal(osmdb_txn_begin(s, 0, &t), 0);
	rc = osmdb_topo_apply(t, topo, NULL, 0);
	if (rc)
		osmdb_txn_abort(t);
	else
		rc = osmdb_txn_commit(t);
	assert_int_equal(rc, -ENOSPC);
	osmdb_topo_free(topo);
	free(y);
	assert_int_equal(osmdb_txn_begin(s, OSMDB_TXN_RDONLY, &t), 0);
	assert_int_equal(osmdb_count(t, OSMDB_TAB_ROOMS), 2);
	assert_int_equal(osmdb_count(t, OSMDB_TAB_DEVICES), 5);
	assert_int_equal(osmdb_building_get(t, err), 0);
	assert_string_equal(err, "cam");
	assert_int_equal(osmdb_audit_verify(t, NULL), 0);
	osmdb_txn_abort(t);
	/* what "store is full: N of M bytes used" reports */
	assert_int_equal(osmdb_usage(s, &used, &size), 0);
	assert_int_equal(size, 256 * 1024);
	assert_true(used > 0 && used <= size);
	osmdb_close(s);
	th_rmrf(dir);
	free(dir);
}

/* The map grows with the store: writes go on well past the size it was
 * opened with, and a second opener follows the new size. */
static void map_grows(void **state)
{
	char *dir = th_tmpdir(), name[16];
	struct osmdb *s, *ro;
	struct osmdb_txn *t;
	size_t used, size;
	int i, rc = 0;

	(void)state;
	assert_int_equal(osmdb_open(&s, dir, OSMDB_CREATE | OSMDB_NOSYNC,
				    256 * 1024), 0);
	th_apply_example(s);
	/* a reader with the map as it was: it must follow the growth */
	assert_int_equal(osmdb_open(&ro, dir, OSMDB_RDONLY, 256 * 1024), 0);
	for (i = 0; i < 4000 && !rc; i++) {	/* ~2 MB of audit records */
		snprintf(name, sizeof(name), "p%d", i);
		assert_int_equal(osmdb_txn_begin(s, 0, &t), 0);
		rc = osmdb_person_enter(t, name, "r101") ?:
		     osmdb_person_leave(t, name);
		if (rc)
			osmdb_txn_abort(t);
		else
			rc = osmdb_txn_commit(t);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(osmdb_usage(s, &used, &size), 0);
	assert_true(size > 256 * 1024 && used > 256 * 1024 && used <= size);
	/* the reader opened before the growth follows it (MDB_MAP_RESIZED) */
	assert_int_equal(osmdb_txn_begin(ro, OSMDB_TXN_RDONLY, &t), 0);
	assert_int_equal(osmdb_count(t, OSMDB_TAB_AUDIT), 1 + 2 * 4000);
	osmdb_txn_abort(t);
	assert_int_equal(osmdb_usage(ro, &used, &size), 0);
	assert_true(size > 256 * 1024);
	osmdb_close(ro);
	/* and one opened now, asking for less, gets the grown size */
	assert_int_equal(osmdb_open(&ro, dir, OSMDB_RDONLY, 64 * 1024), 0);
	assert_int_equal(osmdb_usage(ro, &used, &size), 0);
	assert_true(size > 256 * 1024);
	osmdb_close(ro);
	osmdb_close(s);
	th_rmrf(dir);
	free(dir);
}

static void strerrors(void **state)
{
	int codes[] = { OSMDB_ENOTFOUND, OSMDB_EEXIST,
		OSMDB_EVERSION, OSMDB_ECORRUPT, OSMDB_EKEYPERM,
		OSMDB_EKEY, OSMDB_EAUDIT, OSMDB_EREF,
		OSMDB_EINUSE, OSMDB_ESEAL };
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		for (j = 0; j < i; j++)
			assert_string_not_equal(osmdb_strerror(codes[i]),
						osmdb_strerror(codes[j]));
	assert_string_equal(osmdb_strerror(-ENOSPC),
			    "store is full (map size)");
	assert_int_equal(osmdb_role_parse("lamp"), OSM_ROLE_LAMP);
	assert_string_equal(osmdb_role_name(OSM_ROLE_DOOR), "door");
	assert_int_equal(osmdb_role_parse("toaster"), -1);
	assert_string_equal(osmdb_class_name(99), "?");
	assert_true(osmdb_name_ok("a.b_c-9"));
	assert_false(osmdb_name_ok(""));
	assert_false(osmdb_name_ok("a/b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_errors),
		cmocka_unit_test(root_key_created_0600),
		cmocka_unit_test(schema_version),
		cmocka_unit_test_setup_teardown(rdonly, setup, teardown),
		cmocka_unit_test_setup_teardown(one_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(topology_reads, setup,
						teardown),
		cmocka_unit_test_setup_teardown(foreach_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(people, setup, teardown),
		cmocka_unit_test_setup_teardown(sealed_key_bound_to_person,
						setup, teardown),
		cmocka_unit_test_setup_teardown(circuits, setup, teardown),
		cmocka_unit_test_setup_teardown(topology_in_use, setup,
						teardown),
		cmocka_unit_test_setup_teardown(half_way_leaves_nothing, setup,
						teardown),
		cmocka_unit_test(map_full_leaves_nothing),
		cmocka_unit_test(map_grows),
		cmocka_unit_test(strerrors),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
