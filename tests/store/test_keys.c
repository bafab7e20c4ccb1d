// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Keys: the store's derivations equal lib/osm_keys ones (device keys from
 * the root key, circuit keys from the session key or the source device's
 * key); no key of a run is anywhere in the store's files. */
#include <errno.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>
#include <fcntl.h>
#include <unistd.h>
#include "helpers.h"
#include "osm_hex.h"
#include "osmdb_int.h"

static struct osmdb_rec_circuit circuit(const char *owner, uint32_t src,
					uint32_t dst)
{
	struct osmdb_rec_circuit c = { .src_dev = src, .dst_dev = dst,
				     .cls = OSMDB_CLASS_SENSOR };

	snprintf(c.owner, sizeof(c.owner), "%s", owner);
	return c;
}

/* The device key of docs/protocol.md's worked example (section 10.1):
 * root key 00 01 .. 1f, device 7, read from the document itself. */
static void protocol_example(void **state)
{
	char line[256], hex[256] = "", *dir = th_tmpdir(), path[128];
	FILE *doc = fopen("docs/protocol.md", "r");
	uint8_t root[32], want[32], got[32];
	struct osmdb *s;
	int i, fd, grab = 0;

	(void)state;
	assert_non_null(doc);
	while (fgets(line, sizeof(line), doc)) {
		if (grab && line[0] == ' ' && strlen(hex) + strlen(line) <
		    sizeof(hex)) {
			strcat(hex, line);
			grab++;
		} else if (grab) {
			break;
		}
		if (!strncmp(line, "device_key:", 11))
			grab = 1;
	}
	fclose(doc);
	assert_int_equal(osm_hex_parse(hex, want, sizeof(want)), 32);
	for (i = 0; i < 32; i++)
		root[i] = (uint8_t)i;
	snprintf(path, sizeof(path), "%s/root.key", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, root, 32), 32);
	close(fd);
	s = th_open(dir);
	assert_int_equal(osmdb_device_key(s, 7, got), 0);
	assert_memory_equal(got, want, 32);
	osmdb_close(s);
	th_rmrf(dir);
	free(dir);
}

static void derivations(void **state)
{
	char *dir = th_tmpdir();
	struct osmdb *s = th_open(dir);
	uint8_t root[32], a[32], b[32], sess[32];
	struct osmdb_rec_circuit c1, c2;
	struct osm_keys k1, k2;
	struct osmdb_txn *t;
	uint32_t id;

	(void)state;
	th_apply_example(s);
	th_read_root(dir, root);
	for (id = 1; id <= 5; id++) {
		assert_int_equal(osmdb_device_key(s, id, a), 0);
		assert_int_equal(osm_kdf_device(b, root, id), 0);
		assert_memory_equal(a, b, 32);
	}
	assert_int_equal(osmdb_device_key(s, OSM_DEVICE_ID_MAX + 1, a),
			 -EINVAL);
	assert_int_equal(osmdb_txn_begin(s, 0, &t), 0);
	assert_int_equal(osmdb_person_enter(t, "alice", "r101"), 0);
	assert_int_equal(osmdb_person_session_key(t, "alice", sess), 0);
	c1 = circuit("alice", 1, 2);
	c2 = circuit("", 3, 2);
	assert_int_equal(osmdb_circuit_add(t, &c1), 0);
	assert_int_equal(osmdb_circuit_add(t, &c2), 0);
	/* a person's circuit: under their session key */
	assert_int_equal(osmdb_circuit_keys(t, c1.id, 7, &k1), 0);
	osm_kdf_circuit(&k2, sess, c1.id, 7);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_int_equal(k1.epoch, 7);
	/* a building circuit: under its source device's key */
	assert_int_equal(osmdb_circuit_keys(t, c2.id, 0, &k1), 0);
	assert_int_equal(osm_kdf_device(b, root, 3), 0);
	osm_kdf_circuit(&k2, b, c2.id, 0);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	/* epochs differ */
	assert_int_equal(osmdb_circuit_keys(t, c2.id, 1, &k2), 0);
	assert_memory_not_equal(k1.hop, k2.hop, sizeof(k1.hop));
	assert_int_equal(osmdb_circuit_keys(t, 99, 0, &k1), OSMDB_ENOTFOUND);
	osmdb_txn_abort(t);
	osmdb_close(s);
	th_rmrf(dir);
	free(dir);
}

