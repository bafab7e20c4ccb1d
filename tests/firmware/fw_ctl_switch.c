// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fw-ctl through a room switch: fw-ctl programs the switch's circuits with
 * osm-fabric, as the controller would, and reads the switch's counters next
 * to the device's log. What a switch can judge (circuit, port, source,
 * epoch, hop tag, replay) it drops before the device sees it; what only an
 * endpoint can judge (AEAD, the command, keys the device already dropped)
 * crosses the switch and the device refuses it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "osm_hex.h"
#include "osm_keys.h"
#include "osm_packet.h"
#include "fw_ctl.h"

#define PHONE_CIRCUIT	300	/* alice's phone -> controller, while in */

/* Run `osm-fabric CMD -n NETNS SWITCH ARGS`, with hop (if given) in hex on
 * its standard input (ARGS then say --hop-key-file -). */
static int fabric(const uint8_t *hop, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fabric(const uint8_t *hop, const char *cmd, const char *fmt, ...)
{
	char args[256], line[512], hex[2 * OSM_HOP_KEY_LEN + 1];
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "exec %s %s -n %s %s %s >/dev/null",
		 fc.sw.fabric, cmd, fc.sw.netns, fc.sw.name, args);
	p = popen(line, "w");
	if (!p)
		return -1;
	if (hop) {
		osm_hex_format(hex, hop, OSM_HOP_KEY_LEN);
		fputs(hex, p);
		sodium_memzero(hex, sizeof(hex));
	}
	return pclose(p) == 0 ? 0 : -1;
}

/* Read `osm-fabric stats` output: each line through fn. */
static int fabric_read(const char *args, void (*fn)(const char *, void *),
		       void *arg)
{
	char cmd[512], line[256];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "exec %s stats -n %s %s %s", fc.sw.fabric,
		 fc.sw.netns, fc.sw.name, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p))
		fn(line, arg);
	return pclose(p) == 0 ? 0 : -1;
}

/* "  REASON COUNT" lines of stats into d[reason]. */
static void drop_line(const char *line, void *arg)
{
	uint64_t *d = arg;
	unsigned long long v;
	char name[32];
	int r;

	if (sscanf(line, "  %31s %llu", name, &v) != 2)
		return;
	for (r = OSM_DROP_MALFORMED; r < OSM_REASON_MAX; r++)
		if (!strcmp(name, osm_reason_name(r)))
			d[r] = v;
}

static uint64_t sw_drops(uint64_t d[OSM_REASON_MAX])
{
	uint64_t sum = 0;
	int r;

	memset(d, 0, OSM_REASON_MAX * sizeof(*d));
	if (fabric_read("", drop_line, d))
		fwc_ok(0, "osm-fabric stats");
	for (r = 0; r < OSM_REASON_MAX; r++)
		sum += d[r];
	return sum;
}

/* "circuit ID frames N ..." of stats --circuit ID. */
static void frames_line(const char *line, void *arg)
{
	unsigned long long v;
	unsigned id;

	if (sscanf(line, "circuit %u frames %llu", &id, &v) == 2)
		*(uint64_t *)arg = v;
}

static uint64_t sw_frames(uint32_t circuit)
{
	char args[32];
	uint64_t v = 0;

	snprintf(args, sizeof(args), "--circuit %u", circuit);
	fabric_read(args, frames_line, &v);
	return v;
}

/* Wait until the switch has counted want more drops than before (in all,
 * summed into *sum); d gets the counters. */
static uint64_t sw_wait_drops(uint64_t d[OSM_REASON_MAX], uint64_t before,
			      uint64_t want)
{
	long end = fwc_now_ms() + 2000;
	uint64_t sum;

	while ((sum = sw_drops(d)) < before + want && fwc_now_ms() < end)
		usleep(2000);
	return sum - before;
}

void fwc_sw_key(uint32_t circuit, uint32_t epoch, const uint8_t *hop)
{
	if (!fc.sw.name)
		return;
	if (hop)
		fwc_ok(fabric(hop, "circuit key", "%u --epoch %u "
			      "--hop-key-file -", circuit, epoch) == 0,
		       "switch: circuit %#x epoch %u key installed", circuit,
		       epoch);
	else
		fwc_ok(fabric(NULL, "circuit key", "%u --epoch %u --remove",
			      circuit, epoch) == 0,
		       "switch: circuit %#x epoch %u key removed", circuit,
		       epoch);
}

void fwc_sw_expect_drop(int fd, const uint8_t *f, size_t len, int reason,
			const char *what)
{
	uint64_t a[OSM_REASON_MAX], b[OSM_REASON_MAX], sum;
	int r, others = 0;

	sum = sw_drops(a);
	fwc_send_raw(fd, f, len);
	sw_wait_drops(b, sum, 1);
	for (r = 0; r < OSM_REASON_MAX; r++)
		if (r != reason && a[r] != b[r])
			others++;
	fwc_ok(b[reason] == a[reason] + 1 && !others,
	       "%s: the switch drops it as %s", what, osm_reason_name(reason));
}

