// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-pktgen: send valid and hostile circuit frames at rate on an
 * interface (AF_XDP or AF_PACKET), show the achieved rate, and write the
 * same frames to a pcap file. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include <jansson.h>
#include <sodium.h>
#include "osm_err.h"
#include "osm_hex.h"
#include "osm_keys.h"
#include "osm_packet.h"
#include "pktgen.h"

static const char usage[] =
"usage: osm-pktgen [-i DEV] [-w FILE] [options]\n"
"Send circuit frames on DEV and/or write them to a pcap FILE.\n"
"  -i, --dev DEV          interface to send on\n"
"  -m, --mode MODE        xdp (AF_XDP, default) or packet (AF_PACKET)\n"
"  -q, --queue N          AF_XDP queue (default 0)\n"
"  -w, --pcap FILE        also write every frame to FILE (pcap)\n"
"  -n, --count N          stop after N frames\n"
"  -d, --duration SEC     stop after SEC seconds\n"
"  -r, --rate PPS         frames per second (default: as fast as possible)\n"
"  -s, --size BYTES       bytes of a data frame, 58..1558 (default 64)\n"
"  -c, --circuit ID       first circuit id (default 1)\n"
"  -C, --circuits N       circuits ID..ID+N-1, round robin (default 1)\n"
"  -e, --epoch N          key epoch (default 1)\n"
"      --seq N            first sequence number (default: realtime in ns,\n"
"                         so that every run is fresh)\n"
"      --secret HEX       32-byte parent secret: keys of each circuit are\n"
"                         derived with osm_kdf_circuit(secret, id, epoch)\n"
"      --hop-key HEX      16-byte hop key  } the same keys for\n"
"      --e2e-key HEX      32-byte e2e key  } every circuit\n"
"      --src MAC          source address (default: DEV's, or 02:00:00:00:00:01)\n"
"      --dst MAC          destination address (default 02:00:00:00:00:02)\n"
"  -t, --type TYPE        data (default) or ctrl (control messages)\n"
"      --mix SPEC         weights of frame kinds, e.g. valid=90,bad_tag=5,\n"
"                         replay=5; kinds: valid bad_tag replay unknown\n"
"                         truncated random stale_epoch (default: valid)\n"
"      --plaintext-ctrl   pcap copies of control frames carry the message in\n"
"                         clear with flags 0x80 (test mode, for tools/osm.lua)\n"
"      --seed N           seed of the random choices (default 1)\n"
"      --quiet            no progress line\n"
"  -j, --json             JSON summary\n";

enum {
	O_SEQ = 256, O_SECRET, O_HOP, O_E2E, O_SRC, O_DST, O_MIX, O_PLAIN,
	O_SEED, O_QUIET,
};

