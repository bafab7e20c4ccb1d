/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What the store commands share: opening the store named by --store. */
#ifndef OSM_CLI_STORE_H
#define OSM_CLI_STORE_H

#include <jansson.h>
#include "osmdb.h"

#define OSM_DEFAULT_STORE "/var/lib/osm-fabric"

/* The store directory: --store DIR or the default. */
const char *osm_cli_store_dir(void);

/* Open the store (OSMDB_* flags). Returns 0, or prints one
 * "osm-fabric: store DIR: problem" line and returns 1. Another command
 * holding the store is waited for (osm_cli_writer_wait). */
int osm_cli_store_open(struct osmdb **s, unsigned flags);
/* The same, but a daemon that writes the store is not an error said:
 * returns -EAGAIN (ask it instead, osm_cli_via_daemon). */
int osm_cli_store_try(struct osmdb **s, unsigned flags);

/* Open the store read-only and run fn(txn, arg) in a read transaction.
 * Returns fn's result, or 1 after printing the error if the store cannot
 * be opened (what names the command in the message). */
int osm_cli_read(const char *what, int (*fn)(struct osmdb_txn *, void *),
		 void *arg);

/* Wait while another process holds the store's writer lock without
 * naming a socket (a command, or a daemon not yet listening), at most
 * 10 s. Returns 0: nobody writes it now; 1: its daemon does (its pid in
 * *pid, its socket in note); 2: someone else still does. */
int osm_cli_writer_wait(long *pid, char *note, size_t cap);

/* The one line for a store another process writes (OSMDB_EWRITER): who,
 * and the socket of its daemon if it is one. Returns 1. */
int osm_cli_writer_err(const char *dir);

/* Apply the topology in file to store s in one transaction. Returns 0
 * with *summary (a new JSON object: the building and its counts), or 1
 * with the one error line (file and line of a bad one) in msg. */
int osm_cli_topology_apply(struct osmdb *s, const char *file,
			   json_t **summary, char *msg, size_t len);
/* The same for topo, parsed from file already. */
struct osmdb_topo;
int osm_cli_topology_put(struct osmdb *s, const struct osmdb_topo *topo,
			 const char *file, json_t **summary, char *msg,
			 size_t len);
/* Print what topology apply reports, as text or (-j) JSON; frees sum. */
int osm_cli_topology_print(json_t *sum);

/* Print "osm-fabric: WHAT: <store error>" and return 1. */
int osm_cli_store_err(const char *what, int err);

/* Format a CLOCK_REALTIME time in ns as ISO 8601 UTC into buf (32). */
void osm_cli_time(char buf[32], uint64_t ns);

#endif
