/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Control messages (docs/protocol.md, "Control messages"): encode into and
 * decode from the plaintext payload of an OSM_T_CTRL frame. */
#ifndef OSM_MSG_H
#define OSM_MSG_H

#include <stddef.h>
#include <stdint.h>
#include "osm_proto.h"

struct osm_msg {
	uint8_t type;			/* enum osm_msg_type */
	union {
		struct {
			uint32_t device_id;
			uint8_t role;
			uint8_t fw_version;
		} hello;
		struct {
			uint32_t circuit;
			uint32_t epoch;
			uint8_t op;	/* enum osm_key_op */
			uint8_t hop[OSM_HOP_KEY_LEN];
			uint8_t e2e[OSM_E2E_KEY_LEN];
		} key;
		struct {
			uint8_t event;	/* enum osm_presence */
			uint8_t badge_len;
			uint8_t badge[OSM_BADGE_MAX];
		} presence;
		struct {
			uint64_t seq;
			uint8_t status;
		} ack;
	} u;
};

/* Encode m into buf (capacity cap). Returns the length, -EMSGSIZE if it
 * does not fit, -EINVAL for an unknown type or a field out of range. */
int osm_msg_encode(const struct osm_msg *m, uint8_t *buf, size_t cap);

/* Decode buf[0..len) into m. Returns 0, or -EINVAL if the bytes are not
 * exactly one well-formed message (unknown type, wrong body length,
 * reserved bytes not zero, values out of range). */
int osm_msg_decode(struct osm_msg *m, const uint8_t *buf, size_t len);

#endif
