/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Building topology files (YAML, docs/topology.md): parse and fully
 * validate into a struct osmdb_topo, which osmdb_topo_apply() (osmdb.h)
 * writes into the store in one transaction. */
#ifndef OSMDB_TOPO_H
#define OSMDB_TOPO_H

#include <stddef.h>
#include "osmdb.h"

#define OSMDB_TOPO_MAX_BYTES	(4u << 20)	/* largest file accepted */
#define OSMDB_TOPO_MAX_ENTRIES	200000		/* floors+rooms+...+devices */

struct osmdb_topo_floor { struct osmdb_rec_floor r; int line; };
struct osmdb_topo_room { struct osmdb_rec_room r; int line, sw_line; };
struct osmdb_topo_switch { struct osmdb_rec_switch r; int line; };
struct osmdb_topo_port {
	struct osmdb_rec_port r;
	int line, link_line, ifname_line;
	char full[2 * OSMDB_NAME_MAX + 2];	/* "switch/port" */
	char full_if[2 * OSMDB_NAME_MAX + 2];	/* "switch/ifname" */
	char link[2 * OSMDB_NAME_MAX + 2];	/* "switch/port" or "" */
};
struct osmdb_topo_device {
	struct osmdb_rec_device r;
	int line, id_line, name_line, room_line, port_line, mac_line;
	char port[2 * OSMDB_NAME_MAX + 2];	/* "switch/port" */
	char id_s[12], mac_s[18];		/* keys for duplicate checks */
};

/* A parsed, validated building. Arrays in file order. */
struct osmdb_topo {
	char building[OSMDB_NAME_MAX + 1];
	struct osmdb_topo_floor *floors;
	struct osmdb_topo_room *rooms;
	struct osmdb_topo_switch *switches;
	struct osmdb_topo_port *ports;
	struct osmdb_topo_device *devices;
	size_t n_floors, n_rooms, n_switches, n_ports, n_devices;
};

/*
 * Parse and validate len bytes of YAML; name is the file name used in
 * messages. On error *out is NULL and err holds one line
 * "NAME:LINE: problem". Returns 0, -EINVAL (invalid; err says why),
 * -ENOMEM.
 */
int osmdb_topo_parse(const void *buf, size_t len, const char *name,
		     struct osmdb_topo **out, char *err, size_t errlen);

/* As osmdb_topo_parse on the contents of file path; also -errno (with err
 * set) if it cannot be read, -EFBIG over OSMDB_TOPO_MAX_BYTES. */
int osmdb_topo_parse_file(const char *path, struct osmdb_topo **out, char *err,
			  size_t errlen);

void osmdb_topo_free(struct osmdb_topo *t);

#endif
