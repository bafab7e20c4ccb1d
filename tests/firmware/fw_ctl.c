// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fw-ctl: plays the building controller (and a host endpoint) for one
 * firmware endpoint running in QEMU, over the network and the device's
 * UART, with libosm. Reads the device's identity from its provisioning
 * blob. Runs the role's scenario and prints TAP lines numbered from N + 1
 * (no plan: the calling script prints it).
 *
 *   fw-ctl -i TAP -u UART_PIPE_PREFIX -b BLOB [-n N]
 *	on the device's tap itself: the firmware's own checks.
 *   fw-ctl -i NETNS:IF -e NETNS:IF -u UART -b BLOB [-n N] -s NETNS:SWITCH
 *	  -t DEV_PORT -c CTRL_PORT -p EP_PORT [-F OSM_FABRIC]
 *	through a room switch: the controller on -i, the host endpoint on
 *	-e, each joined to a port of SWITCH; fw-ctl programs the switch's
 *	circuits and reads its counters with osm-fabric (run it outside
 *	`ip netns exec`, which hides the switch's pins).
 *   fw-ctl -b BLOB -k up|down [-E EPOCH]
 *	print the hop key of a control circuit (the blob's epoch by default)
 *	in hex, for the switch (tests only: pipe it to --hop-key-file).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "osm_hex.h"
#include "osm_keys.h"
#include "osm_packet.h"
#include "fw_ctl.h"

#define WAIT_MS		3000

struct fw_ctl fc;

void fwc_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++fc.n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		fc.failed++;
}

long fwc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- UART ------------------------------------------------------------- */

/* Pull UART output for up to ms; echo complete lines as TAP comments. */
void fwc_uart_pump(int ms)
{
	struct pollfd p = { .fd = fc.uout, .events = POLLIN };
	ssize_t n;
	char *nl;

	if (poll(&p, 1, ms) <= 0)
		return;
	if (fc.ulen > sizeof(fc.ubuf) / 2 && fc.umark <= fc.uecho) {
		/* drop consumed lines */
		memmove(fc.ubuf, fc.ubuf + fc.umark, fc.ulen - fc.umark);
		fc.ulen -= fc.umark;
		fc.uecho -= fc.umark;
		fc.umark = 0;
	}
	n = read(fc.uout, fc.ubuf + fc.ulen, sizeof(fc.ubuf) - 1 - fc.ulen);
	if (n <= 0)
		return;
	fc.ulen += (size_t)n;
	fc.ubuf[fc.ulen] = 0;
	while ((nl = strchr(fc.ubuf + fc.uecho, '\n'))) {
		printf("# uart: %.*s\n", (int)(nl - fc.ubuf - fc.uecho),
		       fc.ubuf + fc.uecho);
		fc.uecho = (size_t)(nl + 1 - fc.ubuf);
	}
}

/* Wait for a UART line starting with want, after the last one consumed.
 * Copies the line into out (if given) and consumes up to it. */
int fwc_uart_wait(const char *want, char *out, size_t cap)
{
	long end = fwc_now_ms() + WAIT_MS;

	do {
		char *s = fc.ubuf + fc.umark, *nl;

		while ((nl = memchr(s, '\n', fc.ubuf + fc.ulen - s))) {
			if (strncmp(s, want, strlen(want)) == 0) {
				if (out)
					snprintf(out, cap, "%.*s",
						 (int)(nl - s), s);
				fc.umark = (size_t)(nl + 1 - fc.ubuf);
				return 1;
			}
			s = nl + 1;
		}
		fwc_uart_pump(50);
	} while (fwc_now_ms() < end);
	return 0;
}

void fwc_uart_send(const char *line)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "%s\n", line);

	if (write(fc.uin, buf, (size_t)n) != n)
		fwc_ok(0, "write to UART");
}

/* ---- frames ----------------------------------------------------------- */

void fwc_send_raw(int fd, const uint8_t *f, size_t len)
{
	if (osm_pkt_send(fd, f, len) != 0)
		fwc_ok(0, "send a frame");
}

