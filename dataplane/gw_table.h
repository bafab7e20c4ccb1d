/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The gateway's circuit table: struct osm_circuit values by circuit id in
 * an rte_hash that readers (the forwarding lcores) search without locks
 * (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF), and one writer (the control
 * thread) changes while they run. A value is never changed in place: a
 * new entry replaces it, and the old one is freed after an RCU grace
 * period (rte_rcu_qsbr: every reader has passed a quiescent state since),
 * so a reader holds the old or the new circuit whole, never half of
 * each. A circuit's fast-path state (window, bucket, counters) lives
 * apart and goes from entry to entry on a replace, as the switch's
 * circuit_state map does. */
#ifndef OSM_GW_TABLE_H
#define OSM_GW_TABLE_H

#include <stdint.h>
#include <rte_hash.h>
#include <rte_rcu_qsbr.h>
#include "osm_proto.h"

/* A circuit's fast-path state and counters, kept across replaces. */
struct gw_state {
	struct osm_circuit_state st;
	struct osm_circuit_stats stats;	/* atomic adds */
};

struct gw_entry {
	struct osm_circuit c;
	struct gw_state *st;
};

struct gw_table {
	struct rte_hash *h;
	struct rte_rcu_qsbr *rcu;	/* the readers' */
	unsigned int writer_id;		/* the writer's RCU thread id, if it
					 * also reads; RTE_QSBR_THRID_INVALID */
};

/* A table of up to max circuits named name (rte_hash names are global
 * in a process), its readers registered in rcu. 0 or -errno. */
int gw_table_create(struct gw_table *t, const char *name, uint32_t max,
		    struct rte_rcu_qsbr *rcu);
void gw_table_free(struct gw_table *t);

/* Writer: install c, or replace the circuit of its id keeping its state.
 * Returns 0, -ENOSPC (table full), -ENOMEM. Returns after the grace
 * period that frees the replaced value. */
int gw_table_set(struct gw_table *t, const struct osm_circuit *c);

/* Writer: remove circuit id and its state. 0 or -ENOENT. */
int gw_table_del(struct gw_table *t, uint32_t id);

/* Writer or reader: circuit id's counters. 0 or -ENOENT. */
int gw_table_stats(const struct gw_table *t, uint32_t id,
		   struct osm_circuit_stats *s);

/* Writer: how many circuits the table holds. */
uint32_t gw_table_count(const struct gw_table *t);

/* Writer: the ids of up to cap circuits into ids, ascending; returns
 * how many. */
uint32_t gw_table_ids(const struct gw_table *t, uint32_t *ids, uint32_t cap);

/* Reader (an online RCU thread, between quiescent states): the entry of
 * circuit id, or NULL. */
static inline struct gw_entry *gw_table_find(const struct gw_table *t,
					     uint32_t id)
{
	void *e;

	return rte_hash_lookup_data(t->h, &id, &e) < 0 ? NULL : e;
}

#endif
