// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The worked examples of docs/protocol.md. `vectors DOC` parses every
 * ```vector block of the document and checks it byte for byte against
 * libsodium and the protocol code (TAP); `vectors --emit` prints the blocks
 * from their inputs, which is how the document's examples were made.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "tap.h"
#include "osm_endpoint.h"
#include "osm_hex.h"
#include "osm_keys.h"
#include "osm_msg.h"
#include "vector_doc.h"

#define MAXV VD_MAX_BYTES

/* ---- emitting ------------------------------------------------------------ */

static void emit_hex(const char *name, const uint8_t *p, size_t len)
{
	size_t i;

	printf("%s:", name);
	if (len > 16)
		putchar('\n');
	for (i = 0; i < len; i++) {
		if (len > 16 && i % 16 == 0)
			printf("  ");
		else
			putchar(' ');
		printf("%02x", p[i]);
		if (len > 16 && (i % 16 == 15 || i == len - 1))
			putchar('\n');
	}
	if (len <= 16)
		putchar('\n');
	if (len == 0)
		;
}

static void seq_bytes(uint8_t *p, size_t n, uint8_t start)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(start + i);
}

static void emit_frame(const char *name, const struct osm_tx *tx,
		       uint64_t seq, const uint8_t *pl, size_t len)
{
	uint8_t frame[MAXV];
	char mac[18];
	int n = osm_seal_seq(tx, seq, pl, len, frame, sizeof(frame));

	printf("```vector\nname: %s\n", name);
	printf("type: %u\ncircuit: 0x%08x\nepoch: %u\nseq: %llu\n", tx->type,
	       tx->circuit, tx->keys.epoch, (unsigned long long)seq);
	osm_mac_format(mac, tx->dst);
	printf("dst: %s\n", mac);
	osm_mac_format(mac, tx->src);
	printf("src: %s\n", mac);
	emit_hex("hop_key", tx->keys.hop, OSM_HOP_KEY_LEN);
	emit_hex("e2e_key", tx->keys.e2e, OSM_E2E_KEY_LEN);
	emit_hex("payload", pl, len);
	emit_hex("frame", frame, (size_t)n);
	printf("```\n\n");
}

/* Point tx at device 7's control circuit in direction dir, epoch 1: the
 * device (…:07) sends up to the controller (…:fe), the controller down. */
static void ctrl_tx(struct osm_tx *tx, const uint8_t *dev, int dir)
{
	static const uint8_t devmac[6] = { 2, 0, 0, 0, 0, 7 };
	static const uint8_t ctlmac[6] = { 2, 0, 0, 0, 0, 0xfe };

	osm_kdf_ctrl(&tx->keys, dev, dir, 1);
	tx->type = OSM_T_CTRL;
	tx->circuit = osm_ctrl_circuit(7, dir);
	memcpy(tx->src, dir == OSM_CTRL_UP ? devmac : ctlmac, 6);
	memcpy(tx->dst, dir == OSM_CTRL_UP ? ctlmac : devmac, 6);
}

#define S1 (1ULL << OSM_SESSION_SHIFT)

