// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric remote add | close | list: circuits between this building's
 * device and a peer building's (docs/protocol.md 11.9). Both operators
 * open the same NAME with each other as peer; the circuit ids and keys
 * follow from the two buildings' keys and the name, so nothing secret
 * is carried between them, and nothing crosses until both have. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "cli.h"
#include "cli_engine.h"
#include "cli_remote.h"
#include "cli_store.h"
#include "osm_hex.h"
#include "osm_keys.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: osm-fabric remote add NAME --peer PEER --device DEVICE\n"
"                  --peer-mac MAC [--class CLASS] [--send-only |\n"
"                  --receive-only] [--netns-prefix P]\n"
"       osm-fabric remote close NAME\n"
"       osm-fabric [--json] [--show-keys] remote list\n"
"add: open the remote circuits NAME between our DEVICE and the device of\n"
"building PEER whose Ethernet address is MAC, one each way (or one):\n"
"its operator opens the same NAME with us as peer, our device's address\n"
"as MAC and the other direction. CLASS sets the rate (control, sensor,\n"
"audio, video, bulk; default bulk). close: out of our switches and\n"
"gateway at once; frames of it then cross in neither direction.\n"
"--show-keys: each circuit's keys, for host endpoints.\n");
}

struct find {
	const char *name;
	uint32_t id;
};

static int dev_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_device *d = rec;
	struct find *f = arg;

	if (strcmp(d->name, f->name))
		return 0;
	f->id = d->id;
	return 1;
}

static int device_id(struct osmdb_txn *t, void *arg)
{
	int err = osmdb_foreach(t, OSMDB_TAB_DEVICES, dev_cb, arg);

	return err < 0 ? osm_cli_store_err("remote add", err) : 0;
}

static int add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "peer", required_argument, NULL, 'p' },
		{ "device", required_argument, NULL, 'd' },
		{ "peer-mac", required_argument, NULL, 'm' },
		{ "class", required_argument, NULL, 'c' },
		{ "send-only", no_argument, NULL, 's' },
		{ "receive-only", no_argument, NULL, 'r' },
		{ "netns-prefix", required_argument, NULL, 'N' },
		{ 0 }
	};
	struct osmdb_remote r = { .cls = OSMDB_CLASS_BULK, .dirs = 3 };
	struct find f = { NULL, 0 };
	char line[OSM_LINE_MAX], mac[18];
	const char *prefix = NULL;
	int c, have = 0, err, cls;
	json_t *j;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!osmdb_name_ok(optarg))
				return osm_err("remote add: bad peer name");
			strcpy(r.peer, optarg);
			have |= 1;
			break;
		case 'd':
			f.name = optarg;
			have |= 2;
			break;
		case 'm':
			if (osm_mac_parse(optarg, r.peer_mac))
				return osm_err("remote add: bad --peer-mac "
					       "'%s'", optarg);
			have |= 4;
			break;
		case 'c':
			cls = osmdb_class_parse(optarg);
			if (cls < 0)
				return osm_err("remote add: bad --class '%s' "
					       "(control, sensor, audio, "
					       "video, bulk)", optarg);
			r.cls = (uint8_t)cls;
			break;
		case 'N':
			prefix = optarg;
			break;
		case 's':
		case 'r':
			if (r.dirs != 3)
				return osm_err("remote add: --send-only or "
					       "--receive-only, not both");
			r.dirs = c == 's' ? 1 << OSMDB_REMOTE_SEND :
					    1 << OSMDB_REMOTE_RECV;
			break;
		default:
			return osm_err("remote add: unknown option '%s'",
				       argv[optind - 1]);
		}
	}
	if (optind + 1 != argc || have != 7)
		return osm_err("usage: remote add NAME --peer PEER --device "
			       "DEVICE --peer-mac MAC");
	if (!osmdb_name_ok(argv[optind]))
		return osm_err("remote add: bad name '%s' (1-63 of A-Z a-z "
			       "0-9 . _ -)", argv[optind]);
	strcpy(r.name, argv[optind]);
	err = osm_cli_read("remote add", device_id, &f);
	if (err)
		return err;
	if (!f.id)
		return osm_err("remote add: no device %s in the topology",
			       f.name);
	osm_mac_format(mac, r.peer_mac);
	snprintf(line, sizeof(line), "remote-add %s %s %u %s %s %s", r.name,
		 r.peer, f.id, mac, osmdb_class_name(r.cls),
		 r.dirs == 3 ? "both" : r.dirs == 1 ? "send" : "receive");
	if (osm_remote_run("remote add", line, prefix, &j))
		return 1;
	if (osm_opts.json)
		return osm_json_print(j);
	printf("remote %s open with %s:", r.name, r.peer);
	if (json_object_get(j, "send"))
		printf(" send circuit %lld",
		       json_integer_value(json_object_get(j, "send")));
	if (json_object_get(j, "receive"))
		printf(" receive circuit %lld",
		       json_integer_value(json_object_get(j, "receive")));
	printf("\n");
	json_decref(j);
	return 0;
}

