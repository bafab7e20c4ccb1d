// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric unload: a room switch detached from every port, its pins
 * removed (whichever build loaded it). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "cli_switch.h"

static void unload_usage(FILE *f)
{
	fprintf(f, "usage: osm-fabric unload [-n NETNS] SWITCH\n"
		   "Detach the switch program from its ports and remove its "
		   "pinned maps.\n");
}

int osm_cmd_unload(int argc, char **argv)
{
	const char *netns = NULL, *name;
	uint32_t ifx, ports[OSM_MAX_PORTS];
	struct osm_switch *sw;
	int c, i, n = 0, err;

	c = osm_swcli_netns_only(argc, argv, &netns, unload_usage);
	if (c)
		return c < 0 ? 0 : c;
	if (argc - optind != 1)
		return osm_err("unload: need exactly one switch name");
	name = argv[optind];
	/* A switch another build loaded can still be taken down. */
	if (osm_swcli_setup(netns) || osm_swcli_open_any(name, &sw))
		return 1;
	/* Collect first: detaching deletes from the map we iterate. */
	while (n < OSM_MAX_PORTS &&
	       osm_switch_port_next(sw, n ? &ports[n - 1] : NULL, &ifx) == 0)
		ports[n++] = ifx;
	for (i = 0; i < n; i++) {
		err = osm_switch_detach(sw, ports[i]);
		if (err) {
			osm_switch_close(sw);
			return osm_err("cannot detach from ifindex %u: %s",
				       ports[i], strerror(-err));
		}
	}
	osm_switch_close(sw);
	err = osm_switch_unpin(name);
	if (err)
		return osm_err("cannot remove pins of '%s': %s", name,
			       strerror(-err));
	if (!osm_opts.json)
		printf("switch %s: unloaded from %d port%s\n", name, n,
		       n == 1 ? "" : "s");
	else
		return osm_json_print(json_pack("{s:s, s:i}", "switch", name,
						 "ports", n));
	return 0;
}
