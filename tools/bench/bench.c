// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-bench: the measuring parts of `make bench` (tools/bench/bench.sh
 * runs them and draws the table).
 *   osm-bench testrun [--repeat N] [--rounds N]
 *     ns/frame under BPF_PROG_TEST_RUN, 64 and 1500-byte frames: XDP_DROP
 *     floor, unauthenticated MAC redirect, the switch's verified forward
 *     (plain and rated), the ladder of its parts. Every case runs once a
 *     round (repeat frames), the cases taking turns; on stdout, CSV
 *     "size,case,median,q1,q3,min,max" over the rounds: ns of each case,
 *     each part (a rung less the one below), and the ratios, each round's
 *     from that round's numbers.
 *   osm-bench attach sink|redirect|osm --in IF [--out IF --src MAC
 *     --dst MAC --secret-file FILE --circuit ID --epoch N
 *     --circuits N --installed M]
 *     attach a program for the veth fps run; it stays after we exit.
 *     osm installs M circuits ID..ID+M-1 (default M = N = 1), each keyed
 *     with osm_kdf_circuit(secret, id, epoch), in a table of the default
 *     size; the generator sends over the first N.
 *   osm-bench with-stats CMD [ARG...]
 *     run CMD with the kernel's BPF run-time accounting on (BPF_ENABLE_STATS:
 *     held by a file descriptor, so parallel runs cannot leave it on). */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sodium.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "osm_endpoint.h"
#include "osm_arg.h"
#include "osm_err.h"
#include "osm_hex.h"
#include "osm_keys.h"
#include "switch.h"
#include "bench.skel.h"
#include "baseline_redirect.skel.h"
#include "xdp_run.h"

#define OB_CIRCUIT	1
#define OB_EPOCH	2


static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l; (void)f; (void)ap;
	return 0;
}

/* What one round runs, in this order (turned by one each round, so that
 * no case always follows the same one). */
enum tr_case {
	C_DROP, C_REDIRECT, C_PASS, C_PARSE, C_CIRCUIT, C_TAG, C_STATE,
	C_WINDOW, C_COUNTERS, C_LADDER, C_FORWARD, C_RATED, C_REPLAY, C_N
};

static const char *const case_name[C_N] = {
	[C_DROP] = "drop", [C_REDIRECT] = "redirect",
	[C_PASS] = "fresh_overhead", [C_PARSE] = "rung_parse",
	[C_CIRCUIT] = "rung_circuit", [C_TAG] = "rung_tag",
	[C_STATE] = "rung_state", [C_WINDOW] = "rung_window",
	[C_COUNTERS] = "rung_counters", [C_LADDER] = "rung_redirect",
	[C_FORWARD] = "osm_forward", [C_RATED] = "osm_forward_rated",
	[C_REPLAY] = "osm_replay_drop",
};

#define TR_MAX_ROUNDS	201

struct tr {
	uint32_t in, out, repeat, rounds;
	uint8_t src[6], dst[6], secret[32];
	struct osm_switch *sw;
	struct bench *b;
	struct baseline_redirect *rd;
	uint64_t seq;			/* next fresh sequence number */
	struct osm_circuit plain, rated;	/* the circuit, two ways */
	const struct osm_circuit *installed;	/* the one in the switch */
	int fd[C_N];			/* program run (fresh_xdp: next[]) */
	int next[C_N];			/* tail-called by fresh_xdp, or -1 */
	int want[C_N];			/* the verdict every run must give */
	/* ns/frame of each case in each round; for the fresh cases, net
	 * of fresh_xdp (C_PASS of the same round) */
	double ns[C_N][TR_MAX_ROUNDS];
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of v[0..n), sorted in place; nearest rank. */
static double quantile(double *v, uint32_t n, double q)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(uint32_t)(q * (n - 1) + 0.5)];
}

static int set_next(struct tr *t, int prog_fd)
{
	uint32_t zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(t->b->maps.bench_next), &zero,
				&prog_fd, BPF_ANY))
		return osm_err("bench_next: %s", strerror(errno));
	return 0;
}

