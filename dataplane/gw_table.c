// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The gateway's circuit table (gw_table.h): lock-free readers, one
 * writer, values freed after an RCU grace period. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include "gw_table.h"

int gw_table_create(struct gw_table *t, const char *name, uint32_t max,
		    struct rte_rcu_qsbr *rcu)
{
	struct rte_hash_parameters p = {
		.name = name,
		.entries = max < 8 ? 8 : max,
		.key_len = sizeof(uint32_t),
		.hash_func = rte_hash_crc,
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	memset(t, 0, sizeof(*t));
	t->rcu = rcu;
	t->writer_id = RTE_QSBR_THRID_INVALID;
	t->h = rte_hash_create(&p);
	return t->h ? 0 : -(rte_errno ? rte_errno : ENOMEM);
}

/* Every reader has left what it held before now. */
static void grace(struct gw_table *t)
{
	rte_rcu_qsbr_synchronize(t->rcu, t->writer_id);
}

void gw_table_free(struct gw_table *t)
{
	const void *key;
	void *data;
	uint32_t next = 0;

	if (!t->h)
		return;
	grace(t);
	while (rte_hash_iterate(t->h, &key, &data, &next) >= 0) {
		struct gw_entry *e = data;

		free(e->st);
		explicit_bzero(&e->c, sizeof(e->c));	/* its hop keys */
		free(e);
	}
	rte_hash_free(t->h);
	t->h = NULL;
}

int gw_table_set(struct gw_table *t, const struct osm_circuit *c)
{
	struct gw_entry *old = gw_table_find(t, c->id), *e;
	int r;

	e = malloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->c = *c;
	if (old) {
		e->st = old->st;
	} else {
		/* a cache line of its own: two lcores' circuits never share
		 * one */
		e->st = aligned_alloc(64, (sizeof(*e->st) + 63) & ~63UL);
		if (!e->st) {
			free(e);
			return -ENOMEM;
		}
		memset(e->st, 0, sizeof(*e->st));
	}
	r = rte_hash_add_key_data(t->h, &c->id, e);
	if (r) {
		if (!old)
			free(e->st);
		explicit_bzero(e, sizeof(*e));
		free(e);
		return r == -ENOSPC ? -ENOSPC : -ENOMEM;
	}
	if (old) {
		grace(t);	/* no reader holds old now */
		explicit_bzero(&old->c, sizeof(old->c));
		free(old);
	}
	return 0;
}

int gw_table_del(struct gw_table *t, uint32_t id)
{
	struct gw_entry *e = gw_table_find(t, id);
	int32_t pos = rte_hash_del_key(t->h, &id);

	if (pos < 0 || !e)
		return -ENOENT;
	grace(t);
	rte_hash_free_key_with_position(t->h, pos);
	explicit_bzero(&e->c, sizeof(e->c));
	free(e->st);
	free(e);
	return 0;
}

int gw_table_stats(const struct gw_table *t, uint32_t id,
		   struct osm_circuit_stats *s)
{
	const struct gw_entry *e = gw_table_find(t, id);

	if (!e)
		return -ENOENT;
	s->frames = __atomic_load_n(&e->st->stats.frames, __ATOMIC_RELAXED);
	s->bytes = __atomic_load_n(&e->st->stats.bytes, __ATOMIC_RELAXED);
	s->drops = __atomic_load_n(&e->st->stats.drops, __ATOMIC_RELAXED);
	return 0;
}

uint32_t gw_table_count(const struct gw_table *t)
{
	int32_t n = rte_hash_count(t->h);

	return n < 0 ? 0 : (uint32_t)n;
}

static int by_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

uint32_t gw_table_ids(const struct gw_table *t, uint32_t *ids, uint32_t cap)
{
	const void *key;
	void *data;
	uint32_t next = 0, n = 0;

	while (n < cap && rte_hash_iterate(t->h, &key, &data, &next) >= 0)
		ids[n++] = *(const uint32_t *)key;
	qsort(ids, n, sizeof(*ids), by_id);
	return n;
}
