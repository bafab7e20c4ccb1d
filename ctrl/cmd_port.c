// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric port set: mark a switch port as management/uplink (frames
 * that are not circuit frames go up to the kernel) or plain fabric. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "cli_switch.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: osm-fabric port set [-n NETNS] SWITCH IFNAME "
		   "(--mgmt | --fabric)\n"
		   "--mgmt: frames that are not circuit frames pass to the "
		   "kernel (management\nor uplink port). --fabric: they are "
		   "dropped (the default). Circuit frames\nare enforced on "
		   "every port.\n");
}

static int cmd_set(int argc, char **argv)
{
	static const struct option opts[] = {
		OSM_SWCLI_NETNS_OPT,
		{ "mgmt", no_argument, NULL, 'm' },
		{ "fabric", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *netns = NULL;
	struct osm_switch *sw;
	uint32_t ifx, flags = 0;
	int c, role = -1, err;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': netns = optarg; break;
		case 'm': role = OSM_PF_MGMT; break;
		case 'f': role = 0; break;
		case 'h': usage(stdout); return 0;
		default: return osm_swcli_badopt(argv);
		}
	}
	if (argc - optind != 2)
		return osm_err("port set: need SWITCH and IFNAME");
	if (role < 0)
		return osm_err("port set: give --mgmt or --fabric");
	if (osm_swcli_setup(netns) || osm_swcli_ifindex(argv[optind + 1], &ifx)
	    || osm_swcli_open(argv[optind], &sw))
		return 1;
	err = osm_switch_port_get(sw, ifx, &flags);
	if (!err)
		err = osm_switch_port_set(sw, ifx,
					  (flags & ~OSM_PF_MGMT) | (uint32_t)role);
	osm_switch_close(sw);
	if (err == -ENOENT)
		return osm_err("'%s' is not a port of switch '%s'",
			       argv[optind + 1], argv[optind]);
	if (err)
		return osm_err("port set: %s", strerror(-err));
	return 0;
}

int osm_cmd_port(int argc, char **argv)
{
	if (argc < 2)
		return osm_err("port: need a subcommand: set (see --help)");
	if (osm_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "set"))
		return cmd_set(argc - 1, argv + 1);
	return osm_err("port: unknown subcommand '%s' (set)", argv[1]);
}
