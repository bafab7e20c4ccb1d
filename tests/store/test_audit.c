// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The audit chain: verify on a long history; every single-byte change of
 * every record value (in a transaction and in the data file itself),
 * removed records and a cut tail are detected at the right record. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "helpers.h"
#include "osmdb_int.h"

/* n enter/move/leave rounds of made-up people, batch per transaction. */
static void history(struct osmdb *s, int rounds, int batch)
{
	struct osmdb_txn *t;
	char name[32];
	int i, j;

	for (i = 0; i < rounds; i += batch) {
		assert_int_equal(osmdb_txn_begin(s, 0, &t), 0);
		for (j = i; j < i + batch && j < rounds; j++) {
			snprintf(name, sizeof(name), "p%d", j);
			assert_int_equal(osmdb_person_enter(t, name, "r101"),
					 0);
			assert_int_equal(osmdb_person_move(t, name, "r102"), 0);
			assert_int_equal(osmdb_person_leave(t, name), 0);
		}
		assert_int_equal(osmdb_txn_commit(t), 0);
	}
}

static uint64_t verify(struct osmdb *s, int *err)
{
	struct osmdb_txn *t;
	uint64_t bad = 0;

	assert_int_equal(osmdb_txn_begin(s, OSMDB_TXN_RDONLY, &t), 0);
	*err = osmdb_audit_verify(t, &bad);
	osmdb_txn_abort(t);
	return bad;
}

static void long_history(void **state)
{
	struct th_fx *f = *state;
	struct timespec a, b;
	struct osmdb_txn *t;
	int err;

	history(f->s, 10000, 500);	/* 30001 records */
	clock_gettime(CLOCK_MONOTONIC, &a);
	verify(f->s, &err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(err, 0);
	assert_int_equal(osmdb_txn_begin(f->s, OSMDB_TXN_RDONLY, &t), 0);
	assert_int_equal(osmdb_count(t, OSMDB_TAB_AUDIT), 30001);
	osmdb_txn_abort(t);
	printf("# verified 30001 records in %.1f ms\n",
	       (double)(b.tv_sec - a.tv_sec) * 1e3 +
	       (double)(b.tv_nsec - a.tv_nsec) / 1e6);
}

static void append_errors(void **state)
{
	struct th_fx *f = *state;
	struct osmdb_rec_audit a;
	struct osmdb_txn *t;
	struct osmdb_key k;

	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_audit_append(t, OSMDB_AUDIT_KIND_MAX, NULL, "x"),
			 -EINVAL);
	assert_int_equal(osmdb_audit_append(t, 0, NULL, "x"), -EINVAL);
	assert_int_equal(osmdb_audit_append(t, OSMDB_AUDIT_KEY_ROTATE, "a b",
					    "x"), -EINVAL);
	assert_int_equal(osmdb_audit_append(t, OSMDB_AUDIT_KEY_ROTATE, NULL,
					    "tab\there"), 0);
	osmdb_key_u64(&k, 2);
	assert_int_equal(osmdb_tab_get(t, OSMDB_TAB_AUDIT, &k, &a), 0);
	assert_string_equal(a.detail, "tab?here");
	assert_string_equal(osmdb_audit_kind_name(a.kind), "key-rotate");
	assert_string_equal(osmdb_audit_kind_name(0), "?");
	assert_int_equal(osmdb_audit_verify(t, NULL), 0);
	osmdb_txn_abort(t);
}

/* Flip every byte of every record value (each in turn, in a write
 * transaction that is never committed): verify names that record. */
