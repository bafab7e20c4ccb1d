// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The worked examples of docs/protocol.md against the firmware's own code,
 * built for the host: `fw-vectors DOC` (TAP). fw_seal must produce each
 * example frame byte for byte and fw_open accept it; the firmware's message
 * codec must decode each control payload; and the application, booted as
 * device 7 of the examples in its first session, must send the HELLO and
 * PRESENCE of the document, join on the ACK of its HELLO, apply its
 * KEY_UPDATE and answer with its ACK, byte for byte; then start a new
 * session on the REJOIN and refuse, until it has joined again, every
 * frame of the earlier session replayed to it.
 */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "fw.h"
#include "circuit.h"
#include "osm_msg.h"
#include "osm_provision.h"
#include "tap.h"
#include "vector_doc.h"

#define MAX_BLOCKS	16

/* ---- the platform of app.c: frames sent and UART lines, recorded ------ */

static struct {
	osm_u8 frame[FW_FRAME_MAX];
	osm_u32 len;
} sent[8];
static int nsent;
static char uart[2048];
static size_t ulen;

void fw_eth_send(const osm_u8 *frame, osm_u32 len)
{
	if (nsent < 8 && len <= FW_FRAME_MAX) {
		memcpy(sent[nsent].frame, frame, len);
		sent[nsent].len = len;
	}
	nsent++;
}

void fw_putc(char c)
{
	if (ulen < sizeof(uart) - 1)
		uart[ulen++] = c;
	uart[ulen] = 0;
}

osm_u32 fw_stack_used(void) { return 0; }
osm_u32 fw_stack_size(void) { return 0; }
/* the session counter in "storage"; -1: storage fails */
static long nv;
int fw_nv_session(osm_u32 *s)
{
	if (nv < 0)
		return -1;
	*s = (osm_u32)++nv;
	return 0;
}

/* ---- frames: fw_seal, fw_open, the message codec ---------------------- */

static void check_frame(const struct vd_frame *v)
{
	static osm_u8 f[VD_MAX_BYTES];
	struct fw_tx tx = { .circuit = v->circuit, .used = 1,
			    .type = v->type, .next_seq = v->seq };
	struct fw_rx rx = { .circuit = v->circuit, .used = 1 }, *which = 0;
	struct osm_frame of;
	struct osm_msg m;
	osm_u8 again[VD_MAX_BYTES];
	osm_u32 n;
	int r;

	memcpy(tx.dst, v->dst, 6);
	fw_key_set(&tx.key, v->epoch, v->hop, v->e2e);
	memcpy(f + OSM_FRAME_HDR_LEN, v->payload, v->payload_len);
	n = fw_seal(&tx, v->src, f, (osm_u16)v->payload_len);
	tap(n == v->frame_len && !memcmp(f, v->frame, n),
	       "%s: fw_seal gives the frame byte for byte", v->name);

	fw_rx_set_key(&rx, v->epoch, v->hop, v->e2e);
	memcpy(f, v->frame, v->frame_len);
	r = fw_open(&rx, 1, f, (osm_u32)v->frame_len, &of, &which);
	tap(r == OSM_OK && which == &rx && of.type == v->type &&
	       of.circuit == v->circuit && of.seq == v->seq &&
	       of.epoch == v->epoch && of.len == v->payload_len &&
	       !memcmp(f + OSM_FRAME_HDR_LEN, v->payload, v->payload_len),
	       "%s: fw_open accepts it and decrypts the payload", v->name);
	memcpy(f, v->frame, v->frame_len);
	tap(fw_open(&rx, 1, f, (osm_u32)v->frame_len, &of, &which) ==
	       OSM_DROP_REPLAY, "%s: fw_open refuses it a second time",
	       v->name);
	if (v->type != OSM_T_CTRL)
		return;
	r = osm_msg_decode(&m, v->payload, v->payload_len);
	tap(r == 0 && osm_msg_encode(&m, again, sizeof(again)) ==
	       (int)v->payload_len &&
	       !memcmp(again, v->payload, v->payload_len),
	       "%s: the firmware's codec decodes the message (and encodes "
	       "it back to the same bytes)", v->name);
}

