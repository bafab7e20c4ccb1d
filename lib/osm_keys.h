/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Key hierarchy (docs/protocol.md, "Keys"): root -> device long-term keys
 * -> control circuit keys; a parent secret (session or room key) ->
 * circuit keys. All derivations are libsodium crypto_kdf (BLAKE2b). */
#ifndef OSM_KEYS_H
#define OSM_KEYS_H

#include <stdint.h>
#include "osm_endpoint.h"

#define OSM_ROOT_KEY_LEN	32
#define OSM_SESSION_KEY_LEN	32
/* Device ids, control circuit ids and directions (OSM_DEVICE_ID_MAX,
 * osm_ctrl_circuit(), OSM_CTRL_UP/DOWN) are in osm_proto.h. */

/* Keep this process's keys out of core dumps and other processes'
 * debuggers: RLIMIT_CORE 0 and PR_SET_DUMPABLE 0, for every program that
 * holds keys, first thing in main(). Returns 0 or -errno. */
int osm_keys_nodump(void);

/* Device long-term key. Returns 0, or -EINVAL for an id over the max. */
int osm_kdf_device(uint8_t out[OSM_DEVICE_KEY_LEN],
		   const uint8_t root[OSM_ROOT_KEY_LEN], uint32_t device_id);

/* Keys of a device's control circuit in direction dir at an epoch. */
void osm_kdf_ctrl(struct osm_keys *out,
		  const uint8_t devkey[OSM_DEVICE_KEY_LEN], int dir,
		  uint32_t epoch);

/* Keys of data circuit `circuit` at `epoch` under a parent secret (a
 * person's session key or a room key). */
void osm_kdf_circuit(struct osm_keys *out, const uint8_t parent[32],
		     uint32_t circuit, uint32_t epoch);

#endif
