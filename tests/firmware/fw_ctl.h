/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* fw-ctl's shared state and helpers: fw_ctl.c (UART, frames, the scenarios
 * on the device's tap) and fw_ctl_switch.c (the scenarios through a room
 * switch, which fw-ctl programs with osm-fabric as the controller would). */
#ifndef FW_CTL_H
#define FW_CTL_H

#include <stddef.h>
#include <stdint.h>
#include "osm_endpoint.h"
#include "osm_msg.h"
#include "osm_blob.h"

#define FWC_DATA_CIRCUIT	100

/* The room switch between the controller and the device (switch mode). */
struct fw_ctl_switch {
	const char *fabric;		/* osm-fabric binary */
	const char *netns, *name;	/* -n NETNS and SWITCH of osm-fabric */
	const char *dev_port;		/* the device's tap */
	const char *ctrl_port;		/* the port to the controller */
	const char *ep_port;		/* the port to the host endpoint */
};

struct fw_ctl {
	int pkt;			/* the controller's interface */
	int ep;				/* the host endpoint's interface */
	int uin, uout, n, failed;
	unsigned drops;			/* frames the device must drop */
	struct osm_fw_blob blob;
	uint32_t id, epoch;		/* epoch: control up */
	struct osm_tx down;		/* controller -> device control */
	struct osm_rx up;		/* device -> controller control */
	struct osm_tx data;		/* host endpoint -> lamp */
	uint8_t parent[32];		/* data circuit key parent */
	struct fw_ctl_switch sw;	/* sw.name NULL: no switch */
	char ubuf[8192];
	size_t ulen;			/* bytes of ubuf */
	size_t umark;			/* lines before this are consumed */
	size_t uecho;			/* lines before this were echoed */
};
extern struct fw_ctl fc;

/* One TAP line, numbered after fc.n. */
void fwc_ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

long fwc_now_ms(void);
/* Wait (3 s at most) for a UART line starting with want; copy it to out. */
int fwc_uart_wait(const char *want, char *out, size_t cap);
/* Pull UART output for up to ms, echoing lines as TAP comments. */
void fwc_uart_pump(int ms);
/* Write one command line to the UART. */
void fwc_uart_send(const char *line);

void fwc_send_raw(int fd, const uint8_t *f, size_t len);
/* Seal a control message on control down and send it; returns its seq. */
uint64_t fwc_send_msg(const struct osm_msg *m);
/* Send a KEY_UPDATE, wait for its ACK: its status, or -1 without one. */
int fwc_key_update(uint32_t circuit, uint32_t epoch, int op,
		   const struct osm_keys *k);
/* Seal text on the lamp's data circuit under k into f; its length. */
int fwc_seal_data(const struct osm_keys *k, const char *text, uint8_t *f,
		  size_t cap);
/* Seal text under k and send it from the host endpoint; its length. */
int fwc_send_data(const struct osm_keys *k, const char *text);
/* count random frames to the device's MAC, half of them 0x88B5. */
void fwc_random_burst(int fd, int count);
/* Send f and expect the device to log "drop NAME". */
void fwc_expect_drop(int fd, const uint8_t *f, size_t len, const char *name,
		     const char *what);
/* HELLO in, ACK out, then the device's UART says it took the ACK. */
void fwc_join(int role);
/* UART "badge EV BADGE"; the PRESENCE must arrive under up epoch. */
void fwc_presence(const char *ev, const char *badge, uint32_t epoch);
/* Rotate both control directions to new epochs (switch first, if any);
 * frames of the old epoch are then dropped. */
void fwc_rotate_ctrl(void);
/* The lamp's data circuit at epochs 1..3 (fw_ctl.c): k gets the keys,
 * keep the epoch-2 "off" frame; returns its length. */
int fwc_lamp_epochs(struct osm_keys k[3], uint8_t *keep, size_t cap);
/* bad_aead, oversize, bad_msg frames under k: the lamp drops them. */
void fwc_endpoint_drops(const struct osm_keys *k);
/* UART "stats": the device's drop total must equal fc.drops. */
void fwc_stats(void);

/* With a switch (else nothing): install the hop key of circuit at
 * epoch, or (hop NULL) remove that epoch; one TAP line. */
void fwc_sw_key(uint32_t circuit, uint32_t epoch, const uint8_t *hop);
/* With a switch: add the lamp's data circuit (host endpoint -> lamp)
 * under k's hop key and epoch; one TAP line. */
void fwc_sw_data_circuit(const struct osm_keys *k);
/* Send f; the switch must count one drop, for reason, and no other. */
void fwc_sw_expect_drop(int fd, const uint8_t *f, size_t len, int reason,
			const char *what);

/* The scenarios through the switch. */
void fwc_door_switch(void);
void fwc_lamp_switch(void);

#endif
