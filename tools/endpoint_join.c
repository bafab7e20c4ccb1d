// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * osm-endpoint join: a host device on the control protocol, provisioned
 * like a firmware device (the same blob). It starts a session (its
 * counter in a state file), joins with HELLO, takes the ACK of it as the
 * floor of its down window, applies KEY_UPDATEs and ACKs them, starts a
 * new session on REJOIN (docs/protocol.md 8, 8.1); keys live in locked
 * memory only. A local program drives it on stdin and reads stdout, one
 * line each (docs/osm-endpoint.1):
 *
 *   in:  send ID TEXT | send-hex ID HEX | burst ID N INTERVAL_US TEXT |
 *        keys | quit
 *   out: session S | joined S | rejoin | key ID EPOCH rx|tx|remove STATUS |
 *        recv ID SEQ EPOCH HEX | drop REASON ID SEQ | sent ID SEQ [N] |
 *        rx ID EPOCH.. | tx ID EPOCH | error MESSAGE
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sodium.h>
#include "osm_arg.h"
#include "osm_blob.h"
#include "osm_endpoint.h"
#include "osm_err.h"
#include "osm_hex.h"
#include "osm_msg.h"
#include "osm_packet.h"
#include "osm_provision.h"
#include "endpoint_join.h"

#define CIRCUITS	256		/* of each kind a device holds */
#define HELLO_MS	1000
#define FRAME_MAX	(OSM_FRAME_HDR_LEN + OSM_MAX_PAYLOAD + 64)
#define LINE_MAX_LEN	(2 * OSM_MAX_PAYLOAD + 64)

/* Everything that holds keys, in one guarded, locked allocation. */
struct keyring {
	struct osm_fw_blob blob;
	struct osm_rx down;		/* control down */
	struct osm_tx up;		/* control up */
	struct osm_rx rx[CIRCUITS];
	struct osm_tx tx[CIRCUITS];
	int rx_used[CIRCUITS], tx_used[CIRCUITS];
	struct osm_msg m;		/* the message at hand */
};

/* An ACK held back (--ack-delay-ms: a device slow to take its keys). */
struct held {
	uint64_t due_ms, seq;
	uint8_t status;
};

static struct {
	struct keyring *k;
	const char *state;
	int fd;
	uint8_t mac[6];
	uint32_t session;
	int joined;
	uint64_t last_hello;
	unsigned hellos;		/* of this session, sent */
	unsigned ack_delay;
	struct held held[64];
	unsigned nheld;
	/* a burst under way: sent from the event loop, so that control
	 * messages (a new key) are taken in the middle of it */
	struct {
		uint32_t circuit;
		unsigned long left, sent, interval_us;
		uint64_t next_us, first;
		size_t len;
		uint8_t p[OSM_MAX_PAYLOAD];
	} burst;
} J;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t now_ms(void)
{
	return now_us() / 1000;
}


static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ---- the session counter ------------------------------------------------ */

/* Read the counter in path (0 if there is none), write it plus one
 * durably (a temporary file, fsync, rename, fsync of the directory), and
 * return it in *s. Returns 0 or -errno. */
static int next_session(const char *path, uint32_t *s)
{
	char tmp[4096], dir[4096], buf[16] = "";
	unsigned long v = 0;
	int fd, dfd, n, err = 0;
	FILE *f = fopen(path, "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f) || sscanf(buf, "%lu", &v) != 1)
			err = -EINVAL;	/* a damaged counter: do not guess */
		fclose(f);
	} else if (errno != ENOENT) {
		return -errno;
	}
	if (err)
		return err;
	if (v >= OSM_SESSION_MAX)
		return -EOVERFLOW;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%lu\n", v + 1);
	if (write(fd, buf, (size_t)n) != n || fsync(fd))
		err = -errno ?: -EIO;
	close(fd);
	if (!err && rename(tmp, path))
		err = -errno;
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = err ? -1 : open(dirname(dir), O_RDONLY | O_DIRECTORY);
	if (!err && (dfd < 0 || fsync(dfd)))
		err = -EIO;
	if (dfd >= 0)
		close(dfd);
	if (err)
		unlink(tmp);
	else
		*s = (uint32_t)v + 1;	/* only once it is stored */
	return err;
}

/* ---- control ------------------------------------------------------------- */

