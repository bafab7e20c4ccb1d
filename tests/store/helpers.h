/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Shared by the store's C tests: temporary stores, the example building,
 * byte searches over a store's files. */
#ifndef TEST_STORE_HELPERS_H
#define TEST_STORE_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include "osmdb.h"

#define TH_EXAMPLE "docs/examples/building-cam.yaml"

/* A new empty directory /tmp/ost<pid>-XXXXXX (static buffer per call). */
char *th_tmpdir(void);
void th_rmrf(const char *dir);

/* Close s, remove dir and free it. */
void th_close(struct osmdb *s, char *dir);

/* Open (creating) a store in dir, failing the test on error. */
struct osmdb *th_open(const char *dir);

/* Apply the example building; fails the test on error. */
void th_apply_example(struct osmdb *s);

/* A cmocka fixture: a new store holding the example building. */
struct th_fx {
	char *dir;
	struct osmdb *s;
};
int th_setup(void **state);
int th_teardown(void **state);

/* Run fn in a write transaction and commit; returns fn's or commit's
 * error (the transaction is aborted if fn fails). */
int th_write(struct osmdb *s, int (*fn)(struct osmdb_txn *, void *),
	     void *arg);

/* True if any regular file in dir (root.key skipped if skip_root)
 * contains the len bytes of needle. */
bool th_dir_contains(const char *dir, const void *needle, size_t len,
		     bool skip_root);

/* Read dir/root.key into out (32 bytes). */
void th_read_root(const char *dir, uint8_t out[32]);

#endif
