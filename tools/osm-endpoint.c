// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-endpoint: a host endpoint of one circuit on one interface. `send`
 * seals frames (or sends raw hex) and prints each frame it sent; `recv`
 * opens what arrives and prints it, so tests can compare byte for byte;
 * `join` is a whole device on the control protocol (endpoint_join.c). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "osm_endpoint.h"
#include "osm_version.h"
#include "osm_err.h"
#include "osm_hex.h"
#include "osm_arg.h"
#include "osm_keys.h"
#include "osm_packet.h"
#include "endpoint_join.h"

#define FRAME_MAX (OSM_FRAME_HDR_LEN + OSM_MAX_PAYLOAD + 64)

static void usage(FILE *f)
{
	fprintf(f,
"usage: osm-endpoint send IFNAME --circuit ID --epoch E KEYS [--seq N]\n"
"                    [--count N] [--payload TEXT | --payload-hex HEX]\n"
"                    [--src MAC] [--dst MAC] [--ctrl] [--interval-us N] [-q]\n"
"                    [--json]\n"
"       osm-endpoint send IFNAME --frame HEX [--count N] [-q] [--json]\n"
"       osm-endpoint recv IFNAME --circuit ID --epoch E KEYS [--count N]\n"
"                    [--timeout MS] [--json]\n"
"       osm-endpoint recv IFNAME --raw [--count N] [--timeout MS] [--json]\n"
"       osm-endpoint join IFNAME --blob FILE --state FILE [--ack-delay-ms N]\n"
"KEYS: --hop-key-file FILE --e2e-key-file FILE (16 and 32 bytes, raw or hex;\n"
"the caller's, closed to group and others; - reads stdin; never a key on\n"
"the command line)\n"
"send prints 'sent SEQ FRAME-HEX' per frame. recv prints, per circuit frame\n"
"that arrives, 'frame FRAME-HEX' and then 'ok SEQ EPOCH PAYLOAD-HEX' or\n"
"'drop REASON SEQ'; --json (-j): one JSON object a frame instead.\n"
"--count: stop after N good frames (--raw: N frames); --timeout: give up\n"
"after MS milliseconds (exit 1 if --count was not met).\n"
"join: a device on the control protocol, provisioned with the blob of\n"
"`osm-fabric device provision`, its session counter in the state file;\n"
"driven by lines on stdin (send ID TEXT, send-hex ID HEX, burst ID N\n"
"INTERVAL_US TEXT, keys, quit), reporting on stdout (osm-endpoint(1)).\n");
}

struct opts {
	const char *ifname, *hop_file, *e2e_file, *payload;
	const char *payload_hex, *src, *dst, *raw;
	int raw_recv, quiet, json, ctrl, have_circuit, have_epoch;
	uint32_t circuit, epoch;
	uint64_t seq, count, timeout_ms, interval_us;
};

/* A number argument no greater than max, or one error line. */
static int num(const char *s, const char *what, uint64_t max, uint64_t *v)
{
	int err = osm_arg_u64(s, max, v);

	if (err == -ERANGE)
		return osm_err("bad %s '%s' (too large)", what, s);
	return err ? osm_err("bad %s '%s'", what, s) : 0;
}

