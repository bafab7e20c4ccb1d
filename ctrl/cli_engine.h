/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What the engine commands (person, events, engine, daemon) share:
 * starting an engine on the store, printing an event as text or JSON. */
#ifndef OSM_CLI_ENGINE_H
#define OSM_CLI_ENGINE_H

#include <stdio.h>
#include <jansson.h>
#include "engine.h"

/* Open the store (read-write) and an engine on it with options o (NULL:
 * none). Prints the error line and returns 1 on failure. */
int osm_cli_engine_open(struct osmdb **st, struct osm_engine **e,
			const struct osm_engine_opts *o);
/* The same, but a daemon that writes the store (it started meanwhile) is
 * not said: returns -EAGAIN, to ask it instead. */
int osm_cli_engine_try(struct osmdb **st, struct osm_engine **e,
		       const struct osm_engine_opts *o);
/* Close them; the mark below, if this process made it, goes too. */
void osm_cli_engine_close(struct osmdb *st, struct osm_engine *e);

/*
 * A writer of the maps marks the store (STORE/maps.dirty) for as long as
 * it holds it, so that one killed mid-change (a daemon, or a command
 * doing an event itself) leaves the mark behind, and the next writer
 * that finds it (reconcile: 1) reconciles the maps with the store
 * before anything else; reconcile 0: the caller has just reconciled. A
 * reconcile that fails is said on stderr, and the mark stays.
 */
void osm_cli_engine_mark(struct osmdb *st, struct osm_engine *e,
			int reconcile);

/* An event as a JSON object (new reference). */
json_t *osm_cli_event_json(const struct osm_engine_event *ev);

/* An event as text: a header line, then one indented line a change.
 * anon: name no person (not even through a personal device), as the
 * daemon's log does, which erasure cannot reach. */
void osm_cli_event_print(FILE *f, const struct osm_engine_event *ev,
			 int anon);

/* The daemon's socket: --socket PATH, else the one the store's writer
 * (its daemon) names in its lock, else STORE/engine.sock. */
const char *osm_cli_socket(const char *given, char *buf, size_t len);

/*
 * Send one request line (without newline) to the daemon at sock and read
 * its one reply line into reply (NUL-terminated, newline removed).
 * Returns 0, -ENOENT or -ECONNREFUSED (no daemon there), -EMSGSIZE
 * (reply longer than len), -EPROTO (closed without a reply), -errno.
 */
int osm_cli_daemon(const char *sock, const char *line, char *reply,
		   size_t len);

/*
 * One request line to the daemon at sock, and its reply. Returns 0 with
 * the JSON of an "ok" reply in *out (a new reference); 1 with an "error"
 * reply's "CODE MESSAGE" in err; -ENOENT or -ECONNREFUSED (no daemon
 * there), -EPROTO (no reply, or not one of the protocol's), -errno.
 */
#define OSM_CLI_ERR_MAX	1024
int osm_cli_request(const char *sock, const char *line, json_t **out,
		    char err[OSM_CLI_ERR_MAX]);

/* The reply line of osm_cli_daemon read as osm_cli_request does: 0 with
 * the JSON of "ok JSON" in *out (a new reference), 1 with the
 * "CODE MESSAGE" of "error CODE MESSAGE" in err, -EPROTO for anything
 * else (an "ok" whose JSON does not parse included). */
int osm_cli_reply(const char *reply, json_t **out,
		  char err[OSM_CLI_ERR_MAX]);

/*
 * Send one request line to the daemon that writes the store, if one does
 * (the socket named in the store's writer lock). Returns 0 with its
 * reply's JSON in *out (a new reference), -ENOENT if no daemon writes
 * the store (the command may then do it here, taking the lock), or 1
 * after printing one error line ("WHAT: ..."): the daemon's error, or
 * why it could not be asked.
 */
int osm_cli_via_daemon(const char *what, const char *line, json_t **out);

/* An event from its JSON (osm_cli_event_json's shape) back into *ev, for
 * printing what the daemon did. Returns 0 or -EINVAL. */
int osm_cli_event_from_json(json_t *o, struct osm_engine_event *ev);

#endif
