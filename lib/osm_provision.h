/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Host side of firmware provisioning: build the blob of include/osm_blob.h from a
 * device's identity and keys, and write it to a file. In libosm, so that
 * osm-mkblob and `osm-fabric device provision` produce the same bytes. */
#ifndef OSM_PROVISION_H
#define OSM_PROVISION_H

#include <stdint.h>
#include "osm_blob.h"

struct osm_fw_params {
	uint32_t device_id;		/* <= OSM_DEVICE_ID_MAX */
	uint8_t role;			/* enum osm_role, not controller:
					 * door and lamp have firmware, every
					 * role joins with osm-endpoint */
	uint32_t ctrl_epoch;		/* epoch of the control keys */
	uint8_t device_key[OSM_DEVICE_KEY_LEN];	/* osm_kdf_device() */
	uint8_t mac[6];			/* the device's Ethernet address */
	uint8_t ctrl_mac[6];		/* the controller's */
	uint8_t peer_mac[6];		/* dst of the device's data frames */
};

/* The role named "door" or "lamp", or 0. */
int osm_fw_role_parse(const char *name);

/*
 * Fill b from p: control circuit ids (osm_ctrl_circuit), control keys of
 * both directions (osm_kdf_ctrl) and the check value. Returns 0, or
 * -EINVAL for a device id over OSM_DEVICE_ID_MAX or a role that is not a
 * device's (0, controller, unknown).
 */
int osm_fw_blob_build(struct osm_fw_blob *b, const struct osm_fw_params *p);

/* 0 if b is a whole blob (magic, version, check value, its control
 * circuits those of its id), else -EINVAL. */
int osm_fw_blob_check(const struct osm_fw_blob *b);

/*
 * Build the blob and write it to path (mode 0600, through a temporary file
 * moved into place, so the file is whole or absent). An existing path is
 * replaced if replace is set, else left alone (-EEXIST, decided at the
 * move, so no race). The in-memory copy is wiped. Returns 0, -EINVAL as
 * osm_fw_blob_build, -EEXIST, or -errno of the file operations.
 */
int osm_fw_blob_write(const char *path, const struct osm_fw_params *p,
		      int replace);

#endif