uint64_t fwc_send_msg(const struct osm_msg *m)
{
	uint8_t pt[128], f[256];
	uint64_t seq = fc.down.next_seq;
	int n = osm_msg_encode(m, pt, sizeof(pt));

	n = osm_seal(&fc.down, pt, (size_t)n, f, sizeof(f));
	fwc_send_raw(fc.pkt, f, (size_t)n);
	return seq;
}

/* Receive the next control message of type want from the device (other
 * frames skipped: the device repeats HELLO until it hears from us). */
static int recv_msg(struct osm_msg *m, struct osm_frame *f, int want)
{
	uint8_t buf[2048], pt[256];
	long end = fwc_now_ms() + WAIT_MS;
	size_t len;
	int n;

	while (fwc_now_ms() < end) {
		fwc_uart_pump(0);
		n = osm_pkt_recv(fc.pkt, buf, sizeof(buf), 50);
		if (n <= 0)
			continue;
		if (osm_open(&fc.up, buf, (size_t)n, f, pt, sizeof(pt), &len))
			continue;
		if (osm_msg_decode(m, pt, len) == 0 && m->type == want)
			return 1;
	}
	return 0;
}

/* Send a KEY_UPDATE and wait for its ACK; returns the ACK status or -1. */
int fwc_key_update(uint32_t circuit, uint32_t epoch, int op,
		      const struct osm_keys *k)
{
	struct osm_msg m = { .type = OSM_MSG_KEY_UPDATE }, a;
	struct osm_frame f;
	uint64_t seq;

	m.u.key.circuit = circuit;
	m.u.key.epoch = epoch;
	m.u.key.op = (uint8_t)op;
	if (k) {
		memcpy(m.u.key.hop, k->hop, 16);
		memcpy(m.u.key.e2e, k->e2e, 32);
	}
	seq = fwc_send_msg(&m);
	sodium_memzero(&m, sizeof(m));
	while (recv_msg(&a, &f, OSM_MSG_ACK))
		if (a.u.ack.seq == seq)
			return a.u.ack.status;
	return -1;
}

/* Seal a DATA frame for the lamp's circuit under keys k. */
int fwc_seal_data(const struct osm_keys *k, const char *text, uint8_t *f,
		  size_t cap)
{
	fc.data.keys = *k;
	return osm_seal(&fc.data, text, strlen(text), f, cap);
}

int fwc_send_data(const struct osm_keys *k, const char *text)
{
	uint8_t f[256];
	int n = fwc_seal_data(k, text, f, sizeof(f));

	fwc_send_raw(fc.ep, f, (size_t)n);
	return n;
}

/* Send a frame and expect the UART line "drop NAME". */
void fwc_expect_drop(int fd, const uint8_t *f, size_t len, const char *name,
		     const char *what)
{
	char want[64];

	fwc_send_raw(fd, f, len);
	fc.drops++;
	snprintf(want, sizeof(want), "drop %s ", name);
	fwc_ok(fwc_uart_wait(want, NULL, 0), "%s: dropped as %s, logged", what,
	       name);
}

/* ---- scenarios -------------------------------------------------------- */

void fwc_join(int role)
{
	struct osm_msg m, a = { .type = OSM_MSG_ACK };
	struct osm_frame f;
	int got = recv_msg(&m, &f, OSM_MSG_HELLO);
	char want[32];

	fwc_ok(got && m.type == OSM_MSG_HELLO && m.u.hello.device_id == fc.id &&
	       m.u.hello.role == role && m.u.hello.fw_version == 1,
	       "HELLO from device %u on control circuit %#x", fc.id,
	       fc.up.circuit);
	if (!got)
		return;
	a.u.ack.seq = f.seq;
	fwc_send_msg(&a);
	snprintf(want, sizeof(want), "ack seq=%u", (unsigned)f.seq);
	fwc_ok(fwc_uart_wait(want, NULL, 0),
	       "device takes the controller's ACK");
}

/* Rotate the control circuit to the next epoch, both directions, under
 * the current keys, on the switch (if any) one step ahead of the device;
 * then frames under the old epoch are refused. */
