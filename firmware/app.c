// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The endpoint: starts a session (docs/protocol.md 8.1: a counter in
 * non-volatile storage, the upper half of every sequence number it sends),
 * joins with HELLO on its control circuit, takes the controller's ACK of
 * it as the floor of its down window, applies KEY_UPDATEs and ACKs them,
 * starts a new session on REJOIN, and plays its role (door: PRESENCE from
 * badge commands on the UART, sent again until ACKed; lamp: obeys
 * commands on its data circuit). Every frame it rejects is counted by
 * class and logged on one UART line.
 */
#include "fw.h"
#include "circuit.h"
#include "chachapoly.h"
#include "osm_msg.h"

#define HELLO_EVERY_MS	1000
#define PRESENCE_EVERY_MS	1000
#define LINE_MAX	48

osm_u8 fw_frame[FW_FRAME_MAX] __attribute__((aligned(4)));

/* A PRESENCE waiting for its ACK: first is the number of its first frame
 * in this session (0: not sent in it yet). */
struct pending {
	osm_u8 event, len;
	osm_u8 badge[OSM_BADGE_MAX];
	osm_u32 last;
	osm_u64 first;
};

static struct {
	const struct osm_fw_blob *blob;
	osm_u32 ctrl_up, ctrl_down;
	osm_u32 session;	/* 0: none (no storage: the device is mute) */
	osm_u32 joined, hellos, last_hello;
	struct pending presence;	/* len 0: none */
	osm_u32 drops[FW_DROP_MAX];
	osm_u32 line_len;
	char line[LINE_MAX];
	struct fw_rx rx[FW_NRX];	/* rx[0]: control down */
	struct fw_tx tx[FW_NTX];	/* tx[0]: control up */
} st;

/* The role: a constant in a role image (-DFW_ROLE_DOOR or -DFW_ROLE_LAMP),
 * so the other role's code is left out; taken from the blob in host
 * builds. */
#if defined(FW_ROLE_DOOR)
#define ROLE		OSM_ROLE_DOOR
#define ROLE_NAME	"door"
#elif defined(FW_ROLE_LAMP)
#define ROLE		OSM_ROLE_LAMP
#define ROLE_NAME	"lamp"
#else
#define ROLE		(st.blob->role)
#define ROLE_NAME	"any"
#endif

/* ---- log ----------------------------------------------------------------*/

void fw_puts(const char *s)
{
	while (*s)
		fw_putc(*s++);
}

void fw_putu(osm_u32 v)
{
	char d[10];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		fw_putc(d[--n]);
}

static void put_kv(const char *k, osm_u32 v)
{
	fw_puts(k);
	fw_putu(v);
}

static void put_mac(const osm_u8 *m)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 6; i++) {
		if (i)
			fw_putc(':');
		fw_putc(hex[m[i] >> 4]);
		fw_putc(hex[m[i] & 15]);
	}
}

static const char *drop_name(int r)
{
	switch (r) {
	case FW_DROP_NOT_MINE: return "not_mine";
	case FW_DROP_OVERSIZE: return "oversize";
	case FW_DROP_BAD_MSG: return "bad_msg";
	default: return osm_reason_name(r);
	}
}

static void drop(int r)
{
	st.drops[r]++;
	fw_puts("drop ");
	fw_puts(drop_name(r));
	put_kv(" n=", st.drops[r]);
	fw_putc('\n');
}

/* ---- control circuit ----------------------------------------------------*/

/* a[0..n) equals the string b. */
static int eq(const osm_u8 *a, osm_u32 n, const char *b)
{
	for (; n && *b; n--)
		if (*a++ != (osm_u8)*b++)
			return 0;
	return n == 0 && *b == 0;
}

/* The string s starts with p. */
static int prefix(const char *s, const char *p)
{
	while (*p)
		if (*s++ != *p++)
			return 0;
	return 1;
}

/* Encode m after the headers in fw_frame, seal it on control up, send. */
static osm_u64 send_ctrl(const struct osm_msg *m)
{
	struct fw_tx *tx = &st.tx[0];
	osm_u64 seq = tx->next_seq;
	int n = osm_msg_encode(m, fw_frame + OSM_FRAME_HDR_LEN,
			       FW_MAX_PAYLOAD);

	fw_eth_send(fw_frame, fw_seal(tx, st.blob->mac, fw_frame,
				      (osm_u16)n));
	return seq;
}

static void send_hello(void)
{
	struct osm_msg m = { .type = OSM_MSG_HELLO };

	m.u.hello.device_id = osm_get_be32(st.blob->device_id);
	m.u.hello.role = st.blob->role;
	m.u.hello.fw_version = FW_VERSION;
	put_kv("hello seq=", (osm_u32)send_ctrl(&m));
	fw_putc('\n');
}

