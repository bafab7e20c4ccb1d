// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Erasure: after forget alice, no byte of "alice" nor of her session key
 * is in any store file, others are intact, the chain verifies; refusals
 * (nobody, store in use, broken chain) change nothing. */
#include <errno.h>
#include <stdarg.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "helpers.h"
#include "osmdb_int.h"

struct fx {
	char *dir;
	struct osmdb *s;
	uint8_t alice_key[32], bob_key[32];
	uint32_t alice_circuits[2], bob_circuit;
};

static uint32_t add_circuit(struct osmdb_txn *t, const char *owner,
			    uint32_t src, uint32_t dst)
{
	struct osmdb_rec_circuit c = { .src_dev = src, .dst_dev = dst,
				     .cls = OSMDB_CLASS_AUDIO, .n_path = 1 };

	strcpy(c.owner, owner);
	strcpy(c.path[0], "sw-r101");
	assert_int_equal(osmdb_circuit_add(t, &c), 0);
	return c.id;
}

/* alice and bob come and go, with circuits and rotations; alice's key
 * is rotated by a record that names her only in its detail text too. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct osmdb_txn *t;

	f->dir = th_tmpdir();
	f->s = th_open(f->dir);
	th_apply_example(f->s);
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_person_enter(t, "bob", "r102"), 0);
	f->bob_circuit = add_circuit(t, "bob", 4, 5);
	assert_int_equal(osmdb_person_enter(t, "alice", "r101"), 0);
	f->alice_circuits[0] = add_circuit(t, "alice", 1, 2);
	f->alice_circuits[1] = add_circuit(t, "alice", 2, 1);
	assert_int_equal(osmdb_txn_commit(t), 0);
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_circuit_rotate(t, f->alice_circuits[0], NULL),
			 0);
	assert_int_equal(osmdb_person_move(t, "alice", "r102"), 0);
	assert_int_equal(osmdb_circuit_rotate(t, f->bob_circuit, NULL), 0);
	assert_int_equal(osmdb_audit_append(t, OSMDB_AUDIT_KEY_ROTATE, NULL,
					    "badge of alice re-read"), 0);
	assert_int_equal(osmdb_person_session_key(t, "alice", f->alice_key), 0);
	assert_int_equal(osmdb_person_session_key(t, "bob", f->bob_key), 0);
	assert_int_equal(osmdb_txn_commit(t), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	th_close(f->s, f->dir);
	free(f);
	return 0;
}

static void erase_alice(void **state)
{
	struct fx *f = *state;
	struct osmdb_rec_circuit c;
	struct osmdb_rec_person p;
	struct osmdb_txn *t;
	uint8_t key[32];
	unsigned long n = 0;
	long before;

	assert_true(th_dir_contains(f->dir, "alice", 5, false));
	assert_int_equal(osmdb_txn_begin(f->s, OSMDB_TXN_RDONLY, &t), 0);
	before = osmdb_count(t, OSMDB_TAB_AUDIT);
	osmdb_txn_abort(t);

	assert_int_equal(osmdb_forget(&f->s, "alice", &n), 0);
	assert_non_null(f->s);
	/* person + 2 circuits + 6 audit records (enter, 2 circuit-add,
	 * rotate, move, the detail that names her) */
	assert_int_equal(n, 9);
	assert_false(th_dir_contains(f->dir, "alice", 5, false));
	assert_false(th_dir_contains(f->dir, f->alice_key, 32, false));

	assert_int_equal(osmdb_txn_begin(f->s, OSMDB_TXN_RDONLY, &t), 0);
	assert_int_equal(osmdb_audit_verify(t, NULL), 0);
	assert_int_equal(osmdb_count(t, OSMDB_TAB_AUDIT), before + 1);
	assert_int_equal(osmdb_person_get(t, "alice", &p), OSMDB_ENOTFOUND);
	assert_int_equal(osmdb_circuit_get(t, f->alice_circuits[0], &c),
			 OSMDB_ENOTFOUND);
	assert_int_equal(osmdb_circuit_get(t, f->alice_circuits[1], &c),
			 OSMDB_ENOTFOUND);
	/* bob: untouched */
	assert_int_equal(osmdb_person_get(t, "bob", &p), 0);
	assert_string_equal(p.room, "r102");
	assert_int_equal(osmdb_person_session_key(t, "bob", key), 0);
	assert_memory_equal(key, f->bob_key, 32);
	assert_int_equal(osmdb_circuit_get(t, f->bob_circuit, &c), 0);
	assert_int_equal(c.epoch, 1);
	assert_int_equal(osmdb_count(t, OSMDB_TAB_DEVICES), 5);
	osmdb_txn_abort(t);
	/* the store goes on: new records chain after the erasure */
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_person_leave(t, "bob"), OSMDB_EINUSE);
	assert_int_equal(osmdb_circuit_del(t, f->bob_circuit), 0);
	assert_int_equal(osmdb_person_leave(t, "bob"), 0);
	assert_int_equal(osmdb_txn_commit(t), 0);
	assert_int_equal(osmdb_txn_begin(f->s, OSMDB_TXN_RDONLY, &t), 0);
	assert_int_equal(osmdb_audit_verify(t, NULL), 0);
	osmdb_txn_abort(t);
	/* and reopens */
	osmdb_close(f->s);
	f->s = th_open(f->dir);
	/* a second forget finds nothing */
	assert_int_equal(osmdb_forget(&f->s, "alice", &n),
			 OSMDB_ENOTFOUND);
	assert_int_equal(osmdb_forget(&f->s, "no one", &n), -EINVAL);
}

