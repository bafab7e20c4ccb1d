// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric circuit add | del | list | key: manual provisioning of a
 * switch's circuits (engineers, tests). Hop keys only, never e2e keys;
 * shown only with --show-keys. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "cli.h"
#include "osm_hex.h"
#include "osm_arg.h"
#include "cli_switch.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: osm-fabric circuit add [-n NETNS] SWITCH ID --in IFNAME --out IFNAME\n"
"                              --src MAC --dst MAC --epoch E\n"
"                              --hop-key-file FILE\n"
"                              [--rate BYTES/S --burst BYTES] [--lease SECONDS]\n"
"                              [--remote] [--ctrl]\n"
"       osm-fabric circuit del [-n NETNS] SWITCH ID\n"
"       osm-fabric circuit list [-n NETNS] SWITCH\n"
"       osm-fabric circuit key [-n NETNS] SWITCH ID --epoch E\n"
"                              (--hop-key-file FILE [--replace] | --remove)\n"
"add installs one direction of a circuit: frames of circuit ID that arrive on\n"
"--in from --src are forwarded to --out with their destination MAC set to\n"
"--dst. key installs the hop key of another epoch next to the current one\n"
"(rotation: epochs only go forward; one that would take the current\n"
"epoch's slot needs --replace) or removes an epoch's key. A key file holds 16 bytes, raw or\n"
"as hex, is the caller's and closed to group and others; - reads stdin.\n"
"No key is ever taken on the command line (other users can read it).\n");
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Options of add and key; argv[0] is the subcommand. */
struct copts {
	const char *netns, *in, *out, *src, *dst, *key_file;
	uint32_t epoch, flags;
	int have_epoch, remove, replace;
	uint64_t rate, burst, lease;
};

static int parse(int argc, char **argv, struct copts *o)
{
	static const struct option opts[] = {
		OSM_SWCLI_NETNS_OPT,
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "epoch", required_argument, NULL, 'e' },
		{ "hop-key-file", required_argument, NULL, 'K' },
		{ "hop-key", required_argument, NULL, 'k' },	/* refused */
		{ "rate", required_argument, NULL, 'r' },
		{ "burst", required_argument, NULL, 'b' },
		{ "lease", required_argument, NULL, 'l' },
		{ "remote", no_argument, NULL, 'R' },
		{ "ctrl", no_argument, NULL, 'C' },
		{ "remove", no_argument, NULL, 'x' },
		{ "replace", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': o->netns = optarg; break;
		case 'i': o->in = optarg; break;
		case 'o': o->out = optarg; break;
		case 's': o->src = optarg; break;
		case 'd': o->dst = optarg; break;
		case 'K': o->key_file = optarg; break;
		case 'k':
			return osm_arg_key_refused("--hop-key", optarg,
						   "--hop-key-file");
		case 'R': o->flags |= OSM_CF_REMOTE; break;
		case 'C': o->flags |= OSM_CF_CTRL; break;
		case 'x': o->remove = 1; break;
		case 'P': o->replace = 1; break;
		case 'e':
			if (osm_swcli_u32(optarg, "epoch", &o->epoch))
				return 1;
			if (o->epoch == 0)
				return osm_err("epoch 0 is never used (epochs "
					       "start at 1)");
			o->have_epoch = 1;
			break;
		case 'r':
			if (osm_swcli_u64(optarg, "rate", &o->rate))
				return 1;
			break;
		case 'b':
			if (osm_swcli_u64(optarg, "burst", &o->burst))
				return 1;
			break;
		case 'l':
			if (osm_swcli_u64(optarg, "lease", &o->lease))
				return 1;
			if (o->lease == 0 || o->lease > 100ULL * 365 * 86400)
				return osm_err("bad lease '%s' (1 s .. 100 "
					       "years)", optarg);
			break;
		case 'h': usage(stdout); return -1;
		default: return osm_swcli_badopt(argv);
		}
	}
	return 0;
}

/* Options, then SWITCH ID. 0: parsed; -1: help shown; 1: error shown. */
static int parse_id(int argc, char **argv, struct copts *o, uint32_t *id)
{
	int r = parse(argc, argv, o);

	if (r)
		return r;
	if (argc - optind != 2)
		return osm_err("circuit %s: need SWITCH and ID", argv[0]);
	return osm_swcli_u32(argv[optind + 1], "circuit id", id);
}