/* Start a new session (docs/protocol.md 8.1): the counter in storage
 * first, then the numbers; data keys are forgotten, HELLO goes out on the
 * next tick. */
static void start_session(void)
{
	const struct osm_fw_blob *b = st.blob;
	osm_u32 s = 0, e = osm_get_be32(b->ctrl_epoch);

	st.session = 0;
	st.joined = 0;
	st.hellos = 0;
	/* every key but the blob's: data circuits', and the control keys
	 * of the last session (the down window goes too: until the join,
	 * only this session's ACK is taken, and it sets the floor) */
	fw_wipe(st.rx[0].key,
		sizeof(st.rx) - __builtin_offsetof(struct fw_rx, key));
	fw_wipe(&st.tx[1], sizeof(st.tx) - sizeof(st.tx[0]));
	fw_rx_set_key(&st.rx[0], e, b->down_hop, b->down_e2e);
	fw_key_set(&st.tx[0].key, e, b->up_hop, b->up_e2e);
	st.presence.first = 0;
	if (fw_nv_session(&s) || !s || s > OSM_SESSION_MAX) {
		fw_puts("no storage\n");
		return;
	}
	st.session = s;
	st.tx[0].next_seq = osm_session_seq(s);
	put_kv("session ", s);
	fw_putc('\n');
}

/* The slot of circuit c in a table of n entries of size sz, or a free one
 * (zeroed) when alloc is set; NULL if none. */
static void *slot(void *tab, int n, osm_u32 sz, osm_u32 c, int alloc)
{
	osm_u8 *p = tab, *free = 0;
	int i;

	for (i = 0; i < n; i++, p += sz) {
		/* h[0] circuit, h[1] used: both slot kinds start so */
		const osm_u32 *h = (const osm_u32 *)p;

		if (h[1] && h[0] == c)
			return p;
		if (!h[1] && !free)
			free = p;
	}
	if (!alloc || !free)
		return 0;
	fw_wipe(free, sz);
	return free;
}

/* Apply one KEY_UPDATE; returns the ACK status (0 or an osm_reason). */
static int key_update(const struct osm_msg *m)
{
	osm_u32 c = m->u.key.circuit;
	struct fw_rx *rx;
	struct fw_tx *tx;

	switch (m->u.key.op) {
	case OSM_KEY_RX:
		rx = slot(st.rx, FW_NRX, sizeof(*rx), c, 1);
		if (!rx)
			return OSM_DROP_UNKNOWN;
		rx->circuit = c;
		rx->used = 1;
		fw_rx_set_key(rx, m->u.key.epoch, m->u.key.hop, m->u.key.e2e);
		return 0;
	case OSM_KEY_TX:
		tx = slot(st.tx, FW_NTX, sizeof(*tx), c, 1);
		if (!tx)
			return OSM_DROP_UNKNOWN;
		if (!tx->used) {
			int ctrl = c == st.ctrl_up;
			int i;

			tx->circuit = c;
			tx->used = 1;
			tx->next_seq = osm_session_seq(st.session);
			tx->type = ctrl ? OSM_T_CTRL : OSM_T_DATA;
			for (i = 0; i < 6; i++)
				tx->dst[i] = ctrl ? st.blob->ctrl_mac[i] :
						    st.blob->peer_mac[i];
		}
		fw_key_set(&tx->key, m->u.key.epoch, m->u.key.hop,
			   m->u.key.e2e);
		return 0;
	default:
		/* Removing its own control circuit would cut the device off. */
		if (c == st.ctrl_up || c == st.ctrl_down)
			return OSM_DROP_MALFORMED;
		rx = slot(st.rx, FW_NRX, sizeof(*rx), c, 0);
		tx = slot(st.tx, FW_NTX, sizeof(*tx), c, 0);
		if (!rx && !tx)
			return OSM_DROP_UNKNOWN;
		if (rx)
			fw_wipe(rx, sizeof(*rx));
		if (tx)
			fw_wipe(tx, sizeof(*tx));
		return 0;
	}
}