static void every_byte_flip(void **state)
{
	struct th_fx *f = *state;
	uint8_t v[OSMDB_REC_MAX + OSMDB_HASH_LEN];
	struct osmdb_txn *t;
	MDB_val key, val;
	struct osmdb_key k;
	uint64_t seq, bad, n;
	size_t i, len, flips = 0;
	int err;

	history(f->s, 10, 10);	/* records 1..31 */
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	n = (uint64_t)osmdb_count(t, OSMDB_TAB_AUDIT);
	assert_int_equal(n, 31);
	for (seq = 1; seq <= n; seq++) {
		osmdb_key_u64(&k, seq);
		key.mv_size = k.len;
		key.mv_data = k.b;
		assert_int_equal(mdb_get(t->txn, f->s->dbi[OSMDB_TAB_AUDIT],
					 &key, &val), 0);
		len = val.mv_size;
		memcpy(v, val.mv_data, len);
		for (i = 0; i < len; i++) {
			v[i] ^= 0xff;
			assert_int_equal(osmdb_tab_put_raw(t, OSMDB_TAB_AUDIT,
							   &k, v, len),
					 0);
			bad = 0;
			err = osmdb_audit_verify(t, &bad);
			if (err != OSMDB_EAUDIT || bad != seq)
				fail_msg(
					"record %llu byte %zu: err %d bad %llu",
					(unsigned long long)seq, i, err,
					(unsigned long long)bad);
			v[i] ^= 0xff;
			flips++;
		}
		assert_int_equal(
			osmdb_tab_put_raw(t, OSMDB_TAB_AUDIT, &k, v, len), 0);
	}
	assert_int_equal(osmdb_audit_verify(t, NULL), 0);
	osmdb_txn_abort(t);
	printf("# %zu single-byte flips in %llu records, all detected\n",
	       flips, (unsigned long long)n);
}

/* The same, on the data file: a byte changed on disk is caught. */
static void file_byte_flip(void **state)
{
	struct th_fx *f = *state;
	char path[4096];
	uint8_t *buf, *orig, *p;
	struct stat st;
	int fd, err, i, n;
	uint64_t bad;
	struct osmdb_txn *t;

	history(f->s, 5, 5);	/* records 1..16 */
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_audit_append(t, OSMDB_AUDIT_KEY_ROTATE, "zed",
					    "flip-me-here"), 0);	/* 17 */
	assert_int_equal(osmdb_txn_commit(t), 0);
	history(f->s, 2, 2);
	osmdb_close(f->s);
	snprintf(path, sizeof(path), "%s/data.mdb", f->dir);
	for (i = 0; i < 3; i++) {
		fd = open(path, O_RDWR);
		assert_true(fd >= 0);
		assert_int_equal(fstat(fd, &st), 0);
		buf = malloc((size_t)st.st_size);
		assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
		orig = malloc((size_t)st.st_size);
		memcpy(orig, buf, (size_t)st.st_size);
		/* copy-on-write leaves stale copies of the page in free
		 * space: change the byte in every copy, the live one too */
		for (n = 0, p = buf; (p = memmem(p, (size_t)(buf + st.st_size -
						       p), "flip-me-here", 12));
		     p += 12, n++)
			/* i = 0: the text; 1: the person; 2: its hash */
			p[i == 0 ? 3 : i == 1 ? -3 : 12] ^= 0x01;
		assert_true(n >= 1);
		assert_int_equal(pwrite(fd, buf, (size_t)st.st_size, 0),
				 st.st_size);
		close(fd);
		f->s = th_open(f->dir);
		bad = verify(f->s, &err);
		assert_int_equal(err, OSMDB_EAUDIT);
		assert_int_equal(bad, 17);
		osmdb_close(f->s);
		/* put it back */
		memcpy(buf, orig, (size_t)st.st_size);
		free(orig);
		fd = open(path, O_RDWR);
		assert_int_equal(pwrite(fd, buf, (size_t)st.st_size, 0),
				 st.st_size);
		close(fd);
		free(buf);
		f->s = th_open(f->dir);
		verify(f->s, &err);
		assert_int_equal(err, 0);
		osmdb_close(f->s);
	}
	f->s = th_open(f->dir);
}

static void removed_records(void **state)
{
	struct th_fx *f = *state;
	struct osmdb_txn *t;
	struct osmdb_key k;
	uint64_t bad;

	history(f->s, 3, 3);	/* 10 records */
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	osmdb_key_u64(&k, 4);
	assert_int_equal(osmdb_tab_del(t, OSMDB_TAB_AUDIT, &k), 0);
	assert_int_equal(osmdb_audit_verify(t, &bad), OSMDB_EAUDIT);
	assert_int_equal(bad, 4);
	osmdb_txn_abort(t);
	/* the last one: caught by the head */
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	osmdb_key_u64(&k, 10);
	assert_int_equal(osmdb_tab_del(t, OSMDB_TAB_AUDIT, &k), 0);
	assert_int_equal(osmdb_audit_verify(t, &bad), OSMDB_EAUDIT);
	assert_int_equal(bad, 10);
	osmdb_txn_abort(t);
	/* the head itself damaged */
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_meta_put(t, "audit_head", "x", 1), 0);
	assert_int_equal(osmdb_audit_verify(t, &bad), OSMDB_EAUDIT);
	osmdb_txn_abort(t);
}

