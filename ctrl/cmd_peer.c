// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric peer key | add | epoch | del | list: the buildings this one
 * may open remote circuits with (docs/protocol.md 11.9), each reached
 * through one of our gateways, whose link the controller configures. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "cli.h"
#include "cli_engine.h"
#include "cli_remote.h"
#include "cli_store.h"
#include "osm_arg.h"
#include "osm_hex.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: osm-fabric peer key\n"
"       osm-fabric peer add NAME --public-key KEY --endpoint ADDR:PORT\n"
"                  --next-hop-mac MAC [--gateway SWITCH] [--socket PATH]\n"
"                  [--epoch E]\n"
"       osm-fabric peer epoch NAME E\n"
"       osm-fabric peer del NAME\n"
"       osm-fabric [--json] peer list\n"
"key: this building's public key, for the peer's operator. add: the peer\n"
"building by its key (64 hex digits, from its 'peer key') and its\n"
"gateway's address (A.B.C.D:PORT or [IPV6]:PORT); --next-hop-mac: our\n"
"gateway's next hop on the wide-area link; --gateway: our gateway switch\n"
"of the topology (default: the only one); --socket: its osm-gw control\n"
"socket (default /run/osm-gw.sock). epoch: rotate the pair key (later\n"
"epochs only). del: refused while remote circuits use the peer.\n");
}

struct only_gw {
	char name[OSMDB_NAME_MAX + 1];
	int n;
};

static int gw_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_switch *sw = rec;
	struct only_gw *g = arg;

	if (sw->kind == OSMDB_SW_GATEWAY && !g->n++)
		snprintf(g->name, sizeof(g->name), "%s", sw->name);
	return 0;
}

/* The topology's gateway switches: the first's name, and how many. */
static int only_gateway(struct osmdb_txn *t, void *arg)
{
	int err = osmdb_foreach(t, OSMDB_TAB_SWITCHES, gw_cb, arg);

	return err ? osm_cli_store_err("peer add", err) : 0;
}

static int key(void)
{
	uint8_t pub[32];
	char hex[65];
	struct osmdb *s;

	if (osm_cli_store_open(&s, OSMDB_RDONLY))
		return 1;
	osmdb_building_pub(s, pub);
	osmdb_close(s);
	osm_hex_format(hex, pub, sizeof(pub));
	if (osm_opts.json)
		return osm_json_print(json_pack("{s:s}", "public_key", hex));
	printf("%s\n", hex);
	return 0;
}

static int add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "public-key", required_argument, NULL, 'k' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "next-hop-mac", required_argument, NULL, 'm' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "socket", required_argument, NULL, 's' },
		{ "epoch", required_argument, NULL, 'E' },
		{ 0 }
	};
	struct osmdb_peer p = { .epoch = 1 };
	struct only_gw g = { .n = 0 };
	char line[OSM_LINE_MAX], key[65], mac[18];
	uint64_t v;
	json_t *j;
	int c, have = 0, err;

	snprintf(p.socket, sizeof(p.socket), "/run/osm-gw.sock");
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (osm_hex_parse(optarg, p.pub, 32) != 32 ||
			    optarg[64])
				return osm_err("peer add: --public-key is 64 "
					       "hex digits");
			have |= 1;
			break;
		case 'e':
			if (!osm_line_endpoint_ok(optarg))
				return osm_err("peer add: bad --endpoint '%s' "
					       "(A.B.C.D:PORT or [IPV6]:PORT)",
					       optarg);
			strcpy(p.endpoint, optarg);
			have |= 2;
			break;
		case 'm':
			if (osm_mac_parse(optarg, p.next_hop))
				return osm_err("peer add: bad --next-hop-mac "
					       "'%s'", optarg);
			have |= 4;
			break;
		case 'g':
			if (!osmdb_name_ok(optarg))
				return osm_err("peer add: bad gateway name");
			strcpy(p.gateway, optarg);
			break;
		case 's':
			if (optarg[0] != '/' || strlen(optarg) > OSMDB_SOCK_MAX)
				return osm_err("peer add: --socket is an "
					       "absolute path, at most %d "
					       "bytes", OSMDB_SOCK_MAX);
			strcpy(p.socket, optarg);
			break;
		case 'E':
			if (osm_arg_u64(optarg, UINT32_MAX, &v) || !v)
				return osm_err("peer add: --epoch is 1.."
					       "4294967295");
			p.epoch = (uint32_t)v;
			break;
		default:
			return osm_err("peer add: unknown option '%s'",
				       argv[optind - 1]);
		}
	}
	if (optind + 1 != argc || have != 7)
		return osm_err("usage: peer add NAME --public-key KEY "
			       "--endpoint ADDR:PORT --next-hop-mac MAC");
	if (!osmdb_name_ok(argv[optind]))
		return osm_err("peer add: bad name '%s' (1-63 of A-Z a-z 0-9 "
			       ". _ -)", argv[optind]);
	strcpy(p.name, argv[optind]);
	if (!p.gateway[0]) {
		err = osm_cli_read("peer add", only_gateway, &g);
		if (err)
			return err;
		if (g.n != 1)
			return osm_err("peer add: the topology has %s gateway "
				       "switches: name ours with --gateway",
				       g.n ? "several" : "no");
		strcpy(p.gateway, g.name);
	}
	osm_hex_format(key, p.pub, 32);
	osm_mac_format(mac, p.next_hop);
	snprintf(line, sizeof(line), "peer-add %s %s %s %s %s %s %u", p.name,
		 key, p.endpoint, mac, p.gateway, p.socket, p.epoch);
	if (osm_remote_run("peer add", line, NULL, &j))
		return 1;
	if (osm_opts.json)
		return osm_json_print(j);
	json_decref(j);
	printf("peer %s added\n", p.name);
	return 0;
}

