/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The building's gateways as status, stats and metrics show them: each
 * peer of the store names its gateway and that osm-gw's control socket,
 * whose stats (and circuits) are read. */
#ifndef OSM_CLI_GATEWAY_H
#define OSM_CLI_GATEWAY_H

#include <jansson.h>
#include "osmdb.h"

/*
 * A JSON array, one object per peer (by name): {"gateway", "peer",
 * "socket", "reachable": bool, and when reachable "stats": osm-gw's
 * stats reply and, with circuits, "circuits": [{"id", "frames", "bytes",
 * "drops"}]}. only: that gateway's peers alone (NULL: all). st: the
 * store (NULL: opened read-only here; no store, no gateways). NULL if
 * out of memory.
 */
json_t *osm_cli_gateways(struct osmdb *st, const char *only, int circuits);

#endif
