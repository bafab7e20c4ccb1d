// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Parsing the daemon's request lines: a verb and its words, every name
 * checked as the store checks names. Errors never echo the input's bytes
 * beyond what is printable. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "line.h"

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
};

#define MAX_WORDS	4

static int bad(char *err, size_t errlen, const char *fmt, const char *arg)
{
	snprintf(err, errlen, fmt, arg);
	return -EINVAL;
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
		return bad(err, errlen, "line longer than %s bytes", "255");
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
			   "controller, apply, forget, prune, metrics)");
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
