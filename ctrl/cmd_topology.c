// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric topology apply FILE | show [--json]: load a building file
 * (docs/topology.md) into the store, or print what the store holds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "cli.h"
#include "cli_store.h"
#include "osm_hex.h"
#include "cli_engine.h"
#include "line.h"
#include "osmdb_topo.h"

static int usage(void)
{
	return osm_err("usage: topology apply FILE | topology show [--json]");
}

static int apply(const char *file)
{
	char line[OSM_LINE_MAX], path[4096], msg[768];
	struct osmdb_topo *topo;
	struct osmdb *s;
	json_t *sum;
	int r;

	/* A bad file is reported here, whoever applies it. */
	r = osmdb_topo_parse_file(file, &topo, msg, sizeof(msg));
	if (r)
		return osm_err("%s", msg[0] ? msg : osmdb_strerror(r));
	/* A running daemon applies it (and reloads): it is the writer. */
	if (!realpath(file, path)) {
		osmdb_topo_free(topo);
		return osm_err("%s: %s", file, strerror(errno));
	}
	if ((size_t)snprintf(line, sizeof(line), "apply %s", path) >=
	    sizeof(line) || strpbrk(path, " \t"))
		line[0] = '\0';	/* cannot be sent as one request word */
	r = osm_cli_via_daemon("topology apply", line, &sum);
	if (r == -ENOENT) {	/* no daemon: here, with the lock */
		r = osm_cli_store_open(&s, OSMDB_CREATE);
		if (!r) {
			r = osm_cli_topology_put(s, topo, file, &sum, msg,
						 sizeof(msg)) ?
			    osm_err("%s", msg) : 0;
			osmdb_close(s);
		}
	}
	osmdb_topo_free(topo);
	return r ? r : osm_cli_topology_print(sum);
}

/* ---- show: the store's topology as one JSON value, printed as JSON or
 * as an indented tree */

static int floor_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_floor *f = rec;

	return json_array_append_new(arg, json_pack("{s:s, s:i, s:[]}",
		"name", f->name, "level", f->level, "rooms"));
}

/* Floors in order, and rooms by name (devices are put in their room). */
struct tree {
	json_t *floors, *rooms;
	struct osmdb *s;	/* for device keys, with --show-keys */
};

static int room_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_room *r = rec;
	struct tree *tr = arg;
	json_t *f, *room;
	size_t i;

	json_array_foreach(tr->floors, i, f) {
		if (strcmp(json_string_value(json_object_get(f, "name")),
			   r->floor))
			continue;
		room = json_pack("{s:s, s:s, s:[]}", "name", r->name, "switch",
				 r->sw, "devices");
		return json_object_set(tr->rooms, r->name, room) ?:
		       json_array_append_new(json_object_get(f, "rooms"),
					     room);
	}
	return -1;
}

static int switch_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_switch *w = rec;

	return json_object_set_new(arg, w->name, json_pack("{s:s, s:s, s:[]}",
		"kind", osmdb_switch_kind_name(w->kind), "room", w->room,
		"ports"));
}

static int port_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_port *p = rec;
	json_t *w = json_object_get(arg, p->sw), *o;
	char peer[2 * OSMDB_NAME_MAX + 2];

	if (!w)
		return -1;
	o = json_pack("{s:s, s:s, s:s}", "name", p->name, "kind",
		      osmdb_port_kind_name(p->kind), "ifname", p->ifname);
	if (p->peer_sw[0]) {
		snprintf(peer, sizeof(peer), "%s/%s", p->peer_sw, p->peer_port);
		json_object_set_new(o, "peer", json_string(peer));
	}
	return json_array_append_new(json_object_get(w, "ports"), o);
}

static int device_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_device *d = rec;
	struct tree *tr = arg;
	json_t *r = json_object_get(tr->rooms, d->room), *o;
	char mac[18], port[2 * OSMDB_NAME_MAX + 2];
	uint8_t key[OSM_DEVICE_KEY_LEN];
	char hex[2 * OSM_DEVICE_KEY_LEN + 1];

	if (!r)
		return -1;
	osm_mac_format(mac, d->mac);
	snprintf(port, sizeof(port), "%s/%s", d->sw, d->port);
	o = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)d->id,
		      "name", d->name, "role", osmdb_role_name(d->role),
		      "port", port, "mac", mac);
	if (osm_opts.show_keys && !osmdb_device_key(tr->s, d->id, key)) {
		/* what a device is provisioned with */
		osm_hex_format(hex, key, sizeof(key));
		json_object_set_new(o, "key", json_string(hex));
		sodium_memzero(key, sizeof(key));
		sodium_memzero(hex, sizeof(hex));
	}
	return json_array_append_new(json_object_get(r, "devices"), o);
}

