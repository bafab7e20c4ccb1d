/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What the engine commands (person, events, engine, daemon) share:
 * starting an engine on the store, printing an event as text or JSON. */
#ifndef OSM_CLI_ENGINE_H
#define OSM_CLI_ENGINE_H

#include <stdio.h>
#include <jansson.h>
#include "engine.h"

/* Open the store (read-write) and an engine on it; netns_prefix may be
 * NULL. Prints the error line and returns 1 on failure. */
int osm_cli_engine_open(struct osm_store **st, struct osm_engine **e,
			const char *netns_prefix);
void osm_cli_engine_close(struct osm_store *st, struct osm_engine *e);

/* An event as a JSON object (new reference). */
json_t *osm_cli_event_json(const struct osm_engine_event *ev);

/* An event as text: a header line, then one indented line a change. */
void osm_cli_event_print(FILE *f, const struct osm_engine_event *ev);

#endif
