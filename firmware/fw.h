/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The endpoint firmware's application (app.c) and the platform it runs
 * on: hw.c on the Cortex-M3, a test harness on the host. */
#ifndef FW_H
#define FW_H

#include "osm_proto.h"
#include "osm_blob.h"

#define FW_VERSION	1
/* Largest payload the device takes: a KEY_UPDATE is 64 bytes, a PRESENCE
 * at most 38; longer frames are counted as oversize and dropped. */
#define FW_MAX_PAYLOAD	64
#define FW_FRAME_MAX	(OSM_FRAME_HDR_LEN + FW_MAX_PAYLOAD)
#define FW_NRX		3	/* control down + data circuits received */
#define FW_NTX		2	/* control up + data circuits sent */

/* Drop classes beyond enum osm_reason, counted and logged the same way. */
enum fw_drop {
	FW_DROP_NOT_MINE = OSM_REASON_MAX,	/* not to this device's MAC */
	FW_DROP_OVERSIZE,	/* longer than FW_FRAME_MAX */
	FW_DROP_BAD_MSG,	/* opened, but not a message this role takes */
	FW_DROP_MAX,
};

/* The one frame buffer: received frames are opened in it in place, and
 * replies are sealed in it (the loop is single threaded). */
extern osm_u8 fw_frame[FW_FRAME_MAX];

/* ---- platform ---------------------------------------------------------- */
void fw_eth_send(const osm_u8 *frame, osm_u32 len);
void fw_putc(char c);
/* Bytes of stack ever used (high-water mark of the painted stack) and
 * the stack's size. */
osm_u32 fw_stack_used(void);
osm_u32 fw_stack_size(void);
/* The session counter in non-volatile storage (docs/protocol.md 8.1):
 * read it, write it plus one durably, and return that in *s. Returns 0,
 * or -1 if storage cannot be read or written (then the device is mute). */
int fw_nv_session(osm_u32 *s);

/* ---- application ------------------------------------------------------- */
/* Check the blob and set up the control circuit. Returns 0, or -1
 * (logged) if the blob is bad or for another role. */
int fw_app_init(const struct osm_fw_blob *b);
/* A frame of len bytes is in fw_frame. */
void fw_app_frame(osm_u32 len);
/* A frame longer than fw_frame arrived and was discarded. */
void fw_app_oversize(void);
/* One character from the UART command line. */
void fw_app_char(char c);
/* Milliseconds since boot, called from the main loop once the NIC is
 * up; the first call sends HELLO. */
void fw_app_tick(osm_u32 ms);

/* Log helpers (UART). */
void fw_puts(const char *s);
void fw_putu(osm_u32 v);

#endif