/* The hop key from --hop-key-file. */
static int read_key(const struct copts *o, uint8_t key[OSM_HOP_KEY_LEN])
{
	int err;

	if (!o->key_file)
		return osm_err("give the hop key with --hop-key-file FILE");
	err = osm_arg_key_file(o->key_file, key, OSM_HOP_KEY_LEN);
	if (err == -EMSGSIZE)
		return osm_err("hop key file '%s': need %d bytes (raw or hex)",
			       o->key_file, OSM_HOP_KEY_LEN);
	if (err)
		return osm_err("hop key file '%s': %s", o->key_file,
			       osm_arg_strerror(err));
	return 0;
}

static int add_error(int err, uint32_t id, const char *sw)
{
	switch (err) {
	case -EEXIST:
		return osm_err("circuit %u already exists on switch '%s'", id,
			       sw);
	case -E2BIG:
	case -ENOSPC:
		return osm_err("circuit table of switch '%s' is full", sw);
	default:
		return osm_err("cannot add circuit %u: %s", id,
			       strerror(-err));
	}
}

static int cmd_add(int argc, char **argv)
{
	struct osm_circuit c = { 0 };
	struct osm_switch *sw;
	struct copts o;
	uint32_t id;
	int r, err;

	r = parse_id(argc, argv, &o, &c.id);
	if (r)
		return r < 0 ? 0 : r;
	if (!o.in || !o.out || !o.src || !o.dst || !o.have_epoch)
		return osm_err("circuit add: --in, --out, --src, --dst and "
			       "--epoch are required");
	if (!o.rate != !o.burst)
		return osm_err("circuit add: --rate and --burst go together");
	if (!osm_bucket_sound(o.rate, o.burst))
		return osm_err("circuit add: --burst must be %llu to %llu "
			       "bytes (the largest frame and %llu ms of --rate)",
			       osm_bucket_min_burst(o.rate), OSM_BURST_MAX,
			       OSM_CLOCK_TICK_MAX_NS / 1000000);
	if (osm_mac_parse(o.src, c.src_mac))
		return osm_err("bad MAC address '%s'", o.src);
	if (osm_mac_parse(o.dst, c.dst_mac))
		return osm_err("bad MAC address '%s'", o.dst);
	/* endpoints are single devices: no group address */
	if ((c.src_mac[0] & 1) || (c.dst_mac[0] & 1))
		return osm_err("circuit add: %s '%s' is a multicast or "
			       "broadcast address", c.src_mac[0] & 1 ? "--src" :
			       "--dst", c.src_mac[0] & 1 ? o.src : o.dst);
	if (c.id == 0)
		return osm_err("circuit add: circuit id 0 is never used");
	if (osm_circuit_is_ctrl(c.id) && !(o.flags & OSM_CF_CTRL))
		return osm_err("circuit add: %u is a control circuit id (top "
			       "bit set): give --ctrl", c.id);
	if (!osm_circuit_is_ctrl(c.id) && (o.flags & OSM_CF_CTRL))
		return osm_err("circuit add: --ctrl needs a control circuit "
			       "id (top bit set, docs/protocol.md 7.1)");
	/* The switch first: port names mean its namespace's interfaces. */
	if (osm_swcli_setup(o.netns) || osm_swcli_open(argv[optind], &sw))
		return 1;
	if (osm_swcli_ifindex(o.in, &c.ingress_ifindex) ||
	    osm_swcli_ifindex(o.out, &c.egress_ifindex)) {
		osm_switch_close(sw);
		return 1;
	}
	if (c.ingress_ifindex == c.egress_ifindex) {
		osm_switch_close(sw);
		return osm_err("circuit add: --in and --out are the same "
			       "port");
	}
	if (read_key(&o, c.key[osm_epoch_slot(o.epoch)].hop_key)) {
		osm_switch_close(sw);
		return 1;
	}
	c.key[osm_epoch_slot(o.epoch)].epoch = o.epoch;
	c.key[osm_epoch_slot(o.epoch)].valid = 1;
	c.flags = o.flags;
	c.rate = o.rate;
	c.burst = o.burst;
	if (o.lease)
		c.expires_ns = mono_ns() + o.lease * 1000000000ULL;

	/* Only ports of this switch carry circuits. */
	err = osm_switch_port_get(sw, c.ingress_ifindex, &o.flags);
	if (!err)
		err = osm_switch_port_get(sw, c.egress_ifindex, &o.flags);
	if (err) {
		osm_switch_close(sw);
		sodium_memzero(&c, sizeof(c));
		return osm_err("circuit add: '%s' and '%s' must both be ports "
			       "of switch '%s'", o.in, o.out, argv[optind]);
	}
	err = osm_switch_circuit_add(sw, &c);
	osm_switch_close(sw);
	id = c.id;
	sodium_memzero(&c, sizeof(c));
	if (err)
		return add_error(err, id, argv[optind]);
	return 0;
}

