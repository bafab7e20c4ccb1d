// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-pktgen: send valid and hostile circuit frames at rate on an
 * interface (AF_XDP, AF_PACKET, or live frames made in the kernel on
 * several CPUs), show the achieved rate, and write the same frames to a
 * pcap file. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
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
#include "osm_arg.h"
#include "osm_err.h"
#include "osm_hex.h"
#include "osm_keys.h"
#include "osm_packet.h"
#include "osm_version.h"
#include "pktgen.h"
#include "live.h"

static const char usage[] =
"usage: osm-pktgen [-i DEV] [-w FILE] [options]\n"
"Send circuit frames on DEV and/or write them to a pcap FILE.\n"
"  -i, --dev DEV          interface to send on\n"
"  -m, --mode MODE        xdp (AF_XDP, default), packet (AF_PACKET) or live\n"
"                         (BPF_PROG_RUN with live frames: the kernel makes\n"
"                         each frame from one template, new sequence number\n"
"                         and hop tag, and sends it with XDP_TX; valid data\n"
"                         frames only, no pcap; the AEAD tag is the\n"
"                         template's, stale: switches forward the frames,\n"
"                         an endpoint would reject their payload; no --rate)\n"
"  -Q, --queue N          AF_XDP queue, or live frames' rx queue (default 0)\n"
"  -T, --threads N        live: N generating threads on the first N CPUs\n"
"                         (default 1)\n"
"      --cpus LIST        live: one generating thread on each CPU of LIST,\n"
"                         e.g. 0,1 or 0-3\n"
"      --batch N          live: frames per kernel batch, 1..256 (default 64)\n"
"      --spread           live: each CPU its own circuits and counter (CPU n\n"
"                         of k sends circuits n*N/k..(n+1)*N/k-1; needs\n"
"                         N >= k); without it every CPU sends every circuit\n"
"  -w, --pcap FILE        also write every frame to FILE (pcap)\n"
"  -n, --count N          stop after N frames\n"
"  -d, --duration SEC     stop after SEC seconds\n"
"  -r, --rate PPS         frames per second (default: as fast as possible)\n"
"  -s, --size BYTES       bytes of a data frame, 58..1558 (default 64)\n"
"  -c, --circuit ID       first circuit id (default 1)\n"
"  -C, --circuits N       circuits ID..ID+N-1, round robin, 1..131072\n"
"                         (default 1)\n"
"  -e, --epoch N          key epoch (default 1)\n"
"      --seq N            first sequence number (default: realtime in ns,\n"
"                         so that every run is fresh)\n"
"      --secret-file FILE 32-byte parent secret: keys of each circuit are\n"
"                         derived with osm_kdf_circuit(secret, id, epoch)\n"
"      --hop-key-file F   16-byte hop key  } the same keys for\n"
"      --e2e-key-file F   32-byte e2e key  } every circuit\n"
"                         (key files: raw or hex, the caller's, closed to\n"
"                         group and others; - reads stdin)\n"
"      --src MAC          source address (default: DEV's, or 02:00:00:00:00:01)\n"
"      --dst MAC          destination address (default 02:00:00:00:00:02)\n"
"  -t, --type TYPE        data (default) or ctrl (control messages)\n"
"      --mix SPEC         weights of frame kinds, e.g. valid=90,bad_tag=5,\n"
"                         replay=5; kinds: valid bad_tag replay unknown\n"
"                         truncated random stale_epoch (default: valid)\n"
"      --plaintext-ctrl   pcap copies of control frames carry the message in\n"
"                         clear with flags 0x80 (test mode, for tools/osm.lua)\n"
"      --seed N           seed of the random choices (default 1)\n"
"  -q, --quiet            no progress line\n"
"  -j, --json             JSON summary\n";

enum {
	O_SEQ = 256, O_SECRET, O_HOP, O_E2E, O_NO_SECRET, O_NO_HOP, O_NO_E2E, O_SRC, O_DST, O_MIX, O_PLAIN,
	O_SEED, O_CPUS, O_BATCH, O_SPREAD,
};

