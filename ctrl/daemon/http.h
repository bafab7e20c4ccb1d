/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The daemon's metrics endpoint speaks a little HTTP/1.x: a request head
 * parsed (pure, fuzzed), a response head written, a listen address read
 * from the command line. The daemon does the sockets (cmd_daemon.c). */
#ifndef OSM_DAEMON_HTTP_H
#define OSM_DAEMON_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

#define OSM_HTTP_REQ_MAX	4096	/* bytes of a request head, at most */
#define OSM_HTTP_PATH		"/metrics"

enum osm_http_method { OSM_HTTP_GET = 1, OSM_HTTP_HEAD, OSM_HTTP_OTHER };

struct osm_http_req {
	int method;		/* enum osm_http_method */
	int status;		/* what to answer: 200, 400, 404, 405, 505 */
};

/*
 * Parse the head of a request, buf[0..len): request line, header lines,
 * an empty line (CRLF or LF line ends). Returns 0 while the head is not
 * complete (more bytes needed), the head's length once it is (*req
 * filled: status 200 for GET or HEAD of OSM_HTTP_PATH, with or without a
 * query; 400 malformed; 505 not HTTP/1.0 or 1.1; 405 another method; 404
 * another path), or -EMSGSIZE when len is OSM_HTTP_REQ_MAX or more and
 * the head has not ended.
 */
int osm_http_parse(const char *buf, size_t len, struct osm_http_req *req);

/* The reason phrase of a status this file answers ("Not Found"). */
const char *osm_http_reason(int status);

/*
 * A response head in buf (len bytes): status line, Content-Type (the
 * exposition format's for 200, text/plain otherwise), Content-Length,
 * Allow for 405, Connection: close. Returns its length, or -ENOSPC.
 */
int osm_http_head(char *buf, size_t len, int status, size_t body_len);

/*
 * A listen address: "PORT", ":PORT" (both 127.0.0.1), "A.B.C.D:PORT",
 * "[IPV6]:PORT"; numeric only, port 0..65535 (0: the kernel picks a
 * free one). Returns 0 with *ss and
 * *sslen filled, or -EINVAL.
 */
int osm_http_addr(const char *s, struct sockaddr_storage *ss,
		  socklen_t *sslen);

#endif