/* Write records base+1..upto to an archive in memory; return its text
 * (malloc'd) and fill *info. */
static char *archive_to_mem(struct osmdb *s, uint64_t upto,
			    struct osmdb_archive_info *info, size_t *len)
{
	struct osmdb_txn *t;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	assert_int_equal(osmdb_txn_begin(s, OSMDB_TXN_RDONLY, &t), 0);
	assert_int_equal(osmdb_archive_write(t, upto, f, info), 0);
	osmdb_txn_abort(t);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static int read_mem(const char *buf, size_t len,
		    struct osmdb_archive_info *info, uint64_t *bad)
{
	FILE *f = fmemopen((void *)buf, len, "r");
	int err;

	assert_non_null(f);
	err = osmdb_archive_read(f, info, NULL, NULL, bad);
	fclose(f);
	return err;
}

static int prune(struct osmdb *s, uint64_t upto, const uint8_t hash[32])
{
	struct osmdb_txn *t;
	uint64_t n = 0;
	int err;

	assert_int_equal(osmdb_txn_begin(s, 0, &t), 0);
	err = osmdb_audit_prune(t, upto, hash, &n);
	if (err) {
		osmdb_txn_abort(t);
		return err;
	}
	assert_int_equal(osmdb_txn_commit(t), 0);
	return (int)n;
}

/* Archive, prune, go on: the store's chain verifies from its base, the
 * archives verify on their own and link to each other and to the store;
 * a prune with a wrong hash or range is refused and changes nothing. */
static void archive_prune(void **state)
{
	struct th_fx *f = *state;
	struct osmdb_archive_info a1, a2, r;
	uint8_t base_hash[32], wrong[32];
	struct osmdb_txn *t;
	uint64_t base, bad;
	size_t len1, len2;
	char *m1, *m2;

	history(f->s, 10, 10);	/* records 1..31 */
	m1 = archive_to_mem(f->s, 20, &a1, &len1);
	assert_int_equal(a1.base, 0);
	assert_int_equal(a1.end, 20);
	memcpy(wrong, a1.end_hash, 32);
	wrong[31] ^= 1;
	assert_int_equal(prune(f->s, 20, wrong), -ESTALE);
	assert_int_equal(prune(f->s, 0, a1.end_hash), -ERANGE);
	assert_int_equal(prune(f->s, 32, a1.end_hash), -ERANGE);
	assert_int_equal(prune(f->s, 20, a1.end_hash), 20);
	assert_int_equal(prune(f->s, 20, a1.end_hash), -ERANGE);
	assert_int_equal(osmdb_txn_begin(f->s, OSMDB_TXN_RDONLY, &t), 0);
	assert_int_equal(osmdb_count(t, OSMDB_TAB_AUDIT), 11);
	assert_int_equal(osmdb_audit_base(t, &base, base_hash), 0);
	assert_int_equal(base, 20);
	assert_memory_equal(base_hash, a1.end_hash, 32);
	assert_int_equal(osmdb_audit_verify(t, NULL), 0);
	osmdb_txn_abort(t);
	history(f->s, 3, 3);	/* records 32..40 */
	m2 = archive_to_mem(f->s, 40, &a2, &len2);	/* all of it */
	assert_int_equal(a2.base, 20);
	assert_memory_equal(a2.base_hash, a1.end_hash, 32);
	assert_int_equal(prune(f->s, 40, a2.end_hash), 20);
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_count(t, OSMDB_TAB_AUDIT), 0);
	assert_int_equal(osmdb_audit_verify(t, NULL), 0);	/* empty */
	assert_int_equal(osmdb_audit_append(t, OSMDB_AUDIT_KEY_ROTATE, NULL,
					    "x"), 0);	/* 41 */
	assert_int_equal(osmdb_audit_verify(t, NULL), 0);
	/* the store's first record is checked against the base */
	assert_int_equal(osmdb_meta_put(t, "audit_base", wrong, 8), 0);
	assert_int_equal(osmdb_audit_verify(t, &bad), OSMDB_EAUDIT);
	osmdb_txn_abort(t);
	assert_int_equal(read_mem(m1, len1, &r, NULL), 0);
	assert_int_equal(r.end, 20);
	assert_int_equal(read_mem(m2, len2, &r, NULL), 0);
	assert_int_equal(r.base, 20);
	assert_int_equal(r.end, 40);
	/* nothing to archive from a broken chain */
	assert_int_equal(osmdb_txn_begin(f->s, 0, &t), 0);
	assert_int_equal(osmdb_meta_put(t, "audit_head", wrong, 8), 0);
	assert_int_equal(osmdb_archive_write(t, 40, stderr, &r), OSMDB_EAUDIT);
	osmdb_txn_abort(t);
	free(m1);
	free(m2);
}

