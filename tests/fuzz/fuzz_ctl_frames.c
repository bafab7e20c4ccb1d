// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer harness of the controller's handling of whole control frames
 * (ctrl/daemon/controller.c, osm_ctl_input): an engine on a store of its
 * own (a topology with five devices, switches never loaded), a
 * controller on one end of a datagram socket pair, and the harness as
 * the devices on the other end. Each input is one run of the controller
 * (osm_ctl_attach) fed a series of frames: raw bytes, message bodies
 * sealed by a device under its control keys (the join epoch's or a
 * session's), or well-formed HELLO, PRESENCE and ACK messages.
 * Checks, frame by frame: every frame is counted once, and by one reason
 * (bad, stale session, HELLO, PRESENCE, ACK); a raw frame is never taken
 * for a message; a HELLO or PRESENCE taken is ACKed with its number; a
 * PRESENCE becomes an event of the device's room (an enter, or a move
 * when the person is in another room). Every frame the controller sends
 * is counted as sent, goes from its MAC to a device's
 * on that device's down circuit, opens under its down keys, numbers
 * above every one before it on that circuit (a nonce never repeats), and
 * is an ACK or a KEY_UPDATE.
 * Input: records [ctl][seq][len][len bytes]; ctl bits 0-1: 0 raw, 1
 * sealed under the join epoch, 2 sealed under the session's epoch, 3 a
 * message made of the bytes (byte 0: 0 HELLO, 1 HELLO naming another
 * device, 2 PRESENCE enter, 3 PRESENCE leave, else ACK); bits 2-4 the
 * device; bits 5-6 its session: the stored one plus 0-3; the frame's
 * number is the session's first plus seq.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sodium.h>
#include "controller.h"
#include "osm_endpoint.h"
#include "osm_msg.h"
#include "fz_building.h"

static struct osmdb *st;
static struct osm_engine *e;
static int ndev;

/* What one frame fed to the controller led to. */
static struct step {
	int dev;
	uint64_t seq;
	int acked;		/* an ACK of seq went to dev */
	int events;		/* engine events passed on */
	uint64_t last_down[8];	/* highest number sent to each device */
} s;

static __attribute__((noreturn)) void fail(const char *why)
{
	fprintf(stderr, "fuzz_ctl_frames: %s\n", why);
	abort();
}

static void init_once(void)
{
	if (e)
		return;
	/* the controller commits at every run and session */
	fz_building_open("fuzz_ctl_frames", &st, &e);
	ndev = (int)osm_engine_n_devices(e);
	if (ndev < 2 || ndev > 8)
		fail("not the topology's devices");
}

static void on_event(const struct osm_engine_event *ev, void *arg)
{
	const char *room = osm_engine_device_room(e, s.dev);

	(void)arg;
	s.events++;
	/* an enter where the person is in another room is a move */
	if (ev->kind != OSM_EV_ENTER && ev->kind != OSM_EV_MOVE &&
	    ev->kind != OSM_EV_LEAVE)
		fail("a PRESENCE made an event of another kind");
	if (ev->kind != OSM_EV_LEAVE && !ev->err && strcmp(ev->room, room))
		fail("a PRESENCE entered another room than the reader's");
}

/* A frame the controller sent: from it, to a device, on its down
 * circuit, under its keys, numbered above the last one. */
static void check_sent(const uint8_t *frame, size_t len)
{
	uint8_t plain[OSM_MAX_PAYLOAD];
	struct osm_rx rx = { 0 };
	struct osm_keys k;
	struct osm_frame f;
	struct osm_msg m;
	size_t plen;
	int di, dir_;

	if (osm_parse(frame, (uint32_t)len, &f) != OSM_OK ||
	    f.type != OSM_T_CTRL)
		fail("the controller sent a frame that does not parse");
	di = osm_engine_ctrl_device(e, f.circuit, &dir_);
	if (di < 0 || dir_ != OSM_CTRL_DOWN)
		fail("the controller sent on no device's down circuit");
	if (memcmp(frame, osm_engine_device(e, di)->mac, 6) ||
	    memcmp(frame + 6, fz_ctl_mac, 6))
		fail("the controller sent to another MAC, or from one");
	if (f.seq <= s.last_down[di])
		fail("the controller numbered a frame again (nonce reuse)");
	s.last_down[di] = f.seq;
	rx.circuit = f.circuit;
	if (osm_engine_ctrl_keys(e, di, OSM_CTRL_DOWN, f.epoch, &k))
		fail("no keys for a device");
	osm_rx_set_keys(&rx, &k);
	if (osm_open(&rx, frame, len, &f, plain, sizeof(plain), &plen) !=
	    OSM_OK)
		fail("a frame the controller sent does not open under the "
		     "device's down keys");
	if (osm_msg_decode(&m, plain, plen) ||
	    (m.type != OSM_MSG_ACK && m.type != OSM_MSG_KEY_UPDATE))
		fail("the controller sent neither an ACK nor a KEY_UPDATE");
	if (m.type == OSM_MSG_ACK && di == s.dev && m.u.ack.seq == s.seq &&
	    m.u.ack.status != OSM_ACK_REJOIN)
		s.acked = 1;
	sodium_memzero(&k, sizeof(k));
	sodium_memzero(&m, sizeof(m));
}

