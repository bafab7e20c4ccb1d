// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric metrics: every loaded switch's counters and gauges, and the
 * daemon's (engine, controller) when one serves the store, in the
 * Prometheus text exposition format (docs/engine.md, "Metrics"). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "cli_engine.h"
#include "cli_switch.h"
#include "metrics.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: osm-fabric [--store DIR] metrics [--netns-prefix P]\n"
		   "Every loaded switch's drops by reason, circuits' frames, "
		   "bytes and drops,\nports' transmit errors, circuit table "
		   "use and size; with a daemon serving\nthe store, its "
		   "events, latency histograms and controller counters too.\n"
		   "Prometheus text format 0.0.4 (promtool check metrics). "
		   "Port names are looked\nup in each switch's namespace (as "
		   "loaded, else P + SWITCH).\n");
}

int osm_cmd_metrics(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "netns-prefix", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *prefix = NULL, *text;
	struct osm_mw w;
	json_t *j = NULL;
	int c, err;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'N': prefix = optarg; break;
		case 'h': usage(stdout); return 0;
		default:
			return osm_err("metrics: unknown option '%s'",
				       argv[optind - 1]);
		}
	}
	if (optind != argc)
		return osm_err("metrics: unexpected '%s'", argv[optind]);
	if (osm_opts.json)
		return osm_err("metrics: the output is Prometheus text; "
			       "there is no JSON form");
	if (osm_swcli_setup(NULL))
		return 1;
	/* The daemon's part first: if it cannot be had, nothing is
	 * printed (a scrape half there would mislead). */
	err = osm_cli_via_daemon("metrics", "metrics", &j);
	if (err > 0)
		return 1;
	text = j ? json_string_value(json_object_get(j, "text")) : NULL;
	if (j && !text) {
		json_decref(j);
		return osm_err("metrics: the store's daemon: bad reply");
	}
	osm_mw_init(&w);
	err = osm_metrics_switches(&w, prefix) ?:
	      osm_metrics_gateways(&w, NULL);
	if (err) {
		osm_mw_free(&w);
		json_decref(j);
		return osm_err("metrics: cannot read the switches: %s",
			       strerror(-err));
	}
	fputs(w.buf ? w.buf : "", stdout);
	if (text)
		fputs(text, stdout);
	osm_mw_free(&w);
	json_decref(j);
	return fflush(stdout) ? osm_err("metrics: cannot write: %s",
					strerror(errno)) : 0;
}