/* peer epoch NAME E, peer del NAME: one request each. */
static int change(int argc, char **argv)
{
	char line[OSM_LINE_MAX], what[32];
	int del = !strcmp(argv[0], "del");
	json_t *j;

	snprintf(what, sizeof(what), "peer %s", argv[0]);
	if (argc != (del ? 2 : 3))
		return osm_err("usage: peer %s", del ? "del NAME" :
			       "epoch NAME E");
	if ((size_t)snprintf(line, sizeof(line), "peer-%s %s%s%s", argv[0],
			     argv[1], del ? "" : " ", del ? "" : argv[2]) >=
	    sizeof(line) || strpbrk(argv[1], " \t") ||
	    (!del && strpbrk(argv[2], " \t")))
		return osm_err("%s: bad arguments", what);
	if (osm_remote_run(what, line, NULL, &j))
		return 1;
	if (osm_opts.json)
		return osm_json_print(j);
	json_decref(j);
	if (del)
		printf("peer %s removed\n", argv[1]);
	else
		printf("peer %s: pair key epoch %s\n", argv[1], argv[2]);
	return 0;
}

/* What the peer's gateway says of its link, for list. */
static json_t *link_state(const struct osmdb_peer *p)
{
	char reply[2048];
	json_t *j;
	int err = osm_engine_gw_ask(p->socket, "stats", reply, sizeof(reply));

	if (err)
		return json_pack("{s:b, s:s}", "reachable", 0, "why",
				 err == 1 ? reply : strerror(-err));
	j = json_loads(reply + 3, 0, NULL);
	return j ? json_pack("{s:b, s:o}", "reachable", 1, "stats", j) :
		   json_pack("{s:b}", "reachable", 0);
}

static int list_cb(const void *rec, void *arg)
{
	const struct osmdb_peer *p = rec;
	char hex[65], mac[18];

	osm_hex_format(hex, p->pub, 32);
	osm_mac_format(mac, p->next_hop);
	return json_array_append_new(arg, json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:o*}",
		"name", p->name, "public_key", hex, "endpoint", p->endpoint,
		"next_hop_mac", mac, "gateway", p->gateway, "socket",
		p->socket, "epoch", (json_int_t)p->epoch, "since_ns",
		(json_int_t)p->since_ns, "gateway_state", link_state(p)));
}

static int list_fn(struct osmdb_txn *t, void *arg)
{
	json_t *a = json_array(), *p, *gs, *st;
	size_t i;
	int err = osmdb_peer_foreach(t, list_cb, a);

	(void)arg;
	if (err) {
		json_decref(a);
		return osm_cli_store_err("peer list", err);
	}
	if (osm_opts.json)
		return osm_json_print(a);
	if (!json_array_size(a))
		printf("no peers\n");
	json_array_foreach(a, i, p) {
		gs = json_object_get(p, "gateway_state");
		st = json_object_get(gs, "stats");
		printf("%s  endpoint %s  epoch %lld  gateway %s: %s\n  key %s\n",
		       json_string_value(json_object_get(p, "name")),
		       json_string_value(json_object_get(p, "endpoint")),
		       json_integer_value(json_object_get(p, "epoch")),
		       json_string_value(json_object_get(p, "gateway")),
		       !st ? "not reachable" :
		       json_is_true(json_object_get(st, "session")) ?
		       "link up" : "no session",
		       json_string_value(json_object_get(p, "public_key")));
	}
	json_decref(a);
	return 0;
}

int osm_cmd_peer(int argc, char **argv)
{
	if (argc < 2 || osm_wants_help(argc, argv)) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	if (!strcmp(argv[1], "key") && argc == 2)
		return key();
	if (!strcmp(argv[1], "add"))
		return add(argc - 1, argv + 1);
	if (!strcmp(argv[1], "epoch") || !strcmp(argv[1], "del"))
		return change(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list") && argc == 2)
		return osm_cli_read("peer list", list_fn, NULL);
	return osm_err("peer: unknown subcommand '%s' (key, add, epoch, del, "
		       "list)", argv[1]);
}