/* Runs of the drop floor and the switch the kernel counted: they grow
 * only while someone (BPF_ENABLE_STATS, the sysctl) has BPF run-time
 * stats on, which adds two clock reads to every run we time. */
static int run_cnt(struct tr *t, uint64_t *n)
{
	int fds[2] = { bpf_program__fd(t->b->progs.drop_xdp),
		       osm_switch_prog_fd(t->sw) };
	struct bpf_prog_info info;
	uint32_t len;
	int i;

	*n = 0;
	for (i = 0; i < 2; i++) {
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fds[i], &info, &len))
			return osm_err("prog info: %s", strerror(errno));
		*n += info.run_cnt;
	}
	return 0;
}

/* One run of case k over the frame: repeat times, *ns the mean. The
 * circuit is the rated one for C_RATED, the plain one for the rest (the
 * ladder is the plain forward's). A fresh case starts its sequence numbers
 * past every number used before (fresh_xdp counts up from the frame's);
 * the switch's own cases must have forwarded every frame, counted in the
 * circuit's state. */
static int run_case(struct tr *t, enum tr_case k, uint8_t *frame,
		    uint32_t len, uint32_t *ns)
{
	const struct osm_circuit *c = k == C_RATED ? &t->rated : &t->plain;
	struct osm_circuit_stats cs0, cs1;
	int r, e, fwd = k == C_FORWARD || k == C_RATED;

	if (c != t->installed) {
		e = osm_switch_circuit_replace(t->sw, c);
		if (e)
			return osm_err("cannot replace the circuit: %s",
				       strerror(-e));
		t->installed = c;
	}
	if (fwd && osm_switch_circuit_stats(t->sw, OB_CIRCUIT, &cs0))
		return osm_err("circuit stats");
	if (t->next[k] >= 0) {
		if (set_next(t, t->next[k]))
			return 1;
		osm_put_be64(frame + OSM_ETH_HLEN + OSM_OFF_SEQ, t->seq);
		t->seq += t->repeat;
	}
	r = osm_xdprun_repeat(t->fd[k], t->in, frame, len, t->repeat, ns);
	if (r < 0)
		return osm_err("%s: BPF_PROG_TEST_RUN: %s", case_name[k],
			       strerror(-r));
	if (r != t->want[k])
		return osm_err("%s: verdict %d, want %d", case_name[k], r,
			       t->want[k]);
	if (!fwd)
		return 0;
	if (osm_switch_circuit_stats(t->sw, OB_CIRCUIT, &cs1))
		return osm_err("circuit stats");
	if (cs1.frames - cs0.frames != t->repeat || cs1.drops != cs0.drops)
		return osm_err("switch forwarded %llu of %u frames",
			       (unsigned long long)(cs1.frames - cs0.frames),
			       t->repeat);
	return 0;
}

/* Print the median of v[0..n) with its spread: median,q1,q3,min,max. */
static void print_spread(uint32_t size, const char *name, double *v,
			 uint32_t n, const char *fmt)
{
	double q1 = quantile(v, n, 0.25), q2 = quantile(v, n, 0.5);
	double q3 = quantile(v, n, 0.75);

	printf("%u,%s,", size, name);
	printf(fmt, q2);
	putchar(',');
	printf(fmt, q1);
	putchar(',');
	printf(fmt, q3);
	putchar(',');
	printf(fmt, v[0]);
	putchar(',');
	printf(fmt, v[n - 1]);
	putchar('\n');
}

