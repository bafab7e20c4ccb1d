// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The little HTTP/1.x of the daemon's metrics endpoint: the request head
 * checked strictly (it comes from the network), the response head, the
 * listen address. Pure: no sockets here, so it is fuzzed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "http.h"

/* Where the head ends (just past its empty line), or 0. */
static size_t head_end(const char *buf, size_t len)
{
	size_t i;

	for (i = 1; i < len && i < OSM_HTTP_REQ_MAX; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i - 1] == '\n' ||
		    (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n'))
			return i + 1;
	}
	return 0;
}

/* The line at buf[0..len) ends at its '\n'; its length without the line
 * end, or -1 if it holds a bare CR. */
static long line_len(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n = (size_t)(nl - buf);

	if (n && buf[n - 1] == '\r')
		n--;
	return memchr(buf, '\r', n) ? -1 : (long)n;
}

static int tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* A header line: a field name, ':', a value of visible characters,
 * spaces, tabs and obs-text. */
static int header_ok(const char *l, size_t n)
{
	size_t i = 0;

	while (i < n && tchar((unsigned char)l[i]))
		i++;
	if (!i || i == n || l[i] != ':')
		return 0;
	for (i++; i < n; i++) {
		unsigned char c = (unsigned char)l[i];

		if (c != '\t' && (c < 0x20 || c == 0x7f))
			return 0;
	}
	return 1;
}

/* "METHOD SP TARGET SP HTTP/1.x": the status it calls for, 200 if none
 * of the line's own (the path is checked after the method). */
static int request_line(const char *l, size_t n, struct osm_http_req *req,
			const char **target, size_t *tlen)
{
	const char *sp1 = memchr(l, ' ', n), *sp2, *v;
	size_t i, vlen;

	if (!sp1 || sp1 == l || sp1 - l > 16)
		return 400;
	for (i = 0; l + i < sp1; i++)
		if (!tchar((unsigned char)l[i]))
			return 400;
	*target = sp1 + 1;
	sp2 = memchr(*target, ' ', n - (size_t)(*target - l));
	if (!sp2 || sp2 == *target)
		return 400;
	*tlen = (size_t)(sp2 - *target);
	for (i = 0; i < *tlen; i++)
		if ((unsigned char)(*target)[i] <= 0x20 ||
		    (unsigned char)(*target)[i] >= 0x7f)
			return 400;
	v = sp2 + 1;
	vlen = n - (size_t)(v - l);
	if (vlen != 8 || memcmp(v, "HTTP/", 5) || v[5] < '0' || v[5] > '9' ||
	    v[6] != '.' || v[7] < '0' || v[7] > '9')
		return 400;
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return 505;
	if ((size_t)(sp1 - l) == 3 && !memcmp(l, "GET", 3))
		req->method = OSM_HTTP_GET;
	else if ((size_t)(sp1 - l) == 4 && !memcmp(l, "HEAD", 4))
		req->method = OSM_HTTP_HEAD;
	else
		req->method = OSM_HTTP_OTHER;
	return 200;
}

int osm_http_parse(const char *buf, size_t len, struct osm_http_req *req)
{
	size_t end = head_end(buf, len), off, tlen = 0, plen;
	const char *target = NULL;
	long n;

	memset(req, 0, sizeof(*req));
	if (!end)
		return len >= OSM_HTTP_REQ_MAX ? -EMSGSIZE : 0;
	n = line_len(buf, end);
	req->status = n <= 0 ? 400 :
		      request_line(buf, (size_t)n, req, &target, &tlen);
	/* header lines, up to the empty one */
	for (off = (size_t)memchr(buf, '\n', end) - (size_t)buf + 1;
	     off < end; off += (size_t)memchr(buf + off, '\n', end - off) -
			       (size_t)(buf + off) + 1) {
		n = line_len(buf + off, end - off);
		if (n < 0 || (n > 0 && !header_ok(buf + off, (size_t)n)))
			req->status = 400;
	}
	if (req->status != 200)
		return (int)end;
	if (req->method == OSM_HTTP_OTHER) {
		req->status = 405;
		return (int)end;
	}
	plen = strlen(OSM_HTTP_PATH);
	if (tlen < plen || memcmp(target, OSM_HTTP_PATH, plen) ||
	    (tlen > plen && target[plen] != '?'))
		req->status = 404;
	return (int)end;
}

const char *osm_http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

int osm_http_head(char *buf, size_t len, int status, size_t body_len)
{
	int n = snprintf(buf, len, "HTTP/1.1 %d %s\r\n"
			 "Content-Type: %s\r\n"
			 "Content-Length: %zu\r\n"
			 "%s"
			 "Connection: close\r\n\r\n",
			 status, osm_http_reason(status), status == 200 ?
			 "text/plain; version=0.0.4; charset=utf-8" :
			 "text/plain; charset=utf-8", body_len,
			 status == 405 ? "Allow: GET, HEAD\r\n" : "");

	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int osm_http_addr(const char *s, struct sockaddr_storage *ss,
		  socklen_t *sslen)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	const char *port, *close, *colon;
	char host[INET6_ADDRSTRLEN];
	unsigned long p = 0;
	size_t hlen, i;
	int v6 = 0;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		close = strchr(s, ']');
		if (!close || close[1] != ':')
			return -EINVAL;
		hlen = (size_t)(close - s - 1);
		memmove(host, s + 1, hlen < sizeof(host) ? hlen : 0);
		port = close + 2;
		v6 = 1;
	} else {
		colon = strrchr(s, ':');
		hlen = colon ? (size_t)(colon - s) : 0;
		memmove(host, s, hlen < sizeof(host) ? hlen : 0);
		port = colon ? colon + 1 : s;
	}
	if (hlen >= sizeof(host) || (v6 && !hlen))
		return -EINVAL;
	host[hlen] = '\0';
	for (i = 0; port[i]; i++) {
		if (port[i] < '0' || port[i] > '9' || i == 5)
			return -EINVAL;
		p = p * 10 + (unsigned long)(port[i] - '0');
	}
	if (!i || p > 65535)		/* 0: any free port */
		return -EINVAL;
	if (v6) {
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return -EINVAL;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		*sslen = sizeof(*a6);
		return 0;
	}
	if (inet_pton(AF_INET, hlen ? host : "127.0.0.1",
		      &a4->sin_addr) != 1)
		return -EINVAL;
	a4->sin_family = AF_INET;
	a4->sin_port = htons((uint16_t)p);
	*sslen = sizeof(*a4);
	return 0;
}