static int emit(void)
{
	uint8_t root[32], dev[32], sess[32], pl[128];
	struct osm_tx tx = { .type = OSM_T_DATA };
	struct osm_keys k;
	struct osm_msg m;
	int n;

	/* Keys: derivation chain. */
	seq_bytes(root, 32, 0x00);
	osm_kdf_device(dev, root, 7);
	seq_bytes(sess, 32, 0x40);
	printf("```vector\nname: keys\n");
	emit_hex("root_key", root, 32);
	printf("device_id: 7\n");
	emit_hex("device_key", dev, 32);
	osm_kdf_ctrl(&k, dev, OSM_CTRL_UP, 1);
	printf("ctrl_epoch: 1\n");
	emit_hex("ctrl_up_hop_key", k.hop, 16);
	emit_hex("ctrl_up_e2e_key", k.e2e, 32);
	osm_kdf_ctrl(&k, dev, OSM_CTRL_DOWN, 1);
	emit_hex("ctrl_down_hop_key", k.hop, 16);
	emit_hex("ctrl_down_e2e_key", k.e2e, 32);
	emit_hex("session_key", sess, 32);
	osm_kdf_circuit(&k, sess, 0x101, 3);
	printf("circuit: 0x00000101\ncircuit_epoch: 3\n");
	emit_hex("circuit_hop_key", k.hop, 16);
	emit_hex("circuit_e2e_key", k.e2e, 32);
	printf("```\n\n");

	/* A data frame on circuit 0x101, epoch 3, keys as derived above. */
	memcpy(tx.dst, "\x02\x00\x00\x00\x01\x02", 6);
	memcpy(tx.src, "\x02\x00\x00\x00\x01\x01", 6);
	tx.circuit = 0x101;
	tx.keys = k;
	memcpy(pl, "lights on", 9);
	emit_frame("data-frame", &tx, 42, pl, 9);

	/* HELLO from device 7 on its up control circuit, epoch 1, in its
	 * session 1 (docs/protocol.md 8.1): sequence number 2^32. */
	ctrl_tx(&tx, dev, OSM_CTRL_UP);
	memset(&m, 0, sizeof(m));
	m.type = OSM_MSG_HELLO;
	m.u.hello.device_id = 7;
	m.u.hello.role = OSM_ROLE_LAMP;
	m.u.hello.fw_version = 1;
	n = osm_msg_encode(&m, pl, sizeof(pl));
	emit_frame("ctrl-hello", &tx, S1, pl, (size_t)n);

	/* The controller (run 1) acknowledges the HELLO: device 7 joins,
	 * and the floor of its down window is this frame's number. */
	ctrl_tx(&tx, dev, OSM_CTRL_DOWN);
	memset(&m, 0, sizeof(m));
	m.type = OSM_MSG_ACK;
	m.u.ack.seq = S1;
	n = osm_msg_encode(&m, pl, sizeof(pl));
	emit_frame("ctrl-hello-ack", &tx, S1, pl, (size_t)n);

	/* KEY_UPDATE to device 7 on its down control circuit: install the
	 * data circuit's keys for receiving. */
	ctrl_tx(&tx, dev, OSM_CTRL_DOWN);
	memset(&m, 0, sizeof(m));
	m.type = OSM_MSG_KEY_UPDATE;
	m.u.key.circuit = 0x101;
	m.u.key.epoch = 3;
	m.u.key.op = OSM_KEY_RX;
	memcpy(m.u.key.hop, k.hop, 16);
	memcpy(m.u.key.e2e, k.e2e, 32);
	n = osm_msg_encode(&m, pl, sizeof(pl));
	emit_frame("ctrl-key-update", &tx, S1 + 5, pl, (size_t)n);

	/* PRESENCE from device 7 (a door), badge "b-1234" entering. */
	ctrl_tx(&tx, dev, OSM_CTRL_UP);
	memset(&m, 0, sizeof(m));
	m.type = OSM_MSG_PRESENCE;
	m.u.presence.event = OSM_PRESENCE_ENTER;
	m.u.presence.badge_len = 6;
	memcpy(m.u.presence.badge, "b-1234", 6);
	n = osm_msg_encode(&m, pl, sizeof(pl));
	emit_frame("ctrl-presence", &tx, S1 + 1, pl, (size_t)n);

	/* ACK from device 7 of the KEY_UPDATE (run 1, m = 5). */
	memset(&m, 0, sizeof(m));
	m.type = OSM_MSG_ACK;
	m.u.ack.seq = S1 + 5;
	n = osm_msg_encode(&m, pl, sizeof(pl));
	emit_frame("ctrl-ack", &tx, S1 + 2, pl, (size_t)n);

	/* REJOIN from the controller, later in run 1 (m = 9). */
	ctrl_tx(&tx, dev, OSM_CTRL_DOWN);
	memset(&m, 0, sizeof(m));
	m.type = OSM_MSG_ACK;
	m.u.ack.status = OSM_ACK_REJOIN;
	n = osm_msg_encode(&m, pl, sizeof(pl));
	emit_frame("ctrl-rejoin", &tx, S1 + 9, pl, (size_t)n);
	return 0;
}

/* ---- checking ------------------------------------------------------------ */

