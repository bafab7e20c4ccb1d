// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric load: a room switch's XDP program on its ports, its maps
 * pinned under OSM_PIN_ROOT/<switch>/. All or nothing. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "cli_switch.h"

static void load_usage(FILE *f)
{
	fprintf(f,
		"usage: osm-fabric load [-n NETNS] [--generic] "
		"[--max-circuits N] SWITCH IFNAME...\n"
		"Load the room switch program, pin its maps under "
		OSM_PIN_ROOT "/SWITCH/ and attach it\n"
		"in native (driver) mode to every IFNAME (its fabric ports).\n"
		"  -n, --netns NETNS    the ports live in network namespace "
		"NETNS\n"
		"  --generic            attach in generic (skb) mode\n"
		"  --max-circuits N     circuit table size (default %u)\n",
		OSM_MAX_CIRCUITS);
}

struct owner {
	uint32_t prog_id;
	char name[64];
};

/* osm_switch_each(): stops (1) at the switch whose program is prog_id. */
static int owner_cb(const char *name, void *arg)
{
	struct owner *o = arg;
	struct osm_switch *sw;
	uint32_t id = 0, insns;

	if (osm_switch_open_any(&sw, name))
		return 0;
	osm_switch_prog_info(sw, &id, &insns);
	osm_switch_close(sw);
	if (id != o->prog_id)
		return 0;
	snprintf(o->name, sizeof(o->name), "%s", name);
	return 1;
}

/* Why a port could not be attached; an XDP program there is named: the
 * switch it is a port of, or its program id. */
static const char *attach_error(int err, uint32_t ifindex, char *buf,
				size_t len)
{
	struct owner o = { 0 };

	switch (err) {
	case -EBUSY:
	case -EEXIST:
		if (bpf_xdp_query_id((int)ifindex, 0, &o.prog_id) ||
		    !o.prog_id)
			return "another XDP program is attached there";
		if (osm_switch_each(owner_cb, &o) == 1)
			snprintf(buf, len, "it is a port of switch '%s' "
				 "(unload it, or give it other ports)", o.name);
		else
			snprintf(buf, len, "XDP program %u (not a switch's) "
				 "is attached there", o.prog_id);
		return buf;
	case -EOPNOTSUPP:
		return "the driver has no native XDP (try --generic)";
	default:
		return strerror(-err);
	}
}

int osm_cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		OSM_SWCLI_NETNS_OPT,
		{ "generic", no_argument, NULL, 'g' },
		{ "max-circuits", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint32_t ifindex[OSM_MAX_PORTS], max = 0, id, insns;
	int mtu[OSM_MAX_PORTS];
	char why[160];
	const char *netns = NULL, *name;
	struct osm_switch *sw;
	int c, i, j, n, generic = 0, err;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': netns = optarg; break;
		case 'g': generic = 1; break;
		case 'm':
			if (osm_swcli_u32(optarg, "circuit table size", &max))
				return 1;
			if (max == 0 || max > OSM_MAX_CIRCUITS)
				return osm_err("circuit table size must be 1..%u",
					       OSM_MAX_CIRCUITS);
			break;
		case 'h': load_usage(stdout); return 0;
		default: return osm_swcli_badopt(argv);
		}
	}
	if (argc - optind < 2)
		return osm_err("load: need a switch name and at least one "
			       "interface (see 'osm-fabric load --help')");
	name = argv[optind++];
	n = argc - optind;
	if (n > OSM_MAX_PORTS)
		return osm_err("load: at most %d ports", OSM_MAX_PORTS);
	if (osm_switch_name_ok(name))
		return osm_err("bad switch name '%s'", name);
	if (netns && strlen(netns) >= OSM_NETNS_NAME_MAX)
		return osm_err("network namespace name over %d bytes",
			       OSM_NETNS_NAME_MAX - 1);
	if (osm_swcli_setup(netns))
		return 1;
	for (i = 0; i < n; i++) {
		if (osm_swcli_ifindex(argv[optind + i], &ifindex[i]))
			return 1;
		for (j = 0; j < i; j++)
			if (ifindex[j] == ifindex[i])
				return osm_err("interface '%s' given twice",
					       argv[optind + i]);
		mtu[i] = osm_swcli_mtu(ifindex[i]);
		if (mtu[i] >= 0 && mtu[i] < OSM_LINK_MTU_MIN)
			return osm_err("'%s': MTU %d is below %d, which every "
				       "fabric link must carry",
				       argv[optind + i], mtu[i],
				       OSM_LINK_MTU_MIN);
	}

	err = osm_switch_load(&sw, name, max, 0);
	if (err == -EEXIST)
		return osm_err("switch '%s' is already loaded", name);
	if (err)
		return osm_err("cannot load switch '%s': %s%s", name,
			       strerror(-err),
			       osm_opts.verbose ? "" : " (-v for details)");
	/* commands without -n (or with another) are refused, not run on
	 * the ports of another namespace */
	err = osm_switch_set_netns(sw, netns);
	if (err) {
		osm_switch_close(sw);
		osm_switch_unpin(name);
		return osm_err("cannot record the switch's network namespace: "
			       "%s", strerror(-err));
	}
	for (i = 0; i < n; i++) {
		err = osm_switch_attach(sw, ifindex[i], generic);
		if (err) {
			/* Undo: detach what we attached, remove the pins. */
			for (j = 0; j < i; j++)
				osm_switch_detach(sw, ifindex[j]);
			osm_switch_close(sw);
			osm_switch_unpin(name);
			return osm_err("cannot attach to '%s': %s",
				       argv[optind + i],
				       attach_error(err, ifindex[i], why,
						    sizeof(why)));
		}
	}
	osm_switch_prog_info(sw, &id, &insns);
	osm_switch_close(sw);
	if (osm_opts.json)
		return osm_json_print(json_pack("{s:s, s:i, s:i, s:i}",
			"switch", name, "prog_id", id, "verified_insns", insns,
			"ports", n));
	printf("switch %s: loaded on %d port%s (prog id %u, verifier "
	       "processed %u insns)\n", name, n, n == 1 ? "" : "s", id, insns);
	for (i = 0; i < n; i++)
		if (mtu[i] >= 0 && mtu[i] < OSM_LINK_MTU_FULL)
			printf("port %s: MTU %d: payloads of up to %d bytes "
			       "leave by it (all need %d)\n", argv[optind + i],
			       mtu[i], mtu[i] - (OSM_FRAME_HDR_LEN -
						 OSM_ETH_HLEN),
			       OSM_LINK_MTU_FULL);
	return 0;
}
