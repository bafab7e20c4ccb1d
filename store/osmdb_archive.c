// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Audit archives: the records pruned from the store, in a text file that
 * verifies on its own (docs/store.md, "Audit archives"):
 *
 *   osm-fabric audit archive 1
 *   base SEQ HASH          the record before the first, and its hash
 *   record VALUE           each stored value (body || hash), in hex
 *   end SEQ HASH           the last record, and its hash
 *
 * HASH is 64 lower-case hex digits. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "osmdb_int.h"
#include "osmdb_audit.h"

#define MAGIC	"osm-fabric audit archive 1"
/* the longest line: "record " and a value in hex, newline, NUL */
#define LINE_MAX_LEN	(7 + 2 * (OSMDB_REC_MAX + OSMDB_HASH_LEN) + 2)

static int put_mark(FILE *f, const char *what, uint64_t seq,
		    const uint8_t hash[OSMDB_HASH_LEN])
{
	char hex[2 * OSMDB_HASH_LEN + 1];

	sodium_bin2hex(hex, sizeof(hex), hash, OSMDB_HASH_LEN);
	return fprintf(f, "%s %" PRIu64 " %s\n", what, seq, hex) < 0 ? -EIO
								      : 0;
}

int osmdb_archive_write(struct osmdb_txn *t, uint64_t upto, FILE *f,
			struct osmdb_archive_info *info)
{
	char hex[2 * (OSMDB_REC_MAX + OSMDB_HASH_LEN) + 1];
	uint8_t prev[OSMDB_HASH_LEN];
	struct osmdb_rec_audit a;
	uint64_t seq;
	MDB_val key, val;
	struct osmdb_key k;
	MDB_cursor *c;
	int rc, err;

	memset(info, 0, sizeof(*info));
	err = osmdb_audit_base(t, &info->base, info->base_hash) ?:
	      osmdb_audit_verify(t, NULL);
	if (err)
		return err;
	if (fprintf(f, "%s\n", MAGIC) < 0 ||
	    put_mark(f, "base", info->base, info->base_hash))
		return -EIO;
	memcpy(prev, info->base_hash, OSMDB_HASH_LEN);
	rc = mdb_cursor_open(t->txn, t->s->dbi[OSMDB_TAB_AUDIT], &c);
	if (rc)
		return osmdb_mdb_err(rc);
	seq = info->base + 1;
	osmdb_key_u64(&k, seq);
	key.mv_size = 8;
	key.mv_data = k.b;
	for (rc = mdb_cursor_get(c, &key, &val, MDB_SET_KEY);
	     !rc && seq <= upto;
	     rc = mdb_cursor_get(c, &key, &val, MDB_NEXT), seq++) {
		err = osmdb_audit_link(val.mv_data, val.mv_size, seq, prev,
				       &a);
		if (err)
			break;
		sodium_bin2hex(hex, sizeof(hex), val.mv_data, val.mv_size);
		if (fprintf(f, "record %s\n", hex) < 0) {
			err = -EIO;
			break;
		}
	}
	mdb_cursor_close(c);
	sodium_memzero(&a, sizeof(a));
	if (err)
		return err;
	if (rc && rc != MDB_NOTFOUND)
		return osmdb_mdb_err(rc);
	if (seq <= upto || upto <= info->base)
		return -ERANGE;		/* upto is past the head, or before */
	info->end = upto;
	memcpy(info->end_hash, prev, OSMDB_HASH_LEN);
	if (put_mark(f, "end", upto, prev) || fflush(f))
		return -EIO;
	return 0;
}

/* "WHAT SEQ HASH" */
static int get_mark(const char *line, const char *what, uint64_t *seq,
		    uint8_t hash[OSMDB_HASH_LEN])
{
	size_t n = strlen(what), len;
	const char *p = line + n + 1, *end;
	char *q;

	if (strncmp(line, what, n) || line[n] != ' ' || *p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	*seq = strtoull(p, &q, 10);
	if (errno || *q != ' ' || (*p == '0' && q != p + 1))
		return -EINVAL;
	p = q + 1;
	len = strlen(p);
	if (len != 2 * OSMDB_HASH_LEN + 1 || p[len - 1] != '\n')
		return -EINVAL;
	return sodium_hex2bin(hash, OSMDB_HASH_LEN, p, len - 1, NULL, &n,
			      &end) || n != OSMDB_HASH_LEN ||
			       end != p + len - 1
		       ? -EINVAL
		       : 0;
}

int osmdb_archive_read(FILE *f, struct osmdb_archive_info *info,
		       int (*cb)(const struct osmdb_rec_audit *, void *),
		       void *arg, uint64_t *bad)
{
	char line[LINE_MAX_LEN];
	uint8_t v[OSMDB_REC_MAX + OSMDB_HASH_LEN];
	uint8_t prev[OSMDB_HASH_LEN];
	struct osmdb_rec_audit a;
	uint64_t lineno = 2, seq, ignored;
	const char *end;
	size_t len, n;
	int err = 0;

	if (!bad)
		bad = &ignored;
	*bad = 1;
	memset(info, 0, sizeof(*info));
	if (!fgets(line, sizeof(line), f) || strcmp(line, MAGIC "\n"))
		return -EINVAL;
	*bad = 2;
	if (!fgets(line, sizeof(line), f) ||
	    get_mark(line, "base", &info->base, info->base_hash))
		return -EINVAL;
	memcpy(prev, info->base_hash, OSMDB_HASH_LEN);
	seq = info->base;
	while (fgets(line, sizeof(line), f)) {
		*bad = ++lineno;
		len = strlen(line);
		if (strncmp(line, "record ", 7))
			break;
		if (len < 8 || line[len - 1] != '\n' ||
		    sodium_hex2bin(v, sizeof(v), line + 7, len - 8, NULL, &n,
				   &end) || end != line + len - 1 ||
		    n <= OSMDB_HASH_LEN)
			return -EINVAL;
		if (seq == UINT64_MAX ||
		    osmdb_audit_link(v, n, seq + 1, prev, &a)) {
			*bad = seq + 1;
			return OSMDB_EAUDIT;
		}
		seq++;
		if (cb && (err = cb(&a, arg)))
			break;
	}
	sodium_memzero(&a, sizeof(a));
	if (err)
		return err;
	if (get_mark(line, "end", &info->end, info->end_hash) ||
	    fgets(line, sizeof(line), f))
		return -EINVAL;		/* no end line, or more after it */
	if (info->end != seq || info->end == info->base ||
	    sodium_memcmp(info->end_hash, prev, OSMDB_HASH_LEN)) {
		*bad = seq + 1;		/* records cut from the end */
		return OSMDB_EAUDIT;
	}
	return 0;
}
