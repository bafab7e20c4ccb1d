// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer: the metrics endpoint's HTTP request head parser and listen
 * address parser. A complete head parses the same alone, a byte shorter
 * it is incomplete, a 200 is a GET or HEAD of /metrics, the response
 * head fits; an address accepted is IPv4 or IPv6. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "http.h"

static void addr(const uint8_t *data, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char s[80];

	if (size >= sizeof(s))
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	if (osm_http_addr(s, &ss, &len))
		return;
	if (!((ss.ss_family == AF_INET && len == sizeof(struct sockaddr_in)) ||
	      (ss.ss_family == AF_INET6 &&
	       len == sizeof(struct sockaddr_in6))))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *b = (const char *)data;
	struct osm_http_req r, r2;
	char head[256];
	int n;

	addr(data, size);
	n = osm_http_parse(b, size, &r);
	if (n == 0 || n == -EMSGSIZE) {
		if ((n == -EMSGSIZE) != (size >= OSM_HTTP_REQ_MAX))
			abort();
		return 0;
	}
	if (n < 0 || (size_t)n > size || n > OSM_HTTP_REQ_MAX)
		abort();
	switch (r.status) {
	case 200:
		if (!((r.method == OSM_HTTP_GET &&
		       !memcmp(b, "GET /metrics", 12)) ||
		      (r.method == OSM_HTTP_HEAD &&
		       !memcmp(b, "HEAD /metrics", 13))))
			abort();
		break;
	case 400: case 404: case 405: case 505:
		break;
	default:
		abort();
	}
	if (osm_http_parse(b, (size_t)n, &r2) != n ||
	    memcmp(&r, &r2, sizeof(r)) ||
	    osm_http_parse(b, (size_t)n - 1, &r2) != 0)
		abort();
	if (osm_http_head(head, sizeof(head), r.status, (size_t)-1) < 0)
		abort();
	return 0;
}