/* Random frames: every one dropped by the switch, by some reason. */
static void sw_burst(int fd, int count)
{
	uint64_t a[OSM_REASON_MAX], b[OSM_REASON_MAX], sum, got;
	int r;

	sum = sw_drops(a);
	fwc_random_burst(fd, count);
	got = sw_wait_drops(b, sum, (uint64_t)count);
	printf("# switch drops of the burst:");
	for (r = 0; r < OSM_REASON_MAX; r++)
		if (b[r] != a[r])
			printf(" %s=%llu", osm_reason_name(r),
			       (unsigned long long)(b[r] - a[r]));
	printf("\n");
	fwc_ok(got == (uint64_t)count,
	       "%llu of %d random frames dropped by the switch",
	       (unsigned long long)got, count);
}

/*
 * Frames on circuit tx that the switch must stop, one reason each, around
 * a valid frame (payload pt, after which the device logs effect): fd is
 * the circuit's ingress port, other another port of the switch.
 */
static void sw_hostile(struct osm_tx *tx, const void *pt, size_t len,
		       const char *effect, int fd, int other)
{
	uint8_t f[256], g[256];
	size_t n;

	n = (size_t)osm_seal(tx, pt, len, f, sizeof(f));
	fwc_send_raw(fd, f, n);
	fwc_ok(fwc_uart_wait(effect, NULL, 0),
	       "circuit %#x: a valid frame passes the switch", tx->circuit);
	fwc_sw_expect_drop(fd, f, n, OSM_DROP_REPLAY, "the same frame again");

	n = (size_t)osm_seal(tx, pt, len, f, sizeof(f));
	memcpy(g, f, n);
	g[OSM_FRAME_HDR_LEN - 1] ^= 0x80;
	fwc_sw_expect_drop(fd, g, n, OSM_DROP_BAD_TAG, "wrong hop tag");
	memcpy(g, f, n);
	g[OSM_ETH_HLEN + OSM_OFF_CIRCUIT + 3] ^= 0x40;
	fwc_sw_expect_drop(fd, g, n, OSM_DROP_UNKNOWN, "another circuit id");
	memcpy(g, f, n);
	g[11] ^= 0x01;
	fwc_sw_expect_drop(fd, g, n, OSM_DROP_WRONG_SRC, "another source MAC");
	fwc_sw_expect_drop(other, f, n, OSM_DROP_WRONG_PORT,
			   "from another port of the switch");
	memcpy(g, f, n);
	g[OSM_ETH_HLEN + OSM_OFF_EPOCH] ^= 0x10;
	fwc_sw_expect_drop(fd, g, n, OSM_DROP_STALE_EPOCH,
			   "an epoch the switch has no key for");
	memcpy(g, f, n);
	g[OSM_ETH_HLEN] = 0x21;
	fwc_sw_expect_drop(fd, g, n, OSM_DROP_VERSION, "version 2");
	fwc_sw_expect_drop(fd, f, 40, OSM_DROP_MALFORMED,
			   "truncated in its header");
	memcpy(g, f, n);
	osm_put_be16(g + 12, 0x0800);
	fwc_sw_expect_drop(fd, g, n, OSM_DROP_NOT_CIRCUIT, "IPv4 frame");
	sw_burst(fd, 100);
	/* drops leave the window alone: the frame held back still passes */
	fwc_send_raw(fd, f, n);
	fwc_ok(fwc_uart_wait(effect, NULL, 0),
	       "circuit %#x: the switch still forwards a valid frame",
	       tx->circuit);
}

/* Wait for a frame that rx opens on fd. */
static int recv_open(int fd, struct osm_rx *rx, const char *want)
{
	uint8_t buf[2048], pt[256];
	long end = fwc_now_ms() + 2000;
	struct osm_frame f;
	size_t len;
	int n;

	while (fwc_now_ms() < end) {
		n = osm_pkt_recv(fd, buf, sizeof(buf), 50);
		if (n > 0 && !osm_open(rx, buf, (size_t)n, &f, pt, sizeof(pt),
				       &len) &&
		    len == strlen(want) && !memcmp(pt, want, len))
			return 1;
	}
	return 0;
}

static void joined(int role)
{
	fwc_join(role);
	fwc_ok(sw_frames(fc.up.circuit) > 0 && sw_frames(fc.down.circuit) > 0,
	       "the switch forwarded HELLO on control up, ACK on control down");
}

