// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric events [-n N] [--json]: the daemon's recent events, each
 * with the circuits and keys it changed and how long it took. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cli_engine.h"
#include "line.h"

int osm_cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *sock = NULL;
	char sbuf[4096], line[32], why[OSM_CLI_ERR_MAX];
	size_t i;
	struct osm_engine_event *ev;
	unsigned long n = 10;
	json_t *a, *o;
	char *end;
	int c, err;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'n':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || n < 1 || n > OSM_LINE_EVENTS_MAX)
				return osm_err("events: -n takes 1..%d",
					       OSM_LINE_EVENTS_MAX);
			break;
		case 'h':
			printf("usage: osm-fabric [--store DIR] events [-n N] "
			       "[--json] [--socket PATH]\nThe daemon's last N "
			       "(10) events: what changed, and the time from\n"
			       "arrival to the leaver's circuits dead, to the "
			       "maps holding the new state,\nto the store "
			       "committed.\n");
			return 0;
		default:
			return osm_err("events: unknown option '%s'",
				       argv[optind - 1]);
		}
	}
	if (optind != argc)
		return osm_err("events: unexpected '%s'", argv[optind]);
	sock = osm_cli_socket(sock, sbuf, sizeof(sbuf));
	ev = malloc(sizeof(*ev));
	if (!ev)
		return osm_err("events: out of memory");
	snprintf(line, sizeof(line), "events %lu", n);
	err = osm_cli_request(sock, line, &a, why);
	if (err < 0)
		err = err == -EPROTO ?
		      osm_err("events: daemon at %s: bad reply", sock) :
		      osm_err("events: no daemon at %s: %s", sock,
			      strerror(-err));
	else if (err)
		err = osm_err("events: daemon: %s", why);
	else if (!json_is_array(a))
		err = osm_err("events: daemon: bad reply");
	else if (osm_opts.json)
		err = osm_json_print(json_incref(a));
	else if (!json_array_size(a))
		printf("no events since the daemon started\n");
	else
		json_array_foreach(a, i, o)
			if (!osm_cli_event_from_json(o, ev))
				osm_cli_event_print(stdout, ev, 0);
	json_decref(a);
	free(ev);
	return err;
}