void fwc_rotate_ctrl(void)
{
	struct osm_keys up, down, old = fc.down.keys;
	uint32_t e = fc.epoch + 1;
	uint8_t f[256], pt[64];
	struct osm_msg m = { .type = OSM_MSG_ACK };
	int n, len;

	osm_kdf_ctrl(&up, fc.blob.device_key, OSM_CTRL_UP, e);
	osm_kdf_ctrl(&down, fc.blob.device_key, OSM_CTRL_DOWN, e);
	fwc_sw_key(fc.up.circuit, e, up.hop);
	osm_rx_set_keys(&fc.up, &up);
	fwc_ok(fwc_key_update(fc.up.circuit, e, OSM_KEY_TX, &up) == 0,
	       "control up rotated to epoch %u, ACK under the new key", e);
	fwc_sw_key(fc.up.circuit, e - 1, NULL);
	fwc_sw_key(fc.down.circuit, e, down.hop);
	fwc_ok(fwc_key_update(fc.down.circuit, e, OSM_KEY_RX, &down) == 0,
	       "control down epoch %u installed", e);
	fc.down.keys = down;
	osm_kdf_ctrl(&down, fc.blob.device_key, OSM_CTRL_DOWN, e + 1);
	fwc_ok(fwc_key_update(fc.down.circuit, e + 1, OSM_KEY_RX, &down) == 0,
	       "control down epoch %u installed under epoch %u", e + 1, e);
	fc.down.keys = down;
	/* Epoch e - 1 sat in the slot e + 1 took in the device; a switch
	 * still holds it, so the frame reaches the device. */
	m.u.ack.seq = 1;
	len = osm_msg_encode(&m, pt, sizeof(pt));
	fc.down.keys = old;
	n = osm_seal(&fc.down, pt, (size_t)len, f, sizeof(f));
	fwc_expect_drop(fc.pkt, f, (size_t)n, "stale_epoch",
			"control frame under the rotated-away epoch");
	if (fc.sw.name) {
		fwc_sw_key(fc.down.circuit, e + 1, down.hop);
		n = osm_seal(&fc.down, pt, (size_t)len, f, sizeof(f));
		fwc_sw_expect_drop(fc.pkt, f, (size_t)n, OSM_DROP_STALE_EPOCH,
				   "control frame under the rotated-away "
				   "epoch, once the switch rotated too");
	}
	fc.down.keys = down;
	fc.epoch = e + 1;
	sodium_memzero(&up, sizeof(up));
	sodium_memzero(&down, sizeof(down));
	sodium_memzero(&old, sizeof(old));
}

void fwc_presence(const char *ev, const char *badge, uint32_t epoch)
{
	struct osm_msg m, a = { .type = OSM_MSG_ACK };
	char cmd[64];
	struct osm_frame f;
	int got;

	snprintf(cmd, sizeof(cmd), "badge %s %s", ev, badge);
	fwc_uart_send(cmd);
	got = recv_msg(&m, &f, OSM_MSG_PRESENCE);
	fwc_ok(got && m.type == OSM_MSG_PRESENCE &&
	       m.u.presence.event == (ev[0] == 'e' ? OSM_PRESENCE_ENTER :
	       OSM_PRESENCE_LEAVE) &&
	       m.u.presence.badge_len == strlen(badge) &&
	       memcmp(m.u.presence.badge, badge, strlen(badge)) == 0 &&
	       f.epoch == epoch,
	       "PRESENCE %s %s reaches the controller, epoch %u", ev, badge,
	       epoch);
	if (!got)
		return;
	/* ACKed, the door stops sending it and takes the next badge */
	a.u.ack.seq = f.seq;
	fwc_send_msg(&a);
	snprintf(cmd, sizeof(cmd), "ack seq=%u status=0", (unsigned)f.seq);
	fwc_ok(fwc_uart_wait(cmd, NULL, 0), "the door takes the ACK of it");
}