/* A new key of epoch e for circuit c: epochs only go forward, and one
 * that would take the slot of the circuit's current (highest) epoch,
 * leaving frames of it no key, needs --replace. 0, or 1 (said). */
static int epoch_ok(const struct osm_circuit *c, uint32_t e, int replace)
{
	const struct osm_key_slot *k = &c->key[osm_epoch_slot(e)];
	uint32_t cur = 0;
	int i;

	for (i = 0; i < 2; i++)
		if (c->key[i].valid && c->key[i].epoch > cur)
			cur = c->key[i].epoch;
	if (e < cur)
		return osm_err("circuit key: epoch %u is older than the "
			       "circuit's epoch %u (epochs only go forward)",
			       e, cur);
	if (k->valid && k->epoch == cur && e != cur && !replace)
		return osm_err("circuit key: epoch %u would replace epoch %u, "
			       "the circuit's current key, in its slot (give "
			       "--replace, or install epoch %u first)", e,
			       cur, cur + 1);
	return 0;
}

static int cmd_key(int argc, char **argv)
{
	struct osm_circuit c;
	uint8_t key[OSM_HOP_KEY_LEN];
	struct osm_switch *sw;
	struct copts o;
	uint32_t id;
	int r, err;

	r = parse_id(argc, argv, &o, &id);
	if (r)
		return r < 0 ? 0 : r;
	if (!o.have_epoch)
		return osm_err("circuit key: --epoch is required");
	if (o.remove && o.key_file)
		return osm_err("circuit key: --remove takes no key");
	if (!o.remove && read_key(&o, key))
		return 1;
	if (osm_swcli_setup(o.netns) || osm_swcli_open(argv[optind], &sw)) {
		sodium_memzero(key, sizeof(key));
		return 1;
	}
	err = osm_switch_circuit_get(sw, id, &c);
	if (!err && !o.remove && epoch_ok(&c, o.epoch, o.replace)) {
		sodium_memzero(&c, sizeof(c));
		sodium_memzero(key, sizeof(key));
		osm_switch_close(sw);
		return 1;
	}
	sodium_memzero(&c, sizeof(c));
	if (!err)
		err = osm_switch_circuit_key(sw, id, o.epoch,
					     o.remove ? NULL : key);
	osm_switch_close(sw);
	sodium_memzero(key, sizeof(key));
	if (err == -ENOENT && o.remove)
		return osm_err("circuit %u has no key of epoch %u", id,
			       o.epoch);
	if (err == -ENOENT)
		return osm_err("no circuit %u on switch '%s'", id,
			       argv[optind]);
	if (err == -EINVAL)
		return osm_err("circuit %u: cannot remove its last key "
			       "(delete the circuit instead)", id);
	if (err)
		return osm_err("circuit key: %s", strerror(-err));
	return 0;
}

static int cmd_del(int argc, char **argv)
{
	struct osm_switch *sw;
	struct copts o;
	uint32_t id;
	int r, err;

	r = parse_id(argc, argv, &o, &id);
	if (r)
		return r < 0 ? 0 : r;
	if (osm_swcli_setup(o.netns) || osm_swcli_open(argv[optind], &sw))
		return 1;
	err = osm_switch_circuit_del(sw, id);
	osm_switch_close(sw);
	if (err == -ENOENT)
		return osm_err("no circuit %u on switch '%s'", id,
			       argv[optind]);
	if (err)
		return osm_err("cannot delete circuit %u: %s", id,
			       strerror(-err));
	return 0;
}