/* The frame of one record: its length, 0 if none. */
static int make_frame(const uint8_t *r, size_t len, const uint32_t *stored,
		      uint8_t *frame, size_t cap, int *raw)
{
	int mode = r[0] & 3, di = (r[0] >> 2 & 7) % ndev;
	uint32_t id = osm_engine_device(e, di)->id;
	uint32_t session = stored[di] + (r[0] >> 5 & 3);
	struct osm_tx tx = { .circuit = osm_ctrl_circuit(id, OSM_CTRL_UP),
			     .type = OSM_T_CTRL };
	uint8_t body[OSM_MAX_PAYLOAD];
	const uint8_t *p = r + 3;
	struct osm_msg m = { 0 };
	int n;

	s.dev = di;
	s.seq = osm_session_seq(session) + r[1];
	*raw = mode == 0;
	if (mode == 0) {
		memcpy(frame, p, len);
		return (int)len;
	}
	memcpy(tx.src, osm_engine_device(e, di)->mac, 6);
	memcpy(tx.dst, fz_ctl_mac, 6);
	if (osm_engine_ctrl_keys(e, di, OSM_CTRL_UP, mode == 2 ?
				 osm_ctrl_epoch(session) :
				 OSM_CTRL_JOIN_EPOCH, &tx.keys))
		fail("no keys for a device");
	if (mode == 3) {
		switch (len ? p[0] : 0) {
		case 0:
		case 1:
			m.type = OSM_MSG_HELLO;
			m.u.hello.device_id = len && p[0] ? id + 1 : id;
			m.u.hello.role = osm_engine_device(e, di)->role;
			m.u.hello.fw_version = 1;
			break;
		case 2:
		case 3:
			m.type = OSM_MSG_PRESENCE;
			m.u.presence.event = p[0] == 2 ? OSM_PRESENCE_ENTER :
						       OSM_PRESENCE_LEAVE;
			m.u.presence.badge_len = (uint8_t)(len - 1 >
							   OSM_BADGE_MAX ?
							   OSM_BADGE_MAX :
							   len - 1);
			memcpy(m.u.presence.badge, p + 1,
			       m.u.presence.badge_len);
			break;
		default:
			m.type = OSM_MSG_ACK;
			m.u.ack.seq = s.last_down[di] - (p[0] & 7);
			m.u.ack.status = len > 1 ? p[1] : 0;
		}
		n = osm_msg_encode(&m, body, sizeof(body));
		if (n < 0)
			return 0;
		p = body;
		len = (size_t)n;
	}
	n = osm_seal_seq(&tx, s.seq, p, len, frame, cap);
	sodium_memzero(&tx, sizeof(tx));
	return n < 0 ? 0 : n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t frame[OSM_FRAME_HDR_LEN + OSM_MAX_PAYLOAD + 64];
	struct osm_ctl_stats a, b;
	uint32_t stored[8] = { 0 };
	struct osmdb_txn *t;
	struct osm_ctl *c;
	int sv[2], i, n, raw;
	ssize_t got;
	size_t len, sent;

	init_once();
	memset(&s, 0, sizeof(s));
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
		       sv))
		fail("no socket pair");
	if (osm_ctl_open_fd(&c, sv[0], fz_ctl_mac) || osm_ctl_attach(c, e, st))
		fail("no controller");
	if (osmdb_txn_begin(st, OSMDB_TXN_RDONLY, &t))
		fail("no read transaction");
	for (i = 0; i < ndev; i++)
		osmdb_device_session(t, osm_engine_device(e, i)->id,
				     &stored[i]);
	osmdb_txn_abort(t);
	while (size >= 3) {
		len = data[2] < size - 3 ? data[2] : size - 3;
		n = len <= sizeof(frame) ?
		    make_frame(data, len, stored, frame, sizeof(frame), &raw) :
		    0;
		data += 3 + len;
		size -= 3 + len;
		if (n <= 0 || send(sv[1], frame, (size_t)n, 0) != n)
			continue;
		s.acked = s.events = 0;
		osm_ctl_stats(c, &a);
		if (osm_ctl_input(c, on_event, NULL))
			fail("osm_ctl_input failed");
		osm_ctl_tick(c);
		osm_ctl_stats(c, &b);
		for (sent = 0; (got = recv(sv[1], frame, sizeof(frame), 0)) >
		     0; sent++)
			check_sent(frame, (size_t)got);
		if (b.sent - a.sent != sent)
			fail("frames counted as sent are not the ones sent");
		if (b.rx - a.rx != 1 ||
		    b.rx_bad - a.rx_bad + b.stale_session - a.stale_session +
		    b.hello - a.hello + b.presence - a.presence + b.acks -
		    a.acks != 1)
			fail("a frame is not counted once, by one reason");
		if (raw && b.rx_bad - a.rx_bad != 1)
			fail("a raw frame was taken for a message");
		if ((b.hello != a.hello || b.presence != a.presence) &&
		    !s.acked)
			fail("a HELLO or PRESENCE taken is not ACKed");
		if (s.events && b.presence == a.presence)
			fail("an event without a PRESENCE");
	}
	osm_ctl_close(c);
	osm_engine_on_change(e, NULL, NULL);
	close(sv[1]);
	return 0;
}
