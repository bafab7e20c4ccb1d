// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric status: loaded switches, their program, ports and circuit
 * count (and how many are down). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cli_gateway.h"
#include "cli_store.h"
#include "cli_switch.h"
#include "osm_endpoint.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: osm-fabric status [-n NETNS] [SWITCH]\n"
		   "Show the loaded switches (or one): program id, verifier "
		   "instruction count,\nports with their flags and whether the "
		   "program is attached, circuit count; first, the size of "
		   "the store\n(--store) and its headroom, if there is one; last, the "
		   "gateways of the store's\npeers (osm-gw): their link and "
		   "frame counts. SWITCH may name a gateway.\n");
}

/* A port: its role, whether the program is attached, its link as the
 * kernel has it now, and whether frames may leave by it (tx_ports: a
 * link watcher takes a down port out, see osm-fabric port watch). */
static json_t *port_json(struct osm_switch *sw, uint32_t ifx, int print)
{
	char name[IF_NAMESIZE];
	uint32_t flags = 0;
	uint64_t txerr;
	int att, link, tx;

	osm_switch_port_get(sw, ifx, &flags);
	att = osm_switch_attached(sw, ifx);
	link = osm_swcli_link_up(ifx);
	tx = osm_switch_port_tx(sw, ifx);
	txerr = osm_switch_port_tx_errors(sw, ifx);
	osm_swcli_ifname(ifx, name);
	if (print)
		printf("  port %-15s ifindex %-5u %-10s %-12s link %-4s %-9s "
		       "tx_errors %" PRIu64 "\n",
		       name, ifx, flags & OSM_PF_MGMT ? "mgmt" : "fabric",
		       att == 1 ? "attached" : att == 0 ? "NOT ATTACHED" :
		       "gone", link == 1 ? "up" : "down",
		       tx == 1 ? "egress" : "NO EGRESS", txerr);
	return json_pack("{s:s, s:i, s:s, s:b, s:s, s:b, s:I}", "name", name,
			 "ifindex", ifx, "role",
			 flags & OSM_PF_MGMT ? "mgmt" : "fabric",
			 "attached", att == 1, "link", link == 1 ? "up" : "down",
			 "egress", tx == 1, "tx_errors", (json_int_t)txerr);
}

/* The store's size and headroom, if there is a store (text only: the
 * JSON stays the array of switches). */
static void store_line(void)
{
	size_t used, size;
	struct osmdb *s;

	if (osmdb_open(&s, osm_cli_store_dir(), OSMDB_RDONLY, 0))
		return;
	if (!osmdb_usage(s, &used, &size))
		printf("store %s: %zu of %zu bytes used (%zu%% free; the map "
		       "doubles when 3/4 full, up to 64 GiB)\n",
		       osm_cli_store_dir(), used, size,
		       size ? 100 - used * 100 / size : 0);
	osmdb_close(s);
}

static int show(const char *name, void *arg)
{
	json_t *all = arg, *ports = json_array();
	uint32_t id = 0, insns = 0, ifx, prev, n = 0, down = 0;
	struct osm_circuit c;
	struct osm_switch *sw;
	int print = !osm_opts.json, first = 1;

	if (osm_swcli_open(name, &sw))
		return 1;
	osm_switch_prog_info(sw, &id, &insns);
	while (osm_switch_circuit_next(sw, n ? &prev : NULL, &ifx) == 0) {
		prev = ifx;
		n++;
		/* Marked down by the control plane: a port on its path is. */
		if (osm_switch_circuit_get(sw, ifx, &c) == 0 &&
		    (c.flags & OSM_CF_DOWN))
			down++;
		osm_wipe(&c, sizeof(c));
	}
	if (print)
		printf("switch %s: prog id %u, verifier processed %u insns, "
		       "%u circuit%s%s, pins %s/%s/\n", name, id, insns, n,
		       n == 1 ? "" : "s", down ? " (some down)" : "",
		       OSM_PIN_ROOT, name);
	if (print && down)
		printf("  %u circuit%s down (a port on the path is down)\n",
		       down, down == 1 ? "" : "s");
	while (osm_switch_port_next(sw, first ? NULL : &prev, &ifx) == 0) {
		json_array_append_new(ports, port_json(sw, ifx, print));
		prev = ifx;
		first = 0;
	}
	json_array_append_new(all, json_pack("{s:s, s:i, s:i, s:i, s:i, s:o}",
		"switch", name, "prog_id", id, "verified_insns", insns,
		"circuits", n, "circuits_down", down, "ports", ports));
	osm_switch_close(sw);
	return 0;
}