static int testrun_size(struct tr *t, uint32_t size)
{
	static uint8_t frame[OSM_FRAME_HDR_LEN + OSM_MAX_PAYLOAD];
	static uint8_t pl[OSM_MAX_PAYLOAD];
	struct osm_tx tx = { .circuit = OB_CIRCUIT, .type = OSM_T_DATA };
	static const struct { const char *name; enum tr_case a, b; } ratios[] = {
		{ "ratio_osm_redirect", C_FORWARD, C_REDIRECT },
		{ "ratio_rated_redirect", C_RATED, C_REDIRECT },
		{ "ratio_ladder_osm", C_LADDER, C_FORWARD },
	};
	double v[TR_MAX_ROUNDS], pass;
	uint64_t cnt0, cnt1;
	uint32_t r, i, k, ns;
	int n;

	memcpy(tx.src, t->src, 6);
	memcpy(tx.dst, t->dst, 6);
	osm_kdf_circuit(&tx.keys, t->secret, OB_CIRCUIT, OB_EPOCH);
	n = osm_seal_seq(&tx, t->seq++, pl, size - OSM_FRAME_HDR_LEN, frame,
			 sizeof(frame));
	osm_wipe(&tx, sizeof(tx));
	if (n != (int)size)
		return osm_err("cannot seal a %u-byte frame", size);
	if (run_cnt(t, &cnt0))
		return 1;
	for (r = 0; r < t->rounds; r++) {
		for (i = 0; i < C_N; i++) {
			k = (i + r) % C_N;
			if (run_case(t, k, frame, size, &ns))
				return 1;
			t->ns[k][r] = ns;
		}
		/* A case behind fresh_xdp: fresh_xdp's cost (its run with
		 * pass_xdp) taken out, the floor of a run (drop) put back,
		 * so that every case holds the floor once, as redirect
		 * does. */
		pass = t->ns[C_PASS][r];
		for (k = 0; k < C_N; k++)
			if (t->next[k] >= 0 && k != C_PASS)
				t->ns[k][r] += t->ns[C_DROP][r] - pass;
	}
	if (run_cnt(t, &cnt1))
		return 1;
	printf("%u,stats_on,%d,%d,%d,%d,%d\n", size, cnt1 != cnt0,
	       cnt1 != cnt0, cnt1 != cnt0, cnt1 != cnt0, cnt1 != cnt0);
	for (k = 0; k < C_N; k++) {
		memcpy(v, t->ns[k], t->rounds * sizeof(v[0]));
		print_spread(size, case_name[k], v, t->rounds, "%.1f");
	}
	/* Each round's ratio from that round's numbers, then their median:
	 * the machine's drift between rounds cancels. */
	for (i = 0; i < sizeof(ratios) / sizeof(ratios[0]); i++) {
		for (r = 0; r < t->rounds; r++)
			v[r] = t->ns[ratios[i].b][r] > 0 ?
			       t->ns[ratios[i].a][r] / t->ns[ratios[i].b][r] : 0;
		print_spread(size, ratios[i].name, v, t->rounds, "%.3f");
	}
	/* The parts of the forward, rung by rung (the first above the
	 * floor), the hop tag among them. */
	for (k = C_PARSE; k <= C_LADDER; k++) {
		for (r = 0; r < t->rounds; r++)
			v[r] = t->ns[k][r] - (k == C_PARSE ?
				t->ns[C_DROP][r] : t->ns[k - 1][r]);
		print_spread(size, k == C_TAG ? "hop_tag_only" :
			     k == C_LADDER ? "redirect_part" : case_name[k] + 5,
			     v, t->rounds, "%.1f");
	}
	return 0;
}

/* Load the switch and the bench's programs, the ladder on the switch's
 * own maps. */