void fwc_door_switch(void)
{
	struct osm_tx phone = { .circuit = PHONE_CIRCUIT, .type = OSM_T_DATA };
	struct osm_msg m = { .type = OSM_MSG_ACK };
	struct osm_rx at_ctrl = { .circuit = PHONE_CIRCUIT };
	char ctrl[18], peer[18];
	uint8_t f[256], pt[64];
	int n;

	osm_mac_format(ctrl, fc.blob.ctrl_mac);
	osm_mac_format(peer, fc.blob.peer_mac);
	joined(OSM_ROLE_DOOR);

	/* The controller stands in for the engine: a person's PRESENCE
	 * opens and closes her circuits on the switch. */
	randombytes_buf(fc.parent, sizeof(fc.parent));
	osm_kdf_circuit(&phone.keys, fc.parent, PHONE_CIRCUIT, 1);
	osm_rx_set_keys(&at_ctrl, &phone.keys);
	memcpy(phone.src, fc.blob.peer_mac, 6);
	memcpy(phone.dst, fc.blob.ctrl_mac, 6);
	n = osm_seal(&phone, "hi", 2, f, sizeof(f));
	fwc_sw_expect_drop(fc.ep, f, (size_t)n, OSM_DROP_UNKNOWN,
			   "alice's phone before she enters");
	fwc_presence("enter", "alice", fc.epoch);
	fwc_ok(fabric(phone.keys.hop, "circuit add", "%u --in %s --out %s "
		      "--src %s --dst %s --epoch 1 --hop-key-file -",
		      PHONE_CIRCUIT, fc.sw.ep_port, fc.sw.ctrl_port, peer,
		      ctrl) == 0,
	       "on her PRESENCE the controller opens circuit %u for alice",
	       PHONE_CIRCUIT);
	n = osm_seal(&phone, "hi", 2, f, sizeof(f));
	fwc_send_raw(fc.ep, f, (size_t)n);
	fwc_ok(recv_open(fc.pkt, &at_ctrl, "hi"),
	       "alice's phone reaches the controller through the switch");
	fwc_presence("leave", "alice", fc.epoch);
	fwc_ok(fabric(NULL, "circuit del", "%u", PHONE_CIRCUIT) == 0,
	       "on her PRESENCE leave the controller closes circuit %u",
	       PHONE_CIRCUIT);
	n = osm_seal(&phone, "hi", 2, f, sizeof(f));
	fwc_sw_expect_drop(fc.ep, f, (size_t)n, OSM_DROP_UNKNOWN,
			   "alice's phone after she left");
	osm_wipe(&phone, sizeof(phone));
	osm_wipe(&at_ctrl, sizeof(at_ctrl));

	fwc_rotate_ctrl();
	fwc_presence("enter", "bob", fc.epoch - 1);
	m.u.ack.seq = 7;
	n = osm_msg_encode(&m, pt, sizeof(pt));
	sw_hostile(&fc.down, pt, (size_t)n, "ack seq=7", fc.pkt, fc.ep);
	fwc_stats();
}

void fwc_sw_data_circuit(const struct osm_keys *k)
{
	char dev[18], peer[18];

	if (!fc.sw.name)
		return;
	osm_mac_format(dev, fc.blob.mac);
	osm_mac_format(peer, fc.blob.peer_mac);
	fwc_ok(fabric(k->hop, "circuit add", "%u --in %s --out %s --src %s "
		      "--dst %s --epoch %u --hop-key-file -",
		      FWC_DATA_CIRCUIT, fc.sw.ep_port, fc.sw.dev_port, peer,
		      dev, k->epoch) == 0,
	       "switch: circuit %u host endpoint -> lamp, epoch %u",
	       FWC_DATA_CIRCUIT, k->epoch);
}

void fwc_lamp_switch(void)
{
	struct osm_keys k[3];
	uint8_t f[256], keep[256];
	int n;

	joined(OSM_ROLE_LAMP);
	fwc_lamp_epochs(k, keep, sizeof(keep));
	/* the lamp refused epoch 1; now the switch does too */
	fwc_sw_key(FWC_DATA_CIRCUIT, 3, k[2].hop);
	n = fwc_seal_data(&k[0], "on", f, sizeof(f));
	fwc_sw_expect_drop(fc.ep, f, (size_t)n, OSM_DROP_STALE_EPOCH,
			   "epoch 1 frame once the switch rotated too");
	fwc_endpoint_drops(&k[2]);
	fc.data.keys = k[2];
	sw_hostile(&fc.data, "level 5", 7, "lamp level 5", fc.ep, fc.pkt);

	fwc_ok(fwc_key_update(FWC_DATA_CIRCUIT, 0, OSM_KEY_REMOVE, NULL) == 0,
	       "the lamp forgets circuit %u", FWC_DATA_CIRCUIT);
	n = fwc_seal_data(&k[2], "on", f, sizeof(f));
	fwc_expect_drop(fc.ep, f, (size_t)n, "unknown_circuit",
			"frame on it, the switch still holding the circuit");
	fwc_ok(fabric(NULL, "circuit del", "%u", FWC_DATA_CIRCUIT) == 0,
	       "switch: circuit %u removed", FWC_DATA_CIRCUIT);
	n = fwc_seal_data(&k[2], "on", f, sizeof(f));
	fwc_sw_expect_drop(fc.ep, f, (size_t)n, OSM_DROP_UNKNOWN,
			   "frame on the removed circuit");
	fwc_stats();
	sodium_memzero(k, sizeof(k));
}