static json_t *circuit_json(const struct osm_circuit *c, uint64_t now)
{
	char in[IF_NAMESIZE], out[IF_NAMESIZE], src[18], dst[18];
	char hex[2 * OSM_HOP_KEY_LEN + 1];
	json_t *keys = json_array(), *flags = json_array();
	json_int_t left = -1;
	int i;

	for (i = 0; i < 2; i++) {
		const struct osm_key_slot *k = &c->key[i];

		if (!k->valid)
			continue;
		if (osm_opts.show_keys)
			osm_hex_format(hex, k->hop_key, OSM_HOP_KEY_LEN);
		else
			strcpy(hex, "(hidden)");
		json_array_append_new(keys, json_pack("{s:I, s:s}", "epoch",
			(json_int_t)k->epoch, "hop_key", hex));
	}
	sodium_memzero(hex, sizeof(hex));
	if (c->flags & OSM_CF_REMOTE)
		json_array_append_new(flags, json_string("remote"));
	if (c->flags & OSM_CF_DOWN)
		json_array_append_new(flags, json_string("down"));
	if (c->flags & OSM_CF_CTRL)
		json_array_append_new(flags, json_string("ctrl"));
	if (c->expires_ns)
		left = c->expires_ns > now ?
			(json_int_t)((c->expires_ns - now) / 1000000) : 0;
	osm_mac_format(src, c->src_mac);
	osm_mac_format(dst, c->dst_mac);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:o}",
		"id", (json_int_t)c->id, "in", osm_swcli_ifname(c->ingress_ifindex, in),
		"out", osm_swcli_ifname(c->egress_ifindex, out), "src", src,
		"dst", dst, "flags", flags, "rate", (json_int_t)c->rate,
		"burst", (json_int_t)c->burst, "lease_left_ms", left,
		"keys", keys);
}

static void circuit_print(json_t *j)
{
	json_t *k, *f;
	char id[16];
	size_t i;

	/* ids of up to 10 digits (control circuits') in one column */
	snprintf(id, sizeof(id), "%lld:",
		 json_integer_value(json_object_get(j, "id")));
	printf("circuit %-11s %s %s -> %s %s", id,
	       json_string_value(json_object_get(j, "in")),
	       json_string_value(json_object_get(j, "src")),
	       json_string_value(json_object_get(j, "out")),
	       json_string_value(json_object_get(j, "dst")));
	json_array_foreach(json_object_get(j, "keys"), i, k)
		printf(" epoch %lld key %s",
		       json_integer_value(json_object_get(k, "epoch")),
		       json_string_value(json_object_get(k, "hop_key")));
	if (json_integer_value(json_object_get(j, "rate")))
		printf(" rate %lld burst %lld",
		       json_integer_value(json_object_get(j, "rate")),
		       json_integer_value(json_object_get(j, "burst")));
	if (json_integer_value(json_object_get(j, "lease_left_ms")) >= 0)
		printf(" lease %lld ms",
		       json_integer_value(json_object_get(j, "lease_left_ms")));
	json_array_foreach(json_object_get(j, "flags"), i, f)
		printf(" %s", json_string_value(f));
	putchar('\n');
}

static int cmd_list(int argc, char **argv)
{
	struct osm_switch *sw;
	struct osm_circuit c;
	struct copts o;
	uint32_t *ids;
	uint64_t now = mono_ns();
	json_t *all, *j;
	size_t i, n;
	int r;

	r = parse(argc, argv, &o);
	if (r)
		return r < 0 ? 0 : r;
	if (argc - optind != 1)
		return osm_err("circuit list: need SWITCH");
	if (osm_swcli_setup(o.netns) || osm_swcli_open(argv[optind], &sw))
		return 1;
	if (osm_swcli_circuit_ids(sw, &ids, &n)) {
		osm_switch_close(sw);
		return 1;
	}
	all = json_array();
	for (i = 0; i < n; i++) {
		if (osm_switch_circuit_get(sw, ids[i], &c))
			continue;	/* deleted while we walked */
		j = circuit_json(&c, now);
		sodium_memzero(&c, sizeof(c));
		if (!osm_opts.json)
			circuit_print(j);
		json_array_append_new(all, j);
	}
	free(ids);
	osm_switch_close(sw);
	if (osm_opts.json)
		return osm_json_print(all);
	if (!json_array_size(all))
		printf("no circuits on switch '%s'\n", argv[optind]);
	json_decref(all);
	return 0;
}

int osm_cmd_circuit(int argc, char **argv)
{
	static const struct osm_cmd subs[] = {
		{ "add", cmd_add, NULL },
		{ "del", cmd_del, NULL },
		{ "list", cmd_list, NULL },
		{ "key", cmd_key, NULL },
	};
	size_t i;

	if (argc < 2)
		return osm_err("circuit: need a subcommand: add, del, list, "
			       "key (see --help)");
	if (osm_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].fn(argc - 1, argv + 1);
	return osm_err("circuit: unknown subcommand '%s' (add, del, list, "
		       "key)", argv[1]);
}