void fwc_stats(void)
{
	char line[256];
	unsigned used = 0, size = 0;
	unsigned total = 0, v;
	char *p;

	fwc_uart_send("stats");
	fwc_ok(fwc_uart_wait("stats", line, sizeof(line)), "stats: %s", line);
	for (p = line; (p = strchr(p, '=')); p++)
		if (sscanf(p, "=%u", &v) == 1)
			total += v;
	fwc_ok(total == fc.drops, "the device counted %u drops, %u were sent",
	       total, fc.drops);
	fwc_ok(fwc_uart_wait("stack used=", line, sizeof(line)) &&
	       sscanf(line, "stack used=%u size=%u", &used, &size) == 2 &&
	       used > 0 && used < size,
	       "stack high-water %u of %u bytes left for the stack", used,
	       size);
	printf("# FW_STACK_USED %u\n", used);
}

static void door(void)
{
	uint8_t f[128];
	int n;

	fwc_join(OSM_ROLE_DOOR);
	fwc_presence("enter", "alice", fc.epoch);
	fwc_presence("leave", "alice", fc.epoch);
	fwc_rotate_ctrl();
	fwc_presence("enter", "bob", fc.epoch - 1);
	/* hostile: not to us, not a circuit frame */
	memset(f, 0, 64);
	memcpy(f, "\x02\x99\x99\x99\x99\x99", 6);
	fwc_expect_drop(fc.pkt, f, 64, "not_mine", "frame for another MAC");
	memcpy(f, fc.blob.mac, 6);
	f[12] = 0x08;
	fwc_expect_drop(fc.pkt, f, 64, "not_circuit", "IPv4 frame");
	/* a DATA frame on the control circuit opens, but carries no
	 * control message: version (docs/protocol.md 8) */
	fc.down.type = OSM_T_DATA;
	n = osm_seal(&fc.down, "on", 2, f, sizeof(f));
	fc.down.type = OSM_T_CTRL;
	fwc_expect_drop(fc.pkt, f, (size_t)n, "version",
			"a DATA frame on the control circuit");
	fwc_uart_send("badge fly alice");
	fwc_ok(fwc_uart_wait("? badge", NULL, 0), "bad UART command refused");
	fwc_uart_send("badge enter "
		      "a-name-that-makes-the-line-longer-than-47-bytes");
	fwc_ok(fwc_uart_wait("? line too long", NULL, 0),
	       "overlong UART line refused");
	fwc_uart_send("badge enter abcdefghijklmnopqrstuvwxyz0123456");
	fwc_ok(fwc_uart_wait("? badge", NULL, 0), "badge of 33 bytes refused");
	fwc_stats();
}
/* A burst of random frames to the device's MAC, every other one of
 * EtherType 0x88B5. */
void fwc_random_burst(int fd, int count)
{
	uint8_t f[256];
	int i;

	for (i = 0; i < count; i++) {
		size_t len = 14 + randombytes_uniform(200);

		randombytes_buf(f, len);
		memcpy(f, fc.blob.mac, 6);
		if (i & 1)
			osm_put_be16(f + 12, OSM_ETH_P_CIRCUIT);
		fwc_send_raw(fd, f, len);
		if (i % 20 == 19)
			usleep(2000);
	}
}

/*
 * The lamp's data circuit through epochs 1, 2 and 3 (keys into k): a switch,
 * if any, gets each epoch before the lamp but the last, which the lamp
 * takes first, so a frame under epoch 1 still crosses the switch and the
 * lamp refuses it. The epoch-2 "off" frame goes into keep; its length.
 */