static void check_keys(const struct vd_block *b)
{
	uint8_t root[32], dev[32], want[32], sess[32];
	struct osm_keys k;
	uint32_t epoch = (uint32_t)vd_num(b, "ctrl_epoch");

	vd_hex_exact(b, "root_key", root, 32);
	osm_kdf_device(dev, root, (uint32_t)vd_num(b, "device_id"));
	vd_hex_exact(b, "device_key", want, 32);
	tap(!memcmp(dev, want, 32), "%s: device key from root", "keys");
	osm_kdf_ctrl(&k, dev, OSM_CTRL_UP, epoch);
	vd_hex_exact(b, "ctrl_up_hop_key", want, 16);
	tap(!memcmp(k.hop, want, 16), "%s: control up hop key", "keys");
	vd_hex_exact(b, "ctrl_up_e2e_key", want, 32);
	tap(!memcmp(k.e2e, want, 32), "%s: control up e2e key", "keys");
	osm_kdf_ctrl(&k, dev, OSM_CTRL_DOWN, epoch);
	vd_hex_exact(b, "ctrl_down_hop_key", want, 16);
	tap(!memcmp(k.hop, want, 16), "%s: control down hop key", "keys");
	vd_hex_exact(b, "ctrl_down_e2e_key", want, 32);
	tap(!memcmp(k.e2e, want, 32), "%s: control down e2e key", "keys");
	vd_hex_exact(b, "session_key", sess, 32);
	osm_kdf_circuit(&k, sess, (uint32_t)vd_num(b, "circuit"),
			(uint32_t)vd_num(b, "circuit_epoch"));
	vd_hex_exact(b, "circuit_hop_key", want, 16);
	tap(!memcmp(k.hop, want, 16), "%s: circuit hop key", "keys");
	vd_hex_exact(b, "circuit_e2e_key", want, 32);
	tap(!memcmp(k.e2e, want, 32), "%s: circuit e2e key", "keys");
}

/* Section 11.9: two buildings' keys from their roots, what they share,
 * and the remote's ids and keys. */
static void check_remote(const struct vd_block *b)
{
	uint8_t root[32], sk[2][32], pub[32], want[32], got[32], q[32];
	const char *who[2] = { "cam", "par" }, *name = vd_get(b, "remote");
	char key[32];
	struct osm_keys k;
	uint32_t id[2];
	int i, d;

	for (i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "%s_root_key", who[i]);
		vd_hex_exact(b, key, root, 32);
		osm_kdf_building(sk[i], root);
		snprintf(key, sizeof(key), "%s_secret", who[i]);
		vd_hex_exact(b, key, want, 32);
		tap(!memcmp(sk[i], want, 32), "gw-remote: %s's secret from "
		    "its root key", who[i]);
		crypto_scalarmult_base(pub, sk[i]);
		snprintf(key, sizeof(key), "%s_public", who[i]);
		vd_hex_exact(b, key, want, 32);
		tap(!memcmp(pub, want, 32), "gw-remote: %s's public key",
		    who[i]);
	}
	for (i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "%s_public", who[!i]);
		vd_hex_exact(b, key, pub, 32);
		vd_hex_exact(b, "pair_secret", want, 32);
		tap(!osm_building_shared(got, sk[i], pub, NULL) &&
		    !memcmp(got, want, 32), "gw-remote: the pair secret, "
		    "from %s's side", who[i]);
		vd_hex_exact(b, "agreement_secret", want, 32);
		tap(!osm_building_shared(q, sk[i], pub, "osm-rem1") &&
		    !memcmp(q, want, 32), "gw-remote: the agreement secret, "
		    "from %s's side", who[i]);
	}
	osm_remote_ids(id, q, name);
	tap(id[0] == (uint32_t)vd_num(b, "circuit_lo_hi") &&
	    id[1] == (uint32_t)vd_num(b, "circuit_hi_lo"),
	    "gw-remote: the circuit ids of remote '%s'", name);
	osm_remote_parent(got, q, name);
	vd_hex_exact(b, "parent_key", want, 32);
	tap(!memcmp(got, want, 32), "gw-remote: its parent key");
	for (d = 0; d < 2; d++) {
		osm_kdf_circuit(&k, got, id[d], (uint32_t)vd_num(b, "epoch"));
		vd_hex_exact(b, d ? "hi_lo_hop_key" : "lo_hi_hop_key", want,
			     16);
		tap(!memcmp(k.hop, want, 16), "gw-remote: hop key, %s",
		    d ? "hi to lo" : "lo to hi");
		vd_hex_exact(b, d ? "hi_lo_e2e_key" : "lo_hi_e2e_key", want,
			     32);
		tap(!memcmp(k.e2e, want, 32), "gw-remote: e2e key, %s",
		    d ? "hi to lo" : "lo to hi");
	}
	crypto_scalarmult_base(pub, sk[0]);
	tap(osm_building_shared(got, sk[0], pub, NULL) == -EINVAL,
	    "gw-remote: a building shares nothing with its own key");
	memset(pub, 0, sizeof(pub));
	tap(osm_building_shared(got, sk[0], pub, NULL) == -EINVAL,
	    "gw-remote: nor with a low-order key");
}

