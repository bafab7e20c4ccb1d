// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric: the building fabric's control tool. This file is only the
 * command table and the global options; each command lives in its file. */
#include <stdio.h>
#include <string.h>
#include <getopt.h>
#include "cli.h"
#include "osm_keys.h"

static const struct osm_cmd commands[] = {
	{ "version", osm_cmd_version, "print the version" },
	{ "load", osm_cmd_load, "load a room switch onto its ports" },
	{ "unload", osm_cmd_unload, "detach a switch, remove its maps" },
	{ "status", osm_cmd_status, "loaded switches, ports, program" },
	{ "circuit", osm_cmd_circuit, "add, del, list, key circuits" },
	{ "port", osm_cmd_port, "set a port's role (mgmt, fabric)" },
	{ "stats", osm_cmd_stats, "drops by reason, per-circuit counters" },
	{ "topology", osm_cmd_topology, "apply or show the building topology" },
	{ "person", osm_cmd_person, "a person enters, moves, leaves" },
	{ "engine", osm_cmd_engine, "circuits in the store; verify maps" },
	{ "daemon", osm_cmd_daemon, "serve presence events on a socket" },
	{ "reload", osm_cmd_reload, "the daemon reads the store again" },
	{ "events", osm_cmd_events, "the daemon's recent events, timed" },
	{ "graph", osm_cmd_graph, "the circuit graph as DOT, SVG, PNG" },
	{ "audit", osm_cmd_audit, "show, verify or archive the audit chain" },
	{ "forget", osm_cmd_forget, "erase a person from the store (GDPR)" },
	{ "device", osm_cmd_device, "write a firmware device's blob" },
	{ "metrics", osm_cmd_metrics, "counters in Prometheus text format" },
	{ "peer", osm_cmd_peer, "peer buildings: key, add, epoch, del" },
	{ "remote", osm_cmd_remote, "circuits with a peer building" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: osm-fabric [-j|--json] [-v] [--show-keys] "
		   "[--store DIR] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'osm-fabric COMMAND --help' for a command's options; "
		   "man osm-fabric (docs/osm-fabric.8).\n");
}

/* The global options may also follow the command, anywhere before a
 * "--": they are taken out of the command's arguments here, so that every
 * command accepts them alike. No command has an option of these names,
 * and no value a command takes begins with '-' where these could stand.
 * Returns the command's new argc, or -1 (error printed). */
static int globals_after(int argc, char **argv)
{
	int i, n = 1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			osm_opts.json = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			osm_opts.verbose = true;
		} else if (!strcmp(a, "--show-keys")) {
			osm_opts.show_keys = true;
		} else if (!strncmp(a, "--store=", 8)) {
			if (!a[8]) {
				osm_err("option '--store' needs a directory");
				return -1;
			}
			osm_opts.store = a + 8;
		} else if (!strcmp(a, "--store")) {
			if (i + 1 == argc) {
				osm_err("option '--store' needs a directory");
				return -1;
			}
			osm_opts.store = argv[++i];
		} else {
			argv[n++] = argv[i];
		}
	}
	argv[n] = NULL;
	return n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "show-keys", no_argument, NULL, 'K' },
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	size_t i;
	int c;

	/* the store's root key, session and circuit keys pass through here */
	if (osm_keys_nodump())
		return osm_err("cannot keep keys out of core dumps");

	/* '+': stop at the command name; its options are its own. */
	opterr = 0;	/* one line of ours */
	while ((c = getopt_long(argc, argv, "+jvh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': osm_opts.json = true; break;
		case 'v': osm_opts.verbose = true; break;
		case 'K': osm_opts.show_keys = true; break;
		case 'S': osm_opts.store = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': return osm_cmd_version(1, argv);
		default:
			return osm_err("bad option '%s' (try 'osm-fabric "
				       "--help')", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[optind], commands[i].name)) {
			argc = globals_after(argc - optind, argv + optind);
			if (argc < 0)
				return 1;
			return commands[i].fn(argc, argv + optind);
		}
	}
	return osm_err("unknown command '%s' (try 'osm-fabric --help')",
		       argv[optind]);
}
