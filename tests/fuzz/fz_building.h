/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What the engine's fuzz harnesses share (fuzz_ctl_frames,
 * fuzz_link_msgs): a building of three switches, two rooms and five
 * devices, whose switches are never loaded and whose interfaces are not
 * on this host, in a store of the harness's own on tmpfs (a harness may
 * commit at every input), its folder removed as soon as it is open (LMDB
 * keeps its files open), so that nothing is left behind however the
 * harness ends. Header only, as tests/common/tap.h. */
#ifndef FZ_BUILDING_H
#define FZ_BUILDING_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sodium.h>
#include "engine.h"
#include "osmdb_topo.h"

/* Its interface names are in fuzz_link_msgs's corpus. */
static const char fz_topo_yaml[] =
	"building: fz\n"
	"floors:\n"
	"  - name: ground\n"
	"    level: 0\n"
	"    rooms:\n"
	"      - { name: r1, switch: fzlnk-r1 }\n"
	"      - { name: r2, switch: fzlnk-r2 }\n"
	"switches:\n"
	"  - name: fzlnk-core\n"
	"    kind: core\n"
	"    ports:\n"
	"      - { name: r1, kind: uplink, ifname: fzl-r1, link: fzlnk-r1/up }\n"
	"      - { name: r2, kind: uplink, ifname: fzl-r2, link: fzlnk-r2/up }\n"
	"      - { name: ctl, kind: mgmt, ifname: fzl-ctl }\n"
	"  - name: fzlnk-r1\n"
	"    kind: room\n"
	"    ports:\n"
	"      - { name: up, kind: uplink, ifname: fzl1-up }\n"
	"      - { name: p1, ifname: fzl1-p1 }\n"
	"      - { name: p2, ifname: fzl1-p2 }\n"
	"      - { name: p3, ifname: fzl1-p3 }\n"
	"  - name: fzlnk-r2\n"
	"    kind: room\n"
	"    ports:\n"
	"      - { name: up, kind: uplink, ifname: fzl2-up }\n"
	"      - { name: p1, ifname: fzl2-p1 }\n"
	"      - { name: p2, ifname: fzl2-p2 }\n"
	"devices:\n"
	"  - { id: 1, name: mic, role: microphone, room: r1, port: fzlnk-r1/p1,\n"
	"      mac: \"02:00:00:00:01:01\" }\n"
	"  - { id: 2, name: display, role: display, room: r1,\n"
	"      port: fzlnk-r1/p2, mac: \"02:00:00:00:01:02\" }\n"
	"  - { id: 3, name: door, role: door, room: r1, port: fzlnk-r1/p3,\n"
	"      mac: \"02:00:00:00:01:03\" }\n"
	"  - { id: 4, name: speaker, role: speaker, room: r2,\n"
	"      port: fzlnk-r2/p1, mac: \"02:00:00:00:02:01\" }\n"
	"  - { id: 5, name: lamp, role: lamp, room: r2, port: fzlnk-r2/p2,\n"
	"      mac: \"02:00:00:00:02:02\" }\n";

/* The controller's MAC. */
static const uint8_t fz_ctl_mac[6] = { 0x02, 0, 0, 0, 0x0f, 0x01 };

static __attribute__((noreturn)) void fz_abort(const char *harness,
					       const char *why)
{
	fprintf(stderr, "%s: %s\n", harness, why);
	abort();
}

/* Open the building's store and engine for the harness of that name;
 * aborts, after one line on stderr, if it cannot. */
static void fz_building_open(const char *harness, struct osmdb **st,
			     struct osm_engine **e)
{
	struct osm_engine_opts o = { .ctl_mac = fz_ctl_mac };
	struct osmdb_topo *t;
	struct osmdb_txn *tx;
	char dir[96], path[sizeof(dir) + 260], err[256];
	struct dirent *de;
	DIR *d;

	if (sodium_init() < 0)
		fz_abort(harness, "no libsodium");
	snprintf(dir, sizeof(dir), "%s/%s.%d",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm", harness,
		 (int)getpid());
	if (osmdb_open(st, dir, OSMDB_CREATE | OSMDB_NOSYNC, 64u << 20) ||
	    osmdb_topo_parse(fz_topo_yaml, sizeof(fz_topo_yaml) - 1, "fuzz",
			     &t, err, sizeof(err)) ||
	    osmdb_txn_begin(*st, 0, &tx))
		fz_abort(harness, "no store");
	if (osmdb_topo_apply(tx, t, NULL, 0) || osmdb_txn_commit(tx))
		fz_abort(harness, "no topology");
	osmdb_topo_free(t);
	if (osm_engine_open(e, *st, &o))
		fz_abort(harness, "no engine");
	d = opendir(dir);
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 de->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

#endif
