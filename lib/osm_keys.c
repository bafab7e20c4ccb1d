// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The key hierarchy of docs/protocol.md, with libsodium crypto_kdf. */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sodium.h>
#include "osm_keys.h"

int osm_keys_nodump(void)
{
	const struct rlimit none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) < 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/* crypto_kdf contexts: exactly 8 bytes each. */
static const char ctx_device[crypto_kdf_CONTEXTBYTES + 1] = "osm-dev1";
static const char ctx_ctrl[crypto_kdf_CONTEXTBYTES + 1] = "osm-ctl1";
static const char ctx_circuit[crypto_kdf_CONTEXTBYTES + 1] = "osm-cir1";

_Static_assert(crypto_kdf_KEYBYTES == OSM_ROOT_KEY_LEN, "kdf key size");

int osm_kdf_device(uint8_t out[OSM_DEVICE_KEY_LEN],
		   const uint8_t root[OSM_ROOT_KEY_LEN], uint32_t device_id)
{
	if (device_id > OSM_DEVICE_ID_MAX)
		return -EINVAL;
	crypto_kdf_derive_from_key(out, OSM_DEVICE_KEY_LEN, device_id,
				   ctx_device, root);
	return 0;
}

/* 48 bytes of KDF output: the e2e key, then the hop key. */
static void split_keys(struct osm_keys *out, const uint8_t *parent,
		       uint64_t subkey_id, const char *ctx, uint32_t epoch)
{
	uint8_t buf[OSM_E2E_KEY_LEN + OSM_HOP_KEY_LEN];

	crypto_kdf_derive_from_key(buf, sizeof(buf), subkey_id, ctx, parent);
	out->epoch = epoch;
	memcpy(out->e2e, buf, OSM_E2E_KEY_LEN);
	memcpy(out->hop, buf + OSM_E2E_KEY_LEN, OSM_HOP_KEY_LEN);
	sodium_memzero(buf, sizeof(buf));
}

void osm_kdf_ctrl(struct osm_keys *out,
		  const uint8_t devkey[OSM_DEVICE_KEY_LEN], int dir,
		  uint32_t epoch)
{
	split_keys(out, devkey, (uint64_t)epoch << 1 | (uint64_t)(dir & 1),
		   ctx_ctrl, epoch);
}

void osm_kdf_circuit(struct osm_keys *out, const uint8_t parent[32],
		     uint32_t circuit, uint32_t epoch)
{
	split_keys(out, parent, (uint64_t)circuit << 32 | epoch, ctx_circuit,
		   epoch);
}

void osm_kdf_building(uint8_t sk[32], const uint8_t root[OSM_ROOT_KEY_LEN])
{
	crypto_kdf_derive_from_key(sk, 32, 0, "osm-bld1", root);
}

int osm_building_shared(uint8_t out[32], const uint8_t sk[32],
			const uint8_t peer[32], const char *prefix)
{
	uint8_t pub[32], z[32];
	crypto_generichash_state h;
	const uint8_t *lo, *hi;

	crypto_scalarmult_base(pub, sk);
	if (!memcmp(pub, peer, 32) || crypto_scalarmult(z, sk, peer)) {
		sodium_memzero(z, sizeof(z));
		return -EINVAL;
	}
	lo = memcmp(pub, peer, 32) < 0 ? pub : peer;
	hi = lo == pub ? peer : pub;
	crypto_generichash_init(&h, NULL, 0, 32);
	if (prefix)
		crypto_generichash_update(&h, (const uint8_t *)prefix, 8);
	crypto_generichash_update(&h, z, sizeof(z));
	crypto_generichash_update(&h, lo, 32);
	crypto_generichash_update(&h, hi, 32);
	crypto_generichash_final(&h, out, 32);
	sodium_memzero(z, sizeof(z));
	sodium_memzero(&h, sizeof(h));
	return 0;
}

/* BLAKE2b keyed with q, of tag (8 bytes) || name. */
static void named(uint8_t *out, size_t len, const uint8_t q[32],
		  const char *tag, const char *name)
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, q, 32, len);
	crypto_generichash_update(&h, (const uint8_t *)tag, 8);
	crypto_generichash_update(&h, (const uint8_t *)name, strlen(name));
	crypto_generichash_final(&h, out, len);
	sodium_memzero(&h, sizeof(h));
}

void osm_remote_ids(uint32_t id[2], const uint8_t q[32], const char *name)
{
	uint8_t h[8];

	named(h, sizeof(h), q, "osm-rid1", name);
	id[0] = OSM_REMOTE_CIRCUIT_MIN | (((uint32_t)h[0] | (uint32_t)h[1] << 8 |
		(uint32_t)h[2] << 16 | (uint32_t)h[3] << 24) & 0x3ffffffeu);
	id[1] = id[0] | 1;
}

void osm_remote_parent(uint8_t parent[32], const uint8_t q[32],
		       const char *name)
{
	named(parent, 32, q, "osm-rky1", name);
}