/* ---- the application, as device 7 of the examples ---------------------- */

static const struct vd_frame *find(const struct vd_frame *v, int n,
				   const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	fprintf(stderr, "fw-vectors: no example '%s'\n", name);
	return NULL;
}

static int sent_is(int i, const struct vd_frame *v)
{
	return nsent > i && sent[i].len == v->frame_len &&
	       !memcmp(sent[i].frame, v->frame, v->frame_len);
}

/* Feed a frame to the application as hw.c does; its UART output. */
static const char *receive(const osm_u8 *frame, size_t len)
{
	ulen = 0;
	uart[0] = 0;
	memcpy(fw_frame, frame, len);
	fw_app_frame((osm_u32)len);
	return uart;
}

/* Boot as a new device (session counter 0 in storage). */
static void boot(struct osm_fw_blob *b, struct osm_fw_params *p, int role)
{
	p->role = (uint8_t)role;
	nsent = 0;
	nv = 0;
	if (osm_fw_blob_build(b, p) || fw_app_init(b))
		tap(0, "%s: the blob of device 7 boots", "app");
	fw_app_tick(1);
}

static void check_app(const struct vd_block *keys, const struct vd_frame *v,
		      int n)
{
	const struct vd_frame *hello = find(v, n, "ctrl-hello"),
		*hello_ack = find(v, n, "ctrl-hello-ack"),
		*presence = find(v, n, "ctrl-presence"),
		*update = find(v, n, "ctrl-key-update"),
		*ack = find(v, n, "ctrl-ack"),
		*rejoin = find(v, n, "ctrl-rejoin"),
		*data = find(v, n, "data-frame");
	struct osm_fw_params p = { 0 };
	struct osm_fw_blob b;
	osm_u8 f[VD_MAX_BYTES];
	const char *line = "badge enter b-1234\n";
	int i;

	if (!hello || !hello_ack || !presence || !update || !ack || !rejoin ||
	    !data) {
		tap(0, "%s: the examples of device 7 are all there", "app");
		return;
	}
	/* Device 7 of 10.1 at the controller 02:00:00:00:00:fe. */
	p.device_id = (uint32_t)vd_num(keys, "device_id");
	p.ctrl_epoch = (uint32_t)vd_num(keys, "ctrl_epoch");
	vd_hex_exact(keys, "device_key", p.device_key, 32);
	memcpy(p.mac, hello->src, 6);
	memcpy(p.ctrl_mac, hello->dst, 6);

	boot(&b, &p, OSM_ROLE_LAMP);
	tap(sent_is(0, hello), "%s: a lamp's HELLO at boot (session 1) is "
	       "10.3 byte for byte", "app");
	tap(!strcmp(receive(update->frame, update->frame_len),
		    "drop replay n=1\n"),
	    "%s: before its HELLO is ACKed, a KEY_UPDATE is refused", "app");

	boot(&b, &p, OSM_ROLE_DOOR);
	while (*line)
		fw_app_char(*line++);
	fw_app_tick(2);
	tap(nsent == 1, "%s: a badge before the device joined waits", "app");
	tap(!strcmp(receive(hello_ack->frame, hello_ack->frame_len),
		    "ack seq=0 status=0\n"),
	    "%s: the ACK of its HELLO (10.4) joins it", "app");
	fw_app_tick(3);
	tap(sent_is(1, presence), "%s: then a door's PRESENCE of badge "
	       "b-1234 is 10.6 byte for byte", "app");
	tap(!strcmp(receive(update->frame, update->frame_len),
		       "key circuit=257 epoch=3 op=1 status=0\n"),
	       "%s: the device decodes and applies the KEY_UPDATE of 10.5",
	       "app");
	tap(sent_is(2, ack), "%s: its ACK is 10.7 byte for byte", "app");
	/* 10.2 was sealed to another MAC, which no tag covers */
	memcpy(f, data->frame, data->frame_len);
	memcpy(f, p.mac, 6);
	tap(!strcmp(receive(f, data->frame_len), "drop bad_msg n=1\n"),
	       "%s: the data frame of 10.2 opens under the keys of 10.5 "
	       "(\"lights on\" is no command of a door)", "app");
	tap(!strcmp(receive(f, data->frame_len), "drop replay n=1\n"),
	       "%s: and is a replay the second time", "app");
	fw_app_tick(1100);
	tap(nsent == 4, "%s: the PRESENCE, not ACKed, is sent again after a "
	    "second", "app");
	tap(!strcmp(receive(rejoin->frame, rejoin->frame_len),
		    "rejoin\nsession 2\n"),
	    "%s: REJOIN (10.8) starts session 2", "app");
	tap(!strcmp(receive(f, data->frame_len), "drop unknown_circuit n=1\n"),
	    "%s: a new session forgets the data keys", "app");
	fw_app_tick(1200);
	tap(nsent == 5 &&
	    osm_get_be64(sent[4].frame + OSM_ETH_HLEN + OSM_OFF_SEQ) ==
	    osm_session_seq(2), "%s: then HELLO, numbered in session 2",
	    "app");
	tap(!strcmp(receive(hello_ack->frame, hello_ack->frame_len),
		    "drop replay n=2\n") &&
	    !strcmp(receive(update->frame, update->frame_len),
		    "drop replay n=3\n"),
	    "%s: the ACK of session 1's HELLO and its KEY_UPDATE, replayed, "
	    "are refused", "app");
	/* Not joined, a REJOIN is taken only once OSM_REJOIN_HELLOS HELLOs
	 * went unanswered (a controller that lost the ACK of one). */
	boot(&b, &p, OSM_ROLE_LAMP);
	tap(!strcmp(receive(rejoin->frame, rejoin->frame_len),
		    "drop replay n=1\n"),
	    "%s: not joined, one HELLO out: a REJOIN is refused", "app");
	boot(&b, &p, OSM_ROLE_LAMP);
	for (i = 1; i <= OSM_REJOIN_HELLOS; i++)
		fw_app_tick(1 + 1000 * i);
	tap(nsent == OSM_REJOIN_HELLOS + 1 &&
	    !strcmp(receive(rejoin->frame, rejoin->frame_len),
		    "rejoin\nsession 2\n"),
	    "%s: not joined, %d HELLOs unanswered: a REJOIN starts session 2",
	    "app", OSM_REJOIN_HELLOS + 1);
	nv = -1;
	fw_app_init(&b);
	tap(strstr(uart, "no storage\n") != NULL,
	    "%s: a device whose storage fails says so", "app");
	nsent = 0;
	fw_app_tick(5000);
	tap(nsent == 0, "%s: ... and sends nothing", "app");
	sodium_memzero(&p, sizeof(p));
	sodium_memzero(&b, sizeof(b));
}

int main(int argc, char **argv)
{
	static struct vd_block blocks[MAX_BLOCKS];
	static struct vd_frame v[MAX_BLOCKS];
	const struct vd_block *keys = NULL;
	int i, nb, n = 0;

	if (argc != 2 || sodium_init() < 0) {
		fprintf(stderr, "usage: fw-vectors DOC\n");
		return 2;
	}
	nb = vd_parse(argv[1], blocks, MAX_BLOCKS);
	for (i = 0; i < nb; i++) {
		if (!strcmp(vd_get(&blocks[i], "name"), "keys")) {
			keys = &blocks[i];
			continue;
		}
		if (!strncmp(vd_get(&blocks[i], "name"), "gw-", 3))
			continue;	/* between gateways: no firmware's */
		vd_frame_get(&blocks[i], &v[n]);
		check_frame(&v[n++]);
	}
	tap(n >= 5 && keys, "%s: keys and at least five frame examples",
	       argv[1]);
	if (keys)
		check_app(keys, v, n);
	vd_free(blocks, nb);
	return tap_done();
}
