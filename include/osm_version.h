/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The release of osm-fabric's programs, which every one of them prints
 * with --version as "PROGRAM VERSION (protocol N)", N the wire version
 * (OSM_VERSION, include/osm_proto.h). */
#ifndef OSM_VERSION_H
#define OSM_VERSION_H

#define OSM_FABRIC_VERSION	"0.1.0"
#define OSM_VERSION_LINE(prog)	prog " " OSM_FABRIC_VERSION " (protocol %d)\n"

#endif
