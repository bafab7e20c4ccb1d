/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Control messages (docs/protocol.md, "Control messages"): encode into and
 * decode from the plaintext payload of an OSM_T_CTRL frame, exactly as the
 * spec lays them out. Inline, like osm_proto.h, so that host and firmware
 * compile the same code. */
#ifndef OSM_MSG_H
#define OSM_MSG_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
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

static inline size_t osm_msg_body_len(const struct osm_msg *m)
{
	switch (m->type) {
	case OSM_MSG_HELLO: return OSM_HELLO_LEN;
	case OSM_MSG_KEY_UPDATE: return OSM_KEY_UPDATE_LEN;
	case OSM_MSG_PRESENCE: return 2 + (size_t)m->u.presence.badge_len;
	case OSM_MSG_ACK: return OSM_ACK_LEN;
	default: return 0;
	}
}

static inline int osm_msg_all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	while (n--)
		acc |= *p++;
	return acc == 0;
}

/* Encode m into buf (capacity cap). Returns the length, -EMSGSIZE if it
 * does not fit, -EINVAL for an unknown type or a field out of range. */

static inline int osm_msg_encode(const struct osm_msg *m, uint8_t *buf,
				 size_t cap)
{
	size_t n = osm_msg_body_len(m);
	uint8_t *b = buf + OSM_MSG_HDR_LEN;

	if (n == 0)
		return -EINVAL;
	if (m->type == OSM_MSG_PRESENCE &&
	    (m->u.presence.badge_len == 0 ||
	     m->u.presence.badge_len > OSM_BADGE_MAX ||
	     (m->u.presence.event != OSM_PRESENCE_ENTER &&
	      m->u.presence.event != OSM_PRESENCE_LEAVE)))
		return -EINVAL;
	if (m->type == OSM_MSG_KEY_UPDATE &&
	    (m->u.key.op < OSM_KEY_RX || m->u.key.op > OSM_KEY_REMOVE))
		return -EINVAL;
	if (m->type == OSM_MSG_HELLO && m->u.hello.device_id > OSM_DEVICE_ID_MAX)
		return -EINVAL;
	if (cap < OSM_MSG_HDR_LEN + n)
		return -EMSGSIZE;
	memset(buf, 0, OSM_MSG_HDR_LEN + n);
	buf[0] = m->type;
	osm_put_be16(buf + 2, (uint16_t)n);
	switch (m->type) {
	case OSM_MSG_HELLO:
		osm_put_be32(b, m->u.hello.device_id);
		b[4] = m->u.hello.role;
		b[5] = m->u.hello.fw_version;
		break;
	case OSM_MSG_KEY_UPDATE:
		osm_put_be32(b, m->u.key.circuit);
		osm_put_be32(b + 4, m->u.key.epoch);
		b[8] = m->u.key.op;
		if (m->u.key.op != OSM_KEY_REMOVE) {
			memcpy(b + 12, m->u.key.hop, OSM_HOP_KEY_LEN);
			memcpy(b + 28, m->u.key.e2e, OSM_E2E_KEY_LEN);
		}
		break;
	case OSM_MSG_PRESENCE:
		b[0] = m->u.presence.event;
		b[1] = m->u.presence.badge_len;
		memcpy(b + 2, m->u.presence.badge, m->u.presence.badge_len);
		break;
	case OSM_MSG_ACK:
		osm_put_be64(b, m->u.ack.seq);
		b[8] = m->u.ack.status;
		break;
	}
	return (int)(OSM_MSG_HDR_LEN + n);
}

/* Decode buf[0..len) into m. Returns 0, or -EINVAL if the bytes are not
 * exactly one well-formed message (unknown type, wrong body length,
 * reserved bytes not zero, values out of range). */

static inline int osm_msg_decode(struct osm_msg *m, const uint8_t *buf,
				 size_t len)
{
	const uint8_t *b = buf + OSM_MSG_HDR_LEN;
	size_t n;

	if (len < OSM_MSG_HDR_LEN || buf[1] != 0)
		return -EINVAL;
	n = osm_get_be16(buf + 2);
	if (len != OSM_MSG_HDR_LEN + n)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->type = buf[0];
	switch (m->type) {
	case OSM_MSG_HELLO:
		if (n != OSM_HELLO_LEN || !osm_msg_all_zero(b + 6, 2))
			return -EINVAL;
		m->u.hello.device_id = osm_get_be32(b);
		m->u.hello.role = b[4];
		m->u.hello.fw_version = b[5];
		if (m->u.hello.device_id > OSM_DEVICE_ID_MAX)
			return -EINVAL;
		return 0;
	case OSM_MSG_KEY_UPDATE:
		if (n != OSM_KEY_UPDATE_LEN || !osm_msg_all_zero(b + 9, 3))
			return -EINVAL;
		m->u.key.circuit = osm_get_be32(b);
		m->u.key.epoch = osm_get_be32(b + 4);
		m->u.key.op = b[8];
		if (m->u.key.op < OSM_KEY_RX || m->u.key.op > OSM_KEY_REMOVE)
			return -EINVAL;
		if (m->u.key.op == OSM_KEY_REMOVE &&
		    !osm_msg_all_zero(b + 12, OSM_HOP_KEY_LEN + OSM_E2E_KEY_LEN))
			return -EINVAL;
		memcpy(m->u.key.hop, b + 12, OSM_HOP_KEY_LEN);
		memcpy(m->u.key.e2e, b + 28, OSM_E2E_KEY_LEN);
		return 0;
	case OSM_MSG_PRESENCE:
		if (n < 3 || (size_t)b[1] != n - 2 || b[1] > OSM_BADGE_MAX ||
		    (b[0] != OSM_PRESENCE_ENTER && b[0] != OSM_PRESENCE_LEAVE))
			return -EINVAL;
		m->u.presence.event = b[0];
		m->u.presence.badge_len = b[1];
		memcpy(m->u.presence.badge, b + 2, b[1]);
		return 0;
	case OSM_MSG_ACK:
		if (n != OSM_ACK_LEN || !osm_msg_all_zero(b + 9, 3))
			return -EINVAL;
		m->u.ack.seq = osm_get_be64(b);
		m->u.ack.status = b[8];
		return 0;
	default:
		return -EINVAL;
	}
}

#endif
