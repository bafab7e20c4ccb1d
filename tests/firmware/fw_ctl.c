// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fw-ctl: plays the building controller (and a host endpoint) for one
 * firmware endpoint running in QEMU, over the endpoint's tap port and its
 * UART, with libosm. Reads the device's identity from its provisioning
 * blob. Runs the role's scenario and prints TAP lines numbered from N + 1
 * (no plan: the calling script prints it):
 *   fw-ctl -i TAP -u UART_PIPE_PREFIX -b BLOB [-n N]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "osm_endpoint.h"
#include "osm_keys.h"
#include "osm_msg.h"
#include "osm_packet.h"
#include "provision.h"

#define DATA_CIRCUIT	100
#define WAIT_MS		3000

static struct {
	int pkt, uin, uout, n, failed;
	unsigned drops;			/* frames sent that must be dropped */
	struct osm_fw_blob blob;
	uint32_t id, epoch;
	struct osm_tx down;		/* controller -> device control */
	struct osm_rx up;		/* device -> controller control */
	struct osm_tx data;		/* host endpoint -> lamp */
	uint8_t parent[32];		/* data circuit key parent */
	char ubuf[8192];
	size_t ulen;			/* bytes of ubuf */
	size_t umark;			/* lines before this are consumed */
	size_t uecho;			/* lines before this were echoed */
} c;

static void ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++c.n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		c.failed++;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- UART ------------------------------------------------------------- */

/* Pull UART output for up to ms; echo complete lines as TAP comments. */
static void uart_pump(int ms)
{
	struct pollfd p = { .fd = c.uout, .events = POLLIN };
	ssize_t n;
	char *nl;

	if (poll(&p, 1, ms) <= 0)
		return;
	if (c.ulen > sizeof(c.ubuf) / 2 && c.umark <= c.uecho) {
		/* drop consumed lines */
		memmove(c.ubuf, c.ubuf + c.umark, c.ulen - c.umark);
		c.ulen -= c.umark;
		c.uecho -= c.umark;
		c.umark = 0;
	}
	n = read(c.uout, c.ubuf + c.ulen, sizeof(c.ubuf) - 1 - c.ulen);
	if (n <= 0)
		return;
	c.ulen += (size_t)n;
	c.ubuf[c.ulen] = 0;
	while ((nl = strchr(c.ubuf + c.uecho, '\n'))) {
		printf("# uart: %.*s\n", (int)(nl - c.ubuf - c.uecho),
		       c.ubuf + c.uecho);
		c.uecho = (size_t)(nl + 1 - c.ubuf);
	}
}

/* Wait for a UART line starting with want, after the last one consumed.
 * Copies the line into out (if given) and consumes up to it. */
static int uart_wait(const char *want, char *out, size_t cap)
{
	long end = now_ms() + WAIT_MS;

	do {
		char *s = c.ubuf + c.umark, *nl;

		while ((nl = memchr(s, '\n', c.ubuf + c.ulen - s))) {
			if (strncmp(s, want, strlen(want)) == 0) {
				if (out)
					snprintf(out, cap, "%.*s",
						 (int)(nl - s), s);
				c.umark = (size_t)(nl + 1 - c.ubuf);
				return 1;
			}
			s = nl + 1;
		}
		uart_pump(50);
	} while (now_ms() < end);
	return 0;
}

static void uart_send(const char *line)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "%s\n", line);

	if (write(c.uin, buf, (size_t)n) != n)
		ok(0, "write to UART");
}

/* ---- frames ----------------------------------------------------------- */

static void send_raw(const uint8_t *f, size_t len)
{
	if (osm_pkt_send(c.pkt, f, len) != 0)
		ok(0, "send on tap");
}

static uint64_t send_msg(const struct osm_msg *m)
{
	uint8_t pt[128], f[256];
	uint64_t seq = c.down.next_seq;
	int n = osm_msg_encode(m, pt, sizeof(pt));

	n = osm_seal(&c.down, pt, (size_t)n, f, sizeof(f));
	send_raw(f, (size_t)n);
	return seq;
}

