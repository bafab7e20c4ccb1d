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

/* ---- between buildings (docs/protocol.md 11.9) ---------------------- */

/* A building's X25519 secret, KDF(root, 0, "osm-bld1"). */
void osm_kdf_building(uint8_t sk[32], const uint8_t root[OSM_ROOT_KEY_LEN]);

/*
 * What building secret sk shares with a peer building's public key:
 * BLAKE2b-256(prefix || X25519(sk, peer) || S_lo || S_hi), S_lo and
 * S_hi the two public keys in byte order; prefix NULL gives the pair
 * secret P its gateway runs the link from (11.1), "osm-rem1" the
 * agreement secret Q of remote circuits. Returns 0, or -EINVAL for the
 * peer's key equal to ours or of low order.
 */
int osm_building_shared(uint8_t out[32], const uint8_t sk[32],
			const uint8_t peer[32], const char *prefix);

/* A remote's circuit ids from Q and its name: id[0] the circuit from the
 * building whose public key is the smaller (even), id[1] the other. */
void osm_remote_ids(uint32_t id[2], const uint8_t q[32], const char *name);

/* A remote's parent key (its circuits' keys: osm_kdf_circuit). */
void osm_remote_parent(uint8_t parent[32], const uint8_t q[32],
		       const char *name);

#endif
