// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer harness of the provisioning-blob check: the firmware boots
 * (fw_app_init, firmware/app.c, host build) on a mutated blob, and lib's
 * osm_fw_blob_check judges the same bytes. They must agree: the firmware
 * takes a blob exactly when lib does and its role is one with firmware
 * (door, lamp). A blob it takes must make its HELLO from that blob: on
 * its up circuit, from its MAC to the controller's, opening under its
 * up keys, naming its device id and role.
 * Input: byte 0 bit 0 = reseal (the check value is made anew over the
 * mutated bytes, so that the rest of the checks are reached); the rest
 * is written over a valid blob from its first byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "fw.h"
#include "osm_endpoint.h"
#include "osm_msg.h"
#include "osm_provision.h"

static uint8_t sent[FW_FRAME_MAX];
static osm_u32 sent_len;
static int n_sent;

void fw_eth_send(const osm_u8 *frame, osm_u32 len)
{
	if (len > FW_FRAME_MAX)
		__builtin_trap();
	memcpy(sent, frame, len);
	sent_len = len;
	n_sent++;
}

void fw_putc(char c)
{
	(void)c;
}

osm_u32 fw_stack_used(void) { return 0; }
osm_u32 fw_stack_size(void) { return 0; }
int fw_nv_session(osm_u32 *s) { *s = 1; return 0; }

static struct osm_fw_blob base;

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_fw_blob: %s\n", why);
	abort();
}

static void init_once(void)
{
	static int done;
	struct osm_fw_params p = { .device_id = 7, .ctrl_epoch = 1,
				   .role = OSM_ROLE_DOOR };

	if (done)
		return;
	done = 1;
	if (sodium_init() < 0)
		__builtin_trap();
	memset(p.device_key, 0x42, sizeof(p.device_key));
	memcpy(p.mac, "\x52\x54\x00\x00\x00\x07", 6);
	memcpy(p.ctrl_mac, "\x02\x00\x00\x00\x0f\x01", 6);
	memcpy(p.peer_mac, "\x52\x54\x00\x00\x00\x08", 6);
	if (osm_fw_blob_build(&base, &p))
		__builtin_trap();
}

/* The HELLO the firmware sent on its first tick, against blob b. */
static void check_hello(const struct osm_fw_blob *b)
{
	struct osm_rx rx = { .circuit = osm_get_be32(b->ctrl_up) };
	struct osm_keys k = { .epoch = osm_get_be32(b->ctrl_epoch) };
	uint8_t plain[OSM_MAX_PAYLOAD];
	struct osm_frame f;
	struct osm_msg m;
	size_t len;

	if (n_sent != 1)
		fail("an accepted blob sends no HELLO on the first tick");
	memcpy(k.hop, b->up_hop, sizeof(k.hop));
	memcpy(k.e2e, b->up_e2e, sizeof(k.e2e));
	osm_rx_set_keys(&rx, &k);
	if (osm_open(&rx, sent, sent_len, &f, plain, sizeof(plain), &len) !=
	    OSM_OK)
		fail("the HELLO does not open under the blob's up keys");
	if (f.type != OSM_T_CTRL || memcmp(sent, b->ctrl_mac, 6) ||
	    memcmp(sent + 6, b->mac, 6))
		fail("the HELLO is not a control frame from the blob's MAC "
		     "to its controller's");
	if (osm_msg_decode(&m, plain, len) || m.type != OSM_MSG_HELLO ||
	    m.u.hello.device_id != osm_get_be32(b->device_id) ||
	    m.u.hello.role != b->role)
		fail("the HELLO does not name the blob's device and role");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct osm_fw_blob b;	/* the firmware keeps a pointer */
	int lib_ok, fw_ok, want;

	if (size < 1)
		return 0;
	init_once();
	b = base;
	memcpy(&b, data + 1, size - 1 < sizeof(b) ? size - 1 : sizeof(b));
	if (data[0] & 1)
		osm_put_le64(b.check,
			     osm_siphash24((const uint8_t *)&b,
					   OSM_FW_BLOB_CHECKED_LEN,
					   (const uint8_t *)
					   OSM_FW_BLOB_CHECK_KEY));
	lib_ok = osm_fw_blob_check(&b) == 0;
	n_sent = 0;
	fw_ok = fw_app_init(&b) == 0;
	want = lib_ok && (b.role == OSM_ROLE_DOOR || b.role == OSM_ROLE_LAMP);
	if (fw_ok != want) {
		fprintf(stderr, "lib %s, role %u, firmware %s\n",
			lib_ok ? "accepts" : "refuses", b.role,
			fw_ok ? "accepts" : "refuses");
		fail("the firmware and lib disagree on a blob");
	}
	if (fw_ok) {
		fw_app_tick(1);
		check_hello(&b);
	}
	return 0;
}
