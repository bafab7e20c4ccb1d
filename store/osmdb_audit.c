// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The audit chain: records keyed by sequence number, each value being
 * body || BLAKE2b-256(previous hash || body); the head (last seq and hash)
 * in meta, so that a truncated tail is detected too; the base (the last
 * archived record's seq and hash, osmdb_archive.c) where the store's part
 * of the chain starts. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "osmdb_int.h"
#include "osmdb_audit.h"

static const char *const kinds[OSMDB_AUDIT_KIND_MAX] = {
	[OSMDB_AUDIT_TOPOLOGY] = "topology", [OSMDB_AUDIT_ENTER] = "enter",
	[OSMDB_AUDIT_MOVE] = "move", [OSMDB_AUDIT_LEAVE] = "leave",
	[OSMDB_AUDIT_CIRCUIT_ADD] = "circuit-add",
	[OSMDB_AUDIT_CIRCUIT_DEL] = "circuit-del",
	[OSMDB_AUDIT_KEY_ROTATE] = "key-rotate",
	[OSMDB_AUDIT_ERASURE] = "erasure", [OSMDB_AUDIT_ERASED] = "erased",
	[OSMDB_AUDIT_PEER_ADD] = "peer-add", [OSMDB_AUDIT_PEER_DEL] = "peer-del",
	[OSMDB_AUDIT_PEER_EPOCH] = "peer-epoch",
	[OSMDB_AUDIT_REMOTE_ADD] = "remote-add",
	[OSMDB_AUDIT_REMOTE_CLOSE] = "remote-close",
};

const char *osmdb_audit_kind_name(unsigned kind)
{
	return kind < OSMDB_AUDIT_KIND_MAX && kinds[kind] ? kinds[kind] : "?";
}

/* A sequence number and hash kept in meta under key ("audit_head": the
 * last record; "audit_base": the record the first one in the store chains
 * from, the last one archived). Absent: 0 and zeros, where the chain
 * starts. */
static int meta_mark(struct osmdb_txn *t, const char *key, uint64_t *seq,
		     uint8_t hash[OSMDB_HASH_LEN])
{
	uint8_t b[8 + OSMDB_HASH_LEN];
	int i, n = osmdb_meta_get(t, key, b, sizeof(b));

	*seq = 0;
	memset(hash, 0, OSMDB_HASH_LEN);
	if (n == OSMDB_ENOTFOUND)
		return 0;
	if (n < 0)
		return n;
	if (n != sizeof(b))
		return OSMDB_ECORRUPT;
	for (i = 0; i < 8; i++)
		*seq |= (uint64_t)b[i] << (8 * i);
	memcpy(hash, b + 8, OSMDB_HASH_LEN);
	return 0;
}

static int put_mark(struct osmdb_txn *t, const char *key, uint64_t seq,
		    const uint8_t hash[OSMDB_HASH_LEN])
{
	uint8_t b[8 + OSMDB_HASH_LEN];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(seq >> (8 * i));
	memcpy(b + 8, hash, OSMDB_HASH_LEN);
	return osmdb_meta_put(t, key, b, sizeof(b));
}

static int audit_head(struct osmdb_txn *t, uint64_t *seq,
		      uint8_t hash[OSMDB_HASH_LEN])
{
	return meta_mark(t, "audit_head", seq, hash);
}

int osmdb_audit_base(struct osmdb_txn *t, uint64_t *seq,
		     uint8_t hash[OSMDB_HASH_LEN])
{
	return meta_mark(t, "audit_base", seq, hash);
}

void osmdb_audit_hash(const uint8_t prev[OSMDB_HASH_LEN], const void *body,
		      size_t len, uint8_t out[OSMDB_HASH_LEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, OSMDB_HASH_LEN);
	crypto_generichash_update(&st, prev, OSMDB_HASH_LEN);
	crypto_generichash_update(&st, body, len);
	crypto_generichash_final(&st, out, OSMDB_HASH_LEN);
}

int osmdb_audit_link(const void *v, size_t len, uint64_t want,
		     uint8_t prev[OSMDB_HASH_LEN], struct osmdb_rec_audit *a)
{
	uint8_t h[OSMDB_HASH_LEN];

	if (osmdb_rec_decode(OSMDB_TAB_AUDIT, v, len, a) || a->seq != want)
		return OSMDB_EAUDIT;
	osmdb_audit_hash(prev, v, len - OSMDB_HASH_LEN, h);
	if (sodium_memcmp(h, a->hash, OSMDB_HASH_LEN))
		return OSMDB_EAUDIT;
	memcpy(prev, h, OSMDB_HASH_LEN);
	return 0;
}

/* Encode a (its hash is ignored), chain it after prev, store it, and
 * leave the new hash in a->hash. */
static int audit_put(struct osmdb_txn *t, struct osmdb_rec_audit *a,
		     const uint8_t prev[OSMDB_HASH_LEN])
{
	uint8_t v[OSMDB_REC_MAX + OSMDB_HASH_LEN];
	struct osmdb_key k;
	int n = osmdb_rec_encode(OSMDB_TAB_AUDIT, a, v);

	if (n < 0)
		return n;
	osmdb_audit_hash(prev, v, (size_t)n, a->hash);
	memcpy(v + n, a->hash, OSMDB_HASH_LEN);
	osmdb_key_u64(&k, a->seq);
	return osmdb_tab_put_raw(t, OSMDB_TAB_AUDIT, &k, v,
				 (size_t)n + OSMDB_HASH_LEN)
		?: put_mark(t, "audit_head", a->seq, a->hash);
}

int osmdb_audit_append(struct osmdb_txn *t, enum osmdb_audit_kind kind,
		       const char *person, const char *fmt, ...)
{
	uint8_t prev[OSMDB_HASH_LEN];
	struct osmdb_rec_audit a = { .kind = (uint8_t)kind };
	struct timespec ts;
	va_list ap;
	char *p;
	int err;

	if (person && *person && !osmdb_name_ok(person))
		return -EINVAL;
	if (kind <= 0 || kind >= OSMDB_AUDIT_KIND_MAX)
		return -EINVAL;
	err = audit_head(t, &a.seq, prev);
	if (err)
		return err;
	a.seq++;
	clock_gettime(CLOCK_REALTIME, &ts);
	a.time_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (person)
		snprintf(a.person, sizeof(a.person), "%s", person);
	va_start(ap, fmt);
	vsnprintf(a.detail, sizeof(a.detail), fmt, ap);
	va_end(ap);
	for (p = a.detail; *p; p++)	/* the record holds printable text */
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	return audit_put(t, &a, prev);
}

int osmdb_audit_verify(struct osmdb_txn *t, uint64_t *bad)
{
	uint8_t prev[OSMDB_HASH_LEN], head_hash[OSMDB_HASH_LEN];
	struct osmdb_rec_audit a;
	uint64_t want, head;
	MDB_cursor *c;
	MDB_val key, val;
	struct osmdb_key k;
	int rc, err;

	if (bad)
		*bad = 0;
	err = osmdb_audit_base(t, &want, prev) ?:
	      audit_head(t, &head, head_hash);
	if (err)
		return err == OSMDB_ECORRUPT ? OSMDB_EAUDIT : err;
	want++;
	rc = mdb_cursor_open(t->txn, t->s->dbi[OSMDB_TAB_AUDIT], &c);
	if (rc)
		return osmdb_mdb_err(rc);
	for (rc = mdb_cursor_get(c, &key, &val, MDB_FIRST); !rc;
	     rc = mdb_cursor_get(c, &key, &val, MDB_NEXT), want++) {
		osmdb_key_u64(&k, want);
		if (key.mv_size != 8 || memcmp(key.mv_data, k.b, 8) ||
		    osmdb_audit_link(val.mv_data, val.mv_size, want, prev,
				     &a)) {
			err = OSMDB_EAUDIT;
			break;
		}
	}
	mdb_cursor_close(c);
	if (!err && rc != MDB_NOTFOUND)
		return osmdb_mdb_err(rc);
	/* the head must name the last record: catches a cut tail */
	if (!err && (head != want - 1 ||
		     sodium_memcmp(head_hash, prev, OSMDB_HASH_LEN))) {
		err = OSMDB_EAUDIT;
		if (head == want - 1)
			want--;
	}
	if (err && bad)
		*bad = want;
	return err;
}

int osmdb_audit_prune(struct osmdb_txn *t, uint64_t upto,
		      const uint8_t hash[OSMDB_HASH_LEN], uint64_t *n)
{
	uint8_t base_hash[OSMDB_HASH_LEN], head_hash[OSMDB_HASH_LEN];
	struct osmdb_rec_audit a;
	uint64_t base, head, seq;
	struct osmdb_key k;
	int err;

	*n = 0;
	if (!t->write)
		return -EROFS;
	/* only a chain that verifies lets records go */
	err = osmdb_audit_verify(t, NULL) ?:
	      osmdb_audit_base(t, &base, base_hash) ?:
	      audit_head(t, &head, head_hash);
	if (err)
		return err;
	if (upto <= base || upto > head)
		return -ERANGE;
	osmdb_key_u64(&k, upto);
	err = osmdb_tab_get(t, OSMDB_TAB_AUDIT, &k, &a);
	if (err)
		return err == OSMDB_ENOTFOUND ? OSMDB_EAUDIT : err;
	if (sodium_memcmp(a.hash, hash, OSMDB_HASH_LEN))
		return -ESTALE;
	for (seq = base + 1; seq <= upto; seq++) {
		osmdb_key_u64(&k, seq);
		err = osmdb_tab_del(t, OSMDB_TAB_AUDIT, &k);
		if (err)
			return err == OSMDB_ENOTFOUND ? OSMDB_EAUDIT : err;
		++*n;
	}
	return put_mark(t, "audit_base", upto, hash);
}

/* Rewrite from the first record erase() selects: selected records become
 * OSMDB_AUDIT_ERASED markers, every later one is re-hashed. */
int osmdb_audit_reseal(struct osmdb_txn *t,
		       bool (*erase)(const struct osmdb_rec_audit *, void *),
		       void *arg, unsigned long *n_erased)
{
	uint8_t prev[OSMDB_HASH_LEN], head_hash[OSMDB_HASH_LEN];
	struct osmdb_rec_audit a;
	uint64_t seq, head;
	bool sealing = false;
	struct osmdb_key k;
	int err;

	*n_erased = 0;
	err = osmdb_audit_base(t, &seq, prev) ?:
	      audit_head(t, &head, head_hash);
	for (seq++; !err && seq <= head; seq++) {
		osmdb_key_u64(&k, seq);
		err = osmdb_tab_get(t, OSMDB_TAB_AUDIT, &k, &a);
		if (err)
			break;
		if (erase(&a, arg)) {
			/* keeps seq and time: only who and what go */
			a.kind = OSMDB_AUDIT_ERASED;
			a.person[0] = '\0';
			a.detail[0] = '\0';
			sealing = true;
			++*n_erased;
		}
		if (sealing)
			err = audit_put(t, &a, prev);
		memcpy(prev, a.hash, OSMDB_HASH_LEN);
	}
	sodium_memzero(&a, sizeof(a));
	return err;
}