#define MAX_KEYS 512

struct keyset {
	uint8_t k[MAX_KEYS][32];
	size_t len[MAX_KEYS];
	const char *what[MAX_KEYS];
	size_t n;
};

static void add(struct keyset *ks, const void *k, size_t len,
		const char *what)
{
	assert_true(ks->n < MAX_KEYS);
	memcpy(ks->k[ks->n], k, len);
	ks->len[ks->n] = len;
	ks->what[ks->n++] = what;
}

static void circuit_keys(struct keyset *ks, struct osmdb_txn *t, uint32_t id,
			 uint32_t epoch)
{
	struct osm_keys k;

	assert_int_equal(osmdb_circuit_keys(t, id, epoch, &k), 0);
	add(ks, k.e2e, sizeof(k.e2e), "circuit e2e key");
	add(ks, k.hop, sizeof(k.hop), "circuit hop key");
}

/* A run with people, moves, circuits and key rotations; every key it
 * used is searched for in every store file (root.key aside, which holds
 * the root key by design and nothing else). */
static void no_key_on_disk(void **state)
{
	static struct keyset ks;
	char *dir = th_tmpdir(), name[16];
	struct osmdb *s = th_open(dir);
	struct osmdb_rec_circuit c;
	struct osmdb_txn *t;
	uint8_t k[32];
	uint32_t id, e;
	size_t i;
	int p;

	(void)state;
	th_apply_example(s);
	th_read_root(dir, k);
	add(&ks, k, 32, "root key");
	add(&ks, s->kek, 32, "key-encryption key");
	for (id = 1; id <= 5; id++) {
		assert_int_equal(osmdb_device_key(s, id, k), 0);
		add(&ks, k, 32, "device key");
	}
	for (p = 0; p < 20; p++) {
		snprintf(name, sizeof(name), "person%d", p);
		assert_int_equal(osmdb_txn_begin(s, 0, &t), 0);
		assert_int_equal(osmdb_person_enter(t, name, "r101"), 0);
		assert_int_equal(osmdb_person_session_key(t, name, k), 0);
		add(&ks, k, 32, "session key");
		c = circuit(name, 1, 2);
		assert_int_equal(osmdb_circuit_add(t, &c), 0);
		for (e = 0; e < 3; e++) {
			circuit_keys(&ks, t, c.id, e);
			assert_int_equal(osmdb_circuit_rotate(t, c.id, NULL),
					 0);
		}
		if (p % 2) {	/* half of them leave again */
			assert_int_equal(osmdb_circuit_del(t, c.id), 0);
			assert_int_equal(osmdb_person_leave(t, name), 0);
		} else {
			assert_int_equal(osmdb_person_move(t, name, "r102"), 0);
		}
		assert_int_equal(osmdb_txn_commit(t), 0);
	}
	assert_int_equal(osmdb_txn_begin(s, 0, &t), 0);
	c = circuit("", 4, 5);
	assert_int_equal(osmdb_circuit_add(t, &c), 0);
	circuit_keys(&ks, t, c.id, 0);
	assert_int_equal(osmdb_txn_commit(t), 0);
	osmdb_close(s);
	for (i = 0; i < ks.n; i++)
		if (th_dir_contains(dir, ks.k[i], ks.len[i], true))
			fail_msg("%s %zu found in the store files", ks.what[i],
				 i);
	printf("# %zu keys, none in data.mdb or lock.mdb\n", ks.n);
	/* the search itself works: the root key is found in root.key */
	assert_true(th_dir_contains(dir, ks.k[0], 32, false));
	sodium_memzero(&ks, sizeof(ks));
	th_rmrf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(protocol_example),
		cmocka_unit_test(derivations),
		cmocka_unit_test(no_key_on_disk),
	};

	return cmocka_run_group_tests_name("keys", tests, NULL, NULL);
}