static json_t *topology_json(struct osmdb_txn *t, int *err)
{
	struct tree tr = { json_array(), json_object(), osmdb_txn_store(t) };
	json_t *switches = json_object();
	char building[OSMDB_NAME_MAX + 1];

	*err = osmdb_building_get(t, building) ?:
	       osmdb_foreach(t, OSMDB_TAB_FLOORS, floor_cb, tr.floors) ?:
	       osmdb_foreach(t, OSMDB_TAB_ROOMS, room_cb, &tr) ?:
	       osmdb_foreach(t, OSMDB_TAB_DEVICES, device_cb, &tr) ?:
	       osmdb_foreach(t, OSMDB_TAB_SWITCHES, switch_cb, switches) ?:
	       osmdb_foreach(t, OSMDB_TAB_PORTS, port_cb, switches);
	json_decref(tr.rooms);
	return json_pack("{s:s, s:o, s:o}", "building", building,
			 "floors", tr.floors, "switches", switches);
}

static void print_tree(json_t *top)
{
	json_t *f, *r, *d, *w, *p;
	const char *name;
	size_t i, j, k;

	printf("building %s\n", json_string_value(json_object_get(top,
	       "building")));
	json_array_foreach(json_object_get(top, "floors"), i, f) {
		printf("  floor %s (level %lld)\n",
		       json_string_value(json_object_get(f, "name")),
		       json_integer_value(json_object_get(f, "level")));
		json_array_foreach(json_object_get(f, "rooms"), j, r) {
			printf("    room %s, switch %s\n",
			       json_string_value(json_object_get(r, "name")),
			       json_string_value(json_object_get(r, "switch")));
			json_array_foreach(json_object_get(r, "devices"), k, d)
				printf("      device %-4lld %-12s %-10s %-16s "
				       "%s%s%s\n",
				       json_integer_value(json_object_get(d,
						"id")),
				       json_string_value(json_object_get(d,
						"name")),
				       json_string_value(json_object_get(d,
						"role")),
				       json_string_value(json_object_get(d,
						"port")),
				       json_string_value(json_object_get(d,
						"mac")),
				       json_object_get(d, "key") ? " key " : "",
				       json_object_get(d, "key") ?
				       json_string_value(json_object_get(d,
						"key")) : "");
		}
	}
	json_object_foreach(json_object_get(top, "switches"), name, w) {
		printf("  switch %s (%s)\n", name,
		       json_string_value(json_object_get(w, "kind")));
		json_array_foreach(json_object_get(w, "ports"), k, p) {
			json_t *peer = json_object_get(p, "peer");

			printf("    port %-12s %-7s ifname %s%s%s\n",
			       json_string_value(json_object_get(p, "name")),
			       json_string_value(json_object_get(p, "kind")),
			       json_string_value(json_object_get(p, "ifname")),
			       peer ? " -> " : "",
			       peer ? json_string_value(peer) : "");
		}
	}
}

static int show(struct osmdb_txn *t, void *arg)
{
	int err;
	json_t *top = topology_json(t, &err);

	(void)arg;
	if (err || !top) {
		json_decref(top);
		return osm_cli_store_err("topology show", err ?: -ENOMEM);
	}
	if (osm_opts.json)
		return osm_json_print(top);
	print_tree(top);
	json_decref(top);
	return 0;
}

int osm_cmd_topology(int argc, char **argv)
{
	if (osm_wants_help(argc, argv)) {
		printf("usage: osm-fabric [--store DIR] topology apply FILE\n"
		       "       osm-fabric [--store DIR] topology show "
		       "[--json]\n"
		       "FILE: a building in YAML (docs/topology.md).\n");
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "apply"))
		return apply(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "show")) {
		if (argc != 2)
			return usage();
		return osm_cli_read("topology show", show, NULL);
	}
	return usage();
}