static int send_ctrl(const struct osm_msg *m, uint64_t *seq)
{
	uint8_t pt[128], f[FRAME_MAX];
	int n;

	if (!J.session || (uint32_t)J.k->up.next_seq == 0xffffffffu)
		return -EOVERFLOW;	/* mute, or the session used up */
	n = osm_msg_encode(m, pt, sizeof(pt));

	if (seq)
		*seq = J.k->up.next_seq;
	n = osm_seal(&J.k->up, pt, (size_t)n, f, sizeof(f));
	sodium_memzero(pt, sizeof(pt));
	return n < 0 ? n : osm_pkt_send(J.fd, f, (size_t)n);
}

static void send_hello(void)
{
	struct osm_msg m = { .type = OSM_MSG_HELLO };

	J.last_hello = now_ms();
	if (!J.session)
		return;
	m.u.hello.device_id = osm_get_be32(J.k->blob.device_id);
	m.u.hello.role = J.k->blob.role;
	m.u.hello.fw_version = 1;
	if (!send_ctrl(&m, NULL))
		J.hellos++;
	J.last_hello = now_ms();
}

/* The control keys of the blob (the join epoch), and nothing else: the
 * keys of an earlier session are gone. The down window goes too: until
 * the join only this session's ACK is taken, and it sets the floor. */
static void join_keys(void)
{
	struct keyring *k = J.k;
	struct osm_keys ck;

	memset(&k->down, 0, sizeof(k->down));
	k->down.circuit = osm_get_be32(k->blob.ctrl_down);
	memcpy(ck.hop, k->blob.down_hop, sizeof(ck.hop));
	memcpy(ck.e2e, k->blob.down_e2e, sizeof(ck.e2e));
	ck.epoch = osm_get_be32(k->blob.ctrl_epoch);
	osm_rx_set_keys(&k->down, &ck);
	k->up.circuit = osm_get_be32(k->blob.ctrl_up);
	k->up.type = OSM_T_CTRL;
	memcpy(k->up.src, J.mac, 6);
	memcpy(k->up.dst, k->blob.ctrl_mac, 6);
	memcpy(k->up.keys.hop, k->blob.up_hop, sizeof(ck.hop));
	memcpy(k->up.keys.e2e, k->blob.up_e2e, sizeof(ck.e2e));
	k->up.keys.epoch = ck.epoch;
	sodium_memzero(&ck, sizeof(ck));
}

/* A new session: the counter first, then fresh numbers; data keys and
 * the last session's control keys gone. */
static int start_session(void)
{
	int err;

	/* the old session ends first: no key, no number of it is used
	 * again, whatever happens to the new one */
	J.joined = 0;
	J.session = 0;
	J.hellos = 0;
	J.nheld = 0;
	J.burst.left = 0;
	sodium_memzero(J.k->rx, sizeof(J.k->rx));
	sodium_memzero(J.k->tx, sizeof(J.k->tx));
	memset(J.k->rx_used, 0, sizeof(J.k->rx_used));
	memset(J.k->tx_used, 0, sizeof(J.k->tx_used));
	join_keys();
	err = next_session(J.state, &J.session);
	if (err) {
		out("error session counter %s: %s (mute)", J.state,
		    strerror(-err));
		return err;
	}
	J.k->up.next_seq = osm_session_seq(J.session);
	out("session %u", J.session);
	send_hello();
	return 0;
}

static int find(const int *used, const void *tab, size_t sz, uint32_t c,
		int alloc)
{
	int i, free_i = -1;

	for (i = 0; i < CIRCUITS; i++) {
		const uint32_t *id = (const uint32_t *)((const char *)tab +
							(size_t)i * sz);

		if (used[i] && *id == c)
			return i;
		if (!used[i] && free_i < 0)
			free_i = i;
	}
	return alloc ? free_i : -1;
}

static void ack(uint64_t seq, uint8_t status)
{
	struct osm_msg m = { .type = OSM_MSG_ACK };

	m.u.ack.seq = seq;
	m.u.ack.status = status;
	send_ctrl(&m, NULL);
}