/* Receive the next control message of type want from the device (other
 * frames skipped: the device repeats HELLO until it hears from us). */
static int recv_msg(struct osm_msg *m, struct osm_frame *f, int want)
{
	uint8_t buf[2048], pt[256];
	long end = now_ms() + WAIT_MS;
	size_t len;
	int n;

	while (now_ms() < end) {
		uart_pump(0);
		n = osm_pkt_recv(c.pkt, buf, sizeof(buf), 50);
		if (n <= 0)
			continue;
		if (osm_open(&c.up, buf, (size_t)n, f, pt, sizeof(pt), &len))
			continue;
		if (osm_msg_decode(m, pt, len) == 0 && m->type == want)
			return 1;
	}
	return 0;
}

/* Send a KEY_UPDATE and wait for its ACK; returns the ACK status or -1. */
static int key_update(uint32_t circuit, uint32_t epoch, int op,
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
	seq = send_msg(&m);
	sodium_memzero(&m, sizeof(m));
	while (recv_msg(&a, &f, OSM_MSG_ACK))
		if (a.u.ack.seq == seq)
			return a.u.ack.status;
	return -1;
}

/* Seal a DATA frame for the lamp's circuit under keys k. */
static int seal_data(const struct osm_keys *k, const char *text, uint8_t *f,
		     size_t cap)
{
	c.data.keys = *k;
	return osm_seal(&c.data, text, strlen(text), f, cap);
}

static int send_data(const struct osm_keys *k, const char *text)
{
	uint8_t f[256];
	int n = seal_data(k, text, f, sizeof(f));

	send_raw(f, (size_t)n);
	return n;
}

/* Send a frame and expect the UART line "drop NAME". */
static void expect_drop(const uint8_t *f, size_t len, const char *name,
			const char *what)
{
	char want[64];

	send_raw(f, len);
	c.drops++;
	snprintf(want, sizeof(want), "drop %s ", name);
	ok(uart_wait(want, NULL, 0), "%s: dropped as %s, logged", what, name);
}

/* ---- scenarios -------------------------------------------------------- */

static void join(int role)
{
	struct osm_msg m, a = { .type = OSM_MSG_ACK };
	struct osm_frame f;
	int got = recv_msg(&m, &f, OSM_MSG_HELLO);
	char want[32];

	ok(got && m.type == OSM_MSG_HELLO && m.u.hello.device_id == c.id &&
	   m.u.hello.role == role && m.u.hello.fw_version == 1,
	   "HELLO from device %u on control circuit %#x", c.id, c.up.circuit);
	if (!got)
		return;
	a.u.ack.seq = f.seq;
	send_msg(&a);
	snprintf(want, sizeof(want), "ack seq=%u", (unsigned)f.seq);
	ok(uart_wait(want, NULL, 0), "device takes the controller's ACK");
}

/* Rotate the control circuit to the next epoch, both directions, under
 * the current keys; then frames under the old epoch are refused. */
static void rotate_ctrl(void)
{
	struct osm_keys up, down, old = c.down.keys;
	uint32_t e = c.epoch + 1;
	uint8_t f[256], pt[64];
	struct osm_msg m = { .type = OSM_MSG_ACK };
	int n;

	osm_kdf_ctrl(&up, c.blob.device_key, OSM_CTRL_UP, e);
	osm_kdf_ctrl(&down, c.blob.device_key, OSM_CTRL_DOWN, e);
	osm_rx_set_keys(&c.up, &up);
	ok(key_update(c.up.circuit, e, OSM_KEY_TX, &up) == 0,
	   "control up rotated to epoch %u, ACK under the new key", e);
	ok(key_update(c.down.circuit, e, OSM_KEY_RX, &down) == 0,
	   "control down epoch %u installed", e);
	c.down.keys = down;
	osm_kdf_ctrl(&down, c.blob.device_key, OSM_CTRL_DOWN, e + 1);
	ok(key_update(c.down.circuit, e + 1, OSM_KEY_RX, &down) == 0,
	   "control down epoch %u installed under epoch %u", e + 1, e);
	c.down.keys = down;
	/* epoch e - 1 sat in the slot e + 1 took */
	m.u.ack.seq = 1;
	n = osm_msg_encode(&m, pt, sizeof(pt));
	c.down.keys = old;
	n = osm_seal(&c.down, pt, (size_t)n, f, sizeof(f));
	c.down.keys = down;
	expect_drop(f, (size_t)n, "stale_epoch",
		    "control frame under the rotated-away epoch");
	c.epoch = e + 1;
	sodium_memzero(&up, sizeof(up));
	sodium_memzero(&old, sizeof(old));
}

