// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Crash-test helper. "crash_writer write DIR N": from id N on, commits
 * one person event + circuit change per transaction and prints each id
 * once committed, until killed. "crash_writer check DIR FILE": the store
 * opens, the audit chain verifies and every id listed in FILE is there. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "osmdb.h"

static int die(const char *what, int err)
{
	fprintf(stderr, "crash_writer: %s: %s\n", what,
		osmdb_strerror(err));
	return 1;
}

/* id i: w<i> enters with a circuit, rotated; every third leaves again */
static int one(struct osmdb_txn *t, unsigned long i)
{
	struct osmdb_rec_circuit c = { .src_dev = 1, .dst_dev = 2 };
	char name[32];

	snprintf(name, sizeof(name), "w%lu", i);
	strcpy(c.owner, name);
	return osmdb_person_enter(t, name, "r101") ?:
	       osmdb_circuit_add(t, &c) ?:
	       osmdb_circuit_rotate(t, c.id, NULL) ?:
	       (i % 3 ? 0 : osmdb_circuit_del(t, c.id) ?:
			    osmdb_person_leave(t, name));
}

static int writer(const char *dir, unsigned long i)
{
	struct osmdb *s;
	struct osmdb_txn *t;
	char line[32];
	int err, n;

	err = osmdb_open(&s, dir, OSMDB_CREATE, 0);
	if (err)
		return die("open", err);
	for (;; i++) {
		err = osmdb_txn_begin(s, 0, &t);
		if (!err && (err = one(t, i)))
			osmdb_txn_abort(t);
		if (!err)
			err = osmdb_txn_commit(t);
		if (err) {
			osmdb_close(s);
			return die("write", err);
		}
		n = snprintf(line, sizeof(line), "%lu\n", i);
		if (write(1, line, (size_t)n) != n)
			return 1;
	}
}

/* Audit records per committed id, counted in one walk of the chain. */
struct ids {
	unsigned long *id;
	int *n;
	size_t len;
};

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a,
		      y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

static int count_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_audit *a = rec;
	struct ids *ids = arg;
	unsigned long i;
	unsigned long *hit;

	if (a->person[0] != 'w' || !ids->len)	/* none committed: bsearch */
		return 0;			/* may not take a NULL array */
	i = strtoul(a->person + 1, NULL, 10);
	hit = bsearch(&i, ids->id, ids->len, sizeof(i), cmp_ul);
	if (hit)
		ids->n[hit - ids->id]++;
	return 0;
}

static int check(const char *dir, const char *file)
{
	struct ids ids = { 0 };
	struct osmdb_rec_person p;
	struct osmdb *s;
	struct osmdb_txn *t;
	char name[32];
	unsigned long i;
	size_t k, cap = 0;
	uint64_t bad = 0;
	FILE *f = fopen(file, "r");
	int err;

	if (!f)
		return die(file, -errno);
	while (fscanf(f, "%lu", &i) == 1) {
		if (ids.len == cap) {
			cap = cap ? 2 * cap : 1024;
			ids.id = realloc(ids.id, cap * sizeof(*ids.id));
			if (!ids.id)
				return die("ids", -ENOMEM);
		}
		ids.id[ids.len++] = i;
	}
	fclose(f);
	if (ids.len)	/* a writer killed before its first commit: none */
		qsort(ids.id, ids.len, sizeof(*ids.id), cmp_ul);
	ids.n = calloc(ids.len + 1, sizeof(*ids.n));
	err = osmdb_open(&s, dir, OSMDB_RDONLY, 0);
	if (err)
		return die("open", err);
	err = osmdb_txn_begin(s, OSMDB_TXN_RDONLY, &t);
	if (err)
		return die("txn", err);
	err = osmdb_audit_verify(t, &bad);
	if (err)
		fprintf(stderr, "crash_writer: audit broken at %llu\n",
			(unsigned long long)bad);
	if (!err)
		err = osmdb_foreach(t, OSMDB_TAB_AUDIT, count_cb, &ids);
	for (k = 0; !err && k < ids.len; k++) {
		i = ids.id[k];
		snprintf(name, sizeof(name), "w%lu", i);
		if (ids.n[k] != (i % 3 ? 3 : 5)) {
			fprintf(stderr, "crash_writer: %s: %d audit records\n",
				name, ids.n[k]);
			err = -EIO;
			break;
		}
		err = osmdb_person_get(t, name, &p);
		if (err == (i % 3 ? 0 : OSMDB_ENOTFOUND))
			err = 0;
		else
			die(name, err ?: -EEXIST);
	}
	osmdb_txn_abort(t);
	osmdb_close(s);
	if (!err)
		printf("%zu committed ids present\n", ids.len);
	free(ids.id);
	free(ids.n);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "write"))
		return writer(argv[2], strtoul(argv[3], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "check"))
		return check(argv[2], argv[3]);
	fprintf(stderr, "usage: crash_writer write DIR N | check DIR FILE\n");
	return 1;
}