static void on_ctrl(osm_u8 *p, osm_u32 len, osm_u64 seq)
{
	struct osm_msg m;
	int r = osm_msg_decode(&m, p, len);

	fw_wipe(p, len);
	if (r != 0 || (m.type != OSM_MSG_KEY_UPDATE && m.type != OSM_MSG_ACK)) {
		drop(FW_DROP_BAD_MSG);
		return;
	}
	r = m.type == OSM_MSG_ACK && m.u.ack.status == OSM_ACK_REJOIN &&
	    !m.u.ack.seq;
	/* Not joined: only the ACK of this session's HELLO, which no frame
	 * recorded before can be, is fresh; its number becomes the floor.
	 * A REJOIN too once OSM_REJOIN_HELLOS HELLOs went unanswered (a
	 * controller that lost the ACK of this session's HELLO): no more
	 * than a storage write that often for a replayed one. */
	if (!st.joined && !(r && st.hellos > OSM_REJOIN_HELLOS)) {
		if (m.type != OSM_MSG_ACK || m.u.ack.status ||
		    osm_seq_session(m.u.ack.seq) != st.session) {
			drop(OSM_DROP_REPLAY);
			return;
		}
		osm_replay_floor(&st.rx[0].replay, seq);
		st.joined = 1;
	}
	if (m.type == OSM_MSG_ACK) {
		if (r) {
			fw_puts("rejoin\n");
			start_session();
			return;
		}
		if (st.presence.len && st.presence.first &&
		    m.u.ack.seq >= st.presence.first)
			st.presence.len = 0;	/* delivered */
		put_kv("ack seq=", (osm_u32)m.u.ack.seq);
		put_kv(" status=", m.u.ack.status);
		fw_putc('\n');
		return;
	}
	r = key_update(&m);
	put_kv("key circuit=", m.u.key.circuit);
	put_kv(" epoch=", m.u.key.epoch);
	put_kv(" op=", m.u.key.op);
	put_kv(" status=", (osm_u32)r);
	fw_putc('\n');
	fw_wipe(&m, sizeof(m));
	m.type = OSM_MSG_ACK;
	m.u.ack.seq = seq;
	m.u.ack.status = (osm_u8)r;
	send_ctrl(&m);
}

/* ---- roles --------------------------------------------------------------*/

/* Lamp: "on", "off" or "level N" (0..100) on a data circuit. */
static void on_data(const osm_u8 *p, osm_u32 len)
{
	osm_u32 i, v = 0;

	if (ROLE != OSM_ROLE_LAMP)
		goto bad;
	if (eq(p, len, "on") || eq(p, len, "off")) {
		fw_puts("lamp ");
		for (i = 0; i < len; i++)
			fw_putc((char)p[i]);
		fw_putc('\n');
		return;
	}
	if (len < 7 || len > 9 || !eq(p, 6, "level "))
		goto bad;
	for (i = 6; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			goto bad;
		v = v * 10 + (osm_u32)(p[i] - '0');
	}
	if (v > 100)
		goto bad;
	put_kv("lamp level ", v);
	fw_putc('\n');
	return;
bad:
	drop(FW_DROP_BAD_MSG);
}

/* Send the pending PRESENCE (again): a new frame each time. */
static void send_presence(osm_u32 ms)
{
	struct osm_msg m = { .type = OSM_MSG_PRESENCE };
	osm_u64 seq;
	osm_u32 i;

	m.u.presence.event = st.presence.event;
	m.u.presence.badge_len = st.presence.len;
	for (i = 0; i < st.presence.len; i++)
		m.u.presence.badge[i] = st.presence.badge[i];
	seq = send_ctrl(&m);
	if (!st.presence.first)
		st.presence.first = seq;
	st.presence.last = ms;
	fw_puts(m.u.presence.event == OSM_PRESENCE_ENTER ? "presence enter " :
							   "presence leave ");
	for (i = 0; i < st.presence.len; i++)
		fw_putc((char)st.presence.badge[i]);
	put_kv(" seq=", (osm_u32)seq);
	fw_putc('\n');
}

/* Door: "badge enter NAME" / "badge leave NAME" -> PRESENCE, sent on the
 * next tick and again until the controller ACKs it. One at a time. */
static void door_badge(const char *s)
{
	osm_u32 n = 0;

	if (!prefix(s, "enter ") && !prefix(s, "leave "))
		goto bad;
	while (s[6 + n] && n <= OSM_BADGE_MAX)
		n++;
	if (n == 0 || n > OSM_BADGE_MAX)
		goto bad;
	if (st.presence.len) {
		fw_puts("? busy\n");
		return;
	}
	st.presence.event = s[0] == 'e' ? OSM_PRESENCE_ENTER :
					  OSM_PRESENCE_LEAVE;
	for (n = 0; s[6 + n]; n++)
		st.presence.badge[n] = (osm_u8)s[6 + n];
	st.presence.first = 0;
	st.presence.len = (osm_u8)n;
	return;
bad:
	fw_puts("? badge enter|leave NAME\n");
}

static void stats(void)
{
	int i;

	fw_puts("stats");
	for (i = 1; i < FW_DROP_MAX; i++) {
		if (!st.drops[i])
			continue;
		fw_putc(' ');
		fw_puts(drop_name(i));
		put_kv("=", st.drops[i]);
	}
	put_kv("\nstack used=", fw_stack_used());
	put_kv(" size=", fw_stack_size());
	fw_putc('\n');
}

static void on_line(char *s)
{
	if (prefix(s, "stats"))
		stats();
	else if (ROLE == OSM_ROLE_DOOR && prefix(s, "badge "))
		door_badge(s + 6);
	else if (*s)
		fw_puts("? stats | badge enter|leave NAME\n");
}