static void presence(const char *ev, const char *badge, uint32_t epoch)
{
	char cmd[64];
	struct osm_msg m;
	struct osm_frame f;
	int got;

	snprintf(cmd, sizeof(cmd), "badge %s %s", ev, badge);
	uart_send(cmd);
	got = recv_msg(&m, &f, OSM_MSG_PRESENCE);
	ok(got && m.type == OSM_MSG_PRESENCE &&
	   m.u.presence.event == (ev[0] == 'e' ? OSM_PRESENCE_ENTER :
						 OSM_PRESENCE_LEAVE) &&
	   m.u.presence.badge_len == strlen(badge) &&
	   memcmp(m.u.presence.badge, badge, strlen(badge)) == 0 &&
	   f.epoch == epoch,
	   "PRESENCE %s %s reaches the controller, epoch %u", ev, badge, epoch);
}

static void stats(void)
{
	char line[256];
	unsigned used = 0, size = 0;

	unsigned total = 0, v;
	char *p;

	uart_send("stats");
	ok(uart_wait("stats", line, sizeof(line)), "stats: %s", line);
	for (p = line; (p = strchr(p, '=')); p++)
		if (sscanf(p, "=%u", &v) == 1)
			total += v;
	ok(total == c.drops, "the device counted %u drops, %u were sent",
	   total, c.drops);
	ok(uart_wait("stack used=", line, sizeof(line)) &&
	   sscanf(line, "stack used=%u size=%u", &used, &size) == 2 &&
	   used > 0 && used < size,
	   "stack high-water %u of %u bytes left for the stack", used, size);
	printf("# FW_STACK_USED %u\n", used);
}

static void door(void)
{
	uint8_t f[128];

	join(OSM_ROLE_DOOR);
	presence("enter", "alice", c.epoch);
	presence("leave", "alice", c.epoch);
	rotate_ctrl();
	presence("enter", "bob", c.epoch - 1);
	/* hostile: not to us, not a circuit frame */
	memset(f, 0, 64);
	memcpy(f, "\x02\x99\x99\x99\x99\x99", 6);
	expect_drop(f, 64, "not_mine", "frame for another MAC");
	memcpy(f, c.blob.mac, 6);
	f[12] = 0x08;
	expect_drop(f, 64, "not_circuit", "IPv4 frame");
	uart_send("badge fly alice");
	ok(uart_wait("? badge", NULL, 0), "bad UART command refused");
	uart_send("badge enter a-name-that-makes-the-line-longer-than-47-bytes");
	ok(uart_wait("? line too long", NULL, 0), "overlong UART line refused");
	uart_send("badge enter abcdefghijklmnopqrstuvwxyz0123456");
	ok(uart_wait("? badge", NULL, 0), "badge of 33 bytes refused");
	stats();
}

