// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric device provision DEVICE -o BLOB: a firmware device's
 * provisioning blob (docs/firmware.md) from the store: its id, role and
 * MAC, the controller's MAC, its long-term key from the root key. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "cli.h"
#include "cli_store.h"
#include "osm_hex.h"
#include "osm_provision.h"
#include "cli_switch.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: osm-fabric [--store DIR] device provision DEVICE -o BLOB\n"
"                  [--epoch E] [--ctrl-mac MAC] [--peer-mac MAC] [--force]\n"
"Write the provisioning blob of device DEVICE (any role but controller: a\n"
"door or lamp image, or osm-endpoint join for the others)\n"
"to BLOB, mode 0600: its id, role and MAC from the topology, the MAC of\n"
"the controller (the device of role controller in its room, else the\n"
"building's only one; --ctrl-mac when the topology has none), its\n"
"long-term key derived from the store's root key, and its control keys\n"
"at epoch E (default 1). --peer-mac: where its data frames go (default\n"
"broadcast). An existing BLOB is replaced only with --force.\n"
"The blob holds the device's keys in clear: flash it, then delete it.\n");
}

/* The device by name (first walk), then the controllers: in its room,
 * and in the building (second walk). */
struct find {
	const char *name;
	struct osmdb_rec_device dev;
	int found;
	int n_room, n_all;
	uint8_t room_mac[6], any_mac[6];
};

static int device_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_device *d = rec;
	struct find *f = arg;

	if (strcmp(d->name, f->name))
		return 0;
	f->dev = *d;
	f->found = 1;
	return 1;
}

static int ctrl_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_device *d = rec;
	struct find *f = arg;

	if (d->role != OSM_ROLE_CONTROLLER)
		return 0;
	if (!strcmp(d->room, f->dev.room) && !f->n_room++)
		memcpy(f->room_mac, d->mac, 6);
	if (!f->n_all++)
		memcpy(f->any_mac, d->mac, 6);
	return 0;
}

static int lookup(struct osmdb_txn *t, struct find *f)
{
	int err = osmdb_foreach(t, OSMDB_TAB_DEVICES, device_cb, f);

	if (err == 1)
		err = osmdb_foreach(t, OSMDB_TAB_DEVICES, ctrl_cb, f);
	return err;
}

/* The controller's MAC: the one in the device's room, else the
 * building's only one. */
static int ctrl_mac(const struct find *f, uint8_t mac[6])
{
	if (f->n_room == 1)
		memcpy(mac, f->room_mac, 6);
	else if (f->n_room == 0 && f->n_all == 1)
		memcpy(mac, f->any_mac, 6);
	else
		return osm_err("device %s: %s (give --ctrl-mac)", f->name,
			       f->n_all ? "no single controller in its room "
					  "or the building" :
					  "the topology has no device of role "
					  "controller");
	return 0;
}

static int provision(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "epoch", required_argument, NULL, 'e' },
		{ "ctrl-mac", required_argument, NULL, 'c' },
		{ "peer-mac", required_argument, NULL, 'p' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct osm_fw_params p = { .ctrl_epoch = 1 };
	const char *out = NULL, *cmac = NULL, *pmac = NULL;
	struct find f = { 0 };
	struct osmdb *s;
	struct osmdb_txn *t;
	char mac[18], cm[18];
	int c, force = 0, err;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'e':
			if (osm_swcli_u32(optarg, "epoch", &p.ctrl_epoch))
				return 1;
			break;
		case 'c': cmac = optarg; break;
		case 'p': pmac = optarg; break;
		case 'f': force = 1; break;
		case 'h': usage(stdout); return 0;
		default: return osm_swcli_badopt(argv);
		}
	}
	if (argc - optind != 1 || !out)
		return osm_err("device provision: need DEVICE and -o BLOB "
			       "(see --help)");
	f.name = argv[optind];
	if (!osmdb_name_ok(f.name))
		return osm_err("device provision: bad device name '%s'",
			       f.name);
	if (cmac && osm_mac_parse(cmac, p.ctrl_mac))
		return osm_err("bad MAC address '%s'", cmac);
	memset(p.peer_mac, 0xff, 6);
	if (pmac && osm_mac_parse(pmac, p.peer_mac))
		return osm_err("bad MAC address '%s'", pmac);

	if (osm_cli_store_open(&s, OSMDB_RDONLY))
		return 1;
	err = osmdb_txn_begin(s, OSMDB_TXN_RDONLY, &t);
	if (!err) {
		err = lookup(t, &f);
		osmdb_txn_abort(t);
	}
	if (err) {
		osmdb_close(s);
		return osm_cli_store_err("device provision", err);
	}
	err = 1;
	if (!f.found) {
		osm_err("device provision: no device '%s' in the store",
			f.name);
	} else if (f.dev.role == OSM_ROLE_CONTROLLER) {
		osm_err("device %s: a controller is not provisioned (it "
			"holds the building's keys)", f.name);
	} else if (cmac || !ctrl_mac(&f, p.ctrl_mac)) {
		p.device_id = f.dev.id;
		p.role = f.dev.role;
		memcpy(p.mac, f.dev.mac, 6);
		err = osmdb_device_key(s, p.device_id, p.device_key);
		if (!err)
			err = osm_fw_blob_write(out, &p, force);
		if (err == -EEXIST)
			osm_err("device provision: %s exists (--force "
				"replaces it)", out);
		else if (err)
			osm_err("device %s: cannot write %s: %s", f.name, out,
				strerror(-err));
	}
	osmdb_close(s);
	osm_mac_format(mac, f.dev.mac);
	osm_mac_format(cm, p.ctrl_mac);
	sodium_memzero(p.device_key, sizeof(p.device_key));
	if (err)
		return 1;
	if (osm_opts.json)
		return osm_json_print(json_pack(
			"{s:s, s:I, s:s, s:s, s:s, s:s, s:I}", "device",
			f.name, "id", (json_int_t)f.dev.id, "role",
			osmdb_role_name(f.dev.role), "mac", mac, "ctrl_mac", cm,
			"blob", out, "ctrl_epoch", (json_int_t)p.ctrl_epoch));
	printf("device %s: id %u role %s mac %s controller %s epoch %u -> %s\n",
	       f.name, f.dev.id, osmdb_role_name(f.dev.role), mac, cm,
	       p.ctrl_epoch, out);
	return 0;
}

int osm_cmd_device(int argc, char **argv)
{
	if (osm_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "provision"))
		return provision(argc - 1, argv + 1);
	return osm_err("device: unknown subcommand (try 'osm-fabric device "
		       "--help')");
}
