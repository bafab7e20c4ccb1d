/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The peer and remote requests (peer-add, peer-epoch, peer-del,
 * remote-add, remote-close of the daemon's line protocol), run on an
 * engine: by the daemon that owns the store, or by the command itself
 * when none does. One code path, one set of messages. */
#ifndef OSM_CLI_REMOTE_H
#define OSM_CLI_REMOTE_H

#include <stddef.h>
#include <jansson.h>
#include "engine.h"
#include "line.h"

/* Whether req is one of them. */
int osm_remote_req(const struct osm_line_req *req);

/*
 * Run it on e. Returns 0 with its reply in *out (a new reference), or 1
 * with one line in msg (cap bytes): what went wrong, for the operator.
 */
int osm_remote_do(struct osm_engine *e, struct osm_line_req *req,
		  json_t **out, char *msg, size_t cap);

/*
 * The command's side: send line to the store's daemon if one runs, else
 * parse it and run it here on an engine of the store (netns_prefix for
 * the ports' interfaces). Returns 0 with the reply in *out, or 1 after
 * printing one error line starting with what.
 */
int osm_remote_run(const char *what, const char *line,
		   const char *netns_prefix, json_t **out);

#endif