static int num32(const char *s, const char *what, uint32_t *v)
{
	uint64_t x;

	if (num(s, what, UINT32_MAX, &x))
		return 1;
	*v = (uint32_t)x;
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "circuit", required_argument, NULL, 'c' },
		{ "epoch", required_argument, NULL, 'e' },
		{ "hop-key-file", required_argument, NULL, 'K' },
		{ "hop-key", required_argument, NULL, 'k' },	/* refused */
		{ "e2e-key-file", required_argument, NULL, 'X' },
		{ "e2e-key", required_argument, NULL, 'x' },	/* refused */
		{ "seq", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "payload", required_argument, NULL, 'p' },
		{ "payload-hex", required_argument, NULL, 'P' },
		{ "src", required_argument, NULL, 'S' },
		{ "dst", required_argument, NULL, 'D' },
		{ "ctrl", no_argument, NULL, 'C' },
		{ "interval-us", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ "raw", no_argument, NULL, 'r' },
		{ "frame", required_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->seq = osm_seq_fresh();	/* a new run never reuses a number */
	opterr = 0;	/* one line of ours */
	while ((c = getopt_long(argc, argv, "qjh", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (num32(optarg, "circuit id", &o->circuit))
				return 1;
			o->have_circuit = 1;
			break;
		case 'e':
			if (num32(optarg, "epoch", &o->epoch))
				return 1;
			o->have_epoch = 1;
			break;
		case 'K': o->hop_file = optarg; break;
		case 'k':
			return osm_arg_key_refused("--hop-key", optarg,
						   "--hop-key-file");
		case 'x':
			return osm_arg_key_refused("--e2e-key", optarg,
						   "--e2e-key-file");
		case 'X': o->e2e_file = optarg; break;
		case 's':
			if (num(optarg, "sequence number", UINT64_MAX, &o->seq))
				return 1;
			break;
		case 'n':
			if (num(optarg, "count", UINT64_MAX, &o->count))
				return 1;
			break;
		case 'p': o->payload = optarg; break;
		case 'P': o->payload_hex = optarg; break;
		case 'S': o->src = optarg; break;
		case 'D': o->dst = optarg; break;
		case 'C': o->ctrl = 1; break;
		case 'i':
			if (num(optarg, "interval", 10000000, &o->interval_us))
				return 1;
			break;
		case 't':
			if (num(optarg, "timeout", 86400000, &o->timeout_ms))
				return 1;
			break;
		case 'r': o->raw_recv = 1; break;
		case 'F': o->raw = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'j': o->json = 1; break;
		case 'h': usage(stdout); return -1;
		default:
			return osm_err("bad option '%s' (try 'osm-endpoint "
				       "--help')", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return osm_err("need exactly one interface name");
	o->ifname = argv[optind];
	return 0;
}

static int key(const char *file, const char *what, uint8_t *out,
	       size_t len)
{
	int err;

	if (!file)
		return osm_err("give the %s key with --%s-key-file FILE", what,
			       what);
	err = osm_arg_key_file(file, out, len);
	if (err == -EMSGSIZE)
		return osm_err("%s key file '%s': need %zu bytes (raw or hex)",
			       what, file, len);
	if (err)
		return osm_err("%s key file '%s': %s", what, file,
			       osm_arg_strerror(err));
	return 0;
}

static int keys(const struct opts *o, struct osm_keys *k)
{
	if (!o->have_circuit || !o->have_epoch)
		return osm_err("--circuit and --epoch are required");
	k->epoch = o->epoch;
	if (key(o->hop_file, "hop", k->hop, sizeof(k->hop)) ||
	    key(o->e2e_file, "e2e", k->e2e, sizeof(k->e2e)))
		return 1;
	return 0;
}

static int open_if(const char *ifname, uint8_t mac[6])
{
	int fd = osm_pkt_open(ifname, 0, mac);

	if (fd == -ENODEV)
		return -osm_err("no such interface '%s'", ifname);
	if (fd < 0)
		return -osm_err("cannot open '%s': %s", ifname,
				 strerror(-fd));
	return fd;
}

static char *hex(const uint8_t *p, size_t len)
{
	char *s = malloc(2 * len + 1);

	if (!s)
		abort();
	osm_hex_format(s, p, len);
	return s;
}

/* A sent frame: "sent SEQ HEX", or {"sent":SEQ,"frame":"HEX"}. */
static void print_sent(const struct opts *o, uint64_t seq,
		       const uint8_t *frame, size_t n)
{
	char *f = hex(frame, n);

	if (o->json)
		printf("{\"sent\":%llu,\"frame\":\"%s\"}\n",
		       (unsigned long long)seq, f);
	else
		printf("sent %llu %s\n", (unsigned long long)seq, f);
	free(f);
}

/* A received frame and what opening it gave (r < 0: --raw, not opened).
 * Text: "frame HEX", then "ok SEQ EPOCH PAYLOAD" or "drop REASON SEQ".
 * JSON: one object a frame: {"frame":HEX} under --raw, else with
 * "result" ("ok" or the drop reason), "seq", and if ok "epoch" and
 * "payload" (hex needs no escaping). */
static void print_recv(const struct opts *o, const uint8_t *frame, size_t n,
		       int r, const struct osm_frame *f, const uint8_t *out,
		       size_t out_len)
{
	unsigned long long seq = r < 0 || r == OSM_DROP_MALFORMED ||
				 r == OSM_DROP_VERSION ? 0 : f->seq;
	char *fh = hex(frame, n), *ph = r == OSM_OK ? hex(out, out_len) : NULL;

	if (!o->json) {
		printf("frame %s\n", fh);
		if (r == OSM_OK)
			printf("ok %llu %u %s\n", seq, f->epoch, ph);
		else if (r > 0)
			printf("drop %s %llu\n", osm_reason_name(r), seq);
	} else if (r < 0) {
		printf("{\"frame\":\"%s\"}\n", fh);
	} else if (r == OSM_OK) {
		printf("{\"frame\":\"%s\",\"result\":\"ok\",\"seq\":%llu,"
		       "\"epoch\":%u,\"payload\":\"%s\"}\n", fh, seq, f->epoch,
		       ph);
	} else {
		printf("{\"frame\":\"%s\",\"result\":\"%s\",\"seq\":%llu}\n",
		       fh, osm_reason_name(r), seq);
	}
	free(fh);
	free(ph);
}

static int cmd_send(int argc, char **argv)
{
	static uint8_t frame[FRAME_MAX], payload[OSM_MAX_PAYLOAD];
	struct osm_tx tx = { .type = OSM_T_DATA };
	struct opts o;
	uint8_t ifmac[6];
	uint64_t i;
	int fd, n = 0, plen = 0, r, rc = 1;

	r = parse(argc, argv, &o);
	if (r)
		return r < 0 ? 0 : r;
	if (!o.count)
		o.count = 1;
	if (o.raw) {
		n = osm_hex_parse(o.raw, frame, sizeof(frame));
		if (n < OSM_ETH_HLEN)
			return osm_err("bad --frame (hex, at least %d bytes)",
					OSM_ETH_HLEN);
	} else {
		if (keys(&o, &tx.keys))
			goto out;
		if (o.payload && o.payload_hex) {
			osm_err("--payload or --payload-hex, not both");
			goto out;
		}
		if (o.payload) {
			plen = (int)strlen(o.payload);
			if (plen > OSM_MAX_PAYLOAD) {
				osm_err("payload over %d bytes",
					 OSM_MAX_PAYLOAD);
				goto out;
			}
			memcpy(payload, o.payload, (size_t)plen);
		} else if (o.payload_hex) {
			plen = osm_hex_parse(o.payload_hex, payload,
					     sizeof(payload));
			if (plen < 0) {
				osm_err("bad --payload-hex");
				goto out;
			}
		}
		memset(tx.dst, 0xff, 6);
		if ((o.dst && osm_mac_parse(o.dst, tx.dst)) ||
		    (o.src && osm_mac_parse(o.src, tx.src))) {
			osm_err("bad MAC address '%s'",
				 o.dst && osm_mac_parse(o.dst, tx.dst) ?
				 o.dst : o.src);
			goto out;
		}
		tx.circuit = o.circuit;
		tx.type = o.ctrl ? OSM_T_CTRL : OSM_T_DATA;
		tx.next_seq = o.seq;
	}
	fd = open_if(o.ifname, ifmac);
	if (fd < 0)
		goto out;
	if (!o.raw && !o.src)
		memcpy(tx.src, ifmac, 6);
	for (i = 0; i < o.count; i++) {
		uint64_t seq = tx.next_seq;

		if (!o.raw) {
			n = osm_seal(&tx, payload, (size_t)plen, frame,
				     sizeof(frame));
			if (n < 0) {
				osm_err("cannot seal seq %llu: %s",
					 (unsigned long long)seq,
					 strerror(-n));
				goto close;
			}
		}
		r = osm_pkt_send(fd, frame, (size_t)n);
		if (r) {
			osm_err("send on '%s': %s", o.ifname, strerror(-r));
			goto close;
		}
		if (!o.quiet)
			print_sent(&o, seq, frame, (size_t)n);
		if (o.interval_us)
			usleep((useconds_t)o.interval_us);
	}
	rc = 0;
close:
	close(fd);
out:
	osm_wipe(&tx, sizeof(tx));
	return rc;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int cmd_recv(int argc, char **argv)
{
	static uint8_t frame[FRAME_MAX], out[OSM_MAX_PAYLOAD];
	static struct osm_rx rx;
	struct osm_keys k;
	struct osm_frame f;
	struct opts o;
	uint64_t got = 0, deadline = 0, now;
	size_t out_len;
	int fd, n, r, rc = 1, wait;

	r = parse(argc, argv, &o);
	if (r)
		return r < 0 ? 0 : r;
	if (!o.raw_recv) {
		if (keys(&o, &k))
			goto out;
		rx.circuit = o.circuit;
		osm_rx_set_keys(&rx, &k);
	}
	fd = open_if(o.ifname, NULL);
	if (fd < 0)
		goto out;
	if (o.timeout_ms)
		deadline = now_ms() + o.timeout_ms;
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!o.count || got < o.count) {
		wait = -1;
		if (deadline) {
			now = now_ms();
			if (now >= deadline)
				break;
			wait = (int)(deadline - now);
		}
		n = osm_pkt_recv(fd, frame, sizeof(frame), wait);
		if (n == 0)
			break;
		if (n == -EMSGSIZE)
			continue;
		if (n < 0) {
			osm_err("receive on '%s': %s", o.ifname,
				 strerror(-n));
			goto close;
		}
		if (o.raw_recv) {
			print_recv(&o, frame, (size_t)n, -1, NULL, NULL, 0);
			got++;
			continue;
		}
		r = osm_open(&rx, frame, (size_t)n, &f, out, sizeof(out),
			     &out_len);
		print_recv(&o, frame, (size_t)n, r, &f, out, out_len);
		if (r == OSM_OK)
			got++;
	}
	rc = 0;
	if (o.count && got < o.count) {
		uint64_t drops = 0;

		osm_pkt_drops(fd, &drops);
		rc = osm_err("timeout: %llu of %llu frames%s", (unsigned long
			     long)got, (unsigned long long)o.count, drops ?
			     " (and the socket dropped some: its receive "
			     "buffer was full)" : "");
	}
close:
	close(fd);
out:
	osm_wipe(&k, sizeof(k));
	osm_wipe(&rx, sizeof(rx));
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	if (!strcmp(argv[1], "--version")) {
		printf(OSM_VERSION_LINE("osm-endpoint"), OSM_VERSION);
		return 0;
	}
	if (sodium_init() < 0)
		return osm_err("libsodium failed to initialise");
	if (osm_keys_nodump())
		return osm_err("cannot keep keys out of core dumps");
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "recv"))
		return cmd_recv(argc - 1, argv + 1);
	if (!strcmp(argv[1], "join"))
		return osm_endpoint_join(argc - 1, argv + 1);
	return osm_err("unknown command '%s' (send, recv, join)", argv[1]);
}
