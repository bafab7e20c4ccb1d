// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The index of circuits by owner: kept by circuit add/del (and not by
 * an aborted transaction), asked by leave, emptied by forget, built when
 * a schema 1 store is opened read-write; read-only, a schema 1 store
 * still opens. */
#include <errno.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "helpers.h"
#include "osmdb_int.h"

static uint32_t add(struct osmdb_txn *t, const char *owner)
{
	struct osmdb_rec_circuit c = { .src_dev = 1, .dst_dev = 2,
				     .cls = OSMDB_CLASS_AUDIO, .n_path = 1 };

	strcpy(c.owner, owner);
	strcpy(c.path[0], "sw-r101");
	assert_int_equal(osmdb_circuit_add(t, &c), 0);
	return c.id;
}

/* Entries of the index table, counted with LMDB itself. */
static long index_entries(struct osmdb_txn *t)
{
	MDB_stat st;

	assert_int_equal(mdb_stat(t->txn, t->s->owned, &st), 0);
	return (long)st.ms_entries;
}

static uint32_t first(struct osmdb_txn *t, const char *owner)
{
	uint32_t id = 0;
	int err = osmdb_owned_first(t, owner, &id);

	if (err == OSMDB_ENOTFOUND)
		return 0;
	assert_int_equal(err, 0);
	return id;
}

static void add_del_leave(void **state)
{
	struct th_fx *f = *state;
	struct osmdb_txn *t;
	uint32_t a1, a2, b, g;

	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	/* names that are prefixes of each other keep apart */
	assert_int_equal(osmdb_person_enter(t, "ali", "r101"), 0);
	assert_int_equal(osmdb_person_enter(t, "alice", "r101"), 0);
	assert_int_equal(osmdb_person_enter(t, "alice2", "r102"), 0);
	a1 = add(t, "alice");
	b = add(t, "alice2");
	g = add(t, "");		/* a building circuit: not indexed */
	a2 = add(t, "alice");
	assert_int_equal(index_entries(t), 3);
	assert_int_equal(first(t, "alice"), a1);
	assert_int_equal(first(t, "alice2"), b);
	assert_int_equal(first(t, "ali"), 0);
	assert_int_equal(first(t, "al"), 0);
	assert_int_equal(osmdb_owned_first(t, "no one", &g), -EINVAL);
	/* leave: with circuits refused, without them allowed */
	assert_int_equal(osmdb_person_leave(t, "ali"), 0);
	assert_int_equal(osmdb_person_leave(t, "alice"), OSMDB_EINUSE);
	assert_int_equal(osmdb_circuit_del(t, a1), 0);
	assert_int_equal(first(t, "alice"), a2);
	assert_int_equal(osmdb_person_leave(t, "alice"), OSMDB_EINUSE);
	assert_int_equal(osmdb_circuit_rotate(t, a2, NULL), 0);
	assert_int_equal(first(t, "alice"), a2);
	assert_int_equal(osmdb_circuit_del(t, a2), 0);
	assert_int_equal(first(t, "alice"), 0);
	assert_int_equal(osmdb_person_leave(t, "alice"), 0);
	assert_int_equal(osmdb_person_leave(t, "alice2"), OSMDB_EINUSE);
	assert_int_equal(index_entries(t), 1);
	assert_int_equal(osmdb_txn_commit(t), 0);

	/* an aborted transaction leaves the index as it was */
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_circuit_del(t, b), 0);
	assert_int_equal(osmdb_person_enter(t, "carl", "r101"), 0);
	add(t, "carl");
	assert_int_equal(index_entries(t), 1);
	osmdb_txn_abort(t);
	assert_int_equal(osmdb_txn_begin(f->s, OSMDB_TXN_RDONLY, &t), 0);
	assert_int_equal(first(t, "alice2"), b);
	assert_int_equal(first(t, "carl"), 0);
	assert_int_equal(index_entries(t), 1);
	osmdb_txn_abort(t);
}

/* Leave among many others' circuits: only the leaver's count. */
static void leave_among_many(void **state)
{
	struct th_fx *f = *state;
	struct osmdb_txn *t;
	char name[16];
	int i;

	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		assert_int_equal(osmdb_person_enter(t, name, "r101"), 0);
		add(t, name);
	}
	assert_int_equal(osmdb_person_enter(t, "zed", "r102"), 0);
	assert_int_equal(osmdb_person_leave(t, "zed"), 0);
	assert_int_equal(osmdb_person_leave(t, "p1999"), OSMDB_EINUSE);
	assert_int_equal(osmdb_person_leave(t, "p0"), OSMDB_EINUSE);
	assert_int_equal(index_entries(t), 2000);
	assert_int_equal(osmdb_txn_commit(t), 0);
}

/* forget: the person's entries go with their circuits; others' stay. */
static void forget_empties(void **state)
{
	struct th_fx *f = *state;
	struct osmdb_txn *t;
	unsigned long n;
	uint32_t b;

	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_person_enter(t, "alice", "r101"), 0);
	assert_int_equal(osmdb_person_enter(t, "bob", "r101"), 0);
	add(t, "alice");
	b = add(t, "bob");
	add(t, "alice");
	assert_int_equal(osmdb_txn_commit(t), 0);
	assert_int_equal(osmdb_forget(&f->s, "alice", &n), 0);
	assert_int_equal(n, 2 + 1 + 2 + 1);	/* circuits, person, audit */
	assert_false(th_dir_contains(f->dir, "alice", 5, false));
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(index_entries(t), 1);
	assert_int_equal(first(t, "alice"), 0);
	assert_int_equal(first(t, "bob"), b);
	assert_int_equal(osmdb_person_leave(t, "bob"), OSMDB_EINUSE);
	osmdb_txn_abort(t);
}