static void check_frame(const struct vd_block *b, const char *name)
{
	static struct vd_frame v;
	uint8_t frame[MAXV], out[MAXV], hop[8];
	struct osm_tx tx = { 0 };
	struct osm_rx rx = { 0 };
	struct osm_frame f;
	struct osm_msg m;
	size_t olen = 0;
	int n;

	vd_frame_get(b, &v);
	tx.type = v.type;
	tx.circuit = v.circuit;
	tx.keys.epoch = v.epoch;
	memcpy(tx.dst, v.dst, 6);
	memcpy(tx.src, v.src, 6);
	memcpy(tx.keys.hop, v.hop, 16);
	memcpy(tx.keys.e2e, v.e2e, 32);
	n = osm_seal_seq(&tx, v.seq, v.payload, v.payload_len, frame,
			 sizeof(frame));
	tap(n > 0 && (size_t)n == v.frame_len &&
	       !memcmp(frame, v.frame, v.frame_len),
	       "%s: sealing the inputs gives the frame byte for byte", name);

	/* Independent of osm_seal: libsodium on the document's bytes. */
	crypto_shorthash(hop, v.frame + OSM_ETH_HLEN, OSM_HOP_INPUT_LEN,
			 tx.keys.hop);
	tap(v.frame_len >= OSM_FRAME_HDR_LEN &&
	       !memcmp(hop, v.frame + OSM_ETH_HLEN + OSM_OFF_HOP_TAG, 8),
	       "%s: hop tag is crypto_shorthash of header bytes 0..35", name);
	tap(osm_get_le64(hop) ==
	       osm_hop_tag(v.frame + OSM_ETH_HLEN, tx.keys.hop),
	       "%s: osm_siphash24 agrees with crypto_shorthash", name);

	rx.circuit = tx.circuit;
	osm_rx_set_keys(&rx, &tx.keys);
	n = osm_open(&rx, v.frame, v.frame_len, &f, out, sizeof(out), &olen);
	tap(n == OSM_OK && olen == v.payload_len &&
	       !memcmp(out, v.payload, v.payload_len),
	       "%s: the frame opens to the payload", name);
	if (tx.type == OSM_T_CTRL)
		tap(osm_msg_decode(&m, v.payload, v.payload_len) == 0,
		       "%s: the payload is a well-formed control message",
		       name);
}

int main(int argc, char **argv)
{
	static struct vd_block blocks[16];
	int i, nb, frames = 0;

	if (sodium_init() < 0)
		return 2;
	if (argc == 2 && !strcmp(argv[1], "--emit"))
		return emit();
	if (argc != 2) {
		fprintf(stderr, "usage: vectors DOC | vectors --emit\n");
		return 2;
	}
	nb = vd_parse(argv[1], blocks, 16);
	for (i = 0; i < nb; i++) {
		const char *name = vd_get(&blocks[i], "name");

		if (!strcmp(name, "keys")) {
			check_keys(&blocks[i]);
		} else if (!strcmp(name, "gw-remote")) {
			check_remote(&blocks[i]);
		} else if (!strncmp(name, "gw-", 3)) {
			continue;	/* the gateway link's: tests/dataplane */
		} else {
			check_frame(&blocks[i], name);
			frames++;
		}
	}
	vd_free(blocks, nb);
	tap(frames >= 3, "%s has at least three worked frame examples",
	       argv[1]);
	return tap_done();
}