int fwc_lamp_epochs(struct osm_keys k[3], uint8_t *keep, size_t cap)
{
	uint8_t f[256];
	int n, keep_len;

	randombytes_buf(fc.parent, sizeof(fc.parent));
	for (n = 0; n < 3; n++)
		osm_kdf_circuit(&k[n], fc.parent, FWC_DATA_CIRCUIT,
				(uint32_t)n + 1);
	fwc_sw_data_circuit(&k[0]);
	fwc_ok(fwc_key_update(FWC_DATA_CIRCUIT, 1, OSM_KEY_RX, &k[0]) == 0,
	       "KEY_UPDATE rx circuit %u epoch 1 ACKed", FWC_DATA_CIRCUIT);
	fwc_send_data(&k[0], "on");
	fwc_ok(fwc_uart_wait("lamp on", NULL, 0), "lamp obeys sealed \"on\"");
	fwc_send_data(&k[0], "level 42");
	fwc_ok(fwc_uart_wait("lamp level 42", NULL, 0),
	       "lamp obeys \"level 42\"");
	fwc_sw_key(FWC_DATA_CIRCUIT, 2, k[1].hop);
	fwc_ok(fwc_key_update(FWC_DATA_CIRCUIT, 2, OSM_KEY_RX, &k[1]) == 0,
	       "new epoch 2 installed next to epoch 1");
	keep_len = fwc_seal_data(&k[1], "off", keep, cap);
	fwc_send_raw(fc.ep, keep, (size_t)keep_len);
	fwc_ok(fwc_uart_wait("lamp off", NULL, 0),
	       "lamp obeys \"off\" under epoch 2");
	fwc_ok(fwc_key_update(FWC_DATA_CIRCUIT, 3, OSM_KEY_RX, &k[2]) == 0,
	       "epoch 3 installed, epoch 1 rotated away");
	n = fwc_seal_data(&k[0], "on", f, sizeof(f));
	fwc_expect_drop(fc.ep, f, (size_t)n, "stale_epoch",
			"frame under old epoch 1");
	return keep_len;
}

/* Frames only an endpoint can judge, under the current key k: a switch
 * forwards them, the lamp refuses them. */
void fwc_endpoint_drops(const struct osm_keys *k)
{
	uint8_t f[1100];
	int n;

	n = fwc_seal_data(k, "level 9", f, sizeof(f));
	f[OSM_ETH_HLEN + OSM_OFF_AEAD_TAG] ^= 1;
	osm_put_le64(f + OSM_ETH_HLEN + OSM_OFF_HOP_TAG,
		     osm_hop_tag(f + OSM_ETH_HLEN, k->hop));
	fwc_expect_drop(fc.ep, f, (size_t)n, "bad_aead",
			"wrong AEAD tag, valid hop tag");
	memset(f + OSM_FRAME_HDR_LEN, 'x', 1000);
	f[OSM_FRAME_HDR_LEN + 1000] = 0;
	n = fwc_seal_data(k, (char *)f + OSM_FRAME_HDR_LEN, f, sizeof(f));
	fwc_expect_drop(fc.ep, f, (size_t)n, "oversize", "1058-byte frame");
	n = fwc_seal_data(k, "dim", f, sizeof(f));
	fwc_expect_drop(fc.ep, f, (size_t)n, "bad_msg",
			"sealed unknown command");
}

