/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Building topology files (YAML, docs/topology.md): parse and fully
 * validate into a struct osm_topo, which osm_topo_apply() (osm_store.h)
 * writes into the store in one transaction. */
#ifndef OSM_TOPO_H
#define OSM_TOPO_H

#include <stddef.h>
#include "osm_store.h"

#define OSM_TOPO_MAX_BYTES	(4u << 20)	/* largest file accepted */
#define OSM_TOPO_MAX_ENTRIES	200000		/* floors+rooms+...+devices */

struct osm_topo_floor { struct osm_rec_floor r; int line; };
struct osm_topo_room { struct osm_rec_room r; int line, sw_line; };
struct osm_topo_switch { struct osm_rec_switch r; int line; };
struct osm_topo_port {
	struct osm_rec_port r;
	int line, link_line, ifname_line;
	char full[2 * OSM_NAME_MAX + 2];	/* "switch/port" */
	char full_if[2 * OSM_NAME_MAX + 2];	/* "switch/ifname" */
	char link[2 * OSM_NAME_MAX + 2];	/* "switch/port" or "" */
};
struct osm_topo_device {
	struct osm_rec_device r;
	int line, id_line, name_line, room_line, port_line, mac_line;
	char port[2 * OSM_NAME_MAX + 2];	/* "switch/port" */
	char id_s[12], mac_s[18];		/* keys for duplicate checks */
};

/* A parsed, validated building. Arrays in file order. */
struct osm_topo {
	char building[OSM_NAME_MAX + 1];
	struct osm_topo_floor *floors;
	struct osm_topo_room *rooms;
	struct osm_topo_switch *switches;
	struct osm_topo_port *ports;
	struct osm_topo_device *devices;
	size_t n_floors, n_rooms, n_switches, n_ports, n_devices;
};

/*
 * Parse and validate len bytes of YAML; name is the file name used in
 * messages. On error *out is NULL and err holds one line
 * "NAME:LINE: problem". Returns 0, -EINVAL (invalid; err says why),
 * -ENOMEM.
 */
int osm_topo_parse(const void *buf, size_t len, const char *name,
		   struct osm_topo **out, char *err, size_t errlen);

/* As osm_topo_parse on the contents of file path; also -errno (with err
 * set) if it cannot be read, -EFBIG over OSM_TOPO_MAX_BYTES. */
int osm_topo_parse_file(const char *path, struct osm_topo **out, char *err,
			size_t errlen);

void osm_topo_free(struct osm_topo *t);

#endif