/* Every byte of an archive changed, each in turn: the archive is refused
 * (a malformed line, or the record that no longer chains), never read
 * as good; so are a cut tail and lines moved. */
static void archive_byte_flip(void **state)
{
	struct th_fx *f = *state;
	struct osmdb_archive_info info, r;
	size_t len, i, flips = 0;
	uint64_t bad;
	char *m, *cut;
	int err;

	history(f->s, 4, 4);	/* records 1..13 */
	m = archive_to_mem(f->s, 13, &info, &len);
	for (i = 0; i < len; i++) {
		char c = m[i];

		/* a hex digit's case is the one change the reader may not
		 * see: it is read as the same byte */
		m[i] = c == '0' ? '1' : c == '\n' ? ' ' : c ^ 0x01;
		err = read_mem(m, len, &r, &bad);
		if (err != OSMDB_EAUDIT && err != -EINVAL)
			fail_msg("byte %zu ('%c'): err %d", i, c, err);
		m[i] = c;
		flips++;
	}
	assert_int_equal(read_mem(m, len, &r, NULL), 0);
	/* the last record line gone, the end line left */
	cut = strstr(m, "\nend ");
	assert_non_null(cut);
	*cut = '\0';
	assert_non_null(strrchr(m, '\n'));
	{
		char *last = strrchr(m, '\n') + 1, *tail = strdup(cut + 1);
		size_t n;

		*cut = '\n';
		n = strlen(tail);
		memmove(last, tail, n + 1);
		assert_int_equal(read_mem(m, (size_t)(last - m) + n, &r,
					  &bad), OSMDB_EAUDIT);
		free(tail);
	}
	printf("# %zu single-byte changes of an archive, all refused\n",
	       flips);
	free(m);
}

/* Erasure after a prune re-seals from the store's base: the chain still
 * links to the archive, which keeps its records as they were. */
static void erasure_after_prune(void **state)
{
	struct th_fx *f = *state;
	struct osmdb_archive_info a1;
	struct osmdb_txn *t;
	uint8_t base_hash[32];
	unsigned long n = 0;
	uint64_t base;
	size_t len;
	char *m;

	history(f->s, 6, 6);	/* p0..p5, records 1..19 */
	m = archive_to_mem(f->s, 10, &a1, &len);
	assert_int_equal(prune(f->s, 10, a1.end_hash), 10);
	assert_int_equal(osmdb_forget(&f->s, "p5", &n), 0);
	assert_true(n >= 3);
	assert_int_equal(osmdb_txn_begin(f->s, OSMDB_TXN_RDONLY, &t), 0);
	assert_int_equal(osmdb_audit_verify(t, NULL), 0);
	assert_int_equal(osmdb_audit_base(t, &base, base_hash), 0);
	assert_int_equal(base, 10);
	assert_memory_equal(base_hash, a1.end_hash, 32);
	osmdb_txn_abort(t);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(long_history, th_setup,
						th_teardown),
		cmocka_unit_test_setup_teardown(append_errors, th_setup,
						th_teardown),
		cmocka_unit_test_setup_teardown(every_byte_flip, th_setup,
						th_teardown),
		cmocka_unit_test_setup_teardown(file_byte_flip, th_setup,
						th_teardown),
		cmocka_unit_test_setup_teardown(removed_records, th_setup,
						th_teardown),
		cmocka_unit_test_setup_teardown(archive_prune, th_setup,
						th_teardown),
		cmocka_unit_test_setup_teardown(archive_byte_flip, th_setup,
						th_teardown),
		cmocka_unit_test_setup_teardown(erasure_after_prune, th_setup,
						th_teardown),
	};

	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