/* Apply KEY_UPDATE m with its keys; the ACK status. */
static uint8_t apply_key(const struct osm_msg *m, const struct osm_keys *keys)
{
	struct keyring *k = J.k;
	uint32_t c = m->u.key.circuit;
	int i, j;

	/* its own control circuits: a session's keys, receiving down and
	 * sending up (the sequence numbers go on); never removed */
	if (c == k->down.circuit || c == k->up.circuit) {
		i = c == k->down.circuit ? OSM_KEY_RX : OSM_KEY_TX;
		if (m->u.key.op != i)
			return OSM_DROP_MALFORMED;
		if (i == OSM_KEY_RX)
			osm_rx_set_keys(&k->down, keys);
		else
			k->up.keys = *keys;
		return OSM_OK;
	}
	switch (m->u.key.op) {
	case OSM_KEY_RX:
		i = find(k->rx_used, k->rx, sizeof(k->rx[0]), c, 1);
		if (i < 0)
			return OSM_DROP_UNKNOWN;
		if (!k->rx_used[i]) {
			memset(&k->rx[i], 0, sizeof(k->rx[i]));
			k->rx[i].circuit = c;
			k->rx_used[i] = 1;
		}
		osm_rx_set_keys(&k->rx[i], keys);
		break;
	case OSM_KEY_TX:
		i = find(k->tx_used, k->tx, sizeof(k->tx[0]), c, 1);
		if (i < 0)
			return OSM_DROP_UNKNOWN;
		if (!k->tx_used[i]) {
			memset(&k->tx[i], 0, sizeof(k->tx[i]));
			k->tx[i].circuit = c;
			k->tx[i].type = OSM_T_DATA;
			memcpy(k->tx[i].src, J.mac, 6);
			memcpy(k->tx[i].dst, k->blob.peer_mac, 6);
			k->tx[i].next_seq = osm_session_seq(J.session);
			k->tx_used[i] = 1;
		}
		k->tx[i].keys = *keys;
		break;
	default:
		if (osm_circuit_is_ctrl(c))
			return OSM_DROP_MALFORMED;
		i = find(k->rx_used, k->rx, sizeof(k->rx[0]), c, 0);
		j = find(k->tx_used, k->tx, sizeof(k->tx[0]), c, 0);
		if (i < 0 && j < 0)
			return OSM_DROP_UNKNOWN;
		if (i >= 0) {
			sodium_memzero(&k->rx[i], sizeof(k->rx[i]));
			k->rx_used[i] = 0;
		}
		if (j >= 0) {
			sodium_memzero(&k->tx[j], sizeof(k->tx[j]));
			k->tx_used[j] = 0;
		}
	}
	return OSM_OK;
}

/* A KEY_UPDATE: its keys in a copy wiped on every way out. */
static uint8_t key_update(const struct osm_msg *m)
{
	struct osm_keys keys = { .epoch = m->u.key.epoch };
	uint8_t status;

	memcpy(keys.hop, m->u.key.hop, sizeof(keys.hop));
	memcpy(keys.e2e, m->u.key.e2e, sizeof(keys.e2e));
	status = apply_key(m, &keys);
	sodium_memzero(&keys, sizeof(keys));
	return status;
}

static void on_ctrl(const struct osm_frame *f, const uint8_t *p, size_t len)
{
	struct osm_msg *m = &J.k->m;
	static const char *const ops[] = { "?", "rx", "tx", "remove" };
	uint8_t status;
	int rejoin;

	if (osm_msg_decode(m, p, len) ||
	    (m->type != OSM_MSG_KEY_UPDATE && m->type != OSM_MSG_ACK)) {
		out("drop bad_msg %u %llu", f->circuit,
		    (unsigned long long)f->seq);
		return;
	}
	rejoin = m->type == OSM_MSG_ACK &&
		 m->u.ack.status == OSM_ACK_REJOIN && !m->u.ack.seq;
	/* not joined: only the ACK of this session's HELLO; a REJOIN too
	 * once OSM_REJOIN_HELLOS HELLOs went unanswered */
	if (!J.joined && !(rejoin && J.hellos > OSM_REJOIN_HELLOS)) {
		if (m->type != OSM_MSG_ACK || m->u.ack.status ||
		    osm_seq_session(m->u.ack.seq) != J.session) {
			out("drop replay %u %llu", f->circuit,
			    (unsigned long long)f->seq);
			return;
		}
		osm_replay_floor(&J.k->down.replay, f->seq);
		J.joined = 1;
		out("joined %u", J.session);
		return;
	}
	if (m->type == OSM_MSG_ACK) {
		if (rejoin) {
			out("rejoin");
			start_session();
		}
		return;
	}
	status = key_update(m);
	out("key %u %u %s %u", m->u.key.circuit, m->u.key.epoch,
	    ops[m->u.key.op], status);
	sodium_memzero(m, sizeof(*m));
	if (J.ack_delay && J.nheld < sizeof(J.held) / sizeof(J.held[0])) {
		J.held[J.nheld++] = (struct held){
			.due_ms = now_ms() + J.ack_delay, .seq = f->seq,
			.status = status };
		return;
	}
	ack(f->seq, status);
}

