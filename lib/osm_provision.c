// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Build and write firmware provisioning blobs (include/osm_blob.h) on the host. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "osm_keys.h"
#include "osm_provision.h"

int osm_fw_role_parse(const char *name)
{
	if (strcmp(name, "door") == 0)
		return OSM_ROLE_DOOR;
	if (strcmp(name, "lamp") == 0)
		return OSM_ROLE_LAMP;
	return 0;
}

int osm_fw_blob_build(struct osm_fw_blob *b, const struct osm_fw_params *p)
{
	struct osm_keys k;

	if (p->device_id > OSM_DEVICE_ID_MAX || p->role < OSM_ROLE_SENSOR ||
	    p->role >= OSM_ROLE_CONTROLLER)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	memcpy(b->magic, OSM_FW_BLOB_MAGIC, 4);
	b->version = OSM_FW_BLOB_VERSION;
	b->role = p->role;
	osm_put_be32(b->device_id, p->device_id);
	osm_put_be32(b->ctrl_epoch, p->ctrl_epoch);
	osm_put_be32(b->ctrl_up, osm_ctrl_circuit(p->device_id, OSM_CTRL_UP));
	osm_put_be32(b->ctrl_down,
		     osm_ctrl_circuit(p->device_id, OSM_CTRL_DOWN));
	memcpy(b->mac, p->mac, 6);
	memcpy(b->ctrl_mac, p->ctrl_mac, 6);
	memcpy(b->peer_mac, p->peer_mac, 6);
	memcpy(b->device_key, p->device_key, sizeof(b->device_key));
	osm_kdf_ctrl(&k, p->device_key, OSM_CTRL_UP, p->ctrl_epoch);
	memcpy(b->up_hop, k.hop, sizeof(k.hop));
	memcpy(b->up_e2e, k.e2e, sizeof(k.e2e));
	osm_kdf_ctrl(&k, p->device_key, OSM_CTRL_DOWN, p->ctrl_epoch);
	memcpy(b->down_hop, k.hop, sizeof(k.hop));
	memcpy(b->down_e2e, k.e2e, sizeof(k.e2e));
	sodium_memzero(&k, sizeof(k));
	osm_put_le64(b->check, osm_siphash24((const uint8_t *)b,
					     OSM_FW_BLOB_CHECKED_LEN,
					     (const uint8_t *)
					     OSM_FW_BLOB_CHECK_KEY));
	return 0;
}

int osm_fw_blob_check(const struct osm_fw_blob *b)
{
	uint64_t want = osm_siphash24((const uint8_t *)b,
				      OSM_FW_BLOB_CHECKED_LEN,
				      (const uint8_t *)OSM_FW_BLOB_CHECK_KEY);

	if (memcmp(b->magic, OSM_FW_BLOB_MAGIC, 4) ||
	    b->version != OSM_FW_BLOB_VERSION ||
	    osm_get_le64(b->check) != want ||
	    osm_get_be32(b->device_id) > OSM_DEVICE_ID_MAX ||
	    osm_get_be32(b->ctrl_up) !=
	    osm_ctrl_circuit(osm_get_be32(b->device_id), OSM_CTRL_UP) ||
	    osm_get_be32(b->ctrl_down) !=
	    osm_ctrl_circuit(osm_get_be32(b->device_id), OSM_CTRL_DOWN))
		return -EINVAL;
	return 0;
}

int osm_fw_blob_write(const char *path, const struct osm_fw_params *p,
		      int replace)
{
	struct osm_fw_blob b;
	char tmp[4096];
	int fd, err;

	err = osm_fw_blob_build(&b, p);
	if (err)
		return err;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >=
	    (int)sizeof(tmp)) {
		err = -ENAMETOOLONG;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	if (write(fd, &b, sizeof(b)) != (ssize_t)sizeof(b) || fsync(fd) != 0)
		err = errno ? -errno : -EIO;
	if (close(fd) != 0 && !err)
		err = -errno;
	/* link() fails on an existing path where rename() replaces it */
	if (!err && (replace ? rename(tmp, path) : link(tmp, path)) != 0)
		err = -errno;
	if (err || !replace)
		unlink(tmp);
out:
	sodium_memzero(&b, sizeof(b));
	return err;
}