/* Someone who left long ago is named only by audit records. */
static void erase_past_visitor(void **state)
{
	struct fx *f = *state;
	struct osmdb_txn *t;
	unsigned long n;

	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_person_enter(t, "carol", "r101"), 0);
	assert_int_equal(osmdb_person_leave(t, "carol"), 0);
	assert_int_equal(osmdb_txn_commit(t), 0);
	assert_int_equal(osmdb_forget(&f->s, "carol", &n), 0);
	assert_int_equal(n, 2);
	assert_false(th_dir_contains(f->dir, "carol", 5, false));
	assert_true(th_dir_contains(f->dir, "alice", 5, false));
	/* a name that is part of a word of other records: only whole
	 * words count ("r10" is not in "room r101") */
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_person_enter(t, "r10", "r102"), 0);
	assert_int_equal(osmdb_person_leave(t, "r10"), 0);
	assert_int_equal(osmdb_audit_append(t, OSMDB_AUDIT_KEY_ROTATE, NULL,
					    "seen: r10, at the door"), 0);
	assert_int_equal(osmdb_txn_commit(t), 0);
	assert_int_equal(osmdb_forget(&f->s, "r10", &n), 0);
	assert_int_equal(n, 3);
	assert_true(th_dir_contains(f->dir, "room r101", 9, false));
}

static void refused_when_in_use(void **state)
{
	struct fx *f = *state;
	struct osmdb *other;
	int go[2], ready[2], st;
	unsigned long n;
	char c;
	pid_t pid;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	if (pid == 0) {
		if (osmdb_open(&other, f->dir, OSMDB_RDONLY, 0))
			_exit(1);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		osmdb_close(other);
		_exit(0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(osmdb_forget(&f->s, "alice", &n), -EBUSY);
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(go[0]), close(go[1]), close(ready[0]), close(ready[1]);
	assert_true(th_dir_contains(f->dir, "alice", 5, false));
	/* free again */
	assert_int_equal(osmdb_forget(&f->s, "alice", &n), 0);
}

/* A broken chain is not re-sealed (that would launder the tampering). */
static void refused_on_broken_chain(void **state)
{
	struct fx *f = *state;
	struct osmdb_txn *t;
	struct osmdb_key k;
	unsigned long n;

	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	osmdb_key_u64(&k, 2);
	assert_int_equal(osmdb_tab_del(t, OSMDB_TAB_AUDIT, &k), 0);
	assert_int_equal(osmdb_txn_commit(t), 0);
	assert_int_equal(osmdb_forget(&f->s, "alice", &n),
			 OSMDB_EAUDIT);
	assert_true(th_dir_contains(f->dir, "alice", 5, false));
}

/* A forget killed before its rename leaves its copy behind: the old
 * store is whole, and the next open drops the copy. */
static void leftover_copy_dropped(void **state)
{
	struct fx *f = *state;
	char path[4096];
	FILE *fp;

	osmdb_close(f->s);
	snprintf(path, sizeof(path), "%s/forget.tmp", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("alice half-written", fp);
	fclose(fp);
	f->s = th_open(f->dir);
	assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(erase_alice, setup, teardown),
		cmocka_unit_test_setup_teardown(erase_past_visitor, setup,
						teardown),
		cmocka_unit_test_setup_teardown(refused_when_in_use, setup,
						teardown),
		cmocka_unit_test_setup_teardown(refused_on_broken_chain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(leftover_copy_dropped, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("forget", tests, NULL, NULL);
}