static void frame_in(const uint8_t *buf, size_t n)
{
	static uint8_t pt[OSM_MAX_PAYLOAD];
	char *hex;
	struct osm_frame f;
	size_t len = 0;
	int r, i;

	if (!J.session || osm_parse(buf, (uint32_t)n, &f) != OSM_OK ||
	    !osm_mac_eq(buf, J.mac))
		return;		/* mute, not a circuit frame, or not ours */
	if (f.circuit == J.k->down.circuit) {
		r = osm_open(&J.k->down, buf, n, &f, pt, sizeof(pt), &len);
		if (r == OSM_OK && f.type == OSM_T_CTRL)
			on_ctrl(&f, pt, len);
		else
			out("drop %s %u %llu", osm_reason_name(r ?:
			    OSM_DROP_VERSION), f.circuit,
			    (unsigned long long)f.seq);
		sodium_memzero(pt, sizeof(pt));
		return;
	}
	i = find(J.k->rx_used, J.k->rx, sizeof(J.k->rx[0]), f.circuit, 0);
	r = i < 0 ? OSM_DROP_UNKNOWN :
	    osm_open(&J.k->rx[i], buf, n, &f, pt, sizeof(pt), &len);
	if (r == OSM_OK && f.type != OSM_T_DATA)
		r = OSM_DROP_VERSION;
	if (r != OSM_OK) {
		out("drop %s %u %llu", osm_reason_name(r), f.circuit,
		    (unsigned long long)f.seq);
		return;
	}
	hex = malloc(2 * len + 1);
	if (hex) {
		osm_hex_format(hex, pt, len);
		out("recv %u %llu %u %s", f.circuit,
		    (unsigned long long)f.seq, f.epoch, hex);
		free(hex);
	}
	sodium_memzero(pt, sizeof(pt));
}

/* ---- the local program's lines -------------------------------------------- */

/* Seal and send one frame on circuit c; returns its number, or 0 with
 * an error line. */
static uint64_t send_one(uint32_t c, const uint8_t *p, size_t len)
{
	uint8_t f[FRAME_MAX];
	uint64_t seq;
	int t = find(J.k->tx_used, J.k->tx, sizeof(J.k->tx[0]), c, 0), n;

	if (!J.joined || t < 0) {
		out("error no key to send on circuit %u", c);
		return 0;
	}
	seq = J.k->tx[t].next_seq;
	if ((uint32_t)seq == 0xffffffffu) {
		/* the session's numbers are used up: a new session, never
		 * a number of the next one */
		out("error numbers of session %u used up: new session",
		    J.session);
		start_session();
		return 0;
	}
	n = osm_seal(&J.k->tx[t], p, len, f, sizeof(f));
	if (n < 0 || osm_pkt_send(J.fd, f, (size_t)n)) {
		out("error send on circuit %u: %s", c,
		    strerror(n < 0 ? -n : errno));
		return 0;
	}
	return seq;
}

/* The burst's frames that are due. */
static void burst_run(void)
{
	uint64_t seq, now = now_us();
	unsigned batch = 0;

	/* a batch at most a call: control messages are read in between */
	while (J.burst.left && J.burst.next_us <= now && batch++ < 32) {
		seq = send_one(J.burst.circuit, J.burst.p, J.burst.len);
		if (!seq) {
			J.burst.left = 0;
			break;
		}
		if (!J.burst.sent++)
			J.burst.first = seq;
		J.burst.left--;
		J.burst.next_us += J.burst.interval_us;
		now = now_us();
	}
	if (!J.burst.left && J.burst.sent) {
		out("sent %u %llu %lu", J.burst.circuit,
		    (unsigned long long)J.burst.first, J.burst.sent);
		J.burst.sent = 0;
	}
}