/* forget does not rest on the index alone: a circuit of the person's
 * that the index lacks goes too, and no byte of the name stays. */
static void forget_unindexed(void **state)
{
	struct th_fx *f = *state;
	struct osmdb_txn *t;
	unsigned long n;
	uint32_t a;

	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_person_enter(t, "alice", "r101"), 0);
	a = add(t, "alice");
	add(t, "alice");
	assert_int_equal(osmdb_owned_del(t, "alice", a), 0);
	assert_int_equal(osmdb_txn_commit(t), 0);
	assert_int_equal(osmdb_forget(&f->s, "alice", &n), 0);
	assert_int_equal(n, 2 + 1 + 2 + 1);	/* circuits, person, audit */
	assert_false(th_dir_contains(f->dir, "alice", 5, false));
}

/* Make the store in dir look like one written before the index: no
 * "owned" table, schema 1. */
static void downgrade(struct osmdb *s)
{
	uint8_t v1[4] = { 1, 0, 0, 0 };
	struct osmdb_txn *t;

	assert_int_equal(osmdb_txn_begin(s, 0, &t), 0);
	assert_int_equal(mdb_drop(t->txn, s->owned, 1), 0);
	assert_int_equal(osmdb_meta_put(t, "schema", v1, 4), 0);
	assert_int_equal(osmdb_txn_commit(t), 0);
}

static uint32_t schema(struct osmdb *s)
{
	struct osmdb_txn *t;
	uint8_t b[4];

	assert_int_equal(osmdb_txn_begin(s, OSMDB_TXN_RDONLY, &t), 0);
	assert_int_equal(osmdb_meta_get(t, "schema", b, 4), 4);
	osmdb_txn_abort(t);
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static void migration(void **state)
{
	struct th_fx *f = *state;
	struct osmdb *ro;
	struct osmdb_txn *t;
	uint32_t a1, a2, b;

	assert_int_equal(schema(f->s), OSMDB_SCHEMA);
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_person_enter(t, "alice", "r101"), 0);
	assert_int_equal(osmdb_person_enter(t, "bob", "r102"), 0);
	assert_int_equal(osmdb_person_enter(t, "carol", "r102"), 0);
	a1 = add(t, "alice");
	b = add(t, "bob");
	add(t, "");
	a2 = add(t, "alice");
	assert_int_equal(osmdb_txn_commit(t), 0);
	downgrade(f->s);
	osmdb_close(f->s);
	f->s = NULL;

	/* read-only: opens, reads, has no index to ask */
	assert_int_equal(osmdb_open(&ro, f->dir, OSMDB_RDONLY, 0), 0);
	assert_false(ro->has_owned);
	assert_int_equal(schema(ro), 1);
	assert_int_equal(osmdb_txn_begin(ro, OSMDB_TXN_RDONLY, &t), 0);
	assert_int_equal(osmdb_count(t, OSMDB_TAB_CIRCUITS), 4);
	assert_int_equal(osmdb_owned_first(t, "alice", &b), -EROFS);
	osmdb_txn_abort(t);
	osmdb_close(ro);

	/* read-write: upgraded, the index built from the circuits */
	f->s = th_open(f->dir);
	assert_true(f->s->has_owned);
	assert_int_equal(schema(f->s), 2);
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(index_entries(t), 3);
	assert_int_equal(first(t, "alice"), a1);
	assert_int_equal(first(t, "bob"), b);
	assert_int_equal(osmdb_person_leave(t, "carol"), 0);
	assert_int_equal(osmdb_person_leave(t, "alice"), OSMDB_EINUSE);
	assert_int_equal(osmdb_circuit_del(t, a1), 0);
	assert_int_equal(osmdb_circuit_del(t, a2), 0);
	assert_int_equal(osmdb_person_leave(t, "alice"), 0);
	assert_int_equal(osmdb_audit_verify(t, NULL), 0);
	assert_int_equal(osmdb_txn_commit(t), 0);
	/* and opens again as it is */
	osmdb_close(f->s);
	f->s = th_open(f->dir);
	assert_int_equal(schema(f->s), 2);
	assert_int_equal(osmdb_txn_begin(f->s, OSMDB_TXN_RDONLY, &t), 0);
	assert_int_equal(index_entries(t), 1);
	osmdb_txn_abort(t);
}

/* A schema 2 store without its index table is damaged, not old. */
static void missing_index(void **state)
{
	struct th_fx *f = *state;
	struct osmdb_txn *t;

	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(mdb_drop(t->txn, f->s->owned, 1), 0);
	assert_int_equal(osmdb_txn_commit(t), 0);
	osmdb_close(f->s);
	assert_int_equal(osmdb_open(&f->s, f->dir, OSMDB_RDONLY, 0),
			 OSMDB_ECORRUPT);
	assert_int_equal(osmdb_open(&f->s, f->dir, 0, 0),
			 OSMDB_ECORRUPT);
	assert_null(f->s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(add_del_leave, th_setup,
						th_teardown),
		cmocka_unit_test_setup_teardown(leave_among_many, th_setup,
						th_teardown),
		cmocka_unit_test_setup_teardown(forget_unindexed, th_setup,
						th_teardown),
		cmocka_unit_test_setup_teardown(forget_empties, th_setup,
						th_teardown),
		cmocka_unit_test_setup_teardown(migration, th_setup,
						th_teardown),
		cmocka_unit_test_setup_teardown(missing_index, th_setup,
						th_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
