/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What every osm-fabric subcommand shares: the command table entry, error
 * reporting (one line, exit 1), JSON output and global options. */
#ifndef OSM_CLI_H
#define OSM_CLI_H

#include <stdbool.h>
#include <jansson.h>

struct osm_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

/* Global options, parsed by main before the subcommand runs. */
struct osm_cli_opts {
	bool json;		/* -j/--json: machine output */
	bool verbose;		/* -v: libbpf and debug output */
	bool show_keys;		/* --show-keys: print key material */
	const char *store;	/* --store DIR: LMDB directory */
};
extern struct osm_cli_opts osm_opts;

/* osm_err(): one line "osm-fabric: <message>" on stderr, returns 1. */
#include "osm_err.h"

/* Print a JSON value on stdout (indented, then a newline) and free it.
 * Returns 0, or 1 if it could not be written. */
int osm_json_print(json_t *v);

/* True if argv[i] is -h or --help. */
bool osm_is_help(const char *arg);
/* True if any of argv[1..argc) before a "--" is -h or --help: a
 * command's help, wherever it was asked for. */
bool osm_wants_help(int argc, char **argv);

/* Subcommands, one file each (ctrl/cmd_<name>.c). */
int osm_cmd_version(int argc, char **argv);
int osm_cmd_load(int argc, char **argv);
int osm_cmd_unload(int argc, char **argv);
int osm_cmd_status(int argc, char **argv);
int osm_cmd_circuit(int argc, char **argv);
int osm_cmd_port(int argc, char **argv);
int osm_cmd_stats(int argc, char **argv);
int osm_cmd_topology(int argc, char **argv);
int osm_cmd_person(int argc, char **argv);
int osm_cmd_audit(int argc, char **argv);
int osm_cmd_forget(int argc, char **argv);
int osm_cmd_device(int argc, char **argv);
int osm_cmd_engine(int argc, char **argv);
int osm_cmd_daemon(int argc, char **argv);
int osm_cmd_events(int argc, char **argv);
int osm_cmd_graph(int argc, char **argv);
int osm_cmd_reload(int argc, char **argv);
int osm_cmd_metrics(int argc, char **argv);
int osm_cmd_peer(int argc, char **argv);
int osm_cmd_remote(int argc, char **argv);

#endif