static void lamp(void)
{
	struct osm_keys k1, k2, k3;
	uint8_t f[1100], keep[256];
	int n, i, sent, drops, keep_len;

	join(OSM_ROLE_LAMP);
	randombytes_buf(c.parent, sizeof(c.parent));
	osm_kdf_circuit(&k1, c.parent, DATA_CIRCUIT, 1);
	osm_kdf_circuit(&k2, c.parent, DATA_CIRCUIT, 2);
	osm_kdf_circuit(&k3, c.parent, DATA_CIRCUIT, 3);
	ok(key_update(DATA_CIRCUIT, 1, OSM_KEY_RX, &k1) == 0,
	   "KEY_UPDATE rx circuit %u epoch 1 ACKed", DATA_CIRCUIT);
	send_data(&k1, "on");
	ok(uart_wait("lamp on", NULL, 0), "lamp obeys sealed \"on\"");
	send_data(&k1, "level 42");
	ok(uart_wait("lamp level 42", NULL, 0), "lamp obeys \"level 42\"");
	ok(key_update(DATA_CIRCUIT, 2, OSM_KEY_RX, &k2) == 0,
	   "new epoch 2 installed next to epoch 1");
	keep_len = seal_data(&k2, "off", keep, sizeof(keep));
	send_raw(keep, (size_t)keep_len);
	ok(uart_wait("lamp off", NULL, 0), "lamp obeys \"off\" under epoch 2");
	ok(key_update(DATA_CIRCUIT, 3, OSM_KEY_RX, &k3) == 0,
	   "epoch 3 installed, epoch 1 rotated away");
	n = seal_data(&k1, "on", f, sizeof(f));
	expect_drop(f, (size_t)n, "stale_epoch", "frame under old epoch 1");

	/* hostile frames, one class each */
	expect_drop(keep, (size_t)keep_len, "replay",
		    "replayed frame (epoch 2, still valid)");
	memcpy(f, keep, 64);
	expect_drop(f, 40, "malformed", "frame truncated in its header");
	n = seal_data(&k3, "level 9", f, sizeof(f));
	expect_drop(f, (size_t)n - 1, "malformed", "frame missing a byte");
	f[OSM_FRAME_HDR_LEN - 1] ^= 0x80;
	expect_drop(f, (size_t)n, "bad_tag", "wrong hop tag");
	n = seal_data(&k3, "level 9", f, sizeof(f));
	f[OSM_ETH_HLEN + OSM_OFF_AEAD_TAG] ^= 1;
	osm_put_le64(f + OSM_ETH_HLEN + OSM_OFF_HOP_TAG,
		     osm_hop_tag(f + OSM_ETH_HLEN, k3.hop));
	expect_drop(f, (size_t)n, "bad_aead", "wrong AEAD tag, valid hop tag");
	n = seal_data(&k3, "level 9", f, sizeof(f));
	f[OSM_ETH_HLEN] = 0x21;
	expect_drop(f, (size_t)n, "version", "version 2");
	memset(f + OSM_FRAME_HDR_LEN, 'x', 1000);
	f[OSM_FRAME_HDR_LEN + 1000] = 0;
	n = seal_data(&k3, (char *)f + OSM_FRAME_HDR_LEN, f, sizeof(f));
	expect_drop(f, (size_t)n, "oversize", "1058-byte frame");
	n = seal_data(&k3, "dim", f, sizeof(f));
	expect_drop(f, (size_t)n, "bad_msg", "sealed unknown command");
	c.data.circuit = DATA_CIRCUIT + 1;
	n = seal_data(&k3, "on", f, sizeof(f));
	c.data.circuit = DATA_CIRCUIT;
	expect_drop(f, (size_t)n, "unknown_circuit", "unknown circuit");

	/* a burst of random frames to its MAC */
	sent = 200;
	for (i = 0; i < sent; i++) {
		size_t len = 14 + randombytes_uniform(200);

		randombytes_buf(f, len);
		memcpy(f, c.blob.mac, 6);
		if (i & 1)
			osm_put_be16(f + 12, OSM_ETH_P_CIRCUIT);
		send_raw(f, len);
		if (i % 20 == 19)
			usleep(2000);
	}
	for (drops = 0; drops < sent && uart_wait("drop ", NULL, 0); drops++)
		;
	ok(drops == sent, "%d of %d random frames dropped and logged", drops,
	   sent);
	c.drops += (unsigned)sent;
	send_data(&k3, "level 7");
	ok(uart_wait("lamp level 7", NULL, 0), "still obeys after the abuse");

	ok(key_update(DATA_CIRCUIT, 0, OSM_KEY_REMOVE, NULL) == 0,
	   "KEY_UPDATE remove circuit %u ACKed", DATA_CIRCUIT);
	n = seal_data(&k3, "on", f, sizeof(f));
	expect_drop(f, (size_t)n, "unknown_circuit", "frame after remove");
	ok(key_update(c.down.circuit, 0, OSM_KEY_REMOVE, NULL) ==
	   OSM_DROP_MALFORMED, "removing its own control circuit is refused");
	stats();
	sodium_memzero(&k1, sizeof(k1));
	sodium_memzero(&k2, sizeof(k2));
	sodium_memzero(&k3, sizeof(k3));
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *uart = NULL, *blob = NULL;
	uint8_t tapmac[6];
	char path[512];
	struct osm_keys k;
	int fd, opt;

	while ((opt = getopt(argc, argv, "i:u:b:n:")) != -1) {
		switch (opt) {
		case 'n': c.n = atoi(optarg); break;
		case 'i': ifname = optarg; break;
		case 'u': uart = optarg; break;
		case 'b': blob = optarg; break;
		default: return 2;
		}
	}
	if (!ifname || !uart || !blob || sodium_init() < 0) {
		fprintf(stderr, "usage: fw-ctl -i TAP -u UART_PIPE -b BLOB\n");
		return 2;
	}
	fd = open(blob, O_RDONLY);
	if (fd < 0 || read(fd, &c.blob, sizeof(c.blob)) != sizeof(c.blob)) {
		fprintf(stderr, "fw-ctl: cannot read %s\n", blob);
		return 1;
	}
	close(fd);
	c.id = osm_get_be32(c.blob.device_id);
	c.epoch = osm_get_be32(c.blob.ctrl_epoch);
	c.pkt = osm_pkt_open(ifname, 1, tapmac);
	snprintf(path, sizeof(path), "%s.in", uart);
	c.uin = open(path, O_WRONLY);
	snprintf(path, sizeof(path), "%s.out", uart);
	c.uout = open(path, O_RDONLY | O_NONBLOCK);
	if (c.pkt < 0 || c.uin < 0 || c.uout < 0) {
		fprintf(stderr, "fw-ctl: cannot open %s or the UART pipes\n",
			ifname);
		return 1;
	}
	c.down.circuit = osm_ctrl_circuit(c.id, OSM_CTRL_DOWN);
	c.down.type = OSM_T_CTRL;
	memcpy(c.down.src, c.blob.ctrl_mac, 6);
	memcpy(c.down.dst, c.blob.mac, 6);
	osm_kdf_ctrl(&c.down.keys, c.blob.device_key, OSM_CTRL_DOWN, c.epoch);
	c.up.circuit = osm_ctrl_circuit(c.id, OSM_CTRL_UP);
	osm_kdf_ctrl(&k, c.blob.device_key, OSM_CTRL_UP, c.epoch);
	osm_rx_set_keys(&c.up, &k);
	c.data.circuit = DATA_CIRCUIT;
	c.data.type = OSM_T_DATA;
	memcpy(c.data.src, c.blob.peer_mac, 6);
	memcpy(c.data.dst, c.blob.mac, 6);

	ok(uart_wait("osm-fw ", NULL, 0), "firmware boots and logs on UART0");
	if (c.blob.role == OSM_ROLE_DOOR)
		door();
	else
		lamp();
	uart_pump(100);
	opt = c.failed;
	osm_wipe(&c, sizeof(c));
	osm_wipe(&k, sizeof(k));
	return opt ? 1 : 0;
}
