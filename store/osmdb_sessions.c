// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* What the controller keeps of sessions (docs/protocol.md 8.1): its run
 * counter and, per device, the last session it accepted, in meta
 * ("ctl_run"; "session.ID", 4 bytes little-endian). */
#include <errno.h>
#include <stdio.h>
#include "osmdb_int.h"

int osmdb_ctl_run_next(struct osmdb_txn *t, uint32_t *run)
{
	uint64_t v;
	int err;

	if (!t->write)
		return -EROFS;
	err = osmdb_meta_next(t, "ctl_run", &v);
	if (err)
		return err;
	if (v > OSM_SESSION_MAX)
		return -EOVERFLOW;
	*run = (uint32_t)v;
	return 0;
}

static void session_key(char *k, size_t len, uint32_t id)
{
	snprintf(k, len, "session.%u", id);
}

int osmdb_device_session(struct osmdb_txn *t, uint32_t id, uint32_t *session)
{
	uint8_t b[4];
	char k[32];
	int n;

	session_key(k, sizeof(k), id);
	n = osmdb_meta_get(t, k, b, sizeof(b));
	*session = 0;
	if (n == OSMDB_ENOTFOUND)
		return 0;
	if (n < 0)
		return n;
	if (n != 4)
		return OSMDB_ECORRUPT;
	*session = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
		   (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return 0;
}

int osmdb_device_session_put(struct osmdb_txn *t, uint32_t id,
			     uint32_t session)
{
	uint8_t b[4] = { (uint8_t)session, (uint8_t)(session >> 8),
			 (uint8_t)(session >> 16), (uint8_t)(session >> 24) };
	uint32_t cur;
	char k[32];
	int err;

	if (!t->write)
		return -EROFS;
	err = osmdb_device_session(t, id, &cur);
	if (err)
		return err;
	if (session <= cur || session > OSM_SESSION_MAX)
		return -ESTALE;
	session_key(k, sizeof(k), id);
	return osmdb_meta_put(t, k, b, sizeof(b));
}
