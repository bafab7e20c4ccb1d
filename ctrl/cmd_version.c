// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric version */
#include <stdio.h>
#include "cli.h"
#include "osm_proto.h"

#define OSM_FABRIC_VERSION "0.1.0"

int osm_cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return osm_err("version: takes no arguments");
	if (osm_opts.json)
		return osm_json_print(json_pack("{s:s, s:i}", "version",
						 OSM_FABRIC_VERSION, "protocol",
						 OSM_VERSION));
	printf("osm-fabric %s (protocol %d)\n", OSM_FABRIC_VERSION,
	       OSM_VERSION);
	return 0;
}