static void lamp(void)
{
	struct osm_keys k[3];
	uint8_t f[256], keep[256];
	int n, sent, drops, keep_len;

	fwc_join(OSM_ROLE_LAMP);
	keep_len = fwc_lamp_epochs(k, keep, sizeof(keep));

	/* hostile frames, one class each */
	fwc_expect_drop(fc.ep, keep, (size_t)keep_len, "replay",
			"replayed frame (epoch 2, still valid)");
	memcpy(f, keep, 64);
	fwc_expect_drop(fc.ep, f, 40, "malformed",
			"frame truncated in its header");
	n = fwc_seal_data(&k[2], "level 9", f, sizeof(f));
	fwc_expect_drop(fc.ep, f, (size_t)n - 1, "malformed",
			"frame missing a byte");
	f[OSM_FRAME_HDR_LEN - 1] ^= 0x80;
	fwc_expect_drop(fc.ep, f, (size_t)n, "bad_tag", "wrong hop tag");
	n = fwc_seal_data(&k[2], "level 9", f, sizeof(f));
	f[OSM_ETH_HLEN] = 0x21;
	fwc_expect_drop(fc.ep, f, (size_t)n, "version", "version 2");
	fc.data.circuit = FWC_DATA_CIRCUIT + 1;
	n = fwc_seal_data(&k[2], "on", f, sizeof(f));
	fc.data.circuit = FWC_DATA_CIRCUIT;
	fwc_expect_drop(fc.ep, f, (size_t)n, "unknown_circuit",
			"unknown circuit");
	fwc_endpoint_drops(&k[2]);

	sent = 200;
	fwc_random_burst(fc.ep, sent);
	drops = 0;
	while (drops < sent && fwc_uart_wait("drop ", NULL, 0))
		drops++;
	fwc_ok(drops == sent, "%d of %d random frames dropped and logged",
	       drops, sent);
	fc.drops += (unsigned)sent;
	fwc_send_data(&k[2], "level 7");
	fwc_ok(fwc_uart_wait("lamp level 7", NULL, 0),
	       "still obeys after the abuse");

	fwc_ok(fwc_key_update(FWC_DATA_CIRCUIT, 0, OSM_KEY_REMOVE, NULL) == 0,
	       "KEY_UPDATE remove circuit %u ACKed", FWC_DATA_CIRCUIT);
	n = fwc_seal_data(&k[2], "on", f, sizeof(f));
	fwc_expect_drop(fc.ep, f, (size_t)n, "unknown_circuit",
			"frame after remove");
	fwc_ok(fwc_key_update(fc.down.circuit, 0, OSM_KEY_REMOVE, NULL) ==
	       OSM_DROP_MALFORMED,
	       "removing its own control circuit is refused");
	fwc_stats();
	sodium_memzero(k, sizeof(k));
}

/* Open an AF_PACKET socket on [NETNS:]IF: in NETNS (as ip netns names
 * it) if given, the socket staying bound to that namespace's interface. */
static int pkt_open(const char *spec)
{
	const char *colon = strchr(spec, ':');
	char path[128];
	int self, ns, fd;

	if (!colon)
		return osm_pkt_open(spec, 1, NULL);
	snprintf(path, sizeof(path), "/run/netns/%.*s", (int)(colon - spec),
		 spec);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	fd = -ENOENT;
	if (self >= 0 && ns >= 0 && setns(ns, CLONE_NEWNET) == 0) {
		fd = osm_pkt_open(colon + 1, 1, NULL);
		if (setns(self, CLONE_NEWNET) != 0) {
			perror("fw-ctl: setns back");
			exit(1);
		}
	}
	if (self >= 0)
		close(self);
	if (ns >= 0)
		close(ns);
	return fd;
}

