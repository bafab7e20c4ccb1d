// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Parsing the daemon's request lines: a verb and its words, every name
 * checked as the store checks names. Errors never echo the input's bytes
 * beyond what is printable. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "line.h"
#include "osm_hex.h"

static const struct {
	const char *verb;
	int cmd, min, max;	/* words after the verb */
} verbs[] = {
	{ "enter", OSM_LINE_ENTER, 2, 2 },
	{ "move", OSM_LINE_MOVE, 2, 2 },
	{ "leave", OSM_LINE_LEAVE, 1, 1 },
	{ "events", OSM_LINE_EVENTS, 0, 1 },
	{ "verify", OSM_LINE_VERIFY, 0, 0 },
	{ "reconcile", OSM_LINE_RECONCILE, 0, 0 },
	{ "reload", OSM_LINE_RELOAD, 0, 0 },
	{ "ping", OSM_LINE_PING, 0, 0 },
	{ "controller", OSM_LINE_CONTROLLER, 0, 0 },
	{ "apply", OSM_LINE_APPLY, 1, 1 },
	{ "forget", OSM_LINE_FORGET, 1, 1 },
	{ "prune", OSM_LINE_PRUNE, 2, 2 },
	{ "metrics", OSM_LINE_METRICS, 0, 0 },
	{ "peer-add", OSM_LINE_PEER_ADD, 7, 7 },
	{ "peer-epoch", OSM_LINE_PEER_EPOCH, 2, 2 },
	{ "peer-del", OSM_LINE_PEER_DEL, 1, 1 },
	{ "remote-add", OSM_LINE_REMOTE_ADD, 6, 6 },
	{ "remote-close", OSM_LINE_REMOTE_CLOSE, 1, 1 },
};

#define MAX_WORDS	8

static int bad(char *err, size_t errlen, const char *fmt, const char *arg)
{
	snprintf(err, errlen, fmt, arg);
	return -EINVAL;
}

/* A decimal number without sign or leading zero, at most max. */
static int num(const char *w, unsigned long max)
{
	size_t n = strlen(w);

	return n && n <= 10 && strspn(w, "0123456789") == n &&
	       (w[0] != '0' || n == 1) && strtoul(w, NULL, 10) <= max;
}

/* Copy a word that passed osmdb_name_ok; names are at most OSMDB_NAME_MAX. */
static int name(char *dst, const char *w, const char *what, char *err,
		size_t errlen)
{
	if (!osmdb_name_ok(w))
		return bad(err, errlen,
			   "bad %s name (1-63 of A-Z a-z 0-9 . _ -)", what);
	strcpy(dst, w);
	return 0;
}

/* prune SEQ HASH: a decimal sequence number from 1, 64 hex digits. */
static int prune(struct osm_line_req *req, const char *seq, const char *hash,
		 char *err, size_t errlen)
{
	size_t i;

	if (strspn(seq, "0123456789") != strlen(seq) || strlen(seq) > 19 ||
	    seq[0] == '0')
		return bad(err, errlen, "%s", "prune: SEQ is a record's "
			   "sequence number (1 or more)");
	req->seq = strtoull(seq, NULL, 10);
	if (strspn(hash, "0123456789abcdef") != 64 || hash[64])
		return bad(err, errlen, "%s", "prune: HASH is 64 lower-case "
			   "hex digits");
	for (i = 0; i < sizeof(req->hash); i++)
		req->hash[i] = (uint8_t)strtoul((char[3]){ hash[2 * i],
							   hash[2 * i + 1], 0 },
						NULL, 16);
	return 0;
}

int osm_line_endpoint_ok(const char *s)
{
	const char *colon = strrchr(s, ':');
	char host[OSMDB_ADDR_MAX + 1];
	unsigned char a[16];
	size_t n;

	if (!colon || strlen(s) > OSMDB_ADDR_MAX || !num(colon + 1, 65535) ||
	    !strtoul(colon + 1, NULL, 10))
		return 0;
	n = (size_t)(colon - s);
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			return 0;
		memcpy(host, s + 1, n - 2);
		host[n - 2] = '\0';
		return inet_pton(AF_INET6, host, a) == 1;
	}
	memcpy(host, s, n);
	host[n] = '\0';
	return inet_pton(AF_INET, host, a) == 1;
}

/* peer-add's words after the verb. */
static int peer_add(struct osmdb_peer *p, char **w, char *err, size_t errlen)
{
	if (name(p->name, w[0], "peer", err, errlen))
		return -EINVAL;
	if (strlen(w[1]) != 64 || osm_hex_parse(w[1], p->pub, 32) != 32)
		return bad(err, errlen, "%s", "peer-add: KEY is 64 hex digits");
	if (!osm_line_endpoint_ok(w[2]))
		return bad(err, errlen, "%s", "peer-add: bad ADDR:PORT "
			   "(A.B.C.D:PORT or [IPV6]:PORT)");
	strcpy(p->endpoint, w[2]);
	if (osm_mac_parse(w[3], p->next_hop))
		return bad(err, errlen, "%s", "peer-add: bad MAC");
	if (name(p->gateway, w[4], "gateway", err, errlen))
		return -EINVAL;
	if (w[5][0] != '/' || strlen(w[5]) > OSMDB_SOCK_MAX)
		return bad(err, errlen, "%s", "peer-add: SOCKET is an absolute "
			   "path of at most 107 bytes");
	strcpy(p->socket, w[5]);
	if (!num(w[6], UINT32_MAX) || !(p->epoch = (uint32_t)strtoul(w[6],
								     NULL, 10)))
		return bad(err, errlen, "%s", "peer-add: EPOCH is 1.."
			   "4294967295");
	return 0;
}