static const struct option long_opts[] = {
	{ "dev", required_argument, NULL, 'i' },
	{ "mode", required_argument, NULL, 'm' },
	{ "queue", required_argument, NULL, 'q' },
	{ "pcap", required_argument, NULL, 'w' },
	{ "count", required_argument, NULL, 'n' },
	{ "duration", required_argument, NULL, 'd' },
	{ "rate", required_argument, NULL, 'r' },
	{ "size", required_argument, NULL, 's' },
	{ "circuit", required_argument, NULL, 'c' },
	{ "circuits", required_argument, NULL, 'C' },
	{ "epoch", required_argument, NULL, 'e' },
	{ "type", required_argument, NULL, 't' },
	{ "seq", required_argument, NULL, O_SEQ },
	{ "secret", required_argument, NULL, O_SECRET },
	{ "hop-key", required_argument, NULL, O_HOP },
	{ "e2e-key", required_argument, NULL, O_E2E },
	{ "src", required_argument, NULL, O_SRC },
	{ "dst", required_argument, NULL, O_DST },
	{ "mix", required_argument, NULL, O_MIX },
	{ "plaintext-ctrl", no_argument, NULL, O_PLAIN },
	{ "seed", required_argument, NULL, O_SEED },
	{ "quiet", no_argument, NULL, O_QUIET },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

struct opts {
	const char *dev, *pcap;
	enum pg_mode mode;
	unsigned int queue;
	uint64_t count, rate, seq0, seed;
	double duration;
	size_t size;
	uint32_t circuit, ncirc, epoch;
	uint8_t type;
	int have_secret, have_hop, have_e2e, have_src, have_seq;
	int plaintext, quiet, json;
	unsigned int mix[PG_KIND_MAX];
	uint8_t src[6], dst[6];
	/* Key material: wiped as soon as the circuits hold their keys. */
	uint8_t secret[32], hop[OSM_HOP_KEY_LEN], e2e[OSM_E2E_KEY_LEN];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}


static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Parse exactly len bytes of hex key, then wipe the argument so that the
 * key does not stay readable in /proc/PID/cmdline. */
static int parse_key(char *arg, uint8_t *out, size_t len)
{
	int n = osm_hex_parse(arg, out, len);

	sodium_memzero(arg, strlen(arg));
	return n == (int)len ? 0 : -EINVAL;
}

static void keys_of(struct osm_keys *k, uint32_t id, void *arg)
{
	const struct opts *o = arg;

	if (o->have_secret) {
		osm_kdf_circuit(k, o->secret, id, o->epoch);
		return;
	}
	k->epoch = o->epoch;
	memcpy(k->hop, o->hop, sizeof(k->hop));
	memcpy(k->e2e, o->e2e, sizeof(k->e2e));
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	uint64_t v;
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->size = 64;
	o->circuit = 1;
	o->ncirc = 1;
	o->epoch = 1;
	o->seed = 1;
	o->type = OSM_T_DATA;
	o->mix[PG_VALID] = 1;
	osm_mac_parse("02:00:00:00:00:01", o->src);
	osm_mac_parse("02:00:00:00:00:02", o->dst);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:m:q:w:n:d:r:s:c:C:e:t:jh",
				long_opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->dev = optarg;
			break;
		case 'm':
			if (!strcmp(optarg, "xdp"))
				o->mode = PG_MODE_XDP;
			else if (!strcmp(optarg, "packet"))
				o->mode = PG_MODE_PACKET;
			else
				return osm_err("unknown mode '%s' (xdp, packet)",
					   optarg);
			break;
		case 'q':
			if (parse_u64(optarg, 0xffff, &v))
				return osm_err("bad queue '%s'", optarg);
			o->queue = (unsigned int)v;
			break;
		case 'w':
			o->pcap = optarg;
			break;
		case 'n':
			if (parse_u64(optarg, UINT64_MAX, &o->count) ||
			    !o->count)
				return osm_err("bad count '%s'", optarg);
			break;
		case 'd':
			errno = 0;
			o->duration = strtod(optarg, &end);
			if (errno || *end || end == optarg ||
			    !(o->duration > 0 && o->duration < 1e7))
				return osm_err("bad duration '%s'", optarg);
			break;
		case 'r':
			if (parse_u64(optarg, 1000000000, &o->rate) || !o->rate)
				return osm_err("bad rate '%s'", optarg);
			break;
		case 's':
			if (parse_u64(optarg, PG_FRAME_MAX, &v) ||
			    v < PG_FRAME_MIN)
				return osm_err("size '%s' is not in %d..%d", optarg,
					   PG_FRAME_MIN, PG_FRAME_MAX);
			o->size = (size_t)v;
			break;
		case 'c':
			if (parse_u64(optarg, UINT32_MAX, &v))
				return osm_err("bad circuit id '%s'", optarg);
			o->circuit = (uint32_t)v;
			break;
		case 'C':
			if (parse_u64(optarg, OSM_MAX_CIRCUITS, &v) || !v)
				return osm_err("circuit count '%s' is not in 1..%d",
					   optarg, OSM_MAX_CIRCUITS);
			o->ncirc = (uint32_t)v;
			break;
		case 'e':
			if (parse_u64(optarg, UINT32_MAX - 2, &v))
				return osm_err("bad epoch '%s'", optarg);
			o->epoch = (uint32_t)v;
			break;
		case 't':
			if (!strcmp(optarg, "data"))
				o->type = OSM_T_DATA;
			else if (!strcmp(optarg, "ctrl"))
				o->type = OSM_T_CTRL;
			else
				return osm_err("unknown type '%s' (data, ctrl)",
					   optarg);
			break;
		case O_SEQ:
			if (parse_u64(optarg, OSM_SEQ_INVALID - 2, &o->seq0))
				return osm_err("bad sequence number '%s'", optarg);
			o->have_seq = 1;
			break;
		case O_SECRET:
			if (parse_key(optarg, o->secret, sizeof(o->secret)))
				return osm_err("--secret needs 32 bytes of hex");
			o->have_secret = 1;
			break;
		case O_HOP:
			if (parse_key(optarg, o->hop, sizeof(o->hop)))
				return osm_err("--hop-key needs 16 bytes of hex");
			o->have_hop = 1;
			break;
		case O_E2E:
			if (parse_key(optarg, o->e2e, sizeof(o->e2e)))
				return osm_err("--e2e-key needs 32 bytes of hex");
			o->have_e2e = 1;
			break;
		case O_SRC:
			if (osm_mac_parse(optarg, o->src))
				return osm_err("bad MAC address '%s'", optarg);
			o->have_src = 1;
			break;
		case O_DST:
			if (osm_mac_parse(optarg, o->dst))
				return osm_err("bad MAC address '%s'", optarg);
			break;
		case O_MIX:
			if (pg_mix_parse(optarg, o->mix))
				return osm_err("bad mix '%s' (e.g. valid=90,bad_tag=10)",
					   optarg);
			break;
		case O_PLAIN:
			o->plaintext = 1;
			break;
		case O_SEED:
			if (parse_u64(optarg, UINT64_MAX, &o->seed))
				return osm_err("bad seed '%s'", optarg);
			break;
		case O_QUIET:
			o->quiet = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		case ':':
			return osm_err("option '%s' needs a value", argv[optind - 1]);
		default:
			return osm_err("unknown option '%s' (see --help)",
				   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return osm_err("unexpected argument '%s'", argv[optind]);
	if (!o->dev && !o->pcap)
		return osm_err("nothing to do: give -i DEV, -w FILE or both");
	if (o->have_secret && (o->have_hop || o->have_e2e))
		return osm_err("give --secret or --hop-key/--e2e-key, not both");
	if (!o->have_secret && !(o->have_hop && o->have_e2e))
		return osm_err("no keys: give --secret, or --hop-key and --e2e-key");
	if (!o->dev && !o->count)
		return osm_err("writing only a pcap needs --count");
	if (!o->dev && o->mode != PG_MODE_NONE)
		return osm_err("--mode needs -i DEV");
	if (o->plaintext && (o->type != OSM_T_CTRL || !o->pcap))
		return osm_err("--plaintext-ctrl needs --type ctrl and --pcap");
	if (o->type == OSM_T_CTRL && o->size != 64)
		return osm_err("--size applies to data frames only");
	if ((uint64_t)o->circuit + o->ncirc > UINT32_MAX)
		return osm_err("circuit ids %u + %u run past 2^32 - 1", o->circuit,
			   o->ncirc);
	if (o->dev && o->mode == PG_MODE_NONE)
		o->mode = PG_MODE_XDP;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * OSM_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static const char *mode_name(enum pg_mode m)
{
	return m == PG_MODE_XDP ? "xdp" : m == PG_MODE_PACKET ? "packet" :
	       "pcap";
}

struct run {
	uint64_t frames, bytes;
	double secs;
};

static void summary(const struct opts *o, const struct pg_gen *g,
		    const struct run *r, uint64_t errors)
{
	double pps = r->secs > 0 ? (double)r->frames / r->secs : 0;
	double bps = r->secs > 0 ? (double)r->bytes * 8 / r->secs : 0;
	json_t *j, *kinds, *expect;
	int k;

	if (o->json) {
		kinds = json_object();
		expect = json_object();
		for (k = 0; k < PG_KIND_MAX; k++)
			json_object_set_new(kinds, pg_kind_name(k),
				json_integer((json_int_t)g->kinds[k]));
		for (k = 0; k < OSM_REASON_MAX; k++)
			if (g->expect[k])
				json_object_set_new(expect, osm_reason_name(k),
					json_integer((json_int_t)g->expect[k]));
		j = json_pack("{s:s?, s:s, s:s?, s:I, s:I, s:f, s:f, s:f, s:I,"
			      " s:o, s:o}",
			      "dev", o->dev, "mode", mode_name(o->mode),
			      "pcap", o->pcap, "frames", (json_int_t)r->frames,
			      "bytes", (json_int_t)r->bytes, "seconds", r->secs,
			      "pps", round(pps), "bps", round(bps),
			      "errors", (json_int_t)errors, "kinds", kinds,
			      "expect", expect);
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
		return;
	}
	printf("sent %llu frames, %llu bytes in %.3f s on %s (%s): "
	       "%.0f pps, %.3f Gbit/s, %llu errors\n",
	       (unsigned long long)r->frames, (unsigned long long)r->bytes,
	       r->secs, o->dev ? o->dev : "-", mode_name(o->mode), pps,
	       bps / 1e9, (unsigned long long)errors);
	printf("kinds: ");
	for (k = 0; k < PG_KIND_MAX; k++)
		printf(" %s %llu", pg_kind_name(k),
		       (unsigned long long)g->kinds[k]);
	printf("\nexpect:");
	for (k = 0; k < OSM_REASON_MAX; k++)
		if (g->expect[k])
			printf(" %s %llu", osm_reason_name(k),
			       (unsigned long long)g->expect[k]);
	printf("\n");
}

static void dump(pcap_dumper_t *d, const uint8_t *frame, int len)
{
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)len,
				 .len = (bpf_u_int32)len };
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	h.ts.tv_sec = ts.tv_sec;
	h.ts.tv_usec = ts.tv_nsec / 1000;
	pcap_dump((u_char *)d, &h, frame);
}

/* Generate and send until a limit, a signal or an error. */
static int run(const struct opts *o, struct pg_gen *g, struct pg_tx *tx,
	       pcap_dumper_t *d, struct run *r)
{
	static uint8_t local[64][PG_FRAME_MAX], clear[PG_FRAME_MAX];
	uint8_t *bufs[64];
	int lens[64], i, n, want, reason, clen, e;
	double t0 = now_s(), t, last = t0, allowed;
	uint64_t last_frames = 0;

	for (;;) {
		t = now_s();
		r->secs = t - t0;
		if (stop || (o->count && r->frames >= o->count) ||
		    (o->duration && r->secs >= o->duration))
			break;
		if (!o->quiet && o->dev && t - last >= 1.0) {
			fprintf(stderr, "osm-pktgen: %.0f s: %llu frames, "
				"%.3f Mpps\n", r->secs,
				(unsigned long long)r->frames,
				(double)(r->frames - last_frames) /
				(t - last) / 1e6);
			last = t;
			last_frames = r->frames;
		}
		want = 64;
		if (o->count && o->count - r->frames < (uint64_t)want)
			want = (int)(o->count - r->frames);
		if (o->rate) {
			allowed = (double)o->rate * r->secs + 1 -
				  (double)r->frames;
			if (allowed < 1) {
				struct timespec ts = { 0, 20000 };

				nanosleep(&ts, NULL);
				continue;
			}
			if (allowed < want)
				want = (int)allowed;
		}
		if (tx) {
			n = pg_tx_reserve(tx, bufs, want);
			if (n < 0)
				return osm_err("sending on %s: %s", o->dev,
					   strerror(-n));
			if (n == 0)
				continue;
		} else {
			n = want;
			for (i = 0; i < n; i++)
				bufs[i] = local[i];
		}
		for (i = 0; i < n; i++) {
			lens[i] = pg_gen_next(g, bufs[i], &reason,
					      o->plaintext ? clear : NULL,
					      &clen);
			r->bytes += (uint64_t)lens[i];
			if (d)
				dump(d, clen ? clear : bufs[i],
				     clen ? clen : lens[i]);
		}
		if (tx) {
			e = pg_tx_submit(tx, lens, n);
			if (e)
				return osm_err("sending on %s: %s", o->dev,
					   strerror(-e));
		}
		r->frames += (uint64_t)n;
	}
	if (tx)
		pg_tx_drain(tx, 1000);
	r->secs = now_s() - t0;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct pg_gen g = { 0 };
	struct pg_tx *tx = NULL;
	struct run r = { 0 };
	pcap_t *dead = NULL;
	pcap_dumper_t *d = NULL;
	const char *why;
	int ret = 1, e, fd;

	if (sodium_init() < 0)
		return osm_err("libsodium failed to initialise");
	e = parse_opts(argc, argv, &o);
	if (e)
		goto out;
	if (o.dev && !o.have_src) {
		fd = osm_pkt_open(o.dev, 0, o.src);
		if (fd < 0) {
			ret = osm_err("%s: %s", o.dev, strerror(-fd));
			goto out;
		}
		close(fd);
	}
	e = pg_gen_init(&g, o.circuit, o.ncirc, o.src, o.dst, o.type, o.size,
			o.have_seq ? o.seq0 : realtime_ns(), o.mix, keys_of,
			&o, o.seed);
	osm_wipe(o.secret, sizeof(o.secret));
	osm_wipe(o.hop, sizeof(o.hop));
	osm_wipe(o.e2e, sizeof(o.e2e));
	if (e) {
		ret = osm_err("cannot set up circuits: %s", strerror(-e));
		goto out;
	}
	if (o.dev) {
		e = pg_tx_open(&tx, o.mode, o.dev, o.queue, &why);
		if (e) {
			ret = osm_err("%s on %s: %s", why, o.dev, strerror(-e));
			goto out;
		}
	}
	if (o.pcap) {
		dead = pcap_open_dead(DLT_EN10MB, 65535);
		d = dead ? pcap_dump_open(dead, o.pcap) : NULL;
		if (!d) {
			ret = osm_err("cannot write %s: %s", o.pcap,
				  dead ? pcap_geterr(dead) : "pcap_open_dead");
			goto out;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (run(&o, &g, tx, d, &r))
		goto out;
	if (d && pcap_dump_flush(d)) {
		ret = osm_err("cannot write %s", o.pcap);
		goto out;
	}
	summary(&o, &g, &r, tx ? pg_tx_errors(tx) : 0);
	ret = 0;
out:
	if (d)
		pcap_dump_close(d);
	if (dead)
		pcap_close(dead);
	pg_tx_close(tx);
	pg_gen_free(&g);
	osm_wipe(&o, sizeof(o));
	return ret;
}