/* -k: print the hop key of control circuit dir at epoch. */
static int print_hop_key(const char *dir, uint32_t epoch)
{
	char hex[2 * OSM_HOP_KEY_LEN + 1];
	struct osm_keys k;

	if (strcmp(dir, "up") && strcmp(dir, "down")) {
		fprintf(stderr, "fw-ctl: -k up or -k down\n");
		return 2;
	}
	osm_kdf_ctrl(&k, fc.blob.device_key,
		     dir[0] == 'u' ? OSM_CTRL_UP : OSM_CTRL_DOWN, epoch);
	osm_hex_format(hex, k.hop, sizeof(k.hop));
	puts(hex);
	sodium_memzero(hex, sizeof(hex));
	osm_wipe(&k, sizeof(k));
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: fw-ctl -i [NETNS:]IF -u UART_PIPE -b BLOB [-n N]\n"
		"              [-e NETNS:IF -s NETNS:SWITCH -t DEV_PORT "
		"-c CTRL_PORT -p EP_PORT [-F OSM_FABRIC]]\n"
		"       fw-ctl -b BLOB -k up|down [-E EPOCH]\n");
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *ep = NULL, *uart = NULL, *blob = NULL;
	const char *keydir = NULL, *sw = NULL;
	char path[512], *colon;
	struct osm_keys k;
	int fd, opt, key_epoch = -1;

	fc.sw.fabric = "build/osm-fabric";
	while ((opt = getopt(argc, argv, "i:u:b:n:e:s:t:c:p:F:k:E:")) != -1) {
		switch (opt) {
		case 'n': fc.n = atoi(optarg); break;
		case 'i': ifname = optarg; break;
		case 'u': uart = optarg; break;
		case 'b': blob = optarg; break;
		case 'e': ep = optarg; break;
		case 's': sw = optarg; break;
		case 't': fc.sw.dev_port = optarg; break;
		case 'c': fc.sw.ctrl_port = optarg; break;
		case 'p': fc.sw.ep_port = optarg; break;
		case 'F': fc.sw.fabric = optarg; break;
		case 'k': keydir = optarg; break;
		case 'E': key_epoch = atoi(optarg); break;
		default: usage(); return 2;
		}
	}
	if (!blob || sodium_init() < 0 || (!keydir && (!ifname || !uart)) ||
	    (sw && (!ep || !strchr(sw, ':') || !fc.sw.dev_port ||
		    !fc.sw.ctrl_port || !fc.sw.ep_port))) {
		usage();
		return 2;
	}
	fd = open(blob, O_RDONLY);
	if (fd < 0 || read(fd, &fc.blob, sizeof(fc.blob)) != sizeof(fc.blob)) {
		fprintf(stderr, "fw-ctl: cannot read %s\n", blob);
		return 1;
	}
	close(fd);
	fc.id = osm_get_be32(fc.blob.device_id);
	fc.epoch = osm_get_be32(fc.blob.ctrl_epoch);
	if (keydir) {
		opt = print_hop_key(keydir, key_epoch < 0 ? fc.epoch :
					    (uint32_t)key_epoch);
		osm_wipe(&fc, sizeof(fc));
		return opt;
	}
	if (sw) {
		/* osm-fabric reads hop keys from a pipe; never die of it */
		signal(SIGPIPE, SIG_IGN);
		fc.sw.netns = strndup(sw, (size_t)(strchr(sw, ':') - sw));
		colon = strchr(sw, ':');
		fc.sw.name = colon + 1;
	}
	fc.pkt = pkt_open(ifname);
	fc.ep = ep ? pkt_open(ep) : fc.pkt;
	snprintf(path, sizeof(path), "%s.in", uart);
	fc.uin = open(path, O_WRONLY);
	snprintf(path, sizeof(path), "%s.out", uart);
	fc.uout = open(path, O_RDONLY | O_NONBLOCK);
	if (fc.pkt < 0 || fc.ep < 0 || fc.uin < 0 || fc.uout < 0) {
		fprintf(stderr,
			"fw-ctl: cannot open %s%s%s or the UART pipes\n",
			ifname, ep ? " or " : "", ep ? ep : "");
		return 1;
	}
	fc.down.circuit = osm_ctrl_circuit(fc.id, OSM_CTRL_DOWN);
	fc.down.type = OSM_T_CTRL;
	fc.down.next_seq = osm_session_seq(1);	/* the controller's run 1 */
	memcpy(fc.down.src, fc.blob.ctrl_mac, 6);
	memcpy(fc.down.dst, fc.blob.mac, 6);
	osm_kdf_ctrl(&fc.down.keys, fc.blob.device_key, OSM_CTRL_DOWN,
		     fc.epoch);
	fc.up.circuit = osm_ctrl_circuit(fc.id, OSM_CTRL_UP);
	osm_kdf_ctrl(&k, fc.blob.device_key, OSM_CTRL_UP, fc.epoch);
	osm_rx_set_keys(&fc.up, &k);
	fc.data.circuit = FWC_DATA_CIRCUIT;
	fc.data.type = OSM_T_DATA;
	memcpy(fc.data.src, fc.blob.peer_mac, 6);
	memcpy(fc.data.dst, fc.blob.mac, 6);

	fwc_ok(fwc_uart_wait("osm-fw ", NULL, 0),
	       "firmware boots and logs on UART0");
	if (fc.blob.role == OSM_ROLE_DOOR)
		fc.sw.name ? fwc_door_switch() : door();
	else
		fc.sw.name ? fwc_lamp_switch() : lamp();
	fwc_uart_pump(100);
	opt = fc.failed;
	free((char *)fc.sw.netns);
	osm_wipe(&fc, sizeof(fc));
	osm_wipe(&k, sizeof(k));
	return opt ? 1 : 0;
}