/* remote-add's words after the verb. */
static int remote_add(struct osmdb_remote *r, char **w, char *err,
		      size_t errlen)
{
	int cls = osmdb_class_parse(w[4]);

	if (name(r->name, w[0], "remote", err, errlen) ||
	    name(r->peer, w[1], "peer", err, errlen))
		return -EINVAL;
	if (!num(w[2], OSM_DEVICE_ID_MAX))
		return bad(err, errlen, "%s", "remote-add: DEVICE-ID is a "
			   "device's id");
	r->device = (uint32_t)strtoul(w[2], NULL, 10);
	if (osm_mac_parse(w[3], r->peer_mac))
		return bad(err, errlen, "%s", "remote-add: bad MAC");
	if (cls < 0)
		return bad(err, errlen, "%s", "remote-add: CLASS is control, "
			   "sensor, audio, video or bulk");
	r->cls = (uint8_t)cls;
	r->dirs = !strcmp(w[5], "send") ? 1 : !strcmp(w[5], "receive") ? 2 :
		  !strcmp(w[5], "both") ? 3 : 0;
	if (!r->dirs)
		return bad(err, errlen, "%s", "remote-add: DIRS is send, "
			   "receive or both");
	return 0;
}

int osm_line_parse(const char *line, size_t len, struct osm_line_req *req,
		   char *err, size_t errlen)
{
	char buf[OSM_LINE_MAX], *w[MAX_WORDS], *p, *save = NULL;
	unsigned long n;
	size_t i;
	int nw = 0;

	memset(req, 0, sizeof(*req));
	if (len && line[len - 1] == '\r')
		len--;
	if (len >= sizeof(buf))
		return bad(err, errlen, "line longer than %s bytes", "511");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c != '\t' && (c < 0x20 || c > 0x7e))
			return bad(err, errlen, "%s", "not printable ASCII");
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	for (p = strtok_r(buf, " \t", &save); p;
	     p = strtok_r(NULL, " \t", &save)) {
		if (nw == MAX_WORDS)
			return bad(err, errlen, "%s", "too many words");
		w[nw++] = p;
	}
	if (!nw)
		return bad(err, errlen, "%s", "empty line");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(w[0], verbs[i].verb))
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0]))
		return bad(err, errlen, "%s", "unknown request (enter, move, "
			   "leave, events, verify, reconcile, reload, ping, "
			   "controller, apply, forget, prune, metrics, "
			   "peer-add, peer-epoch, peer-del, remote-add, "
			   "remote-close)");
	if (nw - 1 < verbs[i].min || nw - 1 > verbs[i].max)
		return bad(err, errlen, "wrong number of words for '%s'",
			   verbs[i].verb);
	req->cmd = verbs[i].cmd;
	switch (req->cmd) {
	case OSM_LINE_ENTER:
	case OSM_LINE_MOVE:
		return name(req->person, w[1], "person", err, errlen) ?:
		       name(req->room, w[2], "room", err, errlen);
	case OSM_LINE_LEAVE:
	case OSM_LINE_FORGET:
		return name(req->person, w[1], "person", err, errlen);
	case OSM_LINE_APPLY:
		if (w[1][0] != '/')
			return bad(err, errlen, "%s", "apply: the topology "
				   "file's path must be absolute");
		strcpy(req->path, w[1]);	/* shorter than the line */
		return 0;
	case OSM_LINE_PRUNE:
		return prune(req, w[1], w[2], err, errlen);
	case OSM_LINE_PEER_ADD:
		return peer_add(&req->peer, w + 1, err, errlen);
	case OSM_LINE_PEER_EPOCH:
		if (name(req->peer.name, w[1], "peer", err, errlen))
			return -EINVAL;
		if (!num(w[2], UINT32_MAX) || !strtoul(w[2], NULL, 10))
			return bad(err, errlen, "%s", "peer-epoch: EPOCH is "
				   "1..4294967295");
		req->peer.epoch = (uint32_t)strtoul(w[2], NULL, 10);
		return 0;
	case OSM_LINE_PEER_DEL:
		return name(req->peer.name, w[1], "peer", err, errlen);
	case OSM_LINE_REMOTE_ADD:
		return remote_add(&req->remote, w + 1, err, errlen);
	case OSM_LINE_REMOTE_CLOSE:
		return name(req->remote.name, w[1], "remote", err, errlen);
	case OSM_LINE_EVENTS:
		req->n = 10;
		if (nw == 2) {
			if (strspn(w[1], "0123456789") != strlen(w[1]) ||
			    strlen(w[1]) > 3 ||
			    (n = strtoul(w[1], NULL, 10)) < 1 ||
			    n > OSM_LINE_EVENTS_MAX)
				return bad(err, errlen, "events: N is 1..%s",
					   "64");
			req->n = (unsigned)n;
		}
		return 0;
	default:
		return 0;
	}
}