/* The blob's check value (le64) is sum. Two word loads: osm_get_le64's
 * byte loop costs flash that the image has not got. */
static int check_ok(const osm_u8 *c, osm_u64 sum)
{
	return __builtin_bswap32(osm_get_be32(c)) == (osm_u32)sum &&
	       __builtin_bswap32(osm_get_be32(c + 4)) == (osm_u32)(sum >> 32);
}

/* ---- entry points -------------------------------------------------------*/

int fw_app_init(const struct osm_fw_blob *b)
{
	const osm_u8 *p = (const osm_u8 *)b;
	osm_u32 id = osm_get_be32(b->device_id), up = osm_get_be32(b->ctrl_up);
	osm_u32 down = osm_get_be32(b->ctrl_down);

	fw_wipe(&st, sizeof(st));	/* host harnesses init many times */
	fw_puts("osm-fw " ROLE_NAME " v1\n");
	/* the checks of lib's osm_fw_blob_check, which fuzz_fw_blob holds
	 * to the same verdict: a blob the host calls whole, and no other */
	if (osm_get_be32(p) !=
	    osm_get_be32((const osm_u8 *)OSM_FW_BLOB_MAGIC) ||
	    b->version != OSM_FW_BLOB_VERSION ||
	    !check_ok(b->check, fw_siphash(p, OSM_FW_BLOB_CHECKED_LEN,
					   (const osm_u8 *)
					   OSM_FW_BLOB_CHECK_KEY)) ||
	    id > OSM_DEVICE_ID_MAX || up != osm_ctrl_circuit(id, OSM_CTRL_UP) ||
	    down != up + 1) {
		fw_puts("no valid blob\n");
		return -1;
	}
	st.blob = b;
	if (b->role != ROLE ||
	    (b->role != OSM_ROLE_DOOR && b->role != OSM_ROLE_LAMP)) {
		fw_puts("blob is for another role\n");
		return -1;
	}
	st.ctrl_up = up;
	st.ctrl_down = down;
	st.rx[0].circuit = st.ctrl_down;
	st.rx[0].used = 1;
	st.tx[0].circuit = st.ctrl_up;
	st.tx[0].used = 1;
	st.tx[0].type = OSM_T_CTRL;
	for (int i = 0; i < 6; i++)
		st.tx[0].dst[i] = b->ctrl_mac[i];
	put_kv("id=", id);
	fw_puts(" mac=");
	put_mac(b->mac);
	put_kv(" ctrl=", st.ctrl_up);
	put_kv("/", st.ctrl_down);
	put_kv(" epoch=", osm_get_be32(b->ctrl_epoch));
	fw_putc('\n');
	start_session();
	return 0;
}

void fw_app_frame(osm_u32 len)
{
	struct osm_frame f;
	struct fw_rx *c;
	int r;

	if (!st.session)
		return;		/* mute: no session, no frame taken */

	if (len < 6 || !osm_mac_eq(fw_frame, st.blob->mac)) {
		drop(FW_DROP_NOT_MINE);
		return;
	}
	r = fw_open(st.rx, FW_NRX, fw_frame, len, &f, &c);
	if (r != OSM_OK) {
		drop(r);
		return;
	}
	if ((c == &st.rx[0]) != (f.type == OSM_T_CTRL)) {
		drop(OSM_DROP_VERSION);
		return;
	}
	if (f.type == OSM_T_CTRL)
		on_ctrl(fw_frame + OSM_FRAME_HDR_LEN, f.len, f.seq);
	else
		on_data(fw_frame + OSM_FRAME_HDR_LEN, f.len);
}

void fw_app_oversize(void)
{
	drop(FW_DROP_OVERSIZE);
}

void fw_app_char(char c)
{
	if (c == '\r' || c == '\n') {
		if (st.line_len < LINE_MAX) {
			st.line[st.line_len] = 0;
			on_line(st.line);
		} else {
			fw_puts("? line too long\n");
		}
		st.line_len = 0;
	} else if (st.line_len < LINE_MAX) {
		/* a full buffer marks the line too long: it is dropped */
		if (st.line_len < LINE_MAX - 1)
			st.line[st.line_len] = c;
		st.line_len++;
	}
}

void fw_app_tick(osm_u32 ms)
{
	if (!st.session)
		return;		/* mute: no session */
	/* HELLO on the first tick (the NIC receives by then), then every
	 * second until the controller answers. */
	if (!st.joined) {
		if (!st.hellos || ms - st.last_hello >= HELLO_EVERY_MS) {
			st.hellos++;
			st.last_hello = ms;
			send_hello();
		}
		return;
	}
	if (st.presence.len && (!st.presence.first ||
				ms - st.presence.last >= PRESENCE_EVERY_MS))
		send_presence(ms);
}