static void send_data(uint32_t c, const uint8_t *p, size_t len,
		      unsigned long count, unsigned long interval_us)
{
	uint64_t seq;

	if (count == 1) {
		seq = send_one(c, p, len);
		if (seq)
			out("sent %u %llu", c, (unsigned long long)seq);
		return;
	}
	if (J.burst.left) {
		out("error a burst is under way");
		return;
	}
	J.burst.circuit = c;
	J.burst.left = count;
	J.burst.sent = 0;
	J.burst.interval_us = interval_us;
	J.burst.next_us = now_us();
	J.burst.len = len;
	memcpy(J.burst.p, p, len);
	burst_run();
}

static void keys_list(void)
{
	int i;

	for (i = 0; i < CIRCUITS; i++) {
		const struct osm_rx *r = &J.k->rx[i];

		uint32_t a = r->valid[0] ? r->keys[0].epoch : 0,
			 b = r->valid[1] ? r->keys[1].epoch : 0, t;

		if (a > b) {	/* the epochs it holds, oldest first */
			t = a;
			a = b;
			b = t;
		}
		if (J.k->rx_used[i] && a)
			out("rx %u %u %u", r->circuit, a, b);
		else if (J.k->rx_used[i])
			out("rx %u %u", r->circuit, b);
		if (J.k->tx_used[i])
			out("tx %u %u", J.k->tx[i].circuit,
			    J.k->tx[i].keys.epoch);
	}
	out("keys end");
}

/* One line; returns 1 on quit. */
static int line_in(char *s)
{
	static uint8_t p[OSM_MAX_PAYLOAD];
	unsigned long count = 1, interval = 0;
	unsigned long c;
	char *rest;
	int n;

	s[strcspn(s, "\r\n")] = '\0';
	if (!strcmp(s, "quit"))
		return 1;
	if (!strcmp(s, "keys")) {
		keys_list();
		return 0;
	}
	if (!strcmp(s, "stats")) {	/* frames lost before we read them */
		static uint64_t drops;

		osm_pkt_drops(J.fd, &drops);
		out("stats socket_drops %llu", (unsigned long long)drops);
		return 0;
	}
	if (!strncmp(s, "burst ", 6)) {
		if (sscanf(s + 6, "%lu %lu %lu %n", &c, &count, &interval,
			   &n) < 3 || !count) {
			out("error usage: burst ID COUNT INTERVAL_US TEXT");
			return 0;
		}
		rest = s + 6 + n;
		goto text;
	}
	if (!strncmp(s, "send-hex ", 9)) {
		c = strtoul(s + 9, &rest, 10);
		n = rest > s + 9 && *rest == ' ' ?
		    osm_hex_parse(rest + 1, p, sizeof(p)) : -1;
		if (n < 0) {
			out("error usage: send-hex ID HEX (at most %d bytes)",
			    OSM_MAX_PAYLOAD);
			return 0;
		}
		send_data((uint32_t)c, p, (size_t)n, 1, 0);
		return 0;
	}
	if (!strncmp(s, "send ", 5)) {
		c = strtoul(s + 5, &rest, 10);
		if (rest == s + 5 || *rest != ' ') {
			out("error usage: send ID TEXT");
			return 0;
		}
		rest++;
		goto text;
	}
	if (*s)
		out("error unknown command (send, send-hex, burst, keys, "
		    "stats, quit)");
	return 0;
text:
	if (c > UINT32_MAX || strlen(rest) > OSM_MAX_PAYLOAD) {
		out("error bad circuit, or text over %d bytes",
		    OSM_MAX_PAYLOAD);
		return 0;
	}
	send_data((uint32_t)c, (const uint8_t *)rest, strlen(rest), count,
		  interval);
	return 0;
}

/* ---- setup ------------------------------------------------------------------ */

static int read_blob(const char *path, struct osm_fw_blob *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	ssize_t n;

	if (fd < 0)
		return osm_err("blob %s: %s", path, strerror(errno));
	err = osm_arg_key_fd_ok(fd);
	if (err) {
		close(fd);
		return osm_err("blob %s: %s", path, osm_arg_strerror(err));
	}
	n = read(fd, b, sizeof(*b));
	close(fd);
	if (n != (ssize_t)sizeof(*b) || osm_fw_blob_check(b))
		return osm_err("blob %s: not a provisioning blob (180 bytes, "
			       "osm-fabric device provision)", path);
	return 0;
}

