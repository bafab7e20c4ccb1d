// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The audit chain: records keyed by sequence number, each value being
 * body || BLAKE2b-256(previous hash || body); the head (last seq and hash)
 * in meta, so that a truncated tail is detected too. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "osm_store_int.h"
#include "osm_audit.h"

static const char *const kinds[OSM_AUDIT_KIND_MAX] = {
	[OSM_AUDIT_TOPOLOGY] = "topology", [OSM_AUDIT_ENTER] = "enter",
	[OSM_AUDIT_MOVE] = "move", [OSM_AUDIT_LEAVE] = "leave",
	[OSM_AUDIT_CIRCUIT_ADD] = "circuit-add",
	[OSM_AUDIT_CIRCUIT_DEL] = "circuit-del",
	[OSM_AUDIT_KEY_ROTATE] = "key-rotate",
	[OSM_AUDIT_ERASURE] = "erasure", [OSM_AUDIT_ERASED] = "erased",
};

const char *osm_audit_kind_name(unsigned kind)
{
	return kind < OSM_AUDIT_KIND_MAX && kinds[kind] ? kinds[kind] : "?";
}

int osm_audit_head(struct osm_txn *t, uint64_t *seq,
		   uint8_t hash[OSM_HASH_LEN])
{
	uint8_t b[8 + OSM_HASH_LEN];
	int i, n = osm_meta_get(t, "audit_head", b, sizeof(b));

	*seq = 0;
	memset(hash, 0, OSM_HASH_LEN);	/* the chain starts from zeros */
	if (n == OSM_STORE_ENOTFOUND)
		return 0;
	if (n < 0)
		return n;
	if (n != sizeof(b))
		return OSM_STORE_ECORRUPT;
	for (i = 0; i < 8; i++)
		*seq |= (uint64_t)b[i] << (8 * i);
	memcpy(hash, b + 8, OSM_HASH_LEN);
	return 0;
}

static int put_head(struct osm_txn *t, uint64_t seq,
		    const uint8_t hash[OSM_HASH_LEN])
{
	uint8_t b[8 + OSM_HASH_LEN];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(seq >> (8 * i));
	memcpy(b + 8, hash, OSM_HASH_LEN);
	return osm_meta_put(t, "audit_head", b, sizeof(b));
}

/* Encode a (its hash is ignored), chain it after prev, store it, and
 * leave the new hash in a->hash. */
int osm_audit_put(struct osm_txn *t, struct osm_rec_audit *a,
		  const uint8_t prev[OSM_HASH_LEN])
{
	uint8_t v[OSM_REC_MAX + OSM_HASH_LEN];
	crypto_generichash_state st;
	struct osm_key k;
	int n = osm_rec_encode(OSM_TAB_AUDIT, a, v);

	if (n < 0)
		return n;
	crypto_generichash_init(&st, NULL, 0, OSM_HASH_LEN);
	crypto_generichash_update(&st, prev, OSM_HASH_LEN);
	crypto_generichash_update(&st, v, (size_t)n);
	crypto_generichash_final(&st, a->hash, OSM_HASH_LEN);
	memcpy(v + n, a->hash, OSM_HASH_LEN);
	osm_key_u64(&k, a->seq);
	return osm_tab_put_raw(t, OSM_TAB_AUDIT, &k, v, (size_t)n + OSM_HASH_LEN)
	       ?: put_head(t, a->seq, a->hash);
}

int osm_audit_append(struct osm_txn *t, enum osm_audit_kind kind,
		     const char *person, const char *fmt, ...)
{
	uint8_t prev[OSM_HASH_LEN];
	struct osm_rec_audit a = { .kind = (uint8_t)kind };
	struct timespec ts;
	va_list ap;
	char *p;
	int err;

	if (person && *person && !osm_name_ok(person))
		return -EINVAL;
	if (kind <= 0 || kind >= OSM_AUDIT_KIND_MAX)
		return -EINVAL;
	err = osm_audit_head(t, &a.seq, prev);
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
	return osm_audit_put(t, &a, prev);
}