static int load_all(struct tr *t)
{
	static const char *const shared[] = {
		OSM_MAP_CIRCUITS, OSM_MAP_STATE, OSM_MAP_STATS,
		OSM_MAP_TX_PORTS,
	};
	struct bpf_devmap_val dv = { .ifindex = t->out };
	uint8_t k[OSM_HOP_KEY_LEN];	/* value of bench_key */
	struct osm_keys keys;
	struct timespec ts;
	uint64_t mac = 0;
	uint32_t zero = 0, i;
	int e;

	e = osm_switch_load(&t->sw, "opgbench", 16, OSM_SW_NOPIN);
	if (e)
		return osm_err("cannot load the switch: %s", strerror(-e));
	e = osm_switch_attach(t->sw, t->in, 0);
	if (!e)
		e = osm_switch_attach(t->sw, t->out, 0);
	if (e)
		return osm_err("cannot attach the switch: %s", strerror(-e));
	t->b = bench__open();
	if (!t->b)
		return osm_err("cannot open the bench programs: %s",
			       strerror(errno));
	for (i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(t->b->obj,
								 shared[i]);

		if (!m || bpf_map__reuse_fd(m, osm_switch_map_fd(t->sw,
								 shared[i])))
			return osm_err("cannot share map %s", shared[i]);
	}
	t->rd = baseline_redirect__open_and_load();
	if (bench__load(t->b) || !t->rd)
		return osm_err("cannot load the bench programs: %s",
			       strerror(errno));
	/* Unlimited and without a lease, then as the engine installs a
	 * circuit: a rate (one that never runs out here, so every frame
	 * still forwards) and a lease, which make the switch read the
	 * clock and refill the bucket. */
	osm_xdprun_circuit(&t->plain, OB_CIRCUIT, t->in, t->out, t->src,
			   t->dst, t->secret, OB_EPOCH);
	t->rated = t->plain;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t->rated.rate = 100000000000ULL;
	t->rated.burst = 2000000000;
	t->rated.expires_ns = (uint64_t)ts.tv_sec * 1000000000ULL +
			      3600000000000ULL;
	e = osm_switch_circuit_add(t->sw, &t->plain);
	t->installed = &t->plain;
	if (e)
		return osm_err("cannot add the circuit: %s", strerror(-e));
	/* fresh_xdp tags with the circuit's hop key. */
	osm_kdf_circuit(&keys, t->secret, OB_CIRCUIT, OB_EPOCH);
	memcpy(k, keys.hop, sizeof(k));
	osm_wipe(&keys, sizeof(keys));
	e = bpf_map_update_elem(bpf_map__fd(t->b->maps.bench_key), &zero, k,
				BPF_ANY);
	osm_wipe(k, sizeof(k));
	memcpy(&mac, t->dst, 6);
	if (e || bpf_map_update_elem(bpf_map__fd(t->rd->maps.mac_ports), &mac,
				     &t->out, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(t->rd->maps.tx_ports), &t->out,
				&dv, BPF_ANY))
		return osm_err("cannot fill the bench maps: %s", strerror(errno));

	for (i = 0; i < C_N; i++) {
		t->next[i] = -1;
		t->want[i] = XDP_DROP;
		t->fd[i] = bpf_program__fd(t->b->progs.fresh_xdp);
	}
	t->fd[C_DROP] = bpf_program__fd(t->b->progs.drop_xdp);
	t->fd[C_REDIRECT] = bpf_program__fd(t->rd->progs.redirect_xdp);
	t->want[C_REDIRECT] = XDP_REDIRECT;
	/* The same frame again and again: verified, then a replay. */
	t->fd[C_REPLAY] = osm_switch_prog_fd(t->sw);
	t->next[C_PASS] = bpf_program__fd(t->b->progs.pass_xdp);
	t->want[C_PASS] = XDP_PASS;
	t->next[C_PARSE] = bpf_program__fd(t->b->progs.parse_xdp);
	t->next[C_CIRCUIT] = bpf_program__fd(t->b->progs.circuit_xdp);
	t->next[C_TAG] = bpf_program__fd(t->b->progs.tag_xdp);
	t->next[C_STATE] = bpf_program__fd(t->b->progs.state_xdp);
	t->next[C_WINDOW] = bpf_program__fd(t->b->progs.window_xdp);
	t->next[C_COUNTERS] = bpf_program__fd(t->b->progs.counters_xdp);
	t->next[C_LADDER] = bpf_program__fd(t->b->progs.redirect_rung_xdp);
	t->want[C_LADDER] = XDP_REDIRECT;
	t->next[C_FORWARD] = osm_switch_prog_fd(t->sw);
	t->want[C_FORWARD] = XDP_REDIRECT;
	t->next[C_RATED] = t->next[C_FORWARD];
	t->want[C_RATED] = XDP_REDIRECT;
	return 0;
}

