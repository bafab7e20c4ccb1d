// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric reload: the running daemon reads the topology and the live
 * state from the store again and makes the switches' maps agree (after a
 * switch was unloaded and loaded again, say). Only a daemon has anything
 * to reload: without one, every command reads the store afresh. */
#include <errno.h>
#include <stdio.h>
#include "cli.h"
#include "cli_engine.h"

int osm_cmd_reload(int argc, char **argv)
{
	json_int_t fixed;
	json_t *j;
	int err;

	if (osm_wants_help(argc, argv)) {
		printf("usage: osm-fabric [--store DIR] [-j] reload\n"
		       "The store's daemon reads the topology and the live "
		       "state again and makes\nthe switches' maps agree; "
		       "prints the number of map changes.\n");
		return 0;
	}
	if (argc != 1)
		return osm_err("reload: unexpected '%s' (usage: reload)",
			       argv[1]);
	err = osm_cli_via_daemon("reload", "reload", &j);
	if (err == -ENOENT)
		return osm_err("reload: no daemon runs on this store (without "
			       "one, 'engine reconcile' makes the maps agree)");
	if (err)
		return err;
	if (osm_opts.json)
		return osm_json_print(j);
	fixed = json_integer_value(json_object_get(j, "fixed"));
	printf("reloaded; %lld map change%s\n", (long long)fixed,
	       fixed == 1 ? "" : "s");
	json_decref(j);
	return 0;
}