static int close_cmd(int argc, char **argv)
{
	char line[OSM_LINE_MAX];
	json_t *j;

	if (argc != 2 || strpbrk(argv[1], " \t") ||
	    strlen(argv[1]) > OSMDB_NAME_MAX)
		return osm_err("usage: remote close NAME");
	snprintf(line, sizeof(line), "remote-close %s", argv[1]);
	if (osm_remote_run("remote close", line, NULL, &j))
		return 1;
	if (osm_opts.json)
		return osm_json_print(j);
	json_decref(j);
	printf("remote %s closed\n", argv[1]);
	return 0;
}

/* One direction of a remote, as JSON (keys with --show-keys). */
static json_t *dir_json(struct osmdb_txn *t, const struct osmdb_remote *r,
			int dir)
{
	char hop[2 * OSM_HOP_KEY_LEN + 1], e2e[2 * OSM_E2E_KEY_LEN + 1];
	struct osm_keys k;
	json_t *j = json_pack("{s:I, s:i}", "circuit", (json_int_t)r->id[dir],
			      "epoch", 1);

	if (!osm_opts.show_keys || osmdb_remote_keys(t, r, dir, 1, &k))
		return j;
	osm_hex_format(hop, k.hop, OSM_HOP_KEY_LEN);
	osm_hex_format(e2e, k.e2e, OSM_E2E_KEY_LEN);
	sodium_memzero(&k, sizeof(k));
	json_object_set_new(j, "hop_key", json_string(hop));
	json_object_set_new(j, "e2e_key", json_string(e2e));
	sodium_memzero(hop, sizeof(hop));
	sodium_memzero(e2e, sizeof(e2e));
	return j;
}

struct list {
	struct osmdb_txn *t;
	json_t *a;
};

static int list_cb(const void *rec, void *arg)
{
	const struct osmdb_remote *r = rec;
	struct list *l = arg;
	struct osmdb_rec_device d;
	char mac[18];
	json_t *j;

	osm_mac_format(mac, r->peer_mac);
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "name", r->name,
		      "peer", r->peer, "device", osmdb_device_get(l->t,
		      r->device, &d) ? "?" : d.name, "peer_mac", mac,
		      "class", osmdb_class_name(r->cls), "since_ns",
		      (json_int_t)r->since_ns);
	if (r->dirs & 1 << OSMDB_REMOTE_SEND)
		json_object_set_new(j, "send", dir_json(l->t, r,
							OSMDB_REMOTE_SEND));
	if (r->dirs & 1 << OSMDB_REMOTE_RECV)
		json_object_set_new(j, "receive", dir_json(l->t, r,
							   OSMDB_REMOTE_RECV));
	return json_array_append_new(l->a, j);
}

static void print_dir(json_t *d, const char *what)
{
	json_t *hop = json_object_get(d, "hop_key");

	if (!d)
		return;
	printf("  %s circuit %lld epoch 1", what,
	       json_integer_value(json_object_get(d, "circuit")));
	if (hop)
		printf(" hop %s e2e %s", json_string_value(hop),
		       json_string_value(json_object_get(d, "e2e_key")));
	printf("\n");
}

static int list_fn(struct osmdb_txn *t, void *arg)
{
	struct list l = { t, json_array() };
	json_t *r;
	size_t i;
	int err = osmdb_remote_foreach(t, list_cb, &l);

	(void)arg;
	if (err) {
		json_decref(l.a);
		return osm_cli_store_err("remote list", err);
	}
	if (osm_opts.json)
		return osm_json_print(l.a);
	if (!json_array_size(l.a))
		printf("no remote circuits\n");
	json_array_foreach(l.a, i, r) {
		printf("%s  peer %s  device %s <-> %s  class %s\n",
		       json_string_value(json_object_get(r, "name")),
		       json_string_value(json_object_get(r, "peer")),
		       json_string_value(json_object_get(r, "device")),
		       json_string_value(json_object_get(r, "peer_mac")),
		       json_string_value(json_object_get(r, "class")));
		print_dir(json_object_get(r, "send"), "send   ");
		print_dir(json_object_get(r, "receive"), "receive");
	}
	json_decref(l.a);
	return 0;
}

int osm_cmd_remote(int argc, char **argv)
{
	if (argc < 2 || osm_wants_help(argc, argv)) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	if (!strcmp(argv[1], "add"))
		return add(argc - 1, argv + 1);
	if (!strcmp(argv[1], "close"))
		return close_cmd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list") && argc == 2)
		return osm_cli_read("remote list", list_fn, NULL);
	return osm_err("remote: unknown subcommand '%s' (add, close, list)",
		       argv[1]);
}
