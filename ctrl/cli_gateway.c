// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* What the building's gateways say of themselves (cli_gateway.h). */
#include <stdlib.h>
#include <string.h>
#include "cli_gateway.h"
#include "cli_store.h"
#include "engine.h"

struct gws {
	json_t *a;
	const char *only;
};

static int peer_cb(const void *rec, void *arg)
{
	const struct osmdb_peer *p = rec;
	struct gws *g = arg;

	if (g->only && strcmp(g->only, p->gateway))
		return 0;
	return json_array_append_new(g->a, json_pack("{s:s, s:s, s:s}",
		"gateway", p->gateway, "peer", p->name, "socket", p->socket));
}

/* osm-gw's JSON reply to line, or NULL. */
static json_t *ask(const char *sock, const char *line, char *buf, size_t cap)
{
	if (osm_engine_gw_ask(sock, line, buf, cap))
		return NULL;
	return json_loads(buf + 3, 0, NULL);
}

/* Each circuit osm-gw holds, with its counters. */
static json_t *circuits_of(const char *sock, char *buf, size_t cap)
{
	json_t *list = ask(sock, "list", buf, cap), *out = json_array(), *v, *s;
	char line[32];
	size_t i;

	json_array_foreach(json_object_get(list, "circuits"), i, v) {
		snprintf(line, sizeof(line), "circuit-stats %lld",
			 json_integer_value(v));
		s = ask(sock, line, buf, cap);
		if (!s)
			continue;	/* gone meanwhile */
		json_object_set_new(s, "id", json_integer(json_integer_value(v)));
		json_array_append_new(out, s);
	}
	json_decref(list);
	return out;
}

json_t *osm_cli_gateways(struct osmdb *st, const char *only, int circuits)
{
	struct gws g = { json_array(), only };
	const size_t cap = 2 << 20;	/* osm-gw's largest `list` */
	struct osmdb_txn *t;
	struct osmdb *own = NULL;
	char *buf = malloc(cap);
	json_t *o, *s;
	size_t i;

	if (!g.a || !buf) {
		free(buf);
		json_decref(g.a);
		return NULL;
	}
	if (!st && !osmdb_open(&own, osm_cli_store_dir(), OSMDB_RDONLY, 0))
		st = own;
	if (st && !osmdb_txn_begin(st, OSMDB_TXN_RDONLY, &t)) {
		osmdb_peer_foreach(t, peer_cb, &g);
		osmdb_txn_abort(t);
	}
	if (own)
		osmdb_close(own);
	json_array_foreach(g.a, i, o) {
		const char *sock = json_string_value(json_object_get(o,
								     "socket"));

		s = ask(sock, "stats", buf, cap);
		json_object_set_new(o, "reachable", json_boolean(s));
		if (!s)
			continue;
		json_object_set_new(o, "stats", s);
		if (circuits)
			json_object_set_new(o, "circuits",
					    circuits_of(sock, buf, cap));
	}
	free(buf);
	return g.a;
}