static int parse_num(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || end == s || x < min || x > max)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static int cmd_testrun(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "rounds", required_argument, NULL, 'n' },
		{ 0 },
	};
	static struct tr t = { .repeat = 200000, .rounds = 41, .seq = 1 };
	uint32_t ifx[2];
	int c, e, ret = 1;

	while ((c = getopt_long(argc, argv, "r:n:", opts, NULL)) != -1) {
		if (c == 'r' && !parse_num(optarg, 1, 100000000, &t.repeat))
			continue;
		if (c == 'n' && !parse_num(optarg, 1, TR_MAX_ROUNDS, &t.rounds))
			continue;
		return osm_err("usage: osm-bench testrun [--repeat N] [--rounds N]");
	}
	randombytes_buf(t.secret, sizeof(t.secret));
	e = osm_xdprun_netns("opgb", 1, ifx);
	if (e)
		return osm_err("cannot make the bench netns: %s", strerror(-e));
	t.in = ifx[0];
	t.out = ifx[1];
	if (osm_xdprun_mac(t.in, t.src) || osm_xdprun_mac(t.out, t.dst))
		return osm_err("cannot read MAC addresses");
	if (load_all(&t))
		goto out;
	printf("size,case,median,q1,q3,min,max\n");
	if (testrun_size(&t, 64) || testrun_size(&t, 1500))
		goto out;
	ret = 0;
out:
	osm_wipe(t.secret, sizeof(t.secret));
	osm_wipe(&t.plain, sizeof(t.plain));
	osm_wipe(&t.rated, sizeof(t.rated));
	osm_switch_close(t.sw);
	bench__destroy(t.b);
	baseline_redirect__destroy(t.rd);
	return ret;
}

/* Circuits id..id+n-1 from in to out, each keyed as osm_xdprun_circuit
 * keys one, in one batch. */
static int add_circuits(struct osm_switch *sw, uint32_t id, uint32_t n,
			uint32_t in, uint32_t out, const uint8_t src[6],
			const uint8_t dst[6], const uint8_t secret[32],
			uint32_t epoch)
{
	struct osm_circuit *c = calloc(n, sizeof(*c));
	uint32_t i;
	int e;

	if (!c)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		osm_xdprun_circuit(&c[i], id + i, in, out, src, dst, secret,
				   epoch);
	e = osm_switch_circuit_add_batch(sw, c, n);
	osm_wipe(c, n * sizeof(*c));
	free(c);
	return e;
}

