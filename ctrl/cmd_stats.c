// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric stats: a switch's drop counters by reason and each circuit's
 * frames, bytes and drops, summed over CPUs. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cli_gateway.h"
#include "cli_switch.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: osm-fabric stats [-n NETNS] SWITCH [--circuit ID]\n"
		   "Frames dropped by reason, and per circuit: frames and "
		   "bytes forwarded,\nframes dropped after the circuit was "
		   "found.\nSWITCH may be a gateway of the store's peers "
		   "(osm-gw): its decision's drops,\nthe link's, and its "
		   "circuits.\n");
}

static int circuit_stats(struct osm_switch *sw, uint32_t id, json_t *arr)
{
	struct osm_circuit_stats s;
	int err = osm_switch_circuit_stats(sw, id, &s);

	if (err)
		return err;
	if (!osm_opts.json)
		printf("circuit %-10u frames %-12" PRIu64 " bytes %-14" PRIu64
		       " drops %" PRIu64 "\n", id, (uint64_t)s.frames,
		       (uint64_t)s.bytes, (uint64_t)s.drops);
	json_array_append_new(arr, json_pack("{s:I, s:I, s:I, s:I}", "id",
		(json_int_t)id, "frames", (json_int_t)s.frames, "bytes",
		(json_int_t)s.bytes, "drops", (json_int_t)s.drops));
	return 0;
}

static void print_drops(const char *what, json_t *d)
{
	const char *k;
	json_t *v;

	printf("  %s:\n", what);
	json_object_foreach(d, k, v)
		printf("    %-16s %lld\n", k, json_integer_value(v));
}

/* stats GATEWAY: what its osm-gw counts, in the same shape as a
 * switch's ("drops": the decision's; "link_drops": the link's). Returns
 * -1 if name is no gateway of the store's peers. */
static int gateway_stats(const char *name, const char *one)
{
	json_t *g = osm_cli_gateways(NULL, name, 1), *o, *st, *c, *cs;
	json_t *keep = json_array();
	size_t i;
	int r = -1;

	o = json_array_get(g, 0);
	if (!o)
		goto out;
	st = json_object_get(o, "stats");
	r = st ? 0 : osm_err("stats: gateway %s: not reachable at %s", name,
			     json_string_value(json_object_get(o, "socket")));
	cs = json_object_get(o, "circuits");
	json_array_foreach(cs, i, c)
		if (!one || json_integer_value(json_object_get(c, "id")) ==
		    strtoll(one, NULL, 10))
			json_array_append(keep, c);
	if (!r && one && !json_array_size(keep))
		r = osm_err("no circuit %s on gateway '%s'", one, name);
	if (r)
		goto out;
	if (osm_opts.json) {
		r = osm_json_print(json_pack("{s:s, s:O, s:O, s:O}", "gateway",
			name, "drops", json_object_get(st, "inner_drops"),
			"link_drops", json_object_get(st, "outer_drops"),
			"circuits", keep));
		goto out;
	}
	if (!one) {
		printf("gateway %s drops:\n", name);
		print_drops("decision (both ways)",
			    json_object_get(st, "inner_drops"));
		print_drops("link", json_object_get(st, "outer_drops"));
		printf("  %-16s %lld\n", "local_only",
		       json_integer_value(json_object_get(st, "local_only")));
	}
	json_array_foreach(keep, i, c)
		printf("circuit %-10lld frames %-12lld bytes %-14lld drops "
		       "%lld\n", json_integer_value(json_object_get(c, "id")),
		       json_integer_value(json_object_get(c, "frames")),
		       json_integer_value(json_object_get(c, "bytes")),
		       json_integer_value(json_object_get(c, "drops")));
	if (!one && !json_array_size(keep))
		printf("no circuits\n");
out:
	json_decref(keep);
	json_decref(g);
	return r;
}

int osm_cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		OSM_SWCLI_NETNS_OPT,
		{ "circuit", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint64_t drops[OSM_REASON_MAX];
	const char *netns = NULL, *one = NULL;
	struct osm_switch *sw;
	json_t *dj, *cj;
	uint32_t id, *ids;
	size_t i, n;
	int c, r, err;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "n:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': netns = optarg; break;
		case 'c': one = optarg; break;
		case 'h': usage(stdout); return 0;
		default: return osm_swcli_badopt(argv);
		}
	}
	if (argc - optind != 1)
		return osm_err("stats: need SWITCH");
	if (one && osm_swcli_u32(one, "circuit id", &id))
		return 1;
	r = netns ? -1 : gateway_stats(argv[optind], one);
	if (r >= 0)
		return r;
	if (osm_swcli_setup(netns) || osm_swcli_open(argv[optind], &sw))
		return 1;
	err = osm_switch_drop_stats(sw, drops);
	if (err) {
		osm_switch_close(sw);
		return osm_err("cannot read drop counters: %s", strerror(-err));
	}
	dj = json_object();
	cj = json_array();
	if (!osm_opts.json && !one)
		printf("switch %s drops:\n", argv[optind]);
	for (r = OSM_DROP_MALFORMED; r < OSM_REASON_MAX && !one; r++) {
		if (r == OSM_DROP_BAD_AEAD)	/* endpoints only */
			continue;
		if (!osm_opts.json)
			printf("  %-16s %" PRIu64 "\n", osm_reason_name(r),
			       drops[r]);
		json_object_set_new(dj, osm_reason_name(r),
				    json_integer((json_int_t)drops[r]));
	}
	if (one) {
		err = circuit_stats(sw, id, cj);
	} else if (!osm_swcli_circuit_ids(sw, &ids, &n)) {
		for (i = 0; i < n; i++)
			circuit_stats(sw, ids[i], cj);
		if (!n && !osm_opts.json)
			printf("no circuits\n");
		free(ids);
	} else {
		err = -ENOMEM;
	}
	osm_switch_close(sw);
	if (err) {
		json_decref(dj);
		json_decref(cj);
		return err == -ENOMEM ? 1 : osm_err("no circuit %s on switch "
						   "'%s'", one, argv[optind]);
	}
	if (osm_opts.json)
		return osm_json_print(json_pack("{s:s, s:o, s:o}", "switch",
						 argv[optind], "drops", dj,
						 "circuits", cj));
	json_decref(dj);
	json_decref(cj);
	return 0;
}
