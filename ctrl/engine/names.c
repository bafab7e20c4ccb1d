// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The engine's words: a message for every code its functions return,
 * and the names of event kinds and change ops in its output. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "engine_int.h"

const char *osm_engine_strerror(int err)
{
	switch (err) {
	case OSM_ENGINE_ENOPERSON: return "person is not present";
	case OSM_ENGINE_EPRESENT: return "person is present already";
	case OSM_ENGINE_ENOROOM: return "no such room";
	case OSM_ENGINE_ESAMEROOM: return "person is in that room already";
	case OSM_ENGINE_ENOSWITCH: return "a switch on the path is not loaded";
	case OSM_ENGINE_ENOPORT:
		return "a port's interface is missing on its switch";
	case OSM_ENGINE_ENOPATH: return "no uplink path between the rooms";
	case OSM_ENGINE_EMAPFULL: return "a switch's circuit table is full";
	case OSM_ENGINE_ENOMGMT:
		return "no management port in the topology (for the "
		       "controller)";
	default:
		if (err <= -31000 && err > -32000)
			return osmdb_strerror(err);
		/* -INT_MIN overflows: no errno is that */
		return err == INT_MIN ? "unknown error" : strerror(-err);
	}
}

const char *osm_engine_kind_name(unsigned kind)
{
	static const char *const n[] = { "?", "enter", "move", "leave",
					 "link-down", "link-up" };

	return kind < 6 ? n[kind] : "?";
}

const char *osm_engine_op_name(unsigned op)
{
	static const char *const n[] = { "?", "add", "del", "rotate", "down",
					 "up" };

	return op < 6 ? n[op] : "?";
}

const char *osm_engine_error(struct osm_engine *e, int err)
{
	if (err == OSM_ENGINE_EMAPFULL && e->why[0])
		return e->why;
	if ((err == -ENOSPC || err == -EIO) && e->st)
		return osmdb_explain(e->st, err, e->why, sizeof(e->why));
	return osm_engine_strerror(err);
}