int osm_endpoint_join(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "blob", required_argument, NULL, 'b' },
		{ "state", required_argument, NULL, 's' },
		{ "ack-delay-ms", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static char line[LINE_MAX_LEN];
	const char *blob = NULL;
	uint8_t buf[FRAME_MAX];
	struct keyring *k;
	struct pollfd p[2];
	size_t len = 0;
	uint64_t v, now;
	int c, n, in_open = 1, rc = 0;
	unsigned i;

	optind = 1;
	opterr = 0;	/* one line of ours */
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'b': blob = optarg; break;
		case 's': J.state = optarg; break;
		case 'a':
			if (osm_arg_u64(optarg, 60000, &v))
				return osm_err("bad --ack-delay-ms '%s' "
					       "(0..60000)", optarg);
			J.ack_delay = (unsigned)v;
			break;
		case 'h':
			printf("usage: osm-endpoint join IFNAME --blob FILE "
			       "--state FILE [--ack-delay-ms N]\n");
			return 0;
		default:
			return osm_err("join: unknown option '%s'",
				       argv[optind - 1]);
		}
	}
	if (optind != argc - 1 || !blob || !J.state)
		return osm_err("usage: osm-endpoint join IFNAME --blob FILE "
			       "--state FILE [--ack-delay-ms N]");
	k = sodium_malloc(sizeof(*k));	/* guarded, locked */
	if (!k)
		return osm_err("join: cannot allocate locked memory");
	memset(k, 0, sizeof(*k));
	J.k = k;
	if (read_blob(blob, &k->blob)) {
		sodium_free(k);
		return 1;
	}
	J.fd = osm_pkt_open(argv[optind], 0, J.mac);
	if (J.fd < 0) {
		sodium_free(k);
		return osm_err("join: %s: %s", argv[optind],
			       J.fd == -ENODEV ? "no such interface" :
			       strerror(-J.fd));
	}
	if (start_session()) {
		rc = 1;
		goto out;
	}
	for (;;) {
		/* wake for the next HELLO or held ACK that is due */
		now = now_ms();
		v = now + 1000;
		if (!J.joined && J.last_hello + HELLO_MS < v)
			v = J.last_hello + HELLO_MS;
		for (i = 0; i < J.nheld; i++)
			if (J.held[i].due_ms < v)
				v = J.held[i].due_ms;
		n = v > now ? (int)(v - now) : 0;
		if (J.burst.left) {	/* the next frame of the burst */
			uint64_t u = now_us();

			if (J.burst.next_us <= u)
				n = 0;
			else if ((J.burst.next_us - u) / 1000 < (uint64_t)n)
				n = (int)((J.burst.next_us - u) / 1000);
		}
		p[0] = (struct pollfd){ .fd = J.fd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = in_open ? 0 : -1,
					.events = POLLIN };
		if (poll(p, 2, n) < 0 && errno != EINTR)
			break;
		now = now_ms();
		if (!J.joined && now >= J.last_hello + HELLO_MS)
			send_hello();
		for (i = 0; i < J.nheld;) {
			if (J.held[i].due_ms <= now) {
				ack(J.held[i].seq, J.held[i].status);
				J.held[i] = J.held[--J.nheld];
			} else {
				i++;
			}
		}
		if (p[0].revents & POLLIN) {
			while ((n = osm_pkt_recv(J.fd, buf, sizeof(buf), 0)) >
			       0)
				frame_in(buf, (size_t)n);
		}
		burst_run();
		if (p[1].revents & (POLLIN | POLLHUP)) {
			n = (int)read(0, line + len, sizeof(line) - 1 - len);
			if (n <= 0) {
				in_open = 0;	/* no more commands: run on */
				continue;
			}
			len += (size_t)n;
			line[len] = '\0';
			char *nl, *s = line;

			while ((nl = strchr(s, '\n'))) {
				*nl = '\0';
				if (line_in(s))
					goto out;
				s = nl + 1;
			}
			len = strlen(s);
			memmove(line, s, len + 1);
			if (len == sizeof(line) - 1) {
				out("error line too long");
				len = 0;
			}
		}
	}
out:
	close(J.fd);
	sodium_free(k);		/* wipes */
	return rc;
}
