/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* ChaCha20-Poly1305 (IETF, RFC 8439) for the firmware: small, constant
 * time, no libc, byte-for-byte equal to libsodium's
 * crypto_aead_chacha20poly1305_ietf_*_detached. */
#ifndef FW_CHACHAPOLY_H
#define FW_CHACHAPOLY_H

#include "osm_proto.h"

/* Sizes are the protocol's: key OSM_E2E_KEY_LEN, nonce OSM_NONCE_LEN,
 * tag OSM_AEAD_TAG_LEN. */

/* Encrypt buf[0..len) in place and write the 16-byte tag over ad[0..adlen)
 * and the ciphertext into tag. */
void fw_aead_seal(osm_u8 *buf, osm_u32 len, osm_u8 tag[OSM_AEAD_TAG_LEN],
		  const osm_u8 *ad, osm_u32 adlen,
		  const osm_u8 nonce[OSM_NONCE_LEN],
		  const osm_u8 key[OSM_E2E_KEY_LEN]);

/* Verify tag over ad and the ciphertext buf[0..len), then decrypt it in
 * place. Returns 0, or -1 (buf untouched) if the tag does not verify. */
int fw_aead_open(osm_u8 *buf, osm_u32 len, const osm_u8 tag[OSM_AEAD_TAG_LEN],
		 const osm_u8 *ad, osm_u32 adlen,
		 const osm_u8 nonce[OSM_NONCE_LEN],
		 const osm_u8 key[OSM_E2E_KEY_LEN]);

/* Overwrite len bytes with zeros in a way the compiler keeps. */
void fw_wipe(void *p, osm_u32 len);

#endif
