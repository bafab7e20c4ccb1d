// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer harness of the firmware application (firmware/app.c, host
 * build): the input drives one boot of a door or lamp and then raw frames,
 * sealed control messages, sealed lamp commands or UART command lines.
 * Input: byte 0 = role (bit 0) and kind (bits 1-2); the rest is the item.
 */
#include <stdint.h>
#include <string.h>
#include <sodium.h>
#include "fw.h"
#include "osm_endpoint.h"
#include "osm_keys.h"
#include "osm_msg.h"
#include "osm_provision.h"

#define DATA_CIRCUIT 100

void fw_eth_send(const osm_u8 *frame, osm_u32 len)
{
	if (len < OSM_FRAME_HDR_LEN || len > FW_FRAME_MAX ||
	    osm_get_be16(frame + 12) != OSM_ETH_P_CIRCUIT)
		__builtin_trap();
}

void fw_putc(char c)
{
	(void)c;
}

osm_u32 fw_stack_used(void) { return 0; }
osm_u32 fw_stack_size(void) { return 0; }
int fw_nv_session(osm_u32 *s) { *s = 1; return 0; }

static struct osm_fw_blob blob[2];
static struct osm_tx down[2];

/* What hw.c does with a received frame. */
static void rx(const uint8_t *f, size_t len)
{
	if (len > FW_FRAME_MAX) {
		fw_app_oversize();
		return;
	}
	memcpy(fw_frame, f, len);
	fw_app_frame((osm_u32)len);
}

static void rx_sealed(struct osm_tx *tx, const uint8_t *p, size_t len)
{
	uint8_t f[OSM_FRAME_HDR_LEN + OSM_MAX_PAYLOAD];
	int n = osm_seal(tx, p, len, f, sizeof(f));

	if (n > 0)
		rx(f, (size_t)n);
}

static void init_once(void)
{
	static int done;
	struct osm_fw_params p = { .device_id = 7, .ctrl_epoch = 1 };
	int i;

	if (done)
		return;
	done = 1;
	if (sodium_init() < 0)
		__builtin_trap();
	memset(p.device_key, 0x42, sizeof(p.device_key));
	memcpy(p.mac, "\x52\x54\x00\x00\x00\x07", 6);
	memcpy(p.ctrl_mac, "\x02\x00\x00\x00\x0f\x01", 6);
	for (i = 0; i < 2; i++) {
		p.role = i ? OSM_ROLE_LAMP : OSM_ROLE_DOOR;
		if (osm_fw_blob_build(&blob[i], &p))
			__builtin_trap();
		down[i].circuit = osm_ctrl_circuit(7, OSM_CTRL_DOWN);
		down[i].type = OSM_T_CTRL;
		memcpy(down[i].src, p.ctrl_mac, 6);
		memcpy(down[i].dst, p.mac, 6);
		osm_kdf_ctrl(&down[i].keys, p.device_key, OSM_CTRL_DOWN, 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct osm_msg m = { .type = OSM_MSG_KEY_UPDATE };
	struct osm_tx data_tx = { .circuit = DATA_CIRCUIT, .type = OSM_T_DATA };
	uint8_t pt[OSM_MSG_HDR_LEN + OSM_KEY_UPDATE_LEN];
	int role, kind, n;
	size_t i;

	if (size < 1)
		return 0;
	init_once();
	role = data[0] & 1;
	kind = (data[0] >> 1) & 3;
	data++;
	size--;
	if (fw_app_init(&blob[role]) != 0)
		__builtin_trap();
	fw_app_tick(1);		/* HELLO */
	down[role].next_seq = 0;
	switch (kind) {
	case 0:		/* a raw frame, as received */
		rx(data, size);
		break;
	case 1:		/* a control message sealed under the control keys */
		rx_sealed(&down[role], data, size);
		break;
	case 2:		/* a command on a data circuit the device was given */
		osm_kdf_circuit(&data_tx.keys, blob[role].device_key,
				DATA_CIRCUIT, 1);
		m.u.key.circuit = DATA_CIRCUIT;
		m.u.key.epoch = 1;
		m.u.key.op = OSM_KEY_RX;
		memcpy(m.u.key.hop, data_tx.keys.hop, OSM_HOP_KEY_LEN);
		memcpy(m.u.key.e2e, data_tx.keys.e2e, OSM_E2E_KEY_LEN);
		n = osm_msg_encode(&m, pt, sizeof(pt));
		rx_sealed(&down[role], pt, (size_t)n);
		memcpy(data_tx.dst, blob[role].mac, 6);
		rx_sealed(&data_tx, data, size);
		break;
	default:	/* UART command lines */
		for (i = 0; i < size; i++)
			fw_app_char((char)data[i]);
		fw_app_char('\n');
		break;
	}
	fw_app_tick(5000);
	return 0;
}
