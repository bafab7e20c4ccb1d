/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* osm-endpoint join: a host device on the control protocol
 * (tools/endpoint_join.c, docs/osm-endpoint.1). */
#ifndef OSM_ENDPOINT_JOIN_H
#define OSM_ENDPOINT_JOIN_H

/* argv[0] is "join"; returns the exit status. */
int osm_endpoint_join(int argc, char **argv);

#endif
