/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The provisioning blob: a device's identity, baked into its own flash
 * section (.provision, fixed address) of a firmware image. Written on the
 * host (lib/osm_provision.c), read in place by the firmware. Byte arrays only,
 * multi-byte numbers big-endian, so the layout is the same on every target.
 */
#ifndef OSM_BLOB_H
#define OSM_BLOB_H

#include "osm_proto.h"

#define OSM_FW_BLOB_MAGIC	"OSMB"
#define OSM_FW_BLOB_VERSION	1
#define OSM_FW_BLOB_ADDR	0x1f00	/* last 256 bytes of the 8 KiB image */

/* The blob's check value is SipHash-2-4 of every byte before it under this
 * fixed, public key: it finds a corrupt or unprovisioned section; it is
 * not a secret and not an authenticator. */
#define OSM_FW_BLOB_CHECK_KEY	"osm-fw-blob-chk1"

struct osm_fw_blob {
	osm_u8 magic[4];		/* "OSMB" */
	osm_u8 version;			/* OSM_FW_BLOB_VERSION */
	osm_u8 role;			/* enum osm_role: DOOR or LAMP */
	osm_u8 reserved[2];		/* 0 */
	osm_u8 device_id[4];		/* be32, <= OSM_DEVICE_ID_MAX */
	osm_u8 ctrl_epoch[4];		/* be32, epoch of the keys below */
	osm_u8 ctrl_up[4];		/* be32 osm_ctrl_circuit(id, UP) */
	osm_u8 ctrl_down[4];		/* be32 osm_ctrl_circuit(id, DOWN) */
	osm_u8 mac[6];			/* the device's own Ethernet address */
	osm_u8 ctrl_mac[6];		/* controller: dst of control frames */
	osm_u8 peer_mac[6];		/* dst of data frames the device sends */
	osm_u8 pad[2];			/* 0 */
	osm_u8 device_key[OSM_DEVICE_KEY_LEN];	/* osm_kdf_device() */
	/* osm_kdf_ctrl(device_key, dir, ctrl_epoch), pre-derived because
	 * the firmware carries no BLAKE2b. */
	osm_u8 up_hop[OSM_HOP_KEY_LEN];
	osm_u8 up_e2e[OSM_E2E_KEY_LEN];
	osm_u8 down_hop[OSM_HOP_KEY_LEN];
	osm_u8 down_e2e[OSM_E2E_KEY_LEN];
	osm_u8 check[8];		/* le64 SipHash, see above */
};
_Static_assert(sizeof(struct osm_fw_blob) == 180, "osm_fw_blob layout");

#define OSM_FW_BLOB_CHECKED_LEN	(sizeof(struct osm_fw_blob) - 8)

#endif