/* The gateways (of the store's peers): a line each, and their JSON. */
static int gateways(const char *only, json_t *all)
{
	json_t *g = osm_cli_gateways(NULL, only, 0), *o, *st;
	size_t i;

	if (!g)
		return -ENOMEM;
	json_array_foreach(g, i, o) {
		st = json_object_get(o, "stats");
		json_array_append(all, o);
		if (osm_opts.json)
			continue;
		printf("gateway %s: peer %s, control %s: ",
		       json_string_value(json_object_get(o, "gateway")),
		       json_string_value(json_object_get(o, "peer")),
		       json_string_value(json_object_get(o, "socket")));
		if (!st) {
			printf("not reachable\n");
			continue;
		}
		printf("%s, pair key epoch %lld\n"
		       "  frames rx inner %lld outer %lld, tx inner %lld "
		       "outer %lld; local_only %lld, tx_errors %lld\n",
		       !json_is_true(json_object_get(st, "peer")) ? "no link" :
		       json_is_true(json_object_get(st, "session")) ?
		       "link up" : "no session",
		       json_integer_value(json_object_get(st, "epoch")),
		       json_integer_value(json_object_get(st, "rx_inner")),
		       json_integer_value(json_object_get(st, "rx_outer")),
		       json_integer_value(json_object_get(st, "tx_inner")),
		       json_integer_value(json_object_get(st, "tx_outer")),
		       json_integer_value(json_object_get(st, "local_only")),
		       json_integer_value(json_object_get(st, "tx_errors")));
	}
	i = json_array_size(g);
	json_decref(g);
	return (int)i;
}

/* Listing every switch: one of another network namespace is named, not
 * shown (its ports are not interfaces of this one). */
static unsigned listed;		/* switches named so */

static int show_here(const char *name, void *arg)
{
	char *ns = NULL;

	if (osm_swcli_here(name, &ns))
		return show(name, arg);
	if (!osm_opts.json)
		printf("switch %s: in %s%s%s\n", name,
		       ns ? "network namespace " : "another network namespace",
		       ns ? ns : "", ns ? " (status -n it)" : "");
	listed++;
	free(ns);
	return 0;
}

int osm_cmd_status(int argc, char **argv)
{
	const char *netns = NULL;
	json_t *all;
	int c, err;

	c = osm_swcli_netns_only(argc, argv, &netns, usage);
	if (c)
		return c < 0 ? 0 : c;
	if (argc - optind > 1)
		return osm_err("status: at most one switch name");
	if (osm_swcli_setup(netns))
		return 1;
	if (!osm_opts.json)
		store_line();
	all = json_array();
	if (optind < argc && gateways(argv[optind], all) > 0)
		err = 0;	/* a gateway of the topology, not a switch */
	else if (optind < argc)
		err = show(argv[optind], all);
	else
		err = osm_switch_each(show_here, all) ?:
		      (gateways(NULL, all) < 0 ? -ENOMEM : 0);
	if (err) {
		json_decref(all);
		return err > 0 ? 1 : osm_err("cannot list %s: %s",
					     OSM_PIN_ROOT, strerror(-err));
	}
	if (osm_opts.json)
		return osm_json_print(all);
	if (!json_array_size(all) && optind == argc && !listed)
		printf("no switches loaded\n");
	json_decref(all);
	return 0;
}