static int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "secret-file", required_argument, NULL, 'k' },
		{ "secret", required_argument, NULL, 'K' },	/* refused */
		{ "circuit", required_argument, NULL, 'c' },
		{ "epoch", required_argument, NULL, 'e' },
		{ "circuits", required_argument, NULL, 'n' },
		{ "installed", required_argument, NULL, 'm' },
		{ 0 },
	};
	struct bpf_devmap_val dv = { 0 };
	struct osm_switch *sw = NULL;
	struct baseline_redirect *rd = NULL;
	struct bench *b = NULL;
	uint32_t in = 0, out = 0, id = 1, epoch = 1, n = 1, m = 0;
	uint8_t src[6] = { 0 }, dst[6] = { 0 }, secret[32];
	uint64_t mac = 0;
	const char *mode = argc > 1 ? argv[1] : "";
	int c, e, have_secret = 0, ret = 1;

	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
		case 'o':
			if (!if_nametoindex(optarg))
				return osm_err("no interface '%s'", optarg);
			*(c == 'i' ? &in : &out) = if_nametoindex(optarg);
			break;
		case 's':
		case 'd':
			if (osm_mac_parse(optarg, c == 's' ? src : dst))
				return osm_err("bad MAC address '%s'", optarg);
			break;
		case 'K':
			return osm_arg_key_refused("--secret", optarg,
						   "--secret-file");
		case 'k':
			e = osm_arg_key_file(optarg, secret, sizeof(secret));
			if (e)
				return osm_err("--secret-file %s: %s", optarg,
					       osm_arg_strerror(e));
			have_secret = 1;
			break;
		case 'c':
		case 'e':
			if (parse_num(optarg, 0, UINT32_MAX - 2,
				      c == 'c' ? &id : &epoch))
				return osm_err("bad number '%s'", optarg);
			break;
		case 'n':
		case 'm':
			if (parse_num(optarg, 1, OSM_MAX_CIRCUITS,
				      c == 'n' ? &n : &m))
				return osm_err("--%s '%s' is not in 1..%d",
					   c == 'n' ? "circuits" : "installed",
					   optarg, OSM_MAX_CIRCUITS);
			break;
		default:
			return osm_err("unknown option (see the top of bench.c)");
		}
	}
	if (!in)
		return osm_err("attach needs --in IF");
	if (!m)
		m = n;
	if (m < n)
		return osm_err("--installed %u is fewer than --circuits %u", m, n);
	if ((uint64_t)id + m - 1 > UINT32_MAX)
		return osm_err("circuit ids %u + %u run past 2^32 - 1", id, m);
	if (!strcmp(mode, "sink")) {
		b = bench__open_and_load();
		if (!b || bpf_xdp_attach((int)in,
					 bpf_program__fd(b->progs.drop_xdp),
					 XDP_FLAGS_DRV_MODE, NULL))
			goto fail;
		ret = 0;
	} else if (!strcmp(mode, "redirect")) {
		if (!out)
			return osm_err("attach redirect needs --out IF --dst MAC");
		rd = baseline_redirect__open_and_load();
		memcpy(&mac, dst, 6);
		dv.ifindex = out;
		if (!rd || bpf_map_update_elem(bpf_map__fd(rd->maps.mac_ports),
					       &mac, &out, BPF_ANY) ||
		    bpf_map_update_elem(bpf_map__fd(rd->maps.tx_ports), &out,
					&dv, BPF_ANY) ||
		    bpf_xdp_attach((int)in,
				   bpf_program__fd(rd->progs.redirect_xdp),
				   XDP_FLAGS_DRV_MODE, NULL))
			goto fail;
		ret = 0;
	} else if (!strcmp(mode, "osm")) {
		if (!out || !have_secret)
			return osm_err("attach osm needs --out IF --src MAC "
				   "--dst MAC --secret-file FILE");
		/* The table of a switch as loaded for a building (it grows
		 * with use), whether it holds one circuit or 100,000. */
		e = osm_switch_load(&sw, "opgbench", 0, OSM_SW_NOPIN);
		if (!e)
			e = osm_switch_attach(sw, in, 0);
		if (!e)
			e = osm_switch_attach(sw, out, 0);
		if (!e)
			e = add_circuits(sw, id, m, in, out, src, dst, secret,
					 epoch);
		osm_wipe(secret, sizeof(secret));
		if (e) {
			errno = -e;
			goto fail;
		}
		ret = 0;
	} else {
		return osm_err("attach what? sink, redirect or osm");
	}
fail:
	if (ret)
		osm_err("attach %s: %s", mode, strerror(errno));
	osm_switch_close(sw);
	bench__destroy(b);
	baseline_redirect__destroy(rd);
	return ret;
}

static int cmd_with_stats(int argc, char **argv)
{
	int fd, status;
	pid_t pid;

	if (argc < 2)
		return osm_err("usage: osm-bench with-stats CMD [ARG...]");
	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0)
		return osm_err("BPF_ENABLE_STATS: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		close(fd);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		status = -1;
	close(fd);
	if (status == -1)
		return osm_err("cannot run %s: %s", argv[1], strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return osm_err("libsodium failed to initialise");
	if (osm_keys_nodump())
		return osm_err("cannot keep keys out of core dumps");
	if (!getenv("OSM_BENCH_VERBOSE"))
		libbpf_set_print(quiet);
	if (argc > 1 && !strcmp(argv[1], "testrun"))
		return cmd_testrun(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "with-stats"))
		return cmd_with_stats(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "attach"))
		return cmd_attach(argc - 1, argv + 1);
	return osm_err("usage: osm-bench testrun|attach|with-stats ... (see bench.c)");
}