int osm_audit_verify(struct osm_txn *t, uint64_t *bad)
{
	uint8_t prev[OSM_HASH_LEN], head_hash[OSM_HASH_LEN], h[OSM_HASH_LEN];
	struct osm_rec_audit a;
	uint64_t want = 1, head;
	MDB_cursor *c;
	MDB_val key, val;
	struct osm_key k;
	int rc, err = 0;

	memset(prev, 0, sizeof(prev));
	rc = osm_audit_head(t, &head, head_hash);
	if (rc) {
		if (bad)
			*bad = 0;
		return rc == OSM_STORE_ECORRUPT ? OSM_STORE_EAUDIT : rc;
	}
	rc = mdb_cursor_open(t->txn, t->s->dbi[OSM_TAB_AUDIT], &c);
	if (rc)
		return osm_mdb_err(rc);
	for (rc = mdb_cursor_get(c, &key, &val, MDB_FIRST); !rc;
	     rc = mdb_cursor_get(c, &key, &val, MDB_NEXT), want++) {
		osm_key_u64(&k, want);
		if (key.mv_size != 8 || memcmp(key.mv_data, k.b, 8) ||
		    osm_rec_decode(OSM_TAB_AUDIT, val.mv_data, val.mv_size, &a) ||
		    a.seq != want) {
			err = OSM_STORE_EAUDIT;
			break;
		}
		crypto_generichash_state st;

		crypto_generichash_init(&st, NULL, 0, OSM_HASH_LEN);
		crypto_generichash_update(&st, prev, OSM_HASH_LEN);
		crypto_generichash_update(&st, val.mv_data,
					  val.mv_size - OSM_HASH_LEN);
		crypto_generichash_final(&st, h, OSM_HASH_LEN);
		if (sodium_memcmp(h, a.hash, OSM_HASH_LEN)) {
			err = OSM_STORE_EAUDIT;
			break;
		}
		memcpy(prev, h, OSM_HASH_LEN);
	}
	mdb_cursor_close(c);
	if (!err && rc != MDB_NOTFOUND)
		return osm_mdb_err(rc);
	/* the head must name the last record: catches a cut tail */
	if (!err && (head != want - 1 ||
		     sodium_memcmp(head_hash, prev, OSM_HASH_LEN))) {
		err = OSM_STORE_EAUDIT;
		if (head == want - 1)
			want--;
	}
	if (err && bad)
		*bad = want;
	return err;
}

/* Rewrite from the first record erase() selects: selected records become
 * OSM_AUDIT_ERASED markers, every later one is re-hashed. */
int osm_audit_reseal(struct osm_txn *t,
		     bool (*erase)(const struct osm_rec_audit *, void *),
		     void *arg, unsigned long *n_erased)
{
	uint8_t prev[OSM_HASH_LEN], head_hash[OSM_HASH_LEN];
	struct osm_rec_audit a;
	uint64_t seq, head;
	bool sealing = false;
	struct osm_key k;
	int err;

	*n_erased = 0;
	memset(prev, 0, sizeof(prev));
	err = osm_audit_head(t, &head, head_hash);
	for (seq = 1; !err && seq <= head; seq++) {
		osm_key_u64(&k, seq);
		err = osm_tab_get(t, OSM_TAB_AUDIT, &k, &a);
		if (err)
			break;
		if (erase(&a, arg)) {
			/* keeps seq and time: only who and what go */
			a.kind = OSM_AUDIT_ERASED;
			a.person[0] = '\0';
			a.detail[0] = '\0';
			sealing = true;
			++*n_erased;
		}
		if (sealing)
			err = osm_audit_put(t, &a, prev);
		memcpy(prev, a.hash, OSM_HASH_LEN);
	}
	sodium_memzero(&a, sizeof(a));
	return err;
}
