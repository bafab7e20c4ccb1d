// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer: the daemon's request line parser. A line it accepts, written
 * back in canonical form, parses to the same request; names, addresses
 * and keys are valid;
 * error messages are printable one-liners. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "line.h"
#include "osm_hex.h"

static void canonical(const struct osm_line_req *r, char *buf, size_t len)
{
	static const char *const verb[] = {
		"",	  "enter",     "move",	 "leave", "events",
		"verify", "reconcile", "reload", "ping",  "controller",
		"apply",  "forget",    "prune",	 "metrics"};
	static const char *const dirs[] = { "", "send", "receive", "both" };
	char hex[65], mac[18];
	size_t i;

	switch (r->cmd) {
	case OSM_LINE_ENTER:
	case OSM_LINE_MOVE:
		snprintf(buf, len, "%s %s %s", verb[r->cmd], r->person,
			 r->room);
		break;
	case OSM_LINE_LEAVE:
	case OSM_LINE_FORGET:
		snprintf(buf, len, "%s %s", verb[r->cmd], r->person);
		break;
	case OSM_LINE_APPLY:
		snprintf(buf, len, "apply %s", r->path);
		break;
	case OSM_LINE_EVENTS:
		snprintf(buf, len, "events %u", r->n);
		break;
	case OSM_LINE_PRUNE:
		for (i = 0; i < sizeof(r->hash); i++)
			snprintf(hex + 2 * i, 3, "%02x", r->hash[i]);
		snprintf(buf, len, "prune %llu %s", (unsigned long long)r->seq,
			 hex);
		break;
	case OSM_LINE_PEER_ADD:
		osm_hex_format(hex, r->peer.pub, 32);
		osm_mac_format(mac, r->peer.next_hop);
		snprintf(buf, len, "peer-add %s %s %s %s %s %s %u",
			 r->peer.name, hex, r->peer.endpoint, mac,
			 r->peer.gateway, r->peer.socket, r->peer.epoch);
		break;
	case OSM_LINE_PEER_EPOCH:
		snprintf(buf, len, "peer-epoch %s %u", r->peer.name,
			 r->peer.epoch);
		break;
	case OSM_LINE_PEER_DEL:
		snprintf(buf, len, "peer-del %s", r->peer.name);
		break;
	case OSM_LINE_REMOTE_ADD:
		osm_mac_format(mac, r->remote.peer_mac);
		snprintf(buf, len, "remote-add %s %s %u %s %s %s",
			 r->remote.name, r->remote.peer, r->remote.device, mac,
			 osmdb_class_name(r->remote.cls), dirs[r->remote.dirs]);
		break;
	case OSM_LINE_REMOTE_CLOSE:
		snprintf(buf, len, "remote-close %s", r->remote.name);
		break;
	default:
		snprintf(buf, len, "%s", verb[r->cmd]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct osm_line_req r, r2;
	char err[128], line[OSM_LINE_MAX * 2];
	size_t i;

	if (osm_line_parse((const char *)data, size, &r, err, sizeof(err))) {
		for (i = 0; err[i]; i++)
			if (err[i] < 0x20 || err[i] > 0x7e)
				abort();
		return 0;
	}
	if (r.cmd < OSM_LINE_ENTER || r.cmd > OSM_LINE_REMOTE_CLOSE)
		abort();
	if (r.cmd >= OSM_LINE_PEER_ADD &&
	    !osmdb_name_ok(r.cmd >= OSM_LINE_REMOTE_ADD ? r.remote.name :
			   r.peer.name))
		abort();
	if (r.cmd == OSM_LINE_PEER_ADD &&
	    (!osm_line_endpoint_ok(r.peer.endpoint) || !r.peer.epoch ||
	     r.peer.socket[0] != '/' || !osmdb_name_ok(r.peer.gateway)))
		abort();
	if (r.cmd == OSM_LINE_REMOTE_ADD &&
	    (!r.remote.dirs || r.remote.dirs > 3 ||
	     r.remote.cls >= OSMDB_CLASS_MAX || !osmdb_name_ok(r.remote.peer)))
		abort();
	if (r.cmd == OSM_LINE_APPLY &&
	    (r.path[0] != '/' || strpbrk(r.path, " \t")))
		abort();
	if (((r.cmd <= OSM_LINE_LEAVE || r.cmd == OSM_LINE_FORGET) &&
	     !osmdb_name_ok(r.person)) ||
	    (r.cmd <= OSM_LINE_MOVE && !osmdb_name_ok(r.room)))
		abort();
	if (r.cmd == OSM_LINE_PRUNE && r.seq == 0)
		abort();
	if (r.cmd == OSM_LINE_EVENTS &&
	    (r.n < 1 || r.n > OSM_LINE_EVENTS_MAX))
		abort();
	canonical(&r, line, sizeof(line));
	if (osm_line_parse(line, strlen(line), &r2, err, sizeof(err)) ||
	    memcmp(&r, &r2, sizeof(r)))
		abort();
	return 0;
}
