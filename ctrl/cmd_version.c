// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric version */
#include <stdio.h>
#include "cli.h"
#include "osm_proto.h"
#include "osm_version.h"

int osm_cmd_version(int argc, char **argv)
{
	if (argc == 2 && osm_is_help(argv[1])) {
		printf("usage: osm-fabric [-j] version\n"
		       "The release and the wire protocol version (also "
		       "osm-fabric --version).\n");
		return 0;
	}
	if (argc > 1)
		return osm_err("version: takes no arguments");
	if (osm_opts.json)
		return osm_json_print(json_pack("{s:s, s:i}", "version",
						 OSM_FABRIC_VERSION, "protocol",
						 OSM_VERSION));
	printf(OSM_VERSION_LINE("osm-fabric"), OSM_VERSION);
	return 0;
}