static const struct option long_opts[] = {
	{ "dev", required_argument, NULL, 'i' },
	{ "mode", required_argument, NULL, 'm' },
	{ "queue", required_argument, NULL, 'Q' },
	{ "threads", required_argument, NULL, 'T' },
	{ "cpus", required_argument, NULL, O_CPUS },
	{ "batch", required_argument, NULL, O_BATCH },
	{ "spread", no_argument, NULL, O_SPREAD },
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
	{ "secret-file", required_argument, NULL, O_SECRET },
	{ "hop-key-file", required_argument, NULL, O_HOP },
	{ "e2e-key-file", required_argument, NULL, O_E2E },
	/* refused: keys on the command line */
	{ "secret", required_argument, NULL, O_NO_SECRET },
	{ "hop-key", required_argument, NULL, O_NO_HOP },
	{ "e2e-key", required_argument, NULL, O_NO_E2E },
	{ "src", required_argument, NULL, O_SRC },
	{ "dst", required_argument, NULL, O_DST },
	{ "mix", required_argument, NULL, O_MIX },
	{ "plaintext-ctrl", no_argument, NULL, O_PLAIN },
	{ "seed", required_argument, NULL, O_SEED },
	{ "quiet", no_argument, NULL, 'q' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
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
	int cpus[PG_LIVE_MAX_CPUS], ncpus, nthreads;	/* live */
	unsigned int batch;				/* live */
	int spread;					/* live */
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

/* A key of len bytes from the file named by the option opt. */
static int read_key(const char *opt, const char *path, uint8_t *out,
		    size_t len)
{
	int err = osm_arg_key_file(path, out, len);

	if (err == -EMSGSIZE)
		return osm_err("%s %s: need %zu bytes (raw or hex)", opt, path,
			       len);
	if (err)
		return osm_err("%s %s: %s", opt, path,
			       osm_arg_strerror(err));
	return 0;
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

/* Parse a CPU list "0,2-3" into o->cpus; every CPU must be one this
 * process may run on. */
static int parse_cpus(const char *s, struct opts *o)
{
	cpu_set_t allowed;
	uint64_t a, b;
	const char *p = s;
	char *end;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return osm_err("sched_getaffinity: %s", strerror(errno));
	o->ncpus = 0;
	for (;;) {
		if (*p < '0' || *p > '9')
			return osm_err("bad CPU list '%s' (e.g. 0,1 or 0-3)", s);
		a = strtoull(p, &end, 10);
		b = a;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				return osm_err("bad CPU list '%s' (e.g. 0,1 or 0-3)",
					   s);
			b = strtoull(p, &end, 10);
		}
		if (b < a || b >= CPU_SETSIZE)
			return osm_err("bad CPU range in '%s'", s);
		for (; a <= b; a++) {
			if (!CPU_ISSET(a, &allowed))
				return osm_err("CPU %llu is not available here",
					   (unsigned long long)a);
			if (o->ncpus == PG_LIVE_MAX_CPUS)
				return osm_err("more than %d CPUs in '%s'",
					   PG_LIVE_MAX_CPUS, s);
			o->cpus[o->ncpus++] = (int)a;
		}
		if (!*end)
			return 0;
		if (*end != ',')
			return osm_err("bad CPU list '%s' (e.g. 0,1 or 0-3)", s);
		p = end + 1;
	}
}

/* The first n CPUs this process may run on. */
static int first_cpus(struct opts *o, int n)
{
	cpu_set_t allowed;
	int c;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return osm_err("sched_getaffinity: %s", strerror(errno));
	if (n > CPU_COUNT(&allowed))
		return osm_err("%d threads, but only %d CPUs here", n,
			   CPU_COUNT(&allowed));
	o->ncpus = 0;
	for (c = 0; c < CPU_SETSIZE && o->ncpus < n; c++)
		if (CPU_ISSET(c, &allowed))
			o->cpus[o->ncpus++] = c;
	return 0;
}

/* Options that -m live cannot honour, refused with one clear line. */
static int check_live(struct opts *o)
{
	int j, k;

	for (k = 0; k < PG_KIND_MAX; k++)
		if (k != PG_VALID && o->mix[k])
			return osm_err("-m live makes valid frames only: --mix %s "
				   "needs -m xdp or -m packet", pg_kind_name(k));
	if (o->type != OSM_T_DATA)
		return osm_err("-m live sends data frames only (--type ctrl "
			   "needs -m xdp or -m packet)");
	if (o->pcap)
		return osm_err("-m live makes frames in the kernel: no --pcap");
	if (o->rate)
		return osm_err("-m live sends as fast as it can: no --rate");
	if (o->ncpus && o->nthreads)
		return osm_err("give --threads or --cpus, not both");
	if (!o->ncpus && first_cpus(o, o->nthreads ? o->nthreads : 1))
		return 1;
	if (!o->spread)
		return 0;
	/* --spread: every CPU its own circuits, so at least one each. */
	if (o->ncirc < (uint32_t)o->ncpus)
		return osm_err("--spread gives each of %d CPUs its own circuits: "
			   "-C %u is too few", o->ncpus, o->ncirc);
	for (k = 1; k < o->ncpus; k++)
		for (j = 0; j < k; j++)
			if (o->cpus[j] == o->cpus[k])
				return osm_err("CPU %d twice in --cpus: --spread "
					   "gives each CPU its own circuits",
					   o->cpus[k]);
	return 0;
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
	while ((c = getopt_long(argc, argv, ":i:m:Q:T:w:n:d:r:s:c:C:e:t:qjh",
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
			else if (!strcmp(optarg, "live"))
				o->mode = PG_MODE_LIVE;
			else
				return osm_err("unknown mode '%s' (xdp, packet, live)",
					   optarg);
			break;
		case 'Q':
			if (parse_u64(optarg, 0xffff, &v))
				return osm_err("bad queue '%s'", optarg);
			o->queue = (unsigned int)v;
			break;
		case 'T':
			if (parse_u64(optarg, PG_LIVE_MAX_CPUS, &v) || !v)
				return osm_err("threads '%s' is not in 1..%d", optarg,
					   PG_LIVE_MAX_CPUS);
			o->nthreads = (int)v;
			break;
		case O_CPUS:
			if (parse_cpus(optarg, o))
				return 1;
			break;
		case O_SPREAD:
			o->spread = 1;
			break;
		case O_BATCH:
			if (parse_u64(optarg, 256, &v) || !v)
				return osm_err("batch '%s' is not in 1..256", optarg);
			o->batch = (unsigned int)v;
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
		case O_NO_SECRET:
			return osm_arg_key_refused("--secret", optarg,
						   "--secret-file");
		case O_NO_HOP:
			return osm_arg_key_refused("--hop-key", optarg,
						   "--hop-key-file");
		case O_NO_E2E:
			return osm_arg_key_refused("--e2e-key", optarg,
						   "--e2e-key-file");
		case O_SECRET:
			if (read_key("--secret-file", optarg, o->secret,
				     sizeof(o->secret)))
				return 1;
			o->have_secret = 1;
			break;
		case O_HOP:
			if (read_key("--hop-key-file", optarg, o->hop,
				     sizeof(o->hop)))
				return 1;
			o->have_hop = 1;
			break;
		case O_E2E:
			if (read_key("--e2e-key-file", optarg, o->e2e,
				     sizeof(o->e2e)))
				return 1;
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
		case 'q':
			o->quiet = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		case 'V':
			printf(OSM_VERSION_LINE("osm-pktgen"), OSM_VERSION);
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
		return osm_err("give --secret-file or --hop-key-file/"
			       "--e2e-key-file, not both");
	if (!o->have_secret && !(o->have_hop && o->have_e2e))
		return osm_err("no keys: give --secret-file, or --hop-key-file "
			       "and --e2e-key-file");
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
	if (o->mode == PG_MODE_LIVE)
		return check_live(o);
	if (o->ncpus || o->nthreads || o->batch || o->spread)
		return osm_err("--threads, --cpus, --batch and --spread need "
			   "-m live");
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *mode_name(enum pg_mode m)
{
	return m == PG_MODE_XDP ? "xdp" : m == PG_MODE_PACKET ? "packet" :
	       m == PG_MODE_LIVE ? "live" : "pcap";
}

struct run {
	uint64_t frames, bytes;
	double secs;
};

/* --spread: each generating CPU's circuits and frames, as JSON. */
static json_t *shares_json(const struct pg_live *l)
{
	struct pg_live_share sh;
	json_t *a = json_array();
	int t;

	for (t = 0; !pg_live_share(l, t, &sh); t++)
		json_array_append_new(a, json_pack("{s:i, s:I, s:I, s:I}",
			"cpu", sh.cpu, "first", (json_int_t)sh.first_id,
			"circuits", (json_int_t)sh.ncirc,
			"frames", (json_int_t)sh.frames));
	return a;
}

static void shares_text(const struct pg_live *l)
{
	struct pg_live_share sh;
	int t;

	for (t = 0; !pg_live_share(l, t, &sh); t++)
		printf("CPU %d: circuits %u..%u, %llu frames\n", sh.cpu,
		       sh.first_id, sh.first_id + sh.ncirc - 1,
		       (unsigned long long)sh.frames);
}

static void summary(const struct opts *o, const struct pg_gen *g,
		    const struct run *r, uint64_t errors, double prog_ns,
		    const struct pg_live *l)
{
	double pps = r->secs > 0 ? (double)r->frames / r->secs : 0;
	double bps = r->secs > 0 ? (double)r->bytes * 8 / r->secs : 0;
	/* Live frames keep the template's AEAD tag: see --help. */
	const char *aead = o->mode == PG_MODE_LIVE ? "stale" : "fresh";
	json_t *j, *kinds, *expect, *cpus = NULL, *pns = NULL, *spread = NULL;
	int k;

	if (o->json) {
		if (o->mode == PG_MODE_LIVE) {
			/* live_xdp's own ns/frame, when BPF stats were on. */
			if (prog_ns > 0)
				pns = json_real(round(prog_ns * 10) / 10);
			cpus = json_array();
			for (k = 0; k < o->ncpus; k++)
				json_array_append_new(cpus,
						      json_integer(o->cpus[k]));
			if (o->spread)
				spread = shares_json(l);
		}
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
			      " s:s, s:I, s:o?, s:o?, s:o?, s:o, s:o}",
			      "dev", o->dev, "mode", mode_name(o->mode),
			      "pcap", o->pcap, "frames", (json_int_t)r->frames,
			      "bytes", (json_int_t)r->bytes, "seconds", r->secs,
			      "pps", round(pps), "bps", round(bps),
			      "errors", (json_int_t)errors, "aead", aead,
			      "circuits", (json_int_t)o->ncirc,
			      "cpus", cpus, "spread", spread, "prog_ns", pns,
			      "kinds", kinds, "expect", expect);
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
		return;
	}
	printf("sent %llu frames, %llu bytes in %.3f s on %s (%s): "
	       "%.0f pps, %.3f Gbit/s, %llu errors, AEAD tags %s\n",
	       (unsigned long long)r->frames, (unsigned long long)r->bytes,
	       r->secs, o->dev ? o->dev : "-", mode_name(o->mode), pps,
	       bps / 1e9, (unsigned long long)errors, aead);
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
	if (o->mode == PG_MODE_LIVE && o->spread)
		shares_text(l);
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

/* -m live: the threads generate; this one stops them and shows progress. */
static int run_live(const struct opts *o, struct pg_live *l, struct run *r)
{
	struct timespec tick = { 0, 10000000 };
	double t0 = now_s(), t, last = t0;
	uint64_t last_frames = 0, n;
	const char *why;
	int e;

	e = pg_live_start(l, o->cpus, o->ncpus, o->count);
	while (!e && !stop && !pg_live_done(l)) {
		nanosleep(&tick, NULL);
		t = now_s();
		if (o->duration && t - t0 >= o->duration)
			break;
		if (!o->quiet && t - last >= 1.0) {
			n = pg_live_sent(l);
			fprintf(stderr, "osm-pktgen: %.0f s: %llu frames, "
				"%.3f Mpps\n", t - t0, (unsigned long long)n,
				(double)(n - last_frames) / (t - last) / 1e6);
			last = t;
			last_frames = n;
		}
	}
	pg_live_stop(l);
	if (e)
		why = "starting threads";
	else
		e = pg_live_join(l, &why);
	r->secs = now_s() - t0;
	r->frames = pg_live_sent(l);
	r->bytes = r->frames * o->size;
	if (e)
		return osm_err("%s on %s: %s", why, o->dev, strerror(-e));
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct pg_gen g = { 0 };
	struct pg_tx *tx = NULL;
	struct pg_live *live = NULL;
	struct run r = { 0 };
	pcap_t *dead = NULL;
	pcap_dumper_t *d = NULL;
	const char *why;
	int ret = 1, e, le = 0, fd;

	if (sodium_init() < 0)
		return osm_err("libsodium failed to initialise");
	if (osm_keys_nodump())
		return osm_err("cannot keep keys out of core dumps");
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
	/* -m live makes every frame from one template of the first
	 * circuit; the hop keys of all go into the program. */
	e = pg_gen_init(&g, o.circuit, o.mode == PG_MODE_LIVE ? 1 : o.ncirc,
			o.src, o.dst, o.type, o.size,
			o.have_seq ? o.seq0 : osm_seq_fresh(), o.mix, keys_of,
			&o, o.seed);
	if (!e && o.mode == PG_MODE_LIVE) {
		struct pg_live_cfg lc = {
			.ifname = o.dev, .queue = o.queue, .batch = o.batch,
			.ncirc = o.ncirc, .spread = o.spread,
			.keys_of = keys_of, .arg = &o,
		};

		le = pg_live_open(&live, &g, &lc, &why);
		/* The program holds the hop keys now. */
		pg_gen_free(&g);
	}
	osm_wipe(o.secret, sizeof(o.secret));
	osm_wipe(o.hop, sizeof(o.hop));
	osm_wipe(o.e2e, sizeof(o.e2e));
	if (e) {
		ret = osm_err("cannot set up circuits: %s", strerror(-e));
		goto out;
	}
	if (o.mode == PG_MODE_LIVE) {
		if (le) {
			ret = osm_err("%s for %s: %s", why, o.dev, strerror(-le));
			goto out;
		}
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		if (run_live(&o, live, &r))
			goto out;
		/* Every frame made in the kernel is a valid one. */
		memset(g.kinds, 0, sizeof(g.kinds));
		memset(g.expect, 0, sizeof(g.expect));
		g.kinds[PG_VALID] = r.frames;
		g.expect[OSM_OK] = r.frames;
		summary(&o, &g, &r, pg_live_errors(live),
			pg_live_prog_ns(live), live);
		ret = 0;
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
	summary(&o, &g, &r, tx ? pg_tx_errors(tx) : 0, 0, NULL);
	ret = 0;
out:
	if (d)
		pcap_dump_close(d);
	if (dead)
		pcap_close(dead);
	pg_tx_close(tx);
	pg_live_close(live);
	pg_gen_free(&g);
	osm_wipe(&o, sizeof(o));
	return ret;
}
